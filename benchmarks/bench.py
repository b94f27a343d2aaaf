"""ForestLab's benchmarks, measured side by side in one run; writes benchmarks/RESULTS.md.

Sections (`--only`/`--skip` pick them; all run by default), each figure with its goal:
- build: three cold builds of the default grid (`forestlab build` plus `mkdocs build`), the
  naive baseline (every grid point fitted as its own forest), the share of the build outside
  forest fitting (fitting = sum of measured `fit` calls, the 2-D map's and the seed spread's
  refits included, / workers; median of the three), a no-change rebuild; a cold build with
  `explain.enabled: false` in the same run, against which the cold build with everything is
  compared, the seconds of each stage of `explain` (permutation importances, 2-D refits, seed
  refits, out-of-bag curves, the importance lesson's forest) and a family's detail files;
- site: the explorer as a student's browser sees it (benchmarks/probes.py): the results
  index's size, the first numbers painted after navigation on a slow link (1.6 Mbit/s,
  150 ms) at full CPU speed and slowed 4x, the bytes before them and in the whole first view
  (gzip, as a static host serves it), 200 random slider moves (main-thread work, headline in
  the first frame, waits for a family file), site size and file count, Lighthouse scores
  (median of 5, mobile emulation); beside them, when FORESTLAB_ANCHOR_DIR names a built
  TensorFlow Playground (the anchor, built from its own repository and never kept here), the
  same probes on it in the same run, each figure as ForestLab / anchor and their ratio; then
  the same viewer figures on a grid 10x the default, synthesised from the real records;
- widget: Web Worker start to a booted Pyodide (the npm core from loopback; scikit-learn is
  only on the CDN), and the CPython time of the widget's training call at the caps;
- serving: the Streamlit baseline (benchmarks/streamlit_baseline) under 1, 10 and 30
  students, each a headless Chromium page moving sliders and waiting for the retrained
  result, against the built site on nginx under 1, 100 and 1,000 concurrent clients fetching
  the explorer and its data: server memory (RSS of the process tree), errors, time until
  every student has a result;
- data: synthetic data (make_classification, 30 features) with 20k, 100k and 1M training
  rows and a grid of fixed training-sample sizes: cold build time, peak memory of the build
  and its workers, published payload, and growth ratios with rows and with grid size;
- distributed: the default grid on a Dask LocalCluster with 1 and 2 workers, its results
  compared byte for byte with the local build.

Run with `nox -s bench`; `python benchmarks/bench.py --help` for options.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
from forestlab import cache
from forestlab.config import load_config
from forestlab.core.family import family_features, make_forest, sample_indices
from forestlab.grid import families
from forestlab.prepare import prepare

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the browser tests' server and Chromium settings


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def site_build(work: Path, site: Path, jobs: int, config: Path | None = None) -> float:
    """`forestlab build --site` (training, charts and the MkDocs build in one process), wall
    time in seconds; `config` in place of splits/forestlab.yml."""
    forestlab = [sys.executable, "-m", "forestlab", "build", "--work", str(work)]
    if config is not None:
        forestlab += ["--config", str(config)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return timed([*forestlab, "--jobs", str(jobs), "--site", str(site)], env)


#: The stages of `explain`, as `timings.json` names them: (key, what, counted as fitting).
STAGES = (
    ("permutation", "permutation importances (every family's largest forest)", False),
    ("map_fit", "2-D map refits and rasters", True),
    ("spread_fit", "seed refits (the lessons' families)", True),
    ("oob", "out-of-bag curves", False),
)


def stage_seconds(out: Path) -> dict:
    """Seconds of each family fit and each stage of `explain`, summed over the families (CPU
    seconds of the workers), and the importance lesson's forest (trained once in the main
    process; None if it came from the cache)."""
    timings = json.loads((out / "timings.json").read_text())
    seconds = {"fit": sum(max(t["fit_seconds"].values()) for t in timings)}
    for key, _, _ in STAGES:
        seconds[key] = sum(t["stage_seconds"].get(key, 0.0) for t in timings)
    seconds["bias"] = json.loads((out / "build.json").read_text()).get("importance_bias_seconds")
    return seconds


def fitting_wall(seconds: dict, jobs: int) -> float:
    """Forest fitting in wall seconds: the family fits and the refits, spread over the
    workers, and the lesson's forest (in the main process, alone)."""
    refits = sum(seconds[key] for key, _, fits in STAGES if fits)
    return (seconds["fit"] + refits) / jobs + (seconds["bias"] or 0.0)


def explain_off(tmp: Path) -> Path:
    """The bundled configuration with `explain.enabled: false`."""
    import yaml

    raw = yaml.safe_load((ROOT / "splits" / "forestlab.yml").read_text(encoding="utf-8"))
    raw.setdefault("explain", {})["enabled"] = False
    path = tmp / "explain-off.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def family_detail(out: Path) -> dict:
    """A family's detail as published, raw and gzipped (as a static host serves it): the
    largest shard, the largest explain file (none without explain) and the most bytes of the
    two together for one family."""
    import gzip

    def sizes(folder: str) -> dict[str, tuple[int, int]]:
        return {
            f.name: (len(gzip.compress(f.read_bytes(), 9)), f.stat().st_size)
            for f in (out / folder).glob("*.json")
        }

    shards, explained = sizes("families"), sizes("explain")
    both = max(packed + explained.get(name, (0, 0))[0] for name, (packed, _) in shards.items())
    largest_explain = max(explained.values(), default=(0, 0))
    return {"shard": max(shards.values()), "explain": largest_explain, "both": both}


def _naive_point(data, params, n, seed):
    rows = sample_indices(data.y_train, params["sample_fraction"], seed)
    cols = family_features(data, params["top_k_features"])
    forest = make_forest(params, n, seed).fit(data.X_train[np.ix_(rows, cols)], data.y_train[rows])
    return float((forest.predict(data.X_val[:, cols]) == data.y_val).mean())


def naive(jobs: int) -> tuple[float, int]:
    cfg = load_config(ROOT / "splits" / "forestlab.yml")
    data = prepare(ROOT / "splits", cfg).data
    tasks = [(f, n) for f in families(cfg) for n in cfg.grid.n_estimators]
    start = time.perf_counter()
    joblib.Parallel(n_jobs=jobs)(
        joblib.delayed(_naive_point)(data, f, n, cfg.seed) for f, n in tasks
    )
    return time.perf_counter() - start, len(tasks)


#: A built TensorFlow Playground (the anchor), measured beside the explorer when set.
ANCHOR_ENV = "FORESTLAB_ANCHOR_DIR"
ANCHOR_MISSING = (
    f"anchor not measured: set {ANCHOR_ENV} to a TensorFlow Playground build (README, Benchmarks)"
)


def anchor_folder() -> Path | None:
    """The folder FORESTLAB_ANCHOR_DIR names, if it holds a built site (an index.html)."""
    name = os.environ.get(ANCHOR_ENV, "")
    if not name or not (Path(name) / "index.html").is_file():
        return None
    return Path(name)


def site_figures(
    site: Path, runs: int = 3, lighthouse_runs: int = 5, anchor: Path | None = None
) -> dict:
    """What a student's browser sees of the explorer (benchmarks/probes.py): the first numbers
    on a slow link, at full speed and with the CPU slowed 4x as on a phone (median of `runs`
    cold loads), the bytes before them and in the whole first view, 200 slider moves at each
    CPU speed; the site's size; Lighthouse (median of `lighthouse_runs`). With `anchor` (a
    built TensorFlow Playground), the same probes on it in the same browser, its loads
    alternating with the explorer's, under figures["anchor"]."""
    import gzip
    from contextlib import ExitStack

    from browser import CHROMIUM, CHROMIUM_ARGS, SiteServer
    from playwright.sync_api import sync_playwright
    from probes import ANCHOR, FORESTLAB, SLOW_LINK, first_view, slider_moves

    files = [p for p in site.rglob("*") if p.is_file()]
    index = site / "generated" / "main" / "index.json"
    figures = {
        "site_bytes": sum(p.stat().st_size for p in files),
        "site_files": len(files),
        "largest_file": max(p.stat().st_size for p in files),
        "index_gzip": len(gzip.compress(index.read_bytes(), 6)),
    }
    with ExitStack() as stack:
        server = stack.enter_context(SiteServer(site, gzip=True))
        other = stack.enter_context(SiteServer(anchor, gzip=True)) if anchor else None
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        url = server.url + "explorer/"
        measured = [(figures, FORESTLAB, url, server.url + "generated/main/index.json")]
        if other:
            figures["anchor"] = {}
            measured.append((figures["anchor"], ANCHOR, other.url, None))
        for cpu in (1, 4):
            loads = {s.name: [] for _, s, _, _ in measured}
            for _ in range(runs):  # alternating, so that a busy moment hits both sites
                for _, s, u, _ in measured:
                    loads[s.name].append(first_view(browser, u, cpu, SLOW_LINK, s))
            for f, s, u, index_url in measured:
                median = sorted(loads[s.name], key=lambda v: v["paint_ms"])[runs // 2]
                f[f"first_view_{cpu}x"] = median
                f[f"slider_{cpu}x"] = slider_moves(browser, u, index_url, 200, cpu, s)
                print(f"  {s.name}, CPU {cpu}x: {median}, {f[f'slider_{cpu}x']}", flush=True)
        browser.close()
        if lighthouse_runs:
            figures["lighthouse"] = lighthouse(url, lighthouse_runs)
    return figures


#: What the screenshots show: the explorer and one lesson, on a phone and a laptop, in Chinese.
SCREENSHOTS = {"explorer": "explorer/", "lesson-depth": "lessons/depth/"}
VIEWPORTS = {"phone": (375, 667), "laptop": (1366, 768)}


def screenshots(site: Path, folder: Path) -> list[str]:
    """The bench's record of what a student sees: each page after a keyboard move of its
    slider furthest down (the result strip must still be in view), as PNG files in `folder`."""
    from browser import CHROMIUM, CHROMIUM_ARGS, SiteServer
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with SiteServer(site) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, path in SCREENSHOTS.items():
            for device, (width, height) in VIEWPORTS.items():
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                page.goto(server.url + path)
                page.wait_for_selector(".forestlab-viewer[aria-busy=false]")
                slider = page.locator(".fl-controls input[type=range]:not([disabled])").last
                slider.focus()
                at_end = slider.input_value() == slider.get_attribute("max")
                page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
                page.wait_for_selector(".forestlab-viewer[aria-busy=false]")
                page.wait_for_timeout(300)  # the chart library's first draw
                target = folder / f"{name}-{device}.png"
                page.screenshot(path=target)
                written.append(target.name)
                context.close()
        browser.close()
    return written


def scaled_output(out: Path, dest: Path, factor: int = 10) -> Path:
    """A build output whose grid has `factor` times the default's families (min_samples_leaf
    takes factor x as many values), its records synthesised from the real ones: the same
    format and sizes, with accuracies and node counts jittered so that the files compress like
    real results rather than like copies; for measuring the viewer on a large grid. Charts,
    data card and live files are the real build's."""
    from forestlab import formats, noise

    shutil.copytree(out, dest, ignore=shutil.ignore_patterns("families", "explain"))
    real = json.loads((out / "index.json").read_text())
    dims = json.loads(json.dumps(real["dims"]))
    leaf = next(d for d in dims if d["name"] == "min_samples_leaf")
    real_leaves = leaf["values"]
    leaf["values"] = list(range(1, factor * len(real_leaves) + 1))
    (dest / "families").mkdir()
    (dest / "explain").mkdir()
    records, rows = [], []
    correct = np.load(out / noise.CORRECT_FILE)  # packed bits, one row per real point
    n_rows = real["interval"]["rows"]
    n_trees = len(dims[0]["values"])
    for f in range(real["n_families"] * factor):
        params = formats.point_values(dims, f * n_trees)
        # family f copies the real family with the same values, its leaf size cycling
        # through the real ones
        real_leaf = real_leaves[(params["min_samples_leaf"] - 1) % len(real_leaves)]
        source = formats.family_number(real["dims"], {**params, "min_samples_leaf": real_leaf})
        record = json.loads((out / "families" / f"{source}.json").read_text())
        record["params"]["min_samples_leaf"] = params["min_samples_leaf"]
        # copies would compress far better than real results: give each its own numbers,
        # the validation accuracy from its own (jittered) right-or-wrong rows
        rng = np.random.default_rng(f)
        for t, point in enumerate(record["points"]):
            point["n_nodes"] = int(point["n_nodes"] * rng.uniform(0.8, 1.2))
            right = np.unpackbits(correct[source * n_trees + t], count=n_rows).astype(bool)
            right ^= rng.random(n_rows) < 0.01
            rows.append(right)
            point["metrics"]["val"]["accuracy"] = round(float(right.mean()), 4)
            m = point["metrics"]["train"]
            m["accuracy"] = round(min(1.0, max(0.0, m["accuracy"] + rng.normal(0, 0.01))), 4)
        records.append(record)
        (dest / "families" / f"{f}.json").write_bytes(cache.canonical_json(record))
        # its explain file the real family's (fetched only near the panels that show it)
        shutil.copyfile(out / "explain" / f"{source}.json", dest / "explain" / f"{f}.json")
    correct_rows = np.vstack(rows)
    # the lessons' best sets read the right-or-wrong rows of every point, as a real build has
    np.save(dest / noise.CORRECT_FILE, np.packbits(correct_rows, axis=1))
    boot = noise.Bootstrap.of(correct_rows, real["seed"])
    index = formats.build_index(dims, records, real["seed"], real["lab"], boot)
    (dest / "index.json").write_bytes(cache.canonical_json(index))
    return dest


def mkdocs_site(out: Path, site: Path) -> float:
    """`mkdocs build` of the site for the build output `out`, wall time in seconds."""
    env = {**os.environ, "FORESTLAB_OUT": str(out), "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)]
    return timed(mkdocs, env)


WORKER_BOOT_JS = """
async () => {
  const script = new URL("/assets/forestlab/live/worker.js", location.href);
  const worker = new Worker(script, {type: "module"});
  const site = new URL("/", location.href);
  const lab = new URL("generated/main/", site);
  const card = await (await fetch(new URL("data.json", lab))).json();
  const t0 = performance.now();
  const booted = await new Promise((resolve) => {
    worker.onmessage = ({data}) => {
      if (data.stage === "runtime-ready" || data.type === "error") resolve(data);
    };
    // the message the live panel sends (live/panel.js)
    worker.postMessage({type: "boot", indexURLs: [new URL("pyodide/", site).href],
      dataURL: new URL(card.widget.live_data, lab).href,
      lockURL: new URL(card.widget.lock, lab).href});
  });
  worker.terminate();
  return {ms: performance.now() - t0, message: booted};
}
"""


def widget_boot(site: Path, runs: int = 3) -> list[float] | str:
    """Worker start to Pyodide ready (ms): the first run with an empty browser cache, then
    warm runs. The npm core is copied into the measured site, as `widget.copy_core` does."""
    import shutil

    from browser import CHROMIUM, CHROMIUM_ARGS, SiteServer
    from forestlab.plugin import PYODIDE_CORE
    from playwright.sync_api import sync_playwright

    core = site / "pyodide"
    core.mkdir(exist_ok=True)
    for name in PYODIDE_CORE:
        shutil.copy(ROOT / "node_modules" / "pyodide" / name, core / name)
    times = []
    with SiteServer(site) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(server.url + "explorer/")
        for _ in range(runs):
            got = page.evaluate(WORKER_BOOT_JS)
            if got["message"].get("type") == "error":
                return f"failed: {got['message']['message']}"
            times.append(got["ms"])
        browser.close()
    return times


def widget_training_seconds(explain: bool = True) -> float:
    """The widget's Python entry point, as the worker calls it, at the caps: the most rows and
    trees, unlimited depth, every feature at each split (the slowest setting); with `explain`,
    the permutation importances and the 2-D map as well, as a default build asks."""
    from forestlab.config import WidgetConfig
    from forestlab.core import live
    from sklearn.datasets import make_classification

    caps = WidgetConfig()
    n_val = 500
    X, y = make_classification(caps.max_rows + n_val, n_features=7, random_state=0)
    X = np.round(X, 2)
    payload = {
        "schema": live.LIVE_SCHEMA,
        "features": [{"name": f"x{i}", "kind": "numeric", "fill": 0.0} for i in range(7)],
        "classes": ["0", "1"],
        "positive": 1,
        "feature_rank": list(range(7)),
        "seed": 42,
        "n_train_rows": caps.max_rows,
        "caps": {
            "max_rows": caps.max_rows,
            "max_trees": caps.max_trees,
            "max_depth": live.MAX_DEPTH,
        },
        "train": {"X": X[: caps.max_rows].ravel().tolist(), "y": y[: caps.max_rows].tolist()},
        "val": {"X": X[caps.max_rows :].ravel().tolist(), "y": y[caps.max_rows :].tolist()},
        "explain": explain,
        "map": {
            "features": [0, 1],
            "axes": [[float(X[:, c].min()), float(X[:, c].max())] for c in (0, 1)],
        }
        if explain
        else None,
    }
    assert json.loads(live.entry(json.dumps({"command": "load", "data": json.dumps(payload)})))[
        "ok"
    ]
    request = {
        "rows": caps.max_rows,
        "n_estimators": caps.max_trees,
        "max_depth": None,
        "max_features": 1.0,
        "min_samples_leaf": 1,
    }
    start = time.perf_counter()
    reply = json.loads(live.entry(json.dumps({"command": "train", "request": request})))
    elapsed = time.perf_counter() - start
    assert reply["ok"], reply
    return elapsed


def lighthouse(url: str, runs: int = 5) -> dict | str:
    """Median Lighthouse category scores (0-100) over `runs` runs (single runs vary by several
    points), from npm `lighthouse` driving Debian's Chromium with its default mobile emulation
    (slow 4G, 4x CPU slowdown): students are often on phones."""
    scores = [_lighthouse_once(url) for _ in range(runs)]
    failed = [s for s in scores if isinstance(s, str)]
    if failed:
        return failed[0]
    return {k: sorted(s[k] for s in scores)[runs // 2] for k in scores[0]}


def _lighthouse_once(url: str) -> dict | str:
    from browser import CHROMIUM, CHROMIUM_ARGS

    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        return "not run: node_modules/.bin/lighthouse missing (npm ci)"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        flags = " ".join(["--headless=new", *CHROMIUM_ARGS, f"--user-data-dir={tmp}/profile"])
        proc = subprocess.run(
            [
                str(binary),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                "--only-categories=performance,accessibility,best-practices",
                f"--chrome-flags={flags}",
            ],
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if not report.exists():
            return f"failed: {proc.stderr.strip()[-300:]}"
        categories = json.loads(report.read_text())["categories"]
    return {k: round(100 * (v["score"] or 0)) for k, v in categories.items()}


# -- serving: the Streamlit baseline and the built site under load --

STREAMLIT_LEVELS = (1, 10, 30)
NGINX_LEVELS = (1, 100, 1000)
#: A student's visit to the explorer: the page, the viewer and the data it fetches.
EXPLORER_VISIT = [
    "explorer/",
    "assets/forestlab/viewer.js",
    "assets/vendor/uPlot.iife.min.js",
    "generated/main/index.json",
    "generated/main/data.json",
]


def serving(site: Path, moves: int) -> dict:
    """Server memory (RSS of the whole process tree, peak while the load runs), errors and
    the time until every student has a result, at each level of concurrent students."""
    import resource

    from browser import CHROMIUM, CHROMIUM_ARGS
    from loadgen import RssSampler, http_clients, streamlit_students
    from playwright.sync_api import sync_playwright
    from servers import nginx, precompress, streamlit

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # 1,000 client sockets
    out = {"streamlit": {}, "nginx": {}}
    app = ROOT / "benchmarks" / "streamlit_baseline" / "app.py"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in STREAMLIT_LEVELS:
            with streamlit(app) as (url, pid), RssSampler(pid) as rss:
                r = streamlit_students(url, n, moves, deadline_s=600, browser=browser)
            out["streamlit"][n] = {"rss": rss.peak, "result": r}
            print(
                f"  streamlit, {n} students: {rss.peak / MIB:.0f} MiB, "
                f"{r.errors} errors, all served in {r.all_served_s}",
                flush=True,
            )
        browser.close()
    precompress(site)
    with nginx(site) as (url, pid):
        for n in NGINX_LEVELS:
            with RssSampler(pid) as rss:
                r = http_clients(
                    url,
                    EXPLORER_VISIT,
                    n,
                    max_requests=max(500, 10 * n) * len(EXPLORER_VISIT),
                    deadline_s=120,
                    headers={"Accept-Encoding": "gzip"},
                )
            out["nginx"][n] = {"rss": rss.peak, "result": r}
            print(
                f"  nginx, {n} clients: {rss.peak / MIB:.1f} MiB, {r.requests} requests, "
                f"{r.errors} errors",
                flush=True,
            )
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return out


# -- data at the old app's scale and beyond --

DATA_ROWS = (20_000, 100_000, 1_000_000)
#: Rows each family trains on: the grid's training-sample sizes, the same at every data size.
SAMPLE_ROWS = (2_000, 10_000)


def synthetic_splits(folder: Path, rows: int, leaf_sizes: list[int]) -> Path:
    """make_classification with 30 features: `rows` training rows, 20,000 validation and test
    rows, and a grid whose sample_fraction values give SAMPLE_ROWS training rows."""
    import pandas as pd
    import yaml
    from sklearn.datasets import make_classification

    folder.mkdir(parents=True)
    X, y = make_classification(rows + 40_000, n_features=30, n_informative=10, random_state=0)
    columns = [f"x{i:02d}" for i in range(30)]
    for name, part in (
        ("train", slice(0, rows)),
        ("val", slice(rows, rows + 20_000)),
        ("test", slice(rows + 20_000, None)),
    ):
        frame = pd.DataFrame(np.round(X[part], 4), columns=columns)
        frame["label"] = y[part]
        frame.to_csv(folder / f"{name}.csv", index=False)
    del X, y
    config = {
        "data": {"target": "label"},
        "grid": {
            "n_estimators": [10, 50],
            "max_depth": [8, None],
            "max_features": ["sqrt"],
            "min_samples_leaf": leaf_sizes,
            "sample_fraction": [round(r / rows, 6) for r in SAMPLE_ROWS],
        },
        "build": {"jobs": 2},
    }
    (folder / "forestlab.yml").write_text(yaml.safe_dump(config))
    return folder


def published_results(out: Path) -> list[Path]:
    """The build's published result files: the index, the data card, the family shards and
    their explain files."""
    families = [*sorted((out / "families").glob("*.json")), *sorted(out.glob("explain/*.json"))]
    return [out / "index.json", out / "data.json", *families]


def measured_build(splits: Path, work: Path) -> dict:
    """Cold `forestlab build` in a subprocess: wall time and peak RSS of its process tree
    (the build and its worker processes)."""
    from loadgen import RssSampler

    cmd = [sys.executable, "-m", "forestlab", "build", "--splits", str(splits), "--work", str(work)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with RssSampler(proc.pid, interval=0.1) as rss:
        _, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"forestlab build failed on {splits}: {err.decode()[-500:]}")
    out = work / "out"
    payload = sum(f.stat().st_size for f in published_results(out))
    return {
        "seconds": time.perf_counter() - start,
        "peak_rss": rss.peak,
        "payload": payload,
        "live": (out / "live" / "live.json").stat().st_size,
    }


def data_scale(tmp: Path) -> dict:
    figures = {}
    for rows in DATA_ROWS:
        splits = synthetic_splits(tmp / f"data-{rows}", rows, [5])
        figures[rows] = measured_build(splits, tmp / f"work-{rows}")
        shutil.rmtree(splits)
        f = figures[rows]
        print(f"  {rows:,} rows: {f['seconds']:.1f} s, {f['peak_rss'] / MIB:.0f} MiB", flush=True)
    # the same rows, twice the grid (two leaf sizes instead of one)
    splits = synthetic_splits(tmp / "data-grid", DATA_ROWS[1], [5, 20])
    figures["double_grid"] = measured_build(splits, tmp / "work-grid")
    shutil.rmtree(splits)
    return figures


# -- distributed: the same grid on a Dask LocalCluster --


def distributed_builds(tmp: Path, reference: Path | None) -> dict:
    """The default grid on LocalClusters of 1 and 2 single-threaded worker processes; the
    published results compared byte for byte with a local build's."""
    import distributed

    if reference is None:
        local = tmp / "local"
        subprocess.run(
            [sys.executable, "-m", "forestlab", "build", "--work", str(local)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        reference = local / "out"
    figures = {}
    for workers in (1, 2):
        work = tmp / f"dask-{workers}"
        with distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster:
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "forestlab",
                    "build",
                    "--work",
                    str(work),
                    "--scheduler",
                    cluster.scheduler_address,
                ],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            seconds = time.perf_counter() - start
        identical = all(
            (work / "out" / path.relative_to(reference)).read_bytes() == path.read_bytes()
            for path in published_results(reference)
        )
        figures[workers] = {"seconds": seconds, "identical": identical}
        print(f"  Dask, {workers} worker(s): {seconds:.1f} s, identical: {identical}", flush=True)
    return figures


# -- the report --


def served_in(result, digits: int) -> str:
    """When every student had a result, or why not."""
    if result.all_served_s is None:
        return f"not all ({result.stopped_by})"
    return f"{result.all_served_s:.{digits}f} s"


MIB = 1024**2
SECTIONS = ("build", "site", "widget", "serving", "data", "distributed")


class Report:
    """Rows of (figure, measured, goal, verdict), printed as they come and written to
    benchmarks/RESULTS.md at the end."""

    def __init__(self):
        self.rows: list[tuple[str, str, str, str]] = []

    def heading(self, text: str) -> None:
        print(f"\n{text}")
        self.rows.append((f"**{text}**", "", "", ""))

    def row(self, name: str, value: str, goal: str = "", met: bool | None = None) -> None:
        verdict = "" if met is None else ("met" if met else "NOT MET")
        print(f"  {name:<52} {value:>16}   {goal:<24} {verdict}", flush=True)
        self.rows.append((name, value, goal, verdict))

    def write(self, path: Path, ran: list[str], skipped: list[str]) -> None:
        lines = [
            "# ForestLab benchmarks",
            "",
            "Written by `nox -s bench` (`python benchmarks/bench.py`); do not edit by hand.",
            "",
            *machine_lines(),
            f"- sections run: {', '.join(ran)}"
            + (f"; not run this time: {', '.join(skipped)}" if skipped else ""),
            "",
            "| figure | measured | goal | verdict |",
            "| --- | --- | --- | --- |",
            *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.rows),
            "",
        ]
        path.write_text("\n".join(lines), encoding="utf-8")


def report_site(report: Report, f: dict, big: dict) -> None:
    """The explorer's figures against the budgets of results format 2 (issue 13)."""
    kib = 1024
    report.heading("Site (default grid); a slow link is 1.6 Mbit/s, 150 ms round trip, gzip")
    report.row(
        "results index alone, gzip",
        f"{f['index_gzip'] / kib:.1f} KiB",
        "<= 60 KiB",
        f["index_gzip"] <= 60 * kib,
    )
    for cpu, goal_ms in ((1, 1200), (4, 1500)):
        v = f[f"first_view_{cpu}x"]
        what = "" if cpu == 1 else " (Lighthouse's mobile profile: 4x CPU on the same link)"
        report.row(
            f"first numbers painted after navigation, CPU {cpu}x, median of 3{what}",
            f"{v['paint_ms']:.0f} ms",
            f"<= {goal_ms} ms",
            v["paint_ms"] <= goal_ms,
        )
    v = f["first_view_1x"]
    report.row(
        "bytes before the first numbers are painted, gzip",
        f"{v['bytes_before_paint'] / kib:.0f} KiB in {v['requests_before_paint']} files",
        "<= 120 KiB",
        v["bytes_before_paint"] <= 120 * kib,
    )
    report.row(
        "explorer first view in total (Material included), gzip",
        f"{v['bytes_total'] / kib:.0f} KiB in {v['requests_total']} files",
        "<= 300 KiB",
        v["bytes_total"] <= 300 * kib,
    )
    for cpu, goal_ms in ((1, 16), (4, 50)):
        m = f[f"slider_{cpu}x"]
        report.row(
            f"slider move, main-thread work, p95 of {m['moves']} "
            f"({m['family_moves']} across families), CPU {cpu}x",
            f"{m['work_p95_ms']:.1f} ms (p50 {m['work_p50_ms']:.1f} ms)",
            f"<= {goal_ms} ms",
            m["work_p95_ms"] <= goal_ms,
        )
        report.row(
            f"headline number updated in the first frame after the input, CPU {cpu}x",
            f"{m['first_frame_share']:.0%}",
            ">= 95%",
            m["first_frame_share"] >= 0.95,
        )
        if m["shard_waits"]:
            report.row(
                f"moves that waited for a family file: fetch to paint, CPU {cpu}x",
                f"{m['shard_waits']} moves, p50 {m['shard_p50_ms']:.0f} ms, "
                f"p95 {m['shard_p95_ms']:.0f} ms",
            )
    mb = f["site_bytes"] / MIB
    report.row("site size", f"{mb:.1f} MiB", "<= 100 MiB", mb <= 100)
    report.row("site files", f"{f['site_files']}", "<= 20000", f["site_files"] <= 20000)
    goals = {"performance": 95, "accessibility": 95, "best-practices": 95}
    if isinstance(f.get("lighthouse"), dict):
        for name, goal in goals.items():
            score = f["lighthouse"].get(name, 0)
            what = f"Lighthouse {name}, explorer (median of 5)"
            report.row(what, f"{score}", f">= {goal}", score >= goal)
    else:
        report.row("Lighthouse", str(f.get("lighthouse")))
    report_anchor(report, f)
    report.heading("Site with a grid 10x the default (records synthesised from the real ones)")
    total = big["first_view_1x"]["bytes_total"]
    report.row(
        "explorer first view in total, gzip",
        f"{total / kib:.0f} KiB",
        "<= 400 KiB",
        total <= 400 * kib,
    )
    report.row("results index alone, gzip", f"{big['index_gzip'] / kib:.0f} KiB")
    for cpu in (1, 4):
        ratio = big[f"slider_{cpu}x"]["work_p95_ms"] / f[f"slider_{cpu}x"]["work_p95_ms"]
        report.row(
            f"slider p95 against the default grid's, CPU {cpu}x",
            f"{ratio:.2f}x ({big[f'slider_{cpu}x']['work_p95_ms']:.1f} ms)",
            "<= 1.2x",
            ratio <= 1.2,
        )


def report_anchor(report: Report, f: dict) -> None:
    """The explorer beside the anchor, TensorFlow Playground, measured in the same run by the
    same probes: each row ForestLab / anchor and their ratio. No figures without a build."""
    report.heading(
        "Anchor: TensorFlow Playground built from its repository, same probes, link and CPU "
        "settings, same run; off-site requests blocked for both"
    )
    a = f.get("anchor")
    if a is None:
        report.row(ANCHOR_MISSING, "–")
        return
    kib = 1024

    def side(name: str, ours: str, theirs: str, ratio: float) -> None:
        report.row(f"{name}: ForestLab / TF Playground", f"{ours} / {theirs} = {ratio:.2f}x")

    ours, theirs = f["first_view_1x"], a["first_view_1x"]
    side(
        "first view in total, gzip",
        f"{ours['bytes_total'] / kib:.0f} KiB in {ours['requests_total']} files",
        f"{theirs['bytes_total'] / kib:.0f} KiB in {theirs['requests_total']} files",
        ours["bytes_total"] / theirs["bytes_total"],
    )
    side(
        "bytes before the main result is painted, gzip",
        f"{ours['bytes_before_paint'] / kib:.0f} KiB in {ours['requests_before_paint']} files",
        f"{theirs['bytes_before_paint'] / kib:.0f} KiB in {theirs['requests_before_paint']} files",
        ours["bytes_before_paint"] / theirs["bytes_before_paint"],
    )
    for cpu in (1, 4):
        ours, theirs = f[f"first_view_{cpu}x"], a[f"first_view_{cpu}x"]
        side(
            f"main result painted after navigation, CPU {cpu}x, median of 3 "
            "(ForestLab: headline number; TF Playground: output heatmap)",
            f"{ours['paint_ms']:.0f} ms",
            f"{theirs['paint_ms']:.0f} ms",
            ours["paint_ms"] / theirs["paint_ms"],
        )
    for cpu in (1, 4):
        ours, theirs = f[f"slider_{cpu}x"], a[f"slider_{cpu}x"]
        side(
            f"slider move, main-thread work p50 (p95), {ours['moves']} / {theirs['moves']} "
            f"moves, CPU {cpu}x (TF Playground: noise and train ratio, data and network "
            "rebuilt and redrawn)",
            f"{ours['work_p50_ms']:.1f} ms ({ours['work_p95_ms']:.1f} ms)",
            f"{theirs['work_p50_ms']:.1f} ms ({theirs['work_p95_ms']:.1f} ms)",
            ours["work_p50_ms"] / theirs["work_p50_ms"],
        )
        report.row(
            f"result updated in the first frame after the input: ForestLab / TF Playground, "
            f"CPU {cpu}x",
            f"{ours['first_frame_share']:.0%} / {theirs['first_frame_share']:.0%}",
        )
    blocked = a["first_view_1x"]
    report.row(
        "off-site requests blocked per load: ForestLab / TF Playground",
        f"{f['first_view_1x']['blocked_requests']} / {blocked['blocked_requests']} "
        f"({', '.join(blocked['blocked']) or 'none'})",
    )


def machine_lines() -> list[str]:
    import platform
    from datetime import UTC, datetime
    from importlib.metadata import PackageNotFoundError, version

    import psutil

    def first(cmd: list[str]) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
        except OSError:
            return "not found"
        return (
            (done.stdout or done.stderr).strip().splitlines()[0]
            if (done.stdout or done.stderr)
            else "?"
        )

    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    libs = []
    for lib in (
        "forestlab",
        "scikit-learn",
        "numpy",
        "pandas",
        "mkdocs-material",
        "streamlit",
        "playwright",
        "distributed",
    ):
        try:
            libs.append(f"{lib} {version(lib)}")
        except PackageNotFoundError:
            libs.append(f"{lib} (not installed)")
    return [
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {platform.platform()}, {os.cpu_count()} cores ({cpu}), "
        f"{psutil.virtual_memory().total / 1024**3:.0f} GiB memory",
        f"- Python {platform.python_version()}; {', '.join(libs)}",
        f"- {first(['nginx', '-v'])}; {first(['/usr/bin/chromium', '--version'])}; "
        f"node {first(['node', '--version'])}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run (default all: {','.join(SECTIONS)})",
    )
    parser.add_argument("--skip", default="", help="comma-separated sections to leave out")
    parser.add_argument("--moves", type=int, default=3, help="slider moves per Streamlit student")
    parser.add_argument(
        "--results",
        type=Path,
        default=ROOT / "benchmarks" / "RESULTS.md",
        help="where to write the table (default benchmarks/RESULTS.md)",
    )
    args = parser.parse_args()
    wanted = [s for s in args.only.split(",") if s and s not in args.skip.split(",")]
    unknown = sorted(set(wanted) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    needs_site = {"site", "widget", "serving"} & set(wanted)
    report = Report()
    print(f"{os.cpu_count()} cores; sections: {', '.join(wanted)}", flush=True)

    with tempfile.TemporaryDirectory(prefix="forestlab-bench-") as tmp_name:
        tmp = Path(tmp_name)
        work, site = tmp / "work", tmp / "site"
        reference = None
        if "build" in wanted or needs_site:
            cold = site_build(work, site, args.jobs)
            reference = work / "out"
        if "build" in wanted:
            # three cold builds (fresh work folders): the share outside fitting is noisy
            colds, outsides, stages = [], [], []
            for run in range(3):
                run_work = work if run == 0 else tmp / f"work-cold-{run}"
                seconds = cold if run == 0 else site_build(run_work, tmp / "site-cold", args.jobs)
                stage = stage_seconds(run_work / "out")
                colds.append(seconds)
                outsides.append(1 - fitting_wall(stage, args.jobs) / seconds)
                stages.append(stage)
            cold_median = sorted(colds)[1]
            outside = sorted(outsides)[1]
            stage = stages[colds.index(cold_median)]
            # the same cold build without explain, in the same run
            off_work = tmp / "work-explain-off"
            plain = site_build(off_work, tmp / "site-explain-off", args.jobs, explain_off(tmp))
            plain_outside = 1 - fitting_wall(stage_seconds(off_work / "out"), args.jobs) / plain
            rebuild = site_build(work, site, args.jobs)
            naive_s, n_points = naive(args.jobs)
            detail = family_detail(work / "out")
            report.heading(f"Build, default grid, {args.jobs} worker processes")
            report.row(
                "cold build (train + charts + mkdocs), median of 3",
                f"{cold_median:.1f} s ({', '.join(f'{c:.1f}' for c in colds)})",
                "<= 300 s",
                cold_median <= 300,
            )
            report.row(
                "build work outside forest fitting (refits count as fitting), median of 3",
                f"{outside:.1%} ({', '.join(f'{o:.1%}' for o in outsides)})",
                "<= 25%",
                outside <= 0.25,
            )
            report.row("rebuild with nothing changed", f"{rebuild:.1f} s")
            report.row(
                "rebuild / cold build",
                f"{rebuild / cold_median:.1%}",
                "<= 10%",
                rebuild / cold_median <= 0.10,
            )
            report.row(
                "cold build with explain.enabled: false (same run)",
                f"{plain:.1f} s; outside fitting {plain_outside:.1%}",
            )
            report.row(
                "cold build with everything / without explain",
                f"{cold_median / plain:.2f}x",
                "<= 3x",
                cold_median / plain <= 3,
            )
            report.row(f"naive: {n_points} separate fits", f"{naive_s:.1f} s")
            report.row(
                "naive / cold build without explain (the same results)",
                f"{naive_s / plain:.2f}x",
                ">= 2x",
                naive_s / plain >= 2,
            )
            report.row("naive / cold build with everything", f"{naive_s / cold_median:.2f}x")
            report.heading(
                "Build stages of explain (the median cold build; CPU seconds summed over "
                f"the families, / {args.jobs} workers as wall seconds)"
            )
            report.row("family fits (the grid itself)", f"{stage['fit']:.1f} s CPU")
            for key, what, fits in STAGES:
                kind = "fitting" if fits else "outside fitting"
                report.row(
                    f"{what} ({kind})",
                    f"{stage[key]:.1f} s CPU, {stage[key] / args.jobs:.1f} s wall",
                )
            bias = "from the cache" if stage["bias"] is None else f"{stage['bias']:.2f} s"
            report.row("the importance lesson's forest (main process, fitting)", bias)
            for key, what in (("shard", "family shard"), ("explain", "explain file")):
                packed, raw = detail[key]
                report.row(
                    f"largest {what} (gzip; as published)",
                    f"{packed / 1000:.1f} KB ({raw / 1000:.1f} KB)",
                )
            report.row(
                "one family's detail: shard + explain file, the largest (gzip)",
                f"{detail['both'] / 1000:.1f} KB",
                "<= 30 KB gzip",
                detail["both"] <= 30_000,
            )
        if "site" in wanted:
            f = site_figures(site, anchor=anchor_folder())
            big_out = scaled_output(work / "out", tmp / "out-10x")
            mkdocs_site(big_out, tmp / "site-10x")
            big = site_figures(tmp / "site-10x", lighthouse_runs=0)
            report_site(report, f, big)
            shots = screenshots(site, args.results.parent / "screenshots")
            report.row(
                "screenshots (zh, after a keyboard slider move)",
                ", ".join(f"[{n}](screenshots/{n})" for n in shots),
            )
        if "widget" in wanted:
            boot = widget_boot(site)
            live_s = widget_training_seconds()
            live_plain = widget_training_seconds(explain=False)
            report.heading("Live-training widget")
            if isinstance(boot, str):
                report.row("worker start to Pyodide ready (local core)", boot)
            else:
                warm = sorted(boot[1:])
                report.row("worker start to Pyodide ready, cold (local core)", f"{boot[0]:.0f} ms")
                report.row(
                    "the same, warm browser cache (median)", f"{warm[len(warm) // 2]:.0f} ms"
                )
            report.row(
                "training call at the caps in CPython (2000 rows, 200 trees; with permutation "
                "importances and the 2-D map)",
                f"{live_s:.2f} s",
            )
            report.row("the same without them (explain.enabled: false)", f"{live_plain:.2f} s")
        if "serving" in wanted:
            print("\nserving (this takes a few minutes)", flush=True)
            served = serving(site, args.moves)
            report.heading(
                f"Serving: Streamlit baseline ({args.moves} slider moves per student) "
                "vs ForestLab on nginx"
            )
            for n, m in served["streamlit"].items():
                r = m["result"]
                when = served_in(r, 1)
                report.row(f"Streamlit, {n} students: server memory", f"{m['rss'] / MIB:.0f} MiB")
                report.row(
                    f"Streamlit, {n} students: errors; every student served", f"{r.errors}; {when}"
                )
            base = served["nginx"][1]["rss"]
            for n, m in served["nginx"].items():
                r = m["result"]
                when = served_in(r, 2)
                report.row(
                    f"ForestLab (nginx), {n} clients: server memory", f"{m['rss'] / MIB:.1f} MiB"
                )
                report.row(
                    f"ForestLab (nginx), {n} clients: requests, errors",
                    f"{r.requests}, {r.errors}",
                    "0 errors",
                    r.errors == 0,
                )
                report.row(f"ForestLab (nginx), {n} clients: every client served", when)
            top = max(NGINX_LEVELS)
            growth = served["nginx"][top]["rss"] / base - 1
            report.row(
                f"ForestLab memory at {top} clients vs 1",
                f"{growth:+.1%}",
                "within 10%",
                abs(growth) <= 0.10,
            )
            st30 = served["streamlit"][max(STREAMLIT_LEVELS)]["rss"] / max(STREAMLIT_LEVELS)
            fl = served["nginx"][top]["rss"] / top
            report.row(
                f"memory per student: Streamlit at {max(STREAMLIT_LEVELS)}", f"{st30 / MIB:.1f} MiB"
            )
            report.row(f"memory per student: ForestLab at {top}", f"{fl / 1024:.1f} KiB")
            report.row(
                "Streamlit / ForestLab, per student",
                f"{st30 / fl:,.0f}x",
                ">= 100x",
                st30 / fl >= 100,
            )
        if "data" in wanted:
            print(
                "\ndata at scale (synthetic, 30 features; this takes several minutes)", flush=True
            )
            d = data_scale(tmp)
            report.heading(
                "Data at scale: cold builds, grid with training samples of "
                + ", ".join(f"{r:,}" for r in SAMPLE_ROWS)
                + " rows"
            )
            for rows in DATA_ROWS:
                f = d[rows]
                report.row(f"{rows:,} rows: cold build", f"{f['seconds']:.1f} s")
                report.row(
                    f"{rows:,} rows: peak memory (build + workers)",
                    f"{f['peak_rss'] / MIB:.0f} MiB",
                    "< 24 GiB",
                    f["peak_rss"] < 24 * 1024**3,
                )
                report.row(
                    f"{rows:,} rows: index, data.json, family shards and explain files",
                    f"{f['payload'] / 1024:.0f} KiB",
                )
                report.row(f"{rows:,} rows: live.json (widget rows)", f"{f['live'] / 1024:.0f} KiB")
            for a, b in itertools.pairwise(DATA_ROWS):
                report.row(
                    f"growth {a:,} -> {b:,} rows ({b // a}x): time, memory",
                    f"{d[b]['seconds'] / d[a]['seconds']:.2f}x, "
                    f"{d[b]['peak_rss'] / d[a]['peak_rss']:.2f}x",
                )
            g, one = d["double_grid"], d[DATA_ROWS[1]]
            report.row(
                f"growth with the grid (2x families, {DATA_ROWS[1]:,} rows): time, memory",
                f"{g['seconds'] / one['seconds']:.2f}x, {g['peak_rss'] / one['peak_rss']:.2f}x",
            )
        if "distributed" in wanted:
            print("\ndistributed (two Dask builds)", flush=True)
            dist = distributed_builds(tmp, reference)
            report.heading("Distributed: default grid on a Dask LocalCluster")
            for w, f in dist.items():
                report.row(f"{w} worker process(es)", f"{f['seconds']:.1f} s")
                report.row(
                    f"{w} worker(s): results identical to the local build",
                    str(f["identical"]),
                    "identical",
                    f["identical"],
                )
            report.row(
                "speed-up, 2 workers vs 1", f"{dist[1]['seconds'] / dist[2]['seconds']:.2f}x"
            )

    skipped = [s for s in SECTIONS if s not in wanted]
    report.write(args.results, wanted, skipped)
    print(f"\nwritten: {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
