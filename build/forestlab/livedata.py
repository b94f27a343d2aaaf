"""What the build ships for the live-training widget: the rows and the code.

- `live.json`: the training rows (all of them, or a stratified sample of `widget.max_rows`)
  and a sample of the validation rows, already encoded with the preprocessing fitted on the
  training split, plus the caps the worker enforces. The test split is never shipped.
- the live widget's core, as `nox -s core` made it (packed in ForestLab's wheel): the package
  `forestlab.core` (fitting, metrics, the widget's entry point) as a pure-Python wheel built
  by pypa/build, and the pinned Pyodide lock with that wheel added by pyodide-build's
  `pyodide lockfile add-wheels`. The worker loads `forestlab-core` by name from that lock,
  which brings numpy, scipy and scikit-learn from the Pyodide host.

The rows are deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

import forestlab
from forestlab.cache import sha256
from forestlab.config import PYODIDE_VERSION, Config
from forestlab.core.explain import map_axes
from forestlab.core.family import sample_indices
from forestlab.core.live import LIVE_SCHEMA, MAX_DEPTH
from forestlab.core.messages import Message
from forestlab.prepare import Prepared

#: What `nox -s core` makes: the live widget's wheel and the Pyodide lock that names it.
CORE = Path(forestlab.__file__).parent / "vendor" / "pyodide" / "core"
CORE_PACKAGE = "forestlab-core"
LOCK_NAME = "pyodide-lock.json"


def _caps(cfg: Config) -> dict:
    """What the page, the worker and forestlab.core.live each enforce."""
    return {
        "max_rows": cfg.widget.max_rows,
        "max_trees": cfg.widget.max_trees,
        "max_depth": MAX_DEPTH,
    }


def _rows(y: np.ndarray, most: int, seed: int) -> np.ndarray:
    return sample_indices(y, min(1.0, most / len(y)), seed)


def live_payload(cfg: Config, prepared: Prepared) -> dict:
    data, spec, w = prepared.data, prepared.spec, cfg.widget
    train = _rows(data.y_train, w.max_rows, cfg.seed)
    val = _rows(data.y_val, w.max_val_rows, cfg.seed)

    def part(X: np.ndarray, y: np.ndarray, rows: np.ndarray) -> dict:
        return {"X": X[rows].ravel().tolist(), "y": y[rows].tolist()}

    return {
        "schema": LIVE_SCHEMA,
        "features": spec["features"],
        "classes": spec["target"]["classes"],
        "positive": data.positive,
        "feature_rank": list(data.feature_rank),
        "seed": cfg.seed,
        "n_train_rows": len(train),
        "n_val_rows": len(val),
        "caps": _caps(cfg),
        "train": part(data.X_train, data.y_train, train),
        "val": part(data.X_val, data.y_val, val),
        "explain": data.explain,
        # the build's map: its two features and axes (the live rows may be a sample)
        "map": map_settings(data),
    }


def map_settings(data) -> dict | None:
    """The 2-D map's two features and axes (from all the training rows), or None."""
    if not (data.explain and data.map_pair):
        return None
    return {"features": list(data.map_pair), "axes": map_axes(data.X_train, data.map_pair)}


#: Where a self-hosted Pyodide is published, in the lab's output (widget.self_host, pyodide_dir).
SELF_HOSTED = "pyodide/"


def widget_info(cfg: Config, lab: str, core_ok: bool) -> dict:
    """The widget's settings as the page reads them (from data.json). `pyodide_url` is
    relative to the site's root when the site serves Pyodide itself; `lock` is the lock the
    worker loads the core by (see `core_files`)."""
    w = cfg.widget
    return {
        "enabled": w.enabled and core_ok,
        "copy_core": w.copy_core,
        "pyodide_url": f"generated/{lab}/{SELF_HOSTED}" if w.self_hosted else w.pyodide_url,
        "pyodide_mirrors": [] if w.self_hosted else w.pyodide_mirrors,
        "pyodide_version": PYODIDE_VERSION,
        "live_data": "live/live.json",
        "lock": f"live/{LOCK_NAME}",
        "caps": _caps(cfg),
    }


def core_problem() -> Message | None:
    """Why the live widget's core cannot be published, or None: `nox -s core` has not made it
    (a checkout without Python 3.12 or later), or it was made from other sources than this
    package's (the browser would then compute other numbers than the build)."""
    try:
        entry = _core_entry()
        wheel = (CORE / entry["file_name"]).read_bytes()
    except (OSError, ValueError, KeyError, TypeError):
        return Message("cli.notice.no_core", folder=CORE)
    stale = Message("cli.notice.stale_core", folder=CORE)
    if sha256(wheel) != entry["sha256"]:
        return stale
    package = Path(forestlab.__file__).parent
    sources = {"forestlab/__init__.py": package / "__init__.py"}
    sources |= {f"forestlab/core/{p.name}": p for p in (package / "core").glob("*.py")}
    with zipfile.ZipFile(io.BytesIO(wheel)) as zf:
        packed = {n for n in zf.namelist() if n.startswith("forestlab/")}
        if packed != set(sources) or any(zf.read(n) != p.read_bytes() for n, p in sources.items()):
            return stale
    return None


def _core_entry() -> dict:
    """The core's entry in the lock `nox -s core` wrote."""
    return json.loads((CORE / LOCK_NAME).read_text(encoding="utf-8"))["packages"][CORE_PACKAGE]


def core_files() -> dict[str, Path]:
    """{name to publish under live/: file} for the live widget's core (see `core_problem`)."""
    wheel = _core_entry()["file_name"]
    return {LOCK_NAME: CORE / LOCK_NAME, wheel: CORE / wheel}


def core_hash() -> str:
    """The published core's hash, for the output stamp (its lock records the wheel's sha256)."""
    return sha256((CORE / LOCK_NAME).read_bytes())
