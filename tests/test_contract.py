"""The contract between the build and the browser: declared formats, one dimension table, one
display-text catalogue, and a cache key that covers everything that shapes a result.

Tests that change ForestLab's own code do it in a copy of the package, put first on the path
of a `forestlab` subprocess, so the installed package is never touched.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TINY_GRID, small_splits
from forestlab import formats
from forestlab.catalogue import LANGS, catalogue
from forestlab.config import options_reference
from forestlab.core import live
from forestlab.core.dims import DIMENSIONS

PACKAGE = ROOT / "build" / "forestlab"
#: A grid of one family (every other dimension at one value), for builds that vary one thing.
ONE_FAMILY = {
    "n_estimators": [2],
    "max_depth": [None],
    "max_features": ["sqrt"],
    "min_samples_leaf": [1],
    "sample_fraction": [1.0],
}


def out_files(out: Path, pattern: str) -> list[Path]:
    files = sorted(out.glob(pattern))
    assert files, f"no {pattern} in {out}"
    return files


# -- declared formats --


def test_every_published_file_of_a_build_validates_against_its_format(tiny_build):
    out = tiny_build["work"] / "out"
    checked = 0
    for pattern, model in (
        ("index.json", formats.ResultsIndex),
        ("families/*.json", formats.FamilyRecord),
        ("data.json", formats.DataCard),
        ("live/live.json", formats.LiveData),
        ("explain/*.json", formats.ExplainFile),
    ):
        for path in out_files(out, pattern):
            model.model_validate_json(path.read_bytes())
            checked += 1
    # index, data card, live data, and the tiny grid's 8 family shards and 8 explain files
    assert checked == 3 + 8 + 8


def test_published_schemas_are_the_models_json_schemas(tiny_build):
    schemas = {
        p.name: json.loads(p.read_text())
        for p in out_files(tiny_build["work"] / "out", "schema/*.json")
    }
    assert schemas == {f"{k}.schema.json": v for k, v in formats.json_schemas().items()}
    assert schemas["index.schema.json"]["properties"]["format"]["const"] == "forestlab.index/2"


def test_a_live_record_has_the_shard_format(tiny_build):
    text = (tiny_build["work"] / "out" / "live" / "live.json").read_text(encoding="utf-8")
    assert json.loads(live.entry(json.dumps({"command": "load", "data": text})))["ok"]
    reply = json.loads(
        live.entry(json.dumps({"command": "train", "request": {"rows": 100, "n_estimators": 3}}))
    )
    assert reply["ok"], reply
    formats.LiveRecord.model_validate(reply["record"])


def test_the_index_numbers_points_as_declared(tiny_build):
    out = tiny_build["work"] / "out"
    index = json.loads((out / "index.json").read_text())
    dims, cols = index["dims"], index["points"]
    assert [d["name"] for d in dims] == [d.name for d in DIMENSIONS]
    trees = dims[0]["values"]
    for path in out_files(out, "families/*.json"):
        f = int(path.stem)
        record = json.loads(path.read_text())
        assert formats.family_number(dims, record["params"]) == f
        for t, point in enumerate(record["points"]):
            p = f * len(trees) + t
            assert formats.point_values(dims, p) == {**record["params"], "n_estimators": trees[t]}
            assert cols["val_accuracy"][p] == round(point["metrics"]["val"]["accuracy"] * 1000)
            assert cols["train_accuracy"][p] == round(point["metrics"]["train"]["accuracy"] * 1000)
            assert cols["n_nodes"][p] == point["n_nodes"]
    best = index["best"]
    assert cols["val_accuracy"][best] == max(cols["val_accuracy"])


# -- one catalogue of display text --

SOURCES = [
    *PACKAGE.rglob("*.py"),
    *PACKAGE.rglob("*.js"),
    *(ROOT / "site_src").rglob("*.md"),
]


def test_every_catalogue_key_has_every_language():
    missing = [
        f"{key} ({lang})"
        for key, texts in catalogue().items()
        for lang in LANGS
        if not (texts.get(lang) or "").strip()
    ]
    assert missing == []
    assert all(set(texts) == set(LANGS) for texts in catalogue().values())


def test_every_catalogue_key_is_used():
    """A key counts as used when its text appears in the code, or when the code builds it
    from a namespace prefix ("dim." + a dimension's name) and the suffix is one of the
    values the code or the dimension table names."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
    derived = (
        {f"dim.{d.name}" for d in DIMENSIONS}
        | {f"value.{d.none}" for d in DIMENSIONS if d.none}
        # the reference texts of the configuration's options and the formats' fields
        | {f"config.{key}" for key, _, _ in options_reference()}
        | {
            formats.description_key(model, name)
            for model in formats.models().values()
            for name in model.model_fields
        }
    )
    words = set(re.findall(r"""["'`]([a-z0-9_]+)["'`]""", code))
    unused = []
    for key in catalogue():
        if key in code or key in derived:
            continue
        prefix, _, suffix = key.partition(".")
        built = re.search(rf"""["'`]{re.escape(prefix)}\.(?:["'`]|\$\{{|\{{)""", code)
        bare = suffix.removesuffix("_title")
        if built and (suffix in words or bare in words):
            continue
        unused.append(key)
    assert unused == []


#: The calls that make a message for people: each takes a catalogue key, never a sentence.
MESSAGE_CALLS = {"UserError", "Message", "MessageError", "LiveError"}


def _texts(node: ast.AST) -> list[ast.AST]:
    """The literal text an argument can be: strings and f-strings, joined with + or chosen
    with `a if c else b` (not a string used as a key, as in d["kind"])."""
    if isinstance(node, ast.JoinedStr | ast.BinOp) and any(
        isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Constant) and isinstance(n.value, str))
        for n in ast.walk(node)
    ):
        return [node]  # text built from pieces: never a whole catalogue key
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.IfExp):
        return _texts(node.body) + _texts(node.orelse)
    return []


def test_every_message_of_the_package_is_a_catalogue_key():
    """No UserError, Message or MessageError is made from a literal sentence (English or any
    other): its text comes from the catalogue, by key, so that it exists in both languages.
    Values go in as fields; a plain string argument is only ever text that is not ForestLab's
    (MkDocs' own messages), passed as a variable."""
    keys = set(catalogue())
    problems, calls = [], 0
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in MESSAGE_CALLS:
                continue
            calls += 1
            where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
            for i, arg in enumerate(node.args):
                for text in _texts(arg):
                    if i > 0 or not isinstance(text, ast.Constant):
                        problems.append(f"{where}: {name}() given literal text; use a key")
                    elif text.value not in keys:
                        problems.append(f"{where}: {text.value!r} is not a catalogue key")
    assert problems == []
    assert calls > 100  # the scan sees the package's messages


# -- changing the code in a copy of the package --


def copy_package(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    shutil.copytree(PACKAGE, root / "forestlab", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def forestlab(pkg: Path, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pkg), "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "forestlab", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.slow
def test_editing_a_translation_retrains_nothing_and_changes_the_charts(copy_build, tmp_path):
    pkg = copy_package(tmp_path)
    before = (copy_build["work"] / "out" / "charts" / "trees.en.svg").read_text()
    edit(
        pkg / "forestlab" / "catalogue.json",
        '"Score vs number of trees"',
        '"Accuracy as trees are added"',
    )
    proc = forestlab(pkg, "build", "--splits", copy_build["splits"], "--work", copy_build["work"])
    assert "trained 0 of 8 families, 8 cached" in proc.stdout
    after = (copy_build["work"] / "out" / "charts" / "trees.en.svg").read_text()
    assert "Score vs number of trees" in before and "Accuracy as trees are added" in after


@pytest.mark.slow
def test_editing_the_feature_ranking_retrains_the_top_k_families(tmp_path):
    splits = small_splits(
        tmp_path / "splits",
        grid={**ONE_FAMILY, "top_k_features": [None, 2]},
    )
    work = tmp_path / "work"
    pkg = copy_package(tmp_path)
    assert (
        "trained 2 of 2 families"
        in forestlab(pkg, "build", "--splits", splits, "--work", work).stdout
    )
    assert (
        "trained 0 of 2 families"
        in forestlab(pkg, "build", "--splits", splits, "--work", work).stdout
    )
    edit(pkg / "forestlab" / "core" / "ranking.py", "REFERENCE_TREES = 100", "REFERENCE_TREES = 30")
    assert (
        "trained 2 of 2 families"
        in forestlab(pkg, "build", "--splits", splits, "--work", work).stdout
    )


@pytest.mark.slow
def test_a_new_grid_dimension_needs_only_the_table_and_the_catalogue(tmp_path):
    """max_leaf_nodes, added as one row of the dimension table and two catalogue entries (its
    name and its description), is configured, trained, published in the index and the shards,
    and the site builds."""
    pkg = copy_package(tmp_path)
    edit(
        pkg / "forestlab" / "core" / "dims.py",
        "\nBY_NAME = ",
        '\nDIMENSIONS += (\n    Dimension("max_leaf_nodes", whole(2, 10_000, "a leaf count", none_ok=True), '
        '(None,), none="unlimited", sklearn="max_leaf_nodes"),\n)'
        "\nBY_NAME = ",
    )
    cat = json.loads((pkg / "forestlab" / "catalogue.json").read_text(encoding="utf-8"))
    cat["dim.max_leaf_nodes"] = {"en": "Most leaves per tree", "zh": "每棵树最多叶子数"}
    cat["config.grid.max_leaf_nodes"] = {
        "en": "Most leaves per tree.",
        "zh": "每棵树最多的叶子数。",
    }
    (pkg / "forestlab" / "catalogue.json").write_text(
        json.dumps(cat, ensure_ascii=False), encoding="utf-8"
    )
    # the values the lessons name (the site is built below), and the new dimension
    grid = {**TINY_GRID, "min_samples_leaf": [1], "max_leaf_nodes": [4, None]}
    splits = small_splits(tmp_path / "splits", grid=grid)
    work = tmp_path / "work"
    assert (
        "trained 8 of 8 families"
        in forestlab(pkg, "build", "--splits", splits, "--work", work).stdout
    )
    out = work / "out"
    index = json.loads((out / "index.json").read_text())
    assert index["dims"][-1] == {
        "name": "max_leaf_nodes",
        "values": [4, None],
        "none": "unlimited",
        "sklearn": "max_leaf_nodes",
    }
    unlimited = {
        **formats.point_values(index["dims"], 0),
        "max_depth": None,
        "sample_fraction": 1.0,
    }
    capped, free = (
        json.loads(
            (out / "families" / f"{formats.family_number(index['dims'], p)}.json").read_text()
        )
        for p in ({**unlimited, "max_leaf_nodes": 4}, {**unlimited, "max_leaf_nodes": None})
    )
    assert capped["params"]["max_leaf_nodes"] == 4 and free["params"]["max_leaf_nodes"] is None
    # 4 leaves: 7 nodes in the first point's one tree
    assert capped["points"][0]["n_nodes"] == 7 < free["points"][0]["n_nodes"]
    site = tmp_path / "site"
    env = {
        **os.environ,
        "PYTHONPATH": str(pkg),
        "NO_MKDOCS_2_WARNING": "1",
        "FORESTLAB_OUT": str(out),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            ROOT / "mkdocs.yml",
            "-d",
            site,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    reproducibility = (site / "en" / "reproducibility" / "index.html").read_text(encoding="utf-8")
    assert "Most leaves per tree" in reproducibility
