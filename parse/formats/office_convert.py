"""Convert legacy Office documents with LibreOffice (headless).

Legacy Word files (``.doc``, and WPS files in Word format) are converted to
DOCX by LibreOffice and then read by the DOCX reader, which keeps paragraphs,
list numbering and tables with their merged cells. (antiword and catdoc were
measured too: both keep the Chinese text, but lose the automatic heading
numbers 一、二、… and flatten tables without their merged cells -- see
``tests/test_formats_doc.py``.)

Safety: the document's bytes are written to ``input.<ext>`` in a private
temporary directory (never under the served file name), LibreOffice runs with a
throw-away user profile in that directory, in its own process group, with a
timeout after which the whole group is killed. Nothing is left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import UnreadableDocument

# Debian package that provides a headless LibreOffice able to read Word files.
LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"
DEFAULT_TIMEOUT = 120  # seconds; a report converts in about one second

# An explicit path wins (tests, unusual installs); then $PATH; then Debian's.
SOFFICE_ENV = "XXGK_SOFFICE"
_CANDIDATES = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice")


def find_soffice() -> str | None:
    explicit = os.environ.get(SOFFICE_ENV)
    if explicit is not None:
        return explicit if explicit and os.access(explicit, os.X_OK) else None
    for candidate in _CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def convert(
    data: bytes,
    *,
    source_ext: str,
    target: str,
    name: str | None,
    label: str,
    timeout: float = DEFAULT_TIMEOUT,
) -> bytes:
    """Convert ``data`` (a ``source_ext`` file) with ``soffice --convert-to
    target`` (e.g. ``docx:MS Word 2007 XML``) and return the converted bytes.

    Raises UnreadableDocument if LibreOffice is missing, times out or produces
    nothing (corrupt input)."""
    exe = find_soffice()
    if exe is None:
        raise UnreadableDocument(
            name,
            f"{label} documents are converted with LibreOffice, which is not installed: "
            f"install the Debian package {LIBREOFFICE_PACKAGE} (scripts/install-system-deps)",
        )
    target_ext = target.split(":", 1)[0]
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as tmp:
        work = Path(tmp)
        source = work / f"input.{source_ext}"
        source.write_bytes(data)
        outdir = work / "out"
        outdir.mkdir()
        cmd = [
            exe,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(source),
        ]
        env = dict(os.environ, HOME=str(work), TMPDIR=str(work), SAL_USE_VCLPLUGIN="svp")
        try:
            proc = subprocess.Popen(
                cmd,
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise UnreadableDocument(
                name, f"cannot run LibreOffice ({exe}) to read the {label} document: {exc}"
            ) from exc
        try:
            _stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise UnreadableDocument(
                name, f"LibreOffice did not finish converting the {label} document within {timeout:g} s"
            ) from None
        finally:
            if proc.poll() is None:
                _kill_group(proc)
        result = outdir / f"input.{target_ext}"
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            detail = [line for line in detail if "javaldx" not in line]
            why = f": {detail[-1][:200]}" if detail else ""
            raise UnreadableDocument(
                name, f"LibreOffice could not read the {label} document (corrupt or unsupported file){why}"
            )
        return result.read_bytes()
