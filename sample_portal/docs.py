"""Generate the README's tables of reports and of intended figures from the
manifest, so the README cannot drift from what the portal serves.

    python -m sample_portal.docs          # print the generated sections
    python -m sample_portal.docs --write  # rewrite them in README.md

The generated text sits between ``<!-- BEGIN name -->`` / ``<!-- END name -->``
markers; ``tests/test_sample_portal.py`` checks it is up to date.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from . import national
from .manifest import Manifest, Report, load_manifest

README = Path(__file__).resolve().parent / "README.md"


def _v(c: national.Cell) -> str:
    """A cell for the README: intended value, plus the printed form when it differs."""
    if c.value is None:
        return f"`{c.show}` → none" if c.show.strip() else "(blank) → none"
    if c.show == str(c.value):
        return c.show
    return f"`{c.show}` → {c.value}"


def reports_table(m: Manifest) -> str:
    lines = ["| # | path | title | year | agency | encoding (declared) | test data | list page | href in list |",
             "|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(sorted(m.reports, key=lambda r: r.published_at), 1):
        enc = r.encoding + (f" ({r.charset}" + ("" if r.header_charset else ", no header charset") + ")")
        lines.append(f"| {i} | `{r.path}` | {r.title} | {r.year} | {r.agency} | {enc} | "
                     f"{'yes' if r.test_data else 'no (real seed)'} | {r.list_page} | {r.href_style} |")
    return "\n".join(lines)


def distractors_table(m: Manifest) -> str:
    lines = ["| path | title | status | list page | href in list |", "|---|---|---|---|---|"]
    for d in m.distractors:
        href = d.href if d.href_style == "explicit" else d.href_style
        lines.append(f"| `{d.path}` | {d.title} | {d.status} | {d.list_page} | `{href}` |")
    return "\n".join(lines)


def seeds_table(m: Manifest) -> str:
    lines = ["| seed | agency | year | published (portal) | stated in the text? |", "|---|---|---|---|---|"]
    for r in m.seed_reports:
        stated = "yes" if r.published_stated else "no: portal test metadata"
        lines.append(f"| `{r.source}` | {r.agency} | {r.year} | {r.published} | {stated} |")
    return "\n".join(lines)


def _report_figures(r: Report) -> str:
    d = r.data
    t = r.template
    out = [f"#### {r.title}", "",
           f"`{r.path}` — {r.agency}, {r.year}, template `{t}`, {r.encoding} "
           f"(declared `{r.charset}`), source `{r.source}`", ""]
    if r.deliberate_inconsistency:
        out += [f"**Deliberate inconsistency:** {r.deliberate_inconsistency}", ""]
    if r.prose:
        out.append("Figures in the prose: " + "; ".join(
            f"“{p['text']}” = {p['value']} {p['unit']}" for p in r.prose))
        out.append("")
    tables = d["tables"]
    if t == "legacy":
        out += ["附表 (指标名称 | 单位 | 数量):", "", "| 指标名称 | 单位 | 数量 |", "|---|---|---|"]
        for row in national.legacy_rows(tables["legacy"]):
            out.append(f"| {row['label']} | {row['unit']} | {'' if row['heading'] else _v(row['cell'])} |")
        return "\n".join(out)
    # table 二
    t2 = national.table2_cells(t, tables["table2"])
    out += ["Table 二 (主动公开政府信息情况):", "", "| section | 信息内容 | values |", "|---|---|---|"]
    for heading, cols, rows in national.T2_SECTIONS[t]:
        for key, label, _sub in rows:
            vals = "; ".join(f"{c} {_v(v)}" for c, v in zip(cols, t2[key]))
            out.append(f"| {heading} | {label} | {vals} |")
    out.append("")
    # table 三
    t3 = national.table3_cells(t, tables["table3"])
    labels = dict(national.T3_TOP_ROWS)
    for key, group, item in national.t3_outcome_rows(t):
        labels[key] = group + (item or "")
    out += ["Table 三 (收到和处理政府信息公开申请情况):", "",
            "| row | " + " | ".join(lbl for _k, lbl in national.APPLICANT_COLUMNS) + " |",
            "|---" * 8 + "|"]
    for key in national.t3_row_keys(t):
        out.append(f"| {labels[key]} | " + " | ".join(_v(c) for c in t3[key]) + " |")
    out.append("")
    # table 四
    t4 = national.table4_cells(tables["table4"])
    out += ["Table 四 (行政复议、行政诉讼情况):", "",
            "| | " + " | ".join(lbl for _k, lbl in national.T4_RESULTS) + " |", "|---" * 6 + "|"]
    for gi, (_g, glabel) in enumerate(national.T4_GROUPS):
        out.append(f"| {glabel} | " + " | ".join(_v(c) for c in t4[gi * 5:gi * 5 + 5]) + " |")
    return "\n".join(out)


def figure_keys() -> str:
    """How ``report.figures`` is keyed (English key = Chinese label)."""
    out = ["| figures key | label |", "|---|---|"]
    for t in ("2019", "2021"):
        for heading, cols, rows in national.T2_SECTIONS[t]:
            for key, label, sub in rows:
                out.append(f"| `table2.{key}.{{{', '.join(sub)}}}` ({t}) | {heading} {label}: {' / '.join(cols)} |")
    labels = dict(national.T3_TOP_ROWS)
    for t in ("2019", "2021"):
        for key, group, item in national.t3_outcome_rows(t):
            labels[key] = national.T3_RESULTS_LABEL + " " + group + (item or "")
    for key in dict.fromkeys(national.t3_row_keys("2019") + national.t3_row_keys("2021")):
        only = ("" if key in national.t3_row_keys("2019") and key in national.t3_row_keys("2021")
                else " (2019)" if key in national.t3_row_keys("2019") else " (2021)")
        out.append(f"| `table3.{key}.<column>`{only} | {labels[key]} |")
    out.append("| `<column>` of table3 | " + ", ".join(f"`{k}` {lbl}" for k, lbl in national.APPLICANT_COLUMNS) + " |")
    out.append("| `table4.<group>.<result>` | groups: " + ", ".join(f"`{k}` {lbl}" for k, lbl in national.T4_GROUPS)
               + "; results: " + ", ".join(f"`{k}` {lbl}" for k, lbl in national.T4_RESULTS) + " |")
    out.append("| `table[i].{section, label, unit, value}` (legacy) | one row of the 附表 (heading rows omitted) |")
    return "\n".join(out)


def families_table() -> str:
    """One row per family site (from the manifests), the opt-in ones included."""
    from .families import ALL_FAMILIES

    lines = ["| family | address | imitated site | reports | list entries | annual-report list | mechanics | "
             "attachments |", "|---|---|---|---|---|---|---|---|"]
    for name in ALL_FAMILIES:
        m = load_manifest(name)
        mech = m.columns[0].mechanics if m.columns else "trs"
        att = ", ".join(f"{r.attachment_format}" for r in m.attachment_reports) or "-"
        lines.append(f"| `{name}` | {m.address} | {m.site['name']} (`{m.site['domain']}`) | {len(m.reports)} | "
                     f"{len(m.list_entries)} | `{m.column_path}` | {mech} | {att} |")
    return "\n".join(lines)


def attachments_table() -> str:
    """Every report whose document is an attachment file (the opt-in families' included)."""
    from .families import ALL_FAMILIES

    lines = ["| family | report | format | list links to | file (request target) | Content-Type | "
             "Content-Disposition | filename sent |", "|---|---|---|---|---|---|---|---|"]
    for name in ALL_FAMILIES:
        for r in load_manifest(name).attachment_reports:
            fname = f"`{r.attachment_filename}`" if r.attachment_filename else "(none)"
            lines.append(f"| `{name}` | {r.title} | {r.attachment_format} | {r.list_links_to} | "
                         f"`{r.attachment_path}` | `{r.attachment_content_type}` | {r.attachment_disposition} | "
                         f"{fname} |")
    return "\n".join(lines)


def faults_table() -> str:
    """The hostile site's faults (``families.hostile.FAULTS``), one row each."""
    from .families.hostile import FAULTS

    def status(s) -> str:
        return "error" if s is None else str(s)

    lines = ["| fault | kind | request target | listed as | last fetch row | yields | "
             "a crawler should end up recording |", "|---|---|---|---|---|---|---|"]
    for f in FAULTS:
        target = f"`{f.scheme}://…{f.path}`" if f.scheme != "http" else f"`{f.path}`"
        lines.append(f"| `{f.name}` | {f.kind} | {target} | {f.listed_as} | "
                     f"{' / '.join(status(s) for s in f.statuses)} | {f.yields} | {f.expect} |")
    return "\n".join(lines)


def figures_section(m: Manifest) -> str:
    return "\n\n".join(_report_figures(r) for r in sorted(m.composed_reports, key=lambda r: r.year))


def sections(m: Manifest | None = None) -> dict[str, str]:
    m = m or load_manifest()
    return {
        "REPORTS": reports_table(m),
        "DISTRACTORS": distractors_table(m),
        "SEEDS": seeds_table(m),
        "FIGURE_KEYS": figure_keys(),
        "FIGURES": figures_section(m),
        "FAMILIES": families_table(),
        "ATTACHMENTS": attachments_table(),
        "FAULTS": faults_table(),
    }


def apply(text: str, secs: dict[str, str]) -> str:
    for name, body in secs.items():
        pat = re.compile(rf"(<!-- BEGIN {name} -->\n)(?:.*?\n)?(<!-- END {name} -->)", re.S)
        if not pat.search(text):
            raise ValueError(f"README has no {name} markers")
        text = pat.sub(lambda mm: mm.group(1) + body + "\n" + mm.group(2), text)
    return text


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sample_portal.docs")
    ap.add_argument("--write", action="store_true", help="rewrite the generated sections of README.md")
    args = ap.parse_args(argv)
    secs = sections()
    if args.write:
        README.write_text(apply(README.read_text(encoding="utf-8"), secs), encoding="utf-8")
    else:
        for name, body in secs.items():
            print(f"<!-- {name} -->\n{body}\n")


if __name__ == "__main__":
    main()
