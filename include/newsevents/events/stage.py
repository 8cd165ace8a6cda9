"""Articles → events and mentions: the events stage's public functions.

Only canonical (``dup_of is None``) English (``language == "en"``) articles are coded;
the others are counted in ``Extraction.skipped`` (and logged), never coded. Candidate
sentences (``nlp.Prefilter``) of all articles are parsed together; each article is then
coded sentence by sentence (the coder remembers the article's last actor for pronouns).
Where the rules draft an event, or find who does the main verb, the classifier gives the
sentence's PLOVER type (``combine``), one sentence at a time so that an answer never
depends on the rest of the day. All events are consolidated by ``merge``, so an event
reported in several sentences or articles is one event with several mentions.

Every function takes the stage's ``Resources`` (``resources=``); without it, the process's
shared set is loaded on first use (``shared_resources``) and kept, since loading costs
seconds.
"""

from __future__ import annotations

import functools
import itertools
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc

from newsevents.events.acled import AcledFacts, settle_protests
from newsevents.events.actor_phrases import ArticleContext
from newsevents.events.actors import Actor
from newsevents.events.classifier import classifier_input
from newsevents.events.coder import Draft, SentenceCoder
from newsevents.events.combine import Combiner
from newsevents.events.counts import attribution, casualties
from newsevents.events.geo import COUNTRY, Place
from newsevents.events.merge import article_sources, consolidate
from newsevents.events.nlp import split_sentences
from newsevents.events.resources import Resources
from newsevents.events.syntax import lemma, text_of
from newsevents.events.when import DateMention, event_date_mention
from newsevents.schema import Article, Event, Mention, stable_id

log = logging.getLogger(__name__)

LANGUAGE = "en"
VIOLENT_TYPES = {"ASSAULT", "PROTEST", "COERCE"}
UNIDENTIFIED = "unidentified armed group"
REPORT_DATE = "report"  # Event.time_precision of an event dated by its article's publication


@dataclass(frozen=True)
class Extraction:
    """Events and mentions of a batch, plus why articles were not coded.

    Unpacks like the (events, mentions) pair: ``events, mentions = extract_events(...)``.
    """

    events: list[Event]
    mentions: list[Mention]
    skipped: dict[str, int] = field(default_factory=dict)  # "duplicate", "language:de", ...

    def __iter__(self) -> Iterator[list]:
        return iter((self.events, self.mentions))


@dataclass(frozen=True)
class _Document:
    article_id: str
    text: str
    reference: date | None


_shared: list[Resources] = []  # the process's resources once loaded (shared_resources)


def shared_resources() -> Resources:
    """The resources of this process: loaded on the first call, then the same object."""
    if not _shared:
        _shared.append(Resources.load())
    return _shared[0]


def extract_events(
    articles: list[Article], default_date: date, resources: Resources | None = None
) -> Extraction:
    """Code the canonical English articles and merge the events they report more than once."""
    coded = code_articles(articles, default_date, resources)
    sources = article_sources(articles)
    events, mentions = consolidate(coded.events, coded.mentions, sources)
    return Extraction(events, mentions, coded.skipped)


def code_articles(
    articles: Iterable[Article], default_date: date, resources: Resources | None = None
) -> Extraction:
    """Events of each canonical English article, one per coded sentence, not yet merged.

    An article's events depend on that article alone, so a day's articles can be coded in
    batches (or shards on several workers) and merged once with ``merge.consolidate``:
    the result is the same as coding them all together. The reference date of relative
    dates is the publication date, else ``default_date``.
    """
    documents: list[_Document] = []
    skipped: Counter[str] = Counter()
    for article in articles:
        if article.dup_of is not None:
            skipped["duplicate"] += 1
        elif article.language != LANGUAGE:
            skipped[f"language:{article.language or 'unknown'}"] += 1
        else:
            reference = article.published.date() if article.published else default_date
            documents.append(_Document(article.article_id, article.text, reference))
    events, mentions = _code_documents(documents, resources or shared_resources())
    if skipped:
        log.info("events: not coded: %s", dict(skipped))
    return Extraction(events, mentions, dict(skipped))


def code_text(text: str, published: date | None, resources: Resources | None = None) -> list[Event]:
    """Events of one text treated as a one-article document (the CLI's scoring interface).

    Without a publication date, relative dates ("on Tuesday") are left unresolved.
    """
    document = _Document(stable_id("text", text), text, published)
    events, _ = consolidate(*_code_documents([document], resources or shared_resources()))
    return events


def _code_documents(
    documents: Sequence[_Document], res: Resources
) -> tuple[list[Event], list[Mention]]:
    """Split, prefilter and parse all documents' sentences, then code them in order."""
    coder = SentenceCoder(res.lexicon, res.codebook, res.actors, res.gazetteer, res.prefilter)
    split = [split_sentences(d.text) for d in documents]
    # Each distinct sentence of a document is coded once (bodies repeated by the page).
    todo: list[tuple[int, int, str]] = []
    for d, sentences in enumerate(split):
        seen: set[str] = set()
        for s, sentence in enumerate(sentences):
            if sentence not in seen and res.prefilter(sentence):
                seen.add(sentence)
                todo.append((d, s, sentence))
    combiner = Combiner(res.codebook)
    parsed = res.parser.parse(sentence for _, _, sentence in todo)
    events: list[Event] = []
    mentions: list[Mention] = []
    contexts: dict[int, ArticleContext] = {}
    for (d, s, sentence), doc in zip(todo, parsed, strict=True):
        document = documents[d]
        if d not in contexts:
            contexts[d] = ArticleContext(
                document.reference, coder.gazetteer.country_context(document.text)
            )
        ctx = contexts[d]
        drafts = coder.code(doc, ctx)
        if res.classifier is not None:
            # The classifier costs more than the parse: it reads only the sentences where
            # its answer can change the coding, those with drafts or an actor of the main
            # verb (``combine``); elsewhere the sentence has no event whatever it says.
            if not drafts and coder.main_action(doc, ctx) is None:
                continue
            (scores,) = res.classifier.predict([classifier_input(sentence)])
            drafts = combiner.combine(
                drafts, scores, functools.partial(coder.from_root, doc, ctx)
            )
        if not drafts:
            continue
        place = coder.who.place(doc, ctx)
        local = place is not None and place.precision != COUNTRY  # named below country level
        if place is None and ctx.countries:  # the article's main country, at country precision
            place = coder.gazetteer.country_place(ctx.countries[0])
        cues = frozenset(lemma(t) for t in doc)
        for event in _events(res, document, s, doc, drafts, ctx, place, local, cues):
            events.append(event)
            mentions.append(Mention(event.event_id, document.article_id, s, sentence))
    return _settle_protests(events, mentions), mentions


def _settle_protests(events: list[Event], mentions: list[Mention]) -> list[Event]:
    """``acled.settle_protests`` over each article's events (they come article by article)."""
    settled: list[Event] = []
    pairs = zip(events, mentions, strict=True)
    for _, article in itertools.groupby(pairs, key=lambda pair: pair[1].article_id):
        coded, said = zip(*article, strict=True)
        settled += settle_protests(coded, [m.sentence_index for m in said])
    return settled


def _events(
    res: Resources,
    document: _Document,
    index: int,
    doc: Doc,
    drafts: list[Draft],
    ctx: ArticleContext,
    place: Place | None,
    local: bool,
    cues: frozenset[str],
) -> list[Event]:
    """Events of a sentence's drafts, with place, date, casualties and attribution."""
    book = res.codebook
    sentence = text_of(doc)
    fatalities, injured = casualties(doc)
    source = attribution(doc, ctx.sources)
    if source:
        ctx.sources.append(source)
    events = []
    casualties_given = False
    for draft in sorted(drafts, key=lambda d: not d.main_clause):
        coding = book.coding(draft.cameo, draft.plover_type, draft.mode)
        actor1, actor2 = draft.actor1, draft.actor2
        if actor1 is None and coding.plover_type == "ASSAULT":
            country = place.country if place else (ctx.countries[0] if ctx.countries else None)
            actor1 = Actor(UNIDENTIFIED, country, "UAF")
        acled_type, acled_sub = res.acled.classify(
            AcledFacts(
                coding,
                actor1.sector if actor1 else None,
                actor2.sector if actor2 else None,
                cues,
                fatalities,
                local,
            )
        )
        mention = (
            event_date_mention(doc, ctx.reference, near=draft.offset)
            if ctx.reference
            else None
        )
        day = mention.day if mention else None
        event_date = day or (ctx.reference if draft.modality != "future" else None)
        violent = coding.plover_type in VIOLENT_TYPES and not casualties_given
        casualties_given |= violent and (fatalities is not None or injured is not None)
        events.append(
            Event(
                event_id=stable_id(
                    document.article_id,
                    index,
                    coding.cameo_code,
                    _name(actor1),
                    _name(actor2),
                    draft.trigger,
                ),
                article_id=document.article_id,
                sentence=sentence,
                trigger=draft.trigger,
                event_date=event_date,
                time_precision=_time_precision(mention, event_date),
                modality=draft.modality,
                plover_type=coding.plover_type,
                plover_mode=coding.plover_mode,
                plover_context=coding.plover_context,
                cameo_code=coding.cameo_code,
                cameo_root=coding.cameo_root,
                quad_class=coding.quad_class,
                goldstein=coding.goldstein,
                acled_event_type=acled_type,
                acled_sub_event_type=acled_sub,
                actor1_name=_name(actor1),
                actor1_country=actor1.country if actor1 else None,
                actor1_sector=actor1.sector if actor1 else None,
                actor2_name=_name(actor2),
                actor2_country=actor2.country if actor2 else None,
                actor2_sector=actor2.sector if actor2 else None,
                location_name=place.name if place else None,
                admin1=place.admin1 if place else None,
                country=place.country if place else None,
                lat=place.lat if place else None,
                lon=place.lon if place else None,
                geo_precision=place.precision if place else None,
                geonames_id=place.geonames_id if place else None,
                admin1_code=place.admin1_code if place else None,
                fatalities=fatalities if violent else None,
                injured=injured if violent else None,
                source_attribution=source,
                confidence=_confidence(draft, actor1, actor2),
            )
        )
    return events


def _time_precision(mention: DateMention | None, event_date: date | None) -> str | None:
    """ "day" when the sentence names the day; its coarser period ("week", "month", "year")
    or "report" (no date named) when the event date is the publication date."""
    if event_date is None:
        return None
    if mention is None:
        return REPORT_DATE
    return "day" if mention.day else mention.granularity


def _name(actor: Actor | None) -> str | None:
    return actor.name if actor else None


def _confidence(draft: Draft, actor1: Actor | None, actor2: Actor | None) -> float:
    """How sure the coder is: a known actor on each side, a main-clause, asserted action."""
    score = 0.4
    score += 0.2 if draft.actor1 is not None else 0.0  # an identified (not inferred) actor1
    score += 0.15 if actor2 is not None else 0.0
    score += 0.15 if draft.main_clause else 0.0
    score += {"asserted": 0.1, "future": 0.05, "hypothetical": -0.15, "denied": -0.1}[
        draft.modality
    ]
    return round(min(max(score, 0.0), 1.0), 2)
