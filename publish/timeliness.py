"""When each report was due, and whether it came on time (the ``timeliness`` view).

The legal deadlines, by the year a report covers (it is due the year after):

* **2008 regulations, Article 31** (reports on 2008-2018): every body by
  31 March.
* **2019 regulations, Article 50** (reports on 2019 on): a department of a
  government at or above county level (``admin_level = 'department'``) by
  31 January; a county-or-higher government's own report (``national``,
  ``province``, ``prefecture``, ``county``) by 31 March.
* **Townships** (乡镇人民政府, 街道办事处): Article 50 names no date for them.
  *Assumed* here: 31 January, with the departments -- the rule most provinces
  set, because a township's report feeds its county's (e.g. 山东、福建、江苏
  ask townships for their reports by the end of January). The view says
  ``assumed`` in its ``rule`` so no one takes it for the law.

The publication date is the report's own: the page's date field first, else
its 落款 (signature date), else a date under the title
(``reports.published_from`` says which); a report that states none is dated by
the list it was found on, the date its portal showed beside it
(``reports.list_date``; ``published_from = 'list'``). A report with no date at
all has status ``date unknown``, never late. A body whose level is unknown has
no deadline.
"""

from __future__ import annotations

import sqlite3

__all__ = ["RULES", "build_timeliness_view"]

# (rule, month-day due in the following year, the levels it applies to, years it applies to)
RULES = [
    ("2008 regulations art. 31: every body by 31 March", "03-31", None, (None, 2018)),
    ("2019 regulations art. 50: departments by 31 January", "01-31", ("department",), (2019, None)),
    ("2019 regulations art. 50: county-or-higher governments by 31 March", "03-31",
     ("national", "province", "prefecture", "county"), (2019, None)),
    ("townships by 31 January (assumed: Article 50 names no date; most provinces ask it)", "01-31", ("township",),
     (2019, None)),
]


def _conditions(levels, first, last) -> str:
    """The SQL condition under which one rule applies to a report ``r``."""
    conditions = ["r.year IS NOT NULL"]
    if first is not None:
        conditions.append(f"r.year >= {first}")
    if last is not None:
        conditions.append(f"r.year <= {last}")
    if levels is not None:
        conditions.append("r.admin_level IN (" + ", ".join(f"'{level}'" for level in levels) + ")")
    return " AND ".join(conditions)


def _rule_sql() -> str:
    """The rule that applies to a report, by name (NULL: none known)."""
    return "CASE " + " ".join(f"WHEN {_conditions(levels, *years)} THEN '{name}'"
                              for name, _due, levels, years in RULES) + " END"


def _deadline_sql() -> str:
    """Its deadline, ``YYYY-MM-DD`` of the year after the year it covers."""
    return "CASE " + " ".join(f"WHEN {_conditions(levels, *years)} THEN (r.year + 1) || '-{due}'"
                              for _name, due, levels, years in RULES) + " END"


def build_timeliness_view(conn: sqlite3.Connection) -> None:
    """(Re)create the ``timeliness`` view over the parsed reports."""
    conn.execute("DROP VIEW IF EXISTS timeliness")
    columns = {row[1] for row in conn.execute("PRAGMA table_info(reports)")}
    # (a catalogue parsed before reports said where their date came from: unknown;
    # one crawled before the crawler kept list dates: no list date)
    own_from = "r.published_from" if "published_from" in columns else "NULL"
    list_date = "r.list_date" if "list_date" in columns else "NULL"
    published = f"coalesce(r.published, {list_date})"
    published_from = (f"CASE WHEN r.published IS NOT NULL THEN {own_from} "
                      f"WHEN {list_date} IS NOT NULL THEN 'list' END")
    conn.execute(
        f"""CREATE VIEW timeliness AS
        SELECT report_id, agency, body_key, province, city, county, township, admin_level, year, published,
               published_from, rule, deadline,
               CASE WHEN published IS NOT NULL AND deadline IS NOT NULL
                    THEN CAST(julianday(published) - julianday(deadline) AS INTEGER) END AS days_after_deadline,
               CASE WHEN deadline IS NULL THEN 'no deadline known'
                    WHEN published IS NULL THEN 'date unknown'
                    WHEN published > deadline THEN 'late' ELSE 'on time' END AS status
        FROM (
            SELECT r.id AS report_id, r.agency, r.body_key, r.province, r.city, r.county, r.township,
                   r.admin_level, r.year, {published} AS published, {published_from} AS published_from,
                   {_rule_sql()} AS rule, {_deadline_sql()} AS deadline
            FROM reports r WHERE r.parse_status = 'ok'
        )"""
    )
