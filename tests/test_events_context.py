"""The event coder's context modules: where (geo), when, how many / who says (counts), merge.

Sentences are the seed article's (published Tuesday 2016-01-12) and our own.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date

import pytest
from spacy.tokens import Doc

from newsevents.events import shared_resources
from newsevents.events.counts import attribution, casualties
from newsevents.events.geo import Gazetteer, name_key
from newsevents.events.placenames import doc_tokens, tokenize
from newsevents.events.merge import consolidate
from newsevents.events.when import date_mentions, modality, resolve_date
from newsevents.schema import Event, Mention

PUBLISHED = date(2016, 1, 12)  # a Tuesday
SALMA = (
    "Syria’s regime army and allied forces Tuesday took full control from rebel groups of the "
    "strategic town of Salma, in the northwestern province of Latakia, state television reported."
)
TOTAL = (
    "Russian strikes killed Tuesday 35 civilians in the provinces of Idlib, in Syria’s northwest, "
    "and Aleppo, in the north, the Observatory said."
)
MAARET = (
    "Twenty-one civilians were killed in Russian raids on Maaret al-Numan, an opposition-held "
    "town in Idlib province, it said."
)
MANBIJ = (
    "Another 14, including three children, were killed in Russian raids on Manbij, a town in "
    "Aleppo province held by Daesh (ISIS), the Observatory said."
)
AIRSTRIKES = (
    "According to the Syrian Observatory for Human Rights, Russia conducted more than 120 "
    "airstrikes over 48 hours in support of the army’s Salma offensive."
)
GENEVA = (
    "The U.N. Security Council resolution adopted on Dec. 18 set out a two-year road map for peace "
    "talks, but failed to address the issue of Assad’s future. High-ranking diplomats from the "
    "U.S., Russia and the United Nations will meet in Geneva Wednesday to prepare the groundwork "
    "for a planned U.N.-brokered conference on Syria later this month."
)
SEED = " ".join([SALMA, AIRSTRIKES, TOTAL, MAARET, MANBIJ, GENEVA])
SEED_CONTEXT = ["SYR", "RUS", "USA"]


def parse(text: str) -> Doc:
    """The sentence's Doc, as the events stage parses it (when and counts read the Doc)."""
    return next(shared_resources().parser.parse([text]))


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return shared_resources().gazetteer


# -- where --------------------------------------------------------------------------------


def test_seed_towns_resolve_with_coordinates(gazetteer: Gazetteer) -> None:
    maaret = gazetteer.locate(MAARET, SEED_CONTEXT)
    assert (maaret.admin1, maaret.country, maaret.precision) == ("Idlib", "SYR", 1)
    assert maaret.lat == pytest.approx(35.64, abs=0.02) and maaret.lon == pytest.approx(
        36.67, abs=0.02
    )
    manbij = gazetteer.locate(MANBIJ, SEED_CONTEXT)
    assert (manbij.name, manbij.admin1, manbij.country, manbij.precision) == (
        "Manbij",
        "Aleppo",
        "SYR",
        1,
    )
    assert manbij.lat == pytest.approx(36.53, abs=0.02) and manbij.lon == pytest.approx(
        37.95, abs=0.02
    )


def test_unknown_town_falls_back_to_its_province(gazetteer: Gazetteer) -> None:
    # GeoNames has no Salma in Latakia: the province, never a wrong town.
    place = gazetteer.locate(SALMA, SEED_CONTEXT)
    assert (place.name, place.admin1, place.country, place.precision) == (
        "Latakia",
        "Latakia",
        "SYR",
        3,
    )
    assert place.lat == pytest.approx(35.6, abs=0.5) and place.lon == pytest.approx(36.0, abs=0.5)


def test_places_in_two_provinces_give_their_country(gazetteer: Gazetteer) -> None:
    place = gazetteer.locate(TOTAL, SEED_CONTEXT)
    assert (place.name, place.country, place.precision) == ("Syria", "SYR", 4)


def test_a_world_city_beats_small_namesakes_in_the_articles_other_countries(
    gazetteer: Gazetteer,
) -> None:
    # Geneva, Illinois is in the U.S. (a context country, named in the sentence as an origin).
    place = gazetteer.locate(GENEVA.split(". ", 1)[1], SEED_CONTEXT)
    assert (place.name, place.country, place.precision) == ("Geneva", "CHE", 1)


def test_country_context_ranks_the_articles_countries(gazetteer: Gazetteer) -> None:
    countries = gazetteer.country_context(SEED)
    assert countries[0] == "SYR"
    assert {"RUS", "USA"} <= set(countries)


def test_ambiguous_town_needs_context(gazetteer: Gazetteer) -> None:
    sentence = "Protesters clashed with police in Valencia on Monday."  # Spain's and Venezuela's
    assert gazetteer.locate(sentence, []) is None
    assert gazetteer.locate(sentence, ["ESP"]).country == "ESP"
    assert gazetteer.locate(sentence, ["VEN"]).country == "VEN"


def test_a_province_named_in_the_sentence_picks_the_town(gazetteer: Gazetteer) -> None:
    sentence = "Rebels shelled Tripoli, the main city of Liban-Nord, on Sunday."
    assert gazetteer.locate(sentence, ["LBY"]).country == "LBN"


def test_town_or_province_follows_the_words_around_it(gazetteer: Gazetteer) -> None:
    province = gazetteer.locate("Fighting raged in Idlib province on Monday.", ["SYR"])
    town = gazetteer.locate("Fighting raged in the city of Idlib on Monday.", ["SYR"])
    district = gazetteer.locate("Shelling hit villages in Manbij district.", ["SYR"])
    assert (province.precision, town.precision, district.precision) == (3, 1, 2)
    assert province.admin1 == town.admin1 == "Idlib"


def test_transliterations_and_aliases(gazetteer: Gazetteer) -> None:
    assert gazetteer.locate("Jets struck Lattakia.", ["SYR"]).admin1 == "Latakia"
    assert gazetteer.locate("A car bomb exploded in Qamishli.", ["SYR"]).name == "Al Qāmishlī"
    assert name_key("Ma‘arrat an-Nu‘mān") == "maarrat an numan"


@pytest.mark.parametrize("sentence", [SALMA, TOTAL, MAARET, MANBIJ, AIRSTRIKES, GENEVA])
def test_a_parsed_sentence_gives_geo_the_words_of_its_text(sentence: str) -> None:
    # geo reads a sentence's spaCy tokens, an article's text with its own scanner: the two
    # see the same words, with the same case, sentence starts and joins (only contractions
    # differ: spaCy splits "didn’t", which names no place)
    assert doc_tokens(parse(sentence)) == tokenize(sentence)


def test_words_and_people_are_not_places(gazetteer: Gazetteer) -> None:
    for sentence, context in [
        ("Of the victims, most were students, police said.", ["TUR"]),  # Of, Turkey
        ("Along the border, troops massed on Tuesday.", ["IND"]),  # Along, India
        ("Male students protested outside the ministry.", ["SYR"]),  # Male, Maldives
        ("Since 2012, the SANA agency has reported daily.", ["COL", "YEM"]),  # Since; Sanaa
        ("President Vladimir Putin met Riad Hijab on Tuesday.", ["SYR", "RUS"]),
        ("Harris said the plan would work.", ["USA"]),
        ("Diplomats from the U.S. arrived on Monday.", ["SYR"]),  # an origin
        ("A Damascus-based group claimed the attack.", ["SYR"]),  # an attribute
        ("Russia conducted more than 120 airstrikes.", ["SYR"]),  # a country as actor
    ]:
        assert gazetteer.locate(sentence, context) is None, sentence


def test_country_place(gazetteer: Gazetteer) -> None:
    place = gazetteer.country_place("SYR")
    assert (place.name, place.country, place.precision) == ("Syria", "SYR", 4)
    assert gazetteer.country_place("XXX") is None


# -- when ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (SALMA, date(2016, 1, 12)),  # "Tuesday" on a Tuesday: that day
        ("Rebels attacked the base on Sunday.", date(2016, 1, 10)),
        ("The attack happened last Tuesday.", date(2016, 1, 5)),
        ("He was killed yesterday.", date(2016, 1, 11)),
        ("The bodies were found two days ago.", date(2016, 1, 10)),
        ("The resolution adopted on Dec. 18 set out a road map.", date(2015, 12, 18)),
        ("Rebels said on 3 January 2016 that they had withdrawn.", date(2016, 1, 3)),
        ("Diplomats will meet in Geneva Wednesday.", date(2016, 1, 13)),
        ("Talks resume next Monday.", date(2016, 1, 18)),
        ("The vote will be held on Dec. 18.", date(2016, 12, 18)),
        ("A conference is planned for later this month.", None),  # month-level: no day
        ("Since 2012, Salma had been the main bastion.", None),
        ("Officials said 12 people may 12 times have fled.", None),  # "may 12" is no date
    ],
)
def test_dates_resolve_against_the_publication_date(sentence: str, expected: date | None) -> None:
    assert resolve_date(parse(sentence), PUBLISHED) == expected


def test_weekdays_count_back_in_the_past_and_forward_in_the_future() -> None:
    thursday = date(2016, 1, 14)
    assert resolve_date(parse("Gunmen attacked a convoy Tuesday."), thursday) == date(2016, 1, 12)
    assert resolve_date(parse("The ministers will meet Tuesday."), thursday) == date(2016, 1, 19)


def test_the_date_nearest_the_trigger_wins() -> None:
    assert resolve_date(parse(GENEVA), PUBLISHED) == date(2015, 12, 18)  # the first one
    assert resolve_date(parse(GENEVA), PUBLISHED, near=GENEVA.index("meet")) == date(2016, 1, 13)
    assert resolve_date(parse(GENEVA), PUBLISHED, near=GENEVA.index("adopted")) == date(2015, 12, 18)
    later = date_mentions(parse(GENEVA), PUBLISHED)[-1]
    assert (later.day, later.granularity, later.future) == (None, "month", True)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (MAARET, "asserted"),
        ("No fewer than 12 people were killed in the blast.", "asserted"),
        ("Diplomats will meet in Geneva Wednesday.", "future"),
        ("The army plans to launch an offensive.", "future"),
        (
            "Putin said it would be too early to speak about granting asylum to Assad.",
            "hypothetical",
        ),
        ("If rebels attack the town, the army could respond.", "hypothetical"),
        ("The two sides must reach an agreement before the deadline.", "hypothetical"),
        ("Israel has to withdraw its troops from Gaza.", "hypothetical"),
        ("The rebels had to withdraw from the town.", "asserted"),  # an obligation met
        ("The army did not shell the town.", "denied"),
        ("The army didn’t shell the town.", "denied"),
        ("No one was killed in the attack.", "denied"),
        ("Russia denied that its jets had bombed the hospital.", "denied"),
        ("Talks in May failed to produce a deal.", "denied"),  # "May" is the month
    ],
)
def test_modality(sentence: str, expected: str) -> None:
    assert modality(parse(sentence)) == expected


def test_modality_of_the_clause_before_the_trigger() -> None:
    assert modality(parse(GENEVA), near=GENEVA.index("adopted")) == "asserted"
    assert modality(parse(GENEVA), near=GENEVA.index("address")) == "denied"
    assert modality(parse(GENEVA), near=GENEVA.index("meet")) == "future"


# -- how many -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (MAARET, (21, None)),
        (MANBIJ, (14, None)),  # not the three children
        (TOTAL, (35, None)),
        (AIRSTRIKES, (None, None)),  # 120 airstrikes and 48 hours are no casualties
        ("The toll included two paramedics, two media activists and one child.", (None, None)),
        ("At least 12 people died and more than 120 were wounded in the blast.", (12, 120)),
        ("A suicide bomber killed five people and wounded 20 others at a checkpoint.", (5, 20)),
        ("Two Palestinian suicide bombers killed 23 people on Sunday.", (23, None)),
        ("Two soldiers and three civilians were killed on Monday.", (5, None)),
        ("The bombing left 12 dead and 30 wounded.", (12, 30)),
        ("A prominent journalist has been killed in a car bomb explosion.", (1, None)),
        ("Fighting killed one hundred and twenty people.", (120, None)),
        ("The death toll rose to 35.", (35, None)),
        ("The attack killed 3, bringing the death toll to 40.", (3, None)),  # 40 is cumulative
        ("Since 2012, 400 people have been killed.", (400, None)),  # 2012 is a year
        ("Dozens were killed in the attack.", (None, None)),  # vague
        ("Shelling killed or wounded 50 people.", (None, None)),  # both at once
        ("He said 5,000 troops were deployed in 2015.", (None, None)),
    ],
)
def test_casualties(sentence: str, expected: tuple[int | None, int | None]) -> None:
    assert casualties(parse(sentence)) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (MANBIJ, "the Observatory"),
        (SALMA, "state television"),
        (AIRSTRIKES, "the Syrian Observatory for Human Rights"),
        (
            "Fazli said Iran had supported the Syrian people, “in a global war,” SANA reported.",
            "SANA",
        ),
        ("A suicide bomber killed five people at a checkpoint, police said.", "police"),
        ("In a breaking news flash, the channel said the army had seized hilltops.", "the channel"),
        (
            "No fewer than 20 people were killed, said Rami Abdel Rahman, head of the group.",
            "Rami Abdel Rahman",
        ),
        (MAARET, None),  # "it said" without the article's earlier sources
        ("Fighting continued in the north.", None),
    ],
)
def test_attribution(sentence: str, expected: str | None) -> None:
    assert attribution(parse(sentence)) == expected


def test_attribution_resolves_short_forms_and_pronouns_against_earlier_sources() -> None:
    known = ["state television", "Hijab", "the Syrian Observatory for Human Rights"]
    assert attribution(parse(MANBIJ), known) == "the Syrian Observatory for Human Rights"
    assert attribution(parse(MAARET), known) == "the Syrian Observatory for Human Rights"  # "it"
    assert attribution(parse("The talks failed, he said."), known) == "Hijab"
    assert (
        attribution(parse("Jets struck again, SOHR said."), known)
        == "the Syrian Observatory for Human Rights"
    )


# -- no double counting -------------------------------------------------------------------


def _event(event_id: str, article_id: str = "a1", **fields: object) -> Event:
    base = dict(
        sentence="",
        plover_type="ASSAULT",
        event_date=PUBLISHED,
        actor1_name="Russia",
        actor1_country="RUS",
        actor1_sector="MIL",
        actor2_country="SYR",
        actor2_sector="CVL",
        confidence=0.8,
    )
    return Event(event_id=event_id, article_id=article_id, **{**base, **fields})


def _seed_events() -> tuple[list[Event], list[Mention]]:
    events = [
        _event(
            "e35",
            sentence=TOTAL,
            fatalities=35,
            location_name="Syria",
            country="SYR",
            geo_precision=4,
        ),
        _event(
            "e21",
            sentence=MAARET,
            fatalities=21,
            location_name="Ma‘arrat an Nu‘mān",
            admin1="Idlib",
            country="SYR",
            geo_precision=1,
        ),
        _event(
            "e14",
            sentence=MANBIJ,
            fatalities=14,
            location_name="Manbij",
            admin1="Aleppo",
            country="SYR",
            geo_precision=1,
        ),
    ]
    mentions = [Mention(e.event_id, "a1", i, e.sentence) for i, e in enumerate(events)]
    return events, mentions


def test_a_total_of_events_also_reported_is_flagged_as_aggregate() -> None:
    events, mentions = consolidate(*_seed_events())
    flagged = {e.event_id: e.is_aggregate for e in events}
    assert flagged == {"e35": True, "e21": False, "e14": False}
    assert sum(e.fatalities for e in events if not e.is_aggregate) == 35
    assert len(mentions) == 3


def test_a_total_whose_parts_lie_elsewhere_is_not_an_aggregate() -> None:
    events, mentions = _seed_events()
    moved = [
        dataclasses.replace(e, admin1="Homs", article_id="a2") if e.event_id == "e14" else e
        for e in events
    ]
    moved_mentions = [
        dataclasses.replace(m, article_id="a2") if m.event_id == "e14" else m for m in mentions
    ]
    kept, _ = consolidate(moved, moved_mentions)
    assert not any(e.is_aggregate for e in kept)


def test_the_same_event_in_two_articles_is_one_event_with_two_mentions() -> None:
    a = _event(
        "x1",
        "a1",
        sentence=MAARET,
        fatalities=21,
        location_name="Manbij",
        admin1="Aleppo",
        country="SYR",
        geo_precision=1,
        confidence=0.6,
    )
    b = dataclasses.replace(
        a, event_id="x2", article_id="a2", confidence=0.9, source_attribution="SANA"
    )
    mentions = [Mention("x1", "a1", 3, MAARET), Mention("x2", "a2", 7, MAARET)]
    events, rows = consolidate([a, b], mentions)
    assert [(e.event_id, e.mentions) for e in events] == [("x2", 2)]  # the more confident one
    assert [(r.event_id, r.article_id, r.sentence_index) for r in rows] == [
        ("x2", "a1", 3),
        ("x2", "a2", 7),
    ]


def test_an_event_without_place_joins_the_only_place_of_its_event() -> None:
    placed = _event(
        "p1", fatalities=4, location_name="Manbij", admin1="Aleppo", country="SYR", geo_precision=1
    )
    placeless = _event("p2", "a2", fatalities=4)
    events, _ = consolidate([placed, placeless], [])
    assert [(e.event_id, e.mentions) for e in events] == [("p1", 2)]
    elsewhere = _event(
        "p3",
        "a3",
        fatalities=4,
        location_name="Homs",
        admin1="Homs",
        country="SYR",
        geo_precision=1,
    )
    events, _ = consolidate([placed, placeless, elsewhere], [])
    assert sorted(e.event_id for e in events) == ["p1", "p2", "p3"]  # which place? unknown


def test_different_events_stay_apart() -> None:
    a = _event("d1", fatalities=4, location_name="Manbij", country="SYR", geo_precision=1)
    events, _ = consolidate(
        [
            a,
            dataclasses.replace(a, event_id="d2", fatalities=5),
            dataclasses.replace(a, event_id="d3", modality="future"),
            dataclasses.replace(a, event_id="d4", event_date=date(2016, 1, 11)),
            dataclasses.replace(a, event_id="d5", location_name="Homs"),
        ],
        [],
    )
    assert len(events) == 5


def test_consolidation_does_not_depend_on_input_order() -> None:
    events, mentions = _seed_events()
    duplicate = dataclasses.replace(events[1], event_id="e21b", article_id="a2")
    events.append(duplicate)
    mentions.append(Mention("e21b", "a2", 0, MAARET))
    expected = consolidate(events, mentions)
    for seed in range(5):
        rng = random.Random(seed)
        shuffled_events, shuffled_mentions = events[:], mentions[:]
        rng.shuffle(shuffled_events)
        rng.shuffle(shuffled_mentions)
        assert consolidate(shuffled_events, shuffled_mentions) == expected
    kept = {e.event_id: e for e in expected[0]}
    assert kept["e21"].mentions == 2 and kept["e35"].is_aggregate


def test_words_of_news_that_open_a_sentence_are_no_places(gazetteer: Gazetteer) -> None:
    """GeoNames knows a "Men" in India and a "Leader" in Cuba: capitalised at the start of a
    sentence, they made the article Indian ("Men on motorbikes shot dead a village chief
    near Mopti" coded the gunmen as Indian)."""
    for opening in ("Men", "Leader", "Officer", "Gang"):
        sentence = f"{opening} of the group shot dead a village chief near Mopti."
        assert gazetteer.country_context(sentence) == ["MLI"], opening
