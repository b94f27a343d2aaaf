"""Pyodide on the site's own origin (widget.self_host, widget.pyodide_dir): the pinned release's
files, each checked by sha256, from a loopback server posing as the CDN or from a folder."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pytest
from browser import SiteServer
from conftest import ROOT, run_cli, small_splits
from forestlab import pyodide_files
from forestlab.errors import UserError

NPM = ROOT / "node_modules" / "pyodide"


def test_the_pinned_release_is_npms_pyodide():
    """The lock and core hashes in the package are those of the npm release package.json pins."""
    pinned = pyodide_files.PINNED
    assert (pinned / "pyodide-lock.json").read_bytes() == (NPM / "pyodide-lock.json").read_bytes()
    core = json.loads((pinned / "core.json").read_text())
    assert core["version"] == json.loads((NPM / "package.json").read_text())["version"]
    for name, sha256 in core["files"].items():
        assert hashlib.sha256((NPM / name).read_bytes()).hexdigest() == sha256, name
    # the wheels live training loads, and nothing else
    _, files = pyodide_files.pinned()
    wheels = sorted(n.split("-")[0] for n in files if n.endswith(".whl"))
    assert wheels == ["joblib", "numpy", "scikit_learn", "scipy", "threadpoolctl"]


def fake_release(folder: Path) -> tuple[Path, Path]:
    """A generated Pyodide release: a distribution folder and its pinned lock and core hashes
    (the same shape as the real ones, small files)."""
    dist, pinned = folder / "dist", folder / "pinned"
    dist.mkdir(parents=True)
    pinned.mkdir()
    core = {}
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"):
        (dist / name).write_bytes(f"core {name}".encode())
        core[name] = hashlib.sha256((dist / name).read_bytes()).hexdigest()
    packages = {}
    for name, depends in (
        ("numpy", []),
        ("scipy", ["numpy"]),
        ("scikit-learn", ["scipy", "joblib"]),
        ("joblib", []),
        ("pandas", ["numpy"]),  # not needed by live training: not published
    ):
        file_name = f"{name.replace('-', '_')}-1.0-py3-none-any.whl"
        (dist / file_name).write_bytes(f"wheel {name}".encode())
        sha256 = hashlib.sha256((dist / file_name).read_bytes()).hexdigest()
        packages[name] = {"file_name": file_name, "sha256": sha256, "depends": depends}
    lock = json.dumps({"info": {}, "packages": packages}).encode()
    (dist / "pyodide-lock.json").write_bytes(lock)
    (pinned / "pyodide-lock.json").write_bytes(lock)
    (pinned / "core.json").write_text(json.dumps({"version": "test", "files": core}))
    return dist, pinned


def test_a_distribution_folder_is_copied_and_a_tampered_wheel_refused(tmp_path):
    dist, pinned = fake_release(tmp_path)
    dest, store = tmp_path / "site", tmp_path / "store"
    names = pyodide_files.collect(dist, dest, store, pinned)
    assert "pandas-1.0-py3-none-any.whl" not in names
    assert sorted(p.name for p in dest.iterdir()) == names
    for name in names:
        assert (dest / name).read_bytes() == (dist / name).read_bytes(), name
    # a wheel that is not the pinned release's stops the build, and is not kept
    (dist / "scipy-1.0-py3-none-any.whl").write_bytes(b"not scipy")
    with pytest.raises(UserError) as refused:
        pyodide_files.collect(dist, tmp_path / "site2", tmp_path / "store2", pinned)
    text = "\n".join(refused.value.lines)
    assert "scipy-1.0-py3-none-any.whl" in text and "sha256" in text
    assert not any(p.read_bytes() == b"not scipy" for p in (tmp_path / "store2").iterdir())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_self_host_downloads_once_from_the_cdn_and_publishes_on_the_site(tmp_path, monkeypatch):
    """A build with widget.self_host fetches from a loopback server posing as the CDN, checks,
    publishes under the lab's output, and points the widget there; a rebuild downloads
    nothing (the CDN is gone by then); offline, the message names the next option."""
    dist, pinned = fake_release(tmp_path / "release")
    monkeypatch.setattr(pyodide_files, "PINNED", pinned)
    work = tmp_path / "work"
    with SiteServer(dist) as cdn:
        splits = small_splits(
            tmp_path / "splits", widget={"self_host": True, "pyodide_url": cdn.url}
        )
        result = run_cli("build", "--splits", splits, "--work", work)
        assert result.code == 0, result.err
        fetched = [line for line in cdn.log if "GET" in line]
    out = work / "out"
    widget = json.loads((out / "data.json").read_text())["widget"]
    assert widget["pyodide_url"] == "generated/main/pyodide/"
    published = sorted(p.name for p in (out / "pyodide").iterdir())
    assert published == pyodide_files.collect(dist, tmp_path / "again", tmp_path / "s", pinned)
    assert len(fetched) == len(published) - 1  # every file but the lock, which is pinned
    result = run_cli("build", "--splits", splits, "--work", work, "--force")
    assert result.code == 0, result.err  # from the cache: the server is closed
    offline = small_splits(
        tmp_path / "offline",
        widget={"self_host": True, "pyodide_url": f"http://127.0.0.1:{_closed_port()}/"},
    )
    result = run_cli("build", "--splits", offline, "--work", tmp_path / "w2")
    assert result.code == 2
    assert "cannot download" in result.err and "widget.pyodide_dir" in result.err
    assert not (tmp_path / "w2" / "out").exists()


@pytest.mark.parametrize(
    ("widget", "expected"),
    [
        ({"self_host": True, "pyodide_dir": "dist"}, "choose one source of Pyodide"),
        ({"self_host": True, "pyodide_url": "pyodide/"}, "must then be a full URL"),
        ({"pyodide_url": "http://example.org/pyodide/"}, "is not usable"),
    ],
)
def test_unclear_pyodide_sources_are_refused(tmp_path, widget, expected):
    splits = small_splits(tmp_path / "splits", widget=widget)
    result = run_cli("check", "--splits", splits)
    assert result.code == 2 and expected in result.err, result.err


def test_pyodide_dir_is_read_relative_to_the_configuration(tmp_path, monkeypatch):
    dist, pinned = fake_release(tmp_path / "splits" / "release")
    monkeypatch.setattr(pyodide_files, "PINNED", pinned)
    splits = small_splits(tmp_path / "splits", widget={"pyodide_dir": "release/dist"})
    result = run_cli("build", "--splits", splits, "--work", tmp_path / "work")
    assert result.code == 0, result.err
    assert (tmp_path / "work" / "out" / "pyodide" / "pyodide.asm.wasm").read_bytes() == (
        dist / "pyodide.asm.wasm"
    ).read_bytes()
