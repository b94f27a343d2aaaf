"""The explorer's first view file by file, measured as `nox -s bench` measures it
(benchmarks/probes.py's `first_view`: Debian's Chromium, the bench's slow link, gzip as a
static host serves it): each file's bytes as sent, in the order they arrived, marked when they
arrived before the first numbers were painted; then the totals. For finding what makes the
first view grow: run it on two built sites and compare.

    python benchmarks/first_view.py SITE_DIR [--viewport 375x667] [--page explorer/]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the browser tests' server and Chromium settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built site (mkdocs build's folder)")
    parser.add_argument("--viewport", default="375x667", help="WIDTHxHEIGHT (default: a phone)")
    parser.add_argument("--page", default="explorer/", help="the page, from the site's root")
    args = parser.parse_args()
    width, height = (int(v) for v in args.viewport.split("x"))

    from browser import CHROMIUM, CHROMIUM_ARGS, SiteServer
    from playwright.sync_api import sync_playwright
    from probes import SLOW_LINK, first_view

    with SiteServer(args.site, gzip=True) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        viewport = {"width": width, "height": height}
        view = first_view(browser, server.url + args.page, network=SLOW_LINK, viewport=viewport)
        browser.close()
    for f in view["files"]:
        name = f["name"].removeprefix(server.url) or "/"
        print(f"{'before' if f['before_paint'] else '      '} {f['bytes']:8,d}  {name}")
    kib = 1024
    print(
        f"first numbers painted at {view['paint_ms']:.0f} ms; before them "
        f"{view['bytes_before_paint'] / kib:.1f} KiB in {view['requests_before_paint']} files; "
        f"in all {view['bytes_total'] / kib:.1f} KiB in {view['requests_total']} files"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
