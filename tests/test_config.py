"""The configuration schema: defaults, and the exact message of each error."""

from __future__ import annotations

import pytest
from forestlab.config import Config, load_config, options_reference, parse_config
from forestlab.errors import UserError


def errors_of(raw: dict) -> list[str]:
    with pytest.raises(UserError) as e:
        parse_config(raw, "cfg.yml")
    return e.value.lines


def test_default_grid_is_a_real_lesson():
    g = Config.model_validate({"data": {"target": "y"}}).grid
    assert len(g.n_estimators) >= 8 and max(g.n_estimators) == 200
    assert len(g.max_depth) >= 6 and None in g.max_depth
    assert len(g.max_features) >= 3 and len(g.min_samples_leaf) >= 3
    assert len(g.sample_fraction) >= 4


def test_bundled_config_loads():
    from conftest import BUNDLED

    cfg = load_config(BUNDLED / "forestlab.yml")
    assert cfg.data.target == "survived" and cfg.data.positive_class == "1"
    assert cfg.data.class_labels["1"].zh == "幸存"
    assert cfg.point_count() == 1728 and cfg.family_count() == 216


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {"data": {"target": "y"}, "grid": {"max_depht": [1]}},
            ["Config value 'grid.max_depht': unknown key; did you mean 'max_depth'?"],
        ),
        (
            {"data": {"targett": "y"}},
            [
                "Config value 'data.target': required, but not set",
                "Config value 'data.targett': unknown key; did you mean 'target'?",
            ],
        ),
        ({}, ["Config value 'data': required, but not set"]),
        (
            {"data": {"target": "y"}, "colour": 1},
            [
                "Config value 'colour': unknown key; known keys: data, seed, grid, build, widget, explain, site"
            ],
        ),
        (
            {"data": {"target": "y"}, "grid": {"max_depth": [0, 3]}},
            [
                "Config value 'grid.max_depth': item 1: 0 is not a depth; use a whole number from 1 to 100 or null"
            ],
        ),
        (
            {"data": {"target": "y"}, "grid": {"n_estimators": []}},
            ["Config value 'grid.n_estimators': the list is empty; give at least one value"],
        ),
        (
            {"data": {"target": "y"}, "grid": {"n_estimators": [10, 10]}},
            ["Config value 'grid.n_estimators': 10 is listed twice"],
        ),
        (
            {"data": {"target": "y"}, "grid": {"n_estimators": [5000]}},
            [
                "Config value 'grid.n_estimators': item 1: 5000 is not a tree count; use a whole number from 1 to 1000"
            ],
        ),
        (
            {"data": {"target": "y"}, "grid": {"max_features": ["all"]}},
            [
                "Config value 'grid.max_features': item 1: 'all' is not a features-per-split setting; "
                "use 'sqrt', 'log2', a share of the features between 0 and 1 (e.g. 0.5), or a whole number of features"
            ],
        ),
        (
            {"data": {"target": "y"}, "grid": {"sample_fraction": [1.5]}},
            [
                "Config value 'grid.sample_fraction': item 1: 1.5 is not a share of the training rows; use a number in (0, 1]"
            ],
        ),
        (
            {"data": {"target": "y"}, "grid": {"criterion": ["gain"]}},
            [
                "Config value 'grid.criterion': item 1: 'gain' is not one of 'gini', 'entropy', 'log_loss'"
            ],
        ),
        (
            {"data": {"target": "y"}, "grid": {"class_weight": ["even"]}},
            [
                "Config value 'grid.class_weight': item 1: 'even' is not one of null, 'balanced', 'balanced_subsample'"
            ],
        ),
        (
            {"data": {"target": "y"}, "seed": -1},
            ["Config value 'seed': Input should be greater than or equal to 0"],
        ),
        (
            {"data": {"target": "y"}, "build": {"jobs": 0}},
            ["Config value 'build.jobs': Input should be greater than or equal to 1"],
        ),
        (
            {"data": {"target": "y", "class_labels": {"1": {"fr": "oui"}}}},
            ["Config value 'data.class_labels.1.fr': unknown key; known keys: en, zh"],
        ),
    ],
)
def test_each_error_has_its_exact_message(raw, expected):
    lines = errors_of(raw)
    n = len(expected)
    assert lines[0] == f"cfg.yml: {n} error{'s' if n > 1 else ''} in the configuration:"
    assert lines[1:] == expected


def test_all_errors_are_collected_at_once():
    lines = errors_of(
        {
            "data": {"target": "y"},
            "seed": "x",
            "grid": {"max_depth": [0], "criterion": ["x"], "min_samples_leaf": [0]},
        }
    )
    assert lines[0] == "cfg.yml: 4 errors in the configuration:"
    assert [line.split("'")[1] for line in lines[1:]] == [
        "seed",
        "grid.max_depth",
        "grid.min_samples_leaf",
        "grid.criterion",
    ]


def test_values_keep_their_meaning():
    cfg = parse_config(
        {
            "data": {"target": "y", "positive_class": 1},
            "grid": {"max_features": [1, 1.0, "sqrt"], "max_depth": [None, 4]},
        },
        "c",
    )
    assert cfg.grid.max_features == [1, 1.0, "sqrt"]  # 1 feature vs all features
    assert [type(v) for v in cfg.grid.max_features] == [int, float, str]
    assert cfg.data.positive_class == "1"


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "forestlab.yml"
    path.write_text("data:\n  target: y\ngrid: [\n", encoding="utf-8")
    with pytest.raises(UserError) as e:
        load_config(path)
    assert str(e.value).startswith(f"{path}: line 4, column 1: not valid YAML")


def test_missing_config_file_says_what_to_do(tmp_path):
    with pytest.raises(UserError, match="configuration file not found; create it"):
        load_config(tmp_path / "nope.yml")


def test_the_data_description_is_not_called_a_display_name():
    docs = {key: doc for key, _, doc in options_reference()}
    assert "display name" not in docs["data.about.en"].lower()
    assert "licence" in docs["data.about.en"] and "Chinese" in docs["data.about.zh"]
    assert docs["data.column_names"] == "Display names of columns, by column name."


def test_every_option_is_documented():
    rows = options_reference()
    assert len(rows) > 15
    undocumented = [key for key, _, doc in rows if not doc.strip()]
    assert undocumented == []
