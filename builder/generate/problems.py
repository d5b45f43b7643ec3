"""The preview's red boxes: a file's errors on its own page, and every file with errors on the home page.

Only a preview ever has errors to show (a strict build stops on the first), so the
public site never gets a box. Messages quote contributor text, so every one is escaped.
"""

from __future__ import annotations

from builder.diagnostics import Problem
from builder.generate import markdown as md
from builder.generate import paths
from builder.validate import Corpus

CLASS = "dxn-problems"
NOTE = "プレビューだけに表示しています。直すまで、公開用のサイトは作られません（python -m builder check でも確認できます）。"


def _lines(problems: list[Problem], indent: str = "") -> str:
    return "\n".join(f"{indent}- {md.text(problem.format())}" for problem in problems)


def problem_box(problems: list[Problem]) -> str:
    """The box at the top of a page whose file has errors ("" when it has none)."""
    if not problems:
        return ""
    heading = f"**このファイルには直す必要のある問題が {len(problems)} 件あります。**"
    return md.block(CLASS, f"{heading}\n{md.text(NOTE)}\n\n{_lines(problems)}")


def page_of_file(corpus: Corpus) -> dict[str, str]:
    """The generated page of each case and page file that has one in this build."""
    pages = {entry.rel: paths.case(entry.id) for entry in corpus.cases}
    pages.update({draft.rel: paths.case(draft.id) for draft in corpus.drafts})
    pages.update({entry.rel: paths.page(entry.model.type, entry.id) for entry in corpus.pages})  # type: ignore[attr-defined]
    return pages


def files_box(corpus: Corpus, here: str) -> str:
    """The home page's list of files with errors, linked to their pages where they have one."""
    if not corpus.errors:
        return ""
    pages = page_of_file(corpus)
    items = []
    for rel, problems in sorted(corpus.errors.items()):
        count = md.text(f"エラー {len(problems)} 件")
        if rel in pages:
            items.append(f"- {md.link(rel, md.relative(here, pages[rel]))} — {count}")
        else:  # no page to show them on (unreadable file, taxonomy …): list them here
            items.append(f"- {md.text(rel)} — {count}\n{_lines(problems, '    ')}")
    heading = f"**エラーのあるファイルが {len(corpus.errors)} 件あります。**"
    return md.block(CLASS, f"{heading}\n{md.text(NOTE)}\n\n" + "\n".join(items))
