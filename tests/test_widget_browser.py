"""The "train live" widget in headless Chromium, offline.

The site is built with `widget.copy_core`, so the worker boots the npm `pyodide` core served
from loopback. scikit-learn is not part of that core and the CDN is not reachable, so these
tests see the widget up to the point where it must report the missing package. What the
worker would compute is checked in CPython (test_live.py, same wheel, same entry point), and
`test_live_training_against_the_cdn` does it all for real where the internet is reachable.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from browser import WORKER_PATH, SiteServer, Watched, build_site, fake_live_worker, shown_values
from conftest import ROOT, run_cli, small_splits
from forestlab import livecheck
from forestlab.config import PYODIDE_VERSION, parse_config
from forestlab.plugin import PYODIDE_CORE

pytestmark = pytest.mark.browser

#: Pyodide boots in a few seconds here; leave room for a slow CI machine.
BOOT_TIMEOUT_MS = 90_000
NPM_PYODIDE = ROOT / "node_modules" / "pyodide"


def widget_site(base, **widget) -> dict:
    splits = small_splits(base / "splits", widget=widget or None)
    work = base / "work"
    result = run_cli("build", "--splits", splits, "--work", work)
    assert result.code == 0, result.err
    out = work / "out"
    return {"out": out, "folder": build_site(out, base / "site", ROOT)}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    built = widget_site(tmp_path_factory.mktemp("widget"), copy_core=True)
    with SiteServer(built["folder"]) as server:
        yield {**built, "server": server}


@pytest.fixture
def explorer(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked = []

    def only_loopback(route):
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    page = Watched(context.new_page())
    page.page.goto(site["server"].url + "en/explorer/")
    page.page.wait_for_selector(".forestlab-viewer[aria-busy=false] .fl-live")
    page.blocked = blocked
    yield page
    context.close()


def live_workers(page) -> list:
    """The live panel's workers the page runs (Material's search runs one of its own)."""
    return [w for w in page.workers if w.url.endswith(WORKER_PATH)]


WORKER_SESSION = """async ({messages, script}) => {
  const worker = new Worker(new URL(script, location.href), {type: "module"});
  const seen = [];
  const next = () => new Promise((resolve) => { worker.onmessage = (e) => { seen.push(e.data); resolve(e.data); }; });
  const site = new URL("/", location.href);
  let reply = next();
  worker.postMessage({type: "boot", indexURLs: [new URL("pyodide/", site).href],
    dataURL: new URL("generated/main/live/live.json", site).href,
    lockURL: new URL("generated/main/live/pyodide-lock.json", site).href});
  while ((await reply).type === "stage") reply = next();
  const answers = [];
  for (const message of messages) {
    reply = next();
    worker.postMessage(message);
    answers.push(await reply);
  }
  worker.terminate();
  return {seen, answers};
}"""


def test_worker_boots_pyodide_and_answers_its_messages(explorer):
    """The worker on its own, as the panel talks to it. The caps are not checked here but in
    Python (forestlab.core.live.check_request, tested in test_live.py) and in the panel's form."""
    messages = [
        {"type": "train", "request": json.dumps({"rows": 100, "n_estimators": 201})},
        {"type": "train", "request": json.dumps({"rows": 100, "n_estimators": 5})},
        {"type": "predict", "row": {}},
        {"type": "fit"},
    ]
    got = explorer.page.evaluate(WORKER_SESSION, {"messages": messages, "script": WORKER_PATH})
    booting = got["seen"][: -len(messages)]
    stages = [m["stage"] for m in booting[:-1]]
    assert stages == ["data", "data-ready", "runtime", "host", "runtime-ready", "packages"]
    assert booting[3]["host"].startswith("127.0.0.1:")  # the one host given answered
    assert booting[4]["python"].startswith("3.14.")  # Python itself ran in the worker
    failure = booting[-1]
    assert failure["type"] == "error" and failure["stage"] == "packages"
    assert "scikit-learn not available from http://127.0.0.1:" in failure["message"]
    # the core itself came by name from the site's lock; only what the CDN holds is missing
    assert failure["message"].startswith("numpy, scipy, scikit-learn not available")
    errors = [(a["type"], a["message"]) for a in got["answers"]]
    assert errors == [
        ("error", "Python is not ready (see the message above)"),
        ("error", "Python is not ready (see the message above)"),
        ("error", "Python is not ready"),
        ("error", 'unknown message "fit"'),
    ]
    assert not explorer.blocked, explorer.blocked


def test_a_host_that_does_not_answer_is_passed_over_for_the_next(browser, tmp_path):
    """Pyodide's hosts are tried in order: the first one here accepts connections and never
    answers (as a blocked CDN does); the worker moves to the next after its timeout, and the
    panel says which host answered."""
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(16)  # connections queue up, nothing ever answers
    hung_url = f"http://127.0.0.1:{hung.getsockname()[1]}/"
    core = tmp_path / "cdn"
    core.mkdir()
    for name in PYODIDE_CORE:
        shutil.copy(NPM_PYODIDE / name, core / name)
    with SiteServer(core, cors=True) as mirror:
        built = widget_site(tmp_path, pyodide_url=hung_url, pyodide_mirrors=[mirror.url])
        data = json.loads((built["out"] / "data.json").read_text())
        assert data["widget"]["pyodide_mirrors"] == [mirror.url]
        with SiteServer(built["folder"]) as server:
            page = Watched(browser.new_page(viewport={"width": 375, "height": 667}))
            page.page.goto(server.url + "explorer/")
            page.page.wait_for_selector(".forestlab-viewer[aria-busy=false] .fl-live")
            assert f"127.0.0.1:{hung.getsockname()[1]}" in page.page.inner_text(".fl-live .fl-note")
            page.page.click("[data-action=train-live]")
            host = mirror.url.removeprefix("http://").rstrip("/")
            page.page.wait_for_selector(f".fl-live-status:has-text('{host}')", timeout=30_000)
            assert "正在从" in page.page.inner_text(".fl-live-status")  # the page's language
            # it goes on with that host: the runtime from the mirror, then (offline) no
            # scikit-learn there, said plainly
            page.page.wait_for_selector(".fl-live[data-live=error]", timeout=BOOT_TIMEOUT_MS)
            assert any("pyodide.asm.wasm" in line for line in mirror.log)
            detail = page.page.locator(".fl-live-detail code").text_content()
            assert detail.startswith("packages: ") and host in detail
            page.page.close()
    hung.close()


def test_panel_reports_missing_scikit_learn_while_the_page_keeps_responding(explorer, site):
    page = explorer.page
    page.evaluate("""() => {
      window.ticks = {count: 0, last: performance.now(), maxGap: 0};
      window.ticker = setInterval(() => {
        const now = performance.now();
        ticks.maxGap = Math.max(ticks.maxGap, now - ticks.last);
        ticks.last = now; ticks.count += 1;
      }, 20);
    }""")
    page.click("[data-action=train-live]")
    page.wait_for_selector(".fl-live[data-live=error]", timeout=BOOT_TIMEOUT_MS)
    ticks = page.evaluate("clearInterval(ticker), ticks")
    status = page.inner_text(".fl-live-status")
    assert "no connection to the Python runtime" in status  # plain words for the student
    detail = page.locator(".fl-live-detail code").text_content()  # the detail, folded away
    assert detail.startswith("packages: ")
    assert "scikit-learn not available from http://127.0.0.1:" in detail
    # Pyodide loaded and started in the worker while the main thread kept running its timer
    assert ticks["count"] > 20 and ticks["maxGap"] < 500, ticks
    assert page.is_enabled("[data-action=train-live]")
    assert explorer.errors == [] and not explorer.blocked, (explorer.report(), explorer.blocked)
    log = site["server"].log
    assert any("/generated/main/live/live.json" in line for line in log)  # stage "data"
    assert any("/pyodide/pyodide.asm.wasm" in line for line in log)  # stage "runtime"
    for _ in range(50):  # a failed start ends the worker: the next run starts afresh
        if not live_workers(page):
            break
        page.wait_for_timeout(100)
    assert live_workers(page) == []


def test_page_enforces_the_caps_before_starting_anything(explorer, site):
    page = explorer.page
    before = len(site["server"].log)
    page.fill("input[name=n_estimators]", "500")
    page.fill("input[name=rows]", "100000")
    page.click("[data-action=train-live]")
    status = page.inner_text(".fl-live-status")
    assert status == "Please check: Training rows (2–240); Number of trees (1–200)"
    assert not any(WORKER_PATH in line for line in site["server"].log[before:])


def test_cancel_stops_the_worker(explorer):
    page = explorer.page
    page.click("[data-action=train-live]")
    # cancelled while Pyodide starts (the page's CSP forbids wait_for_function's eval)
    page.wait_for_selector(
        ".fl-live-status:has-text('Starting the Python runtime')", timeout=BOOT_TIMEOUT_MS
    )
    [worker] = live_workers(page)
    with worker.expect_event("close"):
        page.click("[data-action=cancel-live]")
    assert page.inner_text(".fl-live-status") == "Cancelled. The next run starts Python again."
    assert live_workers(page) == []
    assert page.is_enabled("[data-action=train-live]")


def test_a_live_result_is_shown_beside_the_nearest_grid_point(explorer, site):
    """The student fills the form and trains; the worker script is stood in for by one that
    checks the request the page sends and answers with the record the real worker would post,
    computed by the same entry point in CPython."""
    request = {"rows": 240, "n_estimators": 3, "max_depth": 1, "min_samples_leaf": 5}
    page = explorer.page
    record = fake_live_worker(page, site["out"], request, seconds=1.5)
    for name, value in request.items():
        page.fill(f"input[name={name}]", str(value))
    page.click("[data-action=train-live]")
    page.wait_for_selector(".fl-live[data-live=done], .fl-live[data-live=error]")
    page.wait_for_selector(".forestlab-viewer[aria-busy=false]")
    box = page.locator(".fl-live-result")
    assert box.locator("h2").inner_text() == "Live result, trained on a sample"
    index = json.loads((site["out"] / "index.json").read_text(encoding="utf-8"))
    values = shown_values(page, index)
    assert {k: values[k] for k in request if k != "rows"} == {
        "n_estimators": 3,
        "max_depth": 1,
        "min_samples_leaf": 5,
    }
    assert values["sample_fraction"] == 1.0
    rows = box.locator(".fl-live-table tbody tr")
    for i in range(rows.count()):
        live_val = rows.nth(i).locator("td[data-split=live-val]").inner_text()
        grid_val = rows.nth(i).locator("td[data-split=grid-val]").inner_text()
        assert live_val == grid_val  # whole split, grid values, grid seed: the same numbers
    accuracy = record["points"][0]["metrics"]["val"]["accuracy"]
    assert (
        box.locator("tr[data-metric=accuracy] td[data-split=live-val]").inner_text()
        == f"{accuracy:.3f}"
    )
    # the prediction form, generated from the data's schema
    labels = page.locator(".fl-live-predict label").all_inner_texts()
    assert labels == ["gender", "age", "class", "embarked", "fare", "sibsp", "parch"]
    options = page.locator(".fl-live-predict select").first.locator("option").all_inner_texts()
    assert options == ["(empty) → male", "female", "male"]
    assert page.inner_text(".fl-live-status") == "Done: 3 trees in 1.5 s."


CORE_BY_NAME = """async () => {
  const lock = await (await fetch("/live/pyodide-lock.json")).json();
  const core = lock.packages["forestlab-core"];
  core.file_name = new URL("/live/" + core.file_name, location.href).href;
  const indexURL = new URL("/pyodide/", location.href).href;
  const { loadPyodide } = await import("/pyodide/pyodide.mjs");
  const pyodide = await loadPyodide({ indexURL, lockFileContents: lock, packageBaseUrl: indexURL });
  const failed = [];
  await pyodide.loadPackage("forestlab-core", { messageCallback: () => {}, errorCallback: (m) => failed.push(m) });
  return [failed.join(" "), ...pyodide.runPython(`
import importlib.metadata, importlib.util, sys, forestlab
(forestlab.__version__, importlib.metadata.version("forestlab-core"),
 importlib.util.find_spec("forestlab.core.live") is not None, sys.version.split()[0])
`).toJs()];
}"""


def test_the_core_installs_by_name_from_the_published_lock_in_pyodide(browser, site, tmp_path):
    """The published lock and wheel, in the pinned Pyodide itself: `forestlab-core` installs
    by name, checked against the sha256 the lock records. Its dependencies (numpy, scipy,
    scikit-learn) are what needs the CDN: offline they fail to load, and only they."""
    import shutil

    import forestlab
    from forestlab.plugin import PYODIDE_CORE

    (tmp_path / "pyodide").mkdir()
    for name in PYODIDE_CORE:
        shutil.copy(site["folder"] / "pyodide" / name, tmp_path / "pyodide" / name)
    shutil.copytree(site["out"] / "live", tmp_path / "live")
    (tmp_path / "index.html").write_text("<!doctype html><title>core</title>")
    with SiteServer(tmp_path) as server:
        page = browser.new_page()
        page.goto(server.url)
        failed, version, dist_version, has_live, python = page.evaluate(CORE_BY_NAME)
        page.close()
    assert version == dist_version == forestlab.__version__
    assert has_live is True
    assert python.startswith("3.14.")
    assert "numpy" in failed and "forestlab" not in failed


def _cdn_reachable() -> bool:
    try:
        socket.create_connection(("cdn.jsdelivr.net", 443), timeout=3).close()
        return True
    except OSError:
        return False


@pytest.mark.network
def test_live_training_against_the_cdn(browser, tmp_path):
    """End to end with Pyodide and scikit-learn from the official CDN (run it with
    `nox -s tests -- -m network`): what `forestlab check-live` runs before every publish.
    Offline it is skipped, saying why."""
    if not _cdn_reachable():
        pytest.skip(
            "cdn.jsdelivr.net:443 is not reachable: live training needs Pyodide's "
            "scikit-learn from the CDN"
        )
    built = widget_site(tmp_path)
    checked = livecheck.check(built["folder"], browser=browser)
    assert checked.status.startswith("Done: 3 trees"), checked.status
    assert checked.expected == checked.shown  # the build's own number, live in the browser
    assert checked.host == "cdn.jsdelivr.net"


def test_the_live_check_compares_the_live_model_with_the_build(browser, site):
    """The check's own logic, offline: the worker is stood in for by the widget's Python
    entry point run here on the build's live.json (fake_live_worker), answering the request
    the panel sends for the check's grid point; the check finds the build's number."""
    index = json.loads((site["out"] / "index.json").read_text(encoding="utf-8"))
    point = livecheck._point(index)
    assert point["n_estimators"] == 3 and point["max_depth"] == 1  # few trees, shallow
    rows = json.loads((site["out"] / "data.json").read_text(encoding="utf-8"))["rows"]
    request = {"rows": rows["train"], "n_estimators": 3, "max_depth": 1, "min_samples_leaf": 1}
    checked = livecheck.check(
        site["folder"],
        browser=browser,
        on_context=lambda context: fake_live_worker(context, site["out"], request),
    )
    assert checked.page == "en/explorer/"
    assert checked.expected is not None and checked.shown == checked.expected


def test_the_live_check_stops_a_deploy_where_live_training_fails(site):
    """The real command, as the Pages workflow runs it, on a site whose Pyodide has no
    scikit-learn (the npm core, offline): exit status 1, the stage that failed, what to do."""
    done = subprocess.run(
        [
            Path(sys.executable).with_name("forestlab"),
            "check-live",
            site["folder"],
            "--browser",
            "/usr/bin/chromium",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "FORESTLAB_LANG": "en"},
        timeout=600,
    )
    assert done.returncode == 1, done.stderr
    assert "error: live training failed on http://127.0.0.1:" in done.stderr
    assert "packages: numpy, scipy, scikit-learn not available from" in done.stderr
    assert 'FORESTLAB_LIVE_CHECK: "off"' in done.stderr and "Traceback" not in done.stderr


def test_the_live_check_passes_a_site_without_live_training(tmp_path):
    off = widget_site(tmp_path, enabled=False)
    done = run_cli("check-live", off["folder"])
    assert done.code == 0 and "live training is off" in done.out
    assert run_cli("check-live", tmp_path / "nowhere").code == 2


def test_copied_core_and_cdn_are_the_same_pinned_pyodide(site):
    """The npm core the site can copy and the CDN build it loads by default are one version."""
    data = json.loads((site["out"] / "data.json").read_text(encoding="utf-8"))
    assert data["widget"]["pyodide_url"] == "pyodide/"  # copy_core: the site's own copy
    assert (site["folder"] / "pyodide" / "pyodide.asm.wasm").is_file()
    npm = json.loads((ROOT / "node_modules" / "pyodide" / "package.json").read_text())
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["pyodide"]
    assert npm["version"] == pinned == PYODIDE_VERSION
    assert parse_config({"data": {"target": "y"}}, "-").widget.pyodide_url == (
        f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
    )
