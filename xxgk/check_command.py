"""``xxgk check``: verify an archive end to end (see ``archive/check.py``).

Registered on the main group at the end of :mod:`xxgk.cli`.
"""

from __future__ import annotations

import sys

import click

from xxgk.options import DEFAULT_ARCHIVE, DEFAULT_DB, db_option  # noqa: F401


@click.command("check")
@db_option()
@click.option("--archive", default=DEFAULT_ARCHIVE, show_default=True, type=click.Path(file_okay=False),
              help="Folder of content-addressed bodies.")
@click.option("--warc", "warc_dir", default=None, type=click.Path(file_okay=False),
              help="Folder of WARC files [default: warc/ in the archive folder].")
@click.option("--quick", is_flag=True, help="Do not re-hash bodies or WARC records: compare sizes only.")
def check_command(db, archive, warc_dir, quick):
    """Verify an archive: every stored body matches its SHA-256, every body the
    catalogue names exists, every WARC file reads end to end, every report has
    its fetch and body, attachments point at existing reports and bodies, no
    orphan rows, and SQLite's own integrity check.

    Prints one line per fault (kind, where, what) and a summary line; exits 1
    if there is any fault, 0 if there is none.
    """
    from archive.check import CheckError, check_archive

    try:
        result = check_archive(db, archive, warc_dir=warc_dir, quick=quick)
    except CheckError as error:
        raise click.ClickException(str(error)) from None
    for fault in result.faults:
        click.echo(f"fault {fault}")
    for note in result.notes:
        click.echo(f"note  {note}")
    click.echo(result.summary())
    sys.exit(0 if result.ok else 1)
