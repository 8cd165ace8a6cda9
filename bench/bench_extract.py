"""Benchmark: newsevents.clean against trafilatura on two corpora at once (make bench-extract).

Corpora (../shared/corpus, read-only):
- fundus (258 news pages, 181 publishers): the expected article is the fundus parser's
  output for the page: summary + every section's headline and paragraphs, in order (the
  title is not part of it: it is scored as the title). Dates: ``publishing_date``.
- readability (130 pages of Mozilla Readability's tests): the expected article is the TEXT
  of ``expected.html`` (block elements on their own lines), the expected title the
  ``title`` of ``expected-metadata.json``. No dates.

Scores, the same for every system: text against expected text with 4-word shingles
(tokens ``\\w+``, lower-cased) counted as multisets; per-page precision and recall,
averaged over the pages, F1 of the two averages ("overall" averages over all 388 pages).
Exact title (after whitespace normalisation), date accuracy (same day as expected, fundus
pages with a date) and dates after the crawl date (fundus). Speed: CPU time of this
process per system, pages per CPU-second (= per core). All systems run in one process,
page by page in turn (a change in the shared machine's load hits them alike), after a
warm-up. Last, the CLI: CPU of ``newsevents extract page.html`` against a bare script that
calls ``trafilatura.bare_extraction`` on the same page, each a fresh process (child CPU
from ``resource.getrusage``), alternated; once with cached bytecode, as an installed
package runs, once compiling the venv's modules from source (``PYTHONDONTWRITEBYTECODE``).

Which fundus JSON entry belongs to which page: a publisher's JSON is keyed by parser
version (V1, V1_1, V2, ...), one entry per test page; sorted versions map to the
publisher's pages sorted by date (file name), which is how fundus pairs them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import trafilatura

from newsevents.clean import clean
from newsevents.schema import Article, Document, stable_id

ROOT = Path(__file__).resolve().parents[1]
# ../shared, or wherever NEWSEVENTS_SHARED points (a worktree sits one level deeper)
CORPORA = Path(os.environ.get("NEWSEVENTS_SHARED", ROOT.parent / "shared")) / "corpus"
RESULTS = ROOT / "bench" / "results" / "extract.md"
WARMUP_PAGES = 5
CLI_RUNS = 3
READABILITY_URL = "http://fakehost/test/page.html"  # the URL Readability's tests give
# When the readability pages were taken (the corpus has no crawl dates).
READABILITY_CRAWLED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
_TOKEN = re.compile(r"\w+")
_BLOCKS = frozenset(
    [
        "p", "div", "section", "article", "aside", "header", "footer", "main", "blockquote",
        "pre", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "caption", "figure",
        "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr",
    ]
)
BARE_SCRIPT = (
    "import sys, trafilatura\n"
    "html = open(sys.argv[1], 'rb').read()\n"
    "document = trafilatura.bare_extraction(html, with_metadata=True)\n"
    "print(len(document.text or '') if document else 0)\n"
)


@dataclass(frozen=True)
class Page:
    corpus: str
    name: str
    html: bytes
    url: str
    crawled: dt.datetime
    expected_text: str
    expected_title: str
    expected_date: dt.date | None


@dataclass(frozen=True)
class Output:
    text: str
    title: str | None = None
    published: dt.date | None = None


def _version_key(version: str) -> list[int]:
    return [int(part) for part in version[1:].split("_")]


def load_fundus(corpus: Path) -> list[Page]:
    pages = []
    for expected_file in sorted(corpus.glob("*/*.json")):
        folder, publisher = expected_file.parent, expected_file.stem
        info = json.loads((folder / "meta.info").read_text("utf-8"))
        expected = json.loads(expected_file.read_text("utf-8"))
        html_files = sorted(folder.glob(f"{publisher}_*.html.gz"))
        if len(html_files) != len(expected):
            raise SystemExit(
                f"{expected_file}: {len(expected)} entries for {len(html_files)} pages"
            )
        for version, html_file in zip(sorted(expected, key=_version_key), html_files, strict=True):
            entry, page_info = expected[version], info[html_file.name]
            body = entry.get("body") or {}
            lines = list(body.get("summary", []))
            for section in body.get("sections", []):
                lines += [*section.get("headline", []), *section.get("paragraphs", [])]
            date = entry.get("publishing_date")
            pages.append(
                Page(
                    corpus="fundus",
                    name=f"{folder.name}/{html_file.name}",
                    html=gzip.decompress(html_file.read_bytes()),
                    url=page_info["url"],
                    crawled=dt.datetime.fromisoformat(page_info["crawl_date"]).replace(
                        tzinfo=dt.UTC
                    ),
                    expected_text="\n".join(lines),
                    expected_title=entry.get("title") or "",
                    expected_date=dt.date.fromisoformat(date[:10]) if date else None,
                )
            )
    return pages


def html_text(html: str) -> str:
    """The visible text of an HTML fragment, each block element on its own line."""
    tree = lxml.html.fromstring(html)
    for element in tree.iter(lxml.etree.Element):
        if element.tag in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
            if element.tag != "br":
                element.text = "\n" + (element.text or "")
    lines = (" ".join(line.split()) for line in tree.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def load_readability(corpus: Path) -> list[Page]:
    pages = []
    for folder in sorted(p for p in corpus.iterdir() if (p / "source.html.gz").is_file()):
        meta = json.loads((folder / "expected-metadata.json").read_text("utf-8"))
        expected = gzip.decompress((folder / "expected.html.gz").read_bytes()).decode("utf-8")
        pages.append(
            Page(
                corpus="readability",
                name=folder.name,
                html=gzip.decompress((folder / "source.html.gz").read_bytes()),
                url=READABILITY_URL,
                crawled=READABILITY_CRAWLED,
                expected_text=html_text(expected),
                expected_title=meta.get("title") or "",
                expected_date=None,
            )
        )
    return pages


def shingles(text: str) -> Counter:
    tokens = _TOKEN.findall(text.lower())
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def precision_recall(text: str, expected: str) -> tuple[float, float]:
    ours, gold = shingles(text), shingles(expected)
    common = sum((ours & gold).values())
    precision = common / sum(ours.values()) if ours else 0.0
    recall = common / sum(gold.values()) if gold else 0.0
    return precision, recall


def same_title(title: str | None, expected: str) -> bool:
    def norm(text: str) -> str:
        text = unicodedata.normalize("NFC", text).replace("\xad", "").replace("\u200b", "")
        return " ".join(text.split())

    return title is not None and norm(title) == norm(expected)


# -- the systems --------------------------------------------------------------------------


def newsevents_clean(page: Page) -> Output:
    doc = Document(
        doc_id=stable_id(page.name),
        source=page.name,
        fmt="html",
        body=page.html,
        url=page.url,
        fetched_at=page.crawled,
    )
    result = clean(doc)
    if not isinstance(result, Article):
        return Output("")
    return Output(result.text, result.title, result.published.date() if result.published else None)


def _extract(**options: Any) -> Callable[[Page], Output]:
    def run(page: Page) -> Output:
        return Output(trafilatura.extract(page.html, url=page.url, **options) or "")

    return run


def bare_with_metadata(page: Page) -> Output:
    document = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
    if document is None or isinstance(document, dict):
        return Output("")
    date = dt.date.fromisoformat(document.date[:10]) if document.date else None
    return Output(document.text or "", document.title, date)


SYSTEMS: dict[str, tuple[Callable[[Page], Output], bool]] = {  # name -> (run, gives metadata)
    "newsevents.clean": (newsevents_clean, True),
    "trafilatura extract() (default)": (_extract(), False),
    "trafilatura extract(include_comments=False)": (_extract(include_comments=False), False),
    "trafilatura extract(favor_precision=True, include_comments=False)": (
        _extract(favor_precision=True, include_comments=False),
        False,
    ),
    "trafilatura bare_extraction(with_metadata=True)": (bare_with_metadata, True),
}
CLEAN, METADATA_BASELINE = "newsevents.clean", "trafilatura bare_extraction(with_metadata=True)"


@dataclass(frozen=True)
class Row:
    system: str
    subset: str
    pages: int
    precision: float
    recall: float
    title_match: float | None
    date_accuracy: float | None
    dates_after_crawl: int | None
    cpu_seconds: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(
    name: str, outputs: list[Output], pages: list[Page], seconds: list[float], subset: str
) -> Row:
    metadata = SYSTEMS[name][1]
    scored = [
        (o, p, s)
        for o, p, s in zip(outputs, pages, seconds, strict=True)
        if subset in ("overall", p.corpus)
    ]
    pr = [precision_recall(o.text, p.expected_text) for o, p, _ in scored]
    dated = [(o, p) for o, p, _ in scored if p.expected_date]
    fundus = [(o, p) for o, p, _ in scored if p.corpus == "fundus"]
    return Row(
        system=name,
        subset=subset,
        pages=len(scored),
        precision=sum(p for p, _ in pr) / len(pr),
        recall=sum(r for _, r in pr) / len(pr),
        title_match=sum(same_title(o.title, p.expected_title) for o, p, _ in scored) / len(scored)
        if metadata
        else None,
        date_accuracy=sum(o.published == p.expected_date for o, p in dated) / len(dated)
        if metadata and dated
        else None,
        dates_after_crawl=sum(
            1 for o, p in fundus if o.published and o.published > p.crawled.date()
        )
        if metadata and fundus
        else None,
        cpu_seconds=sum(s for _, _, s in scored),
    )


def run(
    pages: list[Page], systems: list[str]
) -> tuple[dict[str, list[Output]], dict[str, list[float]]]:
    """Every system on every page, interleaved page by page so that a change in the load
    of the (shared) machine during the run affects all systems alike."""
    for name in systems:
        for page in pages[:WARMUP_PAGES]:
            SYSTEMS[name][0](page)
    outputs: dict[str, list[Output]] = {name: [] for name in systems}
    seconds: dict[str, list[float]] = {name: [] for name in systems}
    for page in pages:
        for name in systems:
            start = time.process_time()
            outputs[name].append(SYSTEMS[name][0](page))
            seconds[name].append(time.process_time() - start)
    return outputs, seconds


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_cpu(page: Page, bytecode: bool, runs: int = CLI_RUNS) -> tuple[float, float]:
    """Median CPU seconds of ``newsevents extract`` and of the bare trafilatura script on one
    page, each a fresh process, alternated.

    With ``bytecode``, as an installed package runs: compiled modules are cached (in a
    temporary folder) by one unmeasured run of each first. Without, what the venv holds
    (``make venv`` writes no bytecode) is compiled from source on every run.
    """
    cli = [sys.executable, "-m", "newsevents", "extract"]
    bare = [sys.executable, "-c", BARE_SCRIPT]
    times: dict[str, list[float]] = {"cli": [], "bare": []}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "page.html"
        path.write_bytes(page.html)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        if bytecode:
            env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
            for command in (cli, bare):
                subprocess.run([*command, str(path)], check=True, capture_output=True, env=env)
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        for _ in range(runs):
            for key, command in (("cli", cli), ("bare", bare)):
                before = _child_cpu()
                subprocess.run([*command, str(path)], check=True, capture_output=True, env=env)
                times[key].append(_child_cpu() - before)
    return sorted(times["cli"])[runs // 2], sorted(times["bare"])[runs // 2]


def cli_report(page: Page) -> list[str]:
    lines = [f"CLI on one page ({page.corpus}/{page.name}), CPU of a fresh process, median of "
             f"{CLI_RUNS}, `newsevents extract` against a bare script calling "
             "`trafilatura.bare_extraction(with_metadata=True)`:", ""]
    for bytecode, how in ((True, "with cached bytecode (as installed)"),
                          (False, "compiling the venv's modules from source")):
        ours, theirs = cli_cpu(page, bytecode)
        lines.append(f"- {how}: {ours:.2f} s against {theirs:.2f} s (ratio {ours / theirs:.2f})")
    return [*lines, ""]


def table(rows: list[Row]) -> str:
    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    lines = [
        "| corpus | system | pages | P | R | F1 | title exact | date same day "
        "| dates after crawl | pages/s per core |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        after = "—" if r.dates_after_crawl is None else str(r.dates_after_crawl)
        lines.append(
            f"| {r.subset} | {r.system} | {r.pages} | {r.precision:.4f} | {r.recall:.4f} "
            f"| **{r.f1:.4f}** | {pct(r.title_match)} | {pct(r.date_accuracy)} | {after} "
            f"| {r.pages / r.cpu_seconds:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS),
        help="run only these systems (the report is then not written)",
    )
    parser.add_argument("--cli-only", action="store_true",
                        help="measure only the CLI's start-up (the report is not written)")
    args = parser.parse_args(argv)
    if not CORPORA.is_dir():
        print(f"corpora not found: {CORPORA}", file=sys.stderr)
        return 1
    pages = load_fundus(CORPORA / "fundus") + load_readability(CORPORA / "readability")
    if args.cli_only:
        print("\n".join(cli_report(pages[0])))
        return 0
    counts = Counter(p.corpus for p in pages)
    print(f"{dict(counts)} pages, {len(args.systems)} systems ...", file=sys.stderr)
    outputs, seconds = run(pages, args.systems)
    rows = [
        evaluate(name, outputs[name], pages, seconds[name], subset)
        for subset in ("fundus", "readability", "overall")
        for name in args.systems
    ]
    report = [
        "# Extraction benchmark (make bench-extract)",
        "",
        (__doc__ or "").split("\n\n", 1)[1].split("\n\nWhich fundus")[0],
        "",
        table(rows),
        "",
    ]
    if CLEAN in args.systems and METADATA_BASELINE in args.systems:
        ours, theirs = sum(seconds[CLEAN]), sum(seconds[METADATA_BASELINE])
        report += [
            f"CPU per page over both corpora: newsevents.clean {1000 * ours / len(pages):.1f} ms, "
            f"{METADATA_BASELINE} {1000 * theirs / len(pages):.1f} ms "
            f"(ratio {ours / theirs:.2f}).",
            "",
        ]
    if args.systems == list(SYSTEMS):
        report += cli_report(pages[0])
    print("\n".join(report))
    if args.systems == list(SYSTEMS):
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("\n".join(report), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
