"""`forestlab new`: a teacher's lab repository from a CSV file or a folder of splits."""

from __future__ import annotations

import tomllib

import yaml
from conftest import ROOT, TINY_GRID, bundled_rows, run_cli, small_splits, write_csv
from forestlab import __version__
from forestlab.config import load_config
from forestlab.livecheck import PLAYWRIGHT
from forestlab.scaffold import SHARED


def test_a_folder_of_splits_becomes_a_lab(tmp_path):
    data = small_splits(tmp_path / "data")
    (data / "forestlab.yml").unlink()  # the teacher's data has no configuration yet
    lab = tmp_path / "lab"
    result = run_cli("new", lab, "--data", data, "--target", "survived")
    assert result.code == 0, result.err
    assert f"wrote {lab}" in result.out and "mkdocs serve" in result.out
    for name in (
        "mkdocs.yml",
        "requirements.txt",
        "README.md",
        ".gitignore",
        ".github/workflows/pages.yml",
        "splits/train.csv",
        "splits/val.csv",
        "splits/test.csv",
        "docs/index.zh.md",
        "docs/index.en.md",
        "docs/teacher-notes.zh.md",
        "docs/teacher-notes.en.md",
        *(f"docs/{n}" for n in SHARED),
        "docs/lessons/depth.zh.md",
        "docs/lessons/depth.en.md",
    ):
        assert (lab / name).exists(), name
    assert (lab / "splits" / "train.csv").read_bytes() == (data / "train.csv").read_bytes()
    # the configuration is valid, names the target, and gives every column and class a
    # display name in both languages, to translate
    cfg = load_config(lab / "splits" / "forestlab.yml")
    assert cfg.data.target == "survived"
    header, _ = bundled_rows("train", 1)
    assert sorted(cfg.data.column_names) == sorted(header)
    assert sorted(cfg.data.class_labels) == ["0", "1"]
    assert all(n.en and n.zh for n in cfg.data.column_names.values())
    requirements = (lab / "requirements.txt").read_text(encoding="utf-8")
    assert f"forestlab=={__version__}" in requirements.splitlines()
    readme = (lab / "README.md").read_text(encoding="utf-8")
    assert "Settings → Pages" in readme and "GitHub Actions" in readme and "## 中文" in readme
    # the workflow proves live training on the built site before it deploys, with the
    # Playwright the tests use, and says how to turn that off
    workflow = yaml.safe_load((lab / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    steps = {s.get("name"): s for s in workflow["jobs"]["build"]["steps"]}
    check = steps["Check live training"]
    assert check["if"] == "env.FORESTLAB_LIVE_CHECK != 'off'"
    assert workflow["env"]["FORESTLAB_LIVE_CHECK"] == "on"
    assert (
        f"pip install {PLAYWRIGHT}" in check["run"] and "forestlab check-live site" in check["run"]
    )
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert PLAYWRIGHT in pyproject["dependency-groups"]["test"]
    mkdocs = yaml.safe_load((lab / "mkdocs.yml").read_text(encoding="utf-8"))
    assert mkdocs["site_name"] == "lab"
    assert {"forestlab": {"splits": "splits"}} in mkdocs["plugins"]


def test_the_target_is_guessed_only_when_clear(tmp_path):
    header, rows = bundled_rows("train", 200)
    # with every column that could be a class list, the teacher is asked
    unclear = tmp_path / "titanic.csv"
    write_csv(unclear, header, rows)
    result = run_cli("new", tmp_path / "lab", "--data", unclear)
    assert result.code == 2
    assert "gender, class, embarked, sibsp, parch, survived" in result.err
    assert "--target" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "lab").exists() and sorted(p.name for p in tmp_path.iterdir()) == [
        "titanic.csv"
    ]  # nothing written, no staging folder left behind
    # a column named like a target settles it; so does a single column with few values
    named = tmp_path / "named.csv"
    write_csv(named, [*header[:-1], "label"], rows)
    assert run_cli("new", tmp_path / "a", "--data", named).code == 0
    assert load_config(tmp_path / "a" / "splits" / "forestlab.yml").data.target == "label"
    keep = [header.index(c) for c in ("age", "fare", "survived")]
    single = tmp_path / "single.csv"
    write_csv(single, [header[i] for i in keep], [[r[i] for i in keep] for r in rows])
    assert run_cli("new", tmp_path / "b", "--data", single).code == 0
    assert load_config(tmp_path / "b" / "splits" / "forestlab.yml").data.target == "survived"


def test_new_refuses_what_it_cannot_do_and_writes_nothing(tmp_path):
    data = small_splits(tmp_path / "data")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    cases = [
        (["new", taken, "--data", data, "--target", "survived"], "is not empty"),
        (["new", tmp_path / "x", "--data", tmp_path / "nothing"], "no such CSV file or folder"),
        (["new", tmp_path / "x", "--data", tmp_path], "needs train.csv"),
        (["new", tmp_path / "x", "--data", data, "--target", "survivd"], "no column 'survivd'"),
        (["--lang", "zh", "new", tmp_path / "x", "--data", data, "--target", "no"], "没有名为"),
    ]
    for args, expected in cases:
        result = run_cli(*args)
        assert result.code == 2, args
        assert expected in result.err, (args, result.err)
        assert "Traceback" not in result.err
    assert not (tmp_path / "x").exists()
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
    # data the build would refuse is refused before anything is written
    one_class = tmp_path / "one.csv"
    header, rows = bundled_rows("train", 100)
    write_csv(one_class, header, [[*r[:-1], "1"] for r in rows])
    result = run_cli("new", tmp_path / "x", "--data", one_class, "--target", "survived")
    assert result.code == 2 and "survived" in result.err
    assert not (tmp_path / "x").exists()


def test_a_lab_keeps_the_grid_the_teacher_sets(tmp_path):
    """The written grid is an ordinary configuration: a teacher's edit is what the build reads."""
    lab = tmp_path / "lab"
    assert (
        run_cli("new", lab, "--data", small_splits(tmp_path / "d"), "--target", "survived").code
        == 0
    )
    path = lab / "splits" / "forestlab.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["grid"] = TINY_GRID
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = run_cli("check", "--splits", lab / "splits")
    assert result.code == 0, result.err
    assert "grid: 24 points in 8 families: OK" in result.out
