"""Where a paper appeared, from arXiv's free-text `journal_ref`: parsed once, for the .bib and the references.

Most records hold plain text ("In ACL, pages 6505-6514, 2020"), which is shown as written. Some hold
BibTeX-like fields ("journal={Transactions of the ACL}, volume={9}, pages={586--604}, year={2021},"),
which the .bib unpacks into its own fields and the PDF and the page print as a venue line.
"""

from __future__ import annotations

import re

_BIB_FIELD_RE = re.compile(r"(journal|volume|number|pages|year)\s*=\s*\{([^{}]*)\}")


def journal_fields(journal_ref: str) -> dict[str, str]:
    """The venue's fields as written: {'journal', 'volume', 'number', 'pages'} when the text is BibTeX-like
    (the year is left out: an entry's year comes from the paper), else {'journal': the whole text}."""
    found = dict(_BIB_FIELD_RE.findall(journal_ref))
    if "journal" in found:
        found.pop("year", None)
        return {k: v.strip() for k, v in found.items() if v.strip()}
    return {"journal": journal_ref.strip()}


def format_venue(journal_ref: str | None) -> str:
    """'Transactions of the ACL 9(2), pp. 586–604' from BibTeX-like fields; plain text as written; '' for none."""
    if not journal_ref or not journal_ref.strip():
        return ""
    fields = journal_fields(journal_ref)
    text = fields["journal"]
    if "volume" in fields:
        text += f" {fields['volume']}"
        if "number" in fields:
            text += f"({fields['number']})"
    if "pages" in fields:
        pages = re.sub(r"\s*-{1,3}\s*", "–", fields["pages"])
        text += f", {'pp.' if '–' in pages else 'p.'} {pages}"
    return text
