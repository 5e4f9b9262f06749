"""Readers for the official sources, one module per publisher/dataset.

Every reader turns a file as users download it into a :class:`~veerkracht.sources.base.SourceTable`
(long-format values, regions, geometries, crosswalks) that the store imports.
``registry`` lists every source and its readers; ``registry.detect`` picks the reader
from a file's content, not its name. This package imports nothing itself: ``registry``
must stay cheap to import (``base`` loads pandas).
"""
