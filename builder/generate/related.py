"""Stage: link each case to the other cases and pages of the same organisation.

つくば市, 真岡市 and 小山町 appear in several publications; those are separate
cases (different years and angles) that a reader wants to see together.
"""

from __future__ import annotations

from collections import defaultdict

from builder.generate import markdown as md
from builder.generate import paths
from builder.generate.pipeline import BuildContext, Section
from builder.validate import Entry


def by_organisation(entries: list[Entry]) -> dict[str, list[Entry]]:
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        organisation = getattr(entry.model, "organisation", None)
        if organisation is not None:
            groups[organisation.name].append(entry)
    return groups


class SameOrganisation:
    name = "same-organisation"

    def run(self, context: BuildContext) -> None:
        taxonomy = context.corpus.taxonomy
        cases = by_organisation(context.corpus.cases)
        pages = by_organisation(context.corpus.pages)
        for name, entries in cases.items():
            for entry in entries:
                here = paths.case(entry.id)
                lines = []
                for other in entries:
                    if other is entry:
                        continue
                    publication = taxonomy.publication(other.model.source.publication)  # type: ignore[attr-defined]
                    where = f"（{md.text(publication.short_title)}）" if publication else ""
                    lines.append(f"- {md.link(other.model.title, md.relative(here, paths.case(other.id)))}{where}")  # type: ignore[attr-defined]
                for page in pages.get(name, []):
                    target = md.relative(here, paths.page(page.model.type, page.id))  # type: ignore[attr-defined]
                    lines.append(f"- {md.link(page.model.title, target)}")  # type: ignore[attr-defined]
                if lines:
                    context.case_sections[entry.id].append(Section(f"{md.text(name)}の他の事例・資料", "\n".join(lines)))
