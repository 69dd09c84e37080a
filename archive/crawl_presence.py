"""Vanished reports after a distributed crawl: its workers' runs counted as one.

A single ``xxgk crawl`` run of a site is evidence about the site's known
reports when it ends (:func:`archive.catalogue.update_presence`): which the
lists showed, which they did not. A worker of a distributed crawl saw only
part of each site's lists, and knows only the reports of its own archive, so
a worker counts nothing (``XXGK_PRESENCE`` off). The whole crawl is seen only
where the workers' archives meet, after ``xxgk merge``: there the runs of
one distributed crawl of a site (``crawl_runs.crawl``, recorded by every
worker; ``crawl_workers``, the names of all who took part, recorded by each
worker that saw the crawl end) are counted as one run into ``report_status``,
once every worker's run of that crawl is merged, and once only
(``crawl_runs.presence_at``): merging a source again, or a late worker's
archive after the others, counts nothing twice.

Not done after a distributed crawl: the HEAD checks of a single crawl
(``XXGK_MAX_CHECKS``, ``XXGK_LISTED_CHECKS``): a report is missing when its
list was read and did not show it (``not listed``), never by a failing URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils

from archive.catalogue import VANISH_AFTER, update_presence, utc_now
from archive.merge import ensure_worker_column


@dataclass
class CrawlPresence:
    site: str
    crawl: str
    runs: list[int]
    counts: dict[str, int] = field(default_factory=dict)
    waiting_for: list[str] = field(default_factory=list)  # workers whose runs are not merged yet
    ended: bool = True  # some run saw the crawl end

    @property
    def counted(self) -> bool:
        return self.ended and not self.waiting_for

    def summary(self) -> str:
        where = f"[{self.site}] distributed crawl {self.crawl}"
        if not self.ended:
            return f"{where}: no merged run saw it end; vanished reports not counted yet"
        if self.waiting_for:
            return (f"{where}: vanished reports not counted until the runs of {', '.join(self.waiting_for)} "
                    "are merged too")
        c = self.counts
        return (f"{where}: {len(self.runs)} runs counted as one: {c.get('missing', 0)} known reports missing, "
                f"{c.get('vanished', 0)} now vanished, {c.get('back', 0)} back")


def count_crawls(db: sqlite_utils.Database, confirm: int = VANISH_AFTER) -> list[CrawlPresence]:
    """Count every distributed crawl of the catalogue not counted yet whose workers'
    runs are all there; say of the others what they wait for. Oldest first, so a
    site's crawls are counted in the order they ran."""
    with db.atomic():
        ensure_worker_column(db)
        groups: dict[tuple[str, str], dict] = {}
        for run_id, site, crawl, worker, workers, counted, started in db.execute(
                "SELECT id, site, crawl, worker, crawl_workers, presence_at, started_at FROM crawl_runs "
                "WHERE crawl IS NOT NULL ORDER BY started_at, id").fetchall():
            group = groups.setdefault((site, crawl), {"runs": [], "workers": set(), "members": set(),
                                                      "counted": False, "started": started})
            group["runs"].append(run_id)
            group["workers"].add(worker)
            group["members"] |= set(json.loads(workers)) if workers else set()
            group["counted"] |= counted is not None
        results = []
        for (site, crawl), group in sorted(groups.items(), key=lambda g: g[1]["started"]):
            if group["counted"]:
                continue
            result = CrawlPresence(site=site, crawl=crawl, runs=group["runs"], ended=bool(group["members"]),
                                   waiting_for=sorted(group["members"] - group["workers"]))
            if result.counted:
                result.counts = update_presence(db, group["runs"], confirm)
                db.execute(f"UPDATE crawl_runs SET presence_at = ? WHERE id IN ({', '.join('?' for _ in result.runs)})",
                           [utc_now(), *result.runs])
            results.append(result)
    return results
