"""Similar cases: a real sentence-transformers model (tiny, made here), and the fallback without one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURE, REPO, assemble_project, cli_env, run_cli
from tiny_model import HIDDEN, make_tiny_model

from builder import embeddings
from builder.generate import similar
from builder.generate.pipeline import BuildContext
from builder.project import Project
from builder.validate import Corpus, check_project


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = [path.read_text(encoding="utf-8") for path in sorted((FIXTURE / "cases").glob("*.md"))]
    return make_tiny_model(texts, tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def embedder(tiny_model: Path) -> embeddings.Embedder:
    return embeddings.load(str(tiny_model))


def _corpus(root: Path) -> Corpus:
    result = check_project(Project(root))
    assert result.corpus is not None and result.errors == []
    return result.corpus


def _with_twin(project: Path) -> Corpus:
    """The fixture corpus plus an exact copy of the Kochi case under another id."""
    original = (project / "cases" / "kochi-fixture-guide.md").read_text(encoding="utf-8")
    (project / "cases" / "kochi-twin-fixture-guide.md").write_text(original.replace("id: kochi-fixture-guide", "id: kochi-twin-fixture-guide"), encoding="utf-8")
    return _corpus(project)


def _similar(corpus: Corpus, embedder: embeddings.Embedder | None) -> dict[str, str]:
    context = BuildContext(corpus)
    similar.SimilarCases(embedder).run(context)
    return {case_id: sections[0].markdown for case_id, sections in context.case_sections.items()}


def _listed(markdown: str) -> list[str]:
    return [line.split("](", 1)[1].split(")", 1)[0] for line in markdown.splitlines() if line.startswith("- [")]


def test_a_local_model_gives_normalised_repeatable_vectors(embedder: embeddings.Embedder) -> None:
    vectors = embedder.encode(["ITパスポートの取得支援", "OJTによる育成", "ITパスポートの取得支援"])
    assert vectors.shape == (3, HIDDEN)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-5
    assert (vectors[0] == vectors[2]).all()
    assert not (vectors[0] == vectors[1]).all()


def test_with_a_model_the_identical_case_is_the_most_similar(project: Path, embedder: embeddings.Embedder) -> None:
    sections = _similar(_with_twin(project), embedder)
    assert _listed(sections["kochi-fixture-guide"])[0] == "kochi-twin-fixture-guide.md"
    assert _listed(sections["kochi-twin-fixture-guide"])[0] == "kochi-fixture-guide.md"
    for case_id, markdown in sections.items():
        listed = _listed(markdown)
        assert f"{case_id}.md" not in listed and len(listed) == 4  # every other case, never itself
        assert "文章の埋め込みモデル" in markdown


def test_without_a_model_cases_sharing_rare_labels_come_first(project: Path) -> None:
    sections = _similar(_with_twin(project), None)
    kochi = _listed(sections["kochi-fixture-guide"])
    # The twin shares every label; 中野区 shares only 外部専門人材 (through its narrower keyword).
    assert kochi == ["kochi-twin-fixture-guide.md", "tokyo-nakano-fixture-casebook.md"]
    assert "共通: &#35;伴走支援、&#35;外部専門人材" in sections["kochi-fixture-guide"]
    assert "読み込めなかった" in sections["kochi-fixture-guide"]


def test_a_case_that_shares_nothing_gets_no_list_without_a_model(project: Path) -> None:
    # 五霞町's guide case is the only fixture case with its keywords, category, scheme and role.
    sections = _similar(_corpus(project), None)
    assert "ibaraki-goka-fixture-guide" not in sections
    assert _listed(sections["ibaraki-goka-fixture-casebook"]) == ["tokyo-nakano-fixture-casebook.md"]  # category 人材の育成


def test_similarities_do_not_depend_on_the_block_size(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _with_twin(project)
    vectors = similar.label_vectors(corpus.cases, corpus.taxonomy)
    whole = similar.nearest(vectors, 3, positive_only=True)
    monkeypatch.setattr(similar, "BLOCK", 2)
    assert similar.nearest(vectors, 3, positive_only=True) == whole


def test_no_model_configured_is_unavailable() -> None:
    with pytest.raises(embeddings.ModelUnavailable, match="モデルが設定されていません"):
        embeddings.load("")


def test_a_broken_model_folder_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text("not json", encoding="utf-8")
    with pytest.raises(embeddings.ModelUnavailable, match="を読み込めませんでした"):
        embeddings.load(str(tmp_path))


def test_a_model_not_on_this_machine_is_not_downloaded() -> None:
    """Fails fast, offline, without even importing torch."""
    code = (
        "import sys\n"
        "from builder import embeddings\n"
        "try:\n"
        "    embeddings.load('dxnavi-test/no-such-model')\n"
        "except embeddings.ModelUnavailable as e:\n"
        "    print(e)\n"
        "print('torch' in sys.modules)\n"
    )
    env = cli_env()
    env.pop("HF_HUB_OFFLINE", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=env, timeout=120)
    assert result.stdout.splitlines() == ["モデル dxnavi-test/no-such-model がこのマシンにありません（ビルド中はダウンロードしません）", "False"]


def test_build_says_when_it_falls_back_and_the_page_says_how_it_chose(tmp_path: Path) -> None:
    root = assemble_project(tmp_path / "project")
    result = run_cli("build", "--site-dir", str(root / "site"), root=root, env=cli_env(DXNAVI_MODEL="dxnavi-test/no-such-model"))
    assert result.returncode == 0, result.stderr
    assert "似ている事例: モデル dxnavi-test/no-such-model がこのマシンにありません" in result.stderr
    assert "Traceback" not in result.stderr
    page = (root / "site" / "cases" / "kochi-fixture-guide.html").read_text(encoding="utf-8")
    assert "似ている事例" in page and "読み込めなかったため" in page


def test_build_uses_a_configured_local_model(tmp_path: Path, tiny_model: Path) -> None:
    root = assemble_project(tmp_path / "project")
    shutil.copytree(tiny_model, root / "model")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("  - dxnavi\n", "  - dxnavi:\n      model: model\n"), encoding="utf-8")
    env = cli_env()
    env.pop("DXNAVI_MODEL", None)
    result = run_cli("build", "--site-dir", str(root / "site"), root=root, env=env)
    assert result.returncode == 0, result.stderr
    assert "似ている事例: 文章の埋め込みモデル model で選びます" in result.stderr
    page = (root / "site" / "cases" / "kochi-fixture-guide.html").read_text(encoding="utf-8")
    assert "文章の埋め込みモデル model で比べています" in page
