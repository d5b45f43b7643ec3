"""Choose and load the engine the settings name."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from builder.embedding import settings as s
from builder.embedding.base import EngineUnavailable
from builder.embedding.embedder import Embedder


@functools.lru_cache(maxsize=4)
def _encoder(engine: str, model: str, cache_dir: Path, root: Path):  # type: ignore[no-untyped-def]
    # Cached per process: mkdocs serve reloads the plugin on every change, and loading
    # a model takes seconds where re-embedding the one case that changed does not.
    if engine == s.USE:
        from builder.embedding import use

        return use.load(cache_dir)
    if engine == s.SENTENCE_TRANSFORMERS:
        from builder.embedding import st

        return st.load(model, base=root)
    if engine == s.NONE:
        raise EngineUnavailable("埋め込みモデルを使わない設定です（engine: none）")
    raise EngineUnavailable(f"埋め込みエンジン「{engine}」はありません（使えるのは {'、'.join(s.ENGINES)}）")


def load(settings: s.EmbeddingSettings, root: Path, *, engine_from_environment: bool = True) -> Embedder:
    """The configured engine, ready to embed; ``EngineUnavailable`` says why not.

    ``engine_from_environment=False`` keeps the settings' engine and model over
    DXNAVI_ENGINE / DXNAVI_MODEL (an evaluation compares named engines); the cache
    folder still follows DXNAVI_CACHE.
    """
    resolved = settings.with_environment(root)
    if not engine_from_environment:
        resolved = replace(resolved, engine=settings.engine, model=settings.model)
    encoder = _encoder(resolved.engine, resolved.model, resolved.cache_dir, root)
    return Embedder(encoder, resolved, resolved.cache_dir / "embeddings.sqlite3")


def import_runtime(settings: s.EmbeddingSettings, root: Path) -> None:
    """Import the configured engine's libraries in this thread: for a caller that would only wait
    otherwise, so that ``preload``'s thread then runs mostly outside the interpreter. Not torch
    (sentence-transformers): it takes seconds, which the thread overlaps with the stages."""
    if settings.with_environment(root).engine != s.USE:
        return
    from builder.embedding import use

    try:
        use.import_runtime()
    except ImportError:
        pass  # availability() says why


def preload(settings: s.EmbeddingSettings, root: Path) -> None:
    """Load the configured engine's model into this process's cache, so ``load`` finds it.

    For a thread started early (the MkDocs plugin): loading a model mostly runs outside the
    interpreter. Only the model: the embedder's vector cache is opened by the thread that uses it.
    """
    resolved = settings.with_environment(root)
    try:
        _encoder(resolved.engine, resolved.model, resolved.cache_dir, root)
    except EngineUnavailable:
        pass  # availability() says why


@dataclass(frozen=True)
class Availability:
    """What the build's stages get: the embedder, or why there is none (said in the log and on the pages)."""

    embedder: Embedder | None
    reason: str  # why it is unavailable; empty when it loaded


def availability(settings: s.EmbeddingSettings, root: Path) -> Availability:
    try:
        return Availability(load(settings, root), "")
    except EngineUnavailable as error:
        return Availability(None, str(error))


class Deferred:
    """An ``Availability`` made when a stage first asks for it (``resolved``).

    The MkDocs plugin loads the model in a thread; the stages that need no model run while it loads.
    """

    def __init__(self, make: Callable[[], Availability]) -> None:
        self._make: Callable[[], Availability] | None = make
        self._value: Availability | None = None

    def get(self) -> Availability:
        if self._make is not None:
            self._value, self._make = self._make(), None
        assert self._value is not None
        return self._value


def resolved(semantic: Availability | Deferred | None) -> Availability | None:
    return semantic.get() if isinstance(semantic, Deferred) else semantic
