"""A small news site on 127.0.0.1 for the web-fetching tests, with every way a site misbehaves.

    with serve() as site:
        site.url("/feed.xml")        # http://127.0.0.1:<port>/feed.xml
        site.hits("/robots.txt")     # requests the server answered for that path

Pages come from tests/fixtures/web/. Every handler is bounded in time and size; ``serve``
stops the server and wakes any handler still sleeping when the block ends.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PAGES = Path(__file__).parent / "fixtures" / "web"
ARTICLES = ("protest-capital", "ceasefire-talks", "aid-convoy")
LAST_MODIFIED = "Tue, 12 Jan 2016 15:00:00 GMT"
SLOW_S = 3.0  # /slow answers after this long, unless the server stops first
HUGE_BYTES = 2 * 1024 * 1024  # /huge streams this much


@dataclass
class Hit:
    """One request, logged when it arrives; the response fields are set as the answer goes out."""

    path: str  # with the query string
    headers: dict[str, str]  # request headers, lower-case names
    at: float  # time.monotonic() when the request arrived
    status: int | None = None  # None while the response is still pending (/slow)
    body_bytes: int = 0  # response body bytes (for /huge: bytes the client accepted)


@dataclass
class Site:
    """The running server: its base URL and what it was asked."""

    base: str
    crawl_delay: float
    robots_status: int
    log: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    rate_limited_once: set[str] = field(default_factory=set)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str | None = None) -> list[Hit]:
        with self.lock:
            return [h for h in self.log if path is None or h.path == path]

    def clear(self) -> None:
        with self.lock:
            self.log.clear()


@contextlib.contextmanager
def serve(crawl_delay: float = 0.01, robots_status: int = 200) -> Iterator[Site]:
    """Run the site on an ephemeral port for the duration of the block.

    ``robots_status`` other than 200 makes /robots.txt answer with that status instead.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    site = Site(f"http://127.0.0.1:{server.server_address[1]}", crawl_delay, robots_status)
    server.site = site  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _article_url(site: Site, name: str) -> str:
    return site.url(f"/articles/{name}.html")


def _robots(site: Site) -> str:
    return (f"User-agent: *\nDisallow: /private/\nCrawl-delay: {site.crawl_delay}\n"
            f"Sitemap: {site.url('/sitemap_index.xml')}\n")


def _rss(site: Site) -> str:
    items = "".join(
        f"<item><title>{name}</title><link>{_article_url(site, name)}</link>"
        f"<pubDate>{LAST_MODIFIED}</pubDate></item>" for name in ARTICLES[:2])
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Harbor Ledger</title><link>{site.url('/')}</link>{items}"
            "<item><title>aid convoy</title><link>/articles/aid-convoy.html</link></item>"
            f"<item><title>memo</title><link>{site.url('/private/internal-memo.html')}</link></item>"
            "</channel></rss>")


def _atom(site: Site) -> str:
    entries = "".join(
        f'<entry><title>{name}</title><id>urn:ledger:{name}</id><updated>2016-01-12T15:00:00Z</updated>'
        f'<link rel="alternate" type="text/html" href="{_article_url(site, name)}"/>'
        f'<link rel="self" href="{site.url(f"/atom/{name}.xml")}"/></entry>' for name in ARTICLES)
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>Harbor Ledger</title><id>urn:ledger</id>"
            "<updated>2016-01-12T15:00:00Z</updated>"
            f'<link rel="self" href="{site.url("/atom.xml")}"/>{entries}</feed>')


def _urlset(urls: list[str]) -> str:
    locs = "".join(f"<url><loc>{u}</loc><lastmod>2016-01-12</lastmod></url>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>')


def _sitemap_index(site: Site) -> str:
    locs = "".join(f"<sitemap><loc>{site.url(p)}</loc></sitemap>"
                   for p in ("/sitemap.xml", "/sitemap-news.xml.gz"))
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>')


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real sites do

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet tests
        pass

    def handle(self) -> None:
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            super().handle()  # the client may hang up on a kept-alive connection

    @property
    def site(self) -> Site:
        return self.server.site  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.hit = Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
        with self.site.lock:
            self.site.log.append(self.hit)
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        site = self.site
        if path == "/robots.txt" and site.robots_status != 200:
            self._send(site.robots_status, b"no robots here", "text/plain")
        elif path == "/robots.txt":
            self._send(200, _robots(site).encode(), "text/plain")
        elif path == "/feed.xml":
            self._send(200, _rss(site).encode(), "application/rss+xml")
        elif path == "/atom.xml":
            self._send(200, _atom(site).encode(), "application/atom+xml")
        elif path == "/sitemap.xml":
            urls = [_article_url(site, n) for n in ARTICLES]
            self._send(200, _urlset(urls).encode(), "application/xml")
        elif path == "/sitemap_index.xml":
            self._send(200, _sitemap_index(site).encode(), "application/xml")
        elif path == "/sitemap-news.xml.gz":
            urls = [_article_url(site, "aid-convoy"), site.url("/moved")]
            body = gzip.compress(_urlset(urls).encode())
            self._send(200, body, "application/x-gzip")
        elif path.startswith("/articles/") and Path(path).stem in ARTICLES:
            self._page(PAGES / f"{Path(path).stem}.html")
        elif path == "/private/internal-memo.html":
            self._page(PAGES / "internal-memo.html")
        elif path == "/moved":
            self._redirect(301, _article_url(site, "ceasefire-talks"))
        elif path == "/loop/a":
            self._redirect(302, "/loop/b")
        elif path == "/loop/b":
            self._redirect(302, "/loop/a")
        elif path == "/redirect":
            self._redirect(302, query["to"][0])
        elif path == "/slow":
            site.stopping.wait(SLOW_S)
            self._send(200, b"<html><body>finally</body></html>", "text/html")
        elif path == "/error500":
            self._send(500, b"internal error", "text/plain")
        elif path == "/ratelimited":
            with site.lock:
                first = path not in site.rate_limited_once
                site.rate_limited_once.add(path)
            if first:
                self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
            else:
                self._page(PAGES / "aid-convoy.html")
        elif path == "/ratelimited-long":
            self._send(429, b"come back tomorrow", "text/plain", {"Retry-After": "3600"})
        elif path == "/huge":
            self._stream_huge(declare_length="declare" in query)
        elif path == "/image.png":
            self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
        else:
            self._send(404, b"not found", "text/plain")

    def _page(self, file: Path) -> None:
        body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if_none_match = self.headers.get("If-None-Match")
        since = self.headers.get("If-Modified-Since")
        unchanged = (if_none_match == etag if if_none_match is not None else
                     since is not None and _not_after(LAST_MODIFIED, since))
        if unchanged:
            self._send(304, b"", None, validators)
        else:
            self._send(200, body, "text/html; charset=utf-8", validators)

    def _redirect(self, status: int, location: str) -> None:
        self._send(status, b"", "text/plain", {"Location": location})

    def _send(self, status: int, body: bytes, content_type: str | None,
              extra: dict[str, str] | None = None) -> None:
        self._record(status, len(body))  # before the client can see the answer
        try:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up first (e.g. /slow)

    def _stream_huge(self, declare_length: bool) -> None:
        """HUGE_BYTES of HTML, written in chunks until done or the client hangs up."""
        self._record(200, 0)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if declare_length:
            self.send_header("Content-Length", str(HUGE_BYTES))
        else:
            self.send_header("Connection", "close")  # body ends when the connection does
            self.close_connection = True
        self.end_headers()
        chunk = b"<p>" + b"x" * 65529 + b"</p>"
        sent = 0
        try:
            while sent < HUGE_BYTES and not self.site.stopping.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should
        self._record(200, sent)

    def _record(self, status: int, body_bytes: int) -> None:
        with self.site.lock:
            self.hit.status, self.hit.body_bytes = status, body_bytes


def _not_after(last_modified: str, since: str) -> bool:
    try:
        parse = email.utils.parsedate_to_datetime
        return parse(last_modified) <= parse(since)
    except (TypeError, ValueError):
        return False
