"""Build benchmarks on the default grid, measured side by side in one run.

Prints, each with its goal and whether it is met:
- cold build: `forestlab build` with an empty cache plus `mkdocs build`, as a maintainer runs it;
- naive baseline: the same grid with every grid point fitted as its own forest (and scored on
  the validation split, the least a result needs), on the same number of processes;
- their ratio;
- the share of the cold build spent outside forest fitting, where fitting is the sum of the
  measured `fit` calls (timings.json) divided by the worker count: everything else (imports,
  reading, per-tree prediction, metrics, charts, cache, MkDocs, pool start-up) is overhead;
- a rebuild with nothing changed, as a share of the cold build.

Run with `nox -s bench`; `python benchmarks/bench.py --help` for options.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
from forestlab.config import load_config
from forestlab.core.family import family_features, make_forest, sample_indices
from forestlab.grid import families
from forestlab.prepare import prepare

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def site_build(work: Path, site: Path, jobs: int) -> float:
    """forestlab build + mkdocs build, wall time in seconds."""
    env = {**os.environ, "FORESTLAB_OUT": str(work / "out"), "NO_MKDOCS_2_WARNING": "1"}
    forestlab = [sys.executable, "-m", "forestlab", "build", "--work", str(work)]
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)]
    return timed([*forestlab, "--jobs", str(jobs)], env) + timed(mkdocs, env)


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


def row(name: str, value: str, goal: str = "", met: bool | None = None) -> None:
    verdict = "" if met is None else ("met" if met else "NOT MET")
    print(f"{name:<44} {value:>14}   {goal:<22} {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive baseline")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="forestlab-bench-") as tmp:
        work, site = Path(tmp) / "work", Path(tmp) / "site"
        print(f"default grid, {args.jobs} worker processes, {os.cpu_count()} cores", flush=True)
        cold = site_build(work, site, args.jobs)
        timings = json.loads((work / "out" / "timings.json").read_text())
        fit_cpu = sum(max(t["fit_seconds"].values()) for t in timings)
        rebuild = site_build(work, site, args.jobs)
        naive_s, n_points = (None, 0) if args.skip_naive else naive(args.jobs)

    fit_wall = fit_cpu / args.jobs
    outside = 1 - fit_wall / cold
    print()
    row("figure", "measured", "goal")
    row("cold build (train + charts + mkdocs)", f"{cold:.1f} s", "<= 300 s", cold <= 300)
    row("  of which forest fitting (sum of fits / jobs)", f"{fit_wall:.1f} s")
    row("build work outside forest fitting", f"{outside:.1%}", "<= 25%", outside <= 0.25)
    row("rebuild with nothing changed", f"{rebuild:.1f} s")
    row("  as a share of the cold build", f"{rebuild / cold:.1%}", "<= 10%", rebuild / cold <= 0.10)
    if naive_s is not None:
        row(f"naive: {n_points} separate fits", f"{naive_s:.1f} s")
        row("  naive / cold build", f"{naive_s / cold:.2f}x", ">= 2x", naive_s / cold >= 2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
