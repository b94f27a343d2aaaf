"""Classification metrics from predicted probabilities, in plain numpy.

A build evaluates thousands of (grid point, split) pairs; scikit-learn's metric functions
validate their input on every call and would cost more than the forest fits themselves.
These are the same definitions (tests compare them with `sklearn.metrics` on random cases),
computed once from a confusion matrix and a rank vector. numpy only, so they run in Pyodide.
"""

from __future__ import annotations

import numpy as np

#: ROC curves are stored at these false-positive rates (interpolated), so every grid point's
#: curve has the same small size whatever the number of validation rows.
ROC_FPR_GRID = np.linspace(0.0, 1.0, 21)
#: The metrics `evaluate` gives for a split (besides the confusion matrix), in the order a
#: student reads them: the viewer's tables follow this order (published in the index).
METRICS = (
    "accuracy",
    "balanced_accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "roc_auc",
    "log_loss",
)
#: Metrics where smaller is better: for these, "worse on validation" is validation minus
#: training, for the others training minus validation.
LOWER_IS_BETTER = ("log_loss",)


def confusion(y: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Confusion matrix, rows = true class, columns = predicted class."""
    return np.bincount(y * n_classes + pred, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes
    )


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    # scikit-learn's zero_division=0 (it also warns; a grid of shallow trees often predicts
    # one class only, which is a result to show, not an error).
    out = np.zeros_like(num, dtype=float)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _rank_auc(pos_scores: np.ndarray, neg_scores: np.ndarray) -> float:
    """Area under the ROC curve as the Mann-Whitney statistic (ties count one half)."""
    n_pos, n_neg = len(pos_scores), len(neg_scores)
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    scores = np.concatenate([pos_scores, neg_scores])
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks = np.empty(len(scores), dtype=float)
    # average ranks over runs of equal scores
    boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(scores)]])
    avg = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(avg, ends - starts)
    rank_sum = ranks[:n_pos].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def roc_auc(y: np.ndarray, proba: np.ndarray, positive: int) -> float:
    """Binary AUC for `positive`, or one-vs-rest macro AUC for more than two classes."""
    n_classes = proba.shape[1]
    if n_classes == 2:
        s = proba[:, positive]
        return _rank_auc(s[y == positive], s[y != positive])
    aucs = [_rank_auc(proba[y == k, k], proba[y != k, k]) for k in range(n_classes)]
    return float(np.mean(aucs))


def roc_points(y: np.ndarray, proba: np.ndarray, positive: int) -> list[float]:
    """True-positive rates at `ROC_FPR_GRID` (binary targets), step-interpolated."""
    s = proba[:, positive]
    is_pos = y == positive
    n_pos, n_neg = int(is_pos.sum()), int((~is_pos).sum())
    if n_pos == 0 or n_neg == 0:
        return []
    order = np.argsort(-s, kind="mergesort")
    s_sorted, pos_sorted = s[order], is_pos[order]
    # one ROC vertex per distinct threshold
    last_of_run = np.concatenate([np.flatnonzero(np.diff(s_sorted)), [len(s) - 1]])
    tps = np.cumsum(pos_sorted)[last_of_run]
    fps = (last_of_run + 1) - tps
    tpr = np.concatenate([[0.0], tps / n_pos])
    fpr = np.concatenate([[0.0], fps / n_neg])
    return [round(float(v), 4) for v in np.interp(ROC_FPR_GRID, fpr, tpr)]


def log_loss(y: np.ndarray, proba: np.ndarray) -> float:
    eps = np.finfo(proba.dtype).eps
    p = np.clip(proba[np.arange(len(y)), y], eps, 1 - eps)
    return float(-np.log(p).mean())


def evaluate(y: np.ndarray, proba: np.ndarray, positive: int) -> dict:
    """All metrics of one split, from class probabilities (columns = encoded classes)."""
    n_classes = proba.shape[1]
    pred = np.argmax(proba, axis=1)
    cm = confusion(y, pred, n_classes)
    tp = np.diag(cm).astype(float)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    recall = _safe_div(tp, support)
    precision = _safe_div(tp, predicted)
    f1 = _safe_div(2 * precision * recall, precision + recall)
    present = support > 0
    return {
        "accuracy": float(tp.sum() / len(y)),
        "balanced_accuracy": float(recall[present].mean()),
        "precision_macro": float(precision.mean()),
        "recall_macro": float(recall.mean()),
        "f1_macro": float(f1.mean()),
        "roc_auc": roc_auc(y, proba, positive),
        "log_loss": log_loss(y, proba),
        "confusion_matrix": cm.tolist(),
    }
