"""The Redis keys of one site's distributed crawl, and the atomic steps on them.

scrapy-redis keeps the queue (a sorted set of serialized requests, scored by
priority) and the duplicate filter (a set of request fingerprints) in Redis.
Its filter marks a request seen when it is *queued*: a request a worker has
taken off the queue and not finished when it dies would be lost for good (it
will never be queued again). So a request is never just popped here: it is
moved, in one Lua script, from the queue into the worker's *in-flight* hash,
and the worker deletes it from there only once everything that request led to
is safe (its items written to the worker's catalogue, the requests it yielded
queued in Redis; see :mod:`crawler.distributed.scheduler`). Each worker keeps
a heartbeat key with a time to live; any worker that finds a worker's
heartbeat gone moves that worker's in-flight requests back onto the queue (one
script: no two workers recover the same requests).

Since a request is always in the queue or in some worker's in-flight hash
until it is done, the crawl is over exactly when the queue and every in-flight
hash are empty (:meth:`CrawlState.outstanding`, one script, so one consistent
look): then the workers stop, and the crawl's keys expire a while later.

Keys (``P`` is ``xxgk:<crawl>:<site>``)::

    P:queue         sorted set   scrapy-redis's request queue
    P:seen          set          scrapy-redis's duplicate filter
    P:seeded        string       set once, by the worker that queued the start request
    P:probe         string       the site's answer to a missing page (soft 404s), as JSON
    P:answered      string       set when any worker got any answer from the site
    P:workers       set          worker ids that joined the crawl (a dead one's taken out when recovered)
    P:members       set          names of every worker that took part (xxgk merge waits for all their runs)
    P:units         counter      ids of popped requests
    P:list_pages    counter      list pages (and list API calls) the workers sent (XXGK_MAX_LIST_PAGES)
    P:inflight:<id> hash         unit id -> "<score>|<serialized request>"
    P:alive:<id>    string       the heartbeat, with a time to live
"""

from __future__ import annotations

import json

import redis

_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
local unit = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], unit, found[2] .. '|' .. found[1])
return {unit, found[1]}
"""

_TAKE = """
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
return 1
"""

_SEED = """
if redis.call('SET', KEYS[1], ARGV[3], 'NX') then
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
  return 1
end
return 0
"""

_REQUEUE = """
-- KEYS[1] the queue; ARGV[1] the key prefix; ARGV[2..] worker ids; ARGV[2] = '*': every dead worker
local prefix = ARGV[1]
local workers = {}
if ARGV[2] == '*' then
  for _, id in ipairs(redis.call('SMEMBERS', prefix .. ':workers')) do
    if redis.call('EXISTS', prefix .. ':alive:' .. id) == 0 then table.insert(workers, id) end
  end
else
  for i = 2, #ARGV do table.insert(workers, ARGV[i]) end
end
local moved = 0
for _, id in ipairs(workers) do
  local held = redis.call('HGETALL', prefix .. ':inflight:' .. id)
  for i = 2, #held, 2 do
    local entry = held[i]
    local bar = string.find(entry, '|', 1, true)
    redis.call('ZADD', KEYS[1], tonumber(string.sub(entry, 1, bar - 1)), string.sub(entry, bar + 1))
    moved = moved + 1
  end
  redis.call('DEL', prefix .. ':inflight:' .. id)
  redis.call('SREM', prefix .. ':workers', id)
end
return moved
"""

_OUTSTANDING = """
local prefix = ARGV[1]
local total = redis.call('ZCARD', KEYS[1])
for _, id in ipairs(redis.call('SMEMBERS', prefix .. ':workers')) do
  total = total + redis.call('HLEN', prefix .. ':inflight:' .. id)
end
return total
"""

_BEAT = """
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
"""


def key_prefix(crawl: str, site: str) -> str:
    """``xxgk:<crawl>:<site>``; ``%`` is replaced (scrapy-redis formats its keys with ``%``)."""
    return f"xxgk:{crawl}:{site}".replace("%", "_")


class CrawlState:
    """One site's crawl in Redis, as one worker sees it."""

    def __init__(self, server: redis.Redis, prefix: str, worker_id: str | None = None):
        self.server = server
        self.prefix = prefix
        self.worker_id = worker_id
        self._pop = server.register_script(_POP)
        self._seed = server.register_script(_SEED)
        self._requeue = server.register_script(_REQUEUE)
        self._outstanding = server.register_script(_OUTSTANDING)
        self._beat = server.register_script(_BEAT)

    # -- keys ---------------------------------------------------------------------

    @property
    def queue_key(self) -> str:
        return f"{self.prefix}:queue"

    @property
    def seen_key(self) -> str:
        return f"{self.prefix}:seen"

    def _inflight(self, worker_id: str) -> str:
        return f"{self.prefix}:inflight:{worker_id}"

    def _alive(self, worker_id: str) -> str:
        return f"{self.prefix}:alive:{worker_id}"

    # -- the steps ------------------------------------------------------------------

    def seed(self, data: bytes, score: float) -> bool:
        """Queue the start request unless a worker did already; whether this one did."""
        return bool(self._seed(keys=[f"{self.prefix}:seeded", self.queue_key],
                               args=[score, data, self.worker_id or "-"]))

    def pop(self) -> tuple[str, bytes] | None:
        """The next request (unit id, serialized), moved into this worker's in-flight hash."""
        found = self._pop(keys=[self.queue_key, self._inflight(self.worker_id), f"{self.prefix}:units"])
        if not found:
            return None
        unit, data = found
        return (unit.decode() if isinstance(unit, bytes) else str(unit)), data

    def release(self, units) -> None:
        """Requests of this worker that are done (what they led to is safe)."""
        units = list(units)
        if units:
            self.server.hdel(self._inflight(self.worker_id), *units)

    def beat(self, ttl: float) -> None:
        """This worker is alive for ``ttl`` seconds more (and a member of the crawl)."""
        self._beat(keys=[f"{self.prefix}:workers", self._alive(self.worker_id)],
                   args=[self.worker_id, "alive", max(1, int(round(ttl)))])

    def recover_dead(self) -> int:
        """Move the in-flight requests of every worker whose heartbeat is gone back
        onto the queue; how many."""
        return int(self._requeue(keys=[self.queue_key], args=[self.prefix, "*"]))

    def give_back(self) -> int:
        """This worker leaves: its in-flight requests (none, after a finished crawl)
        go back onto the queue, its keys are removed."""
        moved = int(self._requeue(keys=[self.queue_key], args=[self.prefix, self.worker_id]))
        self.server.delete(self._alive(self.worker_id))
        return moved

    def outstanding(self) -> int:
        """Requests queued or in flight on any worker (dead ones included): 0 when the crawl is done."""
        return int(self._outstanding(keys=[self.queue_key], args=[self.prefix]))

    def queued(self) -> int:
        return int(self.server.zcard(self.queue_key))

    def in_flight(self) -> int:
        """Requests this worker holds."""
        return int(self.server.hlen(self._inflight(self.worker_id)))

    def join(self, name: str) -> None:
        """This worker takes part under ``name`` (after its run has recorded the crawl)."""
        self.server.sadd(f"{self.prefix}:members", name)

    def members(self) -> set[str]:
        """The names of every worker that took part (dead and departed ones too)."""
        return {w.decode() if isinstance(w, bytes) else w for w in self.server.smembers(f"{self.prefix}:members")}

    def seeder(self) -> str | None:
        """The id of the worker that queued the start request: with the crawl's name,
        this crawl's identity (the next crawl of the name is seeded anew)."""
        raw = self.server.get(f"{self.prefix}:seeded")
        return raw.decode() if isinstance(raw, bytes) else raw

    def workers(self) -> set[str]:
        return {w.decode() if isinstance(w, bytes) else w for w in self.server.smembers(f"{self.prefix}:workers")}

    def finished(self, keep_seconds: int) -> None:
        """The crawl is done: its keys expire after ``keep_seconds`` (a worker started
        meanwhile finds it done; one started later begins the next crawl)."""
        for suffix in ("queue", "seen", "seeded", "probe", "answered", "workers", "members", "units", "list_pages"):
            self.server.expire(f"{self.prefix}:{suffix}", max(1, keep_seconds))

    # -- the site's budgets, one for all workers ---------------------------------------

    def list_pages(self) -> int:
        """List pages (and list API calls) the workers have sent so far."""
        return int(self.server.get(f"{self.prefix}:list_pages") or 0)

    def take_list_page(self, limit: int) -> bool:
        """Count one more list page against the site's budget of ``limit``, unless
        it is spent (one script: two workers never both take the last one)."""
        return bool(self.server.eval(_TAKE, 1, f"{self.prefix}:list_pages", limit))

    def mark_answered(self) -> None:
        self.server.set(f"{self.prefix}:answered", self.worker_id or "-")

    def answered(self) -> bool:
        """Whether any worker got an answer from the site (else it could not be crawled)."""
        return bool(self.server.exists(f"{self.prefix}:answered"))

    # -- what the site answers a missing page with (crawler.soft404) ------------------

    def share_probe(self, text: str | None) -> None:
        self.server.set(f"{self.prefix}:probe", json.dumps({"text": text}, ensure_ascii=False))

    def probe(self) -> tuple[bool, str | None]:
        """``(known, text)``: whether the probe was answered yet, and its text."""
        raw = self.server.get(f"{self.prefix}:probe")
        if raw is None:
            return False, None
        return True, json.loads(raw)["text"]
