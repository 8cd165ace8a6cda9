"""news_events: articles from folders, feeds, sitemaps and URL lists → events in the lake.

One run owns one date partition (``dt=<data interval start>``; manual runs: the ``date``
Param, else the run's ``run_after``). Tasks pass only paths of staged Parquet files.

    discover → load (files) ┐
             fetch (web)   ┴→ clean → dedupe → extract_events[files, web] → write_lake → summary

Scheduled and backfill runs read their sources from include/sources.yaml; manual runs
from the trigger form (``source`` folder/glob, ``feeds``, ``sitemaps``, ``urls``).
Fetch tasks run in the ``newsevents_fetch`` pool, which bounds crawling across all runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from newsevents_airflow import (
    DEFAULT_ARGS,
    DEFAULT_SOURCE,
    FETCH_POOL,
    date_param,
    lake_param,
    open_lake,
    plan_from_context,
    url_list_param,
    window_param,
)
from newsevents_airflow.tasks import PlanDict, ShardDict, dedupe_code_and_write


@dag(
    dag_id="news_events",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),  # archives go back years; catchup is off
    catchup=False,
    max_active_runs=4,
    default_args=DEFAULT_ARGS,
    tags=["newsevents"],
    doc_md=__doc__,
    params={
        "source": Param(DEFAULT_SOURCE, type=["null", "string"], title="Source",
                        description="Folder, file or glob of articles (.txt, .html, .jsonl, WARC); "
                                    "empty for none"),
        "feeds": url_list_param("Feeds", "RSS/Atom feed URLs whose articles are fetched"),
        "sitemaps": url_list_param("Sitemaps", "Sitemap (or sitemap index) URLs"),
        "urls": url_list_param("URLs", "Article URLs, one per line"),
        "date": date_param(),
        "lake": lake_param(),
        "window_days": window_param(),
    },
)
def news_events() -> None:
    @task
    def discover() -> PlanDict:
        """Validate the run's settings (lake root, every URL's address) and list its inputs."""
        return plan_from_context(get_current_context()).to_dict()

    @task
    def load(run: PlanDict) -> dict:
        from newsevents.pipeline import step_load
        from newsevents.plan import RunPlan
        from newsevents_airflow.lineage import report_inputs

        plan = RunPlan.from_dict(run)
        report_inputs(plan.refs)
        return step_load(open_lake(plan.lake), plan.run_id, plan.inputs, name="files").to_dict()

    @task(pool=FETCH_POOL)
    def fetch(run: PlanDict) -> dict:
        from newsevents.config import fetch_policy_from_env
        from newsevents.pipeline import step_fetch
        from newsevents.plan import RunPlan
        from newsevents_airflow.lineage import report_inputs

        plan = RunPlan.from_dict(run)
        report_inputs([*plan.feeds, *plan.sitemaps, *plan.urls])
        return step_fetch(open_lake(plan.lake), plan.run_id, plan.day, plan.feeds, plan.sitemaps,
                          plan.urls, policy=fetch_policy_from_env(), name="web").to_dict()

    @task
    def clean(run: PlanDict, loaded: dict, fetched: dict) -> list[ShardDict]:
        from newsevents.pipeline import step_clean
        from newsevents.plan import Loaded, RunPlan

        plan = RunPlan.from_dict(run)
        lake = open_lake(plan.lake)
        return [step_clean(lake, plan.run_id, Loaded.from_dict(loaded), name="files").to_dict(),
                step_clean(lake, plan.run_id, Loaded.from_dict(fetched), name="web").to_dict()]

    run: Any = discover()
    loaded: Any = load(run)
    fetched: Any = fetch(run)
    dedupe_code_and_write(run, clean(run, loaded, fetched))


news_events()
