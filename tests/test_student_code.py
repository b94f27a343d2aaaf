"""The explorer's "copy the code" as a student runs it, and the data files the site offers.

The code is printed by node exactly as the page builds it (`snippet.js`), then run in a
virtual environment holding only pandas and scikit-learn (tests/student.py), in an empty
folder holding nothing but the train.csv and val.csv the build published. It must print
exactly the validation accuracy the index holds for the point, on data with missing cells
(spelt several ways), a category unseen in training, a training-sample share below 1 and
top-k features. The downloads hold the training and validation rows as read, never a test
row, and only within the teacher's cap.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, bundled_rows, run_cli, snapshot, write_config, write_csv
from forestlab.csvload import MISSING_TOKENS
from forestlab.formats import family_number, point_number, scaled
from student import run_student, student_python

pytestmark = pytest.mark.slow

#: In every test row, in a column the build leaves out: a published copy of a test row shows.
TEST_MARK = "TESTROW"
MESSY_GRID = {
    "n_estimators": [1, 10],
    "max_depth": [3, None],
    "max_features": ["sqrt", 0.5],
    "min_samples_leaf": [1, 5],
    "sample_fraction": [0.3, 1.0],
    "top_k_features": [None, 3],
}
CARVED_GRID = {
    "n_estimators": [3, 10],
    "max_depth": [4],
    "max_features": [0.5],
    "min_samples_leaf": [2],
    "sample_fraction": [0.5, 1.0],
    "class_weight": [None, "balanced"],
    "top_k_features": [None, 2],
}
DEFAULTS = {"class_weight": None, "criterion": "gini"}


def messy_splits(folder: Path) -> Path:
    """Bundled rows with an ID column (left out), missing cells spelt several ways in number
    and text columns, spaces around cells, a thousands separator, a class value in val.csv
    that train.csv never has, and marked test rows."""
    folder.mkdir(parents=True)
    for split, n in (("train", 300), ("val", 120), ("test", 80)):
        header, rows = bundled_rows(split, n)
        for i, r in enumerate(rows):
            if i % 7 == 0:
                r[1] = ""  # age
            if i % 11 == 0:
                r[3] = " NA "  # embarked
            if i % 13 == 0:
                r[4] = "?"  # fare
            if i % 17 == 1:
                r[4] = f"  {r[4]} "
            if split == "val" and i % 5 == 0:
                r[2] = "stowaway"  # class: unseen in training
        if split == "train":
            rows[3][4] = "1,234.5"
        mark = TEST_MARK if split == "test" else split
        write_csv(
            folder / f"{split}.csv",
            ["id", *header],
            [[f"{mark}-{i}", *r] for i, r in enumerate(rows)],
        )
    write_config(folder, grid=MESSY_GRID)
    return folder


def carved_splits(folder: Path) -> Path:
    """Only train.csv, UTF-16 with a byte-order mark and tab-separated: a text target, Chinese
    text, a category column with number-like values, a column the configuration excludes.
    The build carves val and test out of it."""
    folder.mkdir(parents=True)
    header, rows = bundled_rows("train", 400)
    out = []
    for i, r in enumerate(rows):
        r[-1] = "是" if r[-1] == "1" else "否"
        if i % 6 == 0:
            r[1] = "n/a"
        if i % 9 == 0:
            r[3] = "-"
        if r[3] == "Southampton":
            r[3] = "南安普敦"
        cabin = str(i % 5) if i % 3 else f"B{i % 4}"
        out.append([*r, cabin, f"row {i}"])
    write_csv(folder / "train.csv", [*header, "cabin", "row"], out, "utf-16", "\t")
    write_config(folder, data={"target": "survived", "exclude": ["row"]}, grid=CARVED_GRID)
    return folder


@pytest.fixture(scope="module")
def labs(tmp_path_factory):
    """Both data sets, built once."""
    built = {}
    for name, make in (("messy", messy_splits), ("carved", carved_splits)):
        base = tmp_path_factory.mktemp(name)
        splits = make(base / "splits")
        result = run_cli("build", "--splits", splits, "--work", base / "work")
        assert result.code == 0, result.err
        built[name] = {"splits": splits, "work": base / "work", "out": base / "work" / "out"}
    return built


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_for(out: Path, values: dict, lang: str = "en") -> str:
    """The explorer's code for a grid point, as the page builds it."""
    proc = subprocess.run(
        ["node", ROOT / "tests/js/print-snippet.mjs", out, lang, json.dumps(values)],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def student_folder(out: Path, folder: Path) -> Path:
    """An empty folder holding only the files the data card offers, named as downloaded."""
    folder.mkdir()
    for path in read_json(out / "data.json")["download"]["files"].values():
        shutil.copyfile(out / path, folder / Path(path).name)
    assert sorted(p.name for p in folder.iterdir()) == ["train.csv", "val.csv"]
    return folder


def shown_accuracy(out: Path, values: dict) -> tuple[int, float]:
    """The point's validation accuracy in the index (thousandths, as the page shows it) and
    in its family's file (four digits)."""
    index = read_json(out / "index.json")
    dims = index["dims"]
    f = family_number(dims, values)
    t = dims[0]["values"].index(values["n_estimators"])
    record = read_json(out / "families" / f"{f}.json")
    point = point_number(dims, values)
    return index["points"]["val_accuracy"][point], record["points"][t]["metrics"]["val"]["accuracy"]


POINTS = [
    (
        "messy",
        "en",
        {"n_estimators": 10, "max_depth": None, "max_features": 0.5, "min_samples_leaf": 1}
        | {"sample_fraction": 0.3, "top_k_features": 3},
    ),
    (
        "messy",
        "zh",
        {"n_estimators": 10, "max_depth": 3, "max_features": "sqrt", "min_samples_leaf": 5}
        | {"sample_fraction": 0.3, "top_k_features": None},
    ),
    (
        "messy",
        "en",
        {"n_estimators": 1, "max_depth": None, "max_features": "sqrt", "min_samples_leaf": 5}
        | {"sample_fraction": 1.0, "top_k_features": 3},
    ),
    (
        "messy",
        "zh",
        {"n_estimators": 10, "max_depth": None, "max_features": 0.5, "min_samples_leaf": 1}
        | {"sample_fraction": 1.0, "top_k_features": None},
    ),
    (
        "carved",
        "zh",
        {"n_estimators": 10, "max_depth": 4, "max_features": 0.5, "min_samples_leaf": 2}
        | {"sample_fraction": 0.5, "top_k_features": 2, "class_weight": "balanced"},
    ),
    (
        "carved",
        "en",
        {"n_estimators": 3, "max_depth": 4, "max_features": 0.5, "min_samples_leaf": 2}
        | {"sample_fraction": 1.0, "top_k_features": None, "class_weight": None},
    ),
]


@pytest.mark.parametrize(("lab", "lang", "values"), POINTS)
def test_copied_code_prints_the_shown_accuracy_with_pandas_and_scikit_learn_only(
    labs, tmp_path, lab, lang, values
):
    python = student_python()  # fails, never skips, without the students' environment
    out = labs[lab]["out"]
    values = DEFAULTS | values
    code = code_for(out, values, lang)
    assert "forestlab" not in code and "splits" not in code and "yml" not in code
    assert 'pd.read_csv("train.csv"' in code and 'pd.read_csv("val.csv"' in code
    printed = run_student(python, code, student_folder(out, tmp_path / "student"))
    accuracy = float(printed)
    thousandths, four_digits = shown_accuracy(out, values)
    assert scaled(accuracy) == thousandths
    assert round(accuracy, 4) == four_digits


def test_the_points_tested_cover_what_the_issue_names(labs):
    """Missing cells, a category unseen in training, a sample below 1 and top-k features
    are all in the data and the points the code is run on."""
    features = read_json(labs["messy"]["out"] / "data.json")["spec"]["features"]
    assert "stowaway" not in next(f["categories"] for f in features if f["name"] == "class")
    val = (labs["messy"]["out"] / "download" / "val.csv").read_text(encoding="utf-8")
    assert "stowaway" in val and ",," in val
    assert any(v["sample_fraction"] < 1 and v["top_k_features"] for _, _, v in POINTS)


def normalised(cell: str) -> str:
    """A cell as the downloads hold it."""
    cell = cell.strip()
    return "" if cell.lower() in MISSING_TOKENS else cell


def rows_of(data: bytes) -> list[list[str]]:
    assert not data.startswith(codecs.BOM_UTF8)  # a BOM-free header
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_downloads_are_train_and_val_as_read_and_never_a_test_row(labs):
    lab = labs["messy"]
    out = lab["out"]
    assert read_json(out / "data.json")["download"] == {
        "max_mb": 10.0,
        "files": {"train": "download/train.csv", "val": "download/val.csv"},
        "withheld": None,
        "target_is_text": False,
    }
    for split in ("train", "val"):
        with open(lab["splits"] / f"{split}.csv", encoding="utf-8", newline="") as f:
            source = list(csv.reader(f))
        expected = [[normalised(c) for c in row] for row in source]
        if split == "train":  # numbers read with a thousands separator are written plainly
            assert expected[4][5] == "1,234.5"
            expected[4][5] = "1234.5"
        assert rows_of((out / "download" / f"{split}.csv").read_bytes()) == expected
    assert not (out / "download" / "test.csv").exists()
    leaked = [name for name, data in snapshot(out).items() if TEST_MARK.encode() in data]
    assert leaked == []


def test_carved_out_test_rows_are_never_published(labs):
    """With only train.csv, the published train.csv is the rows the build trained on: the
    rows held out as the test split appear in no file."""
    lab = labs["carved"]
    out, data = lab["out"], read_json(lab["out"] / "data.json")
    source = (lab["splits"] / "train.csv").read_bytes().decode("utf-16").splitlines()
    ids = {line.split("\t")[-1] for line in source[1:]}
    published = {}
    for split in ("train", "val"):
        rows = rows_of((out / "download" / f"{split}.csv").read_bytes())
        assert rows[0][-2:] == ["cabin", "row"]  # every column, the excluded one too
        assert len(rows) - 1 == data["rows"][split]
        published[split] = {r[-1] for r in rows[1:]}
    assert not published["train"] & published["val"]
    held_out = ids - published["train"] - published["val"]
    assert len(held_out) == data["rows"]["test"] == 80
    files = snapshot(out)
    leaked = [r for r in held_out if any(f"{r}\n".encode() in b for b in files.values())]
    assert leaked == []
    assert "南安普敦".encode() in (out / "download" / "train.csv").read_bytes()  # UTF-8 now


@pytest.fixture
def messy_copy(labs, tmp_path):
    splits, work = tmp_path / "splits", tmp_path / "work"
    shutil.copytree(labs["messy"]["splits"], splits)
    shutil.copytree(labs["messy"]["work"], work)
    return {"splits": splits, "work": work, "out": work / "out"}


def rebuild(lab: dict, **site) -> str:
    path = lab["splits"] / "forestlab.yml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    cfg["site"] = site
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    result = run_cli("build", "--splits", lab["splits"], "--work", lab["work"])
    assert result.code == 0, result.err
    assert "trained 0 of 32 families" in result.out  # the cap changes what is published only
    return result.err


def test_the_downloads_are_published_only_within_the_cap(messy_copy):
    out = messy_copy["out"]
    size = sum(len((out / "download" / f"{s}.csv").read_bytes()) for s in ("train", "val"))
    rebuild(messy_copy, download_max_mb=size / 1_000_000)  # exactly at the cap: published
    assert sorted(p.name for p in (out / "download").iterdir()) == ["train.csv", "val.csv"]

    err = rebuild(messy_copy, download_max_mb=(size - 1) / 1_000_000)
    assert not (out / "download").exists()
    download = read_json(out / "data.json")["download"]
    assert download["files"] == {} and download["withheld"] == "over_cap"
    assert "train.csv and val.csv are not offered for download" in err

    # under one byte a cell: over the cap before a byte is written (prepare keeps no cells)
    err = rebuild(messy_copy, download_max_mb=0.001)
    assert not (out / "download").exists() and "not offered for download" in err
    assert read_json(out / "data.json")["download"]["withheld"] == "over_cap"

    rebuild(messy_copy, download_max_mb=0)
    assert not (out / "download").exists()
    assert read_json(out / "data.json")["download"]["withheld"] == "disabled"


def test_a_changed_csv_republishes_its_download(messy_copy):
    """A cell of a column the forests never see: nothing retrains, the download changes."""
    path = messy_copy["splits"] / "train.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("train-5,", "train-five,"), "utf-8")
    result = run_cli("build", "--splits", messy_copy["splits"], "--work", messy_copy["work"])
    assert result.code == 0 and "trained 0 of 32 families" in result.out
    assert b"train-five," in (messy_copy["out"] / "download" / "train.csv").read_bytes()
