"""Downloader middlewares: archive every response, retry with backoff."""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from archive import encoding
from archive.blobs import BlobStore
from archive.catalogue import open_db, record_fetch

logger = logging.getLogger(__name__)

_TEXT_TYPES = ("text/", "html", "xml", "json", "javascript")


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class ArchiveMiddleware:
    """Store every response body in the content-addressed archive and log the fetch.

    Runs after decompression and before retries and error filtering, so error
    pages and responses that will be retried are kept too. The fetch id and
    body digest travel on in ``response.meta`` (``xxgk_fetch_id``, ``xxgk_sha256``).
    """

    def __init__(self, db_path: str, archive_dir: str):
        self.db = open_db(db_path)
        self.blobs = BlobStore(archive_dir)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.get("XXGK_DB"), settings.get("XXGK_ARCHIVE"))

    def process_response(self, request: Request, response: Response) -> Response:
        body = response.body
        sha256, _ = self.blobs.put(body)
        content_type = _header(response, "Content-Type")
        declared = detected = None
        if content_type is None or any(t in content_type.lower() for t in _TEXT_TYPES):
            declared = encoding.declared_encoding(content_type, body)
            detected = encoding.detect_encoding(body)
        redirects = request.meta.get("redirect_urls") or []
        fetch_id = record_fetch(
            self.db,
            url=redirects[0] if redirects else request.url,
            final_url=response.url,
            method=request.method,
            status=response.status,
            content_type=content_type,
            declared_encoding=declared,
            detected_encoding=detected,
            sha256=sha256,
            size=len(body),
            referer=(request.headers.get("Referer") or b"").decode("latin-1") or None,
        )
        request.meta["xxgk_fetch_id"] = fetch_id
        request.meta["xxgk_sha256"] = sha256
        request.meta["xxgk_declared_encoding"] = declared
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        record_fetch(
            self.db,
            url=request.url,
            final_url=None,
            method=request.method,
            status=None,
            error=f"{type(exception).__name__}: {exception}",
        )
        return None


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
