"""Import every reader module so each registers itself (order = detection order)."""

# ruff: noqa: I001 - the order is the detection order, not alphabetical
from veerkracht.sources import cbs_health  # noqa: F401
from veerkracht.sources import cbs_ses_woa  # noqa: F401
from veerkracht.sources import boundaries  # noqa: F401
from veerkracht.sources import leefbaarometer  # noqa: F401
from veerkracht.sources import cbs_crime  # noqa: F401
from veerkracht.sources import woonzorgwijzer  # noqa: F401
from veerkracht.sources import own_data  # noqa: F401
from veerkracht.sources import cbs_kwb  # noqa: F401
