"""Benchmark: a big WARC through newsevents (make bench-archive).

Builds bench/work/CC-NEWS-20240101000000-00000.warc.gz with scripts/build_test_warcs.py:
at least 20,000 varied copies of the 258 fundus pages (each a request and a response
record, one gzip member per record, like Common Crawl News) and at least 1 GiB. Then, each
in its own subprocess so that its peak RSS is its own (os.wait4):

    read         sources.load over the archive: the Documents, nothing else
    fastwarc     fastwarc's ArchiveIterator, payloads read: the reader we did not pick
    trafilatura  sources.load, then trafilatura.extract(include_comments=False) per page
    pipeline     newsevents.pipeline.run_pipeline into a fresh lake: load, clean, dedupe,
                 events, commit

Reports records/s (the task's own wall time, after imports) and peak RSS, and checks the
two acceptance bars: reading the >1 GiB archive in under 500 MB, and the whole pipeline at
no less than half of trafilatura's rate over the same records. The archive and the lake
are deleted afterwards (``--keep`` keeps the archive for the next run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results" / "archive.md"
ARCHIVE = WORK / "CC-NEWS-20240101000000-00000.warc.gz"
RUN_DATE = dt.date(2024, 1, 1)
MAX_READ_RSS_MB = 500
MIN_PIPELINE_RATIO = 0.5
TASKS = ("read", "fastwarc", "trafilatura", "pipeline")


# --------------------------------------------------------------------------------------
# the tasks, each run in a child process: print {"records": n, "seconds": s, ...}


def task_read(archive: str) -> dict:
    from newsevents import sources
    from newsevents.schema import Document

    started = time.perf_counter()
    counts = {"documents": 0, "rejects": 0}
    for item in sources.load(archive):
        counts["documents" if isinstance(item, Document) else "rejects"] += 1
    return {"records": sum(counts.values()), "seconds": time.perf_counter() - started, **counts}


def task_fastwarc(archive: str) -> dict:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    started = time.perf_counter()
    records = 0
    for record in ArchiveIterator(archive, record_types=WarcRecordType.response):
        record.reader.read()
        records += 1
    return {"records": records, "seconds": time.perf_counter() - started}


def task_trafilatura(archive: str) -> dict:
    import trafilatura

    from newsevents import sources
    from newsevents.schema import Document

    started = time.perf_counter()
    records = extracted = 0
    for item in sources.load(archive):
        records += 1
        if isinstance(item, Document):
            extracted += trafilatura.extract(item.body, url=item.url, include_comments=False) is not None
    return {"records": records, "seconds": time.perf_counter() - started, "extracted": extracted}


def task_pipeline(archive: str) -> dict:
    from newsevents.lake import Lake
    from newsevents.pipeline import run_pipeline

    lake_dir = WORK / "lake"
    shutil.rmtree(lake_dir, ignore_errors=True)
    started = time.perf_counter()
    summary = run_pipeline([archive], Lake(str(lake_dir)), RUN_DATE)["summary"]
    seconds = time.perf_counter() - started
    shutil.rmtree(lake_dir, ignore_errors=True)
    return {"records": summary["inputs"], "seconds": seconds,
            **{k: summary[k] for k in ("kept", "duplicates", "rejected", "events")}}


# --------------------------------------------------------------------------------------
# the parent: build, run each task in a subprocess, report


def run_task(name: str, archive: Path) -> dict:
    """Run one task in a fresh interpreter; its result plus its own peak RSS."""
    print(f"{name}: running ...", flush=True)
    proc = subprocess.Popen([sys.executable, __file__, "--child", name, str(archive)],
                            stdout=subprocess.PIPE, text=True)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"task {name} failed with status {status}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    result["rate"] = result["records"] / result["seconds"]
    print(f"{name}: {result['records']} records in {result['seconds']:.1f}s = "
          f"{result['rate']:.1f}/s, peak RSS {result['peak_rss_mb']:.0f} MB", flush=True)
    return result


def build_archive(path: Path, records: int, min_mb: int) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_test_warcs.py"), "archive",
                    str(path), "--records", str(records), "--min-mb", str(min_mb)], check=True)
    return time.perf_counter() - started


def report(results: dict[str, dict], archive_bytes: int, build_s: float | None, load: str) -> str:
    traf = results.get("trafilatura")
    lines = [
        "# Archive benchmark (make bench-archive)",
        "",
        f"Archive: `{ARCHIVE.name}`, {archive_bytes / 2**30:.2f} GiB, record-gzip'd (level 1), "
        f"varied copies of the 258 fundus pages (scripts/build_test_warcs.py)"
        + (f", built in {build_s:.0f}s." if build_s is not None else "."),
        f"Machine: {os.cpu_count()} cores shared with other work (load average {load} at the start), "
        f"Python {platform.python_version()}. Each task ran alone in its own process; records/s "
        "is its wall time after imports, peak RSS its own (os.wait4).",
        "",
        "| task | records | seconds | records/s | peak RSS (MB) | vs trafilatura |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        ratio = f"{r['rate'] / traf['rate']:.2f}x" if traf else "-"
        lines.append(f"| {name} | {r['records']} | {r['seconds']:.1f} | {r['rate']:.1f} | "
                     f"{r['peak_rss_mb']:.0f} | {ratio} |")
    lines += ["", "Tasks: **read** = `sources.load` (warcio, digests checked); **fastwarc** = its "
              "ArchiveIterator with payloads read, the reader not picked; **trafilatura** = "
              "`sources.load` + `trafilatura.extract(include_comments=False)` per page; "
              "**pipeline** = `newsevents.pipeline.run_pipeline` (load, clean, dedupe, events, "
              "commit to a fresh lake).", ""]
    for name, r in results.items():
        extra = {k: v for k, v in r.items() if k not in ("records", "seconds", "rate", "peak_rss_mb")}
        if extra:
            lines.append(f"- {name}: " + ", ".join(f"{k} {v}" for k, v in extra.items()))
    lines += ["", "Acceptance:"]
    if "read" in results:
        rss = results["read"]["peak_rss_mb"]
        ok = rss < MAX_READ_RSS_MB and archive_bytes >= 2**30
        lines.append(f"- peak RSS reading a {archive_bytes / 2**30:.2f} GiB WARC: {rss:.0f} MB "
                     f"(bar: < {MAX_READ_RSS_MB} MB) — {'PASS' if ok else 'FAIL'}")
    if "pipeline" in results and traf:
        ratio = results["pipeline"]["rate"] / traf["rate"]
        lines.append(f"- whole pipeline / trafilatura alone: {ratio:.2f}x "
                     f"(bar: >= {MIN_PIPELINE_RATIO}x) — {'PASS' if ratio >= MIN_PIPELINE_RATIO else 'FAIL'}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--min-mb", type=int, default=1024)
    parser.add_argument("--tasks", default=",".join(TASKS), help=f"comma-separated, of {TASKS}")
    parser.add_argument("--keep", action="store_true", help="keep the archive for the next run")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "ARCHIVE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, archive = args.child
        print(json.dumps(globals()[f"task_{name}"](archive)))
        return 0

    tasks = [t for t in args.tasks.split(",") if t]
    if unknown := set(tasks) - set(TASKS):
        parser.error(f"unknown tasks {sorted(unknown)}")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    build_s = None
    if not ARCHIVE.exists():
        build_s = build_archive(ARCHIVE, args.records, args.min_mb)
    archive_bytes = ARCHIVE.stat().st_size
    try:
        results = {name: run_task(name, ARCHIVE) for name in tasks}
    finally:
        if not args.keep:
            ARCHIVE.unlink()
    text = report(results, archive_bytes, build_s, load)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
