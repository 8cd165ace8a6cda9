"""SQL over the lake with DuckDB: every table is a view over its Delta table.

Each table is read through ``DeltaTable.to_pyarrow_dataset()`` (delta-rs follows the log,
so only committed files are seen) and registered in DuckDB, which scans it lazily with
projection and filter push-down. The same code reads a local lake or one on S3, and no
DuckDB extension has to be downloaded at run time.

``as_of`` reads the lake as it was: a time (ISO 8601) reads every table at the version it
had then; a number reads the ``runs`` table at that version and every other table at the
newest version a run recorded in it (``runs.table_versions``), so the number a paper cites
names one state of the whole lake.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pyarrow.dataset as ds

from newsevents.lake import Lake
from newsevents.schema import TABLES


def parse_as_of(value: int | str | None) -> int | dt.datetime | None:
    """A version number or a UTC time from ``--as-of`` text (``12``, ``2026-01-12T10:00Z``)."""
    if value is None or isinstance(value, int):
        return value
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"as of {value!r}: give a version number or an ISO 8601 time") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def datasets(lake: Lake, as_of: int | str | None = None) -> dict[str, ds.Dataset]:
    """Every table as a lazy dataset, now or ``as_of`` (see the module's docstring)."""
    when = parse_as_of(as_of)
    if not isinstance(when, int):
        return {table: lake.dataset(table, as_of=when) for table in TABLES}
    if when > _latest_version(lake):
        raise ValueError(f"as of version {when}: the runs table has no such version yet")
    runs = lake.dataset("runs", as_of=when)
    recorded: dict[str, int] = {}
    if "table_versions" in runs.schema.names:
        for text in runs.to_table(columns=["table_versions"])["table_versions"].to_pylist():
            for table, version in json.loads(text or "{}").items():
                recorded[table] = max(version, recorded.get(table, -1))
    return {table: runs if table == "runs" else lake.dataset(table, as_of=recorded.get(table, 0))
            for table in TABLES}


def _latest_version(lake: Lake) -> int:
    runs = lake.delta_table("runs")
    return -1 if runs is None else runs.version()


def connect(lake: Lake, as_of: int | str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per lake table (``as_of``: a version
    number or an ISO time, to read the lake as it was then)."""
    con = duckdb.connect()
    for table, dataset in datasets(lake, as_of).items():
        con.register(table, dataset)
    return con


def run_sql(lake: Lake, sql: str, params: list | None = None,
            as_of: int | str | None = None) -> pd.DataFrame:
    con = connect(lake, as_of)
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
            """SELECT CAST(event_date AS VARCHAR) AS event_date, plover_type, plover_mode,
                      cameo_code, actor1_name, actor1_country,
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
        *[f"  {lake.display_path(lake.partition_dir(t, day))}" for t in TABLES],
    ]
    if not events.empty:
        lines.append(f"first {len(events)} events:")
        shown = events.astype(object).where(events.notna(), "-")
        lines.append(shown.to_string(index=False, max_colwidth=30))
    return "\n".join(lines)
