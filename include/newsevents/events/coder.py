"""The event coder: who did what to whom, from parsed sentences (PETRARCH-style rules).

For each candidate sentence (see ``nlp``) the coder
1. finds triggers: verbs of the lexicon whose object/subject conditions hold ("withdrew
   its troops"), and event nouns under a light verb ("held talks") or as the subject of a
   verb of occurrence ("riots continued");
2. composes governors with what they govern: "agreed to provide aid" is an intent to aid
   (0331, AGREE), "threatened to shell" a threat of attack (1384), "refused to meet" a
   rejection (125), "demanded that X release" a demand (1053); "accused X of attacking" is
   an accusation;
3. refines generic violence by its instrument ("killed in an air strike" → 195 aerial),
   and applies modality: announced actions become intents ("will meet" → 036, PLOVER's
   AGREE; "will impose a curfew" → 1323, THREATEN), negated cooperation becomes refusal
   ("will not accept" → REJECT), other negated or denied actions are kept with modality
   "denied" (never as having happened);
4. codes actor1 (subject, or the "by" agent of a passive) and actor2 (object, passive
   subject, or a prepositional object such as "against X") with the actor dictionaries;
   a pronoun is the subject of the reporting clause or the previous sentence's actor;
   a sector with no country takes the article's main country ("the rebels"). A place
   where something happens ("meet in Geneva") and the source of a report ("according to
   the Observatory") are never actor2; see ``SentenceCoder._target`` for its ranking;
5. adds date, modality, place, casualties and attribution from the context modules
   (``when``, ``geo``, ``counts``).
Identical events reported in several sentences or articles are merged by ``merge``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date

from spacy.tokens import Doc, Token

from newsevents.events import geo, when
from newsevents.events.actors import INTERNATIONAL, Actor, actor_dictionary
from newsevents.events.codebook import Coding, codebook
from newsevents.events.lexicon import Condition, Spec, lexicon
from newsevents.events.nlp import lemma, pos, prefilter

PLACE_KEY = "newsevents.place"  # Doc.user_data key of the sentence's place
VERB_POS = {"VERB", "AUX"}
NOUN_POS = {"NOUN", "PROPN"}
GOVERNOR_POS = {"VERB", "AUX", "ADJ"}  # "ready to", "willing to" govern like verbs
OBJECT_DEPS = {"dobj", "nsubjpass", "dative", "attr", "oprd", "obj"}
# Dependencies through which an action is the content of the word above it.
COMPLEMENT_DEPS = {"xcomp", "ccomp", "pcomp", "prep", "pobj", "dobj", "acomp", "advcl", "conj"}
# Prepositions of time, cause and circumstance: what they introduce is not the content of
# the verb ("agreed to a ceasefire after two days of fighting").
# fmt: off
ADJUNCT_PREPS = {"after", "before", "during", "since", "despite", "amid", "amidst", "following",
                 "until", "because", "as", "like", "than", "without", "within", "near", "between",
                 "among", "throughout", "ahead", "prior", "due", "in"}
# Prepositions introducing the one acted upon, in order of preference.
TARGET_PREPS = ("against", "on", "upon", "at", "to", "toward", "towards", "with", "between",
                "among", "into", "over", "for", "in", "of", "from", "by")
# An accusation's "to" names whom it is addressed to; what it is about comes first
# ("complained to the U.N. over Israeli raids").
GRIEVANCE_PREPS = ("against", "over", "about", "of")
CANDIDATE_PREPS = set(TARGET_PREPS) | set(GRIEVANCE_PREPS)
# Prepositions of a place where something happens: a place there is not the one acted upon.
LOCATIVE_PREPS = {"in", "near", "inside", "outside", "throughout"}
# PLOVER types of actions between parties, where a party named beside actor1 is the other.
SYMMETRIC_TYPES = {"CONSULT", "AGREE", "COOPERATE"}
MAX_UNKNOWN_NAME_WORDS = 4
CALENDAR_WORDS = {w.lower() for w in (*calendar.day_name, *calendar.month_name) if w}
# Nouns of "in support of X", "on behalf of X": X is whom the action is for.
BENEFICIARY_NOUNS = {"support", "favor", "favour", "solidarity", "behalf", "defence", "defense"}
# PLOVER types of actions done to places, whose target may be the town they happen in.
PLACE_TARGET_TYPES = {"ASSAULT", "COERCE", "MOBILIZE", "SANCTION", "AID", "RETREAT", "PROTEST"}
# Adjuncts of time and cause, attributions ("according to the Observatory"), and
# dependents that never lead to the one acted upon.
TIME_CAUSE_PREPS = {"after", "before", "during", "since", "despite", "amid", "amidst",
                    "following", "until", "because", "due", "prior", "ahead", "like",
                    "according"}
# Conjunctions of contrasting clauses, which tell of other actors ("while inspectors said");
# not "until they gain control", "as battles raged between insurgents and ...".
CONTRAST_MARKS = {"while", "whilst", "whereas", "although", "though"}
NON_TARGET_DEPS = {"aux", "auxpass", "neg", "punct", "det", "cc", "mark", "npadvmod",
                   "parataxis", "relcl"}
# fmt: on
FUTURE_AUX = {"will", "would", "shall", "'ll", "wo"}
RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}
INTENT_TYPES = {"AGREE", "THREATEN", "REQUEST", "REJECT"}
# The code of a governor that is not itself a trigger ("decided to", "plans to").
DEFAULT_GOVERNOR_CODES = {"intent": "030", "threat": "130", "request": "100", "refusal": "120",
                          "accusation": "112", "command": "100"}  # fmt: skip

# Confidence: what the event's evidence adds up to (see _confidence).
BASE_CONFIDENCE = 0.45
MIN_CONFIDENCE = 0.35


@dataclass
class Trigger:
    """One candidate event in a parsed sentence."""

    token: Token  # the word naming the action ("shelled", "talks", "agreed")
    head: Token  # the word whose subject is actor1 (the verb, or the light verb of a noun)
    spec: Spec
    consumed: set[int] = field(default_factory=set)  # objects that are the action's own ("troops")
    content: Token | None = None  # the governed clause, whose objects give actor2
    governor: str | None = None  # kind of governor composed into this event


@dataclass(frozen=True)
class Draft:
    """A coded event of one sentence, before place, date and casualties are added."""

    trigger: str
    offset: int  # character offset of the trigger in the sentence
    cameo: str
    plover_type: str | None
    mode: str | None
    modality: str
    actor1: Actor | None
    actor2: Actor | None
    main_clause: bool


@dataclass
class ArticleContext:
    """What the coder knows about the article while going through its sentences."""

    reference: date | None
    countries: list[str]  # ISO3, most mentioned first (geo.Gazetteer.country_context)
    last_actor: Actor | None = None  # for pronouns in later sentences
    sources: list[str] = field(default_factory=list)  # attributions so far ("it said")


class SentenceCoder:
    """Codes the events of one parsed sentence (see the module docstring)."""

    def __init__(self, gazetteer: geo.Gazetteer) -> None:
        self.lex = lexicon()
        self.book = codebook()
        self.actors = actor_dictionary()
        self.gazetteer = gazetteer

    # -- 1. triggers ------------------------------------------------------------------

    def triggers(self, doc: Doc) -> list[Trigger]:
        found: list[Trigger] = []
        consumed: set[int] = set()
        words = prefilter()
        candidates = [
            tok
            for tok in doc
            if words.may_trigger(tok.lower_) or any(words.may_trigger(c.lower_) for c in tok.lefts)
        ]  # "mediation mission"
        for tok in candidates:
            if pos(tok) in VERB_POS:
                match = self._match_verb(tok)
                if match:
                    spec, objects = match
                    found.append(Trigger(tok, tok, spec, objects))
                    consumed |= objects
        for tok in candidates:
            if (
                pos(tok) in NOUN_POS
                and tok.i not in consumed
                and tok.dep_ not in ("compound", "amod")
            ):
                spec = self._match_noun(tok)
                head = self._noun_event_head(tok, found) if spec else None
                if spec and head is not None:
                    found.append(Trigger(tok, head, spec, {tok.i}))
        return found

    def _match_verb(self, tok: Token) -> tuple[Spec, set[int]] | None:
        verb = next((v for v in verb_lemmas(tok) if v in self.lex.verbs), None)
        for entry in self.lex.verbs.get(verb, ()):
            if entry.particle and not any(
                c.lower_ == entry.particle and c.dep_ in ("prt", "prep", "advmod", "agent")
                for c in tok.children
            ):
                continue
            for condition, spec in entry.rules:
                objects = self._satisfied(condition, tok)
                if objects is not None:
                    return spec, objects
        return None

    def _satisfied(self, condition: Condition, verb: Token) -> set[int] | None:
        """None if the condition fails, else the object tokens it consumed."""
        if condition.kind == "always":
            return set()
        if condition.kind == "clause":
            return set() if any(c.dep_ == "ccomp" for c in verb.children) else None
        if condition.kind == "any_object":
            has = any(c.dep_ in OBJECT_DEPS | {"xcomp", "ccomp"} for c in verb.children)
            return set() if has else None
        if condition.kind == "subject":
            subjects = [c for c in verb.children if c.dep_ == "nsubj"]
            return set() if any(condition.words & _phrase_lemmas(s) for s in subjects) else None
        hits = {o.i for o in _objects(verb) if condition.words & _phrase_lemmas(o)}
        return hits or None

    def _match_noun(self, tok: Token) -> Spec | None:
        mods = [lemma(c) for c in tok.lefts if c.dep_ in ("compound", "amod")]
        word = lemma(tok)
        keys = [tuple(mods[len(mods) - k :] + [word]) for k in range(len(mods), -1, -1)]
        for child in tok.rights:
            if child.dep_ == "prep" and child.lower_ == "of":
                keys[:0] = [(word, "of", lemma(g)) for g in child.children if g.dep_ == "pobj"]
        keys += [(m,) for m in reversed(mods)]  # "a mediation mission", "war games"
        for key in keys:
            if key in self.lex.nouns:
                return self.lex.nouns[key]
        return None

    def _noun_event_head(self, tok: Token, verb_triggers: list[Trigger]) -> Token | None:
        """The verb that reports an event noun as an event, if any ("held talks": held)."""
        if tok.dep_ == "pobj" and tok.head.lower_ == "of" and _is_quantity(tok.head.head):
            tok = tok.head.head  # "10 days of war games": the quantity stands for the noun
        verb = tok.head
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
            return verb if self._governor_of(verb) not in (None, "passthrough") else None
        if tok.dep_ == "nsubj":
            return tok if lemmas & self.lex.occurrence_verbs else None
        if lemmas & self.lex.light_verbs or self._governor_of(verb):
            return verb
        return None

    # -- 2. governors -----------------------------------------------------------------

    def compose(self, triggers: list[Trigger]) -> list[Trigger]:
        """Merge each governed action into its governor ("agreed" + "to provide aid")."""
        by_token = {t.token.i: t for t in triggers}
        heads = {t.head.i for t in triggers}
        result: list[Trigger] = []
        absorbed: set[int] = set()
        for trig in sorted(triggers, key=lambda t: -_depth(t.head)):
            if trig.token.i in absorbed:
                continue
            trig = self._climb(trig, by_token, heads, absorbed)
            if trig is not None:
                result.append(trig)
        kept = [t for t in result if t.token.i not in absorbed or t.governor]
        # two actions composed into one governor ("demanded a meeting ... to discuss"): the
        # one next to it is what it governs, the other its purpose or a misparse
        nearest: dict[int, Trigger] = {}
        for t in kept:
            if t.governor and t.content is not None:
                known = nearest.get(t.token.i)
                if known is None or _distance(t) < _distance(known):
                    nearest[t.token.i] = t
        return [t for t in kept if nearest.get(t.token.i, t) is t]

    def _climb(
        self, trig: Trigger, by_token: dict[int, Trigger], heads: set[int], absorbed: set[int]
    ) -> Trigger | None:
        if trig.head != trig.token and pos(trig.token) in NOUN_POS and trig.token.dep_ != "nsubj":
            kind = self._governor_of(trig.head)  # "called for a ceasefire"
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
            kind = self._governor_of(node)
            if pos(node) not in GOVERNOR_POS and not (kind and pos(node) == "NOUN"):
                continue
            if kind and kind != "passthrough" and link != "conj":
                return self._govern(trig, node, kind, by_token, heads, absorbed)
            if node.i in heads and link in ("xcomp", "advcl") and _to_infinitive(trig.head):
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
                kind = self._governor_of(noun)
                if kind not in (None, "passthrough"):
                    return noun, kind
        return None

    def _governor_of(self, tok: Token) -> str | None:
        word = lemma(tok)
        for child in tok.children:
            if child.dep_ in ("prt", "prep"):
                kind = self.lex.governor_kind(f"{word} {child.lower_}")
                if kind:
                    return kind
        return self.lex.governor_kind(word)

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

    # -- 3. instruments and modality -----------------------------------------------------

    def refine(self, trig: Trigger) -> Spec:
        """A generic violence code made specific by the weapon named in its clause."""
        if not trig.spec.refinable:
            return trig.spec
        text = " ".join(lemma(t) for t in trig.head.subtree)
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
        if _negated(trig.head) and not trig.governor:
            refused = self.book.recode(spec.cameo, "refused")
            return (Spec(refused), "asserted") if refused else (spec, "denied")
        mod = when.modality(trig.token.doc.text, near=trig.token.idx)
        if trig.governor in ("intent", "threat"):
            return spec, "future" if trig.governor == "intent" and _has_future_aux(
                trig.head
            ) else "asserted"
        if mod == "denied" and (coding.plover_type in ("REJECT", "ACCUSE") or trig.governor):
            mod = "asserted"  # "refused to meet", "denied land allocation": the event itself
        if _has_future_aux(trig.head):
            mod = "future"
        if mod in ("future", "hypothetical") and coding.plover_type not in INTENT_TYPES:
            # announced or conditional actions are intents or threats ("may halt mediation")
            future = self.book.recode(spec.cameo, "future")
            return (Spec(future) if future else spec), mod
        return spec, mod

    # -- 4. actors ----------------------------------------------------------------------

    def actor(self, tok: Token | None, ctx: ArticleContext, local: bool = False) -> Actor | None:
        """The actor a noun phrase names; pronouns and bare sectors are resolved in context.

        A bare sector ("the rebels") takes the country of the possessive pronoun's
        antecedent ("their forces"), else, for one acted upon (``local``), the country
        where the sentence's event happens, else the article's main country. An ethnic
        group ("ethnic Albanians") is of the country it lives in, where the event happens.
        """
        if tok is None:
            return None
        if pos(tok) == "PRON" or tok.lower_ in RELATIVE_PRONOUNS:
            return self._antecedent(tok, ctx)
        found = self.actors.resolve(tok)
        if found is not None and not self._names_people(tok):
            # "an Australian ultimatum", "the Bosnian town of Gorazde": only a country;
            # "Russian raids": its armed forces, "Taliban attacks": the Taliban
            if found.country is None:
                return None
            military = lemma(tok) in self.lex.military_actions
            return replace(found, sector=(found.sector or "MIL") if military else None)
        if found is None and pos(tok) == "PROPN":
            place = self.gazetteer.locate(_in_context(tok), ctx.countries)
            if place is not None:
                found = Actor(_phrase_text(tok), place.country, None)
        if found is None:
            return None
        if found.country is None and found.sector not in (None, "IGO", "NGO", "IMG"):
            found = replace(found, country=self._context_country(tok, ctx, local))
        elif any(lemma(c) == "ethnic" for c in tok.children) and self.place_country(tok.doc, ctx):
            found = replace(found, country=self.place_country(tok.doc, ctx))
        return found

    def _context_country(self, tok: Token, ctx: ArticleContext, local: bool) -> str | None:
        """The country of a phrase that names none: its possessive pronoun's antecedent's,
        its own locative phrase's, for one acted upon the sentence's place's, else the
        article's main country."""
        owner = next((c for c in tok.children if c.dep_ == "poss" and pos(c) == "PRON"), None)
        antecedent = self._antecedent(owner, ctx) if owner is not None else None
        if antecedent is not None:
            return antecedent.country
        here = self._home_place(tok, ctx)
        if here is None and local:
            here = self.place_country(tok.doc, ctx)
        return here or (ctx.countries[:1] or [None])[0]

    def _home_place(self, tok: Token, ctx: ArticleContext) -> str | None:
        """The country of a place named in a phrase's own locative phrase ("a missionary
        from Calgary", "militias in Tripoli", "students at Cumhuriyet University")."""
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ in ("from", "in", "at", "of"):
                for noun in prep.children:
                    if noun.dep_ == "pobj" and pos(noun) == "PROPN":
                        # "in": the gazetteer does not place an origin ("from X") on its own
                        place = self.gazetteer.locate(f"in {_phrase_text(noun)}", ctx.countries)
                        if place is not None:
                            return place.country
        return None

    def place(self, doc: Doc, ctx: ArticleContext) -> geo.Place | None:
        """Where the sentence's events happen (``geo``), looked up once per sentence."""
        if PLACE_KEY not in doc.user_data:
            doc.user_data[PLACE_KEY] = self.gazetteer.locate(doc.text, ctx.countries)
        return doc.user_data[PLACE_KEY]

    def place_country(self, doc: Doc, ctx: ArticleContext) -> str | None:
        place = self.place(doc, ctx)
        return place.country if place else None

    def _names_people(self, tok: Token) -> bool:
        """Whether a noun can name an actor: not an event, proposal or place word."""
        word = lemma(tok)
        return not (
            (word,) in self.lex.nouns
            or word in self.lex.classes["proposal"]
            or word in self.lex.classes["agreement"]
            or word in self.lex.place_nouns
            or word in self.lex.military_actions
        )

    def _antecedent(self, pron: Token, ctx: ArticleContext) -> Actor | None:
        """A pronoun's actor: the speaker of the clause it is in, else the last actor."""
        if pron.lower_ in RELATIVE_PRONOUNS:
            node = pron.head
            while node.dep_ != "relcl" and node.head != node:
                node = node.head
            return self.actor(node.head, ctx) if node.dep_ == "relcl" else None
        node = pron.head
        while node.head != node:
            node = node.head
            subject = next(
                (
                    c
                    for c in node.children
                    if c.dep_ in ("nsubj", "nsubjpass")
                    and pos(c) != "PRON"
                    and not pron.is_ancestor(c)
                    and not c.is_ancestor(pron)
                ),
                None,
            )
            if subject is not None:
                return self.actors.resolve(subject) or ctx.last_actor
        return ctx.last_actor

    def actor1(self, trig: Trigger, ctx: ArticleContext) -> Actor | None:
        head = trig.head
        if pos(head) in NOUN_POS:  # "riots continued": the noun's own modifiers
            return self.actor(_agent(head) or head, ctx)
        node = head
        while True:
            subject = next((c for c in node.children if c.dep_ in ("nsubj", "csubj")), None)
            agent = _agent(node)
            if agent is not None:
                return self.actor(agent, ctx)
            if subject is not None:
                return self.actor(subject, ctx)
            passive = next((c for c in node.children if c.dep_ == "nsubjpass"), None)
            if passive is not None:
                # "Vietnam is committed to", "Israel is opposed to": adjectival passives
                if self._governor_of(node):
                    return self.actor(passive, ctx)
                return self._instrument_owner(node, ctx)
            if node.dep_ == "acl" and pos(node.head) in NOUN_POS and node.tag_ != "VBN":
                found = self.actor(node.head, ctx)  # "Palestinian youths resorted to ..."
                if found or node.head.dep_ not in OBJECT_DEPS | {"pobj"}:
                    return found
                node = node.head.head  # "issued a declaration demanding": who issued it
                node = node.head if node.dep_ == "prep" else node
                continue
            if node.dep_ in ("xcomp", "advcl", "conj", "pcomp", "acomp") and node.head != node:
                node = node.head.head if node.dep_ == "pcomp" else node.head
                continue
            return None

    def _instrument_owner(self, verb: Token, ctx: ArticleContext) -> Actor | None:
        """ "killed in Russian raids": whose weapon or attack a passive names."""
        for noun in self._instruments_of(verb):
            found = self.actor(noun, ctx)
            if found is not None:
                return found
        return None

    def _instruments_of(self, verb: Token) -> list[Token]:
        """Event and weapon nouns in a verb's "in"/"by"/"during" phrases."""
        instruments = {w for words, _ in self.lex.instruments for w in words}
        return [
            g
            for c in verb.children
            if c.dep_ == "prep" and c.lower_ in ("in", "by", "during", "from")
            for g in c.children
            if g.dep_ == "pobj" and ((lemma(g),) in self.lex.nouns or lemma(g) in instruments)
        ]

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
        it must": the addressee) comes first. Then the candidates of ``_target_candidates``
        rank (see ``_candidate``): a phrase naming its country or an international body, a
        bare sector ("police"); then the other party of a meeting named beside actor1
        (``_partner``); the same two ranks in the nearest phrases the action governs
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
                subject = _addressee(trig.head) or subject
            found = self.actor(subject, ctx, local=True)
            if found and found != actor1:
                return found
        ranked: dict[str, Actor] = {}
        for tok in places:
            weapons = {w.i for w in self._instruments_of(tok)}
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
        partner = self._partner(trig, actor1, ctx)
        if partner is not None:
            return partner
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

    def _partner(self, trig: Trigger, actor1: Actor | None, ctx: ArticleContext) -> Actor | None:
        """The other party of a meeting or agreement named with actor1: "diplomats from the
        U.S., Russia and the U.N. will meet", "Hungarian and Romanian officials agreed"."""
        if actor1 is None or self._coding(trig).plover_type not in SYMMETRIC_TYPES:
            return None
        subject = next((c for c in trig.head.children if c.dep_ == "nsubj"), None)
        if subject is None:
            return None
        parts = list(subject.conjuncts)
        for child in subject.children:
            if child.dep_ in ("amod", "compound"):
                parts += child.conjuncts
            elif child.dep_ == "prep" and child.lower_ in ("from", "of"):
                parts += [c for g in child.children if g.dep_ == "pobj" for c in g.conjuncts]
        for part in parts:
            found = self.actor(part, ctx)
            if found is not None and (found.country, found.sector) != (
                actor1.country,
                actor1.sector,
            ):
                return found
        return None

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
        found = self.actor(tok, ctx, local=True)
        if found is None and governed and not self._venue(tok) and _unknown_name(tok):
            # "lift the ban on the Islamic Salvation Front": a name the dictionaries lack
            found = Actor(_phrase_text(tok), self._context_country(tok, ctx, True), None)
        if found is None or found == actor1:
            return "none", None
        whose = self._says_whose(tok, ctx)
        if _owned(tok) or (tok.i in trig.consumed and not whose):
            return "own", found  # "its troops", "mobilized army reservists"
        if self._venue(tok):
            # a country or capital may be the one acted upon there, and a town may be
            # attacked or besieged, but a town is no party to talks
            named = self.actors.resolve(tok) is not None
            return ("venue", found) if named or self._acts_on_places(trig) else ("none", None)
        return ("whose" if whose else "bare"), found

    def _acts_on_places(self, trig: Trigger) -> bool:
        """Whether the action can be done to a place (attacked, besieged, occupied)."""
        return self._coding(trig).plover_type in PLACE_TARGET_TYPES

    def _coding(self, trig: Trigger) -> Coding:
        """The codes of a trigger's own action (before modality makes it an intent)."""
        spec = trig.spec
        return self.book.coding(spec.cameo, spec.plover_type, spec.mode)

    def _venue(self, tok: Token) -> bool:
        """ "meet in Geneva", "an investigation in Italy": a name of a place where something
        happens (not "protesters in Cairo", whose candidate is the protesters)."""
        if tok.dep_ != "pobj" or tok.head.lower_ not in LOCATIVE_PREPS or pos(tok) != "PROPN":
            return False
        named = self.actors.resolve(tok)  # a capital stands for its government ("GOV")
        return named is None or (named.country is not None and named.sector in (None, "GOV"))

    def _says_whose(self, tok: Token, ctx: ArticleContext) -> bool:
        """Whether a phrase itself names a country or an international body ("Iraqi
        troops", "a missionary from Calgary", "the U.N."), unlike a bare sector ("police")
        or a place, which rank as they come."""
        if pos(tok) == "PRON":
            return True
        named = self.actors.resolve(tok)
        if named is None:
            return False
        return bool(named.country or named.sector in INTERNATIONAL or self._home_place(tok, ctx))

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
        hostile = self._coding(trig).quad_class >= 3  # verbal or material conflict
        while queue:
            node = queue.pop(0)
            for child in node.children:
                if child.i in seen or child.dep_ in NON_TARGET_DEPS:
                    continue
                if child.dep_ == "prep" and child.lower_ in TIME_CAUSE_PREPS:
                    continue
                if hostile and _for_whom(child):
                    continue  # "air strikes in support of the army": an ally, not the target
                if child.dep_ == "advcl" and any(
                    c.dep_ == "mark" and c.lower_ in CONTRAST_MARKS for c in child.children
                ):
                    continue  # "..., while inspectors said they needed more time"
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
        direct, clauses, preps, own = [], [], {}, []
        children = list(tok.children)
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
                (own if child.i in trig.consumed or _owned(child) else direct).append(child)
                if not self._names_people(child):
                    direct.extend(_participants(child))  # "banned rallies by the opposition"
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
        order = TARGET_PREPS
        if self._coding(trig).plover_type == "ACCUSE":
            order = GRIEVANCE_PREPS + TARGET_PREPS
        ordered = direct + clauses
        ordered += [p for prep in dict.fromkeys(order) for p in preps.get(prep, [])] + own
        return [c for t in ordered for c in (t, *t.conjuncts) if c.i != trig.token.i]

    # -- the sentence ---------------------------------------------------------------------

    def code(self, doc: Doc, ctx: ArticleContext) -> list[Draft]:
        drafts: list[Draft] = []
        demands = self._demands(doc)
        demanded = {t.content.i for t in demands}
        triggers = [
            t for t in self.compose(self.triggers(doc)) if not _within(t.head, demanded)
        ]
        for trig in sorted(triggers + demands, key=lambda t: _depth(t.token)):
            if self._declines_comment(trig):
                continue
            spec, modality = self.modality(trig, self.refine(trig))
            actor1 = self.actor1(trig, ctx)
            actor2 = self.actor2(trig, actor1, ctx)
            if actor1 is None and actor2 is None:
                continue
            if spec.cameo in ("112",) or lemma(trig.token) in self.lex.accusatory:
                spec, actor1, actor2 = self._as_accusation(trig, spec, actor1, actor2, ctx)
            drafts.append(
                Draft(
                    trig.token.text,
                    trig.token.idx,
                    spec.cameo,
                    spec.plover_type,
                    spec.mode,
                    modality,
                    actor1,
                    actor2,
                    self._main_clause(trig.token),
                )
            )
            if actor1 is not None and actor1.country:
                ctx.last_actor = actor1
        return drafts

    def _declines_comment(self, trig: Trigger) -> bool:
        """ "refused to speculate", "declined to comment": no political event (but "refused
        to respond to a demand" rejects the demand)."""
        proposals = self.lex.classes["proposal"]
        return (
            trig.governor is None
            and self._governor_of(trig.token) == "refusal"
            and any(
                c.dep_ == "xcomp"
                and lemma(c) in self.lex.non_events
                and not any(lemma(o) in proposals for o in _objects(c))
                for c in trig.token.children
            )
        )

    def _main_clause(self, tok: Token) -> bool:
        """Whether the action is what the sentence reports: the root, or what is said."""
        while tok.head != tok:
            if (
                tok.dep_ not in ("ccomp", "parataxis")
                or not verb_lemmas(tok.head) & self.lex.report_verbs
            ):
                return False
            tok = tok.head
        return True

    def _as_accusation(
        self,
        trig: Trigger,
        spec: Spec,
        actor1: Actor | None,
        actor2: Actor | None,
        ctx: ArticleContext,
    ) -> tuple[Spec, Actor | None, Actor | None]:
        """A judgement reported by someone else is that speaker's accusation.

        "Hijab said the United States had backtracked" is Hijab accusing the United States.
        """
        if lemma(trig.token) not in self.lex.accusatory:
            return spec, actor1, actor2
        speaker = _speaker(trig.head, self.lex.report_verbs)
        speaker_actor = self.actor(speaker, ctx) if speaker is not None else None
        if speaker_actor is None or speaker_actor == actor1:
            return spec, actor1, actor2
        return Spec("112"), speaker_actor, actor1

    def _demands(self, doc: Doc) -> list[Trigger]:
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
            own = self._match_verb(tok)
            code = self.book.recode(own[0].cameo, "requested") if own else None
            found.append(
                Trigger(speaker, speaker, Spec(code or "100"), content=tok, governor="request")
            )
        return found


def _objects(verb: Token) -> list[Token]:
    """A verb's objects: direct, passive subject, dative, and prepositional objects."""
    found = []
    for child in verb.children:
        if child.dep_ in OBJECT_DEPS:
            found.append(child)
        elif child.dep_ in ("prep", "prt"):
            found.extend(g for g in child.children if g.dep_ == "pobj")
    return [c for o in found for c in (o, *o.conjuncts)]


def _unknown_name(tok: Token) -> bool:
    """A proper name that may be an actor the dictionaries lack: a short run of capitalised
    words (not a date, "on Monday", nor a headline or a product's description)."""
    names = [t for t in tok.subtree if t.dep_ in ("compound", "flat") and pos(t) == "PROPN"]
    return (
        pos(tok) == "PROPN"
        and pos(tok.head) != "PROPN"  # the head of the name, not a word inside it
        and tok.lower_ not in CALENDAR_WORDS
        and len(tok) > 1
        and len(names) < MAX_UNKNOWN_NAME_WORDS  # "candidate Alassane Ouattara"
        and all(t.is_title for t in (*names, tok))
    )


def _for_whom(prep: Token) -> bool:
    """ "in support of", "on behalf of", "in defence of": a phrase naming whom an action
    is for."""
    return prep.dep_ == "prep" and any(
        g.dep_ == "pobj" and g.lower_ in BENEFICIARY_NOUNS for g in prep.children
    )


def _addressee(verb: Token) -> Token | None:
    """Whom a verb of saying is addressed to: "told Iraq", "issued a reminder to Iraq"."""
    for child in verb.children:
        if child.dep_ in ("dative", "prep") and child.lower_ == "to":
            return next((g for g in child.children if g.dep_ == "pobj"), None)
        if child.dep_ == "dative":
            return child
    return None


def _participants(event: Token) -> list[Token]:
    """Who takes part in an event a noun names: "a demonstration staged by students",
    "rallies by the Kifaya group", "the students' protest"."""
    found = []
    for child in event.children:
        if child.dep_ == "poss" and pos(child) != "PRON":
            found.append(child)
        elif child.dep_ == "prep" and child.lower_ == "by":
            found.extend(g for g in child.children if g.dep_ == "pobj")
        elif child.dep_ == "acl" and (agent := _agent(child)) is not None:
            found.append(agent)
    return found


def _phrase_lemmas(tok: Token) -> set[str]:
    """Lemmas of a noun and its modifiers, single and as "modifier noun" pairs, and of an
    "of" complement of a quantity ("tons of food")."""
    word = lemma(tok)
    words = {word, tok.lower_}
    for child in tok.children:
        if child.dep_ in ("compound", "amod", "nmod"):
            words |= {lemma(child), f"{lemma(child)} {word}"}
        elif child.dep_ == "prep" and child.lower_ == "of":
            for g in child.children:
                if g.dep_ == "pobj":
                    words |= {lemma(g)} | {
                        lemma(c) for c in g.children if c.dep_ in ("compound", "amod")
                    }
    return words


def verb_lemmas(tok: Token) -> set[str]:
    """The lemma and plausible base forms of a verb (the small model lemmatizes some
    verbs wrongly: "staged" → "stag")."""
    word = tok.lower_
    forms = {lemma(tok), word}
    for suffix, repl in (
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
        ("ing", ""),
        ("ing", "e"),
        ("s", ""),
        ("ies", "y"),
        ("ied", "y"),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) > 2:
            forms.add(word[: -len(suffix)] + repl)
    return forms


def _is_quantity(noun: Token) -> bool:
    """ "10 days (of)", "a series (of)", "dozens (of)": a noun that measures another."""
    return pos(noun) in NOUN_POS and (
        lemma(noun) in lexicon().quantities or any(c.dep_ == "nummod" for c in noun.children)
    )


def _to_infinitive(verb: Token) -> bool:
    """ "to demand", "demanding": a clause stating the purpose or manner of another action."""
    return verb.tag_ == "VBG" or any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _distance(trig: Trigger) -> int:
    """Words between a composed governor and the action it governs."""
    return abs(trig.token.i - trig.content.i) if trig.content is not None else 0


def _within(tok: Token, clauses: set[int]) -> bool:
    """Whether a verb is one of the clauses or their complement or purpose ("must ensure
    security to allow supplies")."""
    while tok.i not in clauses and tok.dep_ in ("xcomp", "advcl", "ccomp") and tok.head != tok:
        tok = tok.head
    return tok.i in clauses


def _depth(tok: Token) -> int:
    depth = 0
    while tok.head != tok:
        tok, depth = tok.head, depth + 1
    return depth


def _agent(verb: Token) -> Token | None:
    """The "by" agent of a passive verb or an event noun ("attacked by militiamen")."""
    for child in verb.children:
        if child.dep_ == "agent" or (
            child.dep_ == "prep" and child.lower_ == "by" and pos(verb) in NOUN_POS
        ):
            return next((g for g in child.children if g.dep_ == "pobj"), None)
    return None


def _owned(tok: Token) -> bool:
    """ "its troops": an object that belongs to the subject is not the one acted upon."""
    return any(c.dep_ == "poss" and pos(c) == "PRON" for c in tok.children)


def _negated(verb: Token) -> bool:
    return any(c.dep_ == "neg" for c in verb.children)


def _has_future_aux(verb: Token | None) -> bool:
    return verb is not None and any(
        c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in verb.children
    )


def _phrase_text(tok: Token) -> str:
    words = [t for t in tok.subtree if t.dep_ in ("compound", "flat") or t == tok]
    return " ".join(t.text for t in words)


def _in_context(tok: Token) -> str:
    """A name with the word before it, so the gazetteer sees its place cue ("in Jericho",
    "shelled Juba") and does not take it for a sentence opening."""
    start = min(t.i for t in tok.subtree if t.dep_ in ("compound", "flat") or t == tok)
    before = tok.doc[start - 1].text + " " if start > 0 else ""
    return before + _phrase_text(tok)


def _speaker(verb: Token, report_verbs: frozenset[str]) -> Token | None:
    """The subject of the reporting verb a clause hangs from ("Hijab said ...": Hijab)."""
    node = verb
    while node.head != node:
        node = node.head
        if lemma(node) in report_verbs:
            return next((c for c in node.children if c.dep_ == "nsubj"), None)
    return None
