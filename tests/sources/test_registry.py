"""The source registry lists every reader: no reader is reachable outside it; every name
it holds resolves, and importing it stays cheap."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from veerkracht.errors import ParameterError
from veerkracht.online import fetch
from veerkracht.sources import registry
from veerkracht.sources.base import Reader

SOURCES_DIR = Path(registry.__file__).parent


def _modules_that_make_readers() -> set[str]:
    """Every module under sources/ that constructs a ``Reader(...)`` (by its source text)."""
    found = set()
    for path in SOURCES_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Reader":
                parts = path.relative_to(SOURCES_DIR.parent.parent).with_suffix("").parts
                found.add(".".join(parts))
    return found


def test_every_reader_module_is_in_the_registry() -> None:
    makers = _modules_that_make_readers()
    assert len(makers) >= 8  # the check looks where the readers are
    listed = {r.read.__module__ for r in registry.all_readers()}
    assert makers == listed, f"reader modules outside the registry: {sorted(makers - listed)}"
    for name in makers:
        module = importlib.import_module(name)
        made = [v for v in vars(module).values() if isinstance(v, Reader)]
        made += [r for r in getattr(module, "READERS", ()) if isinstance(r, Reader)]
        missing = [r.code for r in made if r not in registry.all_readers()]
        assert not missing, f"{name}: readers not in the registry: {missing}"


def test_reader_codes_and_source_keys_are_unique() -> None:
    codes = [r.code for r in registry.all_readers()]
    assert len(codes) == len(set(codes))
    keys = [s.key for s in registry.SOURCES]
    assert len(keys) == len(set(keys))
    assert sorted(registry.DETECTION_ORDER) == sorted(keys)
    for source in registry.SOURCES:
        assert source.readers and source.label and source.tables
        assert all(registry.source_of(r) is source for r in source.readers)


def test_store_tables_exist() -> None:
    schema = (SOURCES_DIR.parent / "store" / "_schema.sql").read_text("utf-8")
    for source in registry.SOURCES:
        for table in source.tables:
            assert f"CREATE TABLE IF NOT EXISTS {table} " in schema, (source.key, table)


def test_fetching_goes_through_the_registry() -> None:
    """Every job builder in online/fetch.py belongs to exactly one source (a new source may
    keep its job in its reader module); the --bronnen codes and defaults come from the
    registry."""
    builders = {n for n in vars(fetch) if n.endswith("_jobs") and callable(getattr(fetch, n))}
    used = [
        s.fetch.__name__
        for s in registry.SOURCES
        if s.fetch is not None and s.fetch.__module__ == fetch.__name__
    ]
    assert sorted(used) == sorted(builders) and len(builders) == 5
    assert registry.FETCH_CODES == ("kwb", "gezondheid", "criminaliteit", "grenzen",
                                    "leefbaarometer")
    assert registry.parse_sources(None) == ["kwb", "gezondheid", "grenzen", "leefbaarometer"]
    with pytest.raises(ParameterError) as err:
        registry.parse_sources("kwb,weer")
    assert "weer" in err.value.message and "criminaliteit" in (err.value.fix or "")


def test_detection_order_keeps_kwb_last() -> None:
    """KWB's readers accept the widest range of files: they are tried last."""
    assert registry.all_readers()[-len(registry.SOURCES[0].readers):] == registry.SOURCES[0].readers
    assert registry.SOURCES[0].key == "cbs_kwb"


def test_every_dotted_name_resolves() -> None:
    """A typo in a reader module or fetch-job name fails here, not at a user's run; the
    names stay in stage 1 (sources, online), as an import would (tests/test_layers.py)."""
    for source in registry.SOURCES:
        assert source.reader_module.startswith("veerkracht.sources."), source.key
        module = importlib.import_module(source.reader_module)
        assert module.READERS and all(isinstance(r, Reader) for r in module.READERS)
        assert source.readers == module.READERS
        assert bool(source.fetch_code) == bool(source.fetch_job), source.key
        assert not source.fetch_by_default or source.fetch_job, source.key
        if source.fetch_job:
            assert source.fetch_job.split(".")[1] in ("sources", "online"), source.fetch_job
            assert callable(source.fetch) and source.fetch.__name__.endswith("jobs")
    # what ingest's worker processes preload: every module a reader reads with
    assert set(registry.READER_MODULES) == {r.read.__module__ for r in registry.all_readers()}


def test_a_misspelt_name_does_not_resolve() -> None:
    wrong_module = registry.Source("x", "x", "veerkracht.sources.cbs_kwbb", registry.VALUES)
    with pytest.raises(ModuleNotFoundError):
        _ = wrong_module.readers
    wrong_job = registry.Source(
        "x", "x", "veerkracht.sources.cbs_kwb", registry.VALUES, "x",
        "veerkracht.online.fetch:kwb_job",
    )
    with pytest.raises(AttributeError):
        _ = wrong_job.fetch


def test_importing_the_registry_loads_no_reader_and_no_heavy_library() -> None:
    """``cli/data.py`` builds the --bronnen help from the registry at import: every
    ``veerkracht … --help`` imports it, so it names its readers and jobs instead of
    importing them."""
    code = (
        "import sys, veerkracht.sources.registry; "
        "print(sorted(m for m in sys.modules if m.startswith('veerkracht.') or m in "
        "('pandas', 'geopandas', 'pyogrio', 'httpx', 'openpyxl', 'numpy', 'pyarrow')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(
        ["veerkracht.errors", "veerkracht.sources", "veerkracht.sources.registry"]
    )
