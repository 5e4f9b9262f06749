"""The atlas's translation phase: serially in the parent vs. in worker processes.

Not a test - a script that prints figures::

    python benchmarks/bench_atlas_translate.py [--gemeenten 16] [--processen 2]

Builds the synthetic whole-NL store (``_synthetic.py``; not timed), then translates the
first ``--gemeenten`` gemeenten to the edition of a 2017–2019 view twice, each on its own
copy of the store: with ``atlas.prepare_parallel`` (workers compute on read-only
connections, the parent writes) and with ``atlas.prepare`` (one by one in the parent).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


def main() -> None:
    from _synthetic import write_inputs

    from veerkracht import atlas as at
    from veerkracht.ingest import import_folder
    from veerkracht.store import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gemeenten", type=int, default=16)
    parser.add_argument("--processen", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="veerkracht-vertalen-") as tmp_name:
        tmp = Path(tmp_name)
        write_inputs(tmp / "invoer")
        source = tmp / "bron.duckdb"
        with Store(source) as st:
            import_folder(st, tmp / "invoer")
            codes = st.gemeenten().gemeente_code.tolist()[: args.gemeenten]
        for name in ("parallel", "serieel"):
            db = tmp / f"{name}.duckdb"
            shutil.copy(source, db)
            with Store(db) as st:
                candidates, _ = at.survey(st, 2017, 2019, codes)
            t = time.perf_counter()
            if name == "serieel":
                with Store(db) as st:
                    at.prepare(st, candidates, 2019)
            else:
                at.prepare_parallel(db, candidates, 2019, args.processen)
            seconds = time.perf_counter() - t
            failed = [c.gemeente_code for c in candidates if not c.ok]
            print(
                f"{name:9s} {len(candidates)} gemeenten vertaald in {seconds:.1f} s "
                f"({seconds / max(len(candidates), 1):.2f} s per gemeente)"
                + (f"; mislukt: {failed}" if failed else ""),
                flush=True,
            )


if __name__ == "__main__":
    main()
