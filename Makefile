# newsevents — every target sets itself up: a fresh clone needs only Python 3.11 and `make`.
SHELL := /bin/bash
PY_VERSION ?= 3.11
VENV := .venv
PY := $(VENV)/bin/python
UV := python3 -m uv
export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export NEWSEVENTS_ALLOWED_ROOTS ?= $(CURDIR)/data
# OpenLineage: each task's inputs and outputs, one JSON event a line (README, Runbook).
export AIRFLOW__OPENLINEAGE__NAMESPACE ?= newsevents
export AIRFLOW__OPENLINEAGE__TRANSPORT ?= {"type": "file", "log_file_path": "$(AIRFLOW_HOME)/openlineage.jsonl", "append": true}
export AIRFLOW__OPENLINEAGE__EXTRACTORS := newsevents_airflow.lineage.TaskFlowExtractor
LAKE ?= $(CURDIR)/data/lake
DATE ?= 2016-01-12

.PHONY: help venv lock airflow-db run lint test test-fast airflow bench bench-extract bench-dedupe bench-events bench-archive train-events clean

help:
	@echo "make run    - run the news_events DAG on seeds/ into $(LAKE) and print a summary"
	@echo "make test   - lint (ruff, mypy), then the whole test suite"
	@echo "make airflow - Airflow standalone UI on http://127.0.0.1:8080"
	@echo "make bench  - all benchmarks (results in bench/results/)"

# The venv is rebuilt whenever the lock file or pyproject.toml changes.
$(VENV)/.synced: requirements.lock pyproject.toml
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv || python3 -m pip install --quiet --user uv
	@test -x $(PY) || $(UV) venv --quiet --python $(PY_VERSION) $(VENV)
	@$(UV) pip sync --quiet --python $(PY) requirements.lock
	@$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@touch $@

venv: $(VENV)/.synced

lock:
	$(UV) pip compile requirements-dev.txt --python-version $(PY_VERSION) --generate-hashes -o requirements.lock

$(AIRFLOW_HOME)/.migrated: $(VENV)/.synced
	@mkdir -p $(AIRFLOW_HOME)
	@$(VENV)/bin/airflow db migrate >/dev/null
	@$(VENV)/bin/airflow pools set newsevents_fetch 4 "fetch tasks: bounds crawling across runs" >/dev/null
	@touch $@

airflow-db: $(AIRFLOW_HOME)/.migrated

# The DAG's own log goes to .airflow/last_run.log; the summary is read back from the lake.
run: $(AIRFLOW_HOME)/.migrated
	@mkdir -p data
	@echo "running DAG news_events on seeds/ for $(DATE) (log: $(AIRFLOW_HOME)/last_run.log)"
	@$(VENV)/bin/airflow dags test news_events $(DATE) \
	  -c '{"source": "$(CURDIR)/seeds", "lake": "$(LAKE)", "date": "$(DATE)"}' \
	  > $(AIRFLOW_HOME)/last_run.log 2>&1 \
	  || { tail -n 40 $(AIRFLOW_HOME)/last_run.log; echo "make run: the DAG run failed"; exit 1; }
	@grep -q "DagRun Finished.*state=success" $(AIRFLOW_HOME)/last_run.log \
	  || { tail -n 40 $(AIRFLOW_HOME)/last_run.log; echo "make run: the DAG run did not succeed"; exit 1; }
	@$(VENV)/bin/newsevents summary --lake $(LAKE) --date $(DATE)

# ruff and mypy take their settings (and mypy its files: include, dags, plugins) from pyproject.toml.
lint: $(VENV)/.synced
	@$(VENV)/bin/ruff check include dags plugins
	@$(VENV)/bin/mypy

test: lint
	@$(VENV)/bin/pytest tests

test-fast: $(VENV)/.synced
	@$(VENV)/bin/pytest tests -m "not services and not browser and not slow"

airflow: $(AIRFLOW_HOME)/.migrated
	@echo "Airflow UI: http://127.0.0.1:8080  (user admin; password in $(AIRFLOW_HOME)/simple_auth_manager_passwords.json.generated)"
	@AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT=8080 $(VENV)/bin/airflow standalone

bench: bench-extract bench-dedupe bench-events bench-archive

bench-extract: $(VENV)/.synced
	$(PY) bench/bench_extract.py
bench-dedupe: $(VENV)/.synced
	$(PY) bench/bench_dedupe.py
bench-events: $(VENV)/.synced
	$(PY) bench/bench_events.py
bench-archive: $(AIRFLOW_HOME)/.migrated
	$(PY) bench/bench_archive.py

# The event-type classifier (training/README.md): its own venv, never requirements.lock. torch is
# installed first, CPU build only (on these machines pip finds the CPU wheel on local disk; elsewhere
# set TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"), then the hash-pinned rest.
TORCH_PIP_ARGS ?=
train-events:
	@test -x .venv-train/bin/python || python$(PY_VERSION) -m venv .venv-train
	@.venv-train/bin/pip install --quiet $(TORCH_PIP_ARGS) torch==2.13.0
	@.venv-train/bin/python -c "import torch, sys; sys.exit('a CUDA torch is installed in .venv-train' if torch.version.cuda else 0)"
	@.venv-train/bin/pip install --quiet --require-hashes --no-deps -r training/requirements.txt
	.venv-train/bin/python training/build_data.py
	.venv-train/bin/python training/train.py cv
	for c in 2,5,6 2,3,6 4,3,6 2,5,4 3,5,4 4,5,4 2,5,3 2,8,3; do \
	  .venv-train/bin/python training/train.py cv --folds kfold --candidate $$c || exit 1; done
	.venv-train/bin/python training/train.py select
	.venv-train/bin/python training/train.py final
	.venv-train/bin/python training/train.py speed

clean:
	rm -rf $(AIRFLOW_HOME) data/lake
