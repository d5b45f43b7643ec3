"""Serve a built site on 127.0.0.1 (a free port) for the browser, quietly, in a thread."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietHandler(SimpleHTTPRequestHandler):
    # As a static host answers: connections kept open (Chromium opens six per host, and a first
    # search query loads up to twenty small chunks), each file in one write without Nagle's delay
    # (the base handler writes headers and body separately). Eight chunks at once, A/B under load:
    # p50 51 -> 39 ms; a kept connection with the base handler's writes was slower (p50 51 ms vs 13-19).
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            super().do_GET()  # folders, redirects and errors as the base handler answers them
            return
        body = path.read_bytes()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {self.guess_type(str(path))}\r\nContent-Length: {len(body)}\r\n\r\n"
        self.wfile.write(head.encode("ascii") + body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # hundreds of requests per run; the report is the output


@contextmanager
def served(directory: Path) -> Iterator[str]:
    """Yield the base URL (ending in /) of ``directory`` served over HTTP until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
