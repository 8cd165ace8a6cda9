"""bench-events' real-news section: event types of news sentences labelled by hand, with
negatives (``bench/data/fundus_events_gold.tsv``, whose header gives the sample and the rules;
``fundus_events_heldout.tsv``, labelled alike and never tuned on; and
``readability_events_heldout.tsv``, every such sentence of another corpus's news pages).

The PLOVER sets score one gold event per sentence, and every sentence has one, so they reward
a coder that always answers and never count an event coded where there is none. Real news is
mostly sentences without a political event, even among those that pass the prefilter; this
set measures precision (coded events that a careful coder would code) as well as recall.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html.parser
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from newsevents.events.nlp import split_sentences
from newsevents.schema import Article, stable_id

DATA = Path(__file__).resolve().parent / "data"
# the set checked while changing the coder, and the set never tuned on (its errors unread)
SETS = {
    "fundus_events_gold.tsv (checked on)": DATA / "fundus_events_gold.tsv",
    "fundus_events_heldout.tsv (never tuned on)": DATA / "fundus_events_heldout.tsv",
    "readability_events_heldout.tsv (never tuned on)": DATA / "readability_events_heldout.tsv",
}
# the English news pages of the readability corpus (../shared/corpus/readability/<page>)
READABILITY_NEWS = (
    *("aclu", "bbc-1", "breitbart", "buzzfeed-1", "citylab-1", "cnn", "guardian-1"),
    *("herald-sun-1", "msn", "nytimes-1", "nytimes-2", "nytimes-3", "nytimes-4", "nytimes-5"),
    *("salon-1", "seattletimes-1", "telegraph", "wapo-1", "wapo-2", "yahoo-1", "yahoo-2"),
    *("yahoo-3", "yahoo-4", "tmz-1", "theverge", "engadget", "ars-1", "quanta-1"),
)
YIELD_TYPES = frozenset({"CONCEDE", "RETREAT"})
# (article source, SHA-1 prefix of a sentence) -> (the sentence, the article's date)
SentenceIndex = Mapping[tuple[str, str], tuple[str, dt.date | None]]


@dataclass(frozen=True)
class Labelled:
    text: str
    published: dt.date | None
    required: tuple[frozenset[str], ...]  # one set of acceptable types per required event
    acceptable: frozenset[str]  # types that are not wrong, not required


def sentence_index(articles: Iterable[Article]) -> SentenceIndex:
    """Every sentence of ``articles`` (bench_events.fundus_articles), by article and hash."""
    index: dict[tuple[str, str], tuple[str, dt.date | None]] = {}
    for article in articles:
        published = article.published.date() if article.published else None
        for sentence in split_sentences(article.text):
            digest = hashlib.sha1(sentence.encode("utf-8")).hexdigest()[:12]
            index[(article.source, digest)] = (sentence, published)
    return index


class _Paragraphs(html.parser.HTMLParser):
    """The text of the outermost p, li, h1-h3 and blockquote elements of a page, in order."""

    BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.buffer: list[str] = []
        self.paragraphs: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self.BLOCKS:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS and self.depth:
            self.depth -= 1
            if not self.depth:
                text = " ".join("".join(self.buffer).split())
                if text:
                    self.paragraphs.append(text)
                self.buffer = []

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.buffer.append(data)


def readability_articles(corpus: Path) -> list[Article]:
    """The readability corpus's English news pages, each its expected article text (the
    content Readability keeps, read here without the clean stage so that the labels do
    not move with it); undated."""
    articles = []
    for page in READABILITY_NEWS:
        parser = _Paragraphs()
        parser.feed(gzip.decompress((corpus / page / "expected.html.gz").read_bytes()).decode())
        parser.close()
        articles.append(
            Article(
                article_id=stable_id(page),
                source=page,
                text="\n".join(parser.paragraphs),
                language="en",
            )
        )
    return articles


def labelled_sentences(by_hash: SentenceIndex, gold: Path) -> list[Labelled]:
    """The rows of ``gold``, their text found in ``by_hash`` (``sentence_index``)."""
    rows = []
    for line in gold.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "article\t")) or not line.strip():
            continue
        article, digest, types = (line.split("\t") + [""])[:3]
        if (article, digest) not in by_hash:
            raise ValueError(f"{gold.name}: no sentence {digest} in {article} (corpus changed?)")
        words = types.split()
        rows.append(
            Labelled(
                *by_hash[(article, digest)],
                required=tuple(frozenset(w.split("|")) for w in words if not w.endswith("?")),
                acceptable=frozenset(w[:-1] for w in words if w.endswith("?")),
            )
        )
    return rows


def score(rows: list[Labelled], coded: Callable[[Labelled], set[str]]) -> Mapping[str, float]:
    """Precision, recall and F1 of the coded types (``coded``: the asserted events' PLOVER
    types of a sentence), and the share of sentences without a required event that get one."""
    counts: Counter[str] = Counter()
    for row in rows:
        types = coded(row)
        for event in row.required:
            accepted = event | (YIELD_TYPES if event & YIELD_TYPES else frozenset())
            counts["tp" if types & accepted else "fn"] += 1
        allowed = row.acceptable.union(*row.required)
        counts["fp"] += len(types - allowed)
        if not row.required:
            counts["negatives"] += 1
            counts["negatives coded"] += bool(types - row.acceptable)
    precision = _ratio(counts["tp"], counts["tp"] + counts["fp"])
    recall = _ratio(counts["tp"], counts["tp"] + counts["fn"])
    return {
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * precision * recall, precision + recall),
        "required": counts["tp"] + counts["fn"],
        "negatives": counts["negatives"],
        "false alarm": _ratio(counts["negatives coded"], counts["negatives"]),
    }


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0
