"""All settings in one place: where the store and the cache live, network behaviour.

Every setting can be overridden by an environment variable so that tests, CI and
users on shared machines can point veerkracht elsewhere without code changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Projection used for every geometry in the store (Amersfoort / RD New).
STORE_CRS = "EPSG:28992"

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


def default_data_dir() -> Path:
    """Per-user data folder (``~/.local/share/veerkracht`` on Linux)."""
    from platformdirs import user_data_dir

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
