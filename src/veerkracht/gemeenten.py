"""Gemeenten by name or code: the one resolver every command and the web app use.

Names are data (kept as CBS writes them, accents and all); the GM code is the key.
:func:`resolve_gemeente` looks in the store; ``veerkracht data ophalen`` looks in CBS's
list of gemeenten when the store does not know the name yet
(:func:`veerkracht.online.fetch.gemeente_at_cbs`), with the same :func:`matching_codes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from veerkracht.codes import is_gemeente_code
from veerkracht.errors import NoDataError, ParameterError

if TYPE_CHECKING:
    from veerkracht.store import Store


@dataclass(frozen=True)
class Gemeente:
    code: str
    name: str


def matching_codes(names: dict[str, str], text: str) -> list[str]:
    """Codes whose name is ``text`` exactly, else case-insensitively (accents kept)."""
    wanted = text.strip()
    exact = [code for code, name in names.items() if name == wanted]
    return exact or [code for code, name in names.items() if name.casefold() == wanted.casefold()]


def resolve_gemeente(store: Store, text: str) -> Gemeente:
    """A gemeente by GM code or by exact name (case-insensitive; accents kept)."""
    known = store.gemeenten()
    known = known.assign(name=known["name"].astype("string").fillna("").str.strip())
    if known.empty:
        raise NoDataError(
            "de store bevat nog geen gemeenten",
            fix="Importeer eerst data: veerkracht data importeren MAP "
            "(of veerkracht data ophalen --gemeente …).",
        )
    if is_gemeente_code(text):
        code = text.strip().upper()
        hit = known[known.gemeente_code == code]
        if hit.empty:
            raise NoDataError(
                f"gemeente {code} staat niet in de store",
                fix="Importeer eerst data voor deze gemeente (veerkracht data importeren/ophalen).",
            )
        return Gemeente(code, str(hit.name.iloc[0]) or code)
    names = dict(zip(known.gemeente_code, known.name, strict=True))
    hit = known[known.gemeente_code.isin(matching_codes(names, text)[:1])]
    if hit.empty:
        named = known[known.name != ""]
        close = named[
            named.name.str.casefold().str.contains(text.strip().casefold()[:4], regex=False)
        ]
        hint = ", ".join((close if not close.empty else named).name.head(5))
        raise ParameterError(
            "GEMEENTE",
            text,
            "onbekende gemeente in de store",
            fix=f"Gebruik een GM-code of een naam zoals: {hint}.",
        )
    return Gemeente(str(hit.gemeente_code.iloc[0]), str(hit.name.iloc[0]))
