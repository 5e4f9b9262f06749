"""The one pipeline entry every output calls: gemeente -> periods -> edition -> signals.

``veerkracht signalen``, ``kaart``, ``rapport``, ``atlas``, the national overview and
the web app all ask :func:`signal_view` for one *view* (gemeente, period, edition,
reference, classification scheme) and build their output from what it returns, so
they cannot disagree on a class, a count or a source.

Order: resolve the gemeente once; choose the period (the most recent pair of years
with data by default, see :mod:`veerkracht.signals.periods`); pick the boundary
edition; translate the gemeente's figures to it once (when the store is writable);
compute indicators and the typology; state the coverage, count what every rule flags
and warn when a rule flags more than half of the buurten.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from veerkracht.cancel import checkpoint
from veerkracht.errors import StoreError, TranslationMissing, VeerkrachtError
from veerkracht.gemeenten import Gemeente, resolve_gemeente
from veerkracht.indicators import catalogue
from veerkracht.numbers import number
from veerkracht.settings import DEFAULT_SCHEME
from veerkracht.signals import SignalResult, ensure_translation, signals_for_gemeente
from veerkracht.signals.coverage import Coverage, coverage_of
from veerkracht.signals.edition import default_edition
from veerkracht.signals.periods import PeriodChoice, choose_periods, indicator_periods
from veerkracht.signals.periods import working_periods as _working_periods
from veerkracht.signals.reference import parse_reference
from veerkracht.signals.typology import TypologyConfig, load_typology
from veerkracht.store import Store


@dataclass
class SignalView:
    """Everything an output needs for one view, computed once."""

    result: SignalResult
    choice: PeriodChoice
    coverage: Coverage
    periods_that_work: list[tuple[int, int]]
    warnings: list[str] = field(default_factory=list)

    @property
    def gemeente(self) -> Gemeente:
        return self.result.gemeente

    @property
    def start(self) -> int:
        return self.choice.start

    @property
    def end(self) -> int:
        return self.choice.end

    @property
    def edition(self) -> int:
        return self.result.edition

    def period_line(self) -> str:
        how = (
            "standaard: de meest recente jaren met gegevens" if self.choice.default else "gevraagd"
        )
        return f"Periode {self.start}–{self.end} ({how}); buurtindeling {self.edition}"

    def reference_line(self) -> str:
        return "Referentie: " + self.result.reference.describe(self.gemeente.name)


def gemeente_periods(store: Store, gemeente: Gemeente) -> dict[str, list[int]]:
    """Per indicator, the years with buurt values for this gemeente."""
    return indicator_periods(store.buurt_periods(gemeente.code), list(catalogue()))


def working_periods(
    store: Store, gemeente: str | Gemeente, config: TypologyConfig | None = None
) -> list[tuple[int, int]]:
    """The (start, end) pairs that give this gemeente a signal, most recent first."""
    config = config or load_typology()
    gm = gemeente if isinstance(gemeente, Gemeente) else resolve_gemeente(store, gemeente)
    return _working_periods(gemeente_periods(store, gm), list(catalogue()), config.thresholds)


def signal_view(
    store: Store,
    gemeente: str | Gemeente,
    start: int | None = None,
    end: int | None = None,
    *,
    edition: int | None = None,
    reference: str | None = None,
    scheme: str = DEFAULT_SCHEME,
    config: TypologyConfig | None = None,
) -> SignalView:
    """One view of one gemeente: the only way outputs get their signals."""
    config = config or load_typology()
    gm = gemeente if isinstance(gemeente, Gemeente) else resolve_gemeente(store, gemeente)
    indicators = list(catalogue())
    available = gemeente_periods(store, gm)
    choice = choose_periods(available, indicators, config.thresholds, gm.name, start, end)
    checkpoint()  # stage boundaries: a web computation nobody waits for stops here
    edition = prepare_edition(store, gm.code, choice.end, edition)
    checkpoint()
    ref = parse_reference(reference or config.thresholds["reference"], gm.code)
    result = signals_for_gemeente(
        store,
        gm,
        choice.start,
        choice.end,
        edition=edition,
        config=config,
        scheme=scheme,
        reference=ref,
    )
    checkpoint()
    return SignalView(
        result=result,
        choice=choice,
        coverage=coverage_of(result, available),
        periods_that_work=_working_periods(available, indicators, config.thresholds),
        warnings=rule_warnings(result),
    )


def needs_translation(store: Store, gemeente: str, edition: int) -> bool:
    """True when a view on ``edition`` needs a translation that is not in the store yet.

    Only when there is something to translate to (regions or boundaries of that edition)
    and something to translate (buurt values of another edition, or a postcode link for
    postcode-area values); a gemeente whose values are all on ``edition`` needs none.
    """
    if edition not in store.buurt_code_editions(gemeente, published=False):
        return False
    if store.has_translation(gemeente, edition):
        return False
    editions = store.buurt_editions(gemeente)
    other = set(int(e) for e in editions.edition) - {edition}
    postcode_link = bool(
        len(store.buurt_variable_years(["kwb.pst_mvp"]).query("gemeente_code == @gemeente"))
    )
    return bool(other) or postcode_link


def open_view(store_path, gemeente: str, start: int | None = None, end: int | None = None, **kw):
    """(store, view) for a command: read-only when the translation is there (so it runs
    next to the web app), writable only when a translation has to be written first.
    The caller closes the store (``with store:``)."""
    for read_only in (True, False):
        try:
            store = Store(store_path, read_only=read_only, must_exist=True)
        except StoreError as exc:
            if not read_only or "er is nog geen store" in exc.message:
                raise
            continue  # open with write access elsewhere in this process: use that
        try:
            return store, signal_view(store, gemeente, start, end, **kw)
        except TranslationMissing:
            store.close()  # a translation has to be written first: open writable
        except BaseException:
            store.close()
            raise
    raise AssertionError("unreachable: the writable attempt returns or raises")


def translate_for_view(store: Store, gemeente: str, edition: int) -> bool:
    """Translate the gemeente's figures to ``edition`` once (needs a writable store).

    Without regions or boundaries in that edition there is nothing to translate to: the
    values published on it are used as they are. True when a translation was written.
    """
    if not needs_translation(store, gemeente, edition):
        return False
    return ensure_translation(store, gemeente, edition)


def prepare_default_view(
    store: Store, gemeente: str | Gemeente, config: TypologyConfig | None = None
) -> int | None:
    """Translate what the gemeente's default view needs (e.g. before a read-only server
    starts); returns the edition, or None when the gemeente has no signal at all."""
    config = config or load_typology()
    gm = gemeente if isinstance(gemeente, Gemeente) else resolve_gemeente(store, gemeente)
    try:
        choice = choose_periods(
            gemeente_periods(store, gm), list(catalogue()), config.thresholds, gm.name
        )
        edition = default_edition(store, gm.code, choice.end)
    except VeerkrachtError:
        return None
    translate_for_view(store, gm.code, edition)
    return edition


def prepare_edition(store: Store, gemeente_code: str, end: int, edition: int | None = None) -> int:
    """The boundary edition of a view ending in ``end``; translated to once if writable.

    Run by :func:`signal_view`, and by runs that prepare many gemeenten with the one write
    connection before read-only workers compute their views (atlas, national overview).
    A read-only store that lacks a needed translation raises ``TranslationMissing``.
    """
    edition = edition or default_edition(store, gemeente_code, end)
    if not store.read_only:
        translate_for_view(store, gemeente_code, edition)
    elif needs_translation(store, gemeente_code, edition):
        raise TranslationMissing(
            f"de cijfers van {gemeente_code} zijn nog niet naar buurtindeling {edition} "
            "vertaald, en de store is alleen-lezen open",
            fix=f"Voer 'veerkracht data vertalen --gemeente {gemeente_code} --naar {edition}' "
            "uit (stop daarvoor eerst de web-app).",
        )
    return edition


def rule_warnings(result: SignalResult) -> list[str]:
    """Dutch warnings for rules that flag more than half of the buurten they judge."""
    out = []
    for rule in result.rules:
        if rule.too_broad:
            out.append(
                f"Let op: regel {rule.code} ({rule.title}) geldt voor {rule.flagged} van de "
                f"{rule.judged} buurten ({number(100 * rule.share, 0)}%). Een regel die voor de "
                "meeste buurten geldt, onderscheidt niets; overweeg --referentie gemeente of "
                "hogere drempels (--typologie)."
            )
    return out

