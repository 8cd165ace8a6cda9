"""Word lists and dictionaries are data, checked on load, and need no spaCy model."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from spacy.lang.en import English
from spacy.tokens import Doc

from newsevents.events.actors import ActorDictionary
from newsevents.events.codebook import DATA, Codebook
from newsevents.events.lexicon import Lexicon, LexiconError, Spec, _UniqueKeyLoader
from newsevents.events.words import WordListError, Words


def raw_lexicon() -> dict:
    with (DATA / "triggers.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def raw_words() -> dict:
    with (DATA / "words.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def test_the_packaged_lexicon_loads_and_its_codes_are_known():
    lexicon = Lexicon.load(Codebook())
    assert lexicon.governor_kind("vow") == "intent"
    assert lexicon.governor_kind("seek") == "request"


def test_a_word_in_two_kinds_of_governor_is_refused():
    raw = raw_lexicon()
    raw["governors"]["threat"].append("vow")  # as triggers.yaml had it
    with pytest.raises(LexiconError, match="'vow' is both a intent and a threat governor"):
        Lexicon(raw)


def test_a_repeated_word_or_key_is_refused():
    raw = raw_lexicon()
    raw["classes"]["buildings"].append("school")
    with pytest.raises(WordListError, match="school"):
        Lexicon(raw)
    with pytest.raises(LexiconError, match="repeated"):
        yaml.load("verbs:\n  establish: '054'\n  establish: '154'\n", Loader=_UniqueKeyLoader)  # noqa: S506


def test_a_class_word_that_is_a_verbs_irregular_form_is_refused():
    raw = raw_lexicon()
    raw["classes"]["munitions"].append("shot")  # would make "shot down" lose its verb "shoot"
    with pytest.raises(LexiconError, match="'shot'"):
        Lexicon(raw)


def test_an_unknown_code_is_refused():
    raw = raw_lexicon()
    raw["verbs"]["parley"] = "999"
    with pytest.raises(LexiconError, match="unknown code"):
        Lexicon(raw).check_codes(Codebook())


def test_place_word_lists_must_be_disjoint():
    raw = raw_words()
    raw["town_words"].append("province")
    with pytest.raises(WordListError, match="province"):
        Words.parse(raw)


def test_actor_dictionaries_need_no_spacy_model():
    code = (
        "import sys\n"
        "from newsevents.events.actors import ActorDictionary\n"
        "d = ActorDictionary.load()\n"
        "assert d.names[('Assad',)].country == 'SYR'\n"
        "print(sorted(m for m in sys.modules if m.startswith('en_core')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_hand_built_parse_resolves_without_the_model():
    words = ["Syria", "'s", "regime", "army"]
    doc = Doc(
        English().vocab,
        words=words,
        spaces=[False, True, True, False],
        tags=["NNP", "POS", "NN", "NN"],
        deps=["poss", "case", "compound", "ROOT"],
        heads=[3, 0, 3, 3],
    )
    actor = ActorDictionary.load().resolve(doc[3])
    assert actor is not None and (actor.country, actor.sector) == ("SYR", "MIL")


def test_a_question_mark_makes_a_trigger_ambiguous_alone():
    assert Spec.parse("084?") == Spec("084", weak=True)
    assert Spec.parse("190*? ASSAULT/") == Spec("190", "ASSAULT", None, refinable=True, weak=True)
    assert not Spec.parse("0841").weak
