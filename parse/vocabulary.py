"""The canonical metric vocabulary (``parse/metrics.yaml``).

``parse/metrics.yaml`` is a verbatim copy of the project spec
(``spec/metrics.yaml``), shipped inside the package so that the parser is
self-contained. Beside it, ``parse/plausible.yaml`` is the project's own: the
range a figure of one report can fall in (:meth:`Vocabulary.plausible`), so that
a misread or absurd figure is flagged instead of published as certain
(:mod:`parse.figures.plausibility`). It is a file of its own so that the
vocabulary stays a verbatim copy of the spec.

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

from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

import yaml

VOCABULARY_PATH = Path(__file__).with_name("metrics.yaml")
# The plausible ranges are read from this file beside the vocabulary file.
PLAUSIBLE_NAME = "plausible.yaml"
PLAUSIBLE_PATH = VOCABULARY_PATH.with_name(PLAUSIBLE_NAME)

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


Range = tuple[float, float]


@dataclass(frozen=True)
class Vocabulary:
    metrics: dict[str, MetricSpec]
    applicant_columns: dict[str, tuple[str, ...]]
    _known: frozenset[str] = field(default=frozenset(), repr=False)
    # every known key's plausible range, resolved once at load (see _plausible_ranges)
    _plausible: dict[str, Range] = field(default_factory=dict, repr=False)

    def plausible(self, key: str) -> Range | None:
        """The inclusive ``(low, high)`` range a figure of ``key`` can fall in, or
        None for a key the vocabulary gives no range (or does not know)."""
        return self._plausible.get(key)

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


def _range(raw, where: str) -> Range:
    if (not isinstance(raw, (list, tuple)) or len(raw) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw)
            or raw[0] > raw[1]):
        raise ValueError(f"{where}: a plausible range is [low, high] with low <= high, not {raw!r}")
    return (raw[0], raw[1])


def _plausible_ranges(path: Path, vocab: Vocabulary) -> dict[str, Range]:
    """Every known key's range from ``plausible.yaml`` (``path``; none if the
    file is absent): the first matching pattern of ``keys``, else its unit's
    default of ``units``. Resolved at load so that a lookup is one dict access,
    and checked so that a typo (a pattern that matches no key, a unit no metric
    has) fails loudly instead of silently leaving figures unchecked."""
    if not path.is_file():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict) or set(raw) - {"units", "keys"}:
        raise ValueError(f"{path}: plausible ranges take 'units' and 'keys' only")
    units = {str(u): _range(r, f"{path}: units.{u}") for u, r in (raw.get("units") or {}).items()}
    patterns = [(str(p), _range(r, f"{path}: keys.{p}")) for p, r in (raw.get("keys") or {}).items()]
    known = vocab.known_keys()
    used_units = {s.unit for s in vocab.metrics.values()}
    for unit in units:
        if unit not in used_units:
            raise ValueError(f"{path}: units.{unit}: no metric has unit {unit!r}")
    for pattern, _ in patterns:
        if not any(fnmatchcase(k, pattern) for k in known):
            raise ValueError(f"{path}: keys.{pattern} matches no metric key")
    ranges: dict[str, Range] = {}
    for key in known:
        found = next((r for p, r in patterns if fnmatchcase(key, p)), None)
        if found is None:
            found = units.get(vocab.unit(key))
        if found is not None:
            ranges[key] = found
    return ranges


@lru_cache(maxsize=4)
def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """Load and check the vocabulary (cached), with the plausible ranges of the
    ``plausible.yaml`` beside it.

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
    vocab = Vocabulary(metrics=metrics, applicant_columns=columns, _known=frozenset(known))
    return replace(vocab, _plausible=_plausible_ranges(path.with_name(PLAUSIBLE_NAME), vocab))


def known_keys() -> frozenset[str]:
    """Every valid metric key (table-三 families expanded with applicant columns)."""
    return load_vocabulary().known_keys()
