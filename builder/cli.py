"""Command line: ``python -m builder check|fix|build|serve|new|schema|eval-search|eval-similar|synth``.

Contributors see only messages, never a traceback: bad input is reported by
``check``; anything unexpected is reported as an internal error with a request
to file an issue (set DXNAVI_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from builder.diagnostics import print_report
from builder.project import Project


def cmd_check(args: argparse.Namespace) -> int:
    from builder.validate import check_project

    result = check_project(Project(args.root), args.files or None)
    print_report(result.problems, result.files)
    return 1 if result.errors else 0


def cmd_fix(args: argparse.Namespace) -> int:
    from builder.fix import fix_project
    from builder.taxonomy import load_taxonomy
    from builder.validate import check_project

    project = Project(args.root)
    reports = fix_project(project, load_taxonomy(project.root).taxonomy, args.files or None)
    for report in reports:
        print(report.describe())
    if not reports:
        print("自動で直せる問題はありませんでした。")
    result = check_project(project, args.files or None)
    if result.problems:
        print("\n残っている問題（手で直してください）:")
    print_report(result.problems, result.files)
    return 1 if result.errors else 0


def cmd_build(args: argparse.Namespace) -> int:
    from builder.sitebuild import build_site

    return build_site(Project(args.root), Path(args.site_dir) if args.site_dir else None)


def cmd_serve(args: argparse.Namespace) -> int:
    from builder.sitebuild import serve_site

    return serve_site(Project(args.root), args.dev_addr)


def cmd_new(args: argparse.Namespace) -> int:
    from builder.scaffold import new_case

    return new_case(Project(args.root), args)


def cmd_schema(args: argparse.Namespace) -> int:
    from builder.schema_docs import write_generated

    changed = write_generated(Project(args.root), check_only=args.check)
    for path in changed:
        print(f"{path} {'が古くなっています' if args.check else 'を更新しました'}")
    if args.check and changed:
        print("python -m builder schema を実行して更新してください。")
        return 1
    if not changed:
        print("JSON Schema と CONTRIBUTING.md の項目一覧は最新です。")
    return 0


def cmd_eval_similar(args: argparse.Namespace) -> int:
    from builder.evaluation.similar import main as evaluate

    return evaluate(Project(args.root).root, st_model=args.st_model, scale_cases=args.scale)


def cmd_eval_search(args: argparse.Namespace) -> int:
    from builder.evaluation.run import main as evaluate_search

    return evaluate_search(args.root, args.labels, args.modes, args.anchors, args.json)


def cmd_synth(args: argparse.Namespace) -> int:
    from builder.synthetic import write_project

    try:
        count = write_project(args.root, args.out, args.count, args.seed)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{count} 件の合成事例のプロジェクトを {args.out} に作りました（seed {args.seed}）。")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m builder", description="DX人材事例ナビのサイトを作るツール")
    main.add_argument("--root", type=Path, default=Path.cwd(), help="プロジェクトのフォルダ（既定: 今いるフォルダ）")
    sub = main.add_subparsers(dest="command", required=True, metavar="コマンド")

    check = sub.add_parser("check", help="事例・ページ・taxonomy を確認し、問題を「ファイル:行: 項目: 内容 — 直し方」で表示します")
    check.add_argument("files", nargs="*", type=Path, help="確認するファイル（省略するとすべて）")
    check.set_defaults(func=cmd_check)

    fix = sub.add_parser("fix", help="機械的に直せる問題（部首の文字、CRLF、BOM、別表記など）をファイルに書き戻して直します")
    fix.add_argument("files", nargs="*", type=Path, help="直すファイル（省略するとすべて）")
    fix.set_defaults(func=cmd_fix)

    build = sub.add_parser("build", help="確認してからサイトを site/ に作ります（失敗しても前の site/ は残ります）")
    build.add_argument("--site-dir", help="出力先（既定: mkdocs.yml の site_dir）")
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser("serve", help="サイトをプレビュー用に http://127.0.0.1:8000 で表示します（保存すると更新されます）")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="待ち受けるアドレス（既定: 127.0.0.1:8000）")
    serve.set_defaults(func=cmd_serve)

    new = sub.add_parser("new", help="新しい事例のファイルをひな形から作ります（質問に答えるか、オプションで指定）")
    new.add_argument("--organisation", help="団体名（例: 茨城県五霞町）")
    new.add_argument("--slug", help="団体名のローマ字（例: goka）。都道府県の事例では不要です")
    new.add_argument("--title", help="事例のタイトル（資料のとおり）")
    new.add_argument("--publication", help="出典資料の id（taxonomy/publications.yml）")
    new.add_argument("--page", type=int, help="事例が載っているページ番号")
    new.add_argument("--item", help="資料の中の事例番号（ページ番号がない場合）")
    new.set_defaults(func=cmd_new)

    schema = sub.add_parser("schema", help="事例の項目定義から JSON Schema と CONTRIBUTING.md の項目一覧を作り直します")
    schema.add_argument("--check", action="store_true", help="書き換えずに、古くなっていないかだけを確認します")
    schema.set_defaults(func=cmd_schema)

    similar = sub.add_parser("eval-similar", help="「似ている事例」の選び方を、判定済みの組（tests/similar_eval/pairs.yml）で評価します")
    similar.add_argument("--st-model", default="", help="あわせて評価する sentence-transformers のモデル（名前かフォルダ。既定: DXNAVI_MODEL）")
    similar.add_argument("--scale", type=int, default=0, metavar="N", help="評価の代わりに、N 件の合成事例（python -m builder synth）で時間とメモリを測ります（例: 10000）")
    similar.set_defaults(func=cmd_eval_similar)

    evaluate = sub.add_parser(
        "eval-search",
        help="検索を評価します: ラベル付きの問い合わせ（tests/search_eval/queries.yml）で、サイトの検索（モードごと）と BM25・Material・Pagefind の nDCG@10・Recall@10 を比べます",
    )
    evaluate.add_argument("--modes", default="keyword,semantic,hybrid", help="サイトの検索モード（既定: keyword,semantic,hybrid。空で省略）")
    evaluate.add_argument("--anchors", default="bm25,material,pagefind", help="比べる相手（既定: bm25,material,pagefind。空で省略）")
    evaluate.add_argument("--labels", type=Path, help="ラベル付きの問い合わせ（既定: tests/search_eval/queries.yml）")
    evaluate.add_argument("--json", type=Path, help="結果を JSON でも書き出すファイル")
    evaluate.set_defaults(func=cmd_eval_search)

    synth = sub.add_parser("synth", help="ベンチマーク・規模のテスト用に、実際の事例を組み替えた N 件の合成事例のプロジェクトを別のフォルダに作ります")
    synth.add_argument("count", type=int, metavar="N", help="作る事例の件数")
    synth.add_argument("--seed", type=int, default=0, help="乱数の種（同じ種からは同じファイル。既定: 0）")
    synth.add_argument("--out", type=Path, required=True, help="作るフォルダ（ないか空のフォルダ。cases/ には書きません）")
    synth.set_defaults(func=cmd_synth)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.root = args.root.resolve()
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("中断しました。", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in the builder, not bad input
        if os.environ.get("DXNAVI_DEBUG"):
            traceback.print_exc()
        print(f"内部エラー: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("ツールの不具合です。このメッセージを添えて issue で報告してください（DXNAVI_DEBUG=1 で詳細を表示）。", file=sys.stderr)
        return 2
