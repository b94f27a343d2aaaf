"""Shared helpers: small real data sets written as CSV, and the CLI run in-process."""

from __future__ import annotations

import collections
import csv
import io
import os
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml
from forestlab.cli import main

ROOT = Path(__file__).resolve().parent.parent
#: Messages are asserted in English whatever the machine's locale (a zh_CN machine would show
#: them in Chinese); the tests of the language choice set their own environment.
os.environ["FORESTLAB_LANG"] = "en"
BUNDLED = ROOT / "splits"

#: Examples run by each property of tests/test_fuzz.py, reported at the end of the session.
FUZZ_COUNTS: collections.Counter[str] = collections.Counter()

#: A small grid that still holds every value the lessons' presets name (a lesson naming a value
#: outside the grid stops the site build), so the real pages build on it.
TINY_GRID = {
    "n_estimators": [1, 3, 100],
    "max_depth": [1, None],
    "max_features": ["sqrt"],
    "min_samples_leaf": [1, 5],
    "sample_fraction": [0.1, 1.0],
}


def teacher_mkdocs_yml(forestlab_options: str, site_name: str = "My class") -> str:
    """A teacher's whole mkdocs.yml, as the README shows it: Material, zh and en, and the
    forestlab plugin with `forestlab_options` (YAML lines indented under it)."""
    return f"""\
site_name: {site_name}
docs_dir: docs
theme: {{name: material, language: zh}}
plugins:
  - search
  - i18n:
      docs_structure: suffix
      languages:
        - {{locale: zh, name: 中文, default: true}}
        - {{locale: en, name: English}}
  - forestlab:
{forestlab_options}"""


def write_csv(path: Path, header: list[str], rows: list[list], encoding="utf-8", delimiter=","):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def write_config(folder: Path, **sections) -> Path:
    cfg = {"data": {"target": "survived"}, "grid": TINY_GRID, "build": {"jobs": 1}}
    sections = {k: v for k, v in sections.items() if v is not None}
    cfg.update(sections)
    path = folder / "forestlab.yml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def bundled_rows(split: str, n: int | None = None) -> tuple[list[str], list[list[str]]]:
    with open(BUNDLED / f"{split}.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1 : (n + 1 if n else None)]


def small_splits(folder: Path, n_train=240, n_val=80, n_test=80, **config) -> Path:
    """A real, small copy of the bundled splits plus a tiny-grid config."""
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("val", n_val), ("test", n_test)):
        if n:
            header, rows = bundled_rows(split, n)
            write_csv(folder / f"{split}.csv", header, rows)
    write_config(folder, **config)
    return folder


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


def run_cli(*args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return Run(code, out.getvalue(), err.getvalue())


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes (empty when the folder does not exist)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory):
    """The tiny grid on the small splits, built once per test module."""
    base = tmp_path_factory.mktemp("tiny")
    splits = small_splits(base / "splits")
    work = base / "work"
    result = run_cli("build", "--splits", splits, "--work", work)
    assert result.code == 0, result.err
    return {"splits": splits, "work": work, "run": result}


@pytest.fixture
def copy_build(tiny_build, tmp_path):
    """A private copy of the tiny build, for tests that change it."""
    splits = tmp_path / "splits"
    work = tmp_path / "work"
    shutil.copytree(tiny_build["splits"], splits)
    shutil.copytree(tiny_build["work"], work)
    return {"splits": splits, "work": work}


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, driven by Playwright (its own browser download is never used)."""
    from browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def pytest_terminal_summary(terminalreporter):
    """How many examples the fuzz properties ran (shown with or without -s)."""
    if not FUZZ_COUNTS:
        return
    c = FUZZ_COUNTS
    total = c["config"] + c["config file"] + c["csv"] + c["cli"]
    terminalreporter.write_line(
        f"fuzz: {total} examples run (config {c['config']}, config file {c['config file']}, "
        f"csv {c['csv']}, cli {c['cli']}); ended in a result: config {c['config ok']}, "
        f"config file {c['config file ok']}, csv {c['csv ok']}, cli {c['cli ok']}; "
        "the rest in a UserError"
    )
