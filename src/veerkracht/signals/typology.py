"""The signal typology: rules with stable codes, classes and thresholds from ``typology.toml``.

Each rule is a small class on :class:`Rule`; ``RULES`` lists them. A rule returns,
per buurt, whether it fired and the reasons (indicator, value, threshold). The
class of a buurt is the first class in the config whose condition holds.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from veerkracht.indicators import Indicator

TYPOLOGY = Path(__file__).with_name("typology.toml")


@dataclass(frozen=True)
class TypologyClass:
    code: str
    label: str
    kleur: str
    uitleg: str


@dataclass(frozen=True)
class TypologyConfig:
    thresholds: dict
    classes: tuple[TypologyClass, ...]
    path: Path

    def label(self, code: str) -> str:
        return next(c.label for c in self.classes if c.code == code)


#: class codes the classification knows; a config may reorder or relabel them, not invent
CLASS_CODES = ("ONV", "PRO", "KWE", "VER", "TOE", "GEEN")
THRESHOLDS = (
    "index_hoog",
    "min_hoog",
    "min_kwetsbaarheid",
    "min_overlast",
    "overlast_index_hoog",
    "lbm_dimensie_laag",
    "toename_stappen",
    "toename_min_indicatoren",
    "verslechtering_lbm",
    "verslechtering_relatief",
)


def load_typology(path: str | Path | None = None) -> TypologyConfig:
    """The typology config; a user's file gets checked with Dutch messages."""
    from veerkracht.errors import InputFileError

    path = Path(path) if path else TYPOLOGY
    fix = f"Neem {TYPOLOGY.name} uit het pakket als voorbeeld (docs/signalen.md)."
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputFileError(path, "bestand niet gevonden", fix="Controleer het pad.") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(path, f"geen geldige TOML: {exc}", fix=fix) from exc
    missing = [k for k in THRESHOLDS if k not in data.get("drempels", {})]
    if missing:
        raise InputFileError(path, f"[drempels] mist: {', '.join(missing)}", fix=fix)
    try:
        classes = tuple(TypologyClass(**c) for c in data["klasse"])
    except (KeyError, TypeError) as exc:
        raise InputFileError(
            path, "elke [[klasse]] heeft code, label, kleur en uitleg nodig", fix=fix
        ) from exc
    codes = [c.code for c in classes]
    if sorted(codes) != sorted(CLASS_CODES):
        raise InputFileError(
            path,
            f"klassecodes {', '.join(codes)}; verwacht precies {', '.join(CLASS_CODES)}",
            fix=fix,
        )
    return TypologyConfig(data["drempels"], classes, path)


def _dec(x: float, decimals: int, *, sign: bool = False) -> str:
    """Dutch number for one value (labels keep their own dots, e.g. 'Leefbaarometer 2.0')."""
    from veerkracht.numbers import number

    return number(x, decimals, sign=sign)


def _fmt(x: float) -> str:
    return _dec(x, 1)


@dataclass(frozen=True)
class Rule:
    code: str
    title: str

    def evaluate(
        self, table: pd.DataFrame, indicators: list[Indicator], t: dict
    ) -> tuple[pd.Series, pd.Series]:
        raise NotImplementedError


def _index(table: pd.DataFrame, ind: Indicator) -> tuple[pd.Series | None, str]:
    """Index vs NL; vs the gemeente when CBS suppressed the national figure."""
    nl = table.get(f"{ind.key}__index_nl")
    if nl is not None and nl.notna().any():
        return nl, "NL = 100"
    gm = table.get(f"{ind.key}__index_gemeente")
    if gm is not None and gm.notna().any():
        return gm, "gemeente = 100; NL-cijfer geheim"
    return None, ""


def _core(indicators: list[Indicator], group: str) -> list[Indicator]:
    return [i for i in indicators if i.core and i.group == group]


def _empty_reasons(index: pd.Index) -> pd.Series:
    return pd.Series([[] for _ in range(len(index))], index=index, dtype=object)


def _add(reasons: pd.Series, mask: pd.Series, text: pd.Series | str) -> None:
    for idx in mask[mask.fillna(False)].index:
        reasons.at[idx] = [*reasons.at[idx], text if isinstance(text, str) else text.at[idx]]


class HighConcentration(Rule):
    """At least ``min_hoog`` core vulnerability indicators with index vs NL >= ``index_hoog``."""

    def evaluate(self, table, indicators, t):
        reasons = _empty_reasons(table.index)
        count = pd.Series(0, index=table.index)
        for ind in _core(indicators, "kwetsbaarheid"):
            idx, basis = _index(table, ind)
            if idx is None:
                continue
            high = idx >= t["index_hoog"]
            count += high.fillna(False).astype(int)
            _add(
                reasons,
                high,
                idx.map(
                    lambda v, ind=ind, basis=basis: (
                        (f"{ind.label}: index {_fmt(v)} ≥ {_fmt(t['index_hoog'])} ({basis})")
                        if pd.notna(v)
                        else ""
                    )
                ),
            )
        fired = count >= t["min_hoog"]
        reasons = reasons.where(fired, _empty_reasons(table.index))
        return fired, reasons


class NuisanceProblem(Rule):
    """A core nuisance indicator at a problem level (index >= threshold or low LBM dimension)."""

    def evaluate(self, table, indicators, t):
        reasons = _empty_reasons(table.index)
        fired = pd.Series(False, index=table.index)
        for ind in _core(indicators, "overlast"):
            if ind.direction == "hoger_beter":
                level = table.get(f"{ind.key}__tot")
                if level is None:
                    continue
                hit = level <= t["lbm_dimensie_laag"]
                text = level.map(
                    lambda v, ind=ind: (
                        f"{ind.label}: score {_dec(v, 3)} ≤ {_dec(t['lbm_dimensie_laag'], 2)}"
                    )
                )
            else:
                level, basis = _index(table, ind)
                if level is None:
                    continue
                hit = level >= t["overlast_index_hoog"]
                text = level.map(
                    lambda v, ind=ind, basis=basis: (
                        f"{ind.label}: index {_fmt(v)} ≥ {_fmt(t['overlast_index_hoog'])} ({basis})"
                        if pd.notna(v)
                        else ""
                    )
                )
            hit = hit.fillna(False)
            fired |= hit
            _add(reasons, hit, text)
        return fired, reasons


class RisingConcentration(Rule):
    """Core vulnerability indicators rising by at least the first step (percentage points)."""

    def evaluate(self, table, indicators, t):
        fired, reasons, _step = self.evaluate_with_step(table, indicators, t)
        return fired, reasons

    def evaluate_with_step(self, table, indicators, t):
        """Also the step of increase (1-3) per buurt; no state kept (used concurrently)."""
        steps = sorted(t["toename_stappen"])
        reasons = _empty_reasons(table.index)
        count = pd.Series(0, index=table.index)
        biggest = pd.Series(np.nan, index=table.index)
        for ind in _core(indicators, "kwetsbaarheid"):
            change = table.get(f"{ind.key}__verschil")
            if change is None or ind.unit != "%":
                continue
            hit = (change >= steps[0]).fillna(False)
            count += hit.astype(int)
            biggest = biggest.where(~hit | (biggest >= change), change)
            _add(
                reasons,
                hit,
                change.map(
                    lambda v, ind=ind: f"{ind.label}: +{_fmt(v)} procentpunt" if pd.notna(v) else ""
                ),
            )
        fired = count >= t["toename_min_indicatoren"]
        step = pd.Series(pd.NA, index=table.index, dtype="Int64")
        for n, bound in enumerate(steps, start=1):
            step = step.mask(fired & (biggest >= bound), n)
        return fired, reasons.where(fired, _empty_reasons(table.index)), step


class WorseningNuisance(Rule):
    """A core nuisance indicator worsening: LBM dimension falling, or crime/noise rate rising."""

    def evaluate(self, table, indicators, t):
        reasons = _empty_reasons(table.index)
        fired = pd.Series(False, index=table.index)
        for ind in _core(indicators, "overlast"):
            if ind.direction == "hoger_beter":
                change = table.get(f"{ind.key}__verschil")
                if change is None:
                    continue
                hit = change <= t["verslechtering_lbm"]
                text = change.map(
                    lambda v, ind=ind: (
                        f"{ind.label}: {_dec(v, 3, sign=True)} ≤ {_dec(t['verslechtering_lbm'], 2)}"
                    )
                )
            else:
                change = table.get(f"{ind.key}__relatief")
                if change is None:
                    continue
                hit = change >= t["verslechtering_relatief"]
                text = change.map(
                    lambda v, ind=ind: f"{ind.label}: +{_fmt(v * 100)}%" if pd.notna(v) else ""
                )
            hit = hit.fillna(False)
            fired |= hit
            _add(reasons, hit, text)
        return fired, reasons


class EnoughData(Rule):
    """Enough published core indicators (vulnerability and nuisance) to classify."""

    def evaluate(self, table, indicators, t):
        n_vul = pd.Series(0, index=table.index)
        n_nui = pd.Series(0, index=table.index)
        for ind in _core(indicators, "kwetsbaarheid"):
            col = table.get(f"{ind.key}__tot")
            if col is not None:
                n_vul += col.notna().astype(int)
        for ind in _core(indicators, "overlast"):
            col = table.get(f"{ind.key}__tot")
            if col is not None:
                n_nui += col.notna().astype(int)
        enough = (n_vul >= t["min_kwetsbaarheid"]) & (n_nui >= t["min_overlast"])
        reasons = _empty_reasons(table.index)
        _add(
            reasons,
            ~enough,
            (
                n_vul.astype(str)
                + " kernindicatoren kwetsbaarheid en "
                + n_nui.astype(str)
                + " overlast beschikbaar (minimaal "
                + str(t["min_kwetsbaarheid"])
                + " en "
                + str(t["min_overlast"])
                + ")"
            ),
        )
        return enough, reasons


#: Registry: stable rule codes.
RULES: dict[str, Rule] = {
    "R-DATA": EnoughData("R-DATA", "Voldoende gegevens"),
    "R-CONC": HighConcentration("R-CONC", "Hoge concentratie kwetsbare groepen"),
    "R-OVER": NuisanceProblem("R-OVER", "Overlast- of onveiligheidsprobleem"),
    "R-TOEN": RisingConcentration("R-TOEN", "Toenemende concentratie"),
    "R-VERS": WorseningNuisance("R-VERS", "Verslechterende overlast of veiligheid"),
}


def classify_buurten(
    table: pd.DataFrame, indicators: list[Indicator], config: TypologyConfig | None = None
) -> pd.DataFrame:
    """One class per buurt (code, label, step) plus the reasons and the rules that fired."""
    config = config or load_typology()
    t = config.thresholds
    fired = {}
    reasons = {}
    for code, rule in RULES.items():
        if isinstance(rule, RisingConcentration):
            fired[code], reasons[code], step = rule.evaluate_with_step(table, indicators, t)
        else:
            fired[code], reasons[code] = rule.evaluate(table, indicators, t)
    enough, conc, over = fired["R-DATA"], fired["R-CONC"], fired["R-OVER"]
    rising, worse = fired["R-TOEN"], fired["R-VERS"]
    conditions = {
        "ONV": ~enough,
        "PRO": conc & over,
        "KWE": conc & ~over,
        "VER": worse,
        "TOE": rising,
        "GEEN": pd.Series(True, index=table.index),
    }
    code = pd.Series(pd.NA, index=table.index, dtype="string")
    for cls in config.classes:
        code = code.mask(code.isna() & conditions[cls.code], cls.code)
    out = pd.DataFrame(index=table.index)
    out["typologie"] = code
    out["typologie_label"] = code.map({c.code: c.label for c in config.classes})
    out["stap"] = step.where(code == "TOE")
    lines = []
    for idx in table.index:
        parts = []
        for rule_code in ("R-DATA", "R-CONC", "R-OVER", "R-TOEN", "R-VERS"):
            texts = [r for r in reasons[rule_code].at[idx] if r]
            if texts:
                parts.append(f"{rule_code} {RULES[rule_code].title}: " + "; ".join(texts))
        lines.append(" | ".join(parts))
    out["redenen"] = lines
    out["regels"] = [
        ",".join(c for c in RULES if c != "R-DATA" and bool(fired[c].at[idx]))
        for idx in table.index
    ]
    return out
