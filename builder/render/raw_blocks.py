"""Raw HTML blocks that Python-Markdown would write out unchanged, kept out of its way: both site engines.

A site page is Markdown headings around raw HTML blocks that the templates rendered (`site.markdown.raw`: blank
lines around a block, none inside). Python-Markdown's `html_block` preprocessor runs every such block through
Python's `HTMLParser` to find where it ends, then writes it out as it was: the claims page alone (5.8 MB at 200
reports) took 0.8 s of every build that changed a report. `verbatim(part)` says, from one regular-expression scan
of its tags, that a part between blank lines comes out unchanged, by the rules of `markdown/htmlparser.py`
(Python-Markdown 3.x):

* each top-level element opens with a block-level tag (its name followed by a space or `>`, as Python-Markdown's
  `RawHtmlPostprocessor` reads it) and ends with the end tag that closes it, HTMLParser's way (an end tag pops up
  to its start tag; `<hr>` and `<x/>` push nothing); the part opens with one, and one line break, nothing else,
  separates each from the next (Python-Markdown writes one there whatever the source has);
* every `<` opens a start tag with quoted or no attribute values, or a plain end tag, so HTMLParser cuts the text
  into the same tags; no comment, declaration, processing instruction, or element whose content HTMLParser reads
  as raw text (`script`, `style`, `textarea`, ...);
* every `&` opens a complete reference (`&amp;`, `&#39;`, `&#x27;`): HTMLParser adds the `;` of one without;
* no tab (expanded), `\\r`, `\\x02` or `\\x03` (Python-Markdown's placeholders), all of which it rewrites.

`stash_page` replaces such parts with placeholder paragraphs before Python-Markdown runs and `put_back` puts them
back afterwards, each followed by the separator Python-Markdown writes after a raw block; only on a page whose every
part with a `<` passes (what Python-Markdown makes of any other HTML can change how the parts after it convert) and
that has no code fence or `\\r`. MkDocs does this in its hooks (`site/mkdocs_hooks.py`); Zensical through
`RawBlocksExtension`, named in its generated config's `markdown_extensions`. This module imports neither engine nor
the rest of the builder: both engines load it into their own processes. tests/test_raw_blocks.py converts generated
HTML both ways and checks that every part of the pages the builder writes passes; the site tests build sites with
and without it and compare them byte for byte.
"""

from __future__ import annotations

import functools
import hashlib
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable

import markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import BLOCK_LEVEL_ELEMENTS

BLANK_LINE = re.compile(r"(\n[ \t]*\n)")  # Python-Markdown's blank line: empty or only spaces and tabs
FENCE = re.compile(r"^[ \t]*(```|~~~)", re.MULTILINE)
SENTINEL = "litreportsentinel"
STEM = "litreportblock"
# What a part may be made of: start tags (attributes with quoted or no values, ASCII spaces between), plain end tags,
# complete references, and text with none of `<`, `&`, a tab, `\r` or Python-Markdown's placeholder characters
# (which it rewrites in attribute values too).
_START_TAG = (
    r"<[A-Za-z][A-Za-z0-9]*(?=[ \n/>])"
    r"(?:[ \n]+[A-Za-z_:][-A-Za-z0-9_:.]*(?:=(?:\"[^\"<>\t\r\x02\x03]*\"|'[^'<>\t\r\x02\x03]*'))?)*+[ \n]*+/?>"
)
_REFERENCE = r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);"
TOKENS = re.compile(rf"(?:{_START_TAG}|</[A-Za-z][A-Za-z0-9]*>|[^<&\t\r\x02\x03]++|{_REFERENCE})*+")
# Once TOKENS matched, each tag: (end tag?, name, a line break after the name, self-closing?); and the tags alone.
TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)(\n?)[^<>]*?(/?)>")
ANY_TAG = re.compile(r"<[^<>]*>")
UPPER_CASE_NAME = re.compile(r"</?[a-z0-9]*[A-Z]")
# Elements whose content HTMLParser reads as raw text, in the Python versions we run on and those after.
RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"}
)
LOOSE_CHARACTER_REFERENCE = re.compile(r"&#(?![0-9]+;|[xX][0-9A-Fa-f]+;)")
EMPTY_TAGS = frozenset({"hr"})  # Python-Markdown's `HTMLExtractor.empty_tags`: never pushed


def verbatim(block: str) -> bool:
    """Whether Python-Markdown writes `block` out exactly as it is: one or more raw blocks, one per line break
    between top-level elements (see the module's docstring). One regular-expression pass checks what the block is
    made of; a second lists its tags for HTMLParser's stack (about 0.15 s for the claims page of 200 reports)."""
    if not block.startswith("<") or ">" in block[block.rfind("<") : -1] or BLANK_LINE.search(block):
        return False  # it must open with a tag, end with the end of one and hold no blank line (which ends it)
    if not TOKENS.fullmatch(block):
        return False
    stack: list[str] = []
    boundaries = []  # the tags that close a top-level element, but the last
    # HTMLParser lowers tag names; they are ASCII, so lowering the block moves no `<` or `>`.
    tags = TAG.findall(block.lower() if UPPER_CASE_NAME.search(block) else block)
    last = len(tags) - 1
    for index, (end, name, line_break, closing) in enumerate(tags):
        if end:
            if stack and stack[-1] == name:
                stack.pop()
            elif name in stack:  # HTMLParser pops up to the innermost element of that name
                del stack[len(stack) - 1 - stack[::-1].index(name) :]
            elif not stack:
                return False
            if not stack and index != last:
                boundaries.append(index)
            continue
        if name in RAW_TEXT:
            return False
        if not stack and (name not in BLOCK_LEVEL_ELEMENTS or name in EMPTY_TAGS or closing or line_break):
            # A top-level element must open a raw block: block-level, with an end tag, its name followed by a space
            # or `>` (Python-Markdown's `RawHtmlPostprocessor` reads the name up to one of them).
            return False
        if not closing and name not in EMPTY_TAGS:
            stack.append(name)
    if stack:
        return False
    if boundaries:  # top-level elements one line break apart, nothing else between them
        between = ANY_TAG.split(block)
        return all(between[index + 1] == "\n" for index in boundaries)
    return True


def stash_page(text: str, take: Callable[[str], bool] = verbatim) -> tuple[str, str, list[str]] | None:
    """`text` with its raw HTML blocks replaced by placeholder words, the placeholders' stem and the blocks; None
    when the page must go to Python-Markdown whole: when it has a part with a `<` that is not `verbatim` (whose
    conversion may change how the parts after it convert), a `&#` that opens no character reference (after which
    Python 3.11's HTMLParser reads the rest of the page as text), a code fence, `\r` or our placeholders' words.
    `take`: `verbatim`, or a caller's memo of it."""
    stem = page_stem(text)
    if not can_stash(text, stem):
        return None
    body = text.rstrip("\n")  # the page's last line breaks: Python-Markdown adds a blank line after the page anyway
    stashed, blocks = stash(body, stem, take)
    if not blocks or "<" in stashed or LOOSE_CHARACTER_REFERENCE.search(stashed):
        return None
    return stashed + text[len(body) :], stem, blocks


@functools.cache
def separator() -> str:
    """What Python-Markdown writes after a raw block that more of the page follows (found by converting one)."""
    probe = "<div></div>"
    html = markdown.Markdown().convert(f"{probe}\n\n{SENTINEL}")
    return html.removeprefix(probe).removesuffix(f"<p>{SENTINEL}</p>")


def can_stash(text: str, stem: str) -> bool:
    """Whether the blocks of a page can be stashed at all: no `\\r`, no code fence (which may hold a blank line), and
    no text that looks like our placeholders."""
    return "\r" not in text and not FENCE.search(text) and stem not in text and SENTINEL not in text


def page_stem(text: str) -> str:
    """The placeholder stem of one page: its text's hash, so that no page holds its own placeholders."""
    return STEM + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def stash(text: str, stem: str, take: Callable[[str], bool]) -> tuple[str, list[str]]:
    """`text` with each part between blank lines that `take` accepts replaced by a placeholder word; the parts."""
    parts = BLANK_LINE.split(text)  # the parts, with the blank lines between them kept at odd indexes
    blocks: list[str] = []
    for index in range(0, len(parts), 2):
        if take(parts[index]):
            blocks.append(parts[index])
            parts[index] = f"{stem}x{len(blocks) - 1}"
    return "".join(parts), blocks


def put_back(content: str, stem: str, html: Iterable[str]) -> str:
    """`content` (Python-Markdown's output) with each placeholder paragraph of `stem` replaced by the block's HTML,
    `html` in stash order, each ending with the separator Python-Markdown writes after it. ValueError when the
    placeholders that came back are not those stashed."""
    html = list(html)
    pieces = re.split(rf"<p>{stem}x(\d+)</p>(\n?)", content)
    if [int(number) for number in pieces[1::3]] != list(range(len(html))):
        raise ValueError(f"{len(html)} raw HTML blocks stashed, {len(pieces) // 3} came back")
    out = [pieces[0]]
    for index, block in enumerate(html):
        followed = pieces[3 * index + 2]
        # A block with more of the page after it ends with its separator; the page's last loses it, as
        # Python-Markdown strips its output.
        out += [block if followed else block.rstrip(), pieces[3 * index + 3]]
    return "".join(out)


def extension_name(extension: object) -> str:
    """An extension's name as configs give it: "toc", "pymdownx.superfences"."""
    name = extension if isinstance(extension, str) else type(extension).__module__
    return name.removeprefix("markdown.extensions.")


# Extensions that never read across blocks: with only these, a raw block converts the same alone as in its page.
# (`fenced_code` and SuperFences only act on fences, and a page with a fence is never stashed.)
# (Not `def_list`: a part opening with ": " makes the paragraph before it, a placeholder too, a term.)
SAFE_EXTENSIONS = frozenset({"toc", "tables", "fenced_code", "admonition", "attr_list", "sane_lists", "meta"})
# What Zensical adds to every Markdown instance, and this module.
ZENSICAL_SAFE = SAFE_EXTENSIONS | {"pymdownx.superfences", "zensical.extensions.context", __name__}
CORE = frozenset(
    f"markdown.{kind}" for kind in ("preprocessors", "blockprocessors", "treeprocessors", "inlinepatterns")
)


def context_free(md: markdown.Markdown) -> bool:
    """Whether every processor of `md` comes from Python-Markdown's core or an extension of `ZENSICAL_SAFE` (an
    extension need not register itself, but it must register processors to do anything), `html_block` among them,
    and the block-level elements are Python-Markdown's own (which `verbatim` reads)."""
    registries = (md.preprocessors, md.parser.blockprocessors, md.treeprocessors, md.inlinePatterns, md.postprocessors)
    modules = {type(processor).__module__ for registry in registries for processor in registry}
    known = all(m in CORE or m == "markdown.postprocessors" or extension_name(m) in ZENSICAL_SAFE for m in modules)
    return (
        known and "html_block" in md.preprocessors and sorted(md.block_level_elements) == sorted(BLOCK_LEVEL_ELEMENTS)
    )


class _Stash(Preprocessor):
    """After `normalize_whitespace` (30) and before `html_block` (20): verbatim blocks out of the text."""

    def __init__(self, md: markdown.Markdown, stashed: dict[str, list[str]]) -> None:
        super().__init__(md)
        self.stashed = stashed

    def run(self, lines: list[str]) -> list[str]:
        self.stashed.clear()
        found = stash_page("\n".join(lines)) if context_free(self.md) else None
        if found is None:
            return lines
        text, stem, blocks = found
        self.stashed[stem] = blocks
        return text.split("\n")


class _Check(Treeprocessor):
    """Last of the tree processors: every placeholder is still a paragraph of its own at the top of the page, so
    `_PutBack` finds them all; ValueError (the build fails) if an extension made one into anything else."""

    def __init__(self, md: markdown.Markdown, stashed: dict[str, list[str]]) -> None:
        super().__init__(md)
        self.stashed = stashed

    def run(self, root: etree.Element) -> None:
        for stem, blocks in self.stashed.items():
            found = [
                child.text
                for child in root
                if child.tag == "p" and not len(child) and not child.attrib and (child.text or "").startswith(stem)
            ]
            if found != [f"{stem}x{n}" for n in range(len(blocks))]:
                raise ValueError(f"{len(blocks)} raw HTML blocks were taken out of the page and {len(found)} came back")


class _PutBack(Postprocessor):
    """Last of the postprocessors: the blocks back in place of their placeholders."""

    def __init__(self, md: markdown.Markdown, stashed: dict[str, list[str]]) -> None:
        super().__init__(md)
        self.stashed = stashed
        self.separator = separator()

    def run(self, text: str) -> str:
        # Python-Markdown also runs the postprocessors on other HTML than the page's (the table of contents): only
        # the page's holds the placeholders.
        for stem, blocks in self.stashed.items():
            if f"<p>{stem}x" in text:
                text = put_back(text, stem, (block + self.separator for block in blocks))
        return text


class RawBlocksExtension(Extension):
    """Python-Markdown extension: the page's verbatim raw HTML blocks skip `html_block` (for Zensical)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        stashed: dict[str, list[str]] = {}
        md.preprocessors.register(_Stash(md, stashed), "litreport_stash_blocks", 25)
        md.treeprocessors.register(_Check(md, stashed), "litreport_check_blocks", -1)
        md.postprocessors.register(_PutBack(md, stashed), "litreport_put_back_blocks", 0)
        md.registerExtension(self)


def makeExtension(**kwargs: object) -> RawBlocksExtension:
    return RawBlocksExtension(**kwargs)
