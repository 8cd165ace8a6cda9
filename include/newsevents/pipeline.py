"""The stages wired together over staged Parquet files.

Each ``step_*`` function is one task of the DAGs and one step of ``newsevents run``: it
reads the staged files of the previous step, calls one stage module, and stages its
output under ``<lake>/_staging/<run_id>/``. Steps return small dicts of paths and counts,
which is all that crosses Airflow's XCom. ``step_commit`` writes the date's partitions.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from newsevents import clean, dedupe, events, sources
from newsevents.lake import Lake
from newsevents.schema import Document, Reject, RunSummary
from newsevents.sources import FetchPolicy, FetchState

log = logging.getLogger(__name__)

DEFAULT_WINDOW_DAYS = 7


class Progress:
    """Logs a stage's count and rate every ``every_s`` seconds, and once at the end."""

    def __init__(self, stage: str, every_s: float = 5.0):
        self.stage, self.every_s = stage, every_s
        self.count = 0
        self.started = self._last = time.monotonic()

    def tick(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            self._log(now)

    def done(self) -> None:
        self._log(time.monotonic())

    def _log(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        log.info("%s: %d items, %.1f/s", self.stage, self.count, self.count / elapsed)


def _kept(items: Iterable, rejects: list[Reject], progress: Progress) -> Iterator:
    """The items that are not rejects, counted; the rejects are collected in ``rejects``."""
    for item in items:
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            progress.tick()
            yield item
    progress.done()


# --------------------------------------------------------------------------------------
# steps


def _stage_documents(lake: Lake, run_id: str, name: str, items: Iterable[Document | Reject],
                     extra_rejects: Sequence[Reject] = ()) -> dict:
    """Stage a stream of documents and rejects: the common output of ``load`` and ``fetch``."""
    rejects: list[Reject] = list(extra_rejects)
    progress = Progress(name)
    docs_path = lake.stage(run_id, f"{name}-documents", "documents", _kept(items, rejects, progress))
    rejects_path = lake.stage(run_id, f"{name}-rejects", "rejects", rejects)
    return {"documents": docs_path, "rejects": [rejects_path],
            "n_documents": progress.count, "n_rejects": len(rejects)}


def step_load(lake: Lake, run_id: str, refs: Sequence[str],
              interval: tuple[dt.datetime, dt.datetime] | None = None,
              name: str = "load") -> dict:
    """Load input files into staged documents; unreadable inputs become rejects."""
    items = (item for ref in refs for item in sources.load(ref, interval=interval))
    return _stage_documents(lake, run_id, name, items)


def step_fetch(lake: Lake, run_id: str, day: dt.date, feeds: Sequence[str],
               sitemaps: Sequence[str], urls: Sequence[str], policy: FetchPolicy,
               name: str = "fetch") -> dict:
    """Discover article URLs in feeds and sitemaps, fetch them politely, stage the pages.

    HTTP validators (ETag, Last-Modified) are remembered per date: a run of ``day`` starts
    from the state saved by the latest earlier date, so unchanged pages answer 304 (a
    ``not_modified`` reject) while a re-run of the same date fetches the same pages again
    and rebuilds the same partition.
    """
    earlier = [n for n in lake.state_names()
               if n.startswith("fetch-") and n < f"fetch-{day.isoformat()}"]
    text = lake.read_state(earlier[-1]) if earlier else None
    state = FetchState.from_json(text) if text else FetchState()
    found, discover_rejects = sources.discover_urls(feeds, sitemaps, urls, policy, state)
    log.info("fetch: %d article URLs from %d feeds/sitemaps and %d listed URLs",
             len(found), len(feeds) + len(sitemaps), len(urls))
    staged = _stage_documents(lake, run_id, name, sources.fetch_all(found, policy, state),
                              discover_rejects)
    lake.write_state(f"fetch-{day.isoformat()}", state.to_json())
    return staged


def step_clean(lake: Lake, run_id: str, loaded: dict, name: str = "load") -> dict:
    """Clean staged documents into articles; pages with no article text become rejects."""
    rejects: list[Reject] = []
    cleaned = (clean.clean(doc) for doc in lake.unstage(loaded["documents"], "documents"))
    progress = Progress(f"clean[{name}]")
    articles_path = lake.stage(run_id, f"{name}-articles", "articles",
                               _kept(cleaned, rejects, progress))
    rejects_path = lake.stage(run_id, f"{name}-clean-rejects", "rejects", rejects)
    return {"articles": [articles_path], "rejects": [*loaded["rejects"], rejects_path],
            "n_inputs": loaded["n_documents"] + loaded["n_rejects"]}


def merge_shards(shards: Sequence[dict]) -> dict:
    """Combine the outputs of several ``step_clean`` calls (one per input shard)."""
    return {
        "articles": [p for s in shards for p in s["articles"]],
        "rejects": [p for s in shards for p in s["rejects"]],
        "n_inputs": sum(s["n_inputs"] for s in shards),
    }


def step_dedupe(lake: Lake, run_id: str, day: dt.date, cleaned: dict,
                window_days: int = DEFAULT_WINDOW_DAYS) -> dict:
    """Mark duplicates within the run and against the last ``window_days`` partitions."""
    articles = [a for path in cleaned["articles"] for a in lake.unstage(path, "articles")]
    window = [day - dt.timedelta(days=n) for n in range(window_days, 0, -1)]
    prior_days = [d for d in lake.partitions("signatures") if d in set(window)]
    result = dedupe.dedupe(articles, prior=lake.read_records("signatures", prior_days))
    n_dups = sum(1 for a in result.articles if a.dup_of is not None)
    log.info("dedupe: %d articles, %d duplicates (window %d days, %d prior partitions)",
             len(result.articles), n_dups, window_days, len(prior_days))
    return {
        **cleaned,
        "articles": [lake.stage(run_id, "articles", "articles", result.articles)],
        "signatures": lake.stage(run_id, "signatures", "signatures", result.signatures),
    }


def step_events(lake: Lake, run_id: str, day: dt.date, deduped: dict) -> dict:
    """Code events from the canonical English articles."""
    articles = [a for path in deduped["articles"] for a in lake.unstage(path, "articles")]
    started = time.monotonic()
    coded, mentions = events.extract_events(articles, default_date=day)
    log.info("events: %d events from %d articles in %.1fs", len(coded), len(articles),
             time.monotonic() - started)
    return {
        **deduped,
        "events": lake.stage(run_id, "events", "events", coded),
        "mentions": lake.stage(run_id, "mentions", "mentions", mentions),
    }


def step_commit(lake: Lake, run_id: str, day: dt.date, coded: dict, started_at: dt.datetime) -> dict:
    """Replace the date's partitions of every table with this run's output, then clean up."""
    articles = list(lake.unstage(coded["articles"][0], "articles"))
    rejects = [r for path in coded["rejects"] for r in lake.unstage(path, "rejects")]
    event_rows = list(lake.unstage(coded["events"], "events"))
    summary = RunSummary(
        run_id=run_id,
        inputs=coded["n_inputs"],
        kept=sum(1 for a in articles if a.dup_of is None),
        duplicates=sum(1 for a in articles if a.dup_of is not None),
        rejected=len(rejects),
        events=len(event_rows),
        elapsed_s=round((dt.datetime.now(dt.timezone.utc) - started_at).total_seconds(), 3),
        started_at=started_at,
        rejects_by_reason=json.dumps(dict(sorted(Counter(r.reason for r in rejects).items()))),
    )
    if summary.inputs != summary.kept + summary.duplicates + summary.rejected:
        raise RuntimeError(f"inputs are not all accounted for: {summary}")
    written = {
        "articles": lake.write_records("articles", day, articles),
        "events": lake.write_records("events", day, event_rows),
        "mentions": lake.write_records("mentions", day, lake.unstage(coded["mentions"], "mentions")),
        "rejects": lake.write_records("rejects", day, rejects),
        "signatures": lake.write_records("signatures", day,
                                         lake.unstage(coded["signatures"], "signatures")),
        "runs": lake.write_records("runs", day, [summary]),
    }
    lake.clear_staging(run_id)
    return {"summary": summary.__dict__ | {"started_at": started_at.isoformat()},
            "partitions": {t: lake.display_path(p) for t, p in written.items()}}


# --------------------------------------------------------------------------------------
# the whole pipeline in one process (the CLI's ``run``)


def run_pipeline(inputs: Sequence[str], lake: Lake, day: dt.date, run_id: str | None = None,
                 window_days: int = DEFAULT_WINDOW_DAYS, feeds: Sequence[str] = (),
                 sitemaps: Sequence[str] = (), urls: Sequence[str] = (),
                 policy: FetchPolicy | None = None) -> dict:
    """Discover, load or fetch, clean, dedupe, code and commit: the same steps the DAG runs."""
    started_at = dt.datetime.now(dt.timezone.utc)
    run_id = run_id or f"cli__{day.isoformat()}__{started_at:%Y%m%dT%H%M%S%f}"
    refs = list(dict.fromkeys(ref for source in inputs for ref in sources.discover(source)))
    shards = [step_clean(lake, run_id, step_load(lake, run_id, refs, name="files"), name="files")]
    if feeds or sitemaps or urls:
        fetched = step_fetch(lake, run_id, day, feeds, sitemaps, urls, policy or FetchPolicy(),
                             name="web")
        shards.append(step_clean(lake, run_id, fetched, name="web"))
    deduped = step_dedupe(lake, run_id, day, merge_shards(shards), window_days)
    coded = step_events(lake, run_id, day, deduped)
    return step_commit(lake, run_id, day, coded, started_at)
