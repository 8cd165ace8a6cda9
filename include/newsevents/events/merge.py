"""No double counting: one event per real-world event, and totals flagged as aggregates.

Two coded events are the same event when they agree on the event key — PLOVER type,
modality, event date, fatalities, injured, and each actor as (country, sector), or as its
name when it has neither — and on the place: the same place (country, admin1, name and
precision), or one of them has no place. Such a group becomes one event: the most specific
and confident member (most precise place, then highest confidence, then most fields
filled, then smallest event_id) is kept as it is, its ``mentions`` is the number of
distinct (article, sentence) mentions of the group, and every mention row is re-pointed to
it. An event without a place joins the group of its key only if that group has exactly one
place; with several places it cannot tell which, and stays apart. Likewise, within one
article, an event with no actor2 is the same event as the one event of its key (actor2
aside) and place that names one ("the army took Salma from rebel groups" and "the army
had also seized hilltops surrounding the town").

An event whose fatalities equal the sum of the fatalities of two or more other events of
the same type and date, each of which lies within it, is flagged ``is_aggregate``: "35
civilians killed in Idlib and Aleppo" over "21 killed in Maaret al-Numan" (Idlib) and "14
killed in Manbij" (Aleppo), so that summing the non-aggregate events gives 35, not 70. A
part lies within the total if the total's sentence names the part's place or province, or
if both were reported in the same article and the total's place contains the part's (its
country, or its province). Totals are checked from the smallest up, and a flagged total is
never a part of a larger one.

Each kept event also says who reported it (``article_sources``): ``n_articles`` counts the
articles that carry it, their copies (dedupe's duplicates) included; ``n_sources`` the
distinct outlets among them (site name, else the URL's host, else the input itself);
``source_url`` is the URL (else the source) of the first of them by publication time.

Everything is sorted before it is compared, so the result does not depend on input order.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from newsevents.schema import Article, Event, Mention

ASSERTED = "asserted"


@dataclass
class ArticleSource:
    """Who carried a canonical article: what an event's n_articles/n_sources/source_url need."""

    link: str  # its URL, else its source (path, archive#offset)
    published: datetime | None
    copies: int = 1  # itself and its duplicates
    outlets: set[str] = field(default_factory=set)


def article_sources(articles: Iterable[Article]) -> dict[str, ArticleSource]:
    """Canonical article id -> its link, publication time, copies and outlets.

    One pass over a day's articles (duplicates included, with dedupe's marks applied),
    keeping a few fields per article and never its text.
    """
    sources: dict[str, ArticleSource] = {}
    copies: list[tuple[str, str]] = []
    for article in articles:
        if article.dup_of is None:
            link = article.canonical_url or article.url or article.source
            outlets = {_outlet(article)}
            sources[article.article_id] = ArticleSource(link, article.published, 1, outlets)
        else:
            copies.append((article.dup_of, _outlet(article)))
    for canonical, outlet in copies:
        if canonical in sources:  # else a copy of an earlier day's article
            sources[canonical].copies += 1
            sources[canonical].outlets.add(outlet)
    return sources


def _outlet(article: Article) -> str:
    host = urlsplit(article.canonical_url or article.url or "").hostname or ""
    return article.site_name or host.removeprefix("www.") or article.source


def consolidate(
    events: list[Event],
    mentions: list[Mention],
    sources: Mapping[str, ArticleSource] | None = None,
) -> tuple[list[Event], list[Mention]]:
    """Merge events reported more than once and flag aggregate totals (module doc).

    Returns the kept events (sorted by article and event id) and the mention rows,
    re-pointed to the kept events and de-duplicated (sorted by event, article, sentence).
    ``sources`` (``article_sources`` of the day's articles) fills n_articles, n_sources
    and source_url; without it n_articles counts the distinct articles only.
    """
    rows_of: dict[str, set[Mention]] = defaultdict(set)
    for mention in mentions:
        rows_of[mention.event_id].add(mention)

    kept: list[Event] = []
    new_rows: set[Mention] = set()
    for group in _groups(_with_known_targets(sorted(events, key=_order))):
        keep = min(group, key=_rank)
        rows = {
            dataclasses.replace(row, event_id=keep.event_id)
            for event in group
            for row in rows_of.get(event.event_id, ())
        }
        count = len({(r.article_id, r.sentence_index) for r in rows}) or sum(
            e.mentions for e in group
        )
        reporting = {r.article_id for r in rows} | {keep.article_id}
        kept.append(dataclasses.replace(keep, mentions=count, **_reported_by(reporting, sources)))
        new_rows |= rows

    articles = _articles_of(kept, new_rows)
    flagged = _aggregates(kept, articles)
    result = [
        dataclasses.replace(e, is_aggregate=e.is_aggregate or e.event_id in flagged) for e in kept
    ]
    result.sort(key=lambda e: (e.article_id, e.event_id))
    return result, sorted(
        new_rows, key=lambda r: (r.event_id, r.article_id, r.sentence_index, r.sentence)
    )


def _reported_by(article_ids: set[str], sources: Mapping[str, ArticleSource] | None) -> dict:
    """n_articles, n_sources and source_url of an event reported by these articles."""
    known = [sources[a] for a in sorted(article_ids) if a in sources] if sources else []
    if not known:
        return {"n_articles": len(article_ids), "n_sources": None, "source_url": None}
    first = min(
        known, key=lambda s: (s.published is None, s.published.timestamp() if s.published else 0.0)
    )
    return {
        "n_articles": sum(s.copies for s in known) + len(article_ids) - len(known),
        "n_sources": len(set().union(*(s.outlets for s in known))),
        "source_url": first.link,
    }


# -- same event -----------------------------------------------------------------------------


def _actor(name: str | None, country: str | None, sector: str | None) -> tuple:
    if country or sector:
        return ("coded", country, sector)
    return ("named", _fold(name) if name else None)


def _key(event: Event) -> tuple:
    """What two mentions of one event must share, besides a compatible place."""
    return (
        event.plover_type,
        event.modality,
        event.event_date,
        event.fatalities,
        event.injured,
        _actor(event.actor1_name, event.actor1_country, event.actor1_sector),
        _actor(event.actor2_name, event.actor2_country, event.actor2_sector),
    )


def _place(event: Event) -> tuple | None:
    if event.country is None and event.location_name is None:
        return None
    return (event.country, event.admin1, event.location_name, event.geo_precision)


def _no_target(event: Event) -> bool:
    return not (event.actor2_name or event.actor2_country or event.actor2_sector)


def _with_known_targets(events: list[Event]) -> list[Event]:
    """Each event without actor2 takes the actor2 of the one event of its article, key
    (actor2 aside) and place that has one (module doc)."""
    targets: dict[tuple, set[tuple]] = defaultdict(set)
    for event in events:
        if not _no_target(event):
            targets[_partial_key(event)].add(
                (event.actor2_name, event.actor2_country, event.actor2_sector)
            )
    result = []
    for event in events:
        known = targets.get(_partial_key(event), set()) if _no_target(event) else set()
        if len(known) == 1:
            name, country, sector = next(iter(known))
            event = dataclasses.replace(
                event, actor2_name=name, actor2_country=country, actor2_sector=sector
            )
        result.append(event)
    return result


def _partial_key(event: Event) -> tuple:
    return (event.article_id, _key(event)[:-1], _place(event))


def _groups(events: Iterable[Event]) -> list[list[Event]]:
    """Events grouped by key and place; placeless events join their key's only place."""
    by_key: dict[tuple, dict[tuple | None, list[Event]]] = defaultdict(lambda: defaultdict(list))
    for event in events:
        by_key[_key(event)][_place(event)].append(event)
    groups: list[list[Event]] = []
    for places in by_key.values():
        placeless = places.pop(None, [])
        if len(places) == 1:
            (only,) = places.values()
            only.extend(placeless)
        elif placeless:
            groups.append(placeless)
        groups.extend(places.values())
    return groups


def _order(event: Event) -> tuple:
    return (event.article_id, event.event_id)


def _rank(event: Event) -> tuple:
    """Smaller is better: most precise place, most confident, most complete, then the id."""
    filled = sum(getattr(event, f.name) is not None for f in dataclasses.fields(event))
    return (event.geo_precision or 9, -(event.confidence or 0.0), -filled, event.event_id)


# -- aggregates -----------------------------------------------------------------------------


def _articles_of(events: list[Event], rows: set[Mention]) -> dict[str, set[str]]:
    articles: dict[str, set[str]] = {e.event_id: {e.article_id} for e in events}
    for row in rows:
        articles.setdefault(row.event_id, set()).add(row.article_id)
    return articles


def _aggregates(events: list[Event], articles: dict[str, set[str]]) -> set[str]:
    """Ids of the events whose fatalities are the sum of other events within them."""
    counted = [e for e in events if e.modality == ASSERTED and e.fatalities]
    counted.sort(key=lambda e: (e.fatalities, e.event_id))
    flagged: set[str] = set()
    for total in counted:
        parts = [
            e.fatalities or 0
            for e in counted
            if e.event_id != total.event_id
            and e.event_id not in flagged
            and (e.fatalities or 0) < (total.fatalities or 0)
            and e.plover_type == total.plover_type
            and e.event_date == total.event_date
            and _within(e, total, articles)
        ]
        if _subset_sums_to(parts, total.fatalities or 0):
            flagged.add(total.event_id)
    return flagged


def _within(part: Event, total: Event, articles: dict[str, set[str]]) -> bool:
    """Whether a part event lies within a total's place (module doc)."""
    sentence = _fold(total.sentence)
    names = [_fold(n) for n in (part.location_name, part.admin1) if n]
    if any(re.search(rf"\b{re.escape(name)}\b", sentence) for name in names):
        return True
    if not articles[part.event_id] & articles[total.event_id] or part.country != total.country:
        return False
    if total.geo_precision == 4:
        return part.country is not None
    return total.geo_precision == 3 and total.admin1 is not None and total.admin1 == part.admin1


def _subset_sums_to(values: list[int], target: int) -> bool:
    """Whether some of the values (each smaller than the target) add up to it exactly."""
    reachable = 1  # bit i set: some subset sums to i
    mask = (1 << (target + 1)) - 1
    for value in values:
        reachable |= (reachable << value) & mask
    return bool(reachable >> target & 1)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
