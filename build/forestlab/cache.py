"""Family results stored by content hash, written atomically, verified on every read.

The key hashes everything that shapes a family's result: the data's bytes, the preprocessing
spec, the family's hyperparameters, tree counts, seed, the code of `forestlab.core` and the
versions of the libraries that fit and evaluate. A changed input is a new key, so nothing is
ever invalidated by hand; `--force` simply ignores what is there.

An entry is one JSON file holding its payload and the payload's sha256. It is written to a
temporary file in the same folder and renamed into place, so a killed build leaves either a
complete entry or none; a truncated or edited entry fails the checksum and is retrained.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path

import forestlab.core
from forestlab.core.messages import Message


def canonical_json(obj) -> bytes:
    """Deterministic JSON bytes: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def code_version() -> str:
    """Hash of the fitting and evaluation code plus the library versions it runs on."""
    h = hashlib.sha256()
    core = Path(forestlab.core.__file__).parent
    for path in sorted(core.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for lib in ("scikit-learn", "numpy", "scipy"):
        h.update(f"{lib}=={version(lib)}".encode())
    return h.hexdigest()


def family_key(
    data_hash: str, params: dict, tree_counts: list[int], seed: int, spread: bool = False
) -> str:
    return sha256(
        canonical_json(
            {
                "data": data_hash,
                "params": params,
                "tree_counts": sorted(tree_counts),
                "seed": seed,
                "spread": spread,
                "code": code_version(),
            }
        )
    )


class Cache:
    """Entries in `root/families/` (family records) and `root/memo/` (small derived values)."""

    def __init__(self, root: Path, section: str = "families"):
        self.root = root
        self.dir = root / section

    def path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.json"

    def load(self, key: str) -> tuple[dict | None, Message | None]:
        """(record, None) for a valid entry; (None, reason) for a damaged one; (None, None)."""
        path = self.path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None, None
        try:
            entry = json.loads(raw)
            payload = canonical_json(entry["record"])
            if entry.get("key") != key or entry.get("sha256") != sha256(payload):
                return None, Message("cli.notice.cache_checksum", file=path.name)
            return entry["record"], None
        except (ValueError, KeyError, TypeError):
            return None, Message("cli.notice.cache_unreadable", file=path.name)

    def _memo_key(self, kind: str, inputs) -> str:
        return sha256(canonical_json({"kind": kind, "inputs": inputs, "code": code_version()}))

    def recall(self, kind: str, inputs):
        """A small derived value (JSON-able) stored for these `inputs`, or None."""
        entry, _ = Cache(self.root, "memo").load(self._memo_key(kind, inputs))
        return None if entry is None else entry["value"]

    def remember(self, kind: str, inputs, value) -> None:
        Cache(self.root, "memo").store(self._memo_key(kind, inputs), {"value": value})

    def store(self, key: str, record: dict) -> None:
        # canonical_json({"key": …, "record": …, "sha256": …}), with the record encoded once
        payload = canonical_json(record)
        entry = b'{"key":%s,"record":%s,"sha256":"%s"}' % (
            canonical_json(key),
            payload,
            sha256(payload).encode(),
        )
        write_atomic(self.path(key), entry)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
