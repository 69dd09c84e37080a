"""One crawl at a time per archive: an exclusive lock on the archive folder.

Two crawls writing one archive would interleave their WARC files and race on
the catalogue's rows, so a crawl takes ``ARCHIVE/.crawl.lock`` with
``fcntl.flock`` before it writes anything and holds it for the life of its
process. The lock belongs to the open file, not to the file's contents: the
operating system releases it when the process exits, however it exits, so a
crawl killed with SIGKILL never leaves a stale lock behind, and the next crawl
simply takes it.

The file's contents only describe the holder (pid, host, start time, command
line, as JSON) so that the error a second crawl gets can say who is in the
way. They are rewritten by every new holder; the file itself is never
deleted, since deleting a lock file lets two processes lock two different
files of the same name.

:func:`current_holder` tells whether a crawl holds the lock without taking it
(``xxgk check`` uses it to tell a running crawl's open WARC file from a killed
one's).
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import shlex
import socket
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

LOCK_NAME = ".crawl.lock"

# A probe by current_holder() holds a shared lock for microseconds; a crawl
# starting in that instant retries for this long before it gives up.
_PROBE_GRACE_SECONDS = 0.5


@dataclass(frozen=True)
class Holder:
    """Who holds an archive's lock, as its lock file says."""

    pid: int | None
    host: str | None
    started: str | None  # UTC, ISO 8601
    command: str | None

    def describe(self) -> str:
        if self.pid is None:
            return "holder unknown (its lock file names no process yet)"
        text = f"pid {self.pid} on {self.host or 'an unknown host'}"
        if self.started:
            text += f", started {self.started}"
        if self.command:
            text += f" ({self.command})"
        return text


class ArchiveLocked(RuntimeError):
    """Another crawl holds the archive's lock."""

    def __init__(self, archive: Path, holder: Holder):
        self.archive = archive
        self.holder = holder
        super().__init__(f"another crawl holds {archive}: {holder.describe()}")


def lock_path(archive: str | os.PathLike[str]) -> Path:
    return Path(archive) / LOCK_NAME


def _command_line() -> str:
    """This process's command line as a user typed it (``xxgk crawl --all``)."""
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else sys.executable
    if program == "__main__.py":  # python -m xxgk
        program = Path(sys.argv[0]).parent.name
    return shlex.join([program, *sys.argv[1:]])


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _read_holder(fd: int) -> Holder:
    """The holder an open lock file describes (fields unknown where it is empty or damaged)."""
    os.lseek(fd, 0, os.SEEK_SET)
    raw = b""
    while chunk := os.read(fd, 4096):
        raw += chunk
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict):
        return Holder(pid=None, host=None, started=None, command=None)
    pid = data.get("pid")
    return Holder(
        pid=pid if isinstance(pid, int) else None,
        host=data.get("host") if isinstance(data.get("host"), str) else None,
        started=data.get("started") if isinstance(data.get("started"), str) else None,
        command=data.get("command") if isinstance(data.get("command"), str) else None,
    )


def _try_flock(fd: int, operation: int) -> bool:
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


class CrawlLock:
    """The exclusive lock on one archive folder; a context manager.

    ``acquire()`` raises :class:`ArchiveLocked` naming the holder if another
    process has it.
    """

    def __init__(self, archive: str | os.PathLike[str], *, command: str | None = None):
        self.archive = Path(archive)
        self.path = lock_path(self.archive)
        self.command = command
        self.holder: Holder | None = None
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> CrawlLock:
        if self._fd is not None:
            return self
        self.archive.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            deadline = time.monotonic() + _PROBE_GRACE_SECONDS
            while not _try_flock(fd, fcntl.LOCK_EX):
                if time.monotonic() >= deadline:
                    raise ArchiveLocked(self.archive, _read_holder(fd))
                time.sleep(0.02)
            holder = Holder(
                pid=os.getpid(), host=socket.gethostname(), started=_utc_now(),
                command=self.command if self.command is not None else _command_line(),
            )
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(asdict(holder), ensure_ascii=False).encode("utf-8") + b"\n", 0)
            os.fsync(fd)
        except BaseException:
            os.close(fd)  # closing releases the lock if it was taken
            raise
        self._fd, self.holder = fd, holder
        return self

    def fileno(self) -> int:
        """The lock file's descriptor (a process handed it holds the lock too: ``xxgk crawl --processes``)."""
        if self._fd is None:
            raise ValueError(f"the lock on {self.archive} is not held")
        return self._fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd, self.holder = self._fd, None, None
        try:
            os.ftruncate(fd, 0)  # no holder described: none is
        finally:
            os.close(fd)  # releases the flock

    def __enter__(self) -> CrawlLock:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()


_HELD: dict[Path, CrawlLock] = {}


def hold_for_process(archive: str | os.PathLike[str], *, command: str | None = None) -> CrawlLock:
    """Take the archive's lock until this process ends (idempotent within a process).

    The lock object is kept here, not by the caller: if it were garbage
    collected its file would close and the lock would go with it. Several
    crawlers in one process (``xxgk crawl --all``) share the one lock.
    """
    key = Path(archive).resolve()
    lock = _HELD.get(key)
    if lock is None or not lock.held:
        lock = CrawlLock(archive, command=command).acquire()
        _HELD[key] = lock
    return lock


def current_holder(archive: str | os.PathLike[str]) -> Holder | None:
    """Who holds the archive's lock, or None if nobody does (no lock taken, nothing created)."""
    try:
        fd = os.open(lock_path(archive), os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        if _try_flock(fd, fcntl.LOCK_SH):
            return None  # closing the file below drops the probe's shared lock
        return _read_holder(fd)
    finally:
        os.close(fd)
