"""OpenLineage: a run's events name the files each task read and the lake partitions it wrote.

Lineage is configured for the whole test session in conftest.py (file transport, as `make run`).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from conftest import FIXTURES, LINEAGE_EVENTS, ROOT, SEED

from newsevents.schema import TABLES

DAY = "2016-01-12"


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def completed_tasks(run_id: str) -> dict[str, list[dict]]:
    """The COMPLETE events of the DAG run ``run_id``'s tasks (one per map index), by task id."""
    events = [json.loads(line) for line in LINEAGE_EVENTS.read_text().splitlines()]
    tasks: dict[str, list[dict]] = {}
    for e in events:
        if (e["eventType"] == "COMPLETE" and "." in e["job"]["name"]
                and e["run"]["facets"]["airflow"]["dagRun"]["run_id"] == run_id):
            tasks.setdefault(e["job"]["name"].split(".", 1)[1], []).append(e)
    return tasks


def names(event: dict, side: str) -> set[tuple[str, str]]:
    return {(d["namespace"], d["name"]) for d in event[side]}


def test_news_events_reports_the_files_it_read_and_the_partitions_it_wrote(dagbag, tmp_path):
    source = tmp_path / "articles"
    source.mkdir()
    inputs = [shutil.copy(SEED, source), shutil.copy(FIXTURES / "bad" / "empty.txt", source)]
    lake = tmp_path / "lake"
    run = dagbag.get_dag("news_events").test(
        logical_date=dt.datetime(2016, 1, 12, tzinfo=dt.timezone.utc),
        run_conf={"source": str(source), "lake": str(lake), "date": DAY})
    assert run.state == "success"

    tasks = completed_tasks(run.run_id)
    assert set(tasks) == {t.task_id for t in dagbag.get_dag("news_events").tasks}
    assert all(e["job"]["namespace"] == "newsevents" for e in sum(tasks.values(), []))
    (load,), (write,) = tasks["load"], tasks["write_lake"]
    assert names(load, "inputs") == {("file", str(path)) for path in inputs}
    assert names(write, "outputs") == {("file", f"{lake}/{table}/dt={DAY}") for table in TABLES}
    # Each task names its own datasets only, though dag.test runs them all in one process.
    assert not names(write, "inputs") & names(load, "inputs")


def test_each_archive_shard_task_reports_its_own_archive(dagbag, tmp_path):
    end = dt.datetime(2024, 1, 3, tzinfo=dt.timezone.utc)  # the run of 2024-01-02
    run = dagbag.get_dag("news_archive").test(
        logical_date=end, run_conf={"archives": str(FIXTURES / "warc"), "lake": str(tmp_path)})
    assert run.state == "success"

    shards = completed_tasks(run.run_id)["process_shard"]
    assert sorted(tuple(names(e, "inputs")) for e in shards) == [
        (("file", str(FIXTURES / "warc" / name)),)
        for name in ("CC-NEWS-20240102000000-00001.warc.gz", "legacy-crawl.arc.gz")]


def test_dedupe_reports_the_earlier_signatures_it_compares_with(dagbag, tmp_path):
    dag, conf = dagbag.get_dag("news_archive"), {"archives": str(FIXTURES / "warc"),
                                                 "lake": str(tmp_path)}
    runs = [dag.test(logical_date=dt.datetime(2024, 1, d, tzinfo=dt.timezone.utc), run_conf=conf)
            for d in (2, 3)]  # the runs of 2024-01-01 and 2024-01-02
    assert [r.state for r in runs] == ["success", "success"]

    (first,), (second,) = (completed_tasks(r.run_id)["dedupe"] for r in runs)
    assert names(first, "inputs") == set()
    assert names(second, "inputs") == {("file", f"{tmp_path}/signatures/dt=2024-01-01")}


@pytest.mark.parametrize("ref,expected", [
    ("/data/in/a.txt", ("file", "/data/in/a.txt")),
    ("file:///data/in/a.txt", ("file", "/data/in/a.txt")),
    ("s3://news/lake/events/dt=2016-01-12", ("s3://news", "lake/events/dt=2016-01-12")),
    ("https://example.org/rss?section=world", ("https://example.org", "/rss?section=world")),
])
def test_datasets_follow_the_openlineage_naming_spec(ref, expected):
    from newsevents_airflow.lineage import dataset

    found = dataset(ref)
    assert (found.namespace, found.name) == expected


def test_past_the_limit_a_task_reports_the_folders_of_its_files():
    from newsevents_airflow.lineage import MAX_DATASETS, datasets

    refs = [f"s3://cc/news/{day:02d}/CC-NEWS-{i:05d}.warc.gz" for day in (1, 2)
            for i in range(MAX_DATASETS)]
    assert [(d.namespace, d.name) for d in datasets(refs)] == [
        ("s3://cc", "news/01"), ("s3://cc", "news/02")]


def test_reports_are_dropped_when_lineage_is_disabled(monkeypatch):
    from airflow.providers.openlineage import conf

    from newsevents_airflow import lineage

    monkeypatch.setattr(conf, "is_disabled", lambda: True)
    # Outside a task: with lineage on, these would look up the task's context and fail.
    lineage.report_inputs(["/data/in/a.txt"])
    lineage.report_outputs(["/data/lake/events/dt=2016-01-12"])
