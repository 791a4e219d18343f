"""Small writers of the kdvalues layouts and of mirror-like folders, for generated test data.

Used by test_properties.py (generated tables) and test_bad_data.py (damaged files).
Everything is written by the tests themselves into temporary folders; only the
hand-written fixture geometries (tests/fixtures/mirror/geo) are copied.

A table to write is a list of :class:`Line` objects: one line of the wide CSV
layout, i.e. one area and one feature with a raw cell (German decimal or
official sign) per year.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from support_data import MIRROR

SUB_ITEM_INDENT = "   "  # the API writes sub-items (e.g. "   Männer") with three leading spaces


def _geo_names(level: str) -> list[tuple[str, str]]:
    """(code, name) of the fixture geometry, read with plain json (no geopandas needed)."""
    data = json.loads((MIRROR / "geo" / f"{level}.geojson").read_text(encoding="utf-8"))
    key = "OT" if level == "ortsteile" else "SBZ"
    return [(str(f["properties"][key]), f["properties"]["Name"]) for f in data["features"]]


ORTSTEILE = [name for _, name in _geo_names("ortsteile")]
STADTBEZIRK_OF = {name: code[0] for code, name in _geo_names("ortsteile")}  # Ortsteil name -> SBZ code
STADTBEZIRKE = {code: name for code, name in _geo_names("stadtbezirke")}  # SBZ code -> name
CITY = "Stadt Leipzig"
ALL_AREAS = ORTSTEILE + list(STADTBEZIRKE.values()) + [CITY]


def level_of(area: str) -> str:
    if area in ORTSTEILE:
        return "Ortsteil"
    return "Stadt" if area == CITY else "Stadtbezirk"


@dataclass
class Line:
    area: str
    feature: str  # without indentation
    indented: bool  # a sub-item: written with leading spaces
    cells: dict[int, str]  # year -> raw cell ("16,8", "", "-", ".", "x")


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _name_field(text: str, always_quote: bool) -> str:
    needs = any(c in text for c in ',"\r\n')
    return _quote(text) if needs or always_quote else text


def write_csv(
    lines: list[Line],
    years: list[int],
    *,
    newline: str = "\n",
    quote_names: bool = False,
    final_newline: bool = True,
    bom: bool = False,
) -> tuple[bytes, list[int]]:
    """The wide kdvalues CSV layout; returns the bytes and the file line of each Line (header = 1)."""
    out = [",".join(_quote(str(c)) for c in ["Gebiet", "Sachmerkmal", *years])]
    for line in lines:
        feature = (SUB_ITEM_INDENT if line.indented else "") + line.feature
        cells = [_quote(line.cells[year]) for year in years]
        out.append(",".join([_name_field(line.area, quote_names), _name_field(feature, quote_names), *cells]))
    text = newline.join(out) + (newline if final_newline else "")
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8"), list(range(2, len(lines) + 2))


def write_json(
    lines: list[Line],
    years: list[int],
    *,
    wrapped: bool = False,
    null_for_empty: bool = False,
    kategorie: int = 2,
    rubrik: int = 1,
) -> tuple[bytes, dict[tuple[int, int], int]]:
    """The long kdvalues JSON layout, year by year like the API.

    Returns the bytes and the record number of each (index of the Line, year).
    """
    records, numbers = [], {}
    for year in years:
        for index, line in enumerate(lines):
            if year not in line.cells:
                continue
            level = level_of(line.area)
            raw = line.cells[year]
            records.append(
                {
                    "name": (SUB_ITEM_INDENT if line.indented else "") + line.feature,
                    "wert": None if (raw == "" and null_for_empty) else raw,
                    "jahr": str(year),
                    "periode": "y",
                    "kategorie_Nr": kategorie,
                    "rubrik_Nr": rubrik,
                    "einheit": None,
                    "stadtbezirk": line.area if level == "Stadtbezirk" else None,
                    "ortsteil": line.area if level == "Ortsteil" else None,
                }
            )
            numbers[(index, year)] = len(records)
    body = {"daten": records} if wrapped else records
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"), numbers


def csv_to_json(content: bytes) -> bytes:
    """The same content in the JSON layout (for a test of a server that answers JSON)."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    years = [int(y) for y in rows[0][2:]]
    lines = [Line(r[0], r[1].strip(), r[1][:1].isspace(), dict(zip(years, r[2:]))) for r in rows[1:] if r]
    return write_json(lines, years)[0]


INDEX_HEADER = "file,kategorie_nr,rubrik_nr,title\n"


def make_folder(root: Path, datasets: dict[str, tuple[int, int, bytes]]) -> Path:
    """A folder laid out like the mirror: INDEX.csv, kdvalues/, geo/ (the fixture geometries).

    ``datasets``: title -> (kategorie_nr, rubrik_nr, content).
    """
    (root / "kdvalues").mkdir(parents=True, exist_ok=True)
    if not (root / "geo").exists():
        shutil.copytree(MIRROR / "geo", root / "geo")
    index = [INDEX_HEADER]
    for title, (kategorie, rubrik, content) in datasets.items():
        name = f"kdvalues/kdvalues_k{kategorie}_r{rubrik}_y.csv"
        (root / name).write_bytes(content)
        index.append(f"{name},{kategorie},{rubrik},{_quote(title)}\n")
    (root / "INDEX.csv").write_text("".join(index), encoding="utf-8")
    return root
