"""Running one function over many items on all cores, with the results in the items' order.

``check`` spends almost all its time on each file by itself (read, parse YAML, validate), work
the cores can share. Sending the results back (pickled) adds a sixth to a third to the work: a
free core repays it, a machine busy with other work does not (it can then take longer).
The workers are forked, so
they start in milliseconds with everything the parent has loaded (the taxonomy, the models) and
the function need not be picklable; only the items and the results cross between processes.
Forking is safe only while the process runs no other thread (a lock held by one would stay held
in the child), so in a process with threads (``serve``'s watcher, a loaded embedding model), with
one core or with few items, the function simply runs here, item by item: the same result.

``background`` is the other way to use a second core: one long-lived worker that a build stage
runs in beside the others (``builder.generate.pipeline``). It is forked by a fork server (a
fresh interpreter, so it is safe beside threads), imports the stages' modules at once, and is
kept for the life of the process, so ``serve``'s rebuilds find it ready.
Like any multiprocessing child it imports the main module again (MkDocs' or pytest's, which
guard their command with ``if __name__ == "__main__"``).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNKS_PER_WORKER = 8  # several chunks each, so a worker that drew long files does not hold up the end

_task: Callable[[Any], Any] | None = None  # the function of the running ``ordered_map``, inherited by the forked workers
_background: ProcessPoolExecutor | None = None
# What the worker imports as soon as it starts, so that a stage sent to it finds its modules loaded.
BACKGROUND_IMPORTS = ["builder.generate.search_index"]


def _run_chunk(chunk: Sequence[Any]) -> list[Any]:
    assert _task is not None, "a worker forked outside ordered_map"
    return [_task(item) for item in chunk]


def _threads() -> int:
    """Threads of this process, native ones too (a loaded onnxruntime runs its own) where the system says."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def worker_count() -> int:
    """Cores this process may use; 1 where forking is not safe or allowed (a daemonic process has no children)."""
    if "fork" not in multiprocessing.get_all_start_methods() or _threads() > 1 or multiprocessing.current_process().daemon:
        return 1
    return _cores()


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _background_allowed() -> bool:
    return _cores() >= 2 and "forkserver" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def background() -> ProcessPoolExecutor | None:
    """The worker process stages run in beside this one (started on the first call); None with one core.

    Its pool runs a thread here, so ``ordered_map`` no longer forks in this process afterwards.
    """
    global _background
    if _background is None and _background_allowed():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([])  # a preload would hold up this call until it is imported
        _background = ProcessPoolExecutor(1, mp_context=context, initializer=_end_with, initargs=(os.getpid(),))
        for module in BACKGROUND_IMPORTS:  # imported by the worker while this process goes on
            _background.submit(importlib.import_module, module)
    return _background


def _end_with(owner: int) -> None:
    """In the worker: end when ``owner`` (the process that started it) ends.

    An owner killed by a signal cannot say so: its worker would wait for work forever, and keep
    the fork server and multiprocessing's resource tracker with it (``serve`` stopped by SIGTERM).
    """

    def wait() -> None:
        try:
            watched = os.pidfd_open(owner)  # Linux: readable when the process ends
            select.select([watched], [], [])
        except (AttributeError, OSError):  # no pidfd here, or the owner is gone already: look every second
            while _alive(owner):
                time.sleep(1)
        os._exit(0)

    threading.Thread(target=wait, name="dxnavi-owner", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or the number now names another user's process
        return False
    return True


def drop_background() -> None:
    """Forget a worker that died (a BrokenProcessPool): the next ``background()`` starts a new one."""
    global _background
    if _background is not None:
        _background.shutdown(wait=False, cancel_futures=True)
        _background = None


def ordered_map(task: Callable[[Item], Result], items: Sequence[Item], *, min_items: int) -> list[Result]:
    """``[task(item) for item in items]``, on every core when there are at least ``min_items`` items.

    ``min_items`` is where the work outweighs starting the workers and sending the results back.
    """
    global _task
    workers = worker_count()
    if workers < 2 or len(items) < min_items:
        return [task(item) for item in items]
    size = -(-len(items) // (workers * CHUNKS_PER_WORKER))
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    _task = task
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return [result for chunk in pool.map(_run_chunk, chunks) for result in chunk]
    finally:
        _task = None
