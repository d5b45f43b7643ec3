"""The sentence-transformers engine: any model by Hugging Face name or local folder.

torch and sentence-transformers are an optional extra (``pip install -e '.[st]'``),
imported only here. Builds never download: the hub is put in offline mode unless
the caller set ``HF_HUB_OFFLINE`` themselves, so the model must already be in the
local cache or on disk (where the hub is reachable, as on GitHub's runners,
fetch it once beforehand).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from builder.embedding.base import EngineUnavailable

if TYPE_CHECKING:
    import numpy as np


class SentenceTransformerEncoder:
    engine = "sentence-transformers"

    def __init__(self, name: str, model: object, fingerprint: str) -> None:
        self.model = name
        self.fingerprint = fingerprint
        self._model = model
        self.dims = int(model.get_sentence_embedding_dimension())  # type: ignore[attr-defined]
        # Characters per passage: Japanese runs about one token per character, so stay under the limit.
        self.max_chars = max(64, int(getattr(model, "max_seq_length", 256) or 256) - 16)
        self.source = model

    def encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        vectors = self._model.encode(  # type: ignore[attr-defined]
            texts, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True, batch_size=32
        )
        return np.asarray(vectors, dtype=np.float32)


def _cached_on_hub(name: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    candidates = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    return any(isinstance(try_to_load_from_cache(repo, "config.json"), str) for repo in candidates)


def _fingerprint(name: str, folder: Path | None) -> str:
    """Name, plus size and time of every file of a local model, so retraining it invalidates the cache."""
    parts = [name]
    if folder is not None:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            stat = file.stat()
            parts.append(f"{file.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def load(name: str, base: Path | None = None) -> SentenceTransformerEncoder:
    """Load by Hugging Face name or folder (a relative folder is looked up under ``base`` first)."""
    if not name:
        raise EngineUnavailable("sentence-transformers のモデルが設定されていません（mkdocs.yml の dxnavi の embedding: model、または環境変数 DXNAVI_MODEL）")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    local = Path(name).expanduser()
    if base is not None and not local.is_absolute() and (base / local).exists():
        local = base / local
    try:
        if not local.exists() and os.environ["HF_HUB_OFFLINE"] not in ("0", "false", "False") and not _cached_on_hub(name):
            raise EngineUnavailable(f"モデル {name} がこのマシンにありません（ビルド中はダウンロードしません）")
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise EngineUnavailable(
            f"sentence-transformers が入っていません（{error}）。使うには .venv/bin/pip install -e '.[st]' を実行してください"
        ) from error
    try:
        model = SentenceTransformer(str(local) if local.exists() else name, device="cpu")
    except Exception as error:  # any failure inside a third-party loader means "no model", never a failed build
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise EngineUnavailable(f"モデル {name} を読み込めませんでした（{type(error).__name__}: {first_line}）") from error
    return SentenceTransformerEncoder(name, model, _fingerprint(name, local if local.exists() else None))
