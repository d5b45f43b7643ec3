"""An engine with its settings and cache: what the build stages use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from builder.embedding import cache as vector_cache
from builder.embedding.base import Encoder
from builder.embedding.settings import EmbeddingSettings
from builder.textnorm import fold

if TYPE_CHECKING:
    import numpy as np


class Embedder:
    """Adds prefixes, normalises text as the browser does, and encodes only what the cache lacks."""

    def __init__(self, encoder: Encoder, settings: EmbeddingSettings, cache_path: Path | None) -> None:
        self.encoder = encoder
        self.settings = settings
        self.cache = vector_cache.VectorCache(cache_path, encoder.dims)
        self.encoded_texts = 0  # how many texts reached the model (tests count re-embedding)

    @property
    def engine(self) -> str:
        return self.encoder.engine

    @property
    def model(self) -> str:
        return self.encoder.model

    @property
    def dims(self) -> int:
        return self.encoder.dims

    def documents(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.settings.document_prefix + fold(t) for t in texts])

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.settings.query_prefix + fold(t) for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        keys = [vector_cache.key(f"{self.engine}\0{self.encoder.fingerprint}", t) for t in texts]
        found = self.cache.get(keys)
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            text_of = dict(zip(keys, texts))
            vectors = self.encoder.encode([text_of[k] for k in missing])
            self.encoded_texts += len(missing)
            fresh = dict(zip(missing, vectors))
            self.cache.put(fresh)
            found.update(fresh)
        return np.stack([found[k] for k in keys]).astype(np.float32)
