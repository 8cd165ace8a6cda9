"""The packaged event-type classifier: loads, checks its files, answers in order and sensibly.

The sentences here are written for this test (none comes from a training source).
"""

from __future__ import annotations

import json
import pathlib
import shutil
from importlib import resources

import pytest

from newsevents.events.classifier import MODEL_DIR, EventTypeClassifier, ModelDirError

# the project's PLOVER type table (first column; comments and the header line skipped)
PLOVER_TYPES = {
    line.split("\t")[0]
    for line in resources.files("newsevents")
    .joinpath("data/events/plover_types.tsv")
    .read_text("utf-8")
    .splitlines()[1:]
    if line and not line.startswith("#")
} - {"type"}

# (sentence, expected type; None = no political event)
CLEAR = [
    ("Police arrested 20 protesters in Cairo on Friday.", "COERCE"),
    ("Rebels fired rockets at an army base near the border, killing five soldiers.", "ASSAULT"),
    ("Thousands of protesters marched through the capital on Sunday.", "PROTEST"),
    (
        "The foreign ministers of Peru and Chile met in Lima on Tuesday to discuss the border.",
        "CONSULT",
    ),
    ("The striker scored twice in the second half.", None),
    ("Bake the bread for forty minutes until the crust is golden brown.", None),
    ("The band's new album tops the charts for a third week.", None),
]


@pytest.fixture(scope="module")
def classifier() -> EventTypeClassifier:
    return EventTypeClassifier.load()


def test_label_set(classifier: EventTypeClassifier) -> None:
    assert set(classifier.labels) == PLOVER_TYPES | {"none"}
    assert len(classifier.labels) == 17


def test_clear_sentences(classifier: EventTypeClassifier) -> None:
    got = classifier.predict([s for s, _ in CLEAR])
    for (sentence, expected), scores in zip(CLEAR, got, strict=True):
        assert scores.label == expected, (sentence, scores.label, scores.score)
        assert abs(sum(scores.probs.values()) - 1.0) < 1e-6
        key = "none" if expected is None else expected
        assert scores.score == pytest.approx(scores.probs[key])
        assert scores.score == max(scores.probs.values())


def test_deterministic_in_order_and_batch_invariant(classifier: EventTypeClassifier) -> None:
    sentences = [s for s, _ in CLEAR]
    first = classifier.predict(sentences)
    assert classifier.predict(sentences) == first
    # input order is kept; any order gives the same answers
    assert classifier.predict(sentences[::-1])[::-1] == first
    assert classifier.predict(sentences + sentences) == first + first
    # by default a sentence's answer does not depend on the sentences around it
    assert [classifier.predict([s])[0] for s in sentences] == first
    # int8 activations are quantised with one scale per batch, so in larger batches
    # (throughput measurements) probabilities move a little; confident labels must not
    batched = classifier.predict(sentences, batch_size=32)
    for a, b in zip(batched, first, strict=True):
        assert max(abs(a.probs[k] - b.probs[k]) for k in a.probs) < 0.15
        if b.score >= 0.5:
            assert a.label == b.label
    assert classifier.predict([]) == []


def test_rejects_a_single_string(classifier: EventTypeClassifier) -> None:
    with pytest.raises(TypeError):
        classifier.predict("Police arrested 20 protesters.")


def _copy_model(tmp_path: pathlib.Path) -> pathlib.Path:
    src = pathlib.Path(str(MODEL_DIR))
    dst = tmp_path / "model"
    dst.mkdir()
    for name in ("model.onnx", "tokenizer.json", "labels.json"):
        shutil.copy(src / name, dst / name)
    return dst


def test_missing_file_is_a_clear_error(tmp_path: pathlib.Path) -> None:
    model = _copy_model(tmp_path)
    (model / "tokenizer.json").unlink()
    with pytest.raises(ModelDirError, match=r"missing tokenizer\.json"):
        EventTypeClassifier.load(model)


def test_changed_file_is_a_clear_error(tmp_path: pathlib.Path) -> None:
    model = _copy_model(tmp_path)
    with (model / "tokenizer.json").open("a", encoding="utf-8") as f:
        f.write("\n")
    with pytest.raises(ModelDirError, match=r"tokenizer\.json: sha256 .* not the"):
        EventTypeClassifier.load(model)


def test_labels_must_match_the_model(tmp_path: pathlib.Path) -> None:
    model = _copy_model(tmp_path)
    meta = json.loads((model / "labels.json").read_text(encoding="utf-8"))
    meta["labels"] = meta["labels"][:-2] + ["none"]
    (model / "labels.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelDirError, match="output width 17"):
        EventTypeClassifier.load(model)
    (model / "labels.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelDirError, match="not a valid label file"):
        EventTypeClassifier.load(model)


def test_weights_are_quantised_to_seven_bits() -> None:
    """With 8-bit weights, onnxruntime's int8 products saturate on CPUs without VNNI (AVX2
    only) and the model answers differently there: session 12 found a sentence whose type
    changed between two machines. 7-bit weights (``reduce_range``) cannot saturate."""
    meta = json.loads((MODEL_DIR / "labels.json").read_text(encoding="utf-8"))
    assert meta["quantisation"]["reduce_range"] is True
