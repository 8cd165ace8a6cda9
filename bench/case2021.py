"""bench-events' independent ACLED section: the CASE 2021 shared task 2 test set.

CASE 2021 task 2 ("fine-grained classification of socio-political events", Haneczok et al.
2021) gives news snippets, each labelled with one ACLED sub-event type (25 types) or one of
the types that are not ACLED's (organised crime, natural and man-made disasters, attribution
and diplomacy). It is the independent ACLED measure of issue 11: written by others, never
read to change the coder (its errors are not printed; the per-type table is aggregate).

The test file has no licence, so it is not committed. Fetch it once into bench/work/ (git-
ignored), or point ``NEWSEVENTS_CASE2021`` at it:

    curl -L -o bench/work/case2021_task2_test.tsv https://raw.githubusercontent.com/\
emerging-welfare/case-2021-shared-task/3d923f476fbe4eb7da73c2daf456796161563346/\
task2/test_dataset/test_set_final_release_with_labels.tsv

The bench checks its SHA-256, so every run scores the same 1,019 snippets (829 with an ACLED
type, the set of issue 11).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from scores import per_type_scores, weighted_f1

ROOT = Path(__file__).resolve().parents[1]
TEST_SET = Path(
    os.environ.get("NEWSEVENTS_CASE2021", ROOT / "bench" / "work" / "case2021_task2_test.tsv")
)
# of the rows joined by "\n" (line endings and a final newline do not matter)
SHA256 = "20b0db82e7f42a36839928cfa9310522b4cb0183e4eab6b4e6fbfea8095117b2"
# the task's labels -> ACLED's sub-event types as the coder names them
ACLED_TYPES = {
    "ABDUCT_DISSAP": "Abduction/forced disappearance",
    "AGREEMENT": "Agreement",
    "AIR_STRIKE": "Air/drone strike",
    "ARMED_CLASH": "Armed clash",
    "ARREST": "Arrests",
    "ART_MISS_ATTACK": "Shelling/artillery/missile attack",
    "ATTACK": "Attack",
    "CHANGE_TO_GROUP_ACT": "Change to group/activity",
    "CHEM_WEAP": "Chemical weapon",
    "DISR_WEAP": "Disrupted weapons use",
    "FORCE_AGAINST_PROTEST": "Excessive force against protesters",
    "GOV_REGAINS_TERIT": "Government regains territory",
    "GRENADE": "Grenade",
    "HQ_ESTABLISHED": "Headquarters or base established",
    "MOB_VIOL": "Mob violence",
    "NON_STATE_ACTOR_OVERTAKES_TER": "Non-state actor overtakes territory",
    "NON_VIOL_TERRIT_TRANSFER": "Non-violent transfer of territory",
    "OTHER": "Other",
    "PEACE_PROTEST": "Peaceful protest",
    "PROPERTY_DISTRUCT": "Looting/property destruction",
    "PROTEST_WITH_INTER": "Protest with intervention",
    "REM_EXPLOS": "Remote explosive/landmine/IED",
    "SEX_VIOL": "Sexual violence",
    "SUIC_BOMB": "Suicide bomb",
    "VIOL_DEMONSTR": "Violent demonstration",
}
# a date after every snippet's events (the snippets name no publication date)
SNIPPET_DATE = dt.date(2021, 12, 31)

# snippet -> the sub-event type the coder gives it, None without one
Coder = Callable[[str], str | None]


def snippets() -> list[tuple[str, str]]:
    """(label, snippet) of every row of the test set; [] when the file is absent."""
    if not TEST_SET.exists():
        return []
    lines = TEST_SET.read_text(encoding="utf-8").splitlines()
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    if digest != SHA256:
        raise ValueError(f"{TEST_SET}: sha256 {digest[:12]}… is not the release's {SHA256[:12]}…")
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    if rows[0] != ["id", "EventSnippet", "SubType"]:
        raise ValueError(f"{TEST_SET}: unexpected header {rows[0]}")
    return [(label, text) for _, text, label in rows[1:]]


def section(coders: dict[str, Coder]) -> tuple[list[str], dict]:
    """Weighted F1 of ACLED sub-event types over the ACLED-typed snippets, per coder, the
    per-type F1 of the first coder, and how often the other snippets get an ACLED event."""
    lines = ["## ACLED sub-event type, CASE 2021 task 2 test set (independent)", ""]
    rows = snippets()
    if not rows:
        missing = f"(No `{TEST_SET.name}` in {TEST_SET.parent}: see `bench/case2021.py`.)"
        return [*lines, missing], {}
    acled = [(ACLED_TYPES[label], text) for label, text in rows if label in ACLED_TYPES]
    other = [text for label, text in rows if label not in ACLED_TYPES]
    lines += [
        f"{len(rows)} news snippets by the CASE 2021 organisers, {len(acled)} labelled with an "
        f"ACLED sub-event type (scored) and {len(other)} with a type that is not ACLED's "
        "(crime, disasters, attribution, diplomacy: the share given an ACLED event is shown). "
        "Each snippet is coded as one text; its answer is the sub-event type of its best event "
        "among those the ACLED export writes (asserted, with an ACLED type), as an ACLED user "
        'sees it ("none" without one). The last row answers with the best event of any type, '
        "verbal or hypothetical ones included, as sessions 8 and 9 did. Weighted F1 as "
        "scikit-learn's. Never tuned on: only these aggregates are printed; session 10 chose "
        "which sub-types' news phrasing to review by the per-type table below (by recall, not "
        "by reading snippets). The best published system scored 0.839 (issue 11).",
        "",
        "| coder | ACLED snippets | accuracy | weighted F1 | no event | other snippets given "
        "an ACLED event |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    metrics: dict = {}
    per_type: list[str] = []
    for name, coded in coders.items():
        gold = [label for label, _ in acled]
        got = [coded(text) or "none" for _, text in acled]
        flagged = sum(coded(text) is not None for text in other)
        accuracy = sum(g == p for g, p in zip(gold, got, strict=True)) / len(gold)
        f1 = weighted_f1(gold, got)
        metrics[name] = {"accuracy": accuracy, "weighted_f1": f1}
        lines.append(
            f"| {name} | {len(gold)} | {accuracy:.3f} | {f1:.3f} | {got.count('none')} | "
            f"{flagged / max(1, len(other)):.3f} |"
        )
        if not per_type:
            per_type = _per_type(name, gold, got)
    return [*lines, "", *per_type], metrics


def _per_type(name: str, gold: list[str], got: list[str]) -> list[str]:
    lines = [
        f"Per type, {name} (precision, recall, F1; aggregate only):",
        "",
        "| sub-event type | n | precision | recall | F1 |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    confusion = Counter(zip(gold, got, strict=True))
    for label, n, precision, recall, f1 in per_type_scores(confusion, sorted(set(gold))):
        lines.append(f"| {label} | {n} | {precision:.2f} | {recall:.2f} | {f1:.2f} |")
    return lines
