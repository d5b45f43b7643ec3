"""``serve`` (issue 10): stopping it with a signal stops the MkDocs server it started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import cli_env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _until(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_sigterm_stops_the_server_it_started(fixture_root: Path) -> None:
    port = _free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "builder", "--root", str(fixture_root), "serve", "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=cli_env(), start_new_session=True,
    )  # fmt: skip
    children: list[int] = []
    try:
        assert _until(lambda: _answers(port) or serve.poll() is not None, 180) and serve.poll() is None, "serve did not come up"
        children = _children(serve.pid)
        assert children, "serve runs MkDocs in a child process"
        os.kill(serve.pid, signal.SIGTERM)  # the parent only, as killing the PID of `make serve` or `builder serve` does
        assert serve.wait(timeout=20) == 0
        assert _until(lambda: not _answers(port), 5), "the server still answers"
        assert _until(lambda: not any(_alive(pid) for pid in children), 5), "the MkDocs process outlived serve"
    finally:
        for pid in children:  # never leave a server behind, even when the test fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
