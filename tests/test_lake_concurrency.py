"""Writers in real processes: parallel dates all commit, one date ends with one run's rows,
and a writer killed with SIGKILL at any moment leaves every table readable and whole.

On the local filesystem delta-rs commits a version by a rename that never replaces, so
these prove the commit protocol itself. (moto_server, the S3 endpoint of the tests, checks
``If-None-Match`` but not atomically with the write, so racing writers are tested here,
on disk; tests/test_lake_s3.py shows the S3 commits are conditional.)
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, wait_for
from deltalake import DeltaTable
from lake_writer import tag_of

from newsevents import query
from newsevents.lake import Lake
from newsevents.schema import TABLES

pytestmark = pytest.mark.slow

WRITER = ROOT / "tests" / "lake_writer.py"
DAY = dt.date(2016, 1, 12)


def start_writer(lake: Path, day: dt.date, tag: str, rows: int, *options: str
                 ) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(lake), day.isoformat(), tag, str(rows), *options],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "include")})


def finish(proc: subprocess.Popen, timeout_s: float = 300) -> str:
    out, _ = proc.communicate(timeout=timeout_s)
    assert proc.returncode == 0, out
    return out


def tags_by_table(lake: Lake, day: dt.date) -> dict[str, Counter]:
    """Per table, how many rows of ``day`` carry each writer's tag."""
    return {t: Counter(lake.read(t, [day])[tag_of(t)].to_pylist()) for t in TABLES}


def assert_whole(lake: Lake, day: dt.date, rows: dict[str, int]) -> str:
    """Every table holds one and the same writer's rows of ``day``, all of them."""
    found = tags_by_table(lake, day)
    (tag,) = set(found["runs"])
    expected = {t: Counter({tag: 1 if t == "runs" else rows[tag]}) for t in TABLES}
    assert found == expected
    return tag


def assert_readable(lake: Lake) -> None:
    """Every table loads and every file of its latest version reads, in delta-rs and DuckDB."""
    for table in TABLES:
        delta = DeltaTable(lake.table_uri(table))
        assert lake.dataset(table).to_table().num_rows == sum(
            int(n) for n in DeltaTable(lake.table_uri(table)).get_add_actions(flatten=True)
            .column("num_records").to_pylist())
        assert delta.version() >= 0
    query.run_sql(lake, "SELECT count(*) FROM articles JOIN runs USING (dt)")


def test_runs_of_different_dates_in_parallel_all_commit(tmp_path):
    lake_dir = tmp_path / "lake"
    days = [DAY + dt.timedelta(days=n) for n in range(6)]
    start_at = str(time.time() + 3)  # every writer loaded before the first one commits
    procs = [start_writer(lake_dir, day, f"run-{day}", 120 + n, "--start-at", start_at)
             for n, day in enumerate(days)]
    outputs = [finish(p) for p in procs]
    lake = Lake(str(lake_dir))
    for n, day in enumerate(days):
        assert assert_whole(lake, day, {f"run-{day}": 120 + n}) == f"run-{day}"
    assert lake.committed_days() == days
    # One version per date and table, plus the empty table each starts with.
    assert all(DeltaTable(lake.table_uri(t)).version() == len(days) for t in TABLES)
    assert not [o for o in outputs if "concurrent commit" in o]  # dates never conflict


def test_two_runs_of_one_date_end_with_one_runs_rows_in_every_table(tmp_path):
    restarts = 0
    for round_ in range(3):
        lake_dir = tmp_path / f"lake-{round_}"
        rows = {"first": 180, "second": 230}
        start_at = str(time.time() + 3)
        procs = [start_writer(lake_dir, DAY, tag, n, "--start-at", start_at, "--slow", "0.05")
                 for tag, n in rows.items()]
        outputs = [finish(p) for p in procs]
        restarts += sum(o.count("met a concurrent commit") for o in outputs)
        lake = Lake(str(lake_dir))
        assert_whole(lake, DAY, rows)
        assert_readable(lake)
    # The writers did overlap: at least one of them had to start its commit again.
    assert restarts >= 1


@pytest.mark.parametrize("pause_in", ["articles", "mentions", "signatures"])
def test_a_writer_killed_inside_a_table_leaves_each_table_whole(tmp_path, pause_in):
    lake_dir = tmp_path / "lake"
    finish(start_writer(lake_dir, DAY, "old", 100))
    proc = start_writer(lake_dir, DAY, "new", 140, "--pause-in", pause_in)
    paused = tmp_path / "paused-new"
    wait_for(lambda: paused.exists() or proc.poll() is not None, 120, "the writer paused")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    lake = Lake(str(lake_dir))
    assert_readable(lake)
    found = tags_by_table(lake, DAY)
    done = list(TABLES)[: list(TABLES).index(pause_in)]  # committed before the pause
    for table in TABLES:
        rows = 1 if table == "runs" else (140 if table in done else 100)
        assert found[table] == Counter({"new" if table in done else "old": rows}), table
    # The date still counts as the old run's until a run commits its runs row.
    assert set(found["runs"]) == {"old"}
    finish(start_writer(lake_dir, DAY, "new", 140))  # the retry
    assert assert_whole(lake, DAY, {"new": 140}) == "new"


def test_writers_killed_at_moments_across_the_commit_never_leave_a_table_half_written(
        tmp_path):
    lake_dir = tmp_path / "lake"
    finish(start_writer(lake_dir, DAY, "old", 100))
    timing = finish(start_writer(lake_dir, DAY, "timing", 150, "--slow", "0.01"))
    commit_s = float(re.search(r"committed timing in ([0-9.]+) s", timing)[1])
    lake = Lake(str(lake_dir))
    seen = []
    for n in range(8):
        finish(start_writer(lake_dir, DAY, "old", 100))  # each round starts from "old"
        proc = start_writer(lake_dir, DAY, f"new{n}", 150, "--slow", "0.01",
                            "--die-after", f"{commit_s * n / 8:.3f}")
        proc.communicate(timeout=300)
        assert proc.returncode == -signal.SIGKILL
        assert_readable(lake)
        found = tags_by_table(lake, DAY)
        for table, tags in found.items():
            (tag,) = tags  # never rows of two runs in one table
            assert tags[tag] == (1 if table == "runs" else 100 if tag == "old" else 150), table
        seen.append(sum(1 for tags in found.values() if "old" not in tags))
    # The kills fell at different points: before the first commit, and between tables.
    assert seen[0] == 0 and any(0 < n < len(TABLES) for n in seen), seen


def test_two_dates_of_the_pipeline_run_at_once_by_two_processes_both_land(tmp_path):
    lake_dir = tmp_path / "lake"
    days = [DAY, DAY + dt.timedelta(days=1)]
    procs = [subprocess.Popen(
        [sys.executable, "-m", "newsevents", "run", "--input", str(ROOT / "seeds"),
         "--lake", str(lake_dir), "--date", day.isoformat(), "--window-days", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for day in days]
    for proc in procs:
        finish(proc, timeout_s=600)
    lake = Lake(str(lake_dir))
    assert lake.committed_days() == days
    for day in days:  # each date whole: its runs row counts exactly its rows
        (run,) = lake.read("runs", [day]).to_pylist()
        assert run["inputs"] == run["kept"] == lake.read("articles", [day]).num_rows == 1
        assert run["events"] == lake.read("events", [day]).num_rows > 0
        assert lake.read("mentions", [day]).num_rows >= run["events"]
