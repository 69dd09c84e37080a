"""Scrapy settings for the xxgk-archive crawler.

Polite by default: these are small government servers, often slow, and the
archive is built over years, not minutes. Per-site overrides come from the
command line (``xxgk crawl -s DOWNLOAD_DELAY=2``) or, later, the site registry.
"""

BOT_NAME = "xxgk"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = (
    "xxgk-archive/0.1 (archive of government information-disclosure annual reports; "
    "polite research crawler; obeys robots.txt)"
)
ROBOTSTXT_OBEY = True

# Politeness: at most two requests in flight per domain, adaptive delay.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Outputs of one response processed in parallel. Scrapy starts one asyncio task
# per unit of CONCURRENT_ITEMS for every response, however few its outputs (its
# default of 100 cost 17 % of a 20-site crawl's CPU; 8 still 9 tasks a page); a
# report page yields one item, a list page a few dozen requests (not items), and
# the pipeline does not wait on the network.
CONCURRENT_ITEMS = 2
# Scrapy's check that a callback generator returns no value reads the callback's
# source with inspect and ast on every response (its cache is keyed weakly by the
# bound method, made anew each time): 5 % of a 50-site crawl's CPU. The spider's
# callbacks return no value (tests/test_spider_callbacks.py checks it).
WARN_ON_GENERATOR_RETURN_VALUE = False
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5  # ±50% around DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024  # reports with scanned attachments can be large
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

# Retries with exponential backoff (see crawler.middlewares.BackoffRetryMiddleware).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 60.0

# Bounded crawl: a calendar-style trap or a runaway pager ends. The spider
# follows only navigation (at most 3 hops), list pages (planned from a list's
# first page, capped by XXGK_MAX_LIST_PAGES), reports and their attachments
# (fetched one after another, one level each), so real depths stay near 10;
# the limit is a backstop set high enough never to cut an attachment chain.
DEPTH_LIMIT = 20
# Breadth first: of two list pages the shallower goes first (a 尾页 link to
# ?page=99999 or a calendar cannot hold the crawl in its depths), and reports
# (priority 100, see the spider) before either.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
XXGK_MAX_LIST_PAGES = 500  # list pages (and list API calls) per site
XXGK_MAX_PAGES_PER_LIST = 200  # pages one list's pager may plan (a 年报 column of 200 pages holds ~3000 reports)
XXGK_MAX_IMAGES_PER_REPORT = 30  # pictures of a report page's body archived with it (crawler/images.py), for OCR
XXGK_MAX_IMAGE_BYTES = 20 * 1024 * 1024  # a larger picture is not fetched
XXGK_PAGES_AHEAD = 5  # list pages sent beyond the last that listed a report (crawler/paging.py)
CLOSESPIDER_PAGECOUNT = 20000  # responses per site and run

EXTENSIONS = {
    # log_count/<LEVEL> of the crawler's own site only (Scrapy's counts the whole process's)
    "scrapy.extensions.logcount.LogCount": None,
    "crawler.extensions.LogCount": 0,
    "crawler.extensions.CrawlRunRecorder": 100,
    "crawler.extensions.Progress": 110,
}
LOG_FORMATTER = "crawler.extensions.LogFormatter"  # no per-page DEBUG records above LOG_LEVEL DEBUG
XXGK_PROGRESS_INTERVAL = 10.0  # seconds between progress lines on stderr; 0 disables

DOWNLOADER_MIDDLEWARES = {
    # robots.txt once per host for all the sites of a process (crawler/robots.py)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # Adds If-None-Match / If-Modified-Since; answers a 304 from the archive.
    "crawler.middlewares.ConditionalRequestMiddleware": 560,
    # Right after decompression and before redirects (600): every body the
    # server sent is archived, 3xx answers included, whatever a later middleware
    # or spider does with it. Decompression moves up from 590 to stay first.
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 610,
    "crawler.middlewares.ArchiveMiddleware": 605,
}
# One politeness slot per host for all the sites of a process (the bodies that
# discovery registered on one platform share its host): crawler/hostslots.py.
DOWNLOAD_HANDLERS = {
    "http": "crawler.hostslots.SharedSlotDownloadHandler",
    "https": "crawler.hostslots.SharedSlotDownloadHandler",
}
XXGK_DISCOVER_MAX_BODIES = 2000  # bodies one discovery walk registers at most
XXGK_DISCOVER_MAX_LIST_PAGES = 20  # pages of one list of bodies read past its first
ITEM_PIPELINES = {
    "crawler.pipelines.ReportCataloguePipeline": 300,
}

# Where the archive lives; `xxgk crawl --db/--archive` override these.
XXGK_DB = "data/xxgk.db"
XXGK_ARCHIVE = "data/archive"
XXGK_WARC = None  # default: <XXGK_ARCHIVE>/warc
XXGK_WARC_MAX_BYTES = 256 * 1024 * 1024  # rotate WARC files at this size

# Scrapy 2.13+ defaults, stated so the project does not depend on them changing.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
# Scrapy's remote-control HTTP endpoint is not wanted on a crawler host.
REMOTE_CONTROL_ENABLED = False
