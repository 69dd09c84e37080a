"""A throw-away ``redis-server`` on loopback: no persistence, in a temporary folder.

``scripts/start-redis`` starts one from the shell; tests use :func:`redis_server`.
A distributed crawl's state lives only as long as its crawl (the queue, the
duplicate filter, the in-flight requests); the archives are the workers', so
nothing of Redis is worth keeping on disk (``--save ''``, ``--appendonly no``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


class RedisUnavailable(RuntimeError):
    """redis-server is not installed, or did not start."""


def redis_server_path() -> str | None:
    return shutil.which("redis-server")


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def server_argv(port: int, host: str, folder: Path) -> list[str]:
    return [redis_server_path() or "redis-server", "--port", str(port), "--bind", host, "--save", "",
            "--appendonly", "no", "--dir", str(folder), "--logfile", str(folder / "redis.log")]


@contextmanager
def redis_server(port: int | None = None, host: str = "127.0.0.1", timeout: float = 20.0):
    """Run a redis-server until the block ends; yields its URL (``redis://host:port/0``)."""
    import redis

    if redis_server_path() is None:
        raise RedisUnavailable("redis-server is not installed (scripts/install-redis installs it)")
    port = port or _free_port(host)
    with tempfile.TemporaryDirectory(prefix="xxgk-redis-") as folder:
        proc = subprocess.Popen(server_argv(port, host, Path(folder)), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        url = f"redis://{host}:{port}/0"
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=1)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log = Path(folder, "redis.log")
                        raise RedisUnavailable(f"redis-server did not start on {host}:{port}: "
                                               f"{log.read_text()[-500:] if log.exists() else ''}") from None
                    time.sleep(0.05)
            client.close()
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
