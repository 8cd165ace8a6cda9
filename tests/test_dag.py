"""The DAGs: they import cleanly, and a whole run of news_events fills a temporary lake."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ROOT

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
