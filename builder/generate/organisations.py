"""Which organisations get a page of their own, and where an organisation's name links.

Most organisations have one case. Their page would only repeat that case's card in a
one-row table, yet cost a whole page (the theme's header, navigation and footer are most
of it): about 10 MB of a 1,000-case site. So an organisation has a page when it has two
or more cases and pages, which the page gathers for a reader browsing by organisation.
Otherwise its name links straight to its one case or page where a reader picks an
organisation (the organisation index, a prefecture's list), and is plain text where that
case is already linked beside it (a listing row) or is the page being read (its card).
"""

from __future__ import annotations

from builder.generate import markdown as md
from builder.generate import paths
from builder.generate.related import by_organisation
from builder.models import Case
from builder.validate import Corpus, Entry


def entry_path(entry: Entry) -> str:
    """The generated page of a case or of a document page."""
    if isinstance(entry.model, Case):
        return paths.case(entry.id)
    return paths.page(entry.model.type, entry.id)  # type: ignore[attr-defined]


class Organisations:
    def __init__(self, corpus: Corpus) -> None:
        self._entries = by_organisation(corpus.cases + corpus.pages)

    def has_page(self, name: str) -> bool:
        return len(self._entries.get(name, ())) > 1

    def target(self, name: str) -> str:
        """Its page, or its one case or page."""
        return paths.organisation(name) if self.has_page(name) else entry_path(self._entries[name][0])

    def link(self, name: str, here: str) -> str:
        """Its name, linked to its page if it has one (escaped Markdown)."""
        return md.link(name, md.relative(here, paths.organisation(name))) if self.has_page(name) else md.text(name)
