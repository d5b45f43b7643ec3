"""``build``: atomic (a failed or interrupted build keeps the previous site), reproducible,
and read-only for the inputs (check, build and serve never modify a case file)."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import BAD_INPUT, cli_env, run_cli


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _inputs(project: Path) -> dict[str, tuple[str, int]]:
    files = [p for d in ("cases", "pages", "taxonomy") for p in sorted((project / d).rglob("*")) if p.is_file()]
    return {p.relative_to(project).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in files}


def _staging(project: Path) -> list[Path]:
    return sorted(project.glob(".site.building-*"))


def test_failed_check_keeps_the_previous_site(project: Path) -> None:
    assert run_cli("build", root=project).returncode == 0
    assert _staging(project) == []  # nor the folder of the files build moved in after MkDocs
    before = _hashes(project / "site")
    (project / "cases" / "unknown-keyword.md").write_bytes((BAD_INPUT / "unknown-keyword.md").read_bytes())
    result = run_cli("build", root=project)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == f"エラーがあるためサイトを作りませんでした（{project / 'site'} はそのままです）。"
    assert _hashes(project / "site") == before


def test_failed_mkdocs_build_keeps_the_previous_site(project: Path) -> None:
    assert run_cli("build", root=project).returncode == 0
    before = _hashes(project / "site")
    case = project / "cases" / "kochi-fixture-guide.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n[他の事例](missing-case.md)\n", encoding="utf-8")
    result = run_cli("build", root=project)  # check passes; MkDocs (strict) finds the broken link
    assert result.returncode == 1
    assert "missing-case.md" in result.stderr
    assert result.stdout.splitlines()[-1] == f"サイトを作れませんでした（{project / 'site'} はそのままです）。"
    assert _hashes(project / "site") == before
    assert _staging(project) == []


def test_interrupted_build_keeps_the_previous_site(project: Path) -> None:
    assert run_cli("build", root=project).returncode == 0
    before = _hashes(project / "site")
    template = (project / "cases" / "kochi-fixture-guide.md").read_text(encoding="utf-8")
    for n in range(300):  # enough pages that the build is still writing when it is killed
        case_id = f"kochi-extra-{n}-fixture-guide"
        (project / "cases" / f"{case_id}.md").write_text(template.replace("kochi-fixture-guide", case_id), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "builder", "--root", str(project), "build"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env(), start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not any(s.is_dir() and any(s.iterdir()) for s in _staging(project)):
        assert process.poll() is None, "the build finished before it could be interrupted; add more cases"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert _hashes(project / "site") == before
    # The next build clears what the killed one left behind.
    assert run_cli("build", root=project).returncode == 0
    assert _staging(project) == []
    assert len(list((project / "site" / "cases").glob("*.html"))) == 304 + 1  # and the all-cases page, index.html


def test_two_builds_of_one_commit_are_identical(project: Path) -> None:
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "fixture"], check=True, env={**os.environ, "GIT_COMMITTER_DATE": "2020-01-02T03:04:05Z"})
    env = cli_env(SITE_URL="https://example.invalid/navi/")  # a site URL puts build dates into the sitemap
    assert run_cli("build", "--site-dir", str(project / "first"), root=project, env=env).returncode == 0
    time.sleep(1.1)  # a build stamped with the clock instead of the commit would now differ
    assert run_cli("build", "--site-dir", str(project / "second"), root=project, env=env).returncode == 0
    first, second = _hashes(project / "first"), _hashes(project / "second")
    assert first == second
    assert "<lastmod>2020-01-02</lastmod>" in (project / "first" / "sitemap.xml").read_text(encoding="utf-8")
    # The footer's date is the commit's too (03:04 UTC is the same day in Japan).
    assert '<time datetime="2020-01-02">2020年1月2日</time>' in (project / "first" / "index.html").read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_check_build_and_serve_never_modify_inputs(project: Path) -> None:
    before = _inputs(project)
    assert run_cli("check", root=project).returncode == 0
    assert run_cli("build", root=project).returncode == 0
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "builder", "--root", str(project), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env(), start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/cases/ibaraki-goka-fixture-guide.html", timeout=5) as response:
                    assert "テスト用の育成レベル別研修" in response.read().decode("utf-8")
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.3)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert _inputs(project) == before


def test_build_hands_its_check_to_mkdocs(project: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The plugin takes the check ``build`` has just made (through a pipe) instead of checking every file again."""
    from builder import sitebuild
    from builder.project import Project
    from builder.validate import check_project

    result = check_project(Project(project))
    fresh: list[Path] = []
    monkeypatch.setattr(sitebuild, "check_project", lambda p: fresh.append(p.root) or "fresh")

    def handed(to: Path) -> object:
        receive, send = os.pipe()
        sender = sitebuild._hand_over(Project(project), result, send)  # a pipe holds 64 KB: written while it is read
        monkeypatch.setenv("DXNAVI_CHECKED", str(receive))
        try:
            return sitebuild.checked_project(Project(to))
        finally:
            sender.join()

    assert handed(project) == result
    assert fresh == []
    assert handed(tmp_path / "other") == "fresh"  # another project is checked
    assert fresh == [tmp_path / "other"]
    folder = os.open(tmp_path, os.O_RDONLY)
    monkeypatch.setenv("DXNAVI_CHECKED", str(folder))  # a stale variable: not a pipe
    try:
        assert sitebuild.checked_project(Project(project)) == "fresh"
    finally:
        os.close(folder)