"""The records passed between stages and the lake's tables: the single truth for both.

Each lake table is a frozen dataclass; its pyarrow schema is derived from the type
hints, so a field added here is added to the record, the staged Parquet files and the
lake at once. Every table is a Delta table partitioned by ``dt`` (the run's date, a
``YYYY-MM-DD`` string), which lives in the path and the log, not in the files.

Data flows one way: ``Document`` (sources) → ``Article`` (clean; dedupe's ``DupMark``
fills the ``dup_*``/``n_*`` fields) → ``Event`` + ``Mention`` (events) → lake. Any stage
may emit ``Reject`` rows; nothing is dropped silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

PARTITION_COLUMN = "dt"


def stable_id(*parts: object) -> str:
    """A short, deterministic id (16 hex chars of SHA-1) from the given parts."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Document:
    """One raw input as loaded by ``sources``: bytes plus whatever the source told us.

    Not a lake table: documents are staged between ``load`` and ``clean`` only.
    """

    doc_id: str  # stable_id(source)
    source: str  # input path, URL, or "archive.warc.gz#offset"
    fmt: str  # "html" or "text"
    body: bytes
    url: str | None = None
    fetched_at: dt.datetime | None = None  # crawl/fetch time (WARC-Date, HTTP Date, file mtime)
    title: str | None = None  # given by the source (e.g. a JSONL field), else None
    published: dt.datetime | None = None  # given by the source, else None
    charset: str | None = None  # from a Content-Type header, when there was one


@dataclass(frozen=True)
class Article:
    """One cleaned article; after ``dedupe`` also its duplicate status."""

    article_id: str  # == Document.doc_id
    source: str
    text: str
    url: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: dt.datetime | None = None
    fetched_at: dt.datetime | None = None
    language: str | None = None
    is_paywalled: bool = False
    extraction_method: str | None = None  # e.g. "trafilatura", "text"
    boilerplate_chars_removed: int = 0
    repeated_paragraphs_removed: int = 0
    text_hash: str | None = None  # hash of the normalised text (dedupe)
    # Filled by dedupe. A duplicate keeps its row; dup_of names the canonical article.
    dup_of: str | None = None
    dup_kind: str | None = None  # "exact_url", "exact_text", "near"
    dup_similarity: float | None = None
    n_copies: int = 1  # canonical rows: how many articles (itself included) carried it
    n_sites: int = 1  # canonical rows: how many distinct sites carried it


@dataclass(frozen=True)
class DupMark:
    """Dedupe's verdict on one article: the ``Article`` fields it fills.

    Not a lake table: staged between dedupe and the tasks that read the articles again,
    so dedupe never has to hold a day's texts.
    """

    article_id: str
    text_hash: str
    dup_of: str | None = None
    dup_kind: str | None = None
    dup_similarity: float | None = None
    n_copies: int = 1
    n_sites: int = 1

    def applied_to(self, article: Article) -> Article:
        if article.article_id != self.article_id:
            raise ValueError(f"mark of {self.article_id} applied to {article.article_id}")
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return dataclasses.replace(article, **fields)


@dataclass(frozen=True)
class Event:
    """One coded event (who did what to whom, where, when, how many)."""

    event_id: str
    article_id: str
    sentence: str
    trigger: str | None = None
    event_date: dt.date | None = None
    modality: str = "asserted"  # asserted, future, hypothetical, denied
    plover_type: str | None = None
    plover_mode: str | None = None
    plover_context: str | None = None
    cameo_code: str | None = None
    cameo_root: str | None = None
    quad_class: int | None = None
    goldstein: float | None = None
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    actor1_name: str | None = None
    actor1_country: str | None = None
    actor1_sector: str | None = None
    actor2_name: str | None = None
    actor2_country: str | None = None
    actor2_sector: str | None = None
    location_name: str | None = None
    admin1: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    geo_precision: int | None = None  # 1 town, 2 district, 3 province, 4 country
    fatalities: int | None = None
    injured: int | None = None
    is_aggregate: bool = False  # a total whose parts are also coded as events
    source_attribution: str | None = None
    mentions: int = 1
    confidence: float | None = None


@dataclass(frozen=True)
class Mention:
    """Where an event was reported: one row per (event, article, sentence)."""

    event_id: str
    article_id: str
    sentence_index: int
    sentence: str


@dataclass(frozen=True)
class Reject:
    """An input that did not become an article, with the stage and the reason why."""

    source: str
    stage: str  # "discover", "fetch", "load", "clean", ...
    reason: str  # short machine-readable reason, e.g. "empty", "invalid_utf8"
    detail: str = ""  # human-readable explanation


@dataclass(frozen=True)
class Signature:
    """MinHash band keys of a canonical article, kept so later runs can find its copies."""

    article_id: str
    text_hash: str
    canonical_url: str | None
    published: dt.datetime | None
    band_keys: list[str] = field(default_factory=list)
    minhash: bytes = b""  # the MinHash (little-endian uint32s), to estimate similarity later


@dataclass(frozen=True)
class RunSummary:
    """One row per pipeline run: what came in and what became of it."""

    run_id: str
    inputs: int
    kept: int
    duplicates: int
    rejected: int
    events: int
    elapsed_s: float
    started_at: dt.datetime | None = None
    rejects_by_reason: str = "{}"  # JSON object reason -> count
    # JSON object table -> the Delta version this run committed, for every table but
    # ``runs`` itself (this row is written by the runs table's own commit, which comes last).
    table_versions: str = "{}"


# ---------------------------------------------------------------------------
# pyarrow schemas derived from the dataclasses

_ARROW_TYPES: dict[object, pa.DataType] = {
    str: pa.string(),
    bytes: pa.binary(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    dt.date: pa.date32(),
    dt.datetime: pa.timestamp("us", tz="UTC"),
    list[str]: pa.list_(pa.string()),
}


def _arrow_type(hint: object) -> tuple[pa.DataType, bool]:
    """The Arrow type of a field's type hint and whether it is nullable."""
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) and type(None) in args:
        (inner,) = [a for a in args if a is not type(None)]
        return _ARROW_TYPES[inner], True
    return _ARROW_TYPES[hint], False


def arrow_schema(record_type: type) -> pa.Schema:
    hints = typing.get_type_hints(record_type)
    fields = []
    for f in dataclasses.fields(record_type):
        arrow_type, nullable = _arrow_type(hints[f.name])
        fields.append(pa.field(f.name, arrow_type, nullable=nullable))
    return pa.schema(fields)


# The lake's tables. Documents and marks are staged but never written to the lake.
TABLES: dict[str, type] = {
    "articles": Article,
    "events": Event,
    "mentions": Mention,
    "rejects": Reject,
    "signatures": Signature,
    "runs": RunSummary,
}
STAGED: dict[str, type] = {**TABLES, "documents": Document, "marks": DupMark}
SCHEMAS: dict[str, pa.Schema] = {name: arrow_schema(rt) for name, rt in STAGED.items()}


def to_table(records: Iterable[object], record_type: type) -> pa.Table:
    """Records → Arrow table with the record type's schema (datetimes made UTC-aware)."""
    schema = arrow_schema(record_type)
    columns: dict[str, list] = {name: [] for name in schema.names}
    for rec in records:
        for name in schema.names:
            columns[name].append(_to_arrow_value(getattr(rec, name)))
    return pa.table(columns, schema=schema)


def from_table(table: pa.Table, record_type: type) -> list:
    """Arrow table → records; columns the record does not know are ignored."""
    names = [f.name for f in dataclasses.fields(record_type)]
    present = [n for n in names if n in table.column_names]
    return [record_type(**row) for row in table.select(present).to_pylist()]


def _to_arrow_value(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value
