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

import base64
import csv
import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

from builder.generate import paths
from builder.generate.memo import Memo
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


def json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def _json_pieces(lines: list[str]) -> list[str]:
    """cases.json in pieces, one a case: one case a line, a tenth smaller than indented, and written
    by json's C encoder (indent= is not)."""
    if not lines:
        return ['{"count": 0, "cases": []}\n']
    return [f'{{"count": {len(lines)}, "cases": [\n', *(line + ",\n" for line in lines[:-1]), lines[-1] + "\n]}\n"]


def csv_row(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def _csv_row_of(record: dict[str, Any]) -> str:
    return csv_row([csv_cell(read(record)) for _, read in COLUMNS])


def _csv_pieces(rows: list[str]) -> list[str]:
    """cases.csv in pieces, one a case, after the BOM (Japanese Excel reads UTF-8 only with it) and the header."""
    return ["\ufeff" + csv_row([title for title, _ in COLUMNS]), *rows]


def records(corpus: Corpus, use_directory_urls: bool) -> list[dict[str, Any]]:
    return [record(e.model, corpus.taxonomy, use_directory_urls) for e in corpus.cases]  # type: ignore[arg-type]


# Each file is deflated in blocks of BLOCK cases, each block on its own (zlib -6, ended by a full
# flush: the blocks of a file join into one deflate stream) and kept in the memo by its text. A
# rebuild after one edit deflates the block holding that case: 0.02 s, not 0.2 s for all 8.6 MB of
# 1,000 cases. Deflate looks back 32 KB only, so blocks of ~0.4 MB cost under 1 % of the size.
BLOCK = 100
MEMO = "open-data.sqlite"  # in the cache folder
_END = b"\x03\x00"  # an empty final block (fixed Huffman codes): the end of a deflate stream
# The ZIP epoch (1980-01-01 00:00) as MS-DOS time and date: the archive's bytes depend on the cases alone.
_DOS_TIME, _DOS_DATE = 0, (1 << 5) | 1
_UNIX_FILE = 0o100644 << 16  # external attributes: a plain readable file when unpacked on Unix


def _block(text: str) -> str:
    """A block's deflate stream, never final and ending byte-aligned, as base64 (the memo keeps text)."""
    squeezer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return base64.b64encode(squeezer.compress(text.encode("utf-8")) + squeezer.flush(zlib.Z_FULL_FLUSH)).decode("ascii")


def _deflated(pieces: list[str], memo: Memo | None) -> tuple[bytes, int, int]:
    """(deflate stream, CRC-32, size) of the pieces' text in UTF-8."""
    stream, crc, size = bytearray(), 0, 0
    for start in range(0, len(pieces), BLOCK):
        text = "".join(pieces[start : start + BLOCK])
        data = text.encode("utf-8")
        stream += base64.b64decode(memo.get("deflate", text, _block) if memo is not None else _block(text))
        crc, size = zlib.crc32(data, crc), size + len(data)
    return bytes(stream + _END), crc, size


def render_zip(recs: list[dict[str, Any]], memo: Memo | None = None) -> bytes:
    """A ZIP (deflated members, no extras) that ``zipfile`` could have written; ``memo``: the blocks
    and CSV rows of earlier builds, by their text."""
    lines = [json_line(record) for record in recs]
    if memo is None:
        rows = [_csv_row_of(record) for record in recs]
    else:  # the JSON line is the whole record: the same line, the same row
        rows = [memo.get("csv-row", line, lambda line: _csv_row_of(json.loads(line))) for line in lines]
    members = ((paths.CASES_CSV, _csv_pieces(rows)), (paths.CASES_JSON, _json_pieces(lines)))
    body, directory = bytearray(), bytearray()
    for name, pieces in members:
        packed, crc, size = _deflated(pieces, memo)
        encoded = name.encode("ascii")
        fields = (8, _DOS_TIME, _DOS_DATE, crc, len(packed), size, len(encoded))  # 8: deflated
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0, *fields, 0, 0, 0, 0, _UNIX_FILE, len(body))
        directory += encoded
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, *fields, 0) + encoded + packed
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0)
    return bytes(body + directory + end)


class OpenData:
    name = "open-data"
    # Reads only the corpus and makes no page: made beside the other stages (pipeline.start), while
    # MkDocs renders the pages that link to the ZIP, which it is told of beforehand (``linked``).
    independent = True
    linked = (paths.CASES_ZIP,)

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir  # for MEMO

    def run(self, context: BuildContext) -> None:
        memo = Memo(self.cache_dir, MEMO) if self.cache_dir is not None else None
        context.add(OutputFile(paths.CASES_ZIP, render_zip(records(context.corpus, context.use_directory_urls), memo)))
        if memo is not None:
            memo.save()
