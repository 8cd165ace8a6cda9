"""Article metadata: headline, authors, publication date, canonical URL, site name.

trafilatura's ``extract_metadata`` (OpenGraph, JSON-LD, meta tags; htmldate for the date)
does the finding; this module decides between candidates: the publisher's headline without
the site's name, the original publication date over "updated" (never one after the page
was fetched), the canonical link without tracking parameters.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from courlan import normalize_url
from lxml.html import HtmlElement
from trafilatura import extract_metadata

_SPACES = re.compile(r"\s+")
_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"))
# " | Site", " - Site", " – Site", "：Site" ... at the end of a <title> or og:title
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—·•:»*]\s+|\s*[|｜：]\s*")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class PageMetadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: dt.datetime | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None  # the page's summary (og:description, JSON-LD, <meta>)


def page_metadata(
    tree: HtmlElement, url: str | None, fetched_at: dt.datetime | None
) -> PageMetadata:
    """The page's metadata; ``fetched_at`` caps the publication date (default: now)."""
    # one day of slack: the page's local date may be ahead of UTC (see cap_date)
    newest = (fetched_at or dt.datetime.now(dt.UTC)).date() + dt.timedelta(days=1)
    date_config = {
        "original_date": True,  # the first publication, not the latest update
        "extensive_search": False,  # the body-text scan finds "related" dates more than ours
        "max_date": newest.isoformat(),
        "outputformat": "%Y-%m-%d",
    }
    meta = extract_metadata(tree, default_url=url, date_config=date_config)
    site_name = normalise_space(meta.sitename)
    return PageMetadata(
        title=choose_title(meta.title, _headlines(tree), site_name, meta.hostname),
        authors=[a for a in (normalise_space(x) for x in (meta.author or "").split(";")) if a],
        published=cap_date(_parse_date(meta.date), fetched_at or dt.datetime.now(dt.UTC)),
        canonical_url=canonical_url(meta.url, url),
        site_name=site_name,
        description=normalise_space(meta.description),
    )


def normalise_space(text: str | None) -> str | None:
    """Collapse whitespace (no-break, ideographic...) to single spaces and drop invisible
    characters (zero-width, soft hyphen); None if nothing is left."""
    if not text:
        return None
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text).translate(_INVISIBLE_CHARS)).strip()
    return text or None


def choose_title(
    meta_title: str | None, headlines: list[str], site_name: str | None, host: str | None
) -> str | None:
    """The article's headline: the metadata title (OpenGraph, JSON-LD, <title>) without the
    site's name, else the page's <h1>.

    The metadata title is the publisher's own statement of the headline; the <h1> often
    carries a kicker ("Premier League: ...") or typographic quotes the feeds do not.
    """
    meta_title = normalise_space(meta_title)
    if meta_title:
        title = strip_site_name(meta_title, site_name, host)
        if _squash(title) not in ("", _squash(site_name or "")):
            return title
    return headlines[0] if headlines else meta_title


def strip_site_name(title: str, site_name: str | None, host: str | None) -> str:
    """Drop the site's name (and whatever follows it) from the end of a page title."""
    host_label = next(
        (label for label in (host or "").split(".") if label not in ("www", "m", "amp")), None
    )
    names = [_squash(n) for n in (site_name, host_label) if n and len(_squash(n)) >= 2]
    separators = list(_TITLE_SEPARATOR.finditer(title))
    for index, separator in enumerate(separators):
        end = separators[index + 1].start() if index + 1 < len(separators) else len(title)
        segment = _squash(title[separator.end() : end])
        if any(name in segment or (len(segment) >= 3 and segment in name) for name in names):
            return title[: separator.start()].strip() or title
    return title


def _squash(text: str) -> str:
    return "".join(_WORD.findall(text.casefold()))


def _headlines(tree: HtmlElement) -> list[str]:
    found = (normalise_space(h.text_content()) for h in tree.iterfind(".//h1"))
    return [h for h in found if h][:3]


def _parse_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value[:10], "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def cap_date(published: dt.datetime | None, fetched_at: dt.datetime | None) -> dt.datetime | None:
    """The publication date, never later than the fetch.

    A date one day after the fetch (UTC) is a page's local date in a timezone ahead of UTC
    (Asia, Oceania): the story was published on the fetch day, UTC. Later dates are wrong.
    """
    if published is None or fetched_at is None:
        return published
    fetched = (
        fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=dt.UTC)
    ).astimezone(dt.UTC)
    stamp = published if published.tzinfo else published.replace(tzinfo=dt.UTC)
    if stamp <= fetched or stamp.date() <= fetched.date():
        return published
    if stamp.date() == fetched.date() + dt.timedelta(days=1):
        return dt.datetime.combine(fetched.date(), dt.time(), dt.UTC)
    return None


def canonical_url(found: str | None, url: str | None) -> str | None:
    """The page's canonical URL, normalised (tracking parameters dropped); else the given URL."""
    for candidate in (found, url):
        if candidate and candidate.startswith(("http://", "https://")):
            try:
                return normalize_url(candidate, strict=True)
            except ValueError:
                continue
    return None

