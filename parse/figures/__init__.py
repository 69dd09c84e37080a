"""Figure extraction: a report's text and table grids → vocabulary metrics.

:func:`extract_figures` is the one entry point the report parser needs. The
modules, one job each (all pure functions, no I/O):

* :mod:`.numbers` -- a cell or a phrase → a number, under documented rules;
* :mod:`.labels` -- label normalisation for matching;
* :mod:`.template_tables` -- template tables 二/三/四 and the legacy 附表 → metrics;
* :mod:`.prose` -- figures stated in sentences → metrics;
* :mod:`.derived` -- the sums the vocabulary defines and no template row states;
* :mod:`.consistency` -- arithmetic checks → warnings;
* :mod:`.plausibility` -- figures outside their key's plausible range → warnings,
  the figure marked not certain.

Tables come first: a figure read from a table beats the same figure in the text.
Prose figures fill only keys the tables did not give; when prose and a table
disagree on a key, the table's value is kept and a ``prose_table_disagreement``
warning names both values.
"""

from __future__ import annotations

from typing import Any

from parse.document import text_with_tables
from parse.model import Metric, ParseWarning

from .across_years import CROSS_YEAR_CODES
from .consistency import CHECK_CODES, check
from .derived import add_sums, follow_parts
from .plausibility import PLAUSIBILITY_CODES, check_plausible
from .prose import extract_text_figures
from .template_stream import STREAM_WARNING_CODES, read_legacy_stream, read_template_stream
from .template_tables import extract_table_figures

__all__ = ["extract_figures", "extract_table_figures", "extract_text_figures", "check", "FIGURE_WARNING_CODES"]

# Warning codes this package emits (ParseWarning.code), for consumers' filters.
FIGURE_WARNING_CODES = {
    "blank_cells": "template/附表 data cells left blank: no figure (blank is not zero); detail lists them",
    "dash_cells": "cells holding only a dash or slash (— / - \\): no figure, could mean none or not applicable",
    "unreadable_cell": "a data cell that is not a number (text, a note, a decimal count)",
    "unit_unknown": "an amount with no stated unit (元 or 万元); emitted only when it is 0",
    "realigned_row": "a row whose values do not sit under the header's columns, read in column order",
    "unaligned_row": "a row whose values cannot be placed under the header; no figure from it",
    "unrecognised_row": "a table-三 row with figures but a label the parser does not know",
    "assumed_columns": "a table with no recognisable column header, read in the template's column order",
    "flattened_columns": "a flattened text table (merged cells written once): each row's values read in the "
                         "column order its header names (table 三) or the template's (table 四), only when the "
                         "row has exactly one value per column",
    "extra_row": "table 四 with more than one data row; only the first is read",
    "conflicting_cells": "a spanned table-二 cell whose copies hold different values",
    "duplicate_figure": "two tables give one key different values; the first is kept",
    "unknown_key": "internal: a figure mapped to a key outside the vocabulary, dropped",
    "prose_conflict": "two sentences give one key different values; the first is kept",
    "prose_table_disagreement": "the text and a table give one key different values; the table's is kept",
    **STREAM_WARNING_CODES,
    **CHECK_CODES,
    **CROSS_YEAR_CODES,
    **PLAUSIBILITY_CODES,
}

TEMPLATE_ERAS = ("2019-template", "2021-template")
_TABLE3_PREFIXES = ("requests.new.", "requests.carried_over.", "requests.carried_forward.", "outcome.")
# Which template table a key comes from, to know which tables the grids gave.
_TABLE_OF_PREFIX = (("proactive.", "二"), ("requests.", "三"), ("outcome.", "三"), ("review.", "四"),
                    ("litigation.", "四"))


def _tables_given(metrics: list[Metric]) -> set[str]:
    given = set()
    for m in metrics:
        for prefix, table in _TABLE_OF_PREFIX:
            if m.key.startswith(prefix) and m.source == "table":
                given.add(table)
    return given


def extract_figures(text: str, grids: list[Any], era: str | None = None) -> tuple[list[Metric], list[ParseWarning]]:
    """All figures of a report: its tables first -- the grids, then the template
    tables (``era``) or the legacy 统计表 the text holds in any text layout
    (:mod:`.template_stream`) for the tables no grid gave -- then its prose for
    the keys the tables did not give, then the consistency checks (warnings only),
    then the plausibility check (a figure out of range is marked not certain).

    ``text`` is the report's main text; ``grids`` its tables in document order
    (``list[list[str]]`` rows or :class:`parse.tables.Grid`).
    """
    metrics, warnings = extract_table_figures(grids or [])
    by_key = {m.key: m for m in metrics}
    prose_metrics, prose_warnings = extract_text_figures(text or "")
    warnings.extend(prose_warnings)
    hints = {m.key: m.value for m in prose_metrics if not m.approximate}
    stream_metrics: list[Metric] = []
    if era in TEMPLATE_ERAS:
        skip = _tables_given(metrics)
        if len(skip) < 3:
            full = text_with_tables(text, grids)
            stream_metrics, stream_warnings, seen = read_template_stream(full, era, hints, skip)
            warnings.extend(stream_warnings)
            if "三" in seen:
                # table 三 is there but not (all) readable: its cells are the report's
                # figures; a sentence may count another scope (区政府办 vs the whole 区)
                prose_metrics = [m for m in prose_metrics if not m.key.startswith(_TABLE3_PREFIXES)]
    elif not any(m.source == "table" for m in metrics):
        stream_metrics, stream_warnings = read_legacy_stream(text_with_tables(text, grids), hints)
        warnings.extend(stream_warnings)
    for m in stream_metrics:
        if m.key not in by_key:
            metrics.append(m)
            by_key[m.key] = m
    for m in add_sums(metrics):  # a sum of table rows beats a sentence's figure
        by_key[m.key] = m
    for m in prose_metrics:
        table = by_key.get(m.key)
        if table is None:
            metrics.append(m)
            by_key[m.key] = m
        elif table.value != m.value:
            warnings.append(
                ParseWarning(
                    "prose_table_disagreement",
                    f"{m.key}: the table says {table.value}, the text says {m.value}; the table's value is kept",
                    {"key": m.key, "table": table.value, "text": m.value,
                     "text_approximate": m.approximate,
                     "table_evidence": table.evidence, "text_evidence": m.evidence},
                )
            )
    warnings.extend(check(metrics))
    metrics, implausible = check_plausible(metrics)
    warnings.extend(implausible)
    follow_parts(metrics)
    return metrics, warnings
