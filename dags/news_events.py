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

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from newsevents_airflow import (
    DEFAULT_ARGS,
    DEFAULT_SOURCE,
    FETCH_POOL,
    date_param,
    lake_param,
    open_lake,
    run_date,
    run_sources,
    safe_run_id,
    url_list_param,
    window_param,
)
from newsevents_airflow.tasks import dedupe_code_and_write


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
def news_events():
    @task
    def discover() -> dict:
        """Validate the run's settings (lake root, every URL's address) and list its inputs."""
        from newsevents import sources

        context = get_current_context()
        params = context["params"]
        day = run_date(params, context)
        lake = open_lake(params["lake"])  # refuses a lake outside the allowed roots
        wanted = run_sources(params, context["dag_run"].run_type)
        refs = list(dict.fromkeys(ref for folder in wanted["folders"]
                                  for ref in sources.discover(folder)))
        return {"lake": lake.uri, "date": day.isoformat(), "refs": refs,
                "web": {k: wanted[k] for k in ("feeds", "sitemaps", "urls")},
                "run_id": safe_run_id(context["dag_run"].run_id),
                "started_at": dt.datetime.now(dt.UTC).isoformat()}

    @task
    def load(run: dict) -> dict:
        from newsevents.pipeline import step_load
        from newsevents_airflow.lineage import report_inputs

        report_inputs(run["refs"])
        return step_load(open_lake(run["lake"]), run["run_id"], run["refs"], name="files")

    @task(pool=FETCH_POOL)
    def fetch(run: dict) -> dict:
        from newsevents.config import fetch_policy_from_env
        from newsevents.pipeline import step_fetch
        from newsevents_airflow.lineage import report_inputs

        report_inputs(url for urls in run["web"].values() for url in urls)  # feeds, sitemaps, URLs
        return step_fetch(open_lake(run["lake"]), run["run_id"], dt.date.fromisoformat(run["date"]),
                          policy=fetch_policy_from_env(), name="web", **run["web"])

    @task
    def clean(run: dict, loaded: dict, fetched: dict) -> list[dict]:
        from newsevents.pipeline import step_clean

        lake = open_lake(run["lake"])
        return [step_clean(lake, run["run_id"], loaded, name="files"),
                step_clean(lake, run["run_id"], fetched, name="web")]

    run = discover()
    dedupe_code_and_write(run, clean(run, load(run), fetch(run)))


news_events()
