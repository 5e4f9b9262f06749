"""Stage 3: signals per buurt — concentration, development, typology and analyses.

Reads only from the store. Every output gets its signals through the one pipeline
entry :func:`veerkracht.pipeline.signal_view`; :func:`signals_for_gemeente` is the
computation it calls once the gemeente, periods, edition and reference are settled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from veerkracht.errors import ParameterError
from veerkracht.harmonise import translate
from veerkracht.settings import DEFAULT_SCHEME
from veerkracht.signals.compute import BuurtIndicators, buurt_indicators, concentration_columns
from veerkracht.signals.reference import parse_reference
from veerkracht.signals.typology import (
    RuleCount,
    TypologyConfig,
    classify_buurten,
    load_typology,
    rule_counts,
)

if TYPE_CHECKING:
    import pandas as pd

    from veerkracht.gemeenten import Gemeente
    from veerkracht.signals.reference import Reference
    from veerkracht.store import Store

__all__ = [
    "SignalResult",
    "ensure_translation",
    "load_typology",
    "signals_for_gemeente",
]


def check_periods(start_year: int, end_year: int) -> None:
    if end_year <= start_year:
        raise ParameterError(
            "--tot",
            end_year,
            f"moet later zijn dan --van ({start_year})",
            fix="Bijvoorbeeld --van 2017 --tot 2019.",
        )


def ensure_translation(store: Store, gemeente: str, edition: int) -> bool:
    """Translate the gemeente's values to ``edition`` once (harmonise), if not done yet.

    Returns True when a translation was written. Needs a writable store.
    """
    if store.has_translation(gemeente, edition):
        return False
    translate(store, gemeente=gemeente, edition=edition)
    return True


@dataclass
class SignalResult(BuurtIndicators):
    config: TypologyConfig = field(kw_only=True)  # the typology the signals were computed with
    scheme: str = DEFAULT_SCHEME
    rules: list[RuleCount] = field(default_factory=list)

    def class_counts(self) -> dict[str, int]:
        """Buurten per class code, every class of the config (0 where none)."""
        counts = self.table.typology.value_counts()
        return {c.code: int(counts.get(c.code, 0)) for c in self.config.classes}


def signals_for_gemeente(
    store: Store,
    gemeente: str | Gemeente,
    start_year: int,
    end_year: int,
    *,
    edition: int | None = None,
    config: TypologyConfig | None = None,
    scheme: str = DEFAULT_SCHEME,
    k: int = 5,
    reference: Reference | None = None,
    long: pd.DataFrame | None = None,
) -> SignalResult:
    """Every buurt of a gemeente with its indicators, class and reasons for (van, tot)."""
    check_periods(start_year, end_year)
    config = config or load_typology()
    gm_code = gemeente if isinstance(gemeente, str) else gemeente.code
    reference = reference or parse_reference(config.thresholds["reference"], gm_code)
    base = buurt_indicators(
        store,
        gemeente,
        start_year,
        end_year,
        edition=edition,
        scheme=scheme,
        k=k,
        reference=reference,
        min_inhabitants=int(config.thresholds["min_inhabitants"]),
        long=long,
    )
    typ = classify_buurten(
        base.table,
        base.indicators,
        config,
        reference_label=base.reference_label(),
        reference_changes=base.reference_changes,
    )
    table = base.table.join(typ).join(concentration_columns(base))
    return SignalResult(
        gemeente=base.gemeente,
        edition=base.edition,
        start_year=start_year,
        end_year=end_year,
        table=table,
        periods=base.periods,
        references=base.references,
        indicators=base.indicators,
        sources=base.sources,
        methods=base.methods,
        reference=base.reference,
        reference_changes=base.reference_changes,
        min_inhabitants=base.min_inhabitants,
        config=config,
        scheme=scheme,
        rules=rule_counts(table),
    )
