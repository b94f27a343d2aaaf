"""Running family fits in parallel: local processes, or a Dask `distributed` cluster.

Families are independent tasks. Locally they go to a process pool whose workers are forked
from one *process server* (multiprocessing's forkserver) that has already imported
scikit-learn: `start_server` starts it at the beginning of a build, so that import (about a
second) runs while the build reads its data, and once instead of once per worker. The data
goes to each worker once, when it starts. Given a scheduler address, each family is one Dask
task (the data scattered to the workers once).
Results are handed back one at a time as they finish, so the caller can store each in the
cache at once instead of holding all of them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed

from forestlab.core.family import Dataset, fit_family
from forestlab.errors import UserError

#: How local workers start: forked from the process server, which imports PRELOAD first
#: (spawned, each importing for itself, where there is no forkserver: Windows).
SERVER = "forkserver" in multiprocessing.get_all_start_methods()
CONTEXT = multiprocessing.get_context("forkserver" if SERVER else "spawn")
PRELOAD = ["forestlab.runner", "sklearn.ensemble"]

#: The build's data in a worker process (installed by `_start_worker`).
_data: Dataset | None = None


def start_server() -> None:
    """Start the process server now (it returns at once; the server imports in the
    background). Safe to call again: a running server is reused."""
    if SERVER:
        import multiprocessing.forkserver

        CONTEXT.set_forkserver_preload(PRELOAD)
        multiprocessing.forkserver.ensure_running()


def _start_worker(data: Dataset | None) -> None:
    """Worker initializer: keep the data, leave Ctrl-C to the build, and exit as soon as the
    build is gone, even a killed one (otherwise the worker, and the process server it keeps
    alive, would run on, holding the build's terminal open)."""
    global _data
    _data = data
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    build = multiprocessing.parent_process()  # for a forked worker too: the process it serves

    def watch() -> None:
        build.join()
        os._exit(1)

    threading.Thread(target=watch, name="forestlab-parent-watch", daemon=True).start()


def processes(jobs: int, data: Dataset | None = None) -> ProcessPoolExecutor:
    """`jobs` local worker processes, each given `data` once."""
    start_server()
    return ProcessPoolExecutor(
        jobs, mp_context=CONTEXT, initializer=_start_worker, initargs=(data,)
    )


def _local_task(key: str, params: dict, spread: bool, tree_counts: list[int], seed: int):
    return _task(key, _data, params, spread, tree_counts, seed)


def _task(key: str, data: Dataset, params: dict, spread: bool, tree_counts: list[int], seed: int):
    return key, fit_family(data, params, tree_counts, seed, spread)


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
            client.submit(_task, key, shared, params, spread, tree_counts, seed, pure=False)
            for key, params, spread in todo
        ]
        for future in as_completed(futures):
            yield future.result()
            future.release()


def _local(data, todo, tree_counts, seed, jobs) -> Iterator[tuple[str, dict]]:
    """Families in submission order (the caller puts the longest first), results in finishing
    order. If the caller stops early, queued families are dropped and running ones finish."""
    pool = processes(jobs, data)
    try:
        futures = [
            pool.submit(_local_task, key, params, spread, tree_counts, seed)
            for key, params, spread in todo
        ]
        for future in as_completed(futures):
            yield future.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def run(
    data: Dataset,
    todo: list[tuple[str, dict, bool]],
    tree_counts: list[int],
    seed: int,
    jobs: int = 1,
    scheduler: str | None = None,
) -> Iterator[tuple[str, dict]]:
    """Yield (cache key, family record) for each (key, params, spread) in `todo`, in finishing
    order (`spread`: also the seed spread, see `fit_family`)."""
    if not todo:
        return
    if scheduler is not None:
        yield from _on_cluster(data, todo, tree_counts, seed, scheduler)
    elif jobs == 1:
        for key, params, spread in todo:
            yield _task(key, data, params, spread, tree_counts, seed)
    else:
        yield from _local(data, todo, tree_counts, seed, jobs)
