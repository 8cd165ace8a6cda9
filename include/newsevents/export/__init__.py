"""``newsevents export``: the lake's events as files in the layouts analysts' tools read.

Formats: ``gdelt-events`` and ``gdelt-mentions`` (GDELT 2.0, ``export.gdelt``), ``acled``
(ACLED's CSV export, ``export.acled``), ``csv`` and ``parquet`` (the ``events`` table with
its first article's url, title, site and publication time). Rows are the events whose
``event_date`` (``by="event"``, the default) or run date (``by="run"``, the ``dt``
partition) is in ``[start, end]``, read through ``query.connect`` (one view per table), so
an export sees exactly the committed partitions. A file is written to a temporary name
beside it and renamed when complete: a failed export never leaves a partial file.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import duckdb
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from newsevents import query
from newsevents.export import acled, gdelt
from newsevents.lake import Lake

FORMATS = ("gdelt-events", "gdelt-mentions", "acled", "csv", "parquet")
BY = {"event": "e.event_date", "run": "e.dt"}
BATCH_ROWS = 10_000

_EVENTS = "SELECT e.* FROM events e WHERE {where}"
# Every (event, article, sentence) that reports an event: its mentions and its own sentence.
_REPORTS = """reports AS (
    SELECT m.event_id, m.article_id, m.dt, m.sentence FROM mentions m
    JOIN ev ON m.event_id = ev.event_id AND m.dt = ev.dt
    UNION SELECT event_id, article_id, dt, sentence FROM ev)"""
_GDELT_EVENTS = """
WITH ev AS ({events} AND e.modality IN {modalities}), {reports},
ma AS (
    SELECT r.event_id, r.article_id, a.published, strpos(a.text, r.sentence) AS pos,
           strpos(a.text, chr(10)) AS first_break
    FROM reports r JOIN articles a ON a.article_id = r.article_id AND a.dt = r.dt),
firsts AS (
    SELECT event_id, article_id FROM (
        SELECT event_id, article_id, row_number() OVER (
            PARTITION BY event_id ORDER BY published NULLS LAST, article_id) AS k
        FROM (SELECT DISTINCT event_id, article_id, published FROM ma))
    WHERE k = 1),
lead AS (
    SELECT ma.event_id, bool_or(pos > 0 AND (first_break = 0 OR pos <= first_break)) AS is_root
    FROM ma JOIN firsts ON ma.event_id = firsts.event_id AND ma.article_id = firsts.article_id
    GROUP BY ma.event_id)
SELECT ev.*, r.started_at AS date_added, coalesce(lead.is_root, false) AS is_root
FROM ev LEFT JOIN runs r ON r.dt = ev.dt LEFT JOIN lead ON lead.event_id = ev.event_id
ORDER BY ev.event_date, ev.event_id
"""
_GDELT_MENTIONS = """
WITH ev AS ({events} AND e.modality IN {modalities})
SELECT m.event_id, m.sentence_index, m.sentence, ev.trigger, ev.actor1_name, ev.actor2_name,
       ev.confidence, a.url, a.canonical_url, a.site_name,
       coalesce(a.source, m.article_id) AS source,
       length(a.text) AS doc_len, coalesce(strpos(a.text, m.sentence), 0) AS sentence_pos,
       r.started_at AS date_added
FROM mentions m JOIN ev ON m.event_id = ev.event_id AND m.dt = ev.dt
LEFT JOIN articles a ON a.article_id = m.article_id AND a.dt = m.dt
LEFT JOIN runs r ON r.dt = m.dt
ORDER BY ev.event_date, m.event_id, m.article_id, m.sentence_index
"""
_ACLED = """
WITH ev AS ({events} AND e.modality = 'asserted' AND e.acled_event_type IS NOT NULL
            AND NOT e.is_aggregate AND e.event_date IS NOT NULL), {reports},
carriers AS (
    SELECT r.event_id, a.site_name, coalesce(a.canonical_url, a.url) AS link, a.published,
           a.article_id
    FROM (SELECT DISTINCT event_id, article_id, dt FROM reports) r
    JOIN articles a ON a.article_id = r.article_id AND a.dt = r.dt
    UNION ALL  -- the copies dedupe found: the same report, carried by other outlets
    SELECT r.event_id, d.site_name, coalesce(d.canonical_url, d.url), d.published, d.article_id
    FROM (SELECT DISTINCT event_id, article_id, dt FROM reports) r
    JOIN articles d ON d.dup_of = r.article_id AND d.dt = r.dt),
outlets AS (
    SELECT event_id, list({{'site': site_name, 'link': link}}
                          ORDER BY published NULLS LAST, article_id) AS carriers
    FROM carriers GROUP BY event_id)
SELECT ev.*, r.started_at AS written_at, outlets.carriers
FROM ev LEFT JOIN runs r ON r.dt = ev.dt LEFT JOIN outlets ON outlets.event_id = ev.event_id
ORDER BY ev.event_date, ev.country, ev.event_id
"""
_TABLE = """
WITH ev AS ({events}), {reports},
ranked AS (
    SELECT r.event_id, coalesce(a.canonical_url, a.url) AS url, a.title, a.site_name,
           a.published, row_number() OVER (
               PARTITION BY r.event_id ORDER BY a.published NULLS LAST, a.article_id) AS k
    FROM (SELECT DISTINCT event_id, article_id, dt FROM reports) r
    JOIN articles a ON a.article_id = r.article_id AND a.dt = r.dt)
SELECT ev.*, f.url AS article_url, f.title AS article_title, f.site_name AS article_site,
       f.published AS article_published
FROM ev LEFT JOIN (SELECT * FROM ranked WHERE k = 1) f ON f.event_id = ev.event_id
ORDER BY ev.event_date, ev.event_id
"""


def export(lake: Lake, fmt: str, start: dt.date, end: dt.date, out: str = "-",
           as_of: str | None = None, by: str = "event", country: str | None = None) -> int:
    """Write the events of ``[start, end]`` in ``fmt`` to ``out`` (a path, or ``-`` for
    stdout); returns the number of rows written. ``as_of`` reads the lake as it was then;
    ``country`` (ISO3) keeps the events that happened there."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    if by not in BY:
        raise ValueError(f"unknown date kind {by!r}: one of {', '.join(BY)}")
    if start > end:
        raise ValueError(f"--from {start} is after --to {end}")
    bounds: list[object] = [start, end] if by == "event" else [start.isoformat(), end.isoformat()]
    where = f"{BY[by]} BETWEEN ? AND ?"
    if country:
        where += " AND e.country = ?"
        bounds.append(country.upper())
    events = _EVENTS.format(where=where)
    con = _connect(lake, as_of)
    try:
        if fmt in ("csv", "parquet"):
            sql = _TABLE.format(events=events, reports=_REPORTS)
            reader = con.sql(sql, params=bounds).to_arrow_reader(BATCH_ROWS)
            n = 0
            with _output(out, binary=True) as f:
                writer = (pacsv.CSVWriter(f, reader.schema) if fmt == "csv"
                          else pq.ParquetWriter(f, reader.schema))
                with writer:
                    for batch in reader:
                        writer.write_batch(batch)
                        n += batch.num_rows
            return n
        modalities = "(" + ", ".join(f"'{m}'" for m in gdelt.MODALITIES) + ")"
        sql, to_row = _LAYOUTS[fmt]
        sql = sql.format(events=events, modalities=modalities, reports=_REPORTS)
        rows = (to_row(r) for r in _records(con, sql, bounds))
        with _output(out, binary=False) as f:
            if fmt == "acled":
                return _write_csv(f, acled.COLUMNS, rows)
            return _write_tsv(f, rows)
    finally:
        con.close()


def _connect(lake: Lake, as_of: str | None) -> duckdb.DuckDBPyConnection:
    if as_of is None:
        return query.connect(lake)
    # The Delta lake's time travel; typed loosely so this reads the same before and after
    # ``query.connect`` gains its ``as_of`` parameter.
    connect: Callable[..., duckdb.DuckDBPyConnection] = query.connect
    return connect(lake, as_of=as_of)


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> Iterator[dict]:
    reader = con.sql(sql, params=params).to_arrow_reader(BATCH_ROWS)
    for batch in reader:
        yield from batch.to_pylist()


def _acled_row(record: dict) -> list[object]:
    outlets = [_outlet(c["site"], c["link"]) for c in record["carriers"] or ()]
    return acled.row(record, [o for o in dict.fromkeys(outlets) if o], record["written_at"])


def _outlet(site: str | None, link: str | None) -> str | None:
    return site or (urlsplit(link).hostname or "").removeprefix("www.") if link else site


_LAYOUTS: dict[str, tuple[str, Callable[[dict], list[object]]]] = {
    "gdelt-events": (_GDELT_EVENTS, lambda r: gdelt.event_row(r, r["date_added"], r["is_root"])),
    "gdelt-mentions": (_GDELT_MENTIONS, gdelt.mention_row),
    "acled": (_ACLED, _acled_row),
}


def _field(value: object) -> str:
    """One TSV field: GDELT's files have no quoting, so tabs and line breaks become spaces."""
    if value is None:
        return ""
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _write_tsv(f: IO[str], rows: Iterable[list[object]]) -> int:
    n = 0
    for values in rows:
        f.write("\t".join(map(_field, values)) + "\n")
        n += 1
    return n


def _write_csv(f: IO[str], header: list[str], rows: Iterable[list[object]]) -> int:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow(header)
    n = 0
    for values in rows:
        writer.writerow(["" if v is None else v for v in values])
        n += 1
    return n


@contextlib.contextmanager
def _output(out: str, binary: bool) -> Iterator[Any]:
    """stdout for ``-``, else a temporary file renamed onto ``out`` once complete."""
    if out == "-":
        stream = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    path = Path(out)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with open(tmp, "wb") if binary else open(tmp, "w", encoding="utf-8", newline="") as f:
            yield f
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
