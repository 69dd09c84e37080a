"""``xxgk eval``: the parser against a gold set (see ``parse/evaluation.py``)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import click

SCORER = "score_pictures.py"  # beside the real reports: FOLDER/real/ or FOLDER itself


@click.command("eval")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the full evaluation as JSON.")
@click.option("--no-missing", is_flag=True, help="Leave the list of missing figures out of the report.")
@click.option("--pictures", is_flag=True,
              help="Score pictures of the real reports instead (FOLDER/real): each HTML report as headless "
                   "Chromium draws it (png, jpeg60, half, rot1), each PDF as a scan (scan, scanpdf), read by OCR "
                   "and compared with the same gold. Slow: minutes per picture on 2 cores.")
@click.option("--only", multiple=True, metavar="NAME", help="With --pictures: one document (repeatable).")
@click.option("--variant", "variants", multiple=True, metavar="VARIANT",
              help="With --pictures: one variant (repeatable; scan-p3, scan-p2-4: some pages of a scan).")
def eval_command(folder, as_json, no_missing, pictures, only, variants):
    """Parse every document of a gold set (e.g. tests/gold) and compare the
    figures and metadata with its NAME.gold.yaml files: recall per era and per
    tag (table/prose), wrong values, extras, metadata accuracy. Exits 0 whatever
    the scores; the test suite sets the thresholds."""
    from parse.evaluation import GoldError, evaluate
    from xxgk.eval_report import format_report

    if pictures:
        _score_pictures(Path(folder), list(only), list(variants), as_json)
        return

    try:
        evaluation = evaluate(folder)
    except GoldError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(evaluation, list_missing=not no_missing), nl=False)


def _scorer(folder: Path):
    """``score_pictures`` of the gold set's real reports, as a module."""
    for path in (folder / "real" / SCORER, folder / SCORER):
        if path.is_file():
            spec = importlib.util.spec_from_file_location("score_pictures", path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module  # its dataclasses look their module up there
            spec.loader.exec_module(module)
            return module
    raise click.ClickException(f"{folder}: no real reports to render ({folder / 'real' / SCORER} not found)")


def _score_pictures(folder: Path, only: list[str], variants: list[str], as_json: bool) -> None:
    sp = _scorer(folder)
    known = sp.rp.sources()
    for name in only:
        if name not in known:
            raise click.ClickException(f"--only {name}: not a real report of {folder} (see render_pictures.py --list)")
    for variant in variants:
        try:
            sp.rp.split_variant(variant)
        except ValueError as error:
            raise click.ClickException(f"--variant {error}") from None
    try:
        scores = sp.score_all(only or None, variants or None, source=False,
                              progress=lambda line: click.echo(line, err=True))
    except (OSError, RuntimeError) as error:  # no Chromium, a render that failed
        raise click.ClickException(f"could not render the pictures: {error}") from None
    finally:
        sp.rp.close_browser()
    if as_json:
        data = {"bar": sp.BAR, "summary": sp.summary(scores), "thresholds": sp.threshold_rows(scores),
                "pictures": [s.to_dict() for s in scores]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        click.echo(sp.format_scores(scores), nl=False)
    sys.stdout.flush()
