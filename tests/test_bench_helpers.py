"""The benchmark's own tools: the memory sampler sums a process tree, and every load generator
stops by itself within its request budget or its deadline."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import psutil
import pytest
from browser import SiteServer
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from loadgen import RssSampler, http_clients, streamlit_students, tree_rss

MIB = 1024**2

#: A parent holding 40 MiB that starts two children holding 60 MiB each; all report "ready".
TREE = """
import subprocess, sys
held = bytearray(40 * 2**20)
child = "import sys; b = bytearray(60 * 2**20); print('ready', flush=True); sys.stdin.read()"
kids = [subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True) for _ in range(2)]
for k in kids:
    k.stdout.readline()
print("ready", flush=True)
sys.stdin.read()
for k in kids:
    k.stdin.close(); k.wait()
"""


def test_tree_rss_sums_a_process_and_its_descendants():
    proc = subprocess.Popen(
        [sys.executable, "-c", TREE], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        procs = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        assert len(procs) == 3
        each = sum(p.memory_info().rss for p in procs)
        total = tree_rss(proc.pid)
        assert total >= 160 * MIB  # 40 + 2 x 60 MiB held, plus three interpreters
        assert abs(total - each) < 0.05 * each
        assert total > psutil.Process(proc.pid).memory_info().rss + 100 * MIB
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    assert tree_rss(proc.pid) == 0  # gone: nothing to count


def test_rss_sampler_keeps_the_peak():
    code = (
        "import time; b = bytearray(150 * 2**20); time.sleep(0.6); del b; "
        "print('freed', flush=True); time.sleep(0.6)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    with RssSampler(proc.pid, interval=0.02) as sampler:
        proc.stdout.readline()
        after = tree_rss(proc.pid)
        proc.wait(timeout=30)
    assert sampler.samples > 10
    assert sampler.peak >= 150 * MIB > after


def test_http_clients_stop_at_their_request_budget(tmp_path):
    (tmp_path / "page.html").write_text("<p>hello</p>")
    (tmp_path / "data.json").write_text("{}")
    with SiteServer(tmp_path) as server:
        result = http_clients(server.url, ["page.html", "data.json"], 5, 37, deadline_s=60)
    assert (result.requests, result.errors, result.stopped_by) == (37, 0, "budget")
    assert result.all_served_s is not None and result.all_served_s < result.elapsed_s


def test_http_clients_stop_at_their_deadline_when_the_server_never_answers():
    with socket.socket() as silent:  # accepts connections (backlog) but never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        start = time.perf_counter()
        result = http_clients(url, ["page.html"], 3, 1_000_000, deadline_s=1.0)
        took = time.perf_counter() - start
    assert took < 5
    assert result.stopped_by == "deadline"
    assert result.errors == result.requests == 3  # each client's one request timed out
    assert result.all_served_s is None


@pytest.mark.browser
def test_streamlit_students_stop_at_their_deadline(browser, tmp_path):
    """Students waiting for a result that never comes give up at the deadline."""
    (tmp_path / "index.html").write_text("<p>no app here</p>")
    with SiteServer(tmp_path) as server:
        start = time.perf_counter()
        result = streamlit_students(server.url, 2, 3, deadline_s=2.0, browser=browser)
        took = time.perf_counter() - start
    assert took < 15
    assert result.errors == 2 and result.interactions == 0
    assert result.all_served_s is None


def test_the_anchor_is_measured_only_from_a_build_and_never_invented(tmp_path, monkeypatch):
    import bench

    monkeypatch.delenv(bench.ANCHOR_ENV, raising=False)
    assert bench.anchor_folder() is None
    monkeypatch.setenv(bench.ANCHOR_ENV, str(tmp_path))
    assert bench.anchor_folder() is None  # no index.html: not a build
    (tmp_path / "index.html").write_text("<!doctype html>")
    assert bench.anchor_folder() == tmp_path
    report = bench.Report()
    bench.report_anchor(report, {"first_view_1x": {}})
    assert report.rows[-1] == (bench.ANCHOR_MISSING, "–", "", "")
    assert "FORESTLAB_ANCHOR_DIR" in bench.ANCHOR_MISSING
