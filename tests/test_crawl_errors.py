"""Each site's crawl run counts its own errors only, when one process crawls several.

Scrapy's LogCount counts every ERROR record of the process into the stats of
each crawler (its handler is on the root logger), and ``xxgk crawl`` runs one
crawler per site: one site's error was in the ``crawl_runs.errors`` of every
site crawled beside it (crawler.extensions.LogCount counts it for its own).
"""

from __future__ import annotations

import json
import re
import sqlite3

import yaml

FAILING = "sample-trs"


class FailOnceForOneSite:
    """An item pipeline that raises once, on the first report of the site ``FAILING``
    (Scrapy logs it as an ERROR naming that site's spider)."""

    def __init__(self):
        self.failed = False

    def process_item(self, item, spider=None):
        from crawler.items import ReportItem

        if isinstance(item, ReportItem) and item.site == FAILING and not self.failed:
            self.failed = True
            raise RuntimeError("a test failure of one report of one site")
        return item


def test_one_sites_error_counts_in_its_run_only(tmp_path):
    from conftest import FAST, run_xxgk
    from sample_portal.server import serve_sites_in_thread

    db, archive = tmp_path / "xxgk.db", tmp_path / "archive"
    pipelines = {"crawler.pipelines.ReportCataloguePipeline": 300,
                 "tests.test_crawl_errors.FailOnceForOneSite": 400}  # after the catalogue's: the report is kept
    with serve_sites_in_thread(["trs", "pagelist"]) as urls:
        registry = tmp_path / "sites.yaml"
        registry.write_text(yaml.safe_dump(
            {"sites": [{"name": f"sample-{f}", "start_url": str(urls[f]), "family": "auto"} for f in urls]},
            allow_unicode=True), encoding="utf-8")
        result = run_xxgk("crawl", "--all", "--sites", str(registry), "--db", str(db), "--archive", str(archive),
                          "--no-parse", *FAST, "-s", "XXGK_MAX_IMAGES_PER_REPORT=0",
                          "-s", f"ITEM_PIPELINES={json.dumps(pipelines)}")
    assert "a test failure of one report of one site" in result.stderr, result.stderr[-3000:]
    conn = sqlite3.connect(db)
    try:
        errors = dict(conn.execute("SELECT site, errors FROM crawl_runs"))
    finally:
        conn.close()
    assert errors == {"sample-trs": 1, "sample-pagelist": 0}
    summaries = dict(re.findall(r"^\[(sample-\w+)\] crawl finished: .*, (\d+) errors$", result.stdout, re.MULTILINE))
    assert summaries == {"sample-trs": "1", "sample-pagelist": "0"}, result.stdout
