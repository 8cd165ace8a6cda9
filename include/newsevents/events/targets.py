"""Who an action is done to (actor2), ranked over the phrases the action governs.

The other party of talks or a deal comes first (named beside actor1, or by "with"). Then
objects, the subject of a demanded clause, prepositional objects ("against X"), the
nearest actors in what the action governs, and last a place it happens in or the
action's own objects. A place where
something happens ("meet in Geneva"), the source of a report ("according to the
Observatory"), an ally ("in support of the army") and a location phrase ("in Syria's
northwest") are never actor2; see ``TargetFinder.target``.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Token

from newsevents.events.actor_phrases import ActorResolver, ArticleContext
from newsevents.events.actors import INTERNATIONAL, Actor
from newsevents.events.codebook import Codebook, Coding
from newsevents.events.lexicon import Lexicon
from newsevents.events.placenames import PLACE_WORDS
from newsevents.events.syntax import (
    NOUN_POS,
    OBJECT_DEPS,
    addressee,
    for_whom,
    lemma,
    owned,
    participants,
    phrase_text,
    pos,
    shared_passive_subject,
    unknown_name,
)
from newsevents.events.triggers import TIME_CAUSE_PREPS, Trigger
from newsevents.events.words import WORDS

# fmt: off
# Prepositions introducing the one acted upon, in order of preference.
TARGET_PREPS = ("against", "on", "upon", "at", "to", "toward", "towards", "with", "between",
                "among", "into", "over", "for", "in", "of", "from", "by")
# An accusation's "to" names whom it is addressed to; what it is about comes first
# ("complained to the U.N. over Israeli raids").
GRIEVANCE_PREPS = ("against", "over", "about", "of")
CANDIDATE_PREPS = set(TARGET_PREPS) | set(GRIEVANCE_PREPS)
# Prepositions of a place where something happens: a place there is not the one acted upon.
LOCATIVE_PREPS = {"in", "near", "inside", "outside", "throughout"}
# PLOVER types of actions between parties, where a party named beside actor1 is the other,
# and the prepositions that name the other party first.
SYMMETRIC_TYPES = {"CONSULT", "AGREE", "COOPERATE"}
PARTY_PREPS = ("with", "between", "among")
# PLOVER types of actions done to places, whose target may be the town they happen in ("fired
# shells at targets in Jericho"). Not PROTEST: "farmers protested in Ludhiana" are against
# someone else, and the town is only where they were.
PLACE_TARGET_TYPES = {"ASSAULT", "COERCE", "MOBILIZE", "SANCTION", "AID", "RETREAT"}
# Modes of actions done to people, never to a place: "police arrested the suspect in Durban"
# did not arrest Durban.
PERSON_MODES = {"arrest", "deport", "abduct"}
# Nouns of places: a name they govern ("the village of Kwall") is a place, never an actor.
PLACE_HEADS = PLACE_WORDS | WORDS.place_nouns
# Conjunctions of contrasting clauses, which tell of other actors ("while inspectors said");
# not "until they gain control", "as battles raged between insurgents and ...".
CONTRAST_MARKS = {"while", "whilst", "whereas", "although", "though"}
NON_TARGET_DEPS = {"aux", "auxpass", "neg", "punct", "det", "cc", "mark", "npadvmod",
                   "parataxis", "relcl"}
# fmt: on


class TargetFinder:
    """actor2 of a trigger (module docstring)."""

    def __init__(self, lex: Lexicon, book: Codebook, who: ActorResolver) -> None:
        self.lex = lex
        self.book = book
        self.who = who

    def actor2(self, trig: Trigger, actor1: Actor | None, ctx: ArticleContext) -> Actor | None:
        """Who the action is done to (never actor1 itself); see ``_target``.

        A target whose words, sentence and article name no country ("police will no longer
        tolerate rallies") is of the country of the one acting on it.
        """
        found = self._target(trig, actor1, ctx)
        if found is None or found.country or found.sector in INTERNATIONAL or actor1 is None:
            return found
        return replace(found, country=actor1.country)

    def _target(self, trig: Trigger, actor1: Actor | None, ctx: ArticleContext) -> Actor | None:
        """The best target candidate.

        The subject of a demanded clause ("demanded that the US cancel"; "reminded Iraq that
        it must": the addressee) comes first, then the other party of talks or a deal
        (``_partner``). Then the candidates of ``_target_candidates`` rank (see
        ``_candidate``): a phrase naming its country or an international body, a bare
        sector ("police"); the same two ranks in the nearest phrases the action governs
        (``_nearest_target``); last a country or capital it happens in ("strengthened its
        forces in Lebanon") and the action's own objects ("mobilized army reservists").
        """
        places = [trig.content] if trig.content is not None else []
        if trig.token != trig.head and pos(trig.token) in NOUN_POS:
            places.append(trig.token)  # "sanctions on the Taliban"
        places.append(trig.head)
        if trig.content is not None and trig.content != trig.head and trig.governor == "request":
            subject = next((c for c in trig.content.children if c.dep_ == "nsubj"), None)
            if subject is not None and pos(subject) == "PRON":
                subject = addressee(trig.head) or subject
            found = self.who.actor(subject, ctx, local=True)
            if found and found != actor1:
                return found
        partner = self._partner(trig, actor1, ctx, places)
        if partner is not None:
            return partner
        ranked: dict[str, Actor] = {}
        for tok in places:
            weapons = {w.i for w in self.who.instruments_of(tok)}
            for cand in self._target_candidates(tok, trig):
                if cand.i in weapons:
                    continue
                rank, found = self._candidate(cand, trig, actor1, ctx, governed=True)
                if rank == "whose":
                    return found
                if found is not None:
                    ranked.setdefault(rank, found)
        if "bare" in ranked:
            return ranked["bare"]
        nearest = self._nearest_target(trig, actor1, ctx)
        fallbacks = (
            nearest.get("whose"),
            nearest.get("bare"),
            ranked.get("venue"),
            nearest.get("venue"),
            ranked.get("own"),
            nearest.get("own"),
        )
        return next((found for found in fallbacks if found is not None), None)

    def _partner(
        self, trig: Trigger, actor1: Actor | None, ctx: ArticleContext, places: list[Token]
    ) -> Actor | None:
        """The other party of talks, a deal or a mutual action (``_mutual``): named with
        actor1 ("Trump and Putin agreed to share information on North Korea", "diplomats
        from the U.S., Russia and the U.N. will meet", "Hungarian and Romanian officials
        agreed", "militants and soldiers clashed"), else by "with" before any object, which
        is what they are about ("discussed Libya with Trump", "held talks with Kenyatta at
        State House")."""
        if actor1 is None or not (
            self.coding(trig).plover_type in SYMMETRIC_TYPES or self._mutual(trig)
        ):
            return None
        parts: list[Token] = []
        modifiers: set[int] = set()  # "Armenian and Azerbaijani forces": Azerbaijani forces
        subject = next((c for c in trig.head.children if c.dep_ == "nsubj"), None)
        if subject is not None:
            parts += subject.conjuncts
            for child in subject.children:
                if child.dep_ in ("amod", "compound"):
                    parts += child.conjuncts
                    modifiers |= {c.i for c in child.conjuncts}
                elif child.dep_ == "prep" and child.lower_ in ("from", "of"):
                    parts += [c for g in child.children if g.dep_ == "pobj" for c in g.conjuncts]
        for part in parts:
            found = self.who.actor(part, ctx)
            if found is not None and found.sector is None and part.i in modifiers:
                found = replace(found, sector=actor1.sector)  # the sector of the noun they share
            if found is not None and (found.country, found.sector) != (
                actor1.country,
                actor1.sector,
            ):
                return found
        holders = list(places)
        if trig.head.dep_ == "nsubj" and pos(trig.head) in NOUN_POS:
            holders.append(trig.head.head)  # "fighting erupted between X and Y"
        for tok in holders:
            for prep in tok.children:
                if prep.dep_ != "prep" or prep.lower_ not in PARTY_PREPS:
                    continue
                for noun in (g for g in prep.children if g.dep_ == "pobj"):
                    for part in (noun, *noun.conjuncts):
                        rank, found = self._candidate(part, trig, actor1, ctx, governed=True)
                        if found is not None and rank != "own":
                            return found
        return None

    def _mutual(self, trig: Trigger) -> bool:
        """Whether the parties of the action do it to each other ("X and Y clashed"): a
        mutual verb with no object but its own ("exchanged fire")."""
        verb = trig.head
        if pos(verb) in NOUN_POS:  # "fighting between X and Y"
            return lemma(verb) in self.lex.mutual_verbs
        return lemma(verb) in self.lex.mutual_verbs and not any(
            c.dep_ in OBJECT_DEPS and c.i not in trig.consumed for c in verb.children
        )

    def _candidate(
        self,
        tok: Token,
        trig: Trigger,
        actor1: Actor | None,
        ctx: ArticleContext,
        governed: bool = False,
    ) -> tuple[str, Actor | None]:
        """A target candidate's actor and rank: "whose" (names its country), "bare" (a
        sector, or a name the dictionaries lack in an object the action ``governed``
        itself), "own" (the action's own object) or "venue" (a place it happens in)."""
        if self._in_place_name(tok):
            return "none", None  # "the village of Kwall", "Kasai-Central province"
        found = self.who.actor(tok, ctx, local=True)
        if found is None and governed and not self._venue(tok) and unknown_name(tok):
            if self.who.is_place(tok):
                return "none", None
            # "lift the ban on the Islamic Salvation Front": a name the dictionaries lack
            found = Actor(phrase_text(tok), self.who.context_country(tok, ctx, True), None)
        if found is None or found == actor1:
            return "none", None
        whose = self._says_whose(tok, ctx)
        if owned(tok) or (tok.i in trig.consumed and not whose):
            return "own", found  # "its troops", "mobilized army reservists"
        if self._venue(tok):
            # a country or capital may be the one acted upon there, and a town may be
            # attacked or besieged, but a town is no party to talks or protests
            named = self.who.actors.resolve(tok) is not None
            return ("venue", found) if named or self._acts_on_places(trig) else ("none", None)
        return ("whose" if whose else "bare"), found

    def coding(self, trig: Trigger) -> Coding:
        """The codes of a trigger's own action (before modality makes it an intent)."""
        spec = trig.spec
        return self.book.coding(spec.cameo, spec.plover_type, spec.mode)

    def _venue(self, tok: Token) -> bool:
        """ "meet in Geneva", "an investigation in Italy": a name of a place where something
        happens (not "protesters in Cairo", whose candidate is the protesters)."""
        if tok.dep_ != "pobj" or tok.head.lower_ not in LOCATIVE_PREPS or pos(tok) != "PROPN":
            return False
        named = self.who.actors.resolve(tok)  # a capital stands for its government ("GOV")
        return named is None or (named.country is not None and named.sector in (None, "GOV"))

    def _describes_place(self, node: Token, child: Token) -> bool:
        """Whether a clause describes a place rather than the action: the holder of a town
        is not the target of a strike on it ("Manbij, a town in Aleppo province held by
        Daesh"; "an opposition-held town")."""
        if child.dep_ not in ("acl", "relcl", "appos", "prep", "amod", "compound"):
            return False
        place = lemma(node) in WORDS.place_nouns or (
            pos(node) == "PROPN" and node.dep_ in ("pobj", "appos") and self.who.is_place(node)
        )
        if not place:
            return False
        if child.dep_ in ("acl", "relcl"):
            return True  # "held by Daesh", "which the rebels control"
        if child.dep_ in ("amod", "compound"):
            return "-" in child.text or child.tag_ == "VBN"  # "opposition-held", "rebel-held"
        return child.dep_ == "appos" or child.lower_ in ("in", "of", "near")

    def _acts_on_places(self, trig: Trigger) -> bool:
        """Whether the action can be done to a place (attacked, besieged, occupied)."""
        coding = self.coding(trig)
        return coding.plover_type in PLACE_TARGET_TYPES and coding.plover_mode not in PERSON_MODES

    @staticmethod
    def _in_place_name(tok: Token) -> bool:
        """Whether a word is (part of) the name of a place noun: "the village of Kwall",
        "Kasai-Central province" (a location phrase, never an actor)."""
        head = tok
        while head.dep_ in ("compound", "flat") and head.head is not head:
            head = head.head
        if head is not tok and lemma(head) in PLACE_HEADS:
            return True
        return (
            tok.dep_ == "pobj" and tok.head.lower_ == "of" and lemma(tok.head.head) in PLACE_HEADS
        )

    def _says_whose(self, tok: Token, ctx: ArticleContext) -> bool:
        """Whether a phrase itself names a country or an international body ("Iraqi
        troops", "a missionary from Calgary", "the U.N."), unlike a bare sector ("police")
        or a place, which rank as they come."""
        if pos(tok) == "PRON":
            return True
        named = self.who.actors.resolve(tok)
        if named is None:
            return False
        return bool(named.country or named.sector in INTERNATIONAL or self.who.home_place(tok, ctx))

    def _nearest_target(
        self, trig: Trigger, actor1: Actor | None, ctx: ArticleContext
    ) -> dict[str, Actor]:
        """Fallback: the nearest actor of each rank (see ``_candidate``) in what the action
        governs, stopping at the first that names its country.

        Breadth-first through the action's objects, prepositional phrases and clauses
        ("a war against Iraq", "the blockade of Serbia", "unless Baghdad accepted",
        "a research center in Tokyo"), but not its own subject nor time, cause or
        attribution adjuncts ("after five days of fighting", "according to the
        Observatory"); a participle that shares its subject with the verb above looks there
        too ("fired at camps, killing 50").
        """
        top = trig.head
        while top.dep_ in ("advcl", "conj", "xcomp") and not any(
            c.dep_ in ("nsubj", "nsubjpass", "csubj") for c in top.children
        ):
            top = top.head  # "opened fire to disperse ..., killing one person"
        start = [trig.token, trig.content, trig.head, top]
        queue = list(dict.fromkeys(t for t in start if t is not None))
        seen = {t.i for t in queue} | {
            c.i for c in top.children if c.dep_ in ("nsubj", "nsubjpass", "csubj", "agent")
        }
        ranked: dict[str, Actor] = {}
        hostile = self.coding(trig).quad_class >= 3  # verbal or material conflict
        while queue:
            node = queue.pop(0)
            for child in node.children:
                if child.i in seen or child.dep_ in NON_TARGET_DEPS:
                    continue
                if child.dep_ == "prep" and child.lower_ in TIME_CAUSE_PREPS:
                    continue
                if hostile and for_whom(child):
                    continue  # "air strikes in support of the army": an ally, not the target
                if child.dep_ == "advcl" and any(
                    c.dep_ == "mark" and c.lower_ in CONTRAST_MARKS for c in child.children
                ):
                    continue  # "..., while inspectors said they needed more time"
                if self._describes_place(node, child):
                    continue  # "raids on Manbij, a town held by Daesh": Daesh holds the town
                seen.add(child.i)
                if not self._venue(child):
                    queue.append(child)  # "in East Timor's capital Dili" is one place
                if pos(child) not in NOUN_POS:
                    continue
                rank, found = self._candidate(child, trig, actor1, ctx)
                if found is not None:
                    ranked.setdefault(rank, found)
                if rank == "whose":
                    return ranked
        return ranked

    def _target_candidates(self, tok: Token, trig: Trigger) -> list[Token]:
        """Who an action is done to, best first: objects, the subject of a clause ("demanded
        that the US ..."), prepositional objects ("against X"; also those of the object:
        "aid for Romania", "protest with Albania"), then the action's own objects."""
        direct: list[Token] = []
        clauses: list[Token] = []
        preps: dict[str, list[Token]] = {}
        own: list[Token] = []
        children = list(tok.children)
        if not any(c.dep_ in OBJECT_DEPS for c in children):
            children += shared_passive_subject(tok)  # "were raped and killed": killed too
        children += [
            g
            for c in tok.children
            if c.dep_ in ("prt", "advmod")
            for g in c.children
            if g.dep_ == "prep"
        ]  # "kidnapped up to 16 advisers"
        objects = [
            c for c in children if c.dep_ in OBJECT_DEPS or (c.dep_ == "prep" and c.lower_ == "of")
        ]
        for obj in objects:
            nouns = [obj] if obj.dep_ != "prep" else [g for g in obj.children if g.dep_ == "pobj"]
            for noun in nouns:
                children += [g for g in noun.children if g.dep_ == "prep"]
                children += [
                    g
                    for c in noun.children
                    if c.dep_ == "prep" and c.lower_ == "of"
                    for o in c.children
                    if o.dep_ == "pobj"
                    for g in o.children
                    if g.dep_ == "prep"
                ]
        for child in children:
            if child.dep_ in OBJECT_DEPS:
                (own if child.i in trig.consumed or owned(child) else direct).append(child)
                if not self.who.names_people(child):
                    direct.extend(participants(child))  # "banned rallies by the opposition"
            elif child.dep_ == "prep" and child.lower_ == "of" and child.head == tok != trig.head:
                direct.extend(g for g in child.children if g.dep_ == "pobj")  # "blockade of X"
            elif child.dep_ in ("ccomp", "xcomp"):
                clauses.extend(g for g in child.children if g.dep_ == "nsubj")
            elif child.dep_ in ("prep", "dative") and child.lower_ in CANDIDATE_PREPS:
                if child.lower_ == "by" and pos(child.head) not in NOUN_POS:
                    continue  # "by" after a verb introduces the agent, not the target
                preps.setdefault(child.lower_, []).extend(
                    g for g in child.children if g.dep_ == "pobj"
                )
        order: tuple[str, ...] = TARGET_PREPS
        if self.coding(trig).plover_type == "ACCUSE":
            order = GRIEVANCE_PREPS + TARGET_PREPS
        ordered = direct + clauses
        ordered += [p for prep in dict.fromkeys(order) for p in preps.get(prep, [])] + own
        return [c for t in ordered for c in (t, *t.conjuncts) if c.i != trig.token.i]
