"""robots.txt fetched once per host for every site crawled in a process.

Scrapy's ``RobotsTxtMiddleware`` keeps the parsed robots.txt per network
location, but in a dict of its own instance, and each crawler builds its own
middlewares: ``xxgk crawl`` runs one crawler per site, so the 44 bodies
discovery registered on one county platform fetched that host's robots.txt 44
times. :class:`SharedRobotsTxtMiddleware` is Scrapy's middleware with one dict
for the process: the first site to need a host's robots.txt fetches it (in
its own crawl run, through the host's politeness slot), the others wait for
that answer and read the same parser. An answer that failed (no robots.txt
could be read) is remembered as Scrapy does, as "everything allowed".

``xxgk crawl --processes N`` shards sites by host, so each host's robots.txt
is fetched once per crawl; a distributed crawl fetches it once per worker.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware

PARSERS: dict = {}  # netloc -> RobotParser | Deferred (being fetched) | None, for the whole process


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        self._parsers = PARSERS
