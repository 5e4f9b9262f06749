"""Uploads of an organisation's own data: size limit while streaming, safe file names,
checks with Dutch errors listing the rows at fault, placement in buurten through
:mod:`veerkracht.own_data`, and previews waiting for the user's choice."""

from __future__ import annotations

import csv
import re
import secrets
import tempfile
import threading
import time
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from starlette.requests import Request as StarletteRequest

from veerkracht.errors import InputFileError, ParameterError, VeerkrachtError
from veerkracht.maps import palettes
from veerkracht.maps.layers import own_data_overlay
from veerkracht.own_data import own_data_points, place_own_data
from veerkracht.web.data import OwnExport

if TYPE_CHECKING:
    import geopandas as gpd
    from starlette.datastructures import FormData
    from starlette.requests import Request

    from veerkracht.maps.layers import MapOverlay
    from veerkracht.own_data import Placement
    from veerkracht.store import Store
    from veerkracht.store.accounts.repo import Repository, User
    from veerkracht.web.context import WebApp
    from veerkracht.web.state import ViewState

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_COLUMNS = 50
#: an xlsx is a zip: bound what it unpacks to before any parser sees it (zip bombs)
MAX_XLSX_UNPACKED = 40 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_XLSX_MEMBERS = 200
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ROWS = re.compile(r"\(rij ([\d, ]+)\)")


class UploadTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"upload groter dan {limit} bytes")


def limit_mb(limit: int) -> str:
    return f"{limit / 1024 / 1024:.0f} MB"


async def read_form(request: Request, limit: int = MAX_UPLOAD_BYTES) -> FormData:
    """Parse a multipart body, aborting as soon as more than ``limit`` bytes arrived."""
    declared = request.headers.get("content-length")
    overhead = 64 * 1024  # multipart boundaries and the other form fields
    if declared and declared.isdigit() and int(declared) > limit + overhead:
        raise UploadTooLarge(limit)
    received = 0
    receive: Callable[[], Awaitable[dict[str, Any]]] = request.receive

    async def counting() -> dict[str, Any]:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit + overhead:
            raise UploadTooLarge(limit)
        return message

    limited = StarletteRequest(request.scope, counting)
    return await limited.form(max_files=1, max_fields=20)


def check_file_name(name: str | None) -> str:
    """The client's file name, only if it is a plain name (never a path)."""
    text = (name or "").strip()
    fix = "Geef het bestand een gewone naam zonder mappen, bijv. 'complexen.csv'."
    if not text:
        raise ParameterError("bestand", name, "geen bestandsnaam meegestuurd", fix=fix)
    if (
        "/" in text
        or "\\" in text
        or ".." in text
        or ":" in text
        or text.startswith(".")
        or _CONTROL.search(text)
        or len(text) > 120
    ):
        raise ParameterError("bestand", name, "ongeldige bestandsnaam (lijkt op een pad)", fix=fix)
    if Path(text).suffix.lower() not in SUFFIXES:
        raise ParameterError(
            "bestand",
            name,
            f"bestandstype '{Path(text).suffix}' wordt niet ondersteund",
            fix="Lever een CSV (UTF-8, ; of , gescheiden) of een XLSX aan.",
        )
    return text


def check_xlsx(path: Path) -> None:
    """Refuse an xlsx that is not a zip, or unpacks to too much (zip bomb): Dutch error."""
    fix = "Sla het bestand opnieuw op als gewone .xlsx, of lever een CSV aan."
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputFileError(path, "geen geldig xlsx-bestand (geen zip)", fix=fix) from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise InputFileError(path, f"het xlsx-bestand bevat {len(members)} delen", fix=fix)
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_XLSX_UNPACKED:
        raise InputFileError(
            path,
            f"het xlsx-bestand pakt uit tot {unpacked / 1024 / 1024:.0f} MB "
            f"(maximaal {MAX_XLSX_UNPACKED / 1024 / 1024:.0f} MB)",
            fix="Lever alleen de nodige kolommen en rijen aan, of een CSV.",
        )
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > MAX_XLSX_RATIO * max(m.compress_size, 1):
            raise InputFileError(
                path,
                f"het xlsx-bestand is verdacht sterk gecomprimeerd ({m.filename}: "
                f"{m.file_size // max(m.compress_size, 1)}x)",
                fix=fix,
            )


def check_csv_fields(path: Path) -> None:
    """Refuse a CSV whose rows have more fields than its header (Dutch, with row numbers)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return  # the reader reports encodings itself
    lines = text.splitlines()
    if not lines:
        return
    sep = max((";", ",", "\t"), key=lines[0].count)
    if lines[0].count(sep) == 0:
        return
    rows = csv.reader(lines, delimiter=sep)
    try:
        width = len(next(rows))
        extra = [i + 2 for i, row in enumerate(rows) if len(row) > width]
    except csv.Error:
        raise InputFileError(
            path,
            "een veld is te lang of de aanhalingstekens sluiten niet",
            fix="Controleer de aanhalingstekens; lever één kopregel en korte velden aan.",
        ) from None
    if extra:
        shown = ", ".join(map(str, extra[:10]))
        raise InputFileError(
            path,
            f"{len(extra)} rij(en) hebben meer velden dan de kopregel ({width} kolommen)",
            rows=extra[:50],
            fix=f"Verwijder de extra scheidingstekens ({sep!r}) in rij {shown}, of zet tekst "
            "met dat teken tussen aanhalingstekens.",
        )


def _formula_rows(notes: list[str]) -> list[int]:
    rows: list[int] = []
    for note in notes:
        if "als formule" in note:
            match = _ROWS.search(note)
            if match:
                rows += [int(r) for r in match.group(1).split(",") if r.strip()]
    return sorted(set(rows))


def prepare_upload(
    content_path: Path,
    file_name: str,
    *,
    store: Store,
    organisation: str,
    gemeente: str,
    edition: int,
    online: bool | None = None,
) -> Placement:
    """Check one file and place its rows (nothing stored): the preview of an upload."""
    with tempfile.TemporaryDirectory(prefix="veerkracht-upload-") as tmp:
        path = Path(tmp) / file_name  # errors name the user's file, never a server path
        path.write_bytes(content_path.read_bytes())
        if path.suffix.lower() == ".xlsx":
            check_xlsx(path)
        else:
            check_csv_fields(path)
        try:
            placement = place_own_data(
                store,
                path,
                gemeente=gemeente,
                edition=edition,
                organisation=organisation,
                online=online,
            )
        except VeerkrachtError:
            raise
        except (ValueError, KeyError, IndexError, TypeError, UnicodeError, OSError) as exc:
            raise InputFileError(
                path,
                "het bestand is niet als tabel te lezen",
                fix="Lever een CSV of XLSX met één kopregel en per rij evenveel velden als "
                "kolommen aan.",
            ) from exc
        own = placement.own
        if any("als formule" in n for n in own.notes):
            raise InputFileError(
                path,
                "cellen die in een spreadsheet als formule zouden werken (beginnen met = + - @)",
                rows=_formula_rows(own.notes),
                fix="Verwijder de formules of zet er een spatie of ' voor en lever opnieuw aan.",
            )
        if len(own.numeric) + len(own.labels) > MAX_COLUMNS:
            raise InputFileError(
                path,
                f"te veel kolommen ({len(own.numeric) + len(own.labels)}; maximaal {MAX_COLUMNS})",
                fix="Lever alleen de kolommen aan die op de kaart moeten.",
            )
    return placement


def upload_meta(placement: Placement, file_name: str) -> dict[str, Any]:
    """What the repository keeps about an imported upload (plus owner and title)."""
    summary = placement.summary()
    notes = list(summary["meldingen"])
    if placement.unplaced:
        notes.append(
            f"{len(placement.unplaced)} rij(en) niet geplaatst en niet geïmporteerd: rij "
            + ", ".join(str(u.row) for u in placement.unplaced[:20])
        )
    return {
        "edition": placement.edition,
        "gemeente_code": placement.gemeente,
        "file_name": file_name,
        "key_type": placement.own.key_type,
        "n_rows": placement.n_placed,
        "columns": summary["kolommen"],
        "notes": notes,
    }


@dataclass
class Pending:
    """A placed file waiting for the user's choice: import the rest, or cancel."""

    token: str
    organisation_id: str
    user_id: str
    title: str
    placement: Placement
    meta: dict[str, Any]
    created: float = field(default_factory=time.monotonic)


class PendingUploads:
    """Previews in memory: never stored until the user imports; gone after ``ttl_s``."""

    def __init__(self, ttl_s: float = 1800, max_items: int = 200) -> None:
        self.ttl_s, self.max_items = ttl_s, max_items
        self._items: dict[str, Pending] = {}
        self._lock = threading.Lock()

    def add(
        self,
        organisation_id: str,
        user_id: str,
        title: str,
        placement: Placement,
        meta: dict[str, Any],
    ) -> Pending:
        with self._lock:
            self._expire()
            while len(self._items) >= self.max_items:
                self._items.pop(next(iter(self._items)))
            item = Pending(
                secrets.token_urlsafe(18), organisation_id, user_id, title, placement, meta
            )
            self._items[item.token] = item
            return item

    def take(self, token: str, user_id: str) -> Pending | None:
        """The preview of this user (removed), or None when unknown, expired or not theirs."""
        with self._lock:
            self._expire()
            item = self._items.get(token)
            if item is None or item.user_id != user_id:
                return None
            return self._items.pop(token)

    def get(self, token: str, user_id: str) -> Pending | None:
        with self._lock:
            self._expire()
            item = self._items.get(token)
            return item if item is not None and item.user_id == user_id else None

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [t for t, i in self._items.items() if now - i.created > self.ttl_s]:
            del self._items[token]


def upload_frame(repo: Repository, upload_id: str) -> pd.DataFrame:
    """An upload's stored values as one row per buurt (``region_code`` + its columns)."""
    by_buurt: dict[str, dict[str, Any]] = {}
    for code, variable, value, label in repo.upload_values(upload_id):
        by_buurt.setdefault(str(code), {})[str(variable)] = label if label is not None else value
    frame = pd.DataFrame.from_dict(by_buurt, orient="index")
    return frame.rename_axis("region_code").reset_index()


def upload_points(store: Store, repo: Repository, upload_id: str) -> gpd.GeoDataFrame:
    """One point (EPSG:28992) per buurt of an upload, with its values and ``aantal rijen``
    (for maps: the board map, exports). Access is the caller's to check."""
    upload = repo.upload(upload_id)
    if upload is None:
        raise ParameterError(
            "overlay", upload_id, "deze upload bestaat niet", fix="Kies een upload."
        )
    return own_data_points(
        store,
        upload_frame(repo, upload_id),
        gemeente=upload["gemeente_code"],
        edition=int(upload["edition"]),
    )


def map_overlays(store: Store, repo: Repository, uploads: list[dict]) -> list[MapOverlay]:
    """The map overlays of uploads the user may see (PNG, PDF, HTML exports)."""
    return [
        own_data_overlay(upload_points(store, repo, up["upload_id"]), up["title"]) for up in uploads
    ]


def overlay_columns(repo: Repository, uploads: list[dict]) -> pd.DataFrame | None:
    """Own data as extra columns for CSV/XLSX: 'Eigen gegevens: <titel> – <kolom>'."""
    frames = []
    for up in uploads:
        frame = upload_frame(repo, up["upload_id"]).set_index("region_code")
        frame.columns = [f"Eigen gegevens: {up['title']} – {c}" for c in frame.columns]
        frames.append(frame)
    if not frames:
        return None

    return pd.concat(frames, axis=1).rename_axis("region_code").reset_index()


def overlays_json(uploads: list[dict]) -> list[dict[str, Any]]:
    """A small description of overlays for a layer menu's 'eigen data' group."""
    return [
        {
            "id": up["upload_id"],
            "groep": "eigen data",
            "titel": up["title"],
            "gemeente": up["gemeente_code"],
            "indeling": up["edition"],
            "rijen": up["n_rows"],
            "symbool": {
                "vorm": "ruit",
                "kleur": palettes.OWN_DATA_FACE,
                "rand": palettes.OWN_DATA_EDGE,
            },
            "uitleg": f"Eigen gegevens van de organisatie ({up['n_rows']} rijen), "
            f"geplaatst in buurtindeling {up['edition']}; grootte = aantal rijen per buurt.",
        }
        for up in uploads
    ]


def own_export(web: WebApp, user: User | None, state: ViewState) -> OwnExport:
    """The overlays of a view for an export, after the same access check as the map."""
    uploads = [web.overlay(user, i, state.gemeente) for i in state.overlays]
    store = web.service.store
    return OwnExport(map_overlays(store, web.repo, uploads), overlay_columns(web.repo, uploads))
