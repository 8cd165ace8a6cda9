"""The trigger lexicon (``data/events/triggers.yaml``) as lookup tables.

The YAML file is the human-edited source: event verbs and nouns with the CAMEO code they
trigger, object and subject conditions, light verbs, governors ("agreed to", "threatened
to", "refused to") and instruments that refine violence codes. This module only parses
it and checks it (``LexiconError``): a word may be only one kind of governor, no list
repeats a word, no mapping repeats a key, no class word is a verb's irregular form, and
every code is a known CAMEO code. Verbs of saying, place nouns and irregular forms are
shared with the other modules (``data/events/words.yaml``, ``words``). Matching against
parsed sentences lives in ``triggers`` and ``modality``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import yaml

from newsevents.events.codebook import DATA, Codebook
from newsevents.events.words import WORDS, WordListError, check_list, inflections

__all__ = ["Condition", "Lexicon", "LexiconError", "Spec", "VerbEntry", "inflections"]
_WORD_LISTS = ("light_verbs", "occurrence_verbs", "obligation_modals", "accusatory",
               "non_events", "collectives", "quantities", "military_actions",
               "abstract_targets", "mutual_verbs", "hazards", "accident_verbs",
               "purpose_nouns", "explosions", "industrial_sites")  # fmt: skip


class LexiconError(WordListError):
    """triggers.yaml breaks a rule of the lexicon (the message says which)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping with a repeated key (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
        if repeated:
            raise LexiconError(f"line {node.start_mark.line + 1}: keys {repeated} repeated")
        return super().construct_mapping(node, deep=deep)


@dataclass(frozen=True)
class Spec:
    """A trigger's code: CAMEO code plus optional PLOVER type/mode overrides."""

    cameo: str
    plover_type: str | None = None
    mode: str | None = None
    refinable: bool = False  # a generic violence code that instruments may refine
    weak: bool = False  # ambiguous alone: coded where the classifier agrees (triggers.yaml)
    object_class: str = ""  # the class its object is in ("weaponry" of "seize +weaponry")

    @classmethod
    def parse(cls, text: str) -> Spec:
        """``"195 /aerial"``, ``"192 ASSAULT/"``, ``"190*"``, ``"084?"`` → Spec."""
        code, _, override = str(text).strip().partition(" ")
        ptype, _, mode = override.strip().partition("/")
        weak = code.endswith("?")
        code = code.rstrip("?")
        return cls(code.rstrip("*"), ptype or None, mode or None, code.endswith("*"), weak)


@dataclass(frozen=True)
class Condition:
    """When a verb entry applies: ``+class`` (object), ``~class`` (subject), ``+clause``,
    ``+object``, ``-object`` (see triggers.yaml)."""

    kind: str  # "object", "subject", "clause", "any_object", "no_object" or "always"
    words: frozenset[str] = frozenset()
    name: str = ""  # the class a condition names ("places" of "+places")

    @classmethod
    def parse(cls, key: str, classes: dict[str, frozenset[str]]) -> Condition:
        if not key:
            return cls("always")
        if key == "+clause":
            return cls("clause")
        if key == "+object":
            return cls("any_object")
        if key == "-object":
            return cls("no_object")
        name = key[1:]
        words = classes.get(name, frozenset({name}))
        return cls("object" if key[0] == "+" else "subject", words, name)


@dataclass(frozen=True)
class VerbEntry:
    particle: str | None  # "for" in "call for", "up" in "blow up"
    rules: tuple[tuple[Condition, Spec], ...]


class Lexicon:
    """Lookup tables built from triggers.yaml; build once (``Lexicon.load``) and share."""

    def __init__(self, raw: dict[str, Any]) -> None:
        for name in _WORD_LISTS:
            check_list(name, raw.get(name), "triggers.yaml")
        _check_governors(raw["governors"])
        for name, words in raw["classes"].items():
            check_list(f"classes.{name}", words, "triggers.yaml")
        self.classes = {k: frozenset(v) for k, v in raw["classes"].items()}
        _check_not_verb_forms(self.classes)
        self.verbs: dict[str, list[VerbEntry]] = {}
        for key, value in raw["verbs"].items():
            lemma, _, particle = key.partition(" ")
            conditions = value if isinstance(value, dict) else {"": value}
            rules = []
            for key, code in conditions.items():
                condition = Condition.parse(key, self.classes)
                spec = Spec.parse(code)
                if condition.kind == "object":
                    spec = replace(spec, object_class=condition.name)
                rules.append((condition, spec))
            self.verbs.setdefault(lemma, []).append(VerbEntry(particle or None, tuple(rules)))
        # Entries with a particle are tried before the bare verb ("blow up" before "blow").
        for entries in self.verbs.values():
            entries.sort(key=lambda e: e.particle is None)
        self.nouns = {tuple(k.split()): Spec.parse(v) for k, v in raw["nouns"].items()}
        self.max_noun_words = max(len(k) for k in self.nouns)
        # Particles of light and occurrence verbs are not needed to recognise them ("carry
        # out": carry; "fighting broke out": break).
        self.light_verbs = frozenset(v.split()[0] for v in raw["light_verbs"])
        self.occurrence_verbs = frozenset(v.split()[0] for v in raw["occurrence_verbs"])
        self.governors = {kind: frozenset(words) for kind, words in raw["governors"].items()}
        self.obligation_modals = frozenset(raw["obligation_modals"])
        self.report_verbs = WORDS.speech_verbs
        self.accusatory = frozenset(raw["accusatory"])
        self.non_events = frozenset(raw["non_events"])
        self.instruments = [
            (tuple(words.split()), Spec.parse(spec)) for words, spec in raw["instruments"]
        ]
        self.irregular = WORDS.irregular
        self.collectives = frozenset(raw["collectives"])
        self.quantities = frozenset(raw["quantities"])
        self.place_nouns = WORDS.place_nouns
        self.military_actions = frozenset(raw["military_actions"])
        self.military_senses = {
            str(noun): Spec.parse(spec) for noun, spec in raw["military_senses"].items()
        }
        self.abstract_targets = frozenset(raw["abstract_targets"])
        self.mutual_verbs = frozenset(raw["mutual_verbs"])
        self.hazards = frozenset(raw["hazards"])
        self.accident_verbs = frozenset(raw["accident_verbs"])
        self.purpose_nouns = frozenset(raw["purpose_nouns"])
        self.explosions = frozenset(raw["explosions"])
        self.industrial_sites = frozenset(raw["industrial_sites"])
        self.word_sets = (
            self.collectives | self.quantities | self.place_nouns | self.military_actions
            | self.hazards | self.accident_verbs | self.purpose_nouns | self.explosions
            | self.industrial_sites
        )

    @classmethod
    def load(cls, book: Codebook | None = None) -> Lexicon:
        """The lexicon of ``data/events/triggers.yaml``, its codes checked against ``book``."""
        with (DATA / "triggers.yaml").open(encoding="utf-8") as f:
            lexicon = cls(yaml.load(f, Loader=_UniqueKeyLoader))  # noqa: S506 (a SafeLoader)
        if book is not None:
            lexicon.check_codes(book)
        return lexicon

    def check_codes(self, book: Codebook) -> None:
        """Every code of the lexicon is a CAMEO code with a PLOVER type."""
        specs = [spec for entries in self.verbs.values() for e in entries for _, spec in e.rules]
        specs += list(self.nouns.values()) + [spec for _, spec in self.instruments]
        specs += list(self.military_senses.values())
        for spec in specs:
            try:
                book.coding(spec.cameo, spec.plover_type, spec.mode)
            except KeyError as error:
                raise LexiconError(f"triggers.yaml: {spec} has an unknown code") from error

    def forms(self, word: str) -> set[str]:
        """A word's inflected forms, irregular ones included ("leave": left, "man": men)."""
        return inflections(word) | set(self.irregular.get(word, ()))

    def governor_kind(self, lemma: str) -> str | None:
        """ "intent", "threat", "request", "refusal", "accusation", "passthrough" or None."""
        for kind, words in self.governors.items():
            if lemma in words:
                return kind
        return None


def _check_not_verb_forms(classes: dict[str, frozenset[str]]) -> None:
    """A class word is its own lemma (``nlp.known_forms``): one that is a verb's irregular
    form ("shot") would take that form from the verb ("shot down" no longer "shoot")."""
    forms = {form for verb, irregular in WORDS.irregular.items() for form in irregular}
    for name, words in classes.items():
        if words & forms:
            raise LexiconError(
                f"triggers.yaml: classes.{name}: {sorted(words & forms)} are forms of verbs "
                "(words.yaml irregular)"
            )


def _check_governors(governors: dict[str, list[str]]) -> None:
    """Each governor word is of one kind: "vow" cannot be both an intent and a threat."""
    kind_of: dict[str, str] = {}
    for kind, words in governors.items():
        for word in check_list(f"governors.{kind}", words, "triggers.yaml"):
            if word in kind_of:
                raise LexiconError(
                    f"triggers.yaml: {word!r} is both a {kind_of[word]} and a {kind} governor"
                )
            kind_of[word] = kind
