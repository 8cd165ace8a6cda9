"""The clean stage: a raw ``Document`` becomes an ``Article`` (text + metadata) or a ``Reject``.

    clean(doc)        -> Article | Reject   the stage's entry point, for HTML and plain text
    clean_text(text)  -> CleanedText        the text-level pass alone (plain text in and out)

HTML goes through decode (charset) → one lxml parse → metadata → our pruning → trafilatura →
the text-level pass; plain text through decode → the text-level pass. Modules: ``decode``
(bytes → str), ``html`` (pruning + trafilatura), ``text`` (furniture lines, repeats),
``metadata`` (title, date, URL), ``language_id`` (fastText, py3langid), ``patterns`` (the
boilerplate vocabulary in data/clean/boilerplate.yaml).
"""

from __future__ import annotations

import datetime as dt

from newsevents.clean import html
from newsevents.clean.decode import Undecodable, decode_html, decode_text
from newsevents.clean.language_id import language
from newsevents.clean.metadata import (
    canonical_url,
    cap_date,
    normalise_space,
    page_metadata,
)
from newsevents.clean.text import (
    CleanedText,
    clean_blocks,
    clean_text,
    is_error_page,
    with_standfirst,
)
from newsevents.schema import Article, Document, Reject

__all__ = ["MAX_BYTES", "CleanedText", "clean", "clean_text"]

# Bodies above this size are rejected ("too_large") before any parsing: a news article
# page is rarely above 2 MB, and trafilatura's own limit is 20 MB. Pass max_bytes to change.
MAX_BYTES = 10_000_000
# An HTML page whose cleaned text is shorter than this, and whose title or a line says it
# is an error page (data/clean/boilerplate.yaml: error_page), has no article. A short page
# without such a sign is kept: length alone does not tell a brief from an error page.
MIN_ARTICLE_CHARS = 100
# An HTML page whose text is mostly the text of its links is an index (a list of headlines).
MAX_LINK_SHARE = 0.8
# A page that declares itself not free (schema.org isAccessibleForFree) and yields less
# text than this is a teaser, not the article.
TEASER_MAX_CHARS = 1_000


def clean(doc: Document, *, max_bytes: int = MAX_BYTES) -> Article | Reject:
    """Clean one document; every failure is a Reject with a reason, never an exception."""
    if len(doc.body) > max_bytes:
        return _reject(doc, "too_large", f"{len(doc.body)} bytes, above the {max_bytes}-byte limit")
    try:
        if doc.fmt == "html":
            return _clean_html(doc)
        if doc.fmt == "text":
            return _clean_plain(doc)
        return _reject(
            doc, "unsupported_format", f"format {doc.fmt!r} is neither 'html' nor 'text'"
        )
    except Undecodable as exc:
        return _reject(doc, exc.reason, exc.detail)
    except Exception as exc:  # a library failing on one odd page must not stop the run
        return _reject(doc, "extraction_failed", f"{type(exc).__name__}: {exc}")


def _clean_html(doc: Document) -> Article | Reject:
    page = decode_html(doc.body, doc.charset)
    tree = html.parse(page)
    if tree is None:
        if not html.has_markup(page):  # plain text served as HTML: clean it as text
            return _text_article(doc, page)
        return _reject(doc, "not_html", "no HTML document could be parsed from the body")
    meta = page_metadata(tree, doc.url, doc.fetched_at)
    title = normalise_space(doc.title) or meta.title
    free = html.is_accessible_for_free(tree)
    shown = (
        meta.description if meta.description and html.is_displayed(tree, meta.description) else None
    )
    html.prune(tree)
    blocks = with_standfirst(html.extract_blocks(tree, doc.url), shown)
    cleaned = clean_blocks(blocks, meta.authors, title)
    if not cleaned.text:
        return _reject(doc, "no_article_text", "no article text (an empty or furniture-only page)")
    if len(cleaned.text) < MIN_ARTICLE_CHARS and is_error_page(title, cleaned.paragraphs):
        return _reject(
            doc, "no_article_text", f"an error page: {len(cleaned.text)} characters of text"
        )
    linked = html.link_share(tree, " ".join(cleaned.paragraphs))
    if linked >= MAX_LINK_SHARE:
        return _reject(
            doc, "no_article_text", f"{linked:.0%} of the text is link text (an index page)"
        )
    return _article(
        doc,
        cleaned,
        extraction_method="trafilatura",
        title=title,
        authors=meta.authors,
        published=meta.published,
        canonical=meta.canonical_url,
        site_name=meta.site_name,
        paywalled=cleaned.is_paywalled or (free is False and len(cleaned.text) < TEASER_MAX_CHARS),
    )


def _clean_plain(doc: Document) -> Article | Reject:
    return _text_article(doc, decode_text(doc.body, doc.charset))


def _text_article(doc: Document, text: str) -> Article | Reject:
    cleaned = clean_text(text, headline=normalise_space(doc.title))
    if not cleaned.text:
        return _reject(doc, "no_article_text", "nothing but boilerplate lines")
    return _article(
        doc,
        cleaned,
        extraction_method="text",
        canonical=canonical_url(None, doc.url),
        paywalled=cleaned.is_paywalled,
    )


def _article(
    doc: Document,
    cleaned: CleanedText,
    *,
    extraction_method: str,
    title: str | None = None,
    authors: list[str] | None = None,
    published: dt.datetime | None = None,
    canonical: str | None = None,
    site_name: str | None = None,
    paywalled: bool = False,
) -> Article:
    """The Article; what the document itself says (title, published) beats what was extracted."""
    title = normalise_space(doc.title) or title
    return Article(
        article_id=doc.doc_id,
        source=doc.source,
        text=cleaned.text,
        url=doc.url,
        canonical_url=canonical,
        site_name=site_name,
        title=title,
        authors=authors or [],
        published=cap_date(doc.published or published, doc.fetched_at),
        fetched_at=doc.fetched_at,
        language=language(cleaned.text),
        is_paywalled=paywalled,
        extraction_method=extraction_method,
        boilerplate_chars_removed=cleaned.boilerplate_chars_removed,
        repeated_paragraphs_removed=cleaned.repeated_paragraphs_removed,
        text_hash=None,  # dedupe computes it from its own normalisation
    )


def _reject(doc: Document, reason: str, detail: str) -> Reject:
    return Reject(source=doc.source, stage="clean", reason=reason, detail=detail)
