"""The signal typology: classes and thresholds from ``typology.toml``, rules from ``rules/``.

The rules (one module per stable code, registry in :mod:`veerkracht.signals.rules`)
say per buurt what fired and why; :func:`classify_buurten` turns that into exactly one
class per buurt, the step of increase (the shade on the map) and the reasons.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from veerkracht.errors import InputFileError
from veerkracht.indicators import Indicator
from veerkracht.numbers import number
from veerkracht.signals.rules import RULE_THRESHOLDS, RULES, RuleContext, Threshold

TYPOLOGY = Path(__file__).with_name("typology.toml")

#: the Dutch keys of a [[klasse]] in the (user-editable) typology TOML -> TypologyClass fields
TOML_KEYS: dict[str, str] = {"kleur": "base_colour", "uitleg": "explanation", "tinten": "shades"}


@dataclass(frozen=True)
class TypologyClass:
    code: str
    label: str
    base_colour: str
    explanation: str
    shades: tuple[str, ...] = ()

    def colour(self, step: object = None) -> str:
        """The class colour, darker for step 1-3 of the increase when shades are given."""
        if step is None or pd.isna(step) or not self.shades:
            return self.base_colour
        return self.shades[min(int(step), len(self.shades)) - 1]


@dataclass(frozen=True)
class TypologyConfig:
    thresholds: Thresholds
    classes: tuple[TypologyClass, ...]
    path: Path

    def label(self, code: str) -> str:
        return next(c.label for c in self.classes if c.code == code)

    def by_code(self) -> dict[str, TypologyClass]:
        return {c.code: c for c in self.classes}

    def map_categories(self) -> dict[str, tuple[str, str]]:
        """Map legend categories: each class, and each class x step where shades exist."""
        out: dict[str, tuple[str, str]] = {}
        for c in self.classes:
            out[c.code] = (c.label, c.base_colour)
            for step in range(1, len(c.shades) + 1):
                out[f"{c.code}-{step}"] = (f"{c.label}: toename stap {step}", c.colour(step))
        return out


#: class codes the classification knows; a config may reorder or relabel them, not invent
CLASS_CODES = ("KLEIN", "ONV", "PRO", "KWE", "VER", "TOE", "GEEN")
#: the classes that are a signal (rankable, listed in reports)
SIGNAL_CODES = ("PRO", "KWE", "VER", "TOE")

#: the thresholds several rules (or the pipeline) read: English name -> Dutch TOML key and
#: explanation. A threshold only one rule reads is declared in that rule's module.
SHARED_THRESHOLDS: dict[str, Threshold] = {
    "reference": Threshold(
        "referentie",
        "Waarmee elke buurt vergeleken wordt: gemeente (relatief), nederland (absoluut) of een "
        "regio",
    ),
    "index_high": Threshold(
        "index_hoog",
        "Index t.o.v. de referentie (= 100) vanaf waar een indicator als hoog telt",
    ),
    "index_high_estimate": Threshold(
        "index_hoog_schatting",
        "Idem voor modelschattingen van de gezondheidsmonitor (die naar het gemiddelde zijn "
        "gladgestreken)",
    ),
    "min_inhabitants": Threshold(
        "min_inwoners",
        "Buurten met minder inwoners krijgen geen signaal, geen rangorde en geen cijfers per "
        "1.000 inwoners",
    ),
    "rising_alpha": Threshold(
        "toename_alfa",
        "Kans op een toevallige melding van een toename per buurt (verdeeld over de getoetste "
        "indicatoren)",
    ),
    "noise_min_buurten": Threshold(
        "min_buurten_ruis",
        "Minimum aantal buurten om de ruis van een verandering te schatten",
    ),
}
#: every threshold a typology file must set: English name -> Dutch TOML key and explanation
THRESHOLDS: dict[str, Threshold] = {**SHARED_THRESHOLDS, **RULE_THRESHOLDS}
#: the Dutch [drempels] keys of the (user-editable) typology TOML -> English names: the one
#: translation, applied where the file is read (:class:`Thresholds`)
THRESHOLD_NAMES: dict[str, str] = {t.toml_key: name for name, t in THRESHOLDS.items()}


class Thresholds(Mapping[str, Any]):
    """The [drempels] of a typology file by English name (read-only).

    A key the program does not know (a user's own threshold) is no error: it is kept, under
    its Dutch key, for the report's method table and the accountability sheet, which show
    every threshold of the file under its TOML key and in the file's order.
    """

    def __init__(self, toml_items: Iterable[tuple[str, Any]]) -> None:
        self._toml = tuple(toml_items)
        self._values = {THRESHOLD_NAMES[k]: v for k, v in self._toml if k in THRESHOLD_NAMES}

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Thresholds({self._values!r})"

    def toml_items(self) -> tuple[tuple[str, Any], ...]:
        """(Dutch TOML key, value) as in the file, a user's own keys included: what users see."""
        return self._toml


def threshold_explanation(toml_key: str) -> str | None:
    """The Dutch explanation of a threshold by its TOML key; None for a user's own key."""
    name = THRESHOLD_NAMES.get(toml_key)
    return THRESHOLDS[name].explanation if name else None


def load_typology(path: str | Path | None = None) -> TypologyConfig:
    """The typology config; a user's file gets checked with Dutch messages."""
    path = Path(path) if path else TYPOLOGY
    fix = f"Neem {TYPOLOGY.name} uit het pakket als voorbeeld (docs/signalen.md)."
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputFileError(path, "bestand niet gevonden", fix="Controleer het pad.") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputFileError(path, f"geen geldige TOML: {exc}", fix=fix) from exc
    given = data.get("drempels", {})
    missing = [t.toml_key for t in THRESHOLDS.values() if t.toml_key not in given]
    if missing:
        listed = ", ".join(_in_packaged_order(missing))
        raise InputFileError(path, f"[drempels] mist: {listed}", fix=fix)
    try:
        classes = tuple(
            _typology_class({TOML_KEYS.get(k, k): v for k, v in c.items()}) for c in data["klasse"]
        )
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
    return TypologyConfig(Thresholds(given.items()), classes, path)


def _typology_class(fields: dict[str, Any]) -> TypologyClass:
    return TypologyClass(**{**fields, "shades": tuple(fields.get("shades", ()))})


def _in_packaged_order(toml_keys: list[str]) -> list[str]:
    """As they stand in the packaged typology.toml, where the user looks them up."""
    order = list(tomllib.loads(TYPOLOGY.read_text(encoding="utf-8"))["drempels"])
    return sorted(toml_keys, key=lambda k: order.index(k) if k in order else len(order))


def rule_description(code: str, thresholds: Mapping[str, Any]) -> str:
    """The rule's Dutch description with this config's thresholds filled in."""
    values = {
        k: (number(v, 0 if float(v).is_integer() else 2) if isinstance(v, float) else v)
        for k, v in thresholds.items()
    }
    low = thresholds["liveability_dimension_low"]
    values["liveability_dimension_low_abs"] = number(abs(low), 2)
    values["rising_step_1"] = number(sorted(thresholds["rising_steps"])[0], 1)
    values["worsening_relative_pct"] = number(thresholds["worsening_relative"] * 100, 0)
    return RULES[code].DESCRIPTION.format(**values)


def classify_buurten(
    table: pd.DataFrame,
    indicators: list[Indicator],
    config: TypologyConfig | None = None,
    *,
    reference_label: str = "Nederland = 100",
    reference_changes: dict[str, float] | None = None,
) -> pd.DataFrame:
    """One class per buurt (code, label, step, map code) plus the reasons and fired rules."""
    config = config or load_typology()
    ctx = RuleContext(
        table, indicators, config.thresholds, reference_label, reference_changes or {}
    )
    outcome = {code: rule.evaluate(ctx) for code, rule in RULES.items()}
    fired = {code: o.fired.fillna(False).astype(bool) for code, o in outcome.items()}
    conc, over = fired["R-CONC"], fired["R-OVER"]
    conditions = {
        "KLEIN": fired["R-KLEIN"],
        "ONV": fired["R-DATA"],
        "PRO": conc & over,
        "KWE": conc & ~over,
        "VER": fired["R-VERS"],
        "TOE": fired["R-TOEN"],
        "GEEN": pd.Series(True, index=table.index),
    }
    code = pd.Series(pd.NA, index=table.index, dtype="string")
    for cls in config.classes:
        code = code.mask(code.isna() & conditions[cls.code], cls.code)
    shaded = code.isin([c.code for c in config.classes if c.shades])
    step = outcome["R-TOEN"].step.where(shaded)
    out = pd.DataFrame(index=table.index)
    out["typology"] = code
    out["typology_label"] = code.map({c.code: c.label for c in config.classes})
    out["step"] = step
    out["typology_map"] = [
        c if pd.isna(s) else f"{c}-{int(s)}" for c, s in zip(code, step, strict=True)
    ]
    out["reasons"] = _reason_lines(table.index, outcome, code)
    fired_rows = [fired[c].reindex(table.index).to_numpy(dtype=bool) for c in RULES]
    out["rules"] = [
        ",".join(c for c, hits in zip(RULES, fired_rows, strict=True) if hits[i])
        for i in range(len(table.index))
    ]
    return out


def _reason_lines(index: pd.Index, outcome: dict, code: pd.Series) -> list[str]:
    # plain lists by position of ``index`` (one .at per buurt and rule was most of the time)
    small = (code.reindex(index) == "KLEIN").fillna(False).to_numpy(dtype=bool)
    columns = {}
    for rule_code in RULES:
        o = outcome[rule_code]
        fired = o.fired.reindex(index).fillna(False).astype(bool).to_numpy()
        reasons = o.reasons.reindex(index).tolist()
        support = o.support.reindex(index).tolist() if o.support is not None else None
        columns[rule_code] = (fired, reasons, support)
    lines = []
    for i in range(len(index)):
        parts = []
        # a small buurt gets no signal: its other rules are not reasons for anything
        rules = ["R-KLEIN"] if small[i] else list(RULES)
        for rule_code in rules:
            fired, reasons, support = columns[rule_code]
            texts = [r for r in reasons[i] if r] if fired[i] else []
            if support is not None:
                texts += [s for s in support[i] if s]
            if texts:
                parts.append(f"{rule_code} {RULES[rule_code].TITLE}: " + "; ".join(texts))
        lines.append(" | ".join(parts))
    return lines


@dataclass(frozen=True)
class RuleCount:
    code: str
    title: str
    flagged: int
    judged: int  # buurten the rule was judged on

    @property
    def share(self) -> float:
        return self.flagged / self.judged if self.judged else 0.0

    @property
    def too_broad(self) -> bool:
        """A rule that flags more than half of the buurten separates nothing."""
        return self.code not in {"R-KLEIN", "R-DATA"} and self.share > 0.5


def rule_counts(table: pd.DataFrame) -> list[RuleCount]:
    """Per rule: how many buurten it flags, out of the buurten it was judged on.

    R-KLEIN and R-DATA are judged on every buurt; the others on the buurten that got a
    class (not too small, enough data).
    """
    fired = table.rules.fillna("").str.split(",")
    classified = ~table.typology.isin(["KLEIN", "ONV"])
    out = []
    for code, rule in RULES.items():
        hit = fired.map(lambda rules, code=code: code in rules)
        scope = pd.Series(True, index=table.index) if code in {"R-KLEIN", "R-DATA"} else classified
        out.append(RuleCount(code, rule.TITLE, int((hit & scope).sum()), int(scope.sum())))
    return out
