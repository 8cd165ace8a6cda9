"""OpenLineage inputs and outputs of the newsevents tasks: the files read, the partitions written.

A task calls ``report_inputs`` with the files or URLs it reads and ``report_outputs`` with the
partitions it commits; ``TaskFlowExtractor`` (registered through ``[openlineage] extractors``)
hands them to the OpenLineage provider for the task's COMPLETE (or FAIL) event.

Why not Airflow's hook lineage: the provider turns a hook-lineage Asset into a dataset only when
an installed provider converts its scheme (here ``file`` alone, so ``s3://`` lakes and web
sources would vanish), and its collector lives for the whole process, so under
``airflow dags test`` each task would also report everything its predecessors read.
Reports here are kept per task instance (for the life of the process, which on a worker runs
one task) and use the OpenLineage naming spec directly.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from urllib.parse import urlsplit

from airflow.providers.openlineage import conf
from airflow.providers.openlineage.extractors.base import BaseExtractor, OperatorLineage
from airflow.sdk import get_current_context
from openlineage.client.event_v2 import Dataset

# Above this many files a task reports their folders instead: an event (and a lineage graph)
# with thousands of datasets helps nobody. Airflow's hook lineage caps at 100 assets too.
MAX_DATASETS = 100

TaskKey = tuple[str, str, str, int, int]  # dag_id, run_id, task_id, map_index, try_number
Reported = dict[TaskKey, dict[tuple[str, str], Dataset]]  # per task: (namespace, name) -> dataset
_inputs: Reported = {}
_outputs: Reported = {}


def dataset(ref: str) -> Dataset:
    """The OpenLineage dataset of a local path, ``file://``, ``s3://`` or web URL.

    Per the naming spec: ``file`` + absolute path, ``s3://bucket`` + key, else
    ``scheme://host`` + path (and query, which tells web pages apart).
    """
    if "://" not in ref:
        return Dataset(namespace="file", name=os.path.abspath(ref))
    parts = urlsplit(ref)
    if parts.scheme == "file":
        return Dataset(namespace="file", name=parts.path)
    if parts.scheme == "s3":
        return Dataset(namespace=f"s3://{parts.netloc}", name=parts.path.lstrip("/"))
    query = f"?{parts.query}" if parts.query else ""
    return Dataset(namespace=f"{parts.scheme}://{parts.netloc}", name=(parts.path or "/") + query)


def datasets(refs: Iterable[str]) -> list[Dataset]:
    """One dataset per ref; past ``MAX_DATASETS`` refs, one per folder holding them."""
    refs = list(dict.fromkeys(refs))
    if len(refs) > MAX_DATASETS:
        refs = list(dict.fromkeys(ref.rsplit("/", 1)[0] for ref in refs))
    return [dataset(ref) for ref in refs]


def report_inputs(refs: Iterable[str]) -> None:
    """Record what the running task reads (files, archives, URLs); nothing when lineage is off."""
    _report(_inputs, refs)


def report_outputs(refs: Iterable[str]) -> None:
    """Record what the running task writes (lake partitions); nothing when lineage is off."""
    _report(_outputs, refs)


def _report(reported: Reported, refs: Iterable[str]) -> None:
    if conf.is_disabled():
        return
    found = reported.setdefault(_key(get_current_context()["ti"]), {})
    found.update({(d.namespace, d.name): d for d in datasets(refs)})


def _key(ti) -> TaskKey:
    return ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number


class TaskFlowExtractor(BaseExtractor):
    """The datasets a TaskFlow task reported here, for the OpenLineage provider's events."""

    @classmethod
    def get_operator_classnames(cls) -> list[str]:
        return ["_PythonDecoratedOperator"]  # what @task builds

    def _execute_extraction(self) -> OperatorLineage:
        return OperatorLineage()  # START: the task has not run, so it has reported nothing yet

    def extract_on_complete(self, task_instance) -> OperatorLineage:
        key = _key(task_instance)
        return OperatorLineage(inputs=list(_inputs.get(key, {}).values()),
                               outputs=list(_outputs.get(key, {}).values()))
