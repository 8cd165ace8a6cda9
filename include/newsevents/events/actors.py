"""Actor coding: a noun phrase of the parse → name, ISO3 country and sector.

Dictionaries are data files in ``newsevents/data/events/``: ``countries.tsv`` (names,
demonyms, capitals: "Moscow said" is the Russian government), ``actors.tsv`` (named
leaders and organisations: Assad → SYR GOV, the Nusra Front → SYR REB, the U.N. → IGO) and
``sectors.tsv`` (sector words: "army" → MIL, "rebels" → REB). Names are matched
case-sensitively on token texts, so "Male students" is not the Maldives; sector words are
matched on lower-case lemmas.

Building the dictionary needs only a tokenizer that splits names as the parser does
(``ActorDictionary.load`` uses spaCy's rule-based English tokenizer, the one of
``en_core_web_sm``), not the parsing model: it can be built and tested without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spacy.lang.en import English
from spacy.tokens import Token

from newsevents.events.codebook import read_table
from newsevents.events.syntax import lemma, pos
from newsevents.events.words import WORDS

# Children of a phrase's head, by how much they say about who the phrase is.
_PREMODIFIERS = {"compound", "amod", "poss", "nmod", "flat", "nummod", "case", "npadvmod"}
_LOCATIVE_PREPS = {"of", "in", "from", "for", "at", "on"}
INTERNATIONAL = {"IGO", "NGO", "IMG"}  # sectors of actors that belong to no country

_SKIP_AT_START = {"det", "predet", "nummod", "quantmod", "advmod", "cc", "punct", "case"}
MAX_NAME_TOKENS = 8
_STANCE_PREFIXES = {"anti", "pro"}
# Modifiers that say which armed force a generic military head ("forces", "troops") is
_IRREGULAR_SECTORS = frozenset({"REB", "UAF", "IMG", "INS", "COP"})


@dataclass(frozen=True)
class Actor:
    name: str
    country: str | None
    sector: str | None


@dataclass(frozen=True)
class Entry:
    """One dictionary hit: a country (kind "country", "demonym", "capital") or a named actor."""

    country: str | None
    sector: str | None
    kind: str


class ActorDictionary:
    """Country, named-actor and sector dictionaries; build once (``load``) and share."""

    def __init__(
        self, tokenize: Callable[[str], list[str]], collectives: frozenset[str] = frozenset()
    ) -> None:
        """``tokenize`` splits a name into the token texts the parse will have;
        ``collectives`` are the nouns of "a group of X" (the lexicon's)."""
        self.collectives = collectives
        self.names: dict[tuple[str, ...], Entry] = {}
        for iso3, names, demonyms, capitals in read_table("countries.tsv"):
            for kind, variants, sector in (
                ("country", names, None),
                ("demonym", demonyms, None),
                ("capital", capitals, "GOV"),
            ):
                for variant in filter(None, variants.split("|")):
                    self.names.setdefault(tuple(tokenize(variant)), Entry(iso3, sector, kind))
        for names, country, sector in read_table("actors.tsv"):
            for variant in names.split("|"):
                self.names[tuple(tokenize(variant))] = Entry(country or None, sector, "named")
        self.sectors = {tuple(term.split()): sector for term, sector in read_table("sectors.tsv")}
        self.max_words = max(len(k) for k in (*self.names, *self.sectors))

    @classmethod
    def load(cls, collectives: frozenset[str] = frozenset()) -> ActorDictionary:
        """The dictionary with names split by spaCy's English tokenizer (no model loaded)."""
        tokenizer = English().tokenizer
        return cls(lambda text: [t.text for t in tokenizer(text)], collectives)

    def country_of(self, word: str) -> str | None:
        """ISO3 of a single country name, demonym or capital ("Syrian" → SYR)."""
        entry = self.names.get((word,))
        return entry.country if entry and entry.kind != "named" else None

    def scan(self, tokens: list[Token]) -> list[tuple[int, int, Entry | str]]:
        """Dictionary hits in a token sequence: (start, end, Entry or sector), longest first."""
        hits: list[tuple[int, int, Entry | str]] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self.max_words, len(tokens) - i), 0, -1):
                window = tokens[i : i + n]
                if any(window[k].i != window[0].i + k for k in range(n)):
                    continue  # only contiguous words form a name
                if _not_a_name(window):
                    continue
                entry = self.names.get(tuple(t.text for t in window))
                sector = self.sectors.get(tuple(lemma(t) for t in window)) or self.sectors.get(
                    tuple(t.lower_ for t in window)
                )
                hit = entry or sector
                if hit:
                    hits.append((i, i + n, hit))
                    i += n
                    break
            else:
                i += 1
        return hits

    def resolve(self, head: Token) -> Actor | None:
        """The actor a noun phrase names, or None if the phrase names no known kind of actor."""
        core = sorted(_collect(head, _PREMODIFIERS), key=lambda t: t.i)
        represented = self._represented(head, core)
        if represented is not None:
            return represented
        owner = next((c for c in head.children if c.dep_ == "poss"), None)
        if (
            owner is not None
            and pos(head) == "NOUN"
            and lemma(head) not in WORDS.relatives
            and not self.scan([head])
        ):
            # "Germany's decision", "the UAE's efforts": the owner is who acts or is acted on
            found = self.resolve(owner)
            if found is not None:
                return found
        country, sector = self._code(core, head)
        if country is None and sector is None:
            of = next(
                (
                    g
                    for c in head.children
                    if c.dep_ == "prep" and c.lower_ == "of"
                    for g in c.children
                    if g.dep_ == "pobj"
                ),
                None,
            )
            if of is not None and (lemma(head) in self.collectives or head.like_num):
                return self.resolve(of)  # "a group of Yoruba leaders", "one third of ..."
            if of is None and lemma(head) in WORDS.crowd_counts:
                return Actor(_name(core, head), None, "CVL")  # "thousands rallied in Sydney"
            if pos(head) != "PROPN":
                return None  # "an immediate admission (by Moscow)": not an actor
        if country is None and sector not in INTERNATIONAL:
            # "security forces in Guinea", "Riad Hijab, the opposition coordinator"
            for child in head.children:
                if (
                    child.dep_ not in ("prep", "appos", "acl")
                    or (child.dep_ == "prep" and child.lower_ not in _LOCATIVE_PREPS)
                    or (child.dep_ == "appos" and lemma(child) in WORDS.place_nouns)
                ):
                    continue  # "Manbij, a town held by Daesh" says nothing about Manbij's actor
                country2, sector2 = self._code(sorted(child.subtree, key=lambda t: t.i), None)
                country = country or country2
                if child.dep_ == "appos":
                    sector = sector or sector2
                if country:
                    break
        if country is None and sector is None:
            return None
        return Actor(_name(core, head), country, sector)

    def _represented(self, head: Token, core: list[Token]) -> Actor | None:
        """ "a spokesman for the Taliban", "the head of the Kenyan police", "a Taliban
        spokesman": someone who speaks or acts for an organisation is of its country and
        sector. A country or a sector word alone ("the leader of Syria", "an Iranian envoy",
        "military leaders") leaves the phrase to the general rules."""
        if lemma(head) not in WORDS.representatives:
            return None
        modifiers = [t for t in core if t is not head]
        hits = [hit for _, _, hit in self.scan(modifiers)]
        named = [h for h in hits if isinstance(h, Entry) and h.kind == "named"]
        if named and named[-1].sector is not None:  # "a Taliban spokesman"
            return Actor(_name(core, head), named[-1].country, named[-1].sector)
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ in ("of", "for"):
                for noun in prep.children:
                    org = self.resolve(noun) if noun.dep_ == "pobj" else None
                    if org is not None and org.sector is not None:
                        name = f"{_name(core, head)} {prep.lower_} {org.name}"
                        return Actor(name, org.country, org.sector)
        return None

    def _code(self, tokens: list[Token], head: Token | None) -> tuple[str | None, str | None]:
        """(country, sector) of a phrase.

        A named actor at the head decides both ("President Bashar Assad"); otherwise the
        country is the country word nearest the head ("Syria's regime army") and the sector
        the head's own ("army"), else a modifier's ("opposition groups"). A phrase about an
        international organisation ("U.N. helicopters") is that organisation.
        """
        head_sector = None
        countries: list[Entry] = []
        sectors: list[str] = []
        international = None
        for start, end, hit in self.scan(tokens):
            covers_head = head is not None and tokens[start].i <= head.i <= tokens[end - 1].i
            if isinstance(hit, str):
                if covers_head:
                    head_sector = hit
                else:
                    sectors.append(hit)
            elif hit.kind == "named" and covers_head:
                return hit.country, hit.sector if hit.country is None else head_sector or hit.sector
            elif hit.country is None:
                international = international or hit.sector
            else:
                countries.append(hit)
                if hit.sector and covers_head:
                    head_sector = hit.sector
        irregular = [s for s in sectors if s in _IRREGULAR_SECTORS] + [
            c.sector for c in countries if c.kind == "named" and c.sector in _IRREGULAR_SECTORS
        ]
        if head_sector == "MIL" and irregular:
            head_sector = irregular[0]  # "rebel forces", "Houthi forces", "police units"
        if countries:
            # a people named by a demonym lives where its modifier says ("Bosnian Serbs");
            # in a phrase without a head ("from the U.S., Russia and ...") the first counts
            people = head is not None and countries[-1].kind == "demonym" and len(countries) > 1
            country = countries[0 if head is None else -2 if people else -1]
            return country.country, head_sector or (sectors[0] if sectors else country.sector)
        if international:
            return None, international
        return None, head_sector or (sectors[0] if sectors else None)


def _not_a_name(window: list[Token]) -> bool:
    """Words that name no actor here: a stance ("anti-Syria", "pro-government": what the
    actor is for or against) or a currency ("US $50 million")."""
    doc, first, last = window[0].doc, window[0].i, window[-1].i
    stance = first >= 2 and doc[first - 1].text == "-" and doc[first - 2].lower_ in _STANCE_PREFIXES
    currency = last + 1 < len(doc) and doc[last + 1].tag_ == "$"
    return stance or currency


def _collect(head: Token, deps: set[str]) -> list[Token]:
    """The head and the subtrees of its children with the given dependency labels."""
    tokens = [head]
    for child in head.children:
        if child.dep_ in deps:
            tokens.extend(child.subtree)
    return tokens


def _name(core: list[Token], head: Token) -> str:
    """The phrase as written, without leading determiners and quantities."""
    words = [t for t in core if t.i <= head.i or t.dep_ in ("flat", "compound")]
    while words and words[0] != head and (words[0].dep_ in _SKIP_AT_START or words[0].like_num):
        words.pop(0)
    words = words[-MAX_NAME_TOKENS:]
    text = "".join(t.text_with_ws for t in words).strip()
    return text.removesuffix("'s").removesuffix("’s").strip()
