"""Stage: the all-cases page (cases/index), one listing a reader can sort.

The table is the same listing as every index page, plus the source and its year.
It is complete and in north-to-south order without JavaScript; table-sort.js
adds sort buttons to the columns whose cells carry a sort key.
"""

from __future__ import annotations

from builder.generate import markdown as md
from builder.generate import paths, table_html
from builder.generate.common import SOURCE, YEAR, case_table, listing
from builder.generate.organisations import Organisations
from builder.generate.pipeline import BuildContext, OutputFile
from builder.validate import Corpus

SORT_SCRIPT = "assets/javascripts/dxnavi/table-sort.js"


def render_all_cases(corpus: Corpus, use_directory_urls: bool) -> str:
    here = paths.index(paths.CASES)
    root = "../" * paths.url(here, use_directory_urls).count("/")
    columns = (*listing(Organisations(corpus)), SOURCE, YEAR)
    sortable = "".join(f"「{column.heading}」" for column in columns if column.sort_key)
    data = f"{md.link(paths.CASES_ZIP, md.relative(here, paths.CASES_ZIP))}（{md.text(paths.CASES_CSV)} と {md.text(paths.CASES_JSON)}）"
    parts = [
        "---\nhide:\n  - toc\n---",  # the table needs the width more than a one-heading contents list
        "# すべての事例",
        f"{len(corpus.cases)} 件の事例を、団体の北から南への順に並べています。すべての項目は {data} でダウンロードできます。",
        # Shown by table-sort.js, so a reader without JavaScript is not told about buttons that are not there.
        f'<p class="dxn-sort-hint" hidden>見出しの{sortable}のボタンで並べ替えられます。</p>',
        table_html.as_html(case_table(corpus.cases, here, corpus.taxonomy, columns, sortable=True), here, use_directory_urls),
        f'<script src="{root}{SORT_SCRIPT}"></script>',
    ]
    return "\n\n".join(parts) + "\n"


class AllCases:
    name = "all-cases"

    def run(self, context: BuildContext) -> None:
        context.add(OutputFile(paths.index(paths.CASES), render_all_cases(context.corpus, context.use_directory_urls)))
