"""Servers the benchmark starts on loopback and stops again: nginx for the built site, and the
Streamlit baseline. Each is a context manager yielding (base URL, process id)."""

from __future__ import annotations

import contextlib
import gzip
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
#: Text files nginx serves pre-compressed (gzip_static), as a static host would.
COMPRESSIBLE = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt")

NGINX_CONF = """
# the site lives in a private temporary folder: workers read it as the user who started nginx
user {user};
worker_processes 2;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 30;
    gzip_static on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{url} answered HTTP {e.code}") from None
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def precompress(site: Path) -> None:
    """file.gz beside each text file, for nginx's gzip_static (no compression per request)."""
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in COMPRESSIBLE:
            path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes(), 9))


@contextlib.contextmanager
def stopping(proc: subprocess.Popen):
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def nginx(site: Path):
    """nginx (Debian's package) serving `site` on a free loopback port."""
    if not Path(NGINX).exists():
        raise RuntimeError("nginx not found: apt-get install nginx")
    with tempfile.TemporaryDirectory(prefix="forestlab-nginx-") as tmp:
        port = free_port()
        conf = Path(tmp) / "nginx.conf"
        user = pwd.getpwuid(os.getuid()).pw_name
        conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, root=site, user=user))
        proc = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", tmp],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        with stopping(proc):
            url = f"http://127.0.0.1:{port}/"
            wait_until_up(url, proc)
            yield url, proc.pid


@contextlib.contextmanager
def streamlit(app: Path, env: dict | None = None):
    """The Streamlit baseline app on a free loopback port."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(app),
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    with stopping(proc):
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url + "_stcore/health", proc)
        yield url, proc.pid
