"""Browser probes of the explorer, as a student's phone or laptop sees it (Debian's Chromium).

- `first_view`: navigation to the first numbers painted, and the bytes (as sent, gzip) that
  arrived before that paint and in the whole first view, on an emulated link (latency and
  bandwidth through the DevTools protocol) and an emulated CPU slowdown;
- `slider_moves`: random slider moves, each measured as the main-thread work of its input
  event (the synchronous update), whether the headline number of the new grid point was in
  the DOM at the first animation frame after the input, and, when the move needed a family
  detail file not fetched yet, the time from the input to the frame after it arrived.

The probes read the page only as a student's browser does (the DOM, the Performance API);
the one thing they add is an init script that notes when the first numbers appear.
"""

from __future__ import annotations

import statistics

#: The headline cell: validation accuracy of the shown grid point.
HEADLINE = '.forestlab-viewer .fl-metrics [data-metric="accuracy"] [data-split="val"]'

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
window.__firstNumbersPainted = new Promise((resolve) => {{
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


def _throttled_page(browser, viewport, cpu_rate: float, network: dict | None):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    if network:
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", network)
    if cpu_rate != 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_rate})
    return context, page


def first_view(browser, url: str, cpu_rate: float = 1, network: dict | None = None) -> dict:
    """Milliseconds from navigation to the first numbers painted; bytes and requests before
    that paint and in the whole first view (until the network is idle)."""
    context, page = _throttled_page(browser, {"width": 375, "height": 667}, cpu_rate, network)
    try:
        page.add_init_script(PAINT_PROBE)
        page.goto(url, wait_until="commit")
        # a promise the init script resolves (the site's CSP forbids polling by string eval)
        painted = page.evaluate("() => window.__firstNumbersPainted")
        page.wait_for_load_state("networkidle", timeout=120_000)
        entries = page.evaluate(RESOURCES_JS)
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def slider_moves(browser, url: str, index_url: str, n: int = 200, cpu_rate: float = 1) -> dict:
    """`n` random slider moves on the explorer at `url` (laptop viewport), after it is ready."""
    context, page = _throttled_page(browser, {"width": 1366, "height": 768}, cpu_rate, None)
    try:
        page.goto(url)
        page.wait_for_selector(".forestlab-viewer[aria-busy=false]", timeout=120_000)
        page.wait_for_load_state("networkidle")
        moves = page.evaluate(SLIDER_JS, {"n": n, "indexUrl": index_url})
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
