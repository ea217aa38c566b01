"""`raw_blocks.verbatim` is right: a block it passes comes out of Python-Markdown exactly as it went in.

Checked against Python-Markdown itself on generated blocks (tags nested, closed early and stray, void and empty
tags, attributes holding `<`, `>`, `&` and quotes, entities complete and not, comments, raw-text elements, tabs,
placeholders' characters), alone and inside a page, with the extension and without; and on the pages the builder
writes, whose every block must pass (else the site pays for it again).
"""

from __future__ import annotations

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.render import raw_blocks
from builder.render.raw_blocks import BLANK_LINE, SENTINEL, separator, verbatim
from builder.render.site import zensical

EXTENSIONS = ["toc", "tables", "fenced_code", "admonition", "attr_list"]  # mkdocs.yml's, with MkDocs' defaults
TAGS = ["div", "table", "tr", "td", "p", "ul", "li", "details", "summary", "span", "a", "em", "button", "br", "hr"]
TAGS += ["img", "input", "script", "style", "textarea", "title", "section", "DIV", "h2"]
TEXT = ["x", " ", "\n", "a b", "&amp;", "&amp", "&#39;", "&#x27;", "&#12a;", "&lt;", "&", "<", ">", "\t", "`"]
TEXT += ["<!-- c -->", "<!-- c --!>", "<![CDATA[x]]>", "<?pi?>", "</>", "\x02", "**b**", "# h", "{: .x}"]
VALUES = ['"v"', "'v'", '"a>b"', '"a<b"', '"&amp"', '"\'"', "v", '""', '"`"', '"a\tb"', "'\x02'"]


def no_blank_line(text: str) -> str:
    """A part between blank lines holds none (`raw_blocks.BLANK_LINE`)."""
    while BLANK_LINE.search(text):
        text = BLANK_LINE.sub("\n", text)
    return text


@st.composite
def attributes(draw) -> str:
    out = ""
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(["class", "id", "data-x", "hidden", "title", "x`y"]))
        value = draw(st.one_of(st.none(), st.sampled_from(VALUES)))
        gap = draw(st.sampled_from([" ", "\n", "  "]))
        out += f"{gap}{name}" if value is None else f"{gap}{name}={value}"
    return out


@st.composite
def element(draw, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    start = f"<{tag}{draw(attributes())}{draw(st.sampled_from(['', ' ', '/']))}>"
    inner = "".join(
        draw(element(depth + 1)) if depth < 3 and draw(st.booleans()) else draw(st.sampled_from(TEXT))
        for _ in range(draw(st.integers(0, 3)))
    )
    end = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", f"</{tag.upper()}>", "", "</td>", "</div>"]))
    return start + inner + end


@st.composite
def block(draw) -> str:
    text = "".join(draw(element()) for _ in range(draw(st.integers(1, 2))))
    return no_blank_line(text)


NICE_TAGS = ["div", "table", "tr", "td", "p", "ul", "li", "details", "span", "a", "em", "br", "img", "h3"]
NICE_TEXT = ["x", " ", "\n", "a b", "&amp;", "&#39;", "&#x27;", "&lt;", ">", "`", "**b**", "# h", "{: .x}"]


@st.composite
def nice_element(draw, depth: int = 0) -> str:
    """An element as the templates write them: quoted attributes, complete references, closed where it opens."""
    tag = draw(st.sampled_from(NICE_TAGS[:7] if depth == 0 else NICE_TAGS))
    attrs = draw(st.sampled_from(["", ' class="a"', " hidden", ' title="a &gt; b" id="i"', " data-x='1'"]))
    if tag in ("br", "img"):
        return f"<{tag}{attrs}>"
    inner = "".join(
        draw(nice_element(depth + 1)) if depth < 3 and draw(st.booleans()) else draw(st.sampled_from(NICE_TEXT))
        for _ in range(draw(st.integers(0, 3)))
    )
    return f"<{tag}{attrs}>{inner}</{tag}>"


@st.composite
def nice_block(draw) -> str:
    return no_blank_line("\n".join(draw(nice_element()) for _ in range(draw(st.integers(1, 3)))))


def convert(text: str, extensions: list[object]) -> str:
    return markdown.Markdown(extensions=extensions).convert(text)


@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(block())
def test_a_block_that_passes_comes_out_unchanged(part: str) -> None:
    if not verbatim(part):
        return
    assert convert(f"{part}\n\n{SENTINEL}", EXTENSIONS) == f"{part}{separator()}<p>{SENTINEL}</p>"
    assert convert(part, EXTENSIONS) == part.rstrip()


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(nice_block())
def test_blocks_written_like_the_templates_pass_and_come_out_unchanged(part: str) -> None:
    assert verbatim(part)
    assert convert(f"{part}\n\n{SENTINEL}", EXTENSIONS) == f"{part}{separator()}<p>{SENTINEL}</p>"


MARKDOWN_PARTS = ["# Title", "## Sub {: #s }", "text *em* &amp; x", "- item", "| a |\n|---|\n| b |", "  \t", "A &#b"]
MARKDOWN_PARTS += ["&#x; and &#39;", ": a definition?"]


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(nice_block(), nice_block(), block(), st.sampled_from(MARKDOWN_PARTS)), max_size=6),
    st.sampled_from(["", "\n", "\n\n"]),
)
def test_a_page_converts_the_same_with_the_extension(parts: list[str], end: str) -> None:
    text = "\n\n".join(parts) + end
    assert convert(text, [*EXTENSIONS, raw_blocks.RawBlocksExtension()]) == convert(text, EXTENSIONS)


@pytest.mark.parametrize(
    "part",
    [
        "<div>a &amp b</div>",  # HTMLParser would add the `;`
        "<div><!-- c --></div>",
        "<div><script>x</script></div>",
        "<div>a</div><div>b</div>",  # the first closes the block: the second is read after it
        "<div>\ta</div>",
        "<div>a</div> tail",
        "<hr>",
        "<span>inline</span>",
        "<div>a < b</div>",
        "<div title=bare>a</div>",
        "<div>open",
        "text <div>a</div>",
        '<div title="a\tb">x</div>',  # Python-Markdown expands the tab in the attribute too
        "<div data-x='\x03'>x</div>",
    ],
)
def test_blocks_python_markdown_may_change_do_not_pass(part: str) -> None:
    assert not verbatim(part)


def test_blocks_like_ours_pass() -> None:
    assert verbatim('<table data-lr-table id="t">\n<tr><td class="a">x &amp; y&#39;s</td></tr>\n</table>')
    assert verbatim('<p><button type=\'button\' hidden>Expand</button><br><img src="a.svg" alt=""></p>')
    assert verbatim("<div><hr><div><p>a</p></div></div>")


@pytest.mark.parametrize("extension", ["md_in_html", "def_list", "footnotes", "abbr"])
def test_the_extension_is_off_beside_an_extension_that_reads_across_blocks(extension: str) -> None:
    text = "<div>a</div>\n\n: a term's definition\n\n<p>b</p>\n"
    stashing = markdown.Markdown(extensions=[extension, raw_blocks.RawBlocksExtension()])
    stashing.convert(text)
    assert stashing.preprocessors["litreport_stash_blocks"].stashed == {}  # nothing was taken
    assert stashing.convert(text) == convert(text, [extension])


def test_a_page_with_a_loose_character_reference_is_not_stashed() -> None:
    """Python 3.11's HTMLParser reads what follows `&#` with no `;` after it as text: no raw block after it."""
    for text in ("A &#b\n\n<div>x</div>\n", "A &#x; and &#y;\n\n<div>x</div>\n"):
        assert raw_blocks.stash_page(text) is None
        assert convert(text, [*EXTENSIONS, raw_blocks.RawBlocksExtension()]) == convert(text, EXTENSIONS)


def test_a_placeholder_made_into_something_else_fails_the_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last tree processor finds every placeholder where it put it, or the build fails (not a page with a
    placeholder word in it)."""
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor

    class Classify(Treeprocessor):
        def run(self, root):
            for child in root:
                child.set("class", "x")

    class ClassifyExtension(Extension):
        def extendMarkdown(self, md):
            md.treeprocessors.register(Classify(md), "classify", 5)

    monkeypatch.setattr(raw_blocks, "context_free", lambda md: True)  # as if it were known to be harmless
    md = markdown.Markdown(extensions=[ClassifyExtension(), raw_blocks.RawBlocksExtension()])
    with pytest.raises(ValueError, match="1 raw HTML blocks were taken out of the page and 0 came back"):
        md.convert("<div>x</div>\n\ntext\n")


def test_zensical_config_names_the_extension() -> None:
    assert raw_blocks.__name__ == zensical.RAW_BLOCKS_EXTENSION
    assert zensical.markdown_extensions(["toc"]) == [raw_blocks.__name__]  # appended to the inherited list
    # Merged into the inherited mapping (Zensical's INHERIT appends lists, so nothing of the base is repeated).
    assert zensical.markdown_extensions({"toc": {"permalink": True}}) == {raw_blocks.__name__: {}}
    assert zensical.markdown_extensions(None) is None  # Zensical's defaults apply, which naming ours would replace
