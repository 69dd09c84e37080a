"""The benchmark corpus: varied annual reports built like the gold set's
generated documents (``tests/gold/docgen.py``), TEST DATA.

Each report is drawn at random -- era (2019 / 2021 template, legacy 附表 long or
short, legacy prose), county, invented body, year, publication date, the
document's messiness (quirks) and all its figures -- and rendered as HTML (three
page chromes) or PDF. A fixed seed makes the corpus the same on every run.

    from corpus import generate
    for item in generate(1000, "html"):
        item.filename, item.data, item.gold   # gold: the .gold.yaml record
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "gold"))

import docgen  # noqa: E402

FORMS = ("html", "pdf")
DEFAULT_SEED = 20240601


@dataclass
class Item:
    filename: str
    data: bytes
    gold: dict
    kind: str  # the document's era (gold format)


def generate(n: int, form: str, seed: int = DEFAULT_SEED) -> Iterator[Item]:
    """``n`` reports in ``form`` ('html' or 'pdf'), deterministic for a seed."""
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}")
    for doc in docgen.iter_corpus(n, form, seed):
        yield Item(doc.filename, docgen.render(doc), doc.gold(), doc.era)


def write(folder: Path, items: list[Item]) -> None:
    """Write a corpus as a gold-set folder (documents + NAME.gold.yaml), so that
    ``xxgk eval FOLDER`` can score it."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    for item in items:
        (folder / item.filename).write_bytes(item.data)
        stem = item.filename.rsplit(".", 1)[0]
        (folder / f"{stem}.gold.yaml").write_text(
            yaml.safe_dump(item.gold, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
