"""Beyond the score, checked against scikit-learn itself: permutation importances, the 2-D
map's cells, the seed spread, the importance lesson's forest; which families get the spread;
the explain options and their errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_cli, small_splits
from forestlab import formats, grid
from forestlab.config import Config, parse_config
from forestlab.core import explain
from forestlab.core.family import Dataset, fit_family_model, make_forest, sample_indices
from sklearn.ensemble import RandomForestClassifier
from sklearn.inspection import permutation_importance
from test_inside import PARAMS


def dataset(n_classes: int = 2, seed: int = 0, **extra) -> Dataset:
    """Synthetic splits: two informative continuous columns, one categorical-like column and
    one of noise."""
    rng = np.random.default_rng(seed)

    def split(n):
        X = np.column_stack(
            [rng.normal(size=n), rng.normal(size=n), rng.integers(0, 3, n), rng.normal(size=n)]
        )
        score = X[:, 0] + 0.7 * X[:, 1] + 0.3 * X[:, 2] + rng.normal(scale=0.8, size=n)
        edges = np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1])
        return X, np.searchsorted(edges, score)

    X_train, y_train = split(300)
    X_val, y_val = split(120)
    return Dataset(X_train, y_train, X_val, y_val, None, None, n_classes, 1, (0, 1, 2, 3), **extra)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(
    "params",
    [PARAMS, {**PARAMS, "max_depth": 3, "top_k_features": 2, "min_samples_leaf": 5}],
)
def test_permutation_importances_are_scikit_learns(params, n_classes):
    """Also for a column of three categories, whose shuffles repeat values (predicted once)."""
    data = dataset(n_classes)
    record, forest = fit_family_model(data, params, [1, 20], seed=7)
    cols = record["features_used"]
    expected = permutation_importance(
        forest, data.X_val[:, cols], data.y_val, n_repeats=explain.PI_REPEATS, random_state=7
    )
    pi = record["permutation"]
    assert pi["n_estimators"] == 20 and pi["repeats"] == explain.PI_REPEATS
    assert pi["baseline"] == forest.score(data.X_val[:, cols], data.y_val)
    for k, c in enumerate(cols):
        assert pi["mean"][c] == pytest.approx(expected.importances_mean[k], abs=1e-12)
        assert pi["std"][c] == pytest.approx(expected.importances_std[k], abs=1e-12)
    unused = set(range(4)) - set(cols)
    assert all(pi["mean"][c] is None and pi["std"][c] is None for c in unused)


def test_permutation_importances_on_a_sample_of_a_large_validation_split():
    """Above PI_MAX_ROWS validation rows, the shuffles are scored on a sample of them, as
    scikit-learn's `max_samples` draws it (its accuracy without shuffling stays on all rows)."""
    data = dataset()
    _, forest = fit_family_model(data, {**PARAMS, "max_depth": 4}, [15], seed=3)
    classes = forest.classes_.astype(int)
    for max_rows in (50, 119, 120):
        baseline, drops = explain.permutation_importance(
            forest.estimators_, classes, 2, data.X_val, data.y_val, 3, max_rows=max_rows
        )
        expected = permutation_importance(
            forest,
            data.X_val,
            data.y_val,
            n_repeats=explain.PI_REPEATS,
            random_state=3,
            max_samples=max_rows,
        )
        assert np.allclose(drops, expected.importances, atol=1e-12)
        assert baseline == forest.score(data.X_val, data.y_val)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_the_map_is_predict_proba_on_its_cells_to_the_quantisation_step(n_classes):
    data = dataset(n_classes, map_pair=(0, 1))
    params = {**PARAMS, "max_depth": 4, "sample_fraction": 0.5}
    record, _ = fit_family_model(data, params, [1, 5, 10, 25, 50, 100], seed=3)
    m = record["map"]
    assert m["counts"] == [1, 5, 25, 50] and m["features"] == [0, 1]
    assert m["axes"] == [[data.X_train[:, c].min(), data.X_train[:, c].max()] for c in (0, 1)]
    rows = sample_indices(data.y_train, 0.5, 3)
    lo_x, hi_x = m["axes"][0]
    lo_y, hi_y = m["axes"][1]
    step = (hi_x - lo_x) / m["size"], (hi_y - lo_y) / m["size"]
    # cell (row 0, column 1): the lowest y, the second x
    xs = lo_x + (np.arange(m["size"]) + 0.5) * step[0]
    ys = lo_y + (np.arange(m["size"]) + 0.5) * step[1]
    mesh = np.array([(x, y) for y in ys for x in xs])
    assert np.allclose(explain.map_mesh(m["axes"]), mesh)
    cells = explain.decode_map(m, n_classes)
    for n in m["counts"]:
        forest = RandomForestClassifier(n_estimators=n, max_depth=4, random_state=3, n_jobs=1).fit(
            data.X_train[rows][:, [0, 1]], data.y_train[rows]
        )
        p = np.zeros((len(mesh), n_classes))
        p[:, forest.classes_] = forest.predict_proba(mesh.astype(np.float32))
        if n_classes == 2:
            assert np.abs(cells[n] - p[:, 1]).max() <= 0.5 / 255 + 1e-12
        else:
            kind, q = cells[n]
            assert np.array_equal(kind, np.argmax(p, axis=1))
            assert np.abs(q / 255 - p.max(axis=1)).max() <= 0.5 / 255 + 1e-12
    shown = m["points"]
    assert len(shown["x"]) == min(explain.MAP_POINTS, len(rows))
    assert set(shown["class"]) == set(range(n_classes))


def test_the_spread_is_each_seeds_own_forest():
    data = dataset()
    record, _ = fit_family_model(data, {**PARAMS, "max_depth": 3}, [1, 10, 30], seed=5, spread=True)
    spread = record["spread"]
    assert spread["seeds"] == [5, 6, 7, 8, 9]
    assert spread["val"][0] == [round(v, 6) for v in record["curve"]["val"]]
    for seed, curve in zip(spread["seeds"], spread["val"], strict=True):
        assert len(curve) == 30
        for n in (1, 10, 30):
            forest = make_forest({**PARAMS, "max_depth": 3}, n, seed).fit(
                data.X_train, data.y_train
            )
            assert curve[n - 1] == round(forest.score(data.X_val, data.y_val), 6)
    # one tree varies more across seeds than thirty do: the picture the band draws
    ones = [c[0] for c in spread["val"]]
    thirties = [c[-1] for c in spread["val"]]
    assert max(ones) - min(ones) >= max(thirties) - min(thirties)


def test_explain_off_leaves_the_record_as_before():
    record, _ = fit_family_model(dataset(explain=False, map_pair=(0, 1)), PARAMS, [1, 5], seed=1)
    assert not {"permutation", "map", "spread"} & set(record)


def test_the_importance_lessons_forest_is_scikit_learns_default_forest_plus_a_random_column():
    data = dataset()
    bias = explain.importance_bias(data.X_train, data.y_train, data.X_val, data.y_val, 2, 11)
    rng = np.random.RandomState(11)
    noise = rng.random_sample(len(data.y_train) + len(data.y_val))
    X_tr = np.column_stack([data.X_train, noise[: len(data.y_train)]])
    X_va = np.column_stack([data.X_val, noise[len(data.y_train) :]])
    forest = RandomForestClassifier(random_state=11, n_jobs=1).fit(X_tr, data.y_train)
    assert bias["random"] == 4 and bias["trees"] == 100
    assert np.allclose(bias["impurity"], forest.feature_importances_, atol=1e-15)
    expected = permutation_importance(forest, X_va, data.y_val, random_state=11)
    assert np.allclose(bias["permutation"]["mean"], expected.importances_mean, atol=1e-12)
    assert np.allclose(bias["permutation"]["std"], expected.importances_std, atol=1e-12)
    # the random column splits often (it has a value for every row) and predicts nothing
    assert bias["impurity"][4] > 0.05
    assert bias["permutation"]["mean"][4] < 0.03


def test_the_spread_goes_to_the_families_the_lessons_reach():
    cfg = Config.model_validate({"data": {"target": "y"}})
    depth = {
        "lesson": "depth",
        "preset": {"max_depth": 1, "min_samples_leaf": 1, "max_features": "sqrt"},
        "hide": ["max_features", "min_samples_leaf", "sample_fraction"],
        "fixed": {"n_estimators": 100, "sample_fraction": 1.0},
    }
    reach = grid.spread_families(cfg, [depth])
    depths = cfg.grid.max_depth
    assert reach == {(d, "sqrt", 1, 1.0, None, "gini", None) for d in depths}
    # a movable dimension the preset names takes every value; two lessons add up
    sample = {**depth, "hide": ["max_features", "min_samples_leaf"], "fixed": {}}
    both = grid.spread_families(cfg, [depth, sample])
    assert len(both) == len(depths) * len(cfg.grid.sample_fraction)


def test_the_lessons_are_read_from_the_sites_pages(tmp_path):
    lesson = tmp_path / "docs" / "lessons"
    lesson.mkdir(parents=True)
    (lesson / "a.en.md").write_text(
        '# A\n\n<!-- forestlab:viewer {"lesson": "a", "preset": {"max_depth": 1}} -->\n'
        "`<!-- forestlab:viewer {not a placeholder} -->`\n"
    )
    (lesson / "b.en.md").write_text('<!-- forestlab:viewer {"figures": ["trees"]} -->\n')
    views = grid.lesson_views(tmp_path / "docs")
    assert views == [{"lesson": "a", "preset": {"max_depth": 1}}]
    assert grid.lesson_views(None) == [] and grid.lesson_views(tmp_path / "nowhere") == []


def test_the_index_is_the_same_with_or_without_the_lessons_pages(tmp_path):
    """The importance lesson's random column and the lessons' seed spread never reach the
    grid's results: the index is byte-identical whether the build sees the pages or not,
    while the explain files of the lessons' families gain the spread."""
    splits = small_splits(tmp_path / "splits")
    site = tmp_path / "site.yml"
    site.write_text("site_name: x\ndocs_dir: pages\n")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "importance.en.md").write_text(
        '<!-- forestlab:viewer {"lesson": "importance", "preset": {"max_depth": 1}, '
        '"hide": ["max_depth", "min_samples_leaf"]} -->\n'
    )
    outs = {}
    for name, config_file in (("with", site), ("without", tmp_path / "none.yml")):
        work = tmp_path / name
        args = ["build", "--splits", splits, "--work", work, "--config-file", config_file]
        assert run_cli(*args).code == 0
        outs[name] = work / "out"
    index = {k: (v / "index.json").read_bytes() for k, v in outs.items()}
    assert index["with"] == index["without"]
    bias = {k: (v / "importance-bias.json").read_bytes() for k, v in outs.items()}
    assert bias["with"] == bias["without"]
    n_features = len(json.loads((outs["with"] / "data.json").read_text())["spec"]["features"])
    assert json.loads(bias["with"])["random"] == n_features
    records = {
        k: [
            (json.loads(f.read_text()), json.loads((v / "explain" / f.name).read_text()))
            for f in (v / "families").iterdir()
        ]
        for k, v in outs.items()
    }
    assert not any("spread" in x for _, x in records["without"])
    # depth fixed at 1 by the lesson; the hidden leaf size and the unnamed row share any value
    spread = [r["params"] for r, x in records["with"] if "spread" in x]
    depth_one = [r["params"] for r, _ in records["with"] if r["params"]["max_depth"] == 1]
    assert len(spread) == 4 and sorted(map(str, spread)) == sorted(map(str, depth_one))
    for record, explained in records["with"]:
        assert not set(formats.EXPLAINED) & set(record)  # never in the shard
        assert len(record["points"][0]["importances"]) == n_features
        assert len(explained["permutation"]["mean"]) == n_features


def test_map_features_are_checked(tmp_path):
    splits = small_splits(tmp_path / "a", explain={"map_features": ["age", "gender"]})
    run = run_cli("build", "--splits", splits, "--work", tmp_path / "w")
    assert run.code == 2 and "Traceback" not in run.err
    assert "forestlab.yml" in run.err and "explain.map_features" in run.err
    assert "gender" in run.err and "age" in run.err  # the offending name and the choices
    assert not (tmp_path / "w" / "out").exists()
    with pytest.raises(Exception, match="two different column names"):
        parse_config({"data": {"target": "y"}, "explain": {"map_features": ["a", "a"]}}, "c")


def test_map_features_as_named_and_the_map_off_without_two_numeric_features(tmp_path):
    splits = small_splits(tmp_path / "a", explain={"map_features": ["fare", "age"]})
    assert run_cli("build", "--splits", splits, "--work", tmp_path / "w").code == 0
    data = json.loads((tmp_path / "w" / "out" / "data.json").read_text())
    names = [f["name"] for f in data["spec"]["features"]]
    explained = json.loads((tmp_path / "w" / "out" / "explain" / "0.json").read_text())
    assert explained["format"] == "forestlab.explain/1" and data["explain"] is True
    family_map = explained["map"]
    assert family_map["features"] == [names.index("fare"), names.index("age")]
    assert data["map"]["features"] == family_map["features"]
    assert "map" not in json.loads((tmp_path / "w" / "out" / "families" / "0.json").read_text())

    one = small_splits(
        tmp_path / "b", data={"target": "survived", "exclude": ["fare", "sibsp", "parch"]}
    )
    run = run_cli("build", "--splits", one, "--work", tmp_path / "v")
    assert run.code == 0
    assert "fewer than two numeric features" in run.err
    explained = json.loads((tmp_path / "v" / "out" / "explain" / "0.json").read_text())
    assert "permutation" in explained and "map" not in explained
    assert json.loads((tmp_path / "v" / "out" / "data.json").read_text())["map"] is None


def test_explain_off_publishes_none_of_it(tmp_path):
    """With explain.enabled false: no explain files, no map, no lesson forest; the shards as
    with it (they never hold what the explain files do)."""
    outs = {}
    for name, enabled in (("on", True), ("off", False)):
        splits = small_splits(tmp_path / name, explain={"enabled": enabled})
        assert run_cli("build", "--splits", splits, "--work", tmp_path / f"w{name}").code == 0
        outs[name] = tmp_path / f"w{name}" / "out"
    off = outs["off"]
    data = json.loads((off / "data.json").read_text())
    assert data["explain"] is False and data["map"] is None
    assert not (off / "explain").exists() and not (off / formats.BIAS_FILE).exists()
    assert len(list((outs["on"] / "explain").iterdir())) == len(list((off / "families").iterdir()))
    for f in (off / "families").iterdir():
        assert f.read_bytes() == (outs["on"] / "families" / f.name).read_bytes()


def test_the_importance_lessons_forest_trains_on_a_sample_of_large_data(monkeypatch):
    """Above REFERENCE_ROWS training rows, a stratified sample of that many (as the reference
    forest): the same numbers as the forest on those rows alone."""
    from forestlab.core import ranking
    from forestlab.core.family import sample_indices

    data = dataset()
    monkeypatch.setattr(ranking, "REFERENCE_ROWS", 200)
    bias = explain.importance_bias(data.X_train, data.y_train, data.X_val, data.y_val, 2, 5)
    rows = sample_indices(data.y_train, 200 / len(data.y_train), 5)
    assert len(rows) == 200
    monkeypatch.setattr(ranking, "REFERENCE_ROWS", 10_000)
    alone = explain.importance_bias(
        data.X_train[rows], data.y_train[rows], data.X_val, data.y_val, 2, 5
    )
    assert bias == alone


def test_with_no_validation_rows_the_map_features_keep_their_order():
    """A tiny data set can leave the held-out validation split empty: nothing to shuffle, so
    the map's features are the first numeric ones (the fuzz found this)."""
    from forestlab.core.ranking import permutation_ranking

    data = dataset()
    empty = np.empty((0, 4))
    assert permutation_ranking(data.X_train, data.y_train, empty, np.empty(0, int), 1) == (
        0,
        1,
        2,
        3,
    )
