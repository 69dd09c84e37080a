"""Items the spiders yield."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ReportItem:
    """A fetched annual report: where it was listed, and the archived body it is."""

    url: str
    list_url: str | None
    list_title: str | None
    sha256: str
    fetch_id: int | None
    content_type: str | None
    declared_encoding: str | None
