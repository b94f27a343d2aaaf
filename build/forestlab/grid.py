"""Expanding the configured grid into forest families, and refusing grids too large to build."""

from __future__ import annotations

import itertools

from forestlab.config import BuildConfig, Config
from forestlab.core.family import FAMILY_KEYS
from forestlab.errors import UserError


def families(cfg: Config) -> list[dict]:
    """Every combination of the family hyperparameters, in a fixed order."""
    grid = cfg.grid
    axes = [getattr(grid, key) for key in FAMILY_KEYS]
    return [dict(zip(FAMILY_KEYS, combo, strict=True)) for combo in itertools.product(*axes)]


def check_size(cfg: Config, n_train_rows: int, n_features: int) -> None:
    """Refuse a grid that would blow the build budgets, saying what to reduce."""
    grid, limits = cfg.grid, cfg.build
    problems = []
    for k in grid.top_k_features:
        if k is not None and k > n_features:
            problems.append(
                f"Config value 'grid.top_k_features': {k} is more than the {n_features} usable "
                "features of the data; use a smaller number or null"
            )
    if problems:
        raise UserError(*problems)
    n_families = cfg.family_count()
    tree_rows = (
        n_families
        // len(grid.sample_fraction)
        * max(grid.n_estimators)
        * sum(min(n_train_rows, round(f * n_train_rows)) for f in grid.sample_fraction)
    )
    too_many = n_families > limits.max_families
    too_heavy = tree_rows > limits.max_tree_rows
    if not (too_many or too_heavy):
        return
    sizes = sorted(
        ((len(getattr(grid, k)), k) for k in ("n_estimators", *FAMILY_KEYS)), reverse=True
    )
    longest = ", ".join(f"{k} ({n} values)" for n, k in sizes if n > 1)
    # the default limit is about 5 minutes of fitting with 2 worker processes
    minutes = tree_rows / BuildConfig.model_fields["max_tree_rows"].default * 5 * 2 / limits.jobs
    if minutes < 1:
        took = "under a minute"
    elif minutes < 120:
        took = f"{minutes:,.0f} minutes"
    else:
        took = f"{minutes / 60:,.0f} hours"
    what = (
        f"{n_families:,} forest families (limit build.max_families = {limits.max_families:,})"
        if too_many
        else f"{tree_rows:,} tree-row fits, roughly {took} with build.jobs = {limits.jobs} "
        f"(limit build.max_tree_rows = {limits.max_tree_rows:,})"
    )
    raise UserError(
        f"The grid is too large to build: {cfg.point_count():,} grid points in {what}.",
        f"Reduce the longest lists: {longest}; or lower the largest n_estimators "
        f"({max(grid.n_estimators)}) or the sample_fraction values; or raise the limit if this "
        "machine can afford it.",
    )
