"""newsevents_maintenance: weekly upkeep of the lake's Delta tables, safe during other runs.

    compact ─► vacuum        clear_staging

- ``compact`` rewrites the small files of the dates written in the last ``recent_days``
  (a date a run re-commits meanwhile is skipped: the run's rows stand).
- ``vacuum`` deletes files no version of the last ``retention_days`` needs; ``newsevents
  query --as-of`` reaches back that far and no further.
- ``clear_staging`` deletes ``_staging/<run>`` folders of runs that are no longer running:
  it asks Airflow for the state of the run each folder is named after, and deletes a
  folder Airflow does not know (e.g. a crashed ``newsevents run``) once its newest file is
  older than ``staging_max_age_hours``.

The work is in ``newsevents.maintenance``, which ``newsevents maintain`` runs too.
"""

from __future__ import annotations

import datetime as dt
import re

from airflow.sdk import CronTriggerTimetable, Param, dag, get_current_context, task

from newsevents_airflow import DEFAULT_ARGS, lake_param, open_lake

# The DAGs whose runs stage files under the lake (their run ids name the folders).
STAGING_DAGS = ("news_events", "news_archive")
ACTIVE_STATES = ["queued", "running"]
# An Airflow run id ``manual__2026-01-12T10:00:00.123+00:00[_suffix]`` becomes the folder
# ``manual__2026-01-12T10_00_00.123_00_00[_suffix]`` (safe_run_id): undo it for the lookup.
_FOLDER_OF_RUN = re.compile(r"^(?P<head>.+__\d{4}-\d\d-\d\dT\d\d)_(?P<min>\d\d)_"
                            r"(?P<sec>\d\d(?:\.\d+)?)(?P<sign>[_-])(?P<tzh>\d\d)_(?P<tzm>\d\d)"
                            r"(?P<tail>_\w+)?$")


def run_id_candidates(folder: str) -> list[str]:
    """The Airflow run ids a staging folder's name may stand for."""
    found = _FOLDER_OF_RUN.match(folder)
    if not found:
        return [folder]
    sign = "+" if found["sign"] == "_" else "-"
    return [folder, f"{found['head']}:{found['min']}:{found['sec']}{sign}{found['tzh']}:"
                    f"{found['tzm']}{found['tail'] or ''}"]


def airflow_run_state(folder: str) -> bool | None:
    """Whether the Airflow run a staging folder belongs to is still running (None: no such run)."""
    ti = get_current_context()["ti"]
    run_ids = run_id_candidates(folder)
    if not sum(ti.get_dr_count(dag_id=d, run_ids=run_ids) for d in STAGING_DAGS):
        return None
    return any(ti.get_dr_count(dag_id=d, run_ids=run_ids, states=ACTIVE_STATES)
               for d in STAGING_DAGS)


@dag(
    dag_id="newsevents_maintenance",
    schedule=CronTriggerTimetable("0 3 * * 0", timezone="UTC"),  # Sundays 03:00 UTC
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["newsevents", "maintenance"],
    doc_md=__doc__,
    params={
        "lake": lake_param(),
        "recent_days": Param(7, type="integer", minimum=1, maximum=366, title="Recent days",
                             description="Compact the dates written in the last N days."),
        "retention_days": Param(7, type="integer", minimum=1, maximum=3650,
                                title="Retention (days)",
                                description="Vacuum keeps the files of the last N days' "
                                            "versions: --as-of reaches back that far."),
        "staging_max_age_hours": Param(48, type="integer", minimum=1, title="Staging max age",
                                       description="Hours after which a staging folder no "
                                                   "Airflow run owns is deleted."),
    },
)
def newsevents_maintenance():
    @task
    def compact() -> list[str]:
        from newsevents import maintenance

        params = get_current_context()["params"]
        report = maintenance.MaintenanceReport()
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=params["recent_days"])
        maintenance.compact(open_lake(params["lake"]), since, report)
        return report.lines()

    @task
    def vacuum() -> dict[str, int]:
        from newsevents import maintenance

        params = get_current_context()["params"]
        report = maintenance.MaintenanceReport()
        maintenance.vacuum(open_lake(params["lake"]),
                           dt.timedelta(days=params["retention_days"]), report)
        return report.vacuumed

    @task
    def clear_staging() -> list[str]:
        from newsevents import maintenance

        params = get_current_context()["params"]
        report = maintenance.MaintenanceReport()
        maintenance.clear_staging(open_lake(params["lake"]), dt.datetime.now(dt.UTC),
                                  dt.timedelta(hours=params["staging_max_age_hours"]),
                                  airflow_run_state, report)
        return report.staging_removed

    compact() >> vacuum()
    clear_staging()


newsevents_maintenance()
