"""Export a loaded sentence-transformers model to ONNX, so the browser embeds queries with it.

One graph from token ids to the sentence embedding (transformer, pooling and any
Dense/Normalize modules), exported with torch's TorchScript exporter (opset 14;
the newer exporter needs onnxscript, which this project does not install), plus
the model's tokenizer.json. The export is checked against the model itself on a
few texts before it is used: a graph that drifts would put queries and cases in
different spaces, so it is refused rather than shipped. Cached per fingerprint.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

from builder.embedding.base import EngineUnavailable, ModelFiles

OPSET = 14
FORMAT = 1  # bump when the export changes
OUTPUT = "sentence_embedding"
CHECK_TEXTS = ["DX人材の育成", "ITパスポートの取得支援", "外部アドバイザー", "Digital transformation"]
MIN_COSINE = 0.999


TOKENIZER_FILE = "tokenizer.json"


def export(encoder, cache_dir: Path, max_bytes: int = 0) -> ModelFiles:  # type: ignore[no-untyped-def]
    """The encoder's model as ONNX in the cache; ``EngineUnavailable`` says why not (also past ``max_bytes``)."""
    folder = cache_dir / "models" / "st-onnx" / encoder.fingerprint[:32]
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") == FORMAT and (folder / "model.onnx").is_file() and (folder / TOKENIZER_FILE).is_file():
            return ModelFiles(folder, manifest, TOKENIZER_FILE)
    try:
        manifest = _export(encoder, folder, max_bytes)
    except EngineUnavailable:
        raise
    except Exception as error:  # torch's exporter fails in many ways; each means "no browser model"
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise EngineUnavailable(f"モデルを ONNX に書き出せませんでした（{type(error).__name__}: {first_line}）") from error
    return ModelFiles(folder, manifest, TOKENIZER_FILE)


def _export(encoder, folder: Path, max_bytes: int) -> dict:  # type: ignore[no-untyped-def]
    import numpy as np
    import onnxruntime
    import torch

    model = encoder.source
    weights = sum(p.numel() * p.element_size() for p in model.parameters())
    if max_bytes and weights > max_bytes:  # checked before exporting: a large export takes minutes
        raise EngineUnavailable(
            f"モデルが大きすぎるためブラウザでは使えません（重み {weights / 1e6:.0f} MB、上限 {max_bytes / 1e6:.0f} MB）"
        )
    tokenizer = model.tokenizer
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names]
    if names[:2] != ["input_ids", "attention_mask"]:
        raise EngineUnavailable(f"トークナイザーの入力 {tokenizer.model_input_names} に対応していません")
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise EngineUnavailable("このモデルのトークナイザーには tokenizer.json がありません（fast tokenizer ではありません）")

    class Graph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs):  # type: ignore[no-untyped-def]
            return self.model(dict(zip(names, inputs)))[OUTPUT]

    sample = tokenizer(["DX人材の育成", "ITパスポート"], padding=True, return_tensors="pt")
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".staging-{os.getpid()}"
    staging.mkdir(exist_ok=True)
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Graph().eval(),
            tuple(sample[n] for n in names),
            str(staging / "model.onnx"),
            dynamo=False,
            opset_version=OPSET,
            input_names=names,
            output_names=[OUTPUT],
            dynamic_axes={**axes, OUTPUT: {0: "batch"}},
        )

    # Truncation and padding are done by the page (one text at a time, cut to max_tokens).
    spec = json.loads(backend.to_str())
    spec["truncation"] = None
    spec["padding"] = None
    (staging / TOKENIZER_FILE).write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")

    session = onnxruntime.InferenceSession(str(staging / "model.onnx"), providers=["CPUExecutionProvider"])
    max_tokens = int(getattr(model, "max_seq_length", 0) or tokenizer.model_max_length)
    for text in CHECK_TEXTS:
        ids = tokenizer([text], truncation=True, max_length=max_tokens, return_tensors="np")
        got = session.run(None, {n: ids[n].astype(np.int64) for n in names})[0][0]
        want = encoder.encode([text])[0]
        cosine = float(got @ want / max(np.linalg.norm(got) * np.linalg.norm(want), 1e-12))
        if cosine < MIN_COSINE:
            raise EngineUnavailable(f"書き出した ONNX のモデルの出力が元のモデルと一致しません（cos {cosine:.4f}）")
    manifest = {
        "format": FORMAT,
        "fingerprint": encoder.fingerprint,
        "inputs": names,
        "output": OUTPUT,
        "dims": encoder.dims,
        "max_tokens": max_tokens,
        "opset": OPSET,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    for name in ("model.onnx", TOKENIZER_FILE, "manifest.json"):  # manifest last: it marks the set complete
        os.replace(staging / name, folder / name)
    staging.rmdir()
    return manifest
