"""Readers for the official sources, one module per publisher/dataset.

Every reader turns a file as users download it into a :class:`SourceTable`
(long-format values, regions, geometries, crosswalks) that the store imports.
``detect`` picks the reader from a file's content, not its name.
"""

from __future__ import annotations

from veerkracht.sources.base import READERS, DatasetInfo, SourceTable, detect, read

__all__ = ["READERS", "DatasetInfo", "SourceTable", "detect", "read"]
