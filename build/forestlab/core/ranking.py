"""The reference ranking of the features, which `top_k_features` families train on.

It lives in `forestlab.core` because it shapes cached results: the cache key hashes this
package's source, so an edit here retrains every family that depends on the ranking.
"""

from __future__ import annotations

import numpy as np

from forestlab.core.family import sample_indices

#: The reference forest that ranks the features sees at most this many training rows (a
#: stratified sample): enough for a stable ranking, and minutes less on a million rows.
REFERENCE_ROWS = 20_000
#: Trees of the reference forest.
REFERENCE_TREES = 100


def reference_rows(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The training split, or a stratified sample of REFERENCE_ROWS rows of it."""
    if len(y) > REFERENCE_ROWS:
        rows = sample_indices(y, REFERENCE_ROWS / len(y), seed)
        return X[rows], y[rows]
    return X, y


def reference_forest(X: np.ndarray, y: np.ndarray, seed: int):
    """The reference forest (scikit-learn's defaults, sqrt features per split) on
    `reference_rows` of the training split."""
    from sklearn.ensemble import RandomForestClassifier

    # threads across trees: the trees (and so the rankings) are the same for any n_jobs
    return RandomForestClassifier(
        n_estimators=REFERENCE_TREES, max_features="sqrt", random_state=seed, n_jobs=-1
    ).fit(*reference_rows(X, y, seed))


def reference_ranking(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[int, ...]:
    """Features by impurity importance in the reference forest."""
    forest = reference_forest(X, y, seed)
    # stable order: importance descending, then column order
    return tuple(int(i) for i in np.argsort(-forest.feature_importances_, kind="stable"))


def permutation_ranking(
    X: np.ndarray, y: np.ndarray, X_val: np.ndarray, y_val: np.ndarray, seed: int
) -> tuple[int, ...]:
    """Features by permutation importance on the validation split (mean drop in accuracy
    over `explain.PI_REPEATS` shuffles) of the reference forest: what picks the 2-D map's
    features, since impurity importance favours features with many values."""
    from forestlab.core.explain import permutation_importance

    if not len(y_val):  # nothing to score on: the columns in their order
        return tuple(range(X.shape[1]))
    forest = reference_forest(X, y, seed)
    n_classes = int(max(y.max(), y_val.max())) + 1
    classes = forest.classes_.astype(int)
    _, drops = permutation_importance(forest.estimators_, classes, n_classes, X_val, y_val, seed)
    return tuple(int(i) for i in np.argsort(-drops.mean(axis=1), kind="stable"))
