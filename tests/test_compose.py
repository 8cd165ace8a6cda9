"""docker-compose.yml runs what the distributed test proved works (Docker cannot run here).

The component commands, the one-off set-up and the settings come from tests/airflow_cluster.py,
the module that starts the same deployment on this machine for tests/test_distributed.py.
"""

from __future__ import annotations

import json
import re
import shlex
from urllib.parse import urlsplit

import pytest
import yaml
from airflow_cluster import COMPONENTS, INIT_COMMANDS, POOLS, TEST_SETTINGS, Deployment
from conftest import ROOT

VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}")
NOT_SECRET = {"AIRFLOW_UID"}


def strings(value: object) -> list[str]:
    """Every string in a parsed YAML value."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def interpolated(value: object) -> object:
    """``value`` with each ``${NAME...}`` replaced by ``<NAME>``, as compose would fill it in."""
    if isinstance(value, dict):
        return {k: interpolated(v) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolated(v) for v in value]
    return VARIABLE.sub(lambda m: f"<{m[1]}>", value) if isinstance(value, str) else value


RAW = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
COMPOSE = interpolated(RAW)
SERVICES = COMPOSE["services"]
AIRFLOW_SERVICES = {f"airflow-{name}": command for name, command in COMPONENTS.items()}
ENV_EXAMPLE = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
                   if line.strip() and not line.startswith("#"))


def shell_commands(service: dict) -> list[list[str]]:
    """The ``&&``-joined commands a ``/bin/sh -c`` service runs, each split like a shell would."""
    assert service["entrypoint"][-1] == "-c"
    (script,) = service["command"]
    return [shlex.split(part) for part in script.split("&&")]


def test_the_stack_has_every_component_and_service():
    assert set(SERVICES) == {"postgres", "redis", "minio", "minio-init", "airflow-init",
                             *AIRFLOW_SERVICES}


@pytest.mark.parametrize("service", sorted(AIRFLOW_SERVICES))
def test_each_airflow_component_runs_the_built_image_with_the_tested_command(service):
    spec = SERVICES[service]
    assert spec["build"] == "." and spec["image"] == SERVICES["airflow-init"]["image"]
    assert spec["command"] == list(AIRFLOW_SERVICES[service])  # after the image's `airflow`
    assert {"airflow-init", "minio-init"} <= set(spec["depends_on"])


def test_init_migrates_the_database_and_creates_the_pools_the_test_creates():
    expected = [["airflow", *command] for command in INIT_COMMANDS]
    expected += [["airflow", "pools", "set", name, str(slots), description]
                 for name, (slots, description) in POOLS.items()]
    assert shell_commands(SERVICES["airflow-init"]) == expected
    assert set(SERVICES["airflow-init"]["depends_on"]) == {"postgres", "redis"}


def test_the_image_installs_the_lock_file_with_uv_and_runs_airflow():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "RUN uv pip sync requirements.lock" in dockerfile
    assert "RUN uv pip install --no-deps -e ." in dockerfile
    assert 'ENTRYPOINT ["airflow"]' in dockerfile
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.MULTILINE):
        assert all((ROOT / path).exists() for path in source.split()), source
    lock = (ROOT / "requirements.lock").read_text()
    assert "\napache-airflow==3.3." in lock and "\ncelery==5.6.3" in lock


@pytest.mark.parametrize("service", sorted([*AIRFLOW_SERVICES, "airflow-init"]))
def test_airflow_settings_are_the_ones_the_distributed_test_uses(service):
    env = SERVICES[service]["environment"]
    database = SERVICES["postgres"]["environment"]
    minio = SERVICES["minio"]["environment"]
    sql = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    assert (sql.scheme, sql.hostname, sql.path) == (
        "postgresql+psycopg2", "postgres", f"/{database['POSTGRES_DB']}")
    assert sql.username == database["POSTGRES_USER"]
    assert sql.password == database["POSTGRES_PASSWORD"]
    broker = urlsplit(env["AIRFLOW__CELERY__BROKER_URL"])
    assert (broker.scheme, broker.hostname) == ("redis", "redis")
    lake = json.loads(env["AIRFLOW_CONN_NEWSEVENTS_LAKE"])
    assert lake == {"conn_type": "aws", "login": minio["MINIO_ROOT_USER"],
                    "password": minio["MINIO_ROOT_PASSWORD"],
                    "extra": {"endpoint_url": "http://minio:9000"}}
    api_port = SERVICES["airflow-api-server"]["ports"][0].rsplit(":", 1)[1]
    expected = Deployment(
        sql_alchemy_conn=env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
        broker_url=env["AIRFLOW__CELERY__BROKER_URL"],
        api_url=f"http://airflow-api-server:{api_port}",
        lake_root="s3://newsevents/lake",
        lake_connection=env["AIRFLOW_CONN_NEWSEVENTS_LAKE"],
        jwt_secret="<AIRFLOW_JWT_SECRET>",
        fernet_key="<AIRFLOW_FERNET_KEY>",
        api_secret_key="<AIRFLOW_API_SECRET_KEY>",
    ).env()
    assert env == expected
    assert not set(TEST_SETTINGS) & set(env)  # the test's shortcuts stay out of deployments


def test_the_lake_bucket_is_created_in_minio():
    mb = [c for c in shell_commands(SERVICES["minio-init"]) if c[:2] == ["mc", "mb"]]
    assert mb == [["mc", "mb", "--ignore-existing", "lake/newsevents"]]
    alias = shell_commands(SERVICES["minio-init"])[0]
    assert alias[:4] == ["mc", "alias", "set", "lake"] and alias[4] == "http://minio:9000"
    assert SERVICES["minio-init"]["depends_on"]["minio"]["condition"] == "service_healthy"


def test_every_variable_is_in_env_example_and_secrets_have_no_default():
    used = [ref for text in strings(RAW) for ref in VARIABLE.findall(text)]
    assert {name for name, _ in used} == set(ENV_EXAMPLE)
    for name, modifier in used:
        if name not in NOT_SECRET:
            assert modifier.startswith(":?"), f"${{{name}}} must be required, not defaulted"
    secrets = {name: value for name, value in ENV_EXAMPLE.items() if name not in NOT_SECRET}
    assert set(secrets.values()) == {"replace-me"}  # placeholders, never usable defaults
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_mounted_paths_exist_and_named_volumes_are_declared():
    for name, spec in SERVICES.items():
        for volume in spec.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (ROOT / source).is_dir(), f"{name} mounts missing {source}"
            else:
                assert source in COMPOSE["volumes"], f"{name} uses undeclared volume {source}"
        for dependency in spec.get("depends_on", {}):
            assert dependency in SERVICES


def test_the_lake_connection_gives_delta_rs_what_its_minio_guide_lists():
    """Conditional PUTs (no DynamoDB), plain HTTP inside the network, MinIO's endpoint."""
    from newsevents.lake import S3Options, delta_storage_options

    env = SERVICES["airflow-worker"]["environment"]
    connection = json.loads(env["AIRFLOW_CONN_NEWSEVENTS_LAKE"])
    options = delta_storage_options(S3Options(
        endpoint_url=connection["extra"]["endpoint_url"], access_key=connection["login"],
        secret_key=connection["password"]))
    assert {k: options[k] for k in ("aws_conditional_put", "AWS_ALLOW_HTTP",
                                    "AWS_ENDPOINT_URL")} == {
        "aws_conditional_put": "etag", "AWS_ALLOW_HTTP": "true",
        "AWS_ENDPOINT_URL": "http://minio:9000"}
    assert "AWS_S3_LOCKING_PROVIDER" not in options  # delta-rs 1.x has no DynamoDB lock
    # MinIO answers If-None-Match: * on PutObject in every release since mid-2024.
    release = SERVICES["minio"]["image"].split(":RELEASE.", 1)[1]
    assert release >= "2024-08-01"
