"""Build WARC (and ARC) files from the fundus corpus: test fixtures and benchmark archives.

    python scripts/build_test_warcs.py fixtures              # tests/fixtures/warc/ (committed)
    python scripts/build_test_warcs.py archive OUT.warc.gz --records 20000 [--min-mb 1024]

Every page of ../shared/corpus/fundus becomes a request and a response record with its
URL and crawl date from meta.info, as in a Common Crawl News file (one gzip member per
record). ``fixtures`` writes three small CC-NEWS-style archives for 2024-01-01..03 with
the failure cases the reader must survive (non-HTML payloads, redirects, a truncated
record, garbage between records, a bad gzip member) and a legacy ARC file without a
timestamp in its name; they are deterministic, so rebuilding them changes no byte.
``archive`` writes a benchmark archive of varied copies of the corpus: each copy's words
are partly swapped and its site renamed, so dedupe keeps every copy as its own article.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import random
import re
import shutil
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "fundus"
FIXTURES = ROOT / "tests" / "fixtures" / "warc"
# Fast compression: the benchmark archives are big and thrown away, and reading them costs
# about the same at any level.
GZIP_LEVEL = 1
UTC = dt.timezone.utc
_IDS = uuid.UUID("6f1c2a8e-3b7d-4e55-9a0c-1d2e3f405162")  # namespace of our record ids
# A tiny valid PNG (1x1, transparent) and a JSON API answer: payloads that are not HTML.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4f30000000049454e44ae426082")
JSON = b'{"status": "ok", "items": [1, 2, 3]}'


@dataclass(frozen=True)
class Page:
    url: str
    crawled: dt.datetime
    html: bytes


def corpus_pages(corpus: Path = CORPUS) -> list[Page]:
    """Every page of the corpus, in file-name order."""
    if not corpus.is_dir():
        sys.exit(f"{corpus} not found: the corpus lives in ../shared next to the repository")
    pages = []
    for meta_path in sorted(corpus.glob("*/meta.info")):
        for name, meta in sorted(json.loads(meta_path.read_text()).items()):
            path = meta_path.parent / name
            if path.exists():
                crawled = dt.datetime.fromisoformat(meta["crawl_date"]).replace(tzinfo=UTC)
                pages.append(Page(meta["url"], crawled, gzip.decompress(path.read_bytes())))
    return pages


class ArchiveWriter:
    """Appends records to a WARC, one gzip member per record when ``compress``."""

    def __init__(self, out: BinaryIO, compress: bool = True):
        self.out, self.compress = out, compress
        self._builder = WARCWriter(io.BytesIO(), gzip=False)  # builds records; writes nothing
        self._count = 0

    def warcinfo(self, filename: str, date: dt.datetime) -> None:
        fields = (b"software: newsevents scripts/build_test_warcs.py\r\n"
                  b"format: WARC File Format 1.0\r\n")
        self.write(self.record("", "warcinfo", date, fields, content_type="application/warc-fields",
                               extra={"WARC-Filename": filename}))

    def page(self, page: Page) -> None:
        """The request and the 200 response of one page."""
        self.write(self.request(page.url, page.crawled))
        self.write(self.response(page.url, page.crawled, page.html))

    def request(self, url: str, date: dt.datetime) -> bytes:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        http = StatusAndHeaders(f"GET {target} HTTP/1.1",
                                [("Host", parts.netloc), ("User-Agent", "newsevents-test")],
                                is_http_request=True)
        return self.record(url, "request", date, b"", http=http)

    def response(self, url: str, date: dt.datetime, body: bytes, status: str = "200 OK",
                 content_type: str = "text/html; charset=UTF-8",
                 headers: tuple[tuple[str, str], ...] = ()) -> bytes:
        http = StatusAndHeaders(status, [("Content-Type", content_type), *headers],
                                protocol="HTTP/1.1")
        return self.record(url, "response", date, body, http=http)

    def record(self, url: str, record_type: str, date: dt.datetime, payload: bytes,
               http: StatusAndHeaders | None = None, content_type: str = "",
               extra: dict[str, str] | None = None) -> bytes:
        """One record's bytes (a gzip member when compressing), with a reproducible id."""
        self._count += 1
        record_id = uuid.uuid5(_IDS, f"{self._count}|{record_type}|{url}|{date.isoformat()}")
        headers = {"WARC-Record-ID": f"<urn:uuid:{record_id}>",
                   "WARC-Date": date.strftime("%Y-%m-%dT%H:%M:%SZ"), **(extra or {})}
        record = self._builder.create_warc_record(
            url, record_type, payload=io.BytesIO(payload), length=len(payload),
            warc_content_type=content_type, warc_headers_dict=headers, http_headers=http)
        buffer = io.BytesIO()
        WARCWriter(buffer, gzip=False).write_record(record)
        data = buffer.getvalue()
        return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0) if self.compress else data

    def write(self, data: bytes) -> None:
        self.out.write(data)


# --------------------------------------------------------------------------------------
# test fixtures


def build_fixtures(pages: list[Page], out_dir: Path = FIXTURES) -> list[Path]:
    """Three CC-NEWS-style archives for 2024-01-01..03 and one ARC file (see the README)."""
    small = sorted(pages, key=lambda p: len(p.html))[:11]
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in [*out_dir.glob("*.warc*"), *out_dir.glob("*.arc*")]:
        old.unlink()
    shutil.copyfile(CORPUS / "LICENSE.fundus", out_dir / "LICENSE.fundus")
    names = [f"CC-NEWS-2024010{day}000000-0000{day - 1}.warc.gz" for day in (1, 2, 3)]
    stamps = [dt.datetime(2024, 1, day, tzinfo=UTC) for day in (1, 2, 3)]

    with open(out_dir / names[0], "wb") as f:  # every kind of response record
        w = ArchiveWriter(f)
        w.warcinfo(names[0], stamps[0])
        w.page(small[0])
        w.write(w.response("https://example.com/logo.png", stamps[0], PNG,
                           content_type="image/png"))
        w.page(small[1])
        w.write(w.response("https://example.com/api/items", stamps[0], JSON,
                           content_type="application/json"))
        w.write(w.response("http://example.com/moved", stamps[0], b"<html>Moved</html>",
                           status="301 Moved Permanently",
                           headers=(("Location", "https://example.com/moved"),)))
        w.write(w.response("https://example.com/missing", stamps[0], b"<html>Not found</html>",
                           status="404 Not Found"))

    with open(out_dir / names[1], "wb") as f:  # a truncated record, then garbage bytes
        w = ArchiveWriter(f)
        w.warcinfo(names[1], stamps[1])
        w.page(small[2])
        w.write(w.request(small[3].url, small[3].crawled))
        cut = w.response(small[3].url, small[3].crawled, small[3].html)
        w.write(cut[: len(cut) // 2])
        w.page(small[4])
        w.write(b"\x00\x01 this is not a WARC record \xff\xfe\n" * 4)
        w.page(small[5])

    with open(out_dir / names[2], "wb") as f:  # a gzip member with damaged deflate data
        w = ArchiveWriter(f)
        w.warcinfo(names[2], stamps[2])
        w.page(small[6])
        w.write(w.request(small[7].url, small[7].crawled))
        member = bytearray(w.response(small[7].url, small[7].crawled, small[7].html))
        middle = len(member) // 2
        member[middle:middle + 32] = bytes(b ^ 0x5A for b in member[middle:middle + 32])
        w.write(bytes(member))
        w.page(small[8])

    arc = out_dir / "legacy-crawl.arc.gz"
    with open(arc, "wb") as f:
        write_arc(f, arc.name, small[9:11])
    return [out_dir / n for n in names] + [arc]


def write_arc(out: BinaryIO, name: str, pages: list[Page]) -> None:
    """An ARC v1 file, one gzip member per record. Hand-written: warcio and fastwarc read
    ARC but only write WARC, and the format is two header lines per record."""
    def member(url: str, date: dt.datetime, content_type: str, content: bytes) -> bytes:
        head = f"{url} 0.0.0.0 {date:%Y%m%d%H%M%S} {content_type} {len(content)}\n".encode()
        return gzip.compress(head + content + b"\n", compresslevel=GZIP_LEVEL, mtime=0)

    version = b"1 0 newsevents\nURL IP-address Archive-date Content-type Archive-length\n"
    out.write(member(f"filedesc://{name}", pages[0].crawled, "text/plain", version))
    for page in pages:
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n" + page.html
        out.write(member(page.url, page.crawled, "text/html", http))


# --------------------------------------------------------------------------------------
# benchmark archives

# Markup whose text is not prose (left alone), or a run of text between tags (varied).
_TEXT_RUN = re.compile(r"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->)"
                       r"|>([^<>]{40,})<", re.S | re.I)
_WORD = re.compile(r"\w{4,}")
SWAP_RATE = 0.25  # share of words replaced: two copies then share ~5% of 5-word shingles


@dataclass(frozen=True)
class _Template:
    page: Page
    html: str
    codec: str
    words: list[str]
    site: str  # the registered name, e.g. "reuters.com", renamed in every copy


def _template(page: Page) -> _Template:
    try:
        html, codec = page.html.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        html, codec = page.html.decode("latin-1"), "latin-1"  # every byte round-trips
    runs = [m.group(2) for m in _TEXT_RUN.finditer(html) if m.group(2)]
    words = sorted({w for run in runs for w in _WORD.findall(run)}) or ["news"]
    site = (urlsplit(page.url).hostname or "example.com").removeprefix("www.")
    return _Template(page, html, codec, words, site)


def varied_copy(template: _Template, copy: int) -> Page:
    """Copy number ``copy`` of a page: a quarter of its words swapped for other words of
    the same page (so language and length stay), its site renamed (so its URL and
    canonical URL are new)."""
    rng = random.Random(f"{template.page.url}#{copy}")

    def swap(word: re.Match) -> str:
        return rng.choice(template.words) if rng.random() < SWAP_RATE else word.group(0)

    def vary(match: re.Match) -> str:
        if match.group(1):
            return match.group(1)
        return ">" + _WORD.sub(swap, match.group(2)) + "<"

    site = f"copy{copy}-{template.site}"
    html = _TEXT_RUN.sub(vary, template.html).replace(template.site, site)
    return replace(template.page, url=template.page.url.replace(template.site, site),
                   html=html.encode(template.codec))


def benchmark_pages(pages: list[Page]) -> Iterator[Page]:
    """Endless varied copies of the corpus: copy 0 of every page, then copy 1, ..."""
    templates = [_template(p) for p in pages]
    copy = 0
    while True:
        for template in templates:
            yield varied_copy(template, copy)
        copy += 1


def build_archive(out: Path, pages: list[Page], records: int, min_bytes: int = 0) -> int:
    """A benchmark archive of at least ``records`` pages and ``min_bytes``; returns pages."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    written = 0
    with open(partial, "wb") as f:
        w = ArchiveWriter(f, compress=out.name.endswith(".gz"))
        w.warcinfo(out.name, pages[0].crawled)
        for page in benchmark_pages(pages):
            if written >= records and f.tell() >= min_bytes:
                break
            w.page(page)
            written += 1
    shutil.move(partial, out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fixtures = sub.add_parser("fixtures", help="the small test archives")
    fixtures.add_argument("--out", type=Path, default=FIXTURES)
    archive = sub.add_parser("archive", help="a benchmark archive of varied corpus copies")
    archive.add_argument("out", type=Path)
    archive.add_argument("--records", type=int, default=20_000, help="at least this many pages")
    archive.add_argument("--min-mb", type=int, default=0, help="and at least this many MiB")
    args = parser.parse_args(argv)

    pages = corpus_pages()
    if args.command == "fixtures":
        for path in build_fixtures(pages, args.out):
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                  f"{path.stat().st_size} bytes")
    else:
        n = build_archive(args.out, pages, args.records, args.min_mb << 20)
        print(f"{args.out}: {n} pages, {args.out.stat().st_size >> 20} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
