"""The Jinja2 environment the site's HTML is rendered with (templates in `templates/*.html.j2`).

Every `{{ value }}` goes through `finalize`, which is `esc`: whitespace folded into single spaces (no blank line
can end a raw HTML block, see `escape.py`), then HTML-escaped, returned as `Markup` so autoescape does not escape
it again. Markup made by a macro or by the filters below (which escape their own input) passes unchanged. So
data is escaped exactly once, and a template cannot un-escape it:
- the `safe` filter is removed, and so are the other built-in filters that return markup without `esc`
  (`urlize`, `xmlattr`, `tojson`); `e`, `escape`, `forceescape` and `join` escape with `esc`;
- `finalize` escapes by itself, so an `{% autoescape false %}` block escapes data all the same;
- the environment is sandboxed (`ImmutableSandboxedEnvironment`): no `__class__` or other underscore attribute,
  so no way to reach `Markup` and wrap data in it;
- `StrictUndefined` turns a misspelt name into an error, not an empty string.
Text joined to markup with `~` is escaped by markupsafe without folding; `markdown.raw` drops blank lines from
every block anyway.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from builder.render.site.escape import (
    arxiv_pdf,
    doi_url,
    esc,
    esc_part,
    esc_pre,
    html_id,
    paper_abs,
    report_href,
)

_ONELINE = re.compile(r"[ \t]*\{% oneline %\}(.*?)\{% endoneline %\}", re.S)
_LINE_BREAK = re.compile(r"\n[ \t]*")


def _finalize(value: object) -> Markup:
    return value if isinstance(value, Markup) else Markup(esc(value))


def _escape(value: object) -> Markup:
    return _finalize(value)


def _join(items: Iterable[object], separator: str = "") -> Markup:
    return Markup(esc_part(separator)).join(_finalize(item) for item in items)


class OneLine(Extension):
    """`{% oneline %}...{% endoneline %}`: one output line written over several template lines. The line breaks
    between the tags, and the indentation after each, are taken out of the template's own text before Jinja
    reads it (each becomes a comment, `+#}` so that trim_blocks leaves what follows, and error messages keep
    their line numbers); data is never touched. Words that need a space between them stay on one line. The line
    break after `{% endoneline %}` is kept."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        def join(match: re.Match[str]) -> str:
            return _LINE_BREAK.sub(lambda m: "{#" + m.group(0) + "+#}", match.group(1))

        return _ONELINE.sub(join, source)


def _fixed(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def _authors(names: Iterable[str], limit: int = 0) -> str:
    """'A, B and C'; with `limit`, the first `limit` names then 'et al.'."""
    names = list(names)
    if limit and len(names) > limit:
        return ", ".join(names[:limit]) + " et al."
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else "Unknown author"


def _environment() -> Environment:
    env = ImmutableSandboxedEnvironment(
        loader=PackageLoader("builder.render.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        extensions=[OneLine],
    )
    for name in ("safe", "urlize", "xmlattr", "tojson"):
        del env.filters[name]
    env.filters.update(
        e=_escape,
        escape=_escape,
        forceescape=_escape,
        join=_join,
        part=lambda text: Markup(esc_part(text)),
        pre=esc_pre,
        fixed=_fixed,
        authors=_authors,
        abs_url=paper_abs,
        pdf_url=arxiv_pdf,
        doi_url=doi_url,
    )
    env.globals.update(html_id=html_id, report_href=report_href, line_break=Markup("\n"))
    return env


ENV = _environment()


@contextmanager
def bytecode_cache(folder: Path, salt: str) -> Iterator[None]:
    """Templates compiled once, kept in `folder/<salt>` (Jinja's bytecode cache): compiling them took a fifth of
    writing the pages after one report changed. Jinja keys a compiled template by its source alone, not by this
    environment's options or its `OneLine` preprocessing, so `salt` (the builder's source hash) names the folder,
    and the folders of other salts are removed."""
    if folder.is_dir():
        for old in folder.iterdir():
            if old.name != salt:
                shutil.rmtree(old, ignore_errors=True)
    (folder / salt).mkdir(parents=True, exist_ok=True)
    ENV.bytecode_cache = FileSystemBytecodeCache(str(folder / salt))
    try:
        yield
    finally:
        ENV.bytecode_cache = None


def render(template: str, **context: object) -> str:
    """One template's HTML, for a raw block (`markdown.raw`)."""
    return ENV.get_template(template).render(**context)
