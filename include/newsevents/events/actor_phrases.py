"""Who a noun phrase names, in its sentence and article, and who does the action (actor1).

The dictionaries (``actors``) say what a phrase names on its own; here pronouns take their
antecedent (the subject of the reporting clause, else the article's last actor), a bare
sector ("the rebels") takes a country from the context, a name the dictionaries lack but
the gazetteer knows is of that place's country, and actor1 is the subject, or the "by"
agent of a passive, or the owner of the weapon ("killed in Russian raids").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from spacy.tokens import Doc, Token

from newsevents.events.actors import Actor, ActorDictionary
from newsevents.events.geo import Gazetteer, Place
from newsevents.events.lexicon import Lexicon
from newsevents.events.syntax import (
    NOUN_POS,
    OBJECT_DEPS,
    agent,
    first_party,
    in_context,
    lemma,
    phrase_text,
    pos,
    unknown_name,
)
from newsevents.events.triggers import governor_of
from newsevents.events.words import WORDS

COUNTRY = 4  # geo precision of a country
PLACE_KEY = "newsevents.place"  # Doc.user_data key of the sentence's place
RELATIVE_PRONOUNS = {"who", "which", "that", "whom"}


@dataclass
class ArticleContext:
    """What the coder knows about the article while going through its sentences."""

    reference: date | None
    countries: list[str]  # ISO3, most mentioned first (geo.Gazetteer.country_context)
    last_actor: Actor | None = None  # for pronouns in later sentences
    sources: list[str] = field(default_factory=list)  # attributions so far ("it said")
    # towns named so far and where they were placed ("the town of Salma, in ... Latakia")
    towns: dict[str, Place] = field(default_factory=dict)
    last_town: Place | None = None  # what "the town" means in a later sentence


class ActorResolver:
    """Actors of noun phrases in context, and actor1 of a trigger (module docstring)."""

    def __init__(self, lex: Lexicon, actors: ActorDictionary, gazetteer: Gazetteer) -> None:
        self.lex = lex
        self.actors = actors
        self.gazetteer = gazetteer

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
        if self.names_place(tok):
            return None  # "Syria's northwest", "the north": where, not who
        found = self.actors.resolve(tok)
        if found is not None and self._country_in_place_name(tok, found, ctx):
            found = None  # "Mocimboa da Praia": a town of Mozambique, not Cape Verde's capital
        if found is not None and not self.names_people(tok):
            # "an Australian ultimatum", "the Bosnian town of Gorazde": only a country;
            # "Russian raids": its armed forces, "Taliban attacks": the Taliban
            if found.country is None:
                return None
            military = lemma(tok) in self.lex.military_actions
            return replace(found, sector=(found.sector or "MIL") if military else None)
        if found is None and pos(tok) == "PROPN":
            place = self.gazetteer.locate(in_context(tok), ctx.countries)
            if place is not None:
                found = Actor(phrase_text(tok), place.country, None)
        if found is None:
            return None
        if found.country is None and found.sector not in (None, "IGO", "NGO", "IMG"):
            found = replace(found, country=self.context_country(tok, ctx, local))
        elif any(lemma(c) == "ethnic" for c in tok.children) and self.place_country(tok.doc, ctx):
            found = replace(found, country=self.place_country(tok.doc, ctx))
        return found

    def is_place(self, tok: Token, countries: Sequence[str] = ()) -> bool:
        """A proper name the gazetteer places (in an article about ``countries``, ISO3) and
        the dictionaries do not call an actor."""
        # a compound proper name is the name itself ("Wad Madani, capital of Gezira state");
        # a one-word head keeps its "of" phrase ("the Republic of San Marino")
        name = _proper_name(tok)
        text = " ".join(name) if len(name) > 1 else phrase_text(tok)
        return (
            self.actors.resolve(tok) is None
            and self.gazetteer.locate(f"in {text}", countries) is not None
        )

    def _country_in_place_name(self, tok: Token, found: Actor, ctx: ArticleContext) -> bool:
        """Whether a proper name ending in a country's or a capital's name is a place of
        another country, as the gazetteer reads the whole name: "Mocimboa da Praia" is a
        town of Mozambique, not Praia, the capital of Cape Verde; "New Mexico" is no Mexico."""
        own = self.actors.names.get((tok.text,))
        if pos(tok) != "PROPN" or own is None or own.kind not in ("country", "capital"):
            return False
        name = _proper_name(tok)
        if len(name) == 1 or found.country is None:
            return False
        if name in self.actors.names:
            return False  # the dictionaries know the whole name ("Sri Lanka", "Abu Dhabi")
        place = self.gazetteer.locate(f"in {' '.join(name)}", ctx.countries)
        return place is not None and place.country != found.country

    def context_country(self, tok: Token, ctx: ArticleContext, local: bool) -> str | None:
        """The country of a phrase that names none: its possessive pronoun's antecedent's,
        its own locative phrase's, for one acted upon the sentence's place's, else the
        article's main country."""
        owner = next((c for c in tok.children if c.dep_ == "poss" and pos(c) == "PRON"), None)
        antecedent = self._antecedent(owner, ctx) if owner is not None else None
        if antecedent is not None:
            return antecedent.country
        here = self.home_place(tok, ctx)
        if here is None and local:
            here = self.place_country(tok.doc, ctx)
        return here or (ctx.countries[0] if ctx.countries else None)

    def home_place(self, tok: Token, ctx: ArticleContext) -> str | None:
        """The country of a place named in a phrase's own locative phrase ("a missionary
        from Calgary", "militias in Tripoli", "students at Cumhuriyet University")."""
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ in ("from", "in", "at", "of"):
                for noun in prep.children:
                    if noun.dep_ == "pobj" and pos(noun) == "PROPN":
                        # "in": the gazetteer does not place an origin ("from X") on its own
                        place = self.gazetteer.locate(f"in {phrase_text(noun)}", ctx.countries)
                        if place is not None:
                            return place.country
        return None

    def place(self, doc: Doc, ctx: ArticleContext) -> Place | None:
        """Where the sentence's events happen, looked up once per sentence.

        The gazetteer's place of the sentence (``geo``); if it names none below country
        level, the town an operation is named after or aimed at ("the army's Salma
        offensive", "raids on Manbij"), else the town "the town" refers to (the article's
        last one). Towns the sentence introduces ("the town of Salma, in ... Latakia") are
        remembered with their place for later sentences.
        """
        if PLACE_KEY not in doc.user_data:
            place = self.gazetteer.locate(doc, ctx.countries)
            if place is None or place.precision == COUNTRY:
                place = self._operation_place(doc, ctx) or self._town_referred_to(doc, ctx) or place
            self._remember_towns(doc, ctx, place)
            doc.user_data[PLACE_KEY] = place
        return doc.user_data[PLACE_KEY]

    def _operation_place(self, doc: Doc, ctx: ArticleContext) -> Place | None:
        """The town a military operation is named after or aimed at."""
        for tok in doc:
            if lemma(tok) not in self.lex.military_actions:
                continue
            names = [c for c in tok.children if c.dep_ == "compound" and pos(c) == "PROPN"]
            names += [
                g
                for c in tok.children
                if c.dep_ == "prep" and c.lower_ in ("on", "against", "in", "near")
                for g in c.children
                if g.dep_ == "pobj" and pos(g) == "PROPN"
            ]
            for name in names:
                text = phrase_text(name)
                found = self.gazetteer.locate(f"in {text}", ctx.countries) or ctx.towns.get(text)
                if found is not None and found.precision < COUNTRY:
                    return found
        return None

    def _town_referred_to(self, doc: Doc, ctx: ArticleContext) -> Place | None:
        """ "seized hilltops surrounding the town": the article's last town."""
        for tok in doc:
            if (
                lemma(tok) in WORDS.town_words
                and any(c.lower_ == "the" for c in tok.children)
                and not any(c.dep_ in ("prep", "compound", "appos") for c in tok.children)
            ):
                return ctx.last_town
        return None

    def _remember_towns(self, doc: Doc, ctx: ArticleContext, place: Place | None) -> None:
        if place is None or place.precision == COUNTRY:
            return
        for tok in doc:
            if lemma(tok) in WORDS.town_words:
                for prep in tok.children:
                    if prep.dep_ == "prep" and prep.lower_ == "of":
                        for name in prep.children:
                            if name.dep_ == "pobj" and pos(name) == "PROPN":
                                ctx.towns.setdefault(phrase_text(name), place)
                                ctx.last_town = place

    def place_country(self, doc: Doc, ctx: ArticleContext) -> str | None:
        place = self.place(doc, ctx)
        return place.country if place else None

    def names_place(self, tok: Token) -> bool:
        """Whether a noun phrase is a location phrase ("Syria's northwest", "the north").

        A place noun with a country ("Iraqi towns") still stands for that country when it
        is attacked or threatened (see ``actor``)."""
        return pos(tok) in ("NOUN", "PROPN") and lemma(tok) in WORDS.directions

    def names_people(self, tok: Token) -> bool:
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
        """A pronoun's actor: the speaker of the clause it is in, else the nearest subject
        named before it in the sentence, else the last actor of the article."""
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
                # "Ali said they will not end the strike": they are Ali's side
                return self.actors.resolve(subject) or self.unlisted(subject, ctx) or ctx.last_actor
        # "after ex-premier Leabua Jonathan lost the elections, he rejected the outcome"
        for tok in reversed(pron.doc[: pron.i]):
            if tok.dep_ == "nsubj" and pos(tok) != "PRON":
                found = self.actors.resolve(tok) or self.unlisted(tok, ctx)
                if found is not None:
                    return found
        return ctx.last_actor

    def named_subject(self, doc: Doc, ctx: ArticleContext) -> Actor | None:
        """The sentence's first subject that the dictionaries name with a country and a
        sector (a person or a body, not "the constitution"): who a pronoun in a later
        sentence means when this one codes no event ("While Putin refused to speculate ...,
        he indicated ..." then "'We granted asylum', he said")."""
        for tok in doc:
            if tok.dep_ != "nsubj" or pos(tok) == "PRON":
                continue
            found = self.actors.resolve(tok)
            if found is not None and found.country and found.sector:
                return found
        return None

    def unlisted(self, subject: Token, ctx: ArticleContext) -> Actor | None:
        """A proper-name subject the dictionaries lack ("Haaretz conducted", "The Federal
        Foreign Office has provided"): an actor of the country the article is about."""
        if not unknown_name(subject):
            return None
        return Actor(phrase_text(subject), self.context_country(subject, ctx, False), None)

    def actor1(self, head: Token, ctx: ArticleContext) -> Actor | None:
        """Who does what ``head`` says (a trigger's head: the verb, or a noun's light verb)."""
        if pos(head) in NOUN_POS:  # "riots continued": the noun's own modifiers
            found = self.actor(agent(head) or head, ctx)
            if found is None and lemma(head) in self.lex.mutual_verbs:
                found = self.actor(first_party(head), ctx)  # "fighting between X and Y"
            return found
        node = head
        while True:
            subject = next((c for c in node.children if c.dep_ in ("nsubj", "csubj")), None)
            by = agent(node)
            if by is not None:
                return self.actor(by, ctx)
            if subject is not None:
                return self.actor(subject, ctx)
            passive = next((c for c in node.children if c.dep_ == "nsubjpass"), None)
            if passive is not None:
                # "Vietnam is committed to", "Israel is opposed to": adjectival passives
                if governor_of(self.lex, node):
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
        for noun in self.instruments_of(verb):
            found = self.actor(noun, ctx)
            if found is not None:
                return found
        return None

    def instruments_of(self, verb: Token) -> list[Token]:
        """Event and weapon nouns in a verb's "in"/"by"/"during" phrases."""
        instruments = {w for words, _ in self.lex.instruments for w in words}
        return [
            g
            for c in verb.children
            if c.dep_ == "prep" and c.lower_ in ("in", "by", "during", "from")
            for g in c.children
            if g.dep_ == "pobj" and ((lemma(g),) in self.lex.nouns or lemma(g) in instruments)
        ]


def _proper_name(tok: Token) -> tuple[str, ...]:
    """The words of the proper name a token ends: "Wad Madani" of "Wad Madani, capital of
    Gezira state" (not its apposition), "Mocimboa da Praia"."""
    lefts = [c for c in tok.lefts if c.dep_ in ("compound", "flat") and pos(c) == "PROPN"]
    start = lefts[0].i if lefts else tok.i
    return tuple(t.text for t in tok.doc[start : tok.i + 1])
