"""One report, one identity: the key a report URL is known by.

A portal reaches one report at many URLs: over http and https, at
``www.X.gov.cn`` and ``X.gov.cn``, on another port when it moves (the sample
portal comes up on a new port every run), with tracking parameters added by
whoever shared the link. :func:`url_key` folds those into one key::

    https://www.wendeng.gov.cn:8443/art/2023/1/1/art_1.html?utm_source=wx#top
    http://wendeng.gov.cn/art/2023/1/1/art_1.html
        -> wendeng.gov.cn/art/2023/1/1/art_1.html

The rule, and nothing more (two different reports must never share a key):

* the scheme, the port, user info and the fragment are dropped;
* the host is lower-cased, its trailing dot dropped, a leading ``www.`` dropped;
* the path keeps its case; ``.``/``..`` segments are resolved, repeated slashes
  collapsed, percent-escapes of unreserved characters decoded and the others
  upper-cased, raw non-ASCII escaped; an empty path is ``/``;
* query parameters are kept (``show.asp?id=1`` and ``?id=2`` are two reports),
  sorted, except the noise of :data:`NOISE_PARAMS` (any value),
  :data:`NOISE_PREFIXES` (``utm_*``) and :data:`TIMESTAMP_PARAMS` when their
  value is a cache-buster (an epoch of 9+ digits, or a random fraction ``0.123``).

A host alias is wider than ``www.``: a county's 信息公开 subdomain
(``xxgk.X.gov.cn``, see :data:`ALIAS_LABELS`) is the same site as ``X.gov.cn``
to the crawler (:func:`crawler.links.site_domain`), but often another CMS whose
paths mean other documents. :func:`alias_key` folds it too; the catalogue
takes an alias match for the same report only when the bytes are the same too
(:func:`archive.catalogue.upsert_report`).
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

# Parameters that never select a document: analytics and share tags.
NOISE_PARAMS = frozenset({
    "spm", "from", "isappinstalled", "scene", "clicktime", "enterid", "share_from", "sharefrom",
    "fbclid", "gclid", "msclkid", "wxfrom", "wx_fmt",
})
NOISE_PREFIXES = ("utm_",)
# Cache-busting parameters (?t=1700000000000, ?_=1699999999, ?rnd=0.5372…): dropped
# only when their value is a timestamp or a random fraction (``?t=2`` may be a type).
TIMESTAMP_PARAMS = frozenset({"t", "_", "_t", "ts", "timestamp", "rnd", "random", "rand"})
_CACHE_BUSTER = re.compile(r"\d{9,}|0?\.\d{3,}")
# First host labels that name a portal's disclosure subdomain (xxgk.X.gov.cn ~ X.gov.cn).
ALIAS_LABELS = ("xxgk", "zwgk")

_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
_SAFE_PATH = "/!$&'()*+,;=:@%"  # kept as they are (a '%' left is an escape already upper-cased)


def is_noise_param(name: str, value: str) -> bool:
    """Whether a query parameter is tracking or cache-busting noise (see the module's rule)."""
    name = name.lower()
    if name in NOISE_PARAMS or name.startswith(NOISE_PREFIXES):
        return True
    return name in TIMESTAMP_PARAMS and bool(_CACHE_BUSTER.fullmatch(value.strip()))


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    return host


def _path(path: str) -> str:
    # percent-escapes: unreserved characters decoded, the rest upper-cased, raw non-ASCII escaped
    def escape(match: re.Match) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    path = re.sub(r"%([0-9A-Fa-f]{2})", escape, path)
    path = quote(path, safe=_SAFE_PATH + _UNRESERVED)
    if not path:
        return "/"
    normal = posixpath.normpath(path) if path != "/" else "/"
    if normal.startswith("//"):  # normpath keeps a leading '//'
        normal = "/" + normal.lstrip("/")
    if path.endswith("/") and normal != "/":
        normal += "/"
    return normal


def _query(query: str) -> str:
    kept = [(name, value) for name, value in parse_qsl(query, keep_blank_values=True)
            if not is_noise_param(name, value)]
    return urlencode(sorted(kept))


def url_key(url: str) -> str:
    """The identity key of ``url``: ``host/path[?query]`` by the module's rule."""
    parts = urlsplit(url.strip())
    key = _host(parts.hostname or "") + _path(parts.path)
    query = _query(parts.query)
    return f"{key}?{query}" if query else key


def alias_key(url: str) -> str:
    """:func:`url_key` with a disclosure subdomain (:data:`ALIAS_LABELS`) folded into its site:
    ``xxgk.wendeng.gov.cn/a.htm`` and ``www.wendeng.gov.cn/a.htm`` -> ``wendeng.gov.cn/a.htm``."""
    key = url_key(url)
    host, slash, rest = key.partition("/")
    first, dot, remainder = host.partition(".")
    if first in ALIAS_LABELS and remainder.count(".") >= (2 if remainder.endswith("gov.cn") else 1):
        host = remainder
    return host + slash + rest
