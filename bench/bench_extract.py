"""Benchmark: newsevents.clean against trafilatura on the fundus corpus (make bench-extract).

For each of the 258 pages in ../shared/corpus/fundus the expected article is the fundus
parser's output for that page: title + summary + paragraphs (section headlines are not
part of the article text). Each system's text is scored against it with 4-word shingles
(tokens are ``\\w+``, lower-cased) counted as multisets: per-page precision and recall,
averaged over pages, and F1 of the two averages. Also: exact title match (after
whitespace normalisation), publication-date accuracy (same day as expected), the number
of dates after the crawl date, and pages per second (CPU time of this single process).
Every system gets the page's URL from meta.info; all run in the same process, page by
page in turn (so load changes on a shared machine hit them alike), after a short warm-up.

Which JSON entry belongs to which page: a publisher's JSON is keyed by parser version
(V1, V1_1, V2, ...), one entry per test page; sorted versions map to the publisher's
pages sorted by date (file name), which is how fundus pairs them.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import py3langid
import trafilatura
from newsevents.clean import clean
from newsevents.schema import Article, Document, stable_id

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "fundus"
RESULTS = ROOT / "bench" / "results" / "extract.md"
WARMUP_PAGES = 5
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Page:
    name: str  # country/file
    html: bytes
    url: str
    crawled: dt.datetime
    expected_text: str
    expected_title: str
    expected_date: dt.date | None
    english: bool


@dataclass(frozen=True)
class Output:
    text: str
    title: str | None = None
    published: dt.date | None = None


def _version_key(version: str) -> list[int]:
    return [int(part) for part in version[1:].split("_")]


def load_corpus(corpus: Path = CORPUS) -> list[Page]:
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
        for version, html_file in zip(sorted(expected, key=_version_key), html_files, strict=False):
            entry, page_info = expected[version], info[html_file.name]
            body = entry.get("body") or {}
            paragraphs = [
                p for section in body.get("sections", []) for p in section.get("paragraphs", [])
            ]
            text = "\n".join([entry.get("title") or "", *body.get("summary", []), *paragraphs])
            date = entry.get("publishing_date")
            pages.append(
                Page(
                    name=f"{folder.name}/{html_file.name}",
                    html=gzip.decompress(html_file.read_bytes()),
                    url=page_info["url"],
                    crawled=dt.datetime.fromisoformat(page_info["crawl_date"]).replace(
                        tzinfo=dt.timezone.utc
                    ),
                    expected_text=text,
                    expected_title=entry.get("title") or "",
                    expected_date=dt.date.fromisoformat(date[:10]) if date else None,
                    english=py3langid.classify(text)[0] == "en",
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


def trafilatura_plain(page: Page) -> Output:
    return Output(trafilatura.extract(page.html, url=page.url, include_comments=False) or "")


def trafilatura_precision(page: Page) -> Output:
    return Output(
        trafilatura.extract(page.html, url=page.url, include_comments=False, favor_precision=True)
        or ""
    )


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


SYSTEMS: dict[str, tuple[Callable[[Page], Output], bool]] = {  # name -> (run, gives metadata)
    "trafilatura extract(include_comments=False)": (trafilatura_plain, False),
    "trafilatura extract(favor_precision=True, include_comments=False)": (
        trafilatura_precision,
        False,
    ),
    "newsevents.clean": (newsevents_clean, True),
}


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
    pages_per_second: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(
    name: str, outputs: list[Output], pages: list[Page], seconds: float, metadata: bool, subset: str
) -> Row:
    scored = [(o, p) for o, p in zip(outputs, pages, strict=False) if subset == "all" or p.english]
    pr = [precision_recall(o.text, p.expected_text) for o, p in scored]
    dated = [(o, p) for o, p in scored if p.expected_date]
    return Row(
        system=name,
        subset=subset,
        pages=len(scored),
        precision=sum(p for p, _ in pr) / len(pr),
        recall=sum(r for _, r in pr) / len(pr),
        title_match=sum(same_title(o.title, p.expected_title) for o, p in scored) / len(scored)
        if metadata
        else None,
        date_accuracy=sum(o.published == p.expected_date for o, p in dated) / len(dated)
        if metadata
        else None,
        dates_after_crawl=sum(
            1 for o, p in scored if o.published and o.published > p.crawled.date()
        )
        if metadata
        else None,
        pages_per_second=len(pages) / seconds,
    )


def run(pages: list[Page]) -> list[Row]:
    """Every system on every page, interleaved page by page so that a change in the load
    of the (shared) machine during the run affects all systems alike."""
    for system, _ in SYSTEMS.values():
        for page in pages[:WARMUP_PAGES]:
            system(page)
    outputs: dict[str, list[Output]] = {name: [] for name in SYSTEMS}
    seconds = dict.fromkeys(SYSTEMS, 0.0)
    for page in pages:
        for name, (system, _) in SYSTEMS.items():
            start = time.process_time()
            outputs[name].append(system(page))
            seconds[name] += time.process_time() - start
    rows = []
    for name, (_, metadata) in SYSTEMS.items():
        print(f"  {name}: {len(pages) / seconds[name]:.1f} pages/s", file=sys.stderr)
        rows += [
            evaluate(name, outputs[name], pages, seconds[name], metadata, subset)
            for subset in ("all", "english")
        ]
    return rows


def table(rows: list[Row]) -> str:
    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    baseline = next(r.pages_per_second for r in rows if r.system == next(iter(SYSTEMS)))
    lines = [
        "| system | pages | P | R | F1 | title exact | date same day | dates after crawl "
        "| pages/s | speed vs plain |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for subset in ("all", "english"):
        for r in (r for r in rows if r.subset == subset):
            after = "—" if r.dates_after_crawl is None else str(r.dates_after_crawl)
            lines.append(
                f"| {r.system} [{subset}] | {r.pages} | {r.precision:.4f} | {r.recall:.4f} "
                f"| **{r.f1:.4f}** | {pct(r.title_match)} | {pct(r.date_accuracy)} | {after} "
                f"| {r.pages_per_second:.1f} | {r.pages_per_second / baseline:.2f}× |"
            )
    return "\n".join(lines)


def main() -> int:
    if not CORPUS.is_dir():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 1
    pages = load_corpus()
    english = sum(p.english for p in pages)
    print(f"{len(pages)} pages ({english} English), timing on one core ...", file=sys.stderr)
    rows = run(pages)
    report = "\n".join(
        [
            "# Extraction benchmark (make bench-extract)",
            "",
            f"Corpus: fundus test pages ({len(pages)} pages, {english} with English expected "
            "text), "
            "expected text = title + summary + paragraphs. P/R over 4-word shingles (multisets), "
            "averaged per page; F1 of the averages. Speed: CPU time, one process, same run, "
            "systems interleaved page by page; "
            "pages/s over all pages (the English rows repeat the all-pages speed). "
            "The trafilatura baselines give no title or date (—). newsevents.clean's text is the "
            "article as published (headline, standfirst, body paragraphs; no sub-headings), "
            "trafilatura's is its extracted body.",
            "",
            table(rows),
            "",
        ]
    )
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
