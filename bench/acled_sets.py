"""bench-events' ACLED sections on our own sentences, and how a text's ACLED answer is read.

Our own labelled sentences in the style of ACLED's notes (``tests/fixtures/events/acled_*``)
and news that ACLED does not code (``acled_none_sentences.txt``); the answer of a text is
what an ACLED user sees of it (``acled_answer``), as in the CASE 2021 section (``case2021``).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import case2021
from scores import weighted_f1

from newsevents.events import Resources, code_text
from newsevents.schema import Event

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "events"
ACLED_NONE = FIXTURES / "acled_none_sentences.txt"  # news ACLED does not code
# our own ACLED-note-style sentences: the tuned examples, and sets never tuned on
ACLED_SETS = {
    "acled_examples.tsv (tuned on)": FIXTURES / "acled_examples.tsv",
    "acled_heldout.tsv (never tuned on)": FIXTURES / "acled_heldout.tsv",
    "acled_heldout_2.tsv (never tuned on)": FIXTURES / "acled_heldout_2.tsv",
    "acled_heldout_3.tsv (never tuned on)": FIXTURES / "acled_heldout_3.tsv",
    "acled_news_examples.tsv (tuned on)": FIXTURES / "acled_news_examples.tsv",
    "acled_heldout_4.tsv (never tuned on)": FIXTURES / "acled_heldout_4.tsv",
    "acled_heldout_5.tsv (never tuned on)": FIXTURES / "acled_heldout_5.tsv",
}
ACLED_DATE = dt.date(2023, 12, 31)  # after every date the ACLED-style sentences name


def best(events: list[Event]) -> Event | None:
    """The event coded with the highest confidence."""
    return max(events, key=lambda e: e.confidence or 0.0) if events else None


def acled_sub_types(res: Resources, rules: Resources) -> tuple[list[str], dict]:
    """ACLED sub-event type of each of our own labelled sentences (``acled_answer``)."""
    lines = [
        "## ACLED sub-event type, our own sentences",
        "",
        "Sentences written for newsevents in the style of ACLED's event notes (\"On 4 March "
        '2021, unidentified gunmen shot dead ..."), labelled by hand; each is coded alone and '
        "its answer is the sub-event type of its best event among those the ACLED export "
        'writes (asserted, with an ACLED type; "none" without one). `acled_examples.tsv` '
        "is what the coder was fixed on; `acled_heldout.tsv` was written after, and is never "
        "read to tune the coder; `acled_heldout_2.tsv` (three sentences per sub-type, news "
        "and note style) was written in session 10 before that session's ACLED changes, and "
        "`acled_heldout_3.tsv` (the sub-types with the lowest CASE recall) in session 11 "
        "before its changes; only their aggregates are printed. `acled_news_examples.tsv` "
        "(tuned on) and `acled_heldout_4.tsv` (held out, seven per sub-type) are news "
        "snippets written in session 12 by a separate writer who had not seen the rules, "
        "from ACLED's definitions; `acled_heldout_5.tsv` (held out, seven per sub-type) was "
        "written the same way by three other writers in session 13. None is independent "
        "data (written for us): the independent ACLED figure is the CASE 2021 section below.",
        "",
        "| sentences | n | coder | accuracy | weighted F1 | no event |",
        "| --- | ---: | --- | ---: | ---: | ---: |",
    ]
    metrics = {}
    for name, path in ACLED_SETS.items():
        rows = [
            r
            for r in csv.reader(path.read_text(encoding="utf-8").splitlines(), delimiter="\t")
            if r and not r[0].startswith("#")
        ][1:]
        for coder, resources in (("events stage", res), ("rules alone", rules)):
            gold, got = [], []
            for sub_type, sentence in rows:
                gold.append(sub_type)
                got.append(acled_answer(code_text(sentence, ACLED_DATE, resources)) or "none")
            accuracy = sum(g == p for g, p in zip(gold, got, strict=True)) / len(gold)
            f1 = weighted_f1(gold, got)
            metrics[f"{coder}|{name}"] = (accuracy, f1)
            lines.append(
                f"| {name} | {len(gold)} | {coder} | {accuracy:.3f} | {f1:.3f} | "
                f"{got.count('none')} |"
            )
    lines += [
        "",
        f"News that ACLED does not code (`{ACLED_NONE.name}`: crime for gain, accidents, "
        "disasters, diplomacy, claims): the share given an ACLED event. The first block is "
        "what session 10 fixed the ACLED types on, the held-out block was written after.",
        "",
        "| sentences | n | events stage | rules alone |",
        "| --- | ---: | ---: | ---: |",
    ]
    blocks: dict[str, list[str]] = {"tuned on": [], "held out": []}
    block = "tuned on"
    for line in ACLED_NONE.read_text(encoding="utf-8").splitlines():
        if line.startswith("# HELD OUT"):
            block = "held out"
        elif line.strip() and not line.startswith("#"):
            blocks[block].append(line.strip())
    for block, sentences in blocks.items():
        shares = [
            sum(acled_answer(code_text(s, ACLED_DATE, r)) is not None for s in sentences)
            / len(sentences)
            for r in (res, rules)
        ]
        metrics[f"acled none|{block}"] = shares[0]
        lines.append(
            f"| {ACLED_NONE.name} ({block}) | {len(sentences)} | {shares[0]:.3f} | "
            f"{shares[1]:.3f} |"
        )
    return lines, metrics


def acled_answer(events: list[Event]) -> str | None:
    """The sub-event type an ACLED user sees for a text: that of the best event the ACLED
    export writes (``export/__init__.py``: asserted, with an ACLED type, not an aggregate
    toll), None without one."""
    exported = [
        e
        for e in events
        if e.modality == "asserted" and e.acled_sub_event_type and not e.is_aggregate
    ]
    event = best(exported)
    return event.acled_sub_event_type if event else None


def sub_type(resources: Resources, any_event: bool = False) -> Callable[[str], str | None]:
    """A text's ACLED sub-event type (``acled_answer``); with ``any_event``, that of its best
    event of any type, verbal events and hypothetical ones included (sessions 8-9)."""

    def coded(text: str) -> str | None:
        events = code_text(text, case2021.SNIPPET_DATE, resources)
        if any_event:
            event = best(events)
            return event.acled_sub_event_type if event else None
        return acled_answer(events)

    return coded
