"""Running family fits in parallel: local processes, or a Dask `distributed` cluster.

Families are independent tasks. Locally they go to joblib's process pool; given a scheduler
address, each is one Dask task (the data scattered to the workers once).
Results are handed back one at a time as they finish, so the caller can store each in the
cache at once instead of holding all of them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import joblib

from forestlab.core.family import Dataset, fit_family
from forestlab.errors import UserError


def _exit_with(parent: int) -> None:
    """Worker initializer: exit as soon as the build that started this worker is gone.

    Without this, a build killed with SIGKILL leaves its worker processes running on (and
    holding its terminal's pipes open) until they notice on their own, which can take minutes.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="forestlab-parent-watch", daemon=True).start()


def _task(key: str, data: Dataset, params: dict, tree_counts: list[int], seed: int):
    return key, fit_family(data, params, tree_counts, seed)


def local_processes():
    """joblib's process pool for this build: its workers exit when the build does. Every
    local Parallel call uses it, so they share one pool instead of starting new workers."""
    return joblib.parallel_config(backend="loky", initializer=_exit_with, initargs=(os.getpid(),))


def _client(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise UserError("error.cli.no_dask") from None
    try:
        return Client(scheduler, timeout="10s")
    except OSError as e:
        raise UserError("error.cli.scheduler", address=scheduler, problem=str(e)) from None


def _on_cluster(data, todo, tree_counts, seed, scheduler) -> Iterator[tuple[str, dict]]:
    """One Dask task per family. The data goes to every worker once (scattered), not with
    each task; results come back as they finish and are released at once."""
    from distributed import as_completed

    with _client(scheduler) as client:
        shared = client.scatter(data, broadcast=True)
        futures = [
            client.submit(_task, key, shared, params, tree_counts, seed, pure=False)
            for key, params in todo
        ]
        for future in as_completed(futures):
            yield future.result()
            future.release()


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
    if scheduler is not None:
        yield from _on_cluster(data, todo, tree_counts, seed, scheduler)
        return
    if jobs == 1:
        for key, params in todo:
            yield _task(key, data, params, tree_counts, seed)
        return
    with local_processes():
        parallel = joblib.Parallel(n_jobs=jobs, return_as="generator_unordered")
        yield from parallel(
            joblib.delayed(_task)(key, data, params, tree_counts, seed) for key, params in todo
        )
