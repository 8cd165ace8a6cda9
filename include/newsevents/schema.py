"""The records passed between stages and the lake's tables: the single truth for both.

Each lake table is a frozen dataclass; its pyarrow schema is derived from the type
hints, so a field added here is added to the record, the staged Parquet files and the
lake at once (pyarrow is imported only when a schema or table is first asked for: the
records alone, e.g. for ``newsevents extract``, never need it). Every table is a Delta
table partitioned by ``dt`` (the run's date, a ``YYYY-MM-DD`` string), which lives in the
path and the log, not in the files.

Data flows one way: ``Document`` (sources) → ``Article`` (clean; dedupe's ``DupMark``
fills the ``dup_*``/``n_*`` fields) → ``Event`` + ``Mention`` (events) → lake. Any stage
may emit ``Reject`` rows; nothing is dropped silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    """Stable id of the input (16 hex chars of SHA-1 of its source); the key other tables use."""
    source: str
    """Where the input came from: a file path, a URL, or `archive.warc.gz#offset` for an archive
    record."""
    text: str
    """The cleaned article text: paragraphs separated by newlines, without boilerplate or repeated
    paragraphs."""
    url: str | None = None
    """The URL the article was fetched from or the page declares; empty for a local file without
    one."""
    canonical_url: str | None = None
    """The page's canonical URL (`<link rel=canonical>`, `og:url`), normalised; what exact-URL
    duplicates are matched on."""
    site_name: str | None = None
    """The outlet's name as the page gives it (`og:site_name`, publisher metadata)."""
    title: str | None = None
    """The article's headline."""
    authors: list[str] = field(default_factory=list)
    """Bylines, as a list of names."""
    published: dt.datetime | None = None
    """Publication time (UTC) from the page's metadata or the source; empty when unknown. Relative
    dates in the text are resolved against it."""
    fetched_at: dt.datetime | None = None
    """When the page was fetched or crawled (HTTP Date, WARC-Date, file modification time), UTC."""
    language: str | None = None
    """ISO 639-1 code of the text's language; only `en` articles are coded into events."""
    is_paywalled: bool = False
    """Whether the page marks its content as behind a paywall (the text may be only a teaser)."""
    extraction_method: str | None = None  # e.g. "trafilatura", "text"
    """How the text was extracted."""
    boilerplate_chars_removed: int = 0
    """Characters of boilerplate (navigation, share buttons, comment forms) removed from
    the text."""
    repeated_paragraphs_removed: int = 0
    """Paragraphs dropped because they repeated an earlier one (bodies printed twice by the
    page)."""
    text_hash: str | None = None  # hash of the normalised text (dedupe)
    """Hash of the normalised text: equal hashes are exact-text duplicates."""
    # Filled by dedupe. A duplicate keeps its row; dup_of names the canonical article.
    dup_of: str | None = None
    """For a duplicate, the `article_id` of the canonical article it copies (possibly from an
    earlier date); empty for a canonical article. Only canonical articles are coded."""
    dup_kind: str | None = None  # "exact_url", "exact_text", "near"
    """How the duplicate was found."""
    dup_similarity: float | None = None
    """Estimated Jaccard similarity (MinHash) to the canonical article, for near duplicates."""
    n_copies: int = 1  # canonical rows: how many articles (itself included) carried it
    """On a canonical article: how many articles (itself included) carried this text."""
    n_sites: int = 1  # canonical rows: how many distinct sites carried it
    """On a canonical article: how many distinct sites carried this text."""


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
    """Stable id of the event (16 hex chars of SHA-1 of article, sentence, code, actors and
    trigger); re-running a date gives the same ids."""
    article_id: str
    """The article of the kept mention; all mentions are in `mentions`."""
    sentence: str
    """The sentence the event was coded from."""
    trigger: str | None = None
    """The word or phrase that names the action (the verb or noun the coder matched)."""
    event_date: dt.date | None = None
    """The day the event happened: the day the sentence names (resolved against the publication
    date), else the publication date (GDELT's date-of-report convention); empty for a future
    event without a day."""
    time_precision: str | None = None  # day, week, month, year, report
    """How precisely `event_date` is known."""
    modality: str = "asserted"  # asserted, future, hypothetical, denied
    """Whether the action is reported as having happened. Only `asserted` events happened; the
    ACLED export keeps only those, the GDELT export `asserted` and `future` (announced intents)."""
    plover_type: str | None = None
    """PLOVER event type (PLOVER manual 0.8)."""
    plover_mode: str | None = None
    """PLOVER mode: how the action was carried out, one of the modes the manual defines for the
    type."""
    plover_context: str | None = None
    """PLOVER context from the CAMEO->PLOVER table (e.g. `military`, `diplomatic`)."""
    cameo_code: str | None = None
    """CAMEO 1.1b3 event code (2 to 4 digits, kept as text: leading zeros matter)."""
    cameo_root: str | None = None
    """The CAMEO root code: the code's first two digits."""
    quad_class: int | None = None
    """Quad class of the PLOVER type (PLOVER's own table). The GDELT export recomputes QuadClass
    from the CAMEO root, as GDELT does."""
    goldstein: float | None = None
    """Goldstein (1992) conflict-cooperation score of the CAMEO code, -10 to +10."""
    acled_event_type: str | None = None
    """ACLED event type the event maps to; empty for events ACLED does not record (verbal events,
    most cooperation), and for one of a protest and the force used at it, which ACLED records as
    one event."""
    acled_sub_event_type: str | None = None
    """ACLED sub-event type."""
    actor1_name: str | None = None
    """Who acted, as named in the text (or `unidentified armed group` for an attack without a named
    perpetrator)."""
    actor1_country: str | None = None
    """ISO 3166-1 alpha-3 code of actor 1's country (CAMEO country code); empty for international
    or unknown actors."""
    actor1_sector: str | None = None
    """CAMEO role code of actor 1."""
    actor2_name: str | None = None
    """Who was acted upon, as named in the text."""
    actor2_country: str | None = None
    """ISO 3166-1 alpha-3 code of actor 2's country."""
    actor2_sector: str | None = None
    """CAMEO role code of actor 2."""
    location_name: str | None = None
    """Where it happened: the GeoNames name of the town, province or country."""
    admin1: str | None = None
    """Name of the province (first-level administrative division) of the place."""
    admin1_code: str | None = None
    """GeoNames admin1 code of the province, `<ISO2>.<code>` (e.g. `SY.09` for Aleppo; GeoNames
    uses FIPS 10-4 admin codes for most countries)."""
    country: str | None = None
    """ISO 3166-1 alpha-3 code of the country where it happened."""
    lat: float | None = None
    """Latitude (WGS84) of the place: the town's coordinates, or the mean of a province's or
    country's towns."""
    lon: float | None = None
    """Longitude (WGS84) of the place."""
    geo_precision: int | None = None  # 1 town, 2 district, 3 province, 4 country
    """How precisely the place is known."""
    geonames_id: int | None = None
    """GeoNames feature id of the town or country (https://www.geonames.org/<id>); empty for
    provinces."""
    fatalities: int | None = None
    """People reported killed in this event; empty when the sentence gives no toll."""
    injured: int | None = None
    """People reported injured."""
    is_aggregate: bool = False  # a total whose parts are also coded as events
    """True when `fatalities` is a total of other events also in the table ("35 killed in Idlib and
    Aleppo" over 21 + 14): sum `fatalities` over the rows where this is false."""
    source_attribution: str | None = None
    """Who the article credits for the report ("the Syrian Observatory for Human Rights")."""
    mentions: int = 1
    """Distinct (article, sentence) mentions of the event (GDELT's NumMentions)."""
    confidence: float | None = None
    """The coder's confidence, 0 to 1: a named actor on each side, a main-clause, asserted
    action."""
    n_articles: int = 1
    """Articles reporting the event, their copies (dedupe's duplicates) included (GDELT's
    NumArticles)."""
    n_sources: int | None = None
    """Distinct outlets among those articles: site name, else the URL's host, else the input
    (GDELT's NumSources)."""
    source_url: str | None = None
    """URL of the first article (by publication time) reporting the event, else its source path
    (GDELT's SOURCEURL)."""


@dataclass(frozen=True)
class Mention:
    """Where an event was reported: one row per (event, article, sentence)."""

    event_id: str
    """The event (`events.event_id`) mentioned."""
    article_id: str
    """The article (`articles.article_id`) that mentions it."""
    sentence_index: int
    """Position of the sentence in the article, from 0."""
    sentence: str
    """The sentence that mentions the event."""


@dataclass(frozen=True)
class Reject:
    """An input that did not become an article, with the stage and the reason why."""

    source: str
    """The input that was rejected: file, `file:line`, URL, or `archive#offset`."""
    stage: str  # "discover", "fetch", "load", "clean", ...
    """The stage that rejected it."""
    reason: str  # short machine-readable reason, e.g. "empty", "invalid_utf8"
    """Short machine-readable reason."""
    detail: str = ""  # human-readable explanation
    """Human-readable explanation (sizes, HTTP status, parser error)."""


@dataclass(frozen=True)
class Signature:
    """MinHash band keys of a canonical article, kept so later runs can find its copies."""

    article_id: str
    """The canonical article."""
    text_hash: str
    """Hash of its normalised text (exact duplicates)."""
    canonical_url: str | None
    """Its canonical URL (exact-URL duplicates)."""
    published: dt.datetime | None
    """Its publication time, UTC."""
    band_keys: list[str] = field(default_factory=list)
    """MinHash LSH band keys: an article sharing one is a near-duplicate candidate."""
    minhash: bytes = b""  # the MinHash (little-endian uint32s), to estimate similarity later
    """The MinHash itself (little-endian uint32s), to estimate the similarity of a candidate."""


@dataclass(frozen=True)
class RunSummary:
    """One row per pipeline run: what came in and what became of it."""

    run_id: str
    """The Airflow run id (or `cli__<date>__<time>` for `newsevents run`)."""
    inputs: int
    """Inputs the run saw (files, records, URLs). Always kept + duplicates + rejected."""
    kept: int
    """Inputs that became canonical articles."""
    duplicates: int
    """Articles that were duplicates of another article (this date's or an earlier one's)."""
    rejected: int
    """Inputs rejected, with a row each in `rejects`."""
    events: int
    """Rows the run wrote to `events`."""
    elapsed_s: float
    """Wall time of the run, seconds."""
    started_at: dt.datetime | None = None
    """When the run started, UTC (the GDELT export's DATEADDED)."""
    rejects_by_reason: str = "{}"  # JSON object reason -> count
    """JSON object: reject reason -> count."""
    table_versions: str = "{}"
    """JSON object: table -> the Delta version this run committed, for every table but `runs`
    itself (this row is written by the runs table's own commit, which comes last)."""


# ---------------------------------------------------------------------------
# pyarrow schemas derived from the dataclasses

@functools.cache
def _arrow_types() -> dict[object, pa.DataType]:
    import pyarrow as pa

    return {
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
        return _arrow_types()[inner], True
    return _arrow_types()[hint], False


@functools.cache
def arrow_schema(record_type: type) -> pa.Schema:
    """The Arrow schema of a record type, from its fields' type hints."""
    import pyarrow as pa

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


def __getattr__(name: str) -> object:
    """``SCHEMAS`` (table name -> Arrow schema), built on first use."""
    if name != "SCHEMAS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    schemas = {table: arrow_schema(rt) for table, rt in STAGED.items()}
    globals()["SCHEMAS"] = schemas
    return schemas


if TYPE_CHECKING:
    SCHEMAS: dict[str, pa.Schema]


def to_table(records: Iterable[object], record_type: type) -> pa.Table:
    """Records → Arrow table with the record type's schema (datetimes made UTC-aware)."""
    import pyarrow as pa

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

