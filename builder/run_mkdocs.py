"""``python -m builder.run_mkdocs build|serve …``: MkDocs' command line, as ``build`` and ``serve`` run it.

- ``build`` ends without the interpreter's teardown. After a build, freeing every object it
  made (the corpus, thousands of pages, their HTML) took a fifth of a second at 1,000 cases,
  which ``build`` waited for before putting the site in place. Everything the build writes is
  closed by then (the site's files, the page cache in on_post_build), so the process flushes
  its output and ends at once with MkDocs' exit status.
- ``serve`` hears a saved file from the system (inotify) where it can, not by polling: MkDocs
  looks at every watched file twice a second, so a saved case waited a quarter of a second on
  average before the rebuild began. Where the system offers no such events, it polls as before.
  SIGTERM stops it as Ctrl+C does.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

from mkdocs.__main__ import cli


def _native_observer():  # type: ignore[no-untyped-def]
    """watchdog's observer of this system's file events, or None where it cannot watch a folder.

    Only changes count: these events also say when a file is opened or read, and the build reads
    every case, which would start another rebuild after each one.
    """
    from watchdog import events
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    if Observer is PollingObserver:
        return None
    changes = [events.FileCreatedEvent, events.FileDeletedEvent, events.FileModifiedEvent, events.FileMovedEvent, events.FileClosedEvent]

    class Changes(Observer):  # type: ignore[misc,valid-type]
        def schedule(self, handler, path, *, recursive=False, event_filter=None, follow_symlink=False):  # type: ignore[no-untyped-def]
            return super().schedule(handler, path, recursive=recursive, event_filter=event_filter or changes, follow_symlink=follow_symlink)

    observer = Changes()
    try:
        observer.unschedule(observer.schedule(events.FileSystemEventHandler(), str(Path.cwd()), recursive=False))
    except OSError:  # no inotify instance or watch left
        return None
    return observer


def _serve_with_native_events() -> None:
    from mkdocs.commands import serve
    from mkdocs.livereload import LiveReloadServer

    class Server(LiveReloadServer):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            native = _native_observer()
            if native is not None:  # nothing is scheduled yet: watch() schedules on this one
                self.observer = native

    serve.LiveReloadServer = Server  # type: ignore[misc]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        _serve_with_native_events()
        # Stopped by SIGTERM (``builder serve`` passes it on) as by Ctrl+C: MkDocs then shuts down in
        # order, its temporary site folder and our second process with it.
        signal.signal(signal.SIGTERM, _interrupt)
        cli()
        return
    try:
        cli()  # click ends by raising SystemExit with the status
        status: object = 0
    except SystemExit as done:
        status = done.code
    if status is not None and not isinstance(status, int):
        print(status, file=sys.stderr)  # what the interpreter does with a SystemExit message
        status = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status or 0)


if __name__ == "__main__":
    main()
