"""``xxgk worker``: one worker of a crawl shared through Redis (scrapy-redis).

Registered on the main group at the end of :mod:`xxgk.cli`. The crawl itself
is the ordinary Scrapy crawl process (Twisted's reactor, one crawler per site,
:mod:`xxgk.crawl_runner`'s settings), with the queue and the duplicate filter in
Redis (:mod:`crawler.distributed`) and an archive of its own.
"""

from __future__ import annotations

import click

from xxgk.options import DEFAULT_ARCHIVE, db_option
from xxgk.site_choice import chosen_sites

# Settings of every worker's crawlers (the keys are per crawl and site).
_WORKER_SETTINGS = {
    "SCHEDULER": "crawler.distributed.scheduler.WorkerScheduler",
    "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
    "SCHEDULER_PERSIST": True,  # the queue and filter outlive one worker (the crawl ends them: state.finished)
    # one politeness slot per host for every worker on the Redis, not one per worker
    "DOWNLOAD_HANDLERS": {"http": "crawler.distributed.hostslot.RedisHostSlotDownloadHandler",
                          "https": "crawler.distributed.hostslot.RedisHostSlotDownloadHandler"},
    # a worker sees part of each site's lists: its runs alone are no evidence of vanished reports
    # (xxgk merge counts a crawl's runs as one: archive/crawl_presence.py)
    "XXGK_MAX_CHECKS": 0,
    "XXGK_PRESENCE": False,
}


def _check_redis(url: str) -> None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5)
    except ValueError as error:
        raise click.BadParameter(f"{url!r}: {error}", param_hint="--redis") from None
    try:
        client.ping()
    except redis.RedisError as error:
        raise click.ClickException(f"cannot reach Redis at {url}: {error}") from None
    finally:
        client.close()


def run_worker(sites, settings, *, redis_url: str, crawl: str, name: str, refresh: bool):
    """Crawl every site as one worker of ``crawl``; blocks until the crawl is done
    (or this worker is stopped). Returns ``(site, stats)`` per site."""
    import signal

    from scrapy.crawler import CrawlerProcess

    from crawler.distributed.spider import WorkerSpider
    from crawler.distributed.state import key_prefix
    from crawler.sites import apply_site_settings

    process = CrawlerProcess(settings)
    crawlers = []
    for site in sites:
        crawler = process.create_crawler(WorkerSpider)
        apply_site_settings(crawler.settings, site)
        prefix = key_prefix(crawl, site.name)
        for setting, value in {**_WORKER_SETTINGS, "REDIS_URL": redis_url, "XXGK_REDIS_PREFIX": prefix,
                               "SCHEDULER_QUEUE_KEY": f"{prefix}:queue", "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:seen",
                               "XXGK_WORKER": name, "XXGK_CRAWL": crawl}.items():
            crawler.settings.set(setting, value, priority="cmdline")
        process.crawl(crawler, start_url=site.start_url, site=site.name, refresh="1" if refresh else "",
                      attachment_hosts=",".join(site.attachment_hosts))
        crawlers.append((site, crawler))
    process.start()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return [(site, crawler.stats.get_stats()) for site, crawler in crawlers]


def unreached(site, db: str, stats: dict) -> str | None:
    """Why the site could not be crawled, if no worker got any answer from it (None: it answered)."""
    if stats.get("finish_reason") != "finished" or stats.get("xxgk/site_answered", True):
        return None
    from archive.catalogue import first_fetch_error, open_db

    problem = None
    if stats.get("xxgk/crawl_run_id") is not None:
        catalogue = open_db(db)
        try:
            problem = first_fetch_error(catalogue, stats["xxgk/crawl_run_id"])
        finally:
            catalogue.close()
    return f"[{site.name}] could not be crawled: {problem or 'no answer from the site (to any worker)'}"


def summary(site: str, name: str, stats: dict) -> str:
    found = sum(stats.get(f"xxgk/reports_{k}", 0) for k in ("new", "changed", "unchanged", "skipped"))
    errors = sum(stats.get(k, 0) for k in ("xxgk/fetch_errors", "xxgk/report_errors", "xxgk/attachment_errors",
                                          "log_count/ERROR"))
    line = (f"[{site}] worker {name} {stats.get('finish_reason')}: {stats.get('downloader/response_count', 0)} "
            f"responses, {found} reports ({stats.get('xxgk/reports_new', 0)} new, "
            f"{stats.get('xxgk/reports_changed', 0)} changed, {stats.get('xxgk/reports_unchanged', 0)} unchanged, "
            f"{stats.get('xxgk/reports_skipped', 0)} already archived), {errors} errors")
    if stats.get("xxgk/requests_recovered"):
        line += f"; {stats['xxgk/requests_recovered']} requests of dead workers taken back"
    if stats.get("xxgk/requests_given_back"):
        line += f"; {stats['xxgk/requests_given_back']} unfinished requests given back to the queue"
    return line


@click.command("worker")
@click.option("--redis", "redis_url", required=True, metavar="URL",
              help="The crawl's Redis, e.g. redis://10.0.0.5:6379/0 (queue, duplicate filter, in-flight requests).")
@click.option("--name", required=True, help="This worker's name (kept in its crawl runs, and by xxgk merge).")
@click.option("--crawl", "crawl_name", default="xxgk", show_default=True,
              help="The crawl's name in Redis: workers of one crawl share it; a finished crawl's keys expire "
                   "after XXGK_REDIS_KEEP seconds (3600), then the same name starts the next crawl.")
@click.option("--start-url", help="Portal home page, 信息公开 page or 年报 column.")
@click.option("--site", "site_names", multiple=True, metavar="NAME", help="Crawl a registered site (repeatable).")
@click.option("--all", "all_sites", is_flag=True, help="Crawl every registered site.")
@click.option("--sites", "sites_file", default=None, type=click.Path(dir_okay=False, exists=True),
              help="Site registry YAML (default: crawler/sites.yaml).")
@db_option(help="This worker's own SQLite catalogue.")
@click.option("--archive", default=DEFAULT_ARCHIVE, show_default=True, type=click.Path(file_okay=False),
              help="This worker's own folder of bodies and WARC files.")
@click.option("--refresh", is_flag=True, help="Fetch archived reports again (conditional requests).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting (repeatable).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's own log.")
def worker_command(redis_url, name, crawl_name, start_url, site_names, all_sites, sites_file, db, archive, refresh,
                   overrides, verbose):
    """Crawl as one of many workers sharing a queue in Redis; each writes its own archive.

    \b
    xxgk worker --redis redis://10.0.0.5:6379/0 --name w1 --all --db w1/xxgk.db --archive w1/archive
    xxgk worker --redis redis://10.0.0.5:6379/0 --name w2 --all --db w2/xxgk.db --archive w2/archive
    xxgk merge w1/xxgk.db w2/xxgk.db --db data/xxgk.db --archive data/archive

    Start any number, on any machines, with the same sites and --crawl: the
    first queues the start pages, the others take what is queued. A worker
    stops when nothing is queued or in flight anywhere. A worker that dies
    (SIGKILL, a lost machine) is noticed when its heartbeat expires
    (XXGK_WORKER_TTL, 10 s) and its unfinished requests go back to the queue.
    Reports are parsed after the merge (xxgk merge --parse).
    """
    from xxgk.crawl_runner import project_settings
    from xxgk.options import hold_archive, scrapy_overrides

    sites = chosen_sites(start_url, site_names, all_sites, sites_file)
    _check_redis(redis_url)
    hold_archive(archive, "crawling")
    settings = project_settings(db, archive, scrapy_overrides(overrides, verbose))
    results = run_worker(sites, settings, redis_url=redis_url, crawl=crawl_name, name=name, refresh=refresh)
    failed = []
    for site, stats in results:
        problem = unreached(site, db, stats)
        click.echo(problem or summary(site.name, name, stats))
        if problem:
            failed.append(site.name)
    if any(stats.get("finish_reason") == "shutdown" for _, stats in results):
        raise click.ClickException("worker stopped by a signal: what it archived stays, its unfinished requests "
                                   "went back to the queue for the other workers")
    if failed:  # for cron, as xxgk crawl
        raise click.ClickException(f"{len(failed)} of {len(results)} site(s) could not be crawled: {', '.join(failed)}")
