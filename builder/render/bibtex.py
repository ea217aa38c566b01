"""BibTeX for a report's papers: stable citation keys and one entry per arXiv paper.

Keys must not change between runs or machines (the LaTeX and the site cite them), so they depend only on
each paper's own metadata and collisions are settled by arXiv id, never by input order. Names keep their
accents in UTF-8 (biber and xelatex read it), because folding "Jäkel" to "Jakel" would misspell an author.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import bibtexparser
from bibtexparser.model import Entry, Field

from builder.models import Paper
from builder.render.bibvalue import bib_identifier, bib_text
from builder.venue import journal_fields

# Beyond this many authors the .bib lists the first ones and "and others" (BibTeX's "et al."); the manifest keeps
# every name. Far above ordinary papers, low enough that no .bib line overflows BibTeX's or TeX's buffers.
BIB_AUTHOR_LIMIT = 100

# Letters that NFKD does not decompose into ASCII + combining marks.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
    }
)

# Words skipped when choosing the title word of a key: they tell papers apart poorly.
_STOPWORDS_TEXT = (
    "a an the on of for in to and or with via from by at as is are do does how what when why which who "
    "towards toward into onto over under not no its it this that these those be can we our your"
)
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split(" "))

_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})

# Field order is fixed so that the file diffs cleanly and is byte-identical across runs.
FIELD_ORDER = (
    "author",
    "title",
    "journal",
    "volume",
    "number",
    "pages",
    "year",
    "eprint",
    "archivePrefix",
    "primaryClass",
    "doi",
    "url",
)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'García-Ferrero' -> 'garciaferrero'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", stripped.lower())


def family_name(author: str) -> str:
    """The last name of 'Given Family' (arXiv's order), skipping suffixes such as 'Jr.'."""
    if "," in author:  # 'Family, Given'
        return author.split(",", 1)[0].strip()
    parts = author.split()
    while len(parts) > 1 and ascii_fold(parts[-1]) in _NAME_SUFFIXES:
        parts.pop()
    return parts[-1] if parts else ""


def _title_word(title: str) -> str:
    """The first word of the title that is not a stop word, folded to ASCII."""
    plain = re.sub(r"\\[a-zA-Z]+", " ", title)  # drop LaTeX commands such as \textit
    plain = re.sub(r"\$[^$]*\$", " ", plain)  # and inline math
    plain = re.sub(r"['’`]", "", plain)  # "Don't" -> "dont"
    for raw in re.split(r"[\s\-/:;,.!?()\[\]{}'\"`]+", plain):
        word = ascii_fold(raw)
        if len(word) > 1 and word not in _STOPWORDS and not word.isdigit():
            return word
    return "paper"


def base_key(paper: Paper) -> str:
    """'politov2025revisiting': family name of the first author + year + first significant title word."""
    name = ascii_fold(family_name(paper.authors[0])) if paper.authors else ""
    return f"{name or 'anon'}{paper.year}{_title_word(paper.title)}"


def _suffix(index: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa': enough letters for any number of collisions."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def bib_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """arXiv id -> citation key; colliding keys get suffixes a, b, ... in arXiv-id order."""
    unique: dict[str, Paper] = {}
    for paper in papers:
        unique.setdefault(paper.arxiv_id, paper)
    groups: dict[str, list[str]] = {}
    for arxiv_id, paper in unique.items():
        groups.setdefault(base_key(paper), []).append(arxiv_id)
    taken = {key for key, ids in groups.items() if len(ids) == 1}
    keys: dict[str, str] = {}
    for key, ids in sorted(groups.items()):
        if len(ids) == 1:
            keys[ids[0]] = key
            continue
        index = 0
        for arxiv_id in sorted(ids):
            while key + _suffix(index) in taken:
                index += 1
            keys[arxiv_id] = key + _suffix(index)
            taken.add(keys[arxiv_id])
            index += 1
    return {arxiv_id: keys[arxiv_id] for arxiv_id in unique}


# --- field values -----------------------------------------------------------------------------------


def escape_value(text: str) -> str:
    """Metadata as a braced BibTeX value: balanced as BibTeX counts braces, special characters escaped, and
    no TeX command that could act in the citing document (see `builder.render.bibvalue`)."""
    return bib_text(text)


def _needs_protection(word: str) -> bool:
    """True for acronyms and brand spellings (NER, mBERT, XLM-R, CoNLL) that a style must not lower-case."""
    core = re.sub(r"^[^\w]+|[^\w]+$", "", word)
    parts = [p for p in re.split(r"[-/]", core) if p]
    for position, part in enumerate(parts):
        if any(ch.isupper() for ch in part[1:]):
            return True
        if position > 0 and len(part) == 1 and part.isupper():
            return True
        if any(ch.isdigit() for ch in part) and any(ch.isalpha() for ch in part):
            return True
    return False


def protect_title(title: str) -> str:
    """Brace words whose capitals carry meaning, so sentence-case styles keep 'BERT' and 'XLM-R'."""
    title = escape_value(title)
    words = re.split(r"(\s+)", title)
    out = []
    in_math = False
    for word in words:
        dollars = len(re.findall(r"(?<!\\)\$", word))
        protect = not in_math and dollars == 0 and "{" not in word and "\\" not in word and _needs_protection(word)
        if dollars % 2:
            in_math = not in_math
        if protect:
            lead = re.match(r"^[^\w]*", word).group(0)  # type: ignore[union-attr]
            trail = re.search(r"[^\w]*$", word[len(lead) :]).group(0)  # type: ignore[union-attr]
            core = word[len(lead) : len(word) - len(trail)]
            word = f"{lead}{{{core}}}{trail}"
        out.append(word)
    return "".join(out)


def _journal_fields(journal_ref: str) -> dict[str, str]:
    """The venue's fields (`builder.venue.journal_fields`: BibTeX-like text unpacked), escaped for the .bib."""
    return {k: escape_value(v) for k, v in journal_fields(journal_ref).items()}


def _odd_commas(value: str) -> bool:
    """True unless the name has no comma or is 'Family, Given' with text on both sides: BibTeX stops with
    'has a comma at the end' or 'Too many commas' for anything else."""
    if "," not in value:
        return False
    parts = value.split(",")
    return len(parts) > 2 or not all(part.strip(" \t~-") for part in parts)  # ~ and - separate name tokens


def _author(name: str) -> str:
    """A name that itself contains the word 'and' (or is 'others', or has commas BibTeX's name grammar cannot
    take) would be split or misread by BibTeX; bracing keeps it one author, printed as written."""
    value = bib_text(name, name=True)
    odd = re.search(r"\band\b", value, flags=re.IGNORECASE) or _odd_commas(value) or value.lower() == "others"
    return f"{{{value}}}" if odd or not value else value


def bib_authors(authors: tuple[str, ...]) -> str:
    """The author field: every name, or the first BIB_AUTHOR_LIMIT and "others" (printed "et al.")."""
    names = [_author(a) for a in authors[:BIB_AUTHOR_LIMIT]]
    if len(authors) > BIB_AUTHOR_LIMIT:
        names.append("others")
    return " and ".join(names) or "Anonymous"


def paper_entry(paper: Paper, key: str) -> Entry:
    """One BibTeX entry: @article when arXiv knows the venue (journal_ref), else @misc."""
    values: dict[str, str] = {
        "author": bib_authors(paper.authors),
        "title": protect_title(paper.title),
        "year": str(paper.year),
        "eprint": paper.arxiv_id,
        "archivePrefix": "arXiv",
        "url": paper.abs_url,
    }
    if paper.primary_category:
        values["primaryClass"] = bib_text(paper.primary_category)
    if paper.doi and paper.doi.strip():
        values["doi"] = bib_identifier(paper.doi)
    entry_type = "misc"
    if paper.journal_ref:
        values.update(_journal_fields(paper.journal_ref))
        entry_type = "article"
    fields = [Field(name, values[name]) for name in FIELD_ORDER if name in values]
    return Entry(entry_type, key, fields)


def render_bibtex(papers: Iterable[Paper], keys: dict[str, str]) -> str:
    """The .bib file for `papers` in the given (reference) order; same input, same bytes."""
    library = bibtexparser.Library()
    seen: set[str] = set()
    for paper in papers:
        if paper.arxiv_id in seen:
            continue
        seen.add(paper.arxiv_id)
        try:
            key = keys[paper.arxiv_id]
        except KeyError:
            raise KeyError(f"no BibTeX key for {paper.arxiv_id}; compute keys with bib_keys()") from None
        library.add(paper_entry(paper, key))
    format_ = bibtexparser.BibtexFormat()
    format_.indent = "  "
    format_.value_column = "auto"
    format_.block_separator = "\n"
    text = bibtexparser.write_string(library, bibtex_format=format_)
    return text if text.endswith("\n") or not text else text + "\n"
