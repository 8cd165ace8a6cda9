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

import dataclasses
import datetime as dt
from typing import Any

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from newsevents_airflow import (
    DEFAULT_ARGS,
    PROJECT_DIR,
    lake_param,
    open_lake,
    plan_from_context,
    window_param,
)
from newsevents_airflow.tasks import PlanDict, ShardDict, dedupe_code_and_write


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
                          title="Archives",
                          description="Folder, glob or s3:// prefix of WARC files"),
        "lake": lake_param(),
        "window_days": window_param(),
    },
)
def news_archive() -> None:
    @task
    def plan() -> PlanDict:
        """Validate the run's settings and fix its interval (a manual run: one day)."""
        context = get_current_context()
        return plan_from_context(context, archives=context["params"]["archives"]).to_dict()

    @task
    def list_shards(run: PlanDict) -> list[dict]:
        """The archive files of this run's interval: one shard each."""
        from newsevents import sources
        from newsevents.plan import RunPlan

        planned = RunPlan.from_dict(run)
        assert planned.archives is not None and planned.interval is not None
        found = sources.archive_inputs_for_interval(planned.archives, *planned.interval)
        return [dataclasses.asdict(archive) for archive in found]

    @task(max_active_tis_per_dag=4)
    def process_shard(run: PlanDict, shard: dict) -> ShardDict:
        """Load and clean one archive file (records outside the interval are skipped)."""
        from newsevents.pipeline import step_clean, step_load
        from newsevents.plan import RunPlan
        from newsevents.sources import InputFile
        from newsevents_airflow.lineage import report_inputs

        planned, archive = RunPlan.from_dict(run), InputFile(**shard)
        report_inputs([archive.ref])
        name = f"shard-{get_current_context()['ti'].map_index:05d}"
        lake = open_lake(planned.lake)
        loaded = step_load(lake, planned.run_id, [archive], interval=planned.interval, name=name)
        return step_clean(lake, planned.run_id, loaded, name=name).to_dict()

    run: Any = plan()
    shards = process_shard.partial(run=run).expand(shard=list_shards(run))
    dedupe_code_and_write(run, shards)


news_archive()
