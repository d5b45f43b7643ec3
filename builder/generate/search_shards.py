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

Every file is a classic script (file:// allows no fetch): the manifest pushes itself onto
``window.DXNAVI_SEARCH_QUEUE`` as the whole index did, the rest call ``DxNavi.assets.register``.
Chunk URLs carry ``?v=`` (a digest of every chunk), so a cached chunk never meets a newer manifest.

Why not a sharded lunr: lunr scores a case with its whole vector (fieldVectors, the larger half
of its index: 3.6 of 5.3 MB gzipped at 1,000 synthetic cases, against 1.0 MB for these postings),
so a query would load the vector of every case holding any of its terms, most of the index.
Measured with tools/bench_search.py (10,000 synthetic cases): a first query fetches 0.3–0.5 MB.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

from builder.search_terms import JAPANESE, OTHER, WORD, char_class, fold

MANIFEST = "search/index.js"
FOLDER = "search/k"
FACETS_FILE = f"{FOLDER}/facets.js"
# Raw JSON per postings chunk (~1/4 of it gzipped). Smaller: more requests per query; larger: more
# bytes per term. At 10,000 synthetic cases a query touched ~1 chunk per distinct pair either way.
CHUNK_BYTES = 24_000
# Cases per display chunk: a page's 20 results are spread over the whole index, so they touch ~20
# chunks whatever their size; one case each keeps the bytes down (4 each: 140 KB more at 10,000 cases).
CASES_PER_CHUNK = 1
VERSION = 2


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


_CLASSES: dict[str, str] = {}  # char_class() of every character met: a case has thousands


def _runs(folded: str) -> list[tuple[str, int, int]]:
    """(class, start, end) of the word and kanji/kana runs of folded text."""
    found: list[tuple[str, int, int]] = []
    current, start = OTHER, 0
    classes = _CLASSES
    for i, ch in enumerate(folded):
        kind = classes.get(ch)
        if kind is None:
            kind = classes[ch] = char_class(ch)
        if kind != current:
            if current:
                found.append((current, start, i))
            current, start = kind, i
    if current:
        found.append((current, start, len(folded)))
    return found


def joints(folded: str) -> set[str]:
    """Every string two neighbouring query terms can make that folded text contains (see the docstring).

    Neighbouring terms of one kanji/kana run make three characters (アド + ドバ → アドバ); a word
    and the run it touches make the word and one or two characters (it + パス → itパス), and the
    text may hold the word at the end of a longer one (editパス contains itパス): all suffixes.
    """
    found: set[str] = set()
    runs = _runs(folded)
    for n, (kind, start, end) in enumerate(runs):
        text = folded[start:end]
        if kind == JAPANESE:
            found.update(text[i : i + 3] for i in range(len(text) - 2))
        if n + 1 == len(runs) or runs[n + 1][1] != end:
            continue  # a separator follows: no neighbour
        following = folded[runs[n + 1][1] : runs[n + 1][2]]
        if kind == WORD:
            heads = [following[:k] for k in (1, 2) if len(following) >= k]
            found.update(text[i:] + head for i in range(len(text)) for head in heads)
        else:
            tails = [text[-k:] for k in (1, 2) if len(text) >= k]
            found.update(tail + following[:i] for i in range(1, len(following) + 1) for tail in tails)
    return found


def _gaps(positions: list[int]) -> list[int]:
    out, previous = [], -1
    for position in positions:
        out.append(position - previous)
        previous = position
    return out


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
        if char_class(term[0]) == JAPANESE:
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
    out: dict[str, list[int]] = defaultdict(list)
    for position, case in enumerate(cases):
        for joint in joints(haystack(case)):
            out[joint].append(position)  # positions ascend: cases are visited in order
    return out


def postings_chunks(data: dict[str, Any]) -> list[dict[str, dict[str, list]]]:
    """The key space cut into chunks of about CHUNK_BYTES, each {table: {keys, values}}."""
    index = data["index"]
    entries: list[tuple[bytes, str, str, list[int]]] = [(utf16(t), t, "t", p) for t, p in zip(index["terms"], index["postings"])]
    entries += [(utf16(ch), ch, "u", p) for ch, p in unions(index).items()]
    entries += [(utf16(j), j, "j", _gaps(docs)) for j, docs in joint_cases(data["cases"]).items()]
    entries.sort(key=lambda e: e[0])  # keys of the three tables never coincide (a lone char is a term or a union)
    chunks: list[dict[str, dict[str, list]]] = []
    size = CHUNK_BYTES
    for _, key, table, value in entries:
        if size >= CHUNK_BYTES:
            chunks.append({name: {"keys": [], "values": []} for name in ("t", "u", "j")})
            size = 0
        chunks[-1][table]["keys"].append(key)
        chunks[-1][table]["values"].append(value)
        size += len(key.encode("utf-8")) + 4 + len(_json(value))
    return chunks


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
        files[f"{FOLDER}/t{n}.js"] = register(f"{FOLDER}/t{n}.js", chunk)
    cases = data["cases"]
    for n in range(0, len(cases), CASES_PER_CHUNK):
        path = f"{FOLDER}/d{n // CASES_PER_CHUNK}.js"
        files[path] = register(path, cases[n : n + CASES_PER_CHUNK])
    members = [[_gaps(value["cases"]) for value in facet["values"]] for facet in data["facets"]]
    files[FACETS_FILE] = register(FACETS_FILE, members)
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
