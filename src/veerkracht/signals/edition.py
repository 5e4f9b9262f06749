"""Reading what the signals need from the store, on one reference edition.

Values come, in order of preference, from (1) ``translated_values`` for the
reference edition (written by ``harmonise``), (2) values published on that
edition, (3) values on another edition for codes that also exist in the
reference edition ('zelfde code': CBS keeps a buurt's code only while the buurt
is unchanged, so a shared code is treated as the same area; flagged in ``method``).
"""

from __future__ import annotations

import pandas as pd

from veerkracht.errors import NoDataError
from veerkracht.store import Store


def buurt_codes(store: Store, gemeente: str, edition: int) -> pd.DataFrame:
    """Buurten (code, name) of a gemeente in one edition: from regions, boundaries or the
    values published on it (a source without names, e.g. 50090NED, leaves the name empty)."""
    return store.buurten(gemeente, edition)


def default_edition(store: Store, gemeente: str, end_year: int) -> int:
    """The boundary edition a view of the gemeente ending in ``tot`` is computed on.

    Only editions whose buurten are known (regions or boundaries) qualify. Among them
    the edition of the latest KWB ≤ ``tot`` (KWB carries most indicators), else the
    latest known edition ≤ ``tot``, else the earliest later one.
    """
    known = store.buurt_code_editions(gemeente)
    if not known:
        raise NoDataError(
            f"geen buurtindeling (buurtcodes of -grenzen) voor {gemeente} in de store",
            fix="Importeer of haal de grenzen of de KWB op: veerkracht data ophalen "
            f"--gemeente {gemeente} --bronnen kwb,grenzen",
        )
    editions = store.buurt_editions(gemeente)
    kwb = sorted({int(e) for e in editions[editions.dataset_key == "cbs_kwb"].edition} & known)
    for candidates in (kwb, sorted(known)):
        earlier = [e for e in candidates if e <= end_year]
        if earlier:
            return int(earlier[-1])
    return int(min((e for e in known if e > end_year), default=max(known)))


def values_on_edition(
    store: Store, gemeente: str, edition: int, variables: list[str]
) -> pd.DataFrame:
    """Long values for the gemeente's buurten on ``edition`` plus its GM and NL rows."""
    codes = buurt_codes(store, gemeente, edition)
    if codes.empty:
        raise NoDataError(
            f"geen buurten van {gemeente} in indeling {edition}",
            fix="Kies een andere indeling met --indeling, of importeer de grenzen van dat jaar.",
        )
    return store.values_on_edition(gemeente, edition, codes["region_code"], variables)
