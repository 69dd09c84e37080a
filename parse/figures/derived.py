"""Sums the vocabulary defines but the templates print no row for.

The 2019 and 2021 templates give the eight 不予公开 reasons but no
（三）不予公开 subtotal, the 2021 template the three 其他处理 rows but no
（六）其他处理 subtotal, and table 四 two 总计 columns of 行政诉讼 but no
grand total. The vocabulary keys them (``outcome.withheld.<column>``,
``outcome.other.<column>``, ``litigation.total``) as the sums of their parts,
``source='derived'``: whichever reader gave the parts (a table grid, a text
layout, OCR), the sum is made here, once, only when every part is there and
the report does not state the sum itself.

A sum is no surer than its parts: :func:`follow_parts` marks a derived
figure not certain when one of its parts is not (an OCR digit read with a low
confidence, a figure out of its plausible range).
"""

from __future__ import annotations

from decimal import Decimal

from parse.model import Metric
from parse.template import APPLICANT_COLUMNS, group_rows
from parse.vocabulary import load_vocabulary

from .numbers import to_number

__all__ = ["add_sums", "follow_parts", "SUMS"]


def _sums() -> dict[str, tuple[tuple[str, ...], str]]:
    """derived key → (part keys, evidence)."""
    out: dict[str, tuple[tuple[str, ...], str]] = {}
    for app, label in APPLICANT_COLUMNS:
        out[f"outcome.withheld.{app}"] = (tuple(f"{k}.{app}" for k in group_rows("withheld")),
                                          f"（三）不予公开: sum of rows 1-8 | {label}")
        out[f"outcome.other.{app}"] = (tuple(f"{k}.{app}" for k in group_rows("other")),
                                       f"（六）其他处理: sum of rows 1-3 | {label}")
    out["litigation.total"] = (("litigation.direct.total", "litigation.after_review.total"),
                               "未经复议直接起诉 / 总计 + 复议后起诉 / 总计")
    return out


SUMS: dict[str, tuple[tuple[str, ...], str]] = _sums()


def add_sums(metrics: list[Metric]) -> list[Metric]:
    """Append to ``metrics`` each sum of :data:`SUMS` whose parts are all there
    (from a reader of the report's tables, not from prose) and that the report
    does not state; return the sums added."""
    by_key = {m.key: m for m in metrics}
    added: list[Metric] = []
    vocab = load_vocabulary()
    for key, (parts, evidence) in SUMS.items():
        if key in by_key:
            continue
        found = [by_key.get(p) for p in parts]
        if any(m is None or m.source == "text" for m in found):
            continue
        total = to_number(sum((Decimal(str(m.value)) for m in found), Decimal(0)))
        added.append(Metric(key, total, vocab.unit(key), "derived", evidence,
                            approximate=any(m.approximate for m in found),
                            certain=all(m.certain for m in found)))
    metrics.extend(added)
    return added


def follow_parts(metrics: list[Metric]) -> None:
    """A derived figure is certain only while all its parts are."""
    by_key = {m.key: m for m in metrics}
    for m in metrics:
        if m.source == "derived" and m.certain and m.key in SUMS:
            if any(p in by_key and not by_key[p].certain for p in SUMS[m.key][0]):
                m.certain = False
