"""Which of a name's namesakes a mention means (the gazetteer's rules, ``geo`` module doc).

The records the gazetteer builds (towns, provinces and countries, what a name can stand for)
and the choice among them given what a sentence and its article say about where they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

# A town outside the article's main country must be this large to be read without a
# qualifier, and this many times larger than its namesakes in other countries.
FOREIGN_MIN_POPULATION = 15_000
DOMINANCE = 5
# A namesake abroad this large beats a town of the main country it dwarfs by DOMINANCE
# ("Aleppo" in a US article is not Aleppo, Pennsylvania).
LANDMARK_POPULATION = 100_000


class Town(NamedTuple):
    name: str
    country: str  # ISO2, as in GeoNames
    admin1: str  # "SY.12"
    lat: float
    lon: float
    population: int
    own_keys: tuple[str, ...]  # keys of its GeoNames name (alternate names not included)
    geonameid: int


@dataclass(frozen=True)
class Around:
    """What a sentence and its article say about where they are (ISO2 and admin1 codes)."""

    primary: str | None  # the article's main country
    secondary: frozenset[str]  # the article's other countries
    countries: frozenset[str]  # countries the sentence names ("Salma, Syria")
    admin1s: frozenset[str]  # provinces the sentence names
    nearby: frozenset[str]  # countries of the sentence's demonyms ("the north Lebanese port")


@dataclass(frozen=True, slots=True, eq=False)  # one object per area
class Area:
    """A province (code "SY.12") or a country (code "SY")."""

    code: str
    name: str
    country: str
    lat: float | None
    lon: float | None
    generic: bool = False
    geonameid: int | None = None  # countries only: admin1.tsv has no ids


@dataclass(frozen=True)
class Names:
    """Everything a name (n-gram key) can stand for."""

    key: str
    towns: list[Town]
    areas: list[Area]
    country: Area | None
    country_alias: bool  # a name besides the GeoNames one ("England", "Gaza")
    demonym: str | None  # ISO2


def by_size(town: Town) -> tuple[int, str]:
    return town.population, town.admin1  # admin1 breaks ties deterministically


def pick_town(names: Names, alias: bool, around: Around) -> Town | None:
    """The town a name means, given the provinces and countries around it (module doc)."""
    for pool in (
        [t for t in names.towns if t.admin1 in around.admin1s],
        [t for t in names.towns if t.country in around.countries],
    ):
        if pool:
            return max(pool, key=by_size)
    home = [t for t in names.towns if t.country == around.primary]
    # Abroad, a small town is only read by its own name (or a listed alias): GeoNames'
    # alternate names include English words ("Peace" is a town in Texas).
    abroad = [
        t
        for t in names.towns
        if t.country != around.primary
        and (alias or names.key in t.own_keys or t.population >= LANDMARK_POPULATION)
    ]
    if home:
        best = max(home, key=by_size)
        own_name = [t for t in abroad if names.key in t.own_keys]
        landmark = dominant(own_name, frozenset())
        if landmark and landmark.population >= max(
            LANDMARK_POPULATION, DOMINANCE * best.population
        ):
            return landmark
        return best
    near = [
        t for t in abroad if t.country in around.nearby and t.population >= FOREIGN_MIN_POPULATION
    ]
    if len({t.country for t in near}) == 1:
        return max(near, key=by_size)
    return dominant(abroad, around.secondary)


def closeness(country: str, around: Around) -> int:
    """How close a country is to a sentence: named in it, the article's, nearby, other."""
    if country in around.countries or country == around.primary:
        return 0
    return 1 if country in around.nearby else 2 if country in around.secondary else 3


def dominant(towns: Sequence[Town], secondary: frozenset[str]) -> Town | None:
    """The town a name means without context: large, and much larger than its rivals."""
    large = [t for t in towns if t.population >= FOREIGN_MIN_POPULATION]
    if not large:
        return None
    best = max(large, key=by_size)
    rivals = [t.population for t in large if t.country != best.country]
    if not rivals or best.population >= DOMINANCE * max(rivals):
        return best
    in_context = {t.country for t in large} & secondary
    if len(in_context) == 1:
        return max((t for t in large if t.country in in_context), key=by_size)
    return None


def pick_area(names: Names, around: Around) -> Area | None:
    """The province a name means: one in a country around the sentence, or the only one
    (and then only if no sizeable town abroad has that name: "Valencia" needs context)."""
    areas = names.areas
    towns_abroad = {t.country for t in names.towns if t.population >= FOREIGN_MIN_POPULATION}
    for pool in (
        [a for a in areas if a.country in around.countries],
        [a for a in areas if a.country == around.primary],
        [a for a in areas if a.country in around.secondary],
        [a for a in areas if not a.generic and towns_abroad <= {a.country}],
    ):
        if pool:
            return pool[0] if len({a.code for a in pool}) == 1 else None
    return None
