"""A cache folder that git tracks came with the repository, not from our builds: never read it.

The caches under ``.cache/dxnavi/`` are trusted inputs: ``check`` reuses their verdicts, the
build reuses their HTML, model files and vectors. A pull request that commits a forged cache
(``git add -f``; the folder is in .gitignore) could pass a broken case through ``check`` or put
unsanitised HTML into the site. So when git tracks any file in the configured cache folder, the
builder uses a private folder outside the project instead (same behaviour, cold caches), and
``check`` reports the tracked files as an error with how to remove them.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
import subprocess
import tempfile
from pathlib import Path

from builder import rules
from builder.diagnostics import Problem


@functools.cache
def tracked_files(root: Path, folder: Path) -> tuple[str, ...]:
    """Files under ``folder`` that git tracks in the checkout at ``root`` (relative to it); none outside a checkout."""
    try:
        inside = folder.resolve().relative_to(root.resolve())
    except ValueError:
        return ()  # a cache outside the project never came with it
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", inside.as_posix() or "."],
            capture_output=True, check=True, timeout=30,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return ()  # no git, or not a checkout: nothing was merged into this folder
    return tuple(sorted(name for name in listed.decode("utf-8", "replace").split("\0") if name))


def usable(root: Path, folder: Path) -> Path:
    """``folder``, or a private folder outside the project when git tracks files in it."""
    return private_folder(root) if tracked_files(root, folder) else folder


@functools.cache
def private_folder(root: Path) -> Path:
    """This user's folder for the project's caches in the system's temporary folder (kept between builds).

    Its name can be guessed, so another user could have made it first, with forged caches in it:
    it is used only if it is a folder of ours that nobody else may write to; else a fresh one.
    """
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"dxnavi-cache-{os.getuid()}-{digest}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022:
            return folder
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="dxnavi-cache-"))  # cold caches, for this process only


def problems(root: Path, folder: Path) -> list[Problem]:
    """One error naming the tracked cache files, with how to take them out of the repository."""
    files = tracked_files(root, folder)
    if not files:
        return []
    inside = folder.resolve().relative_to(root.resolve()).as_posix()
    shown = "、".join(files[:3]) + ("ほか" if len(files) > 3 else "")
    return [
        Problem(
            files[0],
            1,
            "ファイル",
            f"ビルドのキャッシュ（{inside}/）のファイルがリポジトリに含まれています（{shown}、{len(files)} 個）。"
            "リポジトリから来たキャッシュは信用できないため使いません",
            f"git rm -r --cached {inside} でリポジトリから外してください（手元のファイルは残ります）",
            rules.TRACKED_CACHE,
        )
    ]
