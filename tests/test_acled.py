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


NEWS_EXAMPLES = EXAMPLES.with_name("acled_news_examples.tsv")


def test_news_snippets_of_another_writer_mostly_get_their_sub_type():
    """News snippets written by someone who had not seen the rules (the coder was fixed on
    them in session 12, but not all of them: merging armed groups, mass graves, weapons not
    named and a few parses are beyond it): at least 75% get their sub-type as an ACLED user
    sees it (80% at the end of session 12; 65% at its start)."""
    with NEWS_EXAMPLES.open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")][1:]
    assert {sub for sub, _ in rows} == SUB_TYPES
    right = sum(_answer(snippet) == sub for sub, snippet in rows)
    assert right / len(rows) >= 0.75, f"{right} of {len(rows)}"


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


def _answer(sentence: str) -> str | None:
    """The ACLED sub-type of the sentence's most confident asserted event with one."""
    events = [
        e
        for e in code_text(sentence, dt.date(2020, 5, 6))
        if e.modality == "asserted" and e.acled_sub_event_type
    ]
    best = max(events, key=lambda e: e.confidence or 0.0) if events else None
    return best.acled_sub_event_type if best else None


def test_a_generic_military_head_takes_its_irregular_modifier():
    """ "rebel forces" are rebels and "Houthi forces" a non-state group: their taking a
    town is a non-state actor's, not the government's."""
    for phrase in ("Rebel forces", "Separatist forces", "Houthi forces"):
        sentence = f"{phrase} took over the town of Mareb on Sunday."
        assert _answer(sentence) == "Non-state actor overtakes territory", phrase
    assert _answer("Government forces took over the town of Mareb.") == (
        "Government regains territory"
    )


def test_without_negates_only_its_own_phrase():
    no_shot = "Rebels entered Bunagana without firing a shot after the army pulled out of the town."
    events = code_text(no_shot, dt.date(2022, 6, 13))
    assert not any(e.plover_mode == "firearms" and e.modality == "asserted" for e in events)
    assert _answer(no_shot) == "Non-violent transfer of territory"  # the withdrawal stands
    assert _sub_types("The talks in Doha ended without an agreement.") == []


def test_a_town_handed_over_under_a_deal_is_a_non_violent_transfer():
    deal = (
        "Government troops took control of the town of Jassem after the rebels agreed to "
        "hand over their heavy weapons under a Russian-brokered deal."
    )
    assert _answer(deal) == "Non-violent transfer of territory"
    fought = "Government troops took control of the town of Jassem after heavy fighting."
    assert _answer(fought) == "Government regains territory"


def test_civilians_violence_is_a_riot_at_a_protest_or_against_the_state_else_a_mob():
    communal = "Villagers of two clans clashed with sticks and stones in Wajir, injuring 9 people."
    assert _answer(communal) == "Mob violence"
    witchcraft = "Villagers burned the homes of two women accused of witchcraft in Kisii."
    assert _answer(witchcraft) == "Mob violence"
    students = "Students set fire to the administration block of the university in Ibadan."
    assert _answer(students) == "Violent demonstration"  # students demonstrate


def test_weapons_destroyed_by_the_state_change_an_activity():
    ceremony = "Police burned 3,000 illicit firearms at a public ceremony in Nakuru."
    assert _answer(ceremony) == "Change to group/activity"
    clinic = "Armed men burned a health centre in Mopti region."
    assert _answer(clinic) == "Looting/property destruction"  # "armed" names no weapon burned


def test_arrests_at_a_protest_are_an_intervention_arrests_before_one_are_not():
    at_protest = "Police detained 30 nurses who were demonstrating outside the health ministry."
    assert _answer(at_protest) == "Protest with intervention"
    before = "Police detained 12 activists of the opposition party ahead of a planned rally."
    assert _answer(before) == "Arrests"
    camp = "Police evicted relatives of the disappeared from a protest camp outside parliament."
    assert _answer(camp) == "Protest with intervention"


def test_an_internet_shutdown_is_other():
    shutdown = "Authorities suspended mobile internet services across the Tigray region on Monday."
    assert _answer(shutdown) == "Other"


NEWS_PHRASING = [
    # explosives on the body are a suicide bomb, and a mine is a mine
    ("A woman detonated explosives strapped to her body at a market in Konduga.", "Suicide bomb"),
    ("A man blew himself up with an explosive belt at a checkpoint in Kandahar.", "Suicide bomb"),
    ("Two farmers were killed when their tractor hit an anti-tank mine near Izium.",
     "Remote explosive/landmine/IED"),
    ("A soldier was wounded after stepping on an explosive device planted by rebels.",
     "Remote explosive/landmine/IED"),
    ("Soldiers repelled an attack by militants on their base in Diffa.", "Armed clash"),
    ("Gunmen carried off three teachers from a school in Kaduna.",
     "Abduction/forced disappearance"),
    ("Police deactivated a car rigged with explosives outside a bank in Cali.",
     "Disrupted weapons use"),
    # two verbs, one object
    ("Malian soldiers found and destroyed a cache of explosives near Gao.",
     "Disrupted weapons use"),
    ("Armed bandits rustled 200 cattle from a village in Zamfara State.",
     "Looting/property destruction"),
    ("Al-Shabaab fighters destroyed a telecommunications mast near Beledweyne.",
     "Looting/property destruction"),
    # armed men, not a mob
    ("Men on motorbikes shot dead a village chief near Mopti on Monday.", "Attack"),
    ("Relatives of missing persons held a candlelight vigil in Bogota on Thursday.",
     "Peaceful protest"),
    ("Police lobbed teargas canisters at traders protesting in Kisumu.",
     "Protest with intervention"),
    ("Farmers protesting in Ranchi were fired upon by police, leaving one man dead.",
     "Excessive force against protesters"),
    ("Helicopters dropped canisters of chlorine gas on Saraqib on Saturday.", "Chemical weapon"),
    ("Al-Shabaab fighters seized the mining town of Galkayo after the army withdrew.",
     "Non-state actor overtakes territory"),  # a "mining" town is no mine
    ("Two mortar rounds slammed into a market in Mogadishu, wounding five traders.",
     "Shelling/artillery/missile attack"),
    ("Soldiers gang-raped three women in a village near Mekelle, survivors said.",
     "Sexual violence"),
    ("Teachers formed a human chain along the highway in Gazipur to demand their wages.",
     "Peaceful protest"),
    ("Two female bombers detonated explosives at a mosque in Maiduguri, killing 9 people.",
     "Suicide bomb"),
    ("An attacker drove an explosives-laden car into a checkpoint in Baidoa and detonated it.",
     "Suicide bomb"),
    ("Supporters of the party torched buses and blocked the highway in Lahore.",
     "Violent demonstration"),
    ("The district governor of Andar surrendered to the Taliban after elders brokered a "
     "handover of the district centre.", "Non-violent transfer of territory"),
    ("Philippine soldiers took back the last buildings held by militants in Marawi.",
     "Government regains territory"),
    ("A Turkish drone hit a car on the outskirts of Qamishli, killing four people.",
     "Air/drone strike"),
    ("Mortar rounds crashed into a residential block in Omdurman, killing seven civilians.",
     "Shelling/artillery/missile attack"),
    ("Gunmen seized more than 280 pupils from a school in Kuriga, Kaduna State.",
     "Abduction/forced disappearance"),
    # unarmed people who kill with no protest are a mob
    ("Two women accused of witchcraft were burnt to death by villagers in Kisii County.",
     "Mob violence"),
    # a named town taken; weapons dug up; rockets that land; miscreants; goods carted away
    ("Jihadists took Menaka on Sunday after the army withdrew.",
     "Non-state actor overtakes territory"),
    ("Soldiers dug up a cache of rifles and grenades on a farm near Tumaco.",
     "Disrupted weapons use"),
    ("Three rockets landed near the airport in Erbil late on Tuesday.",
     "Shelling/artillery/missile attack"),
    ("Miscreants set fire to a school in Imphal East overnight.",
     "Looting/property destruction"),
    ("Armed men broke into a warehouse in Goma and carted away bags of food aid.",
     "Looting/property destruction"),
    # a bomb that tears through; explosives thrown are a grenade (ACLED), stones are not
    ("A bomb tore through a crowded bus station in Peshawar on Monday.",
     "Remote explosive/landmine/IED"),
    ("Militants hurled a bomb at a police station in Manipur on Sunday.", "Grenade"),
    ("Protesters threw stones at police in Srinagar.", "Violent demonstration"),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "sub_type"), NEWS_PHRASING)
def test_news_phrasing_of_acts_of_every_kind(sentence, sub_type):
    assert _answer(sentence) == sub_type


@pytest.mark.parametrize(
    ("sentence", "sub_type"),
    [
        # force met by demonstrators who riot: ACLED codes the riot
        ("Police fired tear gas at stone-throwing protesters in Srinagar.",
         "Violent demonstration"),
        ("Riot police used water cannon against youths pelting stones in Kathmandu.",
         "Violent demonstration"),
        ("Protesters clashed with police in Nairobi on Tuesday.", "Violent demonstration"),
        # ... force against peaceful ones is an intervention, lethal force excessive
        ("Police fired tear gas to disperse a peaceful sit-in in Lahore.",
         "Protest with intervention"),
        ("Police opened fire on peaceful protesters in Rangpur, killing two.",
         "Excessive force against protesters"),
        ("Police arrested 20 protesters in Minsk.", "Protest with intervention"),
        # serious injuries, as lethal force, are excessive force (ACLED: "requiring
        # hospitalization")
        ("Police beat peaceful protesters in Kampala, leaving five of them hospitalised.",
         "Excessive force against protesters"),
    ],
)  # fmt: skip
def test_force_against_rioting_demonstrators_is_a_violent_demonstration(sentence, sub_type):
    assert _answer(sentence) == sub_type


def test_taking_a_train_is_no_capture_and_riot_police_are_no_riot():
    assert _answer("Police said the minister took the train to Geneva on Monday.") is None
    # "riot" names what the police are for, not an event ("a mediation mission" is one)
    assert _answer("Riot police took positions outside the parliament in Jakarta.") is None
