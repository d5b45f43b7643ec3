"""``build`` and ``serve``: run MkDocs with the checks and guarantees contributors rely on.

``build`` checks first (while MkDocs starts, waiting for the check before it
writes anything), builds into a temporary folder next to the target and
swaps it in only when the whole build succeeded, so a failed or interrupted
build leaves the previous site as it was. The build time is the last commit's
time (SOURCE_DATE_EPOCH), so two builds of one commit are byte-identical.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import shutil
import signal
import stat
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder import previous_site
from builder.diagnostics import print_report
from builder.generate.pipeline import OutputFile, Sent, Stage, StageLost, independent
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


def checked_project(project: Project) -> CheckResult:
    """The check ``build`` hands its MkDocs (checking again would double the time at 10,000 cases), else a fresh one."""
    handed = _handed_pipe(_CHECKED)
    if handed is None:
        return check_project(project)  # not started by build (or a stale variable in a shell): check as usual
    try:
        with os.fdopen(handed, "rb") as pipe:  # made by build_site for this process alone
            root, result = pickle.load(pipe)
    except EOFError as exc:  # build closed the pipe without a check: it found errors, or it was stopped
        raise SystemExit("build が確認の結果を渡さなかったため、サイトを作りません。") from exc
    except (OSError, pickle.UnpicklingError, ValueError):
        return check_project(project)
    return result if root == project.root.resolve() else check_project(project)


def check_handed() -> bool:
    """Whether ``build`` is handing this process its check (checked_project then only waits)."""
    return _handed_pipe(_CHECKED) is not None


def _handed_pipe(variable: str) -> int | None:
    handed = os.environ.get(variable, "")
    try:
        return int(handed) if handed.isdigit() and stat.S_ISFIFO(os.fstat(int(handed)).st_mode) else None
    except OSError:
        return None  # a stale variable in a shell


_STAGES = "DXNAVI_STAGES"  # build -> its MkDocs: the pipe that says the independent stages are made


def _late_folder(site_dir: Path) -> Path:
    """Where ``build`` puts the independent stages' files, to move them into ``site_dir`` once MkDocs is done."""
    return site_dir.with_name(site_dir.name + ".late")


class _HandedStages:
    """What ``build`` made of the independent stages while MkDocs started, read once, when first asked:
    their timings. Their files are in ``_late_folder``, which ``build`` moves into the site once MkDocs
    is done, so MkDocs writes none of them."""

    def __init__(self, pipe: int, root: Path, use_directory_urls: bool, site_dir: Path) -> None:
        self.pipe, self.expected, self.site_dir = pipe, (root.resolve(), use_directory_urls), site_dir
        self.seconds: dict[str, float] | None = None

    def result(self, name: str) -> tuple[list[OutputFile], float]:
        if self.seconds is None:
            try:
                with os.fdopen(self.pipe, "rb") as pipe:
                    root, urls, seconds = pickle.load(pipe)
            except (OSError, EOFError, pickle.UnpicklingError, ValueError) as error:
                raise StageLost("build did not hand the stages over") from error
            if (root, urls) != self.expected:  # made for another configuration: made here instead,
                seconds = {}
                shutil.rmtree(_late_folder(self.site_dir), ignore_errors=True)  # and build has nothing to move in
            self.seconds = seconds
        if name not in self.seconds:
            raise StageLost(f"build did not make {name} for this configuration")
        return [], self.seconds[name]


@dataclass(frozen=True)
class _Handed:
    stages: _HandedStages
    name: str

    def result(self) -> tuple[list[OutputFile], float]:
        return self.stages.result(self.name)


def handed_stages(project: Project, use_directory_urls: bool, stages: list[Stage], site_dir: Path) -> Sent | None:
    """The independent stages ``build`` is making for this MkDocs (``pipeline.Later`` waits for their timings), else None."""
    pipe = _handed_pipe(_STAGES)
    if pipe is None:
        return None
    handed = _HandedStages(pipe, project.root, use_directory_urls, site_dir)
    return {stage.name: (stage, _Handed(handed, stage.name)) for stage in independent(stages)}


def _hand_stages(project: Project, result: CheckResult, pipe: int, staging: Path, target: Path) -> None:
    """Make the independent stages (the keyword index) here, while MkDocs runs the others.

    Their files go to ``_late_folder(staging)`` (linked from ``target``, the site being replaced,
    where unchanged), which build_site moves into the site once MkDocs is done; MkDocs gets their
    timings. Writing them was 0.12 s of MkDocs' last step at 1,000 cases.
    """
    from builder.embedding.settings import for_project
    from builder.generate.pipeline import default_stages, run_alone

    urls = project.use_directory_urls()
    gc.freeze()  # the corpus stays to the end: the collector need not walk it again and again (5 % of the stage)
    try:
        with os.fdopen(pipe, "wb") as out:
            assert result.corpus is not None
            stages = default_stages(cache_dir=for_project(project).with_environment(project.root).cache_dir)
            made = {stage.name: run_alone(stage, result.corpus, urls) for stage in independent(stages)}
            files = [file for stage_files, _ in made.values() for file in stage_files]
            previous_site.write_files(files, _late_folder(staging), previous_site.PreviousSite(target) if target.is_dir() else None)
            seconds = {name: stage_seconds for name, (_, stage_seconds) in made.items()}
            pickle.dump((project.root.resolve(), urls, seconds), out, protocol=pickle.HIGHEST_PROTOCOL)
    except BrokenPipeError:
        pass  # MkDocs stopped first: its exit status says why
    # Any other error closes the pipe empty (MkDocs then makes the stages itself) and is raised here.


class _Clash(Exception):
    """A file of the independent stages is already in the site (``_move_into``)."""


def _move_into(source: Path, target: Path) -> None:
    """Move what ``source`` holds into ``target``, a folder at a time where ``target`` has none; never replaces a file."""
    for entry in sorted(source.iterdir()):
        destination = target / entry.name
        if not os.path.lexists(destination):
            entry.rename(destination)
        elif entry.is_dir() and destination.is_dir() and not destination.is_symlink():
            _move_into(entry, destination)
        else:
            raise _Clash(str(destination))


def _hand_over(project: Project, result: CheckResult, pipe: int) -> threading.Thread:
    """Send the check through ``pipe`` (closed afterwards), which MkDocs waits for in on_config, from a
    thread (returned, started): MkDocs reads it while its model loads, and we go on meanwhile."""
    data = pickle.dumps((project.root.resolve(), result), protocol=pickle.HIGHEST_PROTOCOL)

    def send() -> None:
        try:
            with os.fdopen(pipe, "wb") as out:
                out.write(data)
        except BrokenPipeError:
            pass  # MkDocs stopped before it read the check: its exit status says so

    sender = threading.Thread(target=send, name="dxnavi-check", daemon=True)
    sender.start()
    return sender


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
        sys.executable, "-m", "builder.run_mkdocs", "build", "--strict",
        "--config-file", str(project.root / "mkdocs.yml"), "--site-dir", str(staging),
    ]  # fmt: skip
    env = _environment(project)
    env[previous_site.ENV] = str(target)  # its unchanged files are linked, not written again
    receive, send = os.pipe()
    stages_receive, stages_send = os.pipe()
    env[_CHECKED], env[_STAGES] = str(receive), str(stages_receive)
    # MkDocs starts while we check (its imports and configuration take about a second) and waits for
    # the check in on_config, before it writes anything; with errors it is stopped there. Then we make
    # the keyword index while MkDocs runs the other stages, on the other core.
    mkdocs = subprocess.Popen(command, env=env, cwd=project.root, pass_fds=(receive, stages_receive), preexec_fn=_die_with_parent)
    os.close(receive)
    os.close(stages_receive)
    try:
        result = check_project(project)
        print_report(result.problems, result.files)
        if result.errors:
            mkdocs.kill()
            print(f"エラーがあるためサイトを作りませんでした（{target} はそのままです）。")
            return 1
        sender = _hand_over(project, result, send)
        send = -1
        if mkdocs.poll() is None:  # not for a MkDocs that has already stopped (its configuration, say)
            _hand_stages(project, result, stages_send, staging, target)
            stages_send = -1
        status = mkdocs.wait()
        sender.join()  # it has ended: MkDocs read the check or stopped (a broken pipe)
        if status != 0:
            print(f"サイトを作れませんでした（{target} はそのままです）。")
            return 1
        if _late_folder(staging).is_dir():
            try:
                _move_into(_late_folder(staging), staging)
            except _Clash as clash:
                print(f"生成したファイル {clash} がサイトの別のファイルと重なったため、サイトを作れませんでした（{target} はそのままです）。")
                return 1
        replace_directory(staging, target)
    finally:
        for pipe in (send, stages_send):
            if pipe >= 0:
                os.close(pipe)
        if mkdocs.poll() is None:  # we were stopped (Ctrl+C...): so is it
            mkdocs.kill()
        mkdocs.wait()
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(_late_folder(staging), ignore_errors=True)
    pages = sum(name.endswith(".html") for _, _, names in os.walk(target) for name in names)  # a seventh of rglob's time
    print(f"サイトを {target} に作りました（{pages} ページ）。")
    return 0


def serve_site(project: Project, dev_addr: str) -> int:
    result = check_project(project)
    print_report(result.problems, result.files)
    if result.errors:
        print("エラーのある事例も、プレビューでは表示します（各ページの先頭とトップページの赤い枠に問題を表示します。公開用の build では止まります）。")
    print(f"プレビュー: http://{dev_addr}/  （終了するには Ctrl+C）")
    command = [sys.executable, "-m", "builder.run_mkdocs", "serve", "--dev-addr", dev_addr, "--config-file", str(project.root / "mkdocs.yml")]
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
