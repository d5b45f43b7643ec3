"""Write the keyword search data of a project twice, whole and in chunks, for tests/js/shards.test.js.

Usage: python tests/js/shard_fixture.py OUT [--root PROJECT] [--chunk-bytes N]

OUT/whole.json is ``search_index.search_data()`` (what the unsharded engine reads); OUT/site/ holds
``search_shards.shard()``'s files as the site ships them; OUT/queries.json the query table: the
labelled queries of tests/search_eval/ and the edge cases below; OUT/numbers.json ``search_shards.encode()``'s
text of NUMBERS, which the browser's decoder must read back. Small chunks (--chunk-bytes, and home
chunks in proportion) put a key range and a name's keys across several chunks, which the test needs to exercise.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

# What the labelled set does not cover: lone kanji (looked up inside pairs), words being typed
# (looked up by prefix), words touching kanji (itパス joints), variants, hints, expansions.
EDGE_QUERIES = [
    "", "町", "県", "DX化", "IT化", "passp", "p", "a", "it", "itパ", "ITパスポート", "ＩＴパスポート", "ｱﾄﾞﾊﾞｲｻﾞｰ",
    "⼈材育成", "アドバイザー", "キャリアアドバイザー", "小さな町 外部アドバイザー", "副業人材", "受験料補助",
    "BPRワークショップ", "5万人", "人口5万人未満", "2023年度", "研修", "研修の効果測定", "DX推進リーダー", "高知県",
    "四国", "政令市", "e-learning", "rpa導入", "chatgpt", "ノーコード", "存在しない言葉ぞぞぞ", "職員 職員 職員",
]  # fmt: skip
# Slices of numbers on both sides of each length of their encoding (LAST × MORE ** k: 80, 1,040, 13,520 …), one empty.
NUMBERS = [[0], [1, 79, 80, 81], [92, 1039, 1040, 13519, 13520], [175759, 175760, 10_000, 999_999, 2_284_879, 2_284_880], []]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--root", type=Path, default=REPO)
    parser.add_argument("--chunk-bytes", type=int, default=2_000)
    args = parser.parse_args()

    import yaml

    from builder.generate import search_shards
    from builder.generate.search_index import search_data, to_json
    from builder.project import Project
    from builder.validate import check_project

    corpus = check_project(Project(args.root)).corpus
    assert corpus is not None, f"{args.root} has no valid cases"
    data = search_data(corpus, use_directory_urls=False)
    search_shards.HOME_BYTES = search_shards.HOME_BYTES * args.chunk_bytes // search_shards.CHUNK_BYTES  # in proportion
    search_shards.CHUNK_BYTES = args.chunk_bytes
    files = search_shards.shard(data)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "whole.json").write_text(to_json(data), encoding="utf-8")
    encoded = search_shards.encode(NUMBERS)
    (args.out / "numbers.json").write_text(json.dumps({"numbers": NUMBERS, "encoded": encoded}), encoding="utf-8")
    for path, content in files.items():
        target = args.out / "site" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    labelled = [entry["query"] for entry in yaml.safe_load((REPO / "tests" / "search_eval" / "queries.yml").read_text(encoding="utf-8"))]
    queries = list(dict.fromkeys(labelled + EDGE_QUERIES))
    (args.out / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
