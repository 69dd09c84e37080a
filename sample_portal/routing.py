"""The small request/response/route-table layer between the HTTP server and
the CMS-family modules.

A family module (``families/trs.py``; later e.g. a Hanweb family with
``dataproxy.jsp`` POST endpoints or a JSON-API list) builds a
:class:`RouteTable` mapping paths to handlers.  A handler takes a
:class:`Request` and returns a :class:`Response`.  The server does the HTTP
plumbing common to all families: HEAD, Content-Length, ETag/Last-Modified,
conditional requests, 404/405/500 pages.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from typing import Callable, Iterable

GET_HEAD = frozenset({"GET", "HEAD"})


@dataclass
class Request:
    method: str
    path: str  # percent-decoded, normalised path (no query)
    raw_path: str  # the request target as sent
    query: str
    headers: Message
    body: bytes
    base_url: str  # scheme://host[:port] the client used (no trailing slash)
    version: int = 0  # how often the resource was bumped (``server.bump_version``)

    def params(self) -> dict[str, str]:
        """Query and (form-encoded) body parameters, first value wins, as a
        JSP's ``request.getParameter`` sees them."""
        from urllib.parse import parse_qsl

        out: dict[str, str] = {}
        ctype = self.headers.get("Content-Type", "") if self.headers is not None else ""
        sources = [self.query]
        if self.body and "json" not in ctype:
            sources.append(self.body.decode("utf-8", "replace"))
        for src in sources:
            for k, v in parse_qsl(src, keep_blank_values=True):
                out.setdefault(k, v)
        return out


@dataclass(frozen=True)
class Delivery:
    """How the server puts a response's body on the wire when it is not simply
    written whole -- the socket-level faults of the ``hostile`` family (no other
    family sets one).  The headers always announce the whole body
    (``Content-Length: len(body)``):

    ``drip``      the body trickles out in ``chunks`` pieces over ``seconds``;
    ``truncate``  only the first ``cut`` share of the body is sent, then (after
                  ``pause`` seconds) the connection is closed cleanly (FIN):
                  fewer bytes than announced;
    ``reset``     the first ``cut`` share is sent, then (after ``pause``
                  seconds, so the client has read them) the connection is
                  aborted (RST, ``SO_LINGER`` 0) mid-body.
    """

    kind: str
    seconds: float = 0.0
    chunks: int = 1
    cut: float = 0.5
    pause: float = 0.2

    def __post_init__(self) -> None:
        if self.kind not in ("drip", "truncate", "reset"):
            raise ValueError(f"unknown delivery {self.kind!r}")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None  # tz-aware
    etag: str | None = None  # computed from the body when None
    cacheable: bool = True  # send ETag/Last-Modified and honour conditionals
    versioned: bool = False  # the handler applied ``Request.version`` itself
    delivery: Delivery | None = None  # None: the body is written whole (every family but ``hostile``)


Handler = Callable[[Request], Response]


@dataclass
class Route:
    handler: Handler
    methods: frozenset[str] = GET_HEAD


class RouteTable:
    """Exact paths plus path prefixes (longest prefix wins)."""

    def __init__(self) -> None:
        self.exact: dict[str, Route] = {}
        self.prefixes: list[tuple[str, Route]] = []
        self.not_found: Handler | None = None  # family-specific 404 page
        # Bytes the server answers a connection that opens with a TLS ClientHello
        # with (then it closes it): an https:// link to this plain-HTTP port fails
        # its handshake at once.  None (every family but ``hostile``): such a
        # connection is read as HTTP, as any other.
        self.tls_answer: bytes | None = None

    def add(self, path: str, handler: Handler, methods: Iterable[str] = GET_HEAD) -> None:
        if path in self.exact:
            raise ValueError(f"duplicate route {path}")
        self.exact[path] = Route(handler, frozenset(methods) | ({"HEAD"} if "GET" in methods else set()))

    def add_prefix(self, prefix: str, handler: Handler, methods: Iterable[str] = GET_HEAD) -> None:
        self.prefixes.append((prefix, Route(handler, frozenset(methods))))
        self.prefixes.sort(key=lambda p: len(p[0]), reverse=True)

    def mount(self, other: "RouteTable") -> None:
        """Merge another family's routes into this table."""
        for path, route in other.exact.items():
            if path in self.exact:
                raise ValueError(f"duplicate route {path}")
            self.exact[path] = route
        for prefix, route in other.prefixes:
            self.add_prefix(prefix, route.handler, route.methods)
        self.not_found = self.not_found or other.not_found
        self.tls_answer = self.tls_answer if self.tls_answer is not None else other.tls_answer

    def resolve(self, path: str) -> Route | None:
        route = self.exact.get(path)
        if route is not None:
            return route
        for prefix, route in self.prefixes:
            if path.startswith(prefix):
                return route
        return None

    def __contains__(self, path: str) -> bool:
        return self.resolve(path) is not None

    def paths(self) -> list[str]:
        return sorted(self.exact)


class PerHostCache:
    """Rendered bodies keyed by base URL (pages with absolute links differ by
    the host the client used)."""

    def __init__(self, render: Callable[[str], bytes], max_entries: int = 16):
        self._render = render
        self._cache: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def __call__(self, base_url: str) -> bytes:
        with self._lock:
            body = self._cache.get(base_url)
        if body is None:
            body = self._render(base_url)
            with self._lock:
                if len(self._cache) >= self._max:
                    self._cache.clear()
                self._cache[base_url] = body
        return body
