"""The sources stage on files and archives: what loads, what is rejected and why, and that a
bad input never stops the others. Archives: tests/fixtures/warc (see its README)."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import zlib
from pathlib import Path

import pytest
from conftest import FIXTURES
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsevents import sources
from newsevents.schema import Document, Reject, stable_id

WARCS = FIXTURES / "warc"
DAY1 = WARCS / "CC-NEWS-20240101000000-00000.warc.gz"  # every kind of response record
DAY2 = WARCS / "CC-NEWS-20240102000000-00001.warc.gz"  # truncated record, garbage bytes
DAY3 = WARCS / "CC-NEWS-20240103000000-00002.warc.gz"  # damaged gzip member
ARC = WARCS / "legacy-crawl.arc.gz"  # no timestamp in its name
UTC = dt.UTC


def load_all(ref: str | Path, **kwargs) -> list[Document | Reject]:
    return list(sources.load(str(ref), **kwargs))


def outline(items: list[Document | Reject]) -> list[str]:
    """"doc <host>" or the reject reason, per item: the shape of a load at a glance."""
    return [f"doc {i.url.split('/')[2]}" if isinstance(i, Document) else i.reason for i in items]


def by_source(items: list[Document | Reject]) -> dict[str, str]:
    return {i.source: "doc" if isinstance(i, Document) else i.reason for i in items}


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


ARTICLE = "Protesters gathered in the capital on Monday. Police said 3 people were hurt.\n"
HTML = f"<html><head><title>Protest</title></head><body><p>{ARTICLE}</p></body></html>"


# --------------------------------------------------------------------------------------
# discover


def test_discover_lists_supported_files_recursively_sorted_without_hidden_ones(tmp_path):
    wanted = [write(tmp_path / p, b"x") for p in (
        "a.txt", "b/c.html.gz", "b/d/e.jsonl", "b/f.htm", "g.warc.gz", "h.arc", "i.TXT")]
    for p in (".hidden.txt", ".cache/j.txt", "b/.k.html", "notes.md", "l.pdf", "m.gz"):
        write(tmp_path / p, b"x")
    assert sources.discover(str(tmp_path)) == sorted(str(p) for p in wanted)


def test_discover_takes_a_glob_or_a_single_file(tmp_path):
    for p in ("x/1.txt", "x/2.txt", "x/y/3.txt", "x/4.html", "x/.5.txt"):
        write(tmp_path / p, b"x")
    assert sources.discover(f"{tmp_path}/x/*.txt") == [f"{tmp_path}/x/1.txt", f"{tmp_path}/x/2.txt"]
    assert sources.discover(f"{tmp_path}/x/**/*.txt") == [
        f"{tmp_path}/x/1.txt", f"{tmp_path}/x/2.txt", f"{tmp_path}/x/y/3.txt"]
    assert sources.discover(f"{tmp_path}/x/4.html") == [f"{tmp_path}/x/4.html"]
    literal = write(tmp_path / "z" / "notes [1].txt", b"x")  # a name, though it looks like a glob
    assert sources.discover(str(literal)) == [str(literal)]


@pytest.mark.parametrize("source, message", [
    ("missing", "no such file or folder"),
    ("only-unsupported", "none of its 2 files is supported"),
    ("only-unsupported/a.pdf", "is not a supported file"),
    ("only-unsupported/*.txt", "no file matches"),
])
def test_discover_explains_what_is_wrong(tmp_path, source, message):
    write(tmp_path / "only-unsupported" / "a.pdf", b"%PDF-")
    write(tmp_path / "only-unsupported" / "b.md", b"# notes")
    with pytest.raises(ValueError, match=message):
        sources.discover(str(tmp_path / source))


def test_inputs_are_named_relative_to_their_source_root(tmp_path):
    for p in ("x/1.txt", "x/y/3.txt", "x/4.html", "w/1.txt"):
        write(tmp_path / p, ARTICLE.encode())
    keys = [(i.ref, i.key) for i in sources.discover_inputs([str(tmp_path / "x")])]
    assert keys == [(f"{tmp_path}/x/1.txt", "1.txt"), (f"{tmp_path}/x/4.html", "4.html"),
                    (f"{tmp_path}/x/y/3.txt", "y/3.txt")]
    assert [i.key for i in sources.discover_inputs([f"{tmp_path}/x/**/*.txt"])] == [
        "1.txt", "y/3.txt"]
    assert [i.key for i in sources.discover_inputs([f"{tmp_path}/x/4.html/"])] == ["4.html"]
    # each file once; the same name under a second root gets that root's position
    both = sources.discover_inputs([str(tmp_path / "x"), str(tmp_path / "x" / "1.txt"),
                                    str(tmp_path / "w")])
    assert [i.key for i in both] == ["1.txt", "4.html", "y/3.txt", "2:1.txt"]


def test_ids_derive_from_the_key_and_stay_the_same_wherever_the_input_is(tmp_path):
    jsonl = b'{"text": "' + ARTICLE.strip().encode() + b'"}\n'
    ids = []
    for mount in ("one", "two/deeper"):
        root = tmp_path / mount / "inputs"
        write(root / "a.txt", ARTICLE.encode())
        write(root / "b.jsonl", jsonl)
        write(root / "c.arc.gz", ARC.read_bytes())
        items = [item for i in sources.discover_inputs([str(root)])
                 for item in sources.load(i.ref, key=i.key)]
        assert all(str(root) in item.source for item in items)  # the source says where it was
        ids.append([item.doc_id for item in items if isinstance(item, Document)])
    assert ids[0] == ids[1] and len(ids[0]) >= 3
    assert ids[0][:2] == [stable_id("a.txt"), stable_id("b.jsonl:1")]


# --------------------------------------------------------------------------------------
# files


def test_text_and_html_files_become_one_document_each(tmp_path):
    txt = write(tmp_path / "a.txt", ARTICLE.encode())
    html = write(tmp_path / "b.html.gz", gzip.compress(HTML.encode()))
    htm = write(tmp_path / "c.htm", HTML.encode("utf-16"))  # a BOM makes NUL bytes text
    (doc_txt,), (doc_html,), (doc_htm,) = load_all(txt), load_all(html), load_all(htm)
    assert (doc_txt.fmt, doc_txt.body, doc_txt.source) == ("text", ARTICLE.encode(), str(txt))
    assert doc_txt.doc_id == stable_id(str(txt))
    assert (doc_html.fmt, doc_html.body) == ("html", HTML.encode())
    assert doc_htm.fmt == "html"
    assert doc_txt.fetched_at is None and doc_txt.url is None  # an mtime is no crawl date


def test_jsonl_lines_become_documents_and_bad_lines_rejects(tmp_path):
    lines = [
        json.dumps({"text": ARTICLE, "url": "https://news.example/a", "title": "A",
                    "published": "2024-01-02"}),
        json.dumps({"html": HTML, "published": "2024-01-02T10:30:00+02:00"}),
        "",
        "{not json",
        json.dumps({"title": "no body"}),
        json.dumps(["a", "list"]),
        json.dumps({"text": ARTICLE, "published": "2 January 2024"}),
        json.dumps({"text": ARTICLE, "html": HTML}),
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines).encode() + b"\n")
    items = load_all(path)
    assert by_source(items) == {f"{path}:1": "doc", f"{path}:2": "doc", f"{path}:4": "bad_json",
                                f"{path}:5": "missing_text", f"{path}:6": "bad_json",
                                f"{path}:7": "bad_field", f"{path}:8": "doc"}
    first, second, last = (i for i in items if isinstance(i, Document))
    assert (first.fmt, first.url, first.title) == ("text", "https://news.example/a", "A")
    assert first.published == dt.datetime(2024, 1, 2, tzinfo=UTC)
    assert first.doc_id == stable_id(f"{path}:1")
    assert (second.fmt, second.body, second.charset) == ("html", HTML.encode(), "utf-8")
    assert second.published == dt.datetime(2024, 1, 2, 8, 30, tzinfo=UTC)
    assert last.fmt == "text"  # given both, the provider's text wins


def test_each_bad_file_is_rejected_with_its_reason_and_the_others_still_load(tmp_path):
    bad = {
        "empty.txt": b"",
        "blank.html": b" \n\t\n",
        "binary.txt": b"PK\x03\x04\x14\x00\x00\x00\x08\x00 zip data",
        "nul.html": b"<html>\x00\x00\x00\x01</html>",
        "photo.html": bytes.fromhex("89504e470d0a1a0a0000000d49484452"),
        "latin1.txt": "Caf\u00e9 cr\u00e8me".encode("latin-1"),
        "broken.txt.gz": gzip.compress(ARTICLE.encode())[:-12],
        "notgzip.html.gz": HTML.encode(),
        "empty.jsonl": b"\n\n",
        "binary.jsonl": b"\x00\x01\x02\n{}\n",
        "huge.txt": ARTICLE.encode() * 100,
    }
    for name, data in bad.items():
        write(tmp_path / name, data)
    write(tmp_path / "good.txt", ARTICLE.encode())
    write(tmp_path / "good.jsonl", json.dumps({"text": ARTICLE}).encode())
    refs = sources.discover(str(tmp_path))
    items = [item for ref in refs for item in sources.load(ref, max_bytes=2000)]
    assert by_source(items) == {
        **{str(tmp_path / n): r for n, r in [
            ("empty.txt", "empty"), ("blank.html", "empty"), ("binary.txt", "binary"),
            ("nul.html", "binary"), ("photo.html", "binary"), ("latin1.txt", "invalid_utf8"),
            ("broken.txt.gz", "corrupt_gzip"), ("notgzip.html.gz", "corrupt_gzip"),
            ("empty.jsonl", "empty"), ("binary.jsonl", "binary"), ("huge.txt", "too_large"),
            ("good.txt", "doc")]},
        f"{tmp_path / 'good.jsonl'}:1": "doc",
    }


def test_a_file_that_cannot_be_read_is_rejected_not_raised(tmp_path):
    gone = tmp_path / "deleted-after-discover.txt"
    (item,) = load_all(gone)
    assert (item.reason, item.source) == ("unreadable", str(gone))
    (item,) = load_all(tmp_path / "readme.md")
    assert item.reason == "unsupported_format"


def test_a_jsonl_line_above_the_size_limit_is_rejected_alone(tmp_path):
    path = write(tmp_path / "big.jsonl", (json.dumps({"text": "x" * 5000}) + "\n"
                                          + json.dumps({"text": ARTICLE}) + "\n").encode())
    assert by_source(load_all(path, max_bytes=1000)) == {f"{path}:1": "too_large",
                                                         f"{path}:2": "doc"}


# --------------------------------------------------------------------------------------
# WARC and ARC archives


def test_html_responses_are_kept_with_their_uri_and_crawl_date_and_the_rest_rejected():
    items = load_all(DAY1)
    # The request records and the warcinfo are no inputs.
    assert outline(items) == ["doc orf.at", "not_html", "doc politics.people.com.cn", "not_html",
                              "http_301", "http_404"]
    orf = items[0]
    assert orf.url == "https://orf.at/stories/3376705/"
    assert orf.fetched_at == dt.datetime(2024, 11, 22, 9, 47, 48, tzinfo=UTC)
    assert (orf.fmt, orf.charset) == ("html", "utf-8")
    assert orf.body.lstrip().lower().startswith(b"<!doctype html")
    assert orf.body.rstrip().endswith(b"</html>")
    assert [r.detail for r in items if isinstance(r, Reject)][:2] == [
        "Content-Type image/png", "Content-Type application/json"]


def test_a_record_source_is_its_byte_offset_where_the_record_can_be_read_back():
    for item in load_all(DAY1):
        path, offset = item.source.rsplit("#", 1)
        assert path == str(DAY1)
        with open(path, "rb") as f:
            f.seek(int(offset))
            record = zlib.decompressobj(wbits=31).decompress(f.read(65536))
        assert record.startswith(b"WARC/1.0\r\n") and b"WARC-Type: response" in record
        if isinstance(item, Document):
            assert item.doc_id == stable_id(item.source)
            assert f"WARC-Target-URI: {item.url}".encode() in record


def test_reading_resumes_after_a_truncated_record_and_after_garbage_bytes():
    items = load_all(DAY2)
    assert outline(items) == ["doc www.klassegegenklasse.org", "corrupt_record",
                              "doc www.taipeitimes.com", "corrupt_record", "doc www.jungewelt.de"]
    assert all(i.body.rstrip().endswith(b">") for i in items if isinstance(i, Document))


def test_reading_resumes_after_a_damaged_gzip_member():
    assert outline(load_all(DAY3)) == ["doc japannews.yomiuri.co.jp", "corrupt_record",
                                       "doc landesspiegel.li"]


def test_damage_anywhere_in_a_record_loses_that_record_only(tmp_path):
    """Garble the middle of each record in turn: the others all still load."""
    data = DAY1.read_bytes()
    members = _gzip_members(data)
    expected = outline(load_all(DAY1))
    responses = [(start, end) for start, end in members
                 if b"WARC-Type: response" in zlib.decompress(data[start:end], 31)]
    assert len(responses) == len(expected)
    for n, (start, end) in enumerate(responses):
        damaged = bytearray(data)
        middle = (start + end) // 2
        damaged[middle:middle + 8] = b"\xff" * 8
        path = write(tmp_path / f"damaged-{n}.warc.gz", bytes(damaged))
        items = load_all(path)
        assert outline(items) == [*expected[:n], "corrupt_record", *expected[n + 1:]], n
        assert items[n].source == f"{path}#{start}"


def test_uncompressed_warcs_load_and_resume_after_damage_too(tmp_path):
    plain = gzip.decompress(DAY1.read_bytes())
    starts = [i for i in range(len(plain)) if plain.startswith(b"WARC/1.0\r\n", i)]
    responses = [s for s in starts if b"WARC-Type: response" in plain[s:s + 200]]
    path = write(tmp_path / "plain.warc", plain)
    assert outline(load_all(path)) == outline(load_all(DAY1))
    damaged = plain[:responses[2]] + b"\x00garbage\x00" * 3 + plain[responses[2]:]
    damaged = damaged[:responses[0] + 400] + damaged[responses[0] + 900:]  # cut into the first page
    items = load_all(write(tmp_path / "damaged.warc", damaged))
    kept = outline(load_all(DAY1))
    assert outline(items) == ["corrupt_record", kept[1], "corrupt_record", *kept[2:]]


def test_arc_files_load_like_warcs():
    items = load_all(ARC)
    assert [(i.url.split("/")[2], i.fetched_at.date()) for i in items] == [
        ("www.tageblatt.lu", dt.date(2026, 1, 13)), ("www.voanews.com", dt.date(2024, 4, 28))]
    assert all(i.source.startswith(f"{ARC}#") and i.fmt == "html" for i in items)


def test_an_interval_filters_records_of_archives_without_a_name_timestamp_only():
    day = (dt.datetime(2024, 4, 28), dt.datetime(2024, 4, 29))  # naive: UTC
    assert [i.url.split("/")[2] for i in load_all(ARC, interval=day)] == ["www.voanews.com"]
    # A CC-NEWS file belongs to its interval whole, whatever its records' dates.
    assert outline(load_all(DAY1, interval=day)) == outline(load_all(DAY1))


def test_with_an_interval_a_record_without_a_readable_date_is_rejected_not_lost(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for n, date in enumerate(["2024-01-01T10:00:00Z", "2024-01-05T10:00:00Z", "yesterday"]):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://example.com/{n}", "response", payload=io.BytesIO(HTML.encode()),
                http_headers=http, warc_headers_dict={"WARC-Date": date}))
    day = (dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 2, tzinfo=UTC))
    assert outline(load_all(path, interval=day)) == ["doc example.com", "bad_warc_date"]
    assert [d.fetched_at for d in load_all(path)] == [
        dt.datetime(2024, 1, 1, 10, tzinfo=UTC), dt.datetime(2024, 1, 5, 10, tzinfo=UTC), None]


def test_archive_files_for_interval_picks_files_by_name_timestamp():
    def pick(start: dt.datetime, end: dt.datetime) -> list[str]:
        return [Path(r).name for r in sources.archive_files_for_interval(str(WARCS), start, end)]

    assert pick(dt.datetime(2024, 1, 2, tzinfo=UTC), dt.datetime(2024, 1, 3, tzinfo=UTC)) == [
        DAY2.name, ARC.name]
    assert pick(dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 3)) == [
        DAY1.name, DAY2.name, ARC.name]  # naive: UTC
    assert pick(dt.datetime(2023, 12, 31, 23, tzinfo=UTC), dt.datetime(2024, 1, 1, tzinfo=UTC)) == [
        ARC.name]  # [start, end): midnight belongs to the next day


def test_records_above_the_size_limit_and_empty_archives_are_rejected(tmp_path):
    assert outline(load_all(DAY1, max_bytes=20_000)) == [
        "too_large", "not_html", "too_large", "not_html", "http_301", "http_404"]
    (item,) = load_all(write(tmp_path / "CC-NEWS-20240101000000-00009.warc.gz", b""))
    assert item.reason == "empty"


# --------------------------------------------------------------------------------------
# S3


def test_discover_and_load_from_s3(s3_server):
    bucket = s3_server.create_bucket()
    client = s3_server.client()
    client.upload_file(str(DAY2), bucket, f"cc-news/2024/{DAY2.name}")
    client.upload_file(str(DAY1), bucket, f"cc-news/2024/{DAY1.name}")
    client.put_object(Bucket=bucket, Key="cc-news/notes/a.txt", Body=ARTICLE.encode())
    client.put_object(Bucket=bucket, Key="cc-news/.staging/b.txt", Body=ARTICLE.encode())
    s3 = s3_server.options()

    prefix = f"s3://{bucket}/cc-news"
    day1, day2 = f"{prefix}/2024/{DAY1.name}", f"{prefix}/2024/{DAY2.name}"
    assert sources.discover(prefix, s3) == [day1, day2, f"{prefix}/notes/a.txt"]  # no hidden
    assert sources.discover(f"{prefix}/2024/CC-NEWS-20240102*", s3) == [day2]
    items = list(sources.load(day2, s3=s3))
    local = load_all(DAY2)
    assert outline(items) == outline(local)
    offsets = [i.source.replace(day2, "") for i in items]
    assert offsets == [i.source.replace(str(DAY2), "") for i in local]
    assert [d.body for d in sources.load(f"{prefix}/notes/a.txt", s3=s3)] == [ARTICLE.encode()]
    with pytest.raises(ValueError, match="no such file or folder"):
        sources.discover(f"s3://{bucket}/nothing-here", s3)
    assert [i.key for i in sources.discover_inputs([prefix], s3)] == [
        f"2024/{DAY1.name}", f"2024/{DAY2.name}", "notes/a.txt"]


def _gzip_members(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each gzip member of a record-compressed archive."""
    members, start = [], 0
    while start < len(data):
        inflater = zlib.decompressobj(wbits=31)
        inflater.decompress(data[start:])
        end = len(data) - len(inflater.unused_data)
        members.append((start, end))
        start = end
    return members
