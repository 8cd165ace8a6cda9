"""HTML to article blocks: one lxml parse, our pruning, then trafilatura on the pruned tree.

trafilatura (include_comments=False) finds the article body. Before it runs we remove what
it lets through on news pages: reader-comment sections recognised by their heading text
rather than by class names (a plain <section><h2>Comments About This Article</h2><form>),
forms, comment/newsletter/related containers its class rules miss, and link-dense blocks
(related-article lists and "read also" boxes inside the body). Everything works on the one
tree, so the extra pruning costs a single pass over the page.
"""

from __future__ import annotations

import json
import re

from lxml.etree import Element, _Element
from lxml.html import HtmlElement
from trafilatura import bare_extraction, load_html

from newsevents.clean.patterns import fullmatch, patterns
from newsevents.clean.text import Block

# Text in these elements is never shown to a reader.
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title", "svg"})
# Containers that are furniture by their class or id, on top of trafilatura's own list
# (which already covers comment lists, share bars, navigation, footers, ads and more).
# Matched in the lower-cased class and id (a case-insensitive regex is eight times slower
# on the long class lists of utility-CSS sites).
_FURNITURE_ATTR = re.compile(
    r"comment(?!ary)|disqus|newsletter|sign-?up|opt-?in|related|recommend|more-?(?:articles|stories|news)"
    r"|also-?read|see-?also|outbrain|taboola|feedback|survey|promo\b|share|sharing|social"
    # embedded posts: someone else's words, shown as a card
    r"|twitter-tweet|instagram-media|tiktok-embed|fb-post|bluesky-embed"
)
_ID_PARTS = re.compile(r"[-_\s]+")
_MAX_ROLE_ID_PARTS = 3  # an id of more words names the element's text, not its role
_FURNITURE_TAGS = frozenset(
    {"div", "section", "aside", "ul", "ol", "p", "span", "footer", "header", "blockquote"}
)
# A list or block whose text is mostly link text is a link list (related stories, "read
# also"): whole lists at half links, other blocks at 80 %. Never a single list item,
# paragraph or heading: in an article those are the author's (a source, a linked name).
_LINK_SHARE = {"ul": 0.5, "ol": 0.5, "div": 0.8, "section": 0.8, "aside": 0.8}
# ... and a list only if at least half its items are at least half link text: a list of
# sentences that each link a few words (a changelog, sources) is the author's too.
_LINK_ITEM = 0.5
_LINK_ITEMS = 0.5
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MAX_PRUNE_SHARE = 0.3  # never prune a container holding more than this share of the page text
_MAX_FORM_CHARS = 1_000  # a form with more text than this wraps content (some CMSs wrap the page)
_TAG = re.compile(r"<[a-zA-Z!/?][^>]{0,200}>")
_MIN_LINK_CHARS = 12  # shorter link texts ("Home", a name) say nothing about the page
_PROBE_CHARS = 12  # a text's opening, looked for in text nodes before comparing whole texts
_KIND = {"head": "head", "list": "item", "quote": "quote", "table": "table"}
_LINE_ENDS = frozenset({"lb", "item", "row", "head", "p"})  # a new line after (and before) each
_SPACE = re.compile(r"\s+")
_Sizes = dict[_Element, tuple[int, int]]  # element -> (visible text length, linked text length)


def parse(html: str) -> HtmlElement | None:
    """The page's lxml tree (trafilatura's loader: it repairs common breakage), None if unusable."""
    return load_html(html)


def has_markup(text: str) -> bool:
    """Whether a text has any HTML tag in it (else it is plain text, whatever its label)."""
    return _TAG.search(text) is not None


def prune(tree: HtmlElement) -> None:
    """Remove comment sections, forms, furniture containers and link lists from the tree."""
    for element, _rule in _prune_targets(tree):
        if element.getparent() is not None:
            _remove(element)


def extract_blocks(tree: HtmlElement, url: str | None) -> list[Block]:
    """The article's blocks as trafilatura extracts them from the (pruned) tree.

    Not in fast mode: its readability/jusText fallbacks rescue pages whose markup its own
    rules misread, and on a pruned tree they cost little.
    """
    document = bare_extraction(tree, url=url, include_comments=False)
    if document is None or isinstance(document, dict) or document.body is None:
        return []
    body = document.body
    blocks = [Block(_SPACE.sub(" ", body.text).strip())] if (body.text or "").strip() else []
    for index, child in enumerate(body):
        blocks += _blocks(child, index)
        if child.tail and child.tail.strip():  # text between two elements ("<head/>text<p/>")
            blocks.append(Block(_SPACE.sub(" ", child.tail).strip()))
    return blocks


def _blocks(element: _Element, index: int) -> list[Block]:
    """One element of trafilatura's result tree (``Document.body``: head, p, list, quote,
    table ...) as blocks: a line per paragraph, line break, list item or table row.

    Hand-written because trafilatura's own renderer (``xml.xmltotxt``) is not public API,
    and its plain text keeps the page's hard line breaks inside paragraphs. A table cell
    stays on its row's line; a code block is one line (its line breaks are layout).
    """
    kind = _KIND.get(element.tag, "p")
    for node in element.iter(Element):
        if node.text:
            node.text = _SPACE.sub(" ", node.text)
        tail = _SPACE.sub(" ", node.tail) if node.tail else ""
        if node.tag == "cell":
            tail = " | " + tail
        elif node.tag in _LINE_ENDS and next(node.iterancestors("cell"), None) is None:
            tail = "\n" + tail
            if node.tag != "lb" and node is not element:  # a line starts here too
                node.text = "\n" + (node.text or "")
        if node is not element:
            node.tail = tail
    lines = (line.strip(" |") for line in element.xpath("string()").split("\n"))
    element_id = index if kind in ("p", "quote") else None  # a list's items stand alone
    return [Block(line, kind, element_id) for line in lines if line]


def link_share(tree: HtmlElement, text: str) -> float:
    """The share of ``text`` that is the text of the page's links (whole link texts found in
    it): near 1 for an index page, whose "article" is a list of headlines."""
    if not text:
        return 0.0
    anchors = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    linked = sum(len(a) for a in anchors if len(a) >= _MIN_LINK_CHARS and a in text)
    return min(linked / len(text), 1.0)


def is_displayed(tree: HtmlElement, text: str) -> bool:
    """Whether the page shows ``text`` (whitespace-normalised) as visible text, in one element.

    Used for the meta description: when the page displays it, it is the standfirst, which
    extractors miss when it sits in the article header rather than in the body.
    """
    probe = text[:_PROBE_CHARS]
    for element in tree.iter(Element):
        if element.text and probe in element.text and element.tag not in _INVISIBLE:
            holder = element
        elif element.tail and probe in element.tail:
            holder = element.getparent()
        else:
            continue
        if text in " ".join(holder.text_content().split()):
            return True
    return False


def is_accessible_for_free(tree: HtmlElement) -> bool | None:
    """schema.org's isAccessibleForFree from the page's JSON-LD, None when not stated."""
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        text = script.text or ""
        if "isAccessibleForFree" not in text:
            continue
        try:
            value = _find_key(json.loads(text), "isAccessibleForFree")
        except ValueError:
            continue
        if value is not None:
            return str(value).strip().lower() not in ("false", "no", "0")
    return None


def _find_key(data: object, key: str) -> object | None:
    if isinstance(data, dict):
        if key in data:
            return data[key]
        data = list(data.values())
    if isinstance(data, list):
        for item in data:
            found = _find_key(item, key)
            if found is not None:
                return found
    return None


def _prune_targets(tree: HtmlElement) -> list[tuple[_Element, str]]:
    """The elements to remove and the rule that caught each, decided on the untouched tree."""
    sizes = _text_sizes(tree)
    body = tree.find("body")
    page = max(sizes.get(body if body is not None else tree, (0, 0))[0], 1)
    most = _MAX_PRUNE_SHARE * page
    comment_heading = patterns().comment_heading
    targets: list[tuple[_Element, str]] = [
        (a, "appended_article") for a in _appended_articles(tree)
    ]
    for element, (total, linked) in sizes.items():
        tag = element.tag
        if (
            tag in _HEADINGS
            and total
            and fullmatch(comment_heading, " ".join(element.text_content().split()))
        ):
            targets.extend((e, "comment_heading") for e in _comment_section(element, sizes, page))
            continue
        if total > most:
            continue
        if tag == "form":
            if total <= _MAX_FORM_CHARS and not _holds_headline(element):
                targets.append((element, "form"))
        elif tag in _FURNITURE_TAGS and _is_furniture(element) and not _holds_headline(element):
            targets.append((element, "furniture_attr"))
        elif _is_link_list(element, total, linked, sizes):
            targets.append((element, "link_list"))
    return targets


def _is_link_list(element: _Element, total: int, linked: int, sizes: _Sizes) -> bool:
    """Whether a block is mostly link text and, if a list, most of its items are a link and
    little else (headlines, "read also"), not sentences that link a few words (a changelog,
    a list of sources)."""
    share = _LINK_SHARE.get(element.tag)
    if share is None or not total or linked < share * total:
        return False
    if element.tag not in ("ul", "ol"):
        return True
    items = [sizes.get(li, (0, 0)) for li in element.iterchildren("li")]
    items = [(total, linked) for total, linked in items if total]
    linked_items = sum(1 for total, linked in items if linked >= _LINK_ITEM * total)
    return linked_items >= _LINK_ITEMS * len(items)


def _appended_articles(tree: HtmlElement) -> list[_Element]:
    """Whole stories appended below the page's own (infinite scroll): every top-level
    <article> with its own <h1> after the first such one."""
    stories = [
        a
        for a in tree.iter("article")
        if a.find(".//h1") is not None and next(a.iterancestors("article"), None) is None
    ]
    return stories[1:]


def _text_sizes(tree: HtmlElement) -> _Sizes:
    """Visible text length and linked text length of every element, computed bottom-up."""
    sizes: _Sizes = {}
    for element in reversed(list(tree.iter(Element))):  # children before their parents
        tag = element.tag
        if tag in _INVISIBLE:
            sizes[element] = (0, 0)
            continue
        text = element.text
        total = len(text.strip()) if text else 0
        linked = 0
        for child in element:
            child_sizes = sizes.get(child)
            if child_sizes:
                total += child_sizes[0]
                linked += child_sizes[1]
            tail = child.tail
            if tail:
                total += len(tail.strip())
        sizes[element] = (total, total if tag == "a" else linked)
    return sizes


def _comment_section(heading: _Element, sizes: _Sizes, page: int) -> list[_Element]:
    """The comment section a heading titles: its container, or the heading and what follows.

    The container is the heading's parent unless that parent holds the article itself
    (the headline, or most of the page's text); then the section is the heading and its
    following siblings, as long as they are not most of the parent's text.
    """
    parent = heading.getparent()
    if parent is None:
        return []
    parent_total = sizes.get(parent, (0, 0))[0]
    holds_article = parent.tag in ("article", "main", "body") or _holds_headline(parent)
    if not holds_article and parent_total <= _MAX_PRUNE_SHARE * page:
        return [parent]
    following = list(heading.itersiblings())
    if sum(sizes.get(e, (0, 0))[0] for e in following) * 2 > parent_total:
        return [heading]
    return [heading, *following]


def _is_furniture(element: _Element) -> bool:
    """Whether the element's class, or its id, names furniture. Not an id made from a
    heading ("sharing-with-a-single-developer", an anchor of documentation pages): an id
    of more than a few words names its text, not its role."""
    id_ = element.get("id") or ""
    if len(_ID_PARTS.split(id_)) > _MAX_ROLE_ID_PARTS:
        id_ = ""
    names = f"{element.get('class') or ''} {id_}"
    return names != " " and _FURNITURE_ATTR.search(names.lower()) is not None


def _holds_headline(element: _Element) -> bool:
    return (
        element.find(".//h1") is not None
        or element.find('.//*[@itemprop="articleBody"]') is not None
    )


def _remove(element: _Element) -> None:
    """Drop an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
