"""veerkracht — veerkracht-signaleringskaarten voor Nederlandse buurten.

Data flows one way: ``sources`` (official files and services) -> ``store`` (one
embedded DuckDB file) -> ``indicators`` -> ``signals`` -> outputs (``maps``,
reports, ``web``). Importing this package is cheap: heavy libraries (geopandas,
matplotlib, duckdb, ...) load only when a stage that needs them runs.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
