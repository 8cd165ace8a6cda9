"""The lake: Delta tables whose dates replace whole in atomic commits, paths inside the root."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from unittest import mock

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from newsevents import query
from newsevents.config import validate_lake_root
from newsevents.lake import Lake, table_schema
from newsevents.schema import SCHEMAS, TABLES, Reject, RunSummary

DAY = dt.date(2016, 1, 12)


def rejects(*reasons: str) -> list[Reject]:
    return [Reject(source=f"in/{i}", stage="load", reason=r) for i, r in enumerate(reasons)]


def run_row(run_id: str, versions: dict[str, int]) -> RunSummary:
    return RunSummary(run_id=run_id, inputs=0, kept=0, duplicates=0, rejected=0, events=0,
                      elapsed_s=0.0, table_versions=json.dumps(versions))


def commit(lake: Lake, day: dt.date, run_id: str, reasons: tuple[str, ...]) -> dict[str, int]:
    """A run's commit of ``day`` with only rejects (every other table empty)."""
    data = {t: (lambda: ()) for t in TABLES if t != "runs"}
    data["rejects"] = lambda: rejects(*reasons)
    return lake.commit_date(day, run_id, data, lambda versions: run_row(run_id, versions))


def test_rewriting_a_date_replaces_it_in_a_new_version(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("empty", "binary"))
    lake.write_records("rejects", DAY, rejects("empty", "binary"))
    assert lake.read("rejects").num_rows == 2
    delta = DeltaTable(str(lake_dir / "rejects"))  # any Delta reader sees the same
    assert delta.version() == 2 and delta.metadata().partition_columns == ["dt"]
    assert delta.to_pyarrow_dataset().to_table().num_rows == 2
    assert lake.dataset("rejects", as_of=1).to_table().num_rows == 2  # the first commit


def test_two_dates_give_two_partitions_and_leave_each_other_alone(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("empty"))
    lake.write_records("rejects", DAY + dt.timedelta(days=1), rejects("binary", "empty"))
    lake.write_records("rejects", DAY + dt.timedelta(days=1), rejects("binary"))
    assert lake.partitions("rejects") == [DAY, DAY + dt.timedelta(days=1)]
    table = lake.read("rejects")
    assert sorted(zip(table["dt"].to_pylist(), table["reason"].to_pylist(), strict=True)) == [
        ("2016-01-12", "empty"), ("2016-01-13", "binary")]
    assert (lake_dir / "rejects" / "dt=2016-01-13").is_dir()  # Hive layout, for every engine


def test_a_crash_before_the_commit_leaves_the_old_rows_visible(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("empty"))

    def broken_stream():
        yield from rejects("binary")
        raise OSError("disk full")

    # delta-rs hands on the stream's error through the Arrow C stream interface: as a
    # DeltaError or a plain Exception depending on the build; the message is the stream's
    with pytest.raises(Exception, match="disk full"):
        lake.write_records("rejects", DAY, broken_stream())
    assert lake.read("rejects")["reason"].to_pylist() == ["empty"]
    assert DeltaTable(str(lake_dir / "rejects")).version() == 1


def test_files_no_commit_names_are_invisible(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("empty"))
    half = lake_dir / "rejects" / "dt=2016-01-13"
    half.mkdir(parents=True)
    pq.write_table(lake.read("rejects").drop(["dt"]), half / "part-x.parquet")
    assert lake.partitions("rejects") == [DAY]
    assert lake.read("rejects").num_rows == 1


def test_an_empty_day_removes_the_old_rows_and_still_counts_as_a_day(lake_dir):
    lake = Lake(str(lake_dir))
    commit(lake, DAY, "first", ("empty", "binary"))
    commit(lake, DAY, "second", ())
    assert lake.read("rejects").num_rows == 0
    assert lake.partitions("rejects") == []  # no rows, no files ...
    assert lake.has_partition("rejects", DAY) and lake.committed_days() == [DAY]  # ... a day
    assert not lake.has_partition("rejects", DAY + dt.timedelta(days=1))
    assert lake.read("runs")["run_id"].to_pylist() == ["second"]


def test_the_runs_row_records_the_versions_of_the_other_tables(lake_dir):
    lake = Lake(str(lake_dir))
    commit(lake, DAY, "first", ("empty",))
    versions = commit(lake, DAY + dt.timedelta(days=1), "second", ("binary",))
    assert versions == dict.fromkeys(TABLES, 2)
    recorded = {r["run_id"]: json.loads(r["table_versions"]) for r in lake.read("runs").to_pylist()}
    assert recorded == {"first": dict.fromkeys(set(TABLES) - {"runs"}, 1),
                        "second": dict.fromkeys(set(TABLES) - {"runs"}, 2)}


def test_as_of_reads_every_table_as_it_was(lake_dir):
    lake = Lake(str(lake_dir))
    before_any = dt.datetime.now(dt.UTC)
    commit(lake, DAY, "first", ("empty",))
    between = dt.datetime.now(dt.UTC)
    commit(lake, DAY, "second", ("binary", "binary"))
    sql = "SELECT run_id, (SELECT string_agg(reason, ' ') FROM rejects) AS reasons FROM runs"
    assert query.run_sql(lake, sql).to_dict("records") == [
        {"run_id": "second", "reasons": "binary binary"}]
    for as_of in (between.isoformat(), "1"):  # a time, or the version of the runs table
        assert query.run_sql(lake, sql, as_of=as_of).to_dict("records") == [
            {"run_id": "first", "reasons": "empty"}]
    assert query.run_sql(lake, "SELECT count(*) AS n FROM rejects",
                         as_of=before_any.isoformat())["n"][0] == 0
    with pytest.raises(ValueError, match="no such version"):
        query.run_sql(lake, sql, as_of=3)
    with pytest.raises(ValueError, match="version number or an ISO 8601 time"):
        query.run_sql(lake, sql, as_of="last tuesday")


def test_history_names_the_run_and_the_rows_of_each_version(lake_dir):
    lake = Lake(str(lake_dir))
    commit(lake, DAY, "first", ("empty", "binary"))
    commit(lake, DAY, "second", ("binary",))
    history = lake.history("rejects")
    assert [(c.version, c.operation, c.run_id, c.day, c.rows_added, c.rows_removed)
            for c in history] == [(2, "WRITE", "second", "2016-01-12", 1, 2),
                                  (1, "WRITE", "first", "2016-01-12", 2, 0),
                                  (0, "CREATE TABLE", None, None, None, None)]
    assert history[0].committed_at >= history[1].committed_at
    assert lake.history("events")[0].run_id == "second"


def test_a_column_added_to_a_record_is_added_to_an_existing_table(lake_dir):
    """Other versions of the code may add fields: their lake and ours stay readable."""
    lake = Lake(str(lake_dir))
    old = table_schema("rejects").remove(table_schema("rejects").get_field_index("detail"))
    old_rows = pa.table({"source": ["a"], "stage": ["load"], "reason": ["empty"],
                         "dt": ["2016-01-11"]}, schema=old)
    write_deltalake(str(lake_dir / "rejects"), old_rows, partition_by=["dt"])
    lake.write_records("rejects", DAY, rejects("binary"))
    rows = sorted(lake.read("rejects").to_pylist(), key=lambda r: r["dt"])
    assert [(r["reason"], r["detail"]) for r in rows] == [("empty", None), ("binary", "")]


def test_query_reads_the_committed_tables_with_duckdb(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("empty", "binary", "empty"))
    df = query.run_sql(lake, "SELECT reason, count(*) AS n FROM rejects GROUP BY 1 ORDER BY 1")
    assert df.to_dict("records") == [{"reason": "binary", "n": 1}, {"reason": "empty", "n": 2}]
    assert query.run_sql(lake, "SELECT count(*) AS n FROM events")["n"][0] == 0
    columns = query.run_sql(lake, "DESCRIBE events")["column_name"].tolist()
    assert columns == [*SCHEMAS["events"].names, "dt"]  # an empty table has its columns


def test_a_same_date_conflict_starts_the_commit_again(lake_dir):
    lake = Lake(str(lake_dir))
    commit(lake, DAY, "old", ("empty",))
    calls = []

    def events_of_a_racing_run():
        if not calls:  # another run replaces the date while this one writes its events
            commit(lake, DAY, "other", ("binary",))
        calls.append(1)
        return ()

    data = {t: (lambda: ()) for t in TABLES if t != "runs"}
    data["events"] = events_of_a_racing_run
    with mock.patch("newsevents.lake.time.sleep"):
        lake.commit_date(DAY, "mine", data, lambda versions: run_row("mine", versions))
    assert len(calls) == 2  # the first attempt met "other"'s commit and started again
    assert lake.read("runs")["run_id"].to_pylist() == ["mine"]
    assert lake.read("rejects").num_rows == 0  # "mine" has no rejects: none of "other"'s


@pytest.mark.parametrize("table,day", [("../etc", DAY), ("rejects", "2016-01-12/../../x"),
                                       ("rejects", "2016-13-45")])
def test_paths_are_built_from_validated_parts_only(lake_dir, table, day):
    with pytest.raises(ValueError):
        Lake(str(lake_dir)).partition_dir(table, day)
    with pytest.raises(ValueError):
        Lake(str(lake_dir)).has_partition(table, day)


def test_staged_paths_stay_inside_the_lake(lake_dir):
    lake = Lake(str(lake_dir))
    with pytest.raises(ValueError):
        lake.staging_path("../../etc", "x")
    with pytest.raises(ValueError):
        list(lake.unstage("/etc/passwd", "rejects"))
    path = lake.stage("run-1", "rejects", "rejects", rejects("empty"))
    assert [r.reason for r in lake.unstage(path, "rejects")] == ["empty"]
    assert set(lake.staged_runs()) == {"run-1"}


def test_lake_roots_outside_the_allowed_ones_are_refused(tmp_path):
    allowed = [str(tmp_path / "data")]
    assert validate_lake_root(str(tmp_path / "data" / "lake"), allowed).endswith("/data/lake")
    for bad in [str(tmp_path / "elsewhere"), str(tmp_path / "data" / ".." / "x"), "/etc",
                "file:///tmp/lake", "s3://bucket/lake", ""]:
        with pytest.raises(ValueError):
            validate_lake_root(bad, allowed)
    assert validate_lake_root("s3://bucket/lake/a", ["s3://bucket/lake"]) == "s3://bucket/lake/a"


def test_records_round_trip_through_the_lake(lake_dir):
    lake = Lake(str(lake_dir))
    summary = dataclasses.replace(run_row("r", {"events": 3}),
                                  started_at=dt.datetime(2016, 1, 12, 9, tzinfo=dt.UTC))
    lake.write_records("runs", DAY, [summary])
    assert list(lake.read_records("runs")) == [summary]
