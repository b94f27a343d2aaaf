"""Large data: the default grid trains on a sample of the training rows that fits the build's
budget (data.train_rows), says so, and `forestlab new` writes it where the teacher sees it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from conftest import bundled_rows, run_cli, small_splits, write_csv
from forestlab.config import Config, parse_config
from forestlab.errors import UserError
from forestlab.formats import HELD_OUT
from forestlab.grid import MIN_SAMPLE, rows_that_fit, sample_size, tree_rows
from forestlab.pages import Fragments
from forestlab.prepare import sample_rows


def default_config(**data) -> Config:
    return parse_config({"data": {"target": "survived", **data}}, "test")


def test_the_sample_is_exact_stratified_seeded_and_keeps_every_class():
    y = np.repeat([0, 1, 2], [9000, 900, 3])
    rng = np.random.default_rng(0)
    y = rng.permutation(y)
    rows = sample_rows(y, 1000, seed=7)
    assert len(rows) == 1000 and len(set(rows)) == 1000
    assert np.all(np.diff(rows) > 0)  # in the file's order
    counts = np.bincount(y[rows], minlength=3)
    assert counts[2] >= 2  # a rare class keeps two rows, so it can still be learnt
    assert abs(counts[1] - 900 * 1000 / 9903) <= 1
    assert np.array_equal(rows, sample_rows(y, 1000, seed=7))
    assert not np.array_equal(rows, sample_rows(y, 1000, seed=8))


def test_auto_takes_the_most_rows_that_fit_and_only_for_the_default_grid():
    cfg = default_config()
    limit = cfg.build.max_tree_rows
    n = rows_that_fit(cfg, 60_000)
    assert tree_rows(cfg, n) <= limit < tree_rows(cfg, n + 1)
    assert sample_size(cfg, 60_000) == n
    assert sample_size(cfg, 2_000) == 2_000  # small data: every row
    assert sample_size(default_config(train_rows="all"), 60_000) == 60_000
    assert sample_size(default_config(train_rows=3_000), 60_000) == 3_000
    # the teacher's own grid is never cut down without being asked
    own = parse_config({"data": {"target": "survived"}, "grid": {"max_depth": [2, 4]}}, "t")
    assert sample_size(own, 60_000) == 60_000
    # a default grid written out in full is still the default grid
    spelled = parse_config(
        {
            "data": {"target": "survived"},
            "grid": Config.model_fields["grid"].default_factory().model_dump(),
        },
        "t",
    )
    assert spelled.default_grid() and sample_size(spelled, 60_000) == n
    # with a limit so low that fewer than MIN_SAMPLE rows fit, auto trains on every row (and
    # the size check then refuses the grid with its numbers)
    tight = parse_config({"data": {"target": "survived"}, "build": {"max_tree_rows": 1000}}, "t")
    assert rows_that_fit(tight, 60_000) < MIN_SAMPLE and sample_size(tight, 60_000) == 60_000


@pytest.mark.parametrize("value", [0, 9, -5, 2.5, "some", True, [100]])
def test_train_rows_takes_auto_all_or_a_number(value):
    with pytest.raises(UserError) as e:
        default_config(train_rows=value)
    assert "data.train_rows" in str(e.value) and "auto, all or a whole number" in str(e.value)


def large_csv(path, n_rows: int):
    """The bundled rows repeated, a Chinese header, in GBK: a class's whole year of data."""
    header, rows = bundled_rows("train")
    chinese = [
        "性别",
        "年龄",
        "舱位",
        "登船港口",
        "票价",
        "同行兄弟姐妹",
        "同行父母子女",
        "是否幸存",
    ]
    assert len(header) == len(chinese)
    write_csv(path, chinese, [rows[i % len(rows)] for i in range(n_rows)], encoding="gbk")


def test_new_writes_the_sample_for_large_data_and_the_build_says_so(tmp_path):
    data = tmp_path / "year.csv"
    large_csv(data, 15_000)  # 9,000 training rows once val and test are held out
    lab = tmp_path / "lab"
    result = run_cli("new", lab, "--data", data, "--target", "是否幸存")
    assert result.code == 0, result.err
    cfg_path = lab / "splits" / "forestlab.yml"
    written = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    n = written["data"]["train_rows"]
    assert MIN_SAMPLE <= n < 9_000
    assert n == rows_that_fit(parse_config(written, "t"), 9_000)
    assert "data.train_rows" in cfg_path.read_text(encoding="utf-8").split("data:")[0]
    said = f"same stratified sample of {n:,} of the 9,000 training rows (data.train_rows)"
    assert said in result.err
    check = run_cli("check", "--splits", lab / "splits")
    assert check.code == 0, check.err
    assert f"train {n:,}" in check.out and said in check.out

    # every row asked for: the grid is refused with its numbers and the sample that fits
    written["data"]["train_rows"] = "all"
    cfg_path.write_text(yaml.safe_dump(written, allow_unicode=True), encoding="utf-8")
    refused = run_cli("check", "--splits", lab / "splits")
    assert refused.code == 2
    assert "tree-row fits" in refused.err
    assert f"data.train_rows: {n} fits within the limit" in refused.err
    assert "Traceback" not in refused.err
    # a sample too large: the suggestion counts every training row, not the sample asked for
    written["data"]["train_rows"] = 8_500
    cfg_path.write_text(yaml.safe_dump(written, allow_unicode=True), encoding="utf-8")
    refused = run_cli("check", "--splits", lab / "splits")
    assert refused.code == 2
    assert f"sample of the 9,000 training rows: data.train_rows: {n} fits" in refused.err


def test_a_sampled_build_publishes_the_sample_and_the_card_says_so(tmp_path):
    splits = small_splits(
        tmp_path / "splits", n_train=240, data={"target": "survived", "train_rows": 120}
    )
    work = tmp_path / "work"
    result = run_cli("build", "--splits", splits, "--work", work)
    assert result.code == 0, result.err
    assert "sample of 120 of the 240 training rows" in result.err
    out = work / "out"
    data = json.loads((out / "data.json").read_text(encoding="utf-8"))
    assert data["rows"]["train"] == 120 and data["sampled_from"] == 240
    assert sum(data["class_counts"]["train"]) == 120
    # the downloadable train.csv holds exactly the rows the models trained on
    download = next(p for p in data["download"]["files"].values() if p.endswith("train.csv"))
    assert len((out / download).read_text(encoding="utf-8").splitlines()) == 1 + 120
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    build = json.loads((out / "build.json").read_text(encoding="utf-8"))
    for lang, words in (
        ("en", "sample of 120 of the 240 training rows"),
        ("zh", "240 行训练数据"),
        ("en", "<td>120 of 240</td>"),
        ("zh", "<td>240 行中的 120 行</td>"),
    ):
        card = Fragments(index, data, build, "", lang).data_card()
        assert words in card, card
        data_all = {**data, "sampled_from": None}
        assert words not in Fragments(index, data_all, build, "", lang).data_card()


def test_the_card_names_splits_held_out_of_train_csv_in_the_page_language(tmp_path):
    """val and test carved out of train.csv: the card says so in words, not as a file name."""
    splits = small_splits(tmp_path / "splits", n_train=400, n_val=0, n_test=0)
    work = tmp_path / "work"
    assert run_cli("build", "--splits", splits, "--work", work).code == 0
    out = work / "out"
    data = json.loads((out / "data.json").read_text(encoding="utf-8"))
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    build = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert data["split_files"] == {"train": "train.csv", "val": HELD_OUT, "test": HELD_OUT}
    zh = Fragments(index, data, build, "", "zh").data_card()
    en = Fragments(index, data, build, "", "en").data_card()
    assert zh.count("从 <code>train.csv</code> 划出") == 2 and "from train.csv" not in zh
    assert en.count("held out of <code>train.csv</code>") == 2
