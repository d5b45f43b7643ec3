"""Hostile repository content: a pull request can add anything git can hold.

The builder reads only regular files inside the project. A symlink (even to a
valid case), a FIFO, a device or a folder link in cases/, pages/ or taxonomy/
is refused by ``check`` at path:1 with what it is and how to fix it; it is
never read, followed, quoted or published, and ``fix`` leaves it alone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import cli_env, run_cli

TIMEOUT = 120  # a FIFO that is opened blocks forever; the run fails instead of hanging
SECRET = "SECRET-7f3a-must-never-be-published"
OUTSIDE = "elsewhere-7f3a"  # folder next to the project holding link targets
NOTES = "private-notes-7f3a"  # folder inside the project holding link targets
MISSING = "missing-target-7f3a"

FOLDERS = ("cases", "pages", "taxonomy")
KINDS = ("link-inside", "link-outside", "dangling-link", "linked-folder", "folder-is-link", "fifo", "device")

# The entry planted in each folder: a case MkDocs would render, a file MkDocs would copy, a file the taxonomy reads.
ENTRY = {"cases": "kochi-hostile-fixture-guide.md", "pages": "hostile.txt", "taxonomy": "roles.yml"}
# The valid file a link inside the project points to (moved into NOTES, a link left in its place).
VALID = {"cases": "kochi-fixture-guide.md", "pages": "about.md", "taxonomy": "roles.yml"}
CONTENT = {"cases": "事例の内容", "pages": "ページの内容", "taxonomy": "一覧の内容"}


@dataclass
class Planted:
    rel: str  # project-relative path of the refused entry
    what: str  # the kind, as check names it
    hint: str
    targets: list[Path]  # files a link points to: must stay unchanged


def _crlf(text: str) -> bytes:
    """Content ``fix`` would rewrite if it followed a link to it."""
    return text.replace("\n", "\r\n").encode("utf-8")


def _secret_copy(project: Path, folder: str) -> bytes:
    """A valid-looking file for ``folder`` that carries the secret (and CRLF, for ``fix``)."""
    if folder == "cases":
        text = (project / "cases" / VALID["cases"]).read_text(encoding="utf-8")
        text = text.replace("kochi-fixture-guide", "kochi-hostile-fixture-guide") + f"\n{SECRET}\n"
    elif folder == "pages":
        text = f"{SECRET}\n"
    else:
        text = (project / "taxonomy" / "roles.yml").read_text(encoding="utf-8").replace("ツールを活用する職員。", f"{SECRET}。")
    return _crlf(text)


def plant(project: Path, folder: str, kind: str) -> Planted:
    base = project / folder
    outside = project.parent / OUTSIDE
    outside.mkdir(exist_ok=True)
    entry = base / ENTRY[folder]
    secret = _secret_copy(project, folder)
    if folder == "taxonomy" and kind in ("link-outside", "dangling-link", "fifo", "device"):
        entry.unlink()  # the entry takes the place of a file the taxonomy reads
    targets: list[Path] = []
    if kind == "link-inside":
        entry = base / VALID[folder]
        target = project / NOTES / VALID[folder]
        target.parent.mkdir()
        target.write_bytes(_crlf(entry.read_text(encoding="utf-8")))
        entry.unlink()
        entry.symlink_to(Path("..") / NOTES / VALID[folder])
        targets.append(target)
    elif kind == "link-outside":
        target = outside / ENTRY[folder]
        target.write_bytes(secret)
        entry.symlink_to(target)
        targets.append(target)
    elif kind == "dangling-link":
        entry.symlink_to(MISSING)
    elif kind == "linked-folder":
        target = outside / ENTRY[folder]
        target.write_bytes(secret)
        entry = base / "sub"
        entry.symlink_to(outside, target_is_directory=True)
        targets.append(target)
    elif kind == "folder-is-link":
        moved = outside / folder
        shutil.move(base, moved)
        (moved / ENTRY[folder]).write_bytes(secret)
        base.symlink_to(moved, target_is_directory=True)
        entry = base
        targets.append(moved / ENTRY[folder])
    elif kind == "fifo":
        os.mkfifo(entry)
    elif kind == "device":
        try:
            os.mknod(entry, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # like /dev/null
        except PermissionError:
            pytest.skip("creating a device file needs the mknod privilege (run as root)")
    content = CONTENT[folder]
    if kind in ("fifo", "device"):
        what = "名前付きパイプ(FIFO)です" if kind == "fifo" else "デバイスファイルです"
        hint = f"削除して、{content}を書いた通常のファイルとして追加してください"
    else:
        what = "シンボリックリンクです"
        hint = f"リンクではなく、{content}を書いた通常のファイル"
    return Planted(entry.relative_to(project).as_posix(), what, hint, targets)


def _digests(paths: list[Path]) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def _site_files(site: Path) -> dict[str, bytes]:
    """Every regular file in a built site (links in it would be a failure of their own)."""
    found = {}
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder) / name
            assert not path.is_symlink(), path
            found[path.relative_to(site).as_posix()] = path.read_bytes()
    return found


def _assert_refused(output: str, planted: Planted) -> None:
    lines = [line.removeprefix("WARNING -  ") for line in output.splitlines()]  # as MkDocs logs it, too
    line = next((line for line in lines if line.startswith(f"{planted.rel}:1: ファイル: ")), None)
    assert line is not None, output
    assert planted.what in line and planted.hint in line, line
    assert "Traceback" not in output
    for text in (SECRET, OUTSIDE, NOTES, MISSING):
        assert text not in output, text


kinds = pytest.mark.parametrize("kind", KINDS)
folders = pytest.mark.parametrize("folder", FOLDERS)


@folders
@kinds
def test_check_refuses_the_entry(project: Path, folder: str, kind: str) -> None:
    planted = plant(project, folder, kind)
    result = run_cli("check", root=project, timeout=TIMEOUT)
    assert result.returncode == 1
    _assert_refused(result.stdout + result.stderr, planted)


@pytest.mark.parametrize("folder", ("cases", "pages"))
@kinds
def test_check_refuses_the_entry_when_named(project: Path, folder: str, kind: str) -> None:
    planted = plant(project, folder, kind)
    result = run_cli("check", planted.rel, root=project, cwd=project, timeout=TIMEOUT)
    assert result.returncode == 1
    _assert_refused(result.stdout + result.stderr, planted)


@folders
@kinds
def test_build_stops_and_keeps_the_previous_site(project: Path, fixture_site: Path, folder: str, kind: str) -> None:
    shutil.copytree(fixture_site, project / "site")
    before = _site_files(project / "site")
    planted = plant(project, folder, kind)
    result = run_cli("build", root=project, timeout=TIMEOUT)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == f"エラーがあるためサイトを作りませんでした（{project / 'site'} はそのままです）。"
    _assert_refused(result.stdout + result.stderr, planted)
    assert _site_files(project / "site") == before
    assert not list(project.glob(".site.building-*"))


@folders
@kinds
def test_preview_logs_the_entry_and_never_publishes_it(project: Path, tmp_path: Path, folder: str, kind: str) -> None:
    # serve builds like this (mkdocs, not strict): problems are logged and the build goes on.
    planted = plant(project, folder, kind)
    site = tmp_path / "preview"
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(project / "mkdocs.yml"), "--site-dir", str(site)]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, env=cli_env(NO_MKDOCS_2_WARNING="1"), timeout=TIMEOUT)
    _assert_refused(result.stdout + result.stderr, planted)
    published = _site_files(site) if site.exists() else {}
    assert not any(SECRET.encode() in content for content in published.values())
    if folder == "pages" and kind not in ("link-inside", "folder-is-link"):
        assert result.returncode == 0, result.stderr
        assert "index.html" in published
        assert not any(path.startswith(("hostile", "sub/")) for path in published)


@folders
@kinds
def test_fix_leaves_the_entry_alone(project: Path, folder: str, kind: str) -> None:
    planted = plant(project, folder, kind)
    entry = project / planted.rel
    link = os.readlink(entry) if entry.is_symlink() else None
    mode = os.lstat(entry).st_mode
    before = _digests(planted.targets)
    result = run_cli("fix", root=project, timeout=TIMEOUT)
    assert result.returncode == 1
    _assert_refused(result.stdout + result.stderr, planted)
    assert _digests(planted.targets) == before
    assert os.lstat(entry).st_mode == mode
    assert (os.readlink(entry) if entry.is_symlink() else None) == link


SITE_FOLDERS = {"docs_dir": "pages", "theme.custom_dir": "site_overrides"}


def _point_outside(project: Path, setting: str) -> int:
    """Move the folder ``setting`` names next to the project, add a secret to it; the setting's line."""
    folder = SITE_FOLDERS[setting]
    outside = project.parent / OUTSIDE
    shutil.copytree(project / folder, outside)
    (outside / "hostile.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    config = project / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").split("\n")
    key = setting.rsplit(".", 1)[-1]
    number = next(i for i, line in enumerate(lines) if line.strip() == f"{key}: {folder}")
    lines[number] = lines[number].replace(folder, f"../{OUTSIDE}")
    config.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


@pytest.mark.parametrize("setting", SITE_FOLDERS)
def test_check_refuses_a_site_folder_outside_the_project(project: Path, fixture_site: Path, setting: str) -> None:
    line = _point_outside(project, setting)
    shutil.copytree(fixture_site, project / "site")
    before = _site_files(project / "site")
    result = run_cli("build", root=project, timeout=TIMEOUT)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert (
        f"mkdocs.yml:{line}: {setting}: プロジェクトの外を指しています（読みません） — "
        "プロジェクトのフォルダの中のフォルダ・ファイルを指定してください [outside-project]"
    ) in output.splitlines()
    assert "Traceback" not in output and SECRET not in output and OUTSIDE not in output
    assert _site_files(project / "site") == before


@pytest.mark.parametrize("setting", SITE_FOLDERS)
def test_preview_never_publishes_from_a_site_folder_outside_the_project(project: Path, tmp_path: Path, setting: str) -> None:
    # The plugin's own guard: a preview logs check's problems and goes on, but copies nothing from outside.
    line = _point_outside(project, setting)
    site = tmp_path / "preview"
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(project / "mkdocs.yml"), "--site-dir", str(site)]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, env=cli_env(NO_MKDOCS_2_WARNING="1"), timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert f"mkdocs.yml:{line}: {setting}: プロジェクトの外を指しています" in result.stderr
    assert "hostile.txt: 通常のファイルではないもの（リンクなど）なので、サイトに載せません。" in result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert not any(SECRET.encode() in content for content in _site_files(site).values())


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.org", *args], check=True, capture_output=True)


def test_a_cache_committed_to_the_repository_is_never_trusted(project: Path, tmp_path: Path) -> None:
    """A pull request can commit .cache/dxnavi/ with forged verdicts (git add -f): check ignores it and says so."""
    temporary = tmp_path / "tmp"  # where check keeps its caches instead (tracked_cache.private_folder), gone with the test
    temporary.mkdir()
    case = project / "cases" / "kochi-fixture-guide.md"
    case.write_text(case.read_text(encoding="utf-8").replace("title: テスト用の県による伴走支援", "title: ''"), encoding="utf-8")
    first = run_cli("check", root=project, env=cli_env())
    assert first.returncode != 0 and "kochi-fixture-guide.md" in first.stdout, first.stdout
    cache = project / ".cache" / "dxnavi" / "checks.sqlite"
    import json
    import sqlite3

    with sqlite3.connect(cache) as db:  # forge: every kept verdict says "no problems"
        rows = db.execute("SELECT key, verdict FROM checks").fetchall()
        assert rows
        for key, text in rows:
            db.execute("UPDATE checks SET verdict = ? WHERE key = ?", (json.dumps({**json.loads(text), "problems": []}), key))
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "add", "-f", ".cache")
    _git(project, "commit", "-qm", "forged cache")

    again = run_cli("check", root=project, env=cli_env(TMPDIR=str(temporary)))
    assert again.returncode != 0
    assert "cases/kochi-fixture-guide.md:3" in again.stdout, "the forged verdict must not hide the case's error"
    assert ".cache/dxnavi/checks.sqlite:1: ファイル: ビルドのキャッシュ（.cache/dxnavi/）のファイルがリポジトリに含まれています" in again.stdout, again.stdout
    assert "git rm -r --cached .cache/dxnavi" in again.stdout
    assert "[tracked-cache]" in again.stdout

    _git(project, "rm", "-r", "-q", "--cached", ".cache")  # the hint's command: the cache is the contributor's own again
    _git(project, "commit", "-qm", "untrack the cache")
    assert "tracked-cache" not in run_cli("check", root=project, env=cli_env()).stdout


def test_the_private_cache_folder_is_never_one_another_user_could_have_filled(project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A tracked cache is replaced by a folder with a guessable name: used only if it is ours and nobody else may write to it."""
    import os
    import tempfile

    from builder import tracked_cache

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    tracked_cache.private_folder.cache_clear()
    mine = tracked_cache.private_folder(project)
    assert mine.parent == tmp_path and mine.stat().st_mode & 0o777 == 0o700
    tracked_cache.private_folder.cache_clear()
    assert tracked_cache.private_folder(project) == mine  # the same folder from one build to the next
    os.chmod(mine, 0o777)  # as if made by someone else for us to use
    tracked_cache.private_folder.cache_clear()
    fresh = tracked_cache.private_folder(project)
    assert fresh != mine and fresh.parent == tmp_path and fresh.stat().st_mode & 0o777 == 0o700
    mine.rmdir()
    mine.symlink_to(fresh)  # a link planted under the name
    tracked_cache.private_folder.cache_clear()
    assert tracked_cache.private_folder(project) not in (mine, fresh)
    tracked_cache.private_folder.cache_clear()


def test_check_uses_and_guards_the_cache_folder_mkdocs_yml_sets(project: Path, tmp_path: Path) -> None:
    """check keeps its verdicts where the build keeps its caches (the plugin's cache_dir), and refuses that folder tracked."""
    temporary = tmp_path / "tmp"  # where check keeps its caches instead (tracked_cache.private_folder), gone with the test
    temporary.mkdir()
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "      embedding:\n" in text
    config.write_text(text.replace("      embedding:\n", "      embedding:\n        cache_dir: .mycache\n", 1), encoding="utf-8")
    assert run_cli("check", root=project, env=cli_env()).returncode == 0
    assert (project / ".mycache" / "checks.sqlite").is_file()
    assert not (project / ".cache").exists()
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "add", "-f", ".mycache")
    _git(project, "commit", "-qm", "cache committed")
    again = run_cli("check", root=project, env=cli_env(TMPDIR=str(temporary)))
    assert again.returncode != 0 and ".mycache/checks.sqlite:1: ファイル: ビルドのキャッシュ（.mycache/）" in again.stdout, again.stdout


def test_what_runs_without_mkdocs_reads_the_plugin_options_and_runs_no_tag(project: Path) -> None:
    """check and make bench read mkdocs.yml's embedding options composed: a tag (!ENV) is left out, never run."""
    from builder.embedding.settings import for_project
    from builder.project import Project

    config = project / "mkdocs.yml"
    options = "      embedding:\n        model: !ENV [DXNAVI_TEST_MODEL, x]\n        fields: [title, body]\n        cache_dir: .mycache\n"
    config.write_text(config.read_text(encoding="utf-8").replace("      embedding:\n", options, 1), encoding="utf-8")
    settings = for_project(Project(project))
    assert (settings.model, settings.fields, settings.cache_dir) == ("", ("title", "body"), Path(".mycache"))
    assert Project(project).use_directory_urls() is False  # the repository's mkdocs.yml says so


def test_a_contributor_cannot_hand_over_html_the_way_the_builders_tables_do(project: Path, tmp_path: Path) -> None:
    """The listings reach MkDocs as HTML inside a marked comment (builder/generate/table_html.py); the
    same marked comment in a case's body is refused by check and, in the preview that shows it
    anyway, stays a comment, never HTML the page shows."""
    case = project / "cases" / "kochi-fixture-guide.md"
    smuggled = '\n<!--dxnavi-html\n<a href="https://tracker.example/">資料</a>\n-->\n'
    case.write_text(case.read_text(encoding="utf-8") + smuggled, encoding="utf-8")
    assert "[body-html]" in run_cli("check", root=project).stdout
    site = tmp_path / "preview"  # as serve builds: MkDocs with the plugin, not strict
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(project / "mkdocs.yml"), "--site-dir", str(site)]
    result = subprocess.run(command, cwd=project, env=cli_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "tracker.example" not in (site / "cases" / "kochi-fixture-guide.html").read_text(encoding="utf-8")
    listing = (site / "cases" / "index.html").read_text(encoding="utf-8")
    assert '<a href="kochi-fixture-guide.html">' in listing and "dxnavi-html" not in listing  # the builder's own tables are HTML
