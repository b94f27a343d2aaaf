"""Loading CSVs as teachers' spreadsheets export them, and preprocessing fitted on train only."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import bundled_rows, small_splits, write_config, write_csv
from forestlab.config import parse_config
from forestlab.csvload import read_table
from forestlab.prepare import prepare

ZH_HEADER = ["性别", "年龄", "舱位", "票价", "是否幸存"]


def zh_rows(n=120, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        sex = "女" if i % 3 == 0 else "男"
        cls = ["一等舱", "二等舱", "三等舱"][i % 3]
        survived = "幸存" if (sex == "女") ^ (rng.random() < 0.15) else "遇难"
        rows.append([sex, str(20 + i % 40), cls, f"{5 + (i * 7) % 90}.5", survived])
    return rows


def zh_config(folder):
    return write_config(folder, data={"target": "是否幸存", "positive_class": "幸存"})


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 with BOM"),
        ("gb18030", "GB18030/GBK"),
        ("gbk", "GB18030/GBK"),
        ("utf-16", "UTF-16"),
    ],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_encodings_and_delimiters_with_chinese_names(tmp_path, encoding, reported, delimiter):
    path = tmp_path / "train.csv"
    write_csv(path, ZH_HEADER, zh_rows(), encoding=encoding, delimiter=delimiter)
    table = read_table(path)
    assert table.encoding == reported
    assert table.delimiter == delimiter
    assert list(table.frame.columns) == ZH_HEADER
    assert table.frame["舱位"].iloc[0] == "一等舱"
    assert reported in str(table.notices[0])


def test_chinese_data_builds_its_features(tmp_path):
    write_csv(tmp_path / "train.csv", ZH_HEADER, zh_rows(200), encoding="gb18030")
    prepared = prepare(
        tmp_path, parse_config({"data": {"target": "是否幸存", "positive_class": "幸存"}}, "c")
    )
    kinds = {f["name"]: f["kind"] for f in prepared.spec["features"]}
    assert kinds == {
        "性别": "categorical",
        "年龄": "numeric",
        "舱位": "categorical",
        "票价": "numeric",
    }
    assert prepared.spec["target"]["classes"] == ["幸存", "遇难"]
    assert prepared.spec["encodings"]["train"] == "GB18030/GBK"


def test_missing_val_and_test_are_split_from_train_with_a_notice(tmp_path):
    header, rows = bundled_rows("train", 500)
    write_csv(tmp_path / "train.csv", header, rows)
    cfg = parse_config({"data": {"target": "survived"}}, "c")
    a, b = prepare(tmp_path, cfg), prepare(tmp_path, cfg)
    assert a.row_counts == {"train": 300, "val": 100, "test": 100}
    assert a.split_files == {
        "train": "train.csv",
        "val": "from train.csv",
        "test": "from train.csv",
    }
    assert any("val.csv not found: held out 100 rows" in str(n) for n in a.notices)
    assert any("test.csv not found: held out 100 rows" in str(n) for n in a.notices)
    assert np.array_equal(a.data.X_val, b.data.X_val)  # deterministic
    share = [np.mean(y) for y in (a.data.y_train, a.data.y_val, a.data.y_test)]
    assert max(share) - min(share) < 0.02  # stratified


def test_id_and_constant_columns_are_left_out_with_a_notice(tmp_path):
    header, rows = bundled_rows("train", 200)
    header = ["passenger_id", "row", "ship", *header]
    rows = [[f"P{i:04d}", str(1000 - i), "Titanic", *r] for i, r in enumerate(rows)]
    write_csv(tmp_path / "train.csv", header, rows)
    prepared = prepare(tmp_path, parse_config({"data": {"target": "survived"}}, "c"))
    names = [f["name"] for f in prepared.spec["features"]]
    assert "passenger_id" not in names and "ship" not in names and "row" not in names
    notices = [str(n) for n in prepared.notices]
    assert "column 'row' left out: consecutive row numbers (an ID)" in notices
    assert "column 'passenger_id' left out: a different value in every row (an ID)" in notices
    assert "column 'ship' left out: the same value in every row of train.csv" in notices


def test_thousands_separators_and_numbers_as_text_are_parsed(tmp_path):
    header = ["income", "city", "label"]
    rows = [[f"{1000 * (i + 1):,}", "A" if i % 2 else "B", str(i % 2)] for i in range(60)]
    rows[3][0] = '"12"'.strip('"')  # quoted number
    write_csv(tmp_path / "train.csv", header, rows)
    prepared = prepare(tmp_path, parse_config({"data": {"target": "label"}}, "c"))
    income = prepared.spec["features"][0]
    assert income["kind"] == "numeric"
    values = np.concatenate(
        [prepared.data.X_train[:, 0], prepared.data.X_val[:, 0], prepared.data.X_test[:, 0]]
    )
    assert 60000.0 in values and 12.0 in values and not np.isnan(values).any()


def test_preprocessing_is_fitted_on_train_only(tmp_path):
    """Val/test cells never shape the encoding: a changed val file leaves the spec alone."""
    small_splits(tmp_path / "a")
    small_splits(tmp_path / "b")
    header, rows = bundled_rows("val", 80)
    age, fare, cls = header.index("age"), header.index("fare"), header.index("class")
    for r in rows:
        r[age], r[fare] = "", "99999"  # all missing ages; extreme fares
        r[cls] = "stowaway"  # a category unseen in training
    write_csv(tmp_path / "b" / "val.csv", header, rows)
    cfg = parse_config({"data": {"target": "survived"}}, "c")
    a, b = prepare(tmp_path / "a", cfg), prepare(tmp_path / "b", cfg)
    assert a.spec["features"] == b.spec["features"]
    age_spec = next(f for f in b.spec["features"] if f["name"] == "age")
    train_ages = [float(r[age]) for r in bundled_rows("train", 240)[1]]
    assert age_spec["fill"] == float(np.median(train_ages))
    cols = [f["name"] for f in b.spec["features"]]
    assert set(b.data.X_val[:, cols.index("age")]) == {age_spec["fill"]}
    assert set(b.data.X_val[:, cols.index("class")]) == {-1.0}
    assert any("80 value(s) of 'class' do not occur in train.csv" in str(n) for n in b.notices)
    assert (
        f"column 'age': 80 empty cell(s) filled with {age_spec['fill']:g}, the median of train.csv"
        in [str(n) for n in b.notices]
    )
    assert not any("filled" in str(n) for n in a.notices)  # the bundled rows have no gaps
    assert np.array_equal(a.data.X_train, b.data.X_train)


def test_missing_cells_are_imputed_from_train(tmp_path):
    small_splits(tmp_path)
    header, rows = bundled_rows("train", 240)
    emb = header.index("embarked")
    for r in rows[:10]:
        r[emb] = "NA"
    write_csv(tmp_path / "train.csv", header, rows)
    prepared = prepare(tmp_path, parse_config({"data": {"target": "survived"}}, "c"))
    spec = next(f for f in prepared.spec["features"] if f["name"] == "embarked")
    assert spec["fill"] == "Southampton"  # the most frequent port in training
    assert "NA" not in spec["categories"]
    col = [f["name"] for f in prepared.spec["features"]].index("embarked")
    assert (prepared.data.X_train[:10, col] == spec["categories"].index("Southampton")).all()
    # said, in the run's language: the teacher may rather fix the data
    filled = [n for n in prepared.notices if "filled" in n.render("en")]
    assert [n.render("en") for n in filled] == [
        "column 'embarked': 10 empty cell(s) filled with 'Southampton', the most frequent "
        "value of train.csv"
    ]
    assert filled[0].render("zh") == (
        "列 'embarked'：10 个空单元格已用 train.csv 中最常见的值 'Southampton' 填充"
    )


def test_config_features_include_and_exclude(tmp_path):
    small_splits(tmp_path)
    cfg = parse_config({"data": {"target": "survived", "exclude": ["fare", "class"]}}, "c")
    names = [f["name"] for f in prepare(tmp_path, cfg).spec["features"]]
    assert names == ["gender", "age", "embarked", "sibsp", "parch"]
    cfg = parse_config({"data": {"target": "survived", "include": ["age", "gender"]}}, "c")
    assert [f["name"] for f in prepare(tmp_path, cfg).spec["features"]] == ["age", "gender"]
