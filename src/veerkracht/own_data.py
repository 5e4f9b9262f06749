"""Own data placed in buurten: the one path for the CLI, Python and the web app.

A corporation's complexes (or any organisation's rows) are read leniently from CSV/XLSX
(:mod:`veerkracht.sources.own_data`) and each row is placed in a buurt of the buurtindeling
the user chose:

* ``buurtcode``: the code must exist in that indeling of that gemeente (a buurt without a
  polygon is placed too: it is in the profile and the downloads, not on the map);
* ``postcode`` PC4: through the store's PC4 → buurt relation (CBS: the most common
  postcode per buurt, ``kwb.pst_mvp``), split evenly over the buurten sharing it;
* ``postcode`` PC6 and ``adres``: online only, PDOK Locatieserver gives a point;
* points (``x``/``y`` RD or ``lat``/``lon``): point in polygon of the chosen indeling.

Every row that cannot be placed is listed with its row number and a Dutch reason;
nothing is stored here: the caller shows :class:`Placement` and the user decides.

    >>> placement = place_own_data(store, "complexen.csv", gemeente="GM0363", edition=2019)
    >>> placement.unplaced          # [Unplaced(row=4, key='BU05990101', reason='…')]
    >>> placement.buurt_values()    # per buurt: sums, most frequent label, 'aantal rijen'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from veerkracht.errors import NetworkError, ParameterError
from veerkracht.gemeenten import resolve_gemeente
from veerkracht.harmonise import postcode_per_buurt
from veerkracht.http import HttpClient
from veerkracht.online.locatieserver import search
from veerkracht.settings import STORE_CRS, get_settings
from veerkracht.sources.own_data import ERROR_COLUMN, OwnData, own_data_from_file

if TYPE_CHECKING:
    from veerkracht.settings import Settings
    from veerkracht.store import Store

#: the per-buurt count of placed rows (a readable name: it is shown as it is)
COUNT = "aantal rijen"
OFFLINE_REASON = "niet te plaatsen: adres zoeken kan alleen online (PDOK Locatieserver)"
KEY_LABELS = {
    "buurt": "buurtcode",
    "pc4": "postcode (4 cijfers)",
    "pc6": "postcode (6 tekens)",
    "adres": "adres",
    "punt": "coördinaten",
}


@dataclass(frozen=True)
class Unplaced:
    """A row that cannot be placed: its row number in the file (header = 1) and why."""

    row: int
    key: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"rij": self.row, "sleutel": self.key, "reden": self.reason}


@dataclass
class Placement:
    """The outcome of placing a file: placed rows (with buurt and weight) and the rest."""

    own: OwnData
    gemeente: str
    gemeente_name: str
    edition: int
    #: one row per (file row, buurt): row, region_code, weight, x, y (RD, NaN when the row
    #: has no point of its own) and the value columns
    placed: pd.DataFrame
    unplaced: list[Unplaced]
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.own.frame)

    @property
    def n_placed(self) -> int:
        return int(self.placed["row"].nunique()) if len(self.placed) else 0

    def buurt_values(self) -> pd.DataFrame:
        """Per buurt with a placed row: numeric sums (weighted), most frequent label and
        the number of rows (:data:`COUNT`, weighted for PC4 rows split over buurten)."""
        frame = self.placed
        out = pd.DataFrame({"region_code": sorted(set(frame["region_code"]))})
        for column in self.own.numeric:
            sums = (frame[column] * frame["weight"]).groupby(frame["region_code"]).sum(min_count=1)
            out[column] = out["region_code"].map(sums)
        for column in self.own.labels:
            top = frame.groupby("region_code")[column].agg(_mode)
            out[column] = out["region_code"].map(top).astype("string")
        out[COUNT] = out["region_code"].map(frame.groupby("region_code")["weight"].sum())
        return out

    def value_rows(self) -> list[tuple[str, str, float | None, str | None]]:
        """(buurt, column, number, label) per stored value: what an upload keeps."""
        rows: list[tuple[str, str, float | None, str | None]] = []
        for record in self.buurt_values().to_dict("records"):
            code = str(record["region_code"])
            for column in [*self.own.numeric, COUNT]:
                if not pd.isna(record[column]):
                    rows.append((code, column, round(float(record[column]), 6), None))
            for column in self.own.labels:
                if not pd.isna(record[column]):
                    rows.append((code, column, None, str(record[column])))
        return rows

    def summary(self) -> dict[str, Any]:
        """The preview in Dutch keys (web JSON, CLI table)."""
        return {
            "gemeente": {"code": self.gemeente, "naam": self.gemeente_name},
            "indeling": self.edition,
            "sleutel": KEY_LABELS[self.own.key_type],
            "rijen": self.n_rows,
            "geplaatst": self.n_placed,
            "buurten": int(self.placed["region_code"].nunique()) if len(self.placed) else 0,
            "niet_geplaatst": [u.as_json() for u in self.unplaced],
            "kolommen": {"getallen": self.own.numeric, "labels": self.own.labels},
            "meldingen": [*self.own.notes, *self.notes],
        }


def _mode(labels: pd.Series) -> object:
    counts = labels.dropna().value_counts()
    if counts.empty:
        return pd.NA
    top = counts[counts == counts.max()].index
    return sorted(map(str, top))[0]  # ties: alphabetical, so the result is reproducible


# ------------------------------------------------------------------ choices
@dataclass(frozen=True)
class EditionChoice:
    """A buurtindeling a file can be placed in: its year, its buurten, and how many of them
    have a polygon (for points and the map)."""

    edition: int
    buurten: int
    with_boundary: int


def edition_choices(store: Store, gemeente: str) -> list[EditionChoice]:
    """The buurtindelingen (editions) a file of ``gemeente`` can be placed in, newest first."""
    out = []
    for edition in sorted(store.buurt_code_editions(gemeente), reverse=True):
        n = len(store.buurten(gemeente, edition))
        if n:
            polygons, _ = polygons_for(store, gemeente, edition)
            out.append(EditionChoice(edition, n, len(polygons)))
    return out


def polygons_for(store: Store, gemeente: str, edition: int) -> tuple[gpd.GeoDataFrame, int | None]:
    """The polygons of ``edition``'s buurt codes: from that edition, else from the stored
    edition that carries most of its codes (as the maps do); and that edition."""
    codes = set(store.buurten(gemeente, edition)["region_code"].astype(str))
    best, best_n = None, 0
    for ed in store.geometry_editions(gemeente):
        frame = store.geometries(gemeente, ed)
        frame = frame[frame["region_code"].isin(codes)][["region_code", "name", "geometry"]]
        if ed == edition and len(frame):
            return frame.reset_index(drop=True), ed
        if len(frame) > best_n or (
            len(frame) == best_n and best is not None and abs(ed - edition) < abs(best[1] - edition)
        ):
            best, best_n = (frame, ed), len(frame)
    if best is None:
        return store.geometries(gemeente, edition)[["region_code", "name", "geometry"]], None
    return best[0].reset_index(drop=True), best[1]


def _check_edition(store: Store, gemeente: str, edition: int) -> None:
    choices = edition_choices(store, gemeente)
    if not any(c.edition == edition for c in choices):
        raise ParameterError(
            "buurtindeling",
            edition,
            f"deze buurtindeling is voor {gemeente} niet in de gegevens",
            fix="Kies een van: " + ", ".join(str(c.edition) for c in choices) + "."
            if choices
            else "Importeer eerst buurtgegevens van deze gemeente.",
        )


# ------------------------------------------------------------------ placing
def place_own_data(
    store: Store,
    path: str | Path,
    *,
    gemeente: str,
    edition: int,
    organisation: str = "eigen organisatie",
    online: bool | None = None,
    settings: Settings | None = None,
    client: HttpClient | None = None,
) -> Placement:
    """Read ``path`` and place every row in a buurt of ``gemeente`` in ``edition``.

    ``online`` (default: not ``VEERKRACHT_OFFLINE``) allows PC6 and address rows to be
    looked up at PDOK Locatieserver. Nothing is stored.
    """
    found = resolve_gemeente(store, gemeente)
    edition = int(edition)
    _check_edition(store, found.code, edition)
    own = own_data_from_file(path, organisation=organisation, edition=edition, lenient=True)
    frame = own.frame
    bad = frame[ERROR_COLUMN].notna()
    unplaced = [Unplaced(int(r.row), _shown(r.key), str(r.error)) for r in _rows(frame[bad])]
    todo = frame[~bad]
    placement = Placement(own, found.code, found.name, edition, _empty(own), unplaced)
    placer = {
        "buurt": _by_code,
        "pc4": _by_pc4,
        "punt": _by_point,
        "pc6": _by_lookup,
        "adres": _by_lookup,
    }[own.key_type]
    placed = placer(store, placement, todo, online=online, settings=settings, client=client)
    placement.placed = placed.sort_values(["row", "region_code"]).reset_index(drop=True)
    placement.unplaced.sort(key=lambda u: u.row)
    return placement


def _rows(frame: pd.DataFrame):
    return frame.rename(columns={ERROR_COLUMN: "error"}).itertuples(index=False)


def _shown(key: object) -> str:
    return "" if key is None or pd.isna(key) else str(key)


def _empty(own: OwnData) -> pd.DataFrame:
    columns = ["row", "region_code", "weight", "x", "y", *own.numeric, *own.labels]
    return pd.DataFrame(columns=columns)


def _with(rows: pd.DataFrame, own: OwnData, codes, weights=1.0, xs=None, ys=None) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "row": rows["row"].to_numpy(),
            "region_code": list(codes),
            "weight": weights,
            "x": xs if xs is not None else float("nan"),
            "y": ys if ys is not None else float("nan"),
        }
    )
    for column in [*own.numeric, *own.labels]:
        out[column] = rows[column].to_numpy()
    return out


def _by_code(store: Store, p: Placement, rows: pd.DataFrame, **_: Any) -> pd.DataFrame:
    known = set(store.buurten(p.gemeente, p.edition)["region_code"].astype(str))
    ok = rows["key"].isin(known)
    other_editions = _editions_of_codes(store, p.gemeente, set(rows.loc[~ok, "key"]), p.edition)
    for r in rows[~ok].itertuples(index=False):
        code = str(r.key)
        if code[2:6] != p.gemeente[2:6]:
            reason = (
                f"buurtcode {code} hoort bij een andere gemeente (GM{code[2:6]}), "
                f"niet bij {p.gemeente_name}"
            )
        elif other_editions.get(code):
            years = ", ".join(map(str, other_editions[code]))
            reason = (
                f"buurtcode {code} bestaat niet in buurtindeling {p.edition} van "
                f"{p.gemeente_name} (wel in indeling {years}); kies die indeling"
            )
        else:
            reason = (
                f"buurtcode {code} is onbekend in buurtindeling {p.edition} van {p.gemeente_name}"
            )
        p.unplaced.append(Unplaced(int(r.row), code, reason))
    placed = rows[ok]
    polygons, _ = polygons_for(store, p.gemeente, p.edition)
    with_polygon = set(polygons["region_code"].astype(str))
    no_polygon = sorted(set(placed["key"]) - with_polygon)
    if no_polygon:
        p.notes.append(
            f"{len(no_polygon)} buurt(en) zonder kaartgrens in indeling {p.edition} "
            f"({', '.join(no_polygon[:5])}): wel geplaatst en in profiel en downloads, "
            "niet als symbool op de kaart"
        )
    return _with(placed, p.own, placed["key"].astype(str))


def _editions_of_codes(
    store: Store, gemeente: str, codes: set[str], edition: int
) -> dict[str, list[int]]:
    """For unknown codes: the other editions of this gemeente that do know them."""
    out: dict[str, list[int]] = {}
    if not codes:
        return out
    for ed in sorted(store.buurt_code_editions(gemeente)):
        if ed == edition:
            continue
        for code in codes & set(store.buurten(gemeente, ed)["region_code"].astype(str)):
            out.setdefault(code, []).append(ed)
    return out


def _by_pc4(store: Store, p: Placement, rows: pd.DataFrame, **_: Any) -> pd.DataFrame:
    postcodes, via = postcode_per_buurt(store, p.gemeente, p.edition)
    by_pc4: dict[str, list[str]] = {}
    for code, pc in postcodes.dropna().items():
        by_pc4.setdefault(str(int(pc)), []).append(str(code))
    parts, split = [], 0
    for _, r in rows.iterrows():
        buurten = sorted(by_pc4.get(str(r["key"]), []))
        if not buurten:
            reason = (
                f"postcode {r['key']} is van geen enkele buurt van {p.gemeente_name} de meest "
                f"voorkomende postcode (CBS, indeling {p.edition}); lever een buurtcode, "
                "6-cijferige postcode of adres aan"
                if len(postcodes)
                else f"de gegevens hebben geen postcode per buurt voor indeling {p.edition}; "
                "kies een andere indeling of lever buurtcodes aan"
            )
            p.unplaced.append(Unplaced(int(r["row"]), str(r["key"]), reason))
            continue
        split += len(buurten) > 1
        repeated = pd.DataFrame([r] * len(buurten))
        parts.append(_with(repeated, p.own, buurten, 1.0 / len(buurten)))
    p.notes.append(
        "postcode → buurt: de meest voorkomende postcode per buurt (CBS, "
        f"{'; '.join(via)}); een postcode van meerdere buurten is gelijk verdeeld"
        + (f" ({split} rij(en))" if split else "")
    )
    return pd.concat(parts, ignore_index=True) if parts else _empty(p.own)


def _by_point(store: Store, p: Placement, rows: pd.DataFrame, **_: Any) -> pd.DataFrame:
    points = p.own.points
    xs = [points.geometry.iloc[i].x for i in rows.index]
    ys = [points.geometry.iloc[i].y for i in rows.index]
    return _place_points(store, p, rows, xs, ys, [str(k) for k in rows["key"]])


def _place_points(
    store: Store, p: Placement, rows: pd.DataFrame, xs: list, ys: list, shown: list[str]
) -> pd.DataFrame:
    """Point in polygon against the chosen edition; rows outside every polygon listed."""
    polygons, _ = polygons_for(store, p.gemeente, p.edition)
    polygons = polygons[["region_code", "geometry"]]
    if polygons.empty:
        for r, key in zip(rows.itertuples(index=False), shown, strict=True):
            p.unplaced.append(
                Unplaced(
                    int(r.row),
                    key,
                    f"buurtindeling {p.edition} heeft geen kaartgrenzen om punten in te plaatsen; "
                    "kies een indeling met kaartgrenzen",
                )
            )
        return _empty(p.own)
    pts = gpd.GeoDataFrame(
        {"pos": range(len(rows))}, geometry=gpd.points_from_xy(xs, ys), crs=STORE_CRS
    )
    joined = gpd.sjoin(pts, polygons, how="left", predicate="within")
    joined = joined.drop_duplicates("pos").sort_values("pos")  # on a shared edge: first buurt
    codes = joined["region_code"].to_numpy()
    inside = pd.notna(codes)
    all_codes = set(store.buurten(p.gemeente, p.edition)["region_code"].astype(str))
    without = sorted(all_codes - set(polygons["region_code"].astype(str)))
    for r, key, ok in zip(rows.itertuples(index=False), shown, inside, strict=True):
        if ok:
            continue
        reason = f"punt ligt buiten de buurten van {p.gemeente_name} (indeling {p.edition})"
        if without:
            reason += (
                f"; {len(without)} buurt(en) hebben daar geen kaartgrens en kunnen geen punten "
                f"krijgen (o.a. {', '.join(without[:3])})"
            )
        p.unplaced.append(Unplaced(int(r.row), key, reason))
    keep = rows[inside]
    return _with(
        keep,
        p.own,
        codes[inside],
        xs=[x for x, ok in zip(xs, inside, strict=True) if ok],
        ys=[y for y, ok in zip(ys, inside, strict=True) if ok],
    )


def _by_lookup(
    store: Store,
    p: Placement,
    rows: pd.DataFrame,
    *,
    online: bool | None,
    settings: Settings | None,
    client: HttpClient | None,
) -> pd.DataFrame:
    """PC6 and addresses: a point from PDOK Locatieserver (online only), then a polygon."""
    settings = settings or get_settings()
    if online is None:
        online = not settings.offline
    if not online or rows.empty:
        for r in rows.itertuples(index=False):
            p.unplaced.append(Unplaced(int(r.row), _shown(r.key), OFFLINE_REASON))
        return _empty(p.own)
    found_rows, xs, ys, shown = [], [], [], []
    own_client = client is None
    if client is None:
        client = HttpClient(settings)
    kind = "adres" if p.own.key_type == "adres" else "postcode"
    try:
        for position, r in enumerate(rows.itertuples(index=False)):
            try:
                hit = _lookup(client, str(r.key), kind)
            except NetworkError as exc:  # the service is down: the rest cannot be placed
                reason = f"{OFFLINE_REASON}; de dienst gaf: {exc.message}"
                for rest in rows.iloc[position:].itertuples(index=False):
                    p.unplaced.append(Unplaced(int(rest.row), _shown(rest.key), reason))
                break
            if hit is None:
                what = "adres" if kind == "adres" else "postcode"
                p.unplaced.append(
                    Unplaced(int(r.row), str(r.key), f"{what} niet gevonden bij PDOK Locatieserver")
                )
            elif hit.gemeente and hit.gemeente != p.gemeente:
                p.unplaced.append(
                    Unplaced(
                        int(r.row),
                        str(r.key),
                        f"gevonden als '{hit.name}', in een andere gemeente ({hit.gemeente}) "
                        f"dan {p.gemeente_name}",
                    )
                )
            else:
                found_rows.append(position)
                xs.append(hit.x)
                ys.append(hit.y)
                shown.append(str(r.key))
    finally:
        if own_client:
            client.close()
    p.notes.append(f"{len(found_rows)} {kind}(sen) gevonden via PDOK Locatieserver")
    return _place_points(store, p, rows.iloc[found_rows], xs, ys, shown)


def _lookup(client: HttpClient, key: str, kind: str):
    return search(client, key, kind)


# ------------------------------------------------------------------ points for maps
def own_data_points(
    store: Store,
    source: Placement | pd.DataFrame,
    *,
    gemeente: str | None = None,
    edition: int | None = None,
) -> gpd.GeoDataFrame:
    """Points (EPSG:28992) to draw own data with, one per buurt with rows.

    ``source``: a :class:`Placement`, or per-buurt values (``region_code`` and
    :data:`COUNT`, as an upload keeps them; then give ``gemeente`` and ``edition``).
    The point is the buurt's representative point; buurten without a polygon have none
    and are left out. Columns: region_code, name, :data:`COUNT`, value columns, geometry.
    """
    if isinstance(source, Placement):
        values = source.buurt_values()
        gemeente, edition = source.gemeente, source.edition
    else:
        values = source
    if gemeente is None or edition is None:
        raise ParameterError(
            "gemeente",
            gemeente,
            "bij waarden per buurt zijn gemeente en buurtindeling nodig",
            fix="Geef gemeente='GM0363' en edition=2019 mee, of geef een Placement.",
        )
    polygons, _ = polygons_for(store, gemeente, int(edition))
    merged = polygons.merge(values, on="region_code", how="inner")
    merged = merged.set_geometry(merged.geometry.representative_point())
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=STORE_CRS).reset_index(drop=True)


def legend_label(title: str, n_rows: float, n_buurten: int) -> str:
    """'Eigen gegevens: Complexen 2024 (12 rijen in 8 buurten)': never a column name."""
    rows = round(n_rows)
    return (
        f"Eigen gegevens: {title} ({rows} {'rij' if rows == 1 else 'rijen'} in "
        f"{n_buurten} {'buurt' if n_buurten == 1 else 'buurten'})"
    )
