"""All settings in one place: where the store and the cache live, network behaviour.

Every setting can be overridden by an environment variable so that tests, CI and
users on shared machines can point veerkracht elsewhere without code changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from platformdirs import user_data_dir

from veerkracht.errors import ParameterError

#: Projection used for every geometry in the store (Amersfoort / RD New).
STORE_CRS = "EPSG:28992"

#: Defaults of a view, the one place the CLI, the pipeline, the signals and the web app
#: take them from. No default period: each gemeente's most recent years with data.
DEFAULT_SCHEME = "kwantielen"  # classification scheme (see signals.classes)
DEFAULT_REFERENCE = "gemeente"  # compare each buurt with its own gemeente
DEFAULT_LAYER = "typologie"  # the map the web app opens with
DEFAULT_OUT_DIR = Path("veerkracht-uitvoer")  # where the CLI writes its files

#: Environment variables understood by veerkracht.
ENV_DATA_DIR = "VEERKRACHT_DATA_DIR"
ENV_STORE = "VEERKRACHT_STORE"
ENV_SHARED_DATA = "VEERKRACHT_SHARED_DATA"
ENV_REAL_RESPONSES = "VEERKRACHT_REAL_RESPONSES"
ENV_OFFLINE = "VEERKRACHT_OFFLINE"

#: Base addresses of the official services; overridable so tests can serve them locally.
ENV_CBS_ODATA_V3 = "VEERKRACHT_CBS_ODATA_V3"
ENV_CBS_ODATA_V4 = "VEERKRACHT_CBS_ODATA_V4"
ENV_CBS_ODATA_FEED = "VEERKRACHT_CBS_ODATA_FEED"
ENV_PDOK_OGC = "VEERKRACHT_PDOK_OGC"
ENV_LBM_WFS = "VEERKRACHT_LEEFBAAROMETER_WFS"
ENV_LBM_DOWNLOADS = "VEERKRACHT_LEEFBAAROMETER_DOWNLOADS"
ENV_PDOK_BRT = "VEERKRACHT_PDOK_BRT"


@dataclass(frozen=True)
class Limits:
    """Bounds on what one input file may cost to import (see README, 'Grenzen aan invoer').

    Checked before a reader sees the file (size, lines, archives, encoding) and on what
    it read (names, vertices); a file over a limit is refused with a Dutch message that
    names the limit. The defaults are far above every official download (the largest
    line in ../shared/data is 17 KB, the largest xlsx unpacks to 26 MB at ratio 11).
    Override one with ``VEERKRACHT_LIMIET_<NAAM>``, e.g. ``VEERKRACHT_LIMIET_MAX_ROWS``.
    """

    #: bytes in one input file (GeoPackage, shapefile, xlsx, ...)
    max_file_bytes: int = 2 * 1024**3
    #: bytes in one text file (CSV, JSON). CSVs are parsed in blocks and the values written
    #: in blocks; what an import makes of them (one value per cell) stays in memory: a 100 MiB
    #: KWB CSV of 1.35 million buurt rows peaked at 0.9 GB (benchmarks/bench_import_memory.py;
    #: 1.6 GB before the blocks); the national KWB CSV is ~30 MB
    max_text_bytes: int = 100 * 1024**2
    #: bytes in one line of a CSV or other delimited text file
    max_line_bytes: int = 4 * 1024**2
    #: bytes in one JSON file (not GeoJSON, which GDAL reads as a stream): parsed whole, a
    #: 100 MB Leefbaarometer JSON peaked at 1.6 GB (measured); the real one is 1.1 MB
    max_json_bytes: int = 32 * 1024**2
    #: bytes in one cell of a delimited text file (a WKT polygon is the largest real cell)
    max_cell_bytes: int = 1024**2
    #: lines in one delimited text file; also features in one geometry layer
    max_rows: int = 5_000_000
    #: fields in the header of a delimited text file
    max_columns: int = 5_000
    #: nesting depth of a JSON file (a GeoJSON MultiPolygon collection has 7)
    max_json_depth: int = 64
    #: characters in a region name (a real buurt name has well under 100)
    max_name_chars: int = 300
    #: bytes an archive (xlsx, zip) unpacks to, all members together
    max_unpacked_bytes: int = 256 * 1024**2
    #: unpacked / packed bytes of any member of an archive (zip bombs have ratios > 1000)
    max_pack_ratio: float = 100.0
    #: members in an archive
    max_archive_members: int = 10_000
    #: vertices in one geometry
    max_vertices: int = 1_000_000
    #: share of existing values a file may change without ``--vervangen`` (0.01 = 1 %) ...
    max_changed_share: float = 0.01
    #: ... and how many values may always change (a correction of a few cells)
    max_changed_values: int = 5
    #: relative change of a stored region's area that counts as suspicious (0.10 = 10 %)
    max_area_change: float = 0.10


ENV_LIMIT_PREFIX = "VEERKRACHT_LIMIET_"


def get_limits() -> Limits:
    """The limits, each overridable by ``VEERKRACHT_LIMIET_<NAAM>`` (a number)."""
    changes: dict[str, float | int] = {}
    for f in fields(Limits):
        name = ENV_LIMIT_PREFIX + f.name.upper()
        raw = os.environ.get(name)
        if raw is None or not raw.strip():
            continue
        kind = float if f.type in ("float", float) else int
        try:
            value = kind(raw.strip().replace("_", ""))
        except ValueError:
            value = None
        if value is None or value < 0:
            raise ParameterError(
                name, raw, "geen geldig (niet-negatief) getal", fix=f"Bijv. {name}={f.default}."
            )
        changes[f.name] = value
    return Limits(**changes)


def default_data_dir() -> Path:
    """Per-user data folder (``~/.local/share/veerkracht`` on Linux)."""
    return Path(user_data_dir("veerkracht", appauthor=False))


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    store_path: Path
    cache_dir: Path
    offline: bool = False
    cbs_odata_v3: str = "https://opendata.cbs.nl/ODataApi/odata"
    #: the v3 ODataFeed: the same tables as the ODataApi, paged with $skip past 10,000 rows
    cbs_odata_feed: str = "https://opendata.cbs.nl/ODataFeed/odata"
    cbs_odata_v4: str = "https://datasets.cbs.nl/odata/v1/CBS"
    pdok_ogc: str = "https://api.pdok.nl/cbs"
    leefbaarometer_wfs: str = "https://geo.leefbaarometer.nl/lbm3/ows"
    leefbaarometer_downloads: str = "https://www.leefbaarometer.nl/resources"
    #: PDOK BRT-Achtergrondkaart WMTS (tiles in RD New: no reprojection needed)
    pdok_brt: str = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0"
    http_timeout_s: float = 60.0
    http_retries: int = 3


def get_settings(store: str | os.PathLike[str] | None = None) -> Settings:
    """Settings from the environment; ``store`` (a CLI option) wins over everything."""
    data_dir = Path(os.environ.get(ENV_DATA_DIR) or default_data_dir()).expanduser()
    if store is not None:
        store_path = Path(store).expanduser()
    elif os.environ.get(ENV_STORE):
        store_path = Path(os.environ[ENV_STORE]).expanduser()
    else:
        store_path = data_dir / "veerkracht.duckdb"
    defaults = Settings(data_dir=data_dir, store_path=store_path, cache_dir=data_dir / "cache")
    return Settings(
        data_dir=data_dir,
        store_path=store_path,
        cache_dir=data_dir / "cache",
        offline=os.environ.get(ENV_OFFLINE, "").lower() in {"1", "true", "ja", "yes"},
        cbs_odata_v3=os.environ.get(ENV_CBS_ODATA_V3, defaults.cbs_odata_v3).rstrip("/"),
        cbs_odata_v4=os.environ.get(ENV_CBS_ODATA_V4, defaults.cbs_odata_v4).rstrip("/"),
        cbs_odata_feed=os.environ.get(ENV_CBS_ODATA_FEED, defaults.cbs_odata_feed).rstrip("/"),
        pdok_ogc=os.environ.get(ENV_PDOK_OGC, defaults.pdok_ogc).rstrip("/"),
        leefbaarometer_wfs=os.environ.get(ENV_LBM_WFS, defaults.leefbaarometer_wfs),
        pdok_brt=os.environ.get(ENV_PDOK_BRT, defaults.pdok_brt).rstrip("/"),
        leefbaarometer_downloads=os.environ.get(
            ENV_LBM_DOWNLOADS, defaults.leefbaarometer_downloads
        ).rstrip("/"),
    )


def shared_data_dir() -> Path:
    """Folder with the real open-data files (tests and benchmarks read from here)."""
    env = os.environ.get(ENV_SHARED_DATA)
    if env:
        return Path(env)
    # src/veerkracht/settings.py -> repository root -> ../shared/data
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def real_responses_dir() -> Path:
    """Folder with real answers of the online services (tests serve them locally)."""
    env = os.environ.get(ENV_REAL_RESPONSES)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "real_responses"
