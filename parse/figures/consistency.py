"""Arithmetic checks of a report's figures: warnings only, never a changed figure.

:func:`check` looks at the sums the templates themselves state or imply:

``inconsistent_row_sum``
    table 三: a row's six applicant columns (自然人 … 其他) do not add up to its
    总计 column.
``inconsistent_identity``
    table 三's own identity (本列数据的勾稽关系): 本年新收 + 上年结转 ≠ 办理结果总计 +
    结转下年度继续办理, per applicant column.
``inconsistent_outcome_total``
    table 三: （七）总计 ≠ the sum of the outcome rows （一）…（六）, per column.
``inconsistent_total``
    table 四: a 总计 ≠ 结果维持 + 结果纠正 + 其他结果 + 尚未审结 (行政复议, 未经复议直接起诉,
    复议后起诉).

A check runs only when every figure it needs is present and none is approximate
(a missing or blank cell is not a zero). Derived figures are not re-checked
against their own parts. Each warning's ``detail`` carries the figures.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from parse.template import APPLICANT_ORDER, APPLICANT_PARTS, OUTCOME_PARTS, TABLE3_ROWS, TABLE4_GROUPS, TABLE4_RESULTS
from parse.model import Metric, ParseWarning

__all__ = ["check", "keys_of", "CHECK_CODES"]

CHECK_CODES = {
    "inconsistent_row_sum": "table 三: the applicant columns of a row do not add up to its 总计",
    "inconsistent_identity": "table 三: 新收 + 上年结转 ≠ 办理结果总计 + 结转下年度",
    "inconsistent_outcome_total": "table 三: （七）总计 ≠ the sum of the outcome rows",
    "inconsistent_total": "table 四: a 总计 ≠ the sum of its results",
}

_PARTS = APPLICANT_PARTS
_COLUMNS = APPLICANT_ORDER
_T3_ROWS = tuple(r.key for r in TABLE3_ROWS)
_OUTCOME_PARTS = OUTCOME_PARTS
_T4_GROUPS = tuple(g for g, _ in TABLE4_GROUPS)
_T4_PARTS = tuple(r for r, _ in TABLE4_RESULTS if r != "total")


def _num(value) -> Decimal:
    return Decimal(str(value))


def _out(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def check(metrics: Iterable[Metric]) -> list[ParseWarning]:
    """Warnings about figures that contradict each other (see module docstring)."""
    exact: dict[str, Decimal] = {}
    stated: set[str] = set()
    for m in metrics:
        if m.approximate or m.value is None or m.key in exact:
            continue
        exact[m.key] = _num(m.value)
        if m.source != "derived":
            stated.add(m.key)
    warnings: list[ParseWarning] = []

    def get(*keys: str) -> list[Decimal] | None:
        vals = [exact.get(k) for k in keys]
        return None if any(v is None for v in vals) else vals  # type: ignore[return-value]

    # table 三: rows
    for base in _T3_ROWS:
        keys = [f"{base}.{p}" for p in _PARTS]
        total_key = f"{base}.total"
        if total_key not in stated or not all(k in stated for k in keys):
            continue
        parts = get(*keys)
        total = exact[total_key]
        if parts is not None and sum(parts) != total:
            warnings.append(
                ParseWarning(
                    "inconsistent_row_sum",
                    f"table 三 {base}: applicant columns add up to {_out(sum(parts))}, 总计 says {_out(total)}",
                    {"key": base, "parts": {p: _out(v) for p, v in zip(_PARTS, parts)},
                     "sum": _out(sum(parts)), "total": _out(total)},
                )
            )
    # table 三: identity and outcome total, per column
    for col in _COLUMNS:
        vals = get(f"requests.new.{col}", f"requests.carried_over.{col}", f"outcome.total.{col}",
                   f"requests.carried_forward.{col}")
        if vals is not None:
            new, carried_over, outcome, carried_forward = vals
            if new + carried_over != outcome + carried_forward:
                warnings.append(
                    ParseWarning(
                        "inconsistent_identity",
                        f"table 三 {col}: 新收 {_out(new)} + 上年结转 {_out(carried_over)} ≠ "
                        f"办理结果总计 {_out(outcome)} + 结转下年度 {_out(carried_forward)}",
                        {"column": col, "requests.new": _out(new), "requests.carried_over": _out(carried_over),
                         "outcome.total": _out(outcome), "requests.carried_forward": _out(carried_forward)},
                    )
                )
        total = exact.get(f"outcome.total.{col}")
        if total is None:
            continue
        parts: dict[str, Decimal] = {}
        complete = True
        for group in _OUTCOME_PARTS:
            for base in group:
                v = exact.get(f"{base}.{col}")
                if v is None:
                    complete = False
                    break
                parts[base] = v
            if not complete:
                break
        if complete and sum(parts.values()) != total:
            warnings.append(
                ParseWarning(
                    "inconsistent_outcome_total",
                    f"table 三 {col}: outcome rows add up to {_out(sum(parts.values()))}, （七）总计 says {_out(total)}",
                    {"column": col, "parts": {k: _out(v) for k, v in parts.items()},
                     "sum": _out(sum(parts.values())), "total": _out(total)},
                )
            )
    # table 四
    for group in _T4_GROUPS:
        vals = get(*(f"{group}.{p}" for p in _T4_PARTS), f"{group}.total")
        if vals is None:
            continue
        *parts4, total4 = vals
        if sum(parts4) != total4:
            warnings.append(
                ParseWarning(
                    "inconsistent_total",
                    f"table 四 {group}: results add up to {_out(sum(parts4))}, 总计 says {_out(total4)}",
                    {"key": group, "parts": {p: _out(v) for p, v in zip(_T4_PARTS, parts4)},
                     "sum": _out(sum(parts4)), "total": _out(total4)},
                )
            )
    return warnings


def keys_of(warning: ParseWarning) -> set[str]:
    """The keys of the figures a consistency warning (one of :data:`CHECK_CODES`) finds
    at odds: one of them, at least, is wrong. Empty for any other warning."""
    d = warning.detail if isinstance(warning.detail, dict) else {}
    if warning.code in ("inconsistent_row_sum", "inconsistent_total"):
        return {f"{d['key']}.{part}" for part in d["parts"]} | {f"{d['key']}.total"}
    if warning.code == "inconsistent_identity":
        col = d["column"]
        return {f"{k}.{col}" for k in ("requests.new", "requests.carried_over", "outcome.total",
                                       "requests.carried_forward")}
    if warning.code == "inconsistent_outcome_total":
        col = d["column"]
        return {f"{base}.{col}" for base in d["parts"]} | {f"outcome.total.{col}"}
    return set()
