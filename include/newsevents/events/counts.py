"""How many, and who says so: casualty counts and the source a sentence is attributed to.

Counts. A number counts only when it is tied to a casualty word: the subject of a passive
or adjectival one ("Twenty-one civilians were killed", "12 dead", "35 deaths"), the
object of an active one ("killed 35 civilians", "wounding 120"), or a death toll ("the
death toll rose to 35"). So "120 airstrikes", "48 hours", "in 2012" and "The toll
included two paramedics" are not casualties. An appositive ", including three children,"
or a parenthesis is skipped, so "Another 14, including three children, were killed" is
14. Coordinated groups add up ("two soldiers and three civilians were killed" is 5).
Bounds are read as their number ("at least 12", "more than 120", "nearly 40"); vague
amounts ("dozens", "scores", "several") give None, as does "casualties", which mixes the
killed and the wounded. A cumulative toll ("bringing the death toll to 40") is not the
event's. The people words of a casualty phrase are the actor coder's sector words
(``data/events/sectors.tsv``: soldier, civilian, rebel, paramedic...) plus a few generic
ones; other words between a number and the casualty word make it something else.

Attribution. ", the Observatory said." → "the Observatory"; "SANA reported" → "SANA";
"according to X" → X; "X said ..." at a clause start → X. A trailing attribution wins
over the others (it reports the whole sentence). Pronouns ("it said") give None unless
the article's earlier sources are passed as ``known_sources``: "it"/"they" then mean the
latest organisation, "he"/"she" the latest person, and a short form ("the Observatory",
"SOHR") the full name it abbreviates ("the Syrian Observatory for Human Rights").

Both read the sentence's spaCy ``Doc`` (the tokenisation the coder shares with ``when``
and ``geo``): counts its tokens, attribution patterns over its text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc

from newsevents.events.codebook import read_table
from newsevents.events.syntax import text_of
from newsevents.events.words import WORDS

# fmt: off
_UNITS = {
    w: i
    for i, w in enumerate(
        [
            "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
            "eighteen", "nineteen",
        ],
        1,
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate(
        [
            "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
        ],
        2,
    )
}
# fmt: on
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

FATAL_AFTER = {"killed", "dead", "died", "die", "slain", "deaths", "dying", "executed", "bodies"}
INJURED_AFTER = {"wounded", "injured", "hurt", "injuries"}
FATAL_BEFORE = {"killed", "killing", "kills", "kill", "executed", "executing"}
INJURED_BEFORE = {"wounded", "wounding", "wounds", "injured", "injuring", "injures"}
_LEFT = {"left"}  # "left 12 dead"
# fmt: off
_AUX = frozenset(  # between a count and its casualty word: "12 people have reportedly been killed"
    [
        "were", "was", "are", "is", "have", "has", "had", "been", "be", "being", "reportedly",
        "also", "all", "later", "allegedly", "reported", "confirmed", "since", "subsequently",
    ]
)
# fmt: on
# Words between a number and the people word: "12 Syrian soldiers", "35 pro-government fighters".
_MODIFIER_SLOTS = 3
# fmt: off
_GENERIC_PEOPLE = frozenset(
    [
        "people", "person", "persons", "others", "other", "individuals", "man", "men", "woman",
        "women", "child", "children", "boy", "boys", "girl", "girls", "baby", "babies",
        "resident", "residents", "member", "members", "passengers", "victims", "worker",
        "workers", "family", "relatives", "them", "troops", "serviceman", "servicemen",
        "personnel", "youths", "prisoner", "prisoners", "detainee", "detainees", "journalist",
        "journalists",
    ]
)
# fmt: on
_SINGULAR = {"a", "an"}
# fmt: off
_BOUNDS = [  # read as the number they bound
    bound.split()
    for bound in [
        "at least", "more than", "over", "nearly", "almost", "about", "around", "some", "up to",
        "as many as", "at most", "roughly", "approximately", "an estimated", "no fewer than",
        "no less than", "another", "a further", "an additional",
    ]
]
_TOLL_VERBS = frozenset(
    [
        "rose", "risen", "rises", "climbed", "reached", "hit", "stood", "stands", "is", "was",
        "to", "at", "of", "jumped", "increased",
    ]
)
# fmt: on
_CUMULATIVE = {"bringing", "raising", "pushing", "taking", "brings", "raises"}
_DATE_WORDS = frozenset(WORDS.weekdays) | frozenset(
    ["yesterday", "today", "overnight", "on", "last", "night", "morning", "evening"]
)

_ASIDE = re.compile(
    r"\([^)]*\)|,\s*(?:including|among them|among whom|mostly|most of them)\b[^,;.\u2013\u2014]*,?"
    r"|[\u2013\u2014]\s*including\b[^\u2013\u2014]*[\u2013\u2014]?"
)

# Verbs of saying in the past or present tense ("said", "reports"); "told" takes its object.
_SPEECH = "(?:told\\s+\\w+|{})".format(
    "|".join(
        sorted(
            (f for f in WORDS.speech_forms if f.endswith(("s", "d", "t")) and f != "told"),
            key=lambda f: (-len(f), f),
        )
    )
)
_TIME = (  # "..., Hijab said Tuesday."
    rf"(?:\s+(?:on\s+)?(?:{'|'.join(WORDS.weekdays)}|today"
    r"|yesterday|in\s+a\s+statement))?"
)
_TRAILING = re.compile(
    rf",[\"”’]?\s+(?P<src>[^,;\"“”]{{1,80}}?)\s+{_SPEECH}{_TIME}\s*[.\"”]*\s*$", re.IGNORECASE
)
_INVERTED = re.compile(r",[\"”’]?\s+(?:said|says|added)\s+(?P<src>[^,;.\"“”]{1,80})")
_ACCORDING = re.compile(r"\baccording\s+to\s+(?P<src>[^,;\"“”]{1,80}?)(?=[,;.]|$)", re.IGNORECASE)
_LEADING = re.compile(
    rf"(?:^|[,;]\s+)(?P<src>(?:the\s+|state\s+)?(?:[A-Z][\w.'’-]*\s+){{0,5}}[A-Za-z][\w.'’-]*)\s+{_SPEECH}\b"
)
PRONOUNS = {"it", "he", "she", "they", "we", "i", "you"}
_DETERMINERS = {"the", "a", "an", "state"}  # "state television reported"
_ORG_PRONOUNS = {"it", "they", "we"}


def casualties(doc: Doc) -> tuple[int | None, int | None]:
    """(fatalities, injured) reported by a sentence, None where it gives no number."""
    tokens = _tokens(doc)
    casualty_words = FATAL_AFTER | INJURED_AFTER | FATAL_BEFORE | INJURED_BEFORE
    # "killed or wounded 20": a count of both, so of neither.
    mixed = {
        j
        for i in range(len(tokens) - 2)
        if tokens[i] in casualty_words and tokens[i + 1] == "or" and tokens[i + 2] in casualty_words
        for j in (i, i + 2)
    }
    fatalities = injured = None
    for i, word in enumerate(tokens):
        if fatalities is None and _is_toll(tokens, i):
            fatalities = _number_after(tokens, _toll_value_start(tokens, i))
        if i in mixed:
            continue
        found = None
        # Active first: in "Two bombers killed 23 people" the count is the object's.
        if word in FATAL_BEFORE | INJURED_BEFORE | _LEFT:
            found = _object_count(tokens, i)
            if word in _LEFT:
                after = tokens[i + 1 : i + 8]
                word = "dead" if "dead" in after else "wounded" if "wounded" in after else ""
        if found is None and word in FATAL_AFTER | INJURED_AFTER:
            found = _subject_count(tokens, i)
        if found is None:
            continue
        if word in FATAL_AFTER | FATAL_BEFORE and fatalities is None:
            fatalities = found
        elif word in INJURED_AFTER | INJURED_BEFORE and injured is None:
            injured = found
    return fatalities, injured


def attribution(doc: Doc, known_sources: Sequence[str] = ()) -> str | None:
    """Who a sentence is attributed to ("the Observatory", "SANA"), or None (module doc)."""
    text = text_of(doc).strip()
    for pattern in (_TRAILING, _INVERTED, _ACCORDING, _LEADING):
        m = pattern.search(text)
        if m:
            # After a comma at the end, a plain noun is a source too: "..., police said."
            source = _clean_source(m.group("src"), plain_nouns=pattern is _TRAILING)
            if source:
                return _resolve_source(source, known_sources)
    return None


# -- counting -----------------------------------------------------------------------------


def _tokens(doc: Doc) -> list[str]:
    """The words the counter reads: lower case, asides left out, words joined by a hyphen
    kept whole ("twenty-one", "pro-government", as the casualty phrases spell them)."""
    asides = [m.span() for m in _ASIDE.finditer(text_of(doc))]
    tokens: list[str] = []
    glued = False  # the last token was a hyphen between two words
    for tok in doc:
        if tok.is_space or any(start <= tok.idx < end for start, end in asides):
            continue
        if glued and tok.is_alpha:
            tokens[-1] += tok.lower_
        elif (
            tok.text == "-"
            and tokens
            and tokens[-1][-1:].isalpha()
            and not tok.nbor(-1).whitespace_
            and not tok.whitespace_
            and tok.i + 1 < len(doc)
            and tok.nbor(1).is_alpha
        ):
            tokens[-1] += "-"
            glued = True
            continue
        else:
            tokens.append(tok.lower_)
        glued = False
    return tokens



def _read_people_words() -> frozenset[str]:
    """People words: the actor coder's sector terms (and plurals), demonyms, generic words."""
    words = set(_GENERIC_PEOPLE)
    for term, _sector in read_table("sectors.tsv"):
        head = term.split()[-1]
        words |= {head, head + "s", head + "es", head[:-1] + "ies", head[:-3] + "men"}
    for _iso3, _names, demonyms, _capitals in read_table("countries.tsv"):  # "4 Iraqis"
        words |= {d.lower() for d in demonyms.split("|") if d}
    words.discard("")
    return frozenset(words)


_PEOPLE_WORDS = _read_people_words()  # read once, with the module


def _parse_number(tokens: list[str], i: int) -> tuple[int | None, int]:
    """The number starting at token i: (value, index after it), or (None, i)."""
    if i >= len(tokens):
        return None, i
    word = tokens[i]
    if word[0].isdigit():
        digits = word.replace(",", "")
        return (int(digits), i + 1) if digits.isdigit() else (None, i)
    if word in ("a", "one") and i + 1 < len(tokens) and tokens[i + 1] == "dozen":
        return 12, i + 2
    total, current, j = 0, 0, i
    while j < len(tokens):
        parts = tokens[j].split("-")
        if all(p in _UNITS or p in _TENS for p in parts) and len(parts) <= 2:
            current += sum(_UNITS.get(p, 0) + _TENS.get(p, 0) for p in parts)
        elif tokens[j] in _SCALES and (current or total):
            current = max(current, 1) * _SCALES[tokens[j]]
            if _SCALES[tokens[j]] >= 1000:
                total, current = total + current, 0
        elif tokens[j] == "dozen" and current:
            current *= 12
        elif (
            tokens[j] == "and"
            and j > i
            and j + 1 < len(tokens)
            and (tokens[j + 1].split("-")[0] in _UNITS or tokens[j + 1].split("-")[0] in _TENS)
        ):
            pass  # "one hundred and twenty"
        else:
            break
        j += 1
    return (total + current, j) if j > i else (None, i)


def _skip_bounds(tokens: list[str], i: int) -> int:
    """Skip "at least", "more than"... before a number."""
    for words in _BOUNDS:
        if tokens[i : i + len(words)] == words:
            return i + len(words)
    return i


def _number_after(tokens: list[str], i: int) -> int | None:
    value, _ = _parse_number(tokens, _skip_bounds(tokens, i))
    return value


def _subject_count(tokens: list[str], k: int) -> int | None:
    """The number of "N [modifiers] [people] [were] killed", coordinated groups added."""
    j = k - 1
    while j >= 0 and tokens[j] in _AUX:
        j -= 1
    total = None
    while j >= 0:
        value, j = _group_before(tokens, j)
        if value is None:
            break
        total = (total or 0) + value
        if j >= 1 and tokens[j] in ("and", ","):
            j -= 1
            continue
        break
    return total


def _group_before(tokens: list[str], j: int) -> tuple[int | None, int]:
    """A group "N [of them] [modifiers] [people]" ending at token j: (value, index before it)."""
    end = j
    if j >= 0 and tokens[j] in _PEOPLE_WORDS:
        j -= 1  # the people word, then up to three modifiers ("Iraqi", "pro-government")
        while (
            j >= 0
            and end - j <= _MODIFIER_SLOTS
            and _is_word(tokens[j])
            and not (_is_number_at(tokens, j) or tokens[j] in _SINGULAR)
        ):
            j -= 1
    if j >= 1 and tokens[j] == "them" and tokens[j - 1] == "of":
        j -= 2  # "21 of them were killed"
    if 0 <= j < end and tokens[j] in _SINGULAR:
        return 1, j - 1  # "A prominent journalist has been killed"
    start = _number_start(tokens, j)
    if start is None:
        return None, end
    value, after = _parse_number(tokens, start)
    if value is None or after != j + 1:
        return None, end
    return value, start - 1


def _is_word(token: str) -> bool:
    return token.replace("-", "").isalpha()


def _number_start(tokens: list[str], j: int) -> int | None:
    """The first token of a number phrase that ends at token j."""
    if j < 0 or not _is_number_at(tokens, j):
        return None
    start = j
    while start > 0 and (
        _is_number_at(tokens, start - 1)
        or (
            tokens[start - 1] == "and"
            and start > 1
            and _is_number_at(tokens, start - 2)
            and tokens[start - 2] in _SCALES
        )
    ):
        start -= 1
    if start > 0 and tokens[start] == "dozen" and tokens[start - 1] in ("a", "one"):
        start -= 1
    return start


def _is_number_at(tokens: list[str], j: int) -> bool:
    word = tokens[j]
    if word[0].isdigit():
        return word.replace(",", "").isdigit() and not _is_year(tokens, j)
    parts = word.split("-")
    return all(p in _UNITS or p in _TENS or p in _SCALES for p in parts) or word == "dozen"


def _is_year(tokens: list[str], j: int) -> bool:
    value = int(tokens[j].replace(",", ""))
    return (
        1900 <= value <= 2100
        and "," not in tokens[j]
        and j > 0
        and tokens[j - 1] in ("in", "since", "of", "until", "by", "from", "during")
    )


def _object_count(tokens: list[str], k: int) -> int | None:
    """The number of "killed [on Tuesday] N [modifiers] [people]"."""
    j = k + 1
    while j < len(tokens) and tokens[j] in _DATE_WORDS:
        j += 1
    if j < len(tokens) and tokens[j] in _SINGULAR:  # "killed a policeman"
        after = j + 1
        while (
            after < len(tokens)
            and after - j <= _MODIFIER_SLOTS
            and tokens[after] not in _PEOPLE_WORDS
        ):
            after += 1
        return 1 if after < len(tokens) and tokens[after] in _PEOPLE_WORDS else None
    value, after = _parse_number(tokens, _skip_bounds(tokens, j))
    return value if value is not None and _ends_casualty_phrase(tokens, after) else None


def _ends_casualty_phrase(tokens: list[str], i: int) -> bool:
    """Whether the words after a number are people (or nothing): "35 civilians", not "35 hours"."""
    people = _PEOPLE_WORDS
    for j in range(i, min(i + _MODIFIER_SLOTS + 1, len(tokens))):
        word = tokens[j]
        if word in people or word in ("of", "and") and j == i:
            return True
        if not word.isalpha() and "-" not in word:
            return j == i or word in (",", ".", ";")
        if (
            word in ("in", "on", "at", "near", "when", "while", "after", "during", "across")
            and j == i
        ):
            return True
    return False


def _is_toll(tokens: list[str], i: int) -> bool:
    """ "the death toll rose to 35" (not "toll included", not "bringing the toll to")."""
    if tokens[i] != "toll":
        return False
    back = tokens[max(0, i - 3) : i]
    if any(w in _CUMULATIVE for w in back):
        return False
    return i + 1 < len(tokens) and tokens[i + 1] in _TOLL_VERBS


def _toll_value_start(tokens: list[str], i: int) -> int:
    j = i + 1
    while j < len(tokens) and tokens[j] in _TOLL_VERBS:
        j += 1
    return j


# -- attribution --------------------------------------------------------------------------


def _clean_source(source: str, plain_nouns: bool) -> str | None:
    """The source as written, or None if the words cannot be one (a date, a clause)."""
    source = re.sub(r"^(?:and|but|as)\s+", "", source.strip(" \t\"“”'’."), flags=re.IGNORECASE)
    words = source.split()
    if not words or len(words) > 8 or words[0].lower() in _DATE_WORDS:
        return None
    if source.lower() in PRONOUNS or words[0][0].isupper() or words[0].lower() in _DETERMINERS:
        return source
    return source if plain_nouns and len(words) <= 3 else None


def _is_organisation(source: str) -> bool:
    words = source.split()
    return words[0].lower() in _DETERMINERS or source.isupper() or words[0].islower()


def _content_words(source: str) -> list[str]:
    words = (w.lower() for w in re.findall(r"[A-Za-z]+", source))
    return [w for w in words if w not in ("the", "a", "an", "for", "of", "and")]


def _resolve_source(source: str, known: Sequence[str]) -> str | None:
    """A pronoun or a short form resolved against the article's earlier sources."""
    lower = source.lower()
    if lower in PRONOUNS:
        wanted = lower in _ORG_PRONOUNS
        return next((k for k in reversed(known) if _is_organisation(k) == wanted), None)
    words = set(_content_words(source))
    for full in reversed(known):
        full_words = _content_words(full)
        initials = "".join(w[0] for w in full_words)
        if full != source and (words and words < set(full_words) or lower == initials):
            return full
    return source
