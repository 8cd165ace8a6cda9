"""Validation of user-supplied run settings, shared by the CLI and the DAG Params.

Everything a user types into the trigger form passes through here before any task runs:
dates, the lake root (which must lie inside an allowed root, so a run can never write
outside the lake), and source paths. The defaults and variable names are in ``settings``.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
from collections.abc import Sequence
from typing import TYPE_CHECKING

from newsevents.settings import ALLOWED_NETWORKS_ENV, ALLOWED_ROOTS_ENV, USER_AGENT_ENV
from newsevents.storage import s3_options_from_env

if TYPE_CHECKING:  # imported when called: the DAG files import this module and parse fast
    from newsevents.sources.policy import FetchPolicy

__all__ = ["allowed_networks", "allowed_roots", "fetch_policy_from_env", "parse_date",
           "s3_options_from_env", "validate_lake_root"]


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        raise ValueError(f"date must be YYYY-MM-DD, got {value!r}") from None


def allowed_roots(value: str | None = None) -> list[str]:
    """Roots a lake may live under: a comma-separated list (default: ``ALLOWED_ROOTS_ENV``)."""
    raw = os.environ.get(ALLOWED_ROOTS_ENV, "") if value is None else value
    return [r.strip() for r in raw.split(",") if r.strip()]


def validate_lake_root(root: str, roots: Sequence[str]) -> str:
    """The normalised lake root if it lies inside one of ``roots``, else a ValueError."""
    if not root or not root.strip():
        raise ValueError("lake must not be empty")
    root = root.strip()
    if root.startswith("s3://"):
        norm = "s3://" + posixpath.normpath(root[5:]).strip("/")
        ok = any(norm == r.rstrip("/") or norm.startswith(r.rstrip("/") + "/")
                 for r in roots if r.startswith("s3://"))
    elif "://" in root:
        raise ValueError(f"lake {root!r}: only local paths and s3:// URLs are supported")
    else:
        norm = os.path.realpath(root)
        ok = any(norm == os.path.realpath(r) or norm.startswith(os.path.realpath(r) + os.sep)
                 for r in roots if "://" not in r)
    if not ok:
        raise ValueError(f"lake {root!r} is outside the allowed roots {list(roots)}; "
                         f"set {ALLOWED_ROOTS_ENV} to allow it")
    return norm


def allowed_networks() -> tuple[str, ...]:
    """Non-public networks (CIDRs) the fetcher may reach: none unless the deployment says so."""
    raw = os.environ.get(ALLOWED_NETWORKS_ENV, "")
    return tuple(n.strip() for n in raw.split(",") if n.strip())


def fetch_policy_from_env() -> FetchPolicy:
    """The fetch policy: defaults, plus the deployment's User-Agent and allowed networks."""
    from newsevents.sources.policy import FetchPolicy

    user_agent = os.environ.get(USER_AGENT_ENV)
    if user_agent:
        return FetchPolicy(allowed_networks=allowed_networks(), user_agent=user_agent)
    return FetchPolicy(allowed_networks=allowed_networks())
