"""Parse documents in a worker process with a memory cap and a time limit.

Why: the parser runs third-party readers (pdfminer, python-docx, openpyxl,
xlrd, LibreOffice) over whatever a portal served. The readers refuse what they
can recognise (:mod:`parse.formats`), but a document can still take more memory
or time than the machine has -- and in the crawl's own process that stopped
every other report with it. Here one document costs at most its report.

How:

* One worker process, reused for every document (no process per document:
  the per-document overhead is one round trip through a pipe). It is a fresh
  interpreter (``python -m parse.isolation``), not a fork of the caller: the
  caller may run threads (Scrapy's, BLAS's) that ``fork`` must not copy, and
  multiprocessing's spawn/forkserver would re-import the caller's ``__main__``
  (``python -m xxgk`` would run the command line again). Starting it costs the
  parser's imports, about two seconds, once -- and again only when a worker
  had to be killed.
* The worker caps its own address space (``RLIMIT_AS``) at
  :data:`MEMORY_LIMIT` as soon as it runs (the ``parse`` package's imports
  come first). An allocation past the cap
  fails with MemoryError inside the worker, which answers "over the memory
  limit" and exits; LibreOffice, started by the worker for legacy Word files,
  inherits the cap. A worker killed outright (the kernel's OOM killer, a crash
  in a C library) is noticed by its closed pipe.
* The caller waits :data:`TIME_LIMIT` seconds per document; then the worker is
  killed (SIGKILL) and a new one is started for the next document.
* The worker ends with its caller (``PR_SET_PDEATHSIG``): a crawl stopped by
  SIGTERM or killed leaves no worker parsing on. It ignores Ctrl-C, which the
  caller handles (leaving the ``with`` block ends the worker).

Room for OCR: slow, memory-hungry steps belong inside the job (an OCR pass over
a scanned PDF's page images would run in :func:`parse.report.parse_document`
in the worker). The caller does not change; such a step would raise the
limits through :class:`Limits`, or run as a job of its own with its own.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import pickle
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

from .errors import ParseStopped, UnreadableDocument

logger = logging.getLogger(__name__)

GiB = 1 << 30

# Address space of the worker, everything included: the interpreter with the
# parser's libraries takes 0.36 GiB of it (see WORKER_ENV); parsing the largest
# real report PDF takes 0.03 GiB more (VmPeak 0.39 GiB). 2 GiB leaves room for
# documents fifty times that, and keeps a runaway one far from what a small
# machine has.
MEMORY_LIMIT = 2 * GiB
# Wall-clock seconds per document. A real report parses in 0.1-5 s; legacy Word
# files are converted by LibreOffice, whose own timeout (120 s, office_convert)
# is kept below this one so that a stuck conversion is ended by office_convert,
# which kills LibreOffice's process group, and not by killing the worker, which
# would leave LibreOffice running.
TIME_LIMIT = 180.0
# OCR asks for more time before each picture it reads (allow_more: ~60 s per
# 1000-pixel tile on a busy 2-core machine); one request grants at most this.
MAX_EXTENSION = 1200.0
# Before it says it is ready, the worker imports the parser and parses this
# small report once, so that the first document's time limit does not pay for
# the imports and the lazy loading (the region gazetteer: about two seconds).
PRELOAD = "parse.report"
WARM_UP_REPORT = (
    "威海市文登区人民政府2019年政府信息公开工作年度报告\n"
    "本报告由威海市文登区人民政府办公室编制。全年主动公开政府信息120条，"
    "收到政府信息公开申请5件。"
).encode("utf-8")
# The address-space cap counts reservations, not use: pyarrow (imported by
# pandas, which the region gazetteer cpca uses) reserves 1 GiB for its own
# allocator at import, and OpenBLAS a buffer per thread -- 1.45 GiB of
# address space for an idle worker. With the system allocator and one BLAS
# thread an idle worker takes 0.36 GiB, and the cap means what it says.
WORKER_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system", "OPENBLAS_NUM_THREADS": "1"}
# Seconds a new worker may take to import the parser and say it is ready (it
# takes about two; a loaded CI machine may take several times that).
STARTUP_TIMEOUT = 60.0
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Seconds to wait for a worker to exit after it is told to.
_EXIT_WAIT = 5.0
# The folder that holds the ``parse`` package: the worker must import it even
# when the caller found it through its working directory, not an install.
_PROJECT = str(Path(__file__).resolve().parents[1])


class WorkerUnavailable(RuntimeError):
    """The worker process cannot be started: a problem of the installation, not
    of a document (so no report is marked failed for it)."""


@dataclass(frozen=True)
class Limits:
    memory: int = MEMORY_LIMIT  # bytes of address space
    time: float = TIME_LIMIT  # seconds per document


def memory_text(n: int) -> str:
    """``2 GiB``, ``1.5 GiB``, ``512 MiB``."""
    if n >= GiB:
        return f"{n / GiB:.3g} GiB"
    return f"{n / (1 << 20):.0f} MiB"


def _limit_memory(limit: int) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


_JOB_CONN: Connection | None = None  # in a worker: the connection of the job running


def allow_more(seconds: float) -> None:
    """Ask for ``seconds`` more on the running job's time limit (OCR, before each
    picture it reads: its cost is known only then). Does nothing outside a worker."""
    if _JOB_CONN is not None:
        try:
            _JOB_CONN.send(("extend", float(seconds)))
        except OSError:
            pass


def _serve(conn: Connection) -> None:
    """The worker's loop: run jobs ``(function, args, kwargs)`` until told to
    stop (None) or until a job runs out of memory (a fresh process serves the
    next one)."""
    global _JOB_CONN
    _JOB_CONN = conn
    if __name__ == "__main__":  # run as `python -m parse.isolation`: the readers import it by name
        from parse import isolation

        isolation._JOB_CONN = conn
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        function, args, kwargs = job
        try:
            answer: tuple[str, Any] = ("ok", function(*args, **kwargs))
        except MemoryError:
            answer = ("memory", None)
        except Exception as exc:  # noqa: BLE001 -- sent back and raised in the caller
            answer = ("error", exc)
        try:
            try:
                conn.send(answer)
            except MemoryError:
                answer = ("memory", None)
                conn.send(answer)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an answer that does not pickle
                conn.send(("error", RuntimeError(f"{type(exc).__name__} sending the result: {exc}")))
        except OSError:  # the caller is gone
            return
        if answer[0] == "memory":
            return


def _warm_up() -> None:
    import importlib

    report = importlib.import_module(PRELOAD)
    try:
        report.parse_document(WARM_UP_REPORT, name="warm-up.txt")
    except UnreadableDocument:
        pass


def _die_with(parent: int) -> bool:
    """Have the kernel kill this process when ``parent`` ends (a caller stopped
    by SIGTERM or SIGKILL must not leave a worker parsing on); False when the
    parent is gone already. Ctrl-C is the caller's to handle: it ends the
    worker itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the closed pipe still ends the worker when idle
        pass
    return os.getppid() == parent


def worker_main(argv: list[str]) -> int:
    """``python -m parse.isolation FD MEMORY LOGLEVEL PARENT``: serve jobs on
    the connection whose file descriptor is FD, within MEMORY bytes of address
    space, logging to stderr from LOGLEVEL up (the caller's level: a parser
    failure's traceback, logged at debug level, shows when the caller asked),
    for as long as process PARENT lives."""
    fd, memory, level, parent = (int(a) for a in argv[:4])
    if not _die_with(parent):
        return 0
    _limit_memory(memory)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    # pdfminer logs every font quirk of a damaged PDF as a warning: the document's
    # real problems reach the caller as its parse error
    logging.getLogger("pdfminer").setLevel(max(level, logging.ERROR))
    conn = Connection(fd)
    try:
        _warm_up()
    except MemoryError:
        return 3
    conn.send("ready")
    _serve(conn)
    return 0


def _worker_log_level() -> int:
    """The level the worker logs from: the caller's, but never below WARNING unless
    the caller chose a level (a root logger left at NOTSET -- as Scrapy leaves it
    when its log is off -- would let every library's debug lines through)."""
    level = logging.getLogger().level
    return level if level != logging.NOTSET else logging.WARNING


class IsolatedParser:
    """Runs :func:`parse.report.parse_document` (or any picklable function) in
    a worker process under :class:`Limits`. Use as a context manager: the worker
    is started at the first job and ended on exit."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits()
        self._process = None
        self._conn = None

    def __enter__(self) -> "IsolatedParser":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- the worker ---------------------------------------------------------------

    def _start(self) -> None:
        parent, child = multiprocessing.Pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PROJECT, env.get("PYTHONPATH")) if p)
        env.update(WORKER_ENV)
        try:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "parse.isolation",
                    str(child.fileno()), str(self.limits.memory), str(_worker_log_level()),
                    str(os.getpid()),
                ],
                pass_fds=[child.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # the caller's stdout may be a --json answer
                env=env,
            )
        finally:
            child.close()
        self._process, self._conn = process, parent
        logger.debug("parser worker %d started", process.pid)
        ready = False
        try:
            ready = parent.poll(STARTUP_TIMEOUT) and parent.recv() == "ready"
        except (EOFError, OSError):
            pass
        if not ready:
            code = process.poll()
            self._kill()
            raise WorkerUnavailable(
                f"the parser's worker process ({sys.executable} -m parse.isolation) did not start within "
                f"{STARTUP_TIMEOUT:g} s" + (f" (exit code {code}; its error is above)" if code is not None else "")
            )

    def _kill(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is not None:
            if process.poll() is None:
                logger.debug("killing parser worker %d", process.pid)
                process.kill()
            process.wait()

    def close(self) -> None:
        """Stop the worker (politely, then by force)."""
        if self._process is None:
            return
        try:
            self._conn.send(None)
            self._process.wait(_EXIT_WAIT)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
        self._kill()

    @property
    def pid(self) -> int | None:
        """The current worker's process id (None before the first job)."""
        return self._process.pid if self._process is not None else None

    # -- jobs ---------------------------------------------------------------------

    def call(self, name: str | None, function: Callable, /, *args, **kwargs):
        """``function(*args, **kwargs)`` in the worker; its exceptions are raised
        here. Raises :class:`ParseStopped` naming ``name`` (the document) when
        the job goes over a limit or the worker dies; the next job gets a new
        worker."""
        if self._process is None:
            self._start()
        try:
            self._conn.send((function, args, kwargs))
        except (BrokenPipeError, EOFError, OSError):
            # The worker ended while idle (killed from outside): one new try.
            self._kill()
            self._start()
            self._conn.send((function, args, kwargs))
        allowed = self.limits.time
        deadline = time.monotonic() + allowed
        try:
            while True:
                if not self._conn.poll(max(0.0, deadline - time.monotonic())):
                    self._kill()
                    raise ParseStopped(name, f"parse stopped: over the {allowed:g} s time limit")
                status, value = self._conn.recv()
                if status != "extend":
                    break
                granted = min(float(value), MAX_EXTENSION)  # OCR asked for more time for a picture
                deadline, allowed = deadline + granted, allowed + granted
        except (EOFError, OSError):
            try:
                code = self._process.wait(_EXIT_WAIT)
            except subprocess.TimeoutExpired:
                code = None
            self._kill()
            if code is not None and code < 0:
                how = f"killed by signal {-code}" + (" (out of memory?)" if code == -9 else "")
            else:
                how = f"ended with exit code {code}"
            raise ParseStopped(name, f"parse stopped: the parser process was {how}") from None
        if status == "memory":
            self._kill()
            raise ParseStopped(name, f"parse stopped: over the {memory_text(self.limits.memory)} memory limit")
        if status == "error":
            raise value
        return value

    def parse(
        self,
        data: bytes,
        *,
        name: str | None = None,
        content_type: str | None = None,
        declared_encoding: str | None = None,
        pictures: dict[str, bytes] | None = None,
    ):
        """:func:`parse.report.parse_document` in the worker: a ParsedReport, or
        UnreadableDocument (ParseStopped when a limit stopped it). OCR asks for
        more time before each picture it reads (:func:`allow_more`)."""
        from .report import parse_document

        return self.call(
            name, parse_document, data, name=name, content_type=content_type, declared_encoding=declared_encoding,
            pictures=pictures or None,
        )


__all__ = ["IsolatedParser", "Limits", "MEMORY_LIMIT", "ParseStopped", "TIME_LIMIT", "WorkerUnavailable"]


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
