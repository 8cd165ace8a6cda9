"""WARC and ARC archives, gzip'd or not, read as a stream: one Document per HTML response.

Every response record ends as exactly one ``Document`` or one ``Reject(stage="load")``:
a status other than 200 is ``http_<status>``, a payload that is not HTML ``not_html``,
an empty or binary one ``empty``/``binary``, an oversized one ``too_large``. Other
record types (warcinfo, request, metadata, revisit, ...) are not inputs and are skipped.

Damage is contained: a record that cannot be parsed, is cut short, fails its
WARC-Block-Digest or has no known WARC-Type, and any run of unreadable bytes between
records, is one ``Reject(reason="corrupt_record")`` at the offset where the damage
starts; reading resumes at the next intact record. Memory stays flat whatever the
archive's size: records are streamed and a payload is read only when it will be kept.
A gzip'd archive must have one gzip member per record (as the WARC standard advises and
crawlers write); one gzip'd whole yields its first record, then a ``corrupt_record``
whose detail says to run ``warcio recompress``.

Reader: warcio, not fastwarc. fastwarc reads our benchmark WARC 3.5x faster (2,552 vs
738 records/s, bench/results/archive.md), but reading is 5% of what trafilatura alone
spends on the same records, and only warcio gives each record's exact byte length (to
locate damage and resume after it) and reads ARC files.
"""

from __future__ import annotations

import datetime as dt
import email.message
import re
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from warcio.archiveiterator import ARCIterator, WARCIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException

from newsevents.schema import Document, Reject, stable_id
from newsevents.settings import HTML_TYPES
from newsevents.sources.files import as_utc, body_problem
from newsevents.sources.storage import open_input
from newsevents.storage import S3Options

# The record types of WARC 1.1; anything else is a damaged header.
_WARC_TYPES = frozenset({"warcinfo", "response", "resource", "request", "metadata", "revisit",
                         "conversion", "continuation"})
# Errors warcio raises on bytes that are not a well-formed record.
_DAMAGE = (ArchiveLoadFailed, StatusAndHeadersParserException, zlib.error, EOFError, ValueError)
# CC-NEWS-20160112093102-00001.warc.gz: a 14-digit UTC timestamp, not part of a longer number.
_NAME_TIMESTAMP = re.compile(r"(?<!\d)(\d{14})(?!\d)")
# The first line of a WARC record, and of an ARC record ("URL IP-address 14-digit-date ...").
_WARC_HEAD = re.compile(rb"WARC/1\.[01]\r?\n")
_ARC_HEAD = re.compile(rb"[A-Za-z][A-Za-z0-9+.-]*://\S* \S+ \d{14} ")
_GZIP_MAGIC = re.compile(re.escape(b"\x1f\x8b\x08"))
_SCAN_BYTES = 1 << 20
_HEAD_BYTES = 8_192


def name_timestamp(ref: str) -> dt.datetime | None:
    """The UTC timestamp in an archive's file name (Common Crawl style), if it has one."""
    match = _NAME_TIMESTAMP.search(ref.rsplit("/", 1)[-1])
    if match is None:
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:  # 14 digits that are not a date
        return None


def load_archive(ref: str, interval: tuple[dt.datetime, dt.datetime] | None = None, *,
                 max_bytes: int, s3: S3Options | None = None,
                 key: str | None = None) -> Iterator[Document | Reject]:
    """The HTML responses of one archive, in file order, and a Reject for everything else.

    A record's id derives from ``key`` (the archive's name relative to its input root;
    default ``ref``) and the record's offset.

    ``interval`` ([start, end), naive means UTC) filters the records of an archive whose
    name has no timestamp by their WARC-Date: records outside it are another run's input
    and are skipped; one without a readable date is rejected (``bad_warc_date``), as no
    run would claim it. An archive named by timestamp belongs to one interval as a whole
    (see ``archive_files_for_interval``), so its records are not filtered: a crawl file
    that starts before midnight would otherwise lose its tail.
    """
    if interval is not None and name_timestamp(ref) is None:
        interval = (as_utc(interval[0]), as_utc(interval[1]))
    else:
        interval = None
    with open_input(ref, s3) as (stream, size):
        if size == 0:
            yield Reject(ref, "load", "empty", "an empty archive")
            return
        name = ref.lower().removesuffix(".gz")
        yield from _read(stream, size, ref, name.endswith(".arc"), ref.lower().endswith(".gz"),
                         interval, max_bytes, key or ref)


def _read(stream: BinaryIO, size: int, ref: str, is_arc: bool, compressed: bool,
          interval: tuple[dt.datetime, dt.datetime] | None, max_bytes: int, key: str
          ) -> Iterator[Document | Reject]:
    """All records from the start; at damage, one Reject, then a fresh reader after it.

    Resuming is hand-written because neither warcio nor fastwarc does it: both stop at
    the first bad record (or silently at a cut-off one).
    """
    pos: int | None = 0
    while pos is not None:
        stream.seek(pos)
        # One format per file: a reader open to both takes garbage for ARC headers.
        if is_arc:
            records = ARCIterator(stream, arc2warc=True)
        else:
            records = WARCIterator(stream, check_digests=True)
        end = pos  # where the last intact record ended
        damaged_at, detail = None, ""
        try:
            for record in records:
                pending = _outcome(record, interval, max_bytes)
                # Asked any earlier, warcio would skip the record's payload to answer.
                offset = records.get_record_offset()
                end = offset + records.get_record_length()
                problem = _damage(record)
                if problem:
                    damaged_at, detail = offset, problem
                    break
                if pending is not None:
                    yield pending(f"{ref}#{offset}", f"{key}#{offset}")
        except _DAMAGE as exc:
            # warcio's offsets mean nothing in a gzip that is not one member per record
            damaged_at = _first_nonblank(stream, min(max(end, pos), size), size)
            detail = _describe(exc)
        if damaged_at is None:  # the reader stopped by itself: anything left is damage
            damaged_at = _first_nonblank(stream, end, size)
            if damaged_at >= size:
                return
            detail = "unreadable bytes after the last record: truncated or damaged"
        yield Reject(f"{ref}#{damaged_at}", "load", "corrupt_record", detail)
        pos = _next_record_start(stream, damaged_at + 1, size, compressed,
                                 _ARC_HEAD if is_arc else _WARC_HEAD)


# A record's result, made once its source ("ref#offset") and id key ("key#offset") are known.
_Pending = Callable[[str, str], Document | Reject]


def _outcome(record: ArcWarcRecord, interval: tuple[dt.datetime, dt.datetime] | None,
             max_bytes: int) -> _Pending | None:
    """What a record becomes; None for records that are not this run's inputs.

    Reads the payload only of an HTML response that passes every other check.
    """
    if record.rec_type != "response":
        return None
    fetched_at = _warc_date(record.rec_headers.get_header("WARC-Date"))
    if interval:
        if fetched_at is None:  # no run would ever claim it
            warc_date = record.rec_headers.get_header("WARC-Date")
            return _reject("bad_warc_date", f"WARC-Date {warc_date!r}")
        if not interval[0] <= fetched_at < interval[1]:
            return None
    http = record.http_headers
    if http is None:
        kind = record.rec_headers.get_header("Content-Type") or "no Content-Type"
        return _reject("not_html", f"not an HTTP response ({kind})")
    status = http.get_statuscode()
    if status != "200":
        return _reject(f"http_{status}" if status.isdigit() else "bad_http",
                       f"HTTP status line {http.statusline!r}")
    mime, charset = _content_type(http.get_header("Content-Type"))
    if mime not in HTML_TYPES:
        return _reject("not_html", f"Content-Type {mime or 'missing'}")
    body = record.content_stream().read(max_bytes + 1)
    if len(body) > max_bytes:
        return _reject("too_large", f"payload above the {max_bytes}-byte limit")
    problem = body_problem(body)
    if problem:
        return _reject(*problem)
    url = record.rec_headers.get_header("WARC-Target-URI")
    return lambda source, id_key: Document(stable_id(id_key), source, "html", body, url=url,
                                           fetched_at=fetched_at, charset=charset)


def _reject(reason: str, detail: str) -> _Pending:
    return lambda source, _id_key: Reject(source, "load", reason, detail)


def _damage(record: ArcWarcRecord) -> str | None:
    """Why a fully read record cannot be trusted, or None."""
    if record.rec_type not in _WARC_TYPES:
        return f"unknown WARC-Type {record.rec_type!r}"
    if record.digest_checker.passed is False:
        return "; ".join(record.digest_checker.problems)
    # warcio returns a short block when the archive ends early; its reader's remaining
    # limit is then the number of bytes missing.
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        return f"record cut short: {missing} bytes missing"
    return None


def _next_record_start(stream: BinaryIO, start: int, size: int, compressed: bool,
                       head: re.Pattern[bytes]) -> int | None:
    """The offset of the first intact-looking record at or after ``start``, else None.

    Candidates are gzip member headers (for .gz) that inflate to a record ``head``, or
    record heads in plain archives (anywhere: damage cuts lines). Windows overlap by
    ``_HEAD_BYTES`` so no candidate is missed at a window edge. A false candidate costs
    one more Reject, never a lost record: reading fails there and the scan goes on.
    """
    pattern = _GZIP_MAGIC if compressed else head
    for base in range(start, size, _SCAN_BYTES):
        stream.seek(base)
        window = stream.read(_SCAN_BYTES + _HEAD_BYTES)
        for match in pattern.finditer(window):
            if match.start() >= _SCAN_BYTES:
                break  # the next window sees it
            offset = base + match.start()
            if not compressed or _inflates_to(stream, offset, head):
                return offset
    return None


def _inflates_to(stream: BinaryIO, offset: int, head: re.Pattern[bytes]) -> bool:
    """Whether the gzip member at ``offset`` starts with a record ``head``."""
    stream.seek(offset)
    try:
        data = zlib.decompressobj(wbits=31).decompress(stream.read(_HEAD_BYTES), _HEAD_BYTES)
    except zlib.error:
        return False
    return head.match(data) is not None


def _first_nonblank(stream: BinaryIO, pos: int, size: int) -> int:
    """The offset of the first byte at or after ``pos`` that is not whitespace (else size)."""
    stream.seek(pos)
    while chunk := stream.read(_HEAD_BYTES):
        rest = chunk.lstrip()
        if rest:
            return pos + len(chunk) - len(rest)
        pos += len(chunk)
    return size


def _describe(exc: Exception) -> str:
    """An error's message on one line, short, with the raw bytes it may quote escaped."""
    message = " ".join(str(exc).split())[:200].encode("unicode_escape").decode("ascii")
    return f"{type(exc).__name__}: {message}"


def _content_type(header: str | None) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type header; ("", None) when it is missing."""
    if not header:
        return "", None
    message = email.message.Message()
    message["content-type"] = header
    charset = message.get_param("charset")
    return message.get_content_type(), charset.strip().lower() if isinstance(charset, str) else None


def _warc_date(value: str | None) -> dt.datetime | None:
    try:
        return as_utc(dt.datetime.fromisoformat(value)) if value else None
    except ValueError:
        return None
