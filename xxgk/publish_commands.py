"""`xxgk prepare`, `xxgk publish` and `xxgk export`: getting the archive out.

Registered on the main group at the end of :mod:`xxgk.cli`.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click

from archive.blobs import sha256_file

from xxgk.options import DEFAULT_ARCHIVE, DEFAULT_DB, db_option  # noqa: F401 (DEFAULT_* for callers)
STATIC_MOUNT = "xxgk-archive"  # where a hosted deployment keeps the archive folder

REPORT_COLUMNS = ["report_id", "title", "agency", "year", "province", "city", "county", "township", "adcode",
                  "admin_level", "format", "published", "url"]
LONG_COLUMNS = ["report_id", "agency", "year", "province", "city", "county", "township", "admin_level", "format",
                "key", "label", "unit", "value", "source", "approximate", "certain", "evidence", "origin"]


# --------------------------------------------------------------------------
# prepare
# --------------------------------------------------------------------------


@click.command("prepare")
@db_option(exists=True)
@click.option("--archive", default=None, type=click.Path(file_okay=False, exists=True),
              help="Archive folder (default: archive/ beside the database, if there).")
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
def prepare_command(db, archive, force):
    """Build the published schema (views, vocabulary, search indexes) in the catalogue."""
    from publish.datasette_app import checkpoint
    from publish.prepare import default_archive_dir, prepare

    try:
        checkpoint(db)
        result = prepare(db, archive if archive else default_archive_dir(db), force=force)
    except FileNotFoundError as error:  # an archive folder that is none
        raise click.ClickException(str(error)) from None
    if result.rebuilt:
        click.echo("prepared " + ", ".join(f"{name}: {count}" for name, count in result.counts.items()))
    else:
        click.echo("already prepared, nothing changed")
    for note in result.notes:
        click.echo(f"  note: {note}", err=True)


# --------------------------------------------------------------------------
# publish
# --------------------------------------------------------------------------


def deployment_metadata(archive_mount: str | None, db_path: Path | None = None) -> dict:
    """metadata.json for a hosted deployment of ``db_path`` (keyed by the name
    it is served under): the archive is wherever ``--static`` put it."""
    from publish.metadata import NAME, database_name, metadata_for

    metadata = metadata_for(database_name(db_path) if db_path is not None else NAME)
    if archive_mount:
        metadata.setdefault("plugins", {}).setdefault("xxgk-archive", {})["archive_dir"] = archive_mount
    return metadata


def publish_argv(target: str, db: Path, metadata_path: Path, archive: Path | None, *, name: str) -> list[str]:
    """The ``datasette publish cloudrun`` / ``datasette package`` command line."""
    from publish.datasette_app import PLUGINS_DIR, settings_args

    import datasette

    argv = ["datasette"] + (["publish", "cloudrun"] if target == "cloudrun" else ["package"])
    argv += [str(db.resolve()), "--metadata", str(metadata_path.resolve()), "--plugins-dir", str(PLUGINS_DIR)]
    if archive is not None:
        argv += ["--static", f"{STATIC_MOUNT}:{archive.resolve()}"]
    argv += ["--install", f"datasette=={datasette.__version__}"]
    argv += ["--extra-options", " ".join(settings_args())]
    argv += ["--service", name] if target == "cloudrun" else ["--tag", name]
    return argv


@click.command("publish")
@db_option(exists=True)
@click.option("--archive", default=None, type=click.Path(file_okay=False, exists=True),
              help="Archive folder to ship (default: archive/ beside the database, if there).")
@click.option("--no-archive", is_flag=True, help="Publish without the archived bytes (/-/archive/ answers 404).")
@click.option("--target", type=click.Choice(["cloudrun", "package", "both"]), default="both", show_default=True)
@click.option("--name", default="xxgk-archive", show_default=True, help="Cloud Run service / Docker image tag.")
def publish_command(db, archive, no_archive, target, name):
    """Prepare the catalogue and print the command that deploys it.

    \b
    Prints `datasette publish cloudrun …` and/or `datasette package …` with the
    project's metadata (written beside the database as publish-metadata.json),
    plugins folder and settings. The archive folder is shipped with --static;
    the plugin serves it only through /-/archive/<sha256>.
    """
    from publish.datasette_app import checkpoint
    from publish.prepare import default_archive_dir, prepare

    db_path = Path(db)
    archive_dir = None if no_archive else Path(archive) if archive else default_archive_dir(db_path)
    try:
        checkpoint(db_path)
        prepare(db_path, archive_dir)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    metadata_path = db_path.resolve().parent / "publish-metadata.json"
    metadata = deployment_metadata(STATIC_MOUNT if archive_dir else None, db_path)
    metadata_path.write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    click.echo(f"# prepared {db_path}; deployment metadata: {metadata_path}")
    if archive_dir is None:
        click.echo("# no archive folder: the archived copies will not be served", err=True)
    targets = ["cloudrun", "package"] if target == "both" else [target]
    for which in targets:
        click.echo(f"# {'Google Cloud Run' if which == 'cloudrun' else 'a Docker image'}:")
        click.echo(shlex.join(publish_argv(which, db_path, metadata_path, archive_dir, name=name)))


# --------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------


def _rows(conn: sqlite3.Connection, sql: str, params=()) -> list[dict]:
    conn.row_factory = sqlite3.Row
    return [dict(row) for row in conn.execute(sql, params)]


def export_tables(db: Path) -> dict[str, tuple[list[str], list[dict]]]:
    """The figures in long and wide form, and the vocabulary: {name: (columns, rows)}."""
    from publish.prepare import metric_definitions

    definitions = metric_definitions()
    by_key = {d.key: d for d in definitions}
    order = {d.key: d.sort_order for d in definitions}
    conn = sqlite3.connect(f"file:{db.resolve()}?mode=ro", uri=True)
    try:
        reports = _rows(conn, f"SELECT id AS report_id, {', '.join(REPORT_COLUMNS[1:])} FROM reports ORDER BY id")
        metrics = _rows(conn, "SELECT report_id, key, value, unit, source, approximate, certain, evidence, origin "
                              "FROM metrics ORDER BY report_id, id")
    finally:
        conn.close()
    report_by_id = {r["report_id"]: r for r in reports}
    long_rows = []
    for m in metrics:
        report = report_by_id.get(m["report_id"], {})
        spec = by_key.get(m["key"])
        long_rows.append({
            **{c: report.get(c) for c in LONG_COLUMNS[:9]},
            "report_id": m["report_id"], "key": m["key"], "label": spec.label if spec else None,
            "unit": m["unit"] or (spec.unit if spec else None), "value": m["value"], "source": m["source"],
            "approximate": m["approximate"], "certain": m["certain"], "evidence": m["evidence"],
            "origin": m["origin"],
        })
    keys = sorted({m["key"] for m in metrics}, key=lambda k: (order.get(k, 10**9), k))
    wide = {r["report_id"]: {**r} for r in reports}
    for m in metrics:
        wide[m["report_id"]][m["key"]] = m["value"]
    wide_rows = [{c: row.get(c) for c in REPORT_COLUMNS + keys} for row in wide.values()]
    definition_columns = ["key", "label", "label_en", "unit", "era", "note", "family", "applicant_column", "section"]
    definition_rows = [{c: getattr(d, c) for c in definition_columns} for d in definitions]
    return {
        "figures_long": (LONG_COLUMNS, long_rows),
        "figures_wide": (REPORT_COLUMNS + keys, wide_rows),
        "metric_definitions": (definition_columns, definition_rows),
    }


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    # UTF-8 with a byte-order mark: Excel and WPS then read the Chinese right.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _write_parquet(path: Path, columns: list[str], rows: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = []
    for column in columns:
        values = [row.get(column) for row in rows]
        if any(isinstance(v, float) for v in values):
            values = [float(v) if isinstance(v, (int, float)) else v for v in values]
        arrays.append(pa.array(values))
    table = pa.Table.from_arrays(arrays, names=columns) if columns else pa.table({})
    pq.write_table(table, path)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@db_option(exists=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write to.")
def export_command(fmt, db, out_dir):
    """Write the figures in long form (one row per report and key) and wide form
    (one row per report, one column per key), plus the vocabulary.

    \b
    Files: figures_long, figures_wide, metric_definitions (.parquet or .csv).
    CSV is UTF-8 with a byte-order mark (for Excel/WPS).
    """
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise click.ClickException("parquet needs pyarrow: pip install 'pyarrow==26.0.1' (or use --format csv)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, (columns, rows) in export_tables(Path(db)).items():
        path = out / f"{name}.{fmt}"
        (_write_parquet if fmt == "parquet" else _write_csv)(path, columns, rows)
        click.echo(f"{path}: {len(rows)} rows, {len(columns)} columns")



# --------------------------------------------------------------------------
# release
# --------------------------------------------------------------------------

RELEASE_PREFIX = "xxgk-archive-"
_RELEASE_NAME = re.compile(rf"^{re.escape(RELEASE_PREFIX)}(\d{{4}}-\d{{2}}-\d{{2}})-v(\d+)$")


def _code_version() -> str:
    """The code that made the release: the git commit of the checkout, else the package version."""
    root = Path(__file__).resolve().parents[1]
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import version

    return f"xxgk-archive {version('xxgk-archive')}"


def next_version(out: Path) -> int:
    """One more than the highest version among the releases in ``out``."""
    versions = [int(m.group(2)) for p in out.iterdir() if (m := _RELEASE_NAME.match(p.name))] if out.is_dir() else []
    return max(versions, default=0) + 1


def write_release(db: Path, out: Path, *, version: int, day: str) -> Path:
    """Write the snapshot ``out/xxgk-archive-<day>-v<version>/``: the figures in
    long form (each with its evidence, doubt flag and OCR origin) and wide form,
    the vocabulary, ``release.json`` (what, when, from which catalogue and code),
    ``CITATION.cff`` and ``SHA256SUMS`` (every file's checksum); its folder.
    Refuses a folder that is there: a release once cited never changes."""
    folder = out / f"{RELEASE_PREFIX}{day}-v{version}"
    if folder.exists():
        raise click.ClickException(f"{folder} exists: a release is never rewritten (give another --version)")
    tables = export_tables(db)
    out.mkdir(parents=True, exist_ok=True)
    partial = out / f".{folder.name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    files = {}
    for name, (columns, rows) in tables.items():
        path = partial / f"{name}.csv"
        _write_csv(path, columns, rows)
        files[path.name] = {"rows": len(rows), "columns": len(columns)}
    long_rows = tables["figures_long"][1]
    info = {
        "name": folder.name, "version": version, "date": day,
        "reports": len(tables["figures_wide"][1]), "figures": len(long_rows),
        "figures_doubtful": sum(1 for r in long_rows if not r["certain"]),
        "reports_with_figures": len({r["report_id"] for r in long_rows}),
        "catalogue_sha256": sha256_file(db), "code": _code_version(), "files": files,
        "note": "Counts in 件/条, money in 元. A figure a report does not state is absent, never 0; "
                "certain = 0 marks a doubtful figure (out of its plausible range, or read by OCR in doubt).",
    }
    (partial / "release.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    citation = [
        "cff-version: 1.2.0",
        "message: If you use these figures, please cite this release.",
        f'title: "xxgk-archive: figures of government information-disclosure annual reports, release {day} v{version}"',
        f"version: \"{day}-v{version}\"",
        f"date-released: {day}",
        "type: dataset",
        "authors:",
        "  - name: xxgk-archive",
    ]
    (partial / "CITATION.cff").write_text("\n".join(citation) + "\n", encoding="utf-8")
    sums = [f"{sha256_file(p)}  {p.name}" for p in sorted(partial.iterdir())]
    (partial / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    partial.rename(folder)  # whole or not at all
    return folder


@click.command("release")
@db_option(exists=True)
@click.option("--out", "out_dir", default="releases", show_default=True, type=click.Path(file_okay=False),
              help="Folder the release folder is written in.")
@click.option("--version", type=click.IntRange(min=1), default=None,
              help="Release number [default: one more than the highest in --out].")
@click.option("--date", "day", default=None, help="Release date, YYYY-MM-DD [default: today, UTC].")
def release_command(db, out_dir, version, day):
    """Write a dated, versioned snapshot of the figures a paper can cite.

    \b
    releases/xxgk-archive-<date>-v<N>/: figures_long.csv (evidence, doubt flag,
    OCR origin), figures_wide.csv, metric_definitions.csv, release.json,
    CITATION.cff and SHA256SUMS (check with: sha256sum -c SHA256SUMS).
    """
    import datetime as dt

    if day is None:
        day = dt.datetime.now(dt.timezone.utc).date().isoformat()
    else:
        try:
            day = dt.date.fromisoformat(day).isoformat()
        except ValueError:
            raise click.BadParameter(f"{day!r} is not a date (YYYY-MM-DD)", param_hint="--date") from None
    out = Path(out_dir)
    folder = write_release(Path(db), out, version=version or next_version(out), day=day)
    info = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    click.echo(f"{folder}: {info['reports']} reports, {info['figures']} figures "
               f"({info['figures_doubtful']} doubtful); checksums in {folder / 'SHA256SUMS'}")
