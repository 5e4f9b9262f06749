"""Every read of the store, by name: the stages after the store ask for what they need
here instead of writing SQL against its tables (see ``tests/store/test_sql_boundary.py``).

A mixin of :class:`veerkracht.store.Store`; it needs only ``self.con``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from veerkracht.settings import STORE_CRS

if TYPE_CHECKING:
    import geopandas as gpd


class StoreQueries:
    """Named reads over the store's tables (values, regions, geometries, crosswalks,
    translations, imports)."""

    con: duckdb.DuckDBPyConnection

    @property
    def read_only(self) -> bool:
        rows = self.con.execute("SELECT current_setting('access_mode')").fetchall()
        return bool(rows and str(rows[0][0]).lower() == "read_only")

    def has_translation(self, gemeente: str, edition: int) -> bool:
        """True when the gemeente's values were translated to ``edition`` (data vertalen)."""
        rows = self.con.execute(
            "SELECT count(*) FROM translation_errors WHERE gemeente_code = ? AND edition = ?",
            [gemeente, edition],
        ).fetchall()
        return bool(rows and rows[0][0])

    def table_rows(self, table: str) -> pd.DataFrame | None:
        """All rows of a (small) table, or None when the store has no such table."""
        try:
            return self.con.execute(f'SELECT * FROM "{table}"').df()
        except duckdb.CatalogException:
            return None

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def values(
        self,
        *,
        variables: list[str] | None = None,
        gemeente: str | None = None,
        level: str | None = None,
        edition: int | None = None,
        periods: list[int] | None = None,
        include_land: bool = False,
        region_codes: list[str] | None = None,
    ) -> pd.DataFrame:
        """Values as stored (long format), filtered (``region_codes=[]`` matches nothing)."""
        where, params = [], []
        if region_codes is not None:
            where.append("list_contains(?, region_code)")
            params.append([str(c) for c in region_codes])
        if variables:
            where.append(f"variable IN ({', '.join('?' * len(variables))})")
            params += variables
        if gemeente:
            digits = gemeente[2:6]
            region = "(region_code = ? OR region_code LIKE ? OR region_code LIKE ?)"
            if include_land:
                region = f"({region} OR level = 'land')"
            where.append(region)
            params += [f"GM{digits}", f"WK{digits}%", f"BU{digits}%"]
        if level:
            where.append("level = ?")
            params.append(level)
        if edition is not None:
            where.append("edition = ?")
            params.append(edition)
        if periods:
            where.append(f"period IN ({', '.join('?' * len(periods))})")
            params += periods
        # values_in_order: the view "values" plus the stored order, which its joins and a
        # selective parallel scan do not keep (merges downstream follow that order)
        sql = "SELECT * EXCLUDE (row_order) FROM values_in_order"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self.query(sql + " ORDER BY row_order", params)

    def variables(self) -> pd.DataFrame:
        return self.query("SELECT * FROM variables ORDER BY variable")

    def buurt_periods(self, gemeente: str) -> pd.DataFrame:
        """Per variable and period: how many of the gemeente's buurten have a value.

        Over every edition and dataset, published and translated: what a period choice
        needs to know before an edition is picked.
        """
        prefix = f"BU{gemeente[2:6]}%"
        return self.query(
            """SELECT variable, CAST(period AS INTEGER) AS period,
                      count(DISTINCT region_code) AS buurten
               FROM (SELECT region_code, variable, period FROM "values"
                     WHERE level = 'buurt' AND region_code LIKE ? AND value IS NOT NULL
                     UNION ALL
                     SELECT region_code, variable, period FROM translated_values
                     WHERE region_code LIKE ? AND value IS NOT NULL
                       -- a value from the buurt's postcode area is not a buurt figure
                       AND method NOT LIKE 'pc4%')
               GROUP BY ALL ORDER BY variable, period""",
            [prefix, prefix],
        )

    def buurt_editions(self, gemeente: str) -> pd.DataFrame:
        """Per dataset: the editions of the gemeente's buurt values and their periods."""
        return self.query(
            """SELECT dataset_key, edition, list(DISTINCT period ORDER BY period) AS periods,
                      count(*) AS n
               FROM "values" WHERE level = 'buurt' AND region_code LIKE ?
               GROUP BY ALL ORDER BY dataset_key, edition""",
            [f"BU{gemeente[2:6]}%"],
        )

    def gemeente_values(self, gemeenten: list[str], variables: list[str]) -> pd.DataFrame:
        """Published gemeente-level values (long) for several gemeenten (a region)."""
        return self.query(
            """SELECT region_code, level, period, variable, value, status, dataset_key,
                      edition AS source_edition, 'identiek' AS method
               FROM "values" WHERE level = 'gemeente'
                 AND list_contains(?, region_code) AND list_contains(?, variable)""",
            [list(gemeenten), list(variables)],
        )

    def lbm2_pc4_development(self, start: int, end: int) -> pd.DataFrame:
        """Per PC4: Leefbaarometer 2.0 class in ``end`` and total score in both years."""
        return self.query(
            """WITH k AS (SELECT region_code, value AS end_class FROM "values"
                          WHERE variable = 'lbm2.klasse' AND level = 'pc4' AND period = ?),
                    a AS (SELECT region_code, value AS score_start FROM "values"
                          WHERE variable = 'lbm2.totaal' AND level = 'pc4' AND period = ?),
                    b AS (SELECT region_code, value AS score_end FROM "values"
                          WHERE variable = 'lbm2.totaal' AND level = 'pc4' AND period = ?)
               SELECT region_code, CAST(k.end_class AS INTEGER) AS end_class,
                      a.score_start, b.score_end
               FROM k JOIN a USING (region_code) JOIN b USING (region_code)
               WHERE a.score_start IS NOT NULL AND b.score_end IS NOT NULL
                 AND k.end_class IS NOT NULL
               ORDER BY region_code""",
            [end, start, end],
        )

    def buurt_code_editions(self, gemeente: str, *, published: bool = True) -> set[int]:
        """Editions in which the gemeente's buurt codes are known: regions, boundaries and
        (``published``) the editions of buurt values."""
        prefix = f"BU{gemeente[2:6]}%"
        values = (
            """UNION SELECT DISTINCT edition FROM "values" WHERE level = 'buurt'
                   AND region_code LIKE ?"""
            if published
            else ""
        )
        frame = self.query(
            f"""SELECT DISTINCT edition FROM regions WHERE level = 'buurt'
                   AND (gemeente_code = ? OR region_code LIKE ?)
               UNION SELECT DISTINCT edition FROM geometries WHERE level = 'buurt'
                   AND (gemeente_code = ? OR region_code LIKE ?)
               {values}""",
            [gemeente, prefix, gemeente, prefix] + ([prefix] if published else []),
        )
        return {int(e) for e in frame.edition}

    def buurten(self, gemeente: str, edition: int) -> pd.DataFrame:
        """Buurt codes (and names where known) of a gemeente in one edition."""
        prefix = f"BU{gemeente[2:6]}%"
        return self.query(
            """SELECT region_code, max(name) AS name FROM (
                   SELECT region_code, name FROM regions
                   WHERE level = 'buurt' AND edition = ? AND gemeente_code = ?
                   UNION ALL
                   SELECT region_code, name FROM geometries
                   WHERE level = 'buurt' AND edition = ? AND gemeente_code = ?
                   UNION ALL
                   SELECT DISTINCT region_code, NULL AS name FROM "values"
                   WHERE level = 'buurt' AND edition = ? AND region_code LIKE ?)
               GROUP BY region_code ORDER BY region_code""",
            [edition, gemeente, edition, gemeente, edition, prefix],
        )

    def buurt_geometry_gemeenten(self) -> list[str]:
        """Gemeenten with buurt boundaries (any edition)."""
        frame = self.query(
            "SELECT DISTINCT gemeente_code FROM geometries "
            "WHERE level = 'buurt' AND gemeente_code IS NOT NULL ORDER BY 1"
        )
        return frame.gemeente_code.tolist()

    def buurt_region_gemeenten(self) -> list[str]:
        """Gemeenten with buurt regions or boundaries in some edition: the only ones whose
        values can be translated to an edition (see :meth:`buurt_code_editions`)."""
        frame = self.query(
            """SELECT DISTINCT coalesce(gemeente_code, 'GM' || substr(region_code, 3, 4)) AS gm
               FROM regions WHERE level = 'buurt'
               UNION SELECT DISTINCT 'GM' || substr(region_code, 3, 4) FROM regions
               WHERE level = 'buurt'
               UNION SELECT DISTINCT coalesce(gemeente_code, 'GM' || substr(region_code, 3, 4))
               FROM geometries WHERE level = 'buurt'
               UNION SELECT DISTINCT 'GM' || substr(region_code, 3, 4) FROM geometries
               WHERE level = 'buurt'
               ORDER BY 1"""
        )
        return frame.gm.tolist()

    def buurt_value_gemeenten(self) -> list[str]:
        """Gemeenten with buurt values (from the buurt codes, any dataset and edition)."""
        frame = self.query(
            """SELECT DISTINCT 'GM' || substr(region_code, 3, 4) AS gm FROM "values"
               WHERE level = 'buurt' ORDER BY 1"""
        )
        return frame.gm.tolist()

    def place_names(self) -> pd.DataFrame:
        """Every buurt and wijk with its latest name (regions or boundaries), gemeente,
        editions and, for buurten, the PC4 of its most common postcode (KWB, latest year):
        the web app's search index."""
        return self.query(
            """WITH named AS (
                   SELECT region_code, level, edition, name, gemeente_code FROM regions
                   WHERE level IN ('buurt', 'wijk') AND name IS NOT NULL
                   UNION ALL
                   SELECT region_code, level, edition, name, gemeente_code FROM geometries
                   WHERE level IN ('buurt', 'wijk') AND name IS NOT NULL),
               latest AS (
                   SELECT region_code, level, arg_max(name, edition) AS name,
                          coalesce(arg_max(gemeente_code, edition),
                                   'GM' || substr(region_code, 3, 4)) AS gemeente_code,
                          list(DISTINCT edition ORDER BY edition) AS editions
                   FROM named GROUP BY region_code, level),
               postcodes AS (
                   SELECT region_code, arg_max(value, period) AS pc4 FROM "values"
                   WHERE variable = 'kwb.pst_mvp' AND level = 'buurt' AND status = 'ok'
                   GROUP BY region_code)
               SELECT l.region_code, l.level, l.name, l.gemeente_code, l.editions, p.pc4
               FROM latest l LEFT JOIN postcodes p USING (region_code)
               ORDER BY l.level, l.region_code"""
        )

    def gemeente_names(self) -> dict[str, str]:
        """GM code -> the name of its latest edition."""
        frame = self.query(
            """SELECT region_code AS gemeente_code, arg_max(name, edition) AS name
               FROM regions WHERE level = 'gemeente' AND name IS NOT NULL GROUP BY 1"""
        )
        return dict(zip(frame.gemeente_code, frame.name, strict=True))

    def buurt_variable_years(self, variables: list[str] | None = None) -> pd.DataFrame:
        """Per gemeente, dataset, variable and period: buurten with a published value."""
        where, params = ["level = 'buurt'", "status = 'ok'"], []
        if variables:
            where.append(f"variable IN ({', '.join('?' * len(variables))})")
            params = list(variables)
        return self.query(
            "SELECT 'GM' || substr(region_code, 3, 4) AS gemeente_code, dataset_key, "
            "variable, period, count(DISTINCT region_code) AS buurten "
            f'FROM "values" WHERE {" AND ".join(where)} GROUP BY ALL '
            "ORDER BY gemeente_code, dataset_key, variable, period",
            params,
        )

    def variable_periods(self, variables: list[str], gemeente: str | None = None) -> pd.DataFrame:
        """Per variable and period: the number of regions with a published value."""
        if not variables:
            return pd.DataFrame(columns=["variable", "period", "regions"])
        where = [f"variable IN ({', '.join('?' * len(variables))})", "status = 'ok'"]
        params: list = list(variables)
        if gemeente:
            digits = gemeente[2:6]
            where.append("(region_code = ? OR region_code LIKE ? OR region_code LIKE ?)")
            params += [f"GM{digits}", f"WK{digits}%", f"BU{digits}%"]
        return self.query(
            'SELECT variable, period, count(DISTINCT region_code) AS regions FROM "values" '
            f"WHERE {' AND '.join(where)} GROUP BY ALL ORDER BY variable, period",
            params,
        )

    def geometry_editions(self, gemeente: str, level: str = "buurt") -> list[int]:
        rows = self.con.execute(
            "SELECT DISTINCT edition FROM geometries WHERE gemeente_code = ? AND level = ? "
            "ORDER BY edition",
            [gemeente, level],
        ).fetchall()
        return [int(r[0]) for r in rows]

    def geometries(self, gemeente: str, edition: int, level: str = "buurt") -> gpd.GeoDataFrame:
        """The polygons of one gemeente in one edition (see :meth:`geometry_frame`)."""
        return self.geometry_frame(level, edition, gemeente)

    def geometry_frame(
        self,
        level: str,
        edition: int | None = None,
        gemeente: str | None = None,
        *,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> gpd.GeoDataFrame:
        """Stored polygons (EPSG:28992) of one level, decoded from WKB, sorted by code.

        ``gemeente`` keeps its regions: by gemeente_code, and buurten also by their code
        (BU + the gemeente's four digits) for sources that gave no gemeente. ``bbox``
        (x0, y0, x1, y1 in RD) keeps the polygons whose extent touches it.
        """
        where, params = ["level = ?"], [level]
        if edition is not None:
            where.append("edition = ?")
            params.append(edition)
        if gemeente is not None:
            where.append("(gemeente_code = ? OR region_code LIKE ?)")
            params += [gemeente, f"BU{gemeente[2:6]}%"]
        if bbox is not None:
            where.append("maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?")
            x0, y0, x1, y1 = bbox
            params += [x0, x1, y0, y1]
        frame = self.query(
            "SELECT region_code, level, edition, name, gemeente_code, source_key, area_m2, "
            f"geometry FROM geometries WHERE {' AND '.join(where)} "
            "ORDER BY region_code, edition",
            params,
        )
        # lazy: geopandas+pyproj+shapely ~0.15 s of every command; signalen reads no polygons
        import geopandas as gpd
        import shapely  # lazy: as geopandas

        # DuckDB returns BLOBs as bytearray, which shapely refuses
        geoms = shapely.from_wkb([bytes(b) for b in frame.pop("geometry")])
        return gpd.GeoDataFrame(frame, geometry=geoms, crs=STORE_CRS)

    def gemeenten(self) -> pd.DataFrame:
        """Known gemeenten (code, name, editions), latest name first."""
        return self.query(
            """SELECT region_code AS gemeente_code, arg_max(name, edition) AS name,
                      list(DISTINCT edition ORDER BY edition) AS editions
               FROM regions WHERE level = 'gemeente' GROUP BY region_code ORDER BY name"""
        )

    def imports(self) -> pd.DataFrame:
        return self.query("SELECT * FROM imports ORDER BY import_id")

    # ------------------------------------------------------------------ harmonisation
    def buurt_target_codes(self, gemeente: str, edition: int) -> set[str]:
        """Buurt codes of ``edition`` for the gemeente: from regions, boundaries and the
        crosswalks that land on that edition."""
        prefix = f"BU{gemeente[2:6]}%"
        frame = self.query(
            """SELECT region_code FROM regions WHERE level = 'buurt' AND edition = ?
                   AND (gemeente_code = ? OR region_code LIKE ?)
               UNION SELECT region_code FROM geometries WHERE level = 'buurt' AND edition = ?
                   AND (gemeente_code = ? OR region_code LIKE ?)
               UNION SELECT to_code FROM crosswalks WHERE to_edition = ? AND to_code LIKE ?""",
            [edition, gemeente, prefix, edition, gemeente, prefix, edition, prefix],
        )
        return set(frame["region_code"])

    def gemeente_crosswalks(self, gemeente: str) -> pd.DataFrame:
        """Every crosswalk row from or to one of the gemeente's buurt codes."""
        prefix = f"BU{gemeente[2:6]}%"
        return self.query(
            "SELECT from_code, from_edition, to_code, to_edition, weight FROM crosswalks "
            "WHERE from_code LIKE ? OR to_code LIKE ?",
            [prefix, prefix],
        )

    def geometry_codes(self, gemeente: str | None = None, level: str = "buurt") -> pd.DataFrame:
        """(edition, region_code) of every stored polygon on ``level``, of one gemeente or
        (``gemeente=None``) of all of them, sorted."""
        where, params = ["level = ?"], [level]
        if gemeente is not None:
            where.append("(gemeente_code = ? OR region_code LIKE ?)")
            params += [gemeente, f"BU{gemeente[2:6]}%"]
        return self.query(
            f"SELECT edition, region_code FROM geometries WHERE {' AND '.join(where)} "
            "ORDER BY edition, region_code",
            params,
        )

    def variable_kinds(self) -> pd.DataFrame:
        """Per variable its kind and denominator (how harmonise translates it)."""
        return self.query("SELECT variable, kind, denominator FROM variables")

    def pc4_value_periods(self, variables: list[str] | None = None) -> pd.DataFrame:
        """(edition, period) of the PC4 values in the store (optionally of some variables)."""
        sql = "SELECT DISTINCT edition, period FROM \"values\" WHERE level = 'pc4'"
        params: list = []
        if variables:
            sql += f" AND variable IN ({', '.join('?' * len(variables))})"
            params += variables
        return self.query(sql, params)

    def buurt_geometry_extent(self, gemeente: str, edition: int) -> pd.Series:
        """Bounding box (x0, y0, x1, y1; RD) of the gemeente's buurt polygons in ``edition``
        (NaN when there are none)."""
        return self.query(
            "SELECT min(minx) x0, min(miny) y0, max(maxx) x1, max(maxy) y1 FROM geometries "
            "WHERE level = 'buurt' AND edition = ? AND (gemeente_code = ? OR region_code LIKE ?)",
            [edition, gemeente, f"BU{gemeente[2:6]}%"],
        ).iloc[0]

    def level_geometry_editions(self, level: str) -> pd.Series:
        """Editions with polygons of ``level`` anywhere (e.g. 'pc4')."""
        return self.query("SELECT DISTINCT edition FROM geometries WHERE level = ?", [level])[
            "edition"
        ]

    # ------------------------------------------------------------------ signals
    def values_on_edition(
        self, gemeente: str, edition: int, codes: pd.Series, variables: list[str]
    ) -> pd.DataFrame:
        """Long values for ``codes`` (buurten of ``edition``) plus the gemeente's GM and NL
        rows, one row per (region, period, variable): translated to the edition first, then
        published on it ('identiek'), then published on another edition under the same code
        ('zelfde code'); GM and NL rows from the nearest edition."""
        # unique view names: the web app computes signals for several requests at once
        suffix = uuid.uuid4().hex[:12]
        codes_view, vars_view = f"wanted_codes_{suffix}", f"wanted_vars_{suffix}"
        self.con.register(codes_view, pd.DataFrame({"region_code": codes}))
        self.con.register(vars_view, pd.DataFrame({"variable": variables}))
        try:
            return self.query(
                f"""WITH t AS (
                       SELECT region_code, level, period, variable, value, status, dataset_key,
                              source_edition, method, 1 AS rank
                       FROM translated_values
                       WHERE edition = ? AND variable IN (SELECT variable FROM {vars_view})
                         AND region_code IN (SELECT region_code FROM {codes_view})),
                   d AS (
                       SELECT region_code, level, period, variable, value, status, dataset_key,
                              edition AS source_edition,
                              CASE WHEN edition = ? THEN 'identiek' ELSE 'zelfde code' END
                                  AS method,
                              CASE WHEN edition = ? THEN 2 ELSE 3 END AS rank
                       FROM "values"
                       WHERE variable IN (SELECT variable FROM {vars_view})
                         AND region_code IN (SELECT region_code FROM {codes_view})),
                   agg AS (
                       -- gemeente and NL rows are not edition-bound: the nearest edition wins
                       SELECT region_code, level, period, variable, value, status, dataset_key,
                              edition AS source_edition, 'identiek' AS method,
                              4 AS rank
                       FROM "values"
                       WHERE variable IN (SELECT variable FROM {vars_view})
                         AND (region_code = ? OR level = 'land')),
                   u AS (SELECT * FROM t UNION ALL SELECT * FROM d UNION ALL SELECT * FROM agg)
                   SELECT * EXCLUDE (rank, rn) FROM (
                       SELECT *, row_number() OVER (
                           PARTITION BY region_code, period, variable
                           ORDER BY rank, abs(source_edition - ?)) AS rn
                       FROM u) WHERE rn = 1""",
                [edition, edition, edition, gemeente, edition],
            )
        finally:
            self.con.unregister(codes_view)
            self.con.unregister(vars_view)

    def buurt_geometry_code_counts(self, gemeente: str, codes: list[str]) -> pd.DataFrame:
        """Per geometry edition: how many of ``codes`` have a buurt polygon (edition, n)."""
        # counted in SQL: decoding every edition's polygons only to count codes is slow
        return self.query(
            "SELECT edition, count(*) AS n FROM geometries WHERE gemeente_code = ? "
            "AND level = 'buurt' AND region_code IN (SELECT unnest(?)) "
            "GROUP BY edition ORDER BY edition",
            [gemeente, [str(c) for c in codes]],
        )

    # ------------------------------------------------------------------ status and sources
    def datasets_summary(self) -> pd.DataFrame:
        """Per dataset what is stored now: values and geometries are counted in their tables
        (a replaced file's rows are gone; summing the imports counted them twice), table ids
        in a fixed order."""
        return self.query(
            """WITH stored_values AS (
                   SELECT import_id, count(*) AS n FROM value_rows GROUP BY import_id),
               stored_geometries AS (
                   SELECT import_id, count(*) AS n FROM geometries GROUP BY import_id)
               SELECT i.dataset_key, any_value(i.publisher ORDER BY i.import_id) AS publisher,
                      coalesce(string_agg(DISTINCT nullif(i.dataset_id, ''), ', '
                                          ORDER BY nullif(i.dataset_id, '')), '') AS dataset_ids,
                      count(DISTINCT i.import_id) AS files,
                      (SELECT list(DISTINCT v.period ORDER BY v.period) FROM "values" v
                        WHERE v.dataset_key = i.dataset_key) AS periods,
                      (SELECT list(DISTINCT v.edition ORDER BY v.edition) FROM "values" v
                        WHERE v.dataset_key = i.dataset_key) AS editions,
                      coalesce(sum(sv.n), 0) AS n_values, coalesce(sum(sg.n), 0) AS n_geometries
               FROM imports i
               LEFT JOIN stored_values sv ON sv.import_id = i.import_id
               LEFT JOIN stored_geometries sg ON sg.import_id = i.import_id
               GROUP BY i.dataset_key ORDER BY i.dataset_key"""
        )

    def coverage_per_gemeente(self) -> pd.DataFrame:
        """Buurten with values per gemeente and dataset, and the geometry editions present."""
        return self.query(
            """WITH v AS (
                   SELECT 'GM' || substr(region_code, 3, 4) AS gemeente_code, dataset_key,
                          count(DISTINCT region_code) AS buurten,
                          list(DISTINCT period ORDER BY period) AS periods
                   FROM "values" WHERE level = 'buurt' GROUP BY ALL),
               g AS (
                   SELECT gemeente_code,
                          list(DISTINCT edition ORDER BY edition) AS geometry_editions,
                          max(n) AS buurt_geometries
                   FROM (SELECT gemeente_code, edition, count(*) AS n FROM geometries
                         WHERE level = 'buurt' GROUP BY ALL) GROUP BY gemeente_code),
               names AS (
                   SELECT region_code AS gemeente_code, arg_max(name, edition) AS name
                   FROM regions WHERE level = 'gemeente' GROUP BY region_code)
               SELECT v.gemeente_code, names.name, v.dataset_key, v.buurten, v.periods,
                      g.geometry_editions, g.buurt_geometries
               FROM v LEFT JOIN g USING (gemeente_code) LEFT JOIN names USING (gemeente_code)
               ORDER BY v.gemeente_code, v.dataset_key"""
        )

    def translation_summary(self) -> pd.DataFrame:
        """Per gemeente, source edition, edition, method and period: the translated
        variables, the largest conservation error and the unmatched source regions."""
        return self.query(
            """SELECT gemeente_code, source_edition, edition, method, period,
                      count(*) AS variables,
                      max(abs(relative_error)) AS max_abs_error,
                      max(n_unmatched) AS unmatched_regions
               FROM translation_errors GROUP BY ALL
               ORDER BY gemeente_code, period, source_edition"""
        )

    def conservation_summary(self, gemeente: str, edition: int) -> pd.DataFrame:
        """The gemeente's conservation errors on ``edition`` per (period, source edition,
        method): variables, largest relative error, source and unmatched buurten."""
        return self.query(
            """SELECT period, source_edition, method, count(*) AS variables,
                      max(abs(relative_error)) AS max_error, max(n_source) AS n_source,
                      max(n_unmatched) AS n_unmatched
               FROM translation_errors WHERE gemeente_code = ? AND edition = ?
               GROUP BY ALL ORDER BY period, source_edition, method""",
            [gemeente, edition],
        )

    def buurt_geometry_import_ids(self, gemeente: str, edition: int) -> pd.Series:
        """Ids of the imports that gave the gemeente's buurt polygons of ``edition``."""
        return self.query(
            "SELECT DISTINCT import_id FROM geometries "
            "WHERE gemeente_code = ? AND edition = ? AND level = 'buurt'",
            [gemeente, edition],
        ).import_id

    def imports_without_gemeente(self, gemeente: str) -> list[int]:
        """Imports whose values say nothing about this gemeente (e.g. another city's file):
        no buurt or wijk of it, not the gemeente itself, not NL and not postcode areas."""
        number = gemeente[2:6]
        frame = self.query(
            """SELECT import_id FROM "values" GROUP BY import_id
               HAVING count(*) FILTER (
                   WHERE region_code LIKE ? OR region_code LIKE ? OR region_code = ?
                      OR level IN ('land', 'pc4', 'pc6')) = 0""",
            [f"BU{number}%", f"WK{number}%", gemeente],
        )
        return [int(i) for i in frame.import_id]
