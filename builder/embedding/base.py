"""What every embedding engine provides."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np


class EngineUnavailable(Exception):
    """The engine cannot run here; the message says why, in Japanese, for the build log and the pages."""


class Encoder(Protocol):
    engine: str  # the setting's name, e.g. "use-multilingual"
    model: str  # what a reader is told ran
    fingerprint: str  # changes whenever the vectors would: part of the cache key
    dims: int
    max_chars: int  # longer texts are embedded as passages (see builder.embedding.passages)

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised float32 row per text (prefixes already applied)."""
        ...


@dataclass(frozen=True)
class ModelFiles:
    """A model's files in the cache, made once per machine: the ONNX graph, its tokenizer, and their manifest."""

    folder: Path
    manifest: dict
    tokenizer_name: str

    @property
    def onnx_path(self) -> Path:
        return self.folder / "model.onnx"

    @property
    def tokenizer_path(self) -> Path:
        return self.folder / self.tokenizer_name
