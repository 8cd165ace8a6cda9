"""Keeping the lake small and tidy: compact, vacuum, and clear what crashed runs staged.

All three are safe while runs commit:

- **Compaction** rewrites the small files of recently written dates into fewer files
  with the same rows (``DeltaTable.optimize.compact``, one date at a time). If a run
  replaces that date meanwhile, one of the two commits conflicts: a compaction that
  loses skips the date (the run's rows stand), a run that loses starts its commit again.
- **Vacuum** deletes files that no version newer than ``retention`` ago needs: files a
  later commit removed, and files no commit ever added (those of a killed run). A commit
  under way writes its files just before committing them, so they are far younger than
  the retention, which may not be shorter than ``MIN_RETENTION``. The price: ``--as-of``
  can no longer read versions older than the retention.
- **Staging**: ``_staging/<run>`` folders of runs that are no longer running. Whether a
  run still runs is the caller's knowledge (the Airflow glue asks Airflow); a folder of a
  run nobody knows is deleted once its newest file is older than ``staging_max_age``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from deltalake import CommitProperties
from deltalake.exceptions import CommitFailedError

from newsevents.lake import META_DATE, Lake
from newsevents.schema import PARTITION_COLUMN, TABLES

log = logging.getLogger(__name__)

MIN_RETENTION = dt.timedelta(hours=1)
DEFAULT_RETENTION = dt.timedelta(days=7)
DEFAULT_RECENT = dt.timedelta(days=7)
DEFAULT_STAGING_MAX_AGE = dt.timedelta(days=2)
# A staged run is running (True), finished (False), or unknown to the caller (None).
RunState = Callable[[str], bool | None]


@dataclass(frozen=True)
class Compaction:
    """One date of one table whose files were rewritten."""

    table: str
    day: str
    files_removed: int
    files_added: int


@dataclass
class MaintenanceReport:
    compacted: list[Compaction] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "table dt=…": a run committed it meanwhile
    vacuumed: dict[str, int] = field(default_factory=dict)  # table -> files deleted
    staging_removed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"compacted: {len(self.compacted)} dates "
            f"({sum(c.files_removed for c in self.compacted)} files into "
            f"{sum(c.files_added for c in self.compacted)})",
            *[f"  {c.table} {PARTITION_COLUMN}={c.day}: {c.files_removed} -> {c.files_added}"
              for c in self.compacted],
            *[f"  skipped {s}: committed by a run meanwhile" for s in self.skipped],
            f"vacuumed: {sum(self.vacuumed.values())} files "
            f"({', '.join(f'{t} {n}' for t, n in self.vacuumed.items() if n) or 'none'})",
            f"staging removed: {len(self.staging_removed)} "
            f"({', '.join(self.staging_removed) or 'none'})",
        ]


def recent_days(lake: Lake, table: str, since: dt.datetime) -> list[str]:
    """The dates of ``table`` that commits since ``since`` wrote, oldest first."""
    days = set()
    for commit in lake.history(table):
        if commit.committed_at < since:
            break
        if commit.day:
            days.add(commit.day)
    return sorted(days)


def compact(lake: Lake, since: dt.datetime, report: MaintenanceReport) -> None:
    """Compact the small files of every date written since ``since``, date by date."""
    for table in TABLES:
        delta = lake.delta_table(table)
        for day in recent_days(lake, table, since) if delta else []:
            assert delta is not None
            try:
                metrics = delta.optimize.compact(
                    partition_filters=[(PARTITION_COLUMN, "=", day)],
                    commit_properties=CommitProperties(custom_metadata={META_DATE: day}))
            except CommitFailedError:
                report.skipped.append(f"{table} {PARTITION_COLUMN}={day}")
                delta = lake.delta_table(table)  # the run's commit is the new start
                continue
            if metrics["numFilesRemoved"]:
                report.compacted.append(Compaction(table, day, metrics["numFilesRemoved"],
                                                   metrics["numFilesAdded"]))


def vacuum(lake: Lake, retention: dt.timedelta, report: MaintenanceReport) -> None:
    """Delete the files no version of the last ``retention`` needs, in every table."""
    if retention < MIN_RETENTION:
        raise ValueError(f"retention {retention} is shorter than {MIN_RETENTION}: files of a "
                         "commit under way could be deleted")
    hours = max(1, int(retention.total_seconds() // 3600))
    for table in TABLES:
        delta = lake.delta_table(table)
        if delta is None:
            continue
        # full=True: also files no commit names (a killed run's), not only removed ones;
        # the table's own 7-day minimum is ours to lift, as MIN_RETENTION keeps it safe.
        deleted = delta.vacuum(retention_hours=hours, dry_run=False,
                               enforce_retention_duration=False, full=True)
        report.vacuumed[table] = len(deleted)


def clear_staging(lake: Lake, now: dt.datetime, max_age: dt.timedelta, running: RunState,
                  report: MaintenanceReport) -> None:
    """Delete ``_staging/<run>`` folders of finished runs, and of unknown ones past ``max_age``."""
    for name, newest in sorted(lake.staged_runs().items()):
        state = running(name)
        if state is True or (state is None and now - newest < max_age):
            continue
        lake.clear_staging(name)
        report.staging_removed.append(name)
        log.info("removed the staging folder of run %s (last written %s)", name, newest)


def maintain(lake: Lake, now: dt.datetime | None = None, recent: dt.timedelta = DEFAULT_RECENT,
             retention: dt.timedelta = DEFAULT_RETENTION,
             staging_max_age: dt.timedelta = DEFAULT_STAGING_MAX_AGE,
             running: RunState = lambda name: None) -> MaintenanceReport:
    """Compaction, vacuum and staging clean-up in one go (``newsevents maintain``)."""
    now = now or dt.datetime.now(dt.UTC)
    report = MaintenanceReport()
    compact(lake, now - recent, report)
    vacuum(lake, retention, report)
    clear_staging(lake, now, staging_max_age, running, report)
    return report
