"""Where things are in a project checkout: cases/, pages/, taxonomy/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def cases_dir(self) -> Path:
        return self.root / "cases"

    @property
    def pages_dir(self) -> Path:
        return self.root / "pages"

    def rel(self, file: Path) -> str:
        """Path for messages: relative to the root when inside it, as given otherwise."""
        try:
            return file.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return file.as_posix()

    def is_page(self, file: Path) -> bool:
        return self.pages_dir.resolve() in file.resolve().parents

    def documents(self, files: list[Path] | None = None) -> tuple[list[Path], list[Path]]:
        """(case files, page files): the given files, or every .md under cases/ and pages/."""
        if files is None:
            files = [self.cases_dir, self.pages_dir]
        # Folders stand for the Markdown files in them (check cases/).
        files = [f for path in files for f in (sorted(path.rglob("*.md")) if path.is_dir() else [path])]
        cases = [f for f in files if not self.is_page(f)]
        pages = [f for f in files if self.is_page(f)]
        return cases, pages
