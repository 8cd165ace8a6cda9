"""The codebook, ``docs/codebook.md``, generated from ``schema.py`` and the code tables.

    python -m newsevents.codebook            # rewrite docs/codebook.md
    python -m newsevents.codebook --check    # exit 1 if it is stale

Every column of every lake table is described by the string literal under its field in
``schema.py`` (an attribute docstring, kept beside the field); a column without one is an
error here, so the codebook cannot silently fall behind the tables. Value sets come from
the data files the coder and the exports use (PLOVER types and their definitions, CAMEO
roots, actor roles, ACLED types), and the export layouts from ``newsevents.export``.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

from newsevents import schema
from newsevents.export import acled, codes, gdelt

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "docs" / "codebook.md"

QUAD_CLASSES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict",
                4: "material conflict"}
# Values set in the events stage's code (events.when, events.geo, events.coder); the
# codebook test checks these against it.
TIME_PRECISION = {
    "day": "the sentence names the day (\"on Tuesday\", \"Jan. 12\", \"yesterday\")",
    "week": "it names only a week (\"last week\"): event_date is the publication date",
    "month": "it names only a month (\"later this month\", \"in December\")",
    "year": "it names only a year (\"since 2012\")",
    "report": "it names no date: event_date is the publication date (date of report)",
}
GEO_PRECISION = {1: "town (GeoNames populated place)", 2: "district around a town (at the "
                 "town's coordinates)", 3: "province (admin1)", 4: "country"}
MODALITY = {
    "asserted": "reported as having happened",
    "future": "announced or planned (\"will meet\"); coded as an intent where CAMEO has one",
    "hypothetical": "conditional or possible (\"if\", \"could\")",
    "denied": "negated or denied (\"did not attack\"): it did not happen",
}
DUP_KIND = {
    "exact_url": "the same canonical URL as an earlier article",
    "exact_text": "the same normalised text",
    "near": "MinHash similarity above the threshold",
}
EXTRACTION_METHOD = {"trafilatura": "HTML page, main text by trafilatura",
                     "text": "plain text input"}
STAGE = {"discover": "listing feeds and sitemaps", "fetch": "downloading a page",
         "load": "reading a file or archive record", "clean": "extracting the article"}
REJECT_REASONS = {
    "empty": "no content", "too_large": "above the size limit", "unreadable": "cannot be read",
    "corrupt_gzip": "broken gzip stream", "corrupt_record": "damaged WARC record",
    "unsupported_format": "not a format the loader reads", "invalid_utf8": "not valid UTF-8",
    "invalid_encoding": "not valid in its declared charset", "bad_json": "a bad JSON line",
    "missing_text": "a JSON line without text or html",
    "bad_field": "a JSON field of the wrong type",
    "bad_warc_date": "unparseable WARC-Date", "not_html": "not an HTML page",
    "bad_http": "an unparseable HTTP response", "http_NNN": "an HTTP error status (e.g. http_404)",
    "rate_limited": "HTTP 429", "not_modified": "HTTP 304, unchanged since the last run",
    "unsupported_type": "a Content-Type that is not HTML or text", "timeout": "timed out",
    "too_many_redirects": "redirect limit reached", "invalid_url": "not an http(s) URL",
    "blocked_address": "a private or reserved address (SSRF guard)",
    "dns_error": "the host does not resolve", "robots_disallowed": "robots.txt disallows it",
    "network_error": "the connection failed", "error": "another fetch error (in detail)",
    "too_many_sitemaps": "a sitemap index above the limit", "extraction_failed": "the extractor "
    "raised an error", "no_article_text": "nothing but boilerplate", "cancelled": "the run stopped",
    "bad_encoding": "a broken content encoding (gzip)", "unknown_format": "a feed or sitemap "
    "that is neither RSS, Atom nor a sitemap",
}


class MissingDescription(ValueError):
    """A lake column has no description beside its field in schema.py."""


def field_docs(record_type: type) -> dict[str, str]:
    """Field name → its attribute docstring (the string literal right under the field)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(record_type)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for stmt, following in zip(body, body[1:], strict=False):
        if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[stmt.target.id] = " ".join(following.value.value.split())
    missing = [f.name for f in dataclasses.fields(record_type) if not docs.get(f.name)]
    if missing:
        raise MissingDescription(f"{record_type.__name__}: no description for {missing}")
    return docs


def _type_name(arrow_type: object) -> str:
    text = str(arrow_type)
    return {"large_string": "string", "timestamp[us, tz=UTC]": "timestamp (UTC)",
            "date32[day]": "date", "list<item: string>": "list of strings"}.get(text, text)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def cell(v: object) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")
    return ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header),
            *["| " + " | ".join(cell(v) for v in row) + " |" for row in rows], ""]


def _plover() -> list[str]:
    definitions = dict(codes.read_rows("codebook", "plover_definitions.tsv"))
    types = codes.read_rows("events", "plover_types.tsv")
    if set(definitions) != {t for t, *_ in types}:
        raise ValueError("plover_definitions.tsv does not match plover_types.tsv")
    rows = [(f"`{t}`", f"{q} {QUAD_CLASSES[int(q)]}", f"`{root}`",
             ", ".join(f"`{m}`" for m in modes.split("|") if m) or "-", definitions[t])
            for t, q, root, modes in types]
    return _table(["type", "quad class", "CAMEO code when no trigger agrees", "modes",
                   "definition (PLOVER manual 0.8)"], rows)


def _cameo_roots() -> list[str]:
    rows = [(f"`{r}`", name, gdelt.quad_class(r)) for r, name in
            codes.read_rows("codebook", "cameo_roots.tsv")]
    return _table(["root", "name", "GDELT QuadClass"], rows)


def _roles() -> list[str]:
    rows = [(f"`{r.code}`", r.kind, f"{r.acled_inter} {codes.ACLED_INTER[r.acled_inter]}",
             r.description) for r in codes.roles().values()]
    return _table(["code", "kind", "ACLED inter", "description"], rows)


def _acled_types() -> list[str]:
    return _table(["event type", "sub-event type", "disorder type"],
                  [(t.event_type, t.sub_event_type, t.disorder_type)
                   for t in codes.acled_types().values()])


def _values(values: dict) -> list[str]:
    return _table(["value", "meaning"], [(f"`{k}`", v) for k, v in values.items()])


# Value set title → its rendering, and the columns it describes.
VALUE_SETS: dict[str, tuple[Callable[[], list[str]], tuple[str, ...]]] = {
    "PLOVER types": (_plover, ("plover_type", "plover_mode")),
    "Quad classes": (lambda: _values(QUAD_CLASSES), ("quad_class",)),
    "CAMEO roots": (_cameo_roots, ("cameo_root", "cameo_code")),
    "Actor roles (sectors)": (_roles, ("actor1_sector", "actor2_sector")),
    "ACLED event types": (_acled_types, ("acled_event_type", "acled_sub_event_type")),
    "Modalities": (lambda: _values(MODALITY), ("modality",)),
    "Time precision": (lambda: _values(TIME_PRECISION), ("time_precision",)),
    "Geo precision": (lambda: _values(GEO_PRECISION), ("geo_precision",)),
    "Duplicate kinds": (lambda: _values(DUP_KIND), ("dup_kind",)),
    "Extraction methods": (lambda: _values(EXTRACTION_METHOD), ("extraction_method",)),
    "Stages": (lambda: _values(STAGE), ("stage",)),
    "Reject reasons": (lambda: _values(REJECT_REASONS), ("reason",)),
}


def _anchor(title: str) -> str:
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c == "-")


def render() -> str:
    """The codebook's Markdown."""
    value_set_of = {col: title for title, (_, cols) in VALUE_SETS.items() for col in cols}
    lines = ["# Codebook", "",
             "<!-- generated by `python -m newsevents.codebook` from include/newsevents/schema.py"
             " and the code tables; do not edit -->", "",
             "Every lake table is Hive-partitioned by `dt`, the date of the run that wrote it "
             "(YYYY-MM-DD, in the path). Empty means unknown (null).", ""]
    for table, record_type in schema.TABLES.items():
        docs = field_docs(record_type)
        arrow = schema.SCHEMAS[table]
        lines += [f"## `{table}`", "", " ".join((record_type.__doc__ or "").split()), ""]
        rows = []
        for f in arrow:
            title = value_set_of.get(f.name)
            values = f"[{title}](#{_anchor(title)})" if title else ""
            rows.append((f"`{f.name}`", _type_name(f.type), "yes" if f.nullable else "no",
                         docs[f.name], values))
        lines += _table(["column", "type", "null", "meaning", "values"], rows)
    lines += ["## Value sets", ""]
    for title, (rendering, _) in VALUE_SETS.items():
        lines += [f"### {title}", "", *rendering()]
    lines += ["## Export layouts", "", "`newsevents export --format FORMAT` (see the README, "
              "\"For analysts\").", ""]
    for title, module, columns in (("GDELT 2.0 events and mentions", gdelt, None),
                                   ("ACLED", acled, acled.COLUMNS)):
        lines += [f"### {title}", "", inspect.cleandoc(module.__doc__ or ""), ""]
        if columns:
            lines += ["Header: " + ", ".join(f"`{c}`" for c in columns) + ".", ""]
    lines += ["GDELT events, 61 fields: " + ", ".join(f"`{c}`" for c in gdelt.EVENT_COLUMNS) + ".",
              "", "GDELT mentions, 16 fields: "
              + ", ".join(f"`{c}`" for c in gdelt.MENTION_COLUMNS) + ".", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsevents.codebook", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale: run python -m newsevents.codebook", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
