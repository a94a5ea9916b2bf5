"""Serve a built site on http://127.0.0.1:<free port>/ from a thread.

Shared by scripts/lighthouse.py and the tests (tests/sitetools.py), each with
its own request handler: how a page is served is what they differ in.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler without a log line for every request."""

    def log_message(self, format: str, *args) -> None:
        pass


@contextlib.contextmanager
def serve(site: Path, handler: type[http.server.BaseHTTPRequestHandler] = QuietHandler) -> Iterator[str]:
    """Serve `site` with `handler` until the block ends; yield the address, with its final slash."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="chronicle-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
