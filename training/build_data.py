"""Build the PLOVER event-type training set from ../shared (see training/README.md).

Sources (each example keeps its `source`, and a finer `group` for grouped folds):
  gsr            PLOVER gold records (`gold/plover_gsr_dev.jsonl`, label `plover_event`)
  plover_manual  the quoted example sentences of the PLOVER manual's event chapter
  cameo          the example sentences of the CAMEO 1.1b3 verb codebook, code -> PLOVER type
                 with the CAMEO->PLOVER 2021 table (codes 01x/02x have no PLOVER type: dropped)
  plv            PLV training split (`gold/plv_train.jsonl`, label `plover_root`); PLV still uses
                 the older YIELD, which PLOVER 0.8 splits into RETREAT and CONCEDE (`_split_yield`)
  fundus_none    sport, culture, business and lifestyle sentences of the fundus corpus with no
                 political event, label "none" (articles in none_articles.tsv, exclusions after
                 reading in none_exclude.tsv)

De-duplication across sources keeps the first copy in the order above (GSR is built from the
CAMEO manual's examples, so most CAMEO sentences are GSR sentences): exact match on normalised
text, then near-duplicates from another source (word-set Jaccard >= 0.6).

Output in training/work/ (not committed: PLV sentences must stay out of the repo): data.jsonl
(the de-duplicated training set), gsr_all.jsonl (all 322 GSR records, for the GSR fold's
per-record predictions) and data_stats.json (counts only).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import re
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parent.parent / "shared"
if not DEFAULT_SHARED.exists():
    DEFAULT_SHARED = Path("/work/shared")

TYPES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)
NONE = "none"
LABELS = (*TYPES, NONE)
SOURCE_ORDER = ("gsr", "plover_manual", "cameo", "plv", "fundus_none")
# GSR rewrote the CAMEO examples' names (Yugoslavia -> Serbia, Soviet -> Russian): copies across
# sources share >= 0.6 of their words. Within a source only exact copies are dropped, so that
# contrastive pairs ("threatened to ban" / "banned") stay.
NEAR_DUP_JACCARD = 0.6
# The first 15 candidate sentences of each chosen article (all read): topic variety.
NONE_PER_ARTICLE = 15

# PLOVER 0.8 splits CAMEO/PLV YIELD: RETREAT = concessions with immediate material consequences
# (release, return, ceasefire observed, withdrawal, lifting of sanctions or a blockade,
# resignation, surrender, allowing access); CONCEDE = verbal ones (accede to demands, pardon,
# apologise, lift a curfew, a ban or emergency rule, promise future easing). The cue list
# follows the RETREAT section of the manual and how the GSR codes the CAMEO 08x examples
# (curfews and emergency rule lifted: CONCEDE).
_RETREAT_CUES = re.compile(
    r"\b(releas\w*|free[ds]?|freeing|let free|return\w*|repatriat\w*|resign\w*|step(?:s|ped)? down|"
    r"quit\w*|withdr[ae]w\w*|pull(?:s|ed)? out|retreat\w*|surrender\w*|disarm\w*|demobili\w*|"
    r"ceas\w*|cease-?fire|truce|hand(?:s|ed)? (?:over|back)|"
    r"(?:lift|eas)\w* (?:\w+ ){0,4}?(?:blockades?|sanctions?|siege|embargo(?:es)?)|"
    r"evacuat\w*|reopen\w*|allow\w* (?:\w+ ){0,3}(?:access|entry|in)|leave|left)\b",
    re.IGNORECASE,
)


def _split_yield(text: str) -> str:
    return "RETREAT" if _RETREAT_CUES.search(text) else "CONCEDE"


def normalise(text: str) -> str:
    """Lower-case word string used for exact de-duplication."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def sentence_hash(text: str) -> str:
    return hashlib.sha1(normalise(text).encode()).hexdigest()[:12]


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", text).strip()


# --- sources -------------------------------------------------------------------------------


def load_gsr(shared: Path) -> list[dict[str, str]]:
    out = []
    for line in (shared / "gold/plover_gsr_dev.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        out.append(
            {
                "id": r["id"],
                "text": _clean(r["text"]),
                "label": r["plover_event"],
                "source": "gsr",
                "group": f"gsr:{r['id']}",
            }
        )
    return out


def load_plv(shared: Path, stats: dict[str, object]) -> list[dict[str, str]]:
    by_text: dict[str, dict[str, object]] = {}
    for line in (shared / "gold/plv_train.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        label = r["plover_root"]
        if label == "YIELD":
            label = _split_yield(r["text"])
        entry = by_text.setdefault(
            normalise(r["text"]), {"row": r, "labels": set(), "label": label}
        )
        entry["labels"].add(label)  # type: ignore[union-attr]
    # A sentence with several (source, target) pairs keeps one example; if its pairs disagree
    # on the type the sentence is dropped (it would teach two answers for one input).
    out, conflicts = [], 0
    for entry in by_text.values():
        r = entry["row"]
        if len(entry["labels"]) > 1:  # type: ignore[arg-type]
            conflicts += 1
            continue
        out.append(
            {
                "id": r["id"],
                "text": _clean(r["text"]),
                "label": entry["label"],  # type: ignore[index]
                "source": "plv",
                "group": f"plv:{r['sentence_id']}",
            }
        )  # type: ignore[index]
    stats["plv_pairs_sentences_conflicting_dropped"] = conflicts
    return out


def load_cameo_table(shared: Path) -> dict[str, str]:
    """CAMEO code -> PLOVER type; a code listed twice with different types is left out."""
    table: dict[str, set[str]] = collections.defaultdict(set)
    for line in (shared / "codebooks/plover/CAMEO2PLOVER-2021.txt").open(encoding="utf-8"):
        m = re.match(r"^(\d{2,4}):\s*([A-Z]+)", line)
        if m:
            table[m.group(1)].add(m.group(2))
    return {code: next(iter(t)) for code, t in table.items() if len(t) == 1}


_CAMEO_FIELD = re.compile(
    r"^\s*(CAMEO|Name|Description|Usage Notes|Example Note|Example)(?:\s{2,}|\s*$)(.*)$"
)
_CAMEO_NOISE = re.compile(r"^\s*(CHAPTER \d+\..*|\d+)\s*$")


def load_cameo(shared: Path, stats: dict[str, object]) -> list[dict[str, str]]:
    lines = (
        (shared / "codebooks/cameo/CAMEO.Manual.1.1b3.txt").read_text(encoding="utf-8").splitlines()
    )
    start = next(i for i, s in enumerate(lines) if s.strip() == "VERB CODEBOOK")
    end = next(i for i, s in enumerate(lines) if i > start and s.strip() == "Chapter 3")
    table = load_cameo_table(shared)
    examples: list[tuple[str, str]] = []
    code, field, buf = "", "", []

    def flush() -> None:
        if field == "Example" and buf and code:
            examples.append((code, " ".join(buf)))

    for raw in lines[start:end]:
        if _CAMEO_NOISE.match(raw):
            continue
        m = _CAMEO_FIELD.match(raw)
        if m:
            flush()
            field, buf = m.group(1), []
            if field == "CAMEO":
                code = m.group(2).strip()
            elif m.group(2).strip():
                buf.append(m.group(2).strip())
        elif raw.strip() and raw.startswith(" ") and field == "Example":
            piece = raw.strip()
            if buf and re.search(r"[a-z]-$", buf[-1]) and piece[:1].islower():
                buf[-1] = buf[-1][:-1] + piece  # pdftotext hyphenation: "Sat-" + "urday"
            else:
                buf.append(piece)
        elif not raw.strip():
            flush()
            field, buf = "", []
    flush()
    out, unmapped = [], collections.Counter()
    for n, (c, text) in enumerate(examples):
        label = table.get(c) or table.get(c[:3])
        if label is None or label not in TYPES:
            unmapped[c[:2]] += 1
            continue
        out.append(
            {
                "id": f"CAMEO-{c}-{n:03d}",
                "text": _clean(text),
                "label": label,
                "source": "cameo",
                "group": f"cameo:{c[:3]}",
            }
        )
    stats["cameo_examples_parsed"] = len(examples)
    stats["cameo_examples_without_plover_type_by_root"] = dict(sorted(unmapped.items()))
    return out


def load_plover_manual(shared: Path) -> list[dict[str, str]]:
    """Quoted full sentences in the event chapter followed by 'should be coded as TYPE'."""
    tex = (shared / "codebooks/plover/PLOVER_MANUAL.tex").read_text(encoding="utf-8")
    body = tex[tex.index("\\chapter{Event Categories}") :]
    body = body[: body.index("\\chapter", 10)]
    body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("%"))
    out = []
    quote = r"``(.+?)(?:''|\")"
    for m in re.finditer(
        rf"((?:{quote}(?:\s*or\s*)?)+)\s*should be coded as \\plcat\{{([A-Z]+)\}}", body
    ):
        label = m.group(3)
        for q in re.findall(quote, m.group(1)):
            text = _clean(
                re.sub(r"\\emph\{(.*?)\}", r"\1", q).replace("\\dots", "").replace("\\$", "$")
            )
            text = text.rstrip(", ")
            if len(text.split()) >= 6 and label in TYPES:
                out.append(
                    {
                        "id": f"PLOVER-MANUAL-{len(out):02d}",
                        "text": text,
                        "label": label,
                        "source": "plover_manual",
                        "group": f"plover_manual:{len(out)}",
                    }
                )
    return out


_SENT_SPLIT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“‘(]?[A-Z0-9])")


def _fundus_sentences(article: dict) -> list[str]:
    paras = [p for s in article["body"].get("sections", []) for p in s.get("paragraphs", [])]
    out = []
    for p in paras:
        for s in _SENT_SPLIT.split(_clean(p)):
            words = s.split()
            if (
                8 <= len(words) <= 50
                and re.search(r"[.!?][\"”’)]?$", s)
                and "http" not in s
                and "|" not in s
                and s[:1].isupper()
            ):
                out.append(s)
    return out


def load_fundus_none(shared: Path, stats: dict[str, object]) -> list[dict[str, str]]:
    rows = [
        r.split("\t")
        for r in (HERE / "none_articles.tsv").read_text(encoding="utf-8").splitlines()
        if r and not r.startswith("#")
    ]
    excluded = {
        r.split("\t")[0]
        for r in (HERE / "none_exclude.tsv").read_text(encoding="utf-8").splitlines()
        if r and not r.startswith("#")
    }
    out, seen_excl = [], set()
    for path, version, *_ in rows:
        article = json.loads((shared / "corpus/fundus" / path).read_text(encoding="utf-8"))[version]
        for s in _fundus_sentences(article)[:NONE_PER_ARTICLE]:
            h = sentence_hash(s)
            if h in excluded:
                seen_excl.add(h)
                continue
            out.append(
                {
                    "id": f"FUNDUS-{h}",
                    "text": s,
                    "label": NONE,
                    "source": "fundus_none",
                    "group": f"fundus:{path}:{version}",
                }
            )
    stats["fundus_excluded_after_reading"] = len(seen_excl)
    stale = excluded - seen_excl
    if stale:
        raise SystemExit(
            f"none_exclude.tsv lists {len(stale)} hashes not in the chosen articles: "
            f"{sorted(stale)[:5]}"
        )
    return out


# --- de-duplication --------------------------------------------------------------------------


def deduplicate(examples: list[dict[str, str]], stats: dict[str, object]) -> list[dict[str, str]]:
    kept: list[dict[str, str]] = []
    kept_sets: list[set[str]] = []
    seen: dict[str, dict[str, str]] = {}
    dropped: collections.Counter[str] = collections.Counter()
    disagree: collections.Counter[str] = collections.Counter()
    for ex in examples:
        key = normalise(ex["text"])
        words = set(key.split())
        twin = seen.get(key)
        if twin is None:
            for other, ws in zip(kept, kept_sets, strict=True):
                if (
                    other["source"] != ex["source"]
                    and len(words & ws) / max(1, len(words | ws)) >= NEAR_DUP_JACCARD
                ):
                    twin = other
                    break
        if twin is not None:
            dropped[f"{ex['source']} (copy of {twin['source']})"] += 1
            if twin["label"] != ex["label"]:
                disagree[f"{ex['source']}->{twin['source']}"] += 1
            continue
        seen[key] = ex
        kept.append(ex)
        kept_sets.append(words)
    stats["duplicates_dropped"] = dict(dropped)
    stats["duplicates_with_other_label"] = dict(disagree)
    return kept


def build(shared: Path) -> tuple[list[dict[str, str]], dict[str, object]]:
    stats: dict[str, object] = {}
    by_source = {
        "gsr": load_gsr(shared),
        "plover_manual": load_plover_manual(shared),
        "cameo": load_cameo(shared, stats),
        "plv": load_plv(shared, stats),
        "fundus_none": load_fundus_none(shared, stats),
    }
    stats["loaded"] = {s: len(v) for s, v in by_source.items()}
    examples = deduplicate([ex for s in SOURCE_ORDER for ex in by_source[s]], stats)
    for ex in examples:
        if ex["label"] not in LABELS:
            raise SystemExit(f"unknown label {ex['label']!r} in {ex['id']}")
    stats["kept"] = dict(collections.Counter(ex["source"] for ex in examples))
    stats["labels"] = {
        s: dict(
            sorted(collections.Counter(ex["label"] for ex in examples if ex["source"] == s).items())
        )
        for s in SOURCE_ORDER
    }
    stats["total"] = len(examples)
    return examples, stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--out", type=Path, default=HERE / "work")
    ap.add_argument(
        "--list-none-candidates",
        action="store_true",
        help="print every candidate fundus sentence with its hash (for reading)",
    )
    args = ap.parse_args()
    if args.list_none_candidates:
        for r in (HERE / "none_articles.tsv").read_text(encoding="utf-8").splitlines():
            if r and not r.startswith("#"):
                path, version = r.split("\t")[:2]
                art = json.loads(
                    (args.shared / "corpus/fundus" / path).read_text(encoding="utf-8")
                )[version]
                for s in _fundus_sentences(art)[:NONE_PER_ARTICLE]:
                    print(f"{sentence_hash(s)}\t{path}:{version}\t{s}")
        return
    examples, stats = build(args.shared)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "data.jsonl").open("w", encoding="utf-8") as f:
        for ex in examples:
            f.write(json.dumps(ex, ensure_ascii=False) + "\n")
    with (args.out / "gsr_all.jsonl").open("w", encoding="utf-8") as f:
        for ex in load_gsr(args.shared):  # every GSR record, scored in the GSR fold
            f.write(json.dumps(ex, ensure_ascii=False) + "\n")
    (args.out / "data_stats.json").write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()
