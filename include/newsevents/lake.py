"""The data lake: one Delta Lake table per lake table, written and read with delta-rs.

Layout under the lake root (a local folder or ``s3://bucket/prefix``)::

    <table>/_delta_log/<version>.json             the table's transaction log
    <table>/dt=YYYY-MM-DD/part-<id>.parquet       data files, partitioned by the run's date
    _staging/<run_id>/<name>.parquet              files passed between tasks of one run
    _state/<name>.json                            small state files kept between runs

Why Delta Lake: a commit is one new log entry, written only if absent (a rename that does
not replace locally, a conditional ``If-None-Match: *`` PUT on S3), so it is atomic and two
writers can never both take one version. ``commit_date`` replaces a date by a predicate
overwrite (``dt = 'YYYY-MM-DD'``): the commit removes the date's old files and adds the new
ones together, so a reader sees the old date or the new one, never a mix, and the old
files stay readable until ``maintenance.vacuum``. Commits to other dates do not conflict,
so runs of different dates commit in parallel. The log keeps every version, so the lake
can be read as it was (``version=``), and Spark, Trino, DuckDB, Polars or pandas read it.
"""

from __future__ import annotations

import datetime as dt
import logging
import posixpath
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from deltalake import CommitProperties, DeltaTable, WriterProperties, write_deltalake
from deltalake.exceptions import CommitFailedError, TableNotFoundError
from more_itertools import constrained_batches

from newsevents.schema import PARTITION_COLUMN, SCHEMAS, STAGED, TABLES, from_table, to_table
from newsevents.storage import S3Options, open_filesystem

log = logging.getLogger(__name__)

_RUN_ID = re.compile(r"^[A-Za-z0-9._:+-]{1,200}$")
_STAGED_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
# Records are written in batches of at most this many rows and text bytes and read back
# this many rows at a time: a batch of raw pages stays ~16 MB however large the pages are,
# so a task's memory does not grow with its shard.
_BATCH_ROWS, _BATCH_BYTES, _READ_ROWS = 500, 16 * 2**20, 100
# The tables of a date are committed in this order; ``runs`` last, as the date's record.
COMMIT_ORDER = (*[t for t in TABLES if t != "runs"], "runs")
# A date's commit starts again when another writer changed the same date meanwhile.
COMMIT_ATTEMPTS = 8
# Keys of each commit's custom metadata (``DeltaTable.history()`` shows them).
META_RUN_ID, META_DATE, META_ROWS_REMOVED = "newsevents.run_id", "newsevents.dt", \
    "newsevents.rows_removed"
_WRITER = WriterProperties(compression="ZSTD")


def delta_storage_options(s3: S3Options) -> dict[str, str]:
    """delta-rs's storage options for an S3-compatible store.

    ``aws_conditional_put=etag`` makes every log entry a conditional PUT, which AWS S3
    (since 2024), MinIO and R2 honour: safe concurrent commits without a DynamoDB lock.
    Missing keys fall back to delta-rs's own credential chain (environment, instance role).
    """
    options = {"aws_conditional_put": "etag", "AWS_REGION": s3.region or "us-east-1"}
    if s3.access_key and s3.secret_key:
        options |= {"AWS_ACCESS_KEY_ID": s3.access_key, "AWS_SECRET_ACCESS_KEY": s3.secret_key}
    if s3.endpoint_url:
        options["AWS_ENDPOINT_URL"] = s3.endpoint_url
        if urlparse(s3.endpoint_url).scheme == "http":
            options["AWS_ALLOW_HTTP"] = "true"
    return options


def partition_value(day: dt.date | str) -> str:
    """The ``dt=`` value of a date; rejects anything that is not a real calendar date."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if not isinstance(day, dt.date):
        raise ValueError(f"not a date: {day!r}")
    return day.isoformat()


def table_schema(table: str) -> pa.Schema:
    """The schema of a lake table as stored: the record's fields plus the ``dt`` column."""
    return SCHEMAS[table].append(pa.field(PARTITION_COLUMN, pa.string(), nullable=False))


@dataclass(frozen=True)
class Commit:
    """One version of a table, as ``newsevents history`` lists it."""

    version: int
    committed_at: dt.datetime
    operation: str  # WRITE, OPTIMIZE, VACUUM START, ...
    run_id: str | None  # the run that wrote it (None for maintenance and other writers)
    day: str | None  # the date it replaced
    rows_added: int | None
    rows_removed: int | None


class Lake:
    """Read and write the lake's tables. All paths are built here, from validated parts only."""

    def __init__(self, root: str, s3: S3Options | None = None):
        self.uri = root
        self.s3 = s3
        self.fs, self.root = open_filesystem(root, s3)

    # -- paths ---------------------------------------------------------------------------
    def _table_dir(self, table: str) -> str:
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; tables are {sorted(TABLES)}")
        return f"{self.root}/{table}"

    def partition_dir(self, table: str, day: dt.date | str) -> str:
        return f"{self._table_dir(table)}/{PARTITION_COLUMN}={partition_value(day)}"

    def display_path(self, path: str) -> str:
        return f"s3://{path}" if isinstance(self.fs, pafs.S3FileSystem) else path

    def table_uri(self, table: str) -> str:
        """Where the Delta table lives, as delta-rs and other engines name it."""
        return self.display_path(self._table_dir(table))

    def _storage_options(self) -> dict[str, str] | None:
        if not isinstance(self.fs, pafs.S3FileSystem):
            return None
        return delta_storage_options(self.s3 or S3Options())

    # -- Delta tables --------------------------------------------------------------------
    def delta_table(self, table: str, as_of: int | str | dt.datetime | None = None
                    ) -> DeltaTable | None:
        """The Delta table, at its latest version or ``as_of`` one (a version number, or a
        time: the version committed last before it); None if the table does not exist."""
        try:
            delta = DeltaTable(self.table_uri(table), storage_options=self._storage_options())
        except TableNotFoundError:
            return None
        if as_of is not None:
            # A time before the table's first commit loads version 0, the empty table
            # ``_create`` commits first, so it reads as no rows.
            delta.load_as_version(as_of)
        return delta

    def _create(self, table: str) -> DeltaTable:
        """The table, created empty (version 0) if it does not exist yet."""
        delta = self.delta_table(table)
        if delta is None:
            # Writers of a new lake race to create its tables. With its default retries
            # delta-rs commits a losing create again as version 1 (a second CREATE TABLE
            # that makes every writer in flight restart) or fails with "protocol changed";
            # with none, the loser fails at version 0 and takes the winner's table.
            try:
                DeltaTable.create(self.table_uri(table), table_schema(table),
                                  partition_by=[PARTITION_COLUMN], mode="ignore",
                                  storage_options=self._storage_options(),
                                  commit_properties=CommitProperties(max_commit_retries=0))
            except CommitFailedError:
                log.info("table %s was created by another writer meanwhile", table)
            delta = self.delta_table(table)
            assert delta is not None
        return delta

    def _overwrite(self, delta: DeltaTable, table: str, day: str, records: Iterable[object],
                   run_id: str | None) -> int:
        """Replace ``day`` of ``table`` with ``records`` in one commit; returns its version.

        The commit is checked against every commit since ``delta`` was loaded: one that
        touched the same date raises CommitFailedError, others are merged by delta-rs.
        """
        schema = table_schema(table)
        day_values = pa.array([day] * _BATCH_ROWS, pa.string())

        def batches() -> Iterator[pa.RecordBatch]:
            for batch in _batches(records):
                data = to_table(batch, TABLES[table])
                data = data.append_column(schema.field(PARTITION_COLUMN),
                                          day_values[: data.num_rows]).cast(schema)
                yield from data.to_batches()

        removed = _rows_in_partition(delta, day)
        metadata: dict[str, str | int] = {META_DATE: day, META_ROWS_REMOVED: removed}
        if run_id:
            metadata[META_RUN_ID] = run_id
        write_deltalake(delta, pa.RecordBatchReader.from_batches(schema, batches()),
                        mode="overwrite", predicate=f"{PARTITION_COLUMN} = '{day}'",
                        schema_mode="merge", writer_properties=_WRITER,
                        commit_properties=CommitProperties(custom_metadata=metadata))
        return delta.version()

    def commit_date(self, day: dt.date | str, run_id: str,
                    data: Mapping[str, Callable[[], Iterable[object]]],
                    runs_row: Callable[[dict[str, int]], object]) -> dict[str, int]:
        """Replace ``day`` in every table with one run's rows; returns each table's version.

        ``data`` gives, per table but ``runs``, a function returning its records; the
        ``runs`` row is made by ``runs_row`` from the versions of the others, then
        committed last: a date counts as written (``has_partition``) once its row is there.

        Each attempt loads every table first and checks each commit against that start:
        if another writer replaced the same date of any table meanwhile, the attempt
        starts again from the first table with fresh data, so two runs of one date end
        with one run's rows in every table, never a mix (the last to start wins whole).
        """
        value = partition_value(day)
        for attempt in range(1, COMMIT_ATTEMPTS + 1):
            start = {table: self._create(table) for table in COMMIT_ORDER}
            versions: dict[str, int] = {}
            try:
                for table in COMMIT_ORDER[:-1]:
                    versions[table] = self._overwrite(start[table], table, value,
                                                      data[table](), run_id)
                versions["runs"] = self._overwrite(start["runs"], "runs", value,
                                                   [runs_row(dict(versions))], run_id)
                return versions
            except CommitFailedError as exc:
                if attempt == COMMIT_ATTEMPTS:
                    raise
                log.warning("commit of %s (run %s) met a concurrent commit, attempt %d/%d "
                            "starts again: %s", value, run_id, attempt + 1, COMMIT_ATTEMPTS,
                            str(exc).splitlines()[0])
                time.sleep(random.uniform(0.05, 0.5) * attempt)  # let the other one finish
        raise AssertionError("unreachable")

    def write_records(self, table: str, day: dt.date | str, records: Iterable[object],
                      run_id: str | None = None) -> str:
        """Replace one date of one table with ``records`` (one commit). Returns its path."""
        self._overwrite(self._create(table), table, partition_value(day), records, run_id)
        return self.partition_dir(table, day)

    # -- reading -------------------------------------------------------------------------
    def committed_days(self) -> list[dt.date]:
        """The dates a run has committed (those with a ``runs`` row), oldest first."""
        return self.partitions("runs")

    def has_partition(self, table: str, day: dt.date | str) -> bool:
        """Whether ``day`` of ``table`` was committed by a run, even with no rows (the
        ``runs`` row is committed after every other table of its date)."""
        self._table_dir(table)
        return dt.date.fromisoformat(partition_value(day)) in self.committed_days()

    def partitions(self, table: str) -> list[dt.date]:
        """The dates with rows in ``table``, oldest first (from the log, no data read)."""
        delta = self.delta_table(table)
        if delta is None:
            return []
        return sorted(dt.date.fromisoformat(p[PARTITION_COLUMN]) for p in delta.partitions())

    def dataset(self, table: str, days: Sequence[dt.date] | None = None,
                as_of: int | str | dt.datetime | None = None) -> ds.Dataset:
        """A lazy dataset over ``table`` (with the ``dt`` column), at its latest version or
        ``as_of`` one, of all dates or of ``days``."""
        delta = self.delta_table(table, as_of)
        if delta is None or (days is not None and not days):
            return ds.dataset(table_schema(table).empty_table())
        pruning = None if days is None else [
            (PARTITION_COLUMN, "in", [partition_value(d) for d in days])]
        # pyarrow's own filesystem reads the files: faster than delta-rs's Python-wrapped
        # one, and it leaves no Python callbacks on Arrow's threads at interpreter exit.
        files = pafs.SubTreeFileSystem(self._table_dir(table), self.fs)
        return delta.to_pyarrow_dataset(filesystem=files, file_pruning_predicate=pruning)

    def read(self, table: str, days: Sequence[dt.date] | None = None) -> pa.Table:
        return self.dataset(table, days).to_table()

    def read_records(self, table: str, days: Sequence[dt.date] | None = None) -> Iterator:
        """Records of ``table``, one batch in memory at a time."""
        for batch in self.dataset(table, days).to_batches():
            yield from from_table(pa.Table.from_batches([batch]), TABLES[table])

    def history(self, table: str, limit: int | None = None) -> list[Commit]:
        """The versions of ``table``, newest first."""
        delta = self.delta_table(table)
        if delta is None:
            return []
        commits = []
        for info in delta.history(limit):
            metrics = info.get("operationMetrics") or {}
            added = metrics.get("num_added_rows")
            commits.append(Commit(
                version=info["version"],
                committed_at=dt.datetime.fromtimestamp(info["timestamp"] / 1000, dt.UTC),
                operation=info.get("operation", "?"),
                run_id=info.get(META_RUN_ID),
                day=info.get(META_DATE),
                rows_added=None if added is None else int(added),
                rows_removed=info.get(META_ROWS_REMOVED),
            ))
        return commits

    # -- staging between tasks -----------------------------------------------------------
    def staging_path(self, run_id: str, name: str) -> str:
        if not _STAGED_NAME.match(name):
            raise ValueError(f"invalid staged file name {name!r}")
        return f"{self._staging_dir(run_id)}/{name}.parquet"

    def _staging_dir(self, run_id: str) -> str:
        if not _RUN_ID.match(run_id) or ".." in run_id:
            raise ValueError(f"invalid run id {run_id!r}")
        return f"{self.root}/_staging/{run_id.replace(':', '_').replace('+', '_')}"

    def stage(self, run_id: str, name: str, kind: str, records: Iterable[object]) -> str:
        """Write records of ``kind`` (a key of ``schema.STAGED``) for the next task.

        Records are written in batches, so a stage can stream a large shard through
        without holding it in memory. Returns the staged file's path.
        """
        path = self.staging_path(run_id, name)
        self.fs.create_dir(posixpath.dirname(path), recursive=True)
        tmp = f"{path}.{uuid.uuid4().hex}.tmp"
        record_type = STAGED[kind]
        with pq.ParquetWriter(tmp, SCHEMAS[kind], filesystem=self.fs) as writer:
            for batch in _batches(records):
                writer.write_table(to_table(batch, record_type))
        self.fs.move(tmp, path)
        return path

    def unstage(self, path: str, kind: str) -> Iterator:
        """Records of a staged file, one batch in memory at a time."""
        self._check_inside(path)
        record_type = STAGED[kind]
        parquet = pq.ParquetFile(path, filesystem=self.fs)
        # Row group by row group: ``iter_batches`` keeps reading ahead and its memory grows
        # with the file (240 MB of Arrow buffers over a 2,000-page shard, 20 MB this way).
        for group in range(parquet.num_row_groups):
            for batch in parquet.read_row_group(group).to_batches(_READ_ROWS):
                yield from from_table(pa.Table.from_batches([batch]), record_type)

    def clear_staging(self, run_id: str) -> None:
        stage_dir = self._staging_dir(run_id)
        if self.fs.get_file_info(stage_dir).type == pafs.FileType.Directory:
            self.fs.delete_dir(stage_dir)

    def staged_runs(self) -> dict[str, dt.datetime]:
        """Each ``_staging/<run>`` folder's name and the time its newest file was written."""
        base = f"{self.root}/_staging"
        runs: dict[str, dt.datetime] = {}
        infos = self.fs.get_file_info(pafs.FileSelector(base, allow_not_found=True,
                                                        recursive=True))
        oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
        for info in infos:
            name = posixpath.relpath(info.path, base).split("/", 1)[0]
            when = info.mtime if info.type == pafs.FileType.File and info.mtime else oldest
            when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
            runs[name] = max(when, runs.get(name, oldest))  # an empty folder: oldest
        return runs

    # -- small state files (e.g. HTTP validators remembered between runs) ---------------
    def state_path(self, name: str) -> str:
        if not _STAGED_NAME.match(name):
            raise ValueError(f"invalid state name {name!r}")
        return f"{self.root}/_state/{name}.json"

    def read_state(self, name: str) -> str | None:
        """The text of state file ``name``, or None if there is none yet."""
        try:
            with self.fs.open_input_stream(self.state_path(name)) as f:
                return f.read().decode("utf-8")
        except FileNotFoundError:
            return None

    def write_state(self, name: str, text: str) -> None:
        """Replace state file ``name`` whole (a new file, then a rename; on S3 one PUT)."""
        path = self.state_path(name)
        self.fs.create_dir(posixpath.dirname(path), recursive=True)
        tmp = f"{path}.{uuid.uuid4().hex}.tmp"
        with self.fs.open_output_stream(tmp) as f:
            f.write(text.encode("utf-8"))
        self.fs.move(tmp, path)

    def state_names(self) -> list[str]:
        """Names of the saved state files, sorted."""
        selector = pafs.FileSelector(f"{self.root}/_state", allow_not_found=True)
        return sorted(posixpath.basename(i.path)[: -len(".json")]
                      for i in self.fs.get_file_info(selector) if i.path.endswith(".json"))

    # -- internals -----------------------------------------------------------------------
    def _check_inside(self, path: str) -> None:
        norm = posixpath.normpath(path)
        if not (norm == self.root or norm.startswith(self.root.rstrip("/") + "/")):
            raise ValueError(f"path {path!r} is outside the lake root {self.uri!r}")


def _rows_in_partition(delta: DeltaTable, day: str) -> int:
    """Rows of ``day`` in the loaded version (from the files' statistics in the log)."""
    actions = pa.table(delta.get_add_actions(flatten=True))
    if actions.num_rows == 0:
        return 0
    mine = actions.filter(pc.equal(actions[f"partition.{PARTITION_COLUMN}"], day))
    return int(pc.sum(mine["num_records"]).as_py() or 0)


def _batches(records: Iterable[object]) -> Iterator[tuple]:
    return constrained_batches(records, _BATCH_BYTES, _BATCH_ROWS, get_len=_text_bytes,
                               strict=False)


def _text_bytes(record: object) -> int:
    """The size of a record's text and binary fields: what dominates its memory."""
    return sum(len(v) for v in vars(record).values() if isinstance(v, str | bytes))
