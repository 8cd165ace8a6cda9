"""A feed run end to end against the local test site: fetch, clean, write; then a 304 run."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from test_web import POLICY
from webserver import serve

from newsevents.lake import Lake
from newsevents.pipeline import run_pipeline

pytestmark = pytest.mark.timeout(180)

DAY = dt.date(2016, 1, 12)
BROKEN = ["/slow", "/error500", "/loop/a", "/huge", "/image.png"]


@pytest.fixture(scope="module")
def site():
    with serve() as running:
        yield running


def run(site, lake: Lake, day: dt.date) -> dict:
    return run_pipeline([], lake, day, feeds=[site.url("/feed.xml")],
                        urls=[site.url(p) for p in BROKEN], policy=POLICY)["summary"]


def test_a_feed_run_fetches_cleans_and_writes_its_articles(site, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    summary = run(site, lake, DAY)
    articles = lake.read("articles").to_pylist()
    assert sorted(a["url"].rsplit("/", 1)[-1] for a in articles) == [
        "aid-convoy.html", "ceasefire-talks.html", "protest-capital.html"]
    assert all(a["fetched_at"] is not None and len(a["text"]) > 300 for a in articles)
    # robots.txt disallows /private/: listed in the feed, never requested.
    assert site.hits("/private/internal-memo.html") == []
    reasons = {r["source"].rsplit("/", 1)[-1]: (r["stage"], r["reason"])
               for r in lake.read("rejects").to_pylist()}
    assert reasons["internal-memo.html"] == ("fetch", "robots_disallowed")
    assert reasons["slow"] == ("fetch", "timeout")
    assert reasons["error500"] == ("fetch", "http_500")
    assert reasons["a"] == ("fetch", "too_many_redirects")
    assert reasons["huge"] == ("fetch", "too_large")
    assert summary["inputs"] == summary["kept"] + summary["duplicates"] + summary["rejected"]


def test_the_next_date_gets_304s_and_a_rerun_of_the_same_date_gives_the_same_rows(site, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    run(site, lake, DAY)
    first = sorted(a["article_id"] for a in lake.read("articles", [DAY]).to_pylist())

    site.clear()
    summary = run(site, lake, DAY + dt.timedelta(days=1))
    article_hits = [h for h in site.hits() if h.path.startswith("/articles/")]
    assert article_hits and all(h.status == 304 and h.body_bytes == 0 for h in article_hits)
    assert summary["kept"] == 0
    assert {r["reason"] for r in lake.read("rejects", [DAY + dt.timedelta(days=1)]).to_pylist()
            if r["source"].endswith(".html") and "private" not in r["source"]} == {"not_modified"}

    run(site, lake, DAY)  # a re-run of the first date fetches in full again
    assert sorted(a["article_id"] for a in lake.read("articles", [DAY]).to_pylist()) == first


def test_private_addresses_are_refused_without_an_allow_list(site, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    closed = dataclasses.replace(POLICY, allowed_networks=())
    site.clear()
    summary = run_pipeline([], lake, DAY, urls=[site.url("/articles/aid-convoy.html")],
                           policy=closed)["summary"]
    (reject,) = lake.read("rejects").to_pylist()
    assert reject["reason"] == "blocked_address" and summary["kept"] == 0
    assert site.hits("/articles/aid-convoy.html") == []
