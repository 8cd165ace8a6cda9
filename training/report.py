"""The figures of train.py: metrics, the model-selection table, bench/results/events_cv.md."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from build_data import LABELS, NONE
from sklearn.metrics import accuracy_score, f1_score

RESULTS = Path(__file__).resolve().parent.parent / "bench/results"
WORK = Path(__file__).resolve().parent / "work"


def load_jsonl(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise SystemExit(
            f"{path} missing: run training/build_data.py first (make train-events does)"
        )
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def scores(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float | int]:
    present = sorted(set(gold))
    none_gold = [p for g, p in zip(gold, pred, strict=True) if g == NONE]
    event_gold = [p for g, p in zip(gold, pred, strict=True) if g != NONE]
    out: dict[str, float | int] = {
        "n": len(gold),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "macro_f1": round(
            float(f1_score(gold, pred, labels=present, average="macro", zero_division=0)), 4
        ),
    }
    if none_gold:
        out["none_n"] = len(none_gold)
        out["none_false_positive_rate"] = round(
            sum(p != NONE for p in none_gold) / len(none_gold), 4
        )
    if event_gold:
        out["event_n"] = len(event_gold)
        out["event_missed_as_none_rate"] = round(
            sum(p == NONE for p in event_gold) / len(event_gold), 4
        )
    return out


def yield_merged(labels: Sequence[str]) -> list[str]:
    """PLV's own label set: PLOVER 0.8's CONCEDE and RETREAT are its YIELD."""
    return ["YIELD" if x in ("CONCEDE", "RETREAT") else x for x in labels]


def confusion(gold: Sequence[str], pred: Sequence[str]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for g, p in zip(gold, pred, strict=True):
        table.setdefault(g, {}).setdefault(p, 0)
        table[g][p] += 1
    return table


def run_select() -> None:
    """Model selection table: the grouped k-fold (every source but GSR) of each recipe scored."""
    out_json = RESULTS / "events_cv.json"
    result = json.loads(out_json.read_text())
    table = {}
    for path in [out_json, *sorted(WORK.glob("cv-candidate-*.json"))]:
        cand = json.loads(path.read_text())
        rec, kf = cand["recipe"], cand["folds"].get("kfold", {})
        if kf.get("folds_done") == rec["k_folds"]:
            depth = rec.get("depth", 6)
            top, epochs = rec["trained_top_layers"], rec["epochs"]
            name = f"{depth} layers, top {top} trained, {epochs} epochs"
            table[name] = kf["all"]["fine_tuned"]
    result["model_selection"] = table
    out_json.write_text(json.dumps(result, indent=1) + "\n")
    write_markdown(result)
    print(json.dumps(table, indent=1))


def _f(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"


def _row(name: str, ft: dict, lr: dict) -> str:
    cells = [name, str(ft["n"]), _f(ft["accuracy"]), _f(ft["macro_f1"]), _f(lr["accuracy"])]
    cells += [_f(lr["macro_f1"]), _f(ft.get("none_false_positive_rate"))]
    cells += [_f(ft.get("event_missed_as_none_rate"))]
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[str]) -> list[str]:
    align = ["---"] + ["---:"] * (len(header) - 1)
    return ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |", *rows, ""]


def _confusion(title: str, table: dict[str, dict[str, int]]) -> list[str]:
    cols = [lab for lab in LABELS if any(lab in r for r in table.values())]
    rows = [
        f"| {g} | " + " | ".join(str(table[g].get(c, "")) for c in cols) + " |"
        for g in LABELS
        if g in table
    ]
    return [title + ":", "", *_table(["gold \\ predicted", *(c[:8] for c in cols)], rows)]


def write_markdown(result: dict) -> None:
    k = result["recipe"]["k_folds"]
    lines = [
        "# Event-type classifier: grouped cross-validation (`training/train.py cv`)",
        "",
        "Every figure is out-of-fold: the model that scores a sentence never saw it, nor a copy of",
        "it from another source (de-duplicated across sources by normalised text and word-set",
        "overlap >= 0.6). Fine-tuned all-MiniLM-L6-v2 against the same encoder frozen + logistic",
        "regression, on the same folds in the same run. Recipe (won the model selection below;",
        f"history in the model card): `{json.dumps(result['recipe'])}`.",
        "",
    ]
    folds = result.get("folds", {})
    rows = []
    if "gsr" in folds:
        f = folds["gsr"]
        rows.append(
            _row("GSR, leave-source-out (trained without GSR)", f["fine_tuned"], f["frozen_logreg"])
        )
    if "plv" in folds:
        f = folds["plv"]
        rows.append(
            _row("PLV, leave-source-out (trained without PLV)", f["fine_tuned"], f["frozen_logreg"])
        )
        rows.append(
            _row(
                "PLV, CONCEDE+RETREAT scored as PLV's YIELD",
                f["fine_tuned_yield_merged"],
                f["frozen_logreg_yield_merged"],
            )
        )
    kf = folds.get("kfold", {})
    done = f"{k}-fold grouped"
    if kf.get("folds_done") != k:
        done += f", {kf.get('folds_done')} of {k} folds done"
    if kf.get("by_source"):
        for src, s in kf["by_source"].items():
            rows.append(_row(f"{src}, {done}", s["fine_tuned"], s["frozen_logreg"]))
        rows.append(
            _row(f"all but GSR, {done}", kf["all"]["fine_tuned"], kf["all"]["frozen_logreg"])
        )
    header = [
        "fold / source",
        "n",
        "fine-tuned acc",
        "fine-tuned macro-F1",
        "frozen+LR acc",
        "frozen+LR macro-F1",
        "none false-positive rate",
        "events missed as none",
    ]
    lines += _table(header, rows)
    lines += [
        "Macro-F1 averages over the labels present in the fold's gold labels. None false-positive",
        "rate: share of gold-`none` sentences given an event type; events missed: share of event",
        "sentences given `none` (both for the fine-tuned model).",
        "",
    ]
    if result.get("model_selection"):
        lines += [
            f"Model selection on the grouped {k}-fold over every source but GSR (never on GSR):",
            "",
        ]
        rows = [
            f"| {name} | {_f(s['accuracy'])} | {_f(s['macro_f1'])} |"
            for name, s in result["model_selection"].items()
        ]
        lines += _table(["fine-tuned recipe", "accuracy", "macro-F1"], rows)
    if kf.get("per_fold"):
        lines += [f"Per fold of the grouped {k}-fold over every source but GSR:", ""]
        header = [
            "fold",
            "train",
            "test",
            "fine-tuned acc",
            "fine-tuned macro-F1",
            "frozen+LR acc",
            "frozen+LR macro-F1",
            "train s",
        ]
        rows = []
        for p in kf["per_fold"]:
            ft, lr = p["fine_tuned"], p["frozen_logreg"]
            cells = [str(p["fold"]), str(p["train_n"]), str(p["test_n"]), _f(ft["accuracy"])]
            cells += [_f(ft["macro_f1"]), _f(lr["accuracy"]), _f(lr["macro_f1"])]
            rows.append("| " + " | ".join([*cells, str(p["train_seconds"])]) + " |")
        lines += _table(header, rows)
    if "gsr" in folds:
        f = folds["gsr"]
        rows = [
            f"| {name} | {_f(f[key]['accuracy'])} | {_f(f[key]['macro_f1'])} |"
            for name, key in (
                ("torch fp32", "fine_tuned"),
                ("ONNX fp32", "onnx_fp32"),
                ("ONNX int8 (7-bit weights), dynamic per-channel", "onnx_int8"),
            )
        ]
        lines += ["Quantisation loss, on the GSR fold's model (trained without GSR):", ""]
        lines += _table(["model", "GSR accuracy", "GSR macro-F1"], rows)
        same = f["int8_vs_fp32_same_label"]
        lines += [f"int8 and fp32 ONNX give the same label on {same:.1%} of GSR records.", ""]
        lines += _confusion(
            "Confusion, GSR fold, fine-tuned (rows gold, columns predicted)",
            f["confusion_fine_tuned"],
        )
    if kf.get("confusion_fine_tuned"):
        lines += _confusion(
            f"Confusion, {k}-fold over every source but GSR, fine-tuned", kf["confusion_fine_tuned"]
        )
    if "speed" in result:
        s = result["speed"]
        lines += [
            f"Speed: {s['sentences_per_second']:.0f} sentences/s on one thread (int8 ONNX,",
            f"onnxruntime; {s['n']} GSR sentences, batch {s['batch']}, best of {s['repeats']};",
            f"{s['includes']}).",
            "",
        ]
    (RESULTS / "events_cv.md").write_text("\n".join(lines), encoding="utf-8")
