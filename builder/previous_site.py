"""Take the files that did not change from the site the last ``build`` made, instead of writing them again (issue 12).

``build`` makes the new site in a folder beside the old one and swaps them at the end
(builder/sitebuild.py), and ``serve`` empties its folder before each build (its last
build is moved aside first, ``set_aside``), so MkDocs would write every file again: at 1,000 cases 50 MB of
theme assets, model and search files and 50 MB of pages, mostly the same bytes as last
time. Here a file whose output is byte for byte the old site's file is hard-linked from
it. Only bytes are compared (or their SHA-256), never dates; only regular files of the
old site are linked, never what a link points to. Nothing writes to a linked file
afterwards: static files are linked just before MkDocs would copy them (not the theme's
own templates, which it writes later), pages once MkDocs has written everything. The old
site goes once the new one is in place, so the two never share a file that changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from builder import safefiles

if TYPE_CHECKING:
    from mkdocs.structure.files import Files

    from builder.generate.pipeline import OutputFile

ENV = "DXNAVI_PREVIOUS_SITE"  # build -> its MkDocs: the site being replaced


def not_copied(dirty: bool = False) -> None:
    """Stands in for ``File.copy_file`` of a file put in place otherwise: linked from the previous
    site, or written once MkDocs is done (``write_files``, or ``build``)."""


class PreviousSite:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def handed(cls, site_dir: Path) -> PreviousSite | None:
        """The site ``build`` is replacing, if it said so (a plain ``mkdocs build`` or ``serve`` has none)."""
        previous = os.environ.get(ENV)
        if not previous or not Path(previous).is_dir() or Path(previous).resolve() == site_dir.resolve():
            return None
        return cls(Path(previous))

    @classmethod
    def set_aside(cls, site_dir: Path) -> PreviousSite | None:
        """For ``serve``, which builds into one folder that MkDocs empties first: move the last build beside it.

        The folder is made again, empty, with the same permissions; ``remove`` drops the old files once
        the build is done. None when there is nothing to keep (the first build).
        """
        aside = site_dir.with_name(site_dir.name + ".previous")
        shutil.rmtree(aside, ignore_errors=True)  # left by a build that was stopped
        try:
            if not any(site_dir.iterdir()):
                return None
            mode = site_dir.stat().st_mode & 0o7777
            site_dir.rename(aside)
            site_dir.mkdir(mode=mode)
        except OSError:
            return None  # the files stay where they are: MkDocs empties the folder and writes them all
        return cls(aside)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _read(self, dest_uri: str) -> bytes | None:
        try:
            with safefiles.open_regular(self.folder / dest_uri) as handle:  # never a link, FIFO or device
                return handle.read()
        except (OSError, safefiles.Refused):
            return None

    def holds(self, dest_uri: str, digest: str) -> bool:
        """Whether the old site's file at ``dest_uri`` has these bytes (by their SHA-256)."""
        data = self._read(dest_uri)
        return data is not None and hashlib.sha256(data).hexdigest() == digest

    def link(self, dest_uri: str, target: Path) -> bool:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(self.folder / dest_uri, target, follow_symlinks=False)
        except OSError:
            return False  # another file system, a file gone...: the caller writes it
        return True

    def link_same(self, dest_uri: str, data: bytes, target: Path) -> bool:
        """Link the old site's file to ``target`` if it holds ``data``; False: the caller writes it."""
        return self._read(dest_uri) == data and self.link(dest_uri, target)

    def link_static_files(self, files: Files, written_later: set[str]) -> int:
        """Link the static files whose bytes the old site has; how many were linked.

        ``written_later``: output paths MkDocs writes after the static files (the theme's
        templates): writing one would change the old site's file through the link.
        """
        linked = 0
        for file in files:
            if file.is_documentation_page() or not file.inclusion.is_included() or file.dest_uri in written_later:
                continue
            try:
                data = file.content_bytes
            except OSError:
                continue  # MkDocs reports it when it copies
            if not self.link_same(file.dest_uri, data, Path(file.abs_dest_path)):
                continue
            file.copy_file = not_copied  # type: ignore[method-assign]  # copying would write through the link into the old site
            linked += 1
        return linked


def write_files(outputs: list[OutputFile], site_dir: Path, previous: PreviousSite | None) -> None:
    """Put generated files MkDocs never saw into the site (pipeline.Later's, after the pages), linked where unchanged."""
    for output in outputs:
        data = output.content.encode("utf-8") if isinstance(output.content, str) else output.content
        target = site_dir / output.path
        if previous is not None and previous.link_same(output.path, data, target):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
