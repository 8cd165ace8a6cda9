"""`newsevents export` on the seed: every layout read back with pandas, in the published order."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, SEED

from newsevents import cli
from newsevents.export import acled, export
from newsevents.lake import Lake
from newsevents.pipeline import run_pipeline
from newsevents.schema import SCHEMAS

DAY = dt.date(2016, 1, 12)

# GDELT 2.0 Event Codebook V2.0 (2/19/2015), in its order: written out here, not imported,
# so the test checks the export against the published layout.
GDELT_ACTOR = ["Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
               "Religion2Code", "Type1Code", "Type2Code", "Type3Code"]
GDELT_GEO = ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"]
GDELT_EVENTS = (
    ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
    + [f"Actor1{f}" for f in GDELT_ACTOR] + [f"Actor2{f}" for f in GDELT_ACTOR]
    + ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
       "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone"]
    + [f"{who}Geo_{f}" for who in ("Actor1", "Actor2", "Action") for f in GDELT_GEO]
    + ["DATEADDED", "SOURCEURL"]
)
GDELT_MENTIONS = ["GLOBALEVENTID", "EventTimeDate", "MentionTimeDate", "MentionType",
                  "MentionSourceName", "MentionIdentifier", "SentenceID", "Actor1CharOffset",
                  "Actor2CharOffset", "ActionCharOffset", "InRawText", "Confidence",
                  "MentionDocLen", "MentionDocTone", "MentionDocTranslationInfo", "Extras"]
ACLED_HEADER = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]


@pytest.fixture(scope="module")
def seed_lake(tmp_path_factory) -> Lake:
    """The seed run once into a fresh lake, as tests/test_pipeline.py does."""
    lake = Lake(str(tmp_path_factory.mktemp("export") / "lake"))
    run_pipeline([str(ROOT / "seeds")], lake, DAY)
    return lake


@pytest.fixture(scope="module")
def seed_events(seed_lake) -> pd.DataFrame:
    return seed_lake.read("events").to_pandas()


def _export(lake: Lake, fmt: str, path, start=DAY, end=DAY, **kwargs) -> int:
    return export(lake, fmt, start, end, str(path), **kwargs)


def _read_gdelt(path, names) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", header=None, names=names, dtype=str,
                       quoting=csv.QUOTE_NONE, keep_default_na=False)


def test_the_new_event_columns_are_filled(seed_events):
    manbij = seed_events[seed_events.location_name == "Manbij"].iloc[0]
    assert manbij.geonames_id == 167357  # https://www.geonames.org/167357 Manbij
    assert manbij.admin1_code == "SY.09" and manbij.admin1 == "Aleppo"
    assert (manbij.n_articles, manbij.n_sources) == (1, 1)
    assert manbij.source_url == str(SEED)  # a local file: its source, it has no URL
    assert set(seed_events.time_precision) <= {"day", "week", "month", "year", "report"}
    salma = seed_events[seed_events.sentence.str.startswith("Syria’s regime army")].iloc[0]
    assert salma.time_precision == "day"  # "Tuesday"
    country_level = seed_events[seed_events.geo_precision == 4]
    assert (country_level.geonames_id == 163843).all()  # Syria
    assert country_level.admin1_code.isna().all()


def test_copies_of_an_article_count_as_articles_and_sources(tmp_path):
    """The seed and a copy from another outlet: one article coded, two reporting it."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEED, inputs / "agency.txt")
    shutil.copy(SEED, inputs / "reprint.txt")
    lake = Lake(str(tmp_path / "lake"))
    run_pipeline([str(inputs)], lake, DAY)
    articles = lake.read("articles").to_pylist()
    (canonical,) = [a for a in articles if a["dup_of"] is None]
    events = lake.read("events").to_pandas()
    assert len(articles) == 2 and not events.empty
    assert (events.n_articles == 2).all() and (events.n_sources == 2).all()
    assert (events.source_url == canonical["source"]).all()
    assert _export(lake, "gdelt-events", tmp_path / "events.tsv") > 0
    rows = _read_gdelt(tmp_path / "events.tsv", GDELT_EVENTS)
    assert (rows.NumArticles == "2").all() and (rows.NumSources == "2").all()


def test_gdelt_events_follow_the_codebook(seed_lake, seed_events, tmp_path):
    path = tmp_path / "events.tsv"
    n = _export(seed_lake, "gdelt-events", path)
    lines = path.read_text(encoding="utf-8").splitlines()
    happened = seed_events.modality.isin(["asserted", "future"]) & (seed_events.event_date == DAY)
    assert n == len(lines) == happened.sum()
    assert all(len(line.split("\t")) == 61 for line in lines)
    rows = _read_gdelt(path, GDELT_EVENTS)
    assert rows.GLOBALEVENTID.str.fullmatch(r"\d+").all()
    assert rows.GLOBALEVENTID.astype("int64").is_unique
    assert rows.SQLDATE.str.fullmatch(r"\d{8}").all() and set(rows.SQLDATE) == {"20160112"}
    assert (rows.MonthYear == "201601").all() and (rows.Year == "2016").all()
    assert rows.DATEADDED.str.fullmatch(r"\d{14}").all()
    roots = rows.EventRootCode.astype(int)
    expected = roots.map(lambda r: 1 if r <= 5 else 2 if r <= 8 else 3 if r <= 13 else 4)
    assert (rows.QuadClass.astype(int) == expected).all()
    assert (rows[roots >= 18].QuadClass == "4").all() and (roots >= 18).any()
    assert (rows.EventCode.str[:2] == rows.EventRootCode).all()
    assert rows.AvgTone.eq("").all()  # no tone is computed

    (manbij,) = rows[rows.ActionGeo_FullName.str.startswith("Manbij")].itertuples()
    assert manbij.ActionGeo_Type == "4"  # a world city
    assert manbij.ActionGeo_CountryCode == "SY" and manbij.ActionGeo_ADM1Code == "SY09"
    assert float(manbij.ActionGeo_Lat) == pytest.approx(36.53, abs=0.1)
    assert float(manbij.ActionGeo_Long) == pytest.approx(37.95, abs=0.1)
    assert manbij.ActionGeo_FeatureID == "167357"
    assert str(SEED) == manbij.SOURCEURL  # the seed is a local file without a URL: its path
    assert manbij.Actor1Code == "RUSMIL" and manbij.Actor1CountryCode == "RUS"
    assert manbij.Actor1Type1Code == "MIL"
    assert (manbij.NumMentions, manbij.NumSources, manbij.NumArticles) == ("1", "1", "1")
    country_level = rows[rows.ActionGeo_Type == "1"]
    assert not country_level.empty and (country_level.ActionGeo_FeatureID == "SY").all()
    assert rows.IsRootEvent.isin(["0", "1"]).all() and (rows.IsRootEvent == "1").any()


def test_gdelt_mentions_have_16_fields_and_true_offsets(seed_lake, tmp_path):
    events_path, path = tmp_path / "events.tsv", tmp_path / "mentions.tsv"
    _export(seed_lake, "gdelt-events", events_path)
    n = _export(seed_lake, "gdelt-mentions", path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert n == len(lines) > 0 and all(len(line.split("\t")) == 16 for line in lines)
    rows = _read_gdelt(path, GDELT_MENTIONS)
    events = _read_gdelt(events_path, GDELT_EVENTS)
    assert set(rows.GLOBALEVENTID) == set(events.GLOBALEVENTID)
    assert rows.Confidence.astype(int).between(0, 100).all()
    assert (rows.MentionType == "2").all()  # the seed is a local file: a citation, not a URL
    assert (rows.MentionIdentifier == str(SEED)).all()
    assert rows.SentenceID.astype(int).min() >= 1
    text = seed_lake.read("articles").to_pylist()[0]["text"]
    assert (rows.MentionDocLen.astype(int) == len(text)).all()
    events_by_id = _seed_events_by_gid(seed_lake)
    checked = 0
    for row in rows.itertuples():
        event = events_by_id[int(row.GLOBALEVENTID)]
        for offset, name in ((row.ActionCharOffset, event["trigger"]),
                             (row.Actor1CharOffset, event["actor1_name"])):
            if offset:
                assert text[int(offset):int(offset) + len(name)] == name
                checked += 1
    assert checked >= len(rows)  # most mentions have both offsets


def _seed_events_by_gid(lake: Lake) -> dict[int, dict]:
    from newsevents.export.gdelt import global_event_id

    return {global_event_id(e["event_id"]): e for e in lake.read("events").to_pylist()}


def test_acled_export_has_the_header_and_counts_each_death_once(seed_lake, seed_events, tmp_path):
    path = tmp_path / "acled.csv"
    n = _export(seed_lake, "acled", path)
    rows = pd.read_csv(path, dtype={"event_id_cnty": str})
    assert list(rows.columns) == ACLED_HEADER and n == len(rows) > 0
    (manbij,) = rows[rows.location == "Manbij"].itertuples()
    assert (manbij.country, manbij.iso, manbij.fatalities) == ("Syria", 760, 14)
    assert manbij.region == "Middle East" and manbij.admin1 == "Aleppo"
    # Daesh holds the town but is not the raids' target: civilians were (events/targets.py).
    # "Russian raids" names no weapon, so it is an attack on civilians, not a battle.
    assert manbij.event_type in ("Violence against civilians", "Explosions/Remote violence")
    assert manbij.disorder_type == "Political violence"
    assert manbij.civilian_targeting == "Civilian targeting"
    assert manbij.actor1 == "Military Forces of Russia" and manbij.inter1 == 8  # abroad
    assert manbij.interaction == int(f"{min(manbij.inter1, manbij.inter2)}"
                                     f"{max(manbij.inter1, manbij.inter2)}")
    assert manbij.geo_precision == 1 and manbij.time_precision in (1, 2)
    assert rows.event_id_cnty.str.fullmatch(r"[A-Z]{3}\d+").all()
    assert rows.inter1.between(0, 8).all() and rows.inter2.between(0, 8).all()
    assert (rows.event_date == "2016-01-12").all() and (rows.year == 2016).all()
    # The 35 killed in Idlib and Aleppo are the 21 + 14 of their towns: summed once.
    assert rows.fatalities.sum() == 35
    assert seed_events[seed_events.is_aggregate].fatalities.sum() == 35
    coded = seed_events[(seed_events.modality == "asserted") & seed_events.acled_event_type.notna()
                        & ~seed_events.is_aggregate]
    assert n == len(coded)
    targeted = rows[rows.civilian_targeting.notna()]
    assert (targeted.civilian_targeting == "Civilian targeting").all()
    assert (targeted.inter2 == 7).all()


def test_csv_and_parquet_are_the_events_with_their_first_article(seed_lake, seed_events, tmp_path):
    # By run date: the whole run, the meeting announced for the next day included.
    n_csv = _export(seed_lake, "csv", tmp_path / "events.csv", by="run")
    n_parquet = _export(seed_lake, "parquet", tmp_path / "events.parquet", by="run")
    from_csv = pd.read_csv(tmp_path / "events.csv")
    from_parquet = pq.read_table(tmp_path / "events.parquet").to_pandas()
    article_columns = ["article_url", "article_title", "article_site", "article_published"]
    expected = [*SCHEMAS["events"].names, "dt", *article_columns]
    assert list(from_csv.columns) == list(from_parquet.columns) == expected
    assert n_csv == n_parquet == len(from_csv) == len(seed_events)
    assert sorted(from_parquet.event_id) == sorted(seed_events.event_id)
    assert from_csv.fatalities.sum() == seed_events.fatalities.sum()


def test_the_range_is_of_event_dates_or_run_dates(seed_lake, tmp_path):
    before = DAY - dt.timedelta(days=30)
    assert _export(seed_lake, "gdelt-events", tmp_path / "none.tsv", before, before) == 0
    assert (tmp_path / "none.tsv").read_text() == ""
    assert _export(seed_lake, "acled", tmp_path / "none.csv", before, before) == 0
    assert (tmp_path / "none.csv").read_text().strip() == ",".join(ACLED_HEADER)
    # The future meeting in Geneva is dated 2016-01-13 but was reported in the 2016-01-12 run.
    everywhere = _export(seed_lake, "acled", tmp_path / "all.csv")
    assert _export(seed_lake, "acled", tmp_path / "syria.csv", country="SYR") == everywhere > 0
    assert _export(seed_lake, "acled", tmp_path / "iraq.csv", country="IRQ") == 0
    later = DAY + dt.timedelta(days=1)
    assert _export(seed_lake, "csv", tmp_path / "a.csv", later, later) >= 1
    assert _export(seed_lake, "csv", tmp_path / "b.csv", later, later, by="run") == 0


def test_a_failed_export_leaves_the_old_file_and_no_partial(seed_lake, tmp_path, monkeypatch):
    path = tmp_path / "acled.csv"
    path.write_text("previous export\n")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(acled, "row", broken)
    with pytest.raises(RuntimeError):
        _export(seed_lake, "acled", path)
    assert path.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["acled.csv"]


def test_the_cli_writes_to_stdout_and_refuses_bad_input(seed_lake, capsys):
    lake = seed_lake.uri
    args = ["export", "--lake", lake, "--format", "acled", "--from", "2016-01-12",
            "--to", "2016-01-12"]
    assert cli.main(args) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == ",".join(ACLED_HEADER)
    assert re.search(r"\d+ rows \(acled\) to stdout", captured.err)
    assert cli.main([*args[:-4], "--from", "2016-02-01", "--to", "2016-01-01"]) == 2
    assert "after" in capsys.readouterr().err
