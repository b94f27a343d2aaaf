"""Bad and hostile input: each case exits 2 with one clear message, no traceback, and changes nothing.

Every case starts from a completed build and breaks one thing in its splits or its config;
the previous output and cache must stay byte for byte as they were.
"""

from __future__ import annotations

import gzip
import os
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
        "The grid is too large to build: 24 grid points in 105,600 tree-row fits, roughly under a "
        "minute with build.jobs = 1 (limit build.max_tree_rows = 1,000).",
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


def symlink(split: str, target: str):
    def apply(folder):
        (folder / f"{split}.csv").unlink()
        (folder / f"{split}.csv").symlink_to(target)

    return apply


def sparse(split: str, size: int):
    """A file of `size` bytes that takes no disk space (holes read as zeros)."""

    def apply(folder):
        with open(folder / f"{split}.csv", "wb") as f:
            f.truncate(size)

    return apply


def config_text(text: str):
    def apply(folder):
        (folder / "forestlab.yml").write_text(text, encoding="utf-8")

    return apply


def row_cell(split: str, column: str, row: int, value: str):
    return rewrite(split, set_column(column, lambda n, v: value if n == row else v))


#: Nine lines of YAML that expand to 9**9 (387 million) values: the "billion laughs".
LAUGHS = (
    "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "data: {target: survived}\ngrid: {n_estimators: *i}\n"
)
CALC = "=cmd|' /C calc'!A0"
FIX_FORMULA = (
    "not a value; in the spreadsheet, copy the data and paste it as values only, then save as "
    "'CSV UTF-8' again"
)

#: Hostile and broken inputs beyond the build step's own catalogue above: spreadsheet
#: formulas, files that are not CSV text, terminal escapes, YAML bombs, absurd grids.
HOSTILE_CASES = [
    (
        "a 200 MB single field",
        raw("train", HEADER + b"male," + b"7" * 200 * 1024**2 + b",3rd,Belfast,7.5,0,0,1\n"),
        "train.csv: line 2: field larger than field limit (131072); a cell this long is not "
        "tabular data",
    ),
    (
        "formula cell (DDE command)",
        row_cell("train", "embarked", 5, CALC),
        f"""train.csv: line 7: column 'embarked' holds a spreadsheet formula ("{CALC}"), """
        + FIX_FORMULA,
    ),
    (
        "formula cell starting with @",
        row_cell("train", "class", 3, "@SUM(1+1)*cmd|' /C calc'!A0"),
        "train.csv: line 5: column 'class' holds a spreadsheet formula",
    ),
    (
        "formula cell starting with +, in val.csv",
        row_cell("val", "gender", 0, "+cmd|' /C notepad'!A0"),
        "val.csv: line 2: column 'gender' holds a spreadsheet formula",
    ),
    (
        "formula cell starting with -, in test.csv",
        row_cell("test", "embarked", 2, "-2+3+cmd|' /C calc'!A0"),
        "test.csv: line 4: column 'embarked' holds a spreadsheet formula",
    ),
    (
        "formula as a column name",
        rewrite("train", lambda h, r: ([*h[:3], '=HYPERLINK("http://evil.example")', *h[4:]], r)),
        "train.csv: line 1: a column name is a spreadsheet formula",
    ),
    (
        "formula in the target column",
        row_cell("train", "survived", 1, "=1+1"),
        "train.csv: line 3: column 'survived' holds a spreadsheet formula ('=1+1')",
    ),
    (
        "target column all missing",
        rewrite("train", set_column("survived", lambda n, v: "")),
        "train.csv: line 2: the target 'survived' is empty in 240 row(s)",
    ),
    (
        "infinity in a numeric column",
        row_cell("train", "fare", 2, "inf"),
        "train.csv: line 4: column 'fare' has a number too large to use ('inf')",
    ),
    (
        "negative numeric overflow",
        row_cell("train", "age", 2, "-1e400"),
        "train.csv: line 4: column 'age' has a number too large to use ('-1e400')",
    ),
    (
        "an Excel workbook named .csv",
        raw("train", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64),
        "train.csv: this is a zip archive, such as an Excel workbook (.xlsx), not a CSV text file",
    ),
    (
        "an old Excel workbook named .csv",
        raw("train", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
        "train.csv: this is an old-style Excel workbook (.xls), not a CSV text file",
    ),
    (
        "a gzip file named .csv",
        raw("val", gzip.compress(HEADER)),
        "val.csv: this is a gzip-compressed file, not a CSV text file",
    ),
    (
        "UTF-16 without a byte-order mark",
        raw("train", (HEADER + b"male,30,3rd,Belfast,7.5,0,0,1\n").decode().encode("utf-16-le")),
        "train.csv: this looks like UTF-16 text without a byte-order mark",
    ),
    (
        "train.csv is a folder",
        lambda folder: ((folder / "train.csv").unlink(), (folder / "train.csv").mkdir()),
        "train.csv: a folder, not a CSV file",
    ),
    (
        "train.csv links to an endless device",
        symlink("train", "/dev/zero"),
        "train.csv: not a regular file (a device or a pipe); use a saved CSV file",
    ),
    (
        "a 3 GiB file",
        sparse("test", 3 * 1024**3),
        "test.csv: 3.0 GiB is over the 2 GiB limit; sample it first",
    ),
    (
        "terminal escape in a column name",
        rewrite("train", lambda h, r: ([*h[:2], "\x1b[2Jx", "\x1b[2Jx", *h[4:]], r)),
        "train.csv: line 1: column name '\\x1b[2Jx' appears twice (columns 3 and 4)",
    ),
    (
        "bidirectional override in a column name",
        rewrite("train", lambda h, r: ([*h[:2], "\u202eega", "\u202eega", *h[4:]], r)),
        "train.csv: line 1: column name '\\u202eega' appears twice",
    ),
    (
        "a 400-digit class value",
        row_cell("train", "survived", 1, "9" * 400),
        "train.csv: class '99999999999999999999999999999999999999999999999999999999999… "
        "(402 characters) of 'survived' has fewer than 2 training rows",
    ),
    (
        "YAML billion laughs",
        config_text(LAUGHS),
        "forestlab.yml: line 1, column 4: not valid YAML (anchors and aliases (& and *) are "
        "not supported; write values out)",
    ),
    (
        "a key given twice",
        config_text("data: {target: survived}\ngrid: {max_depth: [2]}\ngrid: {max_depth: [3]}\n"),
        "forestlab.yml: line 3, column 1: not valid YAML (the key 'grid' appears twice; keep one)",
    ),
    (
        "negative depth",
        config(grid__max_depth=[-1]),
        "Config value 'grid.max_depth': item 1: -1 is not a depth; use a whole number from 1 to 100 or null",
    ),
    (
        "a million trees",
        config(grid__n_estimators=[1_000_000]),
        "Config value 'grid.n_estimators': item 1: 1000000 is not a tree count; use a whole "
        "number from 1 to 1000",
    ),
    (
        "a zero share of rows",
        config(grid__sample_fraction=[0]),
        "Config value 'grid.sample_fraction': item 1: 0 is not a share of the training rows",
    ),
    (
        "leaf size zero",
        config(grid__min_samples_leaf=[0]),
        "Config value 'grid.min_samples_leaf': item 1: 0 is not a leaf size",
    ),
    (
        "features per split 'all'",
        config(grid__max_features=["all"]),
        "Config value 'grid.max_features': item 1: 'all' is not a features-per-split setting",
    ),
    (
        "a grid that would need days",
        config(
            build__max_families=1_000_000,
            grid__n_estimators=[1000],
            grid__max_depth=list(range(1, 101)),
            grid__min_samples_leaf=list(range(1, 101)),
            grid__max_features=["sqrt", "log2", 0.5, 1.0],
            grid__criterion=["gini", "entropy", "log_loss"],
        ),
        "The grid is too large to build: 240,000 grid points in 31,680,000,000 tree-row fits, "
        "roughly 35 hours with build.jobs = 1",
    ),
    (
        "negative seed",
        config(seed=-5),
        "Config value 'seed': Input should be greater than or equal to 0",
    ),
    (
        "javascript: URL for Pyodide",
        config(widget__pyodide_url="javascript:alert(1)//"),
        "Config value 'widget.pyodide_url': 'javascript:alert(1)//' is not usable; give an "
        "https:// URL or a folder of the site",
    ),
    (
        "a billion live rows",
        config(widget__max_rows=10**9),
        "Config value 'widget.max_rows': Input should be less than or equal to 20000",
    ),
    (
        "display name for a class that does not exist",
        config(data__class_labels={"7": {"en": "Seven"}}),
        "Config value 'data.class_labels': '7' is not a class of 'survived'; the classes are "
        "'0', '1'",
    ),
    (
        "display name for a column that does not exist",
        config(data__column_names={"agee": {"en": "Age"}}),
        "Config value 'data.column_names': no column 'agee' in train.csv; did you mean 'age'?",
    ),
    (
        "configuration is a folder",
        lambda folder: ((folder / "forestlab.yml").unlink(), (folder / "forestlab.yml").mkdir()),
        "forestlab.yml: a folder, not a configuration file; pass the file with --config",
    ),
    (
        "target given as a list",
        config(data__target=["survived", "age"]),
        "Config value 'data.target': Input should be a valid string",
    ),
    (
        "a negative download cap",
        config(site__download_max_mb=-1),
        "Config value 'site.download_max_mb': Input should be greater than or equal to 0",
    ),
    (
        "a download cap in words",
        config(site__download_max_mb="ten"),
        "Config value 'site.download_max_mb': Input should be a valid number",
    ),
    (
        "a sample share too small for one row per class",
        config(grid__sample_fraction=[0.001, 1.0]),
        "Config value 'grid.sample_fraction': 0.001 cannot be a stratified sample of the 240 "
        "training rows",
    ),
]
ALL_CASES = CASES + HOSTILE_CASES


@pytest.mark.parametrize(
    ("breakage", "expected"), [c[1:] for c in ALL_CASES], ids=[c[0] for c in ALL_CASES]
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
    assert not any(c in result.err for c in "\x1b\u202e\x00")  # nothing raw reaches a terminal
    assert snapshot(work) == before


def test_the_catalogues_have_distinct_cases():
    assert len({c[0] for c in ALL_CASES}) == len(ALL_CASES)
    assert len(CASES) >= 15 and len(HOSTILE_CASES) >= 30


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


# -- the language of the messages --

LANGUAGE_CASES = [
    (
        config(data__target="survivd"),
        "train.csv：第 1 行：没有名为 'survivd' 的列（配置项 'data.target'）；你是不是想写 'survived'？",
        "train.csv: line 1: no column 'survivd' (Config value 'data.target'); "
        "did you mean 'survived'?",
    ),
    (
        config(grid__max_depth=[0, 3]),
        "配置项 'grid.max_depth'：第 1 项：0 不是有效的深度；请使用 1 到 100 之间的整数，或 null",
        "Config value 'grid.max_depth': item 1: 0 is not a depth; use a whole number from 1 to "
        "100 or null",
    ),
    (
        raw("val", HEADER + b"male,30,3rd,Belfast,7.5,0,0,1\nmale,30,3rd\n"),
        "val.csv：第 3 行：有 3 个单元格，而表头有 8 列；每一行的单元格数都必须与列数相同",
        "val.csv: line 3: 3 cells where the header has 8; every row needs one cell per column",
    ),
]


@pytest.mark.parametrize(("breakage", "zh", "en"), LANGUAGE_CASES, ids=["target", "grid", "row"])
def test_lang_chooses_the_language_of_messages(copy_build, breakage, zh, en):
    splits, work = copy_build["splits"], copy_build["work"]
    before = snapshot(work)
    breakage(splits)
    for lang, prefix, expected, other in (("zh", "错误：", zh, en), ("en", "error: ", en, zh)):
        result = run_cli("--lang", lang, "build", "--splits", splits, "--work", work)
        assert result.code == 2, result.err
        assert result.err.startswith(prefix)
        assert expected in result.err and other not in result.err
        assert "Traceback" not in result.err
    assert snapshot(work) == before


def test_the_language_comes_from_the_option_the_environment_or_the_locale():
    from forestlab.cli import choose_language

    assert choose_language("zh", {"FORESTLAB_LANG": "en"}) == "zh"
    assert choose_language(None, {"FORESTLAB_LANG": "zh", "LANG": "en_US.UTF-8"}) == "zh"
    assert choose_language(None, {"FORESTLAB_LANG": "en", "LANG": "zh_CN.UTF-8"}) == "en"
    assert choose_language(None, {"LANG": "zh_CN.UTF-8"}) == "zh"
    assert choose_language(None, {"LANG": "zh_TW.UTF-8", "LC_MESSAGES": "C"}) == "en"
    assert choose_language(None, {"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.GB18030"}) == "zh"
    assert choose_language(None, {"LANG": "C.UTF-8"}) == "en"
    assert choose_language(None, {}) == "en"


def test_a_chinese_locale_gives_chinese_messages_and_notices(tmp_path):
    """The real command under LANG=zh_CN.UTF-8: an error, then a passing check, in Chinese."""
    splits = tmp_path / "splits"
    header, rows = bundled_rows("train", 60)
    splits.mkdir()
    write_csv(splits / "train.csv", header, rows)
    (splits / "forestlab.yml").write_text("data: {target: survivd}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "FORESTLAB_LANG"))}
    env["LANG"] = "zh_CN.UTF-8"

    def check():
        return subprocess.run(
            [sys.executable, "-m", "forestlab", "check", "--splits", splits],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    proc = check()
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"错误：{splits / 'train.csv'}：第 1 行：没有名为 'survivd' 的列")
    (splits / "forestlab.yml").write_text(
        "data: {target: survived}\ngrid: {max_depth: [2], n_estimators: [5]}\n", encoding="utf-8"
    )
    proc = check()
    assert proc.returncode == 0, proc.stderr
    assert "提示：train.csv：读取了 60 行 × 8 列（UTF-8，逗号分隔）" in proc.stdout
    assert "没有找到 val.csv：已从 train.csv 中" in proc.stdout
    assert "网格：" in proc.stdout and "检查通过" in proc.stdout
    # argparse's own refusals too, and --lang chosen after the command
    mistakes = [
        (["check", "--jobs", "2"], "无法识别的参数：--jobs 2"),
        (["build", "--jobs", "x"], "参数 --jobs：无效的值 'x'"),
        (["new", "lab"], "缺少必需的参数：--data"),
        (["nosuch"], "'nosuch' 不是可选值"),
    ]
    for args, expected in mistakes:
        proc = subprocess.run(
            [sys.executable, "-m", "forestlab", *args], capture_output=True, text=True, env=env
        )
        assert proc.returncode == 2 and expected in proc.stderr, (args, proc.stderr)
        assert "错误：" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "forestlab", "build", "--lang", "en", "--jobs", "x"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2 and "argument --jobs: invalid value: 'x'" in proc.stderr


def test_every_broken_row_of_a_file_is_reported_in_one_run(copy_build):
    """Three bad lines, three messages (not one per run); past 20 the rest are counted."""
    splits = copy_build["splits"]
    good = b"male,30,3rd,Belfast,7.5,0,0,1\n"
    raw("val", HEADER + good + b"male,30\n" + good + b"male\n" + b"a,b,c\n" + good)(splits)
    result = run_cli("check", "--splits", splits)
    assert result.code == 2
    lines = result.err.splitlines()
    assert [line.split(": line ")[1].split(":")[0] for line in lines] == ["3", "5", "6"]
    assert lines[0].startswith("error: ") and lines[1].startswith("  ")
    raw("val", HEADER + b"male,30\n" * 25)(splits)
    lines = run_cli("check", "--splits", splits).err.splitlines()
    assert len(lines) == 21 and lines[-1] == "  … and 5 more of the same kind"
