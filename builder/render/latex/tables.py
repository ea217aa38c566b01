"""The long tables of the PDF (claims, quantitative results, evidence matrix): one head, foot and continuation."""

from __future__ import annotations

from pylatex import LongTable
from pylatex.utils import NoEscape


def long_table(spec: str, header: str, width: int, continued: str) -> LongTable:
    """A longtable with `header` (its cells and the closing `\\\\`) on every page, "`continued` (continued)" above it
    after a page break, and "continued on next page" at the foot of each page but the last; `width` columns."""
    table = LongTable(NoEscape(spec))
    table.append(NoEscape(rf"\toprule {header} \midrule \endfirsthead"))
    table.append(
        NoEscape(
            rf"\multicolumn{{{width}}}{{@{{}}l}}{{\footnotesize\color{{muted}}{continued} (continued)}} \\"
            rf"\toprule {header} \midrule \endhead"
        )
    )
    table.append(
        NoEscape(
            rf"\midrule \multicolumn{{{width}}}{{@{{}}r@{{}}}}{{\footnotesize\color{{muted}}continued on next page}} \\"
            r" \endfoot"
        )
    )
    table.append(NoEscape(r"\bottomrule \endlastfoot"))
    return table
