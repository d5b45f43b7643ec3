"""``eval-similar`` prints its table, and the shipped way of choosing similar cases earns its place.

The default engine installs from the registry, so these run the real model (its files are
derived into a temporary cache, as on a fresh clone).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import cli_env, run_cli


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    cache = tmp_path_factory.mktemp("cache")
    result = run_cli("eval-similar", env=cli_env(DXNAVI_CACHE=str(cache)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def _ndcg(report: str, method: str) -> float:
    line = next(line for line in report.splitlines() if line.startswith(method))
    return float(re.findall(r"\d\.\d{3}", line)[1])  # Recall@5, then nDCG@5


def test_the_shipped_method_ranks_above_labels_alone(report: str) -> None:
    shipped = _ndcg(report, "use-multilingual パッセージ + ラベル λ=1（サイトの設定）")
    assert shipped > _ndcg(report, "ラベルのみ（モデルなしの代替）")
    assert shipped > _ndcg(report, "use-multilingual 意味のみ・パッセージ平均")


def test_an_organisations_other_case_is_found_when_not_excluded(report: str) -> None:
    checks = [line.strip() for line in report.splitlines() if line.startswith("  ") and "（" in line and ("合格" in line or "不合格" in line)]
    assert {c.split(":")[0] for c in checks} == {"茨城県つくば市", "栃木県真岡市"}
    assert not any("不合格" in c for c in checks)
    assert "静岡県小山町: 対象外" in report


def test_the_scale_run_reports_cold_and_warm_times_on_synthetic_cases(tmp_path: Path) -> None:
    result = run_cli("eval-similar", "--scale", "40", env=cli_env(DXNAVI_CACHE=str(tmp_path)))
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("40 件の合成事例（python -m builder synth 40 --seed 0")
    cold = next(line for line in lines if "キャッシュなし" in line)
    warm = next(line for line in lines if "キャッシュあり" in line)
    assert int(re.search(r"（([\d,]+) パッセージ", cold).group(1).replace(",", "")) >= 40  # every case embedded once
    assert "（0 パッセージを埋め込み" in warm  # and none again
