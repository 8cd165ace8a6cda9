"""ACLED event and sub-event types, on our own labelled sentences of every sub-type.

The sentences (``fixtures/events/acled_examples.tsv``) are coded end to end: the ACLED
type follows from the coded PLOVER type and mode, the actors' sectors and the cue words
of the sentence (``events/acled.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from newsevents.events import code_text

EXAMPLES = Path(__file__).parent / "fixtures" / "events" / "acled_examples.tsv"
SUB_TYPES = {
    "Air/drone strike", "Shelling/artillery/missile attack", "Remote explosive/landmine/IED",
    "Grenade", "Suicide bomb", "Chemical weapon", "Armed clash", "Government regains territory",
    "Non-state actor overtakes territory", "Attack", "Abduction/forced disappearance",
    "Sexual violence", "Peaceful protest", "Protest with intervention",
    "Excessive force against protesters", "Violent demonstration", "Mob violence", "Arrests",
    "Agreement", "Headquarters or base established", "Looting/property destruction",
    "Disrupted weapons use", "Non-violent transfer of territory", "Change to group/activity",
    "Other",
}  # fmt: skip


def _examples() -> list[tuple[str, str]]:
    with EXAMPLES.open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    return [(sub, sentence) for sub, sentence in rows[1:]]


def test_every_sub_type_has_an_example():
    assert {sub for sub, _ in _examples()} == SUB_TYPES


@pytest.mark.parametrize(("sub_type", "sentence"), _examples())
def test_sentence_gets_its_acled_sub_type(sub_type, sentence):
    events = code_text(sentence, dt.date(2020, 5, 6))
    assert events, "no event"
    subs = [e.acled_sub_event_type for e in events]
    assert sub_type in subs
