"""Inside the forest, checked against scikit-learn itself: the stored votes are each tree's
`predict_proba`, the out-of-bag curve ends at `oob_score_`, the drawn tree is `tree_`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from forestlab import formats
from forestlab.core import live
from forestlab.core.family import fit_family_model, make_forest, published_family, sample_indices
from forestlab.core.inside import STEPS, TREE_DEPTH, decode_votes, drawn_rows, vote_rows
from forestlab.pipeline import value_text

PARAMS = {
    "max_depth": None,
    "max_features": "sqrt",
    "min_samples_leaf": 1,
    "sample_fraction": 1.0,
    "class_weight": None,
    "criterion": "gini",
    "top_k_features": None,
}


@pytest.fixture(scope="module")
def small(tiny_build):
    out = tiny_build["work"] / "out"
    payload = (out / "live" / "live.json").read_text(encoding="utf-8")
    card = json.loads((out / "data.json").read_text(encoding="utf-8"))
    return {"data": live.load(payload)["data"], "card": card, "out": out}


def fitted(data, params, n, seed=42):
    record, forest = fit_family_model(data, params, [n], seed)
    rows = sample_indices(data.y_train, params["sample_fraction"], seed)
    cols = np.asarray(record["features_used"])
    return record, forest, rows, cols


@pytest.mark.parametrize("params", [PARAMS, {**PARAMS, "max_depth": 2, "sample_fraction": 0.5}])
def test_stored_votes_are_each_trees_probabilities(small, params):
    data = small["data"]
    record, forest, _, cols = fitted(data, params, 40)
    votes = record["votes"]
    rows = np.asarray(votes["rows"])
    assert votes["rows"] == small["card"]["examples"]["rows"]  # the data card's rows
    stored = decode_votes(votes)
    X = data.X_val[np.ix_(rows, cols)].astype(np.float32)
    assert stored.shape == (40, len(rows), data.n_classes)
    for t, tree in enumerate(forest.estimators_):
        p = np.zeros((len(rows), data.n_classes))
        p[:, forest.classes_.astype(int)] = tree.predict_proba(X)
        np.testing.assert_allclose(stored[t], p, atol=0.5 / STEPS + 1e-12)
        # a tree's vote (its most probable class) survives the quantisation
        assert (np.argmax(stored[t], axis=1) == np.argmax(p, axis=1)).all()


def test_vote_rows_are_stratified_and_fixed():
    y = np.array([0] * 300 + [1] * 140 + [2] * 10)
    rows = vote_rows(y)
    assert len(rows) == 30 and list(rows) == sorted(rows)
    assert list(np.bincount(y[rows])) == [20, 9, 1]
    assert (vote_rows(y) == rows).all()
    assert list(vote_rows(np.array([1, 0, 1]))) == [0, 1, 2]


@pytest.mark.parametrize("params", [PARAMS, {**PARAMS, "max_depth": 3, "sample_fraction": 0.5}])
def test_oob_curve_ends_at_sklearns_oob_score(small, params):
    data = small["data"]
    n = 60
    record, _, rows, cols = fitted(data, params, n)
    curve = record["curve"]
    assert len(curve["oob"]) == len(curve["oob_unscored"]) == n
    # every row of the training sample was out of bag for some tree, so oob_score_ (which
    # warns and guesses otherwise) is defined on the same rows as the curve
    assert curve["oob_unscored"][-1] == 0
    assert curve["oob_unscored"][0] > 0  # one tree leaves about a third of its rows out
    assert curve["oob_unscored"] == sorted(curve["oob_unscored"], reverse=True)
    reference = make_forest(params, n, 42)
    reference.set_params(oob_score=True)
    X, y = data.X_train[np.ix_(rows, cols)], data.y_train[rows]
    reference.fit(X, y)
    assert curve["oob"][-1] == pytest.approx(reference.oob_score_, abs=1e-6)
    # out of bag is over the sampled rows only: rows outside the sample are not training rows
    assert reference.oob_decision_function_.shape[0] == record["n_train_rows"] == len(rows)


@pytest.mark.parametrize(
    "keywords",
    [{}, {"class_weight": "balanced"}, {"max_samples": 0.5}, {"max_samples": 17}],
)
def test_drawn_rows_are_estimators_samples(keywords):
    """The reseeded draw is scikit-learn's own: the public `estimators_samples_`, tree by
    tree, for each setting a forest may have (and the property itself with `max_samples`)."""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(150, 4)), rng.integers(0, 3, 150)
    forest = make_forest(PARAMS, 25, 7).set_params(**keywords).fit(X, y)
    drawn = drawn_rows(forest, len(y))
    assert len(drawn) == 25
    for mine, theirs in zip(drawn, forest.estimators_samples_, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_drawn_tree_is_the_first_trees_top_levels(small):
    data = small["data"]
    record, forest, _, cols = fitted(data, {**PARAMS, "sample_fraction": 0.5}, 5)
    t = forest.estimators_[0].tree_
    drawn = record["tree"]
    assert drawn["node_count"] == t.node_count and drawn["max_depth"] == t.max_depth
    nodes = drawn["nodes"]
    seen = 0

    def check(i, node, level):
        nonlocal seen
        seen += 1
        entry = nodes[i]
        assert entry["node"] == node
        assert entry["samples"] == t.n_node_samples[node]
        value = t.value[node][0]
        np.testing.assert_allclose(entry["mix"], value / value.sum())
        leaf = t.children_left[node] == -1
        if leaf or level == TREE_DEPTH:
            assert entry["left"] is entry["right"] is entry["feature"] is None
            assert (entry["folded"] > 0) == (not leaf)
            return
        # the feature as a column of the data card (a family may use the top k only)
        assert entry["feature"] == cols[t.feature[node]]
        assert entry["threshold"] == t.threshold[node]
        check(entry["left"], t.children_left[node], level + 1)
        check(entry["right"], t.children_right[node], level + 1)

    check(0, 0, 0)
    assert seen == len(nodes)


def test_thresholds_are_in_the_datas_own_units(small):
    """Numeric features are not rescaled: a threshold lies between two values of the column
    as read; a categorical threshold sends the categories with code ≤ it left."""
    data, spec = small["data"], small["card"]["spec"]
    record, forest, rows, _ = fitted(data, PARAMS, 5)
    t = forest.estimators_[0].tree_
    for entry in record["tree"]["nodes"]:
        if entry["feature"] is None:
            continue
        feature = spec["features"][entry["feature"]]
        column = data.X_train[rows, entry["feature"]]
        below = column[column <= entry["threshold"]]
        above = column[column > entry["threshold"]]
        assert len(below) and len(above)
        assert below.max() < entry["threshold"] < above.min()
        if feature["kind"] == "categorical":
            left = [c for i, c in enumerate(feature["categories"]) if i <= entry["threshold"]]
            assert {value_text(feature, v) for v in below} <= set(left)
    assert t.node_count > 1


def test_published_records_and_data_card_validate(small):
    out = small["out"]
    card = small["card"]
    formats.DataCard.model_validate(card)
    examples = card["examples"]
    assert len(examples["rows"]) == len(examples["text"]) == len(examples["values"])
    features = card["spec"]["features"]
    for row, text in zip(examples["values"], examples["text"], strict=True):
        assert text == [value_text(f, v) for f, v in zip(features, row, strict=True)]
    record = json.loads((out / "families" / "0.json").read_text(encoding="utf-8"))
    formats.FamilyRecord.model_validate(record)
    assert record["votes"]["rows"] == examples["rows"]
    again = published_family(fit_family_model(small["data"], record["params"], [5], 42)[0])
    assert again["tree"] == record["tree"]
