"""Checks across one body's reports of consecutive years.

Table 三 carries requests from one year into the next: 二、上年结转 of year N must
equal 四、结转下年度继续办理 of year N−1 for the same body, column by column. A
report's own sums cannot see a break there; the archive, which holds the body's
reports of every year, can. :func:`carryover_checks` compares every pair of a
body's reports of consecutive years (bodies are matched by
:func:`parse.bodies.body_key`, so 沭阳县发改局 and 沭阳县发展和改革局 are one) and
returns a ``carryover_mismatch`` warning for the later report where a column
differs. Figures that are approximate or absent are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from parse.model import ParseWarning
from parse.template import APPLICANT_COLUMNS

CROSS_YEAR_CODES = {
    "carryover_mismatch": "table 三: 上年结转 of this year ≠ 结转下年度继续办理 in the same body's report of the year before",
}


@dataclass
class YearReport:
    """What the check needs of one parsed report."""

    report_id: int
    body: str | None  # parse.bodies.body_key of its agency
    year: int | None
    figures: dict[str, Decimal] = field(default_factory=dict)  # exact figures only
    agency: str | None = None


def carryover_checks(reports: Iterable[YearReport]) -> list[tuple[int, ParseWarning]]:
    """(report id, warning) for every column whose carry-over breaks between a
    body's report of year N−1 and its report of year N."""
    by_body: dict[tuple[str, int], list[YearReport]] = {}
    for r in reports:
        if r.body and r.year:
            by_body.setdefault((r.body, r.year), []).append(r)
    out: list[tuple[int, ParseWarning]] = []
    for (body, year), current in sorted(by_body.items()):
        previous = by_body.get((body, year - 1), [])
        for now in current:
            for before in previous:
                for col, label in APPLICANT_COLUMNS:
                    carried_over = now.figures.get(f"requests.carried_over.{col}")
                    carried_forward = before.figures.get(f"requests.carried_forward.{col}")
                    if carried_over is None or carried_forward is None or carried_over == carried_forward:
                        continue
                    out.append((now.report_id, ParseWarning(
                        "carryover_mismatch",
                        f"table 三 {label}: 上年结转 {_fmt(carried_over)} in {year}, but the {year - 1} report "
                        f"of the same body carried {_fmt(carried_forward)} forward",
                        {"column": col, "year": year, "carried_over": _fmt(carried_over),
                         "previous_report_id": before.report_id, "previous_year": year - 1,
                         "previous_carried_forward": _fmt(carried_forward),
                         "agency": now.agency, "previous_agency": before.agency},
                    )))
    return out


def _fmt(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
