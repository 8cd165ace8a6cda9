"""The lake on S3 (moto_server on 127.0.0.1): the same Delta tables and commits as on disk.

delta-rs commits a version with a conditional PUT (``If-None-Match: *``) of its log entry,
so no DynamoDB lock is needed; moto_server honours the header (checked below), though not
atomically with the write, so racing writers are tested on disk (test_lake_concurrency.py).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError
from deltalake import DeltaTable

from newsevents import query
from newsevents.lake import Lake, delta_storage_options
from newsevents.schema import Reject

DAY = dt.date(2016, 1, 12)
PARTITION = "lake/rejects/dt=2016-01-12/"


def rejects(*reasons: str) -> list[Reject]:
    return [Reject(source=f"in/{i}", stage="load", reason=r) for i, r in enumerate(reasons)]


@pytest.fixture
def bucket(s3_server) -> str:
    return s3_server.create_bucket()


@pytest.fixture
def lake(s3_server, bucket) -> Lake:
    return Lake(f"s3://{bucket}/lake", s3_server.options())


def data_files(s3_server, bucket: str, prefix: str = PARTITION) -> list[str]:
    return [k for k in s3_server.keys(bucket, prefix) if not k.endswith("/")]


def test_rewriting_a_date_on_s3_replaces_it(s3_server, bucket, lake):
    lake.write_records("rejects", DAY, rejects("empty", "binary"))
    lake.write_records("rejects", DAY, rejects("invalid_utf8"))
    assert lake.read("rejects")["reason"].to_pylist() == ["invalid_utf8"]
    files = data_files(s3_server, bucket)
    assert len(files) == 2 and all(f.endswith(".parquet") for f in files)  # old one for as-of
    log = data_files(s3_server, bucket, "lake/rejects/_delta_log/")
    assert [k.rsplit("/", 1)[1] for k in log] == [f"{v:020d}.json" for v in range(3)]
    delta = DeltaTable(lake.table_uri("rejects"), storage_options=delta_storage_options(
        s3_server.options()))  # any delta-rs reader, as the README shows
    assert delta.version() == 2
    assert lake.dataset("rejects", as_of=1).to_table()["reason"].to_pylist() == [
        "empty", "binary"]


def test_a_crash_before_the_commit_leaves_the_old_rows_visible_on_s3(s3_server, bucket, lake):
    lake.write_records("rejects", DAY, rejects("empty"))

    def broken_stream():
        yield from rejects("binary")
        raise OSError("connection reset")

    # delta-rs hands on the stream's error through the Arrow C stream interface: as a
    # DeltaError or a plain Exception depending on the build; the message is the stream's
    with pytest.raises(Exception, match="connection reset"):
        lake.write_records("rejects", DAY, broken_stream())
    assert lake.read("rejects")["reason"].to_pylist() == ["empty"]


def test_a_file_no_commit_names_is_invisible_on_s3(s3_server, bucket, lake):
    lake.write_records("rejects", DAY, rejects("empty"))
    buf = io.BytesIO()
    pq.write_table(lake.read("rejects").drop(["dt"]), buf)
    s3_server.client().put_object(Bucket=bucket, Key="lake/rejects/dt=2016-01-13/part-x.parquet",
                                  Body=buf.getvalue())
    assert lake.partitions("rejects") == [DAY]
    assert lake.read("rejects").num_rows == 1
    assert Lake(f"s3://{bucket}/empty", s3_server.options()).partitions("rejects") == []


def test_the_store_refuses_to_overwrite_a_log_entry(s3_server, bucket, lake):
    """What delta-rs relies on: a PUT with ``If-None-Match: *`` never replaces a version."""
    lake.write_records("rejects", DAY, rejects("empty"))
    key = "lake/rejects/_delta_log/00000000000000000001.json"
    with pytest.raises(ClientError, match="PreconditionFailed"):
        s3_server.client().put_object(Bucket=bucket, Key=key, Body=b"{}", IfNoneMatch="*")
    assert lake.read("rejects")["reason"].to_pylist() == ["empty"]
    assert delta_storage_options(s3_server.options())["aws_conditional_put"] == "etag"


def test_query_reads_the_s3_tables(lake):
    lake.write_records("rejects", DAY, rejects("empty", "binary", "empty"))
    lake.write_records("rejects", DAY + dt.timedelta(days=1), rejects("binary"))
    df = query.run_sql(lake, "SELECT dt, reason, count(*) AS n FROM rejects "
                             "GROUP BY ALL ORDER BY ALL")
    assert df.to_dict("records") == [
        {"dt": "2016-01-12", "reason": "binary", "n": 1},
        {"dt": "2016-01-12", "reason": "empty", "n": 2},
        {"dt": "2016-01-13", "reason": "binary", "n": 1},
    ]
    assert query.run_sql(lake, "SELECT count(*) AS n FROM events")["n"][0] == 0


def test_staged_files_and_state_round_trip_on_s3(s3_server, bucket, lake):
    path = lake.stage("run-1", "rejects", "rejects", rejects("empty", "binary"))
    assert [r.reason for r in lake.unstage(path, "rejects")] == ["empty", "binary"]
    lake.write_state("feeds", '{"etag": "x"}')
    assert lake.read_state("feeds") == '{"etag": "x"}' and lake.read_state("other") is None
    lake.clear_staging("run-1")
    assert data_files(s3_server, bucket, "lake/_staging/") == []
    with pytest.raises(ValueError):
        list(lake.unstage(f"{bucket}-other/lake/_staging/run-1/rejects.parquet", "rejects"))


@pytest.fixture
def lake_connection(s3_server, bucket, monkeypatch) -> str:
    """The Airflow connection ``newsevents_lake`` as a deployment gives it: an env variable."""
    monkeypatch.setenv("AIRFLOW_CONN_NEWSEVENTS_LAKE", json.dumps({
        "conn_type": "aws", "login": s3_server.access_key, "password": s3_server.secret_key,
        "extra": {"endpoint_url": s3_server.endpoint_url},
    }))
    monkeypatch.setenv("NEWSEVENTS_ALLOWED_ROOTS", f"s3://{bucket}/lake")
    return f"s3://{bucket}/lake"


def test_open_lake_reaches_s3_through_the_airflow_connection(s3_server, lake_connection, caplog):
    from newsevents_airflow import open_lake

    caplog.set_level(logging.DEBUG)
    lake = open_lake(lake_connection + "/")
    lake.write_records("rejects", DAY, rejects("empty"))
    assert open_lake(lake_connection).read("rejects")["reason"].to_pylist() == ["empty"]
    shown = [caplog.text, repr(lake), repr(lake.__dict__), repr(s3_server.options()),
             lake.display_path(lake.partition_dir("rejects", DAY)),
             repr(lake.history("rejects")), lake.table_uri("rejects")]
    assert not [s for s in shown if s3_server.secret_key in s]


@pytest.mark.parametrize("root", ["s3://other-bucket/lake", "s3://{bucket}/lake/../elsewhere",
                                  "s3://{bucket}", "file:///tmp/lake"])
def test_open_lake_refuses_roots_outside_the_allowed_ones(lake_connection, bucket, root):
    from newsevents_airflow import open_lake

    with pytest.raises(ValueError, match="allowed roots|only local paths"):
        open_lake(root.format(bucket=bucket))
