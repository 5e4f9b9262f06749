"""Stage 3: signals per buurt — concentration, development, typology and analyses.

Reads only from the store. Public entry point: :func:`signals_for_gemeente`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from veerkracht.signals.compute import BuurtIndicators, buurt_indicators, concentration_columns
from veerkracht.signals.typology import TypologyConfig, classify_buurten, load_typology

if TYPE_CHECKING:
    from veerkracht.store import Store

__all__ = [
    "SignalResult",
    "ensure_translation",
    "load_typology",
    "prepare",
    "signals_for_gemeente",
]


def check_periods(van: int, tot: int) -> None:
    from veerkracht.errors import ParameterError

    if tot <= van:
        raise ParameterError(
            "--tot",
            tot,
            f"moet later zijn dan --van ({van})",
            fix="Bijvoorbeeld --van 2017 --tot 2019.",
        )


def prepare(store: Store, gemeente: str, van: int, tot: int, edition: int | None = None):
    """Check the request, then translate once: what every output command does first.

    Returns the gemeente and the reference edition. Checks come before any write.
    """
    from veerkracht.gemeenten import resolve_gemeente
    from veerkracht.signals._data import default_edition

    check_periods(van, tot)
    gm = resolve_gemeente(store, gemeente)
    edition = edition or default_edition(store, gm.code, tot)
    ensure_translation(store, gm.code, edition)
    return gm, edition


def ensure_translation(store: Store, gemeente: str, edition: int) -> bool:
    """Translate the gemeente's values to ``edition`` once (harmonise), if not done yet.

    Returns True when a translation was written. Needs a writable store.
    """
    from veerkracht.harmonise import translate

    done = store.query(
        "SELECT count(*) AS n FROM translation_errors WHERE gemeente_code = ? AND edition = ?",
        [gemeente, edition],
    ).n.iloc[0]
    if done:
        return False
    translate(store, gemeente=gemeente, edition=edition)
    return True


@dataclass
class SignalResult(BuurtIndicators):
    config: TypologyConfig | None = None
    scheme: str = "kwantielen"


def signals_for_gemeente(
    store: Store,
    gemeente: str,
    van: int,
    tot: int,
    *,
    edition: int | None = None,
    config: TypologyConfig | None = None,
    scheme: str = "kwantielen",
    k: int = 5,
) -> SignalResult:
    """Every buurt of a gemeente with its indicators, class and reasons for (van, tot)."""
    check_periods(van, tot)
    base = buurt_indicators(store, gemeente, van, tot, edition=edition, scheme=scheme, k=k)
    config = config or load_typology()
    typ = classify_buurten(base.table, base.indicators, config)
    table = base.table.join(typ).join(concentration_columns(base))
    return SignalResult(
        gemeente=base.gemeente,
        edition=base.edition,
        van=van,
        tot=tot,
        table=table,
        periods=base.periods,
        references=base.references,
        indicators=base.indicators,
        sources=base.sources,
        methods=base.methods,
        config=config,
        scheme=scheme,
    )
