"""Airflow UI page "News events": what the pipeline put in the lake, for a date range.

A FastAPI app mounted by the api-server at ``/newsevents`` and shown in the UI's navigation
(an external view rendered in an iframe). ``GET /newsevents/?lake=…&from=YYYY-MM-DD&to=…``
renders, server-side, events per day by PLOVER type (stacked bars), a map of geolocated
events, the top actors, the latest events with their sentences and article links, and each
run's accounting. The numbers come from ``newsevents.report`` (DuckDB over the lake); this
module only lays them out. No JavaScript and nothing from a CDN: charts are inline SVG.

Access follows Airflow's auth manager: the page needs a logged-in user allowed the custom
view ``newsevents_results`` (any viewer with the simple auth manager); without a session
the browser is sent to Airflow's login page. The lake is opened with
``newsevents_airflow.open_lake``, which refuses roots outside the allowed ones.

Airflow imports plugin files in every task process too, so this module imports only the
plugin base class at the top; the web stack and DuckDB load with the app, on first request.
"""

import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from airflow.plugins_manager import AirflowPlugin

if TYPE_CHECKING:
    from fastapi import FastAPI

    from newsevents.report import Place, Report

URL_PREFIX = "/newsevents"
RESOURCE = "newsevents_results"  # the custom view an auth manager grants
MAX_DAYS = 366
ASSETS = Path(__file__).with_name("newsevents_results")

# PLOVER types are coloured by quad class: blues for verbal cooperation, greens for
# material cooperation, ambers for verbal conflict, reds for material conflict. Within a
# quad, later codebook types get darker shades (ASSAULT, the last, is the darkest red).
QUAD_COLOURS = {
    1: ["#9cc3ea", "#5e9bd8", "#2f6fb5", "#1d4e89"],
    2: ["#7cc49b", "#3a9a6c", "#1b6b4a"],
    3: ["#f2c14e", "#e69f1e", "#c77c02", "#a86500", "#7a4a00"],
    4: ["#f08a7a", "#e04a3a", "#b42323", "#7f1d1d"],
}
OTHER_COLOUR = "#9aa4ae"


def type_colour(plover_type: str) -> str:
    from newsevents.report import plover_quad_classes

    quads = plover_quad_classes()
    quad = quads.get(plover_type)
    if quad is None:
        return OTHER_COLOUR
    same_quad = [t for t, q in quads.items() if q == quad]
    palette = QUAD_COLOURS[quad]
    return palette[same_quad.index(plover_type) % len(palette)]


# --------------------------------------------------------------------------------------
# chart and map geometry (SVG user units; the template only draws these)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    bars: list[Rect]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    legend: list[tuple[str, str, int]]  # (type, colour, events)


def nice_step(max_value: float, max_ticks: int = 5) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 … that needs at most ``max_ticks`` ticks."""
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            if m * magnitude * max_ticks >= max_value:
                return m * magnitude
        magnitude *= 10


def bar_chart(report: "Report", width: int = 1100, height: int = 280,
              by_event_date: bool = False) -> BarChart:
    """Events per day and type: per run date (partition), or per event date."""
    left, right, top, bottom = 48, 12, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    days = report.days
    per_day = report.per_event_day if by_event_date else report.per_day
    types = report.types_of(per_day)
    counts = {(c.day, c.plover_type): c.events for c in per_day}
    totals = {day: sum(counts.get((day, t), 0) for t in types) for day in days}
    step = nice_step(max(totals.values(), default=0) or 1)
    y_max = step * math.ceil((max(totals.values(), default=0) or 1) / step)
    band = plot_w / len(days)
    bar_w = min(band * 0.75, 40)
    bars = []
    for i, day in enumerate(days):
        x = left + i * band + (band - bar_w) / 2
        y: float = top + plot_h
        for plover_type in types:
            n = counts.get((day, plover_type), 0)
            if n:
                h = n / y_max * plot_h
                y -= h
                bars.append(Rect(round(x, 2), round(y, 2), round(bar_w, 2), round(h, 2),
                                 type_colour(plover_type), f"{day}: {n} {plover_type}"))
    every = math.ceil(len(days) / 12)
    x_ticks = [Tick(round(left + (i + 0.5) * band, 2), f"{day:%d %b}")
               for i, day in enumerate(days) if i % every == 0]
    y_ticks = [Tick(round(top + plot_h - v / y_max * plot_h, 2), str(v))
               for v in range(0, y_max + 1, step)]
    by_type = {t: sum(c.events for c in per_day if c.plover_type == t) for t in types}
    legend = [(t, type_colour(t), by_type[t]) for t in types]
    return BarChart(width, height, left, top, plot_w, plot_h, bars, y_ticks, x_ticks, legend)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float
    colour: str
    title: str
    label: str | None


@dataclass(frozen=True)
class Map:
    view_box: str
    stroke: float  # graticule line width and label size scale with the zoom
    font: float
    lines: list[tuple[float, float, float, float]]
    dots: list[Dot]


def project(lat: float, lon: float) -> tuple[float, float]:
    """Equirectangular, in the units of static/world-110m.svg (0.1° per unit)."""
    return (lon + 180) * 10, (90 - lat) * 10


def event_map(places: "list[Place]", width_px: int = 640, labels: int = 6) -> Map:
    """The world, zoomed to the events (2:1, at least 40° wide), with one dot per place."""
    if places:
        xs, ys = zip(*(project(p.lat, p.lon) for p in places), strict=True)
        pad = 100
        x0, x1 = max(min(xs) - pad, 0), min(max(xs) + pad, 3600)
        y0, y1 = max(min(ys) - pad, 0), min(max(ys) + pad, 1800)
        w = min(max(x1 - x0, 2 * (y1 - y0), 400), 3600)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        vx = min(max(cx - w / 2, 0), 3600 - w)
        vy = min(max(cy - w / 4, 0), 1800 - w / 2)
    else:
        vx, vy, w = 0, 0, 3600
    unit = w / width_px  # SVG units per screen pixel
    grid = next(g for g in (5, 10, 30) if w / (g * 10) <= 14 or g == 30)
    lines: list[tuple[float, float, float, float]] = [
        (x, vy, x, vy + w / 2) for x in range(0, 3601, grid * 10) if vx <= x <= vx + w]
    lines += [(vx, y, vx + w, y) for y in range(0, 1801, grid * 10) if vy <= y <= vy + w / 2]
    biggest = max((p.events for p in places), default=1)
    dots = []
    for rank, p in enumerate(places):  # places come most events first
        x, y = project(p.lat, p.lon)
        where = f"{p.location} ({p.country})" if p.country else p.location
        dots.append(Dot(
            round(x, 1), round(y, 1), round((3 + 9 * math.sqrt(p.events / biggest)) * unit, 2),
            type_colour(p.top_type),
            f"{where}: {p.events} events, {p.fatalities} fatalities, mostly {p.top_type}",
            p.location if rank < labels else None))
    return Map(f"{vx:.0f} {vy:.0f} {w:.0f} {w / 2:.0f}", round(unit, 3), round(11 * unit, 2),
               lines, dots[::-1])  # small last-ranked dots first, so big ones stay clickable


def safe_href(url: str | None) -> str | None:
    """Only http(s) links reach the page (an article URL is untrusted input)."""
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def host(url: str | None) -> str:
    return urlsplit(url).hostname or "" if url else ""


# --------------------------------------------------------------------------------------
# the app


@cache
def create_app() -> "FastAPI":
    """The page's FastAPI app (built once, on the first request)."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi import Depends, FastAPI, HTTPException, Query, Request
    from fastapi.exception_handlers import http_exception_handler
    from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
    from fastapi.staticfiles import StaticFiles
    from fastapi.templating import Jinja2Templates
    from starlette.background import BackgroundTask
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from newsevents.config import parse_date
    from newsevents.export import export
    from newsevents.report import build_report, default_range
    from newsevents_airflow import DEFAULT_LAKE, open_lake

    app = FastAPI(title="newsevents results", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=ASSETS / "static"), name="static")
    templates = Jinja2Templates(directory=ASSETS / "templates")
    templates.env.globals.update(type_colour=type_colour, safe_href=safe_href, host=host)

    @app.exception_handler(StarletteHTTPException)
    async def login_redirect(request: Request, exc: StarletteHTTPException):
        """A browser without an Airflow session goes to the login page, and comes back after."""
        if exc.status_code == 401 and request.method == "GET":
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(get_auth_manager().get_url_login(next_url=here),
                                    status_code=303)
        return await http_exception_handler(request, exc)

    def authorized(user=Depends(get_user)) -> None:
        if not get_auth_manager().is_authorized_custom_view(method="GET", resource_name=RESOURCE,
                                                            user=user):
            raise HTTPException(status_code=403, detail="not allowed to see the newsevents results")

    @app.get("/", response_class=HTMLResponse, dependencies=[Depends(authorized)])
    def results_page(
        request: Request,
        lake: str = Query(DEFAULT_LAKE, max_length=1000),
        start: str | None = Query(None, alias="from", max_length=10),
        end: str | None = Query(None, alias="to", max_length=10),
    ):
        """The page; bad input (a lake outside the allowed roots, a bad date) is shown, as a 400."""
        context: dict = {"lake": lake, "start": start or "", "end": end or "", "error": None,
                         "static": request.scope.get("root_path", "") + "/static"}
        try:
            opened = open_lake(lake)
            first, last = default_range(opened)
            first = parse_date(start) if start else first
            last = parse_date(end) if end else last
            if (last - first).days >= MAX_DAYS:
                raise ValueError(f"choose at most {MAX_DAYS} days")
            report = build_report(opened, first, last)
        except ValueError as exc:
            context["error"] = str(exc)
            return templates.TemplateResponse(request, "results.html", context, status_code=400)
        context.update(start=first.isoformat(), end=last.isoformat(), report=report,
                       chart=bar_chart(report),
                       event_chart=bar_chart(report, by_event_date=True),
                       map=event_map(report.places),
                       top_actor_events=max((a.events for a in report.actors), default=1),
                       rejects=report.rejects_by_reason())
        return templates.TemplateResponse(request, "results.html", context)

    @app.get("/export.csv", dependencies=[Depends(authorized)])
    def download_csv(
        lake: str = Query(DEFAULT_LAKE, max_length=1000),
        start: str = Query(alias="from", max_length=10),
        end: str = Query(alias="to", max_length=10),
    ):
        """The events of the partitions shown, with their first article (``export --format
        csv --by run``), as a download; written to a temporary file removed once sent."""
        try:
            opened = open_lake(lake)
            first, last = parse_date(start), parse_date(end)
            if last < first:
                raise ValueError(f"the range ends ({last}) before it starts ({first})")
            if (last - first).days >= MAX_DAYS:
                raise ValueError(f"choose at most {MAX_DAYS} days")
        except ValueError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None
        folder = tempfile.mkdtemp(prefix="newsevents-export-")
        name = f"newsevents-events-{first.isoformat()}-{last.isoformat()}.csv"
        try:
            export(opened, "csv", first, last, os.path.join(folder, name), by="run")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return FileResponse(os.path.join(folder, name), media_type="text/csv", filename=name,
                            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True))

    return app


async def asgi_app(scope, receive, send) -> None:
    """What the api-server mounts: the page's app, built on first use."""
    await create_app()(scope, receive, send)


class NewsEventsResultsPlugin(AirflowPlugin):
    name = "newsevents_results"
    fastapi_apps = [{"app": asgi_app, "url_prefix": URL_PREFIX, "name": "News events results"}]
    external_views = [{
        "name": "Events",  # the navigation bar has room for one short word
        "href": f"{URL_PREFIX}/",
        "url_route": "newsevents",  # shown inside the UI at /plugin/newsevents
        "destination": "nav",
        "nav_top_level": True,
        "icon": f"{URL_PREFIX}/static/icon.svg",
    }]
