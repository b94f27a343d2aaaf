"""The fitting and evaluation core: tree prefixes are exact, metrics match scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from forestlab.core.family import Dataset, family_features, fit_family, make_forest, sample_indices
from forestlab.core.metrics import evaluate, roc_points
from sklearn import metrics as skm
from sklearn.datasets import make_classification

COUNTS = [1, 2, 5, 12]


def dataset(n_classes=2, n=400, seed=0) -> Dataset:
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, n_classes=n_classes, random_state=seed
    )
    X = np.round(X, 1)  # ties in features and in probabilities, as real data has
    return Dataset(
        X_train=X[:240],
        y_train=y[:240],
        X_val=X[240:320],
        y_val=y[240:320],
        X_test=X[320:],
        y_test=y[320:],
        n_classes=n_classes,
        positive=n_classes - 1,
        feature_rank=(3, 0, 5, 1, 2, 4),
    )


PARAMS = [
    dict(
        max_depth=None,
        max_features="sqrt",
        min_samples_leaf=1,
        sample_fraction=1.0,
        class_weight=None,
        criterion="gini",
        top_k_features=None,
    ),
    dict(
        max_depth=3,
        max_features=0.5,
        min_samples_leaf=5,
        sample_fraction=0.5,
        class_weight="balanced",
        criterion="entropy",
        top_k_features=None,
    ),
    dict(
        max_depth=5,
        max_features=1.0,
        min_samples_leaf=2,
        sample_fraction=0.3,
        class_weight="balanced_subsample",
        criterion="log_loss",
        top_k_features=3,
    ),
]


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("params", PARAMS, ids=["deep", "shallow-sampled", "top3"])
def test_each_tree_count_equals_a_separately_fitted_forest(params, n_classes):
    data = dataset(n_classes)
    record = fit_family(data, params, COUNTS, seed=7)
    rows = sample_indices(data.y_train, params["sample_fraction"], 7)
    cols = family_features(data, params["top_k_features"])
    assert [p["n_estimators"] for p in record["points"]] == COUNTS
    for point in record["points"]:
        n = point["n_estimators"]
        alone = make_forest(params, n, seed=7).fit(
            data.X_train[np.ix_(rows, cols)], data.y_train[rows]
        )
        for split, X, y in (
            ("val", data.X_val, data.y_val),
            ("test", data.X_test, data.y_test),
            ("train", data.X_train[rows], data.y_train[rows]),
        ):
            expected = evaluate(y, alone.predict_proba(X[:, cols]), data.positive)
            assert point["metrics"][split] == expected, (split, n)
        importances = np.zeros(6)
        importances[cols] = alone.feature_importances_
        assert point["importances"] == [round(float(v), 6) for v in importances]
        assert point["n_nodes"] == sum(t.tree_.node_count for t in alone.estimators_)
        assert point["max_depth_reached"] == max(t.tree_.max_depth for t in alone.estimators_)
    # the 1..N curve agrees with the grid points it passes through
    for point in record["points"]:
        n = point["n_estimators"]
        assert record["curve"]["val"][n - 1] == round(point["metrics"]["val"]["accuracy"], 6)
    assert len(record["curve"]["train"]) == max(COUNTS)


def test_fit_times_are_measured_and_cumulative():
    record = fit_family(dataset(), PARAMS[0], COUNTS, seed=1)
    times = [p["fit_seconds"] for p in record["points"]]
    assert times[0] > 0 and times == sorted(times)


def test_top_k_uses_the_ranked_features_only():
    data = dataset()
    record = fit_family(data, PARAMS[2], [3], seed=0)
    assert record["features_used"] == [0, 3, 5]
    unused = [i for i in range(6) if i not in (0, 3, 5)]
    assert all(record["points"][0]["importances"][i] == 0 for i in unused)


def test_sample_is_stratified_deterministic_and_keeps_every_class():
    y = np.array([0] * 90 + [1] * 9 + [2] * 1)
    a, b = sample_indices(y, 0.1, 3), sample_indices(y, 0.1, 3)
    assert np.array_equal(a, b)
    assert np.bincount(y[a]).tolist() == [9, 1, 1]
    assert not np.array_equal(a, sample_indices(y, 0.1, 4))


@pytest.mark.parametrize("n_classes", [2, 3, 4])
@pytest.mark.parametrize("seed", range(5))
def test_metrics_match_scikit_learn(n_classes, seed):
    rng = np.random.default_rng(seed)
    n = 200
    y = rng.integers(0, n_classes, n)
    # coarse probabilities: many ties, like a forest of few trees
    raw = rng.integers(0, 5, (n, n_classes)).astype(float) + 1e-3
    proba = raw / raw.sum(axis=1, keepdims=True)
    labels = list(range(n_classes))
    got = evaluate(y, proba, positive=n_classes - 1)
    pred = proba.argmax(axis=1)
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(y, pred), abs=1e-12)
    assert got["balanced_accuracy"] == pytest.approx(
        skm.balanced_accuracy_score(y, pred), abs=1e-12
    )
    for name, fn in (
        ("precision_macro", skm.precision_score),
        ("recall_macro", skm.recall_score),
        ("f1_macro", skm.f1_score),
    ):
        want = fn(y, pred, average="macro", labels=labels, zero_division=0)
        assert got[name] == pytest.approx(want, abs=1e-12), name
    if n_classes == 2:
        want_auc = skm.roc_auc_score(y, proba[:, 1])
    else:
        want_auc = skm.roc_auc_score(y, proba, multi_class="ovr", average="macro")
    assert got["roc_auc"] == pytest.approx(want_auc, abs=1e-12)
    assert got["log_loss"] == pytest.approx(skm.log_loss(y, proba, labels=labels), abs=1e-12)
    assert got["confusion_matrix"] == skm.confusion_matrix(y, pred, labels=labels).tolist()


def test_roc_points_follow_scikit_learn_curve():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    score = np.clip(y * 0.3 + rng.random(300) * 0.7, 0, 1)
    proba = np.column_stack([1 - score, score])
    fpr, tpr, _ = skm.roc_curve(y, score)
    got = roc_points(y, proba, positive=1)
    assert len(got) == 21 and got[0] >= 0 and got[-1] == 1.0
    # each stored point lies on scikit-learn's curve (interpolated between its vertices)
    for x, v in zip(np.linspace(0, 1, 21), got, strict=True):
        assert v == pytest.approx(np.interp(x, fpr, tpr), abs=1e-4)


def test_published_numbers_are_rounded_and_never_nan():
    """JSON has no NaN: an undefined metric (an AUC with a class absent) is published as null."""
    from forestlab.core.family import rounded

    record = {"auc": float("nan"), "curve": [0.123456, float("inf")], "n": 3, "name": "x"}
    assert rounded(record) == {"auc": None, "curve": [0.1235, None], "n": 3, "name": "x"}
