"""Downloader middlewares: archive every exchange, conditional requests, retry with backoff."""

from __future__ import annotations

import logging
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from http import HTTPStatus
from pathlib import Path

from scrapy import signals
from scrapy.responsetypes import responsetypes

from archive import encoding
from archive.blobs import BlobStore
from archive.catalogue import open_db, record_fetch
from archive.warc import WarcArchive
from crawler import antibot
from crawler.archive_writer import ArchiveWriter
from crawler.failures import describe

logger = logging.getLogger(__name__)

_TEXT_TYPES = ("text/", "html", "xml", "json", "javascript")


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _headers(headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


class ArchiveMiddleware:
    """Keep every exchange: the body in the content-addressed store, a ``fetches``
    row in the catalogue, and the request/response pair in the WARC files.

    Runs after decompression and before redirects, retries and error filtering,
    so redirects (each hop a row of its own, ``kind = 'redirect'``), error pages
    and responses that will be retried are kept too. Failures without a response
    get a row with what went wrong (:mod:`crawler.failures`). The body is stored,
    then the WARC records are written and flushed, then the catalogue row, in
    one transaction: a crawl killed at any moment leaves no row pointing at a
    missing body or WARC record (a rerun fetches what has no row; a WARC file
    may then hold an exchange twice, which WARC readers expect). The writes are
    the process's archive writer's (:mod:`crawler.archive_writer`: a thread,
    commits in groups); the response goes on only once they are committed. The
    fetch id and body digest travel on in ``request.meta`` (``xxgk_fetch_id``,
    ``xxgk_sha256``).
    """

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.writer = ArchiveWriter.acquire(settings.get("XXGK_DB"))
        self.blobs = BlobStore(settings.get("XXGK_ARCHIVE"))
        warc_dir = settings.get("XXGK_WARC") or str(Path(settings.get("XXGK_ARCHIVE")) / "warc")
        self.warc = WarcArchive(warc_dir, max_bytes=settings.getint("XXGK_WARC_MAX_BYTES", 256 * 1024 * 1024),
                                gzip_level=settings.getint("XXGK_WARC_GZIP_LEVEL", 6),
                                recover_leftovers=settings.getbool("XXGK_WARC_RECOVER", True))
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_closed(self):
        try:
            self.writer.run_now(self.warc.close)  # after this crawler's writes still queued
        finally:
            self.writer.release()

    def _run_id(self):
        return self.crawler.stats.get_value("xxgk/crawl_run_id")

    async def process_response(self, request: Request, response: Response) -> Response:
        body = response.body
        # A 304 and the answer to a HEAD have no body by definition: nothing to store
        # (the archived version stands; a check's answer is its status and headers).
        store = not ((response.status == 304 or request.method == "HEAD") and not body)
        content_type = _header(response, "Content-Type")
        text = content_type is None or any(t in content_type.lower() for t in _TEXT_TYPES)
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        exchange = dict(
            url=response.url,
            method=request.method,
            request_headers=_headers(request.headers),
            request_body=request.body or b"",
            status=response.status,
            reason=reason,
            response_headers=_headers(response.headers),
            body=body,
            ip=str(response.ip_address) if response.ip_address else None,
        )
        redirects = request.meta.get("redirect_urls") or []
        location = _header(response, "Location")
        note = None
        if 300 <= response.status < 400 and response.status != 304:
            # one hop of a redirect: its own row (the redirect middleware runs after this one)
            kind, url, final_url = "redirect", request.url, urljoin(request.url, location) if location else None
            note = self._redirect_end(request, final_url)
        else:
            kind = request.meta.get("xxgk_kind") or ("http_error" if response.status >= 400 else None)
            url, final_url = (redirects[0] if redirects else request.url), response.url
            if response.status >= 400 and (note := antibot.challenge(response.status, body)):
                kind = "anti_bot"
                self.crawler.stats.inc_value("xxgk/anti_bot")
        row = dict(
            url=url,
            final_url=final_url,
            kind=kind,
            attempt=request.meta.get("retry_times", 0) + 1,
            method=request.method,
            status=response.status,
            content_type=content_type,
            size=len(body),
            referer=(request.headers.get("Referer") or b"").decode("latin-1") or None,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            crawl_run_id=self._run_id(),
            error=note,
        )

        def files():  # on the writer thread: the body, then its WARC records
            sha256 = self.blobs.put(body)[0] if store else None
            declared = detected = None
            if text:
                declared = encoding.declared_encoding(content_type, body)
                detected = encoding.detect_encoding(body)
            self.warc.write_exchange(**exchange, sha256=sha256 or "")
            return sha256, declared, detected

        def rows(db, staged):  # then its row
            sha256, declared, detected = staged
            fetch_id = record_fetch(db, **row, declared_encoding=declared, detected_encoding=detected, sha256=sha256)
            return fetch_id, sha256, declared

        fetch_id, sha256, declared = await self.writer.write(files, rows)
        request.meta["xxgk_fetch_id"] = fetch_id
        request.meta["xxgk_sha256"] = sha256
        request.meta["xxgk_declared_encoding"] = declared
        return response

    def _redirect_end(self, request: Request, target: str | None) -> str | None:
        """Why a redirect hop is where its chain ends, or None if it is followed on:
        no Location, a loop (the target already visited in this chain: the
        duplicate filter drops it), more hops than REDIRECT_MAX_TIMES, another site."""
        if not target:
            return "a redirect without a Location header: nowhere to go"
        chain = [*(request.meta.get("redirect_urls") or []), request.url]
        if target in chain:
            return (f"redirect loop: {target} was already visited in this chain of {len(chain)} "
                    f"redirect(s) ({' -> '.join(chain)}); not followed")
        limit = self.crawler.settings.getint("REDIRECT_MAX_TIMES", 20)
        if request.meta.get("redirect_times", 0) + 1 > limit:
            return (f"more than REDIRECT_MAX_TIMES ({limit}) redirects in a row from {chain[0]}; "
                    f"the chain is given up here, {target} not fetched")
        on_site = getattr(self.crawler.spider, "is_on_site", None)
        if on_site is not None and not request.meta.get("allow_offsite") and not on_site(target):
            return f"a redirect to another site ({urlsplit(target).hostname}): not followed"
        return None

    async def process_exception(self, request: Request, exception: Exception) -> None:
        kind, message = describe(exception)
        row = dict(
            url=request.url,
            final_url=None,
            method=request.method,
            status=None,
            error=message,
            kind=kind,
            attempt=request.meta.get("retry_times", 0) + 1,
            crawl_run_id=self._run_id(),
        )
        await self.writer.write(rows=lambda db, _: record_fetch(db, **row))
        self.crawler.stats.inc_value("xxgk/fetch_errors")
        return None


class ConditionalRequestMiddleware:
    """Ask servers whether a page changed since it was archived (ETag / Last-Modified).

    A ``304 Not Modified`` is answered from the archive: the spider sees the
    archived body of the last full fetch of that URL, as if it had been sent
    again, so an unchanged list page still yields its entries.
    """

    def __init__(self, crawler):
        self.db = open_db(crawler.settings.get("XXGK_DB"))
        self.blobs = BlobStore(crawler.settings.get("XXGK_ARCHIVE"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.method != "GET" or request.meta.get("xxgk_unconditional"):
            return None
        row = self.db.execute(
            "SELECT sha256, etag, last_modified, content_type FROM fetches "
            "WHERE url = ? AND status = 200 AND coalesce(method, 'GET') = 'GET' "  # a HEAD check's answer has no body
            "AND (etag IS NOT NULL OR last_modified IS NOT NULL) "
            "ORDER BY id DESC LIMIT 1",
            [request.url],
        ).fetchone()
        if row is None or row[0] not in self.blobs:
            return None
        sha256, etag, last_modified, content_type = row
        if etag:
            request.headers["If-None-Match"] = etag
        if last_modified:
            request.headers["If-Modified-Since"] = last_modified
        request.meta["xxgk_cached"] = (sha256, content_type)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        cached = request.meta.get("xxgk_cached")
        if response.status != 304 or not cached:
            return response
        sha256, content_type = cached
        body = self.blobs.get(sha256)
        headers = response.headers.copy()
        if content_type:
            headers["Content-Type"] = content_type
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        request.meta["xxgk_sha256"] = sha256
        request.meta["xxgk_not_modified"] = True
        return cls(url=response.url, status=200, headers=headers, body=body, request=request)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, waiting before each retry.

    The wait doubles with each attempt (RETRY_BACKOFF_BASE, 2x, 4x, ... capped
    at RETRY_BACKOFF_MAX) and honours a server's ``Retry-After`` in seconds.
    Only the retried request waits; other requests go on.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def _delay(self, request: Request, response: Response | None = None) -> float:
        attempt = request.meta.get("retry_times", 0)
        delay = self.backoff_base * (2**attempt)
        if response is not None:
            retry_after = _header(response, "Retry-After")
            if retry_after and retry_after.strip().isdigit():
                delay = max(delay, float(retry_after))
        return min(delay, self.backoff_max)

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            from twisted.internet import reactor  # the one Scrapy installed

            await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))

    async def process_response(self, request: Request, response: Response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        await self._wait(self._delay(request, response))
        return retry

    async def process_exception(self, request: Request, exception: Exception):
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(self._delay(request))
        return retry
