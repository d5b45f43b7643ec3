"""Reading only regular files inside the project, whatever a pull request adds.

A pull request can add anything git can hold, and CI builds and uploads it.
A symlink (even to a valid case), a FIFO (opening one blocks forever), a
device (opening one can have side effects), a socket, or a path that leaves
the project is never opened, followed or published: every reader asks
``refusal`` (or uses ``walk``/``open_regular``) first, and ``check`` reports
each such entry at line 1 of its own path. Messages never name a link's target.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from builder import rules
from builder.diagnostics import Problem

SYMLINK, FIFO, DEVICE, SOCKET, SPECIAL, OUTSIDE = "symlink", "fifo", "device", "socket", "special", "outside"

_WHAT = {
    SYMLINK: "シンボリックリンクです（リンク先は読みません）",
    FIFO: "名前付きパイプ(FIFO)です（読みません）",
    DEVICE: "デバイスファイルです（読みません）",
    SOCKET: "ソケットです（読みません）",
    SPECIAL: "通常のファイルではありません（読みません）",
    OUTSIDE: "プロジェクトの外を指しています（読みません）",
}

# What the entry should have been, by the top-level folder it is in.
_CONTENT = {"cases": "事例の内容", "pages": "ページの内容", "taxonomy": "一覧の内容"}


@dataclass(frozen=True)
class Refusal:
    path: Path  # the offending entry: the file itself, or the link or special file on the way to it
    kind: str

    def problem(self, rel: str) -> Problem:
        return problem(rel, self.kind)


class Refused(OSError):
    """Raised by ``open_regular`` instead of opening something that is not a regular file."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def problem(rel: str, kind: str, *, line: int = 1, field: str = "ファイル") -> Problem:
    """The entry at ``rel`` (or, with ``field``, a setting in the file ``rel`` pointing elsewhere)."""
    content = _CONTENT.get(rel.split("/", 1)[0], "内容")
    if kind == SYMLINK:
        hint = f"リンクではなく、{content}を書いた通常のファイル（フォルダなら、ファイルを入れた通常のフォルダ）として追加してください"
    elif kind == OUTSIDE:
        hint = "プロジェクトのフォルダの中のフォルダ・ファイルを指定してください"
    else:
        hint = f"削除して、{content}を書いた通常のファイルとして追加してください"
    rule = {SYMLINK: rules.SYMLINK, OUTSIDE: rules.OUTSIDE_PROJECT}.get(kind, rules.SPECIAL_FILE)
    return Problem(rel, line, field, _WHAT[kind], hint, rule)


def kind_of(mode: int) -> str | None:
    """None for a regular file or a directory; otherwise what it is."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        return SYMLINK
    if stat.S_ISFIFO(mode):
        return FIFO
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return DEVICE
    if stat.S_ISSOCK(mode):
        return SOCKET
    return SPECIAL


def root_forms(root: Path) -> tuple[Path, ...]:
    """The root as given (made absolute) and as resolved: ``below`` matches a path against both."""
    return tuple(dict.fromkeys((Path(os.path.abspath(root)), root.resolve())))


def below(root: Path, path: Path, forms: tuple[Path, ...] | None = None) -> tuple[Path, tuple[str, ...]] | None:
    """(root as matched, the path's parts below it), compared without following any link.

    ``forms`` are the root's ``root_forms``, for a caller placing many paths (resolving the root
    each time was a tenth of ``check``); by default they are worked out now.
    """
    absolute = Path(os.path.abspath(path))
    for base in forms or root_forms(root):
        try:
            return base, absolute.relative_to(base).parts
        except ValueError:
            continue
    return None


def refusal(root: Path, path: Path, *, outside_ok: bool = False) -> Refusal | None:
    """Why ``path`` must not be read, or None: a regular file (or folder, or nothing) reached
    from ``root`` through real folders only. ``outside_ok`` is for paths a person named on the
    command line: outside the project, only the entry itself is checked."""
    found = below(root, path)
    if found is None:
        if not outside_ok:
            return Refusal(path, OUTSIDE)
        try:
            kind = kind_of(os.lstat(path).st_mode)
        except OSError:
            return None  # missing: the reader says so
        return Refusal(path, kind) if kind else None
    current, parts = found
    for part in parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except OSError:
            return None  # missing: the reader says so
        kind = kind_of(mode)
        if kind:
            return Refusal(current, kind)
    return None


def walk(root: Path, folder: Path, *, outside_ok: bool = False) -> tuple[list[Path], list[Refusal]]:
    """Every regular file under ``folder`` (sorted), and every entry that must not be read.

    Links to folders are reported, never entered (``Path.rglob`` would skip them silently).
    """
    refused = refusal(root, folder, outside_ok=outside_ok)
    if refused:
        return [], [refused]
    files: list[Path] = []
    refusals: list[Refusal] = []
    pending = [folder]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            path = Path(entry.path)
            mode = entry.stat(follow_symlinks=False).st_mode
            kind = kind_of(mode)
            if kind:
                refusals.append(Refusal(path, kind))
            elif stat.S_ISDIR(mode):
                pending.append(path)
            else:
                files.append(path)
    return sorted(files), sorted(refusals, key=lambda r: r.path)


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading; raise ``Refused`` for anything else, without opening it.

    The lstat comes first because opening a FIFO blocks and opening a device can act on it;
    O_NOFOLLOW and the fstat afterwards close the gap if the entry is swapped in between.
    """
    mode = os.lstat(path).st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(path)
    kind = kind_of(mode)
    if kind:
        raise Refused(kind)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise Refused(SYMLINK) from exc
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise Refused(kind_of(mode) or SPECIAL)
    return os.fdopen(fd, "rb")
