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

    forestlab_site(root / "mkdocs.yml", site, out)
    return site


COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")


class SiteServer:
    """Serves a folder on 127.0.0.1:<free port> in a thread; keeps a request log.

    With `gzip=True` text files are sent gzip-compressed, as static hosts such as GitHub Pages
    do, for measurements that should see what a student's browser downloads. With `cors=True`
    every origin may read them, as from a CDN.
    """

    def __init__(self, folder: Path, gzip: bool = False, cors: bool = False):
        self.log: list[str] = []
        log = self.log

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, fmt, *args):
                log.append(fmt % args)

            def end_headers(self):
                if cors:
                    self.send_header("Access-Control-Allow-Origin", "*")
                super().end_headers()

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


#: The first explorer shows all of its point and has written it into the URL.
READY = ".forestlab-viewer[aria-busy=false]:not([data-url-pending])"
#: The live panel's worker module, as the site publishes it.
WORKER_PATH = "/assets/forestlab/live/worker.js"


def wait_ready(page, timeout: float = 10_000) -> None:
    """Until the first explorer shows everything of its current point (its aria-busy is
    false once the index, the data card and the point's shard are in, and, once a panel that
    shows them has come near the screen, its family's explain file)."""
    page.wait_for_selector(READY, timeout=timeout)


def shown_values(page, index: dict) -> dict:
    """The grid values the explorer shows, read as a student reads them: each slider's
    position; a dimension with one grid value has it. A dimension a lesson hides is left out."""
    positions = dict(
        page.locator(".forestlab-viewer .fl-controls input[type=range]").evaluate_all(
            "s => s.map(x => [x.dataset.dim, Number(x.value)])"
        )
    )
    values = {}
    for d in index["dims"]:
        if d["name"] in positions:
            values[d["name"]] = d["values"][positions[d["name"]]]
        elif len(d["values"]) == 1:
            values[d["name"]] = d["values"][0]
    return values


def js_fixed(value: float, digits: int = 3) -> str:
    """`Number(value).toFixed(digits)` as the browser writes it (exact value, ties up)."""
    from decimal import ROUND_HALF_UP, Decimal

    if value is None:
        return "–"
    return str(Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def fake_live_worker(
    target, out: Path, request: dict, seconds: float = 1.0, typed: dict | None = None
) -> dict:
    """Stand in for the live panel's worker script: the page (or context) `target` gets, at
    the worker's URL, a module that answers the panel's messages with a record trained here
    by the widget's Python entry point on the build's live.json, exactly as the real worker
    would. A train request other than `request` (the page's form is what sends it) is
    answered with an error naming it. With `typed` (a form row), a prediction is answered
    with the entry point's prediction for that row, and the row sent is checked against it.
    Returns the record (and, with `typed`, the prediction as "typed_reply")."""
    import json

    from forestlab.core import live

    payload = (out / "live" / "live.json").read_text(encoding="utf-8")
    assert json.loads(live.entry(json.dumps({"command": "load", "data": payload})))["ok"]
    reply = json.loads(live.entry(json.dumps({"command": "train", "request": request})))
    assert reply["ok"], reply
    record = reply["record"]
    n = record["points"][0]["n_estimators"]
    predicted = None
    if typed is not None:
        predicted = json.loads(live.entry(json.dumps({"command": "predict", "row": typed})))
        assert predicted.pop("ok"), predicted
        record = {**record, "typed_reply": predicted}
    script = f"""
const record = {json.dumps(reply["record"])};
const typed = {json.dumps(typed)};
const predicted = {json.dumps(predicted)};
const expected = {json.dumps(request)};
const stages = ["data", "data-ready", "runtime", "runtime-ready", "packages", "ready"];
self.onmessage = ({{ data }}) => {{
  if (data.type === "boot") {{
    for (const stage of stages) self.postMessage({{ type: "stage", stage }});
  }} else if (data.type === "train") {{
    const got = JSON.parse(data.request);
    const wrong = Object.keys(expected).filter((k) => JSON.stringify(got[k]) !== JSON.stringify(expected[k]));
    if (wrong.length) {{
      self.postMessage({{ type: "error", stage: "train", message: "unexpected request " + data.request }});
      return;
    }}
    for (let tree = 1; tree <= {n}; tree++) self.postMessage({{ type: "progress", tree, of: {n} }});
    self.postMessage({{ type: "result", record, seconds: {seconds} }});
  }} else if (data.type === "predict") {{
    if (typed) {{
      const wrong = Object.keys(typed).filter((k) => String(data.row[k] ?? "") !== String(typed[k]));
      if (wrong.length) {{
        self.postMessage({{ type: "error", stage: "predict", message: "unexpected row " + JSON.stringify(data.row) }});
        return;
      }}
      self.postMessage({{ type: "prediction", ...predicted }});
      return;
    }}
    const k = record.points[0].metrics.val.confusion_matrix.length;
    self.postMessage({{ type: "prediction", probabilities: Array.from({{ length: k }}, () => 1 / k) }});
  }}
}};
"""
    target.route(
        f"**{WORKER_PATH}",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=script),
    )
    return record
