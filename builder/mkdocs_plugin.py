"""MkDocs glue, kept thin: validate, register the generated files, sanitise, reuse unchanged pages, watch.

The builder itself knows nothing about MkDocs; this plugin only hands its
output to MkDocs. Problems found by ``check`` stop a ``--strict`` build before
anything is written; a preview (``serve``) logs them and goes on.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from builder import embedding, safefiles, theme_files
from builder.accessible import table_headers
from builder.compact_html import compact
from builder.generate import table_html, theme_data
from builder.generate.japan_map import MapDataMissing
from builder.generate.pipeline import Later, Sent, default_stages, linked_later, send_independent, start
from builder.incremental import REUSED_TEMPLATE, PageCache, PageReuse, site_key
from builder.previous_site import PreviousSite, not_copied, write_files
from builder.project import Project
from builder.sanitize import sanitize
from builder.sitebuild import check_handed, checked_project, handed_stages, source_date_epoch
from builder.template_cache import template_cache
from builder.validate import Corpus

log = logging.getLogger("mkdocs.plugins.dxnavi")
PAGE_CACHE = "pages.sqlite"  # in the cache folder: the HTML of pages, for reuse (builder/incremental.py)


class EmbeddingConfig(base.Config):
    # Which engine gives "similar cases" and semantic search their meaning (DXNAVI_ENGINE overrides it).
    # Without one the build falls back to shared labels and says so; it never fails.
    engine = c.Choice(embedding.ENGINES, default=embedding.EmbeddingSettings.engine)
    # sentence-transformers only: a Hugging Face name or a local folder (DXNAVI_MODEL overrides it).
    model = c.Type(str, default="")
    query_prefix = c.Type(str, default="")
    document_prefix = c.Type(str, default="")
    # The case fields that make a case's text for the model, in this order.
    fields = c.ListOfItems(c.Choice(embedding.settings.DOCUMENT_FIELDS), default=list(embedding.settings.DOCUMENT_FIELDS))
    # Vectors and derived model files, relative to mkdocs.yml (DXNAVI_CACHE overrides it); never inside site/.
    cache_dir = c.Type(str, default=str(embedding.EmbeddingSettings.cache_dir))


class DxNaviConfig(base.Config):
    embedding = c.SubConfig(EmbeddingConfig)


def _made_later(config: MkDocsConfig, path: str) -> File:
    """A file an independent stage is making: MkDocs writes nothing there (on_post_build or ``build`` does)."""
    file = File.generated(config, path, content=b"")
    file.copy_file = not_copied  # type: ignore[method-assign]
    return file


class DxNaviPlugin(BasePlugin[DxNaviConfig]):
    def __init__(self) -> None:
        self.project: Project | None = None
        self.corpus: Corpus | None = None
        self.sanitised: set[str] = set()
        self.settings: embedding.EmbeddingSettings | None = None
        self.preloading: threading.Thread | None = None  # the model, loading from on_config to on_files
        self.sent: Sent | None = None  # stages started in on_config, collected in on_post_build
        self.later: Later | None = None
        self.cache_dir = Path(embedding.EmbeddingSettings.cache_dir)
        self.reuse: PageReuse | None = None
        self.previous: PreviousSite | None = None  # the site ``build`` is replacing, or serve's last build
        self.serving = False
        self.aside: PreviousSite | None = None  # serve's last build, moved out of the folder MkDocs empties

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Checked here, before MkDocs empties site_dir, so a strict build with bad input changes nothing.
        self.project = Project(Path(config.config_file_path).parent)
        self.settings = self._embedding_settings()
        # The model loads in a thread (mostly outside the interpreter) while MkDocs gathers its files.
        # Before the check when ``build`` hands it over, which this process only waits for; else after
        # it: a check in this process uses every core only while it runs no thread.
        handed = check_handed()
        if handed:
            embedding.import_runtime(self.settings, self.project.root)  # while build's check arrives
            self._preload()
        result = checked_project(self.project)  # ``build`` has just checked: its result, else a fresh check
        if result.errors and config.strict:
            lines = "\n".join(p.format() for p in result.errors)
            raise PluginError(f"事例・ページの確認でエラーがありました:\n{lines}\n詳しくは python -m builder check を実行してください。")
        for problem in result.problems:
            (log.warning if problem.is_error else log.info)(problem.format())
        if result.corpus is None:
            raise PluginError("taxonomy を読み込めないためサイトを作れません。python -m builder check で確認してください。")
        self.corpus = result.corpus
        # The footer's date: the commit's, like the sitemap's, so builds of one commit stay identical.
        stamp = source_date_epoch(self.project.root)
        config.extra["dxnavi_site"] = theme_data.template_data(float(stamp) if stamp else time.time(), config.use_directory_urls)
        # main.html keeps Material's own config block when its search is on (theme_files keeps its files then).
        config.extra["dxnavi_site"]["material_search"] = theme_files.material_search(config)
        # The keyword index needs only the corpus: ``build`` makes it while we run the other stages, else
        # a second process does, starting now, while the engine loads.
        self.cache_dir = self.settings.with_environment(self.project.root).cache_dir
        stages = default_stages(cache_dir=self.cache_dir)
        self.sent = handed_stages(self.project, config.use_directory_urls, stages, Path(config.site_dir))
        if self.sent is None:
            self.sent = send_independent(self.corpus, config.use_directory_urls, stages)
        if not handed:
            self._preload()
        return config

    def _preload(self) -> None:
        assert self.settings is not None and self.project is not None
        self.preloading = threading.Thread(target=embedding.preload, args=(self.settings, self.project.root), name="dxnavi-model", daemon=True)
        self.preloading.start()

    def _embedding_settings(self) -> embedding.EmbeddingSettings:
        options = self.config.embedding
        return embedding.EmbeddingSettings(
            engine=options.engine,
            model=options.model,
            query_prefix=options.query_prefix,
            document_prefix=options.document_prefix,
            fields=tuple(options.fields),
            cache_dir=Path(options.cache_dir),
        )

    def _engine_when_loaded(self) -> embedding.Availability:
        """The engine, once the thread started in on_config has loaded its model (loading it here too would load it twice)."""
        assert self.settings is not None and self.project is not None and self.preloading is not None
        self.preloading.join()
        semantic = embedding.availability(self.settings, self.project.root)
        if semantic.embedder is None:
            # INFO, not WARNING: no model is an expected state and must not fail a strict build.
            log.info("埋め込みモデル: 使えません（%s）。似ている事例は共通するキーワードなどで選び、意味検索は使えません。", semantic.reason)
        else:
            log.info("埋め込みモデル: %s（%s）で似ている事例と意味検索を作ります。", semantic.embedder.engine, semantic.embedder.model)
        return semantic

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.corpus is not None
        self._drop_unsafe_sources(files, config)
        theme_files.adjust(files, config)
        # pages/ holds the sources of pages; only their rendered versions are published.
        for file in [f for f in files if f.is_documentation_page()]:
            files.remove(file)
        self.sanitised.clear()
        stages = default_stages(embedding.Deferred(self._engine_when_loaded), self.cache_dir)
        try:
            sent, self.sent = self.sent, None
            # The keyword index's files come after the pages are rendered (on_post_build).
            outputs, self.later = start(self.corpus, use_directory_urls=config.use_directory_urls, stages=stages, sent=sent)
        except MapDataMissing as exc:  # an install step was skipped: say which, not a traceback
            raise PluginError(str(exc)) from exc
        self.later.made |= {file.dest_uri for file in files}  # theme and pages/ files: no stage may replace one
        for output in outputs:
            files.append(File.generated(config, output.path, content=output.content))
            if output.contributor_content:
                self.sanitised.add(output.path)
        for path in linked_later(self.later.sent):  # so that links to it resolve; put in place after the pages
            files.append(_made_later(config, path))
        self.previous = self.aside or PreviousSite.handed(Path(config.site_dir))
        self.reuse = self._reuse_pages(files, config)
        return files

    def _reuse_pages(self, files: Files, config: MkDocsConfig) -> PageReuse:
        shared = {
            key: config[key] for key in ("site_url", "use_directory_urls", "extra", "markdown_extensions", "mdx_configs", "validation")
        }
        shared["theme"] = dict(config.theme)
        overrides = [Path(config.theme.custom_dir)] if config.theme.custom_dir else []
        cache = PageCache(self.cache_dir / PAGE_CACHE, site_key(Path(config.config_file_path), shared, overrides))
        # Material's search plugin indexes every page's converted HTML, which a reused page does not have.
        return PageReuse(cache, files, self.sanitised, self.previous, reuse=not theme_files.material_search(config))

    def _drop_unsafe_sources(self, files: Files, config: MkDocsConfig) -> None:
        """Never publish a link, FIFO, device... from pages/ or the theme overrides.

        MkDocs copies every file in docs_dir and custom_dir, following links; ``check`` reports
        these entries, and this keeps them out of a preview too (and out of a build whose
        mkdocs.yml points those folders elsewhere). Installed theme files are not the project's.
        """
        assert self.project is not None
        root = self.project.root
        own = {os.path.abspath(d) for d in (config.docs_dir, config.theme.custom_dir) if d}
        dropped = []
        for file in list(files):
            if file.abs_src_path is None:  # generated by the builder
                continue
            source = Path(file.abs_src_path)
            # Checked by folder, not by path: the venv with the installed theme may sit inside the project.
            from_project = file.src_dir is not None and os.path.abspath(file.src_dir) in own
            if from_project and safefiles.refusal(root, source):
                files.remove(file)
                dropped.append(self.project.rel(source))
        if dropped and config.strict:
            raise PluginError("通常のファイルではないもの（リンクなど）があるためサイトを作れません: " + "、".join(dropped))
        for rel in dropped:
            log.warning("%s: 通常のファイルではないもの（リンクなど）なので、サイトに載せません。python -m builder check で確認してください。", rel)

    def on_pre_page(self, page: Page, config: MkDocsConfig, files: Files) -> Page:
        assert self.reuse is not None
        return self.reuse.pre_page(page)  # type: ignore[return-value]  # a stand-in when the page is reused

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        assert self.reuse is not None
        if page.file.src_uri not in self.sanitised:  # only the builder's own pages hold its tables: a contributor's comment stays one
            html = table_html.expand(html)  # before converted(), which notes the links the page holds
        if not self.reuse.converted(page, html):
            return html
        html = sanitize(html) if page.file.src_uri in self.sanitised else html
        return table_headers(html)

    def on_env(self, env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({REUSED_TEMPLATE: ""}), env.loader])
        env.bytecode_cache = template_cache(env)  # the theme's templates, compiled once, not each build
        # Called just before MkDocs copies the static files: those the previous site has are linked instead.
        if self.previous is not None:
            templates = [*config.theme.static_templates, *config.extra_templates]
            linked = self.previous.link_static_files(files, {*templates, *(f"{name}.gz" for name in templates)})
            log.info("ファイル: %d 個は前回のサイトと同じため、書き直さずに使いました。", linked)
        return env

    def on_page_context(self, context, page: Page, config: MkDocsConfig, nav):  # type: ignore[no-untyped-def]
        assert self.reuse is not None
        self.reuse.rendering(page)
        return context

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        assert self.reuse is not None
        return self.reuse.post_page(compact(output), page)

    def on_startup(self, command: str, dirty: bool) -> None:
        self.serving = command == "serve" and not dirty  # a dirty build writes only some files: the others must stay

    def on_pre_build(self, config: MkDocsConfig) -> None:
        # serve builds into one folder again and again: its last build, moved aside, is the previous site.
        self.aside = PreviousSite.set_aside(Path(config.site_dir)) if self.serving else None

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.later is not None:
            later, self.later = self.later, None
            try:
                write_files(later.files(), Path(config.site_dir), self.previous)
            except ValueError as exc:
                raise PluginError(str(exc)) from exc
        if self.reuse is not None:
            self.reuse.finish(keep=True)
        self._drop_aside()

    def on_build_error(self, error: Exception) -> None:
        self.later = None
        if self.reuse is not None:
            self.reuse.finish(keep=False)
        self._drop_aside()

    def on_shutdown(self) -> None:
        self._drop_aside()

    def _drop_aside(self) -> None:
        if self.aside is not None:
            self.aside.remove()
            self.aside = None

    def on_serve(self, server, config: MkDocsConfig, builder):  # type: ignore[no-untyped-def]
        assert self.project is not None
        for folder in ("cases", "taxonomy"):
            server.watch(str(self.project.root / folder))
        return server

