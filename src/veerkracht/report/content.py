"""What the report says: counts, plain-Dutch findings, tables, methods and sources.

Everything here is plain data (dicts, lists of rows with Dutch, already formatted
texts) so the Jinja2 template only lays it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from veerkracht.indicators import source_names
from veerkracht.numbers import count
from veerkracht.numbers import number as nl

if TYPE_CHECKING:
    from veerkracht.signals import SignalResult
    from veerkracht.store import Store

from veerkracht.indicators import GROUPS, catalogue
from veerkracht.signals.compute import rankable, source_title
from veerkracht.signals.corporation import MIN_GROUP, corporation_correlation
from veerkracht.signals.typology import (
    SIGNAL_CODES,  # classes that are a signal
    rule_description,
    threshold_explanation,
)

DIRECTIONS = {
    "hoger_kwetsbaarder": "hoger = kwetsbaarder",
    "hoger_meer_overlast": "hoger = meer overlast",
    "hoger_beter": "hoger = beter",
    "neutraal": "neutraal",
}

THRESHOLD_ORIGIN = (
    "De klassen volgen de studie Veerkracht in het corporatiebezit (Leidelmeijer e.a., 2018; "
    "actualisatie 2020): 'probleem' is een concentratie van kwetsbare groepen samen met "
    "overlast of onveiligheid; 'kwetsbaar, nog geen problemen' is concentratie zonder "
    "problemen (preventieve aandacht); daarnaast toenemende concentratie en verslechterende "
    "overlast. De studie drukt concentratie uit als index, absoluut (Nederland = 100) of "
    "relatief (binnen de gemeente); dit rapport gebruikt de referentie die hierboven staat. "
    "Waarden uit het postcodegebied van een buurt (Leefbaarometer 2.0) zijn een benadering en "
    "beslissen nooit alleen over een signaal. Een toename telt pas als die groter is dan de "
    "ruis. De getallen van de drempels zijn eigen, gedocumenteerde keuzes van "
    "veerkracht en géén getallen uit de studie; ze staan in het instellingenbestand {file} "
    "en zijn daar aan te passen."
)

HARMONISATION_TEXTS = {
    "identiek": "zelfde buurtindeling of ongewijzigde codes: waarden 1-op-1 overgenomen",
    "zelfde code": "waarde van een andere indeling overgenomen voor een code die in beide "
    "indelingen bestaat (CBS houdt een code alleen aan zolang de buurt niet verandert)",
    "kruistabel": "vertaald met een gepubliceerde kruistabel tussen indelingen",
    "overlap": "vertaald naar rato van de overlappende oppervlakte van oude en nieuwe buurten",
    "pc4-overlap": "postcode-4-waarde naar buurten naar rato van de overlappende oppervlakte",
    "pc4-postcode": "elke buurt krijgt de waarde van zijn meest voorkomende postcode-4-gebied "
    "(alleen voor scores, klassen en percentages)",
    "geen": "niet te vertalen naar deze indeling (geen kruistabel of grenzen): deze waarden "
    "worden niet gebruikt",
}


#: Names of catalogue sources that may not be in the store (yet): from the catalogue.
KNOWN_SOURCES = source_names()


@dataclass
class Finding:
    text: str


@dataclass
class ReportContent:
    """Everything the template needs (texts already in Dutch)."""

    title: str
    gemeente: str
    gemeente_code: str
    start_year: int
    end_year: int
    edition: int
    date: str
    periods: list[dict[str, str]]
    counts: list[dict[str, Any]]
    n_buurten: int
    findings: list[str]
    signals: list[dict[str, Any]]
    indicators: list[dict[str, str]]
    thresholds: list[dict[str, str]]
    threshold_origin: str
    classes: list[dict[str, str]]
    harmonisation: list[dict[str, str]]
    conservation: list[dict[str, str]]
    sources: list[dict[str, str]]
    citations: list[str]
    corporation_table: dict[str, Any] = field(default_factory=dict)
    maps: list[dict[str, str]] = field(default_factory=list)
    charts: list[dict[str, str]] = field(default_factory=list)
    period_line: str = ""
    reference_line: str = ""
    coverage: list[str] = field(default_factory=list)
    rules: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    without_geometry: str = ""
    board: str = ""  # the board map as a PNG data URI
    attention: list[dict[str, str]] = field(default_factory=list)
    reference_short: str = ""
    #: own data on the maps, as its legend says (supplied by the user, not an open source)
    own_data: list[str] = field(default_factory=list)
    appendix_note: str = ""
    conservation_max: str = ""

    @property
    def attention_pairs(self) -> list[tuple[dict | None, dict | None]]:
        """The numbered list in two columns, read down the left column first."""
        half = (len(self.attention) + 1) // 2
        left, right = self.attention[:half], self.attention[half:]
        return [(a, right[i] if i < len(right) else None) for i, a in enumerate(left)]


# ----------------------------------------------------------------------------- summary


def class_counts(result: SignalResult) -> list[dict[str, Any]]:
    """Buurten per class in config order, with colour and share."""
    counts = result.class_counts()
    total = len(result.table)
    return [
        {
            "code": c.code,
            "label": c.label,
            "colour": c.base_colour,
            "explanation": c.explanation,
            "n": counts[c.code],
            "share": nl(100 * counts[c.code] / total if total else float("nan"), 0),
        }
        for c in result.config.classes
    ]


def _headline_indicator(result: SignalResult) -> Any:
    """The first core vulnerability indicator with a start and an end period."""
    for ind in result.indicators:
        if ind.core and ind.group == "kwetsbaarheid" and all(result.periods[ind.key]):
            return ind
    return None


def rule_rows(result: SignalResult) -> list[dict[str, str]]:
    return [
        {
            "code": r.code,
            "title": r.title,
            "description": rule_description(r.code, result.config.thresholds),
            "flagged": count(r.flagged),
            "judged": count(r.judged),
            "too_broad": "ja" if r.too_broad else "",
        }
        for r in result.rules
    ]


def findings(result: SignalResult, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Key findings in plain Dutch, each from a tested quantity with its n.

    Counts come from the typology; a relation is stated only with its test (rank
    correlation, regression, bootstrap interval) and n; a group of fewer than 10
    buurten is never the basis of a statement. ``tables``: the analyses by key
    (:func:`veerkracht.signals.export.analyses`).
    """
    n = result.class_counts()
    total = len(result.table)
    name = result.gemeente.name
    judged = total - n.get("KLEIN", 0) - n.get("ONV", 0)
    out = [
        f"Van de {count(total)} buurten in {name} (buurtindeling {result.edition}) krijgen "
        f"{count(n.get('PRO', 0))} buurten het signaal 'Probleem': een hoge concentratie "
        "kwetsbare groepen samen met overlast of onveiligheid in de buurt zelf "
        f"(vergeleken met: {result.reference_label()}; beoordeeld: {count(judged)} buurten).",
        f"{count(n.get('KWE', 0))} buurten zijn kwetsbaar maar hebben (nog) geen "
        f"overlastproblemen; in {count(n.get('TOE', 0))} andere buurten neemt het aandeel "
        f"kwetsbare groepen meer toe dan de ruis en in {count(n.get('VER', 0))} verslechtert "
        "de overlast of veiligheid.",
    ]
    if n.get("KLEIN", 0):
        out.append(
            f"{count(n['KLEIN'])} buurten hebben minder dan {count(result.min_inhabitants)} "
            "inwoners (bedrijventerreinen, parken): zij krijgen geen signaal en staan in geen "
            "rangorde."
        )
    if n.get("ONV", 0):
        out.append(
            f"Voor {count(n['ONV'])} buurten zijn te weinig openbare cijfers op buurtniveau om "
            "een signaal te geven (vaak buurten waarvan CBS de cijfers geheimhoudt)."
        )
    out += _corporation_findings(result, tables)
    out += _ranking_finding(result)
    out += _early_warning_finding(tables)
    out += _statistics_findings(tables)
    return out


def _p_text(p: float) -> str:
    return "p < 0,001" if p < 0.001 else f"p = {nl(p, 3)}"


def _corporation_findings(result: SignalResult, tables: dict[str, pd.DataFrame]) -> list[str]:
    out = []
    ind = _headline_indicator(result)
    if ind is not None:
        corr = corporation_correlation(result, ind.key)
        if corr is not None:
            if corr["p"] < 0.05:
                word = "hoger" if corr["rho"] > 0 else "lager"
                out.append(
                    f"Hoe meer corporatiewoningen, hoe {word} het aandeel "
                    f"'{ind.label.lower()}' ({result.periods[ind.key][1]}): rangcorrelatie "
                    f"ρ = {nl(corr['rho'], 2)} ({_p_text(corr['p'])}, n = {count(corr['n'])} "
                    "buurten)."
                )
            else:
                out.append(
                    f"Geen aantoonbare samenhang tussen corporatiebezit en "
                    f"'{ind.label.lower()}' (ρ = {nl(corr['rho'], 2)}, {_p_text(corr['p'])}, "
                    f"n = {count(corr['n'])} buurten)."
                )
    turning = tables.get("turning_points")
    if turning is not None and "significant" in turning:
        labels = {i.key: i.label for i in result.indicators}
        unclear = []
        for row in turning.itertuples():
            label = labels.get(row.indicator, row.indicator)
            if row.significant:
                out.append(
                    f"De ontwikkeling van '{label}' wordt negatief vanaf ongeveer "
                    f"{nl(row.turning_point, 0)}% corporatiebezit (95%-interval "
                    f"{nl(row.ci_low, 0)}–{nl(row.ci_high, 0)}%, bootstrap over "
                    f"{count(int(row.n))} buurten; klassen van minstens {MIN_GROUP} buurten)."
                )
            else:
                unclear.append((label, int(row.n)))
        if unclear:
            out.append(
                "Geen duidelijk omslagpunt naar corporatiebezit (de tekenwissel is niet "
                f"significant; n = {count(max(n for _, n in unclear))} buurten) voor: "
                + ", ".join(f"'{label}'" for label, _ in unclear)
                + "."
            )
    return out


def _ranking_finding(result: SignalResult) -> list[str]:
    t = rankable(result.table, result.min_inhabitants).dropna(subset=["concentration_index"])
    if len(t) < 10:
        return []
    top = t.nlargest(3, "concentration_index")
    names = ", ".join(f"{r.name} ({nl(r.concentration_index, 0)})" for r in top.itertuples())
    return [
        f"De hoogste concentratie kwetsbare groepen (gemiddelde index van de kernindicatoren, "
        f"{result.reference_label()}; van {count(len(t))} buurten met minstens "
        f"{count(result.min_inhabitants)} inwoners) hebben {names}."
    ]


def _early_warning_finding(tables: dict[str, pd.DataFrame]) -> list[str]:
    ew = tables.get("early_warning")
    if ew is None or ew.empty:
        return []
    n = ew.kind.value_counts()
    return [
        f"Vroegsignalering: {count(int(n.get('reactief', 0)))} buurten zijn in de periode in "
        f"de toestand 'probleem' gekomen (reactief) en {count(int(n.get('preventief', 0)))} "
        "buurten gaan achteruit zonder (al) een probleem te zijn (preventief)."
    ]


def _statistics_findings(tables: dict[str, pd.DataFrame]) -> list[str]:
    out = []
    reg = tables.get("regression")
    if reg is not None and not reg.empty:
        row = reg[reg.variable == "concentration_change"]
        if not row.empty:
            r = row.iloc[0]
            sig = "wél" if r.p < 0.05 else "géén"
            out.append(
                f"Regressie (OLS, robuuste fouten, n = {count(int(r.n))}, R² = {nl(r.r2, 2)}): "
                f"er is {sig} statistisch significante samenhang tussen de toename van de "
                f"concentratie en de verandering van de overlast (coëfficiënt "
                f"{nl(r.coefficient, 4)}, {_p_text(r.p)})."
            )
    lisa = tables.get("hotspots")
    if lisa is not None and not lisa.empty:
        hot = int((lisa.cluster == "hoog-hoog (hotspot)").sum())
        cold = int((lisa.cluster == "laag-laag (coldspot)").sum())
        out.append(
            f"Ruimtelijke clustering (lokale Moran's I, p < 0,05, n = {count(len(lisa))} "
            f"buurten): {count(hot)} buurten vormen een hotspot van hoge concentratie, "
            f"{count(cold)} een coldspot."
        )
    return out


# ----------------------------------------------------------------------------- tables


SHORT_LABELS = {"PRO": "Probleem", "KWE": "Kwetsbaar", "VER": "Verslechterend"}


def attention_rows(buurten: list, colours: dict[str, str]) -> list[dict[str, str]]:
    """The board map's numbered buurten as table rows (the same numbers as on the map)."""
    return [
        {
            "number": str(b.number),
            "name": b.name,
            "code": b.code,
            "signal": b.label,
            "short": SHORT_LABELS.get(b.typology, b.label),
            "colour": colours.get(b.typology, "#ffffff"),
            "index": nl(b.index, 0),
        }
        for b in buurten
    ]


def largest_conservation_error(
    store: Store, gemeente: str, edition: int, periods: set[int]
) -> str:
    """The largest conservation error over the years the report uses ('–' when none).

    The store keeps the translation of every stored year; a year this report does not use
    (e.g. a newer one without a crosswalk, 100 % lost) says nothing about its figures."""
    frame = store.conservation_summary(gemeente, edition)
    used = frame.loc[frame.period.isin(periods), "max_error"].dropna()
    return f"{nl(100 * used.max(), 2)}%" if len(used) else "–"


def signal_rows(result: SignalResult) -> list[dict[str, Any]]:
    """Every buurt with a signal, by class order then concentration index (high first)."""
    order = {c.code: i for i, c in enumerate(result.config.classes)}
    colours = {c.code: c.base_colour for c in result.config.classes}
    t = result.table[result.table.typology.isin(SIGNAL_CODES)]
    t = t.assign(_o=t.typology.map(order)).sort_values(
        ["_o", "concentration_index", "region_code"], ascending=[True, False, True]
    )
    rows = []
    for r in t.itertuples():
        step = "" if pd.isna(r.step) else f" (stap {int(r.step)})"
        rows.append(
            {
                "name": r.name,
                "code": r.region_code,
                "signal": f"{r.typology_label}{step}",
                "colour": colours.get(r.typology, "#ffffff"),
                "index": nl(r.concentration_index, 0),
                "reasons": [p for p in str(r.reasons).split(" | ") if p],
            }
        )
    return rows


def indicator_rows(result: SignalResult, store: Store) -> list[dict[str, str]]:
    """The whole catalogue: label, group, unit, source, direction, core, periods used."""
    publishers = _dataset_names(store)
    rows = []
    for ind in catalogue():
        p_start, p_end = result.periods.get(ind.key, (None, None))
        used = " → ".join(str(p) for p in (p_start, p_end) if p) or "niet beschikbaar"
        rows.append(
            {
                "label": ind.label,
                "group": GROUPS[ind.group],
                "unit": ind.unit,
                "source": publishers.get(ind.source, ind.source),
                "direction": DIRECTIONS[ind.direction],
                "core": "ja" if ind.core else "",
                "periods": used,
            }
        )
    return rows


def _dataset_names(store: Store) -> dict[str, str]:
    """dataset_key -> 'publisher, title without years' from the imports table."""
    imports = store.imports()
    names = {}
    for key, rows in imports.groupby("dataset_key"):
        names[str(key)] = f"{rows.publisher.iloc[0]}, {source_title(rows.title.iloc[0])}"
    return {**KNOWN_SOURCES, **names}


def threshold_rows(result: SignalResult) -> list[dict[str, str]]:
    rows = []
    # users see the Dutch key of typology.toml (theirs, with their own keys, in their order)
    for key, value in result.config.thresholds.toml_items():
        if isinstance(value, list):
            shown = " / ".join(nl(v, 1) for v in value)
        elif isinstance(value, str):
            shown = value
        elif isinstance(value, int):
            shown = str(value)
        else:
            shown = nl(value, 2)
        rows.append({"key": key, "value": shown, "explanation": _threshold_text(result, key)})
    return rows


def _threshold_text(result: SignalResult, key: str) -> str:
    explanation = threshold_explanation(key)
    if explanation is not None:
        return explanation
    # a user's own threshold: show its comment from the TOML file as written
    text = result.config.path.read_text(encoding="utf-8")
    match = re.search(rf"^\s*{re.escape(key)}\s*=.*?#\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


def harmonisation_rows(result: SignalResult) -> list[dict[str, str]]:
    """How values reached the edition: dataset, method, source edition, number of values."""
    if result.methods is None:
        return []
    return [
        {
            "dataset": str(m.dataset_key),
            "method": str(m.method),
            "source_edition": str(m.source_edition),
            "n_values": count(int(m.size)),
            "explanation": HARMONISATION_TEXTS.get(str(m.method), ""),
        }
        for m in result.methods.itertuples()
    ]


def conservation_rows(store: Store, gemeente: str, edition: int) -> list[dict[str, str]]:
    """Conservation errors of the translation, one row per (period, source edition, method)."""
    frame = store.conservation_summary(gemeente, edition)
    return [
        {
            "period": str(r.period),
            "source_edition": str(r.source_edition),
            "method": str(r.method),
            "variables": count(int(r.variables)),
            "max_error": f"{nl(100 * r.max_error, 2)}%" if pd.notna(r.max_error) else "–",
            "unmatched": f"{count(int(r.n_unmatched))} van {count(int(r.n_source))}",
        }
        for r in frame.itertuples()
    ]


def source_rows(result: SignalResult, store: Store, geometry_edition: int | None) -> list[dict]:
    """Every dataset behind the report: publisher, id, title, years, licence, files."""
    imports = store.imports()
    imports = imports[~imports.import_id.isin(_other_gemeente_imports(store, result.gemeente.code))]
    wanted = {s.dataset_key: set(s.periods) for s in result.sources}
    rows = []
    for key, periods in wanted.items():
        part = imports[imports.dataset_key == key]
        part = part[part.periods.map(lambda ps, periods=periods: bool(set(ps) & periods))]
        for (publisher, dataset_id, title), grp in part.groupby(
            ["publisher", "dataset_id", "title"], dropna=False, sort=True
        ):
            rows.append(_source_row(publisher, dataset_id, title, grp, "Cijfers", periods))
    if geometry_edition is not None:
        ids = store.buurt_geometry_import_ids(result.gemeente.code, geometry_edition)
        part = imports[imports.import_id.isin(ids)]
        for (publisher, dataset_id, title), grp in part.groupby(
            ["publisher", "dataset_id", "title"], dropna=False
        ):
            rows.append(_source_row(publisher, dataset_id, title, grp, "Buurtgrenzen"))
    return rows


def _other_gemeente_imports(store: Store, gemeente: str) -> list[int]:
    """Imports whose values say nothing about this gemeente (e.g. another city's file):
    no buurt or wijk of it, not the gemeente itself, not NL and not postcode areas."""
    return store.imports_without_gemeente(gemeente)


def _source_row(
    publisher: Any,
    dataset_id: Any,
    title: Any,
    grp: pd.DataFrame,
    role: str,
    used: set[int] | None = None,
) -> dict:
    """One dataset; the years are those used in this report (for boundaries: the editions)."""
    years = sorted({int(p) for ps in grp.periods for p in ps} & used) if used else []
    years = years or sorted({int(e) for es in grp.editions for e in es})
    return {
        "role": role,
        "publisher": str(publisher),
        "id": "" if pd.isna(dataset_id) or not dataset_id else str(dataset_id),
        "title": str(title),
        "years": ", ".join(str(y) for y in years),
        "licence": str(grp.licence.iloc[0]) if pd.notna(grp.licence.iloc[0]) else "onbekend",
        "url": str(grp.url.iloc[0]) if pd.notna(grp.url.iloc[0]) else "",
        "files": ", ".join(sorted(set(grp.file_name))),
    }


def corporation_table(result: SignalResult, curves: pd.DataFrame | None) -> dict[str, Any]:
    """Index (NL = 100) per corporation-share bin for every core vulnerability indicator."""
    if curves is None or curves.empty:
        return {}
    keys = [i.key for i in result.indicators if i.core and i.group == "kwetsbaarheid"]
    part = curves[curves.indicator.isin(keys)]
    if part.empty:
        return {}

    bins = list(dict.fromkeys(str(b) for b in part.corporation_share))
    rows = []
    for (label, period), grp in part.groupby(["label", "period"], sort=False):
        by_bin = dict(zip(grp.corporation_share.astype(str), grp.index_nl, strict=True))
        n_bin = dict(zip(grp.corporation_share.astype(str), grp.buurten, strict=True))
        rows.append(
            {
                "label": label,
                "period": str(period),
                "cells": [
                    (
                        f"{nl(by_bin.get(b), 0)} (n={n_bin.get(b, 0)})"
                        if n_bin.get(b, 0) >= MIN_GROUP
                        else f"te klein (n={n_bin.get(b, 0)})"
                    )
                    for b in bins
                ],
            }
        )
    return {"bins": bins, "rows": rows, "min_n": MIN_GROUP}
