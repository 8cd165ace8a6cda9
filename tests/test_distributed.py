"""The DAGs on a real distributed Airflow: api-server, scheduler, dag-processor, triggerer and
two Celery workers on PostgreSQL and Redis, writing the lake to an S3 endpoint (moto_server).

Everything a user does goes through the REST API: trigger runs with Params, backfill a date
range, clear a run. One cluster serves the whole module (tests/airflow_cluster.py); the tests
run in order and each leaves the lake as the next one expects.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from airflow_cluster import POSTGRES, REDIS, airflow_cluster, lake_connection
from conftest import FIXTURES, ROOT, require_service, wait_for
from deltalake import DeltaTable

from newsevents.lake import Lake, delta_storage_options
from newsevents.schema import TABLES

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(1800)]

ARCHIVES = str(FIXTURES / "warc")
ARCHIVE_DATES = [dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2024, 1, 3)]
RUN_TIMEOUT_S = 900  # a busy 2-core machine needs ~20 s per task (mostly imports); slower CPUs more
# What two runs over the same input may differ in: when and as which run they ran, and the
# table versions they committed.
RUN_FIELDS_THAT_VARY = {"run_id", "elapsed_s", "started_at", "table_versions"}


@pytest.fixture(scope="module")
def cluster(s3_server, tmp_path_factory):
    require_service(POSTGRES["host"], POSTGRES["port"], "PostgreSQL")
    require_service(REDIS["host"], REDIS["port"], "Redis")
    bucket = s3_server.create_bucket()
    connection = lake_connection(s3_server.access_key, s3_server.secret_key, s3_server.endpoint_url)
    with airflow_cluster(tmp_path_factory.mktemp("airflow"), f"s3://{bucket}/lake",
                         connection) as running:
        yield running


@pytest.fixture(scope="module")
def lake(cluster, s3_server) -> Lake:
    return Lake(cluster.env["NEWSEVENTS_LAKE"], s3_server.options())


@pytest.fixture(scope="module")
def archive_lake() -> dict:
    """What the first backfill left in the lake, for the tests that re-run it."""
    return {}


def contents(lake: Lake) -> dict[str, list[str]]:
    """Every committed row of every table, comparable between runs (sorted, run facts dropped)."""
    tables = {}
    for table in TABLES:
        drop = RUN_FIELDS_THAT_VARY if table == "runs" else set()
        rows = [{k: v for k, v in row.items() if k not in drop}
                for row in lake.read(table).to_pylist()]
        tables[table] = sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)
    return tables


def versions(lake: Lake) -> dict[str, int]:
    """The latest version of each table, read by delta-rs from the S3 endpoint."""
    return {t: DeltaTable(lake.table_uri(t), storage_options=delta_storage_options(lake.s3))
            .version() for t in TABLES}


def differences(before: dict, after: dict) -> dict:
    """Per table: row counts and a few rows only one side has (for a failing comparison)."""
    return {t: {"rows": (len(before[t]), len(after[t])),
                "only_before": sorted(set(before[t]) - set(after[t]))[:3],
                "only_after": sorted(set(after[t]) - set(before[t]))[:3]}
            for t in before if before[t] != after[t]}


def trigger(cluster, dag_id: str, conf: dict, expect: int | None = 200):
    return cluster.api("POST", f"/api/v2/dags/{dag_id}/dagRuns", expect=expect,
                       json={"logical_date": None, "conf": conf})


def run_backfill(cluster, conf: dict, reprocess: str, during=None) -> list[dict]:
    """Backfill news_archive over ARCHIVE_DATES and wait; ``during(run_ids)`` runs meanwhile."""
    backfill = cluster.api("POST", "/api/v2/backfills", json={
        "dag_id": "news_archive", "from_date": f"{ARCHIVE_DATES[0]}T00:00:00Z",
        "to_date": f"{ARCHIVE_DATES[-1]}T00:00:00Z", "dag_run_conf": conf,
        "reprocess_behavior": reprocess, "max_active_runs": 3}).json()
    run_ids = [r["dag_run_id"] for r in cluster.api(
        "GET", "/api/v2/dags/news_archive/dagRuns",
        params={"run_type": "backfill", "order_by": "logical_date"}).json()["dag_runs"]]
    assert len(run_ids) == len(ARCHIVE_DATES), run_ids
    if during:
        during(run_ids)
    runs = cluster.wait_runs("news_archive", run_ids, RUN_TIMEOUT_S)
    backfill_path = f"/api/v2/backfills/{backfill['id']}"
    wait_for(lambda: cluster.api("GET", backfill_path).json()["completed_at"], 60,
             "backfill marked complete", every_s=2)
    assert [r["state"] for r in runs] == ["success"] * len(runs), cluster.tail()
    return runs


# -- refused before any task runs -----------------------------------------------------------

@pytest.mark.parametrize("name,value,words", [
    ("date", "2024-02-30", "2024-02-30"),
    ("date", "01/02/2024", "01/02/2024"),
    ("feeds", ["file:///etc/passwd"], "file:///etc/passwd"),
    ("urls", ["http://10.0.0.8/internal"], "http://10.0.0.8/internal"),
    ("urls", ["http://169.254.169.254/latest/meta-data/"], "169.254.169.254"),
    ("lake", "/etc/newsevents", "/etc/newsevents"),
    ("lake", "s3://another-bucket/lake", "s3://another-bucket/lake"),
    ("lake", "file:///tmp/lake", "file:///tmp/lake"),
])
def test_invalid_params_are_refused_by_the_rest_api_before_any_run(cluster, lake, name, value,
                                                                    words):
    conf = {"source": str(ROOT / "seeds"), "lake": lake.uri, name: value}
    response = trigger(cluster, "news_events", conf, expect=None)
    assert response.status_code == 400
    message = response.json()["detail"]
    assert f"param {name}" in message and words in message  # names the field and the value
    runs = cluster.api("GET", "/api/v2/dags/news_events/dagRuns").json()
    assert runs["total_entries"] == 0


def test_a_backfill_with_invalid_params_is_refused(cluster, lake):
    response = cluster.api("POST", "/api/v2/backfills", expect=None, json={
        "dag_id": "news_archive", "from_date": "2024-01-01T00:00:00Z",
        "to_date": "2024-01-03T00:00:00Z",
        "dag_run_conf": {"archives": ARCHIVES, "lake": "/etc/newsevents"}})
    assert response.status_code == 422
    assert "/etc/newsevents" in response.text
    assert cluster.api("GET", "/api/v2/dags/news_archive/dagRuns").json()["total_entries"] == 0


# -- runs ------------------------------------------------------------------------------------

def test_a_rest_triggered_run_succeeds_with_its_params(cluster, lake):
    conf = {"source": str(ROOT / "seeds"), "date": "2016-01-12", "lake": lake.uri, "window_days": 3}
    run = trigger(cluster, "news_events", conf).json()
    (finished,) = cluster.wait_runs("news_events", [run["dag_run_id"]], RUN_TIMEOUT_S)
    assert finished["state"] == "success", cluster.tail()
    assert finished["conf"] == conf
    # The date Param, not the run's own date, chose the partition; the source Param its input.
    assert lake.partitions("runs") == [dt.date(2016, 1, 12)]
    (summary,) = lake.read("runs").to_pylist()
    assert summary["inputs"] == summary["kept"] == 1
    assert lake.read("events").num_rows > 0


def test_a_backfill_spreads_mapped_shards_over_both_workers_and_writes_three_partitions(
        cluster, lake, archive_lake):
    conf = {"archives": ARCHIVES, "lake": lake.uri, "window_days": 0}
    runs = run_backfill(cluster, conf, reprocess="none")
    assert [r["conf"] for r in runs] == [conf] * 3
    for table in ("articles", "runs"):  # besides the REST-triggered run's 2016-01-12
        assert set(lake.partitions(table)) - {dt.date(2016, 1, 12)} == set(ARCHIVE_DATES)
    shards = [ti for r in runs for ti in cluster.task_instances("news_archive", r["dag_run_id"],
                                                                  "process_shard")]
    assert len(shards) >= 3 and all(ti["state"] == "success" for ti in shards)
    ran = {w: shard_ids_run_by(cluster, w) & {ti["id"] for ti in shards} for w in ("w1", "w2")}
    assert all(ran.values()), f"each worker should run mapped shards: {ran}"
    archive_lake.update(contents(lake))
    archive_lake["versions"] = versions(lake)
    articles = lake.read("articles")
    assert articles.num_rows > 0
    assert len(set(articles["article_id"].to_pylist())) == articles.num_rows  # no duplicates


def test_a_rerun_with_a_worker_killed_mid_shard_leaves_the_same_lake(cluster, lake, archive_lake):
    """Re-running the backfill writes nothing new, even when a worker dies under a shard."""
    assert archive_lake, "needs the backfill of the previous test"
    killed = {}

    def kill_a_worker_running_a_shard(run_ids: list[str]) -> None:
        def running_shard() -> dict | None:
            for run_id in run_ids:
                for ti in cluster.task_instances("news_archive", run_id, "process_shard"):
                    if ti["state"] == "running" and ti["pid"] and cluster.owner_of(ti["pid"]):
                        return ti
            return None

        ti = wait_for(running_shard, RUN_TIMEOUT_S, "a mapped shard running", every_s=0.2)
        killed.update(ti=ti, worker=cluster.owner_of(ti["pid"]))
        cluster.kill(killed["worker"])
        cluster.start("w3", "worker")  # the replacement machine

    run_backfill(cluster, {"archives": ARCHIVES, "lake": lake.uri, "window_days": 0},
                 reprocess="completed", during=kill_a_worker_running_a_shard)
    ti = killed["ti"]
    (after,) = [t for t in cluster.task_instances("news_archive", ti["dag_run_id"], "process_shard")
                if t["map_index"] == ti["map_index"]]
    assert after["state"] == "success" and after["try_number"] > ti["try_number"]
    survivors = [w for w in cluster.procs if w.startswith("w")]  # the killed one is gone
    assert any(after["id"] in shard_ids_run_by(cluster, w) for w in survivors)  # (a try's own id)
    first_versions = archive_lake.pop("versions")
    after_rerun = contents(lake)
    # No row lost, none added: the same lake as after the first backfill ...
    assert after_rerun == archive_lake, differences(archive_lake, after_rerun)
    # ... in new versions of the Delta tables: each date committed again, once.
    assert {t: v - first_versions[t] for t, v in versions(lake).items()} == dict.fromkeys(
        TABLES, len(ARCHIVE_DATES))


def shard_ids_run_by(cluster, worker: str) -> set[str]:
    """Task instance ids of the mapped shards a worker's log says it executed."""
    workloads = re.findall(r"Executing workload in Celery: .*", cluster.log(worker))
    return {m for w in workloads if "task_id='process_shard'" in w
            for m in re.findall(r"id=UUID\('([0-9a-f-]+)'\)", w)}
