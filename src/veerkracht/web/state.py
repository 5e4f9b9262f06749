"""A map view as data: every view has one canonical URL that reproduces it exactly.

State = gemeente, layer, van, tot, indeling (boundary edition), klassenschema,
selected buurten and own-data overlays. :meth:`ViewState.query` gives the canonical
query string (fixed key order, defaults included) for ``/kaart/{gm}?…``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

from veerkracht.errors import ParameterError
from veerkracht.settings import DEFAULT_LAYER, DEFAULT_REFERENCE, DEFAULT_SCHEME
from veerkracht.signals.classes import SCHEMES_WITHOUT_BOUNDS, canonical_scheme
from veerkracht.web.urls import url as route_url

#: no period in a URL = the gemeente's most recent period with data (the pipeline's default)
DEFAULT_START_YEAR: int | None = None
DEFAULT_END_YEAR: int | None = None
REFERENCES = ("gemeente", "nederland")
_GM = re.compile(r"^GM\d{4}$")
_BU = re.compile(r"^BU\d{4}[0-9A-Z]{4}$")
_LAYER = re.compile(r"^[a-z0-9_]{1,60}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_SELECTED = 10

#: the view's fields under their Dutch names in URLs and JSON (the edge); code uses English
WIRE_NAMES: dict[str, str] = {
    "layer": "laag",
    "start_year": "van",
    "end_year": "tot",
    "edition": "indeling",
    "scheme": "klassen",
    "reference": "referentie",
}
FIELD_NAMES: dict[str, str] = {dutch: field for field, dutch in WIRE_NAMES.items()}


def check_gemeente(code: str) -> str:
    text = str(code).strip().upper()
    if not _GM.match(text):
        raise ParameterError("gemeente", code, "geen GM-code", fix="Bijv. GM0363 (Amsterdam).")
    return text


def check_buurt(code: str) -> str:
    text = str(code).strip().upper()
    if not _BU.match(text):
        raise ParameterError("buurt", code, "geen buurtcode", fix="Bijv. BU03630000.")
    return text


def check_id(value: str, what: str = "overlay") -> str:
    text = str(value).strip()
    if not _ID.match(text):
        raise ParameterError(what, value, "ongeldige id", fix="Kopieer de id uit de lijst.")
    return text


def check_year(name: str, value: object) -> int:
    try:
        year = int(str(value))
    except ValueError:
        raise ParameterError(name, value, "geen jaartal", fix="Bijv. 2019.") from None
    if not 1990 <= year <= 2100:
        raise ParameterError(name, value, "jaartal buiten 1990–2100", fix="Bijv. 2019.")
    return year


def check_scheme(value: str) -> str:
    scheme = canonical_scheme(str(value).strip().lower())
    if scheme not in SCHEMES_WITHOUT_BOUNDS:  # a URL carries no class bounds
        raise ParameterError(
            "klassen", value, "onbekend klassenschema", fix="Kies kwantielen of fisher_jenks."
        )
    return scheme


def split_list(values: list[str] | None) -> list[str]:
    """``?buurt=A&buurt=B`` and ``?buurt=A,B`` both; order kept, duplicates dropped."""
    out: list[str] = []
    for value in values or []:
        for part in str(value).split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


@dataclass(frozen=True)
class ViewState:
    gemeente: str
    layer: str = DEFAULT_LAYER
    start_year: int | None = DEFAULT_START_YEAR
    end_year: int | None = DEFAULT_END_YEAR
    edition: int | None = None
    scheme: str = DEFAULT_SCHEME
    buurten: tuple[str, ...] = field(default_factory=tuple)
    overlays: tuple[str, ...] = field(default_factory=tuple)
    reference: str = DEFAULT_REFERENCE

    @classmethod
    def parse(
        cls,
        gemeente: str,
        *,
        layer: str | None = None,
        start_year: object = None,
        end_year: object = None,
        edition: object = None,
        scheme: str | None = None,
        buurt: list[str] | None = None,
        overlay: list[str] | None = None,
        reference: str | None = None,
    ) -> ViewState:
        """Validate raw query values; a bad one is a Dutch :class:`ParameterError`."""
        key = (layer or DEFAULT_LAYER).strip()
        if not _LAYER.match(key):
            raise ParameterError(
                WIRE_NAMES["layer"], layer, "ongeldige laagnaam", fix="Bijv. typologie."
            )
        start = (
            check_year(WIRE_NAMES["start_year"], start_year)
            if start_year not in (None, "")
            else DEFAULT_START_YEAR
        )
        end = (
            check_year(WIRE_NAMES["end_year"], end_year)
            if end_year not in (None, "")
            else DEFAULT_END_YEAR
        )
        chosen = (reference or DEFAULT_REFERENCE).strip().lower()
        if chosen not in REFERENCES:
            raise ParameterError(
                WIRE_NAMES["reference"],
                reference,
                "onbekende referentie",
                fix="Kies gemeente (relatief) of nederland (absoluut).",
            )
        if start is not None and end is not None and end <= start:
            raise ParameterError(
                WIRE_NAMES["end_year"],
                end,
                f"moet later zijn dan van ({start})",
                fix="Bijv. van=2017&tot=2019.",
            )
        edition = check_year(WIRE_NAMES["edition"], edition) if edition not in (None, "") else None
        buurten = tuple(check_buurt(b) for b in split_list(buurt))
        if len(buurten) > MAX_SELECTED:
            raise ParameterError(
                "buurt",
                len(buurten),
                f"meer dan {MAX_SELECTED} buurten gekozen",
                fix="Kies er minder.",
            )
        return cls(
            gemeente=check_gemeente(gemeente),
            layer=key,
            start_year=start,
            end_year=end,
            edition=edition,
            scheme=check_scheme(scheme or DEFAULT_SCHEME),
            buurten=buurten,
            overlays=tuple(check_id(o) for o in split_list(overlay)),
            reference=chosen,
        )

    @classmethod
    def from_dict(cls, data: dict) -> ViewState:
        """A state from JSON (shared views); wrong types are a Dutch ParameterError."""
        if not isinstance(data, dict):
            raise ParameterError("staat", None, "verwacht een JSON-object", fix="Bijv. {...}.")
        for name in ("gemeente", WIRE_NAMES["layer"], WIRE_NAMES["scheme"]):
            if data.get(name) is not None and not isinstance(data[name], str):
                raise ParameterError(name, None, "verwacht tekst", fix='Bijv. "GM0363".')
        for name in (WIRE_NAMES["start_year"], WIRE_NAMES["end_year"], WIRE_NAMES["edition"]):
            if data.get(name) is not None and not isinstance(data[name], (str, int)):
                raise ParameterError(name, None, "verwacht een jaartal", fix="Bijv. 2019.")
        lists = {}
        for name in ("buurten", "overlays"):
            value = data.get(name) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ParameterError(name, None, "verwacht een lijst met tekst", fix='Bijv. ["…"].')
            if len(value) > 50:
                raise ParameterError(name, len(value), "te veel waarden", fix="Kies er minder.")
            lists[name] = value
        return cls.parse(
            data.get("gemeente") or "",
            layer=data.get(WIRE_NAMES["layer"]),
            start_year=data.get(WIRE_NAMES["start_year"]),
            end_year=data.get(WIRE_NAMES["end_year"]),
            edition=data.get(WIRE_NAMES["edition"]),
            scheme=data.get(WIRE_NAMES["scheme"]),
            buurt=lists["buurten"],
            overlay=lists["overlays"],
            reference=data.get(WIRE_NAMES["reference"])
            if isinstance(data.get(WIRE_NAMES["reference"]), str)
            else None,
        )

    def as_dict(self) -> dict:
        d = {WIRE_NAMES.get(k, k): v for k, v in asdict(self).items()}
        d["buurten"], d["overlays"] = list(self.buurten), list(self.overlays)
        return d

    def query(self) -> str:
        """Canonical query string: fixed order, every key that matters."""
        pairs: list[tuple[str, str]] = [(WIRE_NAMES["layer"], self.layer), *self._period_pairs()]
        if self.edition is not None:
            pairs.append((WIRE_NAMES["edition"], str(self.edition)))
        pairs.append((WIRE_NAMES["scheme"], self.scheme))
        if self.reference != DEFAULT_REFERENCE:
            pairs.append((WIRE_NAMES["reference"], self.reference))
        pairs += [("buurt", b) for b in self.buurten]
        pairs += [("overlay", o) for o in self.overlays]
        return urlencode(pairs)

    def data_query(self, *, layer: bool = False, overlays: bool = False) -> str:
        """Query string of the data endpoints (signals, geojson) for this view."""
        pairs: list[tuple[str, str]] = []
        if layer:
            pairs.append((WIRE_NAMES["layer"], self.layer))
        pairs += self._period_pairs()
        if self.edition is not None:
            pairs.append((WIRE_NAMES["edition"], str(self.edition)))
        pairs.append((WIRE_NAMES["scheme"], self.scheme))
        if self.reference != DEFAULT_REFERENCE:
            pairs.append((WIRE_NAMES["reference"], self.reference))
        if overlays:
            pairs += [("overlay", o) for o in self.overlays]
        return urlencode(pairs)

    def _period_pairs(self) -> list[tuple[str, str]]:
        """Only the years given: without them the gemeente's most recent period is shown."""
        return [
            (k, str(v))
            for k, v in (
                (WIRE_NAMES["start_year"], self.start_year),
                (WIRE_NAMES["end_year"], self.end_year),
            )
            if v is not None
        ]

    def url(self) -> str:
        return f"{route_url('view_page', gm=self.gemeente)}?{self.query()}"

    def links(self) -> dict:
        """Every data URL the front end needs to draw this view."""
        gm = {"gm": self.gemeente}
        data = self.data_query()
        links: dict = {
            "pagina": self.url(),
            "json": f"{route_url('view_page', **gm)}.json?{self.query()}",
            "signalen": f"{route_url('signals', **gm)}?{data}",
            "kaart": f"{route_url('map', **gm)}?{self.data_query(layer=True, overlays=True)}",
            "profielen": [
                f"{route_url('profile', **gm, bu=b)}?{self.data_query(overlays=True)}"
                for b in self.buurten
            ],
            "export": {
                "csv": f"{route_url('export_csv', **gm)}?{data}",
                "xlsx": f"{route_url('export_xlsx', **gm)}?{data}",
                "png": f"{route_url('export_png', **gm)}?{self.data_query(layer=True)}",
                "pdf": f"{route_url('export_pdf', **gm)}?{self.data_query(layer=True)}",
                "html": f"{route_url('export_html', **gm)}?{data}",
                "bestuurskaart": f"{route_url('export_board', **gm)}?{data}",
                "bestuurskaart_a3": f"{route_url('export_board', **gm)}?{data}&formaat=A3",
            },
        }
        if len(self.buurten) >= 2:
            pair = ",".join(self.buurten[:2])
            own = self.data_query(overlays=True)
            links["vergelijking"] = f"{route_url('compare_buurten', **gm)}?buurten={pair}&{own}"
        return links
