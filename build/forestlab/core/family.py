"""Fit one forest family and turn it into result records.

A *family* is every grid point that shares all hyperparameters but `n_estimators`. The per-tree
seeds of a RandomForestClassifier are drawn one after another from `random_state`, so the first
k trees of an N-tree forest are exactly the k-tree forest. One fit grown in stages with
`warm_start` (which draws the same seeds) therefore yields every tree count of the family, with
its own measured fit time, and the running mean of per-tree probabilities yields the
train/validation score curve for every count from 1 to N.

This module is the contract shared by the build (CPython) and the browser widget (Pyodide):
numpy and scikit-learn only; no pandas, no files, no process pools.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass

import numpy as np

from forestlab.core import explain
from forestlab.core.dims import FAMILY_KEYS, forest_keywords
from forestlab.core.inside import Inside, draw_tree, vote_rows
from forestlab.core.metrics import evaluate, roc_points

#: Version of the record format below; the viewer and the widget check it.
RECORD_SCHEMA = "forestlab.family/1"

#: Digits of the published numbers (family shards, and live results, so the two compare).
DIGITS = 4


def rounded(obj):
    """Floats in nested lists and dicts rounded to DIGITS, as the site shows them; NaN (an
    AUC with a class absent from the split) as None, since JSON has no NaN."""
    if isinstance(obj, float):
        return round(obj, DIGITS) if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: rounded(v) for k, v in obj.items()}
    if isinstance(obj, list):  # mostly long lists of floats (curves): those without a call each
        return [
            (round(v, DIGITS) if math.isfinite(v) else None) if type(v) is float else rounded(v)
            for v in obj
        ]
    return obj


#: Fields of a point that the build keeps but does not publish: measured times vary run to
#: run; which validation rows were right serves the build's bootstrap (forestlab.noise).
UNPUBLISHED = ("fit_seconds", "val_correct")
#: The same for a whole record: the seconds of each stage beyond the family's own fit.
UNPUBLISHED_RECORD = ("stage_seconds",)


def published_family(record: dict) -> dict:
    """A family record as the site publishes it (and the widget returns it): without the
    unpublished fields, and rounded as shown."""
    points = [{k: v for k, v in p.items() if k not in UNPUBLISHED} for p in record["points"]]
    kept = {k: v for k, v in record.items() if k != "points" and k not in UNPUBLISHED_RECORD}
    return rounded({**kept, "points": points})


@dataclass(frozen=True)
class Dataset:
    """Preprocessed, numeric splits. `y_*` hold class indices 0..K-1."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    n_classes: int
    positive: int
    #: features ordered from most to least important (reference forest), for top_k_features
    feature_rank: tuple[int, ...]
    #: whether families also get permutation importances and the 2-D map (build.explain)
    explain: bool = True
    #: the two numeric columns of the 2-D map; None: no map
    map_pair: tuple[int, int] | None = None
    #: the map's axes ([lo, hi] of each); None: the training split's range (the live widget,
    #: which may hold a sample of the rows, is given the build's)
    map_axes: list | None = None


def stratified_sample_possible(y: np.ndarray, fraction: float) -> bool:
    """Whether scikit-learn's stratified `train_test_split` can take `fraction` of these rows
    for training (as `sample_indices` does): every class has two rows, and the sample and
    the rest each hold at least one row per class."""
    if fraction >= 1.0:
        return True
    counts = np.unique(y, return_counts=True)[1]
    n_train = math.floor(fraction * len(y))  # as train_test_split counts
    return counts.min() >= 2 and min(n_train, len(y) - n_train) >= len(counts)


def sample_indices(y: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Deterministic stratified sample of row indices; all rows, in order, when fraction is 1.

    Otherwise the rows, in its order, that scikit-learn's public call
    `train_test_split(rows, train_size=fraction, stratify=y, random_state=seed)` keeps for
    training, so that a student's pandas + scikit-learn code (the explorer's "copy the code")
    trains on the same rows as the build. Where that call refuses (see
    `stratified_sample_possible`; the build refuses such grid values, the live widget and the
    reference ranking may meet them), each class keeps round(fraction * its count) rows, at
    least one, sorted.
    """
    if fraction >= 1.0:
        return np.arange(len(y))
    if stratified_sample_possible(y, fraction):
        from sklearn.model_selection import train_test_split

        rows = np.arange(len(y))
        return train_test_split(rows, train_size=fraction, stratify=y, random_state=seed)[0]
    rng = np.random.default_rng(seed)
    picked = []
    for k in np.unique(y):
        rows = np.flatnonzero(y == k)
        n = max(1, round(fraction * len(rows)))
        picked.append(rng.choice(rows, size=n, replace=False))
    return np.sort(np.concatenate(picked))


def family_features(data: Dataset, top_k: int | None) -> np.ndarray:
    """Column indices a family trains on, in their original order."""
    if top_k is None:
        return np.arange(data.X_train.shape[1])
    return np.sort(np.asarray(data.feature_rank[:top_k]))


def make_forest(params: dict, n_estimators: int, seed: int, warm_start: bool = False):
    # imported here: a build whose families are all cached never needs scikit-learn loaded
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=n_estimators,
        **forest_keywords(params),
        random_state=seed,
        warm_start=warm_start,
        n_jobs=1,
    )


def _prefix_runs(trees, splits: dict, classes, n_classes, counts, inside=None):
    """Running mean over trees: accuracy for every prefix 1..N, probabilities at `counts`.

    All splits go through each tree in one stacked call (one call per tree instead of one per
    tree and split). Accumulates in the order and precision RandomForestClassifier uses, so
    the probabilities at n trees are bit-identical to those of an n-tree forest.

    With `inside` (an `_Inside`), each tree's probabilities also go to its vote rows and
    out-of-bag rows, from the same call.
    """
    names = list(splits)
    X32 = np.vstack([np.asarray(splits[s][0], dtype=np.float32) for s in names])
    bounds = np.cumsum([0] + [len(splits[s][1]) for s in names])
    parts = {s: slice(bounds[i], bounds[i + 1]) for i, s in enumerate(names)}
    total = np.zeros((len(X32), n_classes))
    mean = np.empty_like(total)
    hit = np.empty(len(X32), dtype=bool)
    y_all = np.concatenate([splits[s][1] for s in names])
    sizes = np.diff(bounds)
    curves = {s: [] for s in names}
    at = {}
    wanted = set(counts)
    # This loop runs once per tree for every family: buffers are reused, and for two
    # classes "argmax" is the comparison it amounts to (class 1 only when strictly larger).
    for i, p in enumerate(explain.tree_probas(trees, X32, classes, n_classes), start=1):
        total += p
        if inside is not None:
            inside.add(i - 1, p[parts["train"]], p[parts["val"]])
        np.divide(total, i, out=mean)
        if n_classes == 2:
            np.greater(mean[:, 1], mean[:, 0], out=hit)
            np.equal(hit, y_all, out=hit)
        else:
            np.equal(np.argmax(mean, axis=1), y_all, out=hit)
        correct = np.add.reduceat(hit, bounds[:-1])
        for s, c, size in zip(names, correct, sizes, strict=True):
            curves[s].append(float(c / size))
        if i in wanted:
            at[i] = mean.copy()
    probas = {s: {n: at[n][parts[s]] for n in counts} for s in names}
    return curves, probas


def correct_bits(y: np.ndarray, proba: np.ndarray) -> str:
    """Which rows the probabilities classify right, as hex of the packed bits."""
    return np.packbits(np.argmax(proba, axis=1) == y).tobytes().hex()


def _tree_importances(trees) -> list:
    """Per-tree impurity importances; None for a single-leaf tree, which the forest skips."""
    return [
        t.tree_.compute_feature_importances() if t.tree_.node_count > 1 else None for t in trees
    ]


def _forest_importances(per_tree: list, n: int, n_features: int) -> np.ndarray:
    """feature_importances_ of the first n trees, computed as RandomForestClassifier does."""
    used = [r for r in per_tree[:n] if r is not None]
    if not used:
        return np.zeros(n_features)
    imp = np.mean(used, axis=0, dtype=np.float64)
    return imp / np.sum(imp)


def grow_forest(X, y, params: dict, counts: list[int], seed: int, on_tree=None):
    """Grow one forest through the sorted tree counts with `warm_start`.

    Returns the forest (with `counts[-1]` trees) and the cumulative fit seconds at each count.
    With `on_tree(i, n)`, trees are added one at a time and it is called after each one (the
    browser widget reports progress this way); the seeds drawn are the same either way.
    """
    stages = range(1, counts[-1] + 1) if on_tree else counts
    wanted = set(counts)
    forest = make_forest(params, stages[0], seed, warm_start=True)
    fit_seconds = {}
    elapsed = 0.0
    for n in stages:
        forest.n_estimators = n
        start = time.perf_counter()
        with warnings.catch_warnings():
            # The warning is about warm-starting on *different* data; every stage here refits
            # the same rows, so "balanced" weights are the same as in a one-shot fit (tested).
            warnings.filterwarnings("ignore", message="class_weight presets", category=UserWarning)
            forest.fit(X, y)
        elapsed += time.perf_counter() - start
        if n in wanted:
            fit_seconds[n] = elapsed
        if on_tree:
            on_tree(n, counts[-1])
    return forest, fit_seconds


def fit_family(
    data: Dataset, params: dict, tree_counts: list[int], seed: int, spread: bool = False
) -> dict:
    """Fit one family and return its result record (see docs: result-record format). With
    `spread`, the record also holds the validation curves of the same family grown from
    `explain.SPREAD_SEEDS` seeds (the build's first)."""
    return fit_family_model(data, params, tree_counts, seed, spread=spread)[0]


class _Stages:
    """Seconds spent in each stage beyond the family's own fit (unpublished, for the bench)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def timed(self, stage: str, work, *args):
        start = time.perf_counter()
        try:
            return work(*args)
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start


def _spread(X_fit, y_fit, X_val, y_val, params, last, seed, n_classes, base_curve) -> dict:
    """Validation curves (1..last trees) of the family from each spread seed, on the same
    rows: how much one tree, and a forest, depend on the luck of its seed."""
    curves = [base_curve]
    for other in explain.spread_seeds(seed)[1:]:
        forest = make_forest(params, last, other).fit(X_fit, y_fit)
        classes = forest.classes_.astype(int)
        curves.append(
            explain.validation_curve(forest.estimators_, X_val, y_val, classes, n_classes)
        )
    return {"seeds": explain.spread_seeds(seed), "val": [[round(v, 6) for v in c] for c in curves]}


def fit_family_model(
    data: Dataset,
    params: dict,
    tree_counts: list[int],
    seed: int,
    on_tree=None,
    spread: bool = False,
):
    """`fit_family`, also returning the fitted forest of the largest tree count (the widget
    predicts with it). `on_tree` as in `grow_forest`."""
    counts = sorted(tree_counts)
    rows = sample_indices(data.y_train, params["sample_fraction"], seed)
    cols = family_features(data, params["top_k_features"])
    X_fit, y_fit = data.X_train[np.ix_(rows, cols)], data.y_train[rows]
    forest, fit_seconds = grow_forest(X_fit, y_fit, params, counts, seed, on_tree)
    trees, classes = forest.estimators_, forest.classes_.astype(int)
    stages = _Stages()

    def sub(X):
        return X[:, cols]

    splits = {"train": (X_fit, y_fit), "val": (sub(data.X_val), data.y_val)}
    if data.X_test is not None:
        splits["test"] = (sub(data.X_test), data.y_test)
    inside = stages.timed("oob", Inside, forest, y_fit, vote_rows(data.y_val), data.n_classes)
    curves, probas = _prefix_runs(trees, splits, classes, data.n_classes, counts, inside)
    oob = stages.timed("oob", lambda: (inside.oob, inside.unscored))
    per_tree_imp = _tree_importances(trees)
    n_nodes = np.cumsum([t.tree_.node_count for t in trees])
    depths = np.maximum.accumulate([t.tree_.max_depth for t in trees])

    points = []
    for n in counts:
        imp_sub = _forest_importances(per_tree_imp, n, len(cols))
        importances = np.zeros(data.X_train.shape[1])
        importances[cols] = imp_sub
        point = {
            "n_estimators": n,
            "fit_seconds": round(fit_seconds[n], 4),
            "n_nodes": int(n_nodes[n - 1]),
            "max_depth_reached": int(depths[n - 1]),
            "importances": [round(float(v), 6) for v in importances],
            # one bit per validation row, 1 where the forest is right (hex of packed bits)
            "val_correct": correct_bits(data.y_val, probas["val"][n]),
            "metrics": {
                name: evaluate(splits[name][1], probas[name][n], data.positive) for name in splits
            },
        }
        # a validation split holding one class has no ROC curve (and no AUC)
        if data.n_classes == 2 and (roc := roc_points(data.y_val, probas["val"][n], data.positive)):
            point["roc_val"] = roc
        points.append(point)

    record = {
        "schema": RECORD_SCHEMA,
        "params": {k: params[k] for k in FAMILY_KEYS},
        "seed": seed,
        "n_train_rows": len(rows),
        "features_used": [int(c) for c in cols],
        "curve": {
            **{name: [round(v, 6) for v in curves[name]] for name in ("train", "val")},
            # out-of-bag accuracy over the training sample for 1..N trees (None while no row
            # has been left out yet), and how many of its rows no tree has left out so far
            "oob": [None if v is None else round(v, 6) for v in oob[0]],
            "oob_unscored": oob[1],
        },
        "votes": inside.votes_record(),
        "tree": draw_tree(trees[0], cols, classes, data.n_classes),
        "points": points,
    }
    if data.explain and len(data.y_val):
        X_val = sub(data.X_val)
        pi = stages.timed(
            "permutation",
            explain.permutation_importance,
            trees,
            classes,
            data.n_classes,
            X_val,
            data.y_val,
            seed,
        )
        record["permutation"] = explain.importance_record(
            *pi, cols, data.X_train.shape[1], counts[-1]
        )
        if data.map_pair is not None:
            record["map"] = stages.timed(
                "map_fit",
                explain.fit_map,
                data.X_train[rows],
                y_fit,
                data.map_axes or explain.map_axes(data.X_train, data.map_pair),
                list(data.map_pair),
                params,
                counts,
                seed,
                data.n_classes,
                make_forest,
            )
    if spread:
        record["spread"] = stages.timed(
            "spread_fit",
            _spread,
            X_fit,
            y_fit,
            sub(data.X_val),
            data.y_val,
            params,
            counts[-1],
            seed,
            data.n_classes,
            curves["val"],
        )
    record["stage_seconds"] = {k: round(v, 4) for k, v in stages.seconds.items()}
    return record, forest
