"""Bounded memoisation of the parser's pure functions on short strings.

A report's table cells and labels repeat -- ``0``, ``无``, ``—``, the template's
row labels -- and the table code asks about each cell several times
(recognising the table, then reading its rows, as a count, an amount and a
signed change). The functions asked are pure and their results immutable, so
they are memoised with :func:`memoise`: a ``functools.lru_cache`` of a fixed
size, registered here so that :func:`clear_caches` can empty all of them (the
benchmark does, between repetitions, so that every run reads the corpus as new).

Do not memoise a function that returns a mutable object: every caller would
share it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

F = TypeVar("F", bound=Callable)

# Entries per function: a few MB at most, and more than one report's distinct
# cells many times over.
DEFAULT_SIZE = 1 << 14

_CACHED: list = []


def memoise(maxsize: int = DEFAULT_SIZE) -> Callable[[F], F]:
    """``functools.lru_cache(maxsize)``, registered for :func:`clear_caches`."""

    def decorate(fn: F) -> F:
        cached = lru_cache(maxsize=maxsize)(fn)
        _CACHED.append(cached)
        return cached  # type: ignore[return-value]

    return decorate


def clear_caches() -> None:
    """Empty every memoised function's cache."""
    for fn in _CACHED:
        fn.cache_clear()


def cache_info() -> dict[str, object]:
    """``cache_info()`` of every memoised function, by qualified name."""
    return {f"{fn.__module__}.{fn.__qualname__}": fn.cache_info() for fn in _CACHED}
