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

The checks a single crawl makes at its end (``XXGK_MAX_CHECKS``,
``XXGK_LISTED_CHECKS``: do the known reports its lists did not show, and a
few listed ones no run fetched, still answer?) are made by ``xxgk merge``
too, after the merge and before the crawl is counted (:func:`plan_checks`,
:mod:`crawler.distributed.checks`): they go in a crawl run of the same crawl
(``worker`` ``merge``), counted with the workers' runs. Only a site's latest
crawl is checked (a check tells about now, not about an older crawl), only
once, and only a crawl that is evidence; ``xxgk merge --no-check``: a report
is missing only when its list was read and did not show it (``not listed``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils

from archive.catalogue import (VANISH_AFTER, listed_unfetched_reports, run_is_evidence, unseen_reports,
                               update_presence, utc_now)
from archive.merge import ensure_worker_column


CHECKER = "merge"  # crawl_runs.worker of the runs of checks made after the merge


@dataclass
class CrawlPresence:
    site: str
    crawl: str
    runs: list[int]
    started: str | None = None  # when its first run started
    start_url: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    waiting_for: list[str] = field(default_factory=list)  # workers whose runs are not merged yet
    ended: bool = True  # some run saw the crawl end
    check_runs: list[int] = field(default_factory=list)  # the runs of its checks made after the merge
    checks: int = 0  # URLs checked in them
    failing: int = 0

    @property
    def counted(self) -> bool:
        return self.ended and not self.waiting_for

    @property
    def worker_runs(self) -> list[int]:
        return [r for r in self.runs if r not in self.check_runs]

    def summary(self) -> str:
        where = f"[{self.site}] distributed crawl {self.crawl}"
        if not self.ended:
            return f"{where}: no merged run saw it end; vanished reports not counted yet"
        if self.waiting_for:
            return (f"{where}: vanished reports not counted until the runs of {', '.join(self.waiting_for)} "
                    "are merged too")
        c = self.counts
        checked = f", {self.checks} URLs checked ({self.failing} failing)" if self.check_runs else ""
        return (f"{where}: {len(self.worker_runs)} runs counted as one{checked}: {c.get('missing', 0)} known "
                f"reports missing, {c.get('vanished', 0)} now vanished, {c.get('back', 0)} back")


def pending_crawls(db: sqlite_utils.Database) -> list[CrawlPresence]:
    """The distributed crawls of the catalogue not counted yet, oldest first (so a
    site's crawls are counted in the order they ran); ``counted`` tells which can be."""
    with db.atomic():
        ensure_worker_column(db)
    groups: dict[tuple[str, str], dict] = {}
    for run_id, site, crawl, worker, workers, counted, started, start_url in db.execute(
            "SELECT id, site, crawl, worker, crawl_workers, presence_at, started_at, start_url FROM crawl_runs "
            "WHERE crawl IS NOT NULL ORDER BY started_at, id").fetchall():
        group = groups.setdefault((site, crawl), {"runs": [], "checks": [], "workers": set(), "members": set(),
                                                  "counted": False, "started": started, "start_url": None})
        group["runs"].append(run_id)
        if worker == CHECKER:
            group["checks"].append(run_id)
        else:
            group["workers"].add(worker)
            group["start_url"] = group["start_url"] or start_url
        group["members"] |= set(json.loads(workers)) if workers else set()
        group["counted"] |= counted is not None
    found = []
    for (site, crawl), group in sorted(groups.items(), key=lambda g: g[1]["started"]):
        if group["counted"]:
            continue
        crawl_presence = CrawlPresence(site=site, crawl=crawl, runs=group["runs"], started=group["started"],
                                       start_url=group["start_url"], ended=bool(group["members"]),
                                       waiting_for=sorted(group["members"] - group["workers"]),
                                       check_runs=group["checks"])
        if crawl_presence.check_runs:
            crawl_presence.checks, crawl_presence.failing = db.execute(
                f"SELECT count(*), coalesce(sum(failing), 0) FROM report_checks WHERE crawl_run_id IN "
                f"({', '.join('?' for _ in crawl_presence.check_runs)})", crawl_presence.check_runs).fetchone()
        found.append(crawl_presence)
    return found


def plan_checks(db: sqlite_utils.Database, limit: int = 50, listed: int = 5) -> list[tuple[CrawlPresence,
                                                                                           list[tuple[int, str]]]]:
    """The checks to make before the pending crawls are counted: for each
    site's latest crawl, if it can be counted now, is evidence (the site
    answered it: :func:`archive.catalogue.run_is_evidence`), was not checked
    already and no run of the site started after it, the checks a single crawl
    of the site would have made at its end (``XXGK_MAX_CHECKS`` ``limit``,
    ``XXGK_LISTED_CHECKS`` ``listed``): the known reports its lists did not
    show, the longest unseen first, then up to ``listed`` listed ones no
    worker fetched. ``(crawl, [(report_id, url)])``, crawls with nothing to ask left out."""
    if limit <= 0:
        return []
    plans = []
    for crawl in pending_crawls(db):
        if not crawl.counted or crawl.check_runs or not crawl.start_url:
            continue
        later = db.execute(
            f"SELECT 1 FROM crawl_runs WHERE site = ? AND started_at > ? AND id NOT IN "
            f"({', '.join('?' for _ in crawl.runs)}) LIMIT 1", [crawl.site, crawl.started, *crawl.runs]).fetchone()
        if later or not run_is_evidence(db, crawl.worker_runs):
            continue
        unseen = unseen_reports(db, crawl.site, crawl.started)[:limit]
        checks = unseen + listed_unfetched_reports(db, crawl.site, crawl.worker_runs, crawl.started,
                                                   min(limit - len(unseen), listed))
        if checks:
            plans.append((crawl, checks))
    return plans


def count_crawls(db: sqlite_utils.Database, confirm: int = VANISH_AFTER) -> list[CrawlPresence]:
    """Count every distributed crawl of the catalogue not counted yet whose workers'
    runs are all there (with the checks made for it after the merge:
    :mod:`crawler.distributed.checks`); say of the others what they wait for.
    Oldest first, so a site's crawls are counted in the order they ran."""
    results = []
    with db.atomic():
        for result in pending_crawls(db):
            if result.counted:
                result.counts = update_presence(db, result.runs, confirm)
                db.execute(f"UPDATE crawl_runs SET presence_at = ? WHERE id IN ({', '.join('?' for _ in result.runs)})",
                           [utc_now(), *result.runs])
            results.append(result)
    return results
