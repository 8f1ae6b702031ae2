"""``make edit``'s front door: ``/admin/`` from the docs tree, everything else from the preview.

MkDocs' preview server holds every request while a rebuild fails ("the server
will appear stuck until build errors are resolved"), and a record saved from
the form with a mistake only the check can see (a due date before the
consultation) makes the rebuild fail. The form is what the editor fixes it
with, so it must not wait for the preview: this server answers ``/admin/``
itself, from the files the last good build wrote into the docs tree, and
passes every other request to the engine's preview on an inner port.
"""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Headers of the preview's answers passed on (hop-by-hop ones are not).
_PASSED = ("Content-Type", "Content-Length", "Cache-Control", "Last-Modified", "Location")


class _Front(http.server.SimpleHTTPRequestHandler):
    prefix = "/"
    upstream = ""

    def _is_admin(self) -> bool:
        return urllib.parse.urlsplit(self.path).path.startswith(self.prefix + "admin/")

    def do_GET(self) -> None:
        if self._is_admin():
            super().do_GET()
        else:
            self._proxy(head=False)

    def do_HEAD(self) -> None:
        if self._is_admin():
            super().do_HEAD()
        else:
            self._proxy(head=True)

    def translate_path(self, path: str) -> str:
        path = urllib.parse.urlsplit(path).path
        return super().translate_path("/" + path[len(self.prefix):])

    def end_headers(self) -> None:
        if self._is_admin():
            self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _proxy(self, head: bool) -> None:
        request = urllib.request.Request(self.upstream + self.path,
                                         method="HEAD" if head else "GET")
        try:
            response: Any = urllib.request.urlopen(request, timeout=600)  # the preview, ours
        except urllib.error.HTTPError as error:
            response = error
        except OSError:
            self.send_error(502, "the preview is not answering")
            return
        with response:
            body = b"" if head else response.read()
            self.send_response(response.status)
            for name in _PASSED:
                if response.headers.get(name) is not None:
                    self.send_header(name, response.headers[name])
            super().end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(host: str, port: int, docs: Path, prefix: str, upstream: str) -> Iterator[None]:
    """Serve on ``host:port`` in a thread until the block ends."""
    handler = type("Front", (_Front,), {"prefix": prefix, "upstream": upstream.rstrip("/")})
    factory = functools.partial(handler, directory=str(docs))
    server = http.server.ThreadingHTTPServer((host, port), factory)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="edit-front", daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
