"""What every map of a signal result shares: the geometry edition that carries its buurt
codes, the citations of its datasets and the Leefbaarometer class labels.

The map layers themselves are built in :mod:`veerkracht.maps.from_signals`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from veerkracht.signals import SignalResult
    from veerkracht.store import Store

#: Leefbaarometer classes 1-9 (official labels) and a colour-blind-safe diverging ramp.
LBM_CLASSES = {
    "1": ("Zeer onvoldoende", "#a50026"),
    "2": ("Ruim onvoldoende", "#d73027"),
    "3": ("Onvoldoende", "#f46d43"),
    "4": ("Zwak", "#fdae61"),
    "5": ("Voldoende", "#fee090"),
    "6": ("Ruim voldoende", "#e0f3f8"),
    "7": ("Goed", "#abd9e9"),
    "8": ("Zeer goed", "#74add1"),
    "9": ("Uitstekend", "#4575b4"),
}


def citations(result: SignalResult, *prefixes: str) -> list[str]:
    """Citations of the datasets whose key starts with one of ``prefixes``; all when none do."""
    picked = [s.citation() for s in result.sources if s.dataset_key.startswith(prefixes)]
    return picked or [s.citation() for s in result.sources]


def geometry_edition(store: Store, gemeente: str, edition: int, codes: pd.Series) -> int | None:
    """The geometry edition that carries these codes best (exact edition first)."""
    editions = store.geometry_editions(gemeente)
    if edition in editions:
        return edition
    counts = store.buurt_geometry_code_counts(gemeente, [str(c) for c in codes])
    best, best_n = None, 0
    for ed, n in zip(counts.edition.tolist(), counts.n.tolist(), strict=True):
        if n > best_n or (
            n == best_n and best is not None and abs(ed - edition) < abs(best - edition)
        ):
            best, best_n = ed, int(n)
    return best
