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
   a pronoun is the subject of the reporting clause, else a subject named before it in
   the sentence, else the last actor named (an event's actor1, or the first named
   subject of a sentence without one);
   a sector with no country takes the article's main country ("the rebels"). A place
   where something happens ("meet in Geneva") and the source of a report ("according to
   the Observatory") are never actor2; see ``targets`` for its ranking;
5. adds date, modality, place, casualties and attribution from the context modules
   (``when``, ``geo``, ``counts``).
Identical events reported in several sentences or articles are merged by ``merge``.

Steps 1-4 live in their own modules (``triggers``, ``modality``, ``actor_phrases``,
``targets``); this one puts them together for a sentence. The PLOVER type of a sentence
may come from the learned classifier instead (``combine``).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from newsevents.events.acled import ARMED_SECTORS, STATE_SECTORS
from newsevents.events.actor_phrases import ActorResolver, ArticleContext
from newsevents.events.actors import Actor, ActorDictionary
from newsevents.events.codebook import Codebook
from newsevents.events.geo import Gazetteer
from newsevents.events.lexicon import Lexicon, Spec
from newsevents.events.modality import Governors
from newsevents.events.nlp import Prefilter
from newsevents.events.syntax import (
    NOUN_POS,
    depth,
    lemma,
    objects,
    pos,
    speaker,
    within,
)
from newsevents.events.targets import TargetFinder
from newsevents.events.triggers import SCENE_PREPS, Trigger, TriggerFinder

# Doc.user_data key: the rules set a trigger of the sentence aside as no event.
SET_ASIDE_KEY = "newsevents.set_aside"
# PLOVER types coded without actor1 (an unidentified attacker, unnamed organisers).
SOURCELESS_TYPES = frozenset({"ASSAULT", "PROTEST", "COERCE", "MOBILIZE"})
# Sectors of those who bear arms: armed groups and the state's forces and government.
ARMED_OR_STATE = ARMED_SECTORS | STATE_SECTORS
# Forms of "be" and "have": a main verb that states what is or what someone has ("Israel has
# an obligation", "he was among the dead") does no action the classifier could type.
STATE_VERBS = frozenset({"be", "am", "is", "are", "was", "were", "been", "being", "'s", "’s",
                         "'re", "have", "has", "had", "having"})  # fmt: skip


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
    # in an adverbial clause ("speaking after meeting Fazli, Assad said ..."): an action the
    # sentence narrates beside its main one, which the sentence's classifier does not type
    adverbial: bool
    weak: bool = False  # its trigger is ambiguous alone (``Spec.weak``)
    object_class: str = ""  # the class its trigger's object is in (``Spec.object_class``)


class SentenceCoder:
    """Codes the events of one parsed sentence (see the module docstring)."""

    def __init__(
        self,
        lex: Lexicon,
        book: Codebook,
        actors: ActorDictionary,
        gazetteer: Gazetteer,
        prefilter: Prefilter,
    ) -> None:
        self.lex = lex
        self.book = book
        self.gazetteer = gazetteer
        self.who = ActorResolver(lex, actors, gazetteer)
        self.finder = TriggerFinder(lex, prefilter, self.who.is_place)
        self.governors = Governors(lex, book, self.finder)
        self.targets = TargetFinder(lex, book, self.who)
        self.weapons = frozenset(w for words, _ in lex.instruments for w in words)

    def code(self, doc: Doc, ctx: ArticleContext) -> list[Draft]:
        drafts: list[Draft] = []
        demands = self.governors.demands(doc)
        demanded = {t.content.i for t in demands if t.content is not None}
        found = self.governors.compose(self.finder.find(doc, ctx.countries))
        triggers = [t for t in found if not within(t.head, demanded)]
        for trig in sorted(triggers + demands, key=lambda t: depth(t.token)):
            if self.governors.declines_comment(trig) or self.governors.is_topic(trig):
                doc.user_data[SET_ASIDE_KEY] = True
                continue
            spec, modality = self.governors.modality(trig, self.governors.refine(trig))
            actor1 = self.who.actor1(trig.head, ctx)
            spec = self._military_sense(trig, spec, actor1)
            actor2 = self.targets.actor2(trig, actor1, ctx)
            if actor1 is None and (
                self._done_by_no_actor(trig, spec)
                if actor2 is not None
                else not self._occurred(trig, spec)
            ):
                continue  # "the support ... had allowed Syria to": no one acts
            if self._accidental(trig, spec):
                doc.user_data[SET_ASIDE_KEY] = True
                continue  # "a bus plunged into a ravine, killing 20 passengers"
            if self._striving(trig, spec, actor1):
                continue  # "Haley battled to catch up with Trump": an effort, not a fight
            if actor2 is None and self._aimed_at_abstraction(trig, spec):
                doc.user_data[SET_ASIDE_KEY] = True
                continue  # "to fight off terrorism"
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
                    self.governors.main_clause(trig.head),
                    self.governors.adverbial(trig.head),
                    spec.weak,
                    spec.object_class,
                )
            )
            if actor1 is not None and actor1.country:
                ctx.last_actor = actor1
        if not any(d.actor1 is not None and d.actor1.country for d in drafts):
            ctx.last_actor = self.who.named_subject(doc, ctx) or ctx.last_actor
        return drafts

    def main_action(self, doc: Doc, ctx: ArticleContext) -> tuple[Token, Actor] | None:
        """The sentence's main verb and who does it: where a type the classifier is sure of
        stands when the lexicon has no trigger. Under a verb of saying, the verb of what is
        reported ("the chairman said they will not end the strike": the report is not the
        event, the strike's end is); a verb of saying with an object and no reported clause
        is itself the action ("declared a ceasefire", "reiterated its support"). Who acts
        is the actor the parse finds, else a subject named but not in the dictionaries.
        None if the rules set the sentence aside, a verb of saying reports nothing, the verb
        answers a reporter ("did not respond to requests for comment"), or no one acts."""
        if doc.user_data.get(SET_ASIDE_KEY):
            return None
        root = next((t for t in doc if t.dep_ == "ROOT" and pos(t) in ("VERB", "AUX")), None)
        if root is not None and lemma(root) in self.lex.report_verbs:
            reported = next(
                (c for c in root.children if c.dep_ == "ccomp" and pos(c) in ("VERB", "AUX")), None
            )
            if reported is not None or not any(
                c.dep_ == "dobj" and pos(c) in ("NOUN", "PROPN") for c in root.children
            ):
                root = reported
        if root is None or (lemma(root) in self.lex.report_verbs and root.dep_ != "ROOT"):
            return None
        if root.lower_ in STATE_VERBS:
            return None  # "Pakistan has every right to respond": a state, not an action
        if any(
            t.dep_ == "pobj" and t.head.lower_ == "for" and lemma(t) in self.lex.non_events
            for t in root.subtree
        ):
            return None  # "did not respond to requests for comment": the reporter's question
        if any(c.dep_ == "nsubj" and self._hazard(c) for c in root.children):
            return None  # "Cyclone Amphan killed 80 people": no one acted
        actor1 = self.who.actor1(root, ctx) or self._unlisted_subject(root, ctx)
        if actor1 is None or self._thing_of_a_country(root, actor1):
            return None
        return root, actor1

    def _thing_of_a_country(self, verb: Token, actor1: Actor) -> bool:
        """The subject is a thing a national adjective qualifies ("Finnish guidance advises",
        "the joint US-Philippine exercises come"): the dictionaries read the country, but no
        one acts. Without a trigger, only the classifier would make it an event; on fundus
        most such events were wrong (session 8)."""
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        return (
            subject is not None
            and pos(subject) == "NOUN"
            and actor1.sector is None
            and self.who.actors.country_of(subject.text) is None  # "Ukrainians gathered"
            # "Germany's decision", "thousands of Ukrainians": the owner or the people act
            and not any(c.dep_ == "poss" or c.lower_ == "of" for c in subject.children)
        )

    def _unlisted_subject(self, verb: Token, ctx: ArticleContext) -> Actor | None:
        """The verb's subject, a name the dictionaries lack (``ActorResolver.unlisted``)."""
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        return None if subject is None else self.who.unlisted(subject, ctx)

    def from_root(self, doc: Doc, ctx: ArticleContext, cameo: str) -> Draft | None:
        """The sentence's main action (``main_action``) as a trigger of ``cameo``, with the
        target the parse gives it."""
        action = self.main_action(doc, ctx)
        if action is None:
            return None
        root, actor1 = action
        # the type's root code, made specific by a weapon named ("hit a mine": explosives)
        refinable = cameo == self.book.root_code("ASSAULT")
        trig = Trigger(root, root, Spec(cameo, refinable=refinable))
        spec, modality = self.governors.modality(trig, self.governors.refine(trig))
        actor2 = self.targets.actor2(trig, actor1, ctx)
        return Draft(
            root.text, root.idx, spec.cameo, spec.plover_type, spec.mode, modality, actor1, actor2,
            main_clause=True, adverbial=False,
        )

    def _done_by_no_actor(self, trig: Trigger, spec: Spec) -> bool:
        """Whether the action's subject is a thing, not an actor ("the support of friendly
        nations had allowed Syria to ..."): no event. A passive ("was placed under
        investigation") leaves the actor unsaid; violence and protest are events even when
        the sentence does not say who ("civilians were killed"), unless a hazard did it ("a
        fire destroyed a warehouse")."""
        coding = self.book.coding(spec.cameo, spec.plover_type, spec.mode)
        subjects = [c for c in trig.head.children if c.dep_ in ("nsubj", "csubj")]
        if any(self._hazard(c) for c in subjects):
            return True  # "a fire destroyed a warehouse": no one acted
        if coding.plover_type in SOURCELESS_TYPES:
            return False
        return any(pos(c) != "PRON" for c in subjects)

    def _military_sense(self, trig: Trigger, spec: Spec, actor1: Actor | None) -> Spec:
        """A state's or an armed actor's strike is a military one ("Pakistan launched
        retaliatory strikes"), a union's a labour strike (``military_senses``)."""
        word = lemma(trig.token)
        military = self.lex.military_senses.get(word)
        civil = self.lex.nouns.get((word,))  # not "missile strike", a compound of its own
        if military is None or spec != civil or actor1 is None or pos(trig.token) not in NOUN_POS:
            return spec
        state = actor1.sector is None and actor1.country is not None  # "Pakistan", "Russian"
        armed = actor1.sector in ARMED_OR_STATE
        return military if state or armed else spec

    def _occurred(self, trig: Trigger, spec: Spec) -> bool:
        """Violence, protest or repression the sentence reports as having happened without
        saying who: an event noun that an occurrence verb reports ("clashes broke out in
        Tripoli", "demonstrations erupted in Kyiv", "heavy fighting continued"), the
        subject of a passive light verb ("hundreds of arrests have been made"), an act of
        violence done by one ("a chemical attack hit the town"), or a passive without its
        agent ("arms were seized"). ACLED codes these with unidentified or generic actors."""
        coding = self.book.coding(spec.cameo, spec.plover_type, spec.mode)
        if coding.plover_type not in SOURCELESS_TYPES:
            return False
        if pos(trig.token) not in NOUN_POS:
            # "a chemical attack hit the town": an act of violence whose subject is one;
            # "arms and ammunition were seized": a passive that leaves the agent unsaid
            return _agentless_passive(trig.token) or any(
                c.dep_ == "nsubj" and self._violent_noun(c) for c in trig.token.children
            )
        if trig.head is trig.token:  # the subject of an occurrence verb (``TriggerFinder``)
            return True
        return lemma(trig.head) in self.lex.light_verbs and _agentless_passive(trig.head)

    def _violent_noun(self, tok: Token) -> bool:
        """An event noun of violence ("attack", "airstrike", "shelling")."""
        spec = self.finder.match_noun(tok)
        return spec is not None and self._assault(spec)

    def _striving(self, trig: Trigger, spec: Spec, actor1: Actor | None) -> bool:
        """A verb of violence with an infinitive of what is striven for ("battled to catch
        up", "are fighting to save the plant"), by someone unarmed: an effort, not violence.
        Troops "fought to retake the town" still fight."""
        if not self._assault(spec) or pos(trig.token) != "VERB":
            return False
        if actor1 is not None and actor1.sector in ARMED_OR_STATE:
            return False
        return any(
            c.dep_ == "xcomp" and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
            for c in trig.token.children
        )

    def _accidental(self, trig: Trigger, spec: Spec) -> bool:
        """Violence an accident brings about: a clause of a verb of accident ("plunged",
        "collided") or with one ("were killed when a coal mine collapsed"), or of a verb whose
        subject or object is an accident ("suffered its worst plane crash, killing 72"),
        whoever its subject."""
        if not self._assault(spec):
            return False
        if any(  # "20 miners were killed when a coal mine collapsed"
            c.dep_ == "advcl" and lemma(c) in self.lex.accident_verbs for c in trig.head.children
        ):
            return True
        if trig.head.dep_ not in ("advcl", "conj"):
            return False
        verb = trig.head.head
        if lemma(verb) in self.lex.accident_verbs:
            return True
        around = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")] + objects(verb)
        return any(lemma(t) in self.lex.hazards for t in around)

    def _hazard(self, subject: Token) -> bool:
        """A fire, a flood, an accident, also as a modifier ("Cyclone Amphan", "a cylinder
        explosion"), an explosion at an industrial site: not someone's fire ("fire from
        Israeli tanks", "tank fire"); where it broke out does not say whose it was ("a fire
        at a factory in Dhaka")."""
        hazard = next(
            (
                t
                for t in (subject, *subject.children)
                if (t is subject or t.dep_ == "compound") and lemma(t) in self.lex.hazards
            ),
            None,
        )
        if hazard is None and lemma(subject) in self.lex.explosions:
            # "an explosion at a chemical plant", "a fireworks factory blast"
            industrial = any(lemma(t) in self.lex.industrial_sites for t in subject.subtree)
            hazard = subject if industrial else None
        if hazard is None:
            return False
        own = {t.i for t in hazard.subtree} - {hazard.i} if hazard is not subject else set()
        scene = {
            t.i
            for c in subject.children
            if c.dep_ == "prep" and c.lower_ in SCENE_PREPS
            for t in c.subtree
        }
        return not any(
            lemma(t) in self.weapons or self.who.actors.country_of(t.text)
            for t in subject.subtree
            if t is not subject and t is not hazard and t.i not in scene | own
        )

    def _assault(self, spec: Spec) -> bool:
        return self.book.coding(spec.cameo).plover_type == "ASSAULT"

    def _aimed_at_abstraction(self, trig: Trigger, spec: Spec) -> bool:
        if not self._assault(spec):
            return False
        return any(lemma(o) in self.lex.abstract_targets for o in objects(trig.head))

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
        said_by = speaker(trig.head, self.lex.report_verbs)
        speaker_actor = self.who.actor(said_by, ctx) if said_by is not None else None
        if speaker_actor is None or speaker_actor == actor1:
            return spec, actor1, actor2
        return Spec("112"), speaker_actor, actor1


def _agentless_passive(verb: Token) -> bool:
    """A passive that does not say by whom ("arms were seized", "arrests have been made")."""
    children = list(verb.children)
    return any(c.dep_ == "auxpass" for c in children) and not any(
        c.dep_ == "agent" for c in children
    )
