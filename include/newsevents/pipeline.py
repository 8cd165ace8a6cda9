"""The stages wired together over staged Parquet files.

Each ``step_*`` function is one task of the DAGs and one step of ``newsevents run``: it
reads the staged files of the previous step, calls one stage module, and stages its
output under ``<lake>/_staging/<run_id>/``. Steps return small records of paths and counts
(``newsevents.plan``), which is all that crosses Airflow's XCom. ``step_commit`` writes the
date's partitions.

A run's input is split into *shards* (the files and the web of ``news_events``, one
archive file per shard of ``news_archive``). Every step streams a shard through in
batches, so memory does not grow with the size of a shard's text: ``step_dedupe`` sees
all shards but keeps only compact sketches, ``step_events`` codes one shard (one mapped
task per shard in the DAGs), and ``step_commit`` streams them into the partitions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from more_itertools import chunked

from newsevents import clean, dedupe, events, sources
from newsevents.lake import Lake
from newsevents.plan import Loaded, RunPlan, Shard, plan_run
from newsevents.schema import Article, Document, DupMark, Event, Mention, Reject, RunSummary
from newsevents.settings import DEDUPE_WINDOW_DAYS, EVENTS_BATCH
from newsevents.sources import FetchPolicy, FetchState, InputFile

log = logging.getLogger(__name__)

DEFAULT_WINDOW_DAYS = DEDUPE_WINDOW_DAYS  # the CLI's name for it


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


def _kept(items: Iterable[Any], rejects: list[Reject], progress: Progress) -> Iterator[Any]:
    """The items that are not rejects, counted; the rejects are collected in ``rejects``."""
    for item in items:
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            progress.tick()
            yield item
    progress.done()


def _counted(items: Iterable[Article], progress: Progress) -> Iterator[Article]:
    for item in items:
        progress.tick()
        yield item
    progress.done()


# --------------------------------------------------------------------------------------
# steps


def _stage_documents(lake: Lake, run_id: str, name: str, items: Iterable[Document | Reject],
                     extra_rejects: Sequence[Reject] = ()) -> Loaded:
    """Stage a stream of documents and rejects: the common output of ``load`` and ``fetch``."""
    rejects: list[Reject] = list(extra_rejects)
    progress = Progress(name)
    docs_path = lake.stage(run_id, f"{name}-documents", "documents",
                           _kept(items, rejects, progress))
    rejects_path = lake.stage(run_id, f"{name}-rejects", "rejects", rejects)
    return Loaded(documents=docs_path, rejects=(rejects_path,), n_documents=progress.count,
                  n_rejects=len(rejects))


def step_load(lake: Lake, run_id: str, inputs: Sequence[InputFile],
              interval: tuple[dt.datetime, dt.datetime] | None = None,
              name: str = "load") -> Loaded:
    """Load input files into staged documents; unreadable inputs become rejects."""
    items = (item for i in inputs for item in sources.load(i.ref, interval=interval, key=i.key))
    return _stage_documents(lake, run_id, name, items)


def step_fetch(lake: Lake, run_id: str, day: dt.date, feeds: Sequence[str],
               sitemaps: Sequence[str], urls: Sequence[str], policy: FetchPolicy,
               name: str = "fetch") -> Loaded:
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


def step_clean(lake: Lake, run_id: str, loaded: Loaded, name: str = "load") -> Shard:
    """Clean staged documents into articles; pages with no article text become rejects.

    Returns one *shard*: the unit the later steps stream through, one at a time.
    """
    rejects: list[Reject] = []
    cleaned = (clean.clean(doc) for doc in lake.unstage(loaded.documents, "documents"))
    progress = Progress(f"clean[{name}]")
    articles_path = lake.stage(run_id, f"{name}-articles", "articles",
                               _kept(cleaned, rejects, progress))
    rejects_path = lake.stage(run_id, f"{name}-clean-rejects", "rejects", rejects)
    return Shard(name=name, articles=articles_path, rejects=(*loaded.rejects, rejects_path),
                 n_inputs=loaded.n_documents + loaded.n_rejects)


def _articles(lake: Lake, shards: Sequence[Shard]) -> Iterator[Article]:
    """The staged articles of the shards, one batch in memory at a time."""
    for shard in shards:
        yield from lake.unstage(shard.articles, "articles")


def _marked(lake: Lake, shard: Shard, marks: dict[str, DupMark]) -> Iterator[Article]:
    """A shard's articles with dedupe's marks applied."""
    for article in lake.unstage(shard.articles, "articles"):
        yield marks[article.article_id].applied_to(article)


def _staged(shard: Shard, field: str) -> str:
    """The path a step added to ``shard`` (``marks``, ``events``, ...); a shard that has not
    been through that step is a wiring error, not an empty result."""
    path = getattr(shard, field)
    if path is None:
        raise ValueError(f"shard {shard.name!r} has no {field}: a step before this one is missing")
    return str(path)


def _read_marks(lake: Lake, shard: Shard) -> dict[str, DupMark]:
    return {m.article_id: m for m in lake.unstage(_staged(shard, "marks"), "marks")}


def prior_partitions(lake: Lake, day: dt.date, window_days: int) -> list[dt.date]:
    """The dates of the window before ``day`` that have signatures: what dedupe reads."""
    return [d for d in dedupe.window_dates(day, window_days) if lake.has_partition("signatures", d)]


def step_dedupe(lake: Lake, run_id: str, day: dt.date, shards: Sequence[Shard],
                window_days: int = DEDUPE_WINDOW_DAYS) -> list[Shard]:
    """Mark duplicates within the run and against the last ``window_days`` partitions.

    The articles of all shards are streamed through once; only dedupe's compact sketches
    are held (``dedupe.mark``), so memory grows with the day's article count, not its
    text. The marks are staged once for the day; each shard is returned with their path.
    """
    prior_days = prior_partitions(lake, day, window_days)
    progress = Progress("dedupe")
    marks, signatures = dedupe.mark(
        _counted(_articles(lake, shards), progress),
        prior=lake.read_records("signatures", prior_days),
    )
    n_dups = sum(1 for m in marks if m.dup_of is not None)
    log.info("dedupe: %d articles, %d duplicates (window %d days, %d prior partitions)",
             len(marks), n_dups, window_days, len(prior_days))
    marks_path = lake.stage(run_id, "marks", "marks", marks)
    signatures_path = lake.stage(run_id, "signatures", "signatures", signatures)
    return [dataclasses.replace(shard, marks=marks_path, signatures=signatures_path)
            for shard in shards]


def step_events(lake: Lake, run_id: str, day: dt.date, shard: Shard,
                batch_size: int = EVENTS_BATCH) -> Shard:
    """Code the events of one shard's canonical English articles, batch by batch.

    Events are staged as coded, not yet merged: an article's events depend on it alone,
    so shards can be coded on different workers and merged once, at commit.
    """
    marks = _read_marks(lake, shard)
    progress = Progress(f"events[{shard.name}]")
    events_out: list[Event] = []
    mentions_out: list[Mention] = []
    skipped: Counter[str] = Counter()
    batches = chunked(_marked(lake, shard, marks), batch_size)
    for batch in batches:
        coded = events.code_articles(batch, default_date=day)
        events_out += coded.events
        mentions_out += coded.mentions
        skipped.update(coded.skipped)
        progress.tick(len(batch))
    progress.done()
    log.info("events[%s]: %d events coded; not coded: %s", shard.name, len(events_out),
             dict(skipped))
    return dataclasses.replace(
        shard,
        events=lake.stage(run_id, f"{shard.name}-events", "events", events_out),
        mentions=lake.stage(run_id, f"{shard.name}-mentions", "mentions", mentions_out),
    )


def step_commit(lake: Lake, run_id: str, day: dt.date, coded: Sequence[Shard],
                started_at: dt.datetime) -> dict[str, Any]:
    """Replace the date in every table with this run's output, then clean up.

    Articles and signatures are streamed from the staged files to the tables; the events
    of all shards are merged here (``events.consolidate``), so an event reported in
    several shards is one event. ``Lake.commit_date`` commits one table after another and
    the ``runs`` row last, with the versions of the others.
    """
    marks = _read_marks(lake, coded[0]) if coded else {}
    rejects = [r for shard in coded for path in shard.rejects
               for r in lake.unstage(path, "rejects")]
    coded_events = [e for shard in coded for e in lake.unstage(_staged(shard, "events"), "events")]
    coded_mentions = [m for shard in coded
                      for m in lake.unstage(_staged(shard, "mentions"), "mentions")]
    reporters = events.article_sources(a for shard in coded for a in _marked(lake, shard, marks))
    event_rows, mention_rows = events.consolidate(coded_events, coded_mentions, reporters)
    n_dups = sum(1 for m in marks.values() if m.dup_of is not None)
    counts = {"inputs": sum(shard.n_inputs for shard in coded), "kept": len(marks) - n_dups,
              "duplicates": n_dups, "rejected": len(rejects), "events": len(event_rows)}
    if counts["inputs"] != counts["kept"] + counts["duplicates"] + counts["rejected"]:
        raise RuntimeError(f"inputs are not all accounted for: {counts}")
    summaries: list[RunSummary] = []

    def runs_row(versions: dict[str, int]) -> RunSummary:
        summaries.append(RunSummary(
            run_id=run_id, **counts,
            elapsed_s=round((dt.datetime.now(dt.UTC) - started_at).total_seconds(), 3),
            started_at=started_at,
            rejects_by_reason=json.dumps(dict(sorted(Counter(r.reason for r in rejects).items()))),
            table_versions=json.dumps(versions, sort_keys=True),
        ))
        return summaries[-1]

    data: dict[str, Callable[[], Iterable[object]]] = {
        "articles": lambda: (a for shard in coded for a in _marked(lake, shard, marks)),
        "events": lambda: event_rows,
        "mentions": lambda: mention_rows,
        "rejects": lambda: rejects,
        "signatures": lambda: (lake.unstage(_staged(coded[0], "signatures"), "signatures")
                               if coded else ()),
    }
    versions = lake.commit_date(day, run_id, data, runs_row)
    lake.clear_staging(run_id)
    return {"summary": summaries[-1].__dict__ | {"started_at": started_at.isoformat()},
            "versions": versions,
            "partitions": {t: lake.display_path(lake.partition_dir(t, day)) for t in versions}}


# --------------------------------------------------------------------------------------
# the whole pipeline in one process (the CLI's ``run``)


def run_pipeline(inputs: Sequence[str], lake: Lake, day: dt.date, run_id: str | None = None,
                 window_days: int = DEDUPE_WINDOW_DAYS, feeds: Sequence[str] = (),
                 sitemaps: Sequence[str] = (), urls: Sequence[str] = (),
                 policy: FetchPolicy | None = None) -> dict[str, Any]:
    """Discover, load or fetch, clean, dedupe, code and commit: the same steps the DAG runs."""
    started_at = dt.datetime.now(dt.UTC)
    run_id = run_id or f"cli__{day.isoformat()}__{started_at:%Y%m%dT%H%M%S%f}"
    plan = plan_run(lake.uri, day, run_id, window_days=window_days, folders=inputs,
                    feeds=feeds, sitemaps=sitemaps, urls=urls, started_at=started_at)
    return run_plan(lake, plan, policy or FetchPolicy())


def run_plan(lake: Lake, plan: RunPlan, policy: FetchPolicy) -> dict[str, Any]:
    """Every step of a plan in this process, in the order the DAGs run them."""
    run_id, day = plan.run_id, plan.day
    shards = [step_clean(lake, run_id, step_load(lake, run_id, plan.inputs, plan.interval,
                                                 name="files"), name="files")]
    if plan.has_web:
        fetched = step_fetch(lake, run_id, day, plan.feeds, plan.sitemaps, plan.urls, policy,
                             name="web")
        shards.append(step_clean(lake, run_id, fetched, name="web"))
    deduped = step_dedupe(lake, run_id, day, shards, plan.window_days)
    coded = [step_events(lake, run_id, day, shard) for shard in deduped]
    return step_commit(lake, run_id, day, coded, plan.started_at)
