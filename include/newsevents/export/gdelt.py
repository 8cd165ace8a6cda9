"""GDELT 2.0 layouts: the 61-field Events file and the 16-field Mentions file.

Field by field as "The GDELT Event Database Data Format Codebook V2.0" (2/19/2015) defines
them; tab-separated, no header, no quoting, unknown fields empty. Where newsevents has a
field GDELT's own pipeline computes differently, the differences are:

* Events: the asserted and the future (announced) ones; hypothetical and denied events
  did not happen and are left out.
* GLOBALEVENTID is ``event_id`` read as a 63-bit integer (stable across re-runs, unique
  in practice; read it as int64/character, not as a double).
* Actor codes are composed CAMEO-style from the coded country and role (``RUSMIL``; an
  international role first: ``IGO``); KnownGroup and Ethnic codes stay empty.
* QuadClass follows the CAMEO root (01-05 → 1, 06-08 → 2, 09-13 → 3, 14-20 → 4).
* IsRootEvent is 1 when the first article reports the event in its first paragraph.
* Geography is the action's place only (GDELT's actor locations are not coded); FeatureID
  is the GeoNames id of a town (GDELT: GNS/GNIS), else the textual country or ADM1 code;
  ADM1Code is the FIPS 10-4 country code and GeoNames' admin1 code (FIPS 10-4 for most
  countries, as GDELT's); ADM2Code (GAUL) stays empty.
* AvgTone and MentionDocTone stay empty: no tone is computed.
* DATEADDED, EventTimeDate and MentionTimeDate are the start of the run that wrote the event.
* Mentions: MentionType 1 (WEB) with the URL when the article has one, else 2
  (CITATIONONLY) with its source; character offsets are in the cleaned text, empty where the
  name is not found verbatim; InRawText is 1 when every coded actor is named in the
  sentence (0: an actor was inferred, e.g. from a pronoun); Confidence is the coder's 0-100.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from urllib.parse import urlsplit

from newsevents.export.codes import countries, roles

ACTOR_FIELDS = [
    "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
    "Religion2Code", "Type1Code", "Type2Code", "Type3Code",
]  # fmt: skip
GEO_FIELDS = ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"]
EVENT_COLUMNS = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *[f"Actor1{f}" for f in ACTOR_FIELDS], *[f"Actor2{f}" for f in ACTOR_FIELDS],
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *[f"Actor1Geo_{f}" for f in GEO_FIELDS], *[f"Actor2Geo_{f}" for f in GEO_FIELDS],
    *[f"ActionGeo_{f}" for f in GEO_FIELDS],
    "DATEADDED", "SOURCEURL",
]  # fmt: skip
MENTION_COLUMNS = [
    "GLOBALEVENTID", "EventTimeDate", "MentionTimeDate", "MentionType", "MentionSourceName",
    "MentionIdentifier", "SentenceID", "Actor1CharOffset", "Actor2CharOffset", "ActionCharOffset",
    "InRawText", "Confidence", "MentionDocLen", "MentionDocTone", "MentionDocTranslationInfo",
    "Extras",
]  # fmt: skip
# GDELT exports the events that happened or were announced; hypothetical and denied ones did not.
MODALITIES = ("asserted", "future")

WEB, CITATION_ONLY = 1, 2  # MentionType
COUNTRY, US_STATE, US_CITY, WORLD_CITY, WORLD_STATE = 1, 2, 3, 4, 5  # *Geo_Type
TOWN, DISTRICT, PROVINCE = 1, 2, 3  # Event.geo_precision (4: country)


def global_event_id(event_id: str) -> int:
    """The stable integer of an event id: its 64 bits without the lowest (fits int64)."""
    return int(event_id, 16) >> 1


def quad_class(cameo_root: str | None) -> int | None:
    """GDELT's QuadClass of a CAMEO root code."""
    if not cameo_root or not cameo_root.isdigit():
        return None
    root = int(cameo_root)
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4 if root <= 20 else None


def event_row(event: Mapping, date_added: dt.datetime | None, is_root: bool) -> list[object]:
    """The 61 fields of one event (a row of the ``events`` table) in GDELT's order."""
    day: dt.date | None = event["event_date"]
    code: str | None = event["cameo_code"]
    root = event["cameo_root"] or (code[:2] if code else None)
    return [
        global_event_id(event["event_id"]),
        day.strftime("%Y%m%d") if day else None,
        day.strftime("%Y%m") if day else None,
        day.year if day else None,
        f"{day.year + (day.month * 30 + day.day) / 365:.4f}" if day else None,
        *_actor(event["actor1_name"], event["actor1_country"], event["actor1_sector"]),
        *_actor(event["actor2_name"], event["actor2_country"], event["actor2_sector"]),
        int(is_root),
        code,
        code[:3] if code else None,
        root,
        quad_class(root),
        event["goldstein"],
        event["mentions"],
        event["n_sources"],
        event["n_articles"],
        None,  # AvgTone: not computed
        *[None] * len(GEO_FIELDS),  # Actor1Geo: actors' own locations are not coded
        *[None] * len(GEO_FIELDS),  # Actor2Geo
        *_geo(event),
        _timestamp(date_added),
        event["source_url"],
    ]


def _actor(name: str | None, country: str | None, sector: str | None) -> list[object]:
    role = roles().get(sector) if sector else None
    religion = role.code if role and role.kind == "religion" else None
    type_code = role.code if role and not religion else None
    if role and role.kind == "international":
        code = role.code + (country or "")
    else:
        code = (country or "") + (role.code if role else "")
    return [code or None, name, country, None, None, religion, None, type_code, None, None]


def _geo(event: Mapping) -> list[object]:
    country = countries().get(event["country"]) if event["country"] else None
    precision = event["geo_precision"]
    if country is None or precision is None:
        return [None] * len(GEO_FIELDS)
    us = country.iso2 == "US"
    admin1 = event["admin1_code"]
    adm1 = country.fips + admin1.split(".", 1)[1] if admin1 and "." in admin1 else None
    if precision in (TOWN, DISTRICT):
        kind = US_CITY if us else WORLD_CITY
        parts = [event["location_name"], event["admin1"], country.name]
        feature = event["geonames_id"]
    elif precision == PROVINCE:
        kind = US_STATE if us else WORLD_STATE
        parts = [event["admin1"] or event["location_name"], country.name]
        feature = adm1
    else:
        kind, parts, feature, adm1 = COUNTRY, [country.name], country.fips, country.fips
    full_name = ", ".join(dict.fromkeys(p for p in parts if p))
    return [kind, full_name, country.fips or None, adm1, None, event["lat"], event["lon"], feature]


def mention_row(mention: Mapping) -> list[object]:
    """The 16 fields of one mention: a ``mentions`` row joined with its event and article."""
    link = mention["canonical_url"] or mention["url"]
    web = bool(link) and urlsplit(link).scheme in ("http", "https")
    host = (urlsplit(link).hostname or "").removeprefix("www.") if web else ""
    sentence: str = mention["sentence"]
    start = mention["sentence_pos"] - 1  # DuckDB's strpos: 1-based, 0 when not found
    names = [n for n in (mention["actor1_name"], mention["actor2_name"]) if n]
    confidence = mention["confidence"]
    added = _timestamp(mention["date_added"])
    return [
        global_event_id(mention["event_id"]),
        added,
        added,
        WEB if web else CITATION_ONLY,
        host or mention["site_name"] or mention["source"],
        link if web else mention["source"],
        mention["sentence_index"] + 1,
        _offset(start, sentence, mention["actor1_name"]),
        _offset(start, sentence, mention["actor2_name"]),
        _offset(start, sentence, mention["trigger"]),
        int(all(n in sentence for n in names)),
        round(confidence * 100) if confidence is not None else None,
        mention["doc_len"],
        None,  # MentionDocTone: not computed
        None,  # MentionDocTranslationInfo: blank for English documents
        None,  # Extras
    ]


def _offset(sentence_start: int, sentence: str, name: str | None) -> int | None:
    """Character offset of a name in the article, if the sentence names it verbatim."""
    if sentence_start < 0 or not name:
        return None
    at = sentence.find(name)
    return sentence_start + at if at >= 0 else None


def _timestamp(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S") if moment else None
