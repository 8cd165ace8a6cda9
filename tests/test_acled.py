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


def _sub_types(sentence: str) -> list[tuple[str | None, str | None]]:
    return [
        (e.plover_type, e.acled_sub_event_type) for e in code_text(sentence, dt.date(2020, 5, 6))
    ]


def test_acled_notes_in_the_passive_leave_the_agent_unsaid():
    """ACLED's notes often say what was done, not by whom: weapons "were seized" (by the
    authorities), an attack "hit" a town (by an unidentified armed group)."""
    assert _sub_types("Arms and ammunition were seized during a search operation in Kupwara.") == [
        ("COERCE", "Disrupted weapons use")
    ]
    assert _sub_types("A chemical attack hit the town of Douma on Sunday.") == [
        ("ASSAULT", "Chemical weapon")
    ]
    # weapons are what must be found: a firm recovering its losses is no event
    assert _sub_types("The firm recovered its losses in Kupwara within a year.") == []


def test_weapons_found_or_seized_by_the_state_are_disrupted_weapons_use():
    for sentence in (
        "On 21 January 2021, the army recovered three rifles, a pistol and a grenade in Pulwama.",
        "Two grenades were recovered from a house in Imphal.",
        "A bomb disposal team carried out a controlled explosion of a device in Derry.",
    ):
        assert ("COERCE", "Disrupted weapons use") in _sub_types(sentence), sentence
    # weapons taken by an armed group are looted
    looted = "Militants seized rifles and ammunition from a police post in Tillaberi."
    assert _sub_types(looted) == [("COERCE", "Looting/property destruction")]


def test_vandalism_is_a_riot_by_protesters_or_a_crowd_else_destruction_of_property():
    assert _sub_types("Protesters vandalised shops in Lagos.") == [
        ("PROTEST", "Violent demonstration")
    ]
    assert _sub_types("Angry residents vandalised a police vehicle in Kisumu.") == [
        ("ASSAULT", "Violent demonstration")
    ]
    assert _sub_types("Unidentified men vandalised a statue of Gandhi in Amravati.") == [
        ("ASSAULT", "Looting/property destruction")
    ]


def test_a_crowd_counted_is_civilians_unless_it_counts_others():
    (rally,) = code_text("Thousands rallied in Sydney on Saturday.", dt.date(2020, 5, 6))
    assert (rally.plover_type, rally.actor1_sector) == ("PROTEST", "CVL")
    (march,) = code_text("Thousands of soldiers marched into the city.", dt.date(2020, 5, 6))
    assert march.actor1_sector == "MIL"


def test_a_crowds_destruction_is_mob_violence_and_a_protest_can_turn_violent():
    assert _sub_types("A crowd set fire to the homes of two men accused of witchcraft.")[0] == (
        "ASSAULT",
        "Mob violence",
    )
    turned = "A protest over fuel prices turned violent, with demonstrators smashing windows."
    assert ("PROTEST", "Violent demonstration") in _sub_types(turned)


def test_a_named_storm_or_a_gas_cylinder_acts_for_no_one():
    assert _sub_types("Cyclone Amphan killed at least 80 people in West Bengal.") == []
    assert _sub_types("A gas cylinder explosion killed four people at a restaurant in Lagos.") == []
    # a named storm is no one, whatever the classifier reads at the main verb
    assert _sub_types("Hurricane Ian destroyed hundreds of homes in Florida.") == []


def test_fighting_peacekeepers_is_an_armed_clash_but_attacking_aid_workers_is_not():
    peacekeepers = "Al-Shabaab fighters attacked AMISOM troops near Afgoye, killing three."
    assert _sub_types(peacekeepers)[0] == ("ASSAULT", "Armed clash")
    aid = "Al-Shabaab fighters attacked UNICEF staff near Afgoye, killing three."
    assert _sub_types(aid)[0] == ("ASSAULT", "Attack")


def test_south_asian_protest_and_arrest_words():
    assert _sub_types("Traders observed a complete hartal in Srinagar.") == [
        ("PROTEST", "Peaceful protest")
    ]
    assert _sub_types("Police nabbed two suspected militants in Anantnag.") == [
        ("COERCE", "Arrests")
    ]
    # picking up people is an arrest, picking up the pace is not
    assert _sub_types("Police picked up three men from Bhatkal.") == [("COERCE", "Arrests")]
    assert _sub_types("Police picked up the pace of their inquiry in Bhatkal.") == []


def test_a_courts_sentence_is_no_arrest_to_acled():
    """ACLED records arrests, not trials; PLOVER codes both (CAMEO 173)."""
    sentenced = "The court sentenced the former minister to five years in prison."
    assert _sub_types(sentenced) == [("COERCE", None)]


def test_forces_driven_from_a_place_lose_it():
    for sentence in (
        "On 3 April 2021, Somali forces drove Al-Shabaab out of the town of Bulo Burde.",
        "Troops dislodged ADF rebels from their positions near Mbau.",
        "Security forces cleared the Sambisa forest of insurgents.",
    ):
        assert ("ASSAULT", "Government regains territory") in _sub_types(sentence), sentence
    assert _sub_types("The campaign drove out voters in Kaduna.") == []


def test_a_unilateral_ceasefire_is_no_agreement():
    assert _sub_types("The rebels announced a unilateral ceasefire in Idlib.") == [
        ("RETREAT", "Change to group/activity")
    ]
    assert _sub_types("Rival militias signed a truce in Tripoli on Saturday.")[0][1] == "Agreement"


def test_industrial_accidents_are_not_attacks():
    for accident in (
        "An explosion at a chemical plant in Jiangsu killed 78 people.",
        "A blast at an illegal fireworks factory killed 12 workers in Tamil Nadu.",
        "At least 20 miners were killed when a coal mine collapsed in Balochistan.",
        "An oil tanker exploded on a highway in Nigeria, killing 30 people.",
    ):
        assert _sub_types(accident) == [], accident
    # a weapon named makes it an attack again
    bomb = "A bomb blast at a factory in Quetta killed 12 workers."
    assert ("ASSAULT", "Remote explosive/landmine/IED") in _sub_types(bomb)


def test_a_lathi_charge_is_force_short_of_lethal():
    lathi_charge = "Police lathicharged protesters demanding jobs in Patna."
    assert ("ASSAULT", "Protest with intervention") in _sub_types(lathi_charge)


def test_an_end_to_hostilities_is_a_settlement_a_pause_in_tariffs_is_not():
    hostilities = "The two armies agreed to end hostilities along the border."
    assert _sub_types(hostilities) == [("AGREE", "Agreement")]
    tariffs = "Trump agreed to pause planned tariffs on Mexican exports."
    assert _sub_types(tariffs) == [("AGREE", None)]


def test_lethal_force_at_a_protest_is_excessive_whoever_the_victims_are_called():
    student = "Police shot and killed a student during a demonstration in Nairobi on Tuesday."
    assert ("ASSAULT", "Excessive force against protesters") in _sub_types(student)
    worshippers = "Security forces killed dozens of worshippers protesting in Zahedan."
    assert ("ASSAULT", "Excessive force against protesters") in _sub_types(worshippers)
    # a state's withdrawal from an airport hands it over
    kabul = "US forces completed their withdrawal from Kabul airport."
    assert _sub_types(kabul) == [("RETREAT", "Non-violent transfer of territory")]


def test_sudans_rapid_support_forces_are_an_armed_group():
    handover = "The Rapid Support Forces handed over the Khartoum airport to the army."
    assert _sub_types(handover) == [("RETREAT", "Non-violent transfer of territory")]
    (event,) = code_text(handover, dt.date(2023, 5, 6))
    assert (event.actor1_country, event.actor1_sector) == ("SDN", "REB")  # not the state's army
