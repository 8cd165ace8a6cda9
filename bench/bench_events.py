"""Benchmark: the events stage, classifier plus parse against the rules alone (make bench-events).

One run, one core (pinned, BLAS and onnxruntime threads 1), after the resources are loaded:

1. Cross-validated PLOVER type accuracy and macro-F1 by source. The out-of-fold
   predictions of the classifier (``bench/results/events_cv.json``, written by the
   training script: k folds grouped by source, the GSR dev set as its own fold) stand in
   for the classifier, so every sentence is coded by a model that never saw it; each
   sentence is one input of ``code_text`` and the best event per sentence (highest
   confidence) is its type ("none" if no event). Three coders in the same run: the
   classifier alone (its out-of-fold label), the events stage (classifier + parse,
   ``events.combine``) and the rules alone (the trigger lexicon, no classifier). The
   rules were tuned on the GSR dev set, so their GSR figure is not held out (nor, for a
   few words added after reading PLV errors, their PLV gains since). PLV is coded
   twice: with the k-fold predictions (that classifier saw other PLV sentences) and with
   those of the model trained without PLV (news neither coder saw anything like).
   On PLV, who did it to whom too: the share of sentences whose best event has the gold
   type and the gold source as actor1 (and the gold target as actor2), an actor agreeing
   when the last word of its name is a word of the gold span ("spokesman for Taliban" and
   "a Taliban spokesman").
2. The confusion table of the events stage on the GSR fold.
3. The no-event false-positive rate: the share of our own no-event sentences
   (``tests/fixtures/events/no_event_sentences.txt``: sport, culture, business, weather)
   that get an event, for the events stage (the committed model) and the rules alone.
   Then real news with negatives (``real_news``): fundus sentences drawn at random, and
   every candidate sentence of the readability corpus's news pages, labelled by hand, some
   with events and most without; precision and recall of the
   event types of the events stage, the rules alone and the classifier alone.
4. ACLED sub-event type on our own labelled sentences in the style of ACLED's notes
   (``acled_sets``): accuracy and weighted F1 of each sentence's ACLED answer (its best
   event among those the ACLED export writes), for the sentences the coder was fixed on
   and for sets never tuned on, and the share of news ACLED does not code that gets an
   ACLED event; events stage and rules alone. Then the independent ACLED measure, the CASE
   2021 task 2 test snippets (``case2021``; the file is fetched once into bench/work/, its
   docstring says how).
5. The seed article (published 2016-01-12): its events as a table.
6. Speed: the English articles of ../shared/corpus/fundus (expected body texts; language
   by py3langid) coded by ``extract_events`` in one batch, with and without the
   classifier: CPU seconds of this process (median of alternating rounds), sentences/s and
   articles/s per core.

Writes bench/results/events.md and prints it.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import dataclasses  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from collections.abc import Callable, Mapping, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

import case2021  # noqa: E402
import py3langid  # noqa: E402
import real_news  # noqa: E402
from acled_sets import acled_sub_types, best, sub_type  # noqa: E402
from scores import per_type_scores  # noqa: E402

from newsevents.events import Resources, code_text, extract_events  # noqa: E402
from newsevents.events.classifier import classifier_input  # noqa: E402
from newsevents.events.nlp import split_sentences  # noqa: E402
from newsevents.schema import Article, Event, stable_id  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSEVENTS_SHARED", ROOT.parent / "shared"))  # ../shared
SEED = ROOT / "seeds" / "000_32ee20c48493cecc.txt"
CORPUS = SHARED / "corpus" / "fundus"
CV_PREDICTIONS = ROOT / "bench" / "results" / "events_cv.json"
FIXTURES = ROOT / "tests" / "fixtures" / "events"
GSR = FIXTURES / "plover_gsr_dev.jsonl"
PLV = SHARED / "gold" / "plv_train.jsonl"
# every k-fold sentence's out-of-fold probabilities, written by `training/train.py cv` (kept out
# of the repository: PLV sentences may not be committed); present after `make train-events`
KFOLD_OOF = ROOT / "training" / "work" / "kfold_oof.jsonl"
# every PLV sentence's probabilities from the model trained without PLV (the "plv" fold)
PLV_FOLD_OOF = ROOT / "training" / "work" / "plv_fold_oof.jsonl"
PLV_UNSEEN = "plv, trained without PLV"
NO_EVENT = FIXTURES / "no_event_sentences.txt"
RESULTS = ROOT / "bench" / "results" / "events.md"
GOLD_DATE = dt.date(2000, 1, 1)
SEED_DATE = dt.date(2016, 1, 12)
CODERS = ("classifier alone", "events stage", "rules alone")


@dataclasses.dataclass(frozen=True)
class Scores:
    label: str | None
    score: float
    probs: Mapping[str, float]


class OutOfFold:
    """A classifier that answers with each sentence's out-of-fold prediction."""

    def __init__(self, by_text: dict[str, Scores]) -> None:
        self.by_text = by_text

    def predict(self, sentences: Sequence[str], batch_size: int = 1) -> list[Scores]:
        return [self.by_text[s] for s in sentences]


def load_cv() -> tuple[dict, list[dict]]:
    """events_cv.json, and its GSR-fold rows: text, gold, out-of-fold label and probabilities.

    The training script keeps per-sentence out-of-fold predictions for the GSR fold only (the
    PLV sentences may not be committed), so the events stage can be re-run on that fold;
    for the other sources the classifier's own figures are those of events_cv.json.
    """
    raw = json.loads(CV_PREDICTIONS.read_text(encoding="utf-8")) if CV_PREDICTIONS.exists() else {}
    predicted = {r["id"]: r for r in raw.get("folds", {}).get("gsr", {}).get("predictions", [])}
    rows = []
    for gold in map(json.loads, GSR.read_text(encoding="utf-8").splitlines()):
        row = {"text": gold["text"], "gold": gold["plover_event"], "source": "gsr"}
        if gold["id"] in predicted:
            oof = predicted[gold["id"]]
            row["pred"] = oof.get("int8") or oof.get("fine_tuned")
            row["probs"] = oof.get("probs_int8") or {}
        rows.append(row)
    return raw, rows


def plv_rows(predictions: Path = KFOLD_OOF, source: str = "plv") -> list[dict]:
    """The PLV sentences of ../shared (label: PLOVER root), for the rules-alone baseline,
    with their out-of-fold prediction where ``predictions`` has it (k-fold, or the model
    trained without PLV). PLV's YIELD stands for PLOVER 0.8's CONCEDE and RETREAT: either
    counts as right.

    A PLV text with two (source, target) pairs counts once, with its first pair's type."""
    if not PLV.exists():
        return []
    oof = {}
    if predictions.exists():
        for line in predictions.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r["source"] == "plv":
                oof[r["text"]] = r["probs"]
    rows: dict[str, dict] = {}
    for line in PLV.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        row = {"text": r["text"], "gold": r["plover_root"], "source": source}
        row["actors"] = (r["source"], r["target"])
        if r["text"] in oof:
            row["probs"] = oof[r["text"]]
            row["pred"] = max(row["probs"], key=row["probs"].get)
        rows.setdefault(r["text"], row)
    return list(rows.values())


def type_metrics(confusion: Counter[tuple[str, str]]) -> tuple[int, float, float]:
    """(sentences, accuracy, macro-F1 over the gold types)."""
    n = sum(confusion.values())
    types = sorted({g for g, _ in confusion})
    f1s = [row[4] for row in per_type_scores(confusion, types)]
    accuracy = sum(v for (g, p), v in confusion.items() if g == p) / n if n else 0.0
    return n, accuracy, (sum(f1s) / len(f1s) if f1s else 0.0)


def cross_validated(res: Resources, rules: Resources) -> tuple[list[str], dict]:
    raw, rows = load_cv()
    rows += plv_rows()
    unseen = plv_rows(PLV_FOLD_OOF, PLV_UNSEEN) if PLV_FOLD_OOF.exists() else []
    # one stand-in classifier per set of predictions: a PLV text has two (k-fold, PLV fold)
    stages = {
        "held out": dataclasses.replace(res, classifier=out_of_fold(rows)),
        PLV_UNSEEN: dataclasses.replace(res, classifier=out_of_fold(unseen)),
    }
    rows += unseen
    confusions: dict[tuple[str, str], Counter[tuple[str, str]]] = defaultdict(Counter)
    dyads: dict[str, Counter[str]] = defaultdict(Counter)
    by_rules: dict[str, Event | None] = {}  # a PLV text is in both sets: the rules code it once
    started = time.process_time()
    for row in rows:
        gold = row["gold"]
        if row["text"] not in by_rules:
            by_rules[row["text"]] = best(code_text(row["text"], GOLD_DATE, rules))
        baseline = by_rules[row["text"]]
        got = {"rules alone": (baseline.plover_type if baseline else None) or "none"}
        events: dict[str, Event | None] = {"rules alone": baseline}
        if "pred" in row:
            stage = stages[PLV_UNSEEN if row["source"] == PLV_UNSEEN else "held out"]
            event = events["events stage"] = best(code_text(row["text"], GOLD_DATE, stage))
            got["classifier alone"] = row["pred"]
            got["events stage"] = (event.plover_type if event else None) or "none"
        for coder, label in got.items():
            if gold == "YIELD":  # PLV keeps CAMEO's YIELD, which PLOVER 0.8 splits in two
                label = "YIELD" if label in ("CONCEDE", "RETREAT") else label
            confusions[(coder, row["source"])][(gold, label)] += 1
            if "actors" in row and "pred" in row and coder in events:
                hits = dyad_hits(label == gold, events[coder], *row["actors"])
                dyads[f"{coder} ({row['source']})"].update(hits)
    elapsed = time.process_time() - started
    reported = {
        "gsr": raw.get("folds", {}).get("gsr", {}).get("onnx_int8"),
        PLV_UNSEEN: raw.get("folds", {}).get("plv", {}).get("fine_tuned"),
        **{
            f"k-fold: {source}": scores.get("fine_tuned")
            for source, scores in raw.get("folds", {}).get("kfold", {}).get("by_source", {}).items()
        },
    }
    lines = [
        "## PLOVER type, cross-validated by source",
        "",
        'Accuracy / macro-F1 over the gold types; "none" (no event) is a wrong answer. '
        "Classifier figures are out-of-fold (`bench/results/events_cv.json`, written by "
        "`training/train.py cv`: the GSR dev set is its own fold, PLV its own, the other "
        "sources k folds grouped by source). The events stage (classifier + parse) is re-run "
        "here on the GSR fold with the fold's out-of-fold int8 probabilities standing in for "
        "the classifier, and on the PLV sentences with their k-fold out-of-fold probabilities "
        '(`training/work/kfold_oof.jsonl`, from `make train-events`; the row "plv" is '
        '"-" without it), and again with the int8 probabilities of the model trained '
        f"without PLV (`{PLV_FOLD_OOF.name}`). The rules alone run here on the GSR and PLV "
        "sentences. The rules were tuned on the GSR set and the combination's thresholds "
        "chosen on its out-of-fold probabilities, so only the classifier's GSR figure is held "
        "out there. On PLV the classifier figures are out-of-fold; the rules were written "
        "without PLV until session 6, which added a few trigger and sector words after "
        "reading PLV errors (`hit`, `legal action`, freeing anyone, ending a strike, NGO "
        "words), so the rules' and the stage's PLV gains of that session (about 1 point) are "
        "not held out. The k-fold classifier saw other PLV sentences (same annotators, "
        f'same kind of news); in the row "{PLV_UNSEEN}" the classifier saw nothing like it, '
        "the nearest to independent news (for the rules, see above).",
        "",
        "| source | sentences | " + " | ".join(CODERS) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in CODERS) + " |",
    ]
    metrics: dict = {}
    for source in sorted({s for _, s in confusions} | set(reported)):
        cells, n = [], 0
        for coder in CODERS:
            confusion = confusions.get((coder, source))
            if confusion:
                n, accuracy, f1 = type_metrics(confusion)
                cells.append(f"{accuracy:.3f} / {f1:.3f}")
                metrics[f"{coder}|{source}"] = (accuracy, f1)
            elif coder == "classifier alone" and reported.get(source):
                figures = reported[source]
                n = n or figures.get("n", 0)
                cells.append(f"{figures['accuracy']:.3f} / {figures['macro_f1']:.3f}")
            else:
                cells.append("-")
        lines.append(f"| {source} | {n or '-'} | " + " | ".join(cells) + " |")
    lines += ["", f"({elapsed:.0f} CPU s for these codings.)", ""]
    if dyads:
        lines += [
            "### Who did it to whom, PLV (held out)",
            "",
            "The share of PLV sentences whose best event has the gold type, and also the gold "
            "source as actor1, and also the gold target as actor2 (an actor agrees when the "
            "last word of its name is a word of the gold span); in brackets, which "
            "classifier predictions stood in (k-fold, or the model trained without PLV).",
            "",
            "| coder | type | type + actor1 | type + actor1 + actor2 |",
            "| --- | ---: | ---: | ---: |",
        ]
        for coder, hits in sorted(dyads.items()):
            n = hits["n"]
            lines.append(
                f"| {coder} | {hits['type'] / n:.3f} | {hits['actor1'] / n:.3f} | "
                f"{hits['dyad'] / n:.3f} |"
            )
            metrics[f"{coder}|dyad"] = hits["dyad"] / n
        lines.append("")
    if confusions.get(("events stage", "gsr")):
        lines += confusion_table(confusions[("events stage", "gsr")])
    return lines, metrics


def out_of_fold(rows: list[dict]) -> OutOfFold:
    """A stand-in classifier answering each row's text with its out-of-fold prediction."""
    by_text = {}
    for r in rows:
        if "pred" in r:
            scores = Scores(
                None if r["pred"] == "none" else r["pred"],
                float(r["probs"].get(r["pred"], 1.0)),
                r["probs"],
            )
            by_text[r["text"]] = scores
            # the events stage codes a text sentence by sentence: a PLV text of two sentences
            # gives each of them the text's prediction
            for sentence in split_sentences(r["text"]):
                by_text.setdefault(sentence, scores)
                by_text.setdefault(classifier_input(sentence), scores)  # what the stage passes
    return OutOfFold(by_text)


def dyad_hits(type_right: bool, event: Event | None, source: str, target: str) -> Counter[str]:
    """Counts for one sentence: n, type right, and type with actor1 / both actors right."""
    actor1 = type_right and event is not None and names(event.actor1_name, source)
    both = actor1 and event is not None and names(event.actor2_name, target)
    return Counter(n=1, type=type_right, actor1=actor1, dyad=both)


def names(actor: str | None, span: str) -> bool:
    """Whether the last word of an actor's name is a word of a gold span."""
    words = re.findall(r"\w+", (actor or "").lower())
    return bool(words) and words[-1] in re.findall(r"\w+", span.lower())


def confusion_table(confusion: Counter[tuple[str, str]]) -> list[str]:
    golds = sorted({g for g, _ in confusion})
    columns = sorted({p for _, p in confusion} | set(golds))
    lines = [
        "### Confusion table of the events stage on the GSR fold (rows gold, columns coded)",
        "",
        "| gold | " + " | ".join(c[:6] for c in columns) + " |",
        "| --- | " + " | ".join("---:" for _ in columns) + " |",
    ]
    for g in golds:
        cells = [str(confusion[(g, c)] or "") for c in columns]
        lines.append(f"| {g} | " + " | ".join(cells) + " |")
    return lines


def no_event_rate(res: Resources, rules: Resources) -> tuple[list[str], dict]:
    sentences = [
        line.strip()
        for line in NO_EVENT.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    rates = {}
    for name, resources in (("events stage", res), ("rules alone", rules)):
        hits = sum(bool(code_text(s, GOLD_DATE, resources)) for s in sentences)
        rates[name] = hits / len(sentences)
    lines = [
        "## No-event false-positive rate",
        "",
        f"{len(sentences)} of our own sentences without a political event "
        "(`tests/fixtures/events/no_event_sentences.txt`): the share that gets an event.",
        "",
        "| coder | false-positive rate |",
        "| --- | ---: |",
        *(f"| {name} | {rate:.3f} |" for name, rate in rates.items()),
    ]
    return lines, rates


def real_news_types(res: Resources, rules: Resources) -> tuple[list[str], dict]:
    """Precision and recall of event types on news sentences labelled by hand (real_news)."""
    articles = fundus_articles() + real_news.readability_articles(SHARED / "corpus" / "readability")
    by_hash = real_news.sentence_index(articles)
    classifier = res.classifier

    def asserted(resources: Resources) -> Callable[[real_news.Labelled], set[str]]:
        def coded(row: real_news.Labelled) -> set[str]:
            events = code_text(row.text, row.published or GOLD_DATE, resources)
            return {e.plover_type for e in events if e.modality == "asserted" and e.plover_type}

        return coded

    def classifier_alone(row: real_news.Labelled) -> set[str]:
        assert classifier is not None
        (scores,) = classifier.predict([classifier_input(row.text)])
        return {scores.label} if scores.label else set()

    coders = {
        "events stage": asserted(res),
        "rules alone": asserted(rules),
        "classifier alone": classifier_alone,
    }
    lines = [
        "## Real news with negatives: news sentences labelled by hand",
        "",
        "The fundus sets: sentences drawn at random from the English fundus sentences that "
        "pass the prefilter. The readability set: every such sentence of the readability "
        "corpus's 28 English news pages (another corpus, news of 2014-2017). All labelled "
        "before any coder was scored on them (`bench/data/fundus_events_gold.tsv` gives the "
        "rules). Precision and recall of the PLOVER types of each sentence's asserted events; "
        "the classifier alone answers its label. Unlike the PLOVER sets, an event coded where "
        "a careful coder codes none counts against the coder. The classifier never saw these "
        "sentences; the rules were written partly from events coded on other fundus "
        "sentences. The first set was used to check the changes of the events stage since "
        "session 8; the other two are never tuned on. Small sets: one required event is 2-4 "
        "points of recall.",
        "",
        "| sentences | n | required events | coder | precision | recall | F1 | "
        "sentences without an event that get one |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    metrics = {}
    for name, path in real_news.SETS.items():
        rows = real_news.labelled_sentences(by_hash, path)
        for coder, coded in coders.items():
            m = metrics[f"{coder}|{name}"] = real_news.score(rows, coded)
            lines.append(
                f"| {name} | {len(rows)} | {m['required']:.0f} | {coder} | "
                f"{m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
                f"{m['false alarm']:.3f} |"
            )
    return lines, metrics


# the shared machine's speed drifts by 20 % within minutes: alternate, take the median
SPEED_ROUNDS = 5


def speed(res: Resources, rules: Resources) -> tuple[list[str], dict]:
    articles = fundus_articles()
    sentences = sum(len(split_sentences(a.text)) for a in articles)
    candidates = sum(res.prefilter(s) for a in articles for s in split_sentences(a.text))
    coders = (("events stage", res), ("rules alone", rules))
    for _, resources in coders:
        extract_events(articles[:3], GOLD_DATE, resources)  # warm-up
    seconds: dict[str, list[float]] = {name: [] for name, _ in coders}
    events: dict[str, int] = {}
    for _ in range(SPEED_ROUNDS):
        for name, resources in coders:
            started = time.process_time()
            result = extract_events(articles, GOLD_DATE, resources)
            seconds[name].append(time.process_time() - started)
            events[name] = len(result.events)
    lines = [
        "## Speed (one core)",
        "",
        f"{len(articles)} English fundus articles, {sentences} sentences of which {candidates} "
        f"({candidates / sentences:.0%}) pass the prefilter and are parsed; the classifier "
        "reads those where the parse drafts an event or finds who does the main verb. "
        f"CPU time of this process: the median of {SPEED_ROUNDS} rounds, the two coders "
        "alternating (fastest and slowest round in brackets).",
        "",
        "| coder | CPU s | articles/s | sentences/s | events |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    metrics = {}
    median = {name: sorted(times)[len(times) // 2] for name, times in seconds.items()}
    for name, times in seconds.items():
        metrics[name] = len(articles) / median[name]
        lines.append(
            f"| {name} | {median[name]:.2f} ({min(times):.2f}-{max(times):.2f}) | "
            f"{len(articles) / median[name]:.1f} | {sentences / median[name]:.0f} | "
            f"{events[name]} |"
        )
    ratio = median["events stage"] / median["rules alone"]
    lines += ["", f"The classifier makes the stage {ratio:.2f}x as costly as the rules alone."]
    return lines, metrics


def seed_table(res: Resources) -> list[str]:
    events = sorted(
        code_text(SEED.read_text(encoding="utf-8"), SEED_DATE, res),
        key=lambda e: (-(e.confidence or 0), e.event_id),
    )
    lines = [
        "## Seed article (published 2016-01-12)",
        "",
        "| type/mode | CAMEO | modality | date | actor1 | actor2 | place | lat, lon | dead "
        "| aggregate | conf |",
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
            f"| {e.plover_type}/{e.plover_mode or ''} | {e.cameo_code} | {e.modality} | "
            f"{e.event_date} | {actor1} | {actor2} | {e.location_name or ''} ({e.country or ''}) "
            f"| {where} | {e.fatalities if e.fatalities is not None else ''} | "
            f"{'yes' if e.is_aggregate else ''} | {e.confidence:.2f} |"
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


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    res = Resources.load(classifier_threads=1)
    rules = dataclasses.replace(res, classifier=None)
    sections = [cross_validated(res, rules)[0]]
    if not CV_PREDICTIONS.exists():
        sections[0] += ["", f"(No `{CV_PREDICTIONS.name}`: run `make train-events` first.)"]
    sections.append(no_event_rate(res, rules)[0])
    sections.append(real_news_types(res, rules)[0])
    sections.append(acled_sub_types(res, rules)[0])
    independent = {
        "events stage": sub_type(res),
        "rules alone": sub_type(rules),
        "events stage, best event of any type": sub_type(res, any_event=True),
    }
    sections.append(case2021.section(independent)[0])
    sections.append(seed_table(res))
    sections.append(speed(res, rules)[0])
    report = [
        "# Event coder benchmark (make bench-events)",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `bench/bench_events.py`; "
        "see its docstring for the method.",
        "",
    ]
    for lines in sections:
        report += [*lines, ""]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report))


if __name__ == "__main__":
    main()
