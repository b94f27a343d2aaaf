"""How sure a validation score is: a seeded bootstrap over the validation rows.

Every grid point is scored on the same few hundred validation rows, so two configurations a
few rows apart are not really different. The build resamples those rows (with replacement,
`RESAMPLES` times, seeded) and scores every point on every resample, from one bit per row and
point (`val_correct` of the family records) and one matrix product:

- each point's **interval**: the 2.5th and 97.5th percentiles of its resampled accuracies;
- the **best set**: the points whose *paired* difference from the top point (same resampled
  rows for both) has a 95% interval that includes 0, simplest first (fewest nodes, then
  fewest trees). Pairing matters: two forests that are right on mostly the same rows differ
  by far less than their two intervals suggest.

A bootstrap rather than the binomial standard error because the paired differences need it
anyway, and the interval then comes from the same resamples as the best set it is shown with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 1000
#: The build output's (unpublished) packed `correct_matrix`, for best sets of subsets
CORRECT_FILE = "val_correct.npy"
LEVEL = 0.95
_TAILS = (100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2)


def correct_matrix(records: Sequence[dict]) -> np.ndarray:
    """points × validation rows, True where the point's forest is right; points in index
    order (families in order, tree counts within)."""
    packed = [
        np.frombuffer(bytes.fromhex(p["val_correct"]), dtype=np.uint8)
        for r in records
        for p in r["points"]
    ]
    # the validation rows: every row is in exactly one cell of the confusion matrix
    n_rows = int(np.sum(records[0]["points"][0]["metrics"]["val"]["confusion_matrix"]))
    return np.unpackbits(np.vstack(packed), axis=1, count=n_rows).astype(bool)


@dataclass(frozen=True)
class Bootstrap:
    """Accuracies of every point on every resample of the validation rows."""

    accuracies: np.ndarray  # points × RESAMPLES
    n_rows: int
    seed: int

    @classmethod
    def of(cls, correct: np.ndarray, seed: int) -> Bootstrap:
        n_rows = correct.shape[1]
        rng = np.random.default_rng(seed)
        # how often each row is drawn in each resample: rows × RESAMPLES
        counts = rng.multinomial(n_rows, np.full(n_rows, 1 / n_rows), size=RESAMPLES).T
        hits = correct.astype(np.float32) @ counts.astype(np.float32)
        return cls(hits / n_rows, n_rows, seed)

    def intervals(self) -> tuple[np.ndarray, np.ndarray]:
        """Each point's 95% interval of validation accuracy (low, high)."""
        low, high = np.percentile(self.accuracies, _TAILS, axis=1)
        return low, high

    def best_set(self, top: int, candidates: Sequence[int]) -> list[int]:
        """The candidates whose paired difference from `top` has a 95% interval including 0
        (`top` itself always), in candidate order."""
        candidates = np.asarray(candidates, dtype=int)
        diffs = self.accuracies[top][None, :] - self.accuracies[candidates]
        low, high = np.percentile(diffs, _TAILS, axis=1)
        keep = (low <= 0) & (high >= 0)
        keep[candidates == top] = True
        return candidates[keep].tolist()


def simplest_first(points: Sequence[int], n_nodes: Sequence[int], trees: Sequence[int]):
    """Points ordered by fewest nodes, then fewest trees, then number."""
    return sorted(points, key=lambda p: (n_nodes[p], trees[p], p))
