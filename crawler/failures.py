"""What went wrong with a request, as a kind and a message a person can read.

Twisted and Scrapy exceptions often carry no message of their own
(``ResponseDataLossError()``, ``ResponseNeverReceived([...])``): stored as
``f"{type}: {exception}"`` they read ``ResponseDataLossError: ``. Each failure
becomes a ``kind`` (a short word to query by: ``timeout``, ``connection_lost``,
``connection_reset``, ``truncated``, ``dns``, ``tls``, ``refused``, ``too_large``, ``robots``, ``offsite``,
``network``) and a message that says what happened, with the library's own
words when it has any.
"""

from __future__ import annotations

# (exception class name, kind, what it means)
_KNOWN: tuple[tuple[str, str, str], ...] = (
    ("TimeoutError", "timeout", "no answer within the download timeout"),
    ("TCPTimedOutError", "timeout", "the connection timed out"),
    ("UserTimeoutError", "timeout", "no answer within the download timeout"),
    ("DNSLookupError", "dns", "the host name does not resolve"),
    ("ConnectionRefusedError", "refused", "the server refused the connection"),
    ("DownloadConnectionRefusedError", "refused", "the server refused the connection"),
    ("DownloadTimeoutError", "timeout", "no answer within the download timeout"),
    ("CannotResolveHostError", "dns", "the host name does not resolve"),
    ("DownloadFailedError", "network", "the download failed"),
    ("ConnectError", "refused", "the connection could not be made"),
    ("ResponseDataLossError", "connection_lost",
     "the connection closed before the whole body arrived (less than its Content-Length)"),
    ("PotentialDataLoss", "connection_lost", "the body ended without a Content-Length to check it against"),
    ("ConnectionLost", "connection_lost", "the connection was lost mid-answer"),
    ("ConnectionDone", "connection_lost", "the server closed the connection mid-answer"),
    ("ResponseFailed", "connection_lost", "the answer broke off"),
    ("ResponseNeverReceived", "connection_lost", "the connection closed before any answer"),
    ("SSLError", "tls", "the TLS handshake failed"),
    ("Error", "network", "a network error"),
)


def _reasons(exception: BaseException) -> list[str]:
    """The messages inside Twisted's wrapper exceptions (ResponseFailed.reasons …),
    also of the exception a Scrapy one was raised from (ResponseDataLossError's
    cause is Twisted's ResponseFailed: how the connection ended, and the data loss)."""
    out = []
    for holder in (exception, exception.__cause__):
        for reason in getattr(holder, "reasons", None) or []:
            value = getattr(reason, "value", reason)
            out.append(f"{type(value).__name__}: {value}".rstrip(": "))
    return out


def _body_cut_short(inner: list[str]) -> tuple[str, str] | None:
    """A body cut short, told apart by how its connection ended: a TCP reset
    (Twisted's ConnectionLost, "non-clean") or an orderly close before the
    Content-Length was reached (ConnectionDone, "closed cleanly")."""
    names = {reason.split(":", 1)[0] for reason in inner}
    if "ConnectionLost" in names:
        return "connection_reset", "the connection was reset (TCP RST) before the whole body arrived"
    if "ConnectionDone" in names:
        return "truncated", "the server closed the connection before the whole body arrived (less than its Content-Length)"
    return None


def describe(exception: BaseException) -> tuple[str, str]:
    """``(kind, message)`` for a failed request."""
    name = type(exception).__name__
    text = str(exception).strip()
    inner = _reasons(exception)
    joined = " ".join([name, text, *inner]).lower()
    if name == "IgnoreRequest":
        if "robots" in joined:
            return "robots", f"refused by the site's robots.txt ({text})" if text else "refused by robots.txt"
        if "offsite" in joined or "off-site" in joined or "domain" in joined:
            return "offsite", text or "a request to another site, not followed"
        return "ignored", text or "request dropped"
    if "ssl" in joined or "tls" in joined or "handshake" in joined or "certificate" in joined:
        kind, meaning = "tls", "the TLS handshake failed"
    elif "maxsize" in joined or "exceeds" in joined and "size" in joined or "cancelled" in joined and "size" in joined:
        kind, meaning = "too_large", "the body is larger than DOWNLOAD_MAXSIZE"
    elif name == "ResponseDataLossError" and _body_cut_short(inner):
        kind, meaning = _body_cut_short(inner)
    else:
        kind, meaning = next(((k, m) for cls, k, m in _KNOWN if cls == name), ("network", "a network error"))
        if kind == "network":
            for reason in inner:
                reason_name = reason.split(":", 1)[0]
                found = next(((k, m) for cls, k, m in _KNOWN if cls == reason_name), None)
                if found:
                    kind, meaning = found
                    break
    detail = "; ".join(x for x in [text, *inner] if x)
    return kind, f"{name}: {meaning}" + (f" ({detail})" if detail else "")
