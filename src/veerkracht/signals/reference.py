"""What a buurt is compared with: its gemeente, a region of gemeenten, or the Netherlands.

The study draws its maps in two versions. The *absolute* one compares every buurt with
the Netherlands (index NL = 100): where do vulnerable groups concentrate in national
terms. The *relative* one compares a buurt with its own gemeente: where, within this
gemeente, do the national conclusions hold most. veerkracht's default is relative
(``gemeente``): a gemeente map is read at a local table, and in a large city that is
poorer than the national average as a whole (Amsterdam's median buurt has an index of
about 155 against NL on the income indicators) the absolute version flags most of the
city and so separates nothing. The national overview uses ``nederland``, the only
reference that is the same for every gemeente.
"""

from __future__ import annotations

from dataclasses import dataclass

from veerkracht.codes import is_gemeente_code
from veerkracht.errors import ParameterError
from veerkracht.settings import DEFAULT_REFERENCE

KINDS = ("gemeente", "nederland", "regio")
#: accepted spellings on the command line and in URLs
ALIASES = {
    "gemeente": "gemeente",
    "relatief": "gemeente",
    "nederland": "nederland",
    "nl": "nederland",
    "absoluut": "nederland",
}
DEFAULT = DEFAULT_REFERENCE


@dataclass(frozen=True)
class Reference:
    """The comparison base of every index and every excess change."""

    kind: str = DEFAULT
    codes: tuple[str, ...] = ()  # the gemeenten of a region (kind 'regio')

    @property
    def column(self) -> str:
        """The column of ``BuurtIndicators.references`` that holds this reference's values."""
        return {"gemeente": "gemeente", "nederland": "nl", "regio": "regio"}[self.kind]

    def label(self, gemeente_name: str) -> str:
        """Dutch text for '= 100' in legends and reasons."""
        if self.kind == "nederland":
            return "Nederland = 100"
        if self.kind == "regio":
            return f"regio van {len(self.codes)} gemeenten = 100"
        return f"{gemeente_name} = 100"

    def describe(self, gemeente_name: str) -> str:
        """One Dutch sentence for the accountability sheet and the report's method."""
        if self.kind == "nederland":
            return "absoluut: elke buurt vergeleken met Nederland"
        if self.kind == "regio":
            return "relatief: elke buurt vergeleken met de regio " + ", ".join(self.codes)
        return f"relatief: elke buurt vergeleken met de gemeente {gemeente_name}"

    @property
    def token(self) -> str:
        """The spelling used in URLs and cache keys."""
        return "regio:" + ",".join(self.codes) if self.kind == "regio" else self.kind


def parse_reference(text: str | None, gemeente_code: str) -> Reference:
    """``gemeente`` (default), ``nederland`` or a region: ``regio:GM0363,GM0362`` or a list."""
    raw = (text or DEFAULT).strip()
    kind = ALIASES.get(raw.casefold())
    if kind:
        return Reference(kind)
    codes_text = raw.split(":", 1)[1] if raw.casefold().startswith("regio:") else raw
    codes = [c.strip().upper() for c in codes_text.split(",") if c.strip()]
    if codes and all(is_gemeente_code(c) for c in codes):
        ordered = [gemeente_code, *[c for c in codes if c != gemeente_code]]
        return Reference("regio", tuple(ordered))
    raise ParameterError(
        "--referentie",
        raw,
        "onbekende referentie",
        fix="Kies gemeente (relatief, standaard), nederland (absoluut) of een regio als "
        "lijst van GM-codes, bv. regio:GM0363,GM0362,GM0384.",
    )
