"""Benchmark: WARC archives through newsevents (make bench-archive).

Builds two archives under bench/work/ with scripts/build_test_warcs.py, both varied copies
of the 258 fundus pages (a request and a response record each, one gzip member per
record, like Common Crawl News): the *benchmark archive* of ``--records`` pages (default
20,000) and the *memory archive* of at least ``--memory-mb`` MiB (default 1024). Then,
each in its own subprocess so that its peak RSS is its own (os.wait4), over the
benchmark archive:

    read         sources.load: the Documents, nothing else
    fastwarc     fastwarc's ArchiveIterator, payloads read: the reader we did not pick
    trafilatura  sources.load, then trafilatura.extract(include_comments=False) per page
    pipeline     the news_archive DAG (``airflow dags test``) into a fresh lake: load and
                 clean the shard, dedupe, code events, commit (needs AIRFLOW_HOME with
                 a migrated database: run it as ``make bench-archive``)

and ``read`` once more over the memory archive, then ``trafilatura`` and ``pipeline`` over
an *English-only archive* (``--english-records`` pages, default 5,000: varied copies of the
fundus pages whose text py3langid reads as English), the archive the events stage codes in
full, since it codes English articles only. Reports records/s (each task's wall time
after its imports) and peak RSS, and checks the two acceptance bars: reading the 1 GiB
archive in under 500 MB, and the whole pipeline at no less than half of trafilatura's
rate over the same records, on the mixed archive and on the English-only one. The archives
and the lake are deleted afterwards (``--keep`` keeps the archives for the next run).
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
SHARED = Path(os.environ.get("NEWSEVENTS_SHARED", ROOT.parent / "shared"))  # ../shared
RESULTS = ROOT / "bench" / "results" / "archive.md"
RUN_DATE = dt.date(2024, 1, 1)
MAX_READ_RSS_MB = 500
MIN_PIPELINE_RATIO = 0.5
TASKS = ("read", "fastwarc", "trafilatura", "pipeline")
ENGLISH_NAME = "CC-NEWS-20240101000000-english.warc.gz"  # in its own folder: the DAG lists
# the archives of a day by the timestamp in their names


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
            text = trafilatura.extract(item.body, url=item.url, include_comments=False)
            extracted += text is not None
    return {"records": records, "seconds": time.perf_counter() - started, "extracted": extracted}


def task_pipeline(archive: str) -> dict:
    """The news_archive DAG over the archive's date, run whole by ``airflow dags test``.

    Its tasks run in that one process (load and clean the shard, dedupe, code events,
    commit), so its wall time and peak RSS are the pipeline's, Airflow's own included.
    """
    from newsevents.lake import Lake

    lake_dir = WORK / "lake"
    shutil.rmtree(lake_dir, ignore_errors=True)
    day = RUN_DATE  # the benchmark archive's name carries this date
    conf = {"archives": str(Path(archive).parent), "lake": str(lake_dir), "window_days": 0}
    roots = os.environ.get("NEWSEVENTS_ALLOWED_ROOTS", str(ROOT / "data"))
    env = {**os.environ, "NEWSEVENTS_ALLOWED_ROOTS": f"{roots},{WORK}"}
    log_path = WORK / "pipeline.log"
    started = time.perf_counter()
    with log_path.open("w") as log_file:
        # dags test gives a manual run the data interval that ends at its logical date
        subprocess.run([str(Path(sys.executable).parent / "airflow"), "dags", "test",
                        "news_archive", (day + dt.timedelta(days=1)).isoformat(),
                        "-c", json.dumps(conf)],
                       env=env, stdout=log_file, stderr=subprocess.STDOUT, check=True)
    seconds = time.perf_counter() - started
    if "state=success" not in log_path.read_text():
        raise SystemExit(f"the news_archive run failed: see {log_path}")
    (summary,) = Lake(str(lake_dir)).read("runs", [day]).to_pylist()
    shutil.rmtree(lake_dir, ignore_errors=True)
    return {"records": summary["inputs"], "seconds": seconds,
            **{k: summary[k] for k in ("kept", "duplicates", "rejected", "events")}}


# --------------------------------------------------------------------------------------
# the parent: build, run each task in a subprocess, report


def run_task(name: str, archive: Path) -> dict:
    """Run one task in a fresh interpreter: its result, plus its own peak RSS."""
    print(f"{name} over {archive.name}: running ...", flush=True)
    load_before = os.getloadavg()[0]
    proc = subprocess.Popen([sys.executable, __file__, "--child", name, str(archive)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"task {name} failed with status {status}")
    result = {"task": name, "archive": archive.name, **json.loads(output.strip().splitlines()[-1])}
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    result["load"] = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
    result["rate"] = result["records"] / result["seconds"]
    print(f"  {result['records']} records in {result['seconds']:.1f}s = {result['rate']:.1f}/s, "
          f"peak RSS {result['peak_rss_mb']:.0f} MB", flush=True)
    return result


def build_english_archive(path: Path, records: int) -> float:
    """Build ``path`` from the English fundus pages only (unless a kept one is there).

    In a child process: the language check loads trafilatura and py3langid, and a parent
    that grew would raise every later task's peak RSS (Linux children start from it).
    """
    if path.exists():
        return 0.0
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--build-english", str(path), str(records)],
                   check=True)
    return time.perf_counter() - started


def write_english_archive(path: Path, records: int) -> None:
    import py3langid
    import trafilatura

    sys.path.insert(0, str(ROOT / "scripts"))
    import build_test_warcs as warcs

    pages = [
        page for page in warcs.corpus_pages(SHARED / "corpus" / "fundus")
        if py3langid.classify(trafilatura.extract(page.html.decode("utf-8", "replace")) or "")[0]
        == "en"
    ]
    n = warcs.build_archive(path, pages, records)
    print(f"{path.name}: {n} pages from {len(pages)} English fundus pages", flush=True)


def build_archive(path: Path, records: int, min_mb: int) -> float:
    """Build ``path`` unless a kept one is there; the seconds spent building."""
    if path.exists():
        return 0.0
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_test_warcs.py"), "archive",
                    str(path), "--records", str(records), "--min-mb", str(min_mb)], check=True)
    return time.perf_counter() - started


_COLUMNS = ("task", "archive", "records", "seconds", "rate", "peak_rss_mb", "load")


def report(results: list[dict], memory: dict, sizes: dict[str, int], build_s: float,
           load: str) -> str:
    traf_of = {r["archive"]: r for r in results if r["task"] == "trafilatura"}
    lines = [
        "# Archive benchmark (make bench-archive)",
        "",
        "Archives (scripts/build_test_warcs.py: varied copies of the 258 fundus pages, one gzip "
        f"member per record, level 1; built in {build_s:.0f}s): "
        + "; ".join(f"`{name}` {size / 2**30:.2f} GiB" for name, size in sizes.items()) + ".",
        f"Machine: {os.cpu_count()} cores shared with other work (load average {load} at the "
        f"start), Python {platform.python_version()}. Each task ran alone in its own process; "
        "records/s is its wall time after imports, peak RSS its own (os.wait4). The 1-minute "
        "load average before and after each task shows how busy the machine was.",
        "",
        "| task | archive | records | seconds | records/s | peak RSS (MB) | load "
        "| vs trafilatura |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for r in [*results, memory]:
        traf = traf_of.get(r["archive"])
        ratio = f"{r['rate'] / traf['rate']:.2f}x" if traf else "-"
        lines.append(f"| {r['task']} | `{r['archive']}` | {r['records']} | {r['seconds']:.1f} | "
                     f"{r['rate']:.1f} | {r['peak_rss_mb']:.0f} | {r['load']} | {ratio} |")
    lines += ["", "Tasks: **read** = `sources.load` (warcio, digests checked); **fastwarc** = its "
              "ArchiveIterator with payloads read, the reader not picked; **trafilatura** = "
              "`sources.load` + `trafilatura.extract(include_comments=False)` per page; "
              "**pipeline** = the `news_archive` DAG run by `airflow dags test` (load and clean "
              "the shard, dedupe, code events, commit to a fresh lake), Airflow included.", ""]
    for r in [*results, memory]:
        extra = {k: v for k, v in r.items() if k not in _COLUMNS}
        if extra:
            lines.append(f"- {r['task']} over `{r['archive']}`: "
                         + ", ".join(f"{k} {v}" for k, v in extra.items()))
    size = sizes[memory["archive"]]
    ok = memory["peak_rss_mb"] < MAX_READ_RSS_MB and size >= 2**30
    lines += ["", "Acceptance:",
              f"- peak RSS reading a {size / 2**30:.2f} GiB WARC: {memory['peak_rss_mb']:.0f} MB "
              f"(bar: < {MAX_READ_RSS_MB} MB) — {'PASS' if ok else 'FAIL'}"]
    for pipeline in (r for r in results if r["task"] == "pipeline"):
        traf = traf_of.get(pipeline["archive"])
        if traf is None:
            continue
        ratio = pipeline["rate"] / traf["rate"]
        verdict = "PASS" if ratio >= MIN_PIPELINE_RATIO else "FAIL"
        kind = "English-only" if pipeline["archive"] == ENGLISH_NAME else "mixed-language"
        lines.append(f"- whole pipeline / trafilatura alone, {kind} `{pipeline['archive']}`: "
                     f"{ratio:.2f}x (bar: >= {MIN_PIPELINE_RATIO}x) — {verdict}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000,
                        help="pages in the benchmark archive")
    parser.add_argument("--memory-mb", type=int, default=1024, help="MiB of the memory archive")
    parser.add_argument("--tasks", default=",".join(TASKS), help=f"comma-separated, of {TASKS}")
    parser.add_argument("--english-records", type=int, default=5_000,
                        help="pages in the English-only archive (0: skip it)")
    parser.add_argument("--keep", action="store_true", help="keep the archives for the next run")
    parser.add_argument("--child", nargs=2, metavar=("TASK", "ARCHIVE"), help=argparse.SUPPRESS)
    parser.add_argument("--build-english", nargs=2, metavar=("PATH", "RECORDS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_english:
        write_english_archive(Path(args.build_english[0]), int(args.build_english[1]))
        return 0
    if args.child:
        name, archive = args.child
        print(json.dumps(globals()[f"task_{name}"](archive)))
        return 0

    tasks = [t for t in args.tasks.split(",") if t]
    if unknown := set(tasks) - set(TASKS):
        parser.error(f"unknown tasks {sorted(unknown)}")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    # each day's archives in a folder of their own: the DAG reads every archive of the day
    # under the folder it is given, subfolders included
    bench = WORK / "mixed" / f"CC-NEWS-20240101000000-{args.records:05d}.warc.gz"
    big = WORK / f"CC-NEWS-20240102000000-{args.memory_mb:05d}.warc.gz"
    english = WORK / "english" / ENGLISH_NAME
    archives = [bench, big] + ([english] if args.english_records else [])
    try:
        build_s = build_archive(bench, args.records, 0) + build_archive(big, 0, args.memory_mb)
        if args.english_records:
            build_s += build_english_archive(english, args.english_records)
        sizes = {path.name: path.stat().st_size for path in archives}
        results = [run_task(name, bench) for name in tasks]
        memory = run_task("read", big)
        if args.english_records:
            results += [run_task(name, english) for name in ("trafilatura", "pipeline")
                        if name in tasks]
    finally:
        if not args.keep:
            for path in archives:
                path.unlink(missing_ok=True)
    text = report(results, memory, sizes, build_s, load)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
