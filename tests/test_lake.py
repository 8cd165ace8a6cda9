"""The lake: partitions replace whole, commits are atomic, paths stay inside the root."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import pyarrow.parquet as pq
import pytest

from newsevents import query
from newsevents.config import validate_lake_root
from newsevents.lake import MANIFEST, Lake
from newsevents.schema import Reject

DAY = dt.date(2016, 1, 12)


def rejects(*reasons: str) -> list[Reject]:
    return [Reject(source=f"in/{i}", stage="load", reason=r) for i, r in enumerate(reasons)]


def test_rewriting_a_partition_replaces_it(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("empty", "binary"))
    lake.write_records("rejects", DAY, rejects("empty", "binary"))
    assert lake.read("rejects").num_rows == 2
    part = lake_dir / "rejects" / "dt=2016-01-12"
    assert len(list(part.glob("*.parquet"))) == 1  # the old file was removed after the commit


def test_two_dates_give_two_partitions_and_leave_each_other_alone(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("empty"))
    lake.write_records("rejects", DAY + dt.timedelta(days=1), rejects("binary", "empty"))
    lake.write_records("rejects", DAY + dt.timedelta(days=1), rejects("binary"))
    assert lake.partitions("rejects") == [DAY, DAY + dt.timedelta(days=1)]
    table = lake.read("rejects")
    assert sorted(zip(table["dt"].to_pylist(), table["reason"].to_pylist())) == [
        ("2016-01-12", "empty"), ("2016-01-13", "binary")]


def test_a_crash_before_the_commit_leaves_the_old_partition_visible(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("empty"))
    with mock.patch.object(Lake, "_atomic_write", side_effect=OSError("disk full")):
        with pytest.raises(OSError):
            lake.write_records("rejects", DAY, rejects("binary", "binary"))
    assert lake.read("rejects")["reason"].to_pylist() == ["empty"]
    # The orphaned file of the failed write is on disk but not in the manifest.
    part = lake_dir / "rejects" / "dt=2016-01-12"
    assert len(list(part.glob("*.parquet"))) == 2
    assert len(json.loads((part / MANIFEST).read_text())["files"]) == 1


def test_a_partition_without_manifest_is_invisible(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("empty"))
    half = lake_dir / "rejects" / "dt=2016-01-13"
    half.mkdir(parents=True)
    pq.write_table(lake.read("rejects").drop(["dt"]), half / "part-x.parquet")
    assert lake.partitions("rejects") == [DAY]
    assert lake.read("rejects").num_rows == 1


def test_query_reads_the_committed_tables_with_duckdb(lake_dir):
    lake = Lake(str(lake_dir))
    lake.write_records("rejects", DAY, rejects("empty", "binary", "empty"))
    df = query.run_sql(lake, "SELECT reason, count(*) AS n FROM rejects GROUP BY 1 ORDER BY 1")
    assert df.to_dict("records") == [{"reason": "binary", "n": 1}, {"reason": "empty", "n": 2}]
    assert query.run_sql(lake, "SELECT count(*) AS n FROM events")["n"][0] == 0


@pytest.mark.parametrize("table,day", [("../etc", DAY), ("rejects", "2016-01-12/../../x"),
                                       ("rejects", "2016-13-45")])
def test_paths_are_built_from_validated_parts_only(lake_dir, table, day):
    with pytest.raises(ValueError):
        Lake(str(lake_dir)).partition_dir(table, day)


def test_staged_paths_stay_inside_the_lake(lake_dir):
    lake = Lake(str(lake_dir))
    with pytest.raises(ValueError):
        lake.staging_path("../../etc", "x")
    with pytest.raises(ValueError):
        list(lake.unstage("/etc/passwd", "rejects"))
    path = lake.stage("run-1", "rejects", "rejects", rejects("empty"))
    assert [r.reason for r in lake.unstage(path, "rejects")] == ["empty"]


def test_lake_roots_outside_the_allowed_ones_are_refused(tmp_path):
    allowed = [str(tmp_path / "data")]
    assert validate_lake_root(str(tmp_path / "data" / "lake"), allowed).endswith("/data/lake")
    for bad in [str(tmp_path / "elsewhere"), str(tmp_path / "data" / ".." / "x"), "/etc",
                "file:///tmp/lake", "s3://bucket/lake", ""]:
        with pytest.raises(ValueError):
            validate_lake_root(bad, allowed)
    assert validate_lake_root("s3://bucket/lake/a", ["s3://bucket/lake"]) == "s3://bucket/lake/a"
