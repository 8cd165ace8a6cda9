"""The tasks both DAGs end with: dedupe → extract_events (one per shard) → write_lake → summary.

Each takes the run's plan (``lake``, ``run_id``, ``date``, ``started_at``) and the small dicts
of staged paths the previous task returned; the work is in ``newsevents.pipeline``.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Asset, get_current_context, task

from newsevents_airflow import open_lake

ARTICLES = Asset("newsevents_articles")
EVENTS = Asset("newsevents_events")


@task
def dedupe(run: dict, cleaned: list[dict]) -> list[dict]:
    """Mark duplicates across all cleaned shards, within the run and the window."""
    from newsevents.pipeline import prior_partitions, step_dedupe
    from newsevents_airflow.lineage import report_inputs

    lake, day = open_lake(run["lake"]), dt.date.fromisoformat(run["date"])
    window = get_current_context()["params"]["window_days"]
    report_inputs(lake.display_path(lake.partition_dir("signatures", d))
                  for d in prior_partitions(lake, day, window))
    return step_dedupe(lake, run["run_id"], day, list(cleaned), window)


@task(map_index_template="{{ shard_name }}")
def extract_events(run: dict, shard: dict) -> dict:
    """Code one shard's events (mapped: shards are coded in parallel on the workers)."""
    from newsevents.pipeline import step_events

    get_current_context()["shard_name"] = shard["name"]
    return step_events(open_lake(run["lake"]), run["run_id"], dt.date.fromisoformat(run["date"]),
                       shard)


# A date with no input maps no shard, which skips dedupe and extract_events; write_lake
# still runs (``none_failed``) and commits empty partitions with a ``runs`` row of 0
# inputs, so "nothing came in" is on record and a re-run after the inputs vanished leaves
# no stale rows. A failed upstream task still stops it.
@task(outlets=[ARTICLES, EVENTS], trigger_rule="none_failed")
def write_lake(run: dict, coded: list[dict]) -> dict:
    """Replace the date in every Delta table, ``runs`` last (the only task that writes the
    lake); a retry after a crash mid-commit commits every table again. Returns the table
    versions committed, which the run's ``runs`` row records too."""
    from newsevents.pipeline import step_commit
    from newsevents_airflow.lineage import report_outputs

    committed = step_commit(open_lake(run["lake"]), run["run_id"],
                            dt.date.fromisoformat(run["date"]), list(coded),
                            dt.datetime.fromisoformat(run["started_at"]))
    report_outputs(committed["partitions"].values())
    return committed


@task
def summary(run: dict, committed: dict) -> None:
    from newsevents.query import run_summary

    print(run_summary(open_lake(run["lake"]), dt.date.fromisoformat(run["date"])))


def dedupe_code_and_write(run, cleaned) -> None:
    """Wire the shared tail of a newsevents DAG after its clean step(s)."""
    coded = extract_events.partial(run=run).expand(shard=dedupe(run, cleaned))
    summary(run, write_lake(run, coded))
