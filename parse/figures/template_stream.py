"""The national templates read from a stream of text, whatever its layout.

Text made of a report's tables comes in many layouts: cells separated by
spaces (text of a PDF), pipe rows (markdown, trafilatura), one cell per line,
cells glued together (an archiver's ``textContent``), OCR output. In all of
them the template's row labels come in the template's order (``parse.template``)
and each row's values come after its label. This reader

1. folds the text into one stream of characters (NFKC, which also maps CJK
   radical glyphs ``⼀⾏`` to ``一行``), dropping whitespace and pipes but
   remembering where they were, and dropping page furniture (``- 5 -``,
   ``=== page 4``, markdown rule rows);
2. finds the template's rows in order by their signatures (labels broken
   across lines or cut short still match; a row's numbering glued to the
   previous row's values, ``…3100000312.没有现成…``, is given back to its row);
3. reads the values between one row's label and the next as tokens: numbers,
   empty pipe cells and dashes (absent), with the separators the text kept;
4. turns each row's tokens into its candidate cells (:mod:`.splits`): a row that
   wrote as many tokens as the table has columns is read as written; a row of
   glued digits gets every split whose six applicant columns add up to 总计;
5. lets the whole table decide (:func:`.splits.solve`): the column sums (一 + 二 =
   (七)总计 + 四; the outcome rows add to (七)总计), and the figures the report's
   prose states, pick the combination of splits; cells that stay ambiguous give
   no figure and a ``ambiguous_cells`` warning.

Table 四 (fifteen cells after its header words) and table 二 (each category's
cells) are read the same way; the legacy 统计表 (rows in any order, a unit word
then the year's value and perhaps 历年累计) too.

Every figure has ``source='table'`` and evidence naming the table, the row and
column, and the text the row was read from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from parse.model import Metric, ParseWarning
from parse.template import (
    fold_for_match,
    APPLICANT_COLUMNS,
    APPLICANT_PARTS,
    LEGACY_EQUATIONS,
    LEGACY_ROWS,
    LEGACY_UNITS,
    OUTCOME_GROUPS,
    SIGNED_COLUMNS,
    TABLE2_ROWS,
    TABLE3_ROWS,
    TABLE4_GROUPS,
    TABLE4_HEADER_WORDS,
    TABLE4_KEYS,
    TABLE4_RESULTS,
    Row,
    group_rows,
    table3_equations,
    table3_rows,
)
from parse.textutil import PAGE_FURNITURE
from parse.vocabulary import known_keys, load_vocabulary

from .stacked import unstack_rows
from .splits import Equation, Piece, groups_sum_check, number, row_sum_check, solve, splits

__all__ = ["Stream", "read_template_stream", "read_legacy_stream", "STREAM_WARNING_CODES"]

STREAM_WARNING_CODES = {
    "ambiguous_cells": "cells glued together that more than one reading of the table fits: no figure",
    "unplaced_row": "a template row whose values cannot be placed under the columns (too many or too few)",
    "stacked_rows": "table 三 rows read as one line (OCR), their cells stacked: cut into rows where one reading "
                    "makes every row add up, no figures where it does not",
    "displaced_rows": "table 三 rows whose values stand before their labels in the text, placed by the one "
                      "assignment that gives every row one row of values and keeps the table's sums",
}

# ---------------------------------------------------------------------------------
# The stream

_PUNCT = set("\"'“”‘’「」『』《》〈〉、,，.．。:：;；·!！?？_-—–－/／\\()（）[]【】*#")
_DIGITS = set("0123456789")
_CJK_NUMERALS = "一二三四五六七八九十"
_HAN = re.compile("[\u4e00-\u9fff]")
_CELL_WORDS = set("无—–－-―/／")  # what a value cell may hold besides digits
_DASHES = "—–－-―/／\\"
_UNIT_CHARS = set("件条个项人次元万")  # a value cell may carry its unit (12件)
EMPTY_CELL = "\x00"  # a line holding only a no-break space: an empty cell of a one-cell-per-line table
_BLANK_CELL_LINE = re.compile(r"^[ \t]*[\u00a0\u3000][\u00a0\u3000 \t]*$", re.MULTILINE)


@dataclass
class Stream:
    """The text folded for reading: ``chars`` without whitespace and pipes;
    ``seps[i]`` the number of separators before ``chars[i]`` (0 none, 1 a
    space or line break, 1 + n for n pipes); ``match`` the same without
    punctuation, ``to_char[j]`` the index in ``chars`` of ``match[j]``."""

    chars: str
    seps: list[int]
    match: str
    to_char: list[int]
    pipes: bool = False
    newlines: list[int] = field(default_factory=list)  # line breaks in the separator before chars[i]
    piped: list[bool] = field(default_factory=list)  # chars[i] stands on a line that has a pipe

    @classmethod
    def of(cls, text: str) -> "Stream":
        text = _BLANK_CELL_LINE.sub(EMPTY_CELL, text)
        text = PAGE_FURNITURE.sub("\n", unicodedata.normalize("NFKC", text))
        chars: list[str] = []
        seps: list[int] = []
        newlines: list[int] = []
        space = False
        pipe_count = 0  # pipes since the last character or line break
        breaks = 0
        pipes = False
        line_of: list[int] = []
        piped_lines: set[int] = set()
        line = 0
        for ch in text:
            if ch in "|｜":
                pipe_count += 1
                pipes = True
                piped_lines.add(line)
            elif ch == "\n":
                for _ in range(pipe_count - 1):  # "| 0 |  |" : empty cells before the row's closing pipe
                    chars.append(EMPTY_CELL)
                    seps.append(2)
                    newlines.append(breaks)
                    line_of.append(line)
                    breaks = 0
                space, pipe_count = True, 0  # a row's closing pipe is no empty cell
                breaks += 1
                line += 1
            elif ch.isspace():
                space = True
            else:
                chars.append(ch)
                seps.append(1 + pipe_count if pipe_count else int(space))
                newlines.append(breaks)
                line_of.append(line)
                space, pipe_count, breaks = False, 0, 0
        match: list[str] = []
        to_char: list[int] = []
        for i, ch in enumerate(chars):
            if ch not in _PUNCT:
                match.append(ch)
                to_char.append(i)
        newlines.append(breaks)
        piped = [ln in piped_lines for ln in line_of]
        return cls("".join(chars), seps, "".join(match), to_char, pipes, newlines, piped)

    def find(self, words: tuple[str, ...], start: int, end: int | None = None) -> tuple[int, int] | None:
        """Earliest (start, end) in ``chars`` of any of ``words`` (matched without
        punctuation) at or after char ``start``, before char ``end``."""
        j0 = _bisect(self.to_char, start)
        best: tuple[int, int] | None = None
        for w in words:
            j = self.match.find(w, j0)
            if j < 0:
                continue
            s, e = self.to_char[j], self.to_char[j + len(w) - 1] + 1
            if end is not None and s >= end:
                continue
            if best is None or s < best[0]:
                best = (s, e)
        return best

    def find_all(self, word: str) -> list[int]:
        out, j = [], self.match.find(word)
        while j >= 0:
            out.append(self.to_char[j])
            j = self.match.find(word, j + 1)
        return out

    def label_start(self, sig_start: int, floor: int, number: str | None) -> int:
        """Where the label whose signature starts at ``sig_start`` begins: back over
        the label's own characters and its numbering (``2.``, ``（三）``, ``四、``),
        never below ``floor``. A row number glued to the previous row's digits
        (``…0312.没有现成``) is taken only as far as it is the template's own
        number for the row (``2``)."""
        i = sig_start
        while i > floor:
            prev = self.chars[i - 1]
            if prev in _DIGITS or prev == EMPTY_CELL or (self.seps[i] and prev in _CELL_WORDS):
                break
            i -= 1
        if i > floor and i < len(self.chars) and self.chars[i] in ".、．" and self.chars[i - 1] in _DIGITS:
            run_start = i - 1
            while run_start > floor and self.chars[run_start - 1] in _DIGITS and not self.seps[run_start]:
                run_start -= 1
            run = self.chars[run_start:i]
            if number and number.isdigit():
                if run.endswith(number):
                    return i - len(number)
            elif len(run) <= 2 and (self.seps[run_start] or run_start == floor
                                    or self.chars[run_start - 1] not in _DIGITS):
                return run_start  # "其中：1、…" / " 2. …": numbering standing on its own
        return i

    def values_follow(self, i: int) -> bool:
        """Whether the first thing after char ``i``, past the rest of a label's
        words, is a value (not a row number like ``3.``)."""
        for j in range(i, min(len(self.chars), i + 40)):
            ch = self.chars[j]
            if ch == EMPTY_CELL or (ch in _CELL_WORDS and self.seps[j]):
                return True
            if ch in _DIGITS:
                k = j
                while k < len(self.chars) and self.chars[k] in _DIGITS and (k == j or not self.seps[k]):
                    k += 1
                return not (k < len(self.chars) and self.chars[k] in ".、．" and not self.seps[k])
        return False

    def line_start(self, i: int, floor: int) -> int:
        """The start of the line holding char ``i`` (not below ``floor``)."""
        while i > floor and not (self.newlines and self.newlines[i]):
            i -= 1
        return i

    def tokens(self, start: int, end: int) -> list[Piece]:
        """Value tokens between chars ``start`` and ``end``: digit runs (split where
        the text had a separator), signed/decimal numbers, dashes and empty cells
        (absent), ``无`` (0). In pipe rows a cell holding words (``数据1``, a label)
        gives no value."""
        out: list[Piece] = []
        i = start
        cell_has_words = False
        cell_tokens: list[Piece] = []
        # in a segment with pipe rows, a number on a line without a pipe is no cell
        rows_only = self.pipes and any(self.piped[start:end])

        def close_cell() -> None:
            if not cell_has_words:
                out.extend(cell_tokens)
            cell_tokens.clear()

        while i < end:
            ch = self.chars[i]
            sep = self.seps[i]
            if i > start and (sep >= 2 or (self.pipes and self.newlines[i])):  # a pipe or a line break ends a cell
                close_cell()
                cell_has_words = False
                if sep >= 3:  # "| |": empty cells between pipes
                    out.extend(Piece(None) for _ in range(sep - 2))
            if ch == EMPTY_CELL:
                cell_tokens.append(Piece(None))
                i += 1
                continue
            if ch in _DIGITS or (ch in "+-" and i + 1 < end and self.chars[i + 1] in _DIGITS and not self.seps[i + 1]):
                j = i + 1
                while j < end and not self.seps[j] and (self.chars[j] in _DIGITS or (
                        self.chars[j] in ".," and j + 1 < end and self.chars[j + 1] in _DIGITS and not self.seps[j + 1])):
                    j += 1
                text = self.chars[i:j].replace(",", "")
                if text.count(".") > 1:
                    text = text.split(".")[0]
                if j + 1 < end and self.chars[j] in "、.．" and not self.seps[j] and _HAN.match(self.chars[j + 1]):
                    i = j  # "3、其他": the numbering of a label, not a value
                    continue
                if rows_only and not self.piped[i]:
                    i = j
                    continue
                cell_tokens.append(Piece(text, spaced=bool(sep) or i == start, breaks=self.newlines[i]))
                i = j
                continue
            if ch in _DASHES and (sep or i == start) and (i + 1 >= end or self.seps[i + 1] or self.chars[i + 1] not in _DIGITS):
                # a dash standing alone in its cell
                j = i + 1
                while j < end and not self.seps[j] and self.chars[j] in _DASHES:
                    j += 1
                if j >= end or self.seps[j]:
                    cell_tokens.append(Piece(None))
                i = j
                continue
            if ch == "无" and (sep or i == start) and (i + 1 >= end or self.seps[i + 1]):
                cell_tokens.append(Piece("0"))
            elif self.pipes and self.piped[i] and ch not in _UNIT_CHARS and ch not in _PUNCT:
                cell_has_words = True  # (only on pipe rows: a page footer's pipes make no other line a pipe row)
            i += 1
        close_cell()
        return out


def line_cells(stream: "Stream", start: int, end: int, n: int) -> list[Piece] | None:
    """A one-cell-per-line row whose empty cells are empty lines: the values each on
    a line of their own, ``k`` line breaks between two of them meaning ``k - 1``
    empty cells (before the first and after the last too). None unless that gives
    exactly ``n`` cells."""
    values: list[tuple[int, Piece]] = []
    i = start
    while i < end:
        if stream.chars[i] in _DIGITS:
            j = i + 1
            while j < end and not stream.seps[j] and (stream.chars[j] in _DIGITS or stream.chars[j] == "."):
                j += 1
            values.append((i, Piece(stream.chars[i:j].rstrip("."))))
            if not stream.newlines[i] or (j < len(stream.newlines) and j < end and not stream.newlines[j]):
                return None  # not alone on its line
            i = j
            continue
        i += 1
    if not values:
        return None
    out: list[Piece] = []
    for k, (pos, piece) in enumerate(values):
        out.extend(Piece(None) for _ in range(max(0, stream.newlines[pos] - 1)))
        out.append(piece)
    out.extend(Piece(None) for _ in range(max(0, stream.newlines[end] - 1 if end < len(stream.newlines) else 0)))
    out = _strip_blank_edges(out, n)  # a spanned label cell writes an empty line of its own
    return out if len(out) == n else None


def _bisect(seq: list[int], x: int) -> int:
    lo, hi = 0, len(seq)
    while lo < hi:
        mid = (lo + hi) // 2
        if seq[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


# ---------------------------------------------------------------------------------
# Output


@dataclass
class _Out:
    metrics: list[Metric] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # tables whose rows the text holds, read or not

    def add(self, key: str, value: Decimal, evidence: str) -> None:
        if key not in known_keys():
            return
        v = int(value) if value == value.to_integral_value() else float(value)
        self.metrics.append(Metric(key, v, load_vocabulary().unit(key), "table", evidence))


def _clip(text: str, n: int = 120) -> str:
    text = text.replace(EMPTY_CELL, " ")
    return text if len(text) <= n else text[: n - 1] + "…"


def _strip_blank_edges(pieces: list[Piece], n: int) -> list[Piece]:
    """Pipe rows often carry an empty cell before or after the table's columns."""
    while len(pieces) > n and pieces and pieces[-1].text is None:
        pieces = pieces[:-1]
    while len(pieces) > n and pieces and pieces[0].text is None:
        pieces = pieces[1:]
    return pieces


# ---------------------------------------------------------------------------------
# Table 三


@dataclass
class _Found:
    row: Row
    start: int  # label start (chars)
    sig_end: int


def _find_rows(stream: Stream, rows: tuple[Row, ...], start: int, end: int | None = None) -> list[_Found]:
    """The rows' labels as the table prints them: of every place each row's
    signatures occur between ``start`` and ``end``, the chain of rows in template
    order and text order that is longest, a label followed by values counting
    double (a label printed apart from its values, as PDF text puts a column of
    labels after the cells, yields to the rows whose values follow them)."""
    hits: list[tuple[int, int, int, int]] = []  # (row index, start, end, weight)
    for i, row in enumerate(rows):
        seen: set[int] = set()
        for w in row.signatures:
            j = stream.match.find(w, _bisect(stream.to_char, start))
            while j >= 0:
                s, e = stream.to_char[j], stream.to_char[j + len(w) - 1] + 1
                if end is not None and s >= end:
                    break
                if s not in seen:
                    seen.add(s)
                    hits.append((i, s, e, 2 if stream.values_follow(e) else 1))
                j = stream.match.find(w, j + 1)
    hits.sort()
    # best chain ending at each hit: (score, -sum of starts), predecessor
    best: list[tuple[tuple[int, int], int]] = []
    for k, (i, s, e, w) in enumerate(hits):
        score, prev = (w, -s), -1
        for m in range(k):
            pi, ps, pe, _ = hits[m]
            if pi < i and pe <= s:
                cand = (best[m][0][0] + w, best[m][0][1] - s)
                if cand > score:
                    score, prev = cand, m
        best.append((score, prev))
    if not best:
        return []
    k = max(range(len(best)), key=lambda x: best[x][0])
    chain: list[int] = []
    while k >= 0:
        chain.append(k)
        k = best[k][1]
    found: list[_Found] = []
    for k in reversed(chain):
        i, s, e, _ = hits[k]
        floor = found[-1].sig_end if found else start
        found.append(_Found(rows[i], stream.label_start(s, floor, rows[i].number), e))
    return found


_T3_HEADING = "收到和处理政府信息公开申请情况"
_T3_END_WORDS = ("行政复议", "存在的主要问题", "主要问题", "其他需要报告")


def _t3_attempt(stream: Stream, era: str, start: int) -> list[_Found]:
    stop = stream.find(_T3_END_WORDS, start)
    return _find_rows(stream, table3_rows(era), start, None if stop is None else stop[0])


def read_table3(stream: Stream, era: str, hints: dict[str, Decimal], out: _Out) -> set[str]:
    """Table 三 → metrics; returns the keys given."""
    starts = [max(0, s - 12) for s in stream.find_all("本年新收") or stream.find_all("新收政府信息公开申请")]
    # the table's heading too: pdftotext may print the first labels after their values
    headings = [h + len(_T3_HEADING) for h in stream.find_all(_T3_HEADING)]
    best: list[_Found] = []
    best_start = 0
    for s in starts + headings:
        attempt = _t3_attempt(stream, era, s)
        if len(attempt) > len(best):
            best, best_start = attempt, s
    rows = table3_rows(era)
    if len(best) < len(rows) // 2:
        return set()
    out.seen.add("三")
    # values standing before the first label found (its label printed after them)
    pre = _untranspose(stream.tokens(best_start, best[0].start), len(APPLICANT_COLUMNS)) \
        if best_start in headings else []
    # the end of the last row's values
    last = best[-1]
    stop = stream.find(_T3_END_WORDS, last.sig_end)
    end = len(stream.chars) if stop is None else stream.label_start(stop[0], last.sig_end, None)
    ncols = len(APPLICANT_COLUMNS)
    candidates: dict[str, list[tuple]] = {}
    segments, evidence = _segments(stream, best, end, ncols)
    # rows printed out of the template's order, each label with its own row of
    # values (OCR lines, rows cut out of stacked cells): read where they stand
    merged = _with_rows_out_of_order(stream, era, best, best_start, end, ncols)
    if merged is not None:
        best = merged
        segments, evidence = _segments(stream, best, end, ncols)
    by_row: dict[str, list[Piece]] = {f.row.key: p for f, p in zip(best, segments)}
    present = _labels_present(stream, era, best_start, end if stop is None else stream.line_start(stop[0], end))
    placed = None if merged is not None else _place_groups(best, segments, era, ncols, pre, present)
    if placed is None and merged is None:
        placed = _place_groups(best, segments, era, ncols, pre)
    if placed is None and merged is None:
        suspect = _shifted_rows(best, segments, ncols)
        if suspect:
            for key in suspect:
                by_row.pop(key, None)
            out.warnings.append(ParseWarning(
                "unplaced_row", f"table 三: {len(suspect)} row(s) whose values stand away from their labels "
                "and cannot be placed with certainty: no figures for them", {"rows": suspect}))
    if placed is not None:
        by_row = placed
        for key in placed:
            evidence.setdefault(key, "(values in the template's row order; label elsewhere in the text)")
        out.warnings.append(ParseWarning(
            "displaced_rows", "table 三: some rows' values do not stand right after their labels (labels broken "
            "over lines around the values, or printed apart from them); the rows were placed in the template's "
            "order by the one assignment that keeps the table's sums",
            {"table": "三"}))
    # A table most of whose rows wrote fewer tokens than columns glues cells (some
    # spaced, some not): its runs may be cut at any place the row sum allows.
    written = [p for p in by_row.values() if p]
    glued = bool(written) and sum(1 for p in written if len(p) < ncols) * 2 >= len(written)
    for row_key, pieces in by_row.items():
        if not pieces:
            continue  # a blank row (or a group heading): no figures
        cands, _ = splits(pieces, ncols, row_sum_check(len(APPLICANT_PARTS)), cut_spaced=glued)
        if not cands:
            out.warnings.append(ParseWarning(
                "unplaced_row", f"table 三: the values of {row_key} cannot be placed under the seven columns",
                {"row": row_key, "text": _clip(evidence[row_key], 200)}))
            continue
        candidates[row_key] = cands
    equations = _t3_equations(era, candidates, hints)
    solution = solve(candidates, equations)
    given: set[str] = set()
    for (row_key, col), value in solution.values.items():
        if value is None:
            continue
        app = APPLICANT_COLUMNS[col]
        key = f"{row_key}.{app[0]}"
        out.add(key, value, f"表三 / {_clip(evidence[row_key], 60)} | {app[1]}")
        given.add(key)
    if solution.doubtful:
        cells = sorted(f"{r}.{APPLICANT_COLUMNS[c][0]}" for r, c in solution.doubtful)
        out.warnings.append(ParseWarning(
            "ambiguous_cells",
            f"table 三: {len(cells)} glued cell(s) that more than one reading of the table fits; no figure for them",
            {"table": "三", "cells": cells, "searched": solution.combinations, "too_many": solution.too_many}))
    return given


def _drop_empty_columns(segments: list[list[Piece]], n: int) -> list[list[Piece]]:
    """Pipe rows written from a table with spanned cells carry empty cells that are
    no column (``| 64 | 0 |  | 0 | 2 |``): where most rows have the same ``L > n``
    cells and exactly ``L - n`` positions are empty in every one of them, those
    positions are dropped. Anything less certain is left alone."""
    lengths = [len(p) for p in segments if len(p) > n]
    if len(lengths) < 3:
        return segments
    width = max(set(lengths), key=lengths.count)
    rows = [p for p in segments if len(p) == width]
    if len(rows) < 3:
        return segments
    empty = [c for c in range(width) if all(r[c].text is None for r in rows)]
    if len(empty) != width - n:
        return segments
    drop = set(empty)
    return [[x for c, x in enumerate(p) if c not in drop] if len(p) == width else p for p in segments]


def _sums_hold(rows: dict[str, tuple], era: str, n: int) -> bool:
    """Every column equation of table 三 whose rows are all there holds."""
    for col in range(n):
        for left, right in table3_equations(era, set(rows)):
            if not all(k in rows for k in left + right):
                continue
            cells = [rows[k][col] for k in left + right]
            if any(v is None for v in cells):
                continue
            if sum(rows[k][col] for k in left) != sum(rows[k][col] for k in right):
                return False
    return True


def _groups(pieces: list[Piece], n: int) -> list[list[Piece]] | None:
    """A segment cut into rows of ``n`` spaced values, or None when it is not that."""
    if not pieces or len(pieces) % n or any(not p.spaced for p in pieces):
        return None
    return [pieces[k : k + n] for k in range(0, len(pieces), n)]


def _rows_add_up(rows: list[list[Piece]], parts: int) -> bool:
    for row in rows:
        values = [number(p.text) if p.text is not None else None for p in row]
        if any(v is None for v in values) or sum(values[:parts]) != values[parts]:
            return False
    return True


def _untranspose(pieces: list[Piece], n: int) -> list[Piece]:
    """Plain pdftotext writes a block of ``k`` table rows column by column: ``n``
    paragraphs of ``k`` values each (the 自然人 cells of the rows, then the 商业企业
    cells …). Such a run of paragraphs is given back in row order when every row it
    makes adds up (six columns to 总计) -- and, for ``k == n``, when the paragraphs
    read as rows do not."""
    paragraphs: list[list[Piece]] = []
    for p in pieces:
        if not paragraphs or p.breaks >= 2:
            paragraphs.append([])
        paragraphs[-1].append(p)
    out: list[Piece] = []
    i = 0
    while i < len(paragraphs):
        run = paragraphs[i : i + n]
        k = len(run[0])
        if len(run) == n and k >= 2 and all(len(r) == k for r in run):
            rows = [[run[c][r] for c in range(n)] for r in range(k)]
            as_rows = [pp for pp in run] if k == n else None
            if _rows_add_up(rows, n - 1) and not (as_rows and _rows_add_up(as_rows, n - 1)):
                out.extend(Piece(x.text, True, 2 if j == 0 else 1) for row in rows for j, x in enumerate(row))
                i += n
                continue
        out.extend(paragraphs[i])
        i += 1
    return out


MAX_PLACEMENTS = 20000


def _shifted_rows(found: list[_Found], segments: list[list[Piece]], n: int) -> list[str]:
    """When a label is followed by more than one row of values and no placement is
    certain, the rows from there on until a label without values has taken up the
    surplus: any of their values may belong to the next label."""
    out: list[str] = []
    surplus = 0
    order = {r.key: i for i, r in enumerate(TABLE3_ROWS)}
    for k, (f, pieces) in enumerate(zip(found, segments)):
        groups = len(pieces) // n if pieces and len(pieces) % n == 0 else (1 if pieces else 0)
        if surplus > 0 or groups > 1:
            out.append(f.row.key)
        surplus = max(0, surplus + groups - 1)
        if k + 1 < len(found):  # template rows with no label here take up the surplus
            between = order[found[k + 1].row.key] - order[f.row.key] - 1
            surplus = max(0, surplus - between)
    return out


def _segments(stream: Stream, found: list[_Found], end: int, ncols: int) -> tuple[list[list[Piece]], dict[str, str]]:
    """Each found label's values: the pieces from its label to the next one (in
    text order), and the text they stand in (the evidence)."""
    segments: list[list[Piece]] = []
    evidence: dict[str, str] = {}
    for i, f in enumerate(found):
        seg_end = found[i + 1].start if i + 1 < len(found) else end
        pieces = _strip_blank_edges(_untranspose(stream.tokens(f.sig_end, seg_end), ncols), ncols)
        evidence[f.row.key] = stream.chars[f.start:seg_end].replace(EMPTY_CELL, " ")
        if 0 < len(pieces) < ncols:
            pieces = line_cells(stream, f.sig_end, seg_end, ncols) or pieces
        segments.append(pieces)
    return _drop_empty_columns(segments, ncols), evidence


def _with_rows_out_of_order(stream: Stream, era: str, found: list[_Found], start: int, end: int,
                            ncols: int) -> list[_Found] | None:
    """The found rows plus the rows whose labels stand out of the template's order,
    in text order -- but only when then every label is followed by one row of
    values at most (no value left to place elsewhere) and each added label by one
    whole row of its own."""
    rows = table3_rows(era)
    have = {f.row.key for f in found}
    extra: list[_Found] = []
    taken = {f.start for f in found}
    for i, row in enumerate(rows):
        if row.key in have:
            continue
        hit = stream.find(row.signatures, start, end)
        while hit is not None:
            if stream.values_follow(hit[1]):
                floor = max([f.sig_end for f in found + extra if f.sig_end <= hit[0]], default=start)
                extra.append(_Found(row, stream.label_start(hit[0], floor, row.number), hit[1]))
                break
            hit = stream.find(row.signatures, hit[1], end)
    if not extra or any(f.start in taken for f in extra):
        return None
    merged = sorted(found + extra, key=lambda f: f.start)
    segments, _ = _segments(stream, merged, end, ncols)
    keys = {f.row.key for f in extra}
    for f, pieces in zip(merged, segments):
        if len(pieces) > ncols or (f.row.key in keys and len(pieces) != ncols):
            return None
    return merged


def _labels_present(stream: Stream, era: str, start: int, end: int) -> set[str]:
    """The rows of table 三 whose label stands anywhere between ``start`` and
    ``end`` (in order or not). A 2021 （六）其他处理 printed without its three rows is
    a row of its own; printed with them, a heading."""
    rows = table3_rows(era)
    present = {r.key for r in rows if stream.find(r.signatures, start, end) is not None}
    if era == "2021-template" and present & set(group_rows("other", era)):
        present.discard("outcome.other")
    return present


def _place_groups(found: list[_Found], segments: list[list[Piece]], era: str, n: int,
                  pre: list[Piece] | None = None,
                  present: set[str] | None = None) -> dict[str, list[Piece]] | None:
    """Rows whose values do not stand right after their own label. PDF text puts a
    row's values on the line in the middle of its label's lines (one label then
    two rows of values, the next label none), and plain pdftotext prints some
    labels apart from their values (two rows of values after 二、上年结转 and no
    （一）/（二） label there). The template fixes the rows' order, so each group of
    ``n`` values belongs to a row between the label before it and the label after
    it (that one included), each row has one group at most, and the order is kept.
    When the plain reading (each label its own values) breaks that, every such
    assignment is tried; the one that keeps every sum of the table is taken, and
    None is returned when there is not exactly one."""
    groups = [_groups(p, n) if p else [] for p in segments]
    pre_groups = (_groups(pre, n) if pre else []) or []
    if any(g is None for g in groups) or (all(len(g) <= 1 for g in groups) and not pre_groups):
        return None  # a segment that is not whole rows (glued, blanks), or nothing to move: no guessing
    rows = list(table3_rows(era))
    index = {r.key: i for i, r in enumerate(rows)}
    found_keys = {f.row.key for f in found}
    if present is not None:
        # only rows whose label the table prints somewhere (pdftotext prints some
        # labels apart from their values, but it prints them)
        slots = [i for i, r in enumerate(rows) if r.key in present or r.key in found_keys]
    else:
        # a 2021 （六）其他处理 is a heading over three rows: no slot of its own unless written with values
        slots = [i for i, r in enumerate(rows)
                 if r.key in found_keys or not (era == "2021-template" and r.key == "outcome.other")]
    items: list[tuple[int, int, list[Piece]]] = []
    if pre_groups:  # before the first label: rows up to the first label that has values
        first = next((g for g, gg in zip(found, groups) if gg), None)
        items.extend((0, index[first.row.key] if first else len(rows) - 1, g) for g in pre_groups)
    floor = 0  # just after the last label that has values of its own
    for k, (f, gs) in enumerate(zip(found, groups)):
        # values may also belong to rows before this label whose labels stand
        # elsewhere, back to the last label that has values, and to rows after it
        # up to the next label that has values of its own
        lo = floor if gs else index[f.row.key]
        ahead = next((g for g, gg in zip(found[k + 1:], groups[k + 1:]) if gg), None)
        hi = index[ahead.row.key] if ahead is not None else len(rows) - 1
        items.extend((lo, hi, g) for g in gs)
        if gs:
            floor = index[f.row.key] + 1
    # each group's cells, read once (not once per assignment tried)
    readings = [(lambda c: c[0] if c else None)(splits(g, n)[0]) for _, _, g in items]
    results: dict[tuple, dict[str, list[Piece]]] = {}
    tried = 0

    def walk(t: int, prev: int, acc: list[int]) -> bool:
        nonlocal tried
        if t == len(items):
            tried += 1
            assignment = {rows[r].key: items[j][2] for j, r in enumerate(acc)}
            values = {rows[r].key: readings[j] for j, r in enumerate(acc) if readings[j] is not None}
            if _sums_hold(values, era, n):
                # a label that has values of its own beats one found elsewhere in the text
                on_labels = sum(1 for k in assignment if k in found_keys)
                results[tuple(sorted((k, v) for k, v in values.items()))] = (on_labels, assignment)
            return tried < MAX_PLACEMENTS
        lo, hi, _ = items[t]
        left = len(items) - t - 1
        for r in slots:
            if r <= prev or r < lo:
                continue
            if r > hi or sum(1 for x in slots if x > r) < left:
                break
            acc.append(r)
            go_on = walk(t + 1, r, acc)
            acc.pop()
            if not go_on:
                return False
        return True

    if not walk(0, -1, []) or not results:
        return None  # too many to try, or none keeps the sums
    best = max(score for score, _ in results.values())
    winners = [a for score, a in results.values() if score == best]
    if len(winners) == 1:
        return winners[0]
    # Several placements keep every sum (rows of zeros can trade places): the rows
    # every one of them reads alike are certain, the others are left out.
    agreed = {key: pieces for key, pieces in winners[0].items()
              if all(key in w and [p.text for p in w[key]] == [p.text for p in pieces] for w in winners[1:])}
    return agreed or None


def _t3_equations(era: str, candidates: dict, hints: dict[str, Decimal]) -> list[Equation]:
    eqs: list[Equation] = []
    for col in range(len(APPLICANT_COLUMNS)):
        for left, right in table3_equations(era, set(candidates)):
            eqs.append(Equation(tuple((k, col) for k in left if k in candidates),
                                tuple((k, col) for k in right if k in candidates)))
    # figures the prose states: a row's cell, or a group's sum
    for key, value in hints.items():
        base, _, app = key.rpartition(".")
        cols = [i for i, (k, _) in enumerate(APPLICANT_COLUMNS) if k == app]
        if not cols:
            continue
        col = cols[0]
        if base in candidates:
            eqs.append(Equation(((base, col),), (), value, weight=1))
            continue
        group = next((g for g, k in OUTCOME_GROUPS.items() if k == base), None)
        if group:
            members = tuple((r.key, col) for r in table3_rows(era) if r.group == group and r.key in candidates)
            if members:
                eqs.append(Equation(members, (), value, weight=1))
    return eqs


# ---------------------------------------------------------------------------------
# Table 四


def _value_runs(stream: Stream, start: int, end: int) -> int:
    """How many runs of values, words between them, stand between ``start`` and ``end``."""
    runs, in_run = 0, False
    for ch in stream.chars[start:end]:
        if _HAN.match(ch) and ch != "无":
            in_run = False
        elif ch in _DIGITS and not in_run:
            runs, in_run = runs + 1, True
    return runs


def read_table4(stream: Stream, hints: dict[str, Decimal], out: _Out) -> set[str]:
    heads = stream.find_all("行政复议行政诉讼") or []
    # the table's head is followed by its header words (the prose names the two too)
    table_heads = [h for h in heads if any(w in stream.match[_bisect(stream.to_char, h): _bisect(stream.to_char, h) + 80]
                                           for w in ("结果维持", "尚未审结", "复议后起诉", "直接起诉"))]
    if not heads:
        return set()
    start = (table_heads or heads)[-1]
    stop = stream.find(("存在的主要问题", "主要问题及改进", "五、", "其他需要报告"), start + 8)
    end = len(stream.chars) if stop is None else stop[0]
    # values come after the last header word
    last_header = start
    for w in TABLE4_HEADER_WORDS:
        for pos in stream.find_all(w):
            if start <= pos < end:
                last_header = max(last_header, pos + len(w))
    check = groups_sum_check(len(TABLE4_RESULTS), len(TABLE4_RESULTS) - 1)
    pieces = _strip_blank_edges(stream.tokens(last_header, end), len(TABLE4_KEYS))
    cands = splits(pieces, len(TABLE4_KEYS), check, cut_spaced=True)[0] if pieces else []
    if not cands:
        # a table 四 written as three small tables, each under its own header, or
        # a header word printed among the values (pdftotext puts the last 总计
        # before its cell): every value after the head, in order, when they are
        # exactly the fifteen cells and their sums hold
        pieces = _strip_blank_edges(stream.tokens(start, end), len(TABLE4_KEYS))
        cands = splits(pieces, len(TABLE4_KEYS), check)[0] if len(pieces) == len(TABLE4_KEYS) else []
        if _value_runs(stream, start, end) > 2:
            # cells scattered among header words may be out of order: the sums must say they are not
            cands = [c for c in cands if check(c)]
    if not pieces:
        return set()
    if not cands:
        out.warnings.append(ParseWarning(
            "unplaced_row", "table 四: its values cannot be placed under the fifteen columns",
            {"row": "table 四", "text": _clip(stream.chars[last_header:end], 200)}))
        return set()
    eqs = []
    idx = {k: i for i, k in enumerate(TABLE4_KEYS)}
    for key, value in hints.items():
        if key in idx:
            eqs.append(Equation((("四", idx[key]),), (), value))
        elif key == "litigation.total":
            eqs.append(Equation((("四", idx["litigation.direct.total"]), ("四", idx["litigation.after_review.total"])),
                                (), value))
    solution = solve({"四": cands}, eqs)
    text = _clip(stream.chars[last_header:end], 60)
    given = set()
    labels = {f"{g}.{r}": f"{gl} / {rl}" for g, gl in TABLE4_GROUPS for r, rl in TABLE4_RESULTS}
    for (_, col), value in solution.values.items():
        if value is None:
            continue
        key = TABLE4_KEYS[col]
        out.add(key, value, f"表四 / {labels[key]} | {text}")
        given.add(key)
    if solution.doubtful:
        out.warnings.append(ParseWarning(
            "ambiguous_cells", f"table 四: {len(solution.doubtful)} glued cell(s) more than one reading fits; no figure",
            {"table": "四", "cells": sorted(TABLE4_KEYS[c] for _, c in solution.doubtful)}))
    return given


# ---------------------------------------------------------------------------------
# Table 二

_T2_END_WORDS = ("收到和处理政府信息公开申请", "本年新收")
_T2_STOP_WORDS = ("第二十条", "信息内容")


def read_table2(stream: Stream, era: str, hints: dict[str, Decimal], out: _Out) -> set[str]:
    rows = TABLE2_ROWS.get(era)
    if not rows:
        return set()
    heads = [p for p in stream.find_all("第二十条")]
    if not heads:
        return set()
    start = heads[0]
    stop = stream.find(_T2_END_WORDS, start)
    end = len(stream.chars) if stop is None else stop[0]
    given: set[str] = set()
    # Each category is found on its own (converters reorder table 二's parts); a
    # signature that is part of a longer one's match (规范性文件 in 行政规范性文件) does not count.
    found: list[tuple] = []
    taken: list[tuple[int, int]] = []
    for row in sorted(rows, key=lambda r: -max(len(x) for x in r.signatures)):
        for sig in sorted(row.signatures, key=len, reverse=True):
            hits = [(p, p + len(sig)) for p in stream.find_all(sig) if start <= p < end]
            hits = [h for h in hits if not any(a <= h[0] < b for a, b in taken)]
            with_values = [h for h in hits if stream.tokens(h[1], min(end, h[1] + 40))]
            if with_values or hits:
                hit = (with_values or hits)[0]
                hit = (hit[0], stream.find((sig,), hit[0])[1])
                found.append((row, hit))
                taken.append(hit)
                break
    found.sort(key=lambda x: x[1][0])
    bounds = sorted(h[0] for _, h in found)
    for row, hit in found:
        seg_end = next((b for b in bounds if b > hit[0]), end)
        stop_word = stream.find(_T2_STOP_WORDS, hit[1], seg_end)
        if stop_word is not None:
            seg_end = stop_word[0]
        # the label may end in a unit note: 行政事业性收费 (单位：万元) ...
        pieces = _strip_blank_edges(stream.tokens(hit[1], seg_end), len(row.columns))
        if not pieces:
            continue
        written = [p for p in pieces if p.text is not None]
        if len(pieces) > len(row.columns) and len(written) == len(row.columns):
            # a header cell spanning two columns leaves an empty cell in the row:
            # as many values as columns, read in order (as the grid reader does)
            out.warnings.append(ParseWarning(
                "realigned_row", f"table 二: {row.category}: {len(pieces)} cells for {len(row.columns)} columns, "
                "the empty ones from spanned header cells; its values read in the columns' order",
                {"row": row.category}))
            pieces = written
        cands, _ = splits(pieces, len(row.columns), None)
        keyed = [f"proactive.{row.category}.{c}" for c in row.columns]
        if len(cands) > 1:
            eqs = [Equation((("r", i),), (), hints[k]) for i, k in enumerate(keyed) if k in hints]
            solution = solve({"r": cands}, eqs)
        elif cands:
            solution = solve({"r": cands}, [])
        else:
            out.warnings.append(ParseWarning(
                "unplaced_row", f"table 二: the values of {row.category} cannot be placed under its columns",
                {"row": row.category, "text": _clip(stream.chars[hit[0]:seg_end], 200)}))
            continue
        text = _clip(stream.chars[hit[0]:seg_end], 60)
        for (_, col), value in solution.values.items():
            if value is None:
                continue
            column = row.columns[col]
            if column in row.money:
                factor = _money_factor(stream.chars[start:seg_end], era)
                if factor is None:
                    continue
                value = value * factor
            elif value < 0 and column not in SIGNED_COLUMNS:
                continue
            key = keyed[col]
            out.add(key, value, f"表二 / {text}")
            given.add(key)
        if solution.doubtful:
            out.warnings.append(ParseWarning(
                "ambiguous_cells", f"table 二: {row.category}: glued cells more than one reading fits; no figure",
                {"table": "二", "cells": sorted(keyed[c] for _, c in solution.doubtful)}))
    return given


def _money_factor(header_text: str, era: str) -> Decimal | None:
    """The unit of table 二's amounts: the header's (单位：万元) / (元)."""
    tail = header_text[-200:]
    if "万元" in tail:
        return Decimal(10000)
    if "元" in tail:
        return Decimal(1)
    return None


# ---------------------------------------------------------------------------------
# Entry points


def read_template_stream(text: str, era: str, hints: dict[str, int | float] | None = None,
                         skip: set[str] = frozenset()) -> tuple[list[Metric], list[ParseWarning], set[str]]:
    """Template tables 二, 三 and 四 read from ``text`` (any text layout).

    ``hints``: figures the prose states (key → value), used only to decide
    between readings of glued cells. ``skip``: tables already read from a grid
    (``"二"``, ``"三"``, ``"四"``). Returns the metrics, the warnings and the
    tables whose rows the text holds, read or not (``{"三"}``).
    """
    out = _Out()
    if era not in ("2019-template", "2021-template") or not text:
        return [], [], set()
    if "三" not in skip:
        text, stacked = unstack_rows(text, era)
        out.warnings.extend(stacked)
    stream = Stream.of(text)
    h = {k: Decimal(str(v)) for k, v in (hints or {}).items()}
    if "三" not in skip:
        read_table3(stream, era, h, out)
    if "四" not in skip:
        read_table4(stream, h, out)
    if "二" not in skip:
        read_table2(stream, era, h, out)
    return out.metrics, out.warnings, out.seen


# ---------------------------------------------------------------------------------
# Legacy 统计表

_LEGACY_START = ("统计表", "指标名称")
_CUMULATIVE = ("历年累计", "累计")


_LEGACY_UNIT_RE = "|".join(sorted(LEGACY_UNITS, key=len, reverse=True))
# A row of a 统计表 as the text runs it together: its label, its unit, then a value.
_LEGACY_ROW = re.compile(
    "[\u4e00-\u9fff“”‘’、，,()（）]{2,40}?(?:" + _LEGACY_UNIT_RE + ")(?=[0-9\x00—\\-/无])")
LEGACY_MONEY = ("fees.collected", "budget.special_funds")
_LEGACY_SIGNATURES = sorted(((sig, key) for key, sigs in LEGACY_ROWS for sig in sigs), key=lambda x: -len(x[0]))


def _legacy_key(label: str) -> str | None:
    folded = fold_for_match(label)
    return next((key for sig, key in _LEGACY_SIGNATURES if fold_for_match(sig) in folded), None)


def _legacy_rows(stream: Stream, header_end: int) -> list[tuple[int, int, str | None]]:
    """The rows of a legacy 统计表 after its header: (label start, label end, key or
    None for a row the vocabulary has no key for). Rows are found by their shape
    (a label, then a unit word, then a value) and by the known wordings."""
    hits: list[tuple[int, int, str | None]] = []
    for m in _LEGACY_ROW.finditer(stream.chars, header_end):
        label = m.group(0)
        unit = next(u for u in sorted(LEGACY_UNITS, key=len, reverse=True) if label.endswith(u))
        hits.append((m.start(), m.end() - len(unit), _legacy_key(label[: -len(unit)])))
    taken = [(a, b) for a, b, _ in hits]
    for sig, key in _LEGACY_SIGNATURES:
        for pos in stream.find_all(fold_for_match(sig)):
            if pos < header_end:
                continue
            end = stream.find((fold_for_match(sig),), pos)[1]
            if any(not (end <= a or pos >= b) for a, b in taken):
                continue
            taken.append((pos, end))
            hits.append((pos, end, key))
    hits.sort()
    return hits


def _legacy_numbering(stream: Stream, hits: list[tuple[int, int, str]]) -> list[str | None]:
    """The numbering each legacy row label should carry (``其中：1、…`` then ``2、…``):
    a number standing on its own is read; one glued to the previous row's
    values is expected to follow the previous row's number."""
    out: list[str | None] = []
    prev: int | None = None
    for pos, _, _ in hits:
        i = pos
        while i > 0 and stream.chars[i - 1] not in _DIGITS and pos - i < 12:
            i -= 1
        n: int | None = None
        if 0 < i < len(stream.chars) and stream.chars[i] in "、.．" and stream.chars[i - 1] in _DIGITS:
            j = i - 1
            while j > 0 and stream.chars[j - 1] in _DIGITS and not stream.seps[j]:
                j -= 1
            run = stream.chars[j:i]
            if (j == 0 or stream.seps[j] or stream.chars[j - 1] not in _DIGITS) and len(run) <= 2:
                n = int(run)
            elif prev is not None and run.endswith(str(prev + 1)):
                n = prev + 1
        out.append(str(n) if n is not None else None)
        prev = n
    out.append(None)
    return out


def legacy_table_in_text(text: str) -> list[str]:
    """The legacy 统计表 row labels the text has after a 指标名称 header (at least
    three), or [] -- the evidence that a report is ``legacy-table``."""
    if "指标名称" not in text and "指 标 名 称" not in text:
        return []
    stream = Stream.of(text)
    starts = stream.find_all("指标名称")
    if not starts:
        return []
    tail = stream.match[_bisect(stream.to_char, starts[-1]):]
    found = [sigs[0] for _, sigs in LEGACY_ROWS if any(sig in tail for sig in sigs)]
    return found if len(found) >= 3 else []


def read_legacy_stream(text: str, hints: dict[str, int | float] | None = None) -> tuple[list[Metric], list[ParseWarning]]:
    """The legacy statistics 统计表 from text: rows in any order, each a label, a
    unit word, the year's value and perhaps the 历年累计 one."""
    out = _Out()
    stream = Stream.of(text)
    starts = stream.find_all("指标名称")
    if not starts:
        return [], []
    start = starts[-1]
    header_end = start + 4
    ncols = 1
    window = stream.match[_bisect(stream.to_char, start): _bisect(stream.to_char, start) + 40]
    if any(w in window for w in _CUMULATIVE):
        ncols = 2
        # the header's own 累计 (the first after 指标名称), not one the prose says later
        cumulative = [c for c in stream.find_all("累计") if c > start]
        header_end = max(cumulative[0] + 2, header_end) if cumulative else header_end
    hits = _legacy_rows(stream, header_end)
    if sum(1 for _, _, key in hits if key) < 3:
        return [], []
    h = {k: Decimal(str(v)) for k, v in (hints or {}).items()}
    candidates: dict[str, list[tuple]] = {}
    spans: dict[str, tuple[int, int]] = {}
    numbers = _legacy_numbering(stream, hits)
    for i, (pos, end, key) in enumerate(hits):
        if key is None or key in candidates:
            continue
        floor = end
        seg_end = stream.label_start(hits[i + 1][0], floor, numbers[i + 1]) if i + 1 < len(hits) \
            else min(len(stream.chars), end + 40)
        j = end
        # the unit word
        seg = stream.chars[j:seg_end]
        for u in LEGACY_UNITS:
            k = seg.find(u)
            if 0 <= k <= 2:
                j += k + len(u)
                break
        pieces = stream.tokens(j, seg_end)
        if key in LEGACY_MONEY and "万元" in stream.chars[pos:j]:
            pieces = [Piece(str(Decimal(p.text) * 10000), p.spaced) if p.text and number(p.text) is not None
                      else p for p in pieces]
        if not pieces:
            continue
        if i + 1 >= len(hits):
            pieces = pieces[:ncols] if len(pieces) >= ncols and all(p.text for p in pieces[:ncols]) else pieces
        check = (lambda r: r[0] is not None and r[1] is not None and r[1] >= r[0]) if ncols == 2 else None
        cands, _ = splits(pieces, ncols, check)
        if not cands:
            continue
        candidates[key] = cands
        spans[key] = (pos, seg_end)
    eqs: list[Equation] = []
    for left, right in LEGACY_EQUATIONS:
        l = tuple((k, 0) for k in left if k in candidates)
        r = tuple((k, 0) for k in right if k in candidates)
        if l and r:
            eqs.append(Equation(l, r))
    for key, value in h.items():
        if key in candidates:
            eqs.append(Equation(((key, 0),), (), value))
    solution = solve(candidates, eqs)
    for (key, col), value in solution.values.items():
        if value is None:
            continue
        text = _clip(stream.chars[spans[key][0]:spans[key][1]], 60)
        if col == 0:
            out.add(key, value, f"统计表 / {text}")
        elif key == "proactive.total":
            out.add("proactive.cumulative", value, f"统计表 / {text} | 历年累计")
    if solution.doubtful:
        out.warnings.append(ParseWarning(
            "ambiguous_cells", f"统计表: {len(solution.doubtful)} glued cell(s) more than one reading fits; no figure",
            {"table": "统计表", "cells": sorted(f"{k}[{c}]" for k, c in solution.doubtful)}))
    return out.metrics, out.warnings
