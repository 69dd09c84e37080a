"""Build or check the pre-built DOC / XLS / WPS attachments.

    python -m sample_portal.attachments build   # convert with LibreOffice (soffice on PATH)
    python -m sample_portal.attachments check   # are they up to date with the generator?

``build`` makes, for every report of every family whose attachment format is
doc, xls or wps, the DOCX/XLSX this package builds, converts it with
``soffice --headless --convert-to doc`` (MS Word 97) or ``--convert-to xls``
(Excel 97-2003) and stores the result as ``prebuilt/<report id>.<format>``
(a .wps is the Word 97 file under a .wps name).  ``prebuilt/SOURCES.json``
records the SHA-256 of each source and of each result.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import PREBUILT, PREBUILT_DIR, SOURCE_OF, SOURCES_JSON, prebuilt_path, prebuilt_sources, sha256, source_bytes


def prebuilt_reports():
    from ..families import FAMILIES
    from ..manifest import load_manifest

    for family in FAMILIES:
        for r in load_manifest(family).reports:
            if r.attachment_format in PREBUILT:
                yield family, r


def soffice_version(soffice: str) -> str:
    out = subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=120)
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else "LibreOffice"


def build(soffice: str) -> None:
    PREBUILT_DIR.mkdir(parents=True, exist_ok=True)
    version = soffice_version(soffice)
    sources = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        for family, r in prebuilt_reports():
            src_fmt = SOURCE_OF[r.attachment_format]
            convert_to = "xls" if r.attachment_format == "xls" else "doc"
            data = source_bytes(r)
            src = tmpdir / f"{r.id}.{src_fmt}"
            src.write_bytes(data)
            subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmpdir}/profile",
                            "--convert-to", convert_to, "--outdir", str(tmpdir), str(src)],
                           check=True, capture_output=True, timeout=300)
            out = tmpdir / f"{r.id}.{convert_to}"
            dest = prebuilt_path(r)
            shutil.copyfile(out, dest)
            sources[r.id] = {
                "family": family,
                "file": dest.name,
                "format": r.attachment_format,
                "converted_from": src_fmt,
                "source_sha256": sha256(data),
                "sha256": sha256(dest.read_bytes()),
                "made_with": f"{version}: soffice --headless --convert-to {convert_to}"
                             + (" (saved under a .wps name)" if r.attachment_format == "wps" else ""),
            }
            print(f"{dest.relative_to(PREBUILT_DIR.parent.parent)}  <- {src_fmt}", file=sys.stderr)
    SOURCES_JSON.write_text(json.dumps(sources, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                            encoding="utf-8")
    prebuilt_sources.cache_clear()


def check() -> list[str]:
    problems = []
    recorded = prebuilt_sources()
    for _family, r in prebuilt_reports():
        rec = recorded.get(r.id)
        path = prebuilt_path(r)
        if rec is None or not path.exists():
            problems.append(f"{r.id}: no pre-built .{r.attachment_format}")
            continue
        if rec["source_sha256"] != sha256(source_bytes(r)):
            problems.append(f"{r.id}: stale (the generator's {rec['converted_from']} changed)")
        if rec["sha256"] != sha256(path.read_bytes()):
            problems.append(f"{r.id}: {path.name} differs from SOURCES.json")
    return problems


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sample_portal.attachments")
    ap.add_argument("command", choices=["build", "check"])
    ap.add_argument("--soffice", default=shutil.which("soffice") or "soffice")
    args = ap.parse_args(argv)
    if args.command == "build":
        build(args.soffice)
    problems = check()
    for p in problems:
        print(p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
