"""Anti-bot walls: an answer that is a JavaScript challenge, not the page asked for.

Walls in front of government portals (瑞数 / Riversecurity, 加速乐 / Jiasule,
创宇盾 and the like) answer a client without their cookie with a small page of
scripts -- typically status 412 or 521, sometimes 403 or 202 -- whose code sets
a cookie and reloads. A crawler that does not run JavaScript cannot pass one;
what it can do is say so, instead of filing a "412 error" or retrying.

Told by structure: an error-ish status, a body that is almost all ``<script>``,
with (next to) no text a person would read. Known walls are named by their
markers when present; the structure decides, not the names.
"""

from __future__ import annotations

import re

CHALLENGE_STATUSES = frozenset({202, 403, 412, 418, 429, 503, 521})
MAX_TEXT = 80  # characters of readable text a challenge page may have (a noscript notice)
MAX_BODY = 256 * 1024

_MARKERS = (
    ("$_ts", "瑞数 (Riversecurity)"),
    ("__jsl_clearance", "加速乐 (Jiasule)"),
    ("_jsl_clearance", "加速乐 (Jiasule)"),
    ("yunsuo_session_verify", "云锁 (Yunsuo)"),
    ("cf-chl", "Cloudflare"),
)
_SCRIPT = re.compile(rb"<script\b[^>]*>(.*?)</script\s*>", re.I | re.S)
_TAG = re.compile(rb"<[^>]+>")
_NOSCRIPT = re.compile(rb"<noscript\b[^>]*>.*?</noscript\s*>", re.I | re.S)
_HEAD_STYLE = re.compile(rb"<(style|title)\b[^>]*>.*?</\1\s*>", re.I | re.S)


def challenge(status: int, body: bytes) -> str | None:
    """A message naming the wall if the answer is a JavaScript challenge, else None."""
    if status not in CHALLENGE_STATUSES or not body or len(body) > MAX_BODY:
        return None
    if not _SCRIPT.search(body) and b"<script" not in body.lower():
        return None
    text = _TAG.sub(b" ", _HEAD_STYLE.sub(b" ", _NOSCRIPT.sub(b" ", _SCRIPT.sub(b" ", body))))
    readable = re.sub(rb"\s+", b"", text).decode("utf-8", "replace")
    if len(readable) > MAX_TEXT:
        return None
    name = next((label for marker, label in _MARKERS if marker.encode() in body), None)
    wall = f"an anti-bot wall ({name})" if name else "an anti-bot wall"
    return (f"HTTP {status} with a JavaScript challenge: {wall} answers instead of the page; "
            "it needs a browser that runs its scripts, so it is not retried")
