"""Boundary harmonisation: values on any boundary edition -> one reference edition.

Buurt codes only mean something with their edition (the year of the *indeling*).
Before values of different years can be compared they are translated to one
reference edition. Per source region the first method that applies is used:

1. ``identiek``   - the source edition *is* the reference edition, or the gemeente's
                    buurt code set is exactly the same in both editions (CBS retires a
                    code when a buurt's boundary changes materially, so an unchanged
                    code set means unchanged buurten);
2. ``kruistabel`` - a published code crosswalk (``crosswalks`` table). Its ``from``
                    edition need not be the value edition: codes stay valid for years
                    (Amsterdam's old codes for 2015-2021), so we take the crosswalk
                    edition at or before the value edition that covers most of the
                    value codes (at least ``MIN_COVERAGE``), the nearest on a tie;
3. ``overlap``    - area-weighted overlay of source and reference buurt polygons in
                    EPSG:28992: weight = intersection area / source area. The source
                    polygons come from the geometry edition chosen by the same rule.
                    Dwelling- or population-weighted overlay (a finer count layer such
                    as PC6 or 100 m grid cells) is NOT implemented: ``overlay_weights``
                    is the hook - swap the area of an intersection for the count inside it;
4. nothing        - the source region stays unmatched and shows up in the conservation
                    error of its gemeente.

PC4 values (Leefbaarometer 2.0) go to buurten by ``pc4-overlap`` when PC4 polygons are
in the store, otherwise by ``pc4-postcode``: every buurt takes the value of its most
common postcode (KWB ``pst_mvp``). That fallback is a lookup, not a distribution: it
ignores the other postcodes in a buurt and the parts of the PC4 outside it, so it is
only used for non-additive kinds (score, klasse, gemiddelde, percentage, per_1000);
counts are left out.

How each kind is translated (``translate_values``):

* ``aantal``: distributed by weight and summed;
* ``percentage``/``per_1000``/``gemiddelde``/``score`` with a denominator: numerator =
  value x denominator, numerator and denominator are translated as counts and the target
  value is their ratio (so merged buurten get the pooled rate, not a mean of rates);
* ``gemiddelde``/``score`` without denominator: area-weighted mean (crosswalk weight when
  no source area is known);
* ``klasse``: the class of the source with the largest weight; ``code``: never translated.

Conservation (``translation_errors``), per gemeente, variable and period, for counts and
the numerators of rates (value x denominator, in persons/dwellings): total over the
gemeente's published source buurten (before) vs total mass that reached target buurten
(after, also where the target is then withheld as geheim - the error measures what the
boundaries lose, not the suppression rule), relative error, number of source buurten and
the number of those without any match.

Suppression: a target value is ``geheim`` (or ``leeg``) when source values that are not
published carry more than ``SUPPRESSED_SHARE`` of its weight (plain translation weight
w_st). Below that share the missing sources are left out (counts are then slightly low,
rates are pooled over the published sources).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from veerkracht.errors import NoDataError
from veerkracht.gemeenten import resolve_gemeente
from veerkracht.store.schema import ERROR_COLUMNS, TRANSLATED_COLUMNS

if TYPE_CHECKING:
    import geopandas as gpd

    from veerkracht.store import Store

METHOD_IDENTITY = "identiek"
METHOD_CROSSWALK = "kruistabel"
METHOD_OVERLAY = "overlap"
METHOD_WEIGHTED = "overlap-gewogen"  # by dwelling/inhabitant points instead of area
METHOD_PC4_OVERLAY = "pc4-overlap"
METHOD_PC4_POSTCODE = "pc4-postcode"
#: Preference order, also used to name mixed methods ("kruistabel+overlap").
METHODS = (
    METHOD_IDENTITY,
    METHOD_CROSSWALK,
    METHOD_WEIGHTED,
    METHOD_OVERLAY,
    METHOD_PC4_OVERLAY,
    METHOD_PC4_POSTCODE,
)

#: Target value is withheld when unpublished sources carry more than this share of its weight.
SUPPRESSED_SHARE = 0.10
#: A weight below this share of a source is a sliver (digitising noise), not a split.
SLIVER = 0.01
#: A crosswalk/geometry edition must know at least this share of the value codes.
MIN_COVERAGE = 0.5
#: Weights below this are dropped (touching polygons, rounding).
MIN_WEIGHT = 1e-6

RATIO_KINDS = ("percentage", "per_1000", "gemiddelde", "score")
_SCALE = {"percentage": 0.01, "per_1000": 0.001}
#: Kinds that the PC4 postcode lookup may carry (non-additive).
LOOKUP_KINDS = (*RATIO_KINDS, "klasse")
POSTCODE_VARIABLE = "kwb.pst_mvp"
POPULATION_VARIABLE = "kwb.a_inw"


@dataclass
class SourcePlan:
    """How the values of one source edition (and level) were translated."""

    level: str
    source_edition: int
    periods: list[int]
    methods: list[str]
    via: list[str]  # e.g. "kruistabel 2015→2022", "geometrie 2017 → 2022"
    n_source: int  # source regions with values
    n_matched: int
    n_values: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class TranslationResult:
    gemeente_code: str
    gemeente_name: str
    edition: int
    values: pd.DataFrame  # TRANSLATED_COLUMNS
    errors: pd.DataFrame  # ERROR_COLUMNS
    plans: list[SourcePlan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- weights
def identity_weights(codes: pd.Series | list[str]) -> pd.DataFrame:
    codes = pd.Series(pd.unique(pd.Series(codes, dtype="string")), dtype="string")
    return pd.DataFrame(
        {"from_code": codes, "to_code": codes, "weight": 1.0, "method": METHOD_IDENTITY}
    )


def overlay_weights(
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    *,
    method: str = METHOD_OVERLAY,
    points: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Share of each source region that lies in each target region.

    By area; or, with ``points`` (EPSG:28992, a numeric column ``gewicht``: dwellings
    or inhabitants per address), by the share of those counts inside each intersection,
    so a split buurt's values follow where people live rather than where the meadows
    are. Sources without any point inside keep their area weights.
    """
    src = source.geometry.to_numpy()
    tgt = target.geometry.to_numpy()
    tree = shapely.STRtree(tgt)
    i_src, i_tgt = tree.query(src, predicate="intersects")
    inter = shapely.area(shapely.intersection(src[i_src], tgt[i_tgt]))
    src_area = shapely.area(src)[i_src]
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(src_area > 0, inter / src_area, 0.0)
    frame = pd.DataFrame(
        {
            "from_code": source["region_code"].to_numpy()[i_src],
            "to_code": target["region_code"].to_numpy()[i_tgt],
            "weight": weight,
            "method": method,
        }
    )
    if points is not None and not points.empty:
        frame = _weigh_by_points(frame, source, target, points)
    return frame[frame["weight"] > MIN_WEIGHT].reset_index(drop=True)


def _weigh_by_points(
    frame: pd.DataFrame,
    source: gpd.GeoDataFrame,
    target: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """Replace area weights by point-count weights where a source region has points."""
    pts = points.geometry.to_numpy()
    weights = points["gewicht"].to_numpy(dtype=float)
    p_src, s_idx = shapely.STRtree(source.geometry.to_numpy()).query(pts, predicate="within")
    p_tgt, t_idx = shapely.STRtree(target.geometry.to_numpy()).query(pts, predicate="within")
    in_src = pd.DataFrame({"p": p_src, "from_code": source["region_code"].to_numpy()[s_idx]})
    in_tgt = pd.DataFrame({"p": p_tgt, "to_code": target["region_code"].to_numpy()[t_idx]})
    located = in_src.merge(in_tgt, on="p", how="left").assign(w=weights[in_src["p"].to_numpy()])
    totals = located.groupby("from_code")["w"].sum()
    totals = totals[totals > 0]
    pairs = located.dropna(subset=["to_code"]).groupby(["from_code", "to_code"])["w"].sum()
    counted = frame["from_code"].isin(totals.index)
    by_points = (
        pairs.div(totals, level="from_code")
        .rename("weight")
        .reset_index()
        .assign(method=METHOD_WEIGHTED)
    )
    return pd.concat([frame[~counted], by_points], ignore_index=True)


def _annotate(weights: pd.DataFrame) -> pd.DataFrame:
    """Add ``split`` (source goes to >1 target) and ``merged`` (target has >1 source)."""
    real = weights[weights["weight"] >= SLIVER]
    n_to = real.groupby("from_code")["to_code"].nunique()
    n_from = real.groupby("to_code")["from_code"].nunique()
    return weights.assign(
        split=weights["from_code"].map(n_to).fillna(0).to_numpy() > 1,
        merged=weights["to_code"].map(n_from).fillna(0).to_numpy() > 1,
    )


# --------------------------------------------------------------------------- arithmetic
def translate_values(
    values: pd.DataFrame,
    weights: pd.DataFrame,
    variables: pd.DataFrame,
    *,
    source_area: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Translate long values of ONE source edition with ``weights``.

    ``values``: region_code, period, variable, value, status (and optionally dataset_key);
    denominators are looked up in the same frame. ``weights``: from_code, to_code, weight,
    method. ``variables``: variable, kind, denominator. ``source_area``: m² per source
    code, for area-weighted means of variables without denominator.

    Returns (translated, conservation): translated has region_code, period, variable,
    value, status, method, share_split, share_merged, dataset_key; conservation has
    variable, period, method, total_before, total_after, relative_error, n_source,
    n_unmatched.
    """
    kinds = variables.drop_duplicates("variable").set_index("variable")[["kind", "denominator"]]
    v = values.merge(kinds, left_on="variable", right_index=True, how="inner")
    v = v[v["kind"] != "code"]
    if "dataset_key" not in v:
        v = v.assign(dataset_key="")
    den = values[["region_code", "period", "variable", "value", "status"]].rename(
        columns={"variable": "denominator", "value": "den", "status": "den_status"}
    )
    v = v.merge(den, on=["region_code", "period", "denominator"], how="left")

    kind = v["kind"].to_numpy()
    is_count = kind == "aantal"
    is_class = kind == "klasse"
    has_den = v["denominator"].notna().to_numpy() & ~is_count
    value = v["value"].to_numpy(dtype=float)
    den_v = v["den"].to_numpy(dtype=float)
    usable = (v["status"].to_numpy() == "ok") & ~np.isnan(value)
    usable &= ~has_den | ((v["den_status"].to_numpy() == "ok") & ~np.isnan(den_v))
    if source_area is not None:
        area = v["region_code"].map(source_area).to_numpy(dtype=float)
        area = np.where(np.isnan(area), 1.0, area)
    else:
        area = np.ones(len(v))
    weight_basis = np.where(is_count | is_class, 1.0, np.where(has_den, den_v, area))
    # conservation totals are numerators in units of the denominator (40 % of 100 -> 40);
    # the arithmetic itself stays unscaled so that a 1:1 translation returns the value exactly
    scale = v["kind"].map(_SCALE).fillna(1.0).to_numpy(dtype=float)
    num = np.where(is_count | is_class, value, value * weight_basis)
    v = v.assign(
        num=np.where(usable, num, 0.0),
        weight_basis=np.where(usable, weight_basis, 0.0),
        scale=scale,
        usable=usable,
        suppressed=(v["status"].to_numpy() == "geheim") & ~usable,
        is_count=is_count,
        is_class=is_class,
        has_den=has_den,
    )

    w = _annotate(weights)
    p = v.merge(w, left_on="region_code", right_on="from_code", how="inner")
    wt = p["weight"].to_numpy()
    p["num_st"] = p["num"].to_numpy() * wt
    p["den_st"] = p["weight_basis"].to_numpy() * wt
    p["w_ok"] = np.where(p["usable"], wt, 0.0)
    p["w_suppressed"] = np.where(p["suppressed"], wt, 0.0)
    # basis for split/merged shares: the count itself, the denominator, or the weight
    share_b = np.where(
        p["is_count"], np.abs(p["num_st"]), np.where(p["is_class"], p["w_ok"], p["den_st"])
    )
    p["share_b"] = share_b
    p["split_b"] = np.where(p["split"], share_b, 0.0)

    keys = ["to_code", "variable", "period"]
    g = p.groupby(keys, sort=False)
    out = g.agg(
        num=("num_st", "sum"),
        den=("den_st", "sum"),
        w_all=("weight", "sum"),
        w_ok=("w_ok", "sum"),
        w_suppressed=("w_suppressed", "sum"),
        share_sum=("share_b", "sum"),
        share_max=("share_b", "max"),
        split_sum=("split_b", "sum"),
        is_count=("is_count", "first"),
        is_class=("is_class", "first"),
        scale=("scale", "first"),
        dataset_key=("dataset_key", "first"),
    ).reset_index()
    # klasse: the class of the largest-weight published source
    cls = p[p["is_class"] & p["usable"]]
    if not cls.empty:
        top = cls.loc[cls.groupby(keys, sort=False)["weight"].idxmax(), [*keys, "value"]]
        out = out.merge(top.rename(columns={"value": "class_value"}), on=keys, how="left")
    else:
        out["class_value"] = np.nan

    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.round(np.where(out["den"] > 0, out["num"] / out["den"], np.nan), 9)
        missing_share = 1.0 - out["w_ok"] / out["w_all"]
        share_split = np.where(out["share_sum"] > 0, out["split_sum"] / out["share_sum"], 0.0)
        share_merged = np.where(
            out["share_sum"] > 0, 1.0 - out["share_max"] / out["share_sum"], 0.0
        )
    result = np.where(
        out["is_count"], out["num"], np.where(out["is_class"], out["class_value"], ratio)
    )
    withheld = (missing_share > SUPPRESSED_SHARE + 1e-12) | (out["w_ok"] <= 0)
    status = np.where(
        withheld,
        np.where(out["w_suppressed"] > 0, "geheim", "leeg"),
        np.where(np.isnan(result.astype(float)), "leeg", "ok"),
    )
    methods = w.groupby("to_code")["method"].agg(_join_methods)
    translated = pd.DataFrame(
        {
            "region_code": out["to_code"].to_numpy(),
            "period": out["period"].to_numpy(),
            "variable": out["variable"].to_numpy(),
            "value": np.where(status == "ok", result.astype(float), np.nan),
            "status": status,
            "method": out["to_code"].map(methods).to_numpy(),
            "share_split": np.round(share_split, 6),
            "share_merged": np.round(share_merged, 6),
            "dataset_key": out["dataset_key"].to_numpy(),
        }
    )
    conservation = _conservation(v, out, w)
    return translated, conservation


def _join_methods(methods: pd.Series) -> str:
    present = set(methods)
    return "+".join(m for m in METHODS if m in present)


def _conservation(v: pd.DataFrame, out: pd.DataFrame, w: pd.DataFrame) -> pd.DataFrame:
    """Totals of counts and rate numerators before (sources) and after (targets)."""
    additive = v[(v["is_count"] | v["has_den"]) & v["usable"]]
    additive = additive.assign(num=additive["num"] * additive["scale"])
    matched = set(w["from_code"])
    before = (
        additive.assign(unmatched=~additive["region_code"].isin(matched))
        .groupby(["variable", "period"])
        .agg(
            total_before=("num", "sum"),
            n_source=("region_code", "nunique"),
            n_unmatched=("unmatched", "sum"),
        )
    )
    # all mass that reached a target, also where the target is withheld (geheim): the
    # error measures what the boundaries lose, not the suppression rule
    moved = out.assign(num=out["num"] * out["scale"])
    after = moved.groupby(["variable", "period"])["num"].sum().rename("total_after")
    frame = before.join(after, how="left").reset_index()
    frame["total_after"] = frame["total_after"].fillna(0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["relative_error"] = np.where(
            frame["total_before"] != 0,
            (frame["total_after"] - frame["total_before"]) / frame["total_before"],
            np.where(frame["total_after"] == 0, 0.0, np.nan),
        )
    frame["method"] = _join_methods(w["method"]) if not w.empty else "geen"
    frame["n_unmatched"] = frame["n_unmatched"].astype(int)
    return frame[
        [
            "variable",
            "period",
            "method",
            "total_before",
            "total_after",
            "relative_error",
            "n_source",
            "n_unmatched",
        ]
    ]


def postcode_lookup(
    values: pd.DataFrame, postcodes: pd.Series, variables: pd.DataFrame
) -> pd.DataFrame:
    """PC4 values -> buurten through each buurt's most common postcode (``pc4-postcode``).

    ``postcodes``: PC4 number per target buurt code. Only non-additive kinds are carried.
    """
    kinds = variables.drop_duplicates("variable").set_index("variable")["kind"]
    v = values[values["variable"].map(kinds).isin(LOOKUP_KINDS)]
    pc = postcodes.dropna()
    link = pd.DataFrame(
        {"region_code": pc.index.astype(str), "pc4": pc.astype(int).astype(str).to_numpy()}
    )
    joined = link.merge(v.rename(columns={"region_code": "pc4"}), on="pc4", how="inner")
    if "dataset_key" not in joined:
        joined["dataset_key"] = ""
    return pd.DataFrame(
        {
            "region_code": joined["region_code"],
            "period": joined["period"],
            "variable": joined["variable"],
            "value": joined["value"].where(joined["status"] == "ok"),
            "status": joined["status"],
            "method": METHOD_PC4_POSTCODE,
            "share_split": np.nan,
            "share_merged": np.nan,
            "dataset_key": joined["dataset_key"],
        }
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- the store
def _target_codes(store: Store, gm: str, edition: int) -> set[str]:
    """Buurt codes of the reference edition for the gemeente (regions, geometries, crosswalk)."""
    return store.buurt_target_codes(gm, edition)


def _best_edition(
    candidates: dict[int, set[str]], codes: set[str], value_edition: int
) -> tuple[int, float] | None:
    """Edition at or before ``value_edition`` whose code set covers most of ``codes``."""
    best = None
    for ed, known in candidates.items():
        if ed > value_edition or not codes:
            continue
        coverage = len(codes & known) / len(codes)
        key = (coverage, ed)
        if coverage >= MIN_COVERAGE and (best is None or key > best):
            best = key
    return (best[1], best[0]) if best else None


def _crosswalk_weights(
    store: Store,
    gm: str,
    codes: set[str],
    value_edition: int,
    edition: int,
    target: set[str],
) -> tuple[pd.DataFrame, str] | None:
    cw = store.gemeente_crosswalks(gm)
    if cw.empty:
        return None
    # usable: lands on the reference edition, or on codes that all exist in it
    usable = cw.groupby(["from_edition", "to_edition"]).filter(
        lambda f: int(f["to_edition"].iloc[0]) == edition or set(f["to_code"]) <= target
    )
    if usable.empty:
        return None
    candidates = {int(e): set(f["from_code"]) for e, f in usable.groupby("from_edition")}
    chosen = _best_edition(candidates, codes, value_edition)
    if chosen is None:
        return None
    from_ed = chosen[0]
    rows = usable[(usable["from_edition"] == from_ed) & usable["from_code"].isin(codes)]
    # one crosswalk only: two published crosswalks from the same edition (say 2015->2019
    # and 2015->2022) would otherwise both distribute every value and double the counts
    to_ed = edition if (rows["to_edition"] == edition).any() else int(rows["to_edition"].max())
    rows = rows[rows["to_edition"] == to_ed]
    frame = rows[["from_code", "to_code", "weight"]].assign(method=METHOD_CROSSWALK)
    return frame.reset_index(drop=True), f"kruistabel {from_ed}→{to_ed}"


def _geometry_candidates(store: Store, gm: str, level: str = "buurt") -> dict[int, set[str]]:
    frame = store.geometry_codes(gm, level)
    return {int(e): set(f["region_code"]) for e, f in frame.groupby("edition")}


def _overlay_for(
    store: Store,
    gm: str,
    codes: set[str],
    value_edition: int,
    edition: int,
    points: gpd.GeoDataFrame | None = None,
) -> tuple[pd.DataFrame, str, pd.Series] | None:
    candidates = _geometry_candidates(store, gm)
    if edition not in candidates:
        return None
    chosen = _best_edition(candidates, codes, value_edition)
    if chosen is None:
        return None
    src = store.geometry_frame("buurt", chosen[0], gm)
    src = src[src["region_code"].isin(codes)]
    tgt = store.geometry_frame("buurt", edition, gm)
    frame = overlay_weights(src, tgt, points=points)
    area = src.set_index("region_code")["area_m2"]
    via = f"geometrie {chosen[0]} → {edition}"
    if (frame["method"] == METHOD_WEIGHTED).any():
        via += ", gewogen met adrespunten"
    return frame, via, area


def build_weights(
    store: Store,
    gm: str,
    codes: set[str],
    value_edition: int,
    edition: int,
    target: set[str],
    points: gpd.GeoDataFrame | None = None,
) -> tuple[pd.DataFrame, list[str], pd.Series | None]:
    """Weights for the buurt codes of one value edition, method by method."""
    if value_edition == edition or (target and codes == target):
        return identity_weights(sorted(codes)), ["zelfde indeling"], None
    parts, via, area = [], [], None
    left = set(codes)
    found = _crosswalk_weights(store, gm, left, value_edition, edition, target)
    if found is not None:
        parts.append(found[0])
        via.append(found[1])
        left -= set(found[0]["from_code"])
    if left:
        overlay = _overlay_for(store, gm, left, value_edition, edition, points)
        if overlay is not None and not overlay[0].empty:
            parts.append(overlay[0])
            via.append(overlay[1])
            area = overlay[2]
    if not parts:
        return pd.DataFrame(columns=["from_code", "to_code", "weight", "method"]), [], None
    return pd.concat(parts, ignore_index=True), via, area


def _variables(store: Store) -> pd.DataFrame:
    return store.variable_kinds()


def translated_values_from_store(
    store: Store,
    *,
    gemeente: str,
    edition: int,
    source_editions: list[int] | None = None,
    variables: list[str] | None = None,
    points: gpd.GeoDataFrame | None = None,
) -> TranslationResult:
    """Translate all buurt (and PC4) values of a gemeente to reference ``edition``.

    ``points``: optional dwelling/inhabitant points (column ``gewicht``) for a
    count-weighted overlay where boundaries changed (see :func:`overlay_weights`).
    """
    found = resolve_gemeente(store, gemeente)
    gm, name = found.code, found.name
    target = _target_codes(store, gm, edition)
    if not target:
        raise NoDataError(
            f"geen buurtindeling {edition} bekend voor {name} ({gm})",
            fix="Importeer buurtgrenzen, een kruistabel of KWB-cijfers van die indeling, "
            "of kies een andere referentie-indeling met --naar.",
        )
    kinds = _variables(store)
    values = store.values(gemeente=gm, level="buurt")
    result = TranslationResult(gm, name, edition, _empty_translated(), _empty_errors())
    frames, errors = [], []
    for ed, part in values.groupby("edition"):
        ed = int(ed)
        if source_editions and ed not in source_editions:
            continue
        wanted = _select(part, variables, kinds)
        codes = set(part["region_code"])
        weights, via, area = build_weights(store, gm, codes, ed, edition, target, points)
        plan = SourcePlan(
            "buurt",
            ed,
            sorted(int(p) for p in wanted["period"].unique()),
            sorted(set(weights["method"]), key=METHODS.index),
            via,
            len(codes),
            len(codes & set(weights["from_code"])),
        )
        if weights.empty:
            plan.notes.append("geen kruistabel of geometrie die deze codes kent")
        translated, conservation = translate_values(wanted, weights, kinds, source_area=area)
        plan.n_values = int((translated["status"] == "ok").sum())
        frames.append(translated.assign(source_edition=ed))
        errors.append(conservation.assign(source_edition=ed))
        result.plans.append(plan)
    pc4 = _pc4_periods(store, variables, source_editions)
    if pc4:
        frames_pc4, plans = _translate_pc4(store, gm, pc4, variables, edition, target, kinds)
        frames += frames_pc4
        result.plans += plans
    if frames:
        result.values = _finish(pd.concat(frames, ignore_index=True), edition)
    if errors:
        err = pd.concat(errors, ignore_index=True)
        result.errors = err.assign(
            gemeente_code=gm,
            edition=edition,
            created_at=datetime.now(UTC).replace(tzinfo=None),
        )[ERROR_COLUMNS]
    if not result.plans:
        raise NoDataError(
            f"geen buurtwaarden voor {name} ({gm}) in de store",
            fix="Importeer eerst KWB- of andere buurtcijfers: 'veerkracht data importeren MAP'.",
        )
    return result


def _select(part: pd.DataFrame, variables: list[str] | None, kinds: pd.DataFrame) -> pd.DataFrame:
    if not variables:
        return part
    # keep the denominators of the requested rates: they are needed, not written
    dens = kinds.loc[kinds["variable"].isin(variables), "denominator"].dropna()
    return part[part["variable"].isin([*variables, *dens])]


def _pc4_periods(
    store: Store, variables: list[str] | None, source_editions: list[int] | None
) -> dict[int, list[int]]:
    """PC4 edition -> its periods, over the whole country (values are loaded per gemeente)."""
    frame = store.pc4_value_periods(variables)
    if source_editions:
        frame = frame[frame["edition"].isin(source_editions)]
    return {
        int(ed): sorted(int(p) for p in part["period"]) for ed, part in frame.groupby("edition")
    }


def _translate_pc4(
    store: Store,
    gm: str,
    pc4: dict[int, list[int]],
    variables: list[str] | None,
    edition: int,
    target: set[str],
    kinds: pd.DataFrame,
) -> tuple[list[pd.DataFrame], list[SourcePlan]]:
    """Per PC4 edition: area overlay when PC4 and buurt polygons exist, else postcode lookup.

    Only the PC4s the gemeente needs are loaded: those within its extent (overlay) or the
    most common postcodes of its buurten (lookup).
    """
    frames, plans = [], []
    has_target_geom = edition in _geometry_candidates(store, gm)
    for ed, periods in pc4.items():
        pc4_geom = _pc4_geometries(store, gm, ed, edition) if has_target_geom else None
        if pc4_geom is not None and not pc4_geom.empty:
            tgt = store.geometry_frame("buurt", edition, gm)
            weights = overlay_weights(pc4_geom, tgt, method=METHOD_PC4_OVERLAY)
            # PC4s reach beyond the gemeente: only what lies inside it counts
            sub = _pc4_part(store, ed, variables, sorted(set(weights["from_code"])))
            translated, _ = translate_values(
                sub, weights, kinds, source_area=pc4_geom.set_index("region_code")["area_m2"]
            )
            plan = SourcePlan(
                "pc4",
                ed,
                periods,
                [METHOD_PC4_OVERLAY],
                [f"pc4-geometrie → {edition}"],
                sub["region_code"].nunique(),
                weights["from_code"].nunique(),
            )
        else:
            postcodes, via = _postcodes(store, gm, edition, target, kinds)
            wanted = sorted(set(postcodes.dropna().astype(int).astype(str)))
            translated = postcode_lookup(_pc4_part(store, ed, variables, wanted), postcodes, kinds)
            plan = SourcePlan(
                "pc4",
                ed,
                periods,
                [METHOD_PC4_POSTCODE],
                via,
                int(postcodes.nunique()),
                int(translated["region_code"].nunique()),
            )
            plan.notes.append(
                "benadering: elke buurt krijgt de waarde van zijn meest voorkomende postcode; "
                "aantallen worden niet vertaald"
            )
        plan.n_values = int((translated["status"] == "ok").sum())
        frames.append(translated.assign(source_edition=ed))
        plans.append(plan)
    return frames, plans


def _pc4_part(
    store: Store, edition: int, variables: list[str] | None, codes: list[str]
) -> pd.DataFrame:
    return store.values(level="pc4", edition=edition, variables=variables, region_codes=codes)


def _pc4_geometries(
    store: Store, gm: str, pc4_edition: int, edition: int
) -> gpd.GeoDataFrame | None:
    """PC4 polygons (nearest edition to the PC4 value edition) within the gemeente's extent."""
    box = store.buurt_geometry_extent(gm, edition)
    eds = store.level_geometry_editions("pc4")
    if eds.empty or pd.isna(box["x0"]):
        return None
    ed = int(min(eds, key=lambda e: (abs(int(e) - pc4_edition), -int(e))))
    return store.geometry_frame("pc4", ed, bbox=(box["x0"], box["y0"], box["x1"], box["y1"]))


def postcode_per_buurt(store: Store, gemeente: str, edition: int) -> tuple[pd.Series, list[str]]:
    """The most common PC4 (CBS ``kwb.pst_mvp``) per buurt of ``edition``, and its origin.

    The store's only PC4 → buurt relation; own data per PC4 is placed through it.
    """
    target = set(store.buurten(gemeente, edition)["region_code"].astype(str))
    return _postcodes(store, gemeente, edition, target, pd.DataFrame())


def _postcodes(
    store: Store, gm: str, edition: int, target: set[str], kinds: pd.DataFrame
) -> tuple[pd.Series, list[str]]:
    """Most common PC4 per target buurt: from the reference edition, else translated."""
    pst = store.values(gemeente=gm, level="buurt", variables=[POSTCODE_VARIABLE])
    pst = pst[pst["status"] == "ok"]
    if pst.empty:
        return pd.Series(dtype=float), ["geen postcode per buurt (kwb.pst_mvp) in de store"]
    if edition in set(pst["edition"]):
        latest = pst[pst["edition"] == edition]
        latest = latest[latest["period"] == latest["period"].max()]
        return latest.set_index("region_code")["value"], [f"kwb.pst_mvp {edition}"]
    # the postcode of the largest-weight source buurt: translate it as a class
    as_class = pd.DataFrame(
        {"variable": [POSTCODE_VARIABLE], "kind": ["klasse"], "denominator": [None]}
    )
    for ed in sorted(set(pst["edition"]), reverse=True):
        part = pst[pst["edition"] == ed]
        part = part[part["period"] == part["period"].max()]
        weights, via, _ = build_weights(
            store, gm, set(part["region_code"]), int(ed), edition, target
        )
        if weights.empty:
            continue
        translated, _ = translate_values(part, weights, as_class)
        ok = translated[translated["status"] == "ok"]
        return ok.set_index("region_code")["value"], [f"kwb.pst_mvp {ed} via {', '.join(via)}"]
    return pd.Series(dtype=float), [f"kwb.pst_mvp niet te koppelen aan indeling {edition}"]


def _finish(frame: pd.DataFrame, edition: int) -> pd.DataFrame:
    return frame.assign(level="buurt", edition=edition)[TRANSLATED_COLUMNS].reset_index(drop=True)


def _empty_translated() -> pd.DataFrame:
    return pd.DataFrame(columns=TRANSLATED_COLUMNS)


def _empty_errors() -> pd.DataFrame:
    return pd.DataFrame(columns=ERROR_COLUMNS)


def write_translation(store: Store, result: TranslationResult) -> None:
    """Replace the gemeente's translation to ``result.edition`` in one transaction."""
    store.replace_translation(result.gemeente_code, result.edition, result.values, result.errors)


def translate(
    store: Store,
    *,
    gemeente: str,
    edition: int,
    source_editions: list[int] | None = None,
    variables: list[str] | None = None,
    points: gpd.GeoDataFrame | None = None,
) -> TranslationResult:
    """Translate and write (see :func:`translated_values_from_store`)."""
    result = translated_values_from_store(
        store,
        gemeente=gemeente,
        edition=edition,
        source_editions=source_editions,
        variables=variables,
        points=points,
    )
    write_translation(store, result)
    return result


def _error_of(errors: pd.DataFrame, variable: str) -> float | None:
    hit = errors.loc[errors["variable"] == variable, "relative_error"]
    return None if hit.empty or pd.isna(hit.iloc[0]) else float(hit.iloc[0])


def summary(result: TranslationResult) -> pd.DataFrame:
    """Per source edition and period: method, values, worst conservation error, unmatched."""
    rows = []
    for plan in result.plans:
        from_pc4 = result.values["method"].astype("string").str.startswith("pc4")
        vals = result.values[
            (result.values["source_edition"] == plan.source_edition)
            & (from_pc4 == (plan.level == "pc4"))
        ]
        err = result.errors if plan.level == "buurt" else result.errors.iloc[0:0]
        for period in plan.periods:
            e = err[(err["source_edition"] == plan.source_edition) & (err["period"] == period)]
            sub = vals[(vals["period"] == period) & (vals["status"] == "ok")]
            worst = (
                e.loc[e["relative_error"].abs().idxmax()]
                if not e.empty and e["relative_error"].notna().any()
                else None
            )
            rows.append(
                {
                    "level": plan.level,
                    "source_edition": plan.source_edition,
                    "period": period,
                    "method": "+".join(plan.methods) or "geen",
                    "via": "; ".join(plan.via),
                    "n_values": len(sub),
                    "max_error": None if worst is None else float(worst["relative_error"]),
                    "max_error_variable": None if worst is None else worst["variable"],
                    "n_unmatched": int(e["n_unmatched"].max()) if not e.empty else None,
                    "population_error": _error_of(e, POPULATION_VARIABLE),
                }
            )
    return pd.DataFrame(rows)
