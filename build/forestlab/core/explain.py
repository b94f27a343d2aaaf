"""Beyond the score: permutation importances, a 2-D map of the forest's probability, and the
spread of the validation score over seeds. Like `forestlab.core.family`, numpy and
scikit-learn only, so the live widget computes the same for a live model.

Each runs every tree once over one stacked array (`tree_probas`, which the family fit uses too),
which is what keeps them a small part of a build.
"""

from __future__ import annotations

import base64

import numpy as np

from forestlab.core.inside import quantise, vote_rows

#: Repeats of each column's permutation (scikit-learn's default is 5).
PI_REPEATS = 5
#: Validation rows the shuffles are scored on, at most (scikit-learn's `max_samples`): the work
#: grows with rows × features × repeats × trees, and a large validation split needs no more.
PI_MAX_ROWS = 2_000
#: Cells along each axis of the 2-D map.
MAP_SIZE = 48
#: The map's forest has at most this many trees: beyond it the picture barely changes, and on
#: two continuous features a tree takes about four times as long to grow as on the default data.
MAP_TREES = 50
#: Tree counts the map is stored at, at most.
MAP_LAYERS = 4
#: Training rows drawn on the map (a stratified sample, as the vote rows are drawn).
MAP_POINTS = 150
#: Seeds whose validation curves make the spread band (the build's seed is the first).
SPREAD_SEEDS = 5


def tree_probas(trees, X32: np.ndarray, classes: np.ndarray, n_classes: int):
    """Yield each tree's class probabilities with columns for all K classes.

    `tree_.predict` is what `DecisionTreeClassifier.predict_proba` returns (its leaf values
    are class fractions), without the per-call checks that cost a fifth of this loop; the
    tests compare every metric with a separately fitted forest's `predict_proba`."""
    full = len(classes) == n_classes
    for tree in trees:
        p = tree.tree_.predict(X32)[:, : len(classes)]
        if full:
            yield p
        else:  # the sample lacked a class: its probability is 0 for every tree
            out = np.zeros((len(X32), n_classes))
            out[:, classes] = p
            yield out


def forest_proba(trees, X32: np.ndarray, classes: np.ndarray, n_classes: int, counts=()):
    """The forest's class probabilities on X (columns for all K classes), summed tree by tree
    in the order RandomForestClassifier sums them; also the mean at each of `counts` trees."""
    total = np.zeros((len(X32), n_classes))
    at = {}
    wanted = set(counts)
    for i, p in enumerate(tree_probas(trees, X32, classes, n_classes), start=1):
        total += p
        if i in wanted:
            at[i] = total / i
    return total / len(trees), at


def permutation_importance(
    trees,
    classes,
    n_classes: int,
    X: np.ndarray,
    y: np.ndarray,
    seed: int,
    repeats: int = PI_REPEATS,
    max_rows: int = PI_MAX_ROWS,
) -> tuple[float, np.ndarray]:
    """Validation accuracy, and its drop when each column is shuffled (columns × repeats):
    the numbers of `sklearn.inspection.permutation_importance(forest, X, y,
    n_repeats=repeats, random_state=seed, max_samples=max_rows)` (tests assert they are equal;
    `max_samples` only when X has more rows). scikit-learn draws one seed from `seed`, and every
    column replays the same draws from it: the rows scored (all of them, or `max_rows` drawn
    without replacement), then the shuffles, each repeat shuffling the already shuffled column
    again. The accuracy without shuffling is over all the rows, as scikit-learn's.

    Each tree predicts, in one call, the rows as they are and, for each column, each row with
    the other values that column takes in its shuffles. A row that meets its own value again,
    or the same value in two shuffles (a column of a few categories does so often), is
    predicted once: about half the work on the bundled data."""
    X32 = np.asarray(X, dtype=np.float32)
    drawn = np.random.RandomState(seed).randint(np.iinfo(np.int32).max + 1)
    rng = np.random.RandomState(drawn)
    scored = np.arange(len(y))  # the rows the shuffles are scored on: their place in X
    if max_rows < len(y):
        from sklearn.utils.random import sample_without_replacement

        scored = sample_without_replacement(len(y), max_rows, random_state=rng)
    n_rows, n_cols = len(scored), X32.shape[1]
    order = np.arange(n_rows)
    orders = []
    for _ in range(repeats):
        rng.shuffle(order)
        orders.append(order.copy())
    rows = np.arange(n_rows)
    blocks = [X32]
    # per column and shuffle, where each scored row's prediction is among the stacked rows
    where = np.empty((n_cols, repeats, n_rows), dtype=np.int64)
    start = len(X32)
    for col in range(n_cols):
        original = X32[scored, col]
        column = original
        values = np.empty((repeats, n_rows), dtype=np.float32)
        for r, shuffle in enumerate(orders):
            column = column[shuffle]
            values[r] = column
        changed = values != original
        codes = np.unique(values, return_inverse=True)[1].reshape(repeats, n_rows)
        keys = (codes * n_rows + rows)[changed]  # (row, value) pairs, row-major order
        distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        block = X32[scored[np.nonzero(changed)[1][first]]]
        block[:, col] = values[changed][first]
        blocks.append(block)
        at = np.broadcast_to(scored, (repeats, n_rows)).copy()
        at[changed] = start + inverse
        where[col] = at
        start += len(distinct)
    proba, _ = forest_proba(trees, np.vstack(blocks), classes, n_classes)
    predicted = np.argmax(proba, axis=1)
    right = predicted[where] == y[scored]
    baseline = float(np.mean(predicted[: len(X32)] == y))
    return baseline, baseline - right.mean(axis=2)


def importance_record(baseline: float, drops: np.ndarray, cols, n_features: int, n: int) -> dict:
    """Permutation importances for all the data's features (None for those the forest did not
    train on), as published: mean and standard deviation over the repeats."""
    mean: list = [None] * n_features
    std: list = [None] * n_features
    for c, row in zip(cols, drops, strict=True):
        mean[int(c)], std[int(c)] = float(row.mean()), float(row.std())
    return {
        "n_estimators": n,
        "repeats": drops.shape[1],
        "baseline": baseline,
        "mean": mean,
        "std": std,
    }


def map_counts(counts: list[int]) -> list[int]:
    """The few tree counts the map is stored at: the grid's counts, each at most MAP_TREES,
    at most MAP_LAYERS of them, always the first and the last. The viewer shows the largest
    stored count not above the slider's, and says which; a live model of n trees gets the map
    of min(n, MAP_TREES) trees, a layer of the grid's."""
    kept = sorted({min(c, MAP_TREES) for c in counts})
    if len(kept) <= MAP_LAYERS:
        return kept
    step = (len(kept) - 1) / (MAP_LAYERS - 1)
    return sorted({kept[round(i * step)] for i in range(MAP_LAYERS)})


def map_axes(X_train: np.ndarray, pair) -> list[list[float]]:
    """Each map axis's range: the training split's smallest to largest value of its feature
    (the same for every family, so maps can be compared)."""
    return [[float(X_train[:, c].min()), float(X_train[:, c].max())] for c in pair]


def map_mesh(axes, size: int = MAP_SIZE) -> np.ndarray:
    """The centres of the map's cells, row by row from the lowest y up, x growing in each."""
    xs, ys = (lo + (np.arange(size) + 0.5) * (hi - lo) / size for lo, hi in axes)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def fit_map(X_fit, y_fit, axes, pair, params, counts, seed, n_classes, make_forest) -> dict:
    """The family's hyperparameters trained on the two features of `pair` only, and its
    probability on the map's cells at `map_counts(counts)` trees: one byte per cell, the
    positive class's probability with two classes; with more, the most probable class and
    its probability (two bytes). Also a sample of training points to draw on it."""
    stored = map_counts(counts)
    forest = make_forest(params, stored[-1], seed).fit(X_fit[:, pair], y_fit)
    classes = forest.classes_.astype(int)
    mesh = map_mesh(axes).astype(np.float32)
    _, at = forest_proba(forest.estimators_, mesh, classes, n_classes, stored)
    layers = []
    for n in stored:
        p = at[n]
        if n_classes == 2:
            layers.append(quantise(p[:, 1]))
        else:
            layers.append(np.argmax(p, axis=1).astype(np.uint8))
            layers.append(quantise(p.max(axis=1)))
    shown = vote_rows(y_fit, MAP_POINTS)
    return {
        "features": [int(c) for c in pair],
        "axes": axes,
        "size": MAP_SIZE,
        "counts": stored,
        "cells": base64.b64encode(np.concatenate(layers).tobytes()).decode("ascii"),
        "points": {
            "x": X_fit[shown][:, pair[0]].tolist(),
            "y": X_fit[shown][:, pair[1]].tolist(),
            "class": y_fit[shown].tolist(),
        },
    }


def decode_map(record: dict, n_classes: int) -> dict[int, np.ndarray]:
    """The stored cells per tree count: P(positive) in q / 255 with two classes; else
    (class, probability) pairs."""
    raw = np.frombuffer(base64.b64decode(record["cells"]), dtype=np.uint8)
    per = record["size"] ** 2 * (1 if n_classes == 2 else 2)
    out = {}
    for i, n in enumerate(record["counts"]):
        layer = raw[i * per : (i + 1) * per]
        out[n] = layer / 255 if n_classes == 2 else layer.reshape(2, -1)
    return out


def validation_curve(trees, X_val, y_val, classes, n_classes) -> list[float]:
    """Validation accuracy of the first 1, 2, … trees."""
    X32 = np.asarray(X_val, dtype=np.float32)
    _, at = forest_proba(trees, X32, classes, n_classes, range(1, len(trees) + 1))
    return [float(np.mean(np.argmax(at[n], axis=1) == y_val)) for n in sorted(at)]


def spread_seeds(seed: int, n: int = SPREAD_SEEDS) -> list[int]:
    """The seeds of the spread band: the build's own first."""
    return [seed + k for k in range(n)]


#: The "Which features matter?" lesson's forest: scikit-learn's default settings.
BIAS_TREES = 100


def importance_bias(X_train, y_train, X_val, y_val, n_classes: int, seed: int) -> dict:
    """The lesson's own small forest, at scikit-learn's default settings, trained on the data
    plus one column of random numbers (a different number in every row, so it offers a split
    between any two rows, and tells nothing about the target). Its impurity importance and its
    permutation importance on validation, for every feature and the random column (the last).
    The grid never sees this column. Above REFERENCE_ROWS training rows it trains on a
    stratified sample of that many, as the reference forest does: unlimited depth on a
    million rows takes many minutes."""
    from sklearn.ensemble import RandomForestClassifier

    from forestlab.core.ranking import reference_rows

    X_train, y_train = reference_rows(X_train, y_train, seed)  # as the reference forest's
    rng = np.random.RandomState(seed)
    noise = rng.random_sample(len(y_train) + len(y_val))
    X_tr = np.column_stack([X_train, noise[: len(y_train)]])
    X_va = np.column_stack([X_val, noise[len(y_train) :]])
    forest = RandomForestClassifier(n_estimators=BIAS_TREES, random_state=seed, n_jobs=1)
    forest.fit(X_tr, y_train)
    classes = forest.classes_.astype(int)
    baseline, drops = permutation_importance(
        forest.estimators_, classes, n_classes, X_va, y_val, seed
    )
    return {
        "trees": BIAS_TREES,
        "seed": seed,
        "random": X_tr.shape[1] - 1,
        "impurity": [float(v) for v in forest.feature_importances_],
        "permutation": importance_record(
            baseline, drops, range(X_tr.shape[1]), X_tr.shape[1], BIAS_TREES
        ),
    }
