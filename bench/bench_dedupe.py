"""Benchmark of newsevents.dedupe: quality on real articles, cost at 10k-1M articles.

Quality: a labelled set built from the expected texts (title + paragraphs) of the fundus
corpus in ../shared/corpus/fundus plus the seed. A random sample (fixed seed) of articles
is syndicated: each copy gets a new headline, the boilerplate of the site that reprints
it, its last paragraphs cut, a paragraph dropped, light word edits and quote/whitespace
changes (a random mix, removing at most 30% of the paragraphs). Negatives are every other
pair: distinct articles, the same publisher's other articles, follow-ups that repeat an
article's lead paragraphs, and copies of different stories on the same site (sharing its
boilerplate). Scores are over pairs: two articles are predicted duplicates when dedupe
gives them the same canonical article.

Cost: synthetic short articles (60 words, a fifth of them near copies), each size in a
fresh process so peak memory is its own: throughput and the peak resident memory added by
dedupe() at 10k, 100k and 1M articles, and the cost of streaming 0, 100k and 1M earlier
signatures past a 10k-article run.

Run `make bench-dedupe`; prints the report and writes bench/results/dedupe.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from newsevents import dedupe as dd
from newsevents.schema import Article, Signature, stable_id

ROOT = Path(__file__).resolve().parents[1]
FUNDUS = ROOT.parent / "shared" / "corpus" / "fundus"
SEED_FILE = ROOT / "seeds" / "000_32ee20c48493cecc.txt"
RESULTS = ROOT / "bench" / "results" / "dedupe.md"

RANDOM_SEED = 20160112
N_SYNDICATED = 160  # originals that get copies
N_FOLLOW_UPS = 50  # originals that get a follow-up (a negative sharing their lead)
SWEEP = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)
SCALES = (10_000, 100_000, 1_000_000)
PRIOR_SIZES = (0, 100_000, 1_000_000)
PRIOR_TODAY = 10_000

SITES = {  # a site that reprints wire copy: (header lines, footer lines)
    "dailyherald.example": (["Advertisement"],
                            ["© 2025 Daily Herald. All rights reserved.",
                             "Subscribe to our newsletter for the day's top stories."]),
    "newsnow.example": (["Share on Facebook Share on X Share by email"],
                        ["Sign up for breaking news alerts on your phone."]),
    "citytimes.example": (["Listen to this article · 4 min"],
                          ["This material may not be published, broadcast, rewritten or "
                           "redistributed without permission."]),
    "worldwire.example": ([], ["Reporting by our correspondents; editing by the news desk.",
                               "Our Standards: The Trust Principles."]),
    "morningpost.example": (["Updated"], ["Have a news tip? Contact our newsroom.",
                                          "Comments are closed for this article."]),
    "regional.example": ([], []),
}


# ---------------------------------------------------------------------------------------
# The labelled set


@dataclasses.dataclass
class Story:
    """A real article as paragraphs, with where and when it appeared."""

    key: str
    publisher: str
    title: str
    paragraphs: list[str]
    url: str
    published: dt.datetime | None


def load_stories() -> list[Story]:
    stories = []
    for path in sorted(FUNDUS.glob("*/*.json")):
        meta = json.loads((path.parent / "meta.info").read_text())
        urls = sorted(v["url"] for k, v in meta.items() if k.startswith(path.stem + "_"))
        for n, (version, page) in enumerate(sorted(json.loads(path.read_text()).items())):
            body = page["body"]
            paragraphs = [*body.get("summary", []),
                          *(p for s in body["sections"] for p in s["paragraphs"])]
            url = urls[n] if n < len(urls) else f"https://{path.stem.lower()}.example/{version}"
            published = page.get("publishing_date")
            stories.append(Story(f"{path.stem}/{version}", path.stem, page.get("title") or "",
                                 [p for p in paragraphs if p.strip()], url,
                                 dt.datetime.fromisoformat(published) if published else None))
    seed_lines = list(dict.fromkeys(SEED_FILE.read_text().splitlines()))  # body once
    stories.append(Story("seed", "seed", seed_lines[0][:80], seed_lines,
                         "https://seed.example/salma", dt.datetime(2016, 1, 12, 9, tzinfo=dt.UTC)))
    return stories


def article(story: Story, key: str, title: str, paragraphs: list[str], url: str,
            published: dt.datetime | None, sep: str = "\n") -> Article:
    return Article(article_id=stable_id(key), source=key, text=sep.join(paragraphs), url=url,
                   canonical_url=url, title=title, published=published, language=None)


def new_headline(story: Story, rng: random.Random) -> str:
    words = story.title.split()
    rng.shuffle(words)
    return rng.choice(["UPDATE: ", "", "Breaking: ", "WATCH: "]) + " ".join(words[:8])


def edit_words(paragraph: str, rng: random.Random, rate: float) -> str:
    """Light copy-editing: a word replaced, dropped or two words swapped, per ~1/rate words."""
    words = paragraph.split(" ")
    for _ in range(int(len(words) * rate) + (rng.random() < len(words) * rate % 1)):
        i = rng.randrange(len(words))
        op = rng.choice(("replace", "drop", "swap"))
        if op == "replace":
            words[i] = rng.choice(("said", "told", "reported", "also", "the", "new", "2025"))
        elif op == "drop" and len(words) > 1:
            del words[i]
        elif i + 1 < len(words):
            words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def requote(paragraph: str, rng: random.Random) -> str:
    paragraph = paragraph.translate(str.maketrans("“”‘’", "\"\"''"))
    return re.sub(r" ", lambda m: "  " if rng.random() < 0.05 else " ", paragraph)


def syndicate(story: Story, n: int, rng: random.Random, stories: list[Story]) -> Article:
    """A realistic reprint of ``story`` on another site (see the module docstring)."""
    site = rng.choice(sorted(SITES))
    header, footer = SITES[site]
    paragraphs = list(story.paragraphs)
    budget = int(0.3 * len(paragraphs))  # paragraphs a copy may lose
    if rng.random() < 0.6 and budget:
        cut = rng.randint(1, budget)
        paragraphs, budget = paragraphs[:-cut], budget - cut
    if rng.random() < 0.4 and budget and len(paragraphs) > 2:
        del paragraphs[rng.randrange(1, len(paragraphs) - 1)]
    if rng.random() < 0.7:
        rate = rng.choice((0.005, 0.01, 0.02))
        paragraphs = [edit_words(p, rng, rate) for p in paragraphs]
    if rng.random() < 0.5:
        paragraphs = [requote(p, rng) for p in paragraphs]
    headline = new_headline(story, rng)
    before = ([headline] if rng.random() < 0.5 else []) + header
    related = []
    if rng.random() < 0.6:
        related = ["Related stories"] + [s.title for s in rng.sample(stories, 3)]
    paragraphs = before + paragraphs + related + footer
    published = (story.published + dt.timedelta(hours=rng.randint(1, 48))
                 if story.published else None)
    url = f"https://{site}/{story.key.lower().replace('/', '-')}-{n}"
    return article(story, f"{story.key}#copy{n}", headline, paragraphs, url, published,
                   sep=rng.choice(("\n", "\n\n")))


def follow_up(story: Story, donor: Story, n: int) -> Article:
    """A later, different article of the same publisher that repeats ``story``'s lead.

    Its new part is the body of ``donor``, a story used nowhere else in the set.
    """
    lead = story.paragraphs[: max(1, len(story.paragraphs) // 5)]
    url = f"{story.url.rstrip('/')}-follow-up-{n}"
    published = story.published + dt.timedelta(days=1) if story.published else None
    return article(story, f"{story.key}#followup{n}", "Follow-up: " + story.title,
                   lead + donor.paragraphs, url, published)


@dataclasses.dataclass
class Labelled:
    articles: list[Article]
    group: dict[str, str]  # article_id → id of the story it is a copy of (or itself)
    kind: dict[str, str]  # article_id → original, near, exact_text, exact_url, follow_up


def labelled_set() -> Labelled:
    rng = random.Random(RANDOM_SEED)
    stories = load_stories()
    articles, group, kind = [], {}, {}

    def add(a: Article, story: str, how: str) -> None:
        articles.append(a)
        group[a.article_id] = story
        kind[a.article_id] = how

    copyable = [s for s in stories if len(s.paragraphs) >= 3 and s.key != "seed"
                and sum(len(p.split()) for p in s.paragraphs) >= 80]
    rng.shuffle(copyable)
    sample = [s for s in stories if s.key == "seed"] + copyable[: N_SYNDICATED - 1]
    titles = Counter((s.publisher, dd.normalise_text(s.title)) for s in stories)
    donors = [s for s in copyable[N_SYNDICATED - 1 :]
              if titles[s.publisher, dd.normalise_text(s.title)] == 1][:N_FOLLOW_UPS]
    originals: dict[str, Article] = {}
    first_of_title: dict[tuple[str, str], Article] = {}
    for s in stories:
        if s in donors:
            continue
        originals[s.key] = article(s, s.key, s.title, s.paragraphs, s.url, s.published)
        # fundus parsed some pages with two parser versions: one story, two originals
        same = first_of_title.setdefault((s.publisher, dd.normalise_text(s.title)),
                                         originals[s.key])
        add(originals[s.key], same.article_id, "original")
    for s in sample:
        for n in range(rng.randint(1, 4)):
            add(syndicate(s, n, rng, stories), group[originals[s.key].article_id], "near")
    for s in rng.sample(sample, 20):  # the same text elsewhere, and a re-crawl of the URL
        later = s.published + dt.timedelta(hours=6) if s.published else None
        exact = dataclasses.replace(originals[s.key], article_id=stable_id(s.key, "mirror"),
                                    url=f"https://mirror.example/{s.key}",
                                    canonical_url=f"https://mirror.example/{s.key}",
                                    published=later)
        add(exact, group[originals[s.key].article_id], "exact_text")
        recrawl = dataclasses.replace(originals[s.key], article_id=stable_id(s.key, "recrawl"),
                                      text=originals[s.key].text + "\nComments (3)",
                                      published=later)
        add(recrawl, group[originals[s.key].article_id], "exact_url")
    for n, (s, donor) in enumerate(zip(rng.sample(sample, N_FOLLOW_UPS), donors, strict=False)):
        f = follow_up(s, donor, n)
        add(f, f.article_id, "follow_up")
    return Labelled(articles, group, kind)


def pair_scores(result: list[Article], group: dict[str, str]) -> dict[str, float]:
    """Pair precision/recall/F1: a predicted pair is two articles with one canonical article."""
    predicted = {a.article_id: a.dup_of or a.article_id for a in result}

    def pairs(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    n_pred = pairs(Counter(predicted.values()))
    n_true = pairs(Counter(group.values()))
    n_both = pairs(Counter((predicted[i], group[i]) for i in predicted))
    p = n_both / n_pred if n_pred else 1.0
    r = n_both / n_true if n_true else 1.0
    return {"pred_pairs": n_pred, "true_pairs": n_true, "tp": n_both, "precision": p,
            "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def copy_recall(result: list[Article], labelled: Labelled, how: str) -> float:
    """Share of the copies of kind ``how`` put with their original."""
    predicted = {a.article_id: a.dup_of or a.article_id for a in result}
    copies = [i for i, k in labelled.kind.items() if k == how]
    return sum(predicted[i] == predicted[labelled.group[i]] for i in copies) / len(copies)


def similarity_gap(labelled: Labelled) -> dict[str, float]:
    """How far apart copies and distinct stories are, in dedupe's own similarity estimate.

    With threshold 1.0 (nothing near merges) every distinct text gets a signature; the
    MinHash stored in it gives the estimate for every pair.
    """
    signatures = [s for s in dd.dedupe(labelled.articles, threshold=1.0).signatures if s.minhash]
    ids = [s.article_id for s in signatures]
    sketches = np.stack([np.frombuffer(s.minhash, dtype="<u4") for s in signatures])
    similarity = (sketches[:, None, :] == sketches[None, :, :]).mean(axis=2)
    groups = np.array([labelled.group[i] for i in ids])
    different = (groups[:, None] != groups[None, :])
    position = {i: k for k, i in enumerate(ids)}
    copies = [similarity[position[i], position[labelled.group[i]]]  # those not the same text
              for i, k in labelled.kind.items() if k == "near" and i in position]
    return {"copy_min": float(np.min(copies)), "copy_p1": float(np.percentile(copies, 1)),
            "copy_median": float(np.median(copies)),
            "distinct_max": float(similarity[different].max())}


def quality(labelled: Labelled) -> dict:
    arts, group, kind = labelled.articles, labelled.group, labelled.kind
    start = time.perf_counter()
    result = dd.dedupe(arts).articles
    elapsed = time.perf_counter() - start
    report = {"n_articles": len(arts), "kinds": dict(Counter(kind.values())),
              "seconds": elapsed, "overall": pair_scores(result, group),
              "copy_recall": {how: copy_recall(result, labelled, how)
                              for how in ("near", "exact_text", "exact_url")}}
    found = Counter((kind[a.article_id], a.dup_kind) for a in result if a.dup_of)
    report["dup_kinds"] = {f"{label}->{dup_kind}": n
                           for (label, dup_kind), n in sorted(found.items())}
    report["gap"] = similarity_gap(labelled)
    report["sweep"] = {t: pair_scores(dd.dedupe(arts, threshold=t).articles, group)
                       for t in SWEEP}
    # the same answer in another input order
    shuffled = list(arts)
    random.Random(1).shuffle(shuffled)
    again = {a.article_id: a for a in dd.dedupe(shuffled).articles}
    report["same_when_shuffled"] = all(again[a.article_id] == a for a in result)
    # across runs: originals on day 1, copies on day 2 checked against day 1's signatures
    day1 = [a for a in arts if kind[a.article_id] in ("original", "follow_up")]
    day2 = [a for a in arts if kind[a.article_id] not in ("original", "follow_up")]
    first = dd.dedupe(day1)
    second = dd.dedupe(day2, prior=iter(first.signatures)).articles
    rerun = dd.dedupe(day2, prior=iter(first.signatures)).articles
    report["cross_run"] = pair_scores(first.articles + second, group)
    report["cross_run_rerun_same"] = second == rerun
    return report


# ---------------------------------------------------------------------------------------
# Cost on synthetic articles (each measurement in its own process)

WORDS_PER_ARTICLE = 60


def synthetic_articles(n: int, rng: np.random.Generator) -> list[Article]:
    """Short articles from a Zipf-like vocabulary: 70% new, 20% near copies (a few words
    dropped, a site footer added), 5% same text elsewhere, 5% re-crawls of a URL."""
    syllables = np.array(["ka", "lo", "mi", "ne", "ra", "tu", "si", "po", "de", "van",
                          "ber", "sto", "ali", "en", "qu", "ix"])
    vocabulary = ["".join(syllables[rng.integers(0, 16, rng.integers(2, 5))]) + str(k % 7)
                  for k in range(30_000)]
    weights = 1 / np.arange(1, len(vocabulary) + 1)
    cdf = np.cumsum(weights / weights.sum())
    day = dt.datetime(2026, 1, 12, tzinfo=dt.UTC)
    articles: list[Article] = []
    choice = rng.random(n)
    for start in range(0, n, 50_000):
        size = min(50_000, n - start)
        words = np.searchsorted(cdf, rng.random((size, WORDS_PER_ARTICLE)))
        seconds = rng.integers(0, 86_400, size)
        for k in range(size):
            i = start + k
            published = day + dt.timedelta(seconds=int(seconds[k]))
            url = f"https://site{i % 1000}.example/a/{i}"
            if i < 10 or choice[i] < 0.7:
                text = " ".join(vocabulary[w] for w in words[k])
            else:
                source = articles[int(rng.integers(0, i))]
                text = source.text
                if choice[i] < 0.9:
                    kept = text.split(" ")
                    cut = int(rng.integers(0, len(kept)))
                    del kept[cut : cut + 3]
                    text = " ".join(kept) + f" read more at site{i % 97}.example today"
                elif choice[i] >= 0.95:
                    url = source.url
                    text += " updated"
            articles.append(Article(article_id=f"a{i:08d}", source=url, text=text, url=url,
                                    canonical_url=url, published=published))
    return articles


def _rss_kib(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+)", status).group(1))


def _reset_peak() -> None:
    """Start a new peak-memory (VmHWM) measurement: Linux's clear_refs value 5."""
    Path("/proc/self/clear_refs").write_text("5")


def measure_scale(n: int) -> dict:
    """dedupe() over n synthetic articles: the fastest of a few runs below 1M (timer noise
    on a shared machine hurts short runs most), one run at 1M."""
    articles = synthetic_articles(n, np.random.default_rng(RANDOM_SEED))
    runs = []
    for _ in range(3 if n < 1_000_000 else 1):
        gc.collect()
        before = _rss_kib("VmRSS")
        _reset_peak()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = dd.dedupe(articles)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        runs.append((cpu, elapsed, (_rss_kib("VmHWM") - before) / 1024, before / 1024))
        dups = Counter(a.dup_kind for a in result.articles if a.dup_of)
        del result
    cpu, elapsed, added, before = min(runs)
    return {"n": n, "runs": len(runs), "seconds": elapsed, "cpu_seconds": cpu,
            "per_cpu_s": n / cpu, "rss_before_mib": before,
            "added_peak_mib": max(r[2] for r in runs), "duplicates": dict(dups)}


def measure_prior(n_prior: int) -> dict:
    """A 10k-article run against yesterday's real signatures plus ``n_prior`` filler rows.

    The filler cycles over 1,000 random signatures (matching nothing), so making the
    stream costs next to nothing and holds nothing: what grows is dedupe's own work.
    """
    rng = np.random.default_rng(RANDOM_SEED)
    both = synthetic_articles(2 * PRIOR_TODAY, rng)
    yesterday, today = both[:PRIOR_TODAY], both[PRIOR_TODAY:]
    signatures = dd.dedupe(yesterday).signatures
    filler = [Signature(article_id=f"f{k}", text_hash=f"{k:032x}",
                        canonical_url=f"https://old.example/{k}", published=None,
                        band_keys=[f"{v:016x}" for v in rng.integers(0, 2**63, dd.BANDS)],
                        minhash=rng.integers(0, 2**32, dd.NUM_PERM, dtype=np.uint32).tobytes())
              for k in range(1000)]

    def stream():
        yield from signatures
        for k in range(n_prior):
            yield filler[k % len(filler)]

    gc.collect()
    before = _rss_kib("VmRSS")
    _reset_peak()
    start, start_cpu = time.perf_counter(), time.process_time()
    result = dd.dedupe(today, prior=stream())
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    peak = _rss_kib("VmHWM")
    return {"prior": n_prior + len(signatures), "seconds": elapsed, "cpu_seconds": cpu,
            "added_peak_mib": (peak - before) / 1024,
            "dups_of_yesterday": sum(1 for a in result.articles
                                     if a.dup_of and a.dup_of < f"a{PRIOR_TODAY:08d}")}


def in_child(kind: str, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, kind, str(n)], check=True,
                         stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout)


# ---------------------------------------------------------------------------------------
# Report


def render(q: dict, scales: list[dict], priors: list[dict]) -> str:
    def row(name: str, s: dict) -> str:
        return (f"| {name} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} "
                f"| {s['tp']} / {s['pred_pairs']} / {s['true_pairs']} |")

    lines = [
        "# dedupe benchmark",
        "",
        f"Written by `make bench-dedupe` ({Path(__file__).name}). Settings: {dd.NUM_PERM} "
        f"permutations (seed {dd.SEED}), {dd.SHINGLE_WORDS}-word shingles, LSH {dd.BANDS} "
        f"bands x {dd.ROWS} rows, near threshold {dd.NEAR_THRESHOLD} (estimated Jaccard).",
        "",
        "## Quality on real articles",
        "",
        f"{q['n_articles']} articles: {q['kinds']} — fundus expected texts plus the seed, "
        f"copies of {N_SYNDICATED} of them (random seed {RANDOM_SEED}). Dedupe took "
        f"{q['seconds']:.2f} s.",
        "",
        "| pairs | precision | recall | F1 | TP / predicted / true |",
        "| --- | --- | --- | --- | --- |",
        row("all", q["overall"]),
        "",
        "Share of copies put with their original: "
        + ", ".join(f"{k} {v:.4f}" for k, v in q["copy_recall"].items())
        + f". Duplicates found, as label->dup_kind: {q['dup_kinds']}.",
        "",
        f"Estimated similarity of each reprint to its original: lowest {q['gap']['copy_min']:.3f}, "
        f"1st percentile {q['gap']['copy_p1']:.3f}, median {q['gap']['copy_median']:.3f}; "
        f"highest between two different stories (follow-ups sharing a lead included): "
        f"{q['gap']['distinct_max']:.3f}.",
        "",
        "Threshold sweep (same LSH bands; only the verification threshold changes):",
        "",
        "| threshold | precision | recall | F1 | TP / predicted / true |",
        "| --- | --- | --- | --- | --- |",
        *(row(str(t), s) for t, s in q["sweep"].items()),
        "",
        f"- Same result for shuffled input: {q['same_when_shuffled']}.",
        f"- Across runs (originals and follow-ups on day 1, copies on day 2 against day 1's "
        f"signatures): precision {q['cross_run']['precision']:.4f}, recall "
        f"{q['cross_run']['recall']:.4f}; re-running day 2 gives the same result: "
        f"{q['cross_run_rerun_same']}.",
        "",
        "## Cost",
        "",
        f"Synthetic {WORDS_PER_ARTICLE}-word articles (70% new, 20% near copies, 5% same "
        "text, 5% re-crawled URL), one process per size; below 1M the fastest of 3 runs. The "
        "machine is shared, so throughput is per CPU-second of the process (wall time beside "
        "it). *Added peak* is "
        "the peak resident memory during dedupe() minus the resident memory before it (the "
        "input articles).",
        "",
        "| articles | wall s | CPU s | articles per CPU-s | vs 10k | input MiB | "
        "added peak MiB | added peak per article | duplicates found |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *(f"| {s['n']:,} | {s['seconds']:.1f} | {s['cpu_seconds']:.1f} | "
          f"{s['per_cpu_s']:,.0f} | {s['per_cpu_s'] / scales[0]['per_cpu_s']:.2f} | "
          f"{s['rss_before_mib']:,.0f} | {s['added_peak_mib']:,.0f} | "
          f"{1024 * 1024 * s['added_peak_mib'] / s['n']:,.0f} B | {s['duplicates']} |"
          for s in scales),
        "",
        f"Cross-run check: a run of {PRIOR_TODAY:,} articles against a stream of earlier "
        f"signatures: yesterday's (from {PRIOR_TODAY:,} articles, copies of which are among "
        "today's) followed by filler rows. Memory must not grow with the stream.",
        "",
        "| prior signatures | wall s | CPU s | added peak MiB | duplicates of yesterday found |",
        "| --- | --- | --- | --- | --- |",
        *(f"| {p['prior']:,} | {p['seconds']:.1f} | {p['cpu_seconds']:.1f} | "
          f"{p['added_peak_mib']:,.0f} | {p['dups_of_yesterday']:,} |" for p in priors),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 3:  # a child measurement
        measure = {"scale": measure_scale, "prior": measure_prior}[sys.argv[1]]
        print(json.dumps(measure(int(sys.argv[2]))))
        return
    q = quality(labelled_set())
    scales = [in_child("scale", n) for n in SCALES]
    priors = [in_child("prior", n) for n in PRIOR_SIZES]
    report = render(q, scales, priors)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
