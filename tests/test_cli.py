"""The command line: cheap to import, and never a traceback for contributors."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO, cli_env, run_cli

HEAVY = ("torch", "sentence_transformers", "transformers", "numpy", "mkdocs", "material")


def test_check_imports_nothing_heavy() -> None:
    code = (
        "import sys; from builder.cli import main; "
        "code = main(['--root', sys.argv[1], 'check']); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})); sys.exit(code)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, env=cli_env(), cwd=REPO)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "[]"


def test_help_is_japanese() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("check", "fix", "build", "serve", "new", "schema"):
        assert command in result.stdout
    assert "事例・ページ・taxonomy を確認し" in result.stdout


def test_internal_errors_are_reported_without_a_traceback(monkeypatch, capsys) -> None:
    import builder.validate
    from builder.cli import main

    def broken(*args, **kwargs):
        raise RuntimeError("unexpected state")

    monkeypatch.setattr(builder.validate, "check_project", broken)
    monkeypatch.delenv("DXNAVI_DEBUG", raising=False)
    assert main(["--root", str(REPO), "check"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "内部エラー: RuntimeError: unexpected state"
    assert "Traceback" not in err
    monkeypatch.setenv("DXNAVI_DEBUG", "1")
    assert main(["--root", str(REPO), "check"]) == 2
    assert "Traceback" in capsys.readouterr().err
