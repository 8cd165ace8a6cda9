"""Dedupe: mark exact and near-duplicate articles, within a run and against earlier runs.

News repeats itself: a wire story runs on many sites under new headlines and boilerplate,
one site serves a page under many URLs, archives re-crawl old pages. Counting every copy
would count its events again, so each article is tied to one *canonical* article:

* ``exact_url``  – the same canonical URL;
* ``exact_text`` – the same text after normalisation (Unicode NFKC, quotes, whitespace, case);
* ``near``       – MinHash LSH over word shingles finds candidates, kept when their estimated
  Jaccard similarity is at least ``NEAR_THRESHOLD``.

Nothing is dropped: a duplicate keeps its row with ``dup_of``/``dup_kind``/``dup_similarity``;
the canonical row counts its copies and sites (``n_copies``/``n_sites``, GDELT's NumArticles
and NumSources). Repeated paragraphs inside one article are ``clean``'s job; dedupe takes
the text as it comes.

Clusters are transitive (connected components over every verified link) and the canonical
article of a cluster is its first member in ``_rank`` order: an article of an earlier run
first, then the earliest ``published`` (unknown dates last), then the smallest article_id.
Because that order, the hash seeds, the permutations and the shingle size are all fixed,
the result does not depend on the input order, the machine or the run.

Earlier runs are seen through their ``Signature`` rows (text hash, URL, band keys and the
MinHash itself, so similarity is estimated without the old text). They are streamed: only
today's sketches are indexed, and a prior signature is kept only if it matches today's.

Changing ``NUM_PERM``, ``SEED``, ``SHINGLE_WORDS``, ``BANDS`` or ``ROWS`` makes stored
signatures incomparable with new ones: rebuild the ``signatures`` table if you do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
from datasketch import MinHash
from more_itertools import chunked
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from newsevents.schema import Article, DupMark, Signature
from newsevents.settings import DEDUPE_WINDOW_DAYS

NUM_PERM = 128  # MinHash permutations; the similarity estimate's error is ~0.5/sqrt(NUM_PERM)
SEED = 1  # seed of datasketch's permutations
SHINGLE_WORDS = 5  # words per shingle
BANDS, ROWS = 42, 3  # LSH: a pair of Jaccard similarity s shares a band with probability
#                      1 - (1 - s**3)**42: 0.68 at s=0.3, 0.94 at 0.4, 0.996 at 0.5
NEAR_THRESHOLD = 0.4  # estimated Jaccard from which texts are near duplicates: on the
#                       benchmark (bench/results/dedupe.md) reprints of real articles score
#                       >= 0.44 against their original, distinct articles <= 0.2
WINDOW_DAYS = DEDUPE_WINDOW_DAYS  # earlier date partitions a run is checked against

# In one LSH bucket, each article is compared with this many neighbours in rank order only,
# so a bucket of thousands of look-alike pages cannot make the pair count quadratic.
_MAX_NEIGHBOURS = 32
_PRIOR_BATCH = 20_000  # prior signatures matched per numpy batch

# Quotes become straight; invisible format characters (soft hyphen, zero-width space and
# joiners, direction marks, word joiner, BOM) are dropped.
_QUOTES = str.maketrans("‘’‚‛′‹›“”„‟″«»", "'''''''\"\"\"\"\"\"\"",
                        "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff")
# In scripts written without spaces between words each character is a token; elsewhere a
# run of word characters is.
_UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
             "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff")  # kana, Han
_TOKEN = re.compile(f"[{_UNSPACED}]|[^\\W{_UNSPACED}]+")


@dataclass(frozen=True)
class DedupeResult:
    articles: list[Article]  # every input article, in input order, dup_* / n_* / text_hash filled
    signatures: list[Signature]  # one per canonical article of this run, for its date partition


def dedupe(
    articles: list[Article],
    prior: Iterable[Signature] = (),
    *,
    threshold: float = NEAR_THRESHOLD,
) -> DedupeResult:
    """Mark the duplicates among ``articles`` and against the ``prior`` runs' signatures."""
    marks, signatures = mark(articles, prior, threshold=threshold)
    by_id = {m.article_id: m for m in marks}
    return DedupeResult([by_id[a.article_id].applied_to(a) for a in articles], signatures)


def mark(
    articles: Iterable[Article],
    prior: Iterable[Signature] = (),
    *,
    threshold: float = NEAR_THRESHOLD,
) -> tuple[list[DupMark], list[Signature]]:
    """Dedupe's verdict on each article, plus the signatures of the canonical ones.

    ``articles`` is read once, as a stream, and only a compact sketch of each is kept
    (~1 KB: id, date, URL, site, text hash, MinHash), so a day of any size fits in memory;
    apply the marks to the articles (``DupMark.applied_to``) when they are read again.
    ``prior`` is read once too: pass the ``signatures`` rows of the date partitions of
    ``window_dates(day)``. Their articles always stay canonical, since earlier partitions
    are never rewritten. ``threshold`` is the estimated Jaccard similarity of word shingles
    from which two texts are near duplicates. Marks come in rank order (``_rank``).
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    run = _Run.of(sorted(_sketches(articles), key=_rank))
    priors, prior_links = _match_prior(prior, run, threshold)
    links = np.concatenate([prior_links, _run_links(run, threshold) + len(priors)])
    canonical = _canonical_nodes(len(priors) + len(run.items), links)
    marks = _marks(run, priors, canonical)
    return marks, _signatures(run, marks)


def window_dates(day: dt.date, days: int = WINDOW_DAYS) -> list[dt.date]:
    """The ``days`` dates before ``day``, oldest first: the partitions a run is checked against."""
    return [day - dt.timedelta(days=n) for n in range(days, 0, -1)]


def normalise_text(text: str) -> str:
    """Text as compared for exact duplicates: NFKC, straight quotes, no invisible format
    characters, single spaces, case-folded."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(text.split())


def _site(article: Article) -> str | None:
    """The site that carried an article: its URL's host without "www.", else its site name.

    A host, not the registered domain (that needs a public-suffix list): news.example.com
    and example.com count as two sites.
    """
    url = article.canonical_url or article.url
    host = urlsplit(url).hostname if url else None
    if host:
        return host.removeprefix("www.")
    return article.site_name.casefold() if article.site_name else None


def _rank(record: _Sketch | _Original) -> tuple:
    """Canonical order: earliest published first (unknown last), then article_id."""
    published = record.published
    if published is None:
        return (1, 0.0, record.article_id)
    if published.tzinfo is None:  # the lake stores naive datetimes as UTC
        published = published.replace(tzinfo=dt.UTC)
    return (0, published.timestamp(), record.article_id)


# ---------------------------------------------------------------------------------------
# Today's articles and their sketches


@dataclass(frozen=True)
class _Sketch:
    """What dedupe keeps of an article: no text, only its hash and MinHash."""

    article_id: str
    published: dt.datetime | None
    url: str | None  # canonical URL, else URL
    site: str | None
    text_hash: str
    minhash: np.ndarray | None  # None for a text without words (never near anything)


def _sketches(articles: Iterable[Article]) -> Iterator[_Sketch]:
    """One sketch per article; a text seen before reuses its MinHash."""
    # CRC-32 is a fast, fixed 32-bit hash; datasketch's affine32 scheme re-mixes it with
    # MurmurHash3's finaliser before permuting, so its weak mixing does not matter.
    sketcher = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32, scheme="affine32")
    minhash_of: dict[str, np.ndarray | None] = {}
    for article in articles:
        normalised = normalise_text(article.text)
        digest = hashlib.blake2b(normalised.encode("utf-8"), digest_size=16).hexdigest()
        if digest not in minhash_of:
            sketch = _minhash(normalised, sketcher)
            minhash_of[digest] = None if sketch is None else sketch.astype(np.uint32)
        yield _Sketch(article.article_id, article.published,
                      article.canonical_url or article.url, _site(article), digest,
                      minhash_of[digest])


@dataclass
class _Run:
    """Today's articles in canonical order, with one MinHash row per distinct text.

    Article i has sketch row ``row[i]``; ``first[r]`` is the first article with row r's
    text. ``has_words[r]`` is False for a text without words (never near anything).
    ``keys[b]`` holds band b's LSH key of every row and ``buckets[b]`` the rows sorted by
    that key, rows with one key (a bucket) in rank order.
    """

    items: list[_Sketch]
    row: np.ndarray
    first: list[int]
    has_words: np.ndarray
    minhash: np.ndarray  # (rows, NUM_PERM) uint32
    keys: np.ndarray  # (BANDS, rows) uint64
    buckets: np.ndarray  # (BANDS, rows) int32

    @property
    def urls(self) -> list[str | None]:
        return [item.url for item in self.items]

    @property
    def hashes(self) -> list[str]:
        return [item.text_hash for item in self.items]

    @classmethod
    def of(cls, ranked: list[_Sketch]) -> _Run:
        repeated = sorted(i for i, n in Counter(s.article_id for s in ranked).items() if n > 1)
        if repeated:
            raise ValueError(f"article ids must be unique within a run, repeated: {repeated[:5]}")
        first: list[int] = []
        row = np.empty(len(ranked), dtype=np.int64)
        row_of: dict[str, int] = {}
        for i, item in enumerate(ranked):
            row[i] = row_of.setdefault(item.text_hash, len(first))
            if row[i] == len(first):
                first.append(i)
        has_words = np.array([ranked[i].minhash is not None for i in first], dtype=bool)
        minhash = np.array([_NO_WORDS if ranked[i].minhash is None else ranked[i].minhash
                            for i in first], dtype=np.uint32).reshape(-1, NUM_PERM)
        keys = np.stack([_band_keys(minhash, band) for band in range(BANDS)]).reshape(BANDS, -1)
        buckets = np.stack([np.argsort(k, kind="stable").astype(np.int32) for k in keys])
        return cls(ranked, row, first, has_words, minhash, keys, buckets.reshape(BANDS, -1))

    def original(self, i: int) -> _Original:
        item = self.items[i]
        return _Original(item.article_id, item.text_hash, item.url, item.published,
                         self.minhash[self.row[i]])


def _minhash(normalised: str, sketcher: MinHash) -> np.ndarray | None:
    """MinHash of a text's word shingles, or None if it has no words.

    ``sketcher`` is reused from text to text: making a MinHash costs as much as filling it.
    """
    tokens = _TOKEN.findall(normalised)
    if not tokens:
        return None
    width = min(SHINGLE_WORDS, len(tokens))
    windows = zip(*(tokens[k:] for k in range(width)), strict=False)  # each run of `width` tokens
    shingles = {" ".join(window).encode("utf-8") for window in windows}
    sketcher.clear()
    sketcher.update_batch(shingles)
    return sketcher.hashvalues


_NO_WORDS = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)


def _band_keys(minhash: np.ndarray, band: int) -> np.ndarray:
    """The 64-bit LSH key of one band for each row of ``minhash`` (rows, NUM_PERM).

    Hand-written because datasketch's MinHashLSH keeps a Python set per bucket (gigabytes
    at a million articles) and has no key that could be stored: this chains MurmurHash3's
    64-bit finaliser over the band's values from a band-specific start, so equal values in
    different bands give different keys.
    """
    key = np.full(len(minhash), band + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for value in minhash[:, band * ROWS : (band + 1) * ROWS].T:
        key = _fmix64(key ^ value.astype(np.uint64))
    return key


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = (h ^ (h >> np.uint64(33))) * np.uint64(0xFF51AFD7ED558CCD)
    h = (h ^ (h >> np.uint64(33))) * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of MinHash rows: the share of equal values."""
    return np.count_nonzero(a == b, axis=-1) / NUM_PERM


# ---------------------------------------------------------------------------------------
# Links between duplicates: (node, node) pairs, nodes being today's articles in rank order


def _run_links(run: _Run, threshold: float) -> np.ndarray:
    """Pairs of today's articles that are duplicates: same URL, same text or near."""
    links = []
    first_with_url: dict[str, int] = {}
    for i, url in enumerate(run.urls):
        if url and first_with_url.setdefault(url, i) != i:
            links.append((first_with_url[url], i))
        if run.first[run.row[i]] != i:
            links.append((run.first[run.row[i]], i))
    near = np.asarray(run.first, dtype=np.int64)[_near_pairs(run, threshold)]
    return np.concatenate([np.asarray(links, dtype=np.int64).reshape(-1, 2), near])


def _near_pairs(run: _Run, threshold: float) -> np.ndarray:
    """Pairs of sketch rows that share an LSH bucket and are similar enough, as (n, 2)."""
    found = [np.empty((0, 2), dtype=np.int64)]
    for keys, members in zip(run.keys, run.buckets, strict=False):
        members = members[run.has_words[members]]
        keys = keys[members]
        at = np.flatnonzero(keys[:-1] == keys[1:])  # starts of pairs at distance 1
        for distance in range(1, _MAX_NEIGHBOURS + 1):
            if not at.size:
                break
            found.append(np.stack([members[at], members[at + distance]], axis=1))
            at = at[at + distance + 1 < len(keys)]
            at = at[keys[at] == keys[at + distance + 1]]
    candidates, rows = np.concatenate(found).astype(np.int64), len(run.first)
    codes = np.unique(candidates[:, 0] * rows + candidates[:, 1])  # each pair once, in order
    pairs = np.stack([codes // rows, codes % rows], axis=1)
    similar = _similarity(run.minhash[pairs[:, 0]], run.minhash[pairs[:, 1]]) >= threshold
    return pairs[similar]


@dataclass(frozen=True)
class _Original:
    """What a copy is compared with: an earlier run's signature, or one of today's articles."""

    article_id: str
    text_hash: str
    url: str | None
    published: dt.datetime | None
    minhash: np.ndarray | None  # None when the row has no usable MinHash


def _match_prior(
    prior: Iterable[Signature], run: _Run, threshold: float
) -> tuple[list[_Original], np.ndarray]:
    """The earlier articles that today's articles duplicate, in rank order, and the links
    (prior index, today's article index) to them. Only matching signatures are kept."""
    first_with_url: dict[str, int] = {}
    first_with_hash: dict[str, int] = {}
    for i, (url, digest) in enumerate(zip(run.urls, run.hashes, strict=False)):
        if url:
            first_with_url.setdefault(url, i)
        first_with_hash.setdefault(digest, i)
    found: dict[str, _Original] = {}
    links: list[tuple[str, int]] = []
    for batch in chunked(prior, _PRIOR_BATCH):
        near = _near_prior(batch, run, threshold)
        for position, sig in enumerate(batch):
            targets = near.get(position, [])
            if sig.canonical_url in first_with_url:
                targets.append(first_with_url[sig.canonical_url])
            if sig.text_hash in first_with_hash:
                targets.append(first_with_hash[sig.text_hash])
            if targets:
                found.setdefault(sig.article_id, _Original(
                    sig.article_id, sig.text_hash, sig.canonical_url, sig.published,
                    _stored_minhash(sig)))
                links.extend((sig.article_id, t) for t in targets)
    priors = sorted(found.values(), key=_rank)
    node = {p.article_id: k for k, p in enumerate(priors)}
    pairs = np.asarray([(node[a], len(priors) + t) for a, t in links], dtype=np.int64)
    return priors, pairs.reshape(-1, 2)


def _near_prior(batch: list[Signature], run: _Run, threshold: float) -> dict[int, list[int]]:
    """Batch position → today's articles whose text is near that earlier signature's."""
    stored = {p: minhash for p, s in enumerate(batch)
              if len(s.band_keys) == BANDS and (minhash := _stored_minhash(s)) is not None}
    usable = list(stored)
    if not usable or not run.has_words.any():
        return {}
    hex_keys = "".join(k for p in usable for k in batch[p].band_keys)
    keys = np.frombuffer(bytes.fromhex(hex_keys), dtype=">u8").reshape(-1, BANDS)
    candidates: set[tuple[int, int]] = set()
    for band, (today, bucket) in enumerate(zip(run.keys, run.buckets, strict=False)):
        lo = np.searchsorted(today, keys[:, band], side="left", sorter=bucket)
        hi = np.searchsorted(today, keys[:, band], side="right", sorter=bucket)
        for k in np.flatnonzero(hi > lo):
            rows = bucket[lo[k] : min(hi[k], lo[k] + _MAX_NEIGHBOURS)]
            candidates.update((usable[k], int(r)) for r in rows if run.has_words[r])
    near: dict[int, list[int]] = {}
    for position, row in sorted(candidates):
        if _similarity(stored[position], run.minhash[row]) >= threshold:
            near.setdefault(position, []).append(run.first[row])
    return near


def _stored_minhash(sig: Signature) -> np.ndarray | None:
    if len(sig.minhash) != 4 * NUM_PERM:
        return None
    return np.frombuffer(sig.minhash, dtype="<u4")


# ---------------------------------------------------------------------------------------
# Clusters and the marked articles


def _canonical_nodes(n_nodes: int, links: np.ndarray) -> np.ndarray:
    """For each node, the first node (in rank order) of its connected component."""
    graph = coo_array((np.ones(len(links), dtype=bool), (links[:, 0], links[:, 1])),
                      shape=(n_nodes, n_nodes))
    n_components, labels = connected_components(graph, directed=False)
    first = np.full(n_components, n_nodes, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n_nodes))
    return first[labels]


def _marks(run: _Run, priors: list[_Original], canonical: np.ndarray) -> list[DupMark]:
    """Today's articles' marks: dup_* (duplicates) or n_copies/n_sites (canonical)."""
    offset = len(priors)
    nodes = canonical[offset:].tolist()  # the canonical node of each of today's articles
    copies: dict[int, list[int]] = {}
    for i, node in enumerate(nodes):
        copies.setdefault(node, []).append(i)
    marks = []
    for i, (item, node) in enumerate(zip(run.items, nodes, strict=False)):
        if node == offset + i:
            n_copies = len(copies[node])
            sites = {run.items[k].site for k in copies[node]} - {None} if n_copies > 1 else ()
            marks.append(DupMark(item.article_id, item.text_hash, n_copies=n_copies,
                                 n_sites=max(1, len(sites))))
        else:
            original = priors[node] if node < offset else run.original(node - offset)
            marks.append(_copy_of(original, run, i))
    return marks


def _copy_of(original: _Original, run: _Run, i: int) -> DupMark:
    """The mark of today's article i, a copy of ``original``."""
    item = run.items[i]
    same_text = original.text_hash == item.text_hash
    if original.url and original.url == item.url:
        kind = "exact_url"
    else:
        kind = "exact_text" if same_text else "near"
    if same_text or original.minhash is None:
        similarity = 1.0 if same_text else None
    else:
        similarity = float(_similarity(run.minhash[run.row[i]], original.minhash))
    return DupMark(item.article_id, item.text_hash, dup_of=original.article_id, dup_kind=kind,
                   dup_similarity=similarity)


def _signatures(run: _Run, marks: list[DupMark]) -> list[Signature]:
    """Signature rows of today's canonical articles (in rank order)."""
    signatures = []
    for i, (item, mark_) in enumerate(zip(run.items, marks, strict=False)):
        if mark_.dup_of is not None:
            continue
        row = run.row[i]
        keys = run.keys[:, row].astype(">u8").tobytes().hex() if run.has_words[row] else ""
        signatures.append(Signature(
            article_id=item.article_id, text_hash=item.text_hash, canonical_url=item.url,
            published=item.published,
            band_keys=[keys[k : k + 16] for k in range(0, len(keys), 16)],
            minhash=run.minhash[row].astype("<u4").tobytes() if run.has_words[row] else b""))
    return signatures
