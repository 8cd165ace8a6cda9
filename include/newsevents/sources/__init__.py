"""The sources stage: find inputs and load them as ``Document``s (or ``Reject``s).

    discover(source)                  folder / glob / file / s3:// URL -> sorted input refs
    discover_inputs(sources)          the same, as InputFiles named relative to their root
    load(ref, interval=None, key=None)   one input -> Documents and Rejects, streamed
    archive_files_for_interval(source, start, end)   the archives of one data interval
    archive_inputs_for_interval(source, start, end)  the same, as InputFiles
    discover_urls(...), fetch_all(...)               web pages: feeds, sitemaps, URL lists

Modules: ``files`` (.txt, .html, .jsonl), ``warc`` (WARC/ARC archives), ``web`` (HTTP
fetching), ``storage`` (local paths and s3:// alike). Nothing is lost: every input ends
as Documents or Rejects, and a bad input never stops the others.

What loading one local page does not need is imported on first use: ``warc`` (warcio
brings fsspec) when an archive is read, and the web names (``__getattr__``), whose httpx,
feedparser and sitemap parser cost over a second of CPU.
"""

from __future__ import annotations

import datetime as dt
import gzip
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsevents.schema import Document, Reject
from newsevents.settings import ARCHIVE_SUFFIXES, MAX_DOCUMENT_BYTES
from newsevents.sources import files
from newsevents.sources.files import as_utc
from newsevents.sources.policy import FetchPolicy
from newsevents.sources.state import FetchState
from newsevents.sources.storage import list_files, relative_name
from newsevents.storage import S3Options

if TYPE_CHECKING:
    from newsevents.sources.netguard import URLRefused, validate_url
    from newsevents.sources.web import discover_urls, fetch_all

__all__ = [
    "MAX_BYTES", "SUFFIXES", "FetchPolicy", "FetchState", "InputFile", "URLRefused",
    "archive_files_for_interval", "archive_inputs_for_interval", "discover", "discover_inputs",
    "discover_urls", "fetch_all", "load", "validate_url",
]

def __getattr__(name: str) -> object:
    """The web names, imported on first use (then plain attributes of the package)."""
    if name in ("URLRefused", "validate_url"):
        from newsevents.sources import netguard

        value = getattr(netguard, name)
    elif name in ("discover_urls", "fetch_all"):
        from newsevents.sources import web

        value = getattr(web, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


# The largest document that is loaded; the clean stage would reject anything larger, so it
# is not staged at all.
MAX_BYTES = MAX_DOCUMENT_BYTES
# Every supported name ending; each may also end in .gz (archives: .warc.gz, .arc.gz).
SUFFIXES = (*files.SUFFIXES, *ARCHIVE_SUFFIXES)


def discover(source: str, s3: S3Options | None = None) -> list[str]:
    """The supported input files under a folder (recursively), glob, file or s3:// URL.

    Sorted; hidden files are skipped. Raises ValueError, with a message a user can act
    on, when ``source`` does not exist, is of an unsupported type, or holds no inputs.
    """
    found = list_files(source, s3)
    refs = [ref for ref in found if _suffix(ref)]
    if not refs:
        what = (f"{found[0]} is not a supported file" if len(found) == 1
                else f"none of its {len(found)} files is supported")
        raise ValueError(f"{source}: {what}; supported: {_supported()}")
    return refs


@dataclass(frozen=True)
class InputFile:
    """One input file of a run: where it is (``ref``) and its name relative to the input
    root it was found under (``key``), from which its documents' ids derive, so the same
    inputs mounted elsewhere give the same ids."""

    ref: str
    key: str


def discover_inputs(sources: Sequence[str], s3: S3Options | None = None) -> list[InputFile]:
    """The inputs of every source (see ``discover``), each file once, in source order.

    Keys are names relative to each source's root; should two sources hold the same name,
    the later one's key is prefixed with its position (``"2:a.txt"``) to stay unique.
    """
    found: dict[str, InputFile] = {}
    keys: set[str] = set()
    for position, source in enumerate(sources):
        for ref in discover(source, s3):
            if ref in found:
                continue
            key = relative_name(source, ref)
            if key in keys:
                key = f"{position}:{key}"
            keys.add(key)
            found[ref] = InputFile(ref, key)
    return list(found.values())


def archive_files_for_interval(source: str, start: dt.datetime, end: dt.datetime,
                               s3: S3Options | None = None) -> list[str]:
    """The WARC/ARC files under ``source`` that hold the records of [start, end).

    A file named with a 14-digit UTC timestamp (``CC-NEWS-20160112093102-00001.warc.gz``)
    belongs, whole, to the interval its timestamp falls in. A file without one is listed
    for every interval, and ``load(ref, interval=(start, end))`` keeps only its records
    whose WARC-Date falls in the interval. Naive datetimes are UTC.
    """
    from newsevents.sources import warc

    start, end = as_utc(start), as_utc(end)
    archives = [ref for ref in discover(source, s3) if _suffix(ref) in ARCHIVE_SUFFIXES]
    return [ref for ref in archives
            if (stamp := warc.name_timestamp(ref)) is None or start <= stamp < end]


def archive_inputs_for_interval(source: str, start: dt.datetime, end: dt.datetime,
                                s3: S3Options | None = None) -> list[InputFile]:
    """``archive_files_for_interval`` as InputFiles named relative to ``source``."""
    return [InputFile(ref, relative_name(source, ref))
            for ref in archive_files_for_interval(source, start, end, s3)]


def load(ref: str, interval: tuple[dt.datetime, dt.datetime] | None = None, *,
         max_bytes: int = MAX_BYTES, s3: S3Options | None = None,
         key: str | None = None) -> Iterator[Document | Reject]:
    """The Documents of one input ref, and a Reject for each part that cannot be one.

    ``key`` names the input for its documents' ids (``InputFile.key``; default: ``ref``).
    ``interval`` applies to archives only (see ``archive_files_for_interval``). A file
    that cannot be read at all is one Reject (``unreadable``, ``corrupt_gzip``); what was
    loaded from it before the failure stays loaded.
    """
    suffix = _suffix(ref)
    if suffix in ARCHIVE_SUFFIXES:
        from newsevents.sources import warc

        items = warc.load_archive(ref, interval, max_bytes=max_bytes, s3=s3, key=key)
    elif suffix == ".jsonl":
        items = files.load_jsonl(ref, max_bytes=max_bytes, s3=s3, key=key)
    elif suffix is not None:
        fmt = "text" if suffix == ".txt" else "html"
        items = files.load_document(ref, fmt, max_bytes=max_bytes, s3=s3, key=key)
    else:
        yield Reject(ref, "load", "unsupported_format", f"supported: {_supported()}")
        return
    try:
        yield from items
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield Reject(ref, "load", "corrupt_gzip", f"{type(exc).__name__}: {exc}")
    except OSError as exc:
        yield Reject(ref, "load", "unreadable", f"{type(exc).__name__}: {exc}")


def _suffix(ref: str) -> str | None:
    """The supported suffix of a ref (".gz" aside), or None."""
    name = ref.rsplit("/", 1)[-1].lower().removesuffix(".gz")
    return next((s for s in SUFFIXES if name.endswith(s)), None)


def _supported() -> str:
    return ", ".join(f"{s}[.gz]" for s in SUFFIXES)
