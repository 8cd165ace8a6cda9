"""Benchmark: the event coder on PLOVER gold sentences, the seed and fundus (make bench-events).

1. Quality, on ../shared/gold/plover_gsr_dev.jsonl (322 sentences, each one input of
   ``code_text`` with an arbitrary publication date; every sentence has one gold event):
   the best event per sentence is the coder's highest-confidence one (ties: the first).
   Reported: accuracy and macro-F1 of its PLOVER type (a sentence without an event counts
   as wrong), CAMEO root accuracy (where gold has a code), actor country accuracy for
   source and target (gold actor codes that are not ISO3 are the old CAMEO codes JAP, ITL,
   VTN, mapped to JPN, ITA, VNM; a gold IGO/NGO/IMG actor matches an event actor with no
   country and sector IGO, NGO or IMG; a compound gold actor matches if any part does),
   location and dead-count match where gold has them, and the confusion matrix by type.
   The headline metrics are also reported per half of the set, split by the parity of
   sha1(sentence id): the rules were tuned on the whole set, so a large gap between the
   halves would signal fitting to particular sentences.
2. The seed article (published 2016-01-12): its events as a table.
3. Speed, on one core (pinned, BLAS threads 1): the English articles of
   ../shared/corpus/fundus (expected body texts; language by py3langid), coded by
   ``extract_events`` in one batch, against a bare ``nlp.pipe`` of the full spaCy pipeline
   over the same texts, in the same run, after a warm-up (model and gazetteer loaded).

Writes bench/results/events.md and prints it.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import py3langid  # noqa: E402
import spacy  # noqa: E402
from newsevents.events import code_text, extract_events  # noqa: E402
from newsevents.events import nlp as events_nlp  # noqa: E402
from newsevents.events.extract import _coder  # noqa: E402
from newsevents.schema import Article, Event, stable_id  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLD = SHARED / "gold" / "plover_gsr_dev.jsonl"
SEED = SHARED / "seeds" / "000_32ee20c48493cecc.txt"
CORPUS = SHARED / "corpus" / "fundus"
RESULTS = ROOT / "bench" / "results" / "events.md"
GOLD_DATE = dt.date(2000, 1, 1)
SEED_DATE = dt.date(2016, 1, 12)
OLD_CODES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}
NON_STATE = {"IGO", "NGO", "IMG"}


def best(events: list[Event]) -> Event | None:
    return max(events, key=lambda e: e.confidence or 0.0) if events else None


def actor_matches(gold: list[dict], country: str | None, sector: str | None) -> bool:
    codes = {OLD_CODES.get(a.get("code"), a.get("code")) for a in gold}
    if country is not None:
        return country in codes
    return sector in NON_STATE and bool(codes & NON_STATE)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isalnum()).lower()


def location_matches(gold: dict, event: Event | None) -> bool:
    if event is None:
        return False
    want = fold(gold["name"].replace("town of", "").replace("province of", ""))
    names = [fold(n) for n in (event.location_name, event.admin1) if n]
    return any(want and (want in n or n in want) for n in names)


def half(sentence_id: str) -> str:
    """The stable half ("even"/"odd") of a gold sentence, by the parity of sha1 of its id."""
    return "odd" if hashlib.sha1(sentence_id.encode()).digest()[-1] % 2 else "even"


def per_type_scores(
    confusion: Counter[tuple[str, str]], types: list[str]
) -> list[tuple[str, int, float, float, float]]:
    """Per gold type: (type, gold count, precision, recall, F1)."""
    rows = []
    for t in types:
        tp = confusion[(t, t)]
        fp = sum(v for (g, p), v in confusion.items() if p == t and g != t)
        fn = sum(v for (g, p), v in confusion.items() if g == t and p != t)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append((t, tp + fn, precision, recall, f1))
    return rows


def headline(confusion: Counter[tuple[str, str]], tallies: Counter[str]) -> dict[str, float]:
    """Type accuracy, macro-F1 and actor country accuracies of one set of sentences."""
    types = sorted({t for t, _ in confusion})
    f1s = [row[4] for row in per_type_scores(confusion, types)]
    return {
        "sentences": tallies["n"],
        "type_accuracy": tallies["type_ok"] / tallies["n"],
        "type_macro_f1": sum(f1s) / len(f1s),
        "source_country_accuracy": tallies["src_ok"] / tallies["src_n"],
        "target_country_accuracy": tallies["tgt_ok"] / tallies["tgt_n"],
    }


def halves_table(
    whole: dict[str, float],
    halves: dict[str, tuple[Counter[tuple[str, str]], Counter[str]]],
) -> list[str]:
    """The headline metrics of the whole set next to those of each half."""
    parts = {"whole": whole} | {f"{name} half": headline(*halves[name]) for name in sorted(halves)}
    names = list(parts)
    rows = [
        ("sentences", "sentences", "{:.0f}"),
        ("PLOVER type accuracy", "type_accuracy", "{:.3f}"),
        ("PLOVER type macro-F1", "type_macro_f1", "{:.3f}"),
        ("actor country accuracy, source", "source_country_accuracy", "{:.3f}"),
        ("actor country accuracy, target", "target_country_accuracy", "{:.3f}"),
    ]
    lines = [
        "| metric | " + " | ".join(names) + " |",
        "| --- |" + " ---: |" * len(names),
    ]
    for label, key, fmt in rows:
        lines.append(f"| {label} | " + " | ".join(fmt.format(parts[n][key]) for n in names) + " |")
    return lines


def score_gold() -> tuple[list[str], dict[str, float]]:
    rows = [
        json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    confusion: Counter[tuple[str, str]] = Counter()
    tallies: Counter[str] = Counter()
    halves: dict[str, tuple[Counter[tuple[str, str]], Counter[str]]] = {}
    for row in rows:
        event = best(code_text(row["text"], GOLD_DATE))
        half_confusion, half_tallies = halves.setdefault(half(row["id"]), (Counter(), Counter()))
        before = tallies.copy()
        gold_type, got = row["plover_event"], event.plover_type if event else "none"
        confusion[(gold_type, got)] += 1
        tallies["n"] += 1
        tallies["type_ok"] += gold_type == got
        if row.get("cameo_root"):
            tallies["root_n"] += 1
            tallies["root_ok"] += bool(event and event.cameo_root == row["cameo_root"])
        if any(a.get("code") for a in row["source"]):
            tallies["src_n"] += 1
            tallies["src_ok"] += bool(
                event and actor_matches(row["source"], event.actor1_country, event.actor1_sector)
            )
        if any(a.get("code") for a in row["target"]):
            tallies["tgt_n"] += 1
            tallies["tgt_ok"] += bool(
                event and actor_matches(row["target"], event.actor2_country, event.actor2_sector)
            )
        if row.get("location"):
            tallies["loc_n"] += 1
            tallies["loc_ok"] += location_matches(row["location"], event)
        if row.get("dead") is not None:
            tallies["dead_n"] += 1
            tallies["dead_ok"] += bool(event and event.fatalities == row["dead"])
        half_confusion[(gold_type, got)] += 1
        half_tallies.update(tallies - before)
    types = sorted({t for t, _ in confusion})
    per_type_rows = per_type_scores(confusion, types)
    f1s = [row[4] for row in per_type_rows]
    per_type = ["| type | gold | precision | recall | F1 |", "| --- | ---: | ---: | ---: | ---: |"]
    per_type += [f"| {t} | {n} | {p:.2f} | {r:.2f} | {f:.2f} |" for t, n, p, r, f in per_type_rows]
    metrics = {
        "sentences": tallies["n"],
        "type_accuracy": tallies["type_ok"] / tallies["n"],
        "type_macro_f1": sum(f1s) / len(f1s),
        "cameo_root_accuracy": tallies["root_ok"] / tallies["root_n"],
        "source_country_accuracy": tallies["src_ok"] / tallies["src_n"],
        "target_country_accuracy": tallies["tgt_ok"] / tallies["tgt_n"],
        "actor_country_accuracy": (tallies["src_ok"] + tallies["tgt_ok"])
        / (tallies["src_n"] + tallies["tgt_n"]),
        "location_match": tallies["loc_ok"] / tallies["loc_n"],
        "dead_match": tallies["dead_ok"] / tallies["dead_n"],
    }
    counts = {k: tallies[k] for k in ("root_n", "src_n", "tgt_n", "loc_n", "dead_n")}
    columns = types + ["none"]
    matrix = [
        "| gold \\ coded | " + " | ".join(c[:8] for c in columns) + " |",
        "| --- |" + " ---: |" * len(columns),
    ]
    for t in types:
        matrix.append(
            f"| {t} | " + " | ".join(str(confusion[(t, c)] or "") for c in columns) + " |"
        )
    lines = [
        "## PLOVER gold sentences (dev)",
        "",
        f"{metrics['sentences']} sentences; best event per sentence = highest confidence.",
        "",
        "| metric | value | over |",
        "| --- | ---: | ---: |",
        f"| PLOVER type accuracy | {metrics['type_accuracy']:.3f} | {metrics['sentences']} |",
        f"| PLOVER type macro-F1 | {metrics['type_macro_f1']:.3f} | {len(types)} types |",
        f"| CAMEO root accuracy | {metrics['cameo_root_accuracy']:.3f} | {counts['root_n']} |",
        f"| actor country accuracy, source | {metrics['source_country_accuracy']:.3f} | {counts['src_n']} |",
        f"| actor country accuracy, target | {metrics['target_country_accuracy']:.3f} | {counts['tgt_n']} |",
        f"| actor country accuracy, both | {metrics['actor_country_accuracy']:.3f} | {counts['src_n'] + counts['tgt_n']} |",
        f"| location match | {metrics['location_match']:.3f} | {counts['loc_n']} |",
        f"| dead count match | {metrics['dead_match']:.3f} | {counts['dead_n']} |",
        "",
        "Held-out check: the same metrics on two halves split by the parity of sha1(sentence id).",
        "The rules were tuned on the whole set, so a large gap between the halves would signal",
        "fitting to particular sentences rather than rules that generalise.",
        "",
        *halves_table(headline(confusion, tallies), halves),
        "",
        "Per type:",
        "",
        *per_type,
        "",
        "Confusion matrix (rows gold, columns coded; `none` = no event):",
        "",
        *matrix,
    ]
    return lines, metrics


def seed_table() -> list[str]:
    events = sorted(
        code_text(SEED.read_text(encoding="utf-8"), SEED_DATE),
        key=lambda e: (-(e.confidence or 0), e.event_id),
    )
    lines = [
        "## Seed article (published 2016-01-12)",
        "",
        "| type/mode | CAMEO | modality | date | actor1 | actor2 | place | lat, lon | dead | aggregate | conf |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | ---: | --- | ---: |",
    ]
    for e in events:
        actor1 = f"{e.actor1_name} ({e.actor1_country or '-'} {e.actor1_sector or '-'})"
        actor2 = (
            f"{e.actor2_name} ({e.actor2_country or '-'} {e.actor2_sector or '-'})"
            if e.actor2_name
            else ""
        )
        where = f"{e.lat:.3f}, {e.lon:.3f}" if e.lat is not None else ""
        lines.append(
            f"| {e.plover_type}/{e.plover_mode or ''} | {e.cameo_code} | {e.modality} | {e.event_date} | "
            f"{actor1} | {actor2} | {e.location_name or ''} ({e.country or ''}) | {where} | "
            f"{e.fatalities if e.fatalities is not None else ''} | {'yes' if e.is_aggregate else ''} | "
            f"{e.confidence:.2f} |"
        )
    distinct = sum(e.fatalities or 0 for e in events if not e.is_aggregate)
    lines += [
        "",
        f"{len(events)} events; fatalities of the non-aggregate events sum to {distinct}.",
    ]
    return lines


def fundus_articles() -> list[Article]:
    articles = []
    for path in sorted(CORPUS.glob("*/*.json")):
        for version, entry in sorted(json.loads(path.read_text(encoding="utf-8")).items()):
            body = entry.get("body") or {}
            paragraphs = list(body.get("summary") or [])
            for section in body.get("sections") or []:
                paragraphs += section.get("paragraphs") or []
            text = "\n".join(p.strip() for p in paragraphs if p.strip())
            if not text or py3langid.classify(text)[0] != "en":
                continue
            published = entry.get("publishing_date")
            articles.append(
                Article(
                    article_id=stable_id(str(path), version),
                    source=f"{path.name}#{version}",
                    text=text,
                    title=entry.get("title"),
                    language="en",
                    published=dt.datetime.fromisoformat(published) if published else None,
                )
            )
    return articles


def speed() -> tuple[list[str], dict[str, float]]:
    articles = fundus_articles()
    texts = [a.text for a in articles]
    bare = spacy.load(events_nlp.model_name())
    extract_events(articles[:3], GOLD_DATE)  # warm-up: model, gazetteer, lexicon
    list(bare.pipe(texts[:3]))
    sentences = sum(len(events_nlp.split_sentences(t)) for t in texts)
    candidates = sum(
        events_nlp.is_candidate(s) for t in texts for s in events_nlp.split_sentences(t)
    )

    started = time.process_time()
    result = extract_events(articles, GOLD_DATE)
    events_time = time.process_time() - started
    started = time.process_time()
    for _ in bare.pipe(texts, batch_size=events_nlp.BATCH_SIZE):
        pass
    bare_time = time.process_time() - started

    words = sum(len(t.split()) for t in texts)
    metrics = {
        "articles": len(articles),
        "articles_per_s": len(articles) / events_time,
        "sentences_per_s": sentences / events_time,
        "bare_articles_per_s": len(articles) / bare_time,
        "cost_vs_bare": events_time / bare_time,
    }
    lines = [
        "## Speed (one core)",
        "",
        f"{len(articles)} English fundus articles (expected body texts), {words} words, "
        f"{sentences} sentences of which {candidates} ({candidates / sentences:.0%}) pass the "
        f"trigger prefilter and are parsed; {len(result.events)} events. CPU time of this process, "
        f"model `{events_nlp.model_name()}`.",
        "",
        "| run | CPU s | articles/s | sentences/s |",
        "| --- | ---: | ---: | ---: |",
        f"| events stage (`extract_events`) | {events_time:.2f} | {metrics['articles_per_s']:.1f} | "
        f"{metrics['sentences_per_s']:.0f} |",
        f"| bare `nlp.pipe`, full pipeline | {bare_time:.2f} | {metrics['bare_articles_per_s']:.1f} | "
        f"{sentences / bare_time:.0f} |",
        "",
        f"The events stage costs {metrics['cost_vs_bare']:.2f}x a bare `nlp.pipe` over the same texts.",
    ]
    return lines, metrics


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    _coder()  # load model, gazetteer and dictionaries outside the measurements
    gold_lines, gold = score_gold()
    speed_lines, fast = speed()
    report = [
        "# Event coder benchmark (make bench-events)",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `bench/bench_events.py`; "
        "see its docstring for the method.",
        "",
        *gold_lines,
        "",
        *seed_table(),
        "",
        *speed_lines,
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report))
    print(json.dumps({**gold, **fast}, indent=1))


if __name__ == "__main__":
    main()
