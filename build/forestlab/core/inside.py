"""Inside the forest: the trees' votes on a few validation rows, the first tree drawn, and the
out-of-bag score along the number of trees. Collected while `family._prefix_runs` runs every
tree over the splits (no extra `predict_proba` call); numpy only, so it runs in Pyodide too.
"""

from __future__ import annotations

import base64

import numpy as np

#: How many validation rows the trees vote on (fewer when the split is smaller).
VOTE_ROWS = 30
#: The rows are drawn with this seed, from the validation classes alone: every family, every
#: build seed and the live widget show the same rows.
VOTE_SEED = 11
#: Levels of the first tree that are drawn; deeper branches are folded.
TREE_DEPTH = 3
#: Quantisation of a tree's probability: one byte, p ≈ q / STEPS.
STEPS = 255


def vote_rows(y_val: np.ndarray, n: int = VOTE_ROWS) -> np.ndarray:
    """A stratified, deterministic set of about `n` validation row indices, sorted: each class
    gets its share of `n` (largest remainders, at least one row for every class present)."""
    if len(y_val) <= n:
        return np.arange(len(y_val))
    classes, counts = np.unique(y_val, return_counts=True)
    quota = counts * n / len(y_val)
    take = np.maximum(1, np.floor(quota).astype(int))
    for k in np.argsort(-(quota - np.floor(quota)), kind="stable"):
        if take.sum() >= n:
            break
        take[k] += 1
    rng = np.random.default_rng(VOTE_SEED)
    picked = [
        rng.choice(np.flatnonzero(y_val == c), size=min(m, cnt), replace=False)
        for c, m, cnt in zip(classes, take, counts, strict=True)
    ]
    return np.sort(np.concatenate(picked))


def quantise(p: np.ndarray) -> np.ndarray:
    """Probabilities as bytes: round(p × 255)."""
    return np.rint(np.asarray(p) * STEPS).astype(np.uint8)


def drawn_rows(forest, n_rows: int) -> list[np.ndarray]:
    """The training rows each tree of a bootstrap forest drew, as `estimators_samples_` gives
    them (tests assert they are equal). scikit-learn draws them as
    `RandomState(tree.random_state).randint(0, n_rows, n_rows)`; `estimators_samples_` builds
    a new generator for every tree, which costs ten times the draw itself (a tenth of a
    default build), so one generator is reseeded instead. With `max_samples` set, the draw
    size is scikit-learn's to decide and the public property is used."""
    if getattr(forest, "max_samples", None) is not None:
        return forest.estimators_samples_
    rng = np.random.RandomState(0)
    drawn = []
    for tree in forest.estimators_:
        rng.seed(tree.random_state)
        drawn.append(rng.randint(0, n_rows, n_rows, dtype=np.int32))
    return drawn


class Inside:
    """Per-tree probabilities for the vote rows, and the running out-of-bag score."""

    def __init__(self, forest, y_fit: np.ndarray, rows: np.ndarray, n_classes: int):
        n_trees = len(forest.estimators_)
        self.rows = rows
        self.vote_p = np.zeros((n_trees, len(rows), n_classes))  # quantised once, at the end
        self.y = y_fit
        # without bootstrap every tree sees every row and nothing is out of bag
        bootstrap = getattr(forest, "bootstrap", True)
        self.samples = drawn_rows(forest, len(y_fit)) if bootstrap else None
        # each tree's probabilities on the training sample, kept for the out-of-bag score,
        # which is computed for every prefix of trees at once when asked for
        self.p_train = np.zeros((n_trees, len(y_fit), n_classes)) if bootstrap else None
        self._oob = None

    def add(self, t: int, p_train: np.ndarray, p_val: np.ndarray) -> None:
        self.vote_p[t] = p_val[self.rows]
        if self.p_train is not None:
            self.p_train[t] = p_train

    def _out_of_bag(self) -> tuple[list, list[int]]:
        n_trees, n_rows = len(self.vote_p), len(self.y)
        if self.samples is None:
            return [None] * n_trees, [n_rows] * n_trees
        out = np.ones((n_trees, n_rows), dtype=bool)
        for t, drawn in enumerate(self.samples):
            out[t, drawn] = False
        # as scikit-learn's oob_score_: for each row, the mean of the probabilities of the
        # trees that left it out (the sum has the same most probable class), against its class
        sums = np.cumsum(self.p_train * out[:, :, None], axis=0)
        seen = np.cumsum(out, axis=0) > 0
        right = (np.argmax(sums, axis=2) == self.y[None, :]) & seen
        n_seen = seen.sum(axis=1)
        oob = [float(r / s) if s else None for r, s in zip(right.sum(axis=1), n_seen, strict=True)]
        return oob, [int(n_rows - s) for s in n_seen]

    @property
    def oob(self) -> list:
        """Out-of-bag accuracy with 1, 2, … trees; None while no row has been left out."""
        self._oob = self._oob or self._out_of_bag()
        return self._oob[0]

    @property
    def unscored(self) -> list[int]:
        """Training rows that no tree so far has left out (not scored), per prefix."""
        self._oob = self._oob or self._out_of_bag()
        return self._oob[1]

    def votes_record(self) -> dict:
        return votes_record(self.vote_p, self.rows)


def votes_record(proba: np.ndarray, rows) -> dict:
    """Each tree's probabilities (trees × rows × classes) for these rows, as published: one
    byte per probability (`quantise`), base64."""
    votes = quantise(proba)
    n_trees, _, n_classes = votes.shape
    return {
        "rows": [int(r) for r in rows],
        "trees": n_trees,
        "classes": n_classes,
        "proba": base64.b64encode(votes.tobytes()).decode("ascii"),
    }


def decode_votes(votes: dict) -> np.ndarray:
    """The stored probabilities as an array (trees × rows × classes) of q / 255."""
    raw = np.frombuffer(base64.b64decode(votes["proba"]), dtype=np.uint8)
    return raw.reshape(votes["trees"], len(votes["rows"]), votes["classes"]) / STEPS


def draw_tree(
    tree, cols: np.ndarray, classes: np.ndarray, n_classes: int, depth: int = TREE_DEPTH
) -> dict:
    """The top `depth` levels of one fitted tree, nodes in pre-order (root first). A node below
    `depth` levels with children is folded: drawn with its samples and class mix, its split and
    children left out (`folded` counts the nodes under it). `feature` is a column of the data
    card's feature list; a row goes left when its value ≤ `threshold` (for a categorical
    feature: the categories with code ≤ threshold)."""
    t = tree.tree_
    nodes: list[dict] = []

    def below(node: int) -> int:
        left, right = t.children_left[node], t.children_right[node]
        return 0 if left == -1 else 2 + below(left) + below(right)

    def walk(node: int, level: int) -> int:
        i = len(nodes)
        value = np.zeros(n_classes)
        value[classes] = t.value[node][0]
        total = value.sum()
        entry = {
            "node": int(node),
            "samples": int(t.n_node_samples[node]),
            "mix": [float(v / total) if total else 0.0 for v in value],
            "feature": None,
            "threshold": None,
            "left": None,
            "right": None,
            "folded": 0,
        }
        nodes.append(entry)
        if t.children_left[node] == -1:
            return i
        if level >= depth:
            entry["folded"] = below(node)
            return i
        entry["feature"] = int(cols[t.feature[node]])
        entry["threshold"] = float(t.threshold[node])
        entry["left"] = walk(int(t.children_left[node]), level + 1)
        entry["right"] = walk(int(t.children_right[node]), level + 1)
        return i

    walk(0, 0)
    return {"node_count": int(t.node_count), "max_depth": int(t.max_depth), "nodes": nodes}
