"""Maintenance of the lake: compaction, vacuum and staging clean-up, from Python, the CLI and
the newsevents_maintenance DAG; all of it safe while runs commit."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import FIXTURES, ROOT
from deltalake import CommitProperties, DeltaTable, write_deltalake

from newsevents import cli, maintenance, query
from newsevents.lake import META_DATE, Lake, table_schema
from newsevents.schema import Reject

DAY = dt.date(2016, 1, 12)
NOW = dt.datetime.now(dt.UTC)


def rejects(*reasons: str) -> list[Reject]:
    return [Reject(source=f"in/{i}", stage="load", reason=r) for i, r in enumerate(reasons)]


def append_small_files(lake: Lake, day: dt.date, n: int) -> None:
    """``n`` one-row files in ``day`` of ``rejects``, as a writer that appends leaves them."""
    for i in range(n):
        row = pa.table({"source": [f"x/{i}"], "stage": ["load"], "reason": ["empty"],
                        "detail": [""], "dt": [day.isoformat()]}, schema=table_schema("rejects"))
        write_deltalake(lake.table_uri("rejects"), row, mode="append", partition_by=["dt"],
                        commit_properties=CommitProperties(
                            custom_metadata={META_DATE: day.isoformat()}))


def age(path: Path, hours: float) -> None:
    when = time.time() - hours * 3600
    os.utime(path, (when, when))


def test_compaction_rewrites_the_small_files_of_recent_dates_with_the_same_rows(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("binary"))
    append_small_files(lake, DAY, 4)
    before = sorted(map(str, lake.read("rejects").to_pylist()))
    report = maintenance.MaintenanceReport()
    maintenance.compact(lake, NOW - dt.timedelta(days=1), report)
    assert report.compacted == [maintenance.Compaction("rejects", "2016-01-12", 5, 1)]
    assert sorted(map(str, lake.read("rejects").to_pylist())) == before
    assert len(DeltaTable(lake.table_uri("rejects")).file_uris()) == 1
    assert lake.history("rejects", 1)[0].operation == "OPTIMIZE"
    report = maintenance.MaintenanceReport()
    maintenance.compact(lake, NOW + dt.timedelta(days=1), report)  # nothing that recent
    assert report.compacted == [] and report.skipped == []


def test_a_compaction_that_meets_a_runs_commit_of_the_date_gives_way(lake_dir, monkeypatch):
    lake = Lake(str(lake_dir))
    append_small_files(lake, DAY, 3)
    real_recent_days = maintenance.recent_days

    def a_run_commits_meanwhile(lake_, table, since):
        lake_.write_records("rejects", DAY, rejects("invalid_utf8"), run_id="the-run")
        return real_recent_days(lake_, table, since)

    monkeypatch.setattr(maintenance, "recent_days", a_run_commits_meanwhile)
    report = maintenance.MaintenanceReport()
    maintenance.compact(lake, NOW - dt.timedelta(days=1), report)
    assert "rejects dt=2016-01-12" in report.skipped
    assert lake.read("rejects")["reason"].to_pylist() == ["invalid_utf8"]  # the run's rows


def test_vacuum_deletes_old_unreferenced_files_and_keeps_what_recent_versions_read(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("empty"))
    lake.write_records("rejects", DAY, rejects("binary"))  # removes the first file, now
    part = lake_dir / "rejects" / "dt=2016-01-12"
    crashed = part / "part-00000-of-a-killed-run.zstd.parquet"  # a file no commit names
    crashed.write_bytes(b"PAR1")
    age(crashed, 48)
    fresh = part / "part-00000-of-a-commit-under-way.zstd.parquet"
    fresh.write_bytes(b"PAR1")
    report = maintenance.MaintenanceReport()
    maintenance.vacuum(lake, dt.timedelta(days=1), report)
    assert report.vacuumed["rejects"] == 1
    assert not crashed.exists() and fresh.exists()
    # The version before the re-run is younger than the retention: still readable.
    assert lake.dataset("rejects", as_of=1).to_table()["reason"].to_pylist() == ["empty"]
    with pytest.raises(ValueError, match="shorter than"):
        maintenance.vacuum(lake, dt.timedelta(minutes=5), report)


def test_staging_of_finished_and_forgotten_runs_is_removed(lake_dir):
    lake = Lake(str(lake_dir))
    for run in ("running", "finished", "forgotten", "recent"):
        lake.stage(run, "rejects", "rejects", rejects("empty"))
    age(Path(lake.staging_path("forgotten", "rejects")), 72)
    age(Path(lake.staging_path("running", "rejects")), 72)
    states = {"running": True, "finished": False}
    report = maintenance.MaintenanceReport()
    maintenance.clear_staging(lake, NOW, dt.timedelta(hours=48), states.get, report)
    assert report.staging_removed == ["finished", "forgotten"]
    assert sorted(lake.staged_runs()) == ["recent", "running"]


def test_maintain_and_history_from_the_command_line(lake_dir, capsys):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("binary"), run_id="run-7")
    append_small_files(lake, DAY, 2)
    lake.stage("cli__2016-01-01__crashed", "rejects", "rejects", rejects("empty"))
    age(Path(lake.staging_path("cli__2016-01-01__crashed", "rejects")), 72)
    assert cli.main(["maintain", "--lake", str(lake_dir)]) == 0
    out = capsys.readouterr().out
    assert "compacted: 1 dates (3 files into 1)" in out
    assert "staging removed: 1 (cli__2016-01-01__crashed)" in out
    assert cli.main(["history", "rejects", "--lake", str(lake_dir), "--limit", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["version", "committed_at", "operation", "run_id", "day",
                                "rows_added", "rows_removed"]
    assert lines[1].split()[2:] == ["OPTIMIZE", "-", "2016-01-12", "-", "-"]
    assert lines[-2].split()[2:] == ["WRITE", "run-7", "2016-01-12", "1", "0"]
    assert cli.main(["query", "--lake", str(lake_dir), "--as-of", "2000-01-01T00:00:00Z",
                     "SELECT count(*) AS n FROM rejects"]) == 0
    assert capsys.readouterr().out.split() == ["n", "0", "0"]
    assert cli.main(["history", "nosuch", "--lake", str(lake_dir)]) == 2  # a clear error
    assert "unknown table 'nosuch'" in capsys.readouterr().err


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_the_maintenance_dag_asks_airflow_which_runs_are_over(dagbag, tmp_path):
    from newsevents.settings import safe_run_id

    dag = dagbag.get_dag("newsevents_maintenance")
    assert type(dag.timetable).__name__ == "CronTriggerTimetable" and dag.max_active_runs == 1
    assert {"lake", "recent_days", "retention_days", "staging_max_age_hours"} <= set(dag.params)
    lake = Lake(str(tmp_path / "lake"))
    archives = tmp_path / "archives"
    archives.mkdir()
    shutil.copy(FIXTURES / "warc" / "CC-NEWS-20240101000000-00000.warc.gz", archives)
    finished = dagbag.get_dag("news_archive").test(  # a quick run: a day without archives
        logical_date=dt.datetime(2024, 1, 6, tzinfo=dt.UTC),
        run_conf={"archives": str(archives), "lake": lake.uri})
    assert finished.state == "success"
    folder = safe_run_id(finished.run_id)
    assert folder != finished.run_id  # the folder name is not the run id: the DAG maps it back
    for run in (folder, "cli__2016-01-01__unknown-to-airflow"):
        lake.stage(run, "rejects", "rejects", rejects("empty"))  # fresh files, both
    run = dag.test(run_conf={"lake": lake.uri})
    assert run.state == "success"
    assert list(lake.staged_runs()) == ["cli__2016-01-01__unknown-to-airflow"]
    assert query.run_sql(lake, "SELECT count(*) AS n FROM runs")["n"][0] == 1


def test_run_ids_are_found_from_their_staging_folder_names():
    import importlib.util

    from newsevents.settings import safe_run_id

    spec = importlib.util.spec_from_file_location("maintenance_dag",
                                                  ROOT / "dags" / "newsevents_maintenance.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for run_id in ["scheduled__2024-01-01T00:00:00+00:00",
                   "manual__2026-12-02T06:20:14.123456+00:00_Xy12abCD",
                   "backfill__2024-01-03T00:00:00-05:30"]:
        assert run_id in module.run_id_candidates(safe_run_id(run_id))
    assert module.run_id_candidates("cli__2016-01-12__x") == ["cli__2016-01-12__x"]
