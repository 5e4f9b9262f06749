"""Make the bad-input corpus for the reliability tests: one small file per failure kind.

Nothing here is committed data: every file is written at test time (or by hand with
``python tests/reliability/make_bad_inputs.py MAP``). ``good`` makes the files a store
starts with; ``bad`` one folder per case, each with what the import must answer.

Every case is a folder ``MAP/<case>/`` with the bad file (and a veerkracht.toml where
the case is about the manifest). The expected rule code and a Dutch fragment of the
message are in ``CASES``.
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: Columns of the small KWB file (CBS short names, as in kwb-YYYY.csv downloads).
HEADER = ["gwb_code_10", "regio", "gm_naam", "recs", "a_inw", "a_woning", "p_wcorpw", "p_koopw"]
#: Names that must survive as written (keys are codes; names are data).
NAMES = ["Belgiëplein", "Súdwest-Fryslân", "IJburg-Zuid", "Cruquius", "Oostelijk Havengebied"]
N_BUURTEN = 12
#: A square buurt in RD (x, y of the lower left corner, side in metres).
SQUARE = (120_000.0, 480_000.0, 600.0)


def kwb_rows(change: Callable[[int, dict], None] | None = None) -> list[dict]:
    """The rows of a small, valid KWB 2019 file for Amsterdam; ``change`` edits a row."""
    rows = [
        {"gwb_code_10": "GM0363", "regio": "Amsterdam", "gm_naam": "Amsterdam",
         "recs": "Gemeente", "a_inw": "9000", "a_woning": "4000", "p_wcorpw": "40",
         "p_koopw": "30"},
        {"gwb_code_10": "WK036301", "regio": "Centrum", "gm_naam": "Amsterdam",
         "recs": "Wijk", "a_inw": "9000", "a_woning": "4000", "p_wcorpw": "40",
         "p_koopw": "30"},
    ]  # fmt: skip
    for i in range(N_BUURTEN):
        rows.append(
            {
                "gwb_code_10": f"BU0363{101 + i:04d}",
                "regio": NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else f" {i}"),
                "gm_naam": "Amsterdam",
                "recs": "Buurt",
                "a_inw": str(500 + 10 * i),
                "a_woning": str(200 + 5 * i),
                "p_wcorpw": f"{3 + i},5",
                "p_koopw": str(20 + i),
            }
        )
    if change:
        for i, row in enumerate(rows):
            change(i, row)
    return rows


def kwb_text(rows: list[dict], sep: str = ";") -> str:
    lines = [sep.join(HEADER)] + [sep.join(r[c] for c in HEADER) for r in rows]
    return "\n".join(lines) + "\n"


def write_kwb(path: Path, rows: list[dict] | None = None) -> Path:
    path.write_text(kwb_text(rows if rows is not None else kwb_rows()), encoding="utf-8")
    return path


def square(scale: float = 1.0, dx: float = 0.0) -> list[list[float]]:
    x, y, side = SQUARE
    s = side * scale
    return [[x + dx, y], [x + dx + s, y], [x + dx + s, y + s], [x + dx, y + s], [x + dx, y]]


def write_geojson(path: Path, rings: dict[str, list[list[float]]]) -> Path:
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"statcode": code, "statnaam": f"Buurt {code[-2:]}"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
            for code, ring in rings.items()
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def good(folder: Path) -> list[Path]:
    """The files a store starts with: KWB 2019 and buurt boundaries of 2022."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_kwb(folder / "kwb-2019.csv"),
        write_geojson(folder / "buurten_2022.geojson", {"BU03630101": square()}),
    ]


@dataclass
class Case:
    """One failure kind: how to make it, and what the import must say."""

    name: str
    make: Callable[[Path], None]  # writes the file(s) into the case folder
    rule: str  # the rule code in the message, or '' for messages without a rule
    message: str  # a Dutch fragment the message must contain
    #: environment for this case (a lowered limit keeps the file small)
    env: dict[str, str] = field(default_factory=dict)
    #: accepted with --vervangen (the store-stage rules)
    confirmable: bool = False
    #: exit code: 3 a file refused; 1 the command itself is wrong (e.g. its manifest)
    code: int = 3


def _set(code: str, column: str, value: str) -> Callable[[int, dict], None]:
    def change(_i: int, row: dict) -> None:
        if row["gwb_code_10"] == code:
            row[column] = value

    return change


def _duplicate(folder: Path) -> None:
    rows = kwb_rows()
    twin = dict(next(r for r in rows if r["gwb_code_10"] == "BU03630101"))
    twin["p_wcorpw"] = "51"
    write_kwb(folder / "kwb-2019.csv", [*rows, twin])


def _percentages(folder: Path) -> None:
    rows = kwb_rows(_set("BU03630102", "p_wcorpw", "180"))
    rows = [dict(r) for r in rows]
    next(r for r in rows if r["gwb_code_10"] == "BU03630103")["p_koopw"] = "-12"
    write_kwb(folder / "kwb-2019.csv", rows)


def _negative(folder: Path) -> None:
    write_kwb(folder / "kwb-2019.csv", kwb_rows(_set("BU03630104", "a_inw", "-5")))


def _unparsed(folder: Path) -> None:
    write_kwb(folder / "kwb-2019.csv", kwb_rows(_set("BU03630105", "a_inw", "twaalf")))


def _mixed_encoding(folder: Path) -> None:
    # UTF-8 names ("Belgiëplein"), and one cp1252 byte (é = 0xE9) in a header title
    lines = kwb_text(kwb_rows()).splitlines()
    raw = "\n".join([lines[0] + ";opmerking", *(line + ";" for line in lines[1:])]) + "\n"
    data = raw.encode("utf-8").replace(b"opmerking", b"opmerking \xe9\xe9n", 1)
    (folder / "kwb-2019.csv").write_bytes(data)


def _manifest(folder: Path, year: object) -> None:
    write_kwb(folder / "kerncijfers.csv")
    value = json.dumps(year) if isinstance(year, str) else str(year)
    (folder / "veerkracht.toml").write_text(
        f'[bestanden."kerncijfers.csv"]\njaar = {value}\n', encoding="utf-8"
    )


def _year_in_file(folder: Path) -> None:
    (folder / "lbm3_buurten.csv").write_text(
        "bu_code;jaar;lbm;afw;fys;onv;soc;vrz;won\nBU03630101;3000;4,1;0,1;0,0;-0,1;0,2;0,0;0,1\n",
        encoding="utf-8",
    )


def _long_line(folder: Path) -> None:
    # a header, then one line of 5 MB (over the default of 4 MB)
    with (folder / "kwb-2019.csv").open("w", encoding="utf-8") as fh:
        fh.write(";".join(HEADER) + "\n")
        fh.write("BU03630101;" + "x" * (5 * 1024**2) + "\n")


def _no_newline(folder: Path) -> None:
    (folder / "kwb-2019.csv").write_bytes(b"gwb_code_10;" + b"a_inw;" * (1024**2))


def _many_columns(folder: Path) -> None:
    header = ";".join(HEADER + [f"extra_{i}" for i in range(6_000)])
    body = kwb_text(kwb_rows()).split("\n", 1)[1]
    (folder / "kwb-2019.csv").write_text(header + "\n" + body, encoding="utf-8")


def _long_name(folder: Path) -> None:
    write_kwb(folder / "kwb-2019.csv", kwb_rows(_set("BU03630106", "regio", "Lange" * 400)))


def _control_name(folder: Path) -> None:
    write_kwb(folder / "kwb-2019.csv", kwb_rows(_set("BU03630106", "regio", "Zuid\x07as")))


def _zip_bomb(folder: Path) -> None:
    path = folder / "kwb-2019.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        # 40 MB of the same byte packs to ~40 kB: a ratio of ~1000
        zf.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (40 * 1024**2))


def _broken_xlsx(folder: Path) -> None:
    (folder / "kwb-2019.xlsx").write_bytes(b"PK\x03\x04 dit is geen werkmap")


def _bow_tie(folder: Path) -> None:
    x, y, side = SQUARE
    bow = [[x, y], [x + side, y + side], [x + side, y], [x, y + side], [x, y]]
    write_geojson(folder / "buurten_2022.geojson", {"BU03630101": bow})


def _vertices(folder: Path) -> None:
    import math

    x, y, side = SQUARE
    ring = [
        [x + side * math.cos(2 * math.pi * i / 3000), y + side * math.sin(2 * math.pi * i / 3000)]
        for i in range(3000)
    ]
    write_geojson(folder / "buurten_2022.geojson", {"BU03630101": [*ring, ring[0]]})


def _many_features(folder: Path) -> None:
    # 12 buurten side by side (the case lowers max_rows to 10): refused before GDAL reads
    rings = {f"BU036301{i:02d}": square(dx=i * 200.0) for i in range(12)}
    write_geojson(folder / "buurten_2022.geojson", rings)


def _many_features_gpkg(folder: Path) -> None:
    import geopandas as gpd
    import shapely

    codes = [f"BU036301{i:02d}" for i in range(12)]
    gpd.GeoDataFrame(
        {"buurtcode": codes, "buurtnaam": [f"Buurt {c[-2:]}" for c in codes],
         "gemeentecode": "GM0363", "jaarcode": 2022},
        geometry=[shapely.Polygon(square(dx=i * 200.0)) for i in range(12)],
        crs="EPSG:28992",
    ).to_file(folder / "wijkenbuurten_2022.gpkg", layer="buurten", driver="GPKG")  # fmt: skip


def _grown(folder: Path) -> None:
    write_geojson(folder / "buurten_2022.geojson", {"BU03630101": square(scale=2.0)})


def _replaced(folder: Path) -> None:
    def change(_i: int, row: dict) -> None:
        if row["recs"] == "Buurt":
            row["a_inw"] = str(int(row["a_inw"]) * 2)

    write_kwb(folder / "kwb-2019-nieuw.csv", kwb_rows(change))


def _big_file(folder: Path) -> None:
    write_kwb(folder / "kwb-2019.csv", kwb_rows(_set("BU03630101", "a_inw", "501")))


def _unknown(folder: Path) -> None:
    (folder / "metingen.csv").write_text("a;b\n1;2\n", encoding="utf-8")


def _deep_json(folder: Path) -> None:
    # sniffed as a Leefbaarometer wijk file, then 100 000 levels deep
    deep = "[" * 100_000 + "]" * 100_000
    (folder / "wijk.json").write_text('{"WK036300": {"KL16": ' + deep + "}}")


def _big_cell(folder: Path) -> None:
    # a 2 MB name: under the line limit (4 MB), over the cell limit (1 MB)
    write_kwb(folder / "kwb-2019.csv", kwb_rows(_set("BU03630107", "regio", "x" * 2 * 1024**2)))


def _many_rows(folder: Path) -> None:
    # 15 lines (the case lowers max_rows to 10); one value differs from the stored file
    write_kwb(folder / "kwb-2019.csv", kwb_rows(_set("BU03630101", "a_inw", "502")))


def _stored_zip(folder: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(folder / "kwb-2019.xlsx", "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        for name, data in members.items():
            zf.writestr(name, data)


def _unpacks_too_big(folder: Path) -> None:
    # not compressed at all (ratio 1): only the unpacked total is too large
    _stored_zip(folder, {"xl/worksheets/sheet1.xml": b"<a>" + b"1;" * 1024**2 + b"</a>"})


def _many_members(folder: Path) -> None:
    _stored_zip(folder, {f"xl/worksheets/sheet{i}.xml": b"<a/>" for i in range(30)})


def _big_manifest(folder: Path) -> None:
    write_kwb(folder / "kerncijfers.csv")
    filler = "# " + "x" * 1000 + "\n"
    (folder / "veerkracht.toml").write_text(
        '[bestanden."kerncijfers.csv"]\njaar = 2019\n' + filler * 2000, encoding="utf-8"
    )


def _big_json(folder: Path) -> None:
    # a Leefbaarometer wijk file of ~2 MB; the case lowers max_json_bytes to 1 MiB
    entries = ", ".join(f'"WK{i:06d}": {{"KL16": 5, "KL18": 6}}' for i in range(60_000))
    (folder / "wijk.json").write_text("{" + entries + "}", encoding="utf-8")


def _empty(folder: Path) -> None:
    (folder / "kwb-2019.csv").write_bytes(b"")


CASES = [
    Case("dubbele_codes", _duplicate, "VK202", "BU03630101 (kwb.p_wcorpw: 3,5 en 51)"),
    Case("percentage_buiten_bereik", _percentages, "VK203", "percentage(s) buiten 0-100"),
    Case("negatief_aantal", _negative, "VK204", "BU03630104 kwb.a_inw 2019 = -5"),
    Case("geen_getal", _unparsed, "VK201", "'twaalf'"),
    Case("gemengde_codering", _mixed_encoding, "VK104", "gemengde tekencodering"),
    Case("jaar_3000", lambda f: _manifest(f, 3000), "VK205", "jaar = 3000 ligt niet tussen"),
    Case(
        "jaar_tekst", lambda f: _manifest(f, "twintig"), "VK205", "jaar = 'twintig' is geen jaartal"
    ),
    Case("jaar_3000_in_bestand", _year_in_file, "VK205", "onwaarschijnlijk jaar 3000"),
    Case("lange_regel", _long_line, "VK103", "regel 2 is"),
    Case("geen_regeleinde", _no_newline, "VK103", "regel 1 is"),
    Case("diepe_json", _deep_json, "VK105", "niveaus diep genest"),
    Case("te_veel_kolommen", _many_columns, "VK103", "kolommen, meer dan de grens"),
    Case("lange_naam", _long_name, "VK206", "langer dan 300 tekens"),
    Case("stuurteken_in_naam", _control_name, "VK206", "stuurtekens"),
    Case("zip_bom", _zip_bomb, "VK102", "keer zo groot uit als het ingepakt is"),
    Case(
        "uitgepakt_te_groot",
        _unpacks_too_big,
        "VK102",
        "het archief pakt uit tot 2 MB, meer dan de grens van 1 MB",
        env={"VEERKRACHT_LIMIET_MAX_UNPACKED_BYTES": str(1024**2)},
    ),
    Case(
        "te_veel_archiefbestanden",
        _many_members,
        "VK102",
        "het archief bevat 31 bestanden, meer dan de grens van 10",
        env={"VEERKRACHT_LIMIET_MAX_ARCHIVE_MEMBERS": "10"},
    ),
    Case(
        "te_veel_regels",
        _many_rows,
        "VK103",
        "meer dan 10 regels, de grens voor één bestand",
        env={"VEERKRACHT_LIMIET_MAX_ROWS": "10"},
    ),
    Case("te_grote_cel", _big_cell, "VK106", "een cel in kolom 'regio' is 2.048 kB"),
    Case(
        "te_groot_manifest",
        _big_manifest,
        "",
        "het manifest is 1.959 kB, meer dan de grens van 1.024 kB",
        code=1,
    ),
    Case("kapotte_xlsx", _broken_xlsx, "VK102", "geen geldig zip-archief"),
    Case("zelfdoorsnijdend_vlak", _bow_tie, "VK301", "oppervlakte verandert"),
    Case(
        "te_veel_hoekpunten",
        _vertices,
        "VK207",
        "hoekpunten",
        env={"VEERKRACHT_LIMIET_MAX_VERTICES": "1000"},
    ),
    Case(
        "te_groot_bestand",
        _big_file,
        "VK101",
        "meer dan de grens",
        env={"VEERKRACHT_LIMIET_MAX_TEXT_BYTES": "100"},
    ),
    Case(
        "te_grote_json",
        _big_json,
        "VK101",
        "meer dan de grens van 1 MB",
        env={"VEERKRACHT_LIMIET_MAX_JSON_BYTES": str(1024**2)},
    ),
    Case(
        "te_veel_vlakken",
        _many_features,
        "VK103",
        "meer dan 10 objecten (vlakken of rijen), de grens voor één bestand",
        env={"VEERKRACHT_LIMIET_MAX_ROWS": "10"},
    ),
    Case(
        "te_veel_vlakken_geopackage",
        _many_features_gpkg,
        "VK103",
        "meer dan 10 objecten (vlakken of rijen), de grens voor één bestand",
        env={"VEERKRACHT_LIMIET_MAX_ROWS": "10"},
    ),
    Case("grens_veranderd", _grown, "VK402", "0,36 → 1,44 km²", confirmable=True),
    Case("veel_vervangen", _replaced, "VK401", "vervangt 12 van de", confirmable=True),
    Case("onbekend_bestand", _unknown, "", "onbekend bestand"),
    Case("leeg_bestand", _empty, "", "het bestand is leeg"),
]


def bad(folder: Path) -> dict[str, Path]:
    """One folder per case under ``folder``; returns case name -> folder."""
    out = {}
    for case in CASES:
        target = folder / case.name
        target.mkdir(parents=True, exist_ok=True)
        case.make(target)
        out[case.name] = target
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("gebruik: python make_bad_inputs.py MAP", file=sys.stderr)
        return 1
    root = Path(argv[0])
    good(root / "goed")
    for name, path in bad(root / "fout").items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
