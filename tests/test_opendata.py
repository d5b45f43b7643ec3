"""cases.json and cases.csv (in cases.zip): every case's front matter, from the same models, with its URL."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from builder.generate.opendata import COLUMNS, OpenData, csv_cell, records, render_zip
from builder.generate.pipeline import BuildContext
from builder.project import Project
from builder.validate import check_project


@pytest.fixture(scope="module")
def corpus(fixture_root: Path):
    return check_project(Project(fixture_root)).corpus


def unzipped(archive: bytes) -> tuple[bytes, str]:
    """cases.csv (bytes) and cases.json (text) as the site's cases.zip holds them."""
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.testzip() is None
        return opened.read("cases.csv"), opened.read("cases.json").decode("utf-8")


def render_csv(recs: list[dict]) -> bytes:
    return unzipped(render_zip(recs))[0]


def render_json(recs: list[dict]) -> str:
    return unzipped(render_zip(recs))[1]


def test_json_holds_every_case_with_its_url(corpus) -> None:
    data = json.loads(render_json(records(corpus, use_directory_urls=False)))
    assert data["count"] == 4
    assert [r["id"] for r in data["cases"]] == sorted(e.id for e in corpus.cases)
    goka = next(r for r in data["cases"] if r["id"] == "ibaraki-goka-fixture-guide")
    assert goka["url"] == "cases/ibaraki-goka-fixture-guide.html"
    assert goka["organisation"] == {"name": "茨城県五霞町", "prefecture": "茨城県", "kind": "町", "region": "関東"}
    assert goka["population"] == {"value": 8000, "text": "約8,000人", "as_of": None, "band": "1万人未満"}
    assert goka["source"] == {
        "publication": "fixture-guide",
        "page": 4,
        "item": None,
        "url": None,
        "title": "テスト用ガイドブック＜事例編＞",
        "publisher": "総務省",
        "year": 2025,
    }
    assert goka["keywords"] == ["OJT（職場内訓練）", "グループウェア"]
    assert goka["interview"][1]["answer"].startswith("一つ目の段落です。\n\n・二つ目")
    # Everything in the front matter is there, under the same names.
    case = next(e.model for e in corpus.cases if e.id == "ibaraki-goka-fixture-guide")
    for name in type(case).model_fields:
        assert name in goka


def test_a_year_the_publication_does_not_print_is_null(corpus) -> None:
    recs = records(corpus, use_directory_urls=False)
    nakano = next(r for r in recs if r["id"] == "tokyo-nakano-fixture-casebook")  # fixture-casebook prints no year
    assert json.loads(render_json(recs))["cases"][recs.index(nakano)]["source"]["year"] is None
    assert nakano["source"]["publisher"] == "総務省" and nakano["source"]["item"] == "6"
    rows = list(csv.reader(io.StringIO(render_csv(recs)[3:].decode("utf-8"), newline="")))
    column = dict(zip(rows[0], next(r for r in rows if r[0] == "tokyo-nakano-fixture-casebook")))
    assert column["発行年"] == "" and column["発行"] == "総務省"


def test_json_has_one_case_a_line(corpus) -> None:
    recs = records(corpus, use_directory_urls=False)
    lines = render_json(recs).splitlines()
    assert [json.loads(line.rstrip(",")) for line in lines[1:-1]] == recs
    assert json.loads(render_json([])) == {"count": 0, "cases": []}


def test_json_urls_follow_directory_urls(corpus) -> None:
    recs = records(corpus, use_directory_urls=True)
    assert {r["url"] for r in recs} == {f"cases/{e.id}/" for e in corpus.cases}


def test_csv_opens_in_japanese_excel(corpus) -> None:
    data = render_csv(records(corpus, use_directory_urls=False))
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    text = data[3:].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == [title for title, _ in COLUMNS]
    assert rows[0][:5] == ["id", "URL", "タイトル", "団体名", "都道府県"]
    assert len(rows) == 5
    goka = next(r for r in rows if r[0] == "ibaraki-goka-fixture-guide")
    column = dict(zip(rows[0], goka))
    assert column["キーワード"] == "OJT（職場内訓練）、グループウェア"
    assert column["インタビュー"].startswith("Q1: 実施によりどのような効果がありましたか\nA1: OJTによって")
    assert "\r\n" in text


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_formula_injection_is_inert(dangerous: str) -> None:
    assert csv_cell(dangerous) == "'" + dangerous


def test_csv_cells_from_contributor_text_are_inert(corpus) -> None:
    recs = records(corpus, use_directory_urls=False)
    recs[0]["title"] = "=cmd|' /C calc'!A0"
    recs[0]["summary"] = "-1+1"
    rows = list(csv.reader(io.StringIO(render_csv(recs)[3:].decode("utf-8"), newline="")))
    column = dict(zip(rows[0], rows[1]))
    assert column["タイトル"] == "'=cmd|' /C calc'!A0"
    assert column["概要"] == "'-1+1"
    assert csv_cell("約8,000人") == "約8,000人" and csv_cell(None) == ""


def test_the_zip_holds_the_csv_and_the_json_deflated_as_plain_files(corpus) -> None:
    context = BuildContext(corpus=corpus)
    OpenData().run(context)
    assert list(context.files) == ["cases.zip"]
    with zipfile.ZipFile(io.BytesIO(context.files["cases.zip"].content)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["cases.csv", "cases.json"]
        for member in archive.infolist():
            assert member.compress_type == zipfile.ZIP_DEFLATED and member.compress_size < member.file_size
            assert member.date_time == (1980, 1, 1, 0, 0, 0) and member.external_attr >> 16 == 0o100644  # a plain file


def test_the_zip_is_the_same_bytes_for_the_same_cases(corpus) -> None:
    recs = records(corpus, use_directory_urls=False)
    assert render_zip(recs) == render_zip(records(corpus, use_directory_urls=False))
    assert render_zip(recs) != render_zip(recs[1:])


def test_an_edit_deflates_again_only_the_block_that_holds_the_case(corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder.generate import opendata
    from builder.generate.memo import Memo

    monkeypatch.setattr(opendata, "BLOCK", 2)  # the fixture's 4 cases: 3 blocks of the CSV, 3 of the JSON
    recs = records(corpus, use_directory_urls=False)
    memo = Memo(tmp_path, opendata.MEMO)
    assert render_zip(recs, memo) == render_zip(recs)  # kept or not, the same bytes
    memo.save()
    made: list[str] = []
    block = opendata._block
    monkeypatch.setattr(opendata, "_block", lambda text: made.append(text) or block(text))
    recs[3]["title"] += "（改訂）"
    edited = render_zip(recs, Memo(tmp_path, opendata.MEMO))
    assert len(made) == 2 and all("（改訂）" in text for text in made)  # one block of each file
    assert edited == render_zip(recs), "the kept blocks and the deflated one make the ZIP of the edited cases"
    assert "（改訂）" in unzipped(edited)[1]
