"""The trigger lexicon (``data/events/triggers.yaml``) as lookup tables.

The YAML file is the human-edited source: event verbs and nouns with the CAMEO code they
trigger, object and subject conditions, light verbs, governors ("agreed to", "threatened
to", "refused to") and instruments that refine violence codes. This module only parses
it; matching against parsed sentences lives in ``coder``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

from newsevents.events.codebook import DATA


@dataclass(frozen=True)
class Spec:
    """A trigger's code: CAMEO code plus optional PLOVER type/mode overrides."""

    cameo: str
    plover_type: str | None = None
    mode: str | None = None
    refinable: bool = False  # a generic violence code that instruments may refine

    @classmethod
    def parse(cls, text: str) -> Spec:
        """``"195 /aerial"``, ``"192 ASSAULT/"``, ``"190*"`` → Spec."""
        code, _, override = str(text).strip().partition(" ")
        ptype, _, mode = override.strip().partition("/")
        return cls(code.rstrip("*"), ptype or None, mode or None, code.endswith("*"))


@dataclass(frozen=True)
class Condition:
    """When a verb entry applies: ``+class`` (object), ``~class`` (subject), ``+clause``,
    ``+object`` (see triggers.yaml)."""

    kind: str  # "object", "subject", "clause", "any_object" or "always"
    words: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, key: str, classes: dict[str, frozenset[str]]) -> Condition:
        if not key:
            return cls("always")
        if key == "+clause":
            return cls("clause")
        if key == "+object":
            return cls("any_object")
        name = key[1:]
        words = classes.get(name, frozenset({name}))
        return cls("object" if key[0] == "+" else "subject", words)


@dataclass(frozen=True)
class VerbEntry:
    particle: str | None  # "for" in "call for", "up" in "blow up"
    rules: tuple[tuple[Condition, Spec], ...]


class Lexicon:
    """Lookup tables built from triggers.yaml; build once (``lexicon()``) and share."""

    def __init__(self, raw: dict) -> None:
        self.classes = {k: frozenset(v) for k, v in raw["classes"].items()}
        self.verbs: dict[str, list[VerbEntry]] = {}
        for key, value in raw["verbs"].items():
            lemma, _, particle = key.partition(" ")
            conditions = value if isinstance(value, dict) else {"": value}
            rules = tuple(
                (Condition.parse(cond, self.classes), Spec.parse(spec))
                for cond, spec in conditions.items()
            )
            self.verbs.setdefault(lemma, []).append(VerbEntry(particle or None, rules))
        # Entries with a particle are tried before the bare verb ("blow up" before "blow").
        for entries in self.verbs.values():
            entries.sort(key=lambda e: e.particle is None)
        self.nouns = {tuple(k.split()): Spec.parse(v) for k, v in raw["nouns"].items()}
        self.max_noun_words = max(len(k) for k in self.nouns)
        # Particles of light verbs are not needed to recognise them ("carry out": carry).
        self.light_verbs = frozenset(v.split()[0] for v in raw["light_verbs"])
        self.occurrence_verbs = frozenset(raw["occurrence_verbs"])
        self.governors = {kind: frozenset(words) for kind, words in raw["governors"].items()}
        self.obligation_modals = frozenset(raw["obligation_modals"])
        self.report_verbs = frozenset(raw["report_verbs"])
        self.accusatory = frozenset(raw["accusatory"])
        self.non_events = frozenset(raw["non_events"])
        self.instruments = [
            (tuple(words.split()), Spec.parse(spec)) for words, spec in raw["instruments"]
        ]
        self.irregular = {k: tuple(v) for k, v in raw["irregular"].items()}
        self.collectives = frozenset(raw["collectives"])
        self.quantities = frozenset(raw["quantities"])
        self.place_nouns = frozenset(raw["place_nouns"])
        self.military_actions = frozenset(raw["military_actions"])
        self.word_sets = (
            self.collectives | self.quantities | self.place_nouns | self.military_actions
        )

    def governor_kind(self, lemma: str) -> str | None:
        """ "intent", "threat", "request", "refusal", "accusation", "passthrough" or None."""
        for kind, words in self.governors.items():
            if lemma in words:
                return kind
        return None


def inflections(lemma: str) -> set[str]:
    """Regular English inflections of a verb or noun (over-generating is harmless here, as
    long as no form is another word: "refuge" does not inflect to "refugees")."""
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    forms = {lemma, lemma + "s", lemma + "ed", stem + "ed", stem + "ing"}
    if lemma.endswith("e"):
        forms.add(lemma + "d")
    if re.search(r"(s|x|z|ch|sh|o)$", lemma):  # march -> marches, but refuge -/-> refugees
        forms.add(lemma + "es")
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", lemma):  # ban -> banned, shell -> shelling
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    if re.search(r"[^aeiou]y$", lemma):  # deny -> denied, denies
        forms |= {lemma[:-1] + "ied", lemma[:-1] + "ies"}
    return forms


@functools.cache
def lexicon() -> Lexicon:
    """The shared, read-only trigger lexicon."""
    with (DATA / "triggers.yaml").open(encoding="utf-8") as f:
        return Lexicon(yaml.safe_load(f))
