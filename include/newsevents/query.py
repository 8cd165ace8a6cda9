"""SQL over the lake with DuckDB: every table is a view over its committed files.

DuckDB scans the pyarrow datasets lazily (projection and filter push-down), so the same
code reads a local lake or one on S3 without DuckDB's own S3 extension (which would have
to be downloaded at run time) and always honours the partition manifests.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd

from newsevents.lake import Lake
from newsevents.schema import TABLES


def connect(lake: Lake) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per lake table."""
    con = duckdb.connect()
    for table in TABLES:
        con.register(table, lake.dataset(table))
    return con


def run_sql(lake: Lake, sql: str, params: list | None = None) -> pd.DataFrame:
    con = connect(lake)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def run_summary(lake: Lake, day: dt.date, n_events: int = 5) -> str:
    """What a run of ``day`` left in the lake: counts, partition paths and first events."""
    con = connect(lake)
    try:
        runs = con.execute("SELECT * FROM runs WHERE dt = ?", [day.isoformat()]).df()
        if runs.empty:
            return f"no run has been committed for {day.isoformat()} in {lake.uri}"
        run = runs.iloc[0]
        events = con.execute(
            """SELECT CAST(event_date AS VARCHAR) AS event_date, plover_type, plover_mode, cameo_code, actor1_name, actor1_country,
                      actor2_name, actor2_country, location_name, fatalities, mentions
               FROM events WHERE dt = ? ORDER BY event_date, plover_type, event_id LIMIT ?""",
            [day.isoformat(), n_events]).df()
    finally:
        con.close()
    lines = [
        f"run {run.run_id}  date {day.isoformat()}",
        f"inputs {run.inputs}  kept {run.kept}  duplicates {run.duplicates}  "
        f"rejected {run.rejected}  events {run.events}  elapsed {run.elapsed_s:.2f}s",
        f"rejects by reason: {json.loads(run.rejects_by_reason) or 'none'}",
        "partitions:",
        *[f"  {lake.display_path(lake.partition_dir(t, day))}"
          for t in TABLES if lake.has_partition(t, day)],
    ]
    if not events.empty:
        lines.append(f"first {len(events)} events:")
        shown = events.astype(object).where(events.notna(), "-")
        lines.append(shown.to_string(index=False, max_colwidth=30))
    return "\n".join(lines)
