"""Assembling family records into the published results, and reading slices of them.

The published records are deterministic (no timings: fit times vary run to run, so they go to
`timings.json`, which is not published) and rounded to what a student can see; their formats
are declared in `forestlab.formats`.
"""

from __future__ import annotations

from forestlab.core.dims import FAMILY_KEYS


def family_id(params: dict) -> tuple:
    return tuple(params[k] for k in FAMILY_KEYS)


def timings(records: list[dict]) -> list[dict]:
    return [
        {
            "params": r["params"],
            "fit_seconds": {p["n_estimators"]: p["fit_seconds"] for p in r["points"]},
            # beyond the family's own fit: permutation, map_fit, spread_fit, oob (unpublished)
            "stage_seconds": r.get("stage_seconds", {}),
        }
        for r in records
    ]


class Results:
    """Family records with lookups by grid point."""

    def __init__(self, records: list[dict], dims: dict[str, list]):
        self.records = records
        self.dims = dims
        self.by_family = {family_id(r["params"]): r for r in records}

    def point(self, params: dict, n_estimators: int) -> dict:
        record = self.by_family[family_id(params)]
        return next(p for p in record["points"] if p["n_estimators"] == n_estimators)

    def vary(self, params: dict, n_estimators: int, dim: str) -> list[tuple[object, dict]]:
        """Points along one dimension, all else fixed at (params, n_estimators)."""
        out = []
        for value in self.dims[dim]:
            if dim == "n_estimators":
                out.append((value, self.point(params, value)))
            else:
                out.append((value, self.point({**params, dim: value}, n_estimators)))
        return out
