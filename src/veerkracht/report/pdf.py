"""The report as PDF (A4) with WeasyPrint: page numbers, repeating table headers."""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
from pathlib import Path

from veerkracht.errors import VeerkrachtError


def load_in_background() -> None:
    """Start importing WeasyPrint (1.3 s) in a thread, so that it is loaded by the time
    the report is printed: the main process mostly waits for the map workers meanwhile.
    A failure is left to :func:`write_pdf`, which says what to install."""

    def load() -> None:
        with contextlib.suppress(ImportError, OSError):
            importlib.import_module("weasyprint")

    threading.Thread(target=load, name="weasyprint-import", daemon=True).start()


def write_pdf(html_text: str, path: str | Path) -> Path:
    """Print the report HTML to ``path``; needs the Pango libraries (see scripts/apt-packages)."""
    try:
        import weasyprint  # lazy: optional (needs Pango); 1.3 s to import, only for a PDF
    except (ImportError, OSError) as exc:  # OSError: Pango missing on the system
        raise VeerkrachtError(
            f"de PDF kan niet worden gemaakt: WeasyPrint is niet beschikbaar ({exc})",
            fix="Installeer WeasyPrint (pip install weasyprint) en de systeembibliotheken "
            "libpango-1.0-0 en libpangoft2-1.0-0; het HTML-rapport is wel geschreven.",
        ) from exc
    # WeasyPrint and fontTools log every font subset at INFO/WARNING level
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    path = Path(path)
    weasyprint.HTML(string=html_text, base_url=str(path.parent)).write_pdf(path)
    return path
