"""What the build ships for the live-training widget: the rows and the code.

- `live.json`: the training rows (all of them, or a stratified sample of `widget.max_rows`)
  and a sample of the validation rows, already encoded with the preprocessing fitted on the
  training split, plus the caps the worker enforces. The test split is never shipped.
- `forestlab_core-<version>-py3-none-any.whl`: the package `forestlab.core` (fitting,
  metrics, the widget's entry point) as a pure-Python wheel, which the worker unpacks into
  Pyodide's site-packages once scikit-learn is loaded from the Pyodide distribution.

Both are deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

import forestlab
from forestlab import __version__
from forestlab.config import PYODIDE_VERSION, Config
from forestlab.core.family import sample_indices
from forestlab.core.live import LIVE_SCHEMA, MAX_DEPTH
from forestlab.prepare import Prepared

WHEEL_NAME = f"forestlab_core-{__version__}-py3-none-any.whl"
#: Zip entries carry this date (the earliest a zip can hold), so the wheel's bytes depend on
#: its contents only.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


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
    }


#: Where a self-hosted Pyodide is published, in the lab's output (widget.self_host, pyodide_dir).
SELF_HOSTED = "pyodide/"


def widget_info(cfg: Config, lab: str) -> dict:
    """The widget's settings as the page reads them (from data.json). `pyodide_url` is
    relative to the site's root when the site serves Pyodide itself."""
    w = cfg.widget
    return {
        "enabled": w.enabled,
        "copy_core": w.copy_core,
        "pyodide_url": f"generated/{lab}/{SELF_HOSTED}" if w.self_hosted else w.pyodide_url,
        "pyodide_mirrors": [] if w.self_hosted else w.pyodide_mirrors,
        "pyodide_version": PYODIDE_VERSION,
        "live_data": "live/live.json",
        "wheel": f"live/{WHEEL_NAME}",
        "caps": _caps(cfg),
    }


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def core_wheel() -> bytes:
    """The wheel (PEP 427) of forestlab.core, with reproducible bytes."""
    package = Path(forestlab.__file__).parent
    files = {"forestlab/__init__.py": (package / "__init__.py").read_bytes()}
    for path in sorted((package / "core").glob("*.py")):
        files[f"forestlab/core/{path.name}"] = path.read_bytes()
    info = f"forestlab_core-{__version__}.dist-info"
    files[f"{info}/METADATA"] = (
        "Metadata-Version: 2.1\n"
        "Name: forestlab-core\n"
        f"Version: {__version__}\n"
        "Summary: ForestLab's forest fitting and evaluation, for the browser widget (Pyodide "
        f"{PYODIDE_VERSION})\n"
        "Requires-Dist: numpy\n"
        "Requires-Dist: scikit-learn\n"
    ).encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: forestlab\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in files.items())
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, data)
    return buffer.getvalue()
