"""Files written whole or not at all.

A file is written under a temporary name in its own folder, flushed to disk,
then renamed over its final name, so that a process killed at any moment leaves
either the old file (or none) or the whole new one, never a truncated file
under the final name. Temporary names start with ``.tmp-``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

TMP_PREFIX = ".tmp-"


@contextlib.contextmanager
def atomic_write(target: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary handle whose bytes become ``target`` when the block ends
    without an exception; on an exception nothing is left behind."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=TMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_atomically(target: str | os.PathLike[str], data: bytes) -> None:
    """``data`` as ``target``, whole or not at all."""
    with atomic_write(target) as handle:
        handle.write(data)
