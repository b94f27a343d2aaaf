"""The whole build on a tiny grid: cache, rebuilds, determinism, Dask, charts, site."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from browser import build_site
from conftest import ROOT, TINY_GRID, run_cli, small_splits, snapshot, write_csv
from forestlab.cache import Cache
from forestlab.config import options_reference
from test_loading import ZH_HEADER, zh_config, zh_rows

PUBLISHED = ("index.json", "data.json")
PUBLISHED_FOLDERS = ("charts/", "families/", "schema/", "download/")


def published(work: Path) -> dict[str, bytes]:
    """The output that reaches the site (timings and build time excluded by design)."""
    files = snapshot(work / "out")
    return {k: v for k, v in files.items() if k in PUBLISHED or k.startswith(PUBLISHED_FOLDERS)}


def test_cold_build_trains_every_family(tiny_build):
    assert "trained 8 of 8 families, 0 cached (24 grid points)" in tiny_build["run"].out
    err = tiny_build["run"].err
    # off a TTY, plain lines: first the notices of reading the data and what will be trained
    # where, then progress with elapsed time and an estimate of what is left
    assert err.index("notice: train.csv: read") < err.index("training 8 of 8 families")
    assert "training 8 of 8 families (24 grid points) on this process" in err
    assert re.search(r"training families: 8/8 \(100%\), \d\d:\d\d elapsed, about 00:00 left", err)
    out = tiny_build["work"] / "out"
    index = json.loads((out / "index.json").read_text())
    assert index["format"] == "forestlab.index/2"
    assert index["n_families"] == 8 and len(index["points"]["val_accuracy"]) == 24
    assert sorted(p.name for p in (out / "families").iterdir()) == [f"{f}.json" for f in range(8)]
    point = json.loads((out / "families" / "0.json").read_text())["points"][0]
    assert set(point["metrics"]) == {"train", "val", "test"}
    assert "fit_seconds" not in point  # timings are not published: they vary run to run
    timings = json.loads((tiny_build["work"] / "out" / "timings.json").read_text())
    assert all(t["fit_seconds"]["100"] > 0 for t in timings)


def test_rebuild_with_nothing_changed_trains_nothing(copy_build):
    before = published(copy_build["work"])
    result = run_cli("build", "--splits", copy_build["splits"], "--work", copy_build["work"])
    assert result.code == 0
    assert "trained 0 of 8 families, 8 cached" in result.out
    assert published(copy_build["work"]) == before


def test_changing_one_grid_value_trains_only_new_families(copy_build):
    path = copy_build["splits"] / "forestlab.yml"
    cfg = yaml.safe_load(path.read_text())
    cfg["grid"]["max_depth"] = [1, 4, None]
    path.write_text(yaml.safe_dump(cfg))
    result = run_cli("build", "--splits", copy_build["splits"], "--work", copy_build["work"])
    assert "trained 4 of 12 families, 8 cached" in result.out


def test_force_retrains_everything_to_the_same_results(copy_build):
    before = published(copy_build["work"])
    result = run_cli(
        "build", "--splits", copy_build["splits"], "--work", copy_build["work"], "--force"
    )
    assert "trained 8 of 8 families, 0 cached" in result.out
    assert published(copy_build["work"]) == before


def test_cache_entry_is_canonical_json_with_the_records_checksum(tmp_path):
    """An entry is the canonical JSON of {key, record, sha256 of the record's canonical JSON}
    (the store encodes the record once and splices it in): reading it back gives the record."""
    from forestlab.cache import canonical_json, sha256

    record = {"b": [1.5, None, "中", float("1e-7")], "a": {"z": 1, "y": -0.0}, "k": '"q"'}
    store = Cache(tmp_path)
    store.store("ab" * 32, record)
    expected = {"key": "ab" * 32, "record": record, "sha256": sha256(canonical_json(record))}
    assert store.path("ab" * 32).read_bytes() == canonical_json(expected)
    assert store.load("ab" * 32) == (record, None)


@pytest.mark.parametrize("damage", ["truncate", "empty", "tamper"])
def test_damaged_cache_entry_is_retrained_not_loaded(copy_build, damage):
    entries = sorted((copy_build["work"] / "cache" / "families").rglob("*.json"))
    victim = entries[0]
    data = victim.read_bytes()
    if damage == "truncate":
        victim.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        victim.write_bytes(b"")
    else:  # a plausible edit: a better accuracy than was measured
        victim.write_bytes(re.sub(rb'"accuracy":0\.\d+', b'"accuracy":0.99', data, count=1))
    before = published(copy_build["work"])
    result = run_cli("build", "--splits", copy_build["splits"], "--work", copy_build["work"])
    assert "trained 1 of 8 families, 7 cached" in result.out
    assert re.search(
        rf"notice: cache entry {victim.name} (failed its checksum|is unreadable)", result.err
    )
    assert published(copy_build["work"]) == before
    record, problem = Cache(copy_build["work"] / "cache").load(victim.stem)
    assert record is not None and problem is None


def _build_in_subprocess(splits: Path, work: Path, hashseed: str, *extra: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    subprocess.run(
        [sys.executable, "-m", "forestlab", "build", "--splits", splits, "--work", work, *extra],
        check=True,
        env=env,
        capture_output=True,
    )


@pytest.mark.slow
def test_builds_under_different_hash_seeds_are_byte_identical(tiny_build, tmp_path):
    _build_in_subprocess(tiny_build["splits"], tmp_path / "a", "1")
    _build_in_subprocess(tiny_build["splits"], tmp_path / "b", "4242", "--jobs", "2")
    a, b = published(tmp_path / "a"), published(tmp_path / "b")
    assert len(a) > 10 and a == b
    assert {"download/train.csv", "download/val.csv"} <= a.keys()  # the students' downloads
    assert a == published(tiny_build["work"])


@pytest.mark.slow
def test_dask_cluster_gives_the_same_results(tiny_build, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        processes=True,
    ) as cluster:
        result = run_cli(
            "build",
            "--splits",
            tiny_build["splits"],
            "--work",
            tmp_path,
            "--scheduler",
            cluster.scheduler_address,
        )
    assert result.code == 0, result.err
    assert "trained 8 of 8 families, 0 cached" in result.out
    assert published(tmp_path) == published(tiny_build["work"])


def test_unreachable_scheduler_is_a_user_error(copy_build):
    pytest.importorskip("distributed")
    result = run_cli(
        "build",
        "--splits",
        copy_build["splits"],
        "--work",
        copy_build["work"],
        "--force",
        "--scheduler",
        "tcp://127.0.0.1:9",
    )
    assert result.code == 2 and "cannot reach the Dask scheduler" in result.err


def test_chinese_names_appear_as_text_in_the_charts(tmp_path):
    splits = tmp_path / "splits"
    splits.mkdir()
    write_csv(splits / "train.csv", ZH_HEADER, zh_rows(300), encoding="gb18030")
    zh_config(splits)
    result = run_cli("build", "--splits", splits, "--work", tmp_path / "work")
    assert result.code == 0, result.err
    svg = (tmp_path / "work" / "out" / "charts" / "importance.zh.svg").read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"年龄", "票价", "性别", "舱位"} <= set(texts)
    assert "特征重要性" in texts  # the chart's own Chinese title, as text, not paths
    assert "<path" in svg and "glyph" not in svg.lower()
    cm = (tmp_path / "work" / "out" / "charts" / "confusion.zh.svg").read_text(encoding="utf-8")
    assert "幸存" in cm and "遇难" in cm


def test_every_chart_is_drawn_in_both_languages(tiny_build):
    charts = sorted(p.name for p in (tiny_build["work"] / "out" / "charts").iterdir())
    stems = {c.rsplit(".", 2)[0] for c in charts}
    assert stems == {
        "trees",
        "confusion",
        "importance",
        "roc",
        "curve-max_depth",
        "curve-min_samples_leaf",
        "curve-sample_fraction",
        "bias",  # the importance lesson's forest (explain.enabled)
    }
    assert len(charts) == 2 * len(stems)


def test_a_validation_split_of_one_class_has_no_roc_curve(tmp_path):
    """Six training rows and no val.csv: the validation split held out of train.csv is one
    row, so one class. There is no ROC curve nor AUC for it: the build publishes neither (no
    ROC chart, no `roc_val`) instead of failing while drawing one."""
    grid = {**TINY_GRID, "sample_fraction": [1.0]}
    splits = small_splits(tmp_path / "s", n_train=6, n_val=0, n_test=0, grid=grid)
    run = run_cli("build", "--splits", splits, "--work", tmp_path / "w")
    assert run.code == 0, run.err
    out = tmp_path / "w" / "out"
    data = json.loads((out / "data.json").read_text(encoding="utf-8"))
    assert 0 in data["class_counts"]["val"]  # the case itself: one class in validation
    assert not [c for c in data["charts"] if c.startswith("roc.")]
    for f in (out / "families").iterdir():
        for point in json.loads(f.read_text(encoding="utf-8"))["points"]:
            assert "roc_val" not in point and point["metrics"]["val"]["roc_auc"] is None


def test_mkdocs_builds_both_languages_strictly(tiny_build, tmp_path):
    site = build_site(tiny_build["work"] / "out", tmp_path / "site", ROOT)
    overview = (site / "overview" / "index.html").read_text(encoding="utf-8")
    assert "最佳配置" in overview and "../generated/main/charts/trees.zh.svg" in overview
    overview_en = (site / "en" / "overview" / "index.html").read_text(encoding="utf-8")
    assert (
        "Best configurations" in overview_en
        and "../../generated/main/charts/trees.en.svg" in overview_en
    )
    assert (site / "generated" / "main" / "index.json").is_file()
    assert (site / "generated" / "main" / "schema" / "index.schema.json").is_file()
    assert not (site / "generated" / "main" / "timings.json").exists()
    guide = (site / "en" / "teacher-guide" / "index.html").read_text(encoding="utf-8")
    missing = [
        key
        for key, _, _ in options_reference()
        if f'<td><span class="fl-nowrap"><code>{key}</code></span></td>' not in guide
    ]
    assert missing == []  # every option of the schema is documented on the site


def test_mkdocs_without_build_output_says_what_to_run(tmp_path):
    env = {**os.environ, "FORESTLAB_OUT": str(tmp_path / "none"), "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", ROOT / "mkdocs.yml", "-d", tmp_path / "s"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "run `forestlab build`" in proc.stderr


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["site"], ["new"], ["options"]])
def test_every_command_has_help(command):
    proc = subprocess.run(
        [sys.executable, "-m", "forestlab", *command, "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.startswith("usage: forestlab")


def test_a_second_concurrent_build_is_refused_clearly(copy_build):
    from filelock import FileLock

    before = published(copy_build["work"])
    with FileLock(copy_build["work"] / "build.lock"):  # as a running build holds it
        result = run_cli(
            "build", "--splits", copy_build["splits"], "--work", copy_build["work"], "--force"
        )
    assert result.code == 2
    assert "another forestlab build is running on" in result.err
    assert "Traceback" not in result.err
    assert published(copy_build["work"]) == before
    again = run_cli("build", "--splits", copy_build["splits"], "--work", copy_build["work"])
    assert again.code == 0, again.err


def test_site_is_replaced_only_by_a_successful_build(tiny_build, tmp_path, monkeypatch):
    site = tmp_path / "site"
    monkeypatch.setenv("FORESTLAB_OUT", str(tiny_build["work"] / "out"))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    assert run_cli("site", "--config-file", ROOT / "mkdocs.yml", "--site-dir", site).code == 0
    before = snapshot(site)
    assert "index.html" in before and "en/index.html" in before
    monkeypatch.setenv("FORESTLAB_OUT", str(tmp_path / "missing"))
    result = run_cli("site", "--config-file", ROOT / "mkdocs.yml", "--site-dir", site)
    assert result.code == 2
    assert f"the site did not build; {site} is unchanged" in result.err
    assert "run `forestlab build`" in result.err
    assert snapshot(site) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging folder left behind


@pytest.mark.slow
def test_killed_builds_leave_nothing_broken(tmp_path):
    """SIGKILL and SIGINT at random moments, ten times; then a rebuild reuses every complete
    cache entry and gives output byte-identical to a clean build, and at every moment the
    output folder held either nothing or a complete build."""
    import random
    import signal
    import time

    grid = {
        "n_estimators": [5, 40],
        "max_depth": [2, 4, 6, None],
        "max_features": ["sqrt", 1.0],
        "min_samples_leaf": [1, 5],
        "sample_fraction": [0.5, 1.0],
    }
    splits = small_splits(tmp_path / "splits", n_train=600, grid=grid, build={"jobs": 2})
    clean = tmp_path / "clean"
    _build_in_subprocess(splits, clean, "0")
    reference = published(clean)
    work = tmp_path / "work"
    rng = random.Random(20261128)
    # --force: every run trains and publishes again, so each signal lands mid-work
    cmd = [
        sys.executable,
        "-m",
        "forestlab",
        "build",
        "--splits",
        splits,
        "--work",
        work,
        "--force",
    ]
    for i in range(10):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.5, 6.0))
        sent = signal.SIGKILL if i % 2 == 0 else signal.SIGINT
        proc.send_signal(sent)
        # stderr closes only when the build's worker processes have ended too
        _, err = proc.communicate(timeout=60)
        assert b"Traceback" not in err, err
        if sent == signal.SIGINT:  # a Ctrl-C releases what the pool held (a kill cannot)
            assert b"leaked" not in err, err
        assert proc.returncode in (0, 130, -signal.SIGKILL), (proc.returncode, err)
        if (work / "out").exists():  # a complete earlier output, or none: never a partial one
            assert published(work) == reference
    entries = len(list((work / "cache" / "families").rglob("*.json")))
    result = run_cli("build", "--splits", splits, "--work", work)
    assert result.code == 0, result.err
    assert f"trained {32 - entries} of 32 families, {entries} cached" in result.out
    assert published(work) == reference
    assert not list(work.glob("out.staging-*")) and not list(work.rglob(".*.tmp"))


@pytest.mark.slow
def test_two_fresh_clones_build_byte_identical_sites(tmp_path):
    """Same commit, same SOURCE_DATE_EPOCH, different folders and hash seeds: every file of
    the two sites is the same."""
    head = subprocess.run(
        ["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    if head.returncode != 0:
        pytest.skip("not a git checkout: nothing to clone")
    sites = []
    for name, hashseed in (("a", "1"), ("b", "2")):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", ROOT, clone], check=True)
        (clone / "node_modules").symlink_to(ROOT / "node_modules")
        splits = small_splits(tmp_path / f"splits-{name}")
        env = {
            **os.environ,
            "PYTHONHASHSEED": hashseed,
            "SOURCE_DATE_EPOCH": "1700000000",
            "NO_MKDOCS_2_WARNING": "1",
            "FORESTLAB_OUT": str(clone / ".forestlab" / "out"),
        }
        forestlab = [sys.executable, "-m", "forestlab"]
        subprocess.run(
            [*forestlab, "build", "--splits", splits, "--work", clone / ".forestlab"],
            check=True,
            env=env,
            cwd=clone,
            capture_output=True,
        )
        subprocess.run([*forestlab, "site"], check=True, env=env, cwd=clone, capture_output=True)
        sites.append(snapshot(clone / "site"))
    assert len(sites[0]) > 50
    assert sites[0].keys() == sites[1].keys()
    differing = [name for name in sites[0] if sites[0][name] != sites[1][name]]
    assert differing == []
