"""Expanding the configured grid into forest families, and refusing grids too large to build."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from forestlab.config import BuildConfig, Config
from forestlab.core.family import FAMILY_KEYS, stratified_sample_possible
from forestlab.core.messages import Message
from forestlab.errors import UserError
from forestlab.formats import PLACEHOLDER

#: The smallest training sample `auto` chooses or the refusal suggests: below it the default
#: grid's smaller sample fractions hold too few rows per class to teach anything.
MIN_SAMPLE = 500


def families(cfg: Config) -> list[dict]:
    """Every combination of the family hyperparameters, in a fixed order."""
    grid = cfg.grid
    axes = [getattr(grid, key) for key in FAMILY_KEYS]
    return [dict(zip(FAMILY_KEYS, combo, strict=True)) for combo in itertools.product(*axes)]


def lesson_views(pages: Path | None) -> list[dict]:
    """The viewer options of every lesson page under `pages` (a MkDocs docs folder)."""
    if pages is None or not pages.is_dir():
        return []
    views = []
    for page in sorted(pages.rglob("*.md")):
        for m in PLACEHOLDER.finditer(page.read_text(encoding="utf-8", errors="replace")):
            if m.group(1) == "viewer" and m.group(2):
                try:
                    options = json.loads(m.group(2))
                except ValueError:
                    continue  # the page build names the page and its error
                if isinstance(options, dict) and options.get("lesson"):
                    views.append(options)
    return views


def spread_families(cfg: Config, views: list[dict]) -> set[tuple]:
    """The families a student can reach from the lessons: a lesson fixes the dimensions it
    presets and hides (or fixes), and every other one may take any grid value (a value the
    lesson leaves to the grid's best setting counts as any). These get the seed spread."""
    reach: set[tuple] = set()
    for view in views:
        named = {**view.get("preset", {}), **view.get("fixed", {})}
        still = set(view.get("hide", [])) | set(view.get("fixed", {}))
        axes = []
        for key in FAMILY_KEYS:
            values = getattr(cfg.grid, key)
            if key in named and key in still:
                values = [v for v in values if v == named[key]]
            axes.append(values)
        reach.update(itertools.product(*axes))
    return reach


def check_samples(cfg: Config, y_train: np.ndarray) -> None:
    """Refuse a training-sample share that scikit-learn's stratified `train_test_split` (the
    sampler the build shares with the students' code) cannot take from these rows."""
    classes = len(np.unique(y_train))
    problems = [
        Message("error.grid.sample_fraction", value=f, rows=f"{len(y_train):,}", classes=classes)
        for f in cfg.grid.sample_fraction
        if not stratified_sample_possible(y_train, f)
    ]
    if problems:
        raise UserError(*problems)


def tree_rows(cfg: Config, n_train_rows: int) -> int:
    """The grid's fitting work: for every family, its largest forest's trees times the rows
    each tree is fitted on."""
    grid = cfg.grid
    return (
        cfg.family_count()
        // len(grid.sample_fraction)
        * max(grid.n_estimators)
        * sum(min(n_train_rows, round(f * n_train_rows)) for f in grid.sample_fraction)
    )


def rows_that_fit(cfg: Config, n_train_rows: int) -> int:
    """The most training rows (at most `n_train_rows`) whose grid stays within
    build.max_tree_rows; 0 when not even a few rows would."""
    per_row = tree_rows(cfg, n_train_rows) / n_train_rows
    n = min(n_train_rows, int(cfg.build.max_tree_rows / per_row))
    while n > 0 and tree_rows(cfg, n) > cfg.build.max_tree_rows:  # rounding of the fractions
        n -= 1
    return n


def sample_size(cfg: Config, n_train_rows: int) -> int:
    """How many of the training rows the grid trains on (data.train_rows): all of them; the
    number set; or, with `auto` and ForestLab's default grid, as many as fit the budget."""
    wanted = cfg.data.train_rows
    if isinstance(wanted, int):
        return min(wanted, n_train_rows)
    if wanted == "auto" and cfg.default_grid():
        fit = rows_that_fit(cfg, n_train_rows)
        if fit >= MIN_SAMPLE:
            return fit
    return n_train_rows


def check_size(
    cfg: Config, n_train_rows: int, n_features: int, all_rows: int | None = None
) -> None:
    """Refuse a grid that would blow the build budgets, saying what to reduce. `n_train_rows`
    are the rows the grid trains on; `all_rows` the training rows there are, when that is a
    sample of them (data.train_rows)."""
    grid, limits = cfg.grid, cfg.build
    problems = []
    for k in grid.top_k_features:
        if k is not None and k > n_features:
            problems.append(Message("error.grid.top_k", k=k, n=n_features))
    if problems:
        raise UserError(*problems)
    n_families = cfg.family_count()
    work = tree_rows(cfg, n_train_rows)
    too_many = n_families > limits.max_families
    too_heavy = work > limits.max_tree_rows
    if not (too_many or too_heavy):
        return
    sizes = sorted(
        ((len(getattr(grid, k)), k) for k in ("n_estimators", *FAMILY_KEYS)), reverse=True
    )
    longest = ", ".join(f"{k} ({n})" for n, k in sizes if n > 1)
    # the default limit is about 5 minutes of fitting with 2 worker processes
    minutes = work / BuildConfig.model_fields["max_tree_rows"].default * 5 * 2 / limits.jobs
    if minutes < 1:
        took = Message("error.grid.under_a_minute")
    elif minutes < 120:
        took = Message("error.grid.minutes", n=f"{minutes:,.0f}")
    else:
        took = Message("error.grid.hours", n=f"{minutes / 60:,.0f}")
    if too_many:
        what = Message("error.grid.families", n=f"{n_families:,}", limit=f"{limits.max_families:,}")
    else:
        what = Message(
            "error.grid.tree_rows",
            n=f"{work:,}",
            took=took,
            jobs=limits.jobs,
            limit=f"{limits.max_tree_rows:,}",
        )
    ways = [Message("error.grid.reduce", longest=longest, trees=max(grid.n_estimators))]
    all_rows = all_rows or n_train_rows
    fit = rows_that_fit(cfg, all_rows)
    if not too_many and fit >= MIN_SAMPLE:
        ways.append(Message("error.grid.train_rows", n=fit, of=f"{all_rows:,}"))
    raise UserError(
        Message("error.grid.too_large", points=f"{cfg.point_count():,}", what=what), *ways
    )
