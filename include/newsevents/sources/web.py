"""Web sources: article URLs from feeds, sitemaps and lists, fetched politely into Documents.

    state = FetchState.load(lake_root / "_state" / "fetch.json")
    urls, rejects = discover_urls(feeds, sitemaps, urls, policy, state)
    for item in fetch_all(urls, policy, state):   # one Document or Reject per URL, in order
        ...
    state.save(lake_root / "_state" / "fetch.json")  # only once the documents are stored

Every input is accounted for: each distinct URL ends as one ``Document`` or one
``Reject(stage="fetch")``; each feed, sitemap or listed URL that cannot be used is a
``Reject(stage="discover")``. A page unchanged since the last run (HTTP 304) is
``Reject(reason="not_modified")``: counted, but with nothing new to clean.
"""

from __future__ import annotations

import datetime as dt
import email.message
import io
import logging
import queue
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import feedparser
import httpx
from usp.objects.sitemap import InvalidSitemap
from usp.tree import sitemap_from_str

from newsevents.schema import Document, Reject, stable_id
from newsevents.settings import HTML_TYPES
from newsevents.sources.fetch import Fetcher, FetchFailed, Response
from newsevents.sources.netguard import URLRefused, validate_url
from newsevents.sources.policy import FetchPolicy
from newsevents.sources.state import FetchState

__all__ = ["FetchPolicy", "FetchState", "URLRefused", "discover_urls", "fetch_all", "validate_url"]

logger = logging.getLogger(__name__)
# usp reports on the strings we hand it as if fetched from "http://usp-local-dummy.local/";
# what it would say, our Rejects say with the real URL.
logging.getLogger("usp").setLevel(logging.CRITICAL)

TEXT_TYPES = frozenset({"text/plain"})


def discover_urls(
    feeds: Iterable[str],
    sitemaps: Iterable[str],
    urls: Iterable[str],
    policy: FetchPolicy,
    state: FetchState,
) -> tuple[list[str], list[Reject]]:
    """Article URLs from RSS/Atom feeds, sitemaps (indexes followed) and plain URL lists.

    Feeds and sitemaps are told apart by their content, so either list may hold either
    kind; they are fetched in full every run (their links are needed each time; the
    articles behind them answer 304 when unchanged). URLs come back de-duplicated in
    first-seen order; only their syntax is checked here, their addresses when fetched.
    """
    found: dict[str, None] = {}
    rejects: list[Reject] = []

    def add(url: str) -> None:
        try:
            found.setdefault(validate_url(url, policy, resolve=False))
        except URLRefused as exc:
            rejects.append(Reject(str(url), "discover", exc.reason, str(exc)))

    for url in urls:
        add(url)
    pending = deque(dict.fromkeys([*feeds, *sitemaps]))
    done: set[str] = set()
    with Fetcher(policy, state) as fetcher:
        while pending:
            listing = pending.popleft()
            if listing in done:
                continue
            if len(done) >= policy.max_sitemaps:
                rejects.append(Reject(listing, "discover", "too_many_sitemaps",
                                      f"more than max_sitemaps={policy.max_sitemaps} documents"))
                continue
            done.add(listing)
            try:
                pages, children = _listing_links(fetcher.get(listing), policy.max_bytes)
            except FetchFailed as exc:
                rejects.append(Reject(listing, "discover", exc.reason, exc.detail))
                continue
            for page in pages:
                add(page)
            pending.extend(children)
    return list(found), rejects


def fetch_all(
    urls: Iterable[str], policy: FetchPolicy, state: FetchState
) -> Iterator[Document | Reject]:
    """Fetch each distinct URL once; yield its ``Document`` or ``Reject`` in input order.

    Hosts are fetched in parallel (``max_workers`` threads, at most ``per_domain_concurrency``
    per host, requests spaced by the host's delay). Sends and updates the validators in
    ``state``; the caller saves it.
    """
    ordered = list(dict.fromkeys(urls))
    results: queue.SimpleQueue[tuple[int, Document | Reject]] = queue.SimpleQueue()
    fetcher = Fetcher(policy, state)
    pool = ThreadPoolExecutor(max_workers=policy.max_workers, thread_name_prefix="fetch")
    try:
        for host_queue in _host_queues(ordered, policy.per_domain_concurrency):
            pool.submit(_drain, host_queue, fetcher, results)
        ready: dict[int, Document | Reject] = {}
        for position in range(len(ordered)):
            while position not in ready:
                index, item = results.get()
                ready[index] = item
            yield ready.pop(position)
    finally:  # also when the caller stops early: wake sleeping workers, then wait for them
        fetcher.stop()
        pool.shutdown(wait=True, cancel_futures=True)
        fetcher.close()


def _host_queues(urls: list[str], per_host: int) -> list[deque[tuple[int, str]]]:
    """One queue per host, listed once per worker it may have, hosts interleaved.

    A worker drains one host's queue, so no thread ever waits on another host's turn.
    """
    by_host: dict[str, deque[tuple[int, str]]] = {}
    for index, url in enumerate(urls):
        by_host.setdefault(_host(url), deque()).append((index, url))
    return [q for slot in range(per_host) for q in by_host.values() if slot < len(q)]


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host
    except httpx.InvalidURL:
        return ""  # rejected by the fetcher like any other bad URL


def _drain(host_queue: deque[tuple[int, str]], fetcher: Fetcher,
           results: queue.SimpleQueue[tuple[int, Document | Reject]]) -> None:
    while not fetcher.stopped:
        try:
            index, url = host_queue.popleft()
        except IndexError:
            return
        results.put((index, _fetch_one(url, fetcher)))


def _fetch_one(url: str, fetcher: Fetcher) -> Document | Reject:
    try:
        response = fetcher.get(url, conditional=True)
        if response.status == 304:
            return Reject(url, "fetch", "not_modified", "unchanged since the last run (HTTP 304)")
        return _document(url, response)
    except FetchFailed as exc:
        return Reject(url, "fetch", exc.reason, exc.detail)
    except Exception as exc:  # a bug or an odd server costs one URL, never the run
        logger.exception("fetching %s failed", url)
        return Reject(url, "fetch", "error", f"{type(exc).__name__}: {exc}")


def _document(url: str, response: Response) -> Document | Reject:
    mime, charset = _content_type(response.headers.get("content-type", ""))
    if mime and mime not in HTML_TYPES | TEXT_TYPES:
        return Reject(url, "fetch", "unsupported_type", f"Content-Type {mime} is not HTML or text")
    return Document(
        doc_id=stable_id(url),
        source=url,
        fmt="text" if mime in TEXT_TYPES else "html",
        body=response.body,
        url=response.url,
        fetched_at=dt.datetime.now(dt.UTC),  # our clock: servers' Date headers drift
        charset=charset,
    )


def _content_type(header: str) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type header; ("", None) when it is missing."""
    if not header.strip():
        return "", None
    message = email.message.Message()
    message["content-type"] = header
    charset = message.get_param("charset")
    return message.get_content_type(), charset.strip().lower() if isinstance(charset, str) else None


def _listing_links(response: Response, max_bytes: int) -> tuple[list[str], list[str]]:
    """(article URLs, child sitemap URLs) in a feed or sitemap; ``FetchFailed`` if neither."""
    body = _gunzipped(response.body, max_bytes)
    feed = feedparser.parse(io.BytesIO(body), response_headers={
        "content-location": response.url,  # base for relative links
        "content-type": response.headers.get("content-type", "application/xml"),
    })
    if feed.version:  # RSS or Atom (feedparser picks the rel="alternate" link of an entry)
        return [entry.link for entry in feed.entries if entry.get("link")], []
    sitemap = sitemap_from_str(body.decode("utf-8", errors="replace"))
    if isinstance(sitemap, InvalidSitemap):
        raise FetchFailed("unknown_format",
                          f"{response.url} is neither an RSS/Atom feed nor a sitemap")
    # sitemap_from_str does not fetch: the sub-sitemaps of an index come back unfetched.
    children = [sub.url for sub in sitemap.sub_sitemaps]
    return [page.url for page in sitemap.all_pages()], children


def _gunzipped(body: bytes, max_bytes: int) -> bytes:
    """``body``, decompressed if it is gzip (sitemap.xml.gz), at most ``max_bytes`` of it."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise FetchFailed("bad_encoding", f"broken gzip data: {exc}") from None
    if len(data) > max_bytes:
        raise FetchFailed("too_large", f"decompressed sitemap exceeds the {max_bytes}-byte limit")
    return data
