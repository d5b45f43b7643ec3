"""Remember ``check``'s verdict on each file, so a rebuild after one edit checks one file again (issue 12).

A file's problems and its validated document depend only on its bytes, its path, whether
it is a case or a page, the taxonomy's files and the builder's code (with the versions of
pydantic and PyYAML). ``CheckCache.key`` hashes all of these, content and never mtimes, so
an entry is used only for the very same inputs; any change to the code checks every file
again. The problems are kept too, so a reused verdict prints its warnings like a fresh one.

Entries are JSON, never pickles: the cache sits in the project folder, and nothing there
may be able to run code. An entry is stored only if it reads back equal to what the check
found, so a document JSON cannot carry (a draft whose front matter holds a date...) is
simply checked again next time. The cache is one SQLite file beside the page cache,
written once at the end of the check; a read-only or broken one costs speed, never a check.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from pydantic import BaseModel

from builder import cache_db, incremental, rules, safefiles
from builder.diagnostics import Problem
from builder.embedding.settings import for_project
from builder.models import PAGE_TYPES, Case
from builder.project import Project
from builder.taxonomy import DIRECTORY, FILES
from builder.validate import Draft, Entry  # validate imports this module only inside check_project

FORMAT = "dxnavi-checks-1"  # bump when an entry's meaning changes
LIBRARIES = ("pydantic", "pydantic-core", "PyYAML")
CHECKS = "checks.sqlite"  # in the cache folder, beside pages.sqlite
MODELS = {model.__name__: model for model in (Case, *PAGE_TYPES.values())}

Verdict = tuple[Entry | Draft | None, list[Problem]]


def _inputs_key(root: Path) -> str | None:
    """The code, the libraries and the taxonomy files; None when a taxonomy file cannot be read."""
    digest = hashlib.sha256(FORMAT.encode())
    for name in LIBRARIES:
        digest.update(f"\0{name}={metadata.version(name)}".encode())
    incremental.hash_builder_code(digest)
    for filename in sorted(FILES.values()):
        try:
            with safefiles.open_regular(root / DIRECTORY / filename) as handle:
                digest.update(f"\0{filename}\0".encode() + handle.read())
        except (OSError, safefiles.Refused):
            return None
    return digest.hexdigest()


def _encode(verdict: Verdict) -> str:
    document, problems = verdict
    shown: dict | None = None
    if isinstance(document, Entry):
        model = type(document.model).__name__
        shown = {"entry": [document.rel, model, document.model.model_dump_json(), document.body, document.body_line, document.id_line]}
    elif isinstance(document, Draft):
        shown = {"draft": [document.rel, document.id, document.data, document.body]}
    listed = [[p.path, p.line, p.field, p.message, p.hint, p.rule.id, p.fixable] for p in problems]
    return json.dumps({"document": shown, "problems": listed}, ensure_ascii=False)


def _decode(text: str) -> Verdict:
    stored = json.loads(text)
    document: Entry | Draft | None = None
    shown = stored["document"]
    if shown and "entry" in shown:
        rel, model, data, body, body_line, id_line = shown["entry"]
        document = Entry(rel, MODELS[model].model_validate_json(data), body, body_line, id_line)
    elif shown:
        document = Draft(*shown["draft"])
    problems = [
        Problem(path, line, field, message, hint, rules.BY_ID[rule], fixable)
        for path, line, field, message, hint, rule, fixable in stored["problems"]
    ]
    return document, problems


# This process's last verdicts by key, and the cache file they are in: serve checks every file again
# on each save, and decoding them from the file was half of that check (1,000 cases: ~0.14 of 0.26 s).
_recent: tuple[Path, dict[str, Verdict]] | None = None

Job = tuple[Path, type[BaseModel] | None]  # a file and its model (None: a page, whose type says it)
BATCH = 500  # keys per SELECT (SQLite allows 999 parameters)


class CheckCache:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.stamp = time.time_ns()
        self.inputs = _inputs_key(project.root)
        self.path = for_project(project).with_environment(project.root).cache_dir / CHECKS
        self.used: list[str] = []
        self.new: list[tuple[str, int, str]] = []  # written by close()

    def _connect(self) -> sqlite3.Connection | None:
        """Opened for each use, never held while the check forks its workers (a connection must not cross a fork)."""
        if self.inputs is None:
            return None
        return cache_db.connect(self.path, "CREATE TABLE IF NOT EXISTS checks (key TEXT PRIMARY KEY, stamp INTEGER NOT NULL, verdict TEXT NOT NULL)")

    def key(self, job: Job) -> str | None:
        """The hash of the file's inputs as they are now; None when it cannot be read (the check says why)."""
        file, model = job
        try:
            with safefiles.open_regular(file) as handle:
                content = handle.read()
        except (OSError, safefiles.Refused):
            return None
        kind = model.__name__ if model else "page"
        digest = hashlib.sha256(f"{self.inputs}\0{self.project.rel(file)}\0{kind}\0".encode())
        digest.update(content)
        return digest.hexdigest()

    def verdicts(self, jobs: list[Job], run: Callable[[list[Job]], list[Verdict]]) -> list[Verdict]:
        """The verdict on each job's file: the kept one for an unchanged file, else ``run``'s on the others (kept for next time)."""
        if self.inputs is None:
            return run(jobs)
        global _recent
        keys = [self.key(job) for job in jobs]
        recent = _recent[1] if _recent is not None and _recent[0] == self.path else {}
        found = {i: recent[key] for i, key in enumerate(keys) if key is not None and key in recent}
        self.used += [key for key in keys if key is not None and key in recent]
        found.update(self._kept([None if i in found else key for i, key in enumerate(keys)]))
        missing = [i for i in range(len(jobs)) if i not in found]
        for i, verdict in zip(missing, run([jobs[i] for i in missing])):
            found[i] = verdict
            key = keys[i]
            try:
                text = _encode(verdict)
                if key is not None and _decode(text) == verdict:
                    self.new.append((key, self.stamp, text))
            except (ValueError, TypeError, KeyError):
                pass
        _recent = (self.path, {key: found[i] for i, key in enumerate(keys) if key is not None})
        return [found[i] for i in range(len(jobs))]

    def _kept(self, keys: list[str | None]) -> dict[int, Verdict]:
        index = {key: i for i, key in enumerate(keys) if key is not None}
        db = self._connect() if index else None
        if db is None:
            return {}
        wanted = list(index)
        kept: dict[int, Verdict] = {}
        rows: list[tuple[str, str]] = []
        try:
            for start in range(0, len(wanted), BATCH):
                batch = wanted[start : start + BATCH]
                rows += db.execute(f"SELECT key, verdict FROM checks WHERE key IN ({','.join('?' * len(batch))})", batch).fetchall()
        except sqlite3.Error:
            pass
        finally:
            db.close()
        for key, text in rows:
            try:
                kept[index[key]] = _decode(text)
            except (ValueError, TypeError, KeyError):
                continue  # another version's entry, or a damaged one: checked again
            self.used.append(key)
        return kept

    def close(self, prune: bool) -> None:
        """Save the new verdicts; ``prune`` (a check of every file): drop the verdicts on files that are gone."""
        db = self._connect()
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO checks VALUES (?, ?, ?)", self.new)
                db.executemany("UPDATE checks SET stamp = ? WHERE key = ?", ((self.stamp, k) for k in self.used))
                if prune:
                    db.execute("DELETE FROM checks WHERE stamp != ?", (self.stamp,))
        except sqlite3.Error:
            pass
        finally:
            db.close()
