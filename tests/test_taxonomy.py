"""The taxonomy checks itself: one test per rule, asserting the exact message."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.taxonomy import load_taxonomy
from conftest import run_cli


def _edit(root: Path, file: str, old: str, new: str) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _taxonomy_lines(root: Path) -> list[str]:
    result = run_cli("check", root=root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("taxonomy/")]


def test_fixture_taxonomy_is_clean(fixture_root: Path) -> None:
    loaded = load_taxonomy(fixture_root)
    assert loaded.problems == []
    assert loaded.taxonomy is not None
    assert len(loaded.taxonomy.prefectures) == 47


def test_real_taxonomy_is_clean() -> None:
    loaded = load_taxonomy(Path(__file__).resolve().parents[1])
    assert [p.format() for p in loaded.problems] == []


def test_broader_keywords_are_added_once_after_the_labels(fixture_root: Path) -> None:
    taxonomy = load_taxonomy(fixture_root).taxonomy
    assert taxonomy is not None
    assert taxonomy.with_broader(["外部専門人材（委託）", "BPR"]) == ["外部専門人材（委託）", "BPR", "外部専門人材"]
    assert taxonomy.with_broader(["外部専門人材（委託）", "外部専門人材"]) == ["外部専門人材（委託）", "外部専門人材"]


def test_missing_file(project: Path) -> None:
    (project / "taxonomy" / "roles.yml").unlink()
    assert _taxonomy_lines(project) == [
        "taxonomy/roles.yml:1: ファイル: taxonomy のファイルがありません — taxonomy/roles.yml を作ってください [taxonomy-missing]"
    ]


def test_alias_equal_to_another_label(project: Path) -> None:
    _edit(project, "taxonomy/keywords.yml", "    aliases: [OJT]", "    aliases: [OJT, BPR]")
    assert _taxonomy_lines(project) == [
        "taxonomy/keywords.yml:17: keywords[1].label: 「BPR」は 1 件目「OJT（職場内訓練）」の別表記と同じ語です"
        " — 見出し語と別表記は、一つの項目にだけ書いてください [taxonomy-duplicate]"
    ]


def test_labels_equal_after_nfkc(project: Path) -> None:
    _edit(project, "taxonomy/keywords.yml", "    label: ITパスポート", "    label: ＩＴパスポート")
    _edit(project, "taxonomy/keywords.yml", "    label: BPR", "    label: ITパスポート")
    lines = _taxonomy_lines(project)
    assert lines == [
        "taxonomy/keywords.yml:39: keywords[5].label: 「ＩＴパスポート」は 2 件目「ITパスポート」の見出し語と同じ語です"
        " — 見出し語と別表記は、一つの項目にだけ書いてください [taxonomy-duplicate]"
    ]


def test_duplicate_id(project: Path) -> None:
    _edit(project, "taxonomy/schemes.yml", "- id: kigyojin", "- id: chiiki-johoka-advisor")
    assert _taxonomy_lines(project) == [
        "taxonomy/schemes.yml:6: [1].id: id「chiiki-johoka-advisor」が 1 件目と重複しています — 別の id にしてください [taxonomy-duplicate]"
    ]


def test_reference_to_missing_keyword_and_publication(project: Path) -> None:
    _edit(project, "taxonomy/keywords.yml", "    related: [伴走支援]", "    related: [伴走型支援]")
    _edit(project, "taxonomy/categories.yml", "  publication: fixture-casebook", "  publication: fixture-casebok")
    assert _taxonomy_lines(project) == [
        "taxonomy/categories.yml:9: [2].publication: 出典資料「fixture-casebok」がありません — もしかして「fixture-casebook」ですか？ [taxonomy-reference]",
        "taxonomy/keywords.yml:37: keywords[4].related[0]: キーワード「伴走型支援」がありません — もしかして「伴走支援」ですか？ [taxonomy-reference]",
    ]


def test_reference_to_missing_group_and_glossary_term(project: Path) -> None:
    _edit(project, "taxonomy/keywords.yml", "    group: external\n    description: 継続", "    group: externl\n    description: 継続")
    _edit(project, "taxonomy/keywords.yml", "    glossary: [BPR]", "    glossary: [BPRR]")
    assert _taxonomy_lines(project) == [
        "taxonomy/keywords.yml:21: keywords[1].glossary[0]: 用語「BPRR」がありません — もしかして「BPR」ですか？ [taxonomy-reference]",
        "taxonomy/keywords.yml:30: keywords[3].group: グループ「externl」がありません — もしかして「external」ですか？ [taxonomy-reference]",
    ]


def test_broader_must_exist_and_not_loop(project: Path) -> None:
    _edit(project, "taxonomy/keywords.yml", "    broader: 外部専門人材", "    broader: 外部専門家")
    assert _taxonomy_lines(project) == [
        "taxonomy/keywords.yml:48: keywords[6].broader: キーワード「外部専門家」がありません — もしかして「外部専門人材」ですか？ [taxonomy-reference]"
    ]
    _edit(project, "taxonomy/keywords.yml", "    broader: 外部専門家", "    broader: 外部専門人材")
    _edit(project, "taxonomy/keywords.yml", "    related: [伴走支援]", "    related: [伴走支援]\n    broader: 外部専門人材（委託）")
    assert _taxonomy_lines(project) == [
        "taxonomy/keywords.yml:38: keywords[4].broader: 「外部専門人材」の broader をたどると自分自身に戻ります"
        " — broader は、より広い意味のキーワードへ一方向にだけ向けてください [taxonomy-reference]",
        "taxonomy/keywords.yml:49: keywords[6].broader: 「外部専門人材（委託）」の broader をたどると自分自身に戻ります"
        " — broader は、より広い意味のキーワードへ一方向にだけ向けてください [taxonomy-reference]",
    ]


def test_reading_must_be_hiragana(project: Path) -> None:
    _edit(project, "taxonomy/keywords.yml", "    reading: びーぴーあーる", "    reading: BPR")
    assert _taxonomy_lines(project) == [
        "taxonomy/keywords.yml:18: keywords[1].reading: よみ「BPR」がひらがなではありません"
        " — あいうえお順に並べるため、ひらがなと「ー」だけで書いてください（例: おーじぇいてぃー） [taxonomy-reading]"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  min: 10000",
            "  min: 10001",
            "taxonomy/population_bands.yml:8: [1].min: 区分「1万人以上3万人未満」の min 10001 が前の区分の続き（10000）になっていません"
            " — 区分は 1 から始め、前の区分の max + 1 を次の min にしてください [taxonomy-bands]",
        ),
        (
            "  min: 1000000\n",
            "  min: 1000000\n  max: 15000000\n",
            "taxonomy/population_bands.yml:33: [7].max: 最後の区分に max があるため、それより多い人口の団体が区分に入りません"
            " — 最後の区分の max を消してください [taxonomy-bands]",
        ),
    ],
)
def test_population_bands_are_contiguous(project: Path, old: str, new: str, expected: str) -> None:
    _edit(project, "taxonomy/population_bands.yml", old, new)
    assert _taxonomy_lines(project) == [expected]


def test_exactly_47_prefectures(project: Path) -> None:
    _edit(project, "taxonomy/prefectures.yml", "  - id: okinawa\n    label: 沖縄県\n    reading: おきなわけん\n    region: kyushu\n    code: 47\n", "")
    assert _taxonomy_lines(project) == [
        "taxonomy/prefectures.yml:20: prefectures: 都道府県が 46 件あります（番号 1〜47 が1件ずつ必要です）"
        " — 47都道府県をすべて、code 1〜47 で1回ずつ書いてください [taxonomy-prefectures]"
    ]


def test_taxonomy_schema_errors_have_lines(project: Path) -> None:
    _edit(project, "taxonomy/keywords.yml", "    description: 国家資格。\n", "")
    assert _taxonomy_lines(project) == [
        "taxonomy/keywords.yml:38: keywords[5].description: 必須項目「description」がありません — 「description: …」を追加してください。このキーワードが何を指すか（一文）。 [required]"
    ]
