"""The results page: its numbers (newsevents.report) and the page itself in Airflow's UI.

The report tests need only a small lake. Access control and input checks run against
Airflow's api-server app in-process. The browser test starts ``airflow api-server`` with
the plugin folder, loads the page in headless Chromium and checks the rendered chart and
tables; its screenshot is saved under tests/artifacts/ (a build artifact, not committed).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import lxml.html
import pytest

from conftest import ROOT, free_port
from newsevents.lake import Lake
from newsevents.report import UNCODED, build_report, default_range
from newsevents.schema import Article, Event, RunSummary

DAY1, DAY2, DAY3 = dt.date(2024, 3, 4), dt.date(2024, 3, 5), dt.date(2024, 3, 6)
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def place(name: str, admin1: str, country: str, lat: float, lon: float) -> dict:
    return {"location_name": name, "admin1": admin1, "country": country, "lat": lat, "lon": lon}


ALEPPO = place("Aleppo", "Aleppo", "SYR", 36.2021, 37.1343)
KHARKIV = place("Kharkiv", "Kharkiv", "UKR", 49.9935, 36.2304)
KHARTOUM = place("Khartoum", "Khartoum", "SDN", 15.5007, 32.5599)
GAZA = place("Gaza City", "Gaza", "PSE", 31.5017, 34.4668)


def event(day: dt.date, n: int, plover_type: str | None, sentence: str, actor1: str | None,
          actor2: str | None = None, where: dict | None = None, fatalities: int | None = None,
          **extra) -> Event:
    return Event(event_id=f"ev-{day}-{n}", article_id=f"art-{day}-{n % 2}", sentence=sentence,
                 event_date=day, plover_type=plover_type, actor1_name=actor1, actor2_name=actor2,
                 fatalities=fatalities, **(where or {}), **extra)


EVENTS = {
    DAY1: [
        event(DAY1, 0, "ASSAULT",
              "Government forces shelled rebel positions in Aleppo, killing 12 people.",
              "Syrian Army", "Syrian rebels", ALEPPO, 12, actor1_country="SYR", actor2_country="SYR"),
        event(DAY1, 1, "CONSULT",
              "The foreign ministers of Turkey and Russia met in Ankara on Monday.",
              "Turkey", "Russia", actor1_country="TUR", actor2_country="RUS"),
        event(DAY1, 2, "PROTEST",
              "Thousands of people marched in Khartoum against the military government.",
              "Protesters", "Sudanese military", KHARTOUM, actor2_country="SDN"),
    ],
    DAY2: [
        event(DAY2, 0, "ASSAULT", "A missile strike on Kharkiv killed 4 civilians and injured 20.",
              "Russia", "Civilians", KHARKIV, 4, actor1_country="RUS", actor2_country="UKR"),
        event(DAY2, 1, "ASSAULT", "In all, 16 people were killed in Aleppo and Kharkiv this week.",
              "Syrian Army", None, ALEPPO, 16, actor1_country="SYR", is_aggregate=True),
        event(DAY2, 2, "AID", "The UN delivered food aid to Gaza City on Tuesday.",
              "United Nations", "Civilians", GAZA, actor2_country="PSE"),
        event(DAY2, 3, None, "Officials said the situation remained tense.", None),
    ],
    DAY3: [
        event(DAY3, 0, "ACCUSE", "Ukraine accused Russia of targeting power plants in Kharkiv.",
              "Ukraine", "Russia", KHARKIV, actor1_country="UKR", actor2_country="RUS"),
        event(DAY3, 1, "THREATEN", "Russia warned it would respond to new sanctions.",
              "Russia", "European Union", actor1_country="RUS", modality="future"),
    ],
}
RUNS = {
    DAY1: RunSummary(run_id="scheduled__2024-03-04", inputs=6, kept=3, duplicates=1, rejected=2,
                     events=3, elapsed_s=4.2,
                     rejects_by_reason=json.dumps({"empty": 1, "not_english": 1})),
    DAY2: RunSummary(run_id="scheduled__2024-03-05", inputs=5, kept=4, duplicates=0, rejected=1,
                     events=4, elapsed_s=3.1, rejects_by_reason=json.dumps({"empty": 1})),
    DAY3: RunSummary(run_id="manual__2024-03-06", inputs=2, kept=2, duplicates=0, rejected=0,
                     events=2, elapsed_s=1.0),
}
OUTSIDE_RANGE = dt.date(2024, 2, 1)

# The in-process app signs test sessions with a generated, short JWT secret.
pytestmark = pytest.mark.filterwarnings("ignore:The HMAC key is")


def build_lake(root: Path) -> Lake:
    """Three days of runs, plus one older partition that ranges below leave out."""
    lake = Lake(str(root))
    for day, events in EVENTS.items():
        started = dt.datetime.combine(day, dt.time(6, 0), tzinfo=dt.timezone.utc)
        lake.write_records("events", day, events)
        lake.write_records("runs", day, [dataclasses.replace(RUNS[day], started_at=started)])
        lake.write_records("articles", day, [
            Article(article_id=f"art-{day}-0", source=f"in/{day}-0.html", text="…",
                    url=f"https://news.example.org/{day}/world", title=f"World news of {day}",
                    site_name="Example News"),
            Article(article_id=f"art-{day}-1", source=f"in/{day}-1.html", text="…",
                    url="javascript:alert(1)", title=f"Briefing of {day}"),
        ])
    lake.write_records("events", OUTSIDE_RANGE, [
        event(OUTSIDE_RANGE, 0, "ASSAULT", "An older attack.", "Old actor", None, ALEPPO, 99)])
    return lake


# --------------------------------------------------------------------------------------
# the numbers


@pytest.fixture
def lake(tmp_path) -> Lake:
    return build_lake(tmp_path / "lake")


def test_events_are_counted_per_day_and_type_within_the_range(lake):
    report = build_report(lake, DAY1, DAY3)
    counts = {(c.day, c.plover_type): c.events for c in report.per_day}
    assert counts == {(DAY1, "ASSAULT"): 1, (DAY1, "CONSULT"): 1, (DAY1, "PROTEST"): 1,
                      (DAY2, "ASSAULT"): 2, (DAY2, "AID"): 1, (DAY2, UNCODED): 1,
                      (DAY3, "ACCUSE"): 1, (DAY3, "THREATEN"): 1}
    assert report.total_events == 9
    assert report.days == [DAY1, DAY2, DAY3]
    # Codebook order: cooperation before conflict, types the codebook lacks last.
    assert report.types == ["CONSULT", "AID", "ACCUSE", "THREATEN", "PROTEST", "ASSAULT", UNCODED]


def test_events_are_also_counted_on_the_day_they_happened(lake):
    # A later run reports an attack of DAY2: it counts on DAY2 by event date, not by run date.
    late = DAY3 + dt.timedelta(days=10)
    lake.write_records("events", late, [
        event(DAY2, 9, "ASSAULT", "Residents said 3 were killed in Aleppo on March 5.",
              "Syrian Army", None, ALEPPO, 3)])
    report = build_report(lake, DAY1, DAY3)
    by_event_date = {(c.day, c.plover_type): (c.events, c.fatalities) for c in report.per_event_day}
    assert by_event_date[(DAY2, "ASSAULT")] == (3, 4 + 3)  # the aggregate counted, not summed
    assert sum(c.events for c in report.per_day) == 9  # by run date: only DAY1..DAY3 runs
    assert sum(c.events for c in report.per_event_day) == 10
    assert (OUTSIDE_RANGE, "ASSAULT") not in by_event_date


def test_fatalities_leave_out_aggregates_and_other_partitions(lake):
    report = build_report(lake, DAY1, DAY3)
    assert report.total_fatalities == 12 + 4  # not the aggregate's 16, not February's 99
    aleppo = next(p for p in report.places if p.location == "Aleppo")
    assert (aleppo.events, aleppo.fatalities, aleppo.top_type) == (2, 12, "ASSAULT")
    assert {p.location for p in report.places} == {"Aleppo", "Kharkiv", "Khartoum", "Gaza City"}


def test_top_actors_count_both_sides_of_an_event(lake):
    report = build_report(lake, DAY1, DAY3, top_actors=3)
    assert [(a.actor, a.country, a.as_source, a.as_target) for a in report.actors] == [
        ("Russia", "RUS", 2, 2), ("Syrian Army", "SYR", 2, 0), ("Civilians", "PSE", 0, 1)]


def test_latest_events_come_newest_first_with_their_articles(lake):
    latest = build_report(lake, DAY1, DAY3, latest=3).latest
    assert [e.day for e in latest] == [DAY3, DAY3, DAY2]
    first = latest[0]
    assert first.sentence == "Ukraine accused Russia of targeting power plants in Kharkiv."
    assert (first.url, first.title) == ("https://news.example.org/2024-03-06/world",
                                        "World news of 2024-03-06")
    assert latest[1].modality == "future"


def test_runs_keep_their_accounting_and_rejects_by_reason(lake):
    report = build_report(lake, DAY1, DAY2)
    assert [(r.day, r.inputs, r.kept, r.duplicates, r.rejected) for r in report.runs] == [
        (DAY2, 5, 4, 0, 1), (DAY1, 6, 3, 1, 2)]
    assert report.runs[1].rejects_by_reason == {"empty": 1, "not_english": 1}
    assert report.rejects_by_reason() == {"empty": 2, "not_english": 1}
    assert report.runs[0].started_at == dt.datetime(2024, 3, 5, 6, 0, tzinfo=dt.timezone.utc)


def test_the_default_range_ends_at_the_newest_partition(lake, tmp_path):
    assert default_range(lake, days=7) == (DAY3 - dt.timedelta(days=6), DAY3)
    empty = Lake(str(tmp_path / "empty"))
    assert build_report(empty, DAY1, DAY3).total_events == 0
    with pytest.raises(ValueError, match="before it starts"):
        build_report(lake, DAY3, DAY1)


# --------------------------------------------------------------------------------------
# the page inside Airflow's api-server app: access control and input checks


@pytest.fixture(scope="module")
def ui(airflow_db, tmp_path_factory) -> Iterator[tuple]:
    """Airflow's api-server app in-process, with the simple auth manager's real checks."""
    from airflow.api_fastapi.app import create_app, get_auth_manager, purge_cached_app
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    lake_root = tmp_path_factory.mktemp("ui-lake") / "lake"
    build_lake(lake_root)
    client = TestClient(create_app(apps="core"))

    def session(role: str | None) -> dict:
        user = SimpleAuthManagerUser(username=f"user-{role}", role=role)
        return {"_token": get_auth_manager().generate_jwt(user)}

    yield client, str(lake_root), session
    purge_cached_app()


def page_params(lake: str, start: dt.date = DAY1, end: dt.date = DAY3) -> dict:
    return {"lake": lake, "from": start.isoformat(), "to": end.isoformat()}


@pytest.mark.slow
def test_without_a_session_the_page_sends_the_browser_to_the_login(ui):
    client, lake_root, _ = ui
    response = client.get("/newsevents/", params=page_params(lake_root), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/auth/login?next=%2Fnewsevents%2F%3Flake%3D")


@pytest.mark.slow
def test_a_viewer_sees_the_page_and_a_user_without_a_role_does_not(ui):
    client, lake_root, session = ui
    page = client.get("/newsevents/", params=page_params(lake_root), cookies=session("VIEWER"))
    assert page.status_code == 200
    assert "Government forces shelled rebel positions in Aleppo" in page.text
    assert 'href="/newsevents/static/results.css"' in page.text  # assets resolve under the mount
    assert client.get("/newsevents/static/world-110m.svg").status_code == 200
    denied = client.get("/newsevents/", params=page_params(lake_root), cookies=session(None))
    assert denied.status_code == 403
    assert "Aleppo" not in denied.text


@pytest.mark.slow
@pytest.mark.parametrize("lake,start,end,message", [
    ("/etc", "2024-03-04", "2024-03-06", "outside the allowed roots"),
    ("{lake}/../../../../../../../../etc", "2024-03-04", "2024-03-06", "outside the allowed roots"),
    ("{lake}", "2024-03-06", "2024-03-04", "before it starts"),
    ("{lake}", "2023-01-01", "2024-03-06", "at most 366 days"),
    ("{lake}", "04/03/2024", "2024-03-06", "YYYY-MM-DD"),
])
def test_bad_input_is_refused_with_a_message(ui, lake, start, end, message):
    client, lake_root, session = ui
    response = client.get("/newsevents/", cookies=session("VIEWER"),
                          params={"lake": lake.format(lake=lake_root), "from": start, "to": end})
    assert response.status_code == 400
    assert message in response.text
    assert "rect class=\"bar\"" not in response.text


@pytest.mark.slow
def test_the_page_offers_the_range_as_csv_and_counts_by_event_date(ui):
    import csv
    import io

    client, lake_root, session = ui
    page = client.get("/newsevents/", params=page_params(lake_root), cookies=session("VIEWER"))
    dom = lxml.html.fromstring(page.text)
    (link,) = dom.xpath('//a[@id="download-csv"]')
    assert link.text_content() == "Download CSV"
    assert len(dom.xpath('//svg[@id="events-by-event-date"]/rect[@class="bar"]')) == 8
    download = client.get(f"/newsevents/{link.get('href')}", cookies=session("VIEWER"))
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "newsevents-events-2024-03-04-2024-03-06.csv" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == 9  # the partitions shown, not February's
    by_id = {r["event_id"]: r for r in rows}
    assert by_id["ev-2024-03-06-0"]["article_url"] == "https://news.example.org/2024-03-06/world"
    assert client.get(f"/newsevents/{link.get('href')}", cookies=session(None)).status_code == 403
    outside = client.get("/newsevents/export.csv", cookies=session("VIEWER"),
                         params={"lake": "/etc", "from": "2024-03-04", "to": "2024-03-06"})
    assert outside.status_code == 400 and "outside the allowed roots" in outside.text


@pytest.mark.slow
def test_the_page_is_in_the_ui_navigation(ui):
    client, _, session = ui
    plugins = client.get("/api/v2/plugins", cookies=session("ADMIN")).json()["plugins"]
    views = [v for p in plugins if p["name"] == "newsevents_results" for v in p["external_views"]]
    assert [(v["href"], v["url_route"], v["destination"]) for v in views] == [
        ("/newsevents/", "newsevents", "nav")]
    assert client.get(views[0]["icon"]).status_code == 200


# --------------------------------------------------------------------------------------
# the page in a browser, served by a running api-server


def require_binary(name: str) -> str:
    """The binary's path; skip when it is missing, except under CI=true, where that fails."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install {name})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def stop(process: subprocess.Popen) -> None:
    """Stop a process group: SIGINT, then SIGKILL after a bounded wait."""
    for sig, wait_s in ((signal.SIGINT, 20), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait_s)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


@pytest.fixture
def api_server(tmp_path) -> Iterator[tuple[str, str]]:
    """``airflow api-server`` with the plugin folder and a test lake; every user is an admin
    (Chromium cannot type a password), which the access tests above do not rely on."""
    home, lake_root, port = tmp_path / "airflow", tmp_path / "lake", free_port()
    home.mkdir()
    build_lake(lake_root)
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "NEWSEVENTS_ALLOWED_ROOTS": str(tmp_path),
    }
    airflow = str(Path(sys.executable).with_name("airflow"))
    log_path = home / "api-server.log"
    with log_path.open("wb") as log:
        if subprocess.run([airflow, "db", "migrate"], env=env, timeout=300, stdout=log,
                          stderr=subprocess.STDOUT).returncode:
            pytest.fail(f"airflow db migrate failed: {log_path.read_text()[-3000:]}")
        process = subprocess.Popen(
            [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while not healthy(base):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"api-server did not come up: {log_path.read_text()[-3000:]}")
            time.sleep(1)
        yield base, str(lake_root)
    finally:
        stop(process)


def healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v2/monitor/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def chromium_binary() -> str:
    return require_binary("chromium")


def chromium(binary: str, args: list[str], profile: Path, timeout_s: int = 120) -> str:
    """Run headless Chromium to completion (its whole process group is ended on a timeout)."""
    process = subprocess.Popen([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        stop(process)
        pytest.fail(f"chromium did not finish in {timeout_s} s")
    assert process.returncode == 0, err[-3000:]
    return out


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_renders_the_chart_and_tables_in_chromium(chromium_binary, api_server, tmp_path):
    base, lake_root = api_server
    url = f"{base}/newsevents/?{httpx.QueryParams(page_params(lake_root))}"
    # Chromium starts without a session: it goes through Airflow's login and comes back.
    dom = lxml.html.fromstring(chromium(chromium_binary, ["--dump-dom", url], tmp_path / "profile"))

    bars = dom.xpath('//svg[@id="events-chart"]/rect[@class="bar"]')
    assert len(bars) == 8  # one per (day, type) with events
    assert sorted(b.findtext("title") for b in bars)[:2] == ["2024-03-04: 1 ASSAULT",
                                                             "2024-03-04: 1 CONSULT"]
    legend = [li.text_content().split() for li in dom.xpath('//ul[@class="legend"]/li')]
    assert ["ASSAULT", "3"] in legend
    assert len(dom.xpath('//svg[@id="events-by-event-date"]/rect[@class="bar"]')) == 8
    assert dom.xpath('//a[@id="download-csv"]/@href')[0].startswith("export.csv?lake=")

    assert len(dom.xpath('//svg[@id="events-map"]/circle[@class="dot"]')) == 4
    actors = dom.xpath('//*[@id="top-actors"]/tbody/tr/td[1]/text()')
    assert actors[:2] == ["Russia", "Syrian Army"]

    rows = dom.xpath('//*[@id="latest-events"]/tbody/tr')
    assert len(rows) == 9
    assert "Ukraine accused Russia of targeting power plants in Kharkiv." in rows[0].text_content()
    links = [a.get("href") for a in dom.xpath('//*[@id="latest-events"]//a')]
    assert "https://news.example.org/2024-03-06/world" in links
    assert not any(href.startswith("javascript:") for href in links)

    runs = dom.xpath('//*[@id="runs"]/tbody/tr')
    assert [tr.xpath("td")[1].text_content() for tr in runs] == [
        "manual__2024-03-06", "scheduled__2024-03-05", "scheduled__2024-03-04"]
    assert "not_english 1" in runs[2].text_content()

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "results-page.png"
    shot.unlink(missing_ok=True)
    chromium(chromium_binary, [f"--screenshot={shot}", "--window-size=1400,1800", url],
             tmp_path / "profile")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
