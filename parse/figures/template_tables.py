"""Figures from the tables of the national templates and the legacy 附表.

Entry point: :func:`extract_table_figures`. It takes the report's tables as grids
(``list[list[str]]`` rows, or :class:`parse.tables.Grid` objects, whose span
information is then used), recognises which table each grid is -- template table
二, 三 or 四 (2019 or 2021 wording), the legacy statistics 附表, or none -- joins a
table split over consecutive grids (two ``<table>``s, PDF pages), and reads every
data cell it can place.

Rows and columns are found by their label text (:func:`parse.figures.labels.core`),
never by position: real tables have misaligned colspans, missing header rows,
extra blank columns and split headers (自然人 under 申请人情况). Where the cells
of a row do not sit under the header's columns but the row has exactly as many
value cells as the header has columns, they are read in order and a
``realigned_row`` warning says so; where even that fails the row gives no figure
(``unaligned_row``). A table with no recognisable column header is read in the
template's column order only when its rows have exactly the template's number of
value cells (``assumed_columns`` warning).

Flattened text tables (:attr:`parse.tables.Grid.row_widths`; the export of the
real seeds) write a merged cell once, so positions are not columns at all: table
三's header is 3 cells (自然人, 法人或其他组织, 总计) over 5 (商业企业 … 其他), its rows
8 or 9 cells. There the row labels identify the row (the template's labels:
一、本年新收…, （一）予以公开, 1.属于国家秘密 …) and the cells the row wrote after
them are its values, one per column, in the order the header names the columns
(法人或其他组织 standing for the five cells under it) -- for table 四 in the
template's order, when the header names its 15 columns in that order. A row
whose count of values is not the count of columns gives no figure
(``unaligned_row``); a header that does not name the template's columns gives
none at all. A ``flattened_columns`` warning states the assumption.

Every metric has ``source='table'`` (the sums the vocabulary defines and the
templates print no row for are added by :mod:`.derived`, whatever read the
parts) and ``evidence`` = row labels joined by `` / ``, then `` | ``, then the
column labels, e.g. ``三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密 |
法人或其他组织 / 商业企业``. Cells are read by :func:`parse.figures.numbers.read_cell`
(blank → absent, ``无`` → 0, dashes → absent with a warning). No key outside the
vocabulary is ever emitted.

Legacy 附表 (指标名称 | 单位 | 数量 [| 历年累计])
    Row labels are mapped through the vocabulary's ``labels`` (plus the few legacy
    wordings in ``LEGACY_EXTRA``); the 单位 cell gives the money unit (万元 → 元).
    Table-三 families take the ``.total`` column (受理政府信息公开申请总数 →
    ``requests.new.total``). Under 行政复议 the rows 维持具体行政行为数 / 被依法纠错数 /
    其他情形数 are ``review.upheld/corrected/other``; under 行政诉讼 the same wordings
    have no vocabulary key and are not emitted. The 历年累计 column is read for the
    proactive row only (``proactive.cumulative``); other cumulative cells are not
    emitted, because the vocabulary has no key for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal
from typing import Any, Callable, Iterable

from parse.memo import memoise
from parse.model import Metric, ParseWarning
from parse.template import (
    APPLICANT_COLUMNS,
    APPLICANT_ORDER,
    APPLICANT_VARIANTS,
    GROUP_HEADINGS,
    OUTCOME_GROUPS,
    OUTCOME_HEADING,
    SIGNED_COLUMNS,
    TABLE2_COLUMN_LABELS,
    TABLE2_ROWS,
    TABLE3_ROWS,
    TABLE4_GROUP_WORDS,
    TABLE4_GROUPS,
    TABLE4_KEYS,
    TABLE4_RESULT_WORDS,
    TABLE4_RESULTS,
)
from parse.vocabulary import known_keys, load_vocabulary

from .labels import core, fold, unit_in_label
from .numbers import Reading, read_cell, to_number

__all__ = ["extract_table_figures", "classify", "APPLICANT_ORDER"]

# ---------------------------------------------------------------------------------
# Label tables

_APPLICANT_LABELS = {**{label: key for key, label in APPLICANT_COLUMNS}, **APPLICANT_VARIANTS}
_APPLICANT_SKIP_IN_EVIDENCE = {"申请人情况"}

# Table 三 rows (parse.template): top level (一、二、四、), groups （一）…（七）, leaves 1. 2. …
_NO_KEY = "-"
_T3_TOP = tuple((r.key, r.signatures) for r in TABLE3_ROWS if r.group is None and r.key.startswith("requests."))
_T3_RESULT = OUTCOME_HEADING
# group name, key of the group's own row ("-": the group has no row of its own), prefixes.
# A subtotal row of its own is not in the templates but some reports add one:
# 不予公开 has a vocabulary key for it, 无法提供 / 不予处理 have none ("-").
_T3_GROUPS = (
    *((r.key.rsplit(".", 1)[-1], r.key, r.signatures) for r in TABLE3_ROWS
      if r.key in ("outcome.disclosed", "outcome.partially_disclosed")),
    *((g, OUTCOME_GROUPS[g] or _NO_KEY, (re.sub(r"^[（(][一二三四五六七][)）]", "", heading),))
      for g, heading in GROUP_HEADINGS.items()),
    *(("total", r.key, r.signatures) for r in TABLE3_ROWS if r.key == "outcome.total"),
)
# group → (key, signature substrings); "=" prefix means the whole core must equal it.
# The signatures are the template's own (parse.template.TABLE3_ROWS), except 3.其他,
# which in a grid cell is the whole label once its numbering is stripped.
_T3_LEAVES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    group: tuple(
        (row.key, ("=其他",) if row.key == "outcome.other.misc" else row.signatures)
        for row in TABLE3_ROWS if row.group == group
    )
    for group in ("withheld", "unavailable", "not_processed", "other")
}
# Group rows that may stand alone as a heading (all cells blank): skipped quietly.
_HEADING_GROUPS = {"outcome.withheld", _NO_KEY, "outcome.other"}

# Table 四 columns (parse.template).
_T4_GROUPS = TABLE4_GROUP_WORDS
_T4_RESULTS = TABLE4_RESULT_WORDS
_T4_ORDER = TABLE4_KEYS
_T4_GROUP_LABEL = {g: ("行政诉讼 / " if g.startswith("litigation.") else "") + label for g, label in TABLE4_GROUPS}
_T4_RESULT_LABEL = dict(TABLE4_RESULTS)
# (key, evidence label) of the template's columns, in order.
_T4_TEMPLATE_COLUMNS = tuple(
    (k, f"{_T4_GROUP_LABEL[k.rsplit('.', 1)[0]]} / {_T4_RESULT_LABEL[k.rsplit('.', 1)[1]]}") for k in _T4_ORDER
)

# Table 二 categories (row labels) and column kinds (header labels), both eras (parse.template).
_T2_CATEGORIES = {sig: row.category for rows in TABLE2_ROWS.values() for row in rows for sig in row.signatures}
_T2_COLUMNS = TABLE2_COLUMN_LABELS
_T2_SIGNED = set(SIGNED_COLUMNS)

# Legacy 附表: wordings of real 附表 not (yet) in the vocabulary's labels.
LEGACY_EXTRA = {
    "主动公开政府信息数": "proactive.total",
    "政府网站公开数": "proactive.channel.website",
    "政府公报公开数": "proactive.channel.gazette",
    "参加或举办新闻发布会总次数": "response.press_conferences",
    "收到申请数": "requests.new.total",
    "申请答复数": "outcome.total.total",
    "行政复议数量": "review.total",
    "行政诉讼数量": "litigation.total",
    "举报投诉数量": "complaints.total",
    "依申请公开信息收取的费用": "fees.collected",
}
_LEGACY_REVIEW_ONLY = {"review.upheld", "review.corrected", "review.other"}
_UNIT_WORDS = {"条", "件", "个", "人", "人次", "次", "篇", "万元", "元", "项", "名", "期", "处", "场"}


def _vocab():
    return load_vocabulary()


@lru_cache(maxsize=1)
def _legacy_label_map() -> dict[str, str]:
    """core(label) → key, from the vocabulary's single-cell labels."""
    vocab = _vocab()
    known = known_keys()
    out: dict[str, str] = {}
    for key, spec in vocab.metrics.items():
        full = f"{key}.total" if spec.takes_applicant_column else key
        if full not in known:
            continue
        for label in spec.labels:
            if " " in label:  # "规章 本年制发件数": a row × column label of a template
                continue
            c = core(label)
            if c and c not in out:
                out[c] = full
    for label, key in LEGACY_EXTRA.items():
        out.setdefault(core(label), key)
    # Labels that only mean something in a template row context.
    for generic in ("总计", "合计", "其他", "历年累计"):
        out.pop(generic, None)
    return out


# ---------------------------------------------------------------------------------
# Grids


@dataclass
class _Table:
    """Rows of one (possibly joined) table, with span-copy flags."""

    rows: list[list[str]]
    copies: list[list[bool]]
    kind: str | None = None
    index: int = 0  # position in the input of the last grid joined into it
    # Flattened text tables: cells each row wrote (None: a positional row).
    widths: list[int | None] = field(default_factory=list)

    @property
    def flattened(self) -> bool:
        return any(w is not None for w in self.widths)

    def values(self, r: int, start: int) -> list[str]:
        """The cells of row ``r`` from ``start`` on: for a flattened row only the
        cells it wrote (the padding is not a blank cell of the table)."""
        width = self.widths[r] if r < len(self.widths) else None
        return list(self.rows[r][start:width] if width is not None else self.rows[r][start:])

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def pad(self) -> None:
        w = self.width
        for r, flags in zip(self.rows, self.copies):
            r.extend([""] * (w - len(r)))
            flags.extend([False] * (w - len(flags)))


def _as_table(grid: Any, index: int) -> _Table:
    rows_src = getattr(grid, "rows", grid)
    rows = [[("" if c is None else str(c)) for c in row] for row in rows_src]
    spans = getattr(grid, "span_copies", None) or {}
    copies = [[(r, c) in spans for c in range(len(row))] for r, row in enumerate(rows)]
    row_widths = getattr(grid, "row_widths", None)
    widths: list[int | None] = list(row_widths) if row_widths is not None else [None] * len(rows)
    t = _Table(rows, copies, index=index, widths=widths)
    t.pad()
    return t


_WS = re.compile(r"\s+")


@memoise()
def _display(text: str) -> str:
    return _WS.sub(" ", text or "").strip()


@memoise()
def _value_like(cell: str) -> bool:
    """A cell that holds a value (any kind: count, amount, signed change) or
    could (blank, dash, 无), as opposed to a label."""
    return any(
        read_cell(cell, **kw).status != "unreadable" for kw in ({}, {"money": True}, {"signed": True})
    )


def _value_region_start(row: list[str]) -> int:
    """Index where the trailing run of value-like cells (numbers, blanks, dashes,
    无) begins; the cells before it are labels."""
    i = len(row)
    while i > 0 and _value_like(row[i - 1]):
        i -= 1
    return i


def _distinct(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        t = _display(t)
        if t and t not in out:
            out.append(t)
    return out


def _align(row: list[str], start: int, cols: list[int], n_expected: int) -> tuple[list[str] | None, bool]:
    """Cells of ``row`` for the header columns ``cols`` (the value region starts at
    ``start``). Returns (cells, realigned) or (None, False) when the row cannot be
    placed. ``n_expected`` is the number of distinct columns when reading in order."""
    region = range(start, len(row))
    colset = set(cols)
    if all(c >= start for c in cols) and not any(row[c].strip() for c in region if c not in colset):
        return [row[c] for c in cols], False
    vals = list(row[start:])
    while len(vals) > n_expected and not vals[-1].strip():
        vals.pop()
    while len(vals) > n_expected and not vals[0].strip():
        vals.pop(0)
    if len(vals) == n_expected:
        return vals, True
    return None, False


# ---------------------------------------------------------------------------------
# Emission


@dataclass
class _Out:
    metrics: list[Metric] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    blanks: list[str] = field(default_factory=list)
    dashes: list[str] = field(default_factory=list)
    _seen: dict[str, Metric] = field(default_factory=dict)

    def emit(self, key: str, reading: Reading, evidence: str, source: str = "table") -> None:
        if reading.value is None:
            return
        self.add(Metric(key, reading.value, _vocab().unit(key), source, evidence, reading.approximate))

    def add(self, metric: Metric) -> None:
        if metric.key not in known_keys():
            self.warnings.append(
                ParseWarning("unknown_key", f"no vocabulary key {metric.key}; figure dropped", {"key": metric.key})
            )
            return
        prev = self._seen.get(metric.key)
        if prev is not None:
            if prev.value != metric.value:
                self.warnings.append(
                    ParseWarning(
                        "duplicate_figure",
                        f"{metric.key} given twice: {prev.value} and {metric.value}; the first is kept",
                        {"key": metric.key, "kept": prev.value, "dropped": metric.value,
                         "kept_evidence": prev.evidence, "dropped_evidence": metric.evidence},
                    )
                )
            return
        self._seen[metric.key] = metric
        self.metrics.append(metric)

    def cell(self, key: str | None, cell: str, evidence: str, **read_kw) -> Reading:
        """Read one data cell and emit it under ``key`` (if any)."""
        reading = read_cell(cell, **read_kw)
        if key is None:
            return reading
        if reading.status == "blank":
            self.blanks.append(evidence)
        elif reading.status == "dash":
            self.dashes.append(f"{evidence}: {cell.strip()}")
        elif reading.status == "unreadable":
            self.warnings.append(
                ParseWarning("unreadable_cell", f"cannot read {cell.strip()!r} ({reading.note}) at {evidence}",
                             {"key": key, "cell": cell, "evidence": evidence})
            )
        elif reading.value is not None:
            if read_kw.get("money") and not reading.unit_known:
                if reading.value == 0:
                    self.emit(key, reading, evidence)
                else:
                    self.warnings.append(
                        ParseWarning("unit_unknown", f"amount {cell.strip()!r} at {evidence} states no unit (元 or 万元); not emitted",
                                     {"key": key, "cell": cell, "evidence": evidence})
                    )
            else:
                self.emit(key, reading, evidence)
        return reading

    def flush_cells(self, table_name: str) -> None:
        if self.blanks:
            self.warnings.append(
                ParseWarning("blank_cells", f"{table_name}: {len(self.blanks)} blank data cell(s), read as absent (not zero)",
                             {"table": table_name, "cells": self.blanks})
            )
        if self.dashes:
            self.warnings.append(
                ParseWarning("dash_cells", f"{table_name}: {len(self.dashes)} cell(s) with a dash or slash, read as absent (none or not applicable?)",
                             {"table": table_name, "cells": self.dashes})
            )
        self.blanks, self.dashes = [], []


def _warn_row(out: _Out, code: str, table: str, label: str, row: list[str], message: str) -> None:
    out.warnings.append(ParseWarning(code, f"{table}: {message}: {label}", {"table": table, "row": [_display(c) for c in row]}))


# ---------------------------------------------------------------------------------
# Table 三


def _t3_match_group(c: str) -> tuple[str, str | None] | None:
    for name, key, prefixes in _T3_GROUPS:
        if any(c == p or c.startswith(p) for p in prefixes):
            return name, key
    return None


@memoise(1 << 12)
def _t3_match_leaf(c: str, group: str | None) -> tuple[str, str] | None:
    def match(sigs: tuple[str, ...]) -> bool:
        return any((c == s[1:]) if s.startswith("=") else (s in c) for s in sigs)

    order = [group] if group in _T3_LEAVES else []
    order += [g for g in _T3_LEAVES if g != group]
    for g in order:
        for key, sigs in _T3_LEAVES[g]:
            if g != group and "=其他" in sigs:
                continue  # the generic 3.其他 needs its group
            if match(sigs):
                return g, key
    return None


@memoise(1 << 12)
def _t3_label(c: str) -> tuple[str, Any]:
    """What a table-三 label (its core) is, as far as it does not depend on the
    group above it: ``("top", key)``, ``("result", None)``, ``("group", (name,
    key))``, or ``("leaf", None)`` -- a leaf, or nothing, depending on the group."""
    top = next((k for k, sigs in _T3_TOP if any(s in c for s in sigs)), None)
    if top:
        return "top", top
    if any(c.startswith(r) for r in _T3_RESULT):
        return "result", None
    g = _t3_match_group(c)
    if g:
        return "group", g
    return "leaf", None


class _T3State:
    def __init__(self) -> None:
        self.group: str | None = None

    def resolve(self, labels: list[str]) -> str | None:
        """Base key of a table-三 row from its label cells (None if not a data row)."""
        key = None
        for label in labels:
            c = core(label)
            if not c:
                continue
            kind, found = _t3_label(c)
            if kind == "top":
                key, self.group = found, None
            elif kind == "result":
                self.group, key = None, None
            elif kind == "group":
                self.group, key = found[0], found[1]
            else:
                leaf = _t3_match_leaf(c, self.group)
                if leaf:
                    self.group, key = leaf
                elif key is not None and key.startswith("outcome.") and self.group is not None:
                    key = None  # a row under a group heading that is none of its rows: not the group's sum
        return key


def _t3_columns(header_rows: list[list[str]]) -> dict[int, tuple[str, str]]:
    """column index → (applicant suffix, evidence label) from header rows."""
    cols: dict[int, tuple[str, str]] = {}
    if not header_rows:
        return cols
    width = max(len(r) for r in header_rows)
    for c in range(width):
        path = _distinct(r[c] for r in header_rows if c < len(r))
        app = None
        for text in reversed(path):
            app = _APPLICANT_LABELS.get(core(text))
            if app:
                break
        if app:
            label = " / ".join(p for p in path if core(p) not in _APPLICANT_SKIP_IN_EVIDENCE)
            cols[c] = (app, label)
    # one column per applicant: a spanned header repeated over two columns keeps the first
    seen: set[str] = set()
    for c in sorted(cols):
        if cols[c][0] in seen:
            del cols[c]
        else:
            seen.add(cols[c][0])
    return cols


def _is_t3_header_row(row: list[str]) -> bool:
    return sum(1 for c in row if core(c) in _APPLICANT_LABELS and core(c) not in ("总计", "合计", "其他")) >= 1


_LEGAL_PERSON_GROUP = {"法人或其他组织", "法人或者其他组织", "法人和其他组织", "法人或其它组织"}


def _flattened_t3_columns(header_rows: list[list[str]]) -> list[tuple[str, str]] | None:
    """Applicant columns of a flattened table 三, in the order its header names
    them: the row naming 自然人 gives the top level, and its 法人或其他组织 (written
    once over five columns) stands for the next row's five cells. None unless
    that yields each of the template's seven applicant columns exactly once."""
    lines = [[c for c in row if c.strip()] for row in header_rows]
    for i, cells in enumerate(lines):
        if not any(_APPLICANT_LABELS.get(core(c)) == "natural_person" for c in cells):
            continue
        sub = lines[i + 1] if i + 1 < len(lines) else []
        out: list[tuple[str, str]] = []
        for c in cells:
            app = _APPLICANT_LABELS.get(core(c))
            if app:
                out.append((app, _display(c)))
            elif core(c) in _LEGAL_PERSON_GROUP:
                for sc in sub:
                    sub_app = _APPLICANT_LABELS.get(core(sc))
                    if sub_app is None:
                        return None
                    out.append((sub_app, f"{_display(c)} / {_display(sc)}"))
        apps = [a for a, _ in out]
        if len(apps) == len(APPLICANT_ORDER) and set(apps) == set(APPLICANT_ORDER):
            return out
        return None
    return None


def _read_t3(table: _Table, out: _Out) -> None:
    name = "table 三"
    state = _T3State()
    cols: dict[int, tuple[str, str]] = {}
    # Flattened text tables: the columns in header order (None: no header seen;
    # [] a header that does not name the template's seven columns).
    flat_cols: list[tuple[str, str]] | None = None
    pending: list[list[str]] = []
    found: dict[str, dict[str, Reading]] = {}
    assumed_warned = False
    flattened = table.flattened
    for r, row in enumerate(table.rows):
        start = _value_region_start(row)
        labels = _distinct(row[:start])
        header_row = _is_t3_header_row(row)
        key = state.resolve(labels) if labels and not header_row else None
        if key is None:
            if labels and not header_row and any(read_cell(c).has_value for c in row[start:]):
                _warn_row(out, "unrecognised_row", name, " / ".join(labels), row, "row not recognised")
            else:
                pending.append(row)
            continue
        if pending and any(_is_t3_header_row(p) for p in pending):
            if flattened:
                flat_cols = _flattened_t3_columns(pending) or []
                if flat_cols:
                    out.warnings.append(ParseWarning(
                        "flattened_columns",
                        f"{name}: a flattened text table (merged cells written once, so cells do not sit under "
                        f"their columns); each row's values read in its header's column order "
                        f"({'、'.join(label for _, label in flat_cols)})",
                        {"table": name, "order": [app for app, _ in flat_cols]}))
            else:
                new_cols = _t3_columns(pending)
                if new_cols:
                    cols = new_cols
        pending = []
        row_label = " / ".join(labels)
        if flattened and flat_cols is not None:
            # The row label identifies the row; the cells it wrote after the
            # label are its values, one per column -- only when the count fits.
            vals = table.values(r, start)
            if flat_cols and len(vals) == len(flat_cols):
                cells, realigned, col_defs = vals, False, list(flat_cols)
            else:
                cells, realigned, col_defs = None, False, []
        elif cols:
            order = sorted(cols)
            cells, realigned = _align(row, start, order, len(order))
            col_defs = [cols[c] for c in order]
        else:
            vals = table.values(r, start)
            while len(vals) > len(APPLICANT_ORDER) and not vals[-1].strip():
                vals.pop()
            while len(vals) > len(APPLICANT_ORDER) and not vals[0].strip():
                vals.pop(0)
            if len(vals) == len(APPLICANT_ORDER):
                cells, realigned = vals, False
                col_defs = [(a, _APPLICANT_FALLBACK_LABEL[a]) for a in APPLICANT_ORDER]
                if not assumed_warned:
                    out.warnings.append(
                        ParseWarning("assumed_columns", f"{name}: no applicant header found; columns read in template order",
                                     {"table": name, "order": list(APPLICANT_ORDER)})
                    )
                    assumed_warned = True
            else:
                cells, realigned, col_defs = None, False, []
        if cells is None:
            if key in _HEADING_GROUPS and not any(c.strip() for c in table.values(r, start)):
                continue  # a group heading on a row of its own
            _warn_row(out, "unaligned_row", name, row_label, row, "values do not line up with the header; row skipped")
            continue
        if key in _HEADING_GROUPS and not any(c.strip() for c in cells):
            continue  # a group heading on a row of its own
        if key == _NO_KEY:
            _warn_row(out, "unrecognised_row", name, row_label, row, "a subtotal row with no vocabulary key")
            continue
        if realigned:
            _warn_row(out, "realigned_row", name, row_label, row, "values read in column order, not by position")
        for (app, col_label), cell in zip(col_defs, cells):
            full = f"{key}.{app}"
            evidence = f"{row_label} | {col_label}"
            reading = out.cell(full, cell, evidence)
            found.setdefault(key, {})[app] = reading
    out.flush_cells(name)


_APPLICANT_FALLBACK_LABEL = {
    "natural_person": "自然人",
    "commercial_enterprise": "法人或其他组织 / 商业企业",
    "research_institution": "法人或其他组织 / 科研机构",
    "social_welfare_org": "法人或其他组织 / 社会公益组织",
    "legal_service_org": "法人或其他组织 / 法律服务机构",
    "other_org": "法人或其他组织 / 其他",
    "total": "总计",
}


# ---------------------------------------------------------------------------------
# Table 四


def _t4_column(path: list[str]) -> str | None:
    group = result = None
    for text in path:
        c = core(text)
        for g, sigs in _T4_GROUPS:
            if any(s in c for s in sigs):
                # 复议后起诉 / 未经复议直接起诉 beat the 行政复议 of an upper row only
                # when they come later in the path: take the most specific seen.
                group = g
                break
        if c in _T4_RESULTS:
            result = _T4_RESULTS[c]
    if group and result:
        return f"{group}.{result}"
    return None


def _flattened_t4_header(header: list[list[str]]) -> bool:
    """Does the header of a flattened table 四 name the template's columns in the
    template's order? 行政复议, then 未经复议直接起诉, then 复议后起诉, and fifteen
    result cells (结果维持 … 总计 for each of the three)."""
    cells = [core(c) for row in header for c in row if c.strip()]
    results = [c for c in cells if c in _T4_RESULTS]

    def first(pred) -> int | None:
        return next((i for i, c in enumerate(cells) if pred(c)), None)

    review = first(lambda c: "行政复议" in c and "起诉" not in c)
    direct = first(lambda c: "直接起诉" in c)
    after = first(lambda c: "复议后起诉" in c)
    if review is None or direct is None or after is None or not review < direct < after:
        return False
    return len(results) == len(_T4_ORDER)


def _read_t4(table: _Table, out: _Out) -> None:
    name = "table 四"
    header: list[list[str]] = []
    cols: dict[int, tuple[str, str]] = {}
    done = False
    for r, row in enumerate(table.rows):
        start = _value_region_start(row)
        if not any(read_cell(c).has_value for c in row[start:]):
            header.append(row)
            continue
        if not cols and header and not table.flattened:
            width = max(len(r) for r in header)
            for c in range(width):
                path = _distinct(r[c] for r in header if c < len(r))
                k = _t4_column(path)
                if k and k not in {v[0] for v in cols.values()}:
                    cols[c] = (k, " / ".join(path))
        if done:
            _warn_row(out, "extra_row", name, " / ".join(_distinct(row[:start])) or "(values)", row,
                      "a second data row; only the first is read")
            continue
        if table.flattened and header:
            # Merged cells written once: positions say nothing; the header must
            # name the template's columns in its order, and the row must have
            # exactly one value per column.
            vals = table.values(r, start)
            if _flattened_t4_header(header) and len(vals) == len(_T4_ORDER):
                cells, realigned = vals, False
                defs = list(_T4_TEMPLATE_COLUMNS)
                out.warnings.append(ParseWarning(
                    "flattened_columns",
                    f"{name}: a flattened text table (merged cells written once, so cells do not sit under their "
                    f"columns); its header names the template's 15 columns in the template's order, so the values "
                    f"are read in that order",
                    {"table": name, "order": list(_T4_ORDER)}))
            else:
                cells, realigned, defs = None, False, []
        elif cols:
            order = sorted(cols)
            cells, realigned = _align(row, start, order, len(order))
            defs = [cols[c] for c in order]
        else:
            vals = table.values(r, start)
            while len(vals) > len(_T4_ORDER) and not vals[-1].strip():
                vals.pop()
            while len(vals) > len(_T4_ORDER) and not vals[0].strip():
                vals.pop(0)
            if len(vals) == len(_T4_ORDER):
                cells, realigned = vals, False
                defs = list(_T4_TEMPLATE_COLUMNS)
                out.warnings.append(ParseWarning("assumed_columns", f"{name}: no header found; columns read in template order",
                                                 {"table": name, "order": list(_T4_ORDER)}))
            else:
                cells, realigned, defs = None, False, []
        label = " / ".join(_distinct(row[:start])) or "(values)"
        if cells is None:
            _warn_row(out, "unaligned_row", name, label, row, "values do not line up with the header; row skipped")
            continue
        if realigned:
            _warn_row(out, "realigned_row", name, label, row, "values read in column order, not by position")
        found: dict[str, Reading] = {}
        for (key, col_label), cell in zip(defs, cells):
            found[key] = out.cell(key, cell, col_label)
        done = True
    out.flush_cells(name)


# ---------------------------------------------------------------------------------
# Table 二


def _t2_header(row: list[str]) -> dict[int, tuple[str, str, str | None]] | None:
    cols: dict[int, tuple[str, str, str | None]] = {}
    for c, text in enumerate(row):
        k = _T2_COLUMNS.get(core(text))
        if k:
            cols[c] = (k, _display(text), unit_in_label(text))
    return cols or None


def _t2_category(row: list[str]) -> tuple[int, str] | None:
    """The category cell of a table-二 data row (规章, 行政许可…): the first cell
    naming one (a section label such as 第二十条第（一）项 may come before it)."""
    for c, text in enumerate(row):
        cat = _T2_CATEGORIES.get(core(text))
        if cat:
            return c, cat
    return None


def _read_t2(table: _Table, out: _Out) -> None:
    name = "table 二"
    cols: dict[int, tuple[str, str, str | None]] | None = None
    for r, row in enumerate(table.rows):
        header = _t2_header(row)
        if header:
            cols = header
            continue
        cat = _t2_category(row)
        if cat is None:
            continue
        c0, category = cat
        label = _display(row[c0])
        if cols is None:
            _warn_row(out, "unaligned_row", name, label, row, "no column header above this row; row skipped")
            continue
        # columns of each kind, in order (a spanned header covers several columns)
        kinds: dict[str, list[int]] = {}
        for c in sorted(cols):
            kinds.setdefault(cols[c][0], []).append(c)
        order = sorted(cols)
        start = max(c0 + 1, _value_region_start(row))
        cells, realigned = _align(row, start, order, len(order))
        by_col: dict[int, str] = {}
        if cells is not None and not realigned:
            by_col = dict(zip(order, cells))
        else:
            vals = list(row[start:])
            while len(vals) > len(kinds) and not vals[-1].strip():
                vals.pop()
            while len(vals) > len(kinds) and not vals[0].strip():
                vals.pop(0)
            if len(vals) != len(kinds):
                _warn_row(out, "unaligned_row", name, label, row, "values do not line up with the header; row skipped")
                continue
            by_col = {cs[0]: v for cs, v in zip(kinds.values(), vals)}
            kinds = {k: [cs[0]] for k, cs in kinds.items()}
            _warn_row(out, "realigned_row", name, label, row, "values read in column order, not by position")
        for kind, cs in kinds.items():
            key = f"proactive.{category}.{kind}"
            if key not in known_keys():
                continue
            # the cell of this kind: own cells first (span copies repeat the same text)
            own = [c for c in cs if c in by_col and not table.copies[r][c]]
            texts = _distinct(by_col[c] for c in (own or cs) if c in by_col)
            evidence = f"{label} | {cols[cs[0]][1]}"
            if len(texts) > 1:
                out.warnings.append(ParseWarning("conflicting_cells", f"{name}: {evidence} has several values {texts}",
                                                 {"key": key, "cells": texts}))
                continue
            cell = texts[0] if texts else ""
            money = kind == "amount"
            out.cell(key, cell, evidence, money=money, column_unit=cols[cs[0]][2] if money else None,
                     signed=kind in _T2_SIGNED)
    out.flush_cells(name)


# ---------------------------------------------------------------------------------
# Legacy 附表

_SECTION_NUMBER = re.compile(r"^[一二三四五六七八九十]+[、.]")
_VALUE_HEADER = re.compile(r"^(?:数量|统计数|数据|数值|本年|本年度|本期|\d{4}年度?|合计|总数|完成数|统计数据|本年数)$")


def _legacy_header(row: list[str]) -> dict[str, int] | None:
    cores = [core(c) for c in row]
    if "指标名称" not in cores and "单位" not in cores:
        return None
    pos: dict[str, int] = {}
    for c, text in enumerate(cores):
        if text in ("指标名称", "指标", "项目", "名称") and "label" not in pos:
            pos["label"] = c
        elif text in ("单位", "计量单位") and "unit" not in pos:
            pos["unit"] = c
        elif "累计" in text and "cum" not in pos:
            pos["cum"] = c
        elif _VALUE_HEADER.match(text) and "value" not in pos:
            pos["value"] = c
    if "unit" in pos and "value" not in pos:
        for c in range(pos["unit"] + 1, len(row)):
            if c != pos.get("cum") and cores[c] and cores[c] != cores[pos["unit"]]:
                pos["value"] = c
                break
    pos.setdefault("label", 0)
    return pos if "value" in pos else None


def _legacy_variants(c: str) -> list[str]:
    """Wordings of one 附表 row label to look up, the label itself first. The
    统计表 editions word the same row differently: a passive 被 (六、被举报投诉数量
    beside 举报投诉数), 数量 for 数 (行政复议数量 / 行政复议数)."""
    out = [c]
    bases = [c] + ([c[1:]] if c.startswith("被") and len(c) > 2 else [])
    for b in bases:
        for v in (b, b[:-2] + "数" if b.endswith("数量") else None, b + "量" if b.endswith("数") and not b.endswith("数量") else None):
            if v and v not in out:
                out.append(v)
    return out


def _legacy_key(c: str, labels: dict[str, str]) -> str | None:
    return next((labels[v] for v in _legacy_variants(c) if v in labels), None)


def _legacy_guess_columns(rows: list[list[str]]) -> dict[str, int] | None:
    """No header: the unit column is where unit words are, the value follows it."""
    counts: dict[int, int] = {}
    for row in rows:
        for c, text in enumerate(row):
            if fold(text) in _UNIT_WORDS:
                counts[c] = counts.get(c, 0) + 1
    if not counts:
        return None
    unit_col = max(counts, key=counts.get)
    if counts[unit_col] < 2:
        return None
    return {"label": 0, "unit": unit_col, "value": unit_col + 1}


def _read_legacy(table: _Table, out: _Out) -> None:
    name = "附表"
    labels = _legacy_label_map()
    pos = None
    for row in table.rows:
        pos = _legacy_header(row)
        if pos:
            break
    if pos is None:
        pos = _legacy_guess_columns(table.rows)
        if pos is None:
            out.warnings.append(ParseWarning("unaligned_row", f"{name}: no 单位/数量 columns found; table skipped", {"table": name}))
            return
        out.warnings.append(ParseWarning("assumed_columns", f"{name}: no header row; value column taken as the one after 单位",
                                         {"table": name, "columns": pos}))
    header_label: dict[str, str] = {}
    section: str | None = None
    for row in table.rows:
        if _legacy_header(row):
            header_label = {k: _display(row[v]) for k, v in pos.items() if v < len(row)}
            continue
        label_text = row[pos["label"]] if pos["label"] < len(row) else ""
        c = core(label_text)
        if not c:
            continue
        folded = fold(label_text)
        if c.startswith("行政复议"):
            section = "review"
        elif c.startswith("行政诉讼"):
            section = "litigation"
        elif _SECTION_NUMBER.match(folded):
            section = None
        key = _legacy_key(c, labels)
        if key is None:
            continue
        if key in _LEGACY_REVIEW_ONLY and section != "review":
            continue
        unit = fold(row[pos["unit"]]) if "unit" in pos and pos["unit"] < len(row) else None
        spec_unit = _vocab().unit(key)
        money = spec_unit == "元"
        value_col = pos["value"]
        if value_col >= len(row):
            continue
        value_label = header_label.get("value", "数量")
        evidence = f"{_display(label_text)} | {value_label}"
        out.cell(key, row[value_col], evidence, money=money,
                 column_unit=(unit if unit in ("元", "万元") else None) if money else None)
        if key == "proactive.total" and "cum" in pos and pos["cum"] < len(row):
            cum_label = header_label.get("cum", "历年累计")
            out.cell("proactive.cumulative", row[pos["cum"]], f"{_display(label_text)} | {cum_label}")
    out.flush_cells(name)


# ---------------------------------------------------------------------------------
# Recognising tables


def classify(rows: list[list[str]]) -> str | None:
    """'table2' | 'table3' | 'table4' | 'legacy' | None."""
    cores = [core(c) for row in rows for c in row]
    cset = set(cores)
    # table 三: row labels of its own
    state = _T3State()
    t3_rows = 0
    for row in rows:
        start = _value_region_start(row)
        if not _is_t3_header_row(row) and state.resolve(_distinct(row[:start])):
            t3_rows += 1
    apps = sum(1 for a in ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构") if a in cset)
    if t3_rows >= 3 or (apps >= 3 and t3_rows >= 1):
        return "table3"
    t4_results = sum(1 for r in ("结果维持", "结果纠正", "尚未审结") if r in cset)
    if t4_results >= 2 and any("复议" in c for c in cset):
        return "table4"
    if any(c in _T2_COLUMNS for c in cset) and any(c in _T2_CATEGORIES for c in cset):
        return "table2"
    if "指标名称" in cset:
        return "legacy"
    labels = _legacy_label_map()
    hits = sum(1 for row in rows if row and _legacy_key(core(row[0]), labels) and any(fold(c) in _UNIT_WORDS for c in row))
    if hits >= 2:
        return "legacy"
    if apps >= 3:
        return "table3"  # a header with no rows yet (split table)
    if t4_results >= 2:
        return "table4"
    return None


def _has_own_header(kind: str, rows: list[list[str]]) -> bool:
    cset = {core(c) for row in rows for c in row}
    if kind == "table3":
        return sum(1 for a in ("自然人", "商业企业", "科研机构") if a in cset) >= 2
    if kind == "table4":
        return "结果维持" in cset
    if kind == "legacy":
        return "指标名称" in cset or "单位" in cset
    # table 二 restates its header in every section: a part whose first data row
    # comes before any header continues the part before it
    for row in rows:
        if _t2_header(row):
            return True
        if _t2_category(row):
            return False
    return True


def _continuation(prev: _Table, rows: list[list[str]], kind: str | None) -> bool:
    """Does a grid continue the table before it (no header of its own)?"""
    if prev.kind is None:
        return False
    if kind == prev.kind:
        return not _has_own_header(kind, rows)
    if kind is None:
        if prev.kind == "table2":
            return _t2_category_rows(rows) > 0
        if prev.kind == "table3":
            state = _T3State()
            return any(state.resolve(_distinct(r[:_value_region_start(r)])) for r in rows) or _all_values(rows)
        if prev.kind == "legacy":
            labels = _legacy_label_map()
            return any(row and _legacy_key(core(row[0]), labels) for row in rows) or _all_values(rows)
        return _all_values(rows)
    return False


def _t2_category_rows(rows: list[list[str]]) -> int:
    return sum(1 for r in rows if _t2_category(r))


def _all_values(rows: list[list[str]]) -> bool:
    cells = [c for row in rows for c in row]
    return bool(cells) and all(_value_like(c) for c in cells) and any(read_cell(c).has_value for c in cells)


_READERS: dict[str, Callable[[_Table, _Out], None]] = {
    "table2": _read_t2,
    "table3": _read_t3,
    "table4": _read_t4,
    "legacy": _read_legacy,
}


def extract_table_figures(grids: list[Any]) -> tuple[list[Metric], list[ParseWarning]]:
    """Figures of every recognised table among ``grids`` (document order).

    Each grid is a list of rows of cell strings (spans expanded) or a
    :class:`parse.tables.Grid`. A grid with no header of its own that follows a
    recognised table is read as that table's continuation (a table split in two
    ``<table>``s or across PDF pages). Returns (metrics, warnings).
    """
    tables: list[_Table] = []
    for i, grid in enumerate(grids):
        t = _as_table(grid, i)
        if not t.rows:
            continue
        kind = classify(t.rows)
        if tables and tables[-1].index == i - 1 and _continuation(tables[-1], t.rows, kind):
            prev = tables[-1]
            prev.rows.extend(t.rows)
            prev.copies.extend(t.copies)
            prev.widths.extend(t.widths)
            prev.pad()
            prev.index = i
            continue
        t.kind = kind
        tables.append(t)
    out = _Out()
    for t in tables:
        if t.kind in _READERS:
            _READERS[t.kind](t, out)
    return out.metrics, out.warnings
