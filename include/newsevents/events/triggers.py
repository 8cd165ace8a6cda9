"""Triggers: the words of a parsed sentence that name an event, and the code each gives.

A verb of the lexicon triggers when its object/subject conditions hold ("withdrew its
troops"); an event noun triggers under a light verb ("held talks"), as the subject of a
verb of occurrence ("riots continued") or under a governor ("called for a ceasefire").
Governors themselves are composed with what they govern in ``modality``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from newsevents.events.lexicon import Condition, Lexicon, Spec
from newsevents.events.nlp import Prefilter
from newsevents.events.syntax import (
    NOUN_POS,
    OBJECT_DEPS,
    VERB_POS,
    is_quantity,
    lemma,
    objects,
    phrase_lemmas,
    pos,
    verb_lemmas,
)
from newsevents.events.words import CALENDAR_WORDS

# the word classes of places taken, handed over or hit (triggers.yaml), which a place's
# proper name meets as well
PLACE_CLASSES = frozenset({"places", "towns"})
GOVERNOR_POS = {"VERB", "AUX", "ADJ"}  # "ready to", "willing to" govern like verbs
# fmt: off
# Prepositions of time, cause and circumstance: what they introduce is not the content of
# the verb ("agreed to a ceasefire after two days of fighting").
ADJUNCT_PREPS = {"after", "before", "during", "since", "despite", "amid", "amidst", "following",
                 "until", "because", "as", "like", "than", "without", "within", "near", "between",
                 "among", "throughout", "ahead", "prior", "due", "in"}
# Adjuncts of time and cause, and attributions ("according to the Observatory").
TIME_CAUSE_PREPS = {"after", "before", "during", "since", "despite", "amid", "amidst",
                    "following", "until", "because", "due", "prior", "ahead", "like",
                    "according"}
# Where an action with a direct object happens: "seized 200 kg of cocaine at the port" does
# not seize a place, "seized the port" does.
SCENE_PREPS = {"in", "at", "near", "inside", "outside", "around", "across", "throughout"}
# fmt: on


@dataclass
class Trigger:
    """One candidate event in a parsed sentence."""

    token: Token  # the word naming the action ("shelled", "talks", "agreed")
    head: Token  # the word whose subject is actor1 (the verb, or the light verb of a noun)
    spec: Spec
    consumed: set[int] = field(default_factory=set)  # objects that are the action's own ("troops")
    content: Token | None = None  # the governed clause, whose objects give actor2
    governor: str | None = None  # kind of governor composed into this event


def governor_of(lex: Lexicon, tok: Token) -> str | None:
    """The kind of governor a word is ("intent", "threat", "request", ...), with its
    particle or preposition ("call for")."""
    word = lemma(tok)
    for child in tok.children:
        if child.dep_ in ("prt", "prep"):
            kind = lex.governor_kind(f"{word} {child.lower_}")
            if kind:
                return kind
    return lex.governor_kind(word)


def _is_month(tok: Token) -> bool:
    """ "March" in "On 27 March 2020" is the month, not the verb."""
    return tok.text[:1].isupper() and tok.lower_ in CALENDAR_WORDS


def _names_a_time(prep: Token) -> bool:
    """Whether a preposition's object is a day or a month ("on Friday", "in May")."""
    return any(c.dep_ == "pobj" and lemma(c) in CALENDAR_WORDS for c in prep.children)


def distance(trig: Trigger) -> int:
    """Words between a composed governor and the action it governs."""
    return abs(trig.token.i - trig.content.i) if trig.content is not None else 0


class TriggerFinder:
    """Finds the triggers of a parsed sentence (see the module docstring)."""

    def __init__(
        self,
        lex: Lexicon,
        prefilter: Prefilter,
        named_place: Callable[[Token, Sequence[str]], bool] = lambda tok, countries: False,
    ) -> None:
        """``named_place(token, countries)`` tells a place's proper name ("Paletwa") in an
        article about those countries (ISO3): it meets a ``+places`` condition as a place
        noun does ("seized Paletwa" as "seized the town")."""
        self.lex = lex
        self.prefilter = prefilter
        self.named_place = named_place

    def find(self, doc: Doc, countries: Sequence[str] = ()) -> list[Trigger]:
        """The candidate events of a sentence (of an article about ``countries``): verb
        triggers, then event nouns."""
        found: list[Trigger] = []
        consumed: set[int] = set()
        words = self.prefilter
        candidates = [
            tok
            for tok in doc
            if not _is_month(tok)
            and any(words.may_trigger(t.lower_) for t in (tok, *tok.lefts))
        ]  # "mediation mission"
        for tok in candidates:
            if pos(tok) in VERB_POS:
                match = self.match_verb(tok, countries)
                if match:
                    spec, own = match
                    found.append(Trigger(tok, tok, spec, own))
                    consumed |= own
        for tok in candidates:
            if (
                pos(tok) in NOUN_POS
                and tok.i not in consumed
                and tok.dep_ not in ("compound", "amod")
            ):
                noun_spec = self.match_noun(tok)
                head = self._noun_event_head(tok, found) if noun_spec else None
                if noun_spec and head is not None:
                    found.append(Trigger(tok, head, noun_spec, {tok.i}))
        return found

    def match_verb(
        self, tok: Token, countries: Sequence[str] = ()
    ) -> tuple[Spec, set[int]] | None:
        verb = next((v for v in verb_lemmas(tok) if v in self.lex.verbs), None)
        for entry in self.lex.verbs.get(verb, []) if verb else []:
            if entry.particle and not any(
                c.lower_ == entry.particle
                and c.dep_ in ("prt", "prep", "advmod", "agent")
                and not _names_a_time(c)
                for c in tok.children
            ):
                continue  # "call on" is a demand, "called Erdogan on Friday" is not
            for condition, spec in entry.rules:
                objects = self._satisfied(condition, tok, countries)
                if objects is not None:
                    return spec, objects
        return None

    def _satisfied(
        self, condition: Condition, verb: Token, countries: Sequence[str]
    ) -> set[int] | None:
        """None if the condition fails, else the object tokens it consumed."""
        if condition.kind == "always":
            return set()
        if condition.kind == "clause":
            return set() if any(c.dep_ == "ccomp" for c in verb.children) else None
        if condition.kind in ("any_object", "no_object"):
            has = any(c.dep_ in OBJECT_DEPS | {"xcomp", "ccomp"} for c in verb.children)
            return set() if has == (condition.kind == "any_object") else None
        if condition.kind == "subject":
            subjects = [c for c in verb.children if c.dep_ == "nsubj"]
            return set() if any(condition.words & phrase_lemmas(s) for s in subjects) else None
        candidates = objects(verb)
        if any(c.dep_ == "dobj" for c in verb.children):
            candidates = [
                o for o in candidates if not (o.dep_ == "pobj" and o.head.lower_ in SCENE_PREPS)
            ]
        places = condition.name in PLACE_CLASSES
        hits = {
            o.i
            for o in candidates
            if condition.words & phrase_lemmas(o)
            or (places and pos(o) == "PROPN" and self.named_place(o, countries))
        }
        return hits or None

    def match_noun(self, tok: Token) -> Spec | None:
        """The spec of an event noun ("airstrike", "deployment of troops"), if ``tok`` is one."""
        mods = [lemma(c) for c in tok.lefts if c.dep_ in ("compound", "amod")]
        word = lemma(tok)
        keys = [tuple(mods[len(mods) - k :] + [word]) for k in range(len(mods), -1, -1)]
        for child in tok.rights:
            if child.dep_ == "prep" and child.lower_ == "of":
                keys[:0] = [(word, "of", lemma(g)) for g in child.children if g.dep_ == "pobj"]
        if word not in self.prefilter.sectors and word not in self.prefilter.everyday:
            # "a mediation mission", "war games"; not "riot police", "protest leaders": people
            keys += [(m,) for m in reversed(mods)]
        for key in keys:
            if key in self.lex.nouns:
                return self.lex.nouns[key]
        return None

    def _noun_event_head(self, tok: Token, verb_triggers: list[Trigger]) -> Token | None:
        """The verb that reports an event noun as an event, if any ("held talks": held)."""
        if (
            tok.dep_ == "pobj"
            and tok.head.lower_ == "of"
            and is_quantity(tok.head.head, self.lex.quantities)
        ):
            tok = tok.head.head  # "10 days of war games": the quantity stands for the noun
        verb = tok.head
        existential = any(c.dep_ == "expl" and c.lower_ == "there" for c in verb.children)
        if tok.dep_ == "attr" and existential:
            return tok  # "there were clashes", "there have been heavy exchanges of fire"
        if tok.dep_ == "pobj" and verb.dep_ == "prep":
            if verb.lower_ in TIME_CAUSE_PREPS or (
                verb.lower_ in ADJUNCT_PREPS and lemma(verb.head) not in self.lex.light_verbs
            ):
                return None  # "imposed a curfew after a demonstration": not the light verb's
            verb = verb.head
        elif tok.dep_ not in OBJECT_DEPS | {"nsubj"}:
            return None
        if pos(verb) not in GOVERNOR_POS:
            return None
        lemmas = verb_lemmas(verb)
        if any(t.token == verb for t in verb_triggers):
            return verb if governor_of(self.lex, verb) not in (None, "passthrough") else None
        if tok.dep_ == "nsubj":
            return tok if lemmas & self.lex.occurrence_verbs else None
        if lemmas & self.lex.light_verbs or governor_of(self.lex, verb):
            return verb
        return None
