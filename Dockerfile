# The newsevents image: Airflow 3.3 and the newsevents package, installed from requirements.lock
# (exact versions, hashes checked) with uv. docker-compose.yml runs one container per component;
# the entrypoint is `airflow`, so a container's command is the component, e.g. `scheduler`.
FROM python:3.11-slim-bookworm

COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv

ENV AIRFLOW_HOME=/opt/airflow \
    PYTHONUNBUFFERED=1 \
    UV_SYSTEM_PYTHON=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_NO_CACHE=1

WORKDIR /opt/airflow

# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY requirements.lock pyproject.toml ./
RUN uv pip sync requirements.lock

# The package, editable: compose mounts ./include over it, so code edits need no rebuild.
COPY include/ include/
RUN uv pip install --no-deps -e .
COPY dags/ dags/
COPY plugins/ plugins/
COPY seeds/ seeds/

# Airflow's conventional uid; group 0 so any uid given with `user:` can write AIRFLOW_HOME.
RUN useradd --uid 50000 --gid 0 --home-dir /opt/airflow --no-create-home airflow \
    && chown -R 50000:0 /opt/airflow && chmod -R g+w /opt/airflow
USER 50000

ENTRYPOINT ["airflow"]
CMD ["version"]
