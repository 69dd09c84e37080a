"""Figures of absurd size → ``implausible_figure`` warnings, the figure marked doubtful.

A misread cell can turn into any number: the digits of two cells glued
together, a 万元 amount read as 元, a mutated or mistyped document's
``３０００００００００`` part-time staff. The arithmetic checks (:mod:`.consistency`)
cannot catch a figure no total contains, so each figure is also held against
the range the vocabulary gives its key (``parse/plausible.yaml``,
:meth:`parse.vocabulary.Vocabulary.plausible`): a count below zero, or more than
any one body could report for a year.

A figure outside its range is kept -- the document does say it, and a reader
may want to see it -- but marked ``certain=False`` and named in a warning with
its evidence, so that it is never published as a fact. The ranges are generous:
a real figure is never flagged (the real gold reports are checked against
them), an absurd one always.
"""

from __future__ import annotations

from dataclasses import replace

from parse.model import Metric, ParseWarning
from parse.vocabulary import load_vocabulary

PLAUSIBILITY_CODES = {
    "implausible_figure": "a figure outside the plausible range of its key (parse/plausible.yaml: "
                          "a negative count, or more than any one body reports in a year); kept, marked not certain",
}


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_plausible(metrics: list[Metric]) -> tuple[list[Metric], list[ParseWarning]]:
    """``metrics`` with each figure outside its key's range marked not certain
    (as a copy: the metrics given are not changed), and one ``implausible_figure``
    warning per such figure. Keys without a range are not judged."""
    vocab = load_vocabulary()
    out: list[Metric] = []
    warnings: list[ParseWarning] = []
    for m in metrics:
        bounds = vocab.plausible(m.key)
        if bounds is None or not _number(m.value) or bounds[0] <= m.value <= bounds[1]:
            out.append(m)
            continue
        low, high = bounds
        out.append(replace(m, certain=False))
        warnings.append(ParseWarning(
            "implausible_figure",
            f"{m.key} = {m.value} is outside its plausible range [{low}, {high}]; kept, marked not certain",
            {"key": m.key, "value": m.value, "range": [low, high], "evidence": m.evidence},
        ))
    return out, warnings
