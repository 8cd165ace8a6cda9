"""The events stage: PLOVER/CAMEO/ACLED event coding of English news articles.

``extract_events(articles, default_date)`` codes a batch of articles (canonical English
ones only; the rest are counted in ``Extraction.skipped``) and returns events and
mentions; ``code_articles`` codes without merging, and ``consolidate`` merges the events of
several such batches (a day coded shard by shard), given the ``article_sources`` of the
day's articles for who reported each event; ``code_text(text, published)`` codes one
text, for the CLI's ``events`` command.
"""

from newsevents.events.extract import Extraction, code_articles, code_text, extract_events
from newsevents.events.merge import article_sources, consolidate

__all__ = [
    "Extraction",
    "article_sources",
    "code_articles",
    "code_text",
    "consolidate",
    "extract_events",
]
