"""Running family fits in parallel: local processes, or a Dask `distributed` cluster.

Families are independent tasks. Locally they go to joblib's process pool; given a scheduler
address they go to the same joblib calls on the Dask backend, so one code path serves both.
Results are handed back one at a time as they finish, so the caller can store each in the
cache at once instead of holding all of them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import joblib

from forestlab.core.family import Dataset, fit_family
from forestlab.errors import UserError


def _task(key: str, data: Dataset, params: dict, tree_counts: list[int], seed: int):
    return key, fit_family(data, params, tree_counts, seed)


@contextlib.contextmanager
def _backend(jobs: int, scheduler: str | None):
    if scheduler is None:
        yield jobs
        return
    try:
        from distributed import Client
    except ImportError:
        raise UserError(
            "--scheduler needs Dask: install forestlab with the 'dask' extra "
            "(pip install 'forestlab[dask]')"
        ) from None
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as e:
        raise UserError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({e})") from None
    with client, joblib.parallel_config(backend="dask"):
        yield -1  # one task per family, spread over all workers


def run(
    data: Dataset,
    todo: list[tuple[str, dict]],
    tree_counts: list[int],
    seed: int,
    jobs: int = 1,
    scheduler: str | None = None,
) -> Iterator[tuple[str, dict]]:
    """Yield (cache key, family record) for each (key, params) in `todo`, in finishing order."""
    if not todo:
        return
    with _backend(jobs, scheduler) as n_jobs:
        if n_jobs == 1:
            for key, params in todo:
                yield _task(key, data, params, tree_counts, seed)
            return
        parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        yield from parallel(
            joblib.delayed(_task)(key, data, params, tree_counts, seed) for key, params in todo
        )
