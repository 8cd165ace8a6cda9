"""Web sources against a local misbehaving news site (tests/webserver.py) on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import socket
import time
from pathlib import Path

import httpx
import pytest
from webserver import HUGE_BYTES, LAST_MODIFIED, PAGES, serve

from newsevents.schema import Document, Reject, stable_id
from newsevents.sources import netguard
from newsevents.sources.netguard import GuardedTransport, URLRefused, validate_url
from newsevents.sources.web import FetchPolicy, FetchState, discover_urls, fetch_all

pytestmark = pytest.mark.timeout(60)  # a hung fetch fails the test instead of the suite

# Small timeouts and back-off keep the suite fast; only the test server's address is allowed.
POLICY = FetchPolicy(
    user_agent="newsevents-test/1.0 (+https://example.org/newsevents)",
    timeout_s=1.0,
    deadline_s=5.0,
    max_bytes=256 * 1024,
    max_redirects=3,
    max_retries=2,
    backoff_base_s=0.01,
    backoff_max_s=0.05,
    max_retry_after_s=2.0,
    per_domain_delay_s=0.0,
    max_workers=4,
    allowed_networks=("127.0.0.1/32",),
)
ARTICLES = ["/articles/protest-capital.html", "/articles/ceasefire-talks.html",
            "/articles/aid-convoy.html"]


@pytest.fixture
def site():
    with serve() as running:
        yield running


def fetch(urls: list[str], state: FetchState | None = None, policy: FetchPolicy = POLICY):
    return list(fetch_all(urls, policy, state or FetchState()))


# -- SSRF guard ------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "reason", "words"), [
    ("file:///etc/passwd", "invalid_url", "only http and https"),
    ("ftp://example.org/feed.xml", "invalid_url", "only http and https"),
    ("http://user:secret@example.org/", "invalid_url", "credentials"),
    ("http://127.0.0.1/", "blocked_address", "loopback"),
    ("http://10.0.0.1/", "blocked_address", "private"),
    ("http://169.254.169.254/latest/meta-data/", "blocked_address", "link-local"),
    ("http://[::1]/", "blocked_address", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "blocked_address", "loopback"),
    ("http://2130706433/", "blocked_address", "loopback"),  # 127.0.0.1 as one number
    ("http://localhost:8080/", "blocked_address", "loopback"),
])
def test_validate_url_refuses_what_is_not_public_http(url, reason, words):
    with pytest.raises(URLRefused) as refused:
        validate_url(url, FetchPolicy())
    assert refused.value.reason == reason
    assert words in str(refused.value)
    assert isinstance(refused.value, ValueError)  # what DAG Param validation catches


def test_validate_url_accepts_allow_listed_network_and_drops_fragment():
    assert validate_url(" http://127.0.0.1:8080/a?b=1#top ", POLICY) == "http://127.0.0.1:8080/a?b=1"
    with pytest.raises(URLRefused, match="private"):
        validate_url("http://10.1.2.3/", POLICY)  # the allow-list opens only what it names


def test_policy_rejects_bad_allow_list():
    with pytest.raises(ValueError, match="allowed_networks"):
        FetchPolicy(allowed_networks=("10.0.0.0/33",))


def test_unsafe_inputs_become_rejects_without_any_connection(site):
    results = fetch(["http://10.0.0.1/", "file:///etc/passwd", "http://169.254.169.254/"])
    assert [(r.stage, r.reason) for r in results] == [
        ("fetch", "blocked_address"), ("fetch", "invalid_url"), ("fetch", "blocked_address")]


def test_redirect_to_private_address_is_refused(site):
    results = fetch([site.url("/redirect?to=http://10.0.0.1/admin"),
                     site.url("/redirect?to=http://169.254.169.254/latest/meta-data/")])
    assert [r.reason for r in results] == ["blocked_address", "blocked_address"]


def test_connections_are_checked_when_they_are_made(site, monkeypatch):
    """DNS rebinding: the name looks public when checked, then points at loopback."""
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34", "127.0.0.1"])

    def rebinding(host, port, *args, **kwargs):
        if host != "news.rebind.test":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", rebinding)
    port = httpx.URL(site.base).port
    url = f"http://news.rebind.test:{port}/robots.txt"
    validate_url(url, FetchPolicy())  # first answer: public
    transport = GuardedTransport(FetchPolicy(), max_connections=1)
    with httpx.Client(transport=transport) as client, pytest.raises(URLRefused, match="loopback"):
        client.get(url)  # second answer: loopback, refused at connect
    assert site.hits() == []


# -- discovery -------------------------------------------------------------------------------

def test_rss_feed_discovery_resolves_relative_links(site):
    urls, rejects = discover_urls([site.url("/feed.xml")], [], [], POLICY, FetchState())
    assert urls == [site.url(p) for p in [*ARTICLES, "/private/internal-memo.html"]]
    assert rejects == []


def test_atom_feed_gives_the_alternate_link_of_each_entry(site):
    urls, _ = discover_urls([site.url("/atom.xml")], [], [], POLICY, FetchState())
    assert urls == [site.url(p) for p in ARTICLES]


def test_sitemap_index_is_followed_into_gzipped_sitemaps(site):
    urls, rejects = discover_urls([], [site.url("/sitemap_index.xml")], [], POLICY, FetchState())
    assert urls == [site.url(p) for p in [*ARTICLES, "/moved"]]
    assert rejects == []
    assert len(site.hits("/sitemap-news.xml.gz")) == 1


def test_feeds_and_sitemaps_are_told_apart_by_content(site):
    swapped, _ = discover_urls([site.url("/sitemap.xml")], [site.url("/atom.xml")], [], POLICY,
                               FetchState())
    assert swapped == [site.url(p) for p in ARTICLES]


def test_discovery_failures_are_rejects_with_reasons(site):
    urls, rejects = discover_urls(
        [site.url("/articles/aid-convoy.html"), site.url("/error500"), site.url("/missing")],
        [site.url("/sitemap.xml")],
        [site.url("/moved"), "ftp://example.org/x", site.url("/moved")],
        POLICY, FetchState())
    assert urls == [site.url("/moved"), *[site.url(p) for p in ARTICLES]]
    assert [(r.source, r.stage, r.reason) for r in rejects] == [
        ("ftp://example.org/x", "discover", "invalid_url"),
        (site.url("/articles/aid-convoy.html"), "discover", "unknown_format"),
        (site.url("/error500"), "discover", "http_500"),
        (site.url("/missing"), "discover", "http_404"),
    ]


# -- fetching --------------------------------------------------------------------------------

def test_feed_run_fetches_articles_and_obeys_robots(site):
    state = FetchState()
    urls, _ = discover_urls([site.url("/feed.xml")], [], [], POLICY, state)
    results = fetch(urls, state)

    docs = [r for r in results if isinstance(r, Document)]
    assert [d.source for d in docs] == [site.url(p) for p in ARTICLES]
    for doc, path in zip(docs, ARTICLES, strict=True):
        assert doc.body == (PAGES / Path(path).name).read_bytes()
        assert (doc.doc_id, doc.fmt, doc.url, doc.charset) == (stable_id(doc.source), "html",
                                                               doc.source, "utf-8")
        assert doc.fetched_at.tzinfo is dt.timezone.utc
    assert results[-1] == Reject(site.url("/private/internal-memo.html"), "fetch",
                                 "robots_disallowed", results[-1].detail)
    assert site.hits("/private/internal-memo.html") == []
    assert len(site.hits("/robots.txt")) == 1  # once per host per run, discovery included
    assert all(h.headers["user-agent"] == POLICY.user_agent for h in site.hits())


def test_redirects_are_followed_and_documents_name_both_urls(site):
    (doc,) = fetch([site.url("/moved")])
    assert doc.source == site.url("/moved")
    assert doc.url == site.url("/articles/ceasefire-talks.html")


@pytest.mark.parametrize(("path", "reason", "requests"), [
    ("/slow", "timeout", 1),
    ("/error500", "http_500", 1 + POLICY.max_retries),
    ("/ratelimited-long", "rate_limited", 1),  # Retry-After beyond the cap: no waiting
    ("/loop/a", "too_many_redirects", 2),
    ("/huge", "too_large", 1),
    ("/huge?declare=1", "too_large", 1),
    ("/missing", "http_404", 1),  # client errors are not retried
    ("/image.png", "unsupported_type", 1),
])
def test_each_failure_mode_ends_as_a_reject(site, path, reason, requests):
    started = time.monotonic()
    (result,) = fetch([site.url(path)])
    assert isinstance(result, Reject)
    assert (result.source, result.stage, result.reason) == (site.url(path), "fetch", reason)
    assert result.detail
    asked = ("/loop/a", "/loop/b") if path == "/loop/a" else (path,)
    assert len([h for h in site.hits() if h.path in asked]) == requests
    assert time.monotonic() - started < POLICY.deadline_s


def test_too_large_body_is_not_read_to_the_end(site):
    (result,) = fetch([site.url("/huge")])
    assert result.reason == "too_large"
    assert str(POLICY.max_bytes) in result.detail and POLICY.max_bytes < HUGE_BYTES


def test_429_waits_for_retry_after_then_fetches(site):
    (doc,) = fetch([site.url("/ratelimited")])
    assert isinstance(doc, Document)
    first, second = site.hits("/ratelimited")
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 1.0  # Retry-After: 1


def test_all_failures_in_one_run_keep_input_order(site):
    paths = ["/slow", ARTICLES[0], "/error500", "/loop/a", ARTICLES[1], "/huge", "/missing"]
    results = fetch([site.url(p) for p in paths])
    assert [r.source for r in results] == [site.url(p) for p in paths]
    assert [getattr(r, "reason", "ok") for r in results] == [
        "timeout", "ok", "http_500", "too_many_redirects", "ok", "too_large", "http_404"]


def test_duplicate_inputs_are_fetched_once(site):
    results = fetch([site.url(ARTICLES[0]), site.url(ARTICLES[0])])
    assert len(results) == 1 and len(site.hits(ARTICLES[0])) == 1


def test_stopping_early_wakes_workers_waiting_for_their_turn():
    patient = dataclasses.replace(POLICY, max_crawl_delay_s=10.0, per_domain_concurrency=1)
    with serve(crawl_delay=10) as slow_site:
        results = fetch_all([slow_site.url(p) for p in ARTICLES], patient, FetchState())
        assert isinstance(next(results), Document)
        started = time.monotonic()
        results.close()
        assert time.monotonic() - started < 2.0  # the host's next turn is 10 s away
        assert len(slow_site.hits()) == 2  # robots.txt and the first article


# -- politeness ------------------------------------------------------------------------------

def test_crawl_delay_spaces_requests_to_a_host():
    with serve(crawl_delay=0.3) as slow_site:
        fetch([slow_site.url(p) for p in ARTICLES])
        starts = sorted(h.at for h in slow_site.hits() if h.path in ARTICLES)
    assert len(starts) == 3
    assert all(b - a >= 0.25 for a, b in zip(starts, starts[1:], strict=False))  # 0.3 s asked


def test_crawl_delay_is_capped_by_policy():
    capped = dataclasses.replace(POLICY, max_crawl_delay_s=0.05)
    with serve(crawl_delay=30) as slow_site:
        started = time.monotonic()
        results = fetch([slow_site.url(p) for p in ARTICLES], policy=capped)
    assert all(isinstance(r, Document) for r in results)
    assert time.monotonic() - started < 3.0


def test_robots_txt_404_allows_everything():
    with serve(robots_status=404) as open_site:
        (doc,) = fetch([open_site.url("/private/internal-memo.html")])
    assert isinstance(doc, Document)


def test_robots_txt_server_error_disallows_everything():
    with serve(robots_status=503) as broken:
        results = fetch([broken.url(p) for p in ARTICLES])
        assert {r.reason for r in results} == {"robots_disallowed"}
        assert [h.path for h in broken.hits()] == ["/robots.txt"] * (1 + POLICY.max_retries)


# -- state between runs ----------------------------------------------------------------------

def test_second_run_of_unchanged_pages_transfers_no_bodies(site, tmp_path):
    path = tmp_path / "_state" / "fetch.json"
    urls = [site.url(p) for p in ARTICLES]
    state = FetchState.load(path)  # no file yet: empty
    assert all(isinstance(r, Document) for r in fetch(urls, state))
    state.save(path)
    site.clear()

    second = fetch(urls, FetchState.load(path))

    assert [(r.source, r.stage, r.reason) for r in second] == [
        (url, "fetch", "not_modified") for url in urls]
    hits = site.hits()  # robots.txt is not among them: its rules were saved too
    assert sorted((h.path, h.status, h.body_bytes) for h in hits) == sorted(
        (p, 304, 0) for p in ARTICLES)  # two workers per host: any order
    assert all(h.headers["if-none-match"].startswith('"') for h in hits)
    assert all("if-modified-since" in h.headers for h in hits)


def test_state_is_saved_only_when_asked_and_atomically(site, tmp_path):
    path = tmp_path / "fetch.json"
    state = FetchState()
    fetch([site.url(ARTICLES[0])], state)
    assert not path.exists()  # the caller saves once its documents are stored
    state.save(path)
    state.save(path)  # replaces the file, leaves no temporary files
    assert [p.name for p in tmp_path.iterdir()] == ["fetch.json"]
    saved = json.loads(path.read_text())
    assert saved["validators"][site.url(ARTICLES[0])]["last_modified"] == LAST_MODIFIED
    assert list(saved["robots"]) == [site.base]


def test_unreachable_robots_verdict_is_not_saved(tmp_path):
    with serve(robots_status=500) as broken:
        state = FetchState()
        fetch([broken.url(ARTICLES[0])], state)
    state.save(tmp_path / "fetch.json")
    assert FetchState.load(tmp_path / "fetch.json").robots(broken.base) is None
