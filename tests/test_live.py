"""The widget's Python side, called exactly as the Web Worker calls it: `entry(json, report)`.

The browser runs the same wheel in Pyodide; here it runs in CPython against a real build's
`live.json`, so what the worker would compute is checked without the CDN.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from conftest import run_cli
from forestlab import __version__, livedata
from forestlab.core import live
from forestlab.core.explain import MAP_TREES, decode_map
from forestlab.core.family import make_forest, published_family, sample_indices
from forestlab.core.inside import decode_votes
from forestlab.livedata import CORE, CORE_PACKAGE, LOCK_NAME, core_problem


def call(message: dict, report=None) -> dict:
    return json.loads(live.entry(json.dumps(message), report))


@pytest.fixture(scope="module")
def loaded(tiny_build):
    out = tiny_build["work"] / "out"
    text = (out / "live" / "live.json").read_text(encoding="utf-8")
    reply = call({"command": "load", "data": text})
    assert reply["ok"], reply
    return {
        "payload": json.loads(text),
        "families": [
            json.loads(f.read_text(encoding="utf-8"))
            for f in sorted((out / "families").iterdir(), key=lambda f: int(f.stem))
        ],
        "explained": {
            int(f.stem): json.loads(f.read_text(encoding="utf-8"))
            for f in (out / "explain").iterdir()
        },
        "splits": tiny_build["splits"],
    }


def grid_request(params: dict, n_estimators: int, rows: int) -> dict:
    request = {k: v for k, v in params.items() if k != "sample_fraction"}
    return {**request, "n_estimators": n_estimators, "rows": rows}


def test_live_data_holds_the_whole_small_training_split_and_no_test_rows(loaded):
    payload = loaded["payload"]
    assert payload["n_train_rows"] == 240
    assert len(payload["train"]["X"]) == 240 * len(payload["features"])
    assert "test" not in payload


def test_full_split_live_fit_equals_every_precomputed_point(loaded):
    """Every grid point trained on all rows: the live record, rounded as the site rounds,
    is exactly the published one (metrics, importances, size, ROC, the tree curve, the 2-D
    map and, for the largest forest, the permutation importances)."""
    checked = permuted = 0
    for family_number, family in enumerate(loaded["families"]):
        if family["params"]["sample_fraction"] != 1.0:
            continue
        for point in family["points"]:
            n = point["n_estimators"]
            reply = call({"command": "train", "request": grid_request(family["params"], n, 240)})
            assert reply["ok"], reply
            got = published_family(reply["record"])
            live_point = got["points"][0]
            expected = {**point, "metrics": {s: point["metrics"][s] for s in ("train", "val")}}
            assert live_point == expected
            assert got["params"] == family["params"]
            assert got["n_train_rows"] == family["n_train_rows"]
            for split in ("train", "val", "oob", "oob_unscored"):
                assert got["curve"][split] == family["curve"][split][:n]
            # inside the forest: the same first tree, and the grid's votes of its first n trees
            assert got["tree"] == family["tree"]
            votes, grid = got["votes"], family["votes"]
            assert votes["rows"] == grid["rows"] and votes["trees"] == n
            size = n * len(grid["rows"]) * grid["classes"]
            assert base64.b64decode(votes["proba"]) == base64.b64decode(grid["proba"])[:size]
            # the 2-D map: the same cells as the grid's layer of that many trees
            explained = loaded["explained"][family_number]
            live_map, grid_map = got["map"], explained["map"]
            assert live_map["counts"] == [min(n, MAP_TREES)]
            assert {k: live_map[k] for k in ("features", "axes", "size", "points")} == {
                k: grid_map[k] for k in ("features", "axes", "size", "points")
            }
            cells = decode_map(grid_map, 2)
            assert np.array_equal(
                decode_map(live_map, 2)[min(n, MAP_TREES)], cells[min(n, MAP_TREES)]
            )
            # permutation importances: those of the grid's largest forest
            if n == family["points"][-1]["n_estimators"]:
                assert got["permutation"] == explained["permutation"]
                permuted += 1
            checked += 1
    assert checked == 12  # 2 depths x 2 leaf sizes x 3 tree counts
    assert permuted == 4


def test_sampled_fit_uses_the_builds_stratified_sample(loaded):
    reply = call(
        {
            "command": "train",
            "request": grid_request(
                {"max_depth": 2, "max_features": "sqrt", "min_samples_leaf": 1}, 3, 120
            ),
        }
    )
    assert reply["ok"], reply
    y = np.asarray(loaded["payload"]["train"]["y"])
    assert reply["record"]["n_train_rows"] == len(sample_indices(y, 0.5, 42))


def test_progress_is_reported_after_every_tree(loaded):
    seen = []
    reply = call(
        {"command": "train", "request": {"rows": 100, "n_estimators": 7}},
        lambda i, n: seen.append((i, n)),
    )
    assert reply["ok"], reply
    assert seen == [(i, 7) for i in range(1, 8)]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"rows": 241, "n_estimators": 5}, "Training rows must be a whole number from 2 to 240"),
        (
            {"rows": 100, "n_estimators": 201},
            "Number of trees must be a whole number from 1 to 200",
        ),
        ({"rows": 100, "n_estimators": 0}, "Number of trees must be a whole number from 1 to 200"),
        ({"rows": 100, "n_estimators": True}, "Number of trees must be a whole number"),
        (
            {"rows": 100, "n_estimators": 5, "max_depth": 51},
            "Maximum depth must be a whole number from 1 to 50",
        ),
        ({"rows": 100, "n_estimators": 5, "max_features": 1.5}, "Features per split must be"),
        ({"rows": 100, "n_estimators": 5, "max_features": "all"}, "Features per split must be"),
        (
            {"rows": 100, "n_estimators": 5, "min_samples_leaf": 101},
            "Minimum leaf size must be a whole number from 1 to 100",
        ),
        ({"rows": 100, "n_estimators": 5, "criterion": "mse"}, "unknown criterion 'mse'"),
        ({"rows": 100, "n_estimators": 5, "n_jobs": 4}, "unknown setting(s): n_jobs"),
        ({"rows": "1e9", "n_estimators": 5}, "Training rows must be a whole number"),
    ],
)
def test_requests_outside_the_caps_are_refused_with_a_message(loaded, request_, message):
    reply = call({"command": "train", "request": request_})
    assert reply["ok"] is False
    assert message in reply["error"]


def test_a_form_row_is_encoded_as_the_build_encodes_its_csv_rows(loaded):
    payload = loaded["payload"]
    with open(loaded["splits"] / "val.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    encoded = [live.encode_row(payload["features"], row) for row in rows]
    width = len(payload["features"])
    assert np.array_equal(np.asarray(encoded), np.reshape(payload["val"]["X"], (-1, width)))


def test_prediction_uses_the_live_model(loaded):
    payload = loaded["payload"]
    request = {"rows": 240, "n_estimators": 6, "max_depth": 2, "min_samples_leaf": 5}
    assert call({"command": "train", "request": request})["ok"]
    row = {"gender": "female", "age": "30", "class": "1st", "embarked": "", "fare": "80"}
    reply = call({"command": "predict", "row": row})
    assert reply["ok"], reply
    X = np.reshape(payload["train"]["X"], (240, -1))
    params = {
        "max_depth": 2,
        "max_features": "sqrt",
        "min_samples_leaf": 5,
        "class_weight": None,
        "criterion": "gini",
    }
    forest = make_forest(params, 6, 42).fit(X, payload["train"]["y"])
    x = np.asarray([live.encode_row(payload["features"], row)])
    assert reply["probabilities"] == pytest.approx(forest.predict_proba(x)[0].tolist(), abs=1e-6)
    assert sum(reply["probabilities"]) == pytest.approx(1.0)
    # the typed row's votes: each tree's predict_proba, to the stored byte
    votes = reply["votes"]
    assert (votes["rows"], votes["trees"], votes["classes"]) == ([0], 6, 2)
    stored = decode_votes(votes)[:, 0, :]
    each = np.array([t.predict_proba(x.astype(np.float32))[0] for t in forest.estimators_])
    assert np.abs(stored - each).max() <= 0.5 / 255 + 1e-12
    assert reply["values"] == x[0].tolist()


def test_bad_form_values_and_commands_get_messages(loaded):
    assert call({"command": "predict", "row": {"age": "old"}}) == {
        "ok": False,
        "error": "age: 'old' is not a number",
        # what the panel renders in the page's language
        "message": {"key": "error.live.not_number", "params": {"name": "age", "value": "'old'"}},
    }
    assert call({"command": "fit"})["error"] == "unknown command 'fit'"
    assert "format" in call({"command": "load", "data": '{"schema": "other"}'})["error"]


def test_the_core_package_is_this_package_and_the_lock_names_it(tmp_path):
    """`nox -s core` made the live widget's wheel from forestlab/core with pypa/build, and
    added it to the pinned Pyodide lock with `pyodide lockfile add-wheels`."""
    assert core_problem() is None
    pinned = json.loads((CORE.parent / LOCK_NAME).read_text(encoding="utf-8"))
    lock = json.loads((CORE / LOCK_NAME).read_text(encoding="utf-8"))
    entry = lock["packages"].pop(CORE_PACKAGE)
    assert lock == pinned  # the rest of the lock is the pinned release's, untouched
    assert sorted(entry["depends"]) == ["numpy", "scikit-learn"]
    assert entry["imports"] == ["forestlab"] and entry["version"] == __version__
    wheel = CORE / entry["file_name"]
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"]
    with zipfile.ZipFile(wheel) as zf:
        assert "forestlab/core/live.py" in zf.namelist()
        assert not [n for n in zf.namelist() if n.endswith(("prepare.py", "pipeline.py"))]
        metadata = zf.read(f"forestlab_core-{__version__}.dist-info/METADATA").decode()
    assert "Requires-Dist: scikit-learn" in metadata and "Generator: hatchling" in zf_wheel(wheel)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    probe = (
        "import json, forestlab.core.live as m; print(m.__file__); "
        "print(m.entry(json.dumps({'command': 'predict', 'row': {}})))"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {probe}"],
        capture_output=True,
        text=True,
        check=True,
    )
    where, reply = done.stdout.splitlines()
    assert where.startswith(str(target))
    # the wheel holds no catalogue: the reply names the message, the page renders it
    assert json.loads(reply) == {
        "ok": False,
        "error": "error.live.no_model",
        "message": {"key": "error.live.no_model", "params": {}},
    }


def zf_wheel(wheel) -> str:
    """The wheel's WHEEL file (which names the tool that built it)."""
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(f"forestlab_core-{__version__}.dist-info/WHEEL").decode()


def test_a_missing_or_stale_core_leaves_live_training_off_and_says_why(
    copy_build, tmp_path, monkeypatch
):
    """A checkout where `nox -s core` did not run (no Python 3.12 or later), or ran before
    forestlab/core changed: the site is built, live training is off, the build says why."""
    stale = tmp_path / "core"
    shutil.copytree(CORE, stale)
    (wheel,) = stale.glob("*.whl")
    with zipfile.ZipFile(wheel, "a") as zf:  # one more module than the sources hold
        zf.writestr("forestlab/core/extra.py", "")
    lock = json.loads((stale / LOCK_NAME).read_text(encoding="utf-8"))
    lock["packages"][CORE_PACKAGE]["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (stale / LOCK_NAME).write_text(json.dumps(lock), encoding="utf-8")
    for folder, said in ((stale, "was made from other sources"), (tmp_path / "none", "is not in")):
        monkeypatch.setattr(livedata, "CORE", folder)
        result = run_cli("build", "--splits", copy_build["splits"], "--work", copy_build["work"])
        assert result.code == 0, result.err
        assert "notice: live training is left off: the live widget's core package" in result.err
        assert f"{said} {folder}" in result.err or f"{folder} {said}" in result.err
        out = copy_build["work"] / "out"
        data = json.loads((out / "data.json").read_text(encoding="utf-8"))
        assert data["widget"]["enabled"] is False
        assert not list((out / "live").glob("*.whl"))
        assert not (out / "live" / LOCK_NAME).exists()
    monkeypatch.undo()
    result = run_cli("build", "--splits", copy_build["splits"], "--work", copy_build["work"])
    data = json.loads((copy_build["work"] / "out" / "data.json").read_text(encoding="utf-8"))
    assert data["widget"]["enabled"] is True and "left off" not in result.err
