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


def default_edition(store: Store, gemeente: str, tot: int) -> int:
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
        earlier = [e for e in candidates if e <= tot]
        if earlier:
            return int(earlier[-1])
    return int(min((e for e in known if e > tot), default=max(known)))


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
    # unique view names: the web app computes signals for several requests at once
    import uuid

    suffix = uuid.uuid4().hex[:12]
    codes_view, vars_view = f"wanted_codes_{suffix}", f"wanted_vars_{suffix}"
    store.con.register(codes_view, codes[["region_code"]])
    store.con.register(vars_view, pd.DataFrame({"variable": variables}))
    try:
        frame = store.query(
            f"""WITH t AS (
                   SELECT region_code, level, period, variable, value, status, dataset_key,
                          source_edition, method, 1 AS rank
                   FROM translated_values
                   WHERE edition = ? AND variable IN (SELECT variable FROM {vars_view})
                     AND region_code IN (SELECT region_code FROM {codes_view})),
               d AS (
                   SELECT region_code, level, period, variable, value, status, dataset_key,
                          edition AS source_edition,
                          CASE WHEN edition = ? THEN 'identiek' ELSE 'zelfde code' END AS method,
                          CASE WHEN edition = ? THEN 2 ELSE 3 END AS rank
                   FROM "values"
                   WHERE variable IN (SELECT variable FROM {vars_view})
                     AND region_code IN (SELECT region_code FROM {codes_view})),
               agg AS (
                   -- gemeente and NL rows are not edition-bound: the nearest edition wins
                   SELECT region_code, level, period, variable, value, status, dataset_key,
                          edition AS source_edition, 'identiek' AS method,
                          4 AS rank
                   FROM "values"
                   WHERE variable IN (SELECT variable FROM {vars_view})
                     AND (region_code = ? OR level = 'land')),
               u AS (SELECT * FROM t UNION ALL SELECT * FROM d UNION ALL SELECT * FROM agg)
               SELECT * EXCLUDE (rank, rn) FROM (
                   SELECT *, row_number() OVER (
                       PARTITION BY region_code, period, variable
                       ORDER BY rank, abs(source_edition - ?)) AS rn
                   FROM u) WHERE rn = 1""",
            [edition, edition, edition, gemeente, edition],
        )
    finally:
        store.con.unregister(codes_view)
        store.con.unregister(vars_view)
    return frame
