"""ONNX side of the event-type classifier's training (train.py): batch encoding, the export
to ONNX and its int8 quantisation, and scoring an exported model with onnxruntime, as the
runtime (newsevents.events.classifier) runs it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from build_data import LABELS
from tokenizers import Tokenizer
from torch import nn


def encode(tok: Tokenizer, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids and attention mask of a batch, padded to its longest sentence."""
    ids = [e.ids for e in tok.encode_batch(list(texts))]
    width = max(len(i) for i in ids)
    input_ids = torch.zeros((len(ids), width), dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for row, seq in enumerate(ids):
        input_ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
    return input_ids, mask


def batches_by_length(tok: Tokenizer, texts: Sequence[str], size: int = 64) -> list[list[int]]:
    """Row indices in batches of sentences of similar length (little padding)."""
    lengths = [len(e.ids) for e in tok.encode_batch(list(texts))]
    order = sorted(range(len(texts)), key=lambda i: lengths[i])
    return [order[i : i + size] for i in range(0, len(order), size)]


# 7-bit weights (reduce_range): without VNNI (AVX2 only) onnxruntime's u8 x s8 products
# saturate in 16 bits, so an 8-bit model gives other probabilities on those CPUs than on VNNI
# ones (session 12: one sentence's MOBILIZE probability fell from above 0.02 to 0.013 and a test
# failed on an AVX2 machine). 7-bit weights cannot saturate: the same model gives the same
# answers on every x86 CPU (PLV accuracy on AVX2: 0.634 against 0.636). Recorded in the
# recipe and in labels.json.
QUANTISATION = {"weights": "int8, 7-bit range", "per_channel": True, "reduce_range": True}


def export_onnx(model: nn.Module, tok: Tokenizer, path_fp32: Path, path_int8: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ids, mask = encode(tok, ["Police arrested 20 protesters in Cairo on Friday.", "Talks resumed."])
    torch.onnx.export(
        model,
        (ids, mask),
        str(path_fp32),
        dynamo=False,
        opset_version=17,
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "sequence"},
            "logits": {0: "batch"},
        },
    )
    quantize_dynamic(
        str(path_fp32),
        str(path_int8),
        per_channel=QUANTISATION["per_channel"],
        reduce_range=QUANTISATION["reduce_range"],
        weight_type=QuantType.QInt8,
    )


def onnx_probs(path: Path, tok: Tokenizer, texts: Sequence[str], threads: int = 1) -> np.ndarray:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
    for idx in batches_by_length(tok, texts, 32):
        ids, mask = encode(tok, [texts[i] for i in idx])
        logits = sess.run(["logits"], {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
        e = np.exp(logits - logits.max(-1, keepdims=True))
        out[idx] = e / e.sum(-1, keepdims=True)
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
