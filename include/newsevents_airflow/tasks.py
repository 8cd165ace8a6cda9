"""The tasks both DAGs end with: dedupe → extract_events (one per shard) → write_lake → summary.

Each takes the run's plan (``RunPlan.to_dict()``) and the shards the previous task returned
(``Shard.to_dict()``): XCom carries them as plain dicts, each task turns them back into
records once. The work is in ``newsevents.pipeline``.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Asset, get_current_context, task

from newsevents_airflow import open_lake

ARTICLES = Asset("newsevents_articles")
EVENTS = Asset("newsevents_events")

# What crosses XCom: ``RunPlan``, ``Loaded`` and ``Shard`` records as dicts.
PlanDict = dict[str, Any]
ShardDict = dict[str, Any]


@task
def dedupe(run: PlanDict, cleaned: list[ShardDict]) -> list[ShardDict]:
    """Mark duplicates across all cleaned shards, within the run and the window."""
    from newsevents.pipeline import prior_partitions, step_dedupe
    from newsevents.plan import RunPlan, Shard
    from newsevents_airflow.lineage import report_inputs

    plan = RunPlan.from_dict(run)
    lake = open_lake(plan.lake)
    report_inputs(lake.display_path(lake.partition_dir("signatures", d))
                  for d in prior_partitions(lake, plan.day, plan.window_days))
    shards = [Shard.from_dict(s) for s in cleaned]
    return [s.to_dict() for s in step_dedupe(lake, plan.run_id, plan.day, shards,
                                             plan.window_days)]


@task(map_index_template="{{ shard_name }}")
def extract_events(run: PlanDict, shard: ShardDict) -> ShardDict:
    """Code one shard's events (mapped: shards are coded in parallel on the workers)."""
    from newsevents.pipeline import step_events
    from newsevents.plan import RunPlan, Shard

    plan, todo = RunPlan.from_dict(run), Shard.from_dict(shard)
    get_current_context()["shard_name"] = todo.name  # type: ignore[typeddict-unknown-key]
    return step_events(open_lake(plan.lake), plan.run_id, plan.day, todo).to_dict()


# A date with no input maps no shard, which skips dedupe and extract_events; write_lake
# still runs (``none_failed``) and commits empty partitions with a ``runs`` row of 0
# inputs, so "nothing came in" is on record and a re-run after the inputs vanished leaves
# no stale rows. A failed upstream task still stops it.
@task(outlets=[ARTICLES, EVENTS], trigger_rule="none_failed")
def write_lake(run: PlanDict, coded: list[ShardDict]) -> dict[str, Any]:
    """Replace the date in every Delta table, ``runs`` last (the only task that writes the
    lake); a retry after a crash mid-commit commits every table again. Returns the table
    versions committed, which the run's ``runs`` row records too."""
    from newsevents.pipeline import step_commit
    from newsevents.plan import RunPlan, Shard
    from newsevents_airflow.lineage import report_outputs

    plan = RunPlan.from_dict(run)
    committed = step_commit(open_lake(plan.lake), plan.run_id, plan.day,
                            [Shard.from_dict(s) for s in coded], plan.started_at)
    report_outputs(committed["partitions"].values())
    return committed


@task
def summary(run: PlanDict, committed: dict[str, Any]) -> None:
    from newsevents.plan import RunPlan
    from newsevents.query import run_summary

    plan = RunPlan.from_dict(run)
    print(run_summary(open_lake(plan.lake), plan.day))


def dedupe_code_and_write(run: Any, cleaned: Any) -> None:
    """Wire the shared tail of a newsevents DAG after its clean step(s).

    ``run`` and ``cleaned`` are the XComArgs of the plan and of the cleaned shards (typed
    ``Any``: Airflow types a task call's arguments as its function's, not as XComArgs).
    """
    coded: Any = extract_events.partial(run=run).expand(shard=dedupe(run, cleaned))
    committed: Any = write_lake(run, coded)
    summary(run, committed)
