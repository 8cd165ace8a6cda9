"""Every default of the pipeline, set once: the bottom layer, importing nothing of the project.

A stage, the CLI, the DAG Params and the docs read their defaults from here, so changing
one (say the dedupe window) changes it everywhere. Environment variables a deployment may
set are named here too; ``config`` reads and validates them.
"""

from __future__ import annotations

import re

# -- environment variables a deployment may set (README, Settings) -------------------------
ALLOWED_ROOTS_ENV = "NEWSEVENTS_ALLOWED_ROOTS"
ALLOWED_NETWORKS_ENV = "NEWSEVENTS_ALLOWED_NETWORKS"
USER_AGENT_ENV = "NEWSEVENTS_USER_AGENT"
LAKE_ENV = "NEWSEVENTS_LAKE"  # the DAGs' default lake root
LAKE_CONN_ID_ENV = "NEWSEVENTS_LAKE_CONN_ID"  # the Airflow connection of an S3 lake ...
LAKE_CONN_ID = "newsevents_lake"  # ... by default
HOME_ENV = "NEWSEVENTS_HOME"  # the project folder (sources.yaml, seeds/, data/)

# -- sources -------------------------------------------------------------------------------
# The largest document (a file, a JSONL line or an archive record) that is loaded or
# cleaned; anything larger is rejected as ``too_large``.
MAX_DOCUMENT_BYTES = 10_000_000
# Archive names the sources read as WARC/ARC, each also gzip'd (.warc.gz, .arc.gz).
ARCHIVE_SUFFIXES = (".warc", ".arc")
# Media types read as HTML, in HTTP responses and in archived ones alike.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# -- dedupe --------------------------------------------------------------------------------
DEDUPE_WINDOW_DAYS = 7  # earlier date partitions a run's articles are checked against
MAX_DEDUPE_WINDOW_DAYS = 90  # the most the trigger form accepts

# -- pipeline ------------------------------------------------------------------------------
EVENTS_BATCH = 200  # articles coded per batch: bounds the memory of parsed sentences

_UNSAFE_RUN_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]")


def safe_run_id(run_id: str) -> str:
    """A run id fit for a path: Airflow's carry ':' and '+', which become '_'."""
    return _UNSAFE_RUN_ID_CHARS.sub("_", run_id)
