"""What a stage made of one text, kept between builds (builder/generate/memo.py): used only for the
very same text and code, never trusted blindly, and the stages that keep theirs make the same files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from builder.generate import memo as memo_module
from builder.generate.case_pages import CasePages
from builder.generate.facets import FacetPages
from builder.generate.memo import Memo
from builder.generate.opendata import OpenData
from builder.generate.pipeline import BuildContext, default_stages
from builder.generate.search_index import KeywordSearch, search_data
from builder.generate.search_shards import shard
from builder.generate.similar import SimilarCases
from builder.generate.related import SameOrganisation
from builder.project import Project
from builder.validate import Corpus, check_project


@pytest.fixture(scope="module")
def corpus(fixture_root: Path) -> Corpus:
    result = check_project(Project(fixture_root))
    assert result.corpus is not None
    return result.corpus


def _never(text: str) -> str:
    raise AssertionError(f"made again: {text}")


def test_a_result_is_kept_for_the_same_kind_and_text(tmp_path: Path) -> None:
    first = Memo(tmp_path, "m.sqlite")
    assert first.get("fold", "ＡＢＣ研修", str.lower) == "ａｂｃ研修"
    first.save()
    again = Memo(tmp_path, "m.sqlite")
    assert again.get("fold", "ＡＢＣ研修", _never) == "ａｂｃ研修"
    # Another kind or another text is made, not taken from a neighbour.
    assert again.get("upper", "ＡＢＣ研修", str.upper) == "ＡＢＣ研修"
    assert again.get("fold", "ＡＢＣ研修 ", str.upper) == "ＡＢＣ研修 "


def test_other_builder_code_makes_everything_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Memo(tmp_path, "m.sqlite")
    first.get("fold", "x", lambda t: "old rule")
    first.save()
    monkeypatch.setattr(memo_module, "_version", lambda: "another version of the code")
    later = Memo(tmp_path, "m.sqlite")
    assert later.get("fold", "x", lambda t: "new rule") == "new rule"
    later.save()
    rows = sqlite3.connect(tmp_path / "m.sqlite").execute("SELECT value FROM memo").fetchall()
    assert ("old rule",) not in rows  # the older code's rows are gone


def test_the_version_covers_the_stages_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change to builder/generate/ (where the rows, folds and terms are made) empties the file, as any change does."""
    import shutil

    from builder import incremental

    copy = tmp_path / "builder"
    shutil.copytree(incremental.BUILDER, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(incremental, "BUILDER", copy)
    memo_module._version.cache_clear()
    before = memo_module._version()
    table_html = copy / "generate" / "table_html.py"
    table_html.write_text(table_html.read_text(encoding="utf-8") + "\n# another row format\n", encoding="utf-8")
    memo_module._version.cache_clear()
    assert memo_module._version() != before
    memo_module._version.cache_clear()  # the real builder's again, for the other tests


def test_a_damaged_or_unwritable_file_costs_only_time(tmp_path: Path) -> None:
    (tmp_path / "m.sqlite").write_bytes(b"not a database" * 100)
    damaged = Memo(tmp_path, "m.sqlite")
    assert damaged.get("fold", "x", str.upper) == "X"
    damaged.save()
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("x")
    memo = Memo(blocked, "m.sqlite")
    assert memo.get("fold", "x", str.upper) == "X"
    memo.save()


def test_rows_no_build_uses_any_more_are_dropped(tmp_path: Path) -> None:
    first = Memo(tmp_path, "m.sqlite")
    for n in range(10):
        first.get("k", f"text {n}", str.upper)
    first.save()
    later = Memo(tmp_path, "m.sqlite")
    later.get("k", "text 0", _never)
    later.get("k", "text 10", str.upper)
    later.save()  # 1 of 10 kept rows used: the others go
    values = {v for (v,) in sqlite3.connect(tmp_path / "m.sqlite").execute("SELECT value FROM memo").fetchall()}
    assert {"TEXT 0", "TEXT 10"} <= values and "TEXT 5" not in values


def test_the_keyword_index_is_the_same_with_kept_folds_and_joints(corpus: Corpus, tmp_path: Path) -> None:
    plain = shard(search_data(corpus, False))
    for _ in range(2):  # made, then read back
        memo = Memo(tmp_path, "search.sqlite")
        assert shard(search_data(corpus, False, memo)) == plain
        memo.save()
    assert memo.used, "the second index read what the first kept"


def _stage_files(corpus: Corpus, stage: object, cache: Path | None) -> dict[str, str | bytes]:
    context = BuildContext(corpus, use_directory_urls=False)
    for earlier in (SameOrganisation(), SimilarCases()):  # what the case pages list from other stages
        earlier.run(context)
    before = set(context.files)
    stage.run(context)  # type: ignore[attr-defined]
    return {path: f.content for path, f in context.files.items() if path not in before}


# Per stage, the per-text work it keeps: (module, name) of each function a warm build must not call.
KEPT_WORK = {
    FacetPages: [("builder.generate.table_html", "row_html")],
    CasePages: [("builder.generate.glossary", "terms_in")],
    KeywordSearch: [("builder.generate.search_index", "fold"), ("builder.generate.search_index", "word_joints")],
    OpenData: [("builder.generate.opendata", "_block"), ("builder.generate.opendata", "_csv_row_of")],
}


@pytest.mark.parametrize("stage", list(KEPT_WORK), ids=lambda s: s.name)
def test_a_stage_that_keeps_results_makes_the_same_files(corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: type) -> None:
    import importlib

    plain = _stage_files(corpus, stage(), None)
    cold = _stage_files(corpus, stage(tmp_path), tmp_path)
    with monkeypatch.context() as patched:  # a warm build takes what the cold one kept, and makes none of it again
        for module, name in KEPT_WORK[stage]:
            patched.setattr(importlib.import_module(module), name, _never)
        warm = _stage_files(corpus, stage(tmp_path), tmp_path)
    assert plain == cold == warm


def test_every_stage_that_keeps_results_is_given_the_cache_folder(tmp_path: Path) -> None:
    stages = {stage.name: stage for stage in default_stages(cache_dir=tmp_path)}
    for name in ("facet-pages", "case-pages", "keyword-search", "open-data"):
        assert stages[name].cache_dir == tmp_path  # type: ignore[attr-defined]
