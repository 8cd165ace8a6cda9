"""Local paths and ``s3://`` URLs behind one interface: list files, open them as streams.

A *ref* is what ``discover`` returns and ``load`` takes: an absolute local path or an
``s3://bucket/key`` URL. S3 settings come from the caller (e.g. an Airflow connection) or,
by default, from the standard AWS environment variables.

pyarrow and fsspec are imported only when a store is listed or an S3 object opened: a
local file is opened with ``open`` (``newsevents extract page.html`` would otherwise pay
for importing pyarrow, most of a second, to read one file).
"""

from __future__ import annotations

import io
import os
import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, BinaryIO

from newsevents.storage import S3_SCHEME, S3Options, open_filesystem, s3_options_from_env

if TYPE_CHECKING:
    import pyarrow.fs as pafs

GLOB_CHARS = frozenset("*?[")
# Archive readers read in small blocks; one S3 GET or syscall per MiB keeps them cheap.
BUFFER_BYTES = 1 << 20


def list_files(source: str, s3: S3Options | None = None) -> list[str]:
    """Refs of the files a folder (recursively), glob or single file names, sorted.

    Hidden files and folders (a name starting with ".") below the folder, or matched by
    the glob's wildcards, are left out; a hidden file named explicitly is kept.
    Raises ValueError when nothing exists at ``source`` or matches it.
    """
    from fsspec.implementations.arrow import ArrowFSWrapper

    fs, path = _filesystem(source, s3)
    files = ArrowFSWrapper(fs)
    if files.exists(path):
        root = path
        found = files.find(path)
    elif GLOB_CHARS.intersection(path):
        root = _glob_root(path)
        found = [p for p, info in files.glob(path, detail=True).items() if info["type"] == "file"]
        if not found:
            raise ValueError(f"{source}: no file matches")
    else:
        raise ValueError(f"{source}: no such file or folder")
    return sorted(_to_ref(fs, p) for p in found if not _hidden(p[len(root):]))


def relative_name(source: str, ref: str) -> str:
    """The name of ``ref`` relative to the folder ``source`` names (for a glob, the folder
    its wildcards start in; for a single file, the file's own folder).

    What stays the same wherever a copy of the inputs is mounted: ids derive from it.
    """
    path = ref[len(S3_SCHEME):] if ref.startswith(S3_SCHEME) else ref
    named = _filesystem_path(source)
    if path == named:  # a single file: its own name
        return posixpath.basename(path)
    for root in (named, _glob_root(named)):  # a folder, else a glob's folder
        if path.startswith(root.rstrip("/") + "/"):
            return path[len(root.rstrip("/")) + 1 :]
    raise ValueError(f"{ref} is not under {source}")


@contextmanager
def open_input(ref: str, s3: S3Options | None = None) -> Iterator[tuple[BinaryIO, int]]:
    """A buffered, seekable binary stream over ``ref`` and its size in bytes.

    Raises OSError (FileNotFoundError, PermissionError, ...) when it cannot be opened.
    """
    if not ref.startswith(S3_SCHEME):
        with open(ref, "rb", buffering=BUFFER_BYTES) as local:
            yield local, os.fstat(local.fileno()).st_size
        return
    fs, path = _filesystem(ref, s3)
    with fs.open_input_file(path) as raw:
        yield io.BufferedReader(raw, buffer_size=BUFFER_BYTES), raw.size()


def _glob_root(path: str) -> str:
    """The folder a glob lists from: where its first wildcard's path segment starts."""
    if GLOB_CHARS.intersection(path):
        return path[: min(path.index(c) for c in GLOB_CHARS if c in path)].rpartition("/")[0]
    return path


def _filesystem_path(source: str) -> str:
    """The path ``_filesystem`` would give for ``source``, without reaching any store."""
    if source.startswith(S3_SCHEME):
        return source[len(S3_SCHEME):].rstrip("/")
    return posixpath.abspath(source)


def _hidden(relative: str) -> bool:
    return any(part.startswith(".") for part in relative.split("/"))


def _filesystem(ref: str, s3: S3Options | None = None) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem holding ``ref`` and the path inside it."""
    if ref.startswith(S3_SCHEME):
        return open_filesystem(ref, s3 or s3_options_from_env())
    return open_filesystem(ref)


def _to_ref(fs: pafs.FileSystem, path: str) -> str:
    """The ref of a path inside ``fs`` (the inverse of ``_filesystem``)."""
    import pyarrow.fs as pafs

    return S3_SCHEME + path if isinstance(fs, pafs.S3FileSystem) else path
