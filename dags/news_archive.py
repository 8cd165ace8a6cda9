"""news_archive: WARC archives (e.g. Common Crawl News) of one data interval → the lake.

Each run owns the date of its data interval: it lists the archive files of that interval
(by the timestamp in their names, e.g. ``CC-NEWS-20240101093102-00001.warc.gz``, else by
each record's WARC-Date), loads and cleans one file per mapped task, dedupes across all of
them, codes the events of each file in another mapped task, then merges the events and
replaces the date's partitions. Backfill a range with::

    airflow backfill create --dag-id news_archive --from-date 2024-01-01 --to-date 2024-01-03

Runs for different dates touch different partitions, so they may run in parallel, and a
re-run of a date replaces exactly that date.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from newsevents_airflow import (
    DEFAULT_ARGS,
    PROJECT_DIR,
    lake_param,
    open_lake,
    safe_run_id,
    window_param,
)
from newsevents_airflow.tasks import dedupe_code_and_write


@dag(
    dag_id="news_archive",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),  # archives go back years; catchup is off
    catchup=False,
    max_active_runs=3,
    max_active_tasks=8,
    default_args=DEFAULT_ARGS,
    tags=["newsevents", "backfill"],
    doc_md=__doc__,
    params={
        "archives": Param(str(PROJECT_DIR / "data" / "archives"), type="string", minLength=1,
                          title="Archives", description="Folder, glob or s3:// prefix of WARC files"),
        "lake": lake_param(),
        "window_days": window_param(),
    },
)
def news_archive():
    @task
    def plan() -> dict:
        """Validate the run's settings and fix its interval (a manual run: one day)."""
        context = get_current_context()
        start, end = context["data_interval_start"], context["data_interval_end"]
        if start is None or start == end:
            start = context["dag_run"].run_after.replace(hour=0, minute=0, second=0, microsecond=0)
            end = start + dt.timedelta(days=1)
        lake = open_lake(context["params"]["lake"])
        return {"lake": lake.uri, "date": start.date().isoformat(),
                "archives": context["params"]["archives"],
                "interval": [start.isoformat(), end.isoformat()],
                "run_id": safe_run_id(context["dag_run"].run_id),
                "started_at": dt.datetime.now(dt.UTC).isoformat()}

    @task
    def list_shards(run: dict) -> list[str]:
        """The archive files of this run's interval: one shard each."""
        from newsevents import sources

        start, end = (dt.datetime.fromisoformat(t) for t in run["interval"])
        return sources.archive_files_for_interval(run["archives"], start, end)

    @task(max_active_tis_per_dag=4)
    def process_shard(run: dict, shard: str) -> dict:
        """Load and clean one archive file (records outside the interval are skipped)."""
        from newsevents.pipeline import step_clean, step_load
        from newsevents_airflow.lineage import report_inputs

        report_inputs([shard])
        name = f"shard-{get_current_context()['ti'].map_index:05d}"
        lake = open_lake(run["lake"])
        interval = tuple(dt.datetime.fromisoformat(t) for t in run["interval"])
        loaded = step_load(lake, run["run_id"], [shard], interval=interval, name=name)
        return step_clean(lake, run["run_id"], loaded, name=name)

    run = plan()
    shards = process_shard.partial(run=run).expand(shard=list_shards(run))
    dedupe_code_and_write(run, shards)


news_archive()
