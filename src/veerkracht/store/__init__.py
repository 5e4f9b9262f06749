"""The embedded store: one DuckDB file that every later stage reads from.

Public names only; the implementation lives in ``store._duck``.
"""

from veerkracht.store._duck import ImportResult, Store, open_store

__all__ = ["ImportResult", "Store", "open_store"]
