"""Test session set-up: a private AIRFLOW_HOME (SQLite) before anything imports Airflow."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytest_plugins = ["s3server"]  # the s3_server fixture (moto_server on 127.0.0.1)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEED = ROOT / "seeds" / "000_32ee20c48493cecc.txt"

# Airflow reads its configuration at import time, so this must run before any test module
# imports it. Lakes of tests live under the system temp folder, which is allowed here.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="newsevents-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "dags")
os.environ["AIRFLOW__CORE__PLUGINS_FOLDER"] = str(ROOT / "plugins")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_HOME}/airflow.db"
os.environ["NEWSEVENTS_ALLOWED_ROOTS"] = f"{tempfile.gettempdir()},{ROOT / 'data'}"
# OpenLineage as `make run` has it, its events appended to LINEAGE_EVENTS (tests/test_lineage.py).
LINEAGE_EVENTS = _AIRFLOW_HOME / "openlineage.jsonl"
os.environ["AIRFLOW__OPENLINEAGE__NAMESPACE"] = "newsevents"
os.environ["AIRFLOW__OPENLINEAGE__TRANSPORT"] = json.dumps(
    {"type": "file", "log_file_path": str(LINEAGE_EVENTS), "append": True})
os.environ["AIRFLOW__OPENLINEAGE__EXTRACTORS"] = "newsevents_airflow.lineage.TaskFlowExtractor"


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def airflow_db():
    """Airflow's metadata database, reset once per session."""
    from airflow.utils import db

    db.resetdb()
    return _AIRFLOW_HOME


@pytest.fixture
def lake_dir(tmp_path) -> Path:
    return tmp_path / "lake"


@pytest.fixture
def seed_path() -> Path:
    return SEED


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout_s: float, what: str,
             every_s: float = 0.5) -> object:
    """Poll ``condition`` until it returns something truthy; TimeoutError after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout_s:.0f}s")
        time.sleep(every_s)
    return result


def port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


def stop_process_group(proc: subprocess.Popen, timeout_s: float = 15) -> None:
    """Stop a process started with ``start_new_session=True`` and everything in its group.

    SIGTERM first, so it can shut down cleanly; then SIGKILL for whatever is left, leader or not.
    """
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def require_service(host: str, port: int, name: str) -> None:
    """Skip when a service is missing, except under CI=true, where that is a failure."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as exc:
        message = f"{name} is not reachable on {host}:{port} ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
