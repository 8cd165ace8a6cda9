"""A run's commit in a process of its own, for the concurrency and crash tests.

    python tests/lake_writer.py LAKE DATE TAG ROWS [--start-at T] [--slow S]
                                [--pause-in TABLE | --die-after S]

commits DATE to every table of LAKE with ROWS rows per table, each row marked with TAG
(in a text field), through ``Lake.commit_date`` as ``step_commit`` does. ``--start-at``
waits for a wall-clock time, so several writers start together; ``--slow`` sleeps S
seconds per batch of each table's rows, so their commits overlap. The writer creates
``<LAKE>/../ready-<TAG>`` when its commit begins; with ``--pause-in TABLE`` it writes half
of TABLE's rows, creates ``<LAKE>/../paused-<TAG>`` and waits to be killed; with
``--die-after S`` it sends itself SIGKILL S seconds into its commit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from newsevents.lake import Lake
from newsevents.schema import Article, Event, Mention, Reject, RunSummary, Signature

BATCH = 50


def records(table: str, tag: str, n: int) -> list[object]:
    """``n`` rows of ``table`` marked with ``tag`` (ids differ between tags)."""
    make: dict[str, Callable[[int], object]] = {
        "articles": lambda i: Article(article_id=f"{tag}-{i}", source=tag, text=f"text {i}"),
        "events": lambda i: Event(event_id=f"{tag}-{i}", article_id=f"{tag}-{i}", sentence=tag),
        "mentions": lambda i: Mention(event_id=f"{tag}-{i}", article_id=f"{tag}-{i}",
                                      sentence_index=i, sentence=tag),
        "rejects": lambda i: Reject(source=f"{tag}-{i}", stage="load", reason="empty",
                                    detail=tag),
        "signatures": lambda i: Signature(article_id=f"{tag}-{i}", text_hash=tag,
                                          canonical_url=None, published=None),
    }
    return [make[table](i) for i in range(n)]


def tag_of(table: str) -> str:
    """The column that carries a row's tag, per table."""
    return {"articles": "source", "events": "sentence", "mentions": "sentence",
            "rejects": "detail", "signatures": "text_hash", "runs": "run_id"}[table]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("lake")
    parser.add_argument("date", type=dt.date.fromisoformat)
    parser.add_argument("tag")
    parser.add_argument("rows", type=int)
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--slow", type=float, default=0.0)
    parser.add_argument("--pause-in")
    parser.add_argument("--die-after", type=float)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    lake = Lake(args.lake)
    paused = Path(args.lake).parent / f"paused-{args.tag}"

    def rows_of(table: str) -> Callable[[], Iterable[object]]:
        def stream() -> Iterator[object]:
            rows = records(table, args.tag, args.rows)
            for start in range(0, len(rows), BATCH):
                if table == args.pause_in and start >= len(rows) // 2:
                    paused.touch()
                    time.sleep(3600)  # until killed
                time.sleep(args.slow)
                yield from rows[start:start + BATCH]
        return stream

    def runs_row(versions: dict[str, int]) -> RunSummary:
        return RunSummary(run_id=args.tag, inputs=args.rows, kept=args.rows, duplicates=0,
                          rejected=0, events=args.rows, elapsed_s=0.0,
                          table_versions=json.dumps(versions))

    time.sleep(max(0.0, args.start_at - time.time()))
    (Path(args.lake).parent / f"ready-{args.tag}").touch()
    if args.die_after is not None:  # SIGKILL, as the OOM killer or a lost machine would
        threading.Timer(args.die_after, os.kill, [os.getpid(), signal.SIGKILL]).start()
    began = time.monotonic()
    tables = ("articles", "events", "mentions", "rejects", "signatures")
    versions = lake.commit_date(args.date, args.tag, {t: rows_of(t) for t in tables}, runs_row)
    print(f"committed {args.tag} in {time.monotonic() - began:.3f} s: {versions}", flush=True)


if __name__ == "__main__":
    main()
