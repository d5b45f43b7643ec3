"""The theme's files in the site: the page scripts as one file, and none of Material's search.

Every page loaded the site's twelve page scripts with a <script> tag each: 0.8 KB of every
page and twelve requests. main.html loads one bundle instead, made here from the same files
(custom_dir's, as MkDocs resolved them) in the same order. The sources stay separate modules:
the JS unit tests load them one by one, and search/semantic.js inlines two of them. The bundle
sits in their folder because keyword-index.js finds the site's root from its own URL.

Material's search is off (mkdocs.yml: the site has its own), so its worker and lunr's language
files are never loaded; nor are the source maps of its minified files. They were 2.2 MB of
every site. They stay when the search plugin is on (eval-search's Material anchor).
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

FOLDER = "assets/javascripts/dxnavi"
# The order they must run in: each attaches to window.DxNavi what the later ones use.
PAGE_SCRIPTS = (
    "assets", "terms", "keyword-index", "ranking", "query", "fusion", "api",
    "ui-results", "ui-facets", "ui-header", "ui-search-page", "glossary-box", "scroll-regions",
)  # fmt: skip
BUNDLE = f"{FOLDER}/bundle.js"
log = logging.getLogger("mkdocs.plugins.dxnavi")
_UNUSED_FOLDERS = ("assets/javascripts/lunr/", "assets/javascripts/workers/")


def unused(file: File) -> bool:
    """A file of Material's search, or a source map: nothing in the site loads it."""
    return file.src_uri.startswith(_UNUSED_FOLDERS) or file.src_uri.endswith(".map")


def bundle(sources: list[str]) -> str:
    # Each module is a complete classic script; the ";" keeps a module that ends without one
    # from running into the next one's opening parenthesis.
    return "\n;\n".join(source.rstrip() for source in sources) + "\n"


def material_search(config: MkDocsConfig) -> bool:
    """Whether Material's search plugin is on (eval-search's anchor build turns it on)."""
    return any(name.split("/")[-1] == "search" for name in config.plugins)


def adjust(files: Files, config: MkDocsConfig) -> None:
    """Drop the unused theme files and add the bundle of the page scripts."""
    if not material_search(config):
        for file in [f for f in files if f.abs_src_path is not None and unused(f)]:
            files.remove(file)
    sources = []
    for name in PAGE_SCRIPTS:
        file = files.get_file_from_path(f"{FOLDER}/{name}.js")
        if file is None or file.abs_src_path is None:
            # A warning, not an error: a preview goes on (a theme folder outside the project is
            # left out, and check says why), while build --strict stops at it.
            log.warning("ページのスクリプト %s/%s.js がテーマ（site_overrides/）にないため、検索などのスクリプトを載せません。", FOLDER, name)
            return
        sources.append(Path(file.abs_src_path).read_text(encoding="utf-8"))
    files.append(File.generated(config, BUNDLE, content=bundle(sources)))
