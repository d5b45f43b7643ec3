"""Open data: every case's front matter as cases.json and cases.csv, with its page URL.

Both come from the same validated models. The CSV is for spreadsheets: UTF-8
with a BOM (Japanese Excel needs it), CRLF line ends, and cells that a
spreadsheet would run as a formula (=, +, -, @ …) made inert with a quote.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from builder.generate import paths
from builder.generate.pipeline import BuildContext, OutputFile
from builder.models import Case, Catalog, Organisation, Population, Source
from builder.taxonomy import Taxonomy
from builder.validate import Corpus

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def record(case: Case, taxonomy: Taxonomy, use_directory_urls: bool) -> dict[str, Any]:
    """The case as JSON: the front matter plus derived fields (page URL, region, band, source title)."""
    data = case.model_dump(mode="json")
    prefecture = taxonomy.prefectures.resolve(case.organisation.prefecture)
    data["organisation"]["region"] = taxonomy.region_of(prefecture.entry).label if prefecture else None
    band = taxonomy.band_for(case.population.value)
    data["population"]["band"] = band.label if band else None
    publication = taxonomy.publication(case.source.publication)
    # Always present: a year the publication does not print is null (an empty CSV cell), never guessed.
    data["source"].update(
        title=publication.title if publication else None,
        publisher=publication.publisher if publication else None,
        year=publication.year if publication else None,
    )
    return {"url": paths.url(paths.case(case.id), use_directory_urls), **data}


def _title(model: type, name: str) -> str:
    return model.model_fields[name].title or name


# (column title, how to read the value from a JSON record)
COLUMNS: list[tuple[str, Any]] = [
    ("id", lambda r: r["id"]),
    ("URL", lambda r: r["url"]),
    (_title(Case, "title"), lambda r: r["title"]),
    (_title(Organisation, "name"), lambda r: r["organisation"]["name"]),
    (_title(Organisation, "prefecture"), lambda r: r["organisation"]["prefecture"]),
    ("地方", lambda r: r["organisation"]["region"]),
    (_title(Organisation, "kind"), lambda r: r["organisation"]["kind"]),
    (_title(Population, "value"), lambda r: r["population"]["value"]),
    (_title(Population, "text"), lambda r: r["population"]["text"]),
    (_title(Population, "as_of"), lambda r: r["population"]["as_of"]),
    ("人口規模", lambda r: r["population"]["band"]),
    (_title(Case, "category"), lambda r: r["category"]),
    (_title(Case, "keywords"), lambda r: "、".join(r["keywords"])),
    (_title(Case, "summary"), lambda r: r["summary"]),
    (_title(Source, "publication"), lambda r: r["source"].get("title") or r["source"]["publication"]),
    ("発行", lambda r: r["source"].get("publisher")),
    ("発行年", lambda r: r["source"].get("year")),
    (_title(Source, "page"), lambda r: r["source"]["page"]),
    (_title(Source, "item"), lambda r: r["source"]["item"]),
    (_title(Case, "interview"), lambda r: "\n".join(f"Q{i}: {qa['question']}\nA{i}: {qa['answer']}" for i, qa in enumerate(r["interview"], 1))),
    (_title(Case, "links"), lambda r: "\n".join(f"{link['title']} {link['url']}" for link in r["links"])),
    (_title(Case, "department"), lambda r: r["department"]),
    (_title(Case, "awards"), lambda r: "\n".join(r["awards"])),
    (_title(Case, "schemes"), lambda r: "、".join(r["schemes"])),
    (_title(Case, "roles"), lambda r: "、".join(r["roles"])),
    *[
        (_title(Catalog, name), lambda r, name=name: (r["catalog"] or {}).get(name))
        for name in Catalog.model_fields
    ],
]


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_json(records: list[dict[str, Any]]) -> str:
    """One case a line: a tenth smaller than indented, and written by json's C encoder (indent= is not)."""
    lines = ",\n".join(json.dumps(record, ensure_ascii=False) for record in records)
    return f'{{"count": {len(records)}, "cases": [\n{lines}\n]}}\n' if records else '{"count": 0, "cases": []}\n'


def render_csv(records: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title for title, _ in COLUMNS])
    for rec in records:
        writer.writerow([csv_cell(read(rec)) for _, read in COLUMNS])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def records(corpus: Corpus, use_directory_urls: bool) -> list[dict[str, Any]]:
    return [record(e.model, corpus.taxonomy, use_directory_urls) for e in corpus.cases]  # type: ignore[arg-type]


class OpenData:
    name = "open-data"

    def run(self, context: BuildContext) -> None:
        recs = records(context.corpus, context.use_directory_urls)
        context.add(OutputFile(paths.CASES_JSON, render_json(recs)))
        context.add(OutputFile(paths.CASES_CSV, render_csv(recs)))
