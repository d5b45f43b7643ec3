"""MkDocs glue, kept thin: validate, register the generated files, sanitise, watch.

The builder itself knows nothing about MkDocs; this plugin only hands its
output to MkDocs. Problems found by ``check`` stop a ``--strict`` build before
anything is written; a preview (``serve``) logs them and goes on.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from builder import embeddings
from builder.generate.pipeline import default_stages, generate
from builder.project import Project
from builder.sanitize import sanitize
from builder.validate import Corpus, check_project

log = logging.getLogger("mkdocs.plugins.dxnavi")


class DxNaviConfig(base.Config):
    # Sentence-transformers model for "similar cases": a Hugging Face name or a local folder
    # (DXNAVI_MODEL overrides it; empty for none). Without it the build falls back, never fails.
    model = c.Type(str, default=embeddings.DEFAULT_MODEL)


class DxNaviPlugin(BasePlugin[DxNaviConfig]):
    def __init__(self) -> None:
        self.project: Project | None = None
        self.corpus: Corpus | None = None
        self.sanitised: set[str] = set()
        self.embedder: embeddings.Embedder | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Checked here, before MkDocs empties site_dir, so a strict build with bad input changes nothing.
        self.project = Project(Path(config.config_file_path).parent)
        result = check_project(self.project)
        if result.errors and config.strict:
            lines = "\n".join(p.format() for p in result.errors)
            raise PluginError(f"事例・ページの確認でエラーがありました:\n{lines}\n詳しくは python -m builder check を実行してください。")
        for problem in result.problems:
            (log.warning if problem.is_error else log.info)(problem.format())
        if result.corpus is None:
            raise PluginError("taxonomy を読み込めないためサイトを作れません。python -m builder check で確認してください。")
        self.corpus = result.corpus
        self.embedder = self._load_model(self.project.root)
        return config

    def _load_model(self, root: Path) -> embeddings.Embedder | None:
        name = embeddings.configured(self.config.model)
        try:
            embedder = embeddings.load(name, base=root)
        except embeddings.ModelUnavailable as reason:
            # INFO, not WARNING: a missing model is expected here and must not fail a strict build.
            log.info("似ている事例: %s。代わりに共通するキーワードなどで選びます（各事例のページにもそう書きます）。", reason)
            return None
        log.info("似ている事例: 文章の埋め込みモデル %s で選びます。", name)
        return embedder

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.corpus is not None
        # pages/ holds the sources of pages; only their rendered versions are published.
        for file in [f for f in files if f.is_documentation_page()]:
            files.remove(file)
        self.sanitised.clear()
        stages = default_stages(self.embedder)
        for output in generate(self.corpus, use_directory_urls=config.use_directory_urls, stages=stages):
            files.append(File.generated(config, output.path, content=output.content))
            if output.contributor_content:
                self.sanitised.add(output.path)
        return files

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        return sanitize(html) if page.file.src_uri in self.sanitised else html

    def on_serve(self, server, config: MkDocsConfig, builder):  # type: ignore[no-untyped-def]
        assert self.project is not None
        for folder in ("cases", "taxonomy"):
            server.watch(str(self.project.root / folder))
        return server
