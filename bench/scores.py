"""Classification scores shared by bench-events' sections (no scikit-learn in the runtime)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def per_type_scores(
    confusion: Counter[tuple[str, str]], types: list[str]
) -> list[tuple[str, int, float, float, float]]:
    """Per gold type: (type, gold count, precision, recall, F1)."""
    rows = []
    for t in types:
        tp = confusion[(t, t)]
        fp = sum(v for (g, p), v in confusion.items() if p == t and g != t)
        fn = sum(v for (g, p), v in confusion.items() if g == t and p != t)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append((t, tp + fn, precision, recall, f1))
    return rows


def weighted_f1(gold: Sequence[str], got: Sequence[str]) -> float:
    """F1 per gold label, weighted by the label's share of the gold (scikit-learn's "weighted")."""
    total = 0.0
    for label in set(gold):
        tp = sum(g == p == label for g, p in zip(gold, got, strict=True))
        predicted, actual = got.count(label), gold.count(label)
        if tp:
            precision, recall = tp / predicted, tp / actual
            total += 2 * precision * recall / (precision + recall) * actual / len(gold)
    return total
