"""Browser-test helpers: a built site served on a free loopback port, and Debian's Chromium.

Chromium comes from Debian (`/usr/bin/chromium`), driven by Playwright with `executable_path`:
Playwright's own browser download is never used. The server records every request, and a
page wrapper records console errors, page errors, dialogs and any request that leaves
loopback, so a test can assert that none happened and print the server log when it fails.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
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
    env = {**os.environ, "FORESTLAB_OUT": str(out), "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(root / "mkdocs.yml"),
            "-d",
            str(site),
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    return site


class SiteServer:
    """Serves a folder on 127.0.0.1:<free port> in a thread; keeps a request log."""

    def __init__(self, folder: Path):
        self.log: list[str] = []
        log = self.log

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, fmt, *args):
                log.append(fmt % args)

        handler = functools.partial(Handler, directory=str(folder))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
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
