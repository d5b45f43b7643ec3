"""Shared fixtures: an assembled fixture project and a way to run the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "project"
BAD_INPUT = REPO / "tests" / "bad_input"


def assemble_project(dest: Path) -> Path:
    """The fixture project, with the real fixed data (47 prefectures, bands) and the real site config."""
    shutil.copytree(FIXTURE, dest)
    for name in ("prefectures.yml", "population_bands.yml"):
        shutil.copy(REPO / "taxonomy" / name, dest / "taxonomy" / name)
    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(REPO / "site_overrides", dest / "site_overrides")
    return dest


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a contributor's shell; builds use no model (tests that want one say so) and never download."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "DXNAVI_DEBUG", "SOURCE_DATE_EPOCH")}
    env.update(DXNAVI_ENGINE="none", DXNAVI_MODEL="", HF_HUB_OFFLINE="1")
    env.update(extra)
    return env


def run_cli(*args: str, root: Path | None = None, cwd: Path = REPO, env: dict[str, str] | None = None, timeout: float = 600):
    """Run ``python -m builder`` as a contributor would, capturing its output."""
    command = [sys.executable, "-m", "builder"]
    if root is not None:
        command += ["--root", str(root)]
    command += list(args)
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env or cli_env(), timeout=timeout)


@pytest.fixture(scope="session")
def fixture_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only assembled fixture project (do not modify)."""
    return assemble_project(tmp_path_factory.mktemp("fixture") / "project")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh, modifiable copy of the fixture project."""
    return assemble_project(tmp_path / "project")


def build_site(root: Path, site: Path) -> subprocess.CompletedProcess:
    result = run_cli("build", "--site-dir", str(site), root=root)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project's built site (do not modify)."""
    root = assemble_project(tmp_path_factory.mktemp("site") / "project")
    build_site(root, root / "site")
    return root / "site"
