"""``xxgk eval``: the parser against a gold set (see ``parse/evaluation.py``)."""

from __future__ import annotations

import json

import click


@click.command("eval")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the full evaluation as JSON.")
@click.option("--no-missing", is_flag=True, help="Leave the list of missing figures out of the report.")
def eval_command(folder, as_json, no_missing):
    """Parse every document of a gold set (e.g. tests/gold) and compare the
    figures and metadata with its NAME.gold.yaml files: recall per era and per
    tag (table/prose), wrong values, extras, metadata accuracy. Exits 0 whatever
    the scores; the test suite sets the thresholds."""
    from parse.evaluation import GoldError, evaluate, format_report

    try:
        evaluation = evaluate(folder)
    except GoldError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(evaluation, list_missing=not no_missing), nl=False)
