"""A real Airflow deployment on this machine, for the distributed test.

    with airflow_cluster(home, lake_root="s3://bucket/lake", lake_connection=conn) as cluster:
        cluster.api("POST", "/api/v2/dags/news_events/dagRuns", json={...})

In order: a fresh PostgreSQL database (dropped at the end), an AIRFLOW_HOME with its
airflow.cfg and ``airflow.env``, the one-off ``INIT_COMMANDS`` (``db migrate``, the pool),
then every component of ``COMPONENTS`` as its own process group logging to
``<home>/logs/<name>.log``; the block starts once the API reports every component healthy
and the workers are ready. Leaving it stops them all and drops the database, whatever happened.

``COMPONENTS``, ``INIT_COMMANDS`` and ``Deployment.env`` are also what docker-compose.yml
runs (tests/test_compose.py checks that), so the compose file uses what this test proved works.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import psycopg2
import redis
from conftest import ROOT, free_port, stop_process_group, wait_for
from cryptography.fernet import Fernet

from newsevents_airflow import FETCH_POOL, LAKE_CONN_ID

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS = {"host": "127.0.0.1", "port": 6379}

# The command line of each Airflow component (after ``airflow``), here and in docker-compose.yml.
COMPONENTS: dict[str, tuple[str, ...]] = {
    "api-server": ("api-server",),
    "scheduler": ("scheduler",),
    "dag-processor": ("dag-processor",),
    "triggerer": ("triggerer",),
    "worker": ("celery", "worker", "--concurrency", "2"),
}
# One-off set-up before the components start (docker-compose.yml's init service runs the same).
INIT_COMMANDS: tuple[tuple[str, ...], ...] = (("db", "migrate"),)
# Pools the DAGs use: name -> (slots, description). The test creates them through the REST API
# (an `airflow pools set` costs ~10 s of CPU); docker-compose.yml's init service with the CLI.
POOLS: dict[str, tuple[int, str]] = {FETCH_POOL: (4, "Concurrent web fetches of newsevents")}
# Only for this test: runs come from the test alone, and a lost task is noticed in seconds.
TEST_SETTINGS = {
    "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "600",  # the DAG files do not change
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
    "AIRFLOW__API__HOST": "127.0.0.1",
}
START_TIMEOUT_S = 240  # db migrate + every component up, on a busy 2-core machine
INIT_TIMEOUT_S = 240
API_TIMEOUT_S = 120  # the api-server shares 2 cores with the tasks; an answer may take a while


def lake_connection(login: str, password: str, endpoint_url: str) -> str:
    """The ``newsevents_lake`` connection in Airflow's JSON form (an ``AIRFLOW_CONN_*`` value)."""
    return json.dumps({"conn_type": "aws", "login": login, "password": password,
                       "extra": {"endpoint_url": endpoint_url}})


@dataclass(frozen=True)
class Deployment:
    """Where the components find each other and the secrets they share."""

    sql_alchemy_conn: str  # postgresql+psycopg2://...
    broker_url: str  # redis://...
    api_url: str  # the api-server, e.g. http://127.0.0.1:8080
    lake_root: str  # s3://bucket/prefix
    lake_connection: str = field(repr=False)
    jwt_secret: str = field(repr=False)
    fernet_key: str = field(repr=False)
    api_secret_key: str = field(repr=False)

    def env(self) -> dict[str, str]:
        """The settings every component gets (docker-compose.yml sets the same keys)."""
        return {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.sql_alchemy_conn,
            "AIRFLOW__CELERY__BROKER_URL": self.broker_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{self.sql_alchemy_conn}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": self.jwt_secret,
            "AIRFLOW__CORE__FERNET_KEY": self.fernet_key,
            "AIRFLOW__API__SECRET_KEY": self.api_secret_key,
            f"AIRFLOW_CONN_{LAKE_CONN_ID.upper()}": self.lake_connection,
            "NEWSEVENTS_LAKE": self.lake_root,
            "NEWSEVENTS_ALLOWED_ROOTS": self.lake_root,
            # OpenLineage events of the tasks, printed to their logs (console transport).
            "AIRFLOW__OPENLINEAGE__NAMESPACE": "newsevents",
            "AIRFLOW__OPENLINEAGE__TRANSPORT": '{"type": "console"}',
            "AIRFLOW__OPENLINEAGE__EXTRACTORS": "newsevents_airflow.lineage.TaskFlowExtractor",
        }


@dataclass
class Cluster:
    """The running deployment: its processes, logs and an authenticated REST client."""

    home: Path
    env: dict[str, str]
    api_url: str
    queue: str
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    client: httpx.Client | None = None

    # -- processes -------------------------------------------------------------------------
    def start(self, name: str, component: str) -> subprocess.Popen:
        """Start one component (``name`` may differ, e.g. two workers) in its own process group."""
        args, env = list(COMPONENTS[component]), dict(self.env)
        if component == "worker":  # workers on one machine need their own name, pid file, port
            args += ["--celery-hostname", f"{name}-{self.queue}@%h",
                     "--pid", str(self.home / f"{name}.pid")]
            env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(free_port())
        elif component == "triggerer":
            env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = str(free_port())
        with open(self.log_path(name), "ab") as log:
            proc = subprocess.Popen([AIRFLOW, *args], env=env, cwd=self.home, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def stop_all(self) -> None:
        """SIGTERM every component at once, then wait for (or SIGKILL) each."""
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        while self.procs:
            stop_process_group(self.procs.popitem()[1])

    def kill(self, name: str) -> None:
        """What a lost machine looks like: SIGKILL the component and every process it started.

        Airflow runs each task in a process group of its own, so the worker's group alone
        would leave the task running; every descendant is killed too.
        """
        proc = self.procs.pop(name)
        victims = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        for victim in victims:
            try:
                victim.kill()
            except psutil.NoSuchProcess:
                pass
        proc.wait(timeout=30)

    def owner_of(self, pid: int) -> str | None:
        """The component whose process tree contains ``pid``."""
        for name, proc in self.procs.items():
            try:
                if pid in {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}:
                    return name
            except psutil.NoSuchProcess:
                continue
        return None

    def log_path(self, name: str) -> Path:
        return self.home / "logs" / f"{name}.log"

    def log(self, name: str) -> str:
        return self.log_path(name).read_text(errors="replace")

    def tail(self, lines: int = 25) -> str:
        """The end of every component's log, for a failing assertion's message."""
        parts = []
        for path in sorted((self.home / "logs").glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(parts)

    # -- REST API ----------------------------------------------------------------------------
    def api(self, method: str, path: str, expect: int | None = 200, **kwargs) -> httpx.Response:
        response = self.client.request(method, path, **kwargs)
        if expect is not None and response.status_code != expect:
            raise AssertionError(f"{method} {path}: HTTP {response.status_code} {response.text}")
        return response

    def wait_ready(self, workers: Sequence[str], dag_ids: Sequence[str]) -> None:
        def healthy() -> bool:
            self._check_alive()
            try:
                health = httpx.get(f"{self.api_url}/api/v2/monitor/health", timeout=5).json()
            except httpx.HTTPError:
                return False
            return all(health.get(c, {}).get("status") == "healthy"
                       for c in ("metadatabase", "scheduler", "triggerer", "dag_processor"))

        wait_for(healthy, START_TIMEOUT_S, "Airflow components healthy", every_s=2)
        self.client = httpx.Client(base_url=self.api_url, timeout=API_TIMEOUT_S,
                                   headers={"Authorization": f"Bearer {self._token()}"})
        wait_for(lambda: self._check_alive() or all(self._worker_ready(w) for w in workers),
                 START_TIMEOUT_S, "Celery workers ready", every_s=2)
        for pool, (slots, description) in POOLS.items():
            self.api("POST", "/api/v2/pools", expect=201,
                     json={"name": pool, "slots": slots, "description": description})
        wait_for(lambda: self._dags_parsed(dag_ids), START_TIMEOUT_S, f"DAGs {dag_ids} parsed",
                 every_s=2)

    def wait_runs(self, dag_id: str, run_ids: Sequence[str], timeout_s: float) -> list[dict]:
        """The DAG runs once all have finished (success or failed)."""
        def finished() -> list[dict] | None:
            self._check_alive()
            runs = [self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{r}").json() for r in run_ids]
            return runs if all(r["state"] in ("success", "failed") for r in runs) else None

        return wait_for(finished, timeout_s, f"runs {list(run_ids)} of {dag_id} finished",
                        every_s=3)

    def task_instances(self, dag_id: str, run_id: str, task_id: str | None = None) -> list[dict]:
        params = {"limit": 1000, **({"task_id": task_id} if task_id else {})}
        tis = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances",
                       params=params).json()["task_instances"]
        return [ti for ti in tis if task_id is None or ti["task_id"] == task_id]

    def _token(self) -> str:
        generated = self.home / "simple_auth_manager_passwords.json.generated"
        passwords = json.loads(generated.read_text())
        response = httpx.post(f"{self.api_url}/auth/token", timeout=API_TIMEOUT_S,
                              json={"username": "admin", "password": passwords["admin"]})
        response.raise_for_status()
        return response.json()["access_token"]

    def _worker_ready(self, name: str) -> bool:
        log = self.log(name)
        return f"{name}-{self.queue}@" in log and " ready." in log

    def _dags_parsed(self, dag_ids: Sequence[str]) -> bool:
        errors = self.api("GET", "/api/v2/importErrors").json()["import_errors"]
        if errors:
            raise RuntimeError("DAG import errors:\n" + "\n".join(e["stack_trace"] for e in errors))
        return all(self.api("GET", f"/api/v2/dags/{d}", expect=None).status_code == 200
                   for d in dag_ids)

    def _check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        if dead:
            raise RuntimeError(f"Airflow components exited: {dead}\n{self.tail()}")


@contextmanager
def postgres_database(prefix: str = "newsevents_test") -> Iterator[str]:
    """A new, empty PostgreSQL database for this session; dropped (with its sessions) at the end."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = psycopg2.connect(dbname="postgres", **POSTGRES)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def forget_queue(queue: str) -> None:
    """Remove what Celery keeps in Redis for ``queue``: Redis outlives the test, the queue not.

    That is the queue, its bindings and the unacknowledged messages of killed workers
    (kombu keeps those as ``[message, exchange, routing_key]`` to redeliver them later).
    """
    client = redis.Redis(**REDIS)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, entry in client.hgetall("unacked").items():
        if json.loads(entry)[-1] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.close()


@contextmanager
def airflow_cluster(home: Path, lake_root: str, lake_connection: str,
                    workers: Sequence[str] = ("w1", "w2"),
                    dag_ids: Sequence[str] = ("news_events", "news_archive")) -> Iterator[Cluster]:
    """Airflow with the CeleryExecutor on PostgreSQL and Redis, every component a process."""
    with ExitStack() as stack:
        database = stack.enter_context(postgres_database())
        api_port = free_port()
        api_url = f"http://127.0.0.1:{api_port}"
        deployment = Deployment(
            sql_alchemy_conn="postgresql+psycopg2://{user}@{host}:{port}/{db}".format(
                db=database, **POSTGRES),
            broker_url="redis://{host}:{port}/0".format(**REDIS),
            api_url=api_url, lake_root=lake_root, lake_connection=lake_connection,
            jwt_secret=secrets.token_urlsafe(32), fernet_key=Fernet.generate_key().decode(),
            api_secret_key=secrets.token_urlsafe(32),
        )
        # A queue of its own: two test sessions sharing Redis never take each other's tasks.
        queue = database.replace("_", "-")
        stack.callback(forget_queue, queue)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSEVENTS_"))}
        env |= {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
            **deployment.env(),
            **TEST_SETTINGS,
        }
        (home / "logs").mkdir(parents=True, exist_ok=True)
        (home / "airflow.env").write_text(  # to rerun a command by hand: set -a; . airflow.env
            "".join(f"{k}={shlex.quote(v)}\n" for k, v in sorted(env.items())
                    if k.startswith(("AIRFLOW", "NEWSEVENTS_"))))
        cluster = Cluster(home=home, env=env, api_url=api_url, queue=queue)
        for command in INIT_COMMANDS:
            _run_once(cluster, command)
        stack.callback(cluster.stop_all)
        for component in ("api-server", "scheduler", "dag-processor", "triggerer"):
            cluster.start(component, component)
        for worker in workers:
            cluster.start(worker, "worker")
        started = time.monotonic()
        cluster.wait_ready(workers, dag_ids)
        print(f"Airflow cluster ready in {time.monotonic() - started:.0f}s at {api_url} ({home})")
        yield cluster


def _run_once(cluster: Cluster, command: tuple[str, ...]) -> None:
    name = command[0]
    with open(cluster.log_path(name), "ab") as log:
        result = subprocess.run([AIRFLOW, *command], env=cluster.env, cwd=cluster.home, stdout=log,
                                stderr=subprocess.STDOUT, timeout=INIT_TIMEOUT_S, check=False)
    if result.returncode:
        raise RuntimeError(f"airflow {' '.join(command)} failed:\n{cluster.log(name)[-3000:]}")
