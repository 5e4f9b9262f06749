"""What is in the store: datasets, periods, editions, coverage and translation errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from rich.table import Table

from veerkracht.indicators import catalogue
from veerkracht.numbers import count, percent

if TYPE_CHECKING:
    from veerkracht.store import Store


def datasets_summary(store: Store) -> pd.DataFrame:
    """Per dataset what is stored now: values and geometries are counted in their tables
    (a replaced file's rows are gone; summing the imports counted them twice), table ids
    in a fixed order."""
    return store.datasets_summary()


def coverage_per_gemeente(store: Store) -> pd.DataFrame:
    """Buurten with values per gemeente and dataset, and the geometry editions present."""
    return store.coverage_per_gemeente()


#: The indicator groups a signal combines: vulnerability and nuisance/unsafety.
SIGNAL_GROUPS = ("kwetsbaarheid", "overlast")
_DATASET_LABELS = {
    "cbs_kwb": "KWB", "cbs_gezondheid": "Gezondheid", "leefbaarometer_3": "Leefbaarometer 3.0",
    "leefbaarometer_2": "Leefbaarometer 2.0", "cbs_misdrijven": "Misdrijven",
    "cbs_ses_woa": "SES-WOA", "woonzorgwijzer": "WoonZorgwijzer",
}


def source_years(store: Store) -> pd.DataFrame:
    """One row per gemeente: per dataset the years with buurt values; boundary editions."""
    rows = store.buurt_variable_years()
    if rows.empty:
        return pd.DataFrame(columns=["gemeente_code"])
    years = (rows.groupby(["gemeente_code", "dataset_key"])["period"]
             .agg(lambda p: sorted({int(x) for x in p})).unstack("dataset_key"))
    cov = coverage_per_gemeente(store).drop_duplicates("gemeente_code").set_index(
        "gemeente_code")[["name", "geometry_editions"]]
    return years.join(cov, how="left").reset_index()


def signal_years(store: Store) -> pd.DataFrame:
    """Per gemeente and signal group: the years in which a core indicator has all its
    variables for the gemeente's buurten (Leefbaarometer 2.0 is per PC4: counted when
    the store has it at all)."""
    core = [i for i in catalogue() if i.core and i.group in SIGNAL_GROUPS]
    needed = sorted({v for i in core for v in i.variables})
    rows = store.buurt_variable_years(needed)
    have = rows.groupby(["gemeente_code", "variable"])["period"].agg(set)
    national = set(store.variable_periods(["lbm2.vei"])["period"])
    out = []
    for gemeente in sorted(set(rows["gemeente_code"])):
        entry = {"gemeente_code": gemeente}
        for group in SIGNAL_GROUPS:
            found: set[int] = set()
            for ind in (i for i in core if i.group == group):
                sets = [national if v == "lbm2.vei" else have.get((gemeente, v), set())
                        for v in ind.variables]
                found |= set.intersection(*sets) if sets else set()
            entry[group] = sorted(int(y) for y in found)
        entry["ontbreekt"] = _missing_for_signal(entry)
        out.append(entry)
    return pd.DataFrame(out, columns=["gemeente_code", *SIGNAL_GROUPS, "ontbreekt"])


def _missing_for_signal(entry: dict) -> str:
    problems = [f"geen {g}-cijfers per buurt" for g in SIGNAL_GROUPS if not entry[g]]
    if problems:
        return "; ".join(problems)
    if min(len(entry[g]) for g in SIGNAL_GROUPS) < 2:
        short = [g for g in SIGNAL_GROUPS if len(entry[g]) < 2]
        return f"één jaar {', '.join(short)}: geen ontwikkeling (verslechterend) te bepalen"
    return "niets"


def translation_summary(store: Store) -> pd.DataFrame:
    return store.translation_summary()


def _join(items: object) -> str:
    if items is None or items is pd.NA or (isinstance(items, float) and pd.isna(items)):
        return "geen"
    return ", ".join(str(i) for i in list(items))  # type: ignore[call-overload]


def _pct(x: float | None) -> str:
    return percent(x)


def store_status(store: Store) -> list[Table]:
    tables = []
    ds = datasets_summary(store)
    t = Table(title="Datasets in de store")
    for col in (
        "Dataset",
        "Uitgever",
        "Tabel(len)",
        "Bestanden",
        "Perioden",
        "Indelingen",
        "Waarden",
        "Geometrieën",
    ):
        t.add_column(col)
    for row in ds.itertuples():
        t.add_row(
            row.dataset_key,
            row.publisher,
            row.dataset_ids or "",
            str(row.files),
            _join(row.periods),
            _join(row.editions),
            count(int(row.n_values or 0)),
            count(int(row.n_geometries or 0)),
        )
    tables.append(t)

    cov = coverage_per_gemeente(store)
    t = Table(title="Dekking per gemeente (buurten met waarden)")
    for col in ("Gemeente", "Naam", "Dataset", "Buurten", "Perioden", "Kaartindelingen"):
        t.add_column(col)
    for row in cov.itertuples():
        t.add_row(
            row.gemeente_code,
            _join([row.name]) if isinstance(row.name, str) else "",
            row.dataset_key,
            count(int(row.buurten)),
            _join(row.periods),
            _join(row.geometry_editions),
        )
    tables.append(t)

    tables.append(_source_years_table(store))

    tr = translation_summary(store)
    t = Table(title="Vertalingen naar een referentie-indeling (behoudsfout per gemeente)")
    for col in (
        "Gemeente",
        "Van",
        "Naar",
        "Methode",
        "Periode",
        "Variabelen",
        "Max. fout",
        "Niet gekoppeld",
    ):
        t.add_column(col)
    for row in tr.itertuples():
        t.add_row(
            row.gemeente_code,
            str(row.source_edition),
            str(row.edition),
            row.method,
            str(row.period),
            str(row.variables),
            _pct(row.max_abs_error),
            str(row.unmatched_regions),
        )
    if tr.empty:
        t.caption = "Nog geen vertalingen: zie 'veerkracht data vertalen'."
    tables.append(t)
    return tables


def _source_years_table(store: Store) -> Table:
    years = source_years(store)
    signal = signal_years(store).set_index("gemeente_code")
    datasets = [d for d in _DATASET_LABELS if d in years.columns]
    datasets += sorted(c for c in years.columns if c not in datasets
                       and c not in {"gemeente_code", "name", "geometry_editions"})
    t = Table(title="Bronnen en jaren per gemeente (buurten met waarden)")
    t.add_column("Gemeente")
    t.add_column("Naam")
    for d in datasets:
        t.add_column(_DATASET_LABELS.get(d, d))
    t.add_column("Grenzen")
    for group in SIGNAL_GROUPS:
        t.add_column(f"Signaal: {group}")
    t.add_column("Ontbreekt voor een signaal")
    for row in years.itertuples(index=False):
        record = row._asdict()
        gm = record["gemeente_code"]
        sig = signal.loc[gm] if gm in signal.index else None
        cells = [_join(record.get(d)) if isinstance(record.get(d), list) else "–"
                 for d in datasets]
        groups = [_join(sig[g]) if sig is not None and sig[g] else "geen"
                  for g in SIGNAL_GROUPS]
        name = record.get("name")
        t.add_row(gm, name if isinstance(name, str) else "", *cells,
                  _join(record.get("geometry_editions")), *groups,
                  sig["ontbreekt"] if sig is not None else "alles")
    if years.empty:
        t.caption = "Nog geen buurtcijfers: zie 'veerkracht data importeren' of 'data ophalen'."
    return t
