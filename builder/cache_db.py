"""The SQLite files of the cache folder: opened, with their table, or not at all."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect(path: Path, table: str) -> sqlite3.Connection | None:
    """``path`` with ``table`` (its CREATE TABLE IF NOT EXISTS statement); None when it cannot be opened:
    a read-only or full disk, or a file that is not a database, costs speed, never the build."""
    db = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30)
        db.execute(table)
    except (OSError, sqlite3.Error):
        if db is not None:
            db.close()
        return None
    return db
