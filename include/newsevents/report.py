"""The numbers behind the results page, computed from the lake with SQL (DuckDB).

The Airflow plugin ``plugins/newsevents_results.py`` only draws what ``build_report``
returns, so everything the page shows can be checked here without a server.

A date range selects date partitions. A partition holds what the run of that date
coded (the news of that day), so events are counted per partition day and line up with
that day's run counts (inputs, kept, duplicates, rejects). They are also counted by the
day they happened (``event_date``), over every partition: an event reported days later
counts on its own day. Fatalities are summed over
events that are not aggregates (an aggregate is a total whose parts are coded too).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import duckdb

from newsevents import query
from newsevents.lake import Lake

UNCODED = "UNCODED"  # the chart's name for events without a PLOVER type


@dataclass(frozen=True)
class TypeCount:
    """Events of one PLOVER type on one day, and the fatalities they report."""

    day: dt.date
    plover_type: str
    events: int
    fatalities: int


@dataclass(frozen=True)
class Place:
    """Geolocated events at one point (coordinates rounded to 0.01°)."""

    location: str
    country: str | None
    lat: float
    lon: float
    events: int
    fatalities: int
    top_type: str  # the place's commonest PLOVER type


@dataclass(frozen=True)
class ActorCount:
    actor: str
    country: str | None
    as_source: int  # events where the actor is actor 1 (who did it)
    as_target: int  # events where the actor is actor 2 (to whom)

    @property
    def events(self) -> int:
        return self.as_source + self.as_target


@dataclass(frozen=True)
class EventRow:
    """One coded event with the sentence it came from and its article."""

    day: dt.date
    event_date: dt.date | None
    plover_type: str
    plover_mode: str | None
    modality: str
    actor1: str | None
    actor1_country: str | None
    actor2: str | None
    actor2_country: str | None
    location: str | None
    country: str | None
    fatalities: int | None
    is_aggregate: bool  # a total whose parts are listed too
    sentence: str
    url: str | None
    title: str | None
    site_name: str | None


@dataclass(frozen=True)
class RunRow:
    """One run's accounting: inputs = kept + duplicates + rejected."""

    day: dt.date
    run_id: str
    started_at: dt.datetime | None
    inputs: int
    kept: int
    duplicates: int
    rejected: int
    events: int
    elapsed_s: float
    rejects_by_reason: dict[str, int]


@dataclass(frozen=True)
class Report:
    lake: str
    start: dt.date
    end: dt.date
    per_day: list[TypeCount]
    places: list[Place]
    actors: list[ActorCount]
    latest: list[EventRow]
    runs: list[RunRow]
    per_event_day: list[TypeCount] = field(default_factory=list)  # by event_date, any partition

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def total_events(self) -> int:
        return sum(c.events for c in self.per_day)

    @property
    def total_fatalities(self) -> int:
        return sum(c.fatalities for c in self.per_day)

    @property
    def types(self) -> list[str]:
        """The PLOVER types present, in codebook order (cooperation first), unknown ones last."""
        return self.types_of(self.per_day)

    @staticmethod
    def types_of(counts: list[TypeCount]) -> list[str]:
        present = {c.plover_type for c in counts}
        order = list(plover_quad_classes())
        return sorted(present, key=lambda t: (order.index(t) if t in order else len(order), t))

    def rejects_by_reason(self) -> dict[str, int]:
        """Rejects of all runs in the range, most frequent reason first."""
        totals: dict[str, int] = {}
        for run in self.runs:
            for reason, n in run.rejects_by_reason.items():
                totals[reason] = totals.get(reason, 0) + n
        return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))


@cache
def plover_quad_classes() -> dict[str, int]:
    """PLOVER event types in codebook order → quad class (1 verbal coop … 4 material conflict)."""
    text = resources.files("newsevents").joinpath("data/events/plover_types.tsv").read_text("utf-8")
    rows = csv.DictReader((line for line in text.splitlines() if not line.startswith("#")),
                          delimiter="\t")
    classes = {row.get("type") or "": (row.get("quad_class") or "").strip() for row in rows}
    bad = sorted(t for t, quad in classes.items() if not t or quad not in {"1", "2", "3", "4"})
    if bad:
        raise ValueError(f"plover_types.tsv: rows without a type or a quad_class of 1-4: {bad}")
    return {t: int(quad) for t, quad in classes.items()}


def default_range(lake: Lake, days: int = 30) -> tuple[dt.date, dt.date]:
    """The last ``days`` days up to the newest run or events partition (today if none)."""
    newest = max([*lake.partitions("runs"), *lake.partitions("events")],
                 default=dt.date.today())
    return newest - dt.timedelta(days=days - 1), newest


def build_report(lake: Lake, start: dt.date, end: dt.date, top_actors: int = 10,
                 latest: int = 25, max_places: int = 500) -> Report:
    """Everything the results page shows for the partitions ``start``..``end`` (inclusive)."""
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    con = query.connect(lake)
    try:
        con.execute("SET TimeZone = 'UTC'")  # run start times read the same on every machine
        span = [start.isoformat(), end.isoformat()]
        return Report(
            lake=lake.uri, start=start, end=end,
            per_day=[TypeCount(dt.date.fromisoformat(row[0]), *row[1:])
                     for row in _rows(con, _PER_DAY, span)],
            places=[Place(*row) for row in _rows(con, _PLACES, [*span, max_places])],
            actors=[ActorCount(*row) for row in _rows(con, _ACTORS, [*span, *span, top_actors])],
            latest=[EventRow(dt.date.fromisoformat(row[0]), *row[1:])
                    for row in _rows(con, _LATEST, [*span, *span, latest])],
            runs=[_run_row(row) for row in _rows(con, _RUNS, span)],
            per_event_day=[TypeCount(*row) for row in _rows(con, _PER_EVENT_DAY, [start, end])],
        )
    finally:
        con.close()


def _run_row(row: tuple) -> RunRow:
    day, run_id, started_at, inputs, kept, duplicates, rejected, events, elapsed_s, reasons = row
    return RunRow(dt.date.fromisoformat(day), run_id, started_at, inputs, kept, duplicates,
                  rejected, events, elapsed_s, json.loads(reasons or "{}"))


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[tuple]:
    return con.execute(sql, params).fetchall()


# ``dt`` is the ISO date string of the partition, so BETWEEN on it prunes partitions.
_PER_DAY = f"""
SELECT dt, coalesce(plover_type, '{UNCODED}') AS plover_type, count(*) AS events,
       coalesce(sum(fatalities) FILTER (WHERE NOT is_aggregate), 0)::BIGINT AS fatalities
FROM events WHERE dt BETWEEN ? AND ?
GROUP BY ALL ORDER BY dt, plover_type
"""

_PER_EVENT_DAY = f"""
SELECT event_date, coalesce(plover_type, '{UNCODED}') AS plover_type, count(*) AS events,
       coalesce(sum(fatalities) FILTER (WHERE NOT is_aggregate), 0)::BIGINT AS fatalities
FROM events WHERE event_date BETWEEN ? AND ?
GROUP BY ALL ORDER BY event_date, plover_type
"""

_PLACES = f"""
WITH typed AS (
    SELECT coalesce(location_name, country, '?') AS location, country,
           round(lat, 2) AS lat, round(lon, 2) AS lon,
           coalesce(plover_type, '{UNCODED}') AS plover_type,
           count(*) AS events,
           coalesce(sum(fatalities) FILTER (WHERE NOT is_aggregate), 0) AS fatalities
    FROM events
    WHERE dt BETWEEN ? AND ? AND lat IS NOT NULL AND lon IS NOT NULL
    GROUP BY ALL
)
SELECT location, country, lat, lon, sum(events)::BIGINT AS events,
       sum(fatalities)::BIGINT AS fatalities,
       first(plover_type ORDER BY events DESC, plover_type) AS top_type
FROM typed GROUP BY location, country, lat, lon
ORDER BY events DESC, location LIMIT ?
"""

_ACTORS = """
WITH sides AS (
    SELECT actor1_name AS actor, actor1_country AS country, 1 AS src, 0 AS tgt
    FROM events WHERE dt BETWEEN ? AND ? AND actor1_name IS NOT NULL
    UNION ALL
    SELECT actor2_name, actor2_country, 0, 1
    FROM events WHERE dt BETWEEN ? AND ? AND actor2_name IS NOT NULL
)
SELECT actor, country, sum(src)::BIGINT AS as_source, sum(tgt)::BIGINT AS as_target
FROM sides GROUP BY actor, country
ORDER BY as_source + as_target DESC, actor, country LIMIT ?
"""

_LATEST = f"""
SELECT e.dt, e.event_date, coalesce(e.plover_type, '{UNCODED}'), e.plover_mode, e.modality,
       e.actor1_name, e.actor1_country, e.actor2_name, e.actor2_country,
       e.location_name, e.country, e.fatalities, e.is_aggregate, e.sentence,
       coalesce(a.canonical_url, a.url), a.title, a.site_name
FROM events e
LEFT JOIN (SELECT * FROM articles WHERE dt BETWEEN ? AND ?) a
       ON a.article_id = e.article_id AND a.dt = e.dt
WHERE e.dt BETWEEN ? AND ?
ORDER BY e.dt DESC, e.event_date DESC NULLS LAST, e.event_id
LIMIT ?
"""

_RUNS = """
SELECT dt, run_id, started_at, inputs, kept, duplicates, rejected, events, elapsed_s,
       rejects_by_reason
FROM runs WHERE dt BETWEEN ? AND ?
ORDER BY dt DESC, started_at DESC
"""
