"""Content-addressed storage of fetched bodies.

Every body is stored once, under the SHA-256 of its bytes::

    ARCHIVE/sha256/ab/cd/abcdef0123...

Writes are atomic (``archive/atomic.py``: temporary file, fsync, rename), so a crawl killed at any
moment leaves either the whole body or nothing, never a truncated file under a
valid name. A body already present is not written again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from archive.atomic import TMP_PREFIX, write_atomically


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class BlobStore:
    """A folder of bodies named by their SHA-256."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        (self.root / "sha256").mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a SHA-256 hex digest: {digest!r}")
        return self.root / "sha256" / digest[:2] / digest[2:4] / digest

    def __contains__(self, digest: str) -> bool:
        return self.path(digest).exists()

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store ``data``; return ``(sha256, newly_written)``."""
        digest = sha256_hex(data)
        target = self.path(digest)
        if target.exists():
            return digest, False
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, data)
        return digest, True

    def get(self, digest: str) -> bytes:
        """The stored bytes; raises FileNotFoundError naming the digest if absent."""
        path = self.path(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(f"body {digest} is not in the archive at {self.root}") from None
        if sha256_hex(data) != digest:
            raise IOError(f"archived body {path} is corrupt: its SHA-256 does not match its name")
        return data

    def digests(self):
        """Every stored digest (temporary files excluded)."""
        for path in (self.root / "sha256").glob("*/*/*"):
            if not path.name.startswith(TMP_PREFIX):
                yield path.name
