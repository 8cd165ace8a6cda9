"""When: a sentence's date resolved against the publication date, and its action's modality.

Dates are news-relative. A weekday in past-tense reporting is the latest such day on or
before the reference ("Tuesday" in an article of Tuesday 2016-01-12 is that day); in a
future context ("will meet in Geneva Wednesday") it is the next one after it. A month and
day without a year ("on Dec. 18" in January) is the latest on or before the reference, or
the next on or after it in a future context. "yesterday", "N days ago", "last Friday",
"next Monday" follow the same rules.

``Event.event_date`` is a day, so only day-level expressions give a date. Coarser ones
("later this month", "last week", "in December", "since 2012") are recognised (so they
are not mistaken for something else) but give None: the coder then falls back to the
publication date, the date-of-report convention of GDELT and POLECAT, and a future event
keeps its ``modality="future"``.

The modality of an action is read from cue words before it in its clause (from the
trigger back to the previous comma or clause break): "denied" (not, never, no one,
denied, refused to, failed to), "hypothetical" (if, would, could, may, possible...),
"future" (will, plans to, is expected to, scheduled...), else "asserted". Negated and
denied actions are thus never coded as having happened. Pass the trigger's character
offset as ``near`` when the sentence reports several actions.

Every function reads the sentence's spaCy ``Doc``, the one tokenisation the coder shares
with ``counts`` and ``geo``: date expressions are patterns over its text, cue words its
tokens ("n't" reads as "not", "'ll" as "will").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from spacy.tokens import Doc, Token

from newsevents.events.syntax import text_of
from newsevents.events.words import WORDS

Granularity = Literal["day", "week", "month", "year"]

WEEKDAYS = WORDS.weekdays
MONTHS = {m[:3]: i for i, m in enumerate(WORDS.months, 1)}  # "dec", as the regex reads it
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_WEEKDAY = "|".join(WEEKDAYS)
_RELATIVE_DAY = (
    r"yesterday|today|tonight|tomorrow|last\s+night|this\s+(?:morning|afternoon|evening)"
)
_PERIOD = r"(?:this|last|next|the\s+(?:past|previous|coming))"
_SPAN = r"(?:in|since|during|until|by|through|early|mid|late)"
_COUNT = r"(?P<count>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten)"
_NUMBER_WORDS = {"a": 1, "an": 1} | {
    w: i
    for i, w in enumerate(
        ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"], 1
    )
}

# Date expressions, most specific first; each pattern's name says how to resolve it.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("iso", r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
        ("month_day", rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:%|per\s*cent|people|km|miles))" + _YEAR),
        ("day_month", rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?![a-z])" + _YEAR),
        ("days_ago", rf"\b{_COUNT}\s+(?P<unit>day|week)s?\s+ago\b"),
        ("offset", r"\b(?:the\s+)?day\s+(?P<rel>before\s+yesterday|after\s+tomorrow)\b"),
        ("offset", rf"\b(?P<rel>{_RELATIVE_DAY})\b"),
        ("weekday", rf"\b(?:(?P<rel>last|next|this|past|coming)\s+)?(?P<weekday>{_WEEKDAY})s?\b"),
        ("coarse", rf"\b(?:(?:earlier|later)\s+)?{_PERIOD}\s+(?P<unit>week|month|year|weekend)\b"),
        ("coarse", rf"\b{_SPAN}[\s-]+(?:{_MONTH}|(?P<year>(?:19|20)\d\d))\b"),
    )
]
_OFFSETS = {  # days from the reference
    "yesterday": -1,
    "last night": -1,
    "before yesterday": -2,
    "tomorrow": 1,
    "after tomorrow": 2,
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
}
_PUNCTUATION_BREAKS = {",", ";", ":", "(", ")", "\u2013", "\u2014"}
_CONTRACTIONS = {"n't": "not", "n’t": "not", "'ll": "will", "’ll": "will"}
_CLAUSE_BREAKS = {",", ";", ":", "(", ")", "\u2013", "\u2014", "but", "while", "whereas"}


def _pairs(text: str) -> frozenset[tuple[str, ...]]:
    """ "is to, are to" → {("is", "to"), ("are", "to")}."""
    return frozenset(tuple(pair.split()) for pair in text.split(","))


_FUTURE = frozenset(["will", "shall", "upcoming", "next", "tomorrow", "scheduled", "planned"])
_FUTURE_BIGRAMS = _pairs(
    "is to, are to, going to, set to, plans to, plan to, planning to, intends to, intend to, "
    "expected to"
)
# fmt: off
_HYPOTHETICAL = frozenset(
    [
        "if", "unless", "whether", "would", "could", "might", "may", "should", "must",
        "possible", "possibly", "potential", "potentially", "perhaps", "maybe",
    ]
)
_NEGATION = frozenset(
    [
        "not", "never", "no", "none", "nobody", "neither", "nor", "deny", "denies",
        "denied", "denying", "refuted",
    ]
)
# fmt: on
# An obligation has not happened ("the parties must reach an agreement", "Israel has to
# withdraw"); "had to flee" tells what happened.
_HYPOTHETICAL_BIGRAMS = _pairs("has to, have to, need to, needs to")
_NEGATION_BIGRAMS = _pairs("refused to, refuses to, failed to, fails to, no one")
# "no fewer than 12 killed" and "not only" assert.
_NOT_NEGATION = _pairs("no fewer, no less, no longer, not only")


@dataclass(frozen=True)
class DateMention:
    """A date expression: where it is, the day it means (or None) and how precise it is."""

    start: int
    end: int
    day: date | None
    granularity: Granularity
    future: bool


def resolve_date(doc: Doc, reference: date, near: int | None = None) -> date | None:
    """The day a sentence's event happened (or will happen), or None if it names no day.

    Takes the date expression nearest to character offset ``near`` (the trigger), else the
    first one; a coarse expression ("later this month") gives None (module doc).
    """
    mention = event_date_mention(doc, reference, near)
    return mention.day if mention else None


def event_date_mention(doc: Doc, reference: date, near: int | None = None) -> DateMention | None:
    """The date expression ``resolve_date`` reads, with its granularity (the event's
    ``time_precision``), or None when the sentence has none."""
    found = date_mentions(doc, reference)
    if not found:
        return None
    if near is None:
        return found[0]
    return min(found, key=lambda m: (_distance(m, near), m.start))


def date_mentions(doc: Doc, reference: date) -> list[DateMention]:
    """All date expressions of a sentence, in order, resolved against ``reference``."""
    sentence = text_of(doc)
    taken: list[tuple[int, int]] = []
    mentions: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(sentence):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            month = m.groupdict().get("month")
            if month and not month[0].isupper():
                continue  # "may 12 people", "march 5 km": not months
            future = _future_context(doc, m.start(), m.end())
            day, granularity = _resolve(kind, m, reference, future)
            if kind != "coarse" and day is None:
                continue  # "May 35": not a date
            taken.append((m.start(), m.end()))
            mentions.append(DateMention(m.start(), m.end(), day, granularity, future))
    return sorted(mentions, key=lambda d: d.start)


def modality(doc: Doc, near: int | None = None) -> str:
    """ "asserted", "future", "hypothetical" or "denied", from cue words before the action
    (the word at character offset ``near``, the trigger; the whole sentence without one)."""
    words = _clause_before(doc, near)
    pairs = set(itertools.pairwise(words))
    negated = (set(words) & _NEGATION or pairs & _NEGATION_BIGRAMS) and not pairs & _NOT_NEGATION
    if negated:
        return "denied"
    if set(words) & _HYPOTHETICAL or pairs & _HYPOTHETICAL_BIGRAMS:
        return "hypothetical"
    if set(words) & _FUTURE or pairs & _FUTURE_BIGRAMS:
        return "future"
    return "asserted"


# -- resolution ---------------------------------------------------------------------------


def _resolve(
    kind: str, m: re.Match[str], ref: date, future: bool
) -> tuple[date | None, Granularity]:
    groups: dict[str, str] = {k: v.lower() for k, v in m.groupdict().items() if v}
    if kind == "iso":
        return _date(int(groups["year"]), int(groups["month"]), int(groups["day"])), "day"
    if kind in ("month_day", "day_month"):
        month, day = MONTHS[groups["month"][:3]], int(groups["day"])
        if groups.get("year"):
            return _date(int(groups["year"]), month, day), "day"
        return _nearest_month_day(ref, month, day, future), "day"
    if kind == "days_ago":
        count = _NUMBER_WORDS.get(groups["count"]) or int(groups["count"])
        return ref - timedelta(days=count * (7 if groups["unit"] == "week" else 1)), "day"
    if kind == "offset":
        return ref + timedelta(days=_OFFSETS[" ".join(groups["rel"].split())]), "day"
    if kind == "weekday":
        return _weekday(ref, WEEKDAYS.index(groups["weekday"]), groups.get("rel"), future), "day"
    unit = groups.get("unit")
    return None, "week" if unit in ("week", "weekend") else "year" if groups.get(
        "year"
    ) else "month"


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest_month_day(ref: date, month: int, day: int, future: bool) -> date | None:
    """The latest such day on or before ``ref``, or in a future context the next one on/after."""
    years = (ref.year, ref.year + 1) if future else (ref.year, ref.year - 1)
    for year in years:
        candidate = _date(year, month, day)
        if candidate and (candidate >= ref if future else candidate <= ref):
            return candidate
    return None


def _weekday(ref: date, weekday: int, rel: str | None, future: bool) -> date:
    """ "Tuesday" relative to ``ref``: on/before it in the past, after it in the future."""
    if rel in ("next", "coming") or (future and rel != "last"):
        ahead = (weekday - ref.weekday()) % 7
        return ref + timedelta(days=ahead or 7)
    back = (ref.weekday() - weekday) % 7
    if rel in ("last", "past") and back == 0:
        back = 7
    return ref - timedelta(days=back)


def _future_context(doc: Doc, start: int, end: int) -> bool:
    """Whether the words around a date expression (same clause, 8 words) speak of the future."""
    before = _words(t for t in doc if t.idx + len(t) <= start)
    after = _words(t for t in doc if t.idx >= end)
    window = _after_break(before)[-8:] + _before_break(after)[:8]
    expression = text_of(doc)[start:end].lower()
    if re.search(r"\b(next|coming|tomorrow)\b", expression):
        return True
    if re.search(r"\b(last|past|yesterday|ago)\b", expression):
        return False
    pairs = set(itertools.pairwise(window))
    return bool(set(window) & (_FUTURE | {"would"}) or pairs & _FUTURE_BIGRAMS)


def _distance(m: DateMention, offset: int) -> int:
    return 0 if m.start <= offset < m.end else min(abs(m.start - offset), abs(m.end - offset))


# -- clauses ------------------------------------------------------------------------------


def _clause_before(doc: Doc, near: int | None) -> list[str]:
    """The lower-case words of the clause up to the trigger (the whole sentence without one)."""
    if near is None:
        return [w for w in _words(doc) if w not in _CLAUSE_BREAKS]
    return _after_break(_words(t for t in doc if t.idx <= near))


def _words(tokens: Iterable[Token]) -> list[str]:
    """Lower-case words and clause punctuation; "n't" is "not", and "May" the month is kept."""
    words: list[str] = []
    for tok in tokens:
        if tok.text in _PUNCTUATION_BREAKS:
            words.append(tok.text)
        elif tok.lower_ in _CONTRACTIONS:
            words.append(_CONTRACTIONS[tok.lower_])
        elif tok.is_alpha:
            words.append(tok.text if tok.text == "May" and words else tok.lower_)
    return words


def _after_break(words: list[str]) -> list[str]:
    for i in range(len(words) - 1, -1, -1):
        if words[i] in _CLAUSE_BREAKS:
            return words[i + 1 :]
    return words


def _before_break(words: list[str]) -> list[str]:
    for i, word in enumerate(words):
        if word in _CLAUSE_BREAKS:
            return words[:i]
    return words
