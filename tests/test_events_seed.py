"""The seed article (published Tuesday 2016-01-12), coded as a careful human coder would.

Every event the article reports, each once: Salma taken (Latakia); the Russian air
campaign for the Salma offensive, located at Salma/Latakia; 21 killed in Maaret al-Numan
and 14 in Manbij; Assad meeting Fazli; the Geneva meeting on 2016-01-13; Hijab's
accusation against the United States. At most 2 other events (a flagged aggregate total
is not another event: it is the sum of two of them), and the distinct fatalities sum to 35.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from newsevents.events import code_text
from newsevents.schema import Event

DAY = dt.date(2016, 1, 12)
SEED = Path(__file__).parents[1] / "seeds" / "000_32ee20c48493cecc.txt"


def _in_latakia(e: Event) -> bool:
    return e.admin1 == "Latakia" and e.country == "SYR" and (e.geo_precision or 9) <= 3


EXPECTED: dict[str, Callable[[Event], bool]] = {
    "Salma taken": lambda e: (
        e.plover_type == "ASSAULT"
        and e.cameo_code.startswith("19")
        and (e.actor1_country, e.actor1_sector) == ("SYR", "MIL")
        and "Salma" in e.sentence
        and e.sentence.startswith("Syria")
        and _in_latakia(e)
    ),
    "Russian air campaign for the Salma offensive": lambda e: (
        e.plover_type == "ASSAULT"
        and e.actor1_country == "RUS"
        and "airstrikes" in e.sentence
        and _in_latakia(e)
    ),
    "21 killed in Maaret al-Numan": lambda e: (
        e.fatalities == 21 and "Nu" in (e.location_name or "") and e.actor1_country == "RUS"
    ),
    "14 killed in Manbij": lambda e: (
        e.fatalities == 14 and e.location_name == "Manbij" and e.actor1_country == "RUS"
    ),
    "Assad meeting Fazli": lambda e: (
        e.plover_type == "CONSULT" and (e.actor1_country, e.actor2_country) == ("SYR", "IRN")
    ),
    "the Geneva meeting": lambda e: (
        e.location_name == "Geneva"
        and e.event_date == dt.date(2016, 1, 13)
        and e.modality == "future"
        and e.plover_type in ("CONSULT", "AGREE")
    ),
    "Hijab's accusation": lambda e: (
        e.plover_type == "ACCUSE" and e.actor1_sector == "OPP" and e.actor2_country == "USA"
    ),
}


@pytest.fixture(scope="module")
def seed_events() -> list[Event]:
    return code_text(SEED.read_text(encoding="utf-8"), DAY)


def test_every_event_a_careful_coder_would_code_each_once(seed_events):
    found = {name: [e for e in seed_events if test(e)] for name, test in EXPECTED.items()}
    assert {name: len(events) for name, events in found.items()} == dict.fromkeys(EXPECTED, 1)
    matched = {e.event_id for events in found.values() for e in events}
    others = [e for e in seed_events if e.event_id not in matched and not e.is_aggregate]
    assert len(others) <= 2, [(e.plover_type, e.trigger, e.sentence[:60]) for e in others]


def test_distinct_fatalities_sum_to_35(seed_events):
    assert sum(e.fatalities or 0 for e in seed_events if not e.is_aggregate) == 35
    assert [e.fatalities for e in seed_events if e.is_aggregate] == [35]


def test_the_holder_of_a_town_is_not_the_target_of_a_strike_on_it(seed_events):
    (manbij,) = [e for e in seed_events if e.fatalities == 14]
    assert "Daesh" not in (manbij.actor2_name or "") and manbij.actor2_sector != "IMG"


def test_a_location_phrase_is_never_an_actor(seed_events):
    names = [n for e in seed_events for n in (e.actor1_name, e.actor2_name) if n]
    assert not any("northwest" in n or n == "Geneva" or "Observatory" in n for n in names)


def test_an_action_talked_about_is_not_coded_as_having_happened(seed_events):
    putin = [e for e in seed_events if "too early to speak" in e.sentence]
    assert all(e.modality != "asserted" for e in putin)
    assert not [e for e in putin if e.plover_type in ("AID", "AGREE")]
