"""The archive's writes of a crawl process, on a thread of their own, committed in groups.

Every response is archived before the crawl goes on with it (the body in the
content-addressed store, its WARC records, its ``fetches`` row) and every item
is recorded before it counts as done (its catalogue rows). Done on the reactor
thread, that is gzip, SHA-256, file writes and two SQLite transactions per page
between the reactor's other work; here it is done on one writer thread per
process and catalogue, shared by the crawlers of every site of the process
(:class:`crawler.middlewares.ArchiveMiddleware` and
:class:`crawler.pipelines.ReportCataloguePipeline`), with one connection.
zlib, hashlib, file I/O and SQLite release the GIL while they work, so that
much of it runs beside the reactor.

A job has two parts: ``files()``, the writes outside the catalogue (body,
WARC records), and ``rows(db, staged)``, the catalogue rows, given what
``files()`` returned. The thread takes every job queued (up to
:data:`MAX_BATCH`), writes their files in order, then their rows in one
transaction (each job in a savepoint of its own: a job that fails leaves the
others), commits, and only then hands each job's result back to the coroutine
that awaits it. So, as before, a response goes on to the spider only once its
body, its WARC records and its row are written and committed, in that order,
and a crawl killed at any moment leaves no row pointing at a missing body or
record. Only the commits are fewer: one per group instead of one or two a page.

Closing (the last crawler of the process releases the writer: SIGTERM,
Ctrl-C, the end of the crawl) lets the thread finish every job queued before
it stops.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from archive.catalogue import open_db

logger = logging.getLogger(__name__)

MAX_BATCH = 64  # jobs written and committed together at most


@dataclass(eq=False)
class _Job:
    files: Callable[[], Any] | None
    rows: Callable[[Any, Any], Any] | None
    settle: Callable[[Any, BaseException | None], None]
    loop: asyncio.AbstractEventLoop | None = None  # settled on this loop's thread; None: on the writer's
    staged: Any = None
    result: Any = None
    error: BaseException | None = None


@dataclass(eq=False)
class _Stop:
    done: threading.Event = field(default_factory=threading.Event)


class ArchiveWriter:
    """The writer thread of one catalogue in this process (:meth:`acquire` it)."""

    _writers: dict[str, "ArchiveWriter"] = {}
    _lock = threading.Lock()

    def __init__(self, db_path: str):
        self.db_path = db_path
        self.users = 0
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._opened = threading.Event()
        self._open_error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"archive-writer {Path(db_path).name}", daemon=True)
        self._thread.start()
        self._opened.wait()
        if self._open_error is not None:
            raise self._open_error

    # -- users ---------------------------------------------------------------------

    @classmethod
    def acquire(cls, db_path: str) -> "ArchiveWriter":
        """The process's writer of the catalogue at ``db_path`` (started if none is running)."""
        key = str(Path(db_path).resolve())
        with cls._lock:
            writer = cls._writers.get(key)
            if writer is None:
                writer = cls._writers[key] = cls(db_path)
            writer.users += 1
            return writer

    def release(self) -> None:
        """One user less; the last one stops the thread once every job queued is written."""
        with self._lock:
            self.users -= 1
            if self.users > 0:
                return
            key = str(Path(self.db_path).resolve())
            if self._writers.get(key) is self:
                del self._writers[key]
        stop = _Stop()
        self._queue.put(stop)
        stop.done.wait()
        self._thread.join()

    # -- jobs ------------------------------------------------------------------------

    async def write(self, files: Callable[[], Any] | None = None,
                    rows: Callable[[Any, Any], Any] | None = None) -> Any:
        """Run ``files()`` then ``rows(db, what files() returned)`` on the writer thread;
        return what ``rows`` returned (or ``files`` without ``rows``) once it is committed."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()

        def settle(result, error):  # on the loop's thread
            if future.cancelled():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

        self._queue.put(_Job(files, rows, settle, loop))
        return await future

    def run_now(self, files: Callable[[], Any]) -> Any:
        """Run ``files()`` on the writer thread after every job queued before it, and
        wait for it (the caller blocks: for closing a WARC file when a crawler ends)."""
        done = threading.Event()
        outcome: list = []
        self._queue.put(_Job(files, None, lambda result, error: (outcome.append((result, error)), done.set())))
        done.wait()
        result, error = outcome[0]
        if error is not None:
            raise error
        return result

    # -- the thread --------------------------------------------------------------------

    def _run(self) -> None:
        try:
            db = open_db(self.db_path)
        except BaseException as error:  # noqa: BLE001 - handed to the thread that started us
            self._open_error = error
            self._opened.set()
            return
        self._opened.set()
        try:
            while True:
                batch = [self._queue.get()]
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                stop = next((job for job in batch if isinstance(job, _Stop)), None)
                self._write([job for job in batch if isinstance(job, _Job)], db)
                if stop is not None:
                    # jobs queued after the stop (none should be) are written too
                    while True:
                        try:
                            rest = self._queue.get_nowait()
                        except queue.Empty:
                            break
                        if isinstance(rest, _Job):
                            self._write([rest], db)
                        else:
                            rest.done.set()
                    stop.done.set()
                    return
        finally:
            db.close()

    def _write(self, jobs: list[_Job], db) -> None:
        for job in jobs:
            try:
                job.staged = job.files() if job.files is not None else None
                if job.rows is None:
                    job.result = job.staged
            except BaseException as error:  # noqa: BLE001 - handed back to the job's caller
                job.error = error
        pending = [job for job in jobs if job.error is None and job.rows is not None]
        if pending:
            try:
                with db.atomic():  # BEGIN IMMEDIATE … COMMIT: one commit for the group
                    for job in pending:
                        try:
                            with db.atomic():  # a savepoint: a failed job leaves the others
                                job.result = job.rows(db, job.staged)
                        except Exception as error:  # noqa: BLE001
                            job.error = error
            except BaseException as error:  # noqa: BLE001 - the commit failed: no row of the group was written
                for job in pending:
                    if job.error is None:
                        job.error, job.result = error, None
        loops: dict[asyncio.AbstractEventLoop | None, list[_Job]] = {}
        for job in jobs:
            loops.setdefault(job.loop, []).append(job)
        for loop, settled in loops.items():
            if loop is None:
                self._settle(settled)
                continue
            try:  # one wake-up of the reactor for the group
                loop.call_soon_threadsafe(self._settle, settled)
            except RuntimeError:  # the loop is closed: nobody awaits these any more
                pass

    @staticmethod
    def _settle(jobs: list[_Job]) -> None:
        for job in jobs:
            job.settle(job.result, job.error)

