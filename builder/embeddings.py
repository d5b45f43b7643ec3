"""Sentence embeddings with sentence-transformers, loaded only when a build asks.

The model is named in mkdocs.yml (``plugins: - dxnavi: model: …``) or by the
``DXNAVI_MODEL`` environment variable: a Hugging Face model name or a local
folder. Builds never download: the Hugging Face hub is put in offline mode
unless the caller set ``HF_HUB_OFFLINE`` themselves, so a model must already
be in the local cache or on disk. Whatever goes wrong, ``load`` raises
``ModelUnavailable`` with a reason a person can act on, and the caller falls
back; a build never fails for want of a model.

torch and sentence-transformers are imported inside ``load``: ``check`` and
everything else that imports the builder stays fast.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

DEFAULT_MODEL = "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"
MODEL_ENV = "DXNAVI_MODEL"


class ModelUnavailable(Exception):
    """The model cannot be loaded here; the message says why (in Japanese, for the build log)."""


class Embedder:
    """A loaded model; vectors are L2-normalised, so a dot product is the cosine similarity."""

    def __init__(self, name: str, model: object) -> None:
        self.name = name
        self._model = model
        self._cache: dict[str, np.ndarray] = {}  # by text hash: a preview rebuild re-embeds only what changed

    def encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        keys = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in texts]
        missing = {key: text for key, text in zip(keys, texts) if key not in self._cache}
        if missing:
            vectors = self._model.encode(  # type: ignore[attr-defined]
                list(missing.values()), normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
            )
            self._cache.update(zip(missing, vectors.astype(np.float32)))
        return np.stack([self._cache[key] for key in keys])


def configured(setting: str | None) -> str:
    """The model to use: DXNAVI_MODEL wins over mkdocs.yml; an empty value means none."""
    return os.environ.get(MODEL_ENV, setting or "").strip()


def _cached_on_hub(name: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    candidates = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    return any(isinstance(try_to_load_from_cache(repo, "config.json"), str) for repo in candidates)


@functools.lru_cache(maxsize=4)
def load(name: str, base: Path | None = None) -> Embedder:
    """Load a model by Hugging Face name or folder (a relative folder is looked up under ``base`` first).

    Cached: ``mkdocs serve`` reloads its config (and this plugin) on every change, and
    loading a model, unlike re-embedding the one case that changed, takes seconds.
    """
    if not name:
        raise ModelUnavailable("モデルが設定されていません（mkdocs.yml の dxnavi の model、または環境変数 DXNAVI_MODEL）")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    local = Path(name).expanduser()
    if base is not None and not local.is_absolute() and (base / local).exists():
        local = base / local
    try:
        if not local.exists() and os.environ["HF_HUB_OFFLINE"] not in ("0", "false", "False") and not _cached_on_hub(name):
            raise ModelUnavailable(f"モデル {name} がこのマシンにありません（ビルド中はダウンロードしません）")
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise ModelUnavailable(f"sentence-transformers を読み込めません（{error}）") from error
    try:
        model = SentenceTransformer(str(local) if local.exists() else name, device="cpu")
    except Exception as error:  # any failure inside a third-party loader means "no model", never a failed build
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ModelUnavailable(f"モデル {name} を読み込めませんでした（{type(error).__name__}: {first_line}）") from error
    return Embedder(name, model)
