"""The text-level pass: drop furniture lines and repeated paragraphs from an article's text.

It runs on every article, whatever its format: on the paragraphs trafilatura extracted from
HTML (which still carry comment prompts, share and newsletter lines, photo credits and
bylines) and on plain text, where it is the only cleaning there is. Lines are removed only
when a whole paragraph is furniture (see data/clean/boilerplate.yaml), so real paragraphs
that mention "comments" or "subscribe" stay. The text is the article's body: no headline
(that is the title), but the standfirst, sub-headings and list items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsevents.clean.patterns import fullmatch, patterns

_WORD = re.compile(r"\w+")
_CLOSING = tuple(".!?:;\"“”»›'’)…。！？」』")  # what ends a sentence (or a quote, or a list intro)
MIN_STANDFIRST_CHARS = 40
MIN_REFRAIN_CHARS = 100  # a repeated line shorter than this is a template's, not the author's
MIN_STANDFIRST_OVERLAP = 0.3  # share of a standfirst's words that the body must also use
# C0 control characters but tab and newlines: never text, and refused by some databases
_CONTROL_CHARS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")
_LIST_MARKER = re.compile(r"\s*(?:[-*•·–]|\d{1,3}[.)])\s")
# words that may sit between the names of a byline ("By Jane Doe and John Roe")
_NAME_JOINERS = frozenset(
    [
        "and", "und", "et", "y", "e", "og", "och", "en", "i", "&", "van", "von", "der", "den",
        "de", "da", "del", "della", "di", "du", "le", "la", "al", "bin", "ibn",
    ]
)


@dataclass(frozen=True)
class Block:
    """One paragraph-level piece of an article: its text and what kind of element it was."""

    text: str
    kind: str = "p"  # "p", "item" (list entry), "quote", "table", "head" (sub-heading)
    element: int | None = None  # lines of one page element share it (a <p> split at <br>)


@dataclass(frozen=True)
class CleanedText:
    """An article's text after the text-level pass, with what the pass removed."""

    text: str  # paragraphs joined by "\n"
    paragraphs: list[str]
    boilerplate_chars_removed: int = 0
    repeated_paragraphs_removed: int = 0
    is_paywalled: bool = False  # a "subscribe to read on" prompt was found (and removed)


def clean_text(
    text: str, authors: Sequence[str] = (), headline: str | None = None
) -> CleanedText:
    """Clean plain text: split it into paragraphs, then run the text-level pass."""
    return clean_blocks([Block(p) for p in split_paragraphs(text)], authors, headline)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of a plain text: one per line, except hard-wrapped blocks, which are joined.

    A block (lines between blank lines) is hard-wrapped when its lines (bar the last) are
    of similar, moderate length and mostly stop mid-sentence, as text wrapped at a fixed
    width does; one-paragraph-per-line text (the usual for news dumps) is left line by line.
    """
    paragraphs: list[str] = []
    text = text.translate(_CONTROL_CHARS).replace("\r\n", "\n").replace("\r", "\n")
    for chunk in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if _is_wrapped(lines):
            paragraphs.append(" ".join(lines))
        else:
            paragraphs.extend(lines)
    return paragraphs


def _is_wrapped(lines: list[str]) -> bool:
    body = lines[:-1]
    if not body or any(not 30 <= len(line) <= 100 or _LIST_MARKER.match(line) for line in body):
        return False
    open_ended = sum(1 for line in body if not line.endswith(_CLOSING))
    return open_ended * 2 >= len(body)


def clean_blocks(
    blocks: Iterable[Block], authors: Sequence[str] = (), headline: str | None = None
) -> CleanedText:
    """The text-level pass over an article's blocks (see the module docstring).

    Removed, in this order: the headline (it is the title), reader-comment sections,
    paywall prompts, furniture lines (patterns), bylines and author notes, then repeats
    (see ``without_repeats``). Nothing goes for being short, a sub-heading or a list item:
    those are the article's own. A comment-section heading (as a paragraph or heading) in
    the second half of the article starts the comment section: it and all after it go.
    """
    pats = patterns()
    items = [Block(" ".join(b.text.split()), b.kind, b.element) for b in blocks]
    items = without_headline([b for b in items if b.text], headline)
    kept: list[Block] = []
    removed_chars = 0
    paywalled = False
    author_keys = [_key(a) for a in authors if _key(a)]
    for index, block in enumerate(items):
        text = block.text
        if block.kind in ("p", "head") and fullmatch(pats.comment_heading, text):
            if index * 2 >= len(items):
                removed_chars += sum(len(b.text) for b in items[index:])
                break
            removed_chars += len(text)
            continue
        if fullmatch(pats.paywall, text):
            paywalled = True
            removed_chars += len(text)
            continue
        key = _key(text)
        if (
            not key
            or fullmatch(pats.line, text)
            or is_byline(text, author_keys, pats.byline_words)
            or (index * 3 >= len(items) * 2 and is_author_note(key, author_keys))
        ):
            removed_chars += len(text)
            continue
        kept.append(block)
    lines, repeated = without_repeats([b.text for b in kept], [b.element for b in kept])
    return CleanedText("\n".join(lines), lines, removed_chars, repeated, paywalled)


def without_repeats(
    paragraphs: list[str], elements: Sequence[int | None] = ()
) -> tuple[list[str], int]:
    """The paragraphs without the repeats of a passage, and how many were dropped.

    A paragraph goes when it repeats an earlier one together with a neighbour (the page
    shows a passage twice: the whole body again, a teaser block of the opening), or when
    a short line comes back (a template's label or prompt, a teaser's headline). A long
    paragraph that comes back on its own (a refrain, a test page's filler) stays.
    Consecutive lines of one page element (``elements``; a paragraph split at <br>) are
    judged as one paragraph: a line of a poem or an address is not a template's label.
    """
    units = _units(elements or [None] * len(paragraphs))
    texts = [" ".join(paragraphs[i] for i in unit) for unit in units]
    keys = [_key(t) for t in texts]
    first: dict[str, int] = {}
    for index, key in enumerate(keys):
        first.setdefault(key, index)

    def echoes(index: int, step: int) -> bool:
        neighbour, origin = index + step, first[keys[index]] + step
        return (
            0 <= neighbour < len(keys)
            and 0 <= origin < len(keys)
            and keys[neighbour] != keys[index]
            and keys[neighbour] == keys[origin]
        )

    kept = [
        paragraphs[line]
        for index, text in enumerate(texts)
        if first[keys[index]] == index
        or not (len(text) < MIN_REFRAIN_CHARS or echoes(index, 1) or echoes(index, -1))
        for line in units[index]
    ]
    return kept, len(paragraphs) - len(kept)


def _units(elements: Sequence[int | None]) -> list[list[int]]:
    """Line positions grouped into runs of one element (a line without one is its own)."""
    units: list[list[int]] = []
    for index, element in enumerate(elements):
        if units and element is not None and elements[units[-1][0]] == element:
            units[-1].append(index)
        else:
            units.append([index])
    return units


def is_error_page(title: str | None, paragraphs: Sequence[str]) -> bool:
    """Whether the title or a line is an error page's ("404", "Page not found", a bot check)."""
    error_page = patterns().error_page
    return any(fullmatch(error_page, " ".join(line.split())) for line in (title or "", *paragraphs))


def with_standfirst(blocks: list[Block], standfirst: str | None) -> list[Block]:
    """The blocks with the standfirst (the summary under the headline) first.

    Not when the blocks already have it, and not a short or off-topic one (a site's
    slogan shown in its header): a standfirst is a sentence or two about the story, so it
    shares words with the body.
    """
    if not standfirst or len(standfirst) < MIN_STANDFIRST_CHARS:
        return blocks
    body = " ".join(_key(b.text) for b in blocks)
    key = _key(standfirst)
    if key in body:
        return blocks
    words = set(key.split())
    if len(words & set(body.split())) < MIN_STANDFIRST_OVERLAP * len(words):
        return blocks
    return [Block(standfirst), *blocks]


def without_headline(blocks: list[Block], headline: str | None) -> list[Block]:
    """The blocks without the headline at their start: it is the article's title, not its
    body (extractors and plain-text files often repeat it as the first line). A first line
    that is most of the title's start is the headline too: the title adds the site's or a
    source's name ("... (CNET Japan)")."""
    key = _key(headline or "")
    start = 0
    while key and start < len(blocks) and _is_headline(_key(blocks[start].text), key):
        start += 1
    return blocks[start:]


def _is_headline(line: str, headline: str) -> bool:
    return line == headline or (
        len(line) * 2 >= len(headline) and headline.startswith(f"{line} ")
    )


def is_author_note(key: str, author_keys: Sequence[str]) -> bool:
    """A sentence about the author ("Jane Doe is a senior reporter ..."): it opens with the
    name of one of the article's authors. Only asked of the article's last third."""
    return any(key.startswith(f"{author} ") for author in author_keys)


def _key(text: str) -> str:
    """What makes two paragraphs the same: their words, ignoring case and punctuation."""
    return " ".join(_WORD.findall(text.casefold()))


def is_byline(text: str, author_keys: Sequence[str], byline_words: Sequence[str]) -> bool:
    """Whether a short line only credits the author(s): "By Jane Doe", "Von Anna Sleegers, Berlin".

    With the article's authors known, a line that is their names plus byline words and at
    most a short place or date is a byline. Without, a line that opens with a byline word
    followed only by capitalised names is one. Lines ending like a sentence never are.
    """
    if len(text) > 120 or text.endswith((".", "!", "?")) or len(text.split()) > 12:
        return False
    key = f" {_key(text)} "
    if any(f" {a} " in key for a in author_keys):
        rest = key
        for name in sorted(author_keys, key=len, reverse=True):
            rest = rest.replace(f" {name} ", "  ")
        words = [w for w in rest.split() if w not in byline_words and w not in _NAME_JOINERS]
        return len(words) <= 2
    head = re.split(r"\s*[,|/•·–—]\s*", text, maxsplit=1)[0]
    lowered = head.casefold()
    for word in byline_words:
        if lowered.startswith(word + " "):
            names = head[len(word) + 1 :].split()
            capitalised = [n for n in names if n[:1].isupper()]
            return (
                1 <= len(names) <= 6
                and bool(capitalised)
                and all(n[:1].isupper() or n.casefold() in _NAME_JOINERS for n in names)
            )
    return False
