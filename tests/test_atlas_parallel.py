"""The atlas translates on all cores: the same translations as one by one in the parent."""

from __future__ import annotations

import shutil

import pandas as pd
from benchmarks._synthetic import make_regions, write_geopackage, write_kwb_csv


def _store(folder):
    from veerkracht.ingest import import_folder
    from veerkracht.store import Store

    regions = make_regions(240, 6)
    for year in (2017, 2018, 2019):
        write_kwb_csv(regions, year, folder / f"kwb-{year}.csv")
    write_geopackage(regions, 2019, folder / "wijkenbuurten_2019_v1.gpkg")
    path = folder / "data" / "veerkracht.duckdb"
    with Store(path) as st:
        import_folder(st, folder)
    return path


def _translations(path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from veerkracht.store import Store

    with Store(path, read_only=True) as st:
        values = st.table_rows("translated_values")
        errors = st.table_rows("translation_errors")
    keep = [c for c in errors.columns if not c.endswith("_at")]  # when it was written
    return (
        values.sort_values(list(values.columns)).reset_index(drop=True),
        errors[keep].sort_values(keep).reset_index(drop=True),
    )


def test_parallel_translation_equals_serial(tmp_path) -> None:
    from veerkracht import atlas as at
    from veerkracht.store import Store

    serial = _store(tmp_path)
    parallel = tmp_path / "parallel.duckdb"
    shutil.copy(serial, parallel)
    with Store(serial) as st:
        candidates, _ = at.survey(st, 2017, 2019)
        jobs = at.translation_jobs(st, candidates, 2019)
        at.prepare(st, candidates, 2019)
    assert len(candidates) == len(jobs) == 6  # every gemeente needs a translation
    with Store(parallel) as st:
        candidates, _ = at.survey(st, 2017, 2019)
    seen = []
    at.prepare_parallel(parallel, candidates, 2019, 2, lambda done, n: seen.append((done, n)))
    assert all(c.ok for c in candidates) and seen[-1] == (6, 6)
    (v1, e1), (v2, e2) = _translations(serial), _translations(parallel)
    assert len(v1) > 1000
    pd.testing.assert_frame_equal(v1, v2)
    pd.testing.assert_frame_equal(e1, e2)
