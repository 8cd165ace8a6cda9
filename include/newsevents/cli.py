"""``newsevents`` / ``python -m newsevents``: the pipeline's functions without Airflow.

    newsevents run --input seeds/ --lake data/lake --date 2016-01-12
    newsevents extract page.html article.txt          # one JSON line per input
    newsevents events < sentences.jsonl               # {"id","text","published"} -> events
    newsevents query "SELECT plover_type, count(*) FROM events GROUP BY 1"
    newsevents query --as-of 2026-01-12T10:00:00Z "SELECT count(*) FROM events"
    newsevents summary --lake data/lake --date 2016-01-12
    newsevents export --lake data/lake --format acled --from 2016-01-01 --to 2016-01-31 --out x.csv
    newsevents history events --lake data/lake        # the table's versions
    newsevents maintain --lake data/lake              # compact, vacuum, clear stale staging
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsevents.lake import Lake

# Each cmd_* function imports what its command needs, and nothing at module level does:
# ``newsevents extract`` must not pay for the pipeline's imports (spaCy, datasketch, the
# lake's pyarrow datasets), which take seconds of CPU on their own.


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _json_default(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _print_json(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=_json_default) + "\n")


def cmd_run(args: argparse.Namespace) -> int:
    from newsevents import pipeline, query
    from newsevents.config import fetch_policy_from_env

    lake = lake_from_env(args.lake)
    window = pipeline.DEFAULT_WINDOW_DAYS if args.window_days is None else args.window_days
    pipeline.run_pipeline(args.input, lake, args.date, window_days=window,
                          feeds=args.feed, sitemaps=args.sitemap, urls=args.url,
                          policy=fetch_policy_from_env())
    print(query.run_summary(lake, args.date))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    """Clean each input and print its text and metadata; rejects are printed with a reason."""
    from newsevents import sources
    from newsevents.clean import clean
    from newsevents.schema import Reject

    status = 0
    for path in args.files:
        for item in sources.load(path):
            result = item if isinstance(item, Reject) else clean(item)
            if isinstance(result, Reject):
                _print_json({"path": result.source, "rejected": result.reason,
                             "detail": result.detail})
                status = 1
                continue
            _print_json({
                "path": result.source, "title": result.title, "text": result.text,
                "published": result.published, "language": result.language,
                "url": result.canonical_url or result.url,
            })
    return status


def cmd_events(args: argparse.Namespace) -> int:
    """The event coder's scoring interface: JSON lines in, one JSON line per event out."""
    from newsevents import events

    status = 0
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            published = item.get("published")
            published = dt.date.fromisoformat(str(published)[:10]) if published else None
            text = item["text"]
        except (ValueError, KeyError, TypeError) as exc:
            print(f"line {lineno}: skipped, not an input object ({exc})", file=sys.stderr)
            status = 1
            continue
        for event in events.code_text(text, published):
            _print_json({"id": item.get("id"), **dataclasses.asdict(event)})
    return status


def cmd_query(args: argparse.Namespace) -> int:
    from newsevents import query

    lake = lake_from_env(args.lake)
    print(query.run_sql(lake, args.sql, as_of=args.as_of)
          .to_string(max_rows=args.max_rows, max_colwidth=60))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from newsevents import query

    lake = lake_from_env(args.lake)
    print(query.run_summary(lake, args.date))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the events of a date range as a GDELT, ACLED, CSV or Parquet file (or stdout)."""
    from newsevents.export import export

    lake = lake_from_env(args.lake)
    n = export(lake, args.format, args.date_from, args.date_to, args.out, as_of=args.as_of,
               by=args.by, country=args.country)
    where = "stdout" if args.out == "-" else args.out
    print(f"newsevents export: {n} rows ({args.format}) to {where}", file=sys.stderr)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """The versions of one table: when, which operation, which run, rows added and removed."""
    import pandas as pd

    commits = lake_from_env(args.lake).history(args.table, args.limit)
    if not commits:
        print(f"no table {args.table!r} in {args.lake}")
        return 1
    rows = pd.DataFrame([dataclasses.asdict(c) for c in commits], dtype=object)
    rows["committed_at"] = [c.committed_at.isoformat(timespec="milliseconds") for c in commits]
    print(rows.where(rows.notna(), "-").to_string(index=False))
    return 0


def cmd_maintain(args: argparse.Namespace) -> int:
    """Compact recent dates, vacuum past the retention, clear staging of crashed runs."""
    from newsevents import maintenance

    report = maintenance.maintain(
        lake_from_env(args.lake),
        recent=dt.timedelta(days=args.recent_days),
        retention=dt.timedelta(days=args.retention_days),
        staging_max_age=dt.timedelta(hours=args.staging_max_age_hours))
    print("\n".join(report.lines()))
    return 0


def lake_from_env(root: str) -> Lake:
    """A Lake for the CLI: S3 credentials, when needed, come from the environment."""
    from newsevents.config import s3_options_from_env
    from newsevents.lake import Lake

    return Lake(root, s3_options_from_env() if root.startswith("s3://") else None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsevents", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="the whole pipeline without Airflow")
    run.add_argument("--input", nargs="+", default=[],
                     help="files, folders, globs, WARC archives or s3:// URLs")
    run.add_argument("--feed", action="append", default=[], help="RSS/Atom feed URL (repeatable)")
    run.add_argument("--sitemap", action="append", default=[], help="sitemap URL (repeatable)")
    run.add_argument("--url", action="append", default=[], help="article URL (repeatable)")
    run.add_argument("--lake", default="data/lake", help="lake root: folder or s3://bucket/prefix")
    run.add_argument("--date", type=_date, default=dt.date.today(), help="partition date")
    run.add_argument("--window-days", type=int, default=None,
                     help="days of earlier partitions checked for duplicates (default: 7)")
    run.set_defaults(func=cmd_run)

    extract = sub.add_parser("extract", help="clean text and metadata, one JSON line per input")
    extract.add_argument("files", nargs="+")
    extract.set_defaults(func=cmd_extract)

    ev = sub.add_parser("events",
                        help='code events from JSON lines {"id","text","published"} on stdin')
    ev.set_defaults(func=cmd_events)

    q = sub.add_parser("query", help="SQL (DuckDB) over the lake's tables")
    q.add_argument("sql")
    q.add_argument("--lake", default="data/lake")
    q.add_argument("--max-rows", type=int, default=50)
    q.add_argument("--as-of", metavar="VERSION|TIME",
                   help="read the lake as it was: a runs-table version (runs.table_versions "
                        "names the others) or an ISO 8601 time")
    q.set_defaults(func=cmd_query)

    h = sub.add_parser("history", help="the versions of a table: when, operation, run, rows")
    h.add_argument("table")
    h.add_argument("--lake", default="data/lake")
    h.add_argument("--limit", type=int, default=None, help="newest versions only")
    h.set_defaults(func=cmd_history)

    m = sub.add_parser("maintain", help="compact recent dates, vacuum old files, "
                                        "clear the staging of crashed runs")
    m.add_argument("--lake", default="data/lake")
    m.add_argument("--recent-days", type=float, default=7,
                   help="compact the dates written in the last N days")
    m.add_argument("--retention-days", type=float, default=7,
                   help="keep the files of the last N days' versions (--as-of reaches back "
                        "that far); at least 1 hour")
    m.add_argument("--staging-max-age-hours", type=float, default=48,
                   help="delete _staging/<run> folders whose newest file is older than this")
    m.set_defaults(func=cmd_maintain)

    s = sub.add_parser("summary", help="counts, partitions and first events of a date")
    s.add_argument("--lake", default="data/lake")
    s.add_argument("--date", type=_date, required=True)
    s.set_defaults(func=cmd_summary)

    x = sub.add_parser("export", help="events of a date range as GDELT, ACLED, CSV or Parquet")
    x.add_argument("--lake", default="data/lake")
    x.add_argument("--format", required=True,
                   choices=["gdelt-events", "gdelt-mentions", "acled", "csv", "parquet"])
    x.add_argument("--from", dest="date_from", type=_date, required=True, help="first date")
    x.add_argument("--to", dest="date_to", type=_date, required=True, help="last date")
    x.add_argument("--by", choices=["event", "run"], default="event",
                   help="which date the range is of: the event's (default) or the run's")
    x.add_argument("--country", default=None,
                   help="only events that happened in this country (ISO 3166-1 alpha-3, e.g. SYR)")
    x.add_argument("--out", default="-", help="output file (written atomically), or - for stdout")
    x.add_argument("--as-of", default=None,
                   help="read the lake as it was then (a table version or timestamp)")
    x.set_defaults(func=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"newsevents {args.command}: {exc}", file=sys.stderr)
        return 2
