"""A fake arXiv API on 127.0.0.1 for offline tests and benchmarks: a real threaded HTTP server, real Atom feeds.

It serves the shared corpus (`/work/shared/corpus/papers.jsonl`) plus any records a test adds (new versions,
old-style ids), answers `id_list` and `search_query` (a working subset of arXiv's syntax: ti/abs/au/cat/all/id
fields, quoted phrases, AND/OR/ANDNOT, parentheses, submittedDate ranges), pages with `start`/`max_results`,
sorts like arXiv, serves PDFs the test made, and injects the faults arXiv really shows: 503/429 with
Retry-After, 500, hanging connections, empty pages mid-results, malformed XML and dropped connections.

Run it by hand with `python tests/arxiv_server.py` (prints the URL to export as ARXIV_API_URL).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

CORPUS = Path("/work/shared/corpus/papers.jsonl")
ID_RE = re.compile(r"^(?P<base>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?$")


# --- records --------------------------------------------------------------------------------------------


@dataclass
class Version:
    number: int
    title: str
    authors: list[str]
    abstract: str
    updated: dt.datetime
    doi: str | None = None
    journal_ref: str | None = None
    comment: str | None = None


@dataclass
class Record:
    arxiv_id: str
    published: dt.datetime
    primary_category: str
    categories: list[str]
    versions: list[Version] = field(default_factory=list)

    @property
    def latest(self) -> Version:
        return self.versions[-1]


def _id_date(arxiv_id: str) -> dt.datetime:
    digits = arxiv_id.split("/")[-1][:4]
    year = int(digits[:2])
    return dt.datetime(1900 + year if year >= 91 else 2000 + year, int(digits[2:4]), 1, 12, tzinfo=dt.UTC)


def record_from_corpus(data: dict[str, Any]) -> Record:
    published = (
        dt.datetime.fromisoformat(str(data["published"])[:10]).replace(hour=17, tzinfo=dt.UTC)
        if data.get("published")
        else _id_date(data["arxiv_id"])
    )
    latest = int(str(data.get("version") or "v1").lstrip("v"))
    categories = list(data.get("categories") or [])
    primary = data.get("primary_category") or (categories[0] if categories else "cs.CL")
    record = Record(data["arxiv_id"], published, primary, categories or [primary])
    for number in range(1, latest + 1):
        record.versions.append(
            Version(
                number=number,
                title=data["title"],
                authors=list(data["authors"]),
                abstract=data["abstract"],
                updated=published + dt.timedelta(days=30 * (number - 1)),
                doi=data.get("doi"),
                journal_ref=data.get("journal_ref"),
                comment=data.get("comments"),
            )
        )
    return record


# --- arXiv query syntax ---------------------------------------------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<op>ANDNOT|AND|OR)(?=[\s(]|$)'
    r'|(?P<field>[a-zA-Z_]+):(?P<value>"[^"]*"|\[[^\]]*\]|[^\s()]+)|(?P<bare>"[^"]*"|[^\s()]+))'
)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


class QueryError(ValueError):
    pass


def parse_query(text: str) -> Callable[[Record], float]:
    """Compile a search_query into a scorer: 0 means no match, more means more relevant."""
    tokens: list[tuple[str, str, str]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip():
                raise QueryError(f"cannot parse query near {text[pos:pos + 20]!r}")
            break
        pos = match.end()
        if match.group("lp"):
            tokens.append(("(", "", ""))
        elif match.group("rp"):
            tokens.append((")", "", ""))
        elif match.group("op"):
            tokens.append(("op", match.group("op"), ""))
        elif match.group("field"):
            tokens.append(("term", match.group("field"), match.group("value")))
        else:
            tokens.append(("term", "all", match.group("bare")))
    index = 0

    def peek() -> tuple[str, str, str] | None:
        return tokens[index] if index < len(tokens) else None

    def expr() -> Callable[[Record], float]:
        nonlocal index
        left = atom()
        while (tok := peek()) is not None and tok[0] != ")":
            if tok[0] == "op":
                index += 1
                op = tok[1]
            else:
                op = "AND"  # adjacent terms: both must match
            right = atom()
            left = _combine(left, op, right)
        return left

    def atom() -> Callable[[Record], float]:
        nonlocal index
        tok = peek()
        if tok is None:
            raise QueryError("query ends too early")
        index += 1
        if tok[0] == "(":
            inner = expr()
            if peek() is None or peek()[0] != ")":  # type: ignore[index]
                raise QueryError("missing ')'")
            index += 1
            return inner
        if tok[0] != "term":
            raise QueryError(f"unexpected {tok[1] or tok[0]!r}")
        return _term(tok[1].lower(), tok[2])

    scorer = expr()
    if index != len(tokens):
        raise QueryError("unbalanced parentheses")
    return scorer


def _combine(left: Callable[[Record], float], op: str, right: Callable[[Record], float]) -> Callable[[Record], float]:
    if op == "AND":
        return lambda r: (a + b) if (a := left(r)) and (b := right(r)) else 0.0
    if op == "OR":
        return lambda r: left(r) + right(r)
    return lambda r: left(r) if left(r) and not right(r) else 0.0


def _phrase_count(haystack: list[str], needle: list[str]) -> int:
    if not needle:
        return 0
    n = len(needle)
    return sum(1 for i in range(len(haystack) - n + 1) if haystack[i : i + n] == needle)


def _term(name: str, value: str) -> Callable[[Record], float]:
    value = value.strip('"')
    if name in ("submitteddate", "lastupdateddate"):
        bounds = re.fullmatch(r"\[\s*(\d{8,12})\s+TO\s+(\d{8,12})\s*\]", value) or re.fullmatch(
            r"\[?\s*(\d{8,12})\s+TO\s+(\d{8,12})\s*\]?", value
        )
        if not bounds:
            raise QueryError(f"bad date range {value!r}")
        low, high = (b.ljust(12, "0") for b in bounds.groups())

        def in_range(record: Record) -> float:
            when = record.published if name == "submitteddate" else record.latest.updated
            return 1.0 if low <= when.strftime("%Y%m%d%H%M") <= high else 0.0

        return in_range
    needle = _words(value.replace("_", " "))

    def fields(record: Record) -> list[list[str]]:
        v = record.latest
        if name == "ti":
            return [_words(v.title)]
        if name == "abs":
            return [_words(v.abstract)]
        if name == "au":
            return [_words(a) for a in v.authors]
        if name == "cat":
            return [[c.lower()] for c in record.categories]
        if name == "id":
            return [[record.arxiv_id.lower()]]
        if name in ("all", "co", "jr"):
            return [_words(v.title), _words(v.title), _words(v.abstract), *(_words(a) for a in v.authors)]
        raise QueryError(f"unknown field {name!r}")

    if name in ("cat", "id"):
        wanted = value.lower()
        return lambda r: 1.0 if any(wanted in f for f in fields(r)) else 0.0
    if name == "au":
        return lambda r: 1.0 if any(_phrase_count(a, needle) or set(needle) <= set(a) for a in fields(r)) else 0.0
    return lambda r: float(sum(_phrase_count(f, needle) for f in fields(r)))


# --- Atom -----------------------------------------------------------------------------------------------


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entry_xml(base_url: str, record: Record, version: Version) -> str:
    vid = f"{record.arxiv_id}v{version.number}"
    parts = [
        "<entry>",
        f"<id>http://arxiv.org/abs/{vid}</id>",
        f"<updated>{_stamp(version.updated)}</updated>",
        f"<published>{_stamp(record.published)}</published>",
        f"<title>{escape(version.title)}</title>",
        f"<summary>{escape(version.abstract)}</summary>",
        *(f"<author><name>{escape(a)}</name></author>" for a in version.authors),
    ]
    if version.doi:
        parts.append(f"<arxiv:doi>{escape(version.doi)}</arxiv:doi>")
        parts.append(f'<link title="doi" href={quoteattr("https://doi.org/" + version.doi)} rel="related"/>')
    if version.comment:
        parts.append(f"<arxiv:comment>{escape(version.comment)}</arxiv:comment>")
    if version.journal_ref:
        parts.append(f"<arxiv:journal_ref>{escape(version.journal_ref)}</arxiv:journal_ref>")
    parts += [
        f'<link href="http://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
        f'<link title="pdf" href="{base_url}/pdf/{vid}" rel="related" type="application/pdf"/>',
        f'<arxiv:primary_category term={quoteattr(record.primary_category)} scheme="http://arxiv.org/schemas/atom"/>',
        *(f'<category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>' for c in record.categories),
        "</entry>",
    ]
    return "\n".join(parts)


def feed_xml(query: str, entries: list[str], total: int, start: int, per_page: int) -> bytes:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
        f'<link href={quoteattr("http://arxiv.org/api/query?" + query)} rel="self" type="application/atom+xml"/>\n'
        f"<title type=\"html\">ArXiv Query: {escape(query)}</title>\n"
        "<id>http://arxiv.org/api/fake</id>\n"
        "<updated>2026-01-01T00:00:00-05:00</updated>\n"
        f'<opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}'
        "</opensearch:totalResults>\n"
        f'<opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{start}'
        "</opensearch:startIndex>\n"
        f'<opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{per_page}'
        "</opensearch:itemsPerPage>\n"
    )
    return (head + "\n".join(entries) + "\n</feed>\n").encode("utf-8")


def error_feed(message: str) -> bytes:
    entry = (
        "<entry><id>http://arxiv.org/api/errors</id><title>Error</title>"
        f"<summary>{escape(message)}</summary><updated>2026-01-01T00:00:00-05:00</updated></entry>"
    )
    return feed_xml("error", [entry], 1, 0, 1)


# --- faults ---------------------------------------------------------------------------------------------


@dataclass
class Fault:
    """One injected failure, used by the next request it matches (kind: 503, 429, 500, hang, malformed,
    empty, drop)."""

    kind: str
    retry_after: str | None = None
    path: str = "/api/"  # prefix of the request path it applies to
    only_paged: bool = False  # only requests with start > 0 (an empty page in the middle of results)
    times: int = 1


@dataclass
class Hit:
    path: str
    params: dict[str, str]
    fault: str | None
    user_agent: str = ""
    at: float = 0.0  # time.monotonic() when the request arrived


class FakeArxiv:
    """The server and its state; use as a context manager, read `.url`, `.api_url`, `.hits`."""

    def __init__(self, corpus: Path = CORPUS, hang_seconds: float = 5.0) -> None:
        self.records: dict[str, Record] = {}
        for line in corpus.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = record_from_corpus(json.loads(line))
                self.records[record.arxiv_id] = record
        self.pdfs: dict[str, bytes] = {}  # base id or versioned id -> bytes
        self.faults: list[Fault] = []
        self.hits: list[Hit] = []
        self.hang_seconds = hang_seconds
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # state -----------------------------------------------------------------------------------------------

    def add_record(self, record: Record) -> None:
        self.records[record.arxiv_id] = record

    def add_version(self, arxiv_id: str, **changes: Any) -> int:
        """Publish a new version of a paper (title/abstract/... changes); return its number."""
        record = self.records[arxiv_id]
        latest = record.latest
        values = {**latest.__dict__, **changes}
        values["number"] = latest.number + 1
        values["updated"] = latest.updated + dt.timedelta(days=40)
        record.versions.append(Version(**values))
        return values["number"]

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def api_hits(self) -> list[Hit]:
        return [h for h in self.hits if h.path.startswith("/api/")]

    def reset_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    def _take_fault(self, path: str, params: dict[str, str]) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if not path.startswith(fault.path):
                    continue
                if fault.only_paged and int(params.get("start", "0") or 0) == 0:
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    # answers ---------------------------------------------------------------------------------------------

    def _lookup(self, asked: str) -> tuple[Record, Version] | None:
        match = ID_RE.match(asked)
        if not match:
            raise QueryError(f"incorrect id format for {asked}")
        record = self.records.get(match.group("base"))
        if record is None:
            return None
        if match.group("v"):
            number = int(match.group("v"))
            version = next((v for v in record.versions if v.number == number), None)
            return (record, version) if version else None
        return record, record.latest

    def answer(self, params: dict[str, str]) -> tuple[int, bytes]:
        query = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        try:
            start = int(params.get("start") or 0)
            per_page = int(params.get("max_results") or 10)
        except ValueError:
            return 400, error_feed("start and max_results must be integers")
        if start < 0 or per_page < 0 or per_page > 2000:
            return 400, error_feed("max_results must be between 0 and 2000")
        try:
            id_list = [i for i in (params.get("id_list") or "").split(",") if i]
            search = (params.get("search_query") or "").strip()
            if id_list:
                found = [hit for i in id_list if (hit := self._lookup(i.strip()))]
                if search:
                    scorer = parse_query(search)
                    found = [(r, v) for r, v in found if scorer(r)]
                results = found
            elif search:
                scorer = parse_query(search)
                scored = [(scorer(r), r) for r in self.records.values()]
                results = self._sort([(s, r) for s, r in scored if s > 0], params)
            else:
                return 400, error_feed("either search_query or id_list must be given")
        except QueryError as exc:
            return 400, error_feed(str(exc))
        page = results[start : start + per_page]
        entries = [entry_xml(self.url, r, v) for r, v in page]
        return 200, feed_xml(query, entries, len(results), start, len(page))

    def _sort(self, scored: list[tuple[float, Record]], params: dict[str, str]) -> list[tuple[Record, Version]]:
        by = params.get("sortBy") or "relevance"
        descending = (params.get("sortOrder") or "descending") == "descending"
        if by == "submittedDate":
            scored.sort(key=lambda sr: (sr[1].published, sr[1].arxiv_id), reverse=descending)
        elif by == "lastUpdatedDate":
            scored.sort(key=lambda sr: (sr[1].latest.updated, sr[1].arxiv_id), reverse=descending)
        else:
            scored.sort(key=lambda sr: (-sr[0], sr[1].arxiv_id))
            if not descending:
                scored.reverse()
        return [(r, r.latest) for _, r in scored]

    # server ----------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/query"

    @property
    def pdf_url(self) -> str:
        return self.url + "/pdf/"

    def start(self) -> FakeArxiv:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                fault = fake._take_fault(parts.path, params)
                with fake._lock:
                    fake.hits.append(
                        Hit(
                            parts.path,
                            params,
                            fault.kind if fault else None,
                            self.headers.get("User-Agent", ""),
                            time.monotonic(),
                        )
                    )
                if fault and fake._inject(self, fault):
                    return
                if parts.path.startswith("/api/query"):
                    status, body = fake.answer(params)
                    self._send(status, body, "application/atom+xml; charset=utf-8")
                elif parts.path.startswith("/pdf/"):
                    asked = unquote(parts.path[len("/pdf/") :])
                    match = ID_RE.match(asked)
                    data = None
                    if match:
                        data = fake.pdfs.get(asked) or fake.pdfs.get(match.group("base"))
                    if data is None:
                        self._send(404, b"<html>no such PDF</html>", "text/html")
                    else:
                        self._send(200, data, "application/pdf")
                else:
                    self._send(404, b"not found", "text/plain")

            def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-arxiv", daemon=True
        )
        self._thread.start()
        return self

    def _inject(self, handler: BaseHTTPRequestHandler, fault: Fault) -> bool:
        """Act out a fault; return True when the request has been fully answered (or abandoned)."""
        send = handler._send  # type: ignore[attr-defined]
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        if fault.kind in ("503", "429", "500"):
            send(int(fault.kind), b"<html>try later</html>", "text/html", headers)
            return True
        if fault.kind == "hang":
            self._release.wait(self.hang_seconds)
            handler.close_connection = True
            return True
        if fault.kind == "drop":
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fault.kind == "malformed":
            send(200, b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://ar',
                 "application/atom+xml")
            return True
        if fault.kind == "empty":
            send(200, feed_xml("empty", [], 0, 0, 0), "application/atom+xml")
            return True
        raise ValueError(f"unknown fault {fault.kind!r}")

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeArxiv:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def refused_url() -> str:
    """A 127.0.0.1 URL where nothing listens: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/query"


if __name__ == "__main__":
    with FakeArxiv() as server:
        print(f"ARXIV_API_URL={server.api_url} ARXIV_PDF_URL={server.pdf_url}  (Ctrl-C to stop)")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
