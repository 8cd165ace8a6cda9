"""Reading place names in text: folding, word tokens with their case and cues around them.

The gazetteer (``geo``) looks names up as n-grams of these tokens; the cues say whether a
capitalised word is introduced as a place ("raids on Salma", "the town of Salma") or is a
person or an organisation ("Baker said", "Belgrade radio"). Place words and verbs of
saying are the shared lists of ``data/events/words.yaml``.

Which names count:

* A name starts with a capitalised word (inner particles such as "al" may be lower case)
  and is not glued to another capitalised word ("Vladimir Putin", "Aleppo Governor"; a
  place word may follow: "Idlib Province"), a title ("Gov. Holcomb") or a speech verb
  ("Baker said"). Stop words (``data/geo/stopwords.txt``: "The", "Since", "Time") and
  all-caps acronyms ("SANA") are no places.
* Alternate names (transliterations, exonyms) are used for towns of 15,000+ people and
  for towns of countries whose names are transliterated (Arabic, Cyrillic... script); a
  small town elsewhere is read by its own name only ("Harris" is an alternate name of
  Cato, Wisconsin). A leading Arabic article is optional ("Qamishli" = "Al Qāmishlī").
* A town of less than 100,000 people must be introduced as a place ("raids on Salma",
  "the town of Salma", "in Harris") or qualified by its province or country in the
  sentence; a single capitalised word opening a sentence ("Sadly, ...") is only a place
  of the article's main country.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from spacy.tokens import Doc

from newsevents.events.syntax import text_of
from newsevents.events.words import WORDS

# fmt: off
NON_LATIN_LANGUAGES = frozenset(
    [
        "ar", "fa", "ps", "ur", "ku", "ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "tg", "uz",
        "mn", "zh", "cmn", "ja", "ko", "th", "lo", "km", "my", "ka", "hy", "he", "yi", "el",
        "hi", "bn", "ne", "si", "ta", "te", "ml", "kn", "gu", "pa", "mr", "am", "ti", "dv", "dz",
        "bo",
    ]
)
ARAB_COUNTRIES = frozenset(
    [
        "AE", "BH", "DZ", "EG", "EH", "IQ", "JO", "KW", "LB", "LY", "MA", "MR", "OM", "PS", "QA",
        "SA", "SD", "SY", "TN", "YE",
    ]
)
# fmt: on
ARABIC_ARTICLES = frozenset(["al", "el", "ar", "as", "ash", "at", "ad", "adh", "az", "an"])
# fmt: off
PARTICLES = ARABIC_ARTICLES | frozenset(
    [
        "ul", "bin", "ibn", "abu", "umm", "de", "del", "della", "di", "da", "do", "dos", "das",
        "du", "des", "la", "le", "les", "los", "van", "von", "der", "den", "upon", "on", "sur",
        "sous", "y", "e", "i", "and", "of", "the",
    ]
)
# fmt: on
PROVINCE_WORDS = WORDS.province_words
DISTRICT_WORDS = WORDS.district_words
TOWN_WORDS = WORDS.town_words
PLACE_WORDS = PROVINCE_WORDS | DISTRICT_WORDS | TOWN_WORDS
# Words of admin1 names that say nothing about where ("Northern Province", "Centre").
# fmt: off
GENERIC_WORDS = PROVINCE_WORDS | frozenset(
    [
        "north", "south", "east", "west", "northern", "southern", "eastern", "western",
        "central", "centre", "center", "middle", "upper", "lower", "far", "greater", "capital",
        "area", "islands", "island", "coast", "district", "nord", "sud", "est", "ouest",
        "northeast", "northwest", "southeast", "southwest", "north-east", "north-west",
    ]
)
# fmt: on
PLACE_NOUNS = WORDS.place_nouns
# fmt: off
PLACE_PREPOSITIONS = frozenset(
    [
        "in", "at", "near", "on", "outside", "around", "to", "into", "inside", "across",
        "toward", "towards", "from", "via",
    ]
)
TITLES = frozenset(
    [
        "mr", "mrs", "ms", "dr", "gov", "governor", "sen", "senator", "rep", "president",
        "minister", "gen", "general", "col", "lt", "sgt", "capt", "judge", "justice", "mayor",
        "king", "queen", "prince", "sheikh",
    ]
)
# fmt: on
SPEECH_VERBS = WORDS.speech_forms - WORDS.speech_verbs  # "Baker said", not "state"
LOCATIVE = frozenset(["in", "inside", "across", "throughout", "within", "into", "near", "at", "to"])
DIRECTIONS = WORDS.directions
# "Belgrade radio said", "the Kabul government": the place names an organisation.
# fmt: off
ORGANISATION_WORDS = frozenset(
    [
        "radio", "television", "tv", "government", "regime", "authorities", "officials",
        "administration", "newspaper", "daily", "agency",
    ]
)
# fmt: on

_WORD = re.compile(r"[^\W\d_]+(?:['’‘`´][^\W\d_]+)*")
_NON_LETTERS = re.compile(r"[^\w\n]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_POSSESSIVE = re.compile(r"(?<=[^\W\d_]{2})['’][sS]\b")
# Alternate names in other scripts, or with digits (codes, "Kilometre 45"), are not used.
_UNUSABLE = re.compile(r"[^\u0000-\u024f\u0300-\u036f\u1e00-\u1eff\u02bb\u02bc\u2018\u2019]|\d")
_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe"})
_APOSTROPHES = str.maketrans("", "", "'’‘`´ʻʼ")
_JOINER = re.compile(r"[ \t]*[-‐‑]?[ \t]*")  # what may stand between the words of a name
_POSSESSIVE_TOKENS = frozenset({"'s", "’s", "'", "’"})
_SENTENCE_BREAK = re.compile(r"[.!?:;\"“”(\n]")


class NameToken(NamedTuple):
    start: int
    end: int
    key: str  # folded, lower case, without apostrophes or a possessive 's
    cap: bool
    allcaps: bool
    initial: bool  # first word of the text, a sentence or a quotation
    joined: bool  # nothing but a space or a hyphen since the previous word


@functools.lru_cache(maxsize=1 << 16)
def fold(word: str) -> str:
    """Case- and accent-folded, without apostrophes: "Ma‘arrat" → "maarrat" (cached: an
    article's words repeat, and every sentence is read again for its places)."""
    if word.isascii():  # most words: the fast path
        return word.lower().replace("'", "").replace("`", "")
    word = _COMBINING.sub("", unicodedata.normalize("NFKD", word.casefold().translate(_FOLD)))
    return word.translate(_APOSTROPHES)


def _spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, word) of each word, without a possessive 's."""
    for m in _WORD.finditer(text):
        start, end, word = m.start(), m.end(), m.group()
        if len(word) > 3 and word[-2] in "'’" and word[-1] in "sS":
            end -= 2
            word = word[:-2]
        yield start, end, word


@functools.lru_cache(maxsize=1 << 16)
def _word_facts(word: str) -> tuple[str, bool, bool]:
    """(key, capitalised, all capitals) of a word (cached: an article's words repeat)."""
    return fold(word), word[0].isupper(), len(word) > 1 and word.isupper()


def name_key(name: str) -> str:
    """The lookup key of a name: "Ma‘arrat an-Nu‘mān" → "maarrat an numan"."""
    return _NON_LETTERS.sub(" ", fold(_POSSESSIVE.sub("", name))).strip()


def name_keys(names: list[str], arabic: bool) -> set[str]:
    """The distinct lookup keys of a place's names (normalised together, for speed)."""
    text = _NON_LETTERS.sub(" ", fold(_POSSESSIVE.sub("", "\n".join(names))))
    keys = {line.strip() for line in text.split("\n")}
    if arabic:  # "Al Qāmishlī" is also "Qamishli"
        keys |= {
            rest
            for article, _, rest in (k.partition(" ") for k in keys)
            if article in ARABIC_ARTICLES and rest
        }
    keys.discard("")
    return keys


def usable_alternate(name: str) -> bool:
    """Latin-script alternate names only; no codes ("GVA") and nothing with digits."""
    return not (name.isupper() or _UNUSABLE.search(name))


def tokenize(text: str) -> list[NameToken]:
    """The words of a text (an article) as name tokens."""
    return _name_tokens(text, _spans(text))


def doc_tokens(doc: Doc) -> list[NameToken]:
    """The words of a parsed sentence as name tokens, read from its spaCy tokens: the one
    tokenisation the coder shares with ``when`` and ``counts`` (spaCy keeps "Ma‘arrat" and
    "O'Neill" whole and splits a possessive "'s" off, which is not part of a name)."""
    spans = (
        (tok.idx + start, tok.idx + end, word)
        for tok in doc
        if tok.lower_ not in _POSSESSIVE_TOKENS
        for start, end, word in _spans(tok.text)
    )
    return _name_tokens(text_of(doc), spans)


def _name_tokens(text: str, spans: Iterable[tuple[int, int, str]]) -> list[NameToken]:
    tokens: list[NameToken] = []
    prev_end, prev_single = 0, False
    for start, end, word in spans:
        if tokens:
            initial, joined = _gap(text[prev_end:start], prev_single)
        else:
            initial, joined = True, False
        tokens.append(NameToken(start, end, *_word_facts(word), initial, joined))
        prev_end, prev_single = end, len(word) == 1
    return tokens


@functools.lru_cache(maxsize=1 << 12)
def _gap(gap: str, after_single: bool) -> tuple[bool, bool]:
    """What the text between two words says: (a sentence starts, the words are joined).
    Cached: most gaps are one space."""
    initial = bool(_SENTENCE_BREAK.search(gap.replace(".", "") if after_single else gap))
    joined = bool(_JOINER.fullmatch(gap)) or (after_single and gap.strip() == ".")
    return initial, joined


def previous_word(tokens: list[NameToken], start: int) -> str:
    """The word before a mention, skipping "the" and directions ("in southeastern Serbia")."""
    i = start - 1
    while i >= 0 and (tokens[i].key == "the" or tokens[i].key in DIRECTIONS):
        i -= 1
    return tokens[i].key if i >= 0 else ""


def usable(text: str, tokens: list[NameToken], start: int, end: int) -> bool:
    """A mention can be the event's place unless it is an origin or an attribute."""
    tail = text[tokens[end - 1].end : tokens[end - 1].end + 2]
    attribute = len(tail) == 2 and tail[0] == "-" and tail[1].islower()  # "Damascus-based"
    organisation = end < len(tokens) and tokens[end].key in ORGANISATION_WORDS
    return not (attribute or organisation) and previous_word(tokens, start) != "from"


def place_cue(tokens: list[NameToken], start: int) -> bool:
    """Whether the words before a name introduce a place: "in X", "raids on X", "north of X"."""
    word = previous_word(tokens, start)
    if word in PLACE_PREPOSITIONS:
        return True
    if word in PLACE_NOUNS:  # "East Timor's capital Dili"
        return True
    before = [t.key for t in tokens[max(0, start - 2) : start]]
    return len(before) == 2 and before[1] == "of" and before[0] in PLACE_NOUNS | DIRECTIONS


def cue_before(before: list[str], words: frozenset[str]) -> bool:
    """ "the province of X", "the town of X"."""
    return len(before) >= 2 and before[-1] == "of" and before[-2] in words


def plural_cue(tokens: list[NameToken]) -> int | None:
    """Where "the provinces of A and B" starts: the plural place word covers what follows."""
    for i, (a, b) in enumerate(itertools.pairwise(tokens)):
        if a.key.endswith("s") and a.key[:-1] in PROVINCE_WORDS and b.key == "of":
            return i
    return None
