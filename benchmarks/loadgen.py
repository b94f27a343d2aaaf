"""The benchmark's own tools: server memory, HTTP clients, and Streamlit students.

- `tree_rss(pid)`: resident memory of a process and all its descendants (a server is its
  master plus workers; a Streamlit app may start helper processes).
- `RssSampler`: the peak of `tree_rss` while a load runs, sampled in a thread.
- `http_clients(...)`: N concurrent clients, each fetching the explorer page and its data
  (like a student opening the explorer) until the request budget or the deadline is spent.
- `streamlit_students(...)`: N headless Chromium pages, each a student moving sliders in the
  Streamlit baseline and waiting for the retrained result.

Every load is bounded twice, by a number of requests (or interactions) and by a deadline,
so a stuck server ends the measurement instead of the benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass, field

import psutil


def tree_rss(pid: int) -> int:
    """Bytes of resident memory of `pid` and every descendant; processes that end while
    being read are skipped."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += proc.memory_info().rss
    return total


class RssSampler:
    """Peak tree RSS of `pid` between `with` entry and exit, sampled every `interval` s."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while True:
            self.peak = max(self.peak, tree_rss(self.pid))
            self.samples += 1
            if self._stop.wait(self.interval):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(self.pid))


class _Stop(Exception):
    """The request budget or the deadline is spent."""


@dataclass
class LoadResult:
    clients: int
    requests: int = 0
    errors: int = 0
    bytes: int = 0
    #: seconds from the start until every client had its first complete page and data
    all_served_s: float | None = None
    elapsed_s: float = 0.0
    stopped_by: str = "budget"
    error_kinds: dict = field(default_factory=dict)


def http_clients(
    base_url: str,
    paths: list[str],
    clients: int,
    max_requests: int,
    deadline_s: float,
    headers: dict | None = None,
) -> LoadResult:
    """`clients` concurrent clients, each fetching `paths` in order, again and again, until
    `max_requests` requests have been started in all or `deadline_s` has passed."""
    return asyncio.run(_http_clients(base_url, paths, clients, max_requests, deadline_s, headers))


async def _http_clients(base_url, paths, clients, max_requests, deadline_s, headers):
    import aiohttp

    result = LoadResult(clients=clients)
    started = time.perf_counter()
    deadline = started + deadline_s
    budget = {"left": max_requests}
    first_done: list[float] = []

    def note_error(kind: str):
        result.errors += 1
        result.error_kinds[kind] = result.error_kinds.get(kind, 0) + 1

    async def fetch(session, path) -> bool:
        if budget["left"] <= 0 or time.perf_counter() >= deadline:
            raise _Stop
        budget["left"] -= 1
        result.requests += 1
        try:
            timeout = aiohttp.ClientTimeout(total=max(0.1, deadline - time.perf_counter()))
            async with session.get(base_url + path, timeout=timeout) as response:
                body = await response.read()
        except (TimeoutError, aiohttp.ClientError) as e:
            note_error(type(e).__name__)
            return False
        if response.status != 200:
            note_error(f"HTTP {response.status}")
            return False
        result.bytes += len(body)
        return True

    async def client(session):
        served = False
        try:
            while True:
                # one visit: the page and its data, in order, as a browser fetches them
                ok = [await fetch(session, path) for path in paths]
                if all(ok) and not served:
                    served = True
                    first_done.append(time.perf_counter() - started)
        except _Stop:
            return

    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector, headers=headers or {}) as session:
        await asyncio.gather(*(client(session) for _ in range(clients)))
    result.elapsed_s = time.perf_counter() - started
    result.stopped_by = "budget" if budget["left"] <= 0 else "deadline"
    if len(first_done) == clients:
        result.all_served_s = max(first_done)
    return result


@dataclass
class StudentResult:
    students: int
    interactions: int = 0
    errors: int = 0
    #: seconds from the start until every student had seen the result of their last move
    all_served_s: float | None = None
    per_result_s: list[float] = field(default_factory=list)
    stopped_by: str = "budget"


#: The baseline app's last element counts its runs: a new count means the result is shown.
RUNS = "Runs in this session: {n}"
#: Streamlit's sliders (their keyboard-operable inputs).
SLIDERS = '[data-testid="stSlider"] input'


def streamlit_students(
    url: str, students: int, moves: int, deadline_s: float, browser
) -> StudentResult:
    """Each student opens the app in its own browser context and waits for the first result;
    then, in `moves` rounds, every student moves a slider (keyboard, as a student would) and
    waits until the app has retrained and shown the result. All students act at once in each
    round, as a class does when told "now set the depth to 5"."""
    result = StudentResult(students=students)
    started = time.perf_counter()
    deadline = started + deadline_s
    contexts = [
        browser.new_context(viewport={"width": 1000, "height": 900}) for _ in range(students)
    ]
    pages = [c.new_page() for c in contexts]
    active = set(range(students))
    done_at: dict[int, float] = {}
    try:
        for round_ in range(moves + 1):
            t0 = time.perf_counter()
            for i in sorted(active):  # everybody acts first ...
                try:
                    if round_ == 0:
                        pages[i].goto(url, wait_until="commit")
                    else:
                        slider = pages[i].locator(SLIDERS).nth(round_ % 3)
                        slider.focus()
                        slider.press("ArrowRight")
                        result.interactions += 1
                except Exception:  # a crashed page or a refused connection: an error to count
                    result.errors += 1
                    active.discard(i)
            for i in sorted(active):  # ... then each waits for its own result
                remaining_ms = (deadline - time.perf_counter()) * 1000
                try:
                    if remaining_ms <= 0:
                        raise TimeoutError("deadline")
                    shown = pages[i].get_by_text(RUNS.format(n=round_ + 1), exact=True)
                    shown.wait_for(timeout=remaining_ms)
                    result.per_result_s.append(time.perf_counter() - t0)
                    done_at[i] = time.perf_counter() - started
                except Exception:  # a timeout or a crashed page: an error to count
                    result.errors += 1
                    active.discard(i)
            if time.perf_counter() >= deadline:
                result.stopped_by = "deadline"
                break
    finally:
        for c in contexts:
            c.close()
    if not result.errors and result.stopped_by == "budget":
        result.all_served_s = max(done_at.values())
    return result
