"""Open data: every case's front matter as cases.json and cases.csv, with its page URL, in cases.zip.

Both come from the same validated models. The CSV is for spreadsheets: UTF-8
with a BOM (Japanese Excel needs it), CRLF line ends, and cells that a
spreadsheet would run as a formula (=, +, -, @ …) made inert with a quote.

They ship as one ZIP: the two files carry the same text twice (the interviews
are most of it), and deflated they are a fifth of their size, which matters
both to the site's size and to a reader on a slow municipal network. Windows
opens a ZIP without extra software.
"""

from __future__ import annotations

import csv
import io
import json
import struct
from typing import Any

import deflate

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


# libdeflate's level 6: 0.07 s for 1,000 cases' 8.6 MB, where zlib's -6 took 0.21 s (and -9 0.28 s)
# for the same size within 1 %. Every build writes the archive, a rebuild after one edit included.
_ZIP_LEVEL = 6
# The ZIP epoch (1980-01-01 00:00) as MS-DOS time and date: the archive's bytes depend on the cases alone.
_DOS_TIME, _DOS_DATE = 0, (1 << 5) | 1
_UNIX_FILE = 0o100644 << 16  # external attributes: a plain readable file when unpacked on Unix


def render_zip(recs: list[dict[str, Any]]) -> bytes:
    """A ZIP (deflated members, no extras) that ``zipfile`` could have written, compressed by libdeflate."""
    members = ((paths.CASES_CSV, render_csv(recs)), (paths.CASES_JSON, render_json(recs).encode("utf-8")))
    body, directory = bytearray(), bytearray()
    for name, data in members:
        packed = deflate.deflate_compress(data, _ZIP_LEVEL)
        encoded = name.encode("ascii")
        fields = (8, _DOS_TIME, _DOS_DATE, deflate.crc32(data), len(packed), len(data), len(encoded))  # 8: deflated
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0, *fields, 0, 0, 0, 0, _UNIX_FILE, len(body))
        directory += encoded
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, *fields, 0) + encoded + packed
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0)
    return bytes(body + directory + end)


class OpenData:
    name = "open-data"

    def run(self, context: BuildContext) -> None:
        context.add(OutputFile(paths.CASES_ZIP, render_zip(records(context.corpus, context.use_directory_urls))))
