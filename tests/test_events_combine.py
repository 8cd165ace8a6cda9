"""The classifier's PLOVER type combined with the parse (events/combine.py).

The classifier is replaced by fixed answers here, so these tests check the combination
rules whatever the trained model says: an agreeing trigger keeps its CAMEO code, another
type takes its root code with the parse's actors, "none" drops the sentence, and the
parse's modality survives.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import pytest

from newsevents.events import Resources, code_text, shared_resources
from newsevents.events.actor_phrases import ArticleContext
from newsevents.events.actors import Actor
from newsevents.events.coder import Draft, SentenceCoder
from newsevents.events.combine import Combiner

DAY = dt.date(2016, 1, 12)


@dataclasses.dataclass(frozen=True)
class Fixed:
    label: str | None
    score: float = 0.9
    probs: dict[str, float] = dataclasses.field(default_factory=dict)


class Always:
    """A classifier that gives every sentence the same label with probability ``score``."""

    def __init__(self, label: str, score: float) -> None:
        self.label = label
        self.score = score

    def predict(self, sentences: Sequence[str], batch_size: int = 32) -> list[Fixed]:
        return [Fixed(self.label, self.score, {self.label: self.score}) for _ in sentences]


def with_label(label: str, score: float = 0.9) -> Resources:
    return dataclasses.replace(shared_resources(), classifier=Always(label, score))


ARREST = "Israeli troops arrested 20 Palestinians in Hebron on Tuesday."


def test_an_agreeing_trigger_keeps_its_cameo_code():
    (event,) = code_text(ARREST, DAY, with_label("COERCE"))
    assert (event.plover_type, event.cameo_code, event.plover_mode) == ("COERCE", "173", "arrest")
    assert (event.actor1_country, event.actor2_country) == ("ISR", "PSE")


def test_another_type_takes_its_root_code_and_keeps_the_actors():
    (event,) = code_text(ARREST, DAY, with_label("ASSAULT"))
    assert (event.plover_type, event.cameo_code) == ("ASSAULT", "190")
    assert (event.actor1_country, event.actor2_country) == ("ISR", "PSE")
    assert event.location_name == "Hebron"


def test_no_event_drops_the_sentence():
    assert code_text(ARREST, DAY, with_label("none")) == []


def test_an_assault_at_the_main_verb_is_made_specific_by_the_weapon_named():
    sentence = "Four soldiers died when their vehicle hit a mine near Gao."
    (event,) = code_text(sentence, DAY, with_label("ASSAULT", 0.99))
    assert (event.cameo_code, event.plover_mode) == ("183", "explosives")
    assert event.acled_sub_event_type == "Remote explosive/landmine/IED"


def test_an_assault_by_an_armed_actor_stands_against_no_event():
    abduction = "Bandits abducted more than 300 schoolboys in Katsina state."
    (event,) = code_text(abduction, DAY, with_label("none", 0.99))
    assert (event.plover_type, event.actor1_sector) == ("ASSAULT", "UAF")


def test_an_assault_by_an_armed_actor_keeps_its_type_against_another():
    """"Government forces regained control of the district" is the army taking territory,
    whatever type the classifier is sure of (it read RETREAT at 0.97)."""
    regained = "Government forces regained control of the district after heavy fighting."
    (event,) = code_text(regained, DAY, with_label("RETREAT", 0.99))
    assert (event.plover_type, event.cameo_code) == ("ASSAULT", "192")
    assert event.acled_sub_event_type == "Government regains territory"


def test_a_seizure_by_an_armed_actor_keeps_its_type_against_another():
    """Soldiers seizing weapons take them, they assault no one (the classifier read "soldiers
    seized explosive belts" as ASSAULT at 0.99)."""
    seizure = "Soldiers seized a cache of rifles and grenades in Idlib."
    (event,) = code_text(seizure, DAY, with_label("ASSAULT", 0.99))
    assert (event.plover_type, event.cameo_code) == ("COERCE", "1711")
    assert event.acled_sub_event_type == "Disrupted weapons use"


def test_a_base_an_armed_actor_sets_up_stands_against_no_event():
    base = "The Wagner Group opened a new base in Menaka."
    (event,) = code_text(base, DAY, with_label("none", 1.0))
    assert (event.plover_type, event.acled_sub_event_type) == (
        "MOBILIZE",
        "Headquarters or base established",
    )
    assert code_text("The council opened a new office in Menaka.", DAY, with_label("none")) == []


def test_a_withdrawal_by_troops_and_a_countrys_fire_keep_their_types():
    withdrawal = "US troops pulled out of Kabul airport on Monday."
    (event,) = code_text(withdrawal, DAY, with_label("ASSAULT", 0.97))
    assert (event.plover_type, event.plover_mode) == ("RETREAT", "withdraw")
    (event,) = code_text("Pakistan returned fire, the army said.", DAY, with_label("RETREAT", 1.0))
    assert event.plover_type == "ASSAULT"
    # a country's assault may still be no event to the classifier (sport, metaphor)
    assert code_text("Pakistan returned fire, the army said.", DAY, with_label("none", 1.0)) == []


def test_a_protest_in_the_main_clause_stands_against_no_event():
    sit_in = "Traders staged a sit-in outside the district office in Multan."
    (event,) = code_text(sit_in, DAY, with_label("none", 0.95))
    assert (event.plover_type, event.acled_sub_event_type) == ("PROTEST", "Peaceful protest")


def test_weapons_found_stand_against_no_event_whoever_found_them():
    found = "Two IEDs were found and neutralized on the road to Gao."
    (event,) = code_text(found, DAY, with_label("none", 0.99))
    assert (event.cameo_code, event.acled_sub_event_type) == ("1711", "Disrupted weapons use")
    # ... but not any seizure: what the parse reads as seized must be arms
    assert code_text("Police found a stolen car in Lagos on Monday.", DAY, with_label("none")) == []


def test_force_the_classifier_reads_as_a_protest_is_a_riot():
    arson = "Demonstrators set fire to the ruling party's office in Kandy."
    (event,) = code_text(arson, DAY, with_label("PROTEST", 0.95))
    assert (event.plover_type, event.cameo_code, event.plover_mode) == ("PROTEST", "145", "riot")
    assert event.acled_sub_event_type == "Violent demonstration"
    (event,) = code_text("Students marched to parliament in Kandy.", DAY, with_label("PROTEST"))
    assert event.cameo_code == "141"  # the trigger agrees: no retyping


def test_a_sentence_without_trigger_is_coded_at_its_main_verb():
    res = shared_resources()
    coder = SentenceCoder(res.lexicon, res.codebook, res.actors, res.gazetteer, res.prefilter)
    doc = next(res.parser.parse(["Egypt reviewed its border arrangements with Jordan."]))
    ctx = ArticleContext(DAY, ["EGY"])
    assert coder.code(doc, ctx) == []
    (draft,) = Combiner(res.codebook).combine(
        [], Fixed("CONSULT"), lambda c: coder.from_root(doc, ctx, c)
    )
    assert (draft.cameo, draft.trigger, draft.modality) == ("040", "reviewed", "asserted")
    assert draft.actor1 is not None and draft.actor1.country == "EGY"


def test_a_main_verb_of_being_or_having_does_no_action():
    """"Pakistan has every right to respond": a state, whatever type the classifier gives."""
    assert code_text("Pakistan has every right to respond.", DAY, with_label("THREATEN", 0.99)) == []
    assert code_text("The minister was in Geneva on Monday.", DAY, with_label("CONSULT", 0.99)) == []


def test_a_subject_the_dictionaries_lack_still_acts_at_the_main_verb():
    events = code_text(
        "The Federal Foreign Office has provided 28 million euros to Sudan this year.",
        DAY,
        with_label("AID"),
    )
    assert [(e.plover_type, e.actor1_name) for e in events] == [
        ("AID", "Federal Foreign Office")
    ]


def test_a_reported_action_is_coded_at_the_verb_of_the_report():
    events = code_text(
        "The union's chairman said the striking teachers will not return to classes in Manila.",
        DAY,
        with_label("REJECT"),
    )  # "return" to a place is no trigger of the lexicon: the classifier's type stands
    assert [(e.plover_type, e.trigger) for e in events] == [("REJECT", "return")]
    assert events[0].modality == "denied"  # "will not": never coded as having happened


def test_a_statement_with_an_object_and_no_reported_clause_is_the_action():
    events = code_text(
        "In Colombia, the EPL declared a monthlong ceasefire on 1 April.", DAY, with_label("CONCEDE")
    )
    assert [(e.plover_type, e.trigger, e.actor1_name) for e in events] == [
        ("CONCEDE", "declared", "EPL")  # an acronym the dictionaries lack still acts
    ]
    assert code_text("The Colombian army said on Monday.", DAY, with_label("CONCEDE")) == []


def test_beside_the_events_of_other_clauses_the_classifier_must_be_sure():
    book = shared_resources().codebook
    side = Draft("meeting", 30, "040", None, None, "asserted", None, None, False, True)
    said = Draft("condemned", 5, "", None, None, "asserted", None, None, True, False)

    def at_root(cameo: str) -> Draft:
        return dataclasses.replace(said, cameo=cameo)

    combiner = Combiner(book)
    assert combiner.combine([side], Fixed("ACCUSE", 0.8, {"ACCUSE": 0.8}), at_root) == [side]
    coded = combiner.combine([side], Fixed("ACCUSE", 0.95, {"ACCUSE": 0.95}), at_root)
    assert [(d.trigger, d.cameo) for d in coded] == [("condemned", "110"), ("meeting", "040")]


def test_a_clause_the_classifier_rules_out_is_a_description_unless_it_narrates():
    """ "Nearly 70 countries have agreed to share data under a U.S. law that targets Americans":
    the relative clause is no assault; "speaking after meeting Fazli, Assad said": the meeting
    stands beside what is said; an armed group's attack stands whatever the classifier says."""
    book = shared_resources().codebook
    described = Draft("targets", 60, "190", None, None, "asserted", None, None, False, False)
    narrated = dataclasses.replace(described, trigger="meeting", cameo="040", adverbial=True)
    gunmen = Actor("gunmen", None, "UAF")
    attack = dataclasses.replace(described, trigger="attacked", actor1=gunmen)
    sure = Fixed("AGREE", 0.99, {"AGREE": 0.99, "ASSAULT": 0.001, "CONSULT": 0.001})
    combiner = Combiner(book)
    coded = combiner.combine([described, narrated, attack], sure, lambda cameo: None)
    assert [d.trigger for d in coded] == ["meeting", "attacked"]
    unsure = Fixed("AGREE", 0.6, sure.probs)  # the classifier unsure: the parse codes them all
    assert combiner.combine([described], unsure, lambda cameo: None) == [described]
    events = code_text(
        "Nearly 70 countries have agreed to share information from their banks as part of a "
        "U.S. law that targets Americans hiding assets overseas.",
        DAY,
        with_label("AGREE", 0.99),
    )
    assert "ASSAULT" not in {e.plover_type for e in events}


def test_an_ambiguous_trigger_stands_only_where_the_classifier_agrees():
    """ "Released the guidance" is no release of anyone: an ambiguous trigger (``084?``)
    needs its type at AGREES from the classifier; the rules alone still code it."""
    book = shared_resources().codebook
    released = Draft("released", 25, "084", None, None, "asserted", None, None, True, False, True)
    combiner = Combiner(book)
    doubtful = Fixed("SUPPORT", 0.6, {"SUPPORT": 0.6, "RETREAT": 0.3})
    assert combiner.combine([released], doubtful, lambda cameo: None) == []
    agrees = Fixed("RETREAT", 0.6, {"RETREAT": 0.6, "SUPPORT": 0.3})
    assert combiner.combine([released], agrees, lambda cameo: None) == [released]
    sentence = "The Swedish government has released new guidance on the state of the world."
    rules = dataclasses.replace(shared_resources(), classifier=None)
    assert [e.trigger for e in code_text(sentence, DAY, rules)] == ["released"]
    assert code_text(sentence, DAY, with_label("SUPPORT", 0.6)) == []


@pytest.mark.parametrize("label", ["AGREE", "CONSULT"])
def test_a_refusal_the_parse_read_is_never_coded_as_the_cooperation(label):
    events = code_text("Iran will not meet Iraqi officials in Geneva.", DAY, with_label(label))
    assert events and all(e.plover_type == "REJECT" for e in events)


def test_a_future_action_stays_future_under_another_type():
    events = code_text("Russia will send troops to Syria next week.", DAY, with_label("ASSAULT"))
    assert events and all(e.modality == "future" for e in events)


def test_refusing_an_ambiguous_action_is_as_ambiguous():
    """ "did not provide any details" is no refusal of aid unless the classifier says so."""
    sentence = "Pakistan did not provide any details."
    rules = dataclasses.replace(shared_resources(), classifier=None)
    assert [e.plover_type for e in code_text(sentence, DAY, rules)] == ["REJECT"]
    assert code_text(sentence, DAY, with_label("ASSAULT", 0.6)) == []
    assert [e.plover_type for e in code_text(sentence, DAY, with_label("REJECT", 0.6))] == [
        "REJECT"
    ]



def test_a_thing_a_national_adjective_qualifies_does_not_act():
    """Without a trigger the classifier's type stands at the main verb only if someone acts:
    "the Finnish guidance" is no actor; "Pakistan's prime minister" is."""
    guidance = "The Finnish guidance advises citizens to keep cash for supplies for a few days."
    assert shared_resources().prefilter(guidance)  # parsed, and the main verb has a subject
    assert code_text(guidance, DAY, with_label("AGREE", 0.99)) == []
    events = code_text(
        "Pakistan's prime minister has convened a meeting of the National Security Committee.",
        DAY,
        with_label("CONSULT", 0.99),
    )
    assert [(e.plover_type, e.actor1_country) for e in events] == [("CONSULT", "PAK")]


def test_an_answer_to_a_reporter_is_no_event():
    """ "did not respond to requests for comment" is the reporter's question, whatever type
    the classifier reads into it; a refusal of a political request still is one."""
    asked = "The Israel Defense Forces did not respond to requests for comment about the attack."
    assert shared_resources().prefilter(asked)
    assert code_text(asked, DAY, with_label("REJECT", 0.99)) == []
    refused = "The Israel Defense Forces did not respond to demands for a ceasefire."
    assert [e.plover_type for e in code_text(refused, DAY, with_label("REJECT", 0.99))] == [
        "REJECT"
    ]


def test_a_states_deployment_keeps_its_type_against_another():
    """The classifier read a government's deployment of soldiers as AID at 0.98 (CAMEO's
    peacekeeping); the state's force stands as the parse coded it."""
    deployed = "The government deployed 2,000 soldiers to the restive province of Cabo Delgado."
    (event,) = code_text(deployed, DAY, with_label("AID", 0.98))
    assert (event.plover_type, event.cameo_code) == ("MOBILIZE", "154")
