"""Reuse the HTML of pages whose inputs did not change, so a rebuild after one edit renders few pages (issue 12).

A page's HTML depends on its own Markdown, on what all pages share (the MkDocs
configuration, the theme and the project's overrides of it, the installed renderers,
the builder's code that runs on the HTML) and on which of the files it links to
exist: MkDocs rewrites a link to an existing file and warns about any other.
``site_key`` hashes the shared part and ``PageCache.key`` adds the page, so an entry
is reused only for the very same inputs (nothing is trusted by mtime), and only while
every file it links to is still there. Only pages rendered without a warning are
kept, so reusing one never hides a warning from a ``--strict`` build: a link that
lost its target renders again. The cache is one SQLite file beside the embedding
cache (``.cache/dxnavi/``), written once at the end of a build that succeeded; it
never points into a built site.

``PageReuse`` is what the MkDocs plugin calls: a reused page is neither converted
nor put through the theme's templates. When the site being replaced has the page's
file byte for byte (by SHA-256), it is linked from there (builder/previous_site.py:
50 MB less to write at 1,000 cases); else MkDocs writes the kept HTML.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import posixpath
import re
import sqlite3
import time
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    from builder.previous_site import PreviousSite

log = logging.getLogger("mkdocs.plugins.dxnavi")
FORMAT = "dxnavi-pages-3"  # bump when an entry's meaning changes
RENDERERS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "nh3")
# The builder's top-level modules hold what shapes a page's HTML after its Markdown (the plugin, sanitising,
# compacting...); builder/generate/ only makes the Markdown, which is in each page's own key.
BUILDER = Path(__file__).resolve().parent
KEPT_SITES = 2  # a build's and a preview's pages differ (site_url); neither evicts the other
# A reused page goes through this empty template; post_page then hands MkDocs the kept HTML.
REUSED_TEMPLATE = "dxnavi-reused.html"


def _hash_files(digest: Any, folder: Path, paths: list[Path]) -> None:
    for path in sorted(paths):
        digest.update(f"\0{path.relative_to(folder).as_posix()}\0".encode())
        digest.update(path.read_bytes())


def hash_builder_code(digest: Any) -> None:
    """Add the builder's top-level modules: a change to any of them may change what they make."""
    _hash_files(digest, BUILDER, list(BUILDER.glob("*.py")))


def hash_builder_package(digest: Any) -> None:
    """Add every module of the builder, its stages' too (for what a stage made: builder.generate.memo)."""
    _hash_files(digest, BUILDER, list(BUILDER.rglob("*.py")))


def site_key(config_file: Path, settings: Any, theme_folders: list[Path]) -> str:
    """What every page's HTML depends on besides its Markdown and its links.

    ``settings``: the resolved values of the configuration a page sees (site_url, extra...).
    """
    digest = hashlib.sha256(FORMAT.encode())
    for name in RENDERERS:
        digest.update(f"\0{name}={metadata.version(name)}".encode())
    digest.update(config_file.read_bytes())
    digest.update(json.dumps(settings, sort_keys=True, default=str, ensure_ascii=False).encode())
    hash_builder_code(digest)
    for folder in theme_folders:
        _hash_files(digest, folder, [p for p in folder.rglob("*") if p.is_file()])
    return digest.hexdigest()


_LINK = re.compile(r'(?:href|src)="([^"]*)"')


def linked_files(html: str, page_url: str, urls: set[str]) -> list[str]:
    """The files of the site (by URL) that a page's converted Markdown links to."""
    folder = posixpath.dirname(page_url)
    targets = (_target(folder, link) for link in set(_LINK.findall(html)))  # a listing repeats its links
    return sorted(target for target in targets if target is not None and target in urls)


@functools.lru_cache(maxsize=1 << 16)  # pages of one folder share most links (categories, prefectures …)
def _target(folder: str, link: str) -> str | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    return posixpath.normpath(posixpath.join(folder, unquote(parts.path)))


@dataclass(frozen=True)
class Entry:
    """What other pages' checks read from a page as MkDocs wrote it, and which bytes it wrote."""

    anchors: list[str]  # the ids a link to this page may name
    links: dict[str, dict[str, str]]  # links to anchors of other pages: {source: {anchor: link}}, checked again each build
    targets: list[str]  # URLs of the files it links to: it is rendered again when one is gone
    sha256: str  # of the page's file, to find it unchanged in the previous site


@dataclass(frozen=True)
class Kept:
    entry: Entry
    html: bytes  # the page's file, compressed (decompressed only when it is not linked from the previous site)


def written(html: str) -> bytes:
    """The bytes MkDocs writes for a page's HTML (mkdocs.commands.build._build_page)."""
    return html.encode("utf-8", errors="xmlcharrefreplace")


class PageCache:
    COLUMNS = ("key", "site", "stamp", "entry", "html")

    def __init__(self, path: Path, site: str) -> None:
        self.site = site
        self.stamp = time.time_ns()
        self.used: list[str] = []
        self.new: list[tuple[str, str, int, bytes, bytes]] = []  # written by close(): a build holds no lock while it renders
        self._db: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30)
            if [row[1] for row in self._db.execute("PRAGMA table_info(pages)")] not in ([], list(self.COLUMNS)):
                self._db.execute("DROP TABLE pages")  # an older version's table
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS pages"
                " (key TEXT PRIMARY KEY, site TEXT NOT NULL, stamp INTEGER NOT NULL, entry BLOB NOT NULL, html BLOB NOT NULL)"
            )
        except (OSError, sqlite3.Error):
            self._db = None  # a read-only or full disk costs speed, never the build

    def key(self, source: str, content: bytes, sanitised: bool) -> str:
        digest = hashlib.sha256(f"{self.site}\0{source}\0{int(sanitised)}\0".encode())
        digest.update(content)
        return digest.hexdigest()

    def get(self, key: str) -> Kept | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT entry, html FROM pages WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        try:
            kept = Kept(Entry(**json.loads(row[0])), row[1])
        except (ValueError, TypeError):
            return None  # written by another version: rendered again
        self.used.append(key)
        return kept

    def put(self, key: str, entry: Entry, html: bytes) -> None:
        # Compressed: a page is mostly the theme's markup, and 10,000 cases make 20,000 pages.
        self.new.append((key, self.site, self.stamp, json.dumps(entry.__dict__, ensure_ascii=False).encode(), zlib.compress(html, 1)))

    def close(self, keep: bool) -> None:
        """``keep``: save this build's pages and drop the others (but the latest of another configuration's)."""
        if self._db is None:
            return
        try:
            if not keep:
                return
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)", self.new)
                self._db.executemany("UPDATE pages SET stamp = ? WHERE key = ?", ((self.stamp, k) for k in self.used))
                self._db.execute("DELETE FROM pages WHERE site = ? AND stamp != ?", (self.site, self.stamp))
                self._db.execute(
                    "DELETE FROM pages WHERE site NOT IN (SELECT site FROM pages GROUP BY site ORDER BY MAX(stamp) DESC LIMIT ?)",
                    (KEPT_SITES,),
                )
        except sqlite3.Error:
            pass
        finally:
            self._db.close()
            self._db = None


class PageReuse:
    """One build's reuse of kept pages, called from the MkDocs plugin's page events."""

    def __init__(self, cache: PageCache, files: Files, sanitised: set[str], previous: PreviousSite | None, reuse: bool = True) -> None:
        self.cache = cache
        self.reuse = reuse  # False: every page is rendered (and kept for a later build)
        self.files = files
        self.sanitised = sanitised
        self.previous = previous
        self.urls = {f.url for f in files}
        self.keys: dict[str, str] = {}  # page -> its key
        self.targets: dict[str, list[str]] = {}  # page -> URLs of the files it links to
        self.reused: dict[str, Kept] = {}
        self.to_link: dict[str, File] = {}  # reused pages the previous site has as they are: linked by finish()
        self.warnings = _PageWarnings()
        self.skipped = _LinkedPagesNotSkipped(self.to_link)
        logging.getLogger("mkdocs").addHandler(self.warnings)
        logging.getLogger("mkdocs.commands.build").addFilter(self.skipped)

    def pre_page(self, page: Page) -> Page | _Unchanged:
        """The page to convert, or a stand-in with nothing to convert when the kept HTML can be used."""
        source = page.file.src_uri
        key = self.keys[source] = self.cache.key(source, page.file.content_bytes, source in self.sanitised)
        kept = self.cache.get(key) if self.reuse else None
        if kept is None or not self.urls.issuperset(kept.entry.targets):
            self.warnings.page = source
            return page
        self.reused[source] = kept
        page.meta["template"] = REUSED_TEMPLATE
        # What MkDocs checks the links to anchors against, as the page's conversion gave it.
        page.present_anchor_ids = set(kept.entry.anchors)
        by_uri = self.files.src_uris  # the links were kept by src_uri: no path to normalise (get_file_from_path)
        targets = {source: by_uri.get(source) for source in kept.entry.links}
        page.links_to_anchors = {target: kept.entry.links[source] for source, target in targets.items() if target is not None}
        return _Unchanged(page.file)

    def converted(self, page: Page | _Unchanged, html: str) -> bool:
        """False for a reused page (its HTML is final); else notes what the converted Markdown links to."""
        self.warnings.page = None
        if isinstance(page, _Unchanged):
            return False
        self.targets[page.file.src_uri] = linked_files(html, page.url, self.urls)
        return True

    def rendering(self, page: Page) -> None:
        self.warnings.page = page.file.src_uri if page.file.src_uri not in self.reused else None

    def post_page(self, output: str, page: Page) -> str:
        """The page's HTML for MkDocs to write; nothing (MkDocs then writes no file) for a page to link from the previous site."""
        source = page.file.src_uri
        self.warnings.page = None
        kept = self.reused.get(source)
        if kept is not None:
            if self.previous is not None and self.previous.holds(page.file.dest_uri, kept.entry.sha256):
                self.to_link[source] = page.file
                return ""
            return zlib.decompress(kept.html).decode("utf-8")
        if source not in self.warnings.pages:  # a page with a warning is rendered again, so --strict sees it
            links = {target.src_uri: dict(anchors) for target, anchors in (page.links_to_anchors or {}).items()}
            data = written(output)
            entry = Entry(sorted(page.present_anchor_ids or ()), links, self.targets[source], hashlib.sha256(data).hexdigest())
            self.cache.put(self.keys[source], entry, data)
        return output

    def finish(self, keep: bool) -> None:
        """``keep``: the build succeeded; put the pages to link in place, save this build's pages."""
        logging.getLogger("mkdocs").removeHandler(self.warnings)
        logging.getLogger("mkdocs.commands.build").removeFilter(self.skipped)
        if keep:
            for source, file in self.to_link.items():
                assert self.previous is not None
                if not self.previous.link(file.dest_uri, Path(file.abs_dest_path)):
                    Path(file.abs_dest_path).write_bytes(zlib.decompress(self.reused[source].html))
            log.info("ページ: %d ページのうち %d ページは変わっていないため、前回の HTML を使いました。", len(self.keys), len(self.reused))
        self.cache.close(keep)


class _Unchanged:
    """Stands in for a reused page while MkDocs reads and converts Markdown: there is none to convert."""

    markdown = content = ""

    def __init__(self, file: File) -> None:
        self.file = file

    def read_source(self, config: Any) -> None:
        pass

    def render(self, config: Any, files: Any) -> None:
        pass


class _LinkedPagesNotSkipped(logging.Filter):
    """Drops MkDocs' note that it wrote no file for a page that is linked from the previous site instead."""

    def __init__(self, linked: dict[str, File]) -> None:
        super().__init__()
        self.linked = linked

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Page skipped: '") and message.split("'")[1] in self.linked)


class _PageWarnings(logging.Handler):
    """Which pages logged a warning while MkDocs converted or rendered them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.page: str | None = None
        self.pages: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if self.page is not None:
            self.pages.add(self.page)
