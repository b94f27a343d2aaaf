"""Browser-test helpers: a built site served on a free loopback port, and Debian's Chromium.

Chromium comes from Debian (`/usr/bin/chromium`), driven by Playwright with `executable_path`:
Playwright's own browser download is never used. The server records every request, and a
page wrapper records console errors, page errors, dialogs and any request that leaves
loopback, so a test can assert that none happened and print the server log when it fails.
"""

from __future__ import annotations

import functools
import gzip as gzip_module
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = os.environ.get("FORESTLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOOPBACK = ("http://127.0.0.1:", "data:", "blob:", "about:")


def build_site(out: Path, site: Path, root: Path) -> Path:
    """The site for the build output `out`, built as `forestlab site` builds it."""
    from forestlab.pipeline import build_site as forestlab_site

    env = {**os.environ, "FORESTLAB_OUT": str(out), "NO_MKDOCS_2_WARNING": "1"}
    forestlab_site(root / "mkdocs.yml", site, env)
    return site


COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")


class SiteServer:
    """Serves a folder on 127.0.0.1:<free port> in a thread; keeps a request log.

    With `gzip=True` text files are sent gzip-compressed, as static hosts such as GitHub Pages
    do, for measurements that should see what a student's browser downloads.
    """

    def __init__(self, folder: Path, gzip: bool = False):
        self.log: list[str] = []
        log = self.log

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, fmt, *args):
                log.append(fmt % args)

            def send_head(self):
                path = Path(self.translate_path(self.path))
                if path.is_dir():
                    path = path / "index.html"
                wants = "gzip" in self.headers.get("Accept-Encoding", "")
                if not (gzip and wants and path.is_file() and path.suffix in COMPRESSIBLE):
                    return super().send_head()
                if path.name == "index.html" and not self.path.split("?")[0].endswith("/"):
                    return super().send_head()  # let the base class redirect to the slash URL
                body = gzip_module.compress(path.read_bytes(), 6)
                self.send_response(200)
                self.send_header("Content-Type", self.guess_type(str(path)))
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                return _Body(body)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                # a browser that drops a connection (a terminated worker, a closed page)
                # is not a server failure: note it in the log instead of printing a traceback
                log.append(f"connection from {client_address} ended early")

        handler = functools.partial(Handler, directory=str(folder))
        self.folder = folder
        self.httpd = Server(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def dump(self) -> str:
        return "server log:\n" + "\n".join(self.log[-40:])


class _Body:
    """A file-like body for SimpleHTTPRequestHandler.copyfile."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, n: int = -1) -> bytes:
        data, self.data = (self.data, b"") if n < 0 else (self.data[:n], self.data[n:])
        return data

    def close(self) -> None:
        pass


class Watched:
    """A Playwright page plus everything it did that a test may forbid."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.external: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("request", self._request)
        page.on("dialog", self._dialog)

    def _request(self, request):
        if not request.url.startswith(LOOPBACK):
            self.external.append(request.url)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def clean(self) -> bool:
        return not (self.errors or self.external or self.dialogs)

    def report(self) -> str:
        return f"errors={self.errors} external={self.external} dialogs={self.dialogs}"


def show_live_result(page, out: Path, request: dict, seconds: float = 1.0) -> dict:
    """Train with the widget's Python entry point on a build's live.json, exactly as the
    worker would, and hand the result message to the page's panel. Returns the record."""
    import json

    from forestlab.core import live

    payload = (out / "live" / "live.json").read_text(encoding="utf-8")
    assert json.loads(live.entry(json.dumps({"command": "load", "data": payload})))["ok"]
    reply = json.loads(live.entry(json.dumps({"command": "train", "request": request})))
    assert reply["ok"], reply
    page.evaluate(
        "m => document.querySelector('.forestlab-viewer').forestlab.livePanel.receive(m)",
        {"type": "result", "record": reply["record"], "seconds": seconds},
    )
    return reply["record"]
