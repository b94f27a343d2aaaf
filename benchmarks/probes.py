"""Browser probes of the explorer, as a student's phone or laptop sees it (Debian's Chromium).

- `first_view`: navigation to the first numbers painted, and the bytes (as sent, gzip) that
  arrived before that paint and in the whole first view, on an emulated link (latency and
  bandwidth through the DevTools protocol) and an emulated CPU slowdown;
- `slider_moves`: random slider moves, each measured as the main-thread work of its input
  event (the synchronous update), whether the headline number of the new grid point was in
  the DOM at the first animation frame after the input, and, when the move needed a family
  detail file not fetched yet, the time from the input to the frame after it arrived.

The probes read the page only as a student's browser does (the DOM, the Performance API,
a canvas's pixels); the one thing they add is an init script that notes when the page's first
result appears. Every request that leaves loopback is aborted (ForestLab makes none; the
anchor, TensorFlow Playground, asks Google for web fonts and analytics), so both sites are
measured on the same offline terms.

Which result counts as "first painted", how a page is ready and how its sliders are moved
is a `Site`: `FORESTLAB` (the explorer's headline cell) or `ANCHOR` (TensorFlow Playground's
output heatmap).
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass

#: The main result: the result strip's validation accuracy of the shown grid point.
HEADLINE = ".forestlab-viewer .fl-strip-val"

#: A slow school or mobile link, as the issue's anchor measurement used: 1.6 Mbit/s down,
#: 750 kbit/s up, 150 ms round trip.
SLOW_LINK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6e6 / 8,
    "uploadThroughput": 0.75e6 / 8,
}

#: Before any page script: a promise of the time of the first animation frame after the
#: headline cell first holds a number (performance.now(): milliseconds since navigation).
PAINT_PROBE = f"""
window.__firstResultPainted = new Promise((resolve) => {{
  const done = () => {{
    const cell = document.querySelector({HEADLINE!r});
    return cell !== null && /[0-9]/.test(cell.textContent);
  }};
  const observer = new MutationObserver(() => {{
    if (!done()) return;
    observer.disconnect();
    requestAnimationFrame(() => resolve(performance.now()));
  }});
  observer.observe(document, {{childList: true, subtree: true, characterData: true}});
}});
"""

#: TensorFlow Playground's main result is its output heatmap: a canvas under #heatmap that the
#: page fills (putImageData) with the network's decision boundary when it first draws the
#: network, in the same task that creates it. Before any page script: a promise of the time
#: of the first animation frame at which that canvas holds non-blank pixels (the heatmap's
#: alpha is 160 wherever it is drawn). Like PAINT_PROBE: a DOM observer notes the element,
#: the time taken is that of the first animation frame after the result is in.
ANCHOR_PAINT_PROBE = """
window.__firstResultPainted = new Promise((resolve) => {
  const canvas = () => document.querySelector("#heatmap canvas");
  const drawn = () => {
    const c = canvas();
    if (c === null || c.width === 0 || c.height === 0) return false;
    const pixels = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
    return false;
  };
  const check = () => {
    if (drawn()) resolve(performance.now());
    else requestAnimationFrame(check);
  };
  const observer = new MutationObserver(() => {
    if (canvas() === null) return;
    observer.disconnect();
    requestAnimationFrame(check);
  });
  observer.observe(document, {childList: true, subtree: true});
});
"""

#: Every URL that does not go to the loopback server (matched by Playwright's driver, so
#: loopback requests are not held up).
OFFSITE = re.compile(r"^(?!http://127\.0\.0\.1[:/]|data:|blob:|about:)")

RESOURCES_JS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const entries = performance.getEntriesByType("resource").map((r) => ({
    name: r.name, end: r.responseEnd, bytes: r.encodedBodySize,
  }));
  entries.push({name: nav.name, end: nav.responseEnd, bytes: nav.encodedBodySize});
  return entries;
}
"""


def _throttled_page(browser, viewport, cpu_rate: float, network: dict | None, blocked=None):
    context = browser.new_context(viewport=viewport)
    blocked = [] if blocked is None else blocked

    def abort(route):
        blocked.append(route.request.url)
        route.abort("blockedbyclient")

    context.route(OFFSITE, abort)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    if network:
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", network)
    if cpu_rate != 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_rate})
    return context, page


class _Traffic:
    """The page's requests in flight, from Playwright's request events. Playwright's own
    "networkidle" sometimes never comes on TensorFlow Playground at 4x CPU (one load in a few,
    with or without blocking, every request seen ended), so both sites are waited for with
    this: idle is no request in flight for `quiet` seconds, Playwright's definition."""

    def __init__(self, page):
        self.page = page
        self.pending: set = set()
        self.last = time.monotonic()
        page.on("request", self._start)
        page.on("requestfinished", self._end)
        page.on("requestfailed", self._end)

    def _start(self, request) -> None:
        self.pending.add(request)
        self.last = time.monotonic()

    def _end(self, request) -> None:
        self.pending.discard(request)
        self.last = time.monotonic()

    def wait_idle(self, quiet: float = 0.5, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(100)  # lets Playwright deliver the events
            if not self.pending and time.monotonic() - self.last >= quiet:
                return
        raise TimeoutError(f"network not idle: {sorted(r.url for r in self.pending)}")


#: The bench's first view is a phone's.
PHONE = {"width": 375, "height": 667}


def first_view(
    browser,
    url: str,
    cpu_rate: float = 1,
    network: dict | None = None,
    site: Site | None = None,
    viewport: dict = PHONE,
) -> dict:
    """Milliseconds from navigation to the site's first result painted (ForestLab's by
    default); bytes and requests before that paint and in the whole first view (until the
    network is idle), and each file in the order it arrived; the off-site requests that were
    blocked."""
    site = site or FORESTLAB
    blocked: list[str] = []
    context, page = _throttled_page(browser, viewport, cpu_rate, network, blocked)
    try:
        page.add_init_script(site.paint_probe)
        traffic = _Traffic(page)
        page.goto(url, wait_until="commit")
        # a promise the init script resolves (the site's CSP forbids polling by string eval)
        painted = page.evaluate("() => window.__firstResultPainted")
        traffic.wait_idle()
        # what arrived; a blocked off-site request leaves an entry of 0 bytes: not a file
        entries = [e for e in page.evaluate(RESOURCES_JS) if not OFFSITE.match(e["name"])]
    finally:
        context.close()
    before = [e for e in entries if e["end"] <= painted]
    return {
        "paint_ms": painted,
        "bytes_before_paint": sum(e["bytes"] for e in before),
        "requests_before_paint": len(before),
        "bytes_total": sum(e["bytes"] for e in entries),
        "requests_total": len(entries),
        "files_before_paint": sorted(e["name"].rsplit("/", 2)[-1] or e["name"] for e in before),
        "files": [
            {"name": e["name"], "bytes": e["bytes"], "before_paint": e["end"] <= painted}
            for e in sorted(entries, key=lambda e: e["end"])
        ],
        "blocked": sorted({u.split("/")[2] for u in blocked if "//" in u}),
        "blocked_requests": len(blocked),
    }


SLIDER_JS = f"""
async ({{n, indexUrl}}) => {{
  const index = await (await fetch(indexUrl)).json();
  const root = document.querySelector(".forestlab-viewer");
  const headline = document.querySelector({HEADLINE!r});
  const sliders = [...root.querySelectorAll(".fl-controls input[type=range]:not([disabled])")];
  const position = new Map(index.dims.map((d, i) => [d.name, i]));
  const T = index.dims[0].values.length;
  const pointNumber = () => {{
    const idx = index.dims.map(() => 0);
    for (const s of sliders) idx[position.get(s.dataset.dim)] = Number(s.value);
    let f = 0;
    for (let i = 1; i < index.dims.length; i++) f = f * index.dims[i].values.length + idx[i];
    return f * T + idx[0];
  }};
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const afterPaint = () => new Promise((r) => requestAnimationFrame(() => {{
    const channel = new MessageChannel();
    channel.port1.onmessage = r;
    channel.port2.postMessage(null);
  }}));
  const settled = () => new Promise((r) => {{
    if (root.getAttribute("aria-busy") !== "true") return r();
    const observer = new MutationObserver(() => {{
      if (root.getAttribute("aria-busy") !== "true") {{ observer.disconnect(); r(); }}
    }});
    observer.observe(root, {{attributes: true, attributeFilter: ["aria-busy"]}});
  }});
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const moves = [];
  while (moves.length < n) {{
    const s = sliders[Math.floor(random() * sliders.length)];
    const value = String(Math.floor(random() * (Number(s.max) + 1)));
    if (value === s.value) continue;
    s.value = value;
    const expected = (index.points.val_accuracy[pointNumber()] / index.scale).toFixed(3);
    const t0 = performance.now();
    s.dispatchEvent(new Event("input", {{bubbles: true}}));
    const work = performance.now() - t0;
    const waitsForShard = root.getAttribute("aria-busy") === "true";
    await frame();
    const firstFrame = headline.textContent.trim() === expected;
    let shard = null;
    if (waitsForShard) {{
      await settled();
      await afterPaint();
      shard = performance.now() - t0;
    }}
    moves.push({{work, firstFrame, shard, dim: s.dataset.dim}});
    await afterPaint();
  }}
  return moves;
}}
"""


#: TensorFlow Playground's two data sliders (noise, train/test ratio): each input event
#: regenerates the data set and rebuilds the network, and its handler redraws the data points
#: and the output heatmap synchronously (nothing is fetched, training waits for "play"). Moved
#: as SLIDER_JS moves ForestLab's: the same random sequence, the input event's synchronous
#: work, and whether the heatmap had changed at the first animation frame after it.
ANCHOR_SLIDER_JS = """
async ({n}) => {
  const sliders = ["#noise", "#percTrainData"].map((id) => document.querySelector(id));
  const canvas = document.querySelector("#heatmap canvas");
  const context = canvas.getContext("2d");
  const pixels = () => context.getImageData(0, 0, canvas.width, canvas.height).data;
  const changed = (a, b) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return true;
    return false;
  };
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const afterPaint = () => new Promise((r) => requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = r;
    channel.port2.postMessage(null);
  }));
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const moves = [];
  while (moves.length < n) {
    const s = sliders[Math.floor(random() * sliders.length)];
    const [min, max, step] = [Number(s.min), Number(s.max), Number(s.step)];
    const value = String(min + step * Math.floor(random() * ((max - min) / step + 1)));
    if (value === s.value) continue;
    const before = pixels();
    s.value = value;
    const t0 = performance.now();
    s.dispatchEvent(new Event("input", {bubbles: true}));
    const work = performance.now() - t0;
    await frame();
    const firstFrame = changed(before, pixels());
    moves.push({work, firstFrame, shard: null, dim: s.id});
    await afterPaint();
  }
  return moves;
}
"""


@dataclass(frozen=True)
class Site:
    """What a probe looks for on a site: the init script that resolves
    window.__firstResultPainted, the selector of a page ready for slider moves, the script
    that moves its sliders (called with {n, indexUrl})."""

    name: str
    paint_probe: str
    ready: str
    slider_js: str


FORESTLAB = Site("ForestLab", PAINT_PROBE, ".forestlab-viewer[aria-busy=false]", SLIDER_JS)
ANCHOR = Site("TensorFlow Playground", ANCHOR_PAINT_PROBE, "#heatmap canvas", ANCHOR_SLIDER_JS)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def slider_moves(
    browser,
    url: str,
    index_url: str | None,
    n: int = 200,
    cpu_rate: float = 1,
    site: Site | None = None,
) -> dict:
    """`n` random slider moves on the site at `url` (ForestLab's explorer by default; laptop
    viewport), after it is ready."""
    site = site or FORESTLAB
    context, page = _throttled_page(browser, {"width": 1366, "height": 768}, cpu_rate, None)
    try:
        traffic = _Traffic(page)
        page.goto(url)
        page.wait_for_selector(site.ready, state="attached", timeout=120_000)
        traffic.wait_idle()
        moves = page.evaluate(site.slider_js, {"n": n, "indexUrl": index_url})
    finally:
        context.close()
    work = [m["work"] for m in moves]
    shard = [m["shard"] for m in moves if m["shard"] is not None]
    return {
        "moves": len(moves),
        "work_p50_ms": statistics.median(work),
        "work_p95_ms": percentile(work, 0.95),
        "first_frame_share": sum(m["firstFrame"] for m in moves) / len(moves),
        "family_moves": sum(m["dim"] != "n_estimators" for m in moves),
        "shard_waits": len(shard),
        "shard_p50_ms": statistics.median(shard) if shard else None,
        "shard_p95_ms": percentile(shard, 0.95) if shard else None,
    }
