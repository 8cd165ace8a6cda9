"""Governors and modality: what a trigger's event is once the words above it are read.

"agreed to provide aid" is an intent to aid (0331, AGREE), "threatened to shell" a threat
of attack (1384), "refused to meet" a rejection (125), "demanded that X release" a demand
(1053), "ordered X to suspend" the suspension. Generic violence is refined by its
instrument ("killed in an air strike" -> 195 aerial). Announced actions become intents
("will meet" -> 036, PLOVER's AGREE), negated cooperation becomes refusal ("will not
accept" -> REJECT), and other negated, hypothetical or future actions keep their code with
a modality ("denied", "hypothetical", "future"): they are never coded as having happened.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from newsevents.events.codebook import Codebook
from newsevents.events.lexicon import Lexicon, Spec
from newsevents.events.syntax import (
    NOUN_POS,
    OBJECT_DEPS,
    VERB_POS,
    depth,
    has_future_aux,
    lemma,
    negated,
    objects,
    pos,
    to_infinitive,
    verb_lemmas,
)
from newsevents.events.triggers import (
    ADJUNCT_PREPS,
    GOVERNOR_POS,
    Trigger,
    TriggerFinder,
    distance,
    governor_of,
)
from newsevents.events.when import modality as clause_modality

# Dependencies through which an action is the content of the word above it.
COMPLEMENT_DEPS = {"xcomp", "ccomp", "pcomp", "prep", "pobj", "dobj", "acomp", "advcl", "conj"}
INTENT_TYPES = {"AGREE", "THREATEN", "REQUEST", "REJECT"}
CONDITION_MARKS = {"if", "unless"}
TIME_MARKS = {"once", "when", "after", "before", "until"}
TALK_VERBS = frozenset({"speak", "talk", "think", "speculate", "dream", "joke", "hear"})
# The code of a governor that is not itself a trigger ("decided to", "plans to").
DEFAULT_GOVERNOR_CODES = {"intent": "030", "threat": "130", "request": "100", "refusal": "120",
                          "accusation": "112", "command": "100"}  # fmt: skip


# "the first country to recognise", "the only party to sign": the noun's action happened
_RANKS = frozenset({"first", "second", "third", "last", "latest", "only", "sole"})


def _ranked(noun: Token) -> bool:
    return any(
        c.dep_ == "amod" and (c.lower_ in _RANKS or c.tag_ == "JJS") for c in noun.children
    )


def condition(verb: Token) -> bool:
    """Whether an action is the condition of another, so has not happened: "unless Baghdad
    accepts", "if talks fail", and "until" under a refusal or a promise ("will not lift
    the ban until the EU provides details"), and a time clause not in the past under a
    future action ("will meet them once their appointments have been ratified"); after a
    past action, "until" tells what happened next ("shelled the town until the rebels
    withdrew")."""
    if verb.dep_ != "advcl":
        return False
    marks = {c.lower_ for c in verb.children if c.dep_ == "mark"}
    if marks & CONDITION_MARKS:
        return True
    if "until" in marks and (negated(verb.head) or has_future_aux(verb.head)):
        return True
    # "will meet them once their appointments have been ratified": a time clause that is
    # not in the past, under a future action, tells of what has not happened yet
    tensed = [verb, *(c for c in verb.children if c.dep_ in ("aux", "auxpass"))]
    past = any(t.tag_ == "VBD" for t in tensed)
    future = any(has_future_aux(t) for t in verb.ancestors)
    return bool(marks & TIME_MARKS) and future and not past


class Governors:
    """Composes governors with what they govern and applies modality (module docstring)."""

    def __init__(self, lex: Lexicon, book: Codebook, finder: TriggerFinder) -> None:
        self.lex = lex
        self.book = book
        self.finder = finder

    def compose(self, triggers: list[Trigger]) -> list[Trigger]:
        """Merge each governed action into its governor ("agreed" + "to provide aid")."""
        by_token = {t.token.i: t for t in triggers}
        heads = {t.head.i for t in triggers}
        result: list[Trigger] = []
        absorbed: set[int] = set()
        for trig in sorted(triggers, key=lambda t: -depth(t.head)):
            if trig.token.i in absorbed:
                continue
            climbed = self._climb(trig, by_token, heads, absorbed)
            if climbed is not None:
                result.append(climbed)
        kept = [t for t in result if t.token.i not in absorbed or t.governor]
        # two actions composed into one governor ("demanded a meeting ... to discuss"): the
        # one next to it is what it governs, the other its purpose or a misparse
        nearest: dict[int, Trigger] = {}
        for t in kept:
            if t.governor and t.content is not None:
                known = nearest.get(t.token.i)
                if known is None or distance(t) < distance(known):
                    nearest[t.token.i] = t
        return [t for t in kept if nearest.get(t.token.i, t) is t]

    def _climb(
        self, trig: Trigger, by_token: dict[int, Trigger], heads: set[int], absorbed: set[int]
    ) -> Trigger | None:
        if trig.head != trig.token and pos(trig.token) in NOUN_POS and trig.token.dep_ != "nsubj":
            kind = governor_of(self.lex, trig.head)  # "called for a ceasefire"
            if kind not in (None, "passthrough"):
                return self._govern(trig, trig.head, kind, by_token, heads, absorbed)
        node = trig.head
        noun = self._governing_noun(node, by_token)
        if noun is not None:
            return self._govern(trig, noun[0], noun[1], by_token, heads, absorbed)
        while node.dep_ in COMPLEMENT_DEPS and node.head != node:
            if node.dep_ == "prep" and node.lower_ in ADJUNCT_PREPS:
                return trig
            link, node = node.dep_, node.head
            kind = governor_of(self.lex, node)
            if pos(node) not in GOVERNOR_POS and not (kind and pos(node) == "NOUN"):
                continue
            if kind and kind != "passthrough" and link != "conj":
                return self._govern(trig, node, kind, by_token, heads, absorbed)
            if node.i in heads and link in ("xcomp", "advcl") and to_infinitive(trig.head):
                return (
                    None  # the purpose of another action ("staged a strike to demand"): one event
                )
            if kind == "passthrough":
                continue
            if node.i in heads or verb_lemmas(node) & self.lex.report_verbs:
                return trig
        return trig

    def _governing_noun(
        self, clause: Token, by_token: dict[int, Trigger]
    ) -> tuple[Token, str] | None:
        """The event noun whose content a clause is, and its kind of governor: "its demand
        that Nigeria release ..." (the clause of the noun), "reiterated its demand that
        Israel ease ..." (the clause of the noun's verb)."""
        if clause.dep_ == "acl":
            nouns = [clause.head]
        elif clause.dep_ == "ccomp":
            nouns = [c for c in clause.head.children if c.dep_ in OBJECT_DEPS]
        else:
            return None
        for noun in nouns:
            if noun.i in by_token and pos(noun) in NOUN_POS:
                kind = governor_of(self.lex, noun)
                if kind not in (None, "passthrough"):
                    return noun, kind
        return None

    def _govern(
        self,
        trig: Trigger,
        gov: Token,
        kind: str,
        by_token: dict[int, Trigger],
        heads: set[int],
        absorbed: set[int],
    ) -> Trigger | None:
        own = by_token.get(gov.i)
        if kind == "refusal" and lemma(trig.token) in self.lex.non_events:
            absorbed.add(gov.i)
            return None
        form = {
            "intent": "future",
            "threat": "future",
            "request": "requested",
            "refusal": "refused",
        }.get(kind)
        spec = own.spec if own else Spec(DEFAULT_GOVERNOR_CODES[kind])
        if kind == "command":
            spec = trig.spec  # "ordered the paper to suspend publication" is the suspension
        elif form:
            code = self.book.recode(trig.spec.cameo, form)
            if code and not (kind == "threat" and not code.startswith("13")):
                spec = Spec(code)
            elif kind == "threat":
                spec = own.spec if own else Spec("130")
            elif kind == "intent" and not own:
                spec = trig.spec  # "plans to attack" with no intent code: the action itself
        absorbed.add(gov.i)
        composed = Trigger(
            gov,
            own.head if own else gov,  # a noun's own verb has its subject ("issued a call")
            spec,
            trig.consumed | (own.consumed if own else set()),
            content=trig.head,
            governor=kind,
        )
        # keep climbing: "said it was prepared to lift the ban", "has threatened to ban"
        return (
            self._climb(composed, by_token, heads, absorbed)
            if gov.dep_ in COMPLEMENT_DEPS
            else composed
        )

    def refine(self, trig: Trigger) -> Spec:
        """A generic violence code made specific by the weapon named in its clause."""
        if not trig.spec.refinable:
            return trig.spec
        clause = trig.head
        if clause.dep_ == "advcl" and clause.tag_ == "VBG":
            clause = clause.head  # "a Turkish drone hit a car, killing two": the drone's
        text = " ".join(lemma(t) for t in clause.subtree if not _a_mine_dug(t))
        for words, spec in self.lex.instruments:
            if f" {' '.join(words)} " in f" {text} ":
                return spec
        return trig.spec

    def modality(self, trig: Trigger, spec: Spec) -> tuple[Spec, str]:
        """The event's code and modality once negation and futurity are applied.

        Cue words come from ``when.modality`` (the clause up to the trigger); the parse adds
        a "not" attached to the verb itself and a will/would auxiliary ("said it would
        allow" reports a future action, not a hypothetical one).
        """
        coding = self.book.coding(spec.cameo, spec.plover_type, spec.mode)
        if condition(trig.head):
            return spec, "hypothetical"  # the condition is nobody's intent: keep its code
        if any(
            t.dep_ in ("pcomp", "pobj") and t.head.lower_ == "without"
            for t in (trig.token, trig.head)
        ):
            # "entered the town without firing a shot", "ended without an agreement"; the
            # words after its phrase are not negated ("... after the army pulled out")
            return spec, "denied"
        if negated(trig.head) and not trig.governor:
            refused = self.book.recode(spec.cameo, "refused")
            # refusing an ambiguous action is as ambiguous ("did not provide any details")
            return (Spec(refused, weak=spec.weak), "asserted") if refused else (spec, "denied")
        mod = clause_modality(trig.token.doc, near=trig.token.idx)
        if trig.governor in ("intent", "threat"):
            return spec, "future" if trig.governor == "intent" and has_future_aux(
                trig.head
            ) else "asserted"
        if mod == "denied" and (coding.plover_type in ("REJECT", "ACCUSE") or trig.governor):
            mod = "asserted"  # "refused to meet", "denied land allocation": the event itself
        if has_future_aux(trig.head) or (
            mod == "asserted" and trig.governor is None and self.purpose_of_noun(trig.head)
        ):
            mod = "future"
        if mod in ("future", "hypothetical") and coding.plover_type not in INTENT_TYPES:
            # announced or conditional actions are intents or threats ("may halt mediation")
            future = self.book.recode(spec.cameo, "future")
            return (Spec(future, weak=spec.weak) if future else spec), mod
        return spec, mod

    def purpose_of_noun(self, verb: Token) -> bool:
        """ "a deal to exchange prisoners", "authority to investigate": an infinitive that
        tells what a noun of agreement or permission is for has not happened (the deal
        has), unless the noun is ranked ("the first law to ban")."""
        return (
            verb.dep_ == "acl"
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
            and lemma(verb.head) in self.lex.purpose_nouns
            and not _ranked(verb.head)
        )

    def is_topic(self, trig: Trigger) -> bool:
        """ "too early to speak about granting asylum": an action talked about (a gerund
        under "about") is the topic of speech, not an event, asserted or otherwise."""
        head = trig.head
        return (
            trig.governor is None
            and head.tag_ == "VBG"
            and head.dep_ == "pcomp"
            and head.head.lower_ in ("about", "of")
            and bool(verb_lemmas(head.head.head) & (self.lex.report_verbs | TALK_VERBS))
        )

    def declines_comment(self, trig: Trigger) -> bool:
        """ "refused to speculate", "declined to comment": no political event (but "refused
        to respond to a demand" rejects the demand)."""
        proposals = self.lex.classes["proposal"]
        return (
            trig.governor is None
            and governor_of(self.lex, trig.token) == "refusal"
            and any(
                c.dep_ == "xcomp"
                and lemma(c) in self.lex.non_events
                and not any(lemma(o) in proposals for o in objects(c))
                for c in trig.token.children
            )
        )

    def main_clause(self, tok: Token) -> bool:
        """Whether the action is what the sentence reports: the root, or what is said."""
        while tok.head != tok:
            if (
                tok.dep_ not in ("ccomp", "parataxis")
                or not verb_lemmas(tok.head) & self.lex.report_verbs
            ):
                return False
            tok = tok.head
        return True

    @staticmethod
    def adverbial(tok: Token) -> bool:
        """Whether the action is in an adverbial clause ("after meeting Fazli", "though he
        offered a probe") rather than in what the main clause says."""
        while tok.head != tok:
            if tok.dep_ == "advcl":
                return True
            tok = tok.head
        return False

    def demands(self, doc: Doc) -> list[Trigger]:
        """ "Russia said Sudan must return the helicopter": a demand by the speaker.

        A clause with "must"/"should" under a verb or noun of saying ("a reminder that Iraq
        must cooperate") is a demand of that clause's speaker on its subject.
        """
        found = []
        for tok in doc:
            if tok.dep_ not in ("ccomp", "acl") or not any(
                c.dep_ == "aux" and c.lower_ in self.lex.obligation_modals for c in tok.children
            ):
                continue
            speaker = tok.head
            while pos(speaker) not in VERB_POS and speaker.head != speaker:
                speaker = speaker.head
            own = self.finder.match_verb(tok)
            code = self.book.recode(own[0].cameo, "requested") if own else None
            found.append(
                Trigger(speaker, speaker, Spec(code or "100"), content=tok, governor="request")
            )
        return found


def _a_mine_dug(tok: Token) -> bool:
    """ "a gold mine", "the coal mine": a mine with a compound is dug, not laid."""
    return lemma(tok) == "mine" and any(c.dep_ == "compound" for c in tok.children)
