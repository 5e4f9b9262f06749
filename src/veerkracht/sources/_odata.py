"""CBS OData JSON as saved from the services (v3 TypedDataSet, v4 Observations).

v3 (``opendata.cbs.nl/ODataApi/odata/<id>/TypedDataSet``) is already wide: one
object per region, keys like ``AantalInwoners_5``. v4
(``datasets.cbs.nl/odata/v1/CBS/<id>/Observations``) is long: one object per (region,
measure); measure codes are resolved to titles with the table's ``MeasureCodes``
(saved beside it, or embedded under ``"MeasureCodes"`` by veerkracht's fetcher).

v4 titles are short ("Westers totaal") and not unique: KWB 2017 has "Appartement",
"Huurwoning", … once under electricity and once under gas. A title that belongs to more
than one measure code becomes ``"<title> [<code>]"`` for each of them (never one code's
values under the shared title), and the frame's ``attrs["notes"]`` says which.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pandas as pd

from veerkracht.errors import InputFileError

log = logging.getLogger(__name__)

_TABLE_ID = re.compile(r"/(\d{5}[A-Z]{3})(?:/|\b)")


def looks_like_odata(text: str) -> bool:
    return '"odata.metadata"' in text or '"@odata.context"' in text


def table_id_in(text: str, ids: set[str]) -> bool:
    found = _TABLE_ID.findall(text[:4096])
    return any(t in ids for t in found)


def table_id_of(document: dict) -> str:
    context = document.get("odata.metadata") or document.get("@odata.context") or ""
    found = _TABLE_ID.findall(context)
    return found[0] if found else ""


def load(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(path, f"geen geldige JSON: {exc}") from exc


def frame_from_document(
    document: dict, path: Path, measure_codes: list[dict] | None = None
) -> pd.DataFrame:
    rows = document.get("value")
    if not isinstance(rows, list) or not rows:
        raise InputFileError(path, "de OData-respons bevat geen rijen ('value' is leeg)")
    frame = pd.DataFrame(rows)
    if "Measure" in frame.columns and "Value" in frame.columns:
        wide = _wide_from_observations(frame, path, measure_codes or document.get("MeasureCodes"))
        return _with_region_titles(wide, "Codering", document.get("RegionTitles"))
    region = next((c for c in _REGION_COLUMNS if c in frame.columns), None)
    return _with_region_titles(frame.astype("string"), region, document.get("RegionTitles"))


_REGION_COLUMNS = ("WijkenEnBuurten", "RegioS", "Regio")


def _with_region_titles(
    frame: pd.DataFrame, region: str | None, titles: list[dict] | None
) -> pd.DataFrame:
    """Add the region names (``"Regio"``) that veerkracht's fetcher embeds as ``RegionTitles``.

    TypedDataSet and Observations carry only region keys; names come from the region
    dimension, saved beside the data under ``"RegionTitles"`` ([{Key, Title}]).
    """
    if not titles or region is None or "Regio" in frame.columns:
        return frame
    names = {str(t.get("Key", "")).strip(): t.get("Title") for t in titles}
    frame = frame.copy()
    frame["Regio"] = frame[region].astype("string").str.strip().map(names).astype("string")
    return frame


def _wide_from_observations(
    frame: pd.DataFrame, path: Path, codes: list[dict] | None
) -> pd.DataFrame:
    region = next((c for c in _REGION_COLUMNS if c in frame.columns), None)
    if region is None:
        raise InputFileError(path, "OData v4: geen regiodimensie (WijkenEnBuurten/RegioS)")
    titles, notes = measure_titles(codes or [])
    if not titles:
        raise InputFileError(
            path,
            "OData v4-observaties zonder MeasureCodes: de variabelen zijn niet te herkennen",
            fix="Sla ook <tabel>/MeasureCodes op in dezelfde map, of haal de data op met "
            "'veerkracht data ophalen'.",
        )
    value = frame["Value"].astype("string")
    if "ValueAttribute" in frame.columns:
        # v4 marks suppressed cells with ValueAttribute (e.g. "Impossible", "Confidential")
        attribute = frame["ValueAttribute"].astype("string")
        flagged = ~attribute.isin(["None", ""]) & frame["Value"].isna()
        value = value.mask(flagged, ".")
    index = [region] + (["Perioden"] if "Perioden" in frame.columns else [])
    long = frame.assign(
        _value=value, _title=frame["Measure"].map(titles).fillna(frame["Measure"])
    )
    doubled = long.duplicated(subset=[*index, "_title"], keep=False)
    if doubled.any():
        first = long.loc[doubled].iloc[0]
        raise InputFileError(
            path,
            f"OData v4: {int(doubled.sum())} observaties komen dubbel voor (zelfde regio, "
            f"periode en meting), bv. {first[region]} / {first['Measure']}",
            fix="Download de tabel opnieuw; meld het als het blijft.",
        )
    wide = long.pivot(index=index, columns="_title", values="_value").reset_index()
    wide.columns.name = None
    wide = wide.rename(columns={region: "Codering"}).astype("string")
    wide.attrs["notes"] = notes
    return wide


def measure_titles(codes: list[dict]) -> tuple[dict[str, str], list[str]]:
    """Measure code → column title; a title shared by several codes gets its code appended."""
    by_title: dict[str, list[str]] = {}
    for code in codes:
        title = str(code.get("Title") or code["Identifier"]).strip()
        by_title.setdefault(title, []).append(str(code["Identifier"]))
    titles: dict[str, str] = {}
    notes: list[str] = []
    for title, identifiers in by_title.items():
        if len(identifiers) == 1:
            titles[identifiers[0]] = title
            continue
        for identifier in identifiers:
            titles[identifier] = f"{title} [{identifier}]"
        notes.append(
            f"titel '{title}' hoort bij {len(identifiers)} metingen "
            f"({', '.join(identifiers)}): kolommen per code"
        )
    for note in notes:
        log.info("OData v4: %s", note)
    return titles, notes


def frame_from_file(path: Path) -> tuple[pd.DataFrame, str]:
    """Wide frame and table id from a saved OData response."""
    document = load(path)
    measure_codes = None
    if "Measure" in str(document.get("value", [{}])[:1]):
        sibling = _find_measure_codes(path)
        if sibling is not None:
            measure_codes = load(sibling).get("value")
    return frame_from_document(document, path, measure_codes), table_id_of(document)


def _find_measure_codes(path: Path) -> Path | None:
    for candidate in sorted(path.parent.glob("*.json")):
        if candidate == path:
            continue
        head = candidate.read_text(encoding="utf-8-sig", errors="replace")[:2048]
        if "#MeasureCodes" in head:
            return candidate
    return None
