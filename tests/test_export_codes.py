"""The exports' code tables and field rules, on hand-made events (no pipeline run)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from importlib import resources

import pytest

from newsevents.events.merge import article_sources, consolidate
from newsevents.export import acled, codes, gdelt
from newsevents.schema import Article, Event, Mention


def _event(**fields) -> dict:
    """An events-table row as the export reads it: every column, the given ones set."""
    base = Event(event_id="0123456789abcdef", article_id="a1", sentence="s",
                 event_date=dt.date(2016, 1, 12), cameo_code="190", cameo_root="19")
    return dataclasses.asdict(dataclasses.replace(base, **fields))


def test_quad_class_follows_the_cameo_root_as_gdelt_defines_it():
    expected = {**dict.fromkeys(range(1, 6), 1), **dict.fromkeys(range(6, 9), 2),
                **dict.fromkeys(range(9, 14), 3), **dict.fromkeys(range(14, 21), 4)}
    assert {r: gdelt.quad_class(f"{r:02d}") for r in range(1, 21)} == expected
    assert gdelt.quad_class(None) is None and gdelt.quad_class("99") is None


def test_global_event_ids_are_stable_int64s():
    assert gdelt.global_event_id("ffffffffffffffff") == 2**63 - 1
    assert gdelt.global_event_id("0123456789abcdef") == 0x0123456789ABCDEF >> 1


def test_country_codes_are_fips_and_iso_numeric():
    countries = codes.countries()
    assert (countries["SYR"].fips, countries["SYR"].iso_numeric) == ("SY", 760)
    assert (countries["DEU"].fips, countries["DEU"].iso_numeric) == ("GM", 276)
    assert countries["GBR"].fips == "UK" and countries["IRQ"].fips == "IZ"
    assert countries["COD"].acled_name == "Democratic Republic of Congo"
    assert {c.region for c in countries.values()} <= codes.ACLED_REGIONS
    assert countries["TUR"].region == countries["IRN"].region == "Middle East"


def test_a_broken_code_table_fails_on_load(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(str(resources.files("newsevents") / "data"), data)
    table = data / "export" / "acled_countries.tsv"
    table.write_text("".join(line for line in table.open() if not line.startswith("SYR")))
    monkeypatch.setattr(codes, "DATA", data)
    codes.countries.cache_clear()
    try:
        with pytest.raises(codes.CodeTableError, match="SYR"):
            codes.countries()
        roles = data / "export" / "cameo_types.tsv"
        roles.write_text("".join(line for line in roles.open() if not line.startswith("MIL")))
        codes.roles.cache_clear()
        with pytest.raises(codes.CodeTableError, match="MIL"):
            codes.roles()
    finally:
        codes.countries.cache_clear()
        codes.roles.cache_clear()


def test_gdelt_geography_types_and_codes():
    town = dict(country="USA", location_name="Austin", admin1="Texas", admin1_code="US.TX",
                lat=30.27, lon=-97.74, geonames_id=4671654)
    row = dict(zip(gdelt.EVENT_COLUMNS, gdelt.event_row(
        _event(**town, geo_precision=1), None, False), strict=True))
    assert row["ActionGeo_Type"] == gdelt.US_CITY and row["ActionGeo_ADM1Code"] == "USTX"
    assert row["ActionGeo_FullName"] == "Austin, Texas, United States"
    assert row["ActionGeo_FeatureID"] == 4671654
    state = dict(zip(gdelt.EVENT_COLUMNS, gdelt.event_row(
        _event(**{**town, "location_name": "Texas"}, geo_precision=3), None, False), strict=True))
    assert state["ActionGeo_Type"] == gdelt.US_STATE and state["ActionGeo_FeatureID"] == "USTX"
    abroad = dict(zip(gdelt.EVENT_COLUMNS, gdelt.event_row(
        _event(country="SYR", location_name="Aleppo", admin1="Aleppo", admin1_code="SY.09",
               geo_precision=3), None, False), strict=True))
    assert abroad["ActionGeo_Type"] == gdelt.WORLD_STATE and abroad["ActionGeo_ADM1Code"] == "SY09"
    assert abroad["ActionGeo_FullName"] == "Aleppo, Syria"
    unplaced = gdelt.event_row(_event(), None, False)
    assert len(unplaced) == 61 and unplaced[gdelt.EVENT_COLUMNS.index("ActionGeo_Type")] is None


def test_gdelt_actor_codes_are_composed_cameo_style():
    row = dict(zip(gdelt.EVENT_COLUMNS, gdelt.event_row(_event(
        actor1_name="UN", actor1_sector="IGO", actor2_name="clerics", actor2_country="IRN",
        actor2_sector="REL"), dt.datetime(2016, 1, 12, 6, 30, tzinfo=dt.UTC), True), strict=True))
    assert (row["Actor1Code"], row["Actor1Type1Code"]) == ("IGO", "IGO")
    assert (row["Actor2Code"], row["Actor2Religion1Code"], row["Actor2Type1Code"]) == (
        "IRNREL", "REL", None)
    assert row["DATEADDED"] == "20160112063000" and row["IsRootEvent"] == 1


def _acled(**fields) -> dict:
    values = acled.row(_event(**fields), [], None)
    return dict(zip(acled.COLUMNS, values, strict=True))


def test_acled_actor_types_follow_the_codebook():
    strike = _acled(country="SYR", acled_event_type="Explosions/Remote violence",
                    acled_sub_event_type="Air/drone strike", actor1_name="Russian jets",
                    actor1_country="RUS", actor1_sector="MIL")
    assert (strike["actor1"], strike["inter1"], strike["interaction"]) == (
        "Military Forces of Russia", 8, 80)  # a state abroad: external forces; a sole actor
    attack = _acled(country="SYR", acled_event_type="Violence against civilians",
                    acled_sub_event_type="Attack", actor1_name="army", actor1_country="SYR",
                    actor1_sector="MIL")
    assert (attack["inter1"], attack["actor2"], attack["inter2"]) == (1, "Civilians (Syria)", 7)
    assert attack["interaction"] == 17 and attack["civilian_targeting"] == "Civilian targeting"
    protest = _acled(country="FRA", cameo_code="141", cameo_root="14", acled_event_type="Protests",
                     acled_sub_event_type="Peaceful protest", actor1_name="farmers",
                     actor1_country="FRA", actor1_sector="AGR")
    assert (protest["actor1"], protest["inter1"], protest["interaction"]) == (
        "Protesters (France)", 6, 60)
    assert protest["disorder_type"] == "Demonstrations" and protest["civilian_targeting"] is None
    assert (protest["iso"], protest["region"], protest["fatalities"]) == (250, "Europe", 0)


def test_an_armed_group_is_unidentified_unless_known_by_name():
    violence = dict(country="COD", acled_event_type="Violence against civilians",
                    acled_sub_event_type="Attack", actor1_country="COD", actor1_sector="UAF")
    gunmen = _acled(**violence, actor1_name="gunmen")
    assert (gunmen["actor1"], gunmen["inter1"]) == (
        "Unidentified Armed Group (Democratic Republic of Congo)", 3)
    militia = _acled(**violence, actor1_name="Mai-Mai militia")
    assert (militia["actor1"], militia["inter1"]) == ("Mai-Mai militia", 3)


def test_only_an_actor_named_by_its_country_is_its_state():
    violence = dict(country="PAK", acled_event_type="Violence against civilians",
                    acled_sub_event_type="Attack")
    country = _acled(**violence, actor1_name="Pakistan", actor1_country="PAK")
    assert (country["actor1"], country["inter1"]) == ("Government of Pakistan", 1)
    us = _acled(**violence, actor1_name="the U.S.", actor1_country="USA")
    assert (us["actor1"], us["inter1"]) == ("Government of United States", 8)
    person = _acled(**violence, actor1_name="Munir", actor1_country="PAK",
                    actor2_name="Manbij", actor2_country="PAK")
    assert (person["actor1"], person["inter1"]) == ("Munir", 0)  # a name the coder lacks
    assert (person["actor2"], person["inter2"]) == ("Manbij", 0)  # a town is no state


def test_an_event_is_counted_over_its_articles_and_their_copies():
    first = dt.datetime(2016, 1, 12, 8, tzinfo=dt.UTC)
    articles = [
        Article("b", "feed", "t", url="https://later.example/b", published=first.replace(hour=9)),
        Article("a", "feed", "t", url="https://www.first.example/a", published=first),
        Article("c", "feed", "t", url="https://copy.example/c", dup_of="a", dup_kind="near"),
        Article("d", "feed", "t", url="https://first.example/d", dup_of="a", dup_kind="exact_text"),
    ]
    sources = article_sources(articles)
    assert (sources["a"].copies, sources["a"].outlets) == (3, {"first.example", "copy.example"})
    events = [Event("e1", "a", "21 killed in Manbij", cameo_code="190", plover_type="ASSAULT"),
              Event("e2", "b", "21 killed in Manbij", cameo_code="190", plover_type="ASSAULT")]
    mentions = [Mention("e1", "a", 0, "21 killed in Manbij"), Mention("e2", "b", 3, "21 killed")]
    (event,), _ = consolidate(events, mentions, sources)
    assert (event.mentions, event.n_articles, event.n_sources) == (2, 4, 3)
    assert event.source_url == "https://www.first.example/a"  # the earliest published
    (alone,), _ = consolidate(events[:1], mentions[:1])
    assert (alone.n_articles, alone.n_sources, alone.source_url) == (1, None, None)


def test_as_of_is_passed_to_the_lake_connection(tmp_path, monkeypatch):
    """``--as-of`` reaches ``query.connect`` as a keyword (the Delta lake's time travel)."""
    from newsevents import query
    from newsevents.export import export
    from newsevents.lake import Lake

    lake = Lake(str(tmp_path / "lake"))
    seen: list[dict] = []
    real_connect = query.connect

    def connect(lake, **kwargs):
        seen.append(kwargs)
        return real_connect(lake)

    monkeypatch.setattr(query, "connect", connect)
    day = dt.date(2016, 1, 12)
    assert export(lake, "acled", day, day, str(tmp_path / "a.csv"), as_of="3") == 0
    assert export(lake, "acled", day, day, str(tmp_path / "b.csv")) == 0
    assert seen == [{"as_of": "3"}, {}]
    with pytest.raises(ValueError, match="unknown format"):
        export(lake, "stata", day, day, str(tmp_path / "c.dta"))


def test_every_acled_pair_the_coder_can_give_has_a_disorder_type():
    """Read the (event type, sub-event type) pairs events/acled.py returns off its source."""
    import ast

    from conftest import ROOT

    source = ROOT / "include" / "newsevents" / "events" / "acled.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
             for t in n.targets if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)}

    def value(node: ast.expr) -> object:
        if isinstance(node, ast.Name):
            return names.get(node.id)
        return node.value if isinstance(node, ast.Constant) else None

    pairs = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            first, second = node.value.elts
            subs = ([second.body, second.orelse] if isinstance(second, ast.IfExp) else [second])
            pairs |= {(value(first), value(s)) for s in subs}
    pairs.discard((None, None))
    assert len(pairs) == 25
    assert sorted(pairs - set(codes.acled_types())) == []
