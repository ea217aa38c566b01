"""The arXiv API client: the `arxiv` package's paging and Atom parsing, with our own polite, patient fetching.

`arxiv.Client` retries a fixed number of times with a fixed delay and no timeout. arXiv answers bursts with
429/503 and a `Retry-After`, sometimes hangs, and sometimes sends a truncated feed or an empty page in the
middle of a result set. So we subclass it and replace `_parse_feed`: one place that enforces the 3-second
politeness delay, sends a descriptive User-Agent, sets timeouts, honours `Retry-After`, backs off
exponentially with jitter, refuses malformed XML, and counts every request (for the benchmark and tests).
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import arxiv
import requests
from arxiv import _feed
from lxml import etree

from builder import __version__
from builder.errors import BuilderError
from builder.models import split_arxiv_id

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_PDF_URL = "https://arxiv.org/pdf/"
USER_AGENT = (
    f"litreport-builder/{__version__} (literature-synthesis reports; offline builds, "
    f"metadata refreshed on demand; python-requests/{requests.__version__}; arxiv.py/{arxiv.__version__})"
)
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_PDF_BYTES = 60 * 1024 * 1024


class GatherError(BuilderError):
    """arXiv could not give us what we asked for, even after retrying; the message says what and why."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status when arXiv answered with a definite refusal (400, 404, ...)


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return float(value)
    except ValueError:
        raise GatherError(f"environment variable {name}={value!r} is not a number") from None


@dataclass(frozen=True)
class ClientConfig:
    """How we talk to arXiv. `from_env` reads ARXIV_* variables so tests and mirrors need no code change."""

    api_url: str = DEFAULT_API_URL
    pdf_url: str = DEFAULT_PDF_URL
    delay_seconds: float = 3.0  # arXiv's terms: no more than one request every three seconds
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 5  # extra tries after the first
    backoff_base: float = 2.0  # seconds; doubles each retry
    backoff_max: float = 60.0
    max_retry_after: float = 300.0  # a longer Retry-After means "come back later": we stop and say so
    page_size: int = 100
    batch_size: int = 50  # ids per id_list request
    user_agent: str = USER_AGENT

    @classmethod
    def from_env(cls, **overrides: object) -> ClientConfig:
        values: dict[str, object] = {
            "api_url": os.environ.get("ARXIV_API_URL") or DEFAULT_API_URL,
            "pdf_url": os.environ.get("ARXIV_PDF_URL") or DEFAULT_PDF_URL,
            "delay_seconds": _env_float("ARXIV_DELAY_SECONDS", 3.0),
            "read_timeout": _env_float("ARXIV_TIMEOUT", 60.0),
            "retries": int(_env_float("ARXIV_RETRIES", 5)),
            "backoff_base": _env_float("ARXIV_BACKOFF_SECONDS", 2.0),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


@dataclass
class Stats:
    """What a run cost: requests sent (including retries), retries, bytes received, seconds spent waiting."""

    requests: int = 0
    retries: int = 0
    bytes: int = 0
    waited: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)


class _Retry(Exception):
    """A failure worth another try; `wait` is the server's Retry-After when it sent one."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date; return seconds from now, or None if absent/garbled."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _arxiv_error_message(content: bytes) -> str | None:
    """arXiv reports a bad query as a feed whose single entry is titled 'Error'; pull out its summary."""
    try:
        root = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    for entry in root.iterfind("atom:entry", ns):
        if (entry.findtext("atom:title", default="", namespaces=ns) or "").strip() == "Error":
            return " ".join((entry.findtext("atom:summary", default="", namespaces=ns) or "").split()) or None
    return None


class ArxivClient(arxiv.Client):
    """One per run: shares the HTTP session, the politeness clock and the request counts across all fetches."""

    def __init__(
        self,
        config: ClientConfig | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config or ClientConfig.from_env()
        super().__init__(page_size=self.config.page_size, delay_seconds=self.config.delay_seconds, num_retries=0)
        self.query_url_format = self.config.api_url.rstrip("?") + "?{}"
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._last_request_at: float | None = None
        self.stats = Stats()
        self._session.headers["User-Agent"] = self.config.user_agent

    # --- the one HTTP path ----------------------------------------------------------------------------

    def _polite_wait(self) -> None:
        if self._last_request_at is None:
            return
        remaining = self.config.delay_seconds - (time.monotonic() - self._last_request_at)
        if remaining > 0:
            self._wait(remaining)

    def _wait(self, seconds: float) -> None:
        self.stats.waited += seconds
        self._sleep(seconds)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with 'equal jitter': half fixed, half random, so clients do not retry in step."""
        ceiling = min(self.config.backoff_max, self.config.backoff_base * (2**attempt))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _get(self, url: str, what: str, check: Callable[[requests.Response], None]) -> requests.Response:
        """GET with politeness, timeouts and retries; `check` raises _Retry for bodies that are not usable."""
        attempts = self.config.retries + 1
        last = "no attempt made"
        for attempt in range(attempts):
            self._polite_wait()
            self.stats.requests += 1
            if attempt:
                self.stats.retries += 1
            try:
                log.info("GET %s (try %d/%d)", url, attempt + 1, attempts)
                response = self._session.get(
                    url,
                    timeout=(self.config.connect_timeout, self.config.read_timeout),
                    headers={"User-Agent": self.config.user_agent},
                )
                content = response.content
            except requests.exceptions.ConnectionError as exc:
                # requests reports a read timeout while streaming the body as a ConnectionError too.
                reason = "timed out" if "timed out" in str(exc).lower() else f"connection failed ({_short(exc)})"
                failure = _Retry(reason)
            except requests.exceptions.Timeout:
                failure = _Retry(f"no answer within {self.config.read_timeout:g} s")
            except requests.exceptions.RequestException as exc:
                raise GatherError(f"{what}: request failed: {_short(exc)} ({url})") from None
            else:
                self._last_request_at = time.monotonic()
                self.stats.bytes += len(content)
                self.stats.statuses[response.status_code] = self.stats.statuses.get(response.status_code, 0) + 1
                failure = self._judge(response, url, what, check)
                if failure is None:
                    return response
            self._last_request_at = time.monotonic()
            last = failure.reason
            if attempt + 1 >= attempts:
                break
            if failure.wait is not None:
                if failure.wait > self.config.max_retry_after:
                    raise GatherError(
                        f"{what}: arXiv asked us to wait {failure.wait:.0f} s ({failure.reason}); "
                        "try again later"
                    )
                wait = failure.wait if failure.wait > 0 else self._backoff(attempt)
            else:
                wait = self._backoff(attempt)
            log.warning("%s: %s; retrying in %.1f s", what, failure.reason, wait)
            self._wait(wait)
        raise GatherError(f"{what}: gave up after {attempts} tries; last error: {last} ({_host(url)})")

    def _judge(
        self, response: requests.Response, url: str, what: str, check: Callable[[requests.Response], None]
    ) -> _Retry | None:
        status = response.status_code
        if status in (429, 503):
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            return _Retry(f"HTTP {status}" + (f", Retry-After {wait:g} s" if wait is not None else ""), wait)
        if status in RETRYABLE_STATUS:
            return _Retry(f"HTTP {status}")
        if status != 200:
            detail = _arxiv_error_message(response.content)
            raise GatherError(
                f"{what}: arXiv answered HTTP {status}" + (f": {detail}" if detail else "") + f" ({url})", status
            )
        try:
            check(response)
        except _Retry as failure:
            return failure
        return None

    # --- arxiv.Client hooks -------------------------------------------------------------------------------

    def _format_url(self, search: arxiv.Search, start: int, page_size: int) -> str:
        """Ask for no more entries than the search still needs (arXiv pages are expensive)."""
        if search.max_results:
            page_size = max(1, min(page_size, search.max_results - start))
        return super()._format_url(search, start, page_size)

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> _feed.ParsedFeed:
        """Replace the package's fetch: retries, Retry-After, timeouts, strict XML, counted requests."""
        parsed: list[_feed.ParsedFeed] = []

        def check(response: requests.Response) -> None:
            try:
                etree.fromstring(response.content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
            except etree.XMLSyntaxError as exc:
                raise _Retry(f"malformed XML from arXiv ({exc.msg})") from None
            feed = _feed.parse(response.content)
            error = _arxiv_error_message(response.content)
            if error:
                raise GatherError(f"arXiv rejected the request: {error} ({url})")
            if not feed.results and not first_page:
                raise _Retry("unexpectedly empty page in the middle of the results")
            parsed.append(feed)

        self._get(url, "arXiv API request", check)
        return parsed[-1]

    # --- what refresh uses ---------------------------------------------------------------------------------

    def search(
        self, query: str, max_results: int, sort_by: str = "relevance", sort_order: str = "descending"
    ) -> list[arxiv.Result]:
        """Run one arXiv query (ti:, abs:, au:, cat:, AND/OR/ANDNOT, submittedDate:[.. TO ..])."""
        criteria = {
            "relevance": arxiv.SortCriterion.Relevance,
            "submitted": arxiv.SortCriterion.SubmittedDate,
            "updated": arxiv.SortCriterion.LastUpdatedDate,
        }
        search = arxiv.Search(
            query=query,
            max_results=max_results,
            sort_by=criteria[sort_by],
            sort_order=arxiv.SortOrder(sort_order),
        )
        return list(self.results(search))

    def fetch_ids(self, ids: Sequence[str]) -> dict[str, arxiv.Result]:
        """Fetch papers by id, `batch_size` ids per request; keys are the ids as asked (with version if given)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, arxiv.Result] = {}
        for start in range(0, len(wanted), self.config.batch_size):
            batch = wanted[start : start + self.config.batch_size]
            search = arxiv.Search(id_list=batch, max_results=len(batch))
            by_short: dict[str, arxiv.Result] = {}
            latest: dict[str, tuple[int, arxiv.Result]] = {}  # an unversioned id means the newest version
            for result in self.results(search):
                short = result.get_short_id()
                by_short[short] = result
                base, version = split_arxiv_id(short)
                if base not in latest or (version or 0) > latest[base][0]:
                    latest[base] = (version or 0, result)
            for asked in batch:
                if asked in by_short and split_arxiv_id(asked)[1] is not None:
                    found[asked] = by_short[asked]
                elif asked in latest:
                    found[asked] = latest[asked][1]
        return found

    def download(self, url: str, what: str) -> bytes:
        """Fetch a PDF; arXiv sometimes answers with an HTML 'being generated' page, which we treat as retryable."""

        def check(response: requests.Response) -> None:
            if not response.content.startswith(b"%PDF-"):
                kind = response.headers.get("Content-Type", "unknown type")
                raise _Retry(f"expected a PDF, got {kind}")
            if len(response.content) > MAX_PDF_BYTES:
                raise GatherError(f"{what}: PDF is larger than {MAX_PDF_BYTES // 1024 // 1024} MB ({url})")

        return self._get(url, what, check).content


def pdf_url(config: ClientConfig, versioned_id: str) -> str:
    return config.pdf_url.rstrip("/") + "/" + versioned_id


def chunks(items: Iterable[str], size: int) -> list[list[str]]:
    items = list(items)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _short(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Connection reset"):
        if marker.lower() in text.lower():
            return marker.lower()
    return text[:200]


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
