"""`forestlab check-live SITE`: live training, proven on a built site before it is published.

The GitHub Pages workflow runs it on the folder it is about to deploy: the site is served on
loopback, a headless Chromium opens a lab's explorer, trains a small forest in the browser
with Pyodide (from the hosts the site names, or from the site itself with `widget.self_host`)
and checks the result against the build's own numbers for the same grid point. Any failure
ends with exit status 1 and the stage that failed, so the deploy stops; the workflow's
`FORESTLAB_LIVE_CHECK: "off"` skips the check. This repository's network
test (tests/test_widget_browser.py) runs the same function.

Playwright drives the browser (its own browser download is never used): Chromium or Google
Chrome from the PATH, as GitHub's runners and Debian's `chromium` package provide, or `--browser`.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from forestlab.core.messages import Message
from forestlab.errors import UserError
from forestlab.formats import family_number

#: The browsers tried, in order, when none is named.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Headless Chromium as root on a CI machine, without its own background traffic.
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: The Playwright the check drives the browser with (the tests' pin in pyproject.toml).
PLAYWRIGHT = "playwright==1.65.2"
#: Seconds for Pyodide, scikit-learn and one small forest (a slow runner, a far CDN).
TIMEOUT = 300


class LiveCheckFailed(Exception):
    """Live training did not work on the site: the message says at which stage."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Checked:
    page: str  # the explorer's URL path
    host: str  # the Pyodide host that answered
    status: str  # the panel's own words when done
    shown: str  # the live model's validation accuracy, as the panel shows it
    expected: str | None  # the build's, where the two models are the same (else None)


def _explorer(site: Path, lab: str | None) -> tuple[str, str]:
    """(lab, URL path) of a lab's explorer: a page whose viewer is not a lesson's, English
    first (so the panel's words read the same in every run)."""
    pages = []
    for html in sorted(site.rglob("index.html")):
        text = html.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r'<div class="forestlab-viewer"[^>]*data-lab="([^"]*)"', text):
            tag = m.group(0)
            if "lesson" not in tag and (lab is None or m.group(1) == lab):
                rel = html.parent.relative_to(site).as_posix()
                pages.append(
                    (not rel.startswith("en"), m.group(1), "" if rel == "." else rel + "/")
                )
    if not pages:
        raise UserError("error.livecheck.no_explorer", site=site, lab=lab or "")
    _, found, path = min(pages)
    return found, path


def _point(index: dict) -> dict:
    """A quick grid point to train live: the fewest trees (two at least where the grid has
    them), the shallowest depth, every training row (sample share 1 where the grid has it),
    the first value of the rest."""
    point = {}
    for dim in index["dims"]:
        values = dim["values"]
        if dim["name"] == "n_estimators":
            point["n_estimators"] = min((v for v in values if v >= 2), default=min(values))
        elif dim["name"] == "max_depth":
            point["max_depth"] = min((v for v in values if v is not None), default=None)
        elif dim["name"] == "sample_fraction" and 1.0 in values:
            point["sample_fraction"] = 1.0
        else:
            point[dim["name"]] = values[0]
    return point


def _token(value) -> str:
    return "none" if value is None else str(value)


def _serve(site: Path):
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _browser_path(named: str | None) -> str:
    found = named or next((p for p in map(shutil.which, BROWSERS) if p), None)
    if not found:
        raise UserError("error.livecheck.no_browser", names=", ".join(BROWSERS))
    return found


def check(
    site: Path,
    lab: str | None = None,
    browser=None,
    executable: str | None = None,
    on_context=None,
) -> Checked | None:
    """Train live on `site` (a built site folder); returns what was `Checked` (None when the
    lab has live training off), or raises LiveCheckFailed. `browser`: a Playwright browser to
    use (the tests pass theirs); else one is launched from `executable` or the PATH.
    `on_context(context)` may route the page's requests first (the offline tests do)."""
    lab, path = _explorer(site, lab)
    out = site / "generated" / lab
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    data = json.loads((out / "data.json").read_text(encoding="utf-8"))
    if not data["widget"]["enabled"]:
        return None
    point = _point(index)
    query = "&".join(f"{k}={_token(v)}" for k, v in point.items() if k != "class_weight")
    server = _serve(site)
    playwright = None
    try:
        if browser is None:
            try:
                from playwright.sync_api import sync_playwright
            except ImportError:
                raise UserError("error.livecheck.no_playwright", pin=PLAYWRIGHT) from None
            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(
                executable_path=_browser_path(executable), args=BROWSER_ARGS
            )
        context = browser.new_context()
        try:
            if on_context is not None:
                on_context(context)
            return _train(context, server, path, query, point, index, data, out)
        finally:
            context.close()
    finally:
        server.shutdown()
        server.server_close()
        if playwright is not None:
            browser.close()
            playwright.stop()


def _train(context, server, path, query, point, index, data, out) -> Checked:
    url = f"http://127.0.0.1:{server.server_address[1]}/{path}?{query}"
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(".forestlab-viewer[aria-busy=false] .fl-live", timeout=60_000)
    rows = page.input_value("input[name=rows]")
    page.click("[data-action=train-live]")
    page.wait_for_selector(
        ".fl-live[data-live=done], .fl-live[data-live=error]", timeout=TIMEOUT * 1000
    )
    status = page.inner_text(".fl-live-status")
    if page.locator(".fl-live[data-live=error]").count():
        detail = page.locator(".fl-live details pre").all_text_contents()
        raise LiveCheckFailed(
            Message("error.livecheck.failed", url=url, problem=" ".join(detail) or status)
        )
    shown = page.inner_text(
        ".fl-live-result tr[data-metric=accuracy] td[data-split=live-val]"
    ).strip()
    host = page.locator(".fl-live").get_attribute("data-host") or ""
    # the same model as the build's when it trains on every row and scores every validation row
    live = json.loads((out / "live" / "live.json").read_text(encoding="utf-8"))
    same = (
        point.get("sample_fraction", 1.0) == 1.0
        and int(rows) == live["n_train_rows"] == data["rows"]["train"]
        and live["n_val_rows"] == data["rows"]["val"]
    )
    expected = None
    if same:
        family = family_number(index["dims"], point)
        record = json.loads((out / "families" / f"{family}.json").read_text(encoding="utf-8"))
        at = next(p for p in record["points"] if p["n_estimators"] == point["n_estimators"])
        expected = f"{at['metrics']['val']['accuracy']:.3f}"
        if shown != expected:
            raise LiveCheckFailed(
                Message("error.livecheck.differs", url=url, shown=shown, expected=expected)
            )
    return Checked(page=path, host=host, status=status, shown=shown, expected=expected)
