"""The plain-text report of ``xxgk eval``: an evaluation (``parse/evaluation.py``)
laid out as tables in terminal columns."""

from __future__ import annotations

import re
from typing import Any

from parse.evaluation import METADATA_FIELDS, Evaluation, Stats
from xxgk.display import table as _table


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _frac(a: int, b: int) -> str:
    return "-" if not b else f"{a / b:.3f} ({a}/{b})"


def _num(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and v == int(v):
        v = int(v)
    return str(v)


def _fig(value: Any, approx: bool | None) -> str:
    return _num(value) + ("~" if approx else "")


def _clip(text: str | None, n: int = 70) -> str:
    if not text:
        return ""
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _summary_rows(ev: Evaluation, groups: list[tuple[str, Stats]]) -> list[list[str]]:
    rows = []
    for label, s in groups:
        rows.append([
            label, str(s.documents), str(s.unreadable), str(s.gold), _pct(s.recall), str(s.wrong_values),
            str(s.missing), str(s.extras), _frac(s.tag_right["table"], s.tag_gold["table"]),
            _frac(s.tag_right["prose"], s.tag_gold["prose"]),
            _frac(sum(s.meta_right.values()), sum(s.meta_total.values())),
        ])
    return rows


_SUMMARY_HEADERS = ["", "docs", "unreadable", "gold figures", "recall", "wrong values", "missing", "extras",
                    "table recall", "prose recall", "metadata"]


def format_report(ev: Evaluation, *, list_missing: bool = True) -> str:
    """The plain-text report: summary per era and overall, by document form,
    metadata accuracy per field, then every wrong value, extra, metadata error,
    missing figure and unreadable document."""
    overall = ev.stats()
    out = [f"Gold-set evaluation of {ev.folder}: {overall.documents} documents, {overall.gold} gold figures "
           f"({overall.tag_gold['table']} table, {overall.tag_gold['prose']} prose)", ""]
    real, generated = ev.real(), ev.generated()

    def section(title: str, part: Evaluation, by: str, label: str) -> None:
        keys = part.layouts() if by == "layout" else part.eras()
        groups = [(k, part.stats(**{by: k})) for k in keys] + [(label, part.stats())]
        out.append(title)
        out.extend(_table(_SUMMARY_HEADERS, _summary_rows(part, groups), right=set(range(1, 11))))
        out.append("")

    if real.documents:
        rs = real.stats()
        out.append(f"REAL documents: {rs.documents} documents of {real.reports()} reports, {rs.gold} gold figures "
                   f"(the accuracy that counts)")
        section("By layout", real, "layout", "real overall")
        section("By era", real, "era", "real overall")
    if generated.documents:
        gs = generated.stats()
        out.append(f"GENERATED documents (test data: format coverage, not accuracy): {gs.documents} documents, "
                   f"{gs.gold} gold figures")
        section("By era", generated, "era", "generated overall")
    section("All documents, by era", ev, "era", "overall")
    out.append("By document form")
    groups = [(f, ev.stats(form=f)) for f in ev.forms()] + [("overall", overall)]
    out += _table(_SUMMARY_HEADERS, _summary_rows(ev, groups), right=set(range(1, 11)))
    out.append("")
    out.append("Metadata accuracy")
    rows = [[name, _frac(overall.meta_right.get(name, 0), overall.meta_total[name])]
            for name in METADATA_FIELDS if overall.meta_total.get(name)]
    out += _table(["field", "right"], rows)
    out.append("")
    out.append(f"Derived sums (figures the vocabulary defines as sums of gold figures): "
               f"{overall.derived_right + overall.derived_wrong} checked, {overall.derived_right} right, "
               f"{overall.derived_wrong} wrong")
    out.append("")

    wrong_rows = []
    for d in ev.documents:
        for f in d.wrong():
            wrong_rows.append([d.name, f.key, f.tag, _fig(f.expected, f.expected_approximate),
                               _fig(f.got, f.got_approximate), _clip(f.evidence)])
        for x in d.derived:
            if not x.right:
                wrong_rows.append([d.name, x.key, "derived", _fig(x.expected, x.expected_approximate),
                                   _fig(x.got, x.got_approximate), _clip(x.evidence)])
    out.append(f"Wrong values ({len(wrong_rows)})  [~ = approximate]")
    if wrong_rows:
        out += _table(["document", "key", "tag", "expected", "got", "evidence"], wrong_rows)
    out.append("")

    extra_rows = [[d.name, x.key, _fig(x.got, x.approximate), x.source, _clip(x.evidence)]
                  for d in ev.documents for x in d.extras]
    out.append(f"Extras: figures the gold does not have ({len(extra_rows)})")
    if extra_rows:
        out += _table(["document", "key", "got", "source", "evidence"], extra_rows)
    out.append("")

    meta_rows = [[d.name, m.field, _num(m.expected), _num(m.got)]
                 for d in ev.documents if d.unreadable is None for m in d.metadata if not m.right]
    out.append(f"Metadata errors ({len(meta_rows)})")
    if meta_rows:
        out += _table(["document", "field", "expected", "got"], meta_rows)
    out.append("")

    readable = [d for d in ev.documents if d.unreadable is None]
    per_doc = [[d.name, d.era, str(sum(f.tag == "table" for f in d.missing())),
                str(sum(f.tag == "prose" for f in d.missing())), str(len(d.figures))]
               for d in readable if d.missing()]
    n_missing = sum(len(d.missing()) for d in readable)
    out.append(f"Missing figures of readable documents ({n_missing}), by document")
    if per_doc:
        out += _table(["document", "era", "table", "prose", "of gold"], per_doc, right={2, 3, 4})
    out.append("")
    if list_missing and n_missing:
        miss_rows = [[d.name, f.key, f.tag, _fig(f.expected, f.expected_approximate)]
                     for d in readable for f in d.missing()]
        out.append(f"Missing figures ({n_missing})")
        out += _table(["document", "key", "tag", "expected"], miss_rows)
        out.append("")

    unreadable = [d for d in ev.documents if d.unreadable is not None]
    out.append(f"Unreadable documents ({len(unreadable)}): all their figures counted missing")
    for d in unreadable:
        out.append(f"  {d.name} [{d.era}, {len(d.figures)} gold figures]: {d.unreadable}")
    return "\n".join(out).rstrip() + "\n"
