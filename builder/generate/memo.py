"""What a stage made of one text, kept between builds (issue 12).

A rebuild after one edit should not redo per-text work for the texts that did not change. Four
stages keep theirs, each in a file of its own in the cache folder (1,000 cases, one process):
- the keyword index (``search-texts.sqlite``): each text folded (the PDF repairs, NFKC, lower
  case) and where its words meet kanji/kana runs: 1.31 → 0.99 s; each case's display data
  compressed (search_shards.packed): 0.05 s more;
- the index pages (``table-rows.sqlite``): each row of their case tables as HTML (table_html), over
  half of the stage's time;
- the case pages (``case-terms.sqlite``): the glossary terms in each case's text: 0.23 → 0.11 s;
- the open data (``open-data.sqlite``): each case's CSV row and each block of cases deflated:
  0.15 → 0.07 s (an edit deflates its block again).

Rows are (BLAKE2b of the kind and the text, result), and a version row holds the hash of all the
builder's code, builder/generate/ included (any change empties the file). A kind names whatever else the result depends on.
Results are text, never pickles: the cache may sit in the project folder, and nothing there may
run code. A read-only or broken file costs speed, never the build.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

from builder import cache_db, incremental

FORMAT = "dxnavi-memo-1"
_VERSION_KEY = b"version"


@functools.cache  # once per process: three stages open a memo on every build
def _version() -> str:
    """The hash of every module of the builder: the folding, joints, rows and terms are made in builder/generate/."""
    digest = hashlib.sha256(FORMAT.encode())
    incremental.hash_builder_package(digest)
    return digest.hexdigest()


class Memo:
    """``get(kind, text, make)``: ``make(text)``, kept from an earlier build when it made the same."""

    def __init__(self, folder: Path | None, name: str) -> None:
        self.path = folder / name if folder is not None else None
        self.version = _version()
        self.kept: dict[bytes, str] = {}
        self.new: dict[bytes, str] = {}
        self.used: set[bytes] = set()
        self.stored = 0  # rows in the file, of any version
        self._load()

    def _connect(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        return cache_db.connect(self.path, "CREATE TABLE IF NOT EXISTS memo (key BLOB PRIMARY KEY, value TEXT NOT NULL)")

    def _load(self) -> None:
        db = self._connect()
        if db is None:
            return
        try:
            rows = dict(db.execute("SELECT key, value FROM memo").fetchall())
        except sqlite3.Error:
            rows = {}
        finally:
            db.close()
        self.stored = len(rows)
        if rows.pop(_VERSION_KEY, None) == self.version:
            self.kept = {key: value for key, value in rows.items() if isinstance(key, bytes) and isinstance(value, str)}

    def get(self, kind: str, text: str, make: Callable[[str], str]) -> str:
        key = hashlib.blake2b(f"{kind}\0{text}".encode(), digest_size=16).digest()
        found = self.kept.get(key)
        if found is not None:
            self.used.add(key)
            return found
        made = self.new[key] = make(text)
        return made

    def save(self) -> None:
        """Add what this build made; when most rows went unused (texts edited away, older code), keep only the used ones."""
        prune = len(self.used) * 2 < self.stored
        if not self.new and not prune:
            return
        db = self._connect()
        if db is None:
            return
        rows = {**{key: self.kept[key] for key in self.used}, **self.new} if prune else self.new
        try:
            with db:
                if prune:
                    db.execute("DELETE FROM memo")
                db.execute("INSERT OR REPLACE INTO memo VALUES (?, ?)", (_VERSION_KEY, self.version))
                db.executemany("INSERT OR REPLACE INTO memo VALUES (?, ?)", rows.items())
        except sqlite3.Error:
            pass
        finally:
            db.close()
