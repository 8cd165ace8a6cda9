"""PLOVER event type of a sentence, from the fine-tuned MiniLM classifier (ONNX, int8).

The model (``newsevents/data/events/model/``, see its MODEL_CARD.md) scores 16 PLOVER types
plus "none" (no political event). It runs on onnxruntime and tokenizers only: no torch. The
caller loads it once per process and shares it (it is not cached here); ``predict`` is
batched and sorts each call's sentences by length so that padding stays small.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from newsevents.events.words import CALENDAR_WORDS

MODEL_DIR = resources.files("newsevents") / "data" / "events" / "model"
# A leading time adjunct ("On 19 March 2020, ", "On Tuesday, ", "In May 2021, ").
_LEADING_TIME = re.compile(r"(?:On|In|Since|During|By|Late on|Early on)\s+([^,]{1,40}),\s+(?=\S)")
MODEL_FILES = ("model.onnx", "tokenizer.json", "labels.json")


class ModelDirError(ValueError):
    """The model directory is incomplete or its files do not belong together."""


@dataclass(frozen=True)
class TypeScores:
    """The classifier's answer for one sentence."""

    label: str | None  # PLOVER type, or None for "no event"
    score: float  # probability of `label` (of "none" when label is None)
    probs: dict[str, float]  # every label, "none" included


def classifier_input(sentence: str) -> str:
    """The sentence without a leading time adjunct: what the classifier reads.

    The date says when, not what: the training sentences seldom open with one, and
    ACLED-style notes always do ("On 19 March 2020, members of two rival militias fought
    in Ituri" read as "no event" at 0.93 with its date, ASSAULT without it).
    """
    m = _LEADING_TIME.match(sentence)
    if m is None:
        return sentence
    words = re.findall(r"[A-Za-z]+|\d+", m.group(1))
    dated = any(w.lower() in CALENDAR_WORDS or (w.isdigit() and len(w) == 4) for w in words)
    return sentence[m.end() :] if dated else sentence


def _sha256(path: pathlib.Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class EventTypeClassifier:
    """Sentence -> PLOVER type scores. Build with ``EventTypeClassifier.load()``."""

    def __init__(
        self,
        session: ort.InferenceSession,
        tokenizer: Tokenizer,
        labels: Sequence[str],
        none_label: str,
        pad_id: int,
    ) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self.labels: tuple[str, ...] = tuple(labels)
        self._none = none_label
        self._pad_id = pad_id

    @classmethod
    def load(cls, model_dir: pathlib.Path | None = None, threads: int = 1) -> EventTypeClassifier:
        """Open and check a model directory (default: the packaged model)."""
        root = pathlib.Path(str(MODEL_DIR)) if model_dir is None else pathlib.Path(model_dir)
        missing = [name for name in MODEL_FILES if not (root / name).is_file()]
        if missing:
            raise ModelDirError(
                f"{root}: missing {', '.join(missing)} (need {', '.join(MODEL_FILES)})"
            )
        try:
            meta = json.loads((root / "labels.json").read_text(encoding="utf-8"))
            labels = [str(x) for x in meta["labels"]]
            none_label = str(meta["none_label"])
            max_length = int(meta["max_length"])
            expected = {
                "model.onnx": meta["model_sha256"],
                "tokenizer.json": meta["tokenizer_sha256"],
            }
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelDirError(
                f"{root / 'labels.json'}: not a valid label file ({exc!r})"
            ) from exc
        if len(set(labels)) != len(labels) or none_label not in labels:
            raise ModelDirError(
                f"{root / 'labels.json'}: labels must be unique and include {none_label!r}"
            )
        for name, digest in expected.items():
            actual = _sha256(root / name)
            if actual != digest:
                raise ModelDirError(
                    f"{root / name}: sha256 {actual[:12]}… is not the {str(digest)[:12]}… "
                    "recorded in labels.json (files from different trainings?)"
                )
        tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
        tokenizer.no_padding()  # padded per batch in predict()
        tokenizer.enable_truncation(max_length)
        pad_id = tokenizer.token_to_id(str(meta.get("pad_token", "[PAD]")))
        if pad_id is None:
            raise ModelDirError(f"{root / 'tokenizer.json'}: no padding token in the vocabulary")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        try:
            session = ort.InferenceSession(
                str(root / "model.onnx"), opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types for unreadable models
            raise ModelDirError(
                f"{root / 'model.onnx'}: onnxruntime cannot load it ({exc})"
            ) from exc
        inputs = {i.name for i in session.get_inputs()}
        outputs = session.get_outputs()
        width = outputs[0].shape[-1] if outputs and outputs[0].shape else None
        if inputs != {"input_ids", "attention_mask"} or width != len(labels):
            raise ModelDirError(
                f"{root / 'model.onnx'}: inputs {sorted(inputs)} and output width {width} do not "
                f"match input_ids/attention_mask and the {len(labels)} labels of labels.json"
            )
        return cls(session, tokenizer, labels, none_label, pad_id)

    def predict(self, sentences: Sequence[str], batch_size: int = 1) -> list[TypeScores]:
        """Scores for each sentence, in input order.

        The int8 model quantises activations with one scale per batch, so a sentence's
        probabilities move with the sentences it is batched with (up to 0.46 here; 6 % of
        labels flip between batches of 1 and 32). Hence one sentence per run by default: a
        sentence gets the same answer whatever else the day holds, so a day coded in shards
        gives the lake of the day coded in one piece, for 1.3x the classifier's CPU.
        Larger batches are for throughput measurements only.
        """
        if isinstance(sentences, str):
            raise TypeError("predict() takes a sequence of sentences, not one string")
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, not {batch_size}")
        encodings = self._tokenizer.encode_batch(list(sentences))
        # by length, then text: the batches depend on the set of sentences, not on their order
        order = sorted(range(len(encodings)), key=lambda i: (len(encodings[i].ids), sentences[i]))
        probs = np.zeros((len(encodings), len(self.labels)), dtype=np.float64)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.full((len(batch), width), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                seq = encodings[i].ids
                ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1
            logits = self._session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
            logits = logits.astype(np.float64)
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs[batch] = e / e.sum(axis=1, keepdims=True)
        return [self._scores(row) for row in probs]

    def _scores(self, row: np.ndarray) -> TypeScores:
        best = int(row.argmax())
        label = self.labels[best]
        return TypeScores(
            label=None if label == self._none else label,
            score=float(row[best]),
            probs={lab: float(p) for lab, p in zip(self.labels, row, strict=True)},
        )
