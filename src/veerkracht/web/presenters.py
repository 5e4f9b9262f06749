"""How the API shows things: Dutch JSON shapes built from repository rows and view states.

Route functions call these; nothing here reads a request or decides access.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from veerkracht.indicators import layer_groups, layer_infos, source_names
from veerkracht.store.accounts.repo import Repository
from veerkracht.web.state import ViewState

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "bestuurskaart": "application/pdf",
}
#: the file extension of an export kind when it is not the kind itself
_EXTENSIONS = {"bestuurskaart": "pdf"}


def upload_json(repo: Repository, upload: dict) -> dict:
    """An own-data upload as the API shows it (organisation names, not ids)."""
    return {
        "id": upload["upload_id"],
        "titel": upload["title"],
        "gemeente": upload["gemeente_code"],
        "indeling": upload["edition"],
        "bestand": upload["file_name"],
        "sleutel": upload["key_type"],
        "rijen": upload["n_rows"],
        "kolommen": upload["columns"],
        "meldingen": upload["notes"],
        "organisatie": repo.organisation_names([upload["organisation_id"]])[0],
        "gedeeld_met": repo.organisation_names(repo.upload_shared_with(upload["upload_id"])),
        "aangemaakt": upload["created_at"],
    }


def overlay_values(repo: Repository, upload_id: str) -> dict[str, dict[str, Any]]:
    """Buurt code -> {column: number or label} of one upload."""
    out: dict[str, dict[str, Any]] = defaultdict(dict)
    for code, variable, value, label in repo.upload_values(upload_id):
        out[str(code)][str(variable)] = label if label is not None else value
    return dict(out)


def profile_overlay(repo: Repository, upload: dict, buurt: str) -> dict:
    """One overlay's values for one buurt, as shown in the buurt profile."""
    owner = repo.organisation_names([upload["organisation_id"]])
    return {
        "id": upload["upload_id"],
        "titel": upload["title"],
        "organisatie": owner[0] if owner else None,
        "indeling": upload["edition"],
        "waarden": overlay_values(repo, upload["upload_id"]).get(buurt, {}),
    }


def view_json(state: ViewState, shared: str | None = None) -> dict:
    """The JSON twin of a map page (and of a shared view)."""
    data = {"staat": state.as_dict(), "url": state.url(), "links": state.links()}
    if shared:
        data["gedeeld"] = shared
    return data


def shared_view_json(token: str, organisations: list[str]) -> dict:
    return {
        "token": token,
        "url": f"/gedeeld/{token}",
        "json": f"/api/gedeeld/{token}.json",
        "organisaties": organisations,
    }


def export_disposition(gemeente: str, start: Any, end: Any, kind: str, layer: str) -> str:
    """Inline or attachment, with a file name that says gemeente, period and layer
    (for the board map: its paper size)."""
    name = f"veerkracht_{gemeente}_{start}_{end}"
    name += "_bestuurskaart" if kind == "bestuurskaart" else ""
    name += f"_{layer}" if layer else ""
    ext = _EXTENSIONS.get(kind, kind)
    disposition = "inline" if ext in {"html", "png", "pdf"} else "attachment"
    return f'{disposition}; filename="{name}.{ext}"'


def layer_metadata() -> dict:
    """Groups (in display order) and every layer's explanation, from the catalogue."""
    names = source_names()
    return {
        "groepen": [{"key": k, "label": v} for k, v in layer_groups().items()],
        "lagen": {
            info.key: {
                "label": info.label,
                "groep": info.group,
                "uitleg": info.description,
                "eenheid": info.unit,
                "richting": info.direction,
                "richting_tekst": info.direction_text,
                "bron": names.get(info.source, info.source),
            }
            for info in layer_infos().values()
        },
    }
