"""One politeness slot per host for every worker on one Redis.

In one process, :class:`crawler.hostslots.SharedSlotDownloadHandler` paces each
host for all the sites crawled there. Workers of a distributed crawl are many
processes, on many machines: each would send one request per delay to a host,
and N of them N times the polite rate. Here the host's pace lives in Redis:
the time before which nothing more may be sent to it, taken in one Lua script
(read the key, compare with Redis's own clock, set it to now plus the delay)
so that two workers cannot both take the same turn, and the clocks of the
workers' machines do not matter. A worker whose turn it is not sleeps (in
asyncio, the reactor runs on) for as long as the script said, then asks
again; within a worker only the request first in its host's local line asks.

So N workers together send one request per ``DOWNLOAD_DELAY`` (or the delay
AutoThrottle set in the sending worker) per host, whichever crawl, site or
worker sends it. What stays per worker: at most
``CONCURRENT_REQUESTS_PER_DOMAIN`` requests in flight on a host from each
worker (the rate is shared; at a delay above the server's answer time the
two are the same). A delay of 0 asks Redis nothing.

If Redis cannot be reached, a request waits and asks again (one warning a
host): it is never sent past the shared pace, nor lost.

Key: ``xxgk:host:<slot key>`` (the host name, or the request's ``download_slot``),
a string of milliseconds in Redis's clock, expiring a minute after its turn.
"""

from __future__ import annotations

import logging

from crawler.hostslots import SharedSlotDownloadHandler

logger = logging.getLogger(__name__)

# KEYS[1] the host's key; ARGV[1] the delay in ms. Returns 0 (this request's turn,
# taken) or the ms to wait before asking again.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < next_at then return next_at - now end
local delay = tonumber(ARGV[1])
redis.call('SET', KEYS[1], now + delay, 'PX', delay + 60000)
return 0
"""

RETRY_WHEN_AWAY = 1.0  # seconds before asking an unreachable Redis again


def host_key(slot: str) -> str:
    return f"xxgk:host:{slot}"


class RedisHostSlotDownloadHandler(SharedSlotDownloadHandler):
    """The process's host slots, each also taken in Redis (``REDIS_URL``)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.redis_url = crawler.settings.get("REDIS_URL")
        self._client = None
        self._take = None
        self._warned: set[str] = set()

    def _script(self):
        if self._take is None:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(self.redis_url, socket_timeout=5, socket_connect_timeout=5)
            self._take = self._client.register_script(_TAKE)
        return self._take

    async def shared_turn(self, key: str, delay: float) -> float:
        if delay <= 0:
            return 0.0
        import redis

        try:
            wait_ms = int(await self._script()(keys=[host_key(key)], args=[max(1, round(delay * 1000))]))
        except redis.RedisError as error:
            if key not in self._warned:
                self._warned.add(key)
                logger.warning("cannot take %s's shared politeness slot in Redis (%s): waiting", key, error)
            return RETRY_WHEN_AWAY
        return wait_ms / 1000.0

    async def close(self) -> None:
        await super().close()
        if self._client is not None:
            await self._client.aclose()
