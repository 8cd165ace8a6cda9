"""The records the steps of a run pass each other: what ``newsevents run`` and the DAGs share.

    RunPlan   what a run reads and where it writes: made once, by ``plan_run``
    Loaded    staged documents and rejects of ``step_load`` / ``step_fetch``
    Shard     the unit later steps stream through: cleaned articles, then dedupe's marks,
              then the coded events

Records are frozen; a step that adds to a shard returns a new one (``dataclasses.replace``).
Between Airflow tasks they travel as plain JSON dicts (``to_dict`` / ``from_dict``): Airflow's
XCom would otherwise need each class on its deserialisation allow-list. Dates are parsed
once, in ``from_dict``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

from newsevents.settings import DEDUPE_WINDOW_DAYS, safe_run_id
from newsevents.sources import InputFile, discover_inputs
from newsevents.storage import S3Options


class _Record:
    """``to_dict`` / ``from_dict`` for records of strings, numbers and tuples of strings."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown fields {sorted(unknown)}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


@dataclass(frozen=True)
class Loaded(_Record):
    """Documents and rejects staged by ``step_load`` or ``step_fetch``."""

    documents: str  # staged file of Documents
    rejects: tuple[str, ...]  # staged files of Rejects
    n_documents: int
    n_rejects: int


@dataclass(frozen=True)
class Shard(_Record):
    """One shard of a run's articles and what the steps have made of it so far."""

    name: str
    articles: str  # staged file of Articles (``step_clean``)
    rejects: tuple[str, ...]  # staged files of Rejects, from load and clean
    n_inputs: int  # inputs that went into the shard: documents plus load rejects
    marks: str | None = None  # dedupe's DupMarks of the whole run (``step_dedupe``)
    signatures: str | None = None  # the run's Signatures (``step_dedupe``)
    events: str | None = None  # coded Events, not yet merged (``step_events``)
    mentions: str | None = None  # their Mentions (``step_events``)


@dataclass(frozen=True)
class RunPlan:
    """One run: its id, lake, date and inputs. Every step of the run reads it."""

    run_id: str  # safe for a path (``settings.safe_run_id``)
    lake: str  # the lake's root, already validated
    day: dt.date  # the date partition the run owns
    started_at: dt.datetime
    window_days: int = DEDUPE_WINDOW_DAYS
    inputs: tuple[InputFile, ...] = ()  # files and folders (``news_events``, the CLI)
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    archives: str | None = None  # WARC folder, glob or prefix (``news_archive``)
    interval: tuple[dt.datetime, dt.datetime] | None = None  # the archive records it owns

    @property
    def refs(self) -> list[str]:
        return [i.ref for i in self.inputs]

    @property
    def has_web(self) -> bool:
        return bool(self.feeds or self.sitemaps or self.urls)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["day"] = self.day.isoformat()
        data["started_at"] = self.started_at.isoformat()
        data["interval"] = [t.isoformat() for t in self.interval] if self.interval else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunPlan:
        interval = data.get("interval")
        start, end = (dt.datetime.fromisoformat(t) for t in interval) if interval else (None, None)
        return cls(
            run_id=data["run_id"], lake=data["lake"], day=dt.date.fromisoformat(data["day"]),
            started_at=dt.datetime.fromisoformat(data["started_at"]),
            window_days=int(data["window_days"]),
            inputs=tuple(InputFile(**i) for i in data.get("inputs") or ()),
            feeds=tuple(data.get("feeds") or ()), sitemaps=tuple(data.get("sitemaps") or ()),
            urls=tuple(data.get("urls") or ()), archives=data.get("archives"),
            interval=(start, end) if start and end else None,
        )


def plan_run(lake: str, day: dt.date, run_id: str, *, window_days: int = DEDUPE_WINDOW_DAYS,
             folders: Sequence[str] = (), feeds: Sequence[str] = (), sitemaps: Sequence[str] = (),
             urls: Sequence[str] = (), archives: str | None = None,
             interval: tuple[dt.datetime, dt.datetime] | None = None,
             started_at: dt.datetime | None = None, s3: S3Options | None = None) -> RunPlan:
    """The plan of a run: the one place the CLI and both DAGs make it.

    Lists the input files of ``folders`` (each file once, named relative to its folder),
    so a missing or empty source fails here, before any step runs.
    """
    if window_days < 0:
        raise ValueError(f"window_days must be >= 0, got {window_days}")
    if interval is not None and not interval[0] < interval[1]:
        raise ValueError(f"empty interval {interval}")
    return RunPlan(
        run_id=safe_run_id(run_id), lake=lake, day=day,
        started_at=started_at or dt.datetime.now(dt.UTC), window_days=window_days,
        inputs=tuple(discover_inputs(folders, s3)), feeds=tuple(feeds),
        sitemaps=tuple(sitemaps), urls=tuple(urls), archives=archives, interval=interval,
    )
