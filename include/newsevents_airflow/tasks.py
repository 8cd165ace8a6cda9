"""The tasks both DAGs end with: dedupe → extract_events → write_lake → summary.

Each takes the run's plan (``lake``, ``run_id``, ``date``, ``started_at``) and the small dict
of staged paths the previous task returned; the work is in ``newsevents.pipeline``.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, get_current_context, task

from newsevents_airflow import open_lake

ARTICLES = Asset("newsevents_articles")
EVENTS = Asset("newsevents_events")


@task
def dedupe(run: dict, cleaned: list[dict]) -> dict:
    """Merge the cleaned shards, then mark duplicates within the run and the window."""
    from newsevents.pipeline import merge_shards, step_dedupe

    window = get_current_context()["params"]["window_days"]
    return step_dedupe(open_lake(run["lake"]), run["run_id"], dt.date.fromisoformat(run["date"]),
                       merge_shards(list(cleaned)), window)


@task
def extract_events(run: dict, deduped: dict) -> dict:
    from newsevents.pipeline import step_events

    return step_events(open_lake(run["lake"]), run["run_id"], dt.date.fromisoformat(run["date"]),
                       deduped)


@task(outlets=[ARTICLES, EVENTS])
def write_lake(run: dict, coded: dict) -> dict:
    """Replace the date's partitions of every table (the only task that writes the lake)."""
    from newsevents.pipeline import step_commit

    return step_commit(open_lake(run["lake"]), run["run_id"], dt.date.fromisoformat(run["date"]),
                       coded, dt.datetime.fromisoformat(run["started_at"]))


@task
def summary(run: dict, committed: dict) -> None:
    from newsevents.query import run_summary

    print(run_summary(open_lake(run["lake"]), dt.date.fromisoformat(run["date"])))


def dedupe_code_and_write(run, cleaned) -> None:
    """Wire the shared tail of a newsevents DAG after its clean step(s)."""
    deduped = dedupe(run, cleaned)
    summary(run, write_lake(run, extract_events(run, deduped)))
