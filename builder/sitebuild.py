"""``build`` and ``serve``: run MkDocs with the checks and guarantees contributors rely on.

``build`` checks first (while MkDocs starts, waiting for the check before it
writes anything), builds into a temporary folder next to the target and
swaps it in only when the whole build succeeded, so a failed or interrupted
build leaves the previous site as it was. The build time is the last commit's
time (SOURCE_DATE_EPOCH), so two builds of one commit are byte-identical.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from builder import previous_site
from builder.diagnostics import print_report
from builder.project import Project

if TYPE_CHECKING:
    from builder.validate import CheckResult


def check_project(project: Project) -> CheckResult:
    # Imported when called: ``build`` starts MkDocs first, and the models take a fifth of a second to import.
    from builder.validate import check_project as check

    return check(project)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_PR_SET_PDEATHSIG = 1


def source_date_epoch(root: Path) -> str | None:
    """SOURCE_DATE_EPOCH if set, else the last commit's time; None outside a git checkout."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        stamp = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return stamp or None


def _environment(project: Project) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2; noted in the README instead
    stamp = source_date_epoch(project.root)
    if stamp:
        env["SOURCE_DATE_EPOCH"] = stamp
    return env


_CHECKED = "DXNAVI_CHECKED"  # build -> its MkDocs: the pipe (file descriptor) the check comes through


def check_handed() -> bool:
    """Whether ``build`` started this process and hands it the check (``checked_project``)."""
    return os.environ.get(_CHECKED, "").isdigit()


def checked_project(project: Project) -> CheckResult:
    """The check ``build`` hands its MkDocs (checking again would double the time at 10,000 cases), else a fresh one."""
    handed = os.environ.get(_CHECKED)
    if not handed or not handed.isdigit():
        return check_project(project)
    try:
        if not stat.S_ISFIFO(os.fstat(int(handed)).st_mode):
            return check_project(project)  # a stale variable in a shell: check as usual
        with os.fdopen(int(handed), "rb") as pipe:  # made by build_site for this process alone
            root, result = pickle.load(pipe)
    except EOFError as exc:  # build closed the pipe without a check: it found errors, or it was stopped
        raise SystemExit("build が確認の結果を渡さなかったため、サイトを作りません。") from exc
    except (OSError, pickle.UnpicklingError, ValueError):
        return check_project(project)
    return result if root == project.root.resolve() else check_project(project)


def _hand_over(project: Project, result: CheckResult, pipe: int) -> None:
    """Send the check through ``pipe`` (closed afterwards); MkDocs waits for it in on_config."""
    try:
        with os.fdopen(pipe, "wb") as out:
            pickle.dump((project.root.resolve(), result), out, protocol=pickle.HIGHEST_PROTOCOL)
    except BrokenPipeError:
        pass  # MkDocs stopped before it read the check: its exit status says so


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def replace_directory(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``; the old ``target`` (if any) is removed afterwards."""
    if not target.exists():
        new.rename(target)
        return
    if _exchange(new, target):
        shutil.rmtree(new)  # now holds the previous site
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    target.rename(old)
    new.rename(target)
    shutil.rmtree(old)


def build_site(project: Project, site_dir: Path | None = None) -> int:
    target = (site_dir or project.root / "site").resolve()
    for stale in target.parent.glob(f".{target.name}.building-*"):  # left by an interrupted build
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
    staging = target.with_name(f".{target.name}.building-{os.getpid()}")
    # Not --quiet: it drops warnings before --strict can count them, and the build would pass.
    command = [
        sys.executable, "-m", "mkdocs", "build", "--strict",
        "--config-file", str(project.root / "mkdocs.yml"), "--site-dir", str(staging),
    ]  # fmt: skip
    env = _environment(project)
    env[previous_site.ENV] = str(target)  # its unchanged files are linked, not written again
    receive, send = os.pipe()
    env[_CHECKED] = str(receive)
    # MkDocs starts while we check (its imports and configuration take about a second) and waits for
    # the check in on_config, before it writes anything; with errors it is stopped there.
    mkdocs = subprocess.Popen(command, env=env, cwd=project.root, pass_fds=(receive,), preexec_fn=_die_with_parent)
    os.close(receive)
    try:
        result = check_project(project)
        print_report(result.problems, result.files)
        if result.errors:
            mkdocs.kill()
            print(f"エラーがあるためサイトを作りませんでした（{target} はそのままです）。")
            return 1
        _hand_over(project, result, send)
        send = -1
        if mkdocs.wait() != 0:
            print(f"サイトを作れませんでした（{target} はそのままです）。")
            return 1
        replace_directory(staging, target)
    finally:
        if send >= 0:
            os.close(send)
        if mkdocs.poll() is None:  # we were stopped (Ctrl+C...): so is it
            mkdocs.kill()
        mkdocs.wait()
        shutil.rmtree(staging, ignore_errors=True)
    pages = sum(1 for _ in target.rglob("*.html"))
    print(f"サイトを {target} に作りました（{pages} ページ）。")
    return 0


def serve_site(project: Project, dev_addr: str) -> int:
    result = check_project(project)
    print_report(result.problems, result.files)
    if result.errors:
        print("エラーのある事例も、プレビューでは表示します（各ページの先頭とトップページの赤い枠に問題を表示します。公開用の build では止まります）。")
    print(f"プレビュー: http://{dev_addr}/  （終了するには Ctrl+C）")
    command = [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", dev_addr, "--config-file", str(project.root / "mkdocs.yml")]
    # Its own process group: Ctrl+C reaches it once, through us, not twice.
    server = subprocess.Popen(command, env=_environment(project), cwd=project.root, process_group=0, preexec_fn=_die_with_parent)
    return _wait_passing_on_signals(server)


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class _Stopped(Exception):
    pass


def _wait_passing_on_signals(server: subprocess.Popen) -> int:
    """Wait for the server; a signal that stops us stops it first, so no server outlives ``serve``
    (killing ``make serve`` or this process used to leave mkdocs answering on the port)."""

    def pass_on(signum: int, frame: object) -> None:
        if server.poll() is None:
            server.send_signal(signum)

    def stop(signum: int, frame: object) -> None:
        pass_on(signum, frame)
        for sig in _STOP_SIGNALS:  # a second signal while it shuts down is passed on too, not raised
            signal.signal(sig, pass_on)
        raise _Stopped

    previous = {sig: signal.signal(sig, stop) for sig in _STOP_SIGNALS}
    try:
        return server.wait()
    except _Stopped:
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        print("プレビューを終了しました。")
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _die_with_parent() -> None:
    """In the server process: be sent SIGTERM should ``serve`` die without passing a signal on (SIGKILL)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: only the forwarding above
        pass
