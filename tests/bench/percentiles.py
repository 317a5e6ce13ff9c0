"""The percentile the benchmarks report: nearest rank, over the samples as measured (no interpolation)."""

from __future__ import annotations

from collections.abc import Iterable


def percentile(values: Iterable[float], share: float, empty: float = float("nan")) -> float:
    """Nearest-rank percentile of `values` (in any order), `share` in 0..1; `empty` when there are none."""
    ordered = sorted(values)
    if not ordered:
        return empty
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]
