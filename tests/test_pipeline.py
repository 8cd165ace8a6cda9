"""The whole pipeline without Airflow, as `newsevents run` runs it, on the seed and bad inputs."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT

from newsevents import sources
from newsevents.lake import Lake
from newsevents.pipeline import (
    run_pipeline,
    step_clean,
    step_commit,
    step_dedupe,
    step_events,
    step_load,
)
from newsevents.plan import RunPlan, Shard, plan_run

DAY = dt.date(2016, 1, 12)


@pytest.fixture(scope="module")
def seed_lake(tmp_path_factory):
    """The seed run once into a fresh lake (the events stage loads spaCy: share it)."""
    lake = Lake(str(tmp_path_factory.mktemp("seed") / "lake"))
    result = run_pipeline([str(ROOT / "seeds")], lake, DAY)
    return lake, result


def test_the_seed_gives_one_clean_article(seed_lake):
    lake, result = seed_lake
    assert result["summary"]["inputs"] == 1 and result["summary"]["kept"] == 1
    (article,) = lake.read("articles").to_pylist()
    paragraphs = article["text"].split("\n")
    assert len(paragraphs) == len(set(paragraphs))
    assert paragraphs[0].startswith("Syria’s regime army and allied forces Tuesday took full control")
    assert paragraphs[-1].endswith("later this month. (Agencies)")
    assert "Comments About This Article" not in article["text"]
    assert "Please fill the fields below." not in article["text"]
    assert article["repeated_paragraphs_removed"] == 15


def test_the_seed_events_are_each_coded_once(seed_lake):
    lake, _ = seed_lake
    events = lake.read("events").to_pylist()
    assert len({e["event_id"] for e in events}) == len(events)

    def killed_at(town):
        return [e for e in events if e["location_name"] and town in e["location_name"]
                and e["fatalities"]]

    (maaret,) = killed_at("Nu")  # Maaret al-Numan, in GeoNames Ma‘arrat an Nu‘mān
    (manbij,) = killed_at("Manbij")
    assert (maaret["fatalities"], manbij["fatalities"]) == (21, 14)
    assert maaret["actor1_country"] == manbij["actor1_country"] == "RUS"
    assert (maaret["lat"], maaret["lon"]) == (pytest.approx(35.65, abs=0.1), pytest.approx(36.68, abs=0.1))
    assert (manbij["lat"], manbij["lon"]) == (pytest.approx(36.53, abs=0.1), pytest.approx(37.95, abs=0.1))
    assert maaret["admin1"] and "Idlib" in maaret["admin1"]
    assert maaret["event_date"] == manbij["event_date"] == DAY
    salma = [e for e in events if "Salma" in e["sentence"] and e["sentence"].startswith("Syria")
             and e["plover_type"] in ("ASSAULT", "COERCE", "MOBILIZE", "SEIZE", "OCCUPY", "RETREAT")]
    assert salma and salma[0]["country"] == "SYR" and salma[0]["actor1_country"] == "SYR"
    assert salma[0]["event_date"] == DAY
    distinct = sum(e["fatalities"] or 0 for e in events if not e["is_aggregate"])
    assert distinct == 35


def test_running_the_same_date_twice_leaves_the_same_rows(seed_lake):
    lake, _ = seed_lake
    before = {t: sorted(map(str, lake.read(t).drop(["dt"]).to_pylist()))
              for t in ("articles", "events", "mentions", "rejects")}
    run_pipeline([str(ROOT / "seeds")], lake, DAY)
    after = {t: sorted(map(str, lake.read(t).drop(["dt"]).to_pylist())) for t in before}
    assert after == before


def _tables(lake: Lake) -> dict[str, list[str]]:
    return {t: sorted(map(str, lake.read(t).drop(["dt"]).to_pylist()))
            for t in ("articles", "events", "mentions", "rejects", "signatures")}


def test_a_day_in_shards_gives_the_same_lake_as_in_one_piece(tmp_path):
    """The DAGs dedupe across shards and code each shard apart; nothing may depend on it."""
    web = tmp_path / "web"
    shutil.copytree(FIXTURES / "web", web)
    shutil.copy(ROOT / "seeds" / "000_32ee20c48493cecc.txt", web / "seed-copy.txt")
    folders = [ROOT / "seeds", web]
    whole = Lake(str(tmp_path / "whole"))
    run_pipeline([str(f) for f in folders], whole, DAY)

    sharded, run_id = Lake(str(tmp_path / "sharded")), "sharded-run"
    shards = []
    for k, folder in enumerate(folders):
        inputs = sources.discover_inputs([str(folder)])
        name = f"shard-{k}"
        shards.append(step_clean(sharded, run_id, step_load(sharded, run_id, inputs, name=name),
                                 name=name))
    deduped = step_dedupe(sharded, run_id, DAY, shards)
    coded = [step_events(sharded, run_id, DAY, shard, batch_size=1) for shard in deduped]
    step_commit(sharded, run_id, DAY, coded, dt.datetime.now(dt.UTC))

    assert _tables(sharded) == _tables(whole)
    articles = sharded.read("articles").to_pylist()
    seeds = [a for a in articles if a["source"].endswith(("seed-copy.txt", "cecc.txt"))]
    # a copy in another shard is still a duplicate
    assert sorted(a["dup_kind"] or "" for a in seeds) == ["", "exact_text"]
    assert not list((tmp_path / "sharded" / "_staging").glob("*/*"))


def test_the_seed_run_from_two_folders_gives_the_same_ids(tmp_path):
    """Ids derive from names relative to the input root, not from where it is mounted."""
    ids = []
    for copy in (tmp_path / "one" / "seeds", tmp_path / "two" / "deeper" / "clone"):
        shutil.copytree(ROOT / "seeds", copy)
        lake = Lake(str(copy.parent / "lake"))
        run_pipeline([str(copy)], lake, DAY)
        ids.append((sorted(a["article_id"] for a in lake.read("articles").to_pylist()),
                    sorted(e["event_id"] for e in lake.read("events").to_pylist())))
    assert ids[0] == ids[1]
    assert len(ids[0][0]) == 1 and ids[0][1]


def test_a_plan_and_a_shard_cross_xcom_as_json_and_come_back_the_same(tmp_path):
    start = dt.datetime(2016, 1, 12, tzinfo=dt.UTC)
    plan = plan_run(str(tmp_path / "lake"), DAY, "scheduled__2016-01-12T00:00:00+00:00",
                    window_days=3, folders=[str(ROOT / "seeds")], urls=["https://example.org/a"],
                    archives=str(FIXTURES / "warc"), interval=(start, start + dt.timedelta(days=1)))
    assert plan.run_id == "scheduled__2016-01-12T00_00_00_00_00"
    assert [i.key for i in plan.inputs] == ["000_32ee20c48493cecc.txt"]
    assert RunPlan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan
    shard = Shard("files", "a.parquet", ("r1.parquet", "r2.parquet"), 3, marks="m.parquet")
    assert Shard.from_dict(json.loads(json.dumps(shard.to_dict()))) == shard
    with pytest.raises(ValueError, match="unknown fields"):
        Shard.from_dict({**shard.to_dict(), "extra": 1})
    with pytest.raises(ValueError, match="window_days"):
        plan_run(str(tmp_path / "lake"), DAY, "r", window_days=-1)


def test_two_dates_give_two_partitions(tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    for day in (DAY, DAY + dt.timedelta(days=1)):
        run_pipeline([str(FIXTURES / "bad" / "mixed.jsonl")], lake, day)
    assert lake.partitions("articles") == [DAY, DAY + dt.timedelta(days=1)]
    assert lake.partitions("runs") == [DAY, DAY + dt.timedelta(days=1)]


def test_bad_inputs_are_rejected_with_reasons_and_every_input_is_accounted_for(tmp_path):
    inputs = tmp_path / "inputs"
    shutil.copytree(FIXTURES / "bad", inputs)
    shutil.copy(ROOT / "seeds" / "000_32ee20c48493cecc.txt", inputs / "seed.txt")
    lake = Lake(str(tmp_path / "lake"))
    summary = run_pipeline([str(inputs)], lake, DAY)["summary"]
    reasons = {r["source"].rsplit("/", 1)[-1]: r["reason"] for r in lake.read("rejects").to_pylist()}
    assert reasons == {"empty.txt": "empty", "image.txt": "binary", "latin1.txt": "invalid_utf8",
                       "mixed.jsonl:2": "bad_json"}
    assert summary["inputs"] == 6  # 4 files + 2 JSONL lines
    assert summary["kept"] == 2 and summary["rejected"] == 4
    assert summary["inputs"] == summary["kept"] + summary["duplicates"] + summary["rejected"]
    assert json.loads(summary["rejects_by_reason"]) == {
        "bad_json": 1, "binary": 1, "empty": 1, "invalid_utf8": 1}


def test_the_command_line_runs_and_queries_the_same_lake(tmp_path):
    lake = tmp_path / "lake"
    cli = [sys.executable, "-m", "newsevents"]
    out = subprocess.run([*cli, "run", "--input", str(FIXTURES / "bad" / "mixed.jsonl"),
                          "--lake", str(lake), "--date", "2016-01-12"],
                         capture_output=True, text=True, check=True).stdout
    assert "inputs 2  kept 1  duplicates 0  rejected 1" in out
    out = subprocess.run([*cli, "query", "SELECT dt, count(*) AS n FROM articles GROUP BY dt",
                          "--lake", str(lake)], capture_output=True, text=True, check=True).stdout
    assert "2016-01-12" in out
    bad = subprocess.run([*cli, "run", "--input", str(tmp_path / "missing"), "--lake", str(lake)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "missing" in bad.stderr


def test_extract_and_events_commands_speak_json_lines(seed_path):
    cli = [sys.executable, "-m", "newsevents"]
    (line,) = subprocess.run([*cli, "extract", str(seed_path)], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    record = json.loads(line)
    assert set(record) >= {"path", "title", "text", "published", "language", "url"}
    assert record["language"] == "en" and "Comments About This Article" not in record["text"]
    stdin = json.dumps({"id": "s1", "published": "2016-01-12", "text":
                        "Twenty-one civilians were killed in Russian raids on Maaret al-Numan, "
                        "an opposition-held town in Idlib province, the Observatory said."})
    out = subprocess.run([*cli, "events"], input=stdin, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    events = [json.loads(x) for x in out]
    assert events and all(e["id"] == "s1" for e in events)
    assert any(e["fatalities"] == 21 and e["plover_type"] == "ASSAULT" for e in events)
