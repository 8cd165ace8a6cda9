"""A real S3 endpoint for tests: ``moto_server`` on 127.0.0.1, one per test session.

pyarrow's S3 filesystem and the Airflow workers are separate processes talking HTTP, so an
in-process mock cannot serve them; moto's server can. conftest.py loads this module as a
plugin, so any test may ask for the ``s3_server`` fixture.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
from conftest import free_port, port_open, stop_process_group, wait_for

from newsevents.storage import S3Options

MOTO_SERVER = Path(sys.executable).with_name("moto_server")
START_TIMEOUT_S = 30


@dataclass(frozen=True)
class S3Server:
    """How to reach the test endpoint. moto accepts any key pair; these are recognisable."""

    endpoint_url: str
    access_key: str = "newsevents-test-key"
    secret_key: str = field(default="newsevents-test-secret", repr=False)

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key)

    def options(self) -> S3Options:
        return S3Options(endpoint_url=self.endpoint_url, access_key=self.access_key,
                         secret_key=self.secret_key)

    def create_bucket(self, prefix: str = "newsevents") -> str:
        """A new, empty bucket with a unique name (tests never share one)."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every object key under ``prefix`` (directory markers included), sorted."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                          Prefix=prefix)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))


@contextmanager
def moto_server(log_path: Path) -> Iterator[S3Server]:
    """Run ``moto_server`` on a free port until the block ends."""
    port = free_port()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def listening() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with {proc.returncode}; see {log_path}")
            return port_open("127.0.0.1", port)

        wait_for(listening, START_TIMEOUT_S, f"moto_server on port {port}", every_s=0.2)
        yield S3Server(endpoint_url=f"http://127.0.0.1:{port}")
    finally:
        stop_process_group(proc)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:
    with moto_server(tmp_path_factory.mktemp("moto") / "moto_server.log") as server:
        yield server
