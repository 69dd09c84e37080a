"""One crawl at a time per archive, with a real second process holding the lock."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from archive.lock import LOCK_NAME, ArchiveLocked, CrawlLock, current_holder, hold_for_process
from conftest import ROOT

HOLDER = textwrap.dedent(
    """
    import sys, time
    from archive.lock import CrawlLock
    lock = CrawlLock(sys.argv[1], command="xxgk crawl --all").acquire()
    print("held", flush=True)
    time.sleep(120)
    """
)


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lock on ``tmp_path / 'archive'``, like a running crawl."""
    archive = tmp_path / "archive"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(archive)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line == "held\n", proc.stderr.read()
        yield archive, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def test_a_second_acquire_names_the_holder(holder):
    archive, proc = holder
    with pytest.raises(ArchiveLocked) as caught:
        CrawlLock(archive).acquire()
    message = str(caught.value)
    assert message.startswith(f"another crawl holds {archive}: pid {proc.pid} on {socket.gethostname()}, started 20")
    assert message.endswith("Z (xxgk crawl --all)")
    assert caught.value.holder.pid == proc.pid
    found = current_holder(archive)  # read without taking the lock
    assert found == caught.value.holder
    with pytest.raises(ArchiveLocked):  # the probe took nothing: still held by the other process
        CrawlLock(archive).acquire()


def test_a_killed_holder_leaves_no_stale_lock(holder):
    archive, proc = holder
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert current_holder(archive) is None  # the file still names the dead process; the lock is gone
    assert json.loads((archive / LOCK_NAME).read_text())["pid"] == proc.pid
    with CrawlLock(archive, command="xxgk crawl --site x") as lock:
        assert lock.held
        record = json.loads((archive / LOCK_NAME).read_text())
        assert record["pid"] == os.getpid() and record["command"] == "xxgk crawl --site x"
        assert current_holder(archive).pid == os.getpid()
    assert current_holder(archive) is None


def test_hold_for_process_keeps_one_lock_per_archive(tmp_path):
    archive = tmp_path / "archive"
    assert current_holder(archive) is None and not archive.exists()  # reading creates nothing
    first = hold_for_process(archive, command="xxgk crawl --all")
    try:
        assert hold_for_process(archive) is first  # every crawler of the process shares it
        with pytest.raises(ArchiveLocked, match=f"pid {os.getpid()} .*\\(xxgk crawl --all\\)"):
            CrawlLock(archive).acquire()  # any other opener is refused, even in this process
        other = subprocess.run(
            [sys.executable, "-c", "import sys; from archive.lock import CrawlLock; CrawlLock(sys.argv[1]).acquire()",
             str(archive)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
        assert other.returncode == 1
        assert f"ArchiveLocked: another crawl holds {archive}: pid {os.getpid()}" in other.stderr
    finally:
        first.release()
    assert current_holder(archive) is None
