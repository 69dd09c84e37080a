"""The canonical metric vocabulary (``parse/metrics.yaml``).

``parse/metrics.yaml`` is a verbatim copy of the project spec
(``spec/metrics.yaml``), shipped inside the package so that the parser is
self-contained.

Valid keys (:func:`known_keys`): every metric key, except that the table-三
families -- ``requests.new``, ``requests.carried_over``,
``requests.carried_forward`` and every ``outcome.*`` key -- are only valid with an
applicant-column suffix (``requests.new.total``, ``outcome.withheld.state_secret.
natural_person``). The vocabulary's header says so: "A key ending in an applicant
column … comes from table 三 of the templates", the requests block "each takes an
applicant column suffix", and legacy figures map onto the same keys
(收到申请数 → ``requests.new.total``). A bare family key is never emitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

VOCABULARY_PATH = Path(__file__).with_name("metrics.yaml")

# Metric keys that take an applicant-column suffix (table 三 of the templates).
FAMILY_KEYS = ("requests.new", "requests.carried_over", "requests.carried_forward")
FAMILY_PREFIXES = ("outcome.",)
KNOWN_ERAS = ("legacy-text", "legacy-table", "2019-template", "2021-template")


@dataclass(frozen=True)
class MetricSpec:
    key: str
    labels: tuple[str, ...]
    unit: str | None
    era: str | None = None
    note: str | None = None
    takes_applicant_column: bool = False


@dataclass(frozen=True)
class Vocabulary:
    metrics: dict[str, MetricSpec]
    applicant_columns: dict[str, tuple[str, ...]]
    _known: frozenset[str] = field(default=frozenset(), repr=False)

    def known_keys(self) -> frozenset[str]:
        return self._known

    def is_known(self, key: str) -> bool:
        return key in self._known

    def spec(self, key: str) -> MetricSpec | None:
        """The spec of a key, also for suffixed keys (``requests.new.total`` →
        ``requests.new``)."""
        if key in self.metrics and not self.metrics[key].takes_applicant_column:
            return self.metrics[key]
        base, _, suffix = key.rpartition(".")
        spec = self.metrics.get(base)
        if spec is not None and spec.takes_applicant_column and suffix in self.applicant_columns:
            return spec
        return None

    def unit(self, key: str) -> str | None:
        spec = self.spec(key)
        return spec.unit if spec else None

    def family_keys(self) -> list[str]:
        return [k for k, s in self.metrics.items() if s.takes_applicant_column]


def takes_applicant_column(key: str) -> bool:
    return key in FAMILY_KEYS or key.startswith(FAMILY_PREFIXES)


def _as_tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


@lru_cache(maxsize=4)
def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Load and check the vocabulary (cached).

    Unknown attributes of a metric are ignored: the spec writes some notes in
    YAML flow style with unquoted commas, which YAML splits into stray keys."""
    path = Path(path) if path else VOCABULARY_PATH
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "metrics" not in data:
        raise ValueError(f"{path}: not a metrics vocabulary (no 'metrics' mapping)")
    columns = {str(k): _as_tuple(v) for k, v in (data.get("applicant_columns") or {}).items()}
    metrics: dict[str, MetricSpec] = {}
    for key, raw in data["metrics"].items():
        raw = raw or {}
        era = raw.get("era")
        if era is not None and era not in KNOWN_ERAS:
            raise ValueError(f"{path}: metric {key} has unknown era {era!r}")
        note = raw.get("note")
        metrics[str(key)] = MetricSpec(
            key=str(key),
            labels=_as_tuple(raw.get("labels")),
            unit=raw.get("unit"),
            era=era,
            note=str(note) if note is not None else None,
            takes_applicant_column=takes_applicant_column(str(key)),
        )
    for family in FAMILY_KEYS:
        if family not in metrics:
            raise ValueError(f"{path}: table-三 family {family} missing")
    known: set[str] = set()
    for key, spec in metrics.items():
        if spec.takes_applicant_column:
            known.update(f"{key}.{col}" for col in columns)
        else:
            known.add(key)
    return Vocabulary(metrics=metrics, applicant_columns=columns, _known=frozenset(known))


def known_keys() -> frozenset[str]:
    """Every valid metric key (table-三 families expanded with applicant columns)."""
    return load_vocabulary().known_keys()
