"""Keyword search, the build side: how text becomes terms, the postings index, facets and query tables.

Ranking and query understanding run in the browser (dxnavi/*.js): their unit
tests are tests/js/*.test.js (run by test_js_units.py), and the page itself is
tested in test_search_browser.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.generate.common import sort_cases
from builder.generate.query_hints import query_hints
from builder.generate import search_shards
from builder.generate.search_index import FIELDS, INDEX_SCRIPT, SEMANTIC_SCRIPT, document, plain, read_postings, search_data
from builder.project import Project
from builder.search_terms import WORD_RUN, fold, terms
from builder.validate import Corpus, check_project

TABLE = json.loads((Path(__file__).parent / "search_terms_table.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("row", TABLE, ids=[row["text"] or "(empty)" for row in TABLE])
def test_terms(row: dict) -> None:
    assert terms(row["text"]) == row["terms"], (
        f"builder/search_terms.py splits {row['text']!r} differently from tests/search_terms_table.json; "
        "change both tokenisers (dxnavi/terms.js too) and the table together"
    )


@pytest.fixture(scope="module")
def corpus(fixture_root: Path) -> Corpus:
    result = check_project(Project(fixture_root))
    assert result.corpus is not None and result.problems == []
    return result.corpus


@pytest.fixture(scope="module")
def index(corpus: Corpus) -> dict:
    return search_data(corpus, use_directory_urls=False)["index"]


@pytest.fixture(scope="module")
def ids(corpus: Corpus) -> list[str]:
    return [e.id for e in sort_cases(corpus.cases, corpus.taxonomy)]


def holders(index: dict, ids: list[str], text: str) -> set[str]:
    """Cases holding every term of text (what a full match needs)."""
    found = None
    for term in terms(text):
        here = set(read_postings(index, term))
        found = here if found is None else found & here
    return {ids[n] for n in found or set()}


def test_postings_hold_every_term_of_every_field(corpus: Corpus, index: dict, ids: list[str]) -> None:
    entries = sort_cases(corpus.cases, corpus.taxonomy)
    for position, entry in enumerate(entries):
        fields = document(entry, corpus.taxonomy)
        assert index["lengths"][position] == [len(fields[name]) for name in FIELDS]
        for name, field_terms in fields.items():
            for term in set(field_terms):
                assert read_postings(index, term)[position][name] == field_terms.count(term)
    assert index["terms"] == sorted(index["terms"]), "terms are sorted so the index can be cut into chunks by term"


def test_a_query_finds_the_cases_whose_text_contains_it(index: dict, ids: list[str]) -> None:
    assert holders(index, ids, "アンケート") == {"ibaraki-goka-fixture-guide"}
    assert holders(index, ids, "ｱﾝｹｰﾄ") == {"ibaraki-goka-fixture-guide"}
    assert holders(index, ids, "⼈材") == holders(index, ids, "人材") != set(), "a radical pasted from a PDF finds 人材"


def test_organisation_prefecture_and_region_are_searchable(index: dict, ids: list[str]) -> None:
    assert holders(index, ids, "中野区") == {"tokyo-nakano-fixture-casebook"}
    assert "kochi-fixture-guide" in holders(index, ids, "四国")


def test_aliases_and_broader_keywords_are_indexed(index: dict, ids: list[str]) -> None:
    # The role DX推進員 has the alias DX推進リーダー; 外部専門人材（委託） is narrower than 外部専門人材.
    assert holders(index, ids, "DX推進リーダー") == {"ibaraki-goka-fixture-guide"}
    assert holders(index, ids, "外部専門人材") == {"kochi-fixture-guide", "tokyo-nakano-fixture-casebook"}


def test_plain_text_drops_markdown_syntax() -> None:
    body = "## 見出し\n\n- 項目の[リンク](https://example.jp)\n\n| 列 | 値 |\n| --- | --- |\n| **太字** | 1 |\n"
    assert plain(body) == "見出し\n項目のリンク\n列　値\n太字　1"


def test_facets_list_the_positions_of_their_cases(corpus: Corpus) -> None:
    data = search_data(corpus, use_directory_urls=False)
    cases = data["cases"]
    facets = {f["key"]: f for f in data["facets"]}
    assert list(facets) == ["category", "prefecture", "population", "kind", "keyword", "scheme", "role", "source"]
    by_label = {v["label"]: v for v in facets["keyword"]["values"]}
    ojt = [cases[n]["url"] for n in by_label["OJT（職場内訓練）"]["cases"]]
    assert ojt == ["cases/ibaraki-goka-fixture-guide.html"]
    # A broader keyword lists the cases of its narrower keywords too, as its index page does.
    broader = [cases[n]["url"] for n in by_label["外部専門人材"]["cases"]]
    assert sorted(broader) == ["cases/kochi-fixture-guide.html", "cases/tokyo-nakano-fixture-casebook.html"]
    regions = {v["label"]: v["group"] for v in facets["prefecture"]["values"]}
    assert regions == {"茨城県": "関東", "東京都": "関東", "高知県": "四国"}
    for facet in data["facets"]:
        assert all(value["cases"] for value in facet["values"]), "values without cases are left out"


def test_each_case_carries_its_id_and_full_organisation_name(corpus: Corpus, ids: list[str]) -> None:
    cases = search_data(corpus, use_directory_urls=False)["cases"]
    assert [c["id"] for c in cases] == ids
    assert {c["organisation"] for c in cases} >= {"茨城県五霞町", "東京都中野区", "高知県"}
    guide = cases[ids.index("ibaraki-goka-fixture-guide")]
    assert "OJTによって" in guide["text"] and "](" not in guide["text"], "plain text for snippets, without link targets"


def test_query_tables_come_from_the_taxonomy(corpus: Corpus) -> None:
    hints = query_hints(corpus.taxonomy)
    groups = {g["label"]: g for g in hints["synonyms"]}
    assert groups["DX推進員"]["names"] == ["DX推進員", "DX推進リーダー"]
    assert [b["id"] for b in hints["bands"]][0] == "under-10k" and hints["bands"][0]["max"] == 9999


def test_search_page_and_index_are_in_the_built_site(fixture_site: Path) -> None:
    script = (fixture_site / INDEX_SCRIPT).read_text(encoding="utf-8")
    assert script.startswith("(window.DXNAVI_SEARCH_QUEUE = window.DXNAVI_SEARCH_QUEUE || []).push({") and script.endswith("});\n")
    manifest = _pushed(script)
    assert manifest["version"] == 2, "search/index.js is the manifest of the chunks"
    for n in range(len(manifest["chunks"])):
        assert (fixture_site / manifest["folder"] / f"t{n}.js").is_file()
    assert (fixture_site / search_shards.FACETS_FILE).is_file() and (fixture_site / manifest["folder"] / "d0.js").is_file()
    page = (fixture_site / "search.html").read_text(encoding="utf-8")
    for src in (INDEX_SCRIPT, SEMANTIC_SCRIPT):
        assert f'src="{src}"' in page
    assert 'src="assets/javascripts/dxnavi/bundle.js"' in page  # the modules, joined by builder/theme_files.py
    modules = ("assets", "terms", "keyword-index", "ranking", "query", "fusion", "api", "ui-results", "ui-facets", "ui-header", "ui-search-page")
    for name in modules:
        assert (fixture_site / "assets/javascripts/dxnavi" / f"{name}.js").is_file()
    home = (fixture_site / "index.html").read_text(encoding="utf-8")
    assert 'href="search.html"' in home
    assert 'class="dxn-header-search"' in home and 'action="search.html"' in home, "every page has the header search box"
    assert INDEX_SCRIPT not in home, "ordinary pages load the index only when the reader searches"
    assert not (fixture_site / "assets/javascripts/dxnavi-search.js").exists()


# ---- The index in chunks (search_shards.py; the browser side is tests/js/shards.test.js) ----------


def _pushed(script: str) -> dict:
    return json.loads(script.split(".push(", 1)[1][: -len(");\n")])


def _registered(script: str) -> object:
    return json.loads(script.split(",", 1)[1][: -len(");\n")])


@pytest.fixture(scope="module")
def data(corpus: Corpus) -> dict:
    return search_data(corpus, use_directory_urls=False)


@pytest.fixture(scope="module")
def shards(data: dict) -> dict[str, str]:
    search_shards.CHUNK_BYTES, saved = 1_000, search_shards.CHUNK_BYTES  # many chunks from three cases
    try:
        return search_shards.shard(data)
    finally:
        search_shards.CHUNK_BYTES = saved


def test_joints_are_what_neighbouring_query_terms_make() -> None:
    found = search_shards.joints(fold("editパスポート・町it\n研修"))
    # Three characters of a kanji/kana run: two neighbouring pairs (パス + スポ).
    assert {"パスポ", "スポー", "ポート"} <= found
    # A word meeting a run: the word's every ending with the run's first one or two characters (editパス holds itパス).
    assert {"editパス", "itパス", "tパ", "itパ"} <= found
    assert {"町it", "町i"} <= found, "a run's last character with the word's beginnings"
    assert not found & {"ト町", "ート町", "研修", "it研"}, "a separator (・, a line) breaks every joint; pairs are not joints"


def test_a_lone_kanji_sums_the_postings_of_the_pairs_holding_it(data: dict) -> None:
    index = data["index"]
    unions = search_shards.unions(index)
    terms = set(index["terms"])
    assert unions and not (set(unions) & terms), "a character that is a term itself answers as that term"
    for ch in sorted(unions)[:25]:
        expected: dict[int, list[int]] = {}
        for term in index["terms"]:
            if ch in term:
                for position, tf in read_postings(index, term).items():
                    row = expected.setdefault(position, [0] * len(FIELDS))
                    for name, count in tf.items():
                        row[FIELDS.index(name)] += count
        got = read_postings({"fields": FIELDS, "terms": [ch], "postings": [unions[ch]]}, ch)
        assert {p: [tf.get(name, 0) for name in FIELDS] for p, tf in got.items()} == expected, ch


def test_lone_characters_are_summed_the_same_batch_by_batch(data: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = search_shards.unions(data["index"])
    monkeypatch.setattr(search_shards, "ENCODE_BATCH", 50)  # terms decoded, and characters laid out, a few at a time
    batched = search_shards.unions(data["index"])
    assert list(batched) == list(whole) and all(batched[ch].tolist() == whole[ch].tolist() for ch in whole)


def test_cases_without_kanji_or_kana_have_no_lone_characters_to_sum() -> None:
    from builder.generate.search_index import build_index

    assert search_shards.unions(build_index([["it passport", "", "", "", ""]])) == {}
    assert search_shards.unions(build_index([])) == {}  # a preview whose every case file was refused


def test_shards_hold_every_key_once_in_the_chunk_the_manifest_points_to(data: dict, shards: dict[str, str]) -> None:
    import bisect

    manifest = _pushed(shards[INDEX_SCRIPT])
    assert len(manifest["chunks"]) > 10 and manifest["homes"], "key ranges, and home chunks for the vocabulary"
    first = [search_shards.utf16(k) for k in manifest["chunks"]]
    assert first == sorted(first), "chunks follow JavaScript's string order"
    home = {key: len(first) + n for n, keys in enumerate(manifest["homes"]) for key in keys}
    seen: dict[str, set[str]] = {"t": set(), "u": set(), "j": set()}
    for n in range(len(first) + len(manifest["homes"])):
        chunk = _registered(shards[f"{manifest['folder']}/t{n}.js"])
        for table, content in chunk.items():
            for key in content["keys"]:
                where = home.get(key, bisect.bisect_right(first, search_shards.utf16(key)) - 1)
                assert where == n, f"{key!r} is not where the manifest says"
                assert key not in seen[table]
                seen[table].add(key)
    assert sum(map(len, manifest["homes"])) == len(home), "a key has one home"
    assert seen["t"] == set(data["index"]["terms"])
    assert seen["j"] == set(search_shards.joint_postings(data["haystacks"])[0])
    assert manifest["lengths"] == [n for row in data["index"]["lengths"] for n in row]
    assert manifest["size"] == len(data["cases"])


def _numbers(text: str) -> list[int]:
    """The numbers search_shards.encode() wrote (the reference for keyword-index.js's numbers())."""
    out, value, scale = [], 0, 1
    for ch in text:
        digit = search_shards.DIGITS.index(ch)
        if digit < search_shards.LAST:
            out.append(value + digit * scale)
            value, scale = 0, 1
        else:
            value += (digit - search_shards.LAST) * scale
            scale *= search_shards.MORE
    assert value == 0 and scale == 1, f"{text!r} ends inside a number"
    return out


def test_encoded_numbers_read_back_and_small_ones_take_one_character() -> None:
    import random

    edges = [0, 1, 79, 80, 81, 92, 1039, 1040, 13519, 13520, 175759, 175760, 2**31 - 1]
    rows = [edges, [], *[[random.Random(n).randrange(10**n) for _ in range(50)] for n in range(1, 8)]]
    search_shards.ENCODE_BATCH, saved = 60, search_shards.ENCODE_BATCH  # lists across batches of numpy passes
    try:
        texts, lengths = search_shards.encode_sized(rows)
    finally:
        search_shards.ENCODE_BATCH = saved
    assert texts == search_shards.encode(rows)
    assert [_numbers(text) for text in texts] == rows
    assert search_shards.encode([list(range(80))]) == [search_shards.DIGITS[:80]], "0–79: one character each"
    assert all(json.dumps(text) == f'"{text}"' for text in texts), "no escapes in JSON"
    assert lengths == [len(json.dumps(row, separators=(",", ":"))) for row in rows], "chunks are cut by the decimal JSON's size"


def test_chunks_hold_each_terms_postings_and_each_joints_cases(data: dict, shards: dict[str, str]) -> None:
    manifest = _pushed(shards[INDEX_SCRIPT])
    index = data["index"]
    unions = search_shards.unions(index)
    haystacks = data["haystacks"]
    found = {"t": 0, "u": 0, "j": 0}
    for n in range(len(manifest["chunks"]) + len(manifest["homes"])):
        chunk = _registered(shards[f"{manifest['folder']}/t{n}.js"])
        for key, text in zip(chunk["t"]["keys"], chunk["t"]["values"]):  # type: ignore[index]
            assert _numbers(text) == index["postings"][index["terms"].index(key)].tolist(), key
            found["t"] += 1
        for key, text in zip(chunk["u"]["keys"], chunk["u"]["values"]):  # type: ignore[index]
            assert _numbers(text) == unions[key].tolist(), key
            found["u"] += 1
        for key, text in zip(chunk["j"]["keys"], chunk["j"]["values"]):  # type: ignore[index]
            gaps = _numbers(text)
            assert [sum(gaps[: i + 1]) - 1 for i in range(len(gaps))] == [p for p, h in enumerate(haystacks) if key in h], key
            found["j"] += 1
    assert found["t"] == len(index["terms"]) and found["u"] == len(unions) and found["j"] > 100


def test_haystacks_are_the_folded_text_ranking_searches(data: dict) -> None:
    # search_index.folded() folds each piece once; joined, they must be fold() of the joined text.
    assert data["haystacks"] == [fold("\n".join(search_shards.haystack_parts(case))) for case in data["cases"]]


@pytest.mark.parametrize("separator", ["\n", " "])
def test_folding_pieces_then_joining_them_is_folding_the_joined_text(separator: str) -> None:
    pieces = ["⼈材\u200b育成", "\u3099ガイド", "ΟΔΟΣ", "Σ", "デバй", "йス", "ＩＴパスポート", "e\u0301", "\u0301x", "", "︓町"]
    for a in pieces:
        for b in pieces:
            assert fold(a + separator + b) == fold(a) + separator + fold(b), (a, b)


def test_display_and_facet_chunks_hold_what_the_whole_data_held(data: dict, shards: dict[str, str]) -> None:
    manifest = _pushed(shards[INDEX_SCRIPT])
    per = manifest["casesPerChunk"]
    files = [shards[f"{manifest['folder']}/d{n // per}.js"] for n in range(0, len(data["cases"]), per)]
    cases = [c for file in files for c in search_shards.unpacked(_registered(file))]  # type: ignore[arg-type]
    assert cases == data["cases"]
    members = _registered(shards[search_shards.FACETS_FILE])
    for facet, lists, shown in zip(data["facets"], members, manifest["facets"]):  # type: ignore[call-overload]
        assert [[sum(gaps[: i + 1]) - 1 for i in range(len(gaps))] for gaps in lists] == [v["cases"] for v in facet["values"]]
        names = [{k: v for k, v in value.items() if k != "cases"} for value in facet["values"]]
        assert shown["values"] == names, "the manifest names the values only"


def test_the_vocabulary_s_keys_and_only_they_are_in_home_chunks(data: dict, shards: dict[str, str]) -> None:
    manifest = _pushed(shards[INDEX_SCRIPT])
    homed = [key for keys in manifest["homes"] for key in keys]
    japanese_terms = {t for t in data["index"]["terms"] if not WORD_RUN.fullmatch(t)}
    homeable = japanese_terms | set(search_shards.joint_postings(data["haystacks"])[0])
    groups = search_shards.vocabulary_keys(data["hints"], homeable)
    assert sorted(homed) == sorted({key for keys in groups for key in keys}), "every key of a name, once"
    assert not [key for key in homed if WORD_RUN.fullmatch(key)], "words stay in the key ranges, where a word being typed finds them"
    ware = groups[[g["label"] for g in data["hints"]["synonyms"]].index("グループウェア")]
    assert {"グル", "ルー", "ープ", "ウェ", "ェア", "グルー", "ウェア"} <= set(ware), "its pairs and the joints between them"


def test_a_name_s_keys_join_the_home_chunk_that_holds_most_of_them_while_it_has_room() -> None:
    search_shards.HOME_BYTES, saved = 100, search_shards.HOME_BYTES
    try:
        size = {"a": 30, "b": 30, "c": 30, "d": 5, "e": 60, "f": 50, "g": 50}
        chunks = search_shards.homes([["a", "b", "c"], ["c", "d"], ["e", "a"], ["e", "f", "g"]], size)
    finally:
        search_shards.HOME_BYTES = saved
    # d joins c (90 + 5); e finds a's chunk full and starts one; f does not fit beside e, g then joins f.
    assert chunks == [["a", "b", "c", "d"], ["e"], ["f", "g"]]


def test_a_chunk_begins_with_a_term_so_a_pair_and_its_joints_load_together(shards: dict[str, str]) -> None:
    manifest = _pushed(shards[INDEX_SCRIPT])
    for n, first in enumerate(manifest["chunks"][1:], start=1):
        chunk = _registered(shards[f"{manifest['folder']}/t{n}.js"])
        assert first in chunk["t"]["keys"] + chunk["u"]["keys"], f"chunk {n} begins with the joint {first!r}"  # type: ignore[index]


def test_the_names_file_holds_what_window_case_search_returns(data: dict, shards: dict[str, str]) -> None:
    manifest = _pushed(shards[INDEX_SCRIPT])
    names = _registered(shards[search_shards.NAMES_FILE])
    assert names == [[c["id"], c["title"], c["organisation"]] for c in data["cases"]]
    assert [manifest["caseUrl"].replace("{id}", c["id"]) for c in data["cases"]] == [c["url"] for c in data["cases"]]


def test_shards_are_the_same_bytes_every_time(data: dict, shards: dict[str, str]) -> None:
    search_shards.CHUNK_BYTES, saved = 1_000, search_shards.CHUNK_BYTES
    try:
        assert search_shards.shard(data) == shards
    finally:
        search_shards.CHUNK_BYTES = saved


def test_the_code_point_ranges_are_textnorms_japanese_and_letters() -> None:
    # The ranges let a regular expression and numpy split text in C; they must say what textnorm says.
    import numpy as np

    from builder.search_terms import JAPANESE_RUN, WORD_RUN, japanese_mask
    from builder.textnorm import is_japanese

    for code in range(0x10000):
        ch = chr(code)
        assert bool(JAPANESE_RUN.fullmatch(ch)) == (ch != "・" and is_japanese(ch)), hex(code)
        latin = (ch.isascii() and ch.isalnum()) or (0xC0 <= code <= 0x24F and code not in (0xD7, 0xF7))
        assert bool(WORD_RUN.fullmatch(ch)) == latin, hex(code)
    codes = np.array([*range(0x10000), 0x1FFFF, 0x20000, 0x2A6D6, 0x3FFFF, 0x40000, 0x10FFFF])
    assert japanese_mask(codes).tolist() == [bool(JAPANESE_RUN.fullmatch(chr(c))) for c in codes.tolist()]
