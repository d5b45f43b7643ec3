"""The keyword index cut into chunks, so that a query loads only what it needs (as Pagefind does).

``search_index.search_data`` computes the whole index (format in its docstring); this module
writes it as files the page loads by need:

- ``search/index.js``, the manifest, loaded first: what every query needs. The field lengths of
  every case (BM25 needs them, and their averages, exact), the facets' values without their
  cases, the query tables (``query_hints``), the first key of every postings chunk of a key
  range and the keys of every home chunk.
- ``search/k/t<N>.js``, postings chunks of about ``CHUNK_BYTES``. One key space, sorted in
  UTF-16 code unit order (how JavaScript compares strings), holds three kinds of key, each in its
  own table of a chunk, whose values are lists of numbers written as text (``encode()``: half the
  bytes of JSON arrays, and read only for the keys a query ranks by):
  ``t`` index terms → postings (the search_index format);
  ``u`` a lone kanji or kana that is not itself a term → the summed postings of the terms that
  contain it (ranking.js looks 町 up inside 五霞町; one key answers that instead of every pair);
  ``j`` joints → the cases whose text contains them (gaps, as in postings): every three characters
  of a kanji/kana run, and where a word meets a kanji/kana run (itパス). ranking.js asks whether
  neighbouring query terms stand together in a case; the joints answer exactly what searching the
  case's text did, without the text. A joint sorts right after the pair it begins with (研修 <
  研修会), so a pair and its joints mostly share a chunk, and a word being typed (passp…) finds its
  words in the chunks of one key range.
  The keys of the controlled vocabulary's names (the query tables' synonym groups: keywords and their
  other names, glossary terms …) are taken out of that order into home chunks, numbered after the
  ranges, which the manifest lists key by key (``homes``): a query naming a topic loads a few
  chunks, not one per pair. The list grows with the taxonomy, not with the cases.
- ``search/k/d<N>.js``, what results show (snippet text included), ``CASES_PER_CHUNK`` cases
  each in index order, ``packed()``: loaded only for the cases shown.
- ``search/k/facets.js``, the cases of every facet value: loaded by a filter, a stated property
  (小さな町) or the search page's facet counts.
- ``search/k/names.js``, every case's id, title and organisation: what ``window.caseSearch`` returns,
  in one file loaded alongside a first query's postings. The 20 display chunks of its results cost a
  second round of requests after ranking, which was most of a first query's time (1,000 cases: 53 of
  ~70 ms); the names weigh ~19 KB gzipped per 1,000 cases. A case's URL is ``caseUrl`` with its id.

Every file is a classic script (file:// allows no fetch): the manifest pushes itself onto
``window.DXNAVI_SEARCH_QUEUE`` as the whole index did, the rest are exactly
``window.DxNavi.assets.register(<name>,<JSON>);``, which a page served over http(s) fetches and
reads as JSON (assets.js ``data()``, no code run) and a page opened from a folder runs as a script.
Chunk URLs carry ``?v=`` (a digest of every chunk), so a cached chunk never meets a newer manifest.

Why not a sharded lunr: lunr scores a case with its whole vector (fieldVectors, the larger half
of its index: 3.6 of 5.3 MB gzipped at 1,000 synthetic cases, against 1.0 MB for these postings),
so a query would load the vector of every case holding any of its terms, most of the index.
Measured with tools/bench_search.py (10,000 synthetic cases): a first query fetches 0.3–0.5 MB.
(names.js included).
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
import operator
from collections import Counter, defaultdict
from typing import Any

import deflate

from builder.generate.data_script import compact_json as _json
from builder.generate.data_script import register, register_json
from builder.generate.memo import Memo
from builder.search_terms import JAPANESE_RUN, WORD_RUN, fold, japanese_mask, terms

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
# The controlled vocabulary's keys (vocabulary_keys) live in home chunks of up to this size instead:
# a topic named in a query (地域情報化アドバイザー: ten pairs, each in its own chunk of the sorted
# key space) then loads in a few requests (1 at 1,000 synthetic cases, 4 at 10,000, where its pairs
# are frequent and fill the chunks), and in Chromium each request costs ~3 ms of CPU whatever its
# size (tools/bench_search.py). Larger than CHUNK_BYTES: a name's pairs are many.
HOME_BYTES = 8 * CHUNK_BYTES
# Cases per display chunk: a page's 20 results are spread over the whole index, so they touch ~20
# chunks whatever their size; one case each keeps the bytes down (4 each: 140 KB more at 10,000 cases).
CASES_PER_CHUNK = 1
VERSION = 2
# Cases per numpy pass over their text (joints): arrays of a few MB. Fresh memory is slow to touch on
# the build machines (a VM faults it in: ~2 s per GB), and one pass over 10,000 cases took ~1 GB.
JOINT_BATCH = 500
# A joint is three places among the Japanese code points (_japanese_places, ~160,000); with a text's
# place in its batch it is one number, so that one sort orders a batch (by joint, then by text).
_PLACE_BITS, _TEXT_BITS = 18, 9
assert JOINT_BATCH <= 1 << _TEXT_BITS and 3 * _PLACE_BITS + _TEXT_BITS < 64
# Numbers per numpy pass of encode(): arrays of a few MB, for the same reason.
ENCODE_BATCH = 1 << 19


def utf16(key: str) -> bytes:
    """Sort key matching JavaScript's string order (code units, not code points)."""
    return key.encode("utf-16-be")


def haystack_parts(case: dict[str, Any]) -> list[str]:
    """The texts whose folded lines are what ranking.js searched for phrases (api.js haystack(), the same fields).

    search_index.folded() folds them, once with the fields that share them, into data["haystacks"].
    """
    parts = [case["title"], case["organisation"], case["prefecture"], case["region"], "\n".join(case["keywords"])]
    return parts + [case["category"], case["summary"], case["text"]]


def word_joints(folded: str) -> set[str]:
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


@functools.cache
def _japanese_places() -> tuple[Any, list[int]]:
    """Each Japanese code point's place among them (by code point), and the code point at each place."""
    import numpy as np

    codes = np.arange(0x40000)
    japanese = japanese_mask(codes)
    places = np.zeros(len(codes), dtype=np.int64)
    places[japanese] = np.arange(int(japanese.sum()))
    return places, codes[japanese].tolist()


def joint_postings(texts: list[str], found_words: list[list[str]] | None = None) -> tuple[list[str], list[Any]]:
    """Every joint of the folded texts (see joints()) and the gaps between the positions of the texts
    holding it, ascending (a numpy array per joint). ``found_words``: each text's word_joints(), if known."""
    import numpy as np

    words: dict[str, list[int]] = defaultdict(list)
    for position, text in enumerate(texts):
        for joint in found_words[position] if found_words is not None else word_joints(text):
            words[joint].append(position)
    # Three characters of a kanji/kana run: ~1,000 per case, so numbered and sorted with numpy, in
    # batches (a word joint holds a letter or digit, so the two kinds never name the same joint).
    # Each batch adds to every joint it holds the gaps from the joint's last text in earlier batches.
    place_of, points_at = _japanese_places()
    number: dict[int, int] = {}  # joint (its three characters' places) -> its place in pieces
    pieces: list[list[Any]] = []
    last = np.zeros(0, dtype=np.int32)  # by place: the last text holding the joint so far
    for begin in range(0, len(texts), JOINT_BATCH):
        batch = texts[begin : begin + JOINT_BATCH]
        points = np.frombuffer("\n".join(batch).encode("utf-32-le"), dtype=np.uint32)  # a line: no joint crosses texts
        japanese = japanese_mask(points)
        at = np.flatnonzero(japanese[:-2] & japanese[1:-1] & japanese[2:])
        if not len(at):
            continue
        starts = np.cumsum([0] + [len(text) + 1 for text in batch[:-1]])
        joint = (place_of[points[at]] << _PLACE_BITS | place_of[points[at + 1]]) << _PLACE_BITS | place_of[points[at + 2]]
        found = np.sort(joint << _TEXT_BITS | (np.searchsorted(starts, at, side="right") - 1))  # by joint, then by text
        found = found[np.r_[True, found[1:] != found[:-1]]]  # each (joint, text) once (np.unique hashes: ~20 times slower)
        keys, held = found >> _TEXT_BITS, (found & ((1 << _TEXT_BITS) - 1)).astype(np.int32) + begin
        heads = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        places = np.array([number.setdefault(key, len(number)) for key in keys[heads].tolist()], dtype=np.int64)
        if len(number) > len(last):
            last = np.r_[last, np.full(len(number) - len(last), -1, dtype=np.int32)]
            pieces += [[] for _ in range(len(number) - len(pieces))]
        gaps = held - np.r_[np.int32(-1), held[:-1]]
        gaps[heads] = held[heads] - last[places]
        ends = np.r_[heads[1:], len(held)]
        last[places] = held[ends - 1]
        for place, a, b in zip(places.tolist(), heads.tolist(), ends.tolist()):
            pieces[place].append(gaps[a:b])
    mask = (1 << _PLACE_BITS) - 1
    names = ["".join(chr(points_at[key >> shift & mask]) for shift in (2 * _PLACE_BITS, _PLACE_BITS, 0)) for key in number]
    values = [np.concatenate(parts) for parts in pieces]
    names += words
    values += [np.diff(cases, prepend=-1) for cases in words.values()]
    return names, values


def joints(folded: str) -> set[str]:
    """Every string two neighbouring query terms can make that folded text contains (see the docstring).

    Neighbouring terms of one kanji/kana run make three characters (アド + ドバ → アドバ); a word
    and the run it touches make the word and one or two characters (it + パス → itパス), and the
    text may hold the word at the end of a longer one (editパス contains itパス): all suffixes.
    """
    return set(joint_postings([folded])[0])


def _gaps(positions: list[int]) -> list[int]:
    return list(map(operator.sub, positions, [-1, *positions[:-1]]))


def _decoded(flats: list[Any], size: int) -> tuple[Any, Any, Any]:
    """(field × size + case, term frequency) of every posting of ``flats`` (one or more terms' flat
    postings, the search_index format) as two numpy arrays, and where each term's postings begin there
    (and the last end).

    Decoded a batch of terms at a time (_batches), not term by term: that was half of unions()
    (10,000 numpy calls at 1,000 cases); nor all at once: at 10,000 cases its arrays took 0.6 GB.
    """
    import numpy as np

    keys, counts, bounds, decoded = [], [], [np.zeros(1, np.int64)], 0
    for flat, starts in _batches(flats):
        batch_keys, batch_counts, batch_bounds = _decoded_batch(flat, starts, size)
        keys.append(batch_keys.astype(np.int32))  # field × size + case: below 2**31 for any corpus a site holds
        counts.append(batch_counts.astype(np.int32))
        bounds.append(batch_bounds[1:] + decoded)
        decoded += len(batch_keys)
    return np.concatenate(keys), np.concatenate(counts), np.concatenate(bounds)


def _decoded_batch(flat: Any, starts: Any, size: int) -> tuple[Any, Any, Any]:
    import numpy as np

    # Where each (term, field) group begins (its field, count, then its pairs): a term's first at its
    # start, each next one after the last one's pairs, until the term ends (at most one per field).
    at, end, heads = starts[:-1], starts[1:], []
    while len(at):
        going = at < end
        at, end = at[going], end[going]
        heads.append(at)
        at = at + 2 + 2 * flat[at + 1]
    head = np.sort(np.concatenate(heads))
    counts = flat[head + 1]
    group = np.repeat(np.arange(len(head)), counts)
    first = np.cumsum(counts) - counts  # each group's first pair among all pairs
    pair = head[group] + 2 + 2 * (np.arange(len(group)) - first[group])
    gaps = flat[pair]
    ends = np.cumsum(gaps)
    case = ends - np.repeat(ends[first] - gaps[first], counts) - 1  # gaps count from -1 in each group
    return flat[head][group] * size + case, flat[pair + 1], np.searchsorted(pair, starts)


def unions(index: dict[str, Any]) -> dict[str, Any]:
    """For each kanji/kana that is not a term: the summed postings of the terms holding it (ranking.js containing())."""
    import numpy as np

    from builder.generate.search_index import _flat_postings  # which imports this module

    fields, size = len(index["fields"]), len(index["lengths"])
    terms = set(index["terms"])
    holders: dict[str, list[int]] = defaultdict(list)
    for n, term in enumerate(index["terms"]):
        if JAPANESE_RUN.match(term):
            for ch in set(term):  # a term counts once however often it holds the character
                if ch not in terms:  # the lone term itself answers, as ranking.js looks it up first
                    holders[ch].append(n)
    if not holders:  # no kanji/kana in any case
        return {}
    held = sorted({n for numbers in holders.values() for n in numbers})
    at = {n: i for i, n in enumerate(held)}
    keys, counts, bounds = _decoded([index["postings"][n] for n in held], size)
    out: dict[str, Any] = {}
    chars: list[str] = []
    found, tf = [], []  # per character of a batch, its summed postings' keys (as _decoded's), offset by its place
    batched = 0
    for done, (ch, numbers) in enumerate(holders.items(), start=1):
        slices = [slice(bounds[at[n]], bounds[at[n] + 1]) for n in numbers]
        summed = np.bincount(np.concatenate([keys[s] for s in slices]), weights=np.concatenate([counts[s] for s in slices]))
        present = np.flatnonzero(summed)
        found.append(present + len(chars) * fields * size)
        tf.append(summed[present].astype(np.int64))
        chars.append(ch)
        batched += len(present)
        if batched >= ENCODE_BATCH or done == len(holders):
            # Laid out a batch at a time, each character's keys being (place × fields + field) × size + case,
            # a term's as build_index lays them out (all at once: 0.3 GB more at 10,000 cases).
            out.update(zip(chars, _flat_postings(np.concatenate(found), np.concatenate(tf), fields, size)))
            chars, found, tf, batched = [], [], [], 0
    return out


# The numbers of the chunks' values as text: one digit a character, of DIGITS (printable ASCII but " and \,
# so a JSON string holds them as they are). See encode().
DIGITS = "".join(ch for ch in map(chr, range(0x20, 0x7F)) if ch not in '"\\')
# Digits that end a number; the others (MORE) continue it. Most numbers are small (term frequencies,
# gaps in a frequent term's cases), and a number below LAST is one character: 80 of the 93 made the
# smallest chunks, raw and gzipped, at 1,000 and 10,000 synthetic cases. Against the decimal JSON
# arrays at 1,000 cases: these half the characters and 13 % less gzipped; base64 of LEB128 varints
# 64 % of the characters but 3 % more gzipped (gzip finds no repeats in base64's 6-bit groups).
LAST = 80
MORE = len(DIGITS) - LAST
_CHARACTERS = DIGITS.encode("ascii").ljust(256, b"\0")  # digit -> its character, for bytes.translate()


def encode(lists: list[Any]) -> list[str]:
    """Each list of non-negative integers as text: the format of the chunks' values, which
    keyword-index.js's numbers() reads.

    A number is written least significant digit first: digits of MORE (DIGITS[LAST + d]) while what
    is left is LAST or more, dividing it by MORE each time, then the rest as one digit below LAST
    (DIGITS[d]). 0–79 is one character, to 1,039 two, to 13,519 three. The lists are postings
    (search_index's format: field, count, (case gap, term frequency) × count) and joints' case gaps.
    """
    return [text for numbers, bounds in _batches(lists) for text in _encoded(numbers, bounds)]


def encode_sized(lists: list[Any]) -> tuple[list[str], list[int]]:
    """encode() of each list, and its length written as a JSON array of decimal numbers (what sizes a chunk)."""
    texts: list[str] = []
    lengths: list[int] = []
    for numbers, bounds in _batches(lists):
        texts += _encoded(numbers, bounds)
        lengths += _json_lengths(numbers, bounds)
    return texts, lengths


def _encoded(rest: Any, bounds: Any) -> list[str]:
    import numpy as np

    more = np.zeros(len(rest), dtype=np.int64)  # digits of MORE each number takes
    high = np.flatnonzero(rest >= LAST)  # few: most numbers are one digit, written at once below
    scaled = rest[high]
    while len(scaled):
        more[high] += 1
        scaled //= MORE
        keep = scaled >= LAST
        high, scaled = high[keep], scaled[keep]
    ends = np.cumsum(more + 1)
    digits = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    digits[ends - 1] = np.where(more == 0, rest, 0)
    high = np.flatnonzero(more)
    left, at, count = rest[high], (ends - more - 1)[high], more[high]
    while len(left):  # the digits of MORE, then the last one
        digits[at] = LAST + left % MORE
        left, at, count = left // MORE, at + 1, count - 1
        done = count == 0
        digits[at[done]] = left[done]
        left, at, count = left[~done], at[~done], count[~done]
    text = digits.tobytes().translate(_CHARACTERS).decode("ascii")
    edges = np.r_[0, ends][bounds].tolist()
    return [text[a:b] for a, b in zip(edges, edges[1:])]


def _json_lengths(values: Any, bounds: Any) -> list[int]:
    import numpy as np

    digits = np.ones(len(values), dtype=np.int64)
    power = 10
    while len(values) and power <= values.max():
        digits += values >= power
        power *= 10
    total = np.r_[0, np.cumsum(digits)][bounds]
    count = np.diff(bounds)
    return (np.diff(total) + np.maximum(count - 1, 0) + 2).tolist()


def _batches(lists: list[Any]) -> Any:
    """(numbers, where each list begins and the last ends) of consecutive lists, ENCODE_BATCH numbers or so at a time."""
    import numpy as np

    begin, count = 0, 0
    for end, values in enumerate(lists, start=1):
        count += len(values)
        if count >= ENCODE_BATCH or end == len(lists):
            part = lists[begin:end]
            # One conversion for the batch (per list: a tenth of the stage); an empty list is read as floats.
            flat = np.concatenate(part, dtype=np.int64, casting="unsafe")
            yield flat, np.cumsum([0, *map(len, part)])
            begin, count = end, 0


def vocabulary_keys(hints: dict[str, Any], homeable: set[str]) -> list[list[str]]:
    """Per synonym group of the query tables (query_hints: a keyword and its other names, a glossary
    term, a scheme …), the keys a query naming any of them looks up, those of ``homeable``: its
    Japanese terms and the joints of its neighbouring terms (ranking.js needs()). A query expands a
    name to the group's other names, so the group's keys are asked for together."""
    groups = []
    for group in hints["synonyms"]:
        keys: list[str] = []
        for name in group["names"]:
            folded = fold(name)
            keys += terms(folded) + sorted(joints(folded), key=utf16)
        groups.append([key for key in dict.fromkeys(keys) if key in homeable])
    return groups


def homes(groups: list[list[str]], size: dict[str, int]) -> list[list[str]]:
    """The groups' keys in chunks of up to HOME_BYTES (``size``: each key's bytes), each key once.

    A group's keys join the chunk that already holds most of them (keys shared with earlier groups,
    like 情報 or 研修), while it has room; what does not fit starts a new chunk.
    """
    home: dict[str, int] = {}
    chunks: list[list[str]] = []
    loads: list[int] = []
    for keys in groups:
        held = Counter(home[key] for key in keys if key in home)
        target = next((n for n, _ in held.most_common() if loads[n] < HOME_BYTES), None)
        for key in keys:
            if key in home:
                continue
            if target is None or (loads[target] and loads[target] + size[key] > HOME_BYTES):
                target = len(chunks)
                chunks.append([])
                loads.append(0)
            home[key] = target
            chunks[target].append(key)
            loads[target] += size[key]
    return chunks


def _empty_chunk() -> dict[str, dict[str, list]]:
    return {name: {"keys": [], "values": []} for name in ("t", "u", "j")}


def _add(chunk: dict[str, dict[str, list]], key: str, table: str, value: str) -> None:
    chunk[table]["keys"].append(key)
    chunk[table]["values"].append(value)


def postings_chunks(data: dict[str, Any]) -> tuple[list[dict[str, dict[str, list]]], list[dict[str, dict[str, list]]]]:
    """(ranges, homes): each chunk {table: {keys, values (encode())}}.

    The home chunks hold the controlled vocabulary's keys (vocabulary_keys, homes()); the rest of
    the key space is cut into ranges of about CHUNK_BYTES. A chunk's size counts each value as a
    JSON array of decimal numbers, as the chunks held them when CHUNK_BYTES was measured: the same
    layout, whose values now weigh about half that. Words stay in the ranges, where a word being
    typed finds the words it begins (keyword-index.js rangeOf()).
    """
    index = data["index"]
    union = unions(index)
    tables = [
        ("t", index["terms"], index["postings"]),
        ("u", list(union), list(union.values())),
        ("j", *joint_postings(data["haystacks"], data.get("word_joints"))),
    ]
    entries: list[tuple[bytes, str, str, str, int]] = []
    for table, keys, values in tables:
        entries += zip(map(utf16, keys), keys, [table] * len(keys), *encode_sized(values))
    size = {key: len(key.encode("utf-8")) + 4 + length for _, key, _, _, length in entries}
    homeable = {key for _, key, table, _, _ in entries if table == "j" or (table == "t" and not WORD_RUN.fullmatch(key))}
    by_key = {entry[1]: entry for entry in entries}
    home_chunks = []
    for keys in homes(vocabulary_keys(data["hints"], homeable), size):
        home_chunks.append(_empty_chunk())
        for key in keys:
            _add(home_chunks[-1], key, *by_key.pop(key)[2:4])
    ranges: list[dict[str, dict[str, list]]] = []
    filled = CHUNK_BYTES
    for _, key, table, value, _ in sorted(by_key.values(), key=lambda e: e[0]):  # the three tables' keys never coincide
        if not ranges or (filled >= CHUNK_BYTES and table != "j"):  # a pair's joints stay in its chunk (CHUNK_BYTES)
            ranges.append(_empty_chunk())
            filled = 0
        _add(ranges[-1], key, table, value)
        filled += size[key]
    return ranges, home_chunks


def _chunk_json(chunk: dict[str, dict[str, list]]) -> str:
    """json.dumps of a chunk, whose values need no escapes (DIGITS)."""
    tables = []
    for name, table in chunk.items():
        values = ",".join('"' + value + '"' for value in table["values"])
        tables.append(f'"{name}":{{"keys":{_json(table["keys"])},"values":[{values}]}}')
    return "{" + ",".join(tables) + "}"


def _first_key(chunk: dict[str, dict[str, list]]) -> str:
    return min((t["keys"][0] for t in chunk.values() if t["keys"]), key=utf16)


def packed(value: Any, memo: Memo | None = None) -> dict[str, Any]:
    """``value`` as gzipped JSON in base64 (assets.js unpack()): a case's display data is mostly the
    text of its snippets, and gzipped in base64 it takes 0.64 of the room (1,000 cases: 5.3 → 3.4 MB).
    Base64, not ascii7: a page served over http(s) reads the file as JSON. libdeflate's level 9, a
    little smaller than zlib's and in 0.07 s instead of 0.16 s for 1,000 cases. ``memo``: the
    compressions of earlier builds (a rebuild compresses only the edited case's)."""
    raw = _json(value)
    data = memo.get("gzip-base64", raw, _gzip_base64) if memo is not None else _gzip_base64(raw)
    return {"packed": "gzip", "size": len(raw.encode("utf-8")), "data": data}


def _gzip_base64(text: str) -> str:
    return base64.b64encode(deflate.gzip_compress(text.encode("utf-8"), 9)).decode("ascii")


def unpacked(value: dict[str, Any]) -> Any:
    """The value ``packed`` was given (tests and tools)."""
    return json.loads(gzip.decompress(base64.b64decode(value["data"])))


def shard(data: dict[str, Any], memo: Memo | None = None) -> dict[str, str]:
    """Site path -> content of the manifest and every chunk, from search_index.search_data(); ``memo``: see packed()."""
    index = data["index"]
    files: dict[str, str] = {}
    ranges, home_chunks = postings_chunks(data)
    for n, chunk in enumerate(ranges + home_chunks):  # the home chunks numbered after the ranges
        files[f"{FOLDER}/t{n}.js"] = register_json(f"{FOLDER}/t{n}.js", _chunk_json(chunk))
    cases = data["cases"]
    for n in range(0, len(cases), CASES_PER_CHUNK):
        path = f"{FOLDER}/d{n // CASES_PER_CHUNK}.js"
        files[path] = register(path, packed(cases[n : n + CASES_PER_CHUNK], memo))
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
        "chunks": [_first_key(chunk) for chunk in ranges],
        "homes": [[key for table in chunk.values() for key in table["keys"]] for chunk in home_chunks],
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
