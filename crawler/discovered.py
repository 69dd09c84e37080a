"""Discovered bodies in a site registry: each body a site, kept current.

A registry file (``crawler/sites.yaml`` or any other) keeps what people wrote
above a marker line; below it, the entries discovery wrote, rewritten by each
discovery (:func:`write_registry`). Re-discovery updates an entry in place
(matched by the page that the tree links, else by name), adds new bodies, and
marks a body of the same root that the tree no longer lists with
``gone_since`` (its entry and its archive stay; ``xxgk crawl --all`` leaves it
out). An entry written by hand wins over a discovered body of the same name
or URL: the discovered one is not written (it is counted as ``by_hand``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from archive.atomic import write_atomically
from crawler.sites import RegistryError, Site, load_sites

MARKER = "# -- discovered by `xxgk sites discover` (rewritten by each discovery: edit above this line) --"
_FIELDS = ("name", "agency", "level", "province", "city", "county", "start_url", "report_column", "family",
           "verified", "source", "discovered_from", "discovery_root", "discover", "discovered", "gone_since", "note")


@dataclass
class Merge:
    """What a discovery changed in a registry."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    by_hand: list[str] = field(default_factory=list)  # found, but the registry has them by hand
    entries: list[dict] = field(default_factory=list)  # the discovered block as written


def node_entry(node, root_url: str, depth: int | None, today: str) -> dict:
    """The registry entry of one body the walk found (a ``discover_bodies`` Node)."""
    placed = node.placed
    region = placed.region if placed else {}
    entry = {
        "name": placed.name if placed else urlsplit(node.url).hostname,
        "agency": placed.name if placed else None,
        "level": placed.level if placed else None,
        "province": region.get("province"),
        "city": region.get("city"),
        "county": region.get("county"),
        "start_url": node.url,
        "report_column": node.column,
        "family": node.family if node.family else "auto",
        "verified": node.problem is None and node.column is not None,
        "source": f"listed as {node.text!r} on {node.listed_on}" if node.listed_on else "the root of a discovery",
        "discovered_from": node.listed_on,
        "discovery_root": root_url,
        "discover": depth if node.parent is None else None,
        "discovered": today,
        "note": node.problem or (None if node.column else "no 年报 column found on its pages"),
    }
    return entry


def _clean(entry: dict) -> dict:
    return {k: entry[k] for k in _FIELDS if entry.get(k) is not None}


def split_registry(text: str) -> tuple[str, list[dict]]:
    """(the text above the marker, the discovered entries below it)."""
    head, marker, tail = text.partition(MARKER)
    if not marker:
        return text, []
    block = yaml.safe_load("sites:\n" + tail) or {}
    return head, list(block.get("sites") or [])


def merge(hand: list[Site], discovered: list[dict], found: list[dict], root_url: str, today: str) -> Merge:
    """The discovered block after a walk from ``root_url`` found ``found``."""
    result = Merge()
    hand_names = {s.name for s in hand}
    hand_urls = {u for s in hand for u in (s.start_url, s.report_column) if u}
    by_url = {e.get("start_url"): i for i, e in enumerate(discovered)}
    by_name = {e.get("name"): i for i, e in enumerate(discovered)}
    entries = [dict(e) for e in discovered]
    seen: set[int] = set()
    names = set(hand_names) | {e.get("name") for e in entries}
    for new in found:
        if new["name"] in hand_names or new["start_url"] in hand_urls:
            result.by_hand.append(new["name"])
            continue
        index = by_url.get(new["start_url"], by_name.get(new["name"]))
        if index is not None and index not in seen:
            old = entries[index]
            if old.get("name") != new["name"] and new["name"] in names:
                new["name"] = old["name"]  # another entry has its new name: keep the one it had
            merged = {**old, **{k: v for k, v in new.items() if v is not None}}
            merged["gone_since"] = None
            for k in ("note", "report_column", "discovered_from"):  # what the tree says now
                merged[k] = new.get(k)
            if _clean(merged) != _clean({**old, "discovered": today}):
                result.updated.append(merged["name"])
            entries[index] = merged
            seen.add(index)
            continue
        if new["name"] in names:  # two bodies of one name (a 县教育局 of two counties can't be: qualified)
            new["name"] = f"{new['name']} ({urlsplit(new['start_url']).netloc}{urlsplit(new['start_url']).path})"
        names.add(new["name"])
        entries.append(new)
        seen.add(len(entries) - 1)
        result.new.append(new["name"])
    for index, entry in enumerate(entries):
        if index not in seen and entry.get("discovery_root") == root_url and not entry.get("gone_since"):
            entry["gone_since"] = today
            result.gone.append(entry["name"])
    result.entries = [_clean(e) for e in entries]
    return result


def write_registry(path: str | Path, found: list[dict], root_url: str, today: str | None = None) -> Merge:
    """Merge ``found`` (entries of one walk from ``root_url``) into the registry
    at ``path`` (created if missing); the text above the marker is kept as is."""
    path = Path(path)
    today = today or date.today().isoformat()
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise RegistryError(f"{path}: cannot read the site registry: {error}") from None
    else:
        text = ""
    head, discovered = split_registry(text)
    if not head.strip():
        head = "# Site registry (see crawler/sites.py).\nsites:\n"
    hand = _hand_sites(path, head)
    result = merge(hand, discovered, found, root_url, today)
    block = yaml.safe_dump(result.entries, allow_unicode=True, sort_keys=False, width=200) if result.entries else ""
    body = "".join("  " + line if line.strip() else line for line in block.splitlines(keepends=True))
    new_text = head.rstrip("\n") + "\n" + MARKER + "\n" + body
    _check(path, new_text, len(hand) + len(result.entries))
    write_atomically(path, new_text.encode("utf-8"))
    return result


def _hand_sites(path: Path, head: str) -> list[Site]:
    data = yaml.safe_load(head) if head.strip() else None
    if data is None or (isinstance(data, dict) and data.get("sites") is None):
        return []
    check = path.with_name(path.name + ".check")
    try:
        check.write_text(head, encoding="utf-8")
        return load_sites(check)
    except RegistryError as error:
        raise RegistryError(str(error).replace(str(check), str(path))) from None
    finally:
        check.unlink(missing_ok=True)


def _check(path: Path, text: str, expected: int) -> None:
    """The registry as it would be written must read back whole (a ``sites:``
    list in block style, the discovered entries appended to it)."""
    if expected == 0:
        return
    check = path.with_name(path.name + ".check")
    try:
        check.write_text(text, encoding="utf-8")
        sites = load_sites(check)
    except RegistryError as error:
        raise RegistryError(f"{path}: discovered sites cannot be added to this registry "
                            f"(its `sites:` must be a block list): {str(error).replace(str(check), str(path))}") from None
    finally:
        check.unlink(missing_ok=True)
    if len(sites) != expected:
        raise RegistryError(f"{path}: discovered sites cannot be added to this registry (its `sites:` must be the "
                            f"last key, a block list): {len(sites)} entries read back, {expected} written")
