"""The DAGs: they import cleanly, and a whole run of news_events fills a temporary lake."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from conftest import FIXTURES, ROOT

from newsevents.lake import Lake


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"news_events"} <= set(dagbag.dag_ids)


def test_news_events_shape(dagbag):
    dag = dagbag.get_dag("news_events")
    order = [t.task_id for t in dag.topological_sort()]
    assert order[0] == "discover" and set(order[1:3]) == {"load", "fetch"}
    assert order[3:] == ["clean", "dedupe", "extract_events", "write_lake", "summary"]
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert {"source", "feeds", "sitemaps", "urls", "date", "lake", "window_days"} <= set(dag.params)
    assert dag.get_task("fetch").pool == "newsevents_fetch"
    # events are coded shard by shard, in parallel on the workers
    assert type(dag.get_task("extract_events")).__name__.endswith("MappedOperator")
    assert all(t.retries >= 1 for t in dag.tasks)


def test_scheduled_run_owns_the_partition_of_its_data_interval_start(dagbag, tmp_path):
    dag = dagbag.get_dag("news_events")
    lake = tmp_path / "lake"
    logical = dt.datetime(2016, 1, 12, tzinfo=dt.timezone.utc)
    run = dag.test(logical_date=logical,
                   run_conf={"source": str(ROOT / "seeds"), "lake": str(lake)})
    assert run.state == "success"
    written = Lake(str(lake))
    # dag.test infers a manual run's interval as the one ending at the logical date.
    assert written.partitions("articles") == [run.data_interval_start.date()]
    assert written.read("articles").num_rows == 1
    assert written.read("events").num_rows > 0
    (summary,) = written.read("runs").to_pylist()
    assert summary["inputs"] == summary["kept"] == 1


@pytest.mark.parametrize("name,value", [
    ("lake", "/etc/newsevents"), ("lake", "/tmp/../etc/x"), ("lake", "file:///tmp/lake"),
    ("date", "2016-02-31"), ("date", "12/01/2016"), ("window_days", -1),
    ("urls", ["file:///etc/passwd"]), ("urls", ["http://127.0.0.1:8080/admin"]),
    ("feeds", ["http://169.254.169.254/latest/meta-data"]), ("sitemaps", ["ftp://example.org/x"]),
])
def test_invalid_params_are_refused_before_any_task_runs(dagbag, name, value):
    import copy

    from airflow.sdk.definitions.param import ParamValidationError

    params = copy.deepcopy(dagbag.get_dag("news_events").params)
    with pytest.raises(ParamValidationError, match=name):
        params[name] = value


def _lake_rows(lake: Lake) -> dict[str, list[str]]:
    return {t: sorted(map(str, lake.read(t).to_pylist()))
            for t in ("articles", "events", "mentions", "rejects", "signatures")}


def test_an_archive_backfill_writes_one_partition_per_date_and_a_repeat_changes_nothing(
        dagbag, tmp_path):
    dag = dagbag.get_dag("news_archive")
    assert type(dag.get_task("process_shard")).__name__.endswith("MappedOperator")
    lake = Lake(str(tmp_path / "lake"))
    conf = {"archives": str(FIXTURES / "warc"), "lake": lake.uri}
    days = [dt.date(2024, 1, d) for d in (1, 2, 3)]

    def backfill() -> dict[str, list[str]]:
        for day in days:
            # dag.test gives a manual run the interval that ends at its logical date
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
            assert dag.test(logical_date=end, run_conf=conf).state == "success"
        return _lake_rows(lake)

    first = backfill()
    assert lake.partitions("articles") == lake.partitions("runs") == days
    runs = {r["dt"]: r for r in lake.read("runs").to_pylist()}
    assert [runs[d.isoformat()]["kept"] for d in days] == [2, 3, 2]
    # a corrupt record costs one reject, not its shard
    corrupt = [r for r in lake.read("rejects").to_pylist() if r["reason"] == "corrupt_record"]
    assert sorted(r["dt"] for r in corrupt) == ["2024-01-02", "2024-01-02", "2024-01-03"]
    assert backfill() == first


def test_a_date_without_archives_is_on_record_with_zero_inputs(dagbag, tmp_path):
    archives = tmp_path / "archives"
    archives.mkdir()
    shutil.copy(FIXTURES / "warc" / "CC-NEWS-20240101000000-00000.warc.gz", archives)
    lake = Lake(str(tmp_path / "lake"))
    end = dt.datetime(2024, 1, 6, tzinfo=dt.timezone.utc)  # the interval of 2024-01-05
    run = dagbag.get_dag("news_archive").test(
        logical_date=end, run_conf={"archives": str(archives), "lake": lake.uri})
    assert run.state == "success"
    (summary,) = lake.read("runs").to_pylist()
    assert summary["dt"] == "2024-01-05" and summary["inputs"] == summary["kept"] == 0
    assert lake.read("articles").num_rows == 0


def test_the_sources_file_is_checked_when_it_loads(tmp_path):
    from newsevents_airflow import SOURCES_FILE, read_sources_file

    assert read_sources_file(SOURCES_FILE)["folders"] == ["seeds"]
    for text, message in [("- seeds\n", "a mapping"), ("folder: [seeds]\n", "unknown keys"),
                          ("feeds: https://example.org/rss\n", "feeds must be a list"),
                          ("urls: [1]\n", "urls must be a list")]:
        bad = tmp_path / "sources.yaml"
        bad.write_text(text)
        with pytest.raises(ValueError, match=message):
            read_sources_file(bad)


def test_a_run_owns_the_date_param_else_its_data_interval_else_its_day():
    from types import SimpleNamespace

    from newsevents_airflow import run_interval

    utc = dt.timezone.utc
    start, end = dt.datetime(2024, 1, 1, tzinfo=utc), dt.datetime(2024, 1, 2, tzinfo=utc)
    run = SimpleNamespace(run_after=dt.datetime(2024, 3, 5, 17, 30, tzinfo=utc))
    context = {"data_interval_start": start, "data_interval_end": end, "dag_run": run}
    assert run_interval({"date": "2016-01-12"}, context) == (
        dt.datetime(2016, 1, 12, tzinfo=utc), dt.datetime(2016, 1, 13, tzinfo=utc))
    assert run_interval({}, context) == (start, end)
    no_interval = {"data_interval_start": None, "data_interval_end": None, "dag_run": run}
    assert run_interval({"date": None}, no_interval) == (
        dt.datetime(2024, 3, 5, tzinfo=utc), dt.datetime(2024, 3, 6, tzinfo=utc))
