"""The validation bootstrap (forestlab.noise): intervals as wide as the noise of the rows,
and a best set that pairs the rows, so two forests right on nearly the same rows tie while a
clearly worse one does not."""

from __future__ import annotations

import numpy as np
from forestlab import formats
from forestlab.noise import Bootstrap, correct_matrix, simplest_first

ROWS = 400


def rows_right(rng, share: float) -> np.ndarray:
    return rng.random(ROWS) < share


def test_intervals_hold_the_score_and_match_the_binomial_error():
    rng = np.random.default_rng(0)
    correct = np.vstack([rows_right(rng, s) for s in (0.6, 0.75, 0.9)])
    low, high = Bootstrap.of(correct, seed=1).intervals()
    for acc, lo, hi in zip(correct.mean(axis=1), low, high, strict=True):
        assert lo < acc < hi
        # a bootstrap of a proportion: about 1.96 standard errors either side
        half = 1.96 * np.sqrt(acc * (1 - acc) / ROWS)
        assert abs((hi - lo) / 2 - half) < 0.25 * half


def test_best_set_pairs_the_rows():
    rng = np.random.default_rng(2)
    top = rows_right(rng, 0.8)
    near = top.copy()
    near[np.flatnonzero(top)[:3]] = False  # wrong on 3 more rows of the same 400
    worse = top.copy()
    worse[np.flatnonzero(top)[:40]] = False  # wrong on 40 more rows
    other = rows_right(np.random.default_rng(3), top.mean() - 3 / ROWS)  # as good, other rows
    boot = Bootstrap.of(np.vstack([top, near, worse, other]), seed=4)
    tied = boot.best_set(0, [0, 1, 2, 3])
    assert 0 in tied and 1 in tied and 2 not in tied
    # a forest about three rows behind that is right on other rows is within noise as well
    assert 3 in tied


def test_the_same_seed_gives_the_same_resamples():
    correct = np.random.default_rng(5).random((6, ROWS)) < 0.7
    a, b = Bootstrap.of(correct, 9), Bootstrap.of(correct, 9)
    assert np.array_equal(a.accuracies, b.accuracies)
    assert not np.array_equal(a.accuracies, Bootstrap.of(correct, 10).accuracies)


def test_simplest_first_orders_by_nodes_then_trees():
    nodes = [50, 10, 10, 30]
    trees = [1, 5, 1, 1]
    assert simplest_first([0, 1, 2, 3], nodes, trees) == [2, 1, 3, 0]


def test_correct_bits_round_trip_through_records():
    rng = np.random.default_rng(6)
    right = rng.random((2, 13)) < 0.5

    def point(r):
        cm = [[int(r.sum()), 0], [0, int((~r).sum())]]  # only the row count matters here
        return {
            "val_correct": np.packbits(r).tobytes().hex(),
            "metrics": {"val": {"confusion_matrix": cm}},
        }

    records = [{"points": [point(right[0])]}, {"points": [point(right[1])]}]
    assert np.array_equal(correct_matrix(records), right)


def test_the_index_best_set_starts_with_its_simplest_member(tiny_build):
    import json

    index = json.loads((tiny_build["work"] / "out" / "index.json").read_text())
    cols, tied = index["points"], index["best_set"]
    assert index["best"] in tied
    trees = index["dims"][0]["values"]
    key = [(cols["n_nodes"][p], trees[p % len(trees)], p) for p in tied]
    assert key == sorted(key)
    assert all(
        lo <= v <= hi
        for v, lo, hi in zip(cols["val_accuracy"], cols["val_low"], cols["val_high"], strict=True)
    )
    assert formats.ranking(cols)[0] == index["best"]
