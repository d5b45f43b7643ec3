"""The keyword index cut into chunks, so that a query loads only what it needs (as Pagefind does).

``search_index.search_data`` computes the whole index (format in its docstring); this module
writes it as files the page loads by need:

- ``search/index.js``, the manifest, loaded first: what every query needs. The field lengths of
  every case (BM25 needs them, and their averages, exact), the facets' values without their
  cases, the query tables (``query_hints``) and the first key of every postings chunk.
- ``search/k/t<N>.js``, postings chunks of about ``CHUNK_BYTES``. One key space, sorted in
  UTF-16 code unit order (how JavaScript compares strings), holds three kinds of key, each in its
  own table of a chunk:
  ``t`` index terms → postings (the search_index format);
  ``u`` a lone kanji or kana that is not itself a term → the summed postings of the terms that
  contain it (ranking.js looks 町 up inside 五霞町; one key answers that instead of every pair);
  ``j`` joints → the cases whose text contains them: every three characters of a kanji/kana run,
  and where a word meets a kanji/kana run (itパス). ranking.js asks whether neighbouring query
  terms stand together in a case; the joints answer exactly what searching the case's text did,
  without the text. A joint sorts right after the pair it begins with (研修 < 研修会), so a pair
  and its joints mostly share a chunk, and a word being typed (passp…) finds its words in the
  chunks of one key range.
- ``search/k/d<N>.js``, what results show (snippet text included), ``CASES_PER_CHUNK`` cases
  each in index order: loaded only for the cases shown.
- ``search/k/facets.js``, the cases of every facet value: loaded by a filter, a stated property
  (小さな町) or the search page's facet counts.
- ``search/k/names.js``, every case's id, title and organisation: what ``window.caseSearch`` returns,
  in one file loaded alongside a first query's postings. The 20 display chunks of its results cost a
  second round of requests after ranking, which was most of a first query's time (1,000 cases: 53 of
  ~70 ms); the names weigh ~19 KB gzipped per 1,000 cases. A case's URL is ``caseUrl`` with its id.

Every file is a classic script (file:// allows no fetch): the manifest pushes itself onto
``window.DXNAVI_SEARCH_QUEUE`` as the whole index did, the rest call ``DxNavi.assets.register``.
Chunk URLs carry ``?v=`` (a digest of every chunk), so a cached chunk never meets a newer manifest.

Why not a sharded lunr: lunr scores a case with its whole vector (fieldVectors, the larger half
of its index: 3.6 of 5.3 MB gzipped at 1,000 synthetic cases, against 1.0 MB for these postings),
so a query would load the vector of every case holding any of its terms, most of the index.
Measured with tools/bench_search.py (10,000 synthetic cases): a first query fetches 0.3–0.5 MB.
(names.js included).
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections import defaultdict
from typing import Any

from builder.search_terms import JAPANESE_RUN, WORD_RUN, fold, japanese_mask

MANIFEST = "search/index.js"
FOLDER = "search/k"
FACETS_FILE = f"{FOLDER}/facets.js"
NAMES_FILE = f"{FOLDER}/names.js"
# Raw JSON per postings chunk (~1/4 of it gzipped), at least: a chunk ends only before a term or a
# union, never between a pair and its joints. Per query of the labelled set (tools/bench_search.py's,
# ranking.needs), chunks and gzipped bytes, p50/p95: at 1,000 synthetic cases 24 KB 7/22 and 52/154 KB,
# 64 KB 7/19 and 120/334 KB, 160 KB 7/18 and 284/751 KB: a query touches ~1 chunk per distinct pair
# whatever the size, so larger chunks only cost bytes. At 10,000 cases a frequent pair fills a chunk
# alone; with its joints cut off into the next one, a query touched 11/30 chunks (115/263 KB), 7/22
# (102/317 KB) with them kept together.
CHUNK_BYTES = 24_000
# Cases per display chunk: a page's 20 results are spread over the whole index, so they touch ~20
# chunks whatever their size; one case each keeps the bytes down (4 each: 140 KB more at 10,000 cases).
CASES_PER_CHUNK = 1
VERSION = 2
# Cases per numpy pass over their text (joints): arrays of a few MB. Fresh memory is slow to touch on
# the build machines (a VM faults it in: ~2 s per GB), and one pass over 10,000 cases took ~1 GB.
JOINT_BATCH = 500


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def utf16(key: str) -> bytes:
    """Sort key matching JavaScript's string order (code units, not code points)."""
    return key.encode("utf-16-be")


def haystack(case: dict[str, Any]) -> str:
    """The folded text ranking.js searched for phrases (api.js haystack(), from the same fields)."""
    parts = [case["title"], case["organisation"], case["prefecture"], case["region"], "\n".join(case["keywords"])]
    parts += [case["category"], case["summary"], case["text"]]
    return fold("\n".join(parts))


def _word_joints(folded: str) -> set[str]:
    """The joints where a word meets a kanji/kana run (see joints()); words are few, so found from each."""
    found: set[str] = set()
    for word in WORD_RUN.finditer(folded):
        start, end, text = word.start(), word.end(), word.group()
        following = JAPANESE_RUN.match(folded, end)
        if following:
            heads = [following.group()[:k] for k in (1, 2) if following.end() - end >= k]
            found.update(text[i:] + head for i in range(len(text)) for head in heads)
        if start and JAPANESE_RUN.match(folded, start - 1):  # a run ends where the word begins
            tails = [folded[start - k : start] for k in (1, 2) if start >= k and JAPANESE_RUN.fullmatch(folded, start - k, start)]
            found.update(tail + text[:i] for i in range(1, len(text) + 1) for tail in tails)
    return found


def _joint_cases(texts: list[str]) -> dict[str, list[int]]:
    """Joint -> the positions of the folded texts that hold it, ascending (see joints())."""
    import numpy as np

    out: dict[str, list[int]] = defaultdict(list)
    for position, text in enumerate(texts):
        for joint in _word_joints(text):
            out[joint].append(position)
    # Three characters of a kanji/kana run: ~1,000 per case, so numbered and sorted with numpy, in
    # batches (a word joint holds a letter or digit, so the two kinds never name the same joint).
    for begin in range(0, len(texts), JOINT_BATCH):
        batch = texts[begin : begin + JOINT_BATCH]
        points = np.frombuffer("\n".join(batch).encode("utf-32-le"), dtype=np.uint32)  # a line: no joint crosses texts
        japanese = japanese_mask(points)
        at = np.flatnonzero(japanese[:-2] & japanese[1:-1] & japanese[2:])
        if not len(at):
            continue
        wide = points.astype(np.int64)
        keys = (wide[at] << 42) | (wide[at + 1] << 21) | wide[at + 2]
        starts = np.cumsum([0] + [len(text) + 1 for text in batch[:-1]])
        held = np.searchsorted(starts, at, side="right") - 1 + begin  # ascending, as at is
        order = np.argsort(keys, kind="stable")  # by joint, then by text
        keys, held = keys[order], held[order]
        first = np.r_[True, (keys[1:] != keys[:-1]) | (held[1:] != held[:-1])]  # each (joint, text) once
        keys, held = keys[first], held[first]
        bounds = np.r_[np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]), len(keys)].tolist()
        positions = held.tolist()
        for a, b in zip(bounds, bounds[1:]):
            key = int(keys[a])
            out[chr(key >> 42) + chr((key >> 21) & 0x1FFFFF) + chr(key & 0x1FFFFF)] += positions[a:b]
    return dict(out)


def joints(folded: str) -> set[str]:
    """Every string two neighbouring query terms can make that folded text contains (see the docstring).

    Neighbouring terms of one kanji/kana run make three characters (アド + ドバ → アドバ); a word
    and the run it touches make the word and one or two characters (it + パス → itパス), and the
    text may hold the word at the end of a longer one (editパス contains itパス): all suffixes.
    """
    return set(_joint_cases([folded]))


def _gaps(positions: list[int]) -> list[int]:
    return list(map(operator.sub, positions, [-1, *positions[:-1]]))


def _arrays(flat: list[int], size: int) -> tuple[Any, Any]:
    """(field × size + case, term frequency) of one term's flat postings, as numpy arrays."""
    import numpy as np

    keys, counts = [], []
    i = 0
    while i < len(flat):
        field, count = flat[i], flat[i + 1]
        pairs = flat[i + 2 : i + 2 + 2 * count]
        i += 2 + 2 * count
        keys.append(field * size + np.cumsum(pairs[0::2]) - 1)
        counts.append(pairs[1::2])
    return np.concatenate(keys), np.concatenate(counts)


def unions(index: dict[str, Any]) -> dict[str, list[int]]:
    """For each kanji/kana that is not a term: the summed postings of the terms holding it (ranking.js containing())."""
    import numpy as np

    fields, size = len(index["fields"]), len(index["lengths"])
    terms = set(index["terms"])
    holders: dict[str, list[int]] = defaultdict(list)
    for n, term in enumerate(index["terms"]):
        if JAPANESE_RUN.match(term):
            for ch in set(term):  # a term counts once however often it holds the character
                if ch not in terms:  # the lone term itself answers, as ranking.js looks it up first
                    holders[ch].append(n)
    decoded: dict[int, tuple[Any, Any]] = {}
    out: dict[str, list[int]] = {}
    for ch, numbers in holders.items():
        for n in numbers:
            if n not in decoded:
                decoded[n] = _arrays(index["postings"][n], size)
        keys = np.concatenate([decoded[n][0] for n in numbers])
        counts = np.concatenate([decoded[n][1] for n in numbers])
        summed = np.bincount(keys, weights=counts, minlength=fields * size).astype(np.int64)
        present = np.flatnonzero(summed)  # ascending: by field, then by case, as search_index encodes
        flat: list[int] = []
        for field in range(fields):
            docs = present[(present >= field * size) & (present < (field + 1) * size)]
            if not len(docs):
                continue
            pairs = np.empty(2 * len(docs), dtype=np.int64)
            pairs[0::2] = np.diff(docs - field * size, prepend=-1)
            pairs[1::2] = summed[docs]
            flat += [field, len(docs), *pairs.tolist()]
        out[ch] = flat
    return out


def joint_cases(cases: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Joint -> the positions of the cases whose text (haystack()) holds it, ascending."""
    return _joint_cases([haystack(case) for case in cases])


def postings_chunks(data: dict[str, Any]) -> list[dict[str, dict[str, list]]]:
    """The key space cut into chunks of about CHUNK_BYTES, each {table: {keys, values as JSON}}."""
    index = data["index"]
    entries: list[tuple[bytes, str, str, list[int]]] = [(utf16(t), t, "t", p) for t, p in zip(index["terms"], index["postings"])]
    entries += [(utf16(ch), ch, "u", p) for ch, p in unions(index).items()]
    entries += [(utf16(j), j, "j", _gaps(docs)) for j, docs in joint_cases(data["cases"]).items()]
    entries.sort(key=lambda e: e[0])  # keys of the three tables never coincide (a lone char is a term or a union)
    chunks: list[dict[str, dict[str, list]]] = []
    size = CHUNK_BYTES
    for _, key, table, value in entries:
        if not chunks or (size >= CHUNK_BYTES and table != "j"):  # a pair's joints stay in its chunk (CHUNK_BYTES)
            chunks.append({name: {"keys": [], "values": []} for name in ("t", "u", "j")})
            size = 0
        encoded = _json(value)  # once: it sizes the chunk and goes into its script (_chunk_json)
        chunks[-1][table]["keys"].append(key)
        chunks[-1][table]["values"].append(encoded)
        size += len(key.encode("utf-8")) + 4 + len(encoded)
    return chunks


def _chunk_json(chunk: dict[str, dict[str, list]]) -> str:
    """json.dumps of a chunk whose values are JSON already."""
    tables = [f'"{name}":{{"keys":{_json(t["keys"])},"values":[{",".join(t["values"])}]}}' for name, t in chunk.items()]
    return "{" + ",".join(tables) + "}"


def _first_key(chunk: dict[str, dict[str, list]]) -> str:
    return min((t["keys"][0] for t in chunk.values() if t["keys"]), key=utf16)


def register(name: str, value: Any) -> str:
    return f"window.DxNavi.assets.register({_json(name)},{_json(value)});\n"


def shard(data: dict[str, Any]) -> dict[str, str]:
    """Site path -> content of the manifest and every chunk, from search_index.search_data()."""
    index = data["index"]
    files: dict[str, str] = {}
    chunks = postings_chunks(data)
    for n, chunk in enumerate(chunks):
        files[f"{FOLDER}/t{n}.js"] = f"window.DxNavi.assets.register({_json(f'{FOLDER}/t{n}.js')},{_chunk_json(chunk)});\n"
    cases = data["cases"]
    for n in range(0, len(cases), CASES_PER_CHUNK):
        path = f"{FOLDER}/d{n // CASES_PER_CHUNK}.js"
        files[path] = register(path, cases[n : n + CASES_PER_CHUNK])
    members = [[_gaps(value["cases"]) for value in facet["values"]] for facet in data["facets"]]
    files[FACETS_FILE] = register(FACETS_FILE, members)
    names = [[case["id"], case["title"], case["organisation"]] for case in cases]
    files[NAMES_FILE] = register(NAMES_FILE, names)
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path].encode("utf-8") + b"\0")
    manifest = {
        "version": VERSION,
        "build": digest.hexdigest()[:12],
        "folder": FOLDER,
        "fields": index["fields"],
        "size": len(cases),
        "lengths": [n for row in index["lengths"] for n in row],  # flat: case × field
        "chunks": [_first_key(chunk) for chunk in chunks],
        "casesPerChunk": CASES_PER_CHUNK,
        "caseUrl": data["caseUrl"],
        "facets": [_facet(facet) for facet in data["facets"]],
        "hints": data["hints"],
    }
    # window.DxNavi.keywordIndex takes it whether this script runs before the modules or after.
    files[MANIFEST] = f"(window.DXNAVI_SEARCH_QUEUE = window.DXNAVI_SEARCH_QUEUE || []).push({_json(manifest)});\n"
    return files


def _facet(facet: dict[str, Any]) -> dict[str, Any]:
    """A facet and its values without their cases (those are in FACETS_FILE)."""
    values = [{k: v for k, v in value.items() if k != "cases"} for value in facet["values"]]
    return {**{k: v for k, v in facet.items() if k != "values"}, "values": values}
