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


def reference_ranking(X: np.ndarray, y: np.ndarray, seed: int) -> tuple[int, ...]:
    """Features by importance in a reference forest (scikit-learn's defaults, sqrt features per
    split) on the training split, or on a stratified sample of REFERENCE_ROWS rows of it."""
    from sklearn.ensemble import RandomForestClassifier

    if len(y) > REFERENCE_ROWS:
        rows = sample_indices(y, REFERENCE_ROWS / len(y), seed)
        X, y = X[rows], y[rows]
    # threads across trees: the trees (and so the ranking) are the same for any n_jobs
    forest = RandomForestClassifier(
        n_estimators=REFERENCE_TREES, max_features="sqrt", random_state=seed, n_jobs=-1
    ).fit(X, y)
    # stable order: importance descending, then column order
    return tuple(int(i) for i in np.argsort(-forest.feature_importances_, kind="stable"))


def permutation_ranking(
    X: np.ndarray, y: np.ndarray, X_val: np.ndarray, y_val: np.ndarray, seed: int
) -> tuple[int, ...]:
    """Features by permutation importance on the validation split (mean drop in accuracy
    over `explain.PI_REPEATS` shuffles) of the reference forest: what picks the 2-D map's
    features, since impurity importance favours features with many values."""
    from sklearn.ensemble import RandomForestClassifier

    from forestlab.core.explain import permutation_importance

    if not len(y_val):  # nothing to score on: the columns in their order
        return tuple(range(X.shape[1]))
    if len(y) > REFERENCE_ROWS:
        rows = sample_indices(y, REFERENCE_ROWS / len(y), seed)
        X, y = X[rows], y[rows]
    forest = RandomForestClassifier(
        n_estimators=REFERENCE_TREES, max_features="sqrt", random_state=seed, n_jobs=-1
    ).fit(X, y)
    n_classes = int(max(y.max(), y_val.max())) + 1
    classes = forest.classes_.astype(int)
    _, drops = permutation_importance(forest.estimators_, classes, n_classes, X_val, y_val, seed)
    return tuple(int(i) for i in np.argsort(-drops.mean(axis=1), kind="stable"))
