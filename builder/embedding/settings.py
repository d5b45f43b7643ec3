"""The one typed setting that chooses the engine (mkdocs.yml, with environment overrides)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from builder import tracked_cache

if TYPE_CHECKING:
    from builder.project import Project

USE = "use-multilingual"
SENTENCE_TRANSFORMERS = "sentence-transformers"
NONE = "none"
ENGINES = (USE, SENTENCE_TRANSFORMERS, NONE)
DOCUMENT_FIELDS = ("title", "keywords", "summary", "interview", "body")

ENGINE_ENV = "DXNAVI_ENGINE"
MODEL_ENV = "DXNAVI_MODEL"
CACHE_ENV = "DXNAVI_CACHE"


@dataclass(frozen=True)
class EmbeddingSettings:
    engine: str = USE
    model: str = ""  # sentence-transformers: a Hugging Face name or a folder
    query_prefix: str = ""  # e.g. "query: " for e5, "検索クエリ: " for ruri
    document_prefix: str = ""
    fields: tuple[str, ...] = DOCUMENT_FIELDS
    cache_dir: Path = field(default=Path(".cache/dxnavi"))

    def with_environment(self, root: Path) -> EmbeddingSettings:
        """DXNAVI_ENGINE / DXNAVI_MODEL / DXNAVI_CACHE win over mkdocs.yml; the cache is relative to the project."""
        engine = os.environ.get(ENGINE_ENV, self.engine).strip() or NONE
        model = os.environ.get(MODEL_ENV, self.model).strip()
        if MODEL_ENV in os.environ and ENGINE_ENV not in os.environ and model:
            engine = SENTENCE_TRANSFORMERS  # naming a model means sentence-transformers
        return replace(self, engine=engine, model=model, cache_dir=tracked_cache.usable(root, self.configured_cache(root)))

    def configured_cache(self, root: Path) -> Path:
        """The cache folder as configured (DXNAVI_CACHE wins), relative to the project; with_environment() may not use it."""
        cache = Path(os.environ.get(CACHE_ENV, str(self.cache_dir))).expanduser()
        return cache if cache.is_absolute() else root / cache


def for_project(project: Project) -> EmbeddingSettings:
    """The settings mkdocs.yml gives the plugin, for what runs without MkDocs (check, make bench); defaults elsewhere."""
    options = project.embedding_options()
    text = {key: value for key in ("engine", "model", "query_prefix", "document_prefix") if isinstance(value := options.get(key), str)}
    fields, cache = options.get("fields"), options.get("cache_dir")
    return EmbeddingSettings(
        **text,
        **({"fields": tuple(fields)} if isinstance(fields, list) else {}),
        **({"cache_dir": Path(cache)} if isinstance(cache, str) and cache else {}),
    )
