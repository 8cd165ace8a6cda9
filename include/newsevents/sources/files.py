"""Article files: .txt, .html/.htm and .jsonl, each optionally gzip'd.

A .txt or .html file is one Document; a .jsonl file one Document per line holding
``text`` or ``html`` (``text`` wins when both are there), with optional ``url``,
``title`` and ``published`` (ISO 8601 date or datetime; naive means UTC). What cannot
become a Document is a ``Reject(stage="load")`` naming the file, or ``file:lineno`` for a
JSONL line: ``empty``, ``binary``, ``invalid_utf8``, ``too_large``, ``bad_json``,
``missing_text``, ``bad_field``. (``load`` adds ``unreadable`` and ``corrupt_gzip``.)
``fetched_at`` stays None: a file's mtime is not when the article was crawled.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import json
from collections.abc import Iterator
from typing import BinaryIO

from newsevents.schema import Document, Reject, stable_id
from newsevents.sources.storage import open_input
from newsevents.storage import S3Options

SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
# Bytes a binary file shows at its start; most also have NUL bytes, not all early on.
_MAGIC = {b"%PDF-": "PDF", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF",
          b"PK\x03\x04": "ZIP", b"\x1f\x8b": "gzip (without a .gz name)"}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_SNIFF_BYTES = 65_536  # as much as the clean stage looks at for the same question


def body_problem(body: bytes) -> tuple[str, str] | None:
    """("empty" | "binary", detail) when ``body`` is no text document at all, else None."""
    if not body or body.isspace():
        return "empty", "no content"
    if body.startswith(_UTF16_BOMS):
        return None  # UTF-16 text is full of NUL bytes
    kind = next((name for magic, name in _MAGIC.items() if body.startswith(magic)), None)
    if kind:
        return "binary", f"{kind} data, not text"
    if b"\x00" in body[:_SNIFF_BYTES]:
        return "binary", "NUL bytes: binary data, not text"
    return None


def load_document(ref: str, fmt: str, *, max_bytes: int, s3: S3Options | None = None,
                  key: str | None = None) -> Iterator[Document | Reject]:
    """One .txt (``fmt="text"``, must be UTF-8 or carry a BOM) or .html file.

    ``key`` is the file's name relative to its input root, from which its id derives
    (default: ``ref`` itself).
    """
    with open_input(ref, s3) as (raw, size):
        if size > max_bytes:
            yield _reject(ref, "too_large", f"{size} bytes, above the {max_bytes}-byte limit")
            return
        body = _decompressed(ref, raw).read(max_bytes + 1)
    if len(body) > max_bytes:
        yield _reject(ref, "too_large", f"above the {max_bytes}-byte limit once gunzipped")
        return
    problem = body_problem(body) or (_utf8_problem(body) if fmt == "text" else None)
    if problem:
        yield _reject(ref, *problem)
        return
    yield Document(doc_id=stable_id(key or ref), source=ref, fmt=fmt, body=body)


def load_jsonl(ref: str, *, max_bytes: int, s3: S3Options | None = None,
               key: str | None = None) -> Iterator[Document | Reject]:
    """One Document or Reject per non-blank line of a .jsonl file, streamed.

    A line's id derives from ``key`` (see ``load_document``) and its line number.
    """
    with open_input(ref, s3) as (raw, _):
        found = False
        for lineno, line in enumerate(_lines(_decompressed(ref, raw), max_bytes), 1):
            if line is not None and line.isspace():
                continue
            found = True
            if line is None:
                yield _reject(f"{ref}:{lineno}", "too_large",
                              f"line above the {max_bytes}-byte limit")
            elif lineno == 1 and (problem := body_problem(line)):
                yield _reject(ref, *problem)  # a binary file has no lines to speak of
                return
            else:
                yield _jsonl_item(line, f"{ref}:{lineno}", f"{key or ref}:{lineno}")
    if not found:
        yield _reject(ref, "empty", "no JSON lines")


def _jsonl_item(line: bytes, source: str, id_key: str) -> Document | Reject:
    try:
        item = json.loads(line)
    except UnicodeDecodeError as exc:
        return _reject(source, "invalid_utf8", f"not valid UTF-8 at byte {exc.start}")
    except ValueError as exc:
        return _reject(source, "bad_json", str(exc))
    if not isinstance(item, dict):
        return _reject(source, "bad_json", f"a JSON {type(item).__name__}, not an object")
    for fmt in ("text", "html"):
        body = item.get(fmt)
        if isinstance(body, str) and body.strip():
            break
    else:
        return _reject(source, "missing_text", 'neither a non-empty "text" nor "html" string')
    fields = {name: item.get(name) for name in ("url", "title", "published")}
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            return _reject(source, "bad_field", f"{name}: a {type(value).__name__}, not a string")
    try:
        published = _parse_published(fields["published"])
    except ValueError:
        return _reject(source, "bad_field", f"published: {fields['published']!r} is not ISO 8601")
    # We encode the text ourselves, so its charset is known (and beats a stale <meta charset>).
    return Document(doc_id=stable_id(id_key), source=source, fmt=fmt, body=body.encode("utf-8"),
                    url=fields["url"] or None, title=fields["title"] or None,
                    published=published, charset="utf-8")


def _parse_published(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return as_utc(dt.datetime.fromisoformat(value.strip()))  # a bare date is midnight


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _lines(stream: BinaryIO, max_bytes: int) -> Iterator[bytes | None]:
    """The stream's lines; None for a line longer than ``max_bytes`` (which is skipped)."""
    while line := stream.readline(max_bytes + 1):
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(max_bytes)) and not rest.endswith(b"\n"):
            pass
        yield None


def _utf8_problem(body: bytes) -> tuple[str, str] | None:
    if body.startswith(_UTF16_BOMS):
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "invalid_utf8", f"not valid UTF-8 at byte {exc.start}"
    return None


def _decompressed(ref: str, raw: BinaryIO) -> BinaryIO:
    if ref.lower().endswith(".gz"):
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def _reject(source: str, reason: str, detail: str) -> Reject:
    return Reject(source=source, stage="load", reason=reason, detail=detail)
