"""The events stage: PLOVER/CAMEO/ACLED event coding of English news articles.

``extract_events(articles, default_date)`` codes a batch of articles (canonical English
ones only; the rest are counted in ``Extraction.skipped``) and returns events and
mentions; ``code_articles`` codes without merging, and ``consolidate`` merges the events of
several such batches (a day coded shard by shard), given the ``article_sources`` of the
day's articles for who reported each event; ``code_text(text, published)`` codes one
text, for the CLI's ``events`` command. Each takes an optional ``resources``
(``Resources.load()``), else loads the process's shared set once.
"""

from newsevents.events.merge import article_sources, consolidate
from newsevents.events.resources import Resources
from newsevents.events.stage import (
    Extraction,
    code_articles,
    code_text,
    extract_events,
    shared_resources,
)

__all__ = [
    "Extraction",
    "Resources",
    "article_sources",
    "code_articles",
    "code_text",
    "consolidate",
    "extract_events",
    "shared_resources",
]
