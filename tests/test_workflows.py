"""GitHub Actions workflows: valid syntax, safe triggers, least privilege."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def _load(path: Path) -> dict:
    # PyYAML reads the key `on` as True (YAML 1.1); normalise it back.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def _run_commands(workflow: dict) -> list[str]:
    return [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} == {"pull-request.yml", "deploy.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_syntax(workflow: Path) -> None:
    """Validated against the GitHub workflow schema vendored in check-jsonschema (no network)."""
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_no_privileged_triggers_and_read_only_default(workflow: Path) -> None:
    data = _load(workflow)
    assert "pull_request_target" not in data["on"]
    assert "workflow_run" not in data["on"]
    assert data["permissions"] == {"contents": "read"}


def test_pull_requests_check_test_build_and_upload_a_preview() -> None:
    data = _load(REPO / ".github" / "workflows" / "pull-request.yml")
    assert list(data["on"]) == ["pull_request"]
    assert _run_commands(data)[2:5] == ["make check", "make test", "make build"]
    upload = [s for s in data["jobs"]["check"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload and upload[0]["with"]["path"] == "site/"


def test_deploy_is_one_at_a_time_with_least_privilege() -> None:
    data = _load(REPO / ".github" / "workflows" / "deploy.yml")
    assert data["on"]["push"]["branches"] == ["main"]
    assert data["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert "permissions" not in data["jobs"]["build"]
    assert data["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert "make build" in _run_commands(data)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test     # すべてのテストを実行します" in readme
    assert ci.rstrip().splitlines()[-1] == "make test"
