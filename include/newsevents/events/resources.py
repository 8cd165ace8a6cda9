"""The events stage's resources, loaded once and passed to whatever needs them.

The code tables, the trigger lexicon, the actor dictionaries, the gazetteer, the spaCy
parser and the event-type classifier (``classifier``) take seconds and hundreds of
megabytes to load, so a process loads them once into a ``Resources`` and hands that object
on; nothing in the events package keeps a hidden copy. Each data file is checked as it
loads (``Lexicon``, ``Words``). The actor dictionaries and the lexicon need no spaCy
model: tests build them alone (``Lexicon.load()``, ``ActorDictionary.load()``)."""

from __future__ import annotations

from dataclasses import dataclass

from newsevents.events.acled import AcledMapper
from newsevents.events.actors import ActorDictionary
from newsevents.events.classifier import EventTypeClassifier
from newsevents.events.codebook import Codebook
from newsevents.events.combine import TypeClassifier
from newsevents.events.geo import Gazetteer
from newsevents.events.lexicon import Lexicon
from newsevents.events.nlp import Parser, Prefilter, load_model


@dataclass(frozen=True)
class Resources:
    codebook: Codebook
    lexicon: Lexicon
    actors: ActorDictionary
    gazetteer: Gazetteer
    parser: Parser
    prefilter: Prefilter
    acled: AcledMapper
    classifier: TypeClassifier | None = None  # None: the PLOVER type from the rules alone

    @classmethod
    def load(
        cls, model: str | None = None, classifier: bool = True, classifier_threads: int = 1
    ) -> Resources:
        """Everything the stage needs; ``model`` is the spaCy pipeline (``nlp.model_name``),
        ``classifier=False`` codes the PLOVER type by the rules alone."""
        book = Codebook()
        lexicon = Lexicon.load(book)
        return cls(
            codebook=book,
            lexicon=lexicon,
            actors=ActorDictionary.load(lexicon.collectives),
            gazetteer=Gazetteer(),
            parser=Parser(load_model(model), lexicon),
            prefilter=Prefilter(lexicon, book),
            acled=AcledMapper(lexicon.classes["explosives"] | lexicon.classes["weaponry"]),
            classifier=EventTypeClassifier.load(threads=classifier_threads) if classifier else None,
        )
