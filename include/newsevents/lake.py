"""The data lake: Hive-partitioned Parquet tables with atomic, idempotent partition writes.

Layout under the lake root (a local folder or ``s3://bucket/prefix``)::

    <table>/dt=YYYY-MM-DD/part-<token>.parquet   data files
    <table>/dt=YYYY-MM-DD/_manifest.json         the committed file list
    _staging/<run_id>/<name>.parquet             files passed between tasks of one run

Why a manifest: neither POSIX nor S3 can swap a whole directory atomically. A writer first
writes a data file under a fresh name, then commits it by replacing the partition's small
``_manifest.json`` (an atomic rename locally, a single PUT on S3). Readers follow the
manifest, so a crash before the commit leaves the old partition visible and the new file
invisible; after the commit the files of the previous manifest are deleted. Re-writing a
partition therefore replaces it whole: same input, same rows, never duplicates.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from more_itertools import constrained_batches

from newsevents.schema import PARTITION_COLUMN, SCHEMAS, STAGED, TABLES, from_table, to_table
from newsevents.storage import S3Options, open_filesystem

MANIFEST = "_manifest.json"
_RUN_ID = re.compile(r"^[A-Za-z0-9._:+-]{1,200}$")
_STAGED_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
# Records are written in batches of at most this many rows and text bytes (one Parquet row
# group each) and read back this many rows at a time: a batch of raw pages stays ~16 MB
# however large the pages are, so a task's memory does not grow with its shard.
_BATCH_ROWS, _BATCH_BYTES, _READ_ROWS = 500, 16 * 2**20, 100


def partition_value(day: dt.date | str) -> str:
    """The ``dt=`` value of a date; rejects anything that is not a real calendar date."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if not isinstance(day, dt.date):
        raise ValueError(f"not a date: {day!r}")
    return day.isoformat()


class Lake:
    """Read and write the lake's tables. All paths are built here, from validated parts only."""

    def __init__(self, root: str, s3: S3Options | None = None):
        self.uri = root
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

    # -- partitions ----------------------------------------------------------------------
    def write_partition(self, table: str, day: dt.date | str, data: pa.Table) -> str:
        """Replace one partition of ``table`` with ``data``, atomically. Returns its directory."""
        return self._commit(table, day, [data])

    def write_records(self, table: str, day: dt.date | str, records: Iterable[object]) -> str:
        """Replace one partition of ``table`` with ``records``, streamed in batches."""
        batches = (to_table(batch, TABLES[table]) for batch in _batches(records))
        return self._commit(table, day, batches)

    def _commit(self, table: str, day: dt.date | str, data: Iterable[pa.Table]) -> str:
        """Write ``data`` to a fresh file of the partition, then commit it by its manifest."""
        schema = SCHEMAS[table]
        part_dir = self.partition_dir(table, day)
        self.fs.create_dir(part_dir, recursive=True)
        previous = self._manifest_files(part_dir)
        name = f"part-{uuid.uuid4().hex}.parquet"
        rows = 0
        with pq.ParquetWriter(f"{part_dir}/{name}", schema, filesystem=self.fs,
                              compression="zstd") as writer:
            for chunk in data:
                chunk = chunk.select(schema.names).cast(schema)
                writer.write_table(chunk)
                rows += chunk.num_rows
        manifest = {"files": [name], "rows": rows,
                    "committed_at": dt.datetime.now(dt.UTC).isoformat()}
        self._atomic_write(f"{part_dir}/{MANIFEST}", json.dumps(manifest).encode())
        for old in previous or []:
            if old != name:
                self._delete_quietly(f"{part_dir}/{old}")
        return part_dir

    def has_partition(self, table: str, day: dt.date | str) -> bool:
        """Whether ``table`` has a committed partition for ``day`` (one manifest read)."""
        return self._manifest_files(self.partition_dir(table, day)) is not None

    def partitions(self, table: str) -> list[dt.date]:
        """Committed partitions of ``table`` (those with a manifest), oldest first."""
        table_dir = self._table_dir(table)
        selector = pafs.FileSelector(table_dir, allow_not_found=True)
        days = []
        for info in self.fs.get_file_info(selector):
            name = posixpath.basename(info.path)
            if info.type == pafs.FileType.Directory and name.startswith(f"{PARTITION_COLUMN}="):
                if self._manifest_files(info.path) is not None:
                    days.append(dt.date.fromisoformat(name.split("=", 1)[1]))
        return sorted(days)

    def dataset(self, table: str, days: Sequence[dt.date] | None = None) -> ds.Dataset:
        """A lazy dataset over the committed files of ``table`` (with the ``dt`` column)."""
        table_dir = self._table_dir(table)
        files = []
        for day in self.partitions(table) if days is None else days:
            part_dir = self.partition_dir(table, day)
            files += [f"{part_dir}/{f}" for f in self._manifest_files(part_dir) or []]
        schema = SCHEMAS[table].append(pa.field(PARTITION_COLUMN, pa.string()))
        return ds.dataset(
            files, schema=schema, format="parquet", filesystem=self.fs,
            partitioning=ds.partitioning(pa.schema([(PARTITION_COLUMN, pa.string())]),
                                         flavor="hive"),
            partition_base_dir=table_dir,
        )

    def read(self, table: str, days: Sequence[dt.date] | None = None) -> pa.Table:
        return self.dataset(table, days).to_table()

    def read_records(self, table: str, days: Sequence[dt.date] | None = None) -> Iterator:
        """Records of ``table``, one batch in memory at a time."""
        for batch in self.dataset(table, days).to_batches():
            yield from from_table(pa.Table.from_batches([batch]), TABLES[table])

    # -- staging between tasks -----------------------------------------------------------
    def staging_path(self, run_id: str, name: str) -> str:
        if not _RUN_ID.match(run_id) or ".." in run_id:
            raise ValueError(f"invalid run id {run_id!r}")
        if not _STAGED_NAME.match(name):
            raise ValueError(f"invalid staged file name {name!r}")
        return f"{self.root}/_staging/{run_id.replace(':', '_').replace('+', '_')}/{name}.parquet"

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
        stage_dir = posixpath.dirname(self.staging_path(run_id, "x"))
        if self.fs.get_file_info(stage_dir).type == pafs.FileType.Directory:
            self.fs.delete_dir(stage_dir)

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
        path = self.state_path(name)
        self.fs.create_dir(posixpath.dirname(path), recursive=True)
        self._atomic_write(path, text.encode("utf-8"))

    def state_names(self) -> list[str]:
        """Names of the saved state files, sorted."""
        selector = pafs.FileSelector(f"{self.root}/_state", allow_not_found=True)
        return sorted(posixpath.basename(i.path)[: -len(".json")]
                      for i in self.fs.get_file_info(selector) if i.path.endswith(".json"))

    # -- internals -----------------------------------------------------------------------
    def _manifest_files(self, part_dir: str) -> list[str] | None:
        path = f"{part_dir}/{MANIFEST}"
        try:  # pyarrow raises FileNotFoundError for a missing key on S3 too
            with self.fs.open_input_stream(path) as f:
                return list(json.loads(f.read())["files"])
        except FileNotFoundError:
            return None

    def _atomic_write(self, path: str, payload: bytes) -> None:
        tmp = f"{path}.{uuid.uuid4().hex}.tmp"
        with self.fs.open_output_stream(tmp) as f:
            f.write(payload)
        self.fs.move(tmp, path)  # rename locally; copy-then-delete on S3 (object appears whole)

    def _delete_quietly(self, path: str) -> None:
        try:
            self.fs.delete_file(path)
        except (FileNotFoundError, OSError):
            pass

    def _check_inside(self, path: str) -> None:
        norm = posixpath.normpath(path)
        if not (norm == self.root or norm.startswith(self.root.rstrip("/") + "/")):
            raise ValueError(f"path {path!r} is outside the lake root {self.uri!r}")


def _batches(records: Iterable[object]) -> Iterator[tuple]:
    return constrained_batches(records, _BATCH_BYTES, _BATCH_ROWS, get_len=_text_bytes,
                               strict=False)


def _text_bytes(record: object) -> int:
    """The size of a record's text and binary fields: what dominates its memory."""
    return sum(len(v) for v in vars(record).values() if isinstance(v, str | bytes))
