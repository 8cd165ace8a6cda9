"""ACLED's export layout: one CSV row per event, with ACLED's header.

Which events: asserted events (ones that happened) with an ACLED event type (political
violence, demonstrations, strategic developments), except aggregate tolls
(``is_aggregate``): their parts are rows of their own, so summing ``fatalities`` never
counts a total on top of the events it sums.

How the fields follow ACLED's codebook:

* ``inter1``/``inter2`` from the actor's CAMEO role (``data/export/cameo_types.tsv``):
  state forces (1) unless they act outside their own country (8, external forces, as
  ACLED codes foreign militaries); an actor named only by its country is its state, while
  another actor with no role (a person or a group the dictionaries lack, a town) keeps its
  name, of unknown type. The
  first actor of a protest is Protesters (6), of a riot Rioters (5); the missing target of
  violence against civilians is Civilians (7). 0: no actor, or of unknown type. An armed
  group aligned with no side (UAF) is "Unidentified Armed Group (country)" unless the
  dictionaries know it by name ("Mai-Mai militia" stays itself).
  ``interaction`` is the two codes, the smaller first (``28``), or one code times ten for a
  sole actor (``10``).
* Actor names follow ACLED's conventions where the role says who they are ("Military
  Forces of Russia", "Civilians (Syria)", "Protesters (Syria)"), else the name as written.
* ``disorder_type`` from the event and sub-event type (``data/export/acled_types.tsv``);
  ``civilian_targeting`` when political violence targets civilians.
* ``time_precision``: 1 the day is named, 2 a week is named or only the report's date is
  known, 3 only a month or year is named. ``geo_precision``: 1 town, 2 district (near a
  town), 3 province or country.
* ``iso`` is ISO 3166-1 numeric, ``region`` ACLED's, ``country`` ACLED's name;
  ``source`` the outlets that carried the event and the source the report credits;
  ``notes`` the sentence; ``timestamp`` the Unix time of the run that wrote it.
  ``assoc_actor_*``, ``admin2``, ``admin3``, ``source_scale`` and ``tags`` stay empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from newsevents.export.codes import (
    Country,
    acled_types,
    countries,
    country_names,
    named_actors,
    roles,
)
from newsevents.export.gdelt import global_event_id

COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip
TIME_PRECISION = {"day": 1, "week": 2, "report": 2, "month": 3, "year": 3}
GEO_PRECISION = {1: 1, 2: 2, 3: 3, 4: 3}
STATE, EXTERNAL, PROTESTERS, RIOTERS, CIVILIANS, UNKNOWN = 1, 8, 6, 5, 7, 0
STATE_NAMES = {
    "MIL": "Military Forces of {}",
    "COP": "Police Forces of {}",
    "GOV": "Government of {}",
}
GROUP_NAMES = {
    CIVILIANS: "Civilians ({})",
    PROTESTERS: "Protesters ({})",
    RIOTERS: "Rioters ({})",
}
UNIDENTIFIED = "Unidentified Armed Group ({})"
VIOLENCE = "Political violence"


def row(event: Mapping, outlets: Sequence[str], written_at: dt.datetime | None) -> list[object]:
    """ACLED's fields of one event (a row of the ``events`` table), in ACLED's order."""
    country = countries()[event["country"]] if event["country"] else None
    event_type, sub_type = event["acled_event_type"], event["acled_sub_event_type"]
    disorder = acled_types()[(event_type, sub_type)].disorder_type
    actor1, inter1 = _actor(event, 1, country)
    actor2, inter2 = _actor(event, 2, country)
    if actor2 is None and event_type == "Violence against civilians" and country:
        actor2, inter2 = GROUP_NAMES[CIVILIANS].format(country.acled_name), CIVILIANS
    low, high = sorted((inter1, inter2))
    interaction = int(f"{low}{high}") if low else high * 10
    day: dt.date = event["event_date"]
    attribution = event["source_attribution"]
    return [
        f"{country.iso3 if country else 'XXX'}{global_event_id(event['event_id'])}",
        day.isoformat(),
        day.year,
        TIME_PRECISION.get(event["time_precision"] or "report", 2),
        disorder,
        event_type,
        sub_type,
        actor1,
        None,
        inter1,
        actor2,
        None,
        inter2,
        interaction,
        "Civilian targeting" if VIOLENCE in disorder and inter2 == CIVILIANS else None,
        country.iso_numeric if country else None,
        country.region if country else None,
        country.acled_name if country else None,
        event["admin1"],
        None,
        None,
        event["location_name"],
        _round(event["lat"]),
        _round(event["lon"]),
        GEO_PRECISION.get(event["geo_precision"]),
        "; ".join(dict.fromkeys([*outlets, *([attribution] if attribution else [])])) or None,
        None,
        event["sentence"],
        event["fatalities"] or 0,
        None,
        int(written_at.timestamp()) if written_at else None,
    ]


def _actor(event: Mapping, side: int, where: Country | None) -> tuple[str | None, int]:
    """An actor's ACLED-style name and actor type (module doc)."""
    name = event[f"actor{side}_name"]
    iso3, sector = event[f"actor{side}_country"], event[f"actor{side}_sector"]
    if side == 1 and event["acled_event_type"] in ("Protests", "Riots"):
        group = PROTESTERS if event["acled_event_type"] == "Protests" else RIOTERS
        place = countries().get(iso3) if iso3 else where
        return (GROUP_NAMES[group].format(place.acled_name) if place else name), group
    if name is None and sector is None:
        return None, UNKNOWN
    own = countries().get(iso3) if iso3 else None
    role = roles().get(sector) if sector else None
    country_itself = own is not None and sector is None and _is_country_name(name, own)
    inter = role.acled_inter if role else STATE if country_itself else UNKNOWN
    if inter == STATE and own and where and own.iso3 != where.iso3:
        inter = EXTERNAL
    if own and (sector in STATE_NAMES or country_itself):
        return STATE_NAMES.get(sector or "GOV", "{}").format(own.acled_name), inter
    if sector == "UAF" and where and not _names_a_group(name):
        return UNIDENTIFIED.format(where.acled_name), inter
    place = own or where
    if sector == "CVL" and place:
        return GROUP_NAMES[CIVILIANS].format(place.acled_name), inter
    return name, inter


def _names_a_group(name: str | None) -> bool:
    """ "Mai-Mai militia", "CODECO fighters": a group the coder knows by name, not "gunmen"."""
    words = (name or "").split()
    named = named_actors()
    return any(
        " ".join(words[i:j]) in named
        for i in range(len(words))
        for j in range(i + 1, min(len(words), i + 5) + 1)
    )


def _is_country_name(name: str | None, country: Country) -> bool:
    """ "Iran", "the U.S.", "Russia's": the country itself, not a person or town in it."""
    if not name:
        return False
    bare = name.lower().removeprefix("the ").removesuffix("'s").removesuffix("\u2019s")
    return bare in country_names().get(country.iso3, frozenset())


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None
