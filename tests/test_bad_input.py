"""Bad input: each case exits 2 with one clear message, no traceback, and changes nothing.

Every case starts from a completed build and breaks one thing in its splits or its config;
the previous output and cache must stay byte for byte as they were.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from conftest import bundled_rows, run_cli, snapshot, write_csv


def rewrite(split: str, edit):
    """A case that rewrites one bundled split through `edit(header, rows)`."""

    def apply(folder):
        header, rows = bundled_rows(split, 240 if split == "train" else 80)
        header, rows = edit(header, rows) or (header, rows)
        write_csv(folder / f"{split}.csv", header, rows)

    return apply


def raw(split: str, data: bytes):
    def apply(folder):
        (folder / f"{split}.csv").write_bytes(data)

    return apply


def config(**changes):
    def apply(folder):
        path = folder / "forestlab.yml"
        cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
        for dotted, value in changes.items():
            node = cfg
            *parents, last = dotted.split("__")
            for p in parents:
                node = node.setdefault(p, {})
            node[last] = value
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")

    return apply


def set_column(name, fn):
    def edit(header, rows):
        i = header.index(name)
        for n, r in enumerate(rows):
            r[i] = fn(n, r[i])

    return edit


HEADER = b"gender,age,class,embarked,fare,sibsp,parch,survived\n"

CASES = [
    (
        "empty file",
        raw("train", b""),
        "train.csv: the file is empty; it needs a header line and data rows",
    ),
    ("blank lines only", raw("train", b"\n\n  \n"), "train.csv: the file is empty"),
    ("header only", raw("train", HEADER), "train.csv: only a header line; add data rows below it"),
    (
        "ragged row, too many cells",
        raw("val", HEADER + b"male,30,3rd,Belfast,7.5,0,0,1\nmale,30,3rd,Belfast,7.5,0,0,1,9\n"),
        "val.csv: line 3: 9 cells where the header has 8; every row needs one cell per column",
    ),
    (
        "ragged row, too few cells",
        raw("val", HEADER + b"male,30,3rd,Belfast,7.5,0,0,1\nmale,30,3rd\n"),
        "val.csv: line 3: 3 cells where the header has 8; every row needs one cell per column",
    ),
    (
        "undecodable bytes",
        raw(
            "train", HEADER + b"male,30,3rd,Belfast,7.5,0,0,1\n\x80\xff,30,3rd,Belfast,7.5,0,0,0\n"
        ),
        "train.csv: line 3: bytes that are not UTF-8 or GB18030/GBK text; save the file as 'CSV UTF-8'",
    ),
    (
        "NUL byte",
        raw("test", HEADER + b"male,30,3rd,Bel\x00fast,7.5,0,0,1\n"),
        "test.csv: line 2: contains a NUL byte; this is not a text CSV file",
    ),
    (
        "single column",
        raw("train", b"survived\n1\n0\n"),
        "train.csv: line 1: found no comma, semicolon or tab between column names",
    ),
    (
        "missing target",
        config(data__target="survivd"),
        "train.csv: line 1: no column 'survivd' (Config value 'data.target'); did you mean 'survived'?",
    ),
    (
        "one-class target",
        rewrite("train", set_column("survived", lambda n, v: "1")),
        "train.csv: the target 'survived' has only one value ('1'); a classifier needs at least two classes",
    ),
    (
        "target with hundreds of classes",
        rewrite("train", set_column("survived", lambda n, v: f"c{n}")),
        "train.csv: the target 'survived' has 240 distinct values, more than Config value 'data.max_classes' (20)",
    ),
    (
        "empty target cells",
        rewrite("train", set_column("survived", lambda n, v: "" if n in (4, 9) else v)),
        "train.csv: line 6: the target 'survived' is empty in 2 row(s); fill them in or remove those rows",
    ),
    (
        "val class unseen in train",
        rewrite("val", set_column("survived", lambda n, v: "2" if n == 7 else v)),
        "val.csv: line 9: target value '2' does not occur in train.csv; every class must have training rows",
    ),
    (
        "duplicate column names",
        rewrite("train", lambda h, r: ([*h[:-2], "age", h[-1]], r)),
        "train.csv: line 1: column name 'age' appears twice (columns 2 and 7); rename one of them",
    ),
    (
        "columns differ across splits",
        rewrite("test", lambda h, r: ([*h[:4], "price", *h[5:]], r)),
        "test.csv: line 1: columns differ from train.csv (missing 'fare'; extra 'price'); every split needs the same columns",
    ),
    (
        "all-missing column",
        rewrite("train", set_column("fare", lambda n, v: "")),
        "train.csv: column 'fare' has no values (every cell is empty); remove it or add it to Config value 'data.exclude'",
    ),
    (
        "text in a numeric column",
        rewrite("train", set_column("age", lambda n, v: "forty" if n == 11 else v)),
        "train.csv: line 13: column 'age' holds numbers, but 'forty' is not one (1 such cell(s)); correct them or leave them empty",
    ),
    (
        "numeric overflow",
        rewrite("train", set_column("fare", lambda n, v: "1e400" if n == 2 else v)),
        "train.csv: line 4: column 'fare' has a number too large to use ('1e400'); correct it",
    ),
    (
        "text in a numeric val column",
        rewrite("val", set_column("fare", lambda n, v: "free" if n == 0 else v)),
        "val.csv: line 2: column 'fare' holds numbers in train.csv, but 'free' is not a usable number; correct it",
    ),
    (
        "class with one training row",
        rewrite("train", set_column("survived", lambda n, v: "2" if n == 0 else v)),
        "train.csv: class '2' of 'survived' has fewer than 2 training rows; a forest cannot learn it",
    ),
    (
        "train.csv missing",
        lambda folder: (folder / "train.csv").unlink(),
        "train.csv: file not found",
    ),
    (
        "config unknown key",
        config(grid__max_depht=[2]),
        "Config value 'grid.max_depht': unknown key; did you mean 'max_depth'?",
    ),
    (
        "config YAML syntax",
        lambda folder: (folder / "forestlab.yml").write_text("data: [\n"),
        "not valid YAML",
    ),
    (
        "config positive class",
        config(data__positive_class="yes"),
        "Config value 'data.positive_class': 'yes' is not a class of 'survived'; the classes are '0', '1'",
    ),
    (
        "config unknown exclude",
        config(data__exclude=["fares"]),
        "Config value 'data.exclude': no column 'fares' in train.csv; did you mean 'fare'?",
    ),
    (
        "everything excluded",
        config(data__include=["survived"]),
        "train.csv: no usable feature columns are left besides the target",
    ),
    (
        "top-k above feature count",
        config(grid__top_k_features=[None, 12]),
        "Config value 'grid.top_k_features': 12 is more than the 7 usable features of the data",
    ),
    (
        "grid too large",
        config(build__max_tree_rows=1000),
        "The grid is too large to build: 24 grid points in 8,640 tree-row fits (limit build.max_tree_rows = 1,000).",
    ),
    (
        "config not a mapping",
        lambda folder: (folder / "forestlab.yml").write_text("- 1\n"),
        "forestlab.yml: the file must be a mapping of keys",
    ),
    (
        "mixed encodings in one file",
        raw(
            "train",
            HEADER
            + "male,30,3rd,南安普敦,7.5,0,0,1\n".encode()
            + "female,30,3rd,南安普敦,7.5,0,0,0\n".encode("gbk"),
        ),
        "train.csv: line 2 is UTF-8 but line 3 is not: the file mixes encodings; "
        "save the whole file once as 'CSV UTF-8'",
    ),
    (
        "a cell of 300,000 characters",
        raw("train", HEADER + b"male," + b"9" * 300_000 + b",3rd,Belfast,7.5,0,0,1\n"),
        "train.csv: line 2: field larger than field limit (131072); "
        "a cell this long is not tabular data",
    ),
    (
        "10,000 columns",
        rewrite(
            "train",
            lambda h, r: (
                [*h, *(f"c{i}" for i in range(10_000))],
                [[*x, *("0" * 10_000)] for x in r],
            ),
        ),
        "train.csv: line 1: 10,008 columns, more than Config value 'data.max_columns' (1,000); "
        "list the columns to use in data.include",
    ),
]


@pytest.mark.parametrize(
    ("breakage", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_exits_2_with_a_clear_message_and_changes_nothing(copy_build, breakage, expected):
    splits, work = copy_build["splits"], copy_build["work"]
    before = snapshot(work)
    breakage(splits)
    result = run_cli("build", "--splits", splits, "--work", work)
    assert result.code == 2, result.err
    assert result.err.startswith("error: ")
    assert expected in result.err
    assert "Traceback" not in result.err
    assert snapshot(work) == before


def test_at_least_fifteen_distinct_cases():
    assert len({c[0] for c in CASES}) == len(CASES) >= 15


def test_check_reports_the_same_errors(copy_build):
    config(data__target="nope")(copy_build["splits"])
    result = run_cli("check", "--splits", copy_build["splits"])
    assert result.code == 2 and "no column 'nope'" in result.err


def test_jobs_must_be_positive(copy_build):
    result = run_cli(
        "build", "--splits", copy_build["splits"], "--work", copy_build["work"], "--jobs", "0"
    )
    assert result.code == 2 and "--jobs 0: use 1 or more worker processes" in result.err


def test_a_real_process_exits_2_without_traceback(tmp_path):
    (tmp_path / "train.csv").write_bytes(b"")
    (tmp_path / "forestlab.yml").write_text("data: {target: y}\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "forestlab",
            "build",
            "--splits",
            tmp_path,
            "--work",
            tmp_path / "w",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {tmp_path / 'train.csv'}: the file is empty")
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "w").exists()
