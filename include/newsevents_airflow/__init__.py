"""Airflow glue shared by the newsevents DAGs: Params, the run's date and lake, retries.

The domain package ``newsevents`` knows nothing of Airflow; this module turns Airflow's
Params, context and connections into the plain values its functions take, and every DAG
makes its run's plan here (``plan_from_context``), through the same ``plan_run`` as the CLI.
It lives beside the package, not in dags/, so workers, the DAG processor and tests import it alike.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from airflow.sdk import BaseHook, Context, Param

from newsevents import settings
from newsevents.config import (
    allowed_networks,
    allowed_roots,
    fetch_policy_from_env,
    parse_date,
    validate_lake_root,
)
from newsevents.storage import S3Options

if TYPE_CHECKING:  # imported inside functions: DAG files must parse fast
    from newsevents.lake import Lake
    from newsevents.plan import RunPlan

PROJECT_DIR = Path(os.environ.get(settings.HOME_ENV, Path(__file__).resolve().parents[2]))
DEFAULT_LAKE = os.environ.get(settings.LAKE_ENV, str(PROJECT_DIR / "data" / "lake"))
DEFAULT_SOURCE = str(PROJECT_DIR / "seeds")
SOURCES_FILE = PROJECT_DIR / "include" / "sources.yaml"
LAKE_CONN_ID = os.environ.get(settings.LAKE_CONN_ID_ENV, settings.LAKE_CONN_ID)
FETCH_POOL = "newsevents_fetch"

DEFAULT_ARGS = {
    "owner": "newsevents",
    "retries": 3,
    "retry_delay": dt.timedelta(seconds=15),
    "retry_exponential_backoff": 2.0,  # Airflow 3.3: a multiplier; True is 1.0, no back-off
    "max_retry_delay": dt.timedelta(minutes=10),
}


def lake_roots() -> list[str]:
    """Where lakes may live: NEWSEVENTS_ALLOWED_ROOTS, else the project's data folder."""
    return allowed_roots() or [str(PROJECT_DIR / "data")]


def _lake_pattern(roots: list[str]) -> str:
    """A JSON-schema pattern accepting paths inside ``roots`` and no ``..`` segments."""
    alternatives = "|".join(re.escape(r.rstrip("/")) for r in roots)
    return rf"^(?!.*(^|/)\.\.(/|$))({alternatives})(/.*)?$"


def lake_param() -> Param:
    return Param(DEFAULT_LAKE, type="string", pattern=_lake_pattern(lake_roots()),
                 title="Lake root",
                 description=f"Folder or s3://bucket/prefix inside {lake_roots()}")


def date_param() -> Param:
    return Param(None, type=["null", "string"], format="date", title="Partition date",
                 description="YYYY-MM-DD. Empty: the run's data interval start (or its run_after).")


def window_param() -> Param:
    return Param(settings.DEDUPE_WINDOW_DAYS, type="integer", minimum=0,
                 maximum=settings.MAX_DEDUPE_WINDOW_DAYS,
                 title="Dedupe window (days)",
                 description="Earlier date partitions checked for duplicates.")


# Refuses other schemes and literal loopback/private/link-local hosts in the form already;
# discover() then resolves every host (validate_url) before anything is fetched.
_PRIVATE_HOST = r"(localhost|127\.|10\.|0\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|169\.254\.|\[)"


def url_list_param(title: str, description: str) -> Param:
    guard = "" if allowed_networks() else f"(?!{_PRIVATE_HOST})"
    return Param([], type="array", title=title, description=description,
                 items={"type": "string", "pattern": rf"^https?://{guard}[^\s/?#@]+([/?#]\S*)?$"})


def run_sources(params: dict[str, Any], run_type: str) -> dict[str, list[str]]:
    """What a run reads: the trigger form's Params for manual runs, else include/sources.yaml."""
    if run_type == "manual" or not SOURCES_FILE.exists():
        sources = {"folders": [params["source"]] if params.get("source") else [],
                   "feeds": params.get("feeds") or [], "sitemaps": params.get("sitemaps") or [],
                   "urls": params.get("urls") or []}
    else:
        sources = read_sources_file(SOURCES_FILE)
        sources["folders"] = [str(PROJECT_DIR / f) for f in sources["folders"]]
    from newsevents.sources import validate_url

    policy = fetch_policy_from_env()
    for key in ("feeds", "sitemaps", "urls"):
        sources[key] = [validate_url(u, policy) for u in sources[key]]  # readable ValueError
    return sources


SOURCE_KINDS = ("folders", "feeds", "sitemaps", "urls")


def read_sources_file(path: Path) -> dict[str, list[str]]:
    """The sources of include/sources.yaml, checked: a ValueError names what is wrong."""
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(config, dict):
        raise ValueError(f"{path}: a mapping of {', '.join(SOURCE_KINDS)} expected")
    unknown = sorted(set(config) - set(SOURCE_KINDS))
    if unknown:
        raise ValueError(f"{path}: unknown keys {unknown}; expected {list(SOURCE_KINDS)}")
    sources = {}
    for kind in SOURCE_KINDS:
        entries = config.get(kind) or []
        if not isinstance(entries, list) or not all(isinstance(e, str) and e.strip()
                                                    for e in entries):
            raise ValueError(f"{path}: {kind} must be a list of non-empty strings")
        sources[kind] = [e.strip() for e in entries]
    return sources


def run_interval(params: dict[str, Any], context: Context) -> tuple[dt.datetime, dt.datetime]:
    """The interval a run owns, whose start's date is its partition: the ``date`` Param's
    day, else the data interval, else (a run without one) the day of its ``run_after``."""
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if params.get("date"):
        day = parse_date(params["date"])
    elif start is not None and end is not None and start != end:
        return start, end
    else:
        day = context["dag_run"].run_after.date()
    midnight = dt.datetime.combine(day, dt.time(), dt.UTC)
    return midnight, midnight + dt.timedelta(days=1)


def plan_from_context(context: Context, *, archives: str | None = None) -> RunPlan:
    """The run's plan from its Params and context: what every later task takes.

    Validates the lake root and, for ``news_events``, lists the input files and checks every
    URL; ``archives`` makes a ``news_archive`` plan, whose files each shard task lists.
    """
    from newsevents.plan import plan_run

    params = context["params"]
    start, end = run_interval(params, context)
    lake = open_lake(params["lake"])  # refuses a lake outside the allowed roots
    if archives is not None:
        return plan_run(lake.uri, start.date(), context["dag_run"].run_id,
                        window_days=params["window_days"], archives=archives,
                        interval=(start, end))
    wanted = run_sources(params, context["dag_run"].run_type)
    return plan_run(lake.uri, start.date(), context["dag_run"].run_id,
                    window_days=params["window_days"], folders=wanted["folders"],
                    feeds=wanted["feeds"], sitemaps=wanted["sitemaps"], urls=wanted["urls"])


def open_lake(root: str) -> Lake:
    """The lake at ``root`` (validated); S3 credentials come from the lake connection."""
    from newsevents.lake import Lake

    root = validate_lake_root(root, lake_roots())
    if not root.startswith("s3://"):
        return Lake(root)
    conn = BaseHook.get_connection(LAKE_CONN_ID)
    extra = conn.extra_dejson
    return Lake(root, S3Options(
        endpoint_url=extra.get("endpoint_url") or (conn.host or None),
        access_key=conn.login or extra.get("aws_access_key_id"),
        secret_key=conn.password or extra.get("aws_secret_access_key"),
        region=extra.get("region_name"),
    ))
