"""The Pyodide files live training needs, published on the site's own origin.

A classroom that cannot reach the CDN (cdn.jsdelivr.net is unreliable from mainland China)
gets Pyodide from the site itself: the core (`pyodide.mjs`, `pyodide.asm.mjs`,
`pyodide.asm.wasm`, `python_stdlib.zip`, `pyodide-lock.json`) and only the wheels live
training loads (numpy, scipy, scikit-learn and what they depend on, per Pyodide's lock).

- `widget.self_host: true` downloads them at build time from `widget.pyodide_url` (the CDN by
  default: where the network allows, as on GitHub Actions);
- `widget.pyodide_dir: PATH` copies them from a downloaded Pyodide distribution.

Every file is checked against the pinned release before it is used: the wheels against the
sha256 in the `pyodide-lock.json` of the Pyodide version ForestLab is tested with (npm
`pyodide`, vendored in `forestlab/vendor/pyodide/`), the core files against their sha256 in
that npm release (`core.json`). Checked files are kept in the build's cache, by content, so a
rebuild downloads nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from forestlab.config import PYODIDE_VERSION as VERSION
from forestlab.errors import UserError

PINNED = Path(__file__).with_name("vendor") / "pyodide"
#: The Python packages live training imports (the worker's PACKAGES).
NEEDED = ("numpy", "scipy", "scikit-learn")
LOCK_NAME = "pyodide-lock.json"
#: Seconds to wait for one file from the network.
TIMEOUT = 60


def pinned(folder: Path | None = None) -> tuple[bytes, dict[str, str]]:
    """The pinned lock file's bytes, and {file name: sha256} of every file to publish."""
    folder = folder or PINNED
    lock_bytes = (folder / LOCK_NAME).read_bytes()
    packages = json.loads(lock_bytes)["packages"]
    names, todo = [], list(NEEDED)
    while todo:
        name = todo.pop()
        if name not in names:
            names.append(name)
            todo += packages[name]["depends"]
    files = json.loads((folder / "core.json").read_text(encoding="utf-8"))["files"]
    files |= {packages[n]["file_name"]: packages[n]["sha256"] for n in sorted(names)}
    return lock_bytes, files


def _fetch(source: str | Path, name: str) -> bytes:
    if isinstance(source, Path):
        try:
            return (source / name).read_bytes()
        except OSError as e:
            raise UserError(
                "error.pyodide.missing", file=source / name, problem=e.strerror, version=VERSION
            ) from None
    url = source + name
    try:
        # pyodide_url is https, or a mirror on this machine (forestlab.config checks it)
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return response.read()
    except urllib.error.HTTPError as e:
        raise UserError(
            "error.pyodide.missing", file=url, problem=f"HTTP {e.code}", version=VERSION
        ) from None
    except (urllib.error.URLError, OSError) as e:
        problem = str(getattr(e, "reason", e))
        raise UserError("error.pyodide.offline", url=url, problem=problem) from None


def collect(source: str | Path, dest: Path, store: Path, folder: Path | None = None) -> list[str]:
    """Put the checked files into `dest` (a folder to publish), taking each from `store` (the
    build's cache, by sha256) or else from `source` (a URL ending in `/`, or a folder).
    Returns the file names. A file whose sha256 differs from the pinned release stops the
    build and is not kept."""
    lock_bytes, files = pinned(folder)
    dest.mkdir(parents=True, exist_ok=True)
    store.mkdir(parents=True, exist_ok=True)
    for name, sha256 in sorted(files.items()):
        kept = store / sha256
        if not kept.is_file():
            data = _fetch(source, name)
            got = hashlib.sha256(data).hexdigest()
            if got != sha256:
                raise UserError(
                    "error.pyodide.sha256", file=name, source=source, expected=sha256, got=got
                )
            tmp = kept.with_name(f".{sha256}.tmp")
            tmp.write_bytes(data)
            tmp.replace(kept)
        shutil.copyfile(kept, dest / name)
    (dest / LOCK_NAME).write_bytes(lock_bytes)
    return sorted([*files, LOCK_NAME])
