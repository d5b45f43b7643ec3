"""Embedding cache on disk, keyed by (engine, model fingerprint, text hash).

It lives outside ``site/`` (``.cache/dxnavi/`` by default, ignored by git), so a
rebuild, a ``serve`` reload or another checkout of the same machine embeds only
the texts that changed. SQLite: one file, safe when two builds share it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def key(fingerprint: str, text: str) -> str:
    return hashlib.sha256(f"{fingerprint}\0{text}".encode()).hexdigest()


class VectorCache:
    def __init__(self, path: Path | None, dims: int) -> None:
        self.dims = dims
        self._memory: dict[str, bytes] = {}
        self._db: sqlite3.Connection | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, timeout=30)
                self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
            except (OSError, sqlite3.Error):
                self._db = None  # a read-only or full disk costs speed, never the build

    def get(self, keys: list[str]) -> dict[str, np.ndarray]:
        import numpy as np

        found = {k: self._memory[k] for k in keys if k in self._memory}
        wanted = [k for k in keys if k not in found]
        if self._db is not None:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                found.update(rows)
        return {k: np.frombuffer(blob, dtype=np.float32) for k, blob in found.items() if len(blob) == 4 * self.dims}

    def put(self, items: dict[str, np.ndarray]) -> None:
        import numpy as np

        blobs = {k: np.asarray(v, dtype=np.float32).tobytes() for k, v in items.items()}
        self._memory.update(blobs)
        if self._db is not None:
            try:
                with self._db:
                    self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", blobs.items())
            except sqlite3.Error:
                pass  # as above: the memory cache still serves this process
