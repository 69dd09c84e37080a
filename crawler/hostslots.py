"""One politeness slot per host, shared by every site crawled in a process.

Scrapy keeps its download slots (the delay between requests, the requests in
flight) per crawler, and ``xxgk crawl`` runs one crawler per site. Thirty
departments that discovery registered on one county platform are thirty
sites on one host: thirty slots would send thirty times the polite rate to
one small server. :class:`SharedSlotDownloadHandler` (the HTTP download
handler, ``DOWNLOAD_HANDLERS``) holds each request until its host's shared
slot lets it go: at most ``CONCURRENT_REQUESTS_PER_DOMAIN``
of them in flight on the host across all crawlers, and each sent at least the
delay after the last one to that host -- the delay of the crawler sending it
(``DOWNLOAD_DELAY``, or its own slot's when AutoThrottle raised it). The
crawler's own slot applies before, as always (its jitter can only hold a
request longer). A request waiting when its crawler stops (SIGTERM) is
dropped at once; the wait does not count against ``DOWNLOAD_TIMEOUT``.

The slot key is Scrapy's: the request's ``download_slot`` meta, else its host
name. ``xxgk crawl --processes N`` shards sites by host, so a host's sites
share one process and so one slot. The workers of a distributed crawl (``xxgk
worker``, on any machines) share each host's pace through Redis as well
(:meth:`SharedSlotDownloadHandler.shared_turn`, :mod:`crawler.distributed.hostslot`).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached


@dataclass
class HostSlot:
    in_flight: int = 0
    next_start: float = 0.0  # monotonic time before which nothing more is sent
    waiting: deque = field(default_factory=deque)
    sent: list[float] = field(default_factory=list)  # start times (for tests), last 1,000

    def may_send(self, now: float, concurrency: int) -> bool:
        return self.in_flight < concurrency and now >= self.next_start


SLOTS: dict[str, HostSlot] = {}  # one per host, for the whole process


def slot_key(request) -> str:
    return request.meta.get("download_slot") or urlparse_cached(request).hostname or ""


class SharedSlotDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP handler, sending each request only when its host's
    shared slot lets it go: the last step before the network, after the
    crawler's own slot (which may only hold a request longer)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.delay = settings.getfloat("DOWNLOAD_DELAY", 0.0)
        self.concurrency = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))

    def _delay(self, key: str) -> float:
        downloader = getattr(getattr(self._crawler, "engine", None), "downloader", None)
        own = downloader.slots.get(key) if downloader is not None else None
        return max(self.delay, own.delay if own is not None else 0.0)

    def _stopping(self) -> bool:
        engine = getattr(self._crawler, "engine", None)
        return engine is not None and not engine.running

    async def _acquire(self, key: str, slot: HostSlot, request) -> None:
        ticket = object()
        slot.waiting.append(ticket)
        try:
            while True:
                now = time.monotonic()
                first = slot.waiting[0] is ticket
                wait = None
                if first and slot.may_send(now, self.concurrency):
                    wait = await self.shared_turn(key, self._delay(key))
                    if wait <= 0:
                        now = time.monotonic()
                        break
                if self._stopping():
                    raise IgnoreRequest(f"the crawl stopped while {request.url} waited for its host's slot")
                if wait is None:
                    wait = slot.next_start - now if first and slot.next_start > now else 0.02
                await asyncio.sleep(min(max(wait, 0.005), 0.25))
        finally:
            slot.waiting.remove(ticket)
        slot.in_flight += 1
        slot.next_start = now + self._delay(key)
        slot.sent.append(now)
        del slot.sent[:-1000]

    async def shared_turn(self, key: str, delay: float) -> float:
        """The slot's turn beyond this process: 0 to send now, else seconds to wait
        first. One process is the whole slot here; the workers of a distributed crawl
        share it through Redis (:mod:`crawler.distributed.hostslot`)."""
        return 0.0

    async def download_request(self, request):
        key = slot_key(request)
        slot = SLOTS.setdefault(key, HostSlot())
        await self._acquire(key, slot, request)
        try:
            return await super().download_request(request)
        finally:
            slot.in_flight -= 1
