"""Turn a response of the city-wide ``values`` endpoint (JSON or CSV) into the tidy table of :mod:`parse`.

The ``values`` endpoint has no areas: every row belongs to the city (``area_name`` "Stadt Leipzig"),
so :mod:`geography` gives it the level "Stadt" and the rest of the pipeline treats it like any other
dataset. A feature is keyed on its full label path, joined by :data:`PATH_SEPARATOR`
(``"Durchschnittliche Wohnfläche pro Person / Haushalte / insgesamt"``), because the last label alone
is not unique (the same household types occur under "Wohnfläche" and "Raumanzahl").

Two layouts occur (see the mirror's README, section "values files"):

* JSON: a list of records with ``merkmal_1..4`` (label hierarchy, unused levels ``null``), ``wert`` as a
  string with a decimal **point** or the signs ``.`` / ``x``, ``jahr``, ``periode``, ``einheit`` (``null``
  or text that may hold an HTML entity such as ``m&sup2;``). Labels may carry trailing spaces; years
  without data are absent. A real ``"0"`` is a number here.
* CSV: ``"Kennziffer","Einheit","2000",...`` with decimal commas and ``"0"`` for "not available". Labels
  repeat without any hierarchy (Einwohner has two blocks ``Bevölkerung insgesamt / Männer / Frauen /
  Deutsche / Männer ...``), so only the position tells them apart: a new block starts where the file's
  first label recurs, blocks are named ``Block 1``, ``Block 2`` … when there are several, and a label
  that repeats within a block gets the nearest preceding label that is unique in the block as its
  parent (``Deutsche / Männer``). A newer CSV layout is said to carry ``Merkmal_1..Merkmal_4`` columns;
  where they are present, they form the path as in the JSON layout.

Output columns: those of :data:`parse.COLUMNS` plus ``unit`` (the ``einheit`` with entities resolved).
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re

import pandas as pd

from sozialbericht.data.parse import COLUMNS, YEAR, _check_duplicates, _decode, parse_value, sign_or_number
from sozialbericht.errors import ParseError
from sozialbericht.settings import CITY_NAME

PATH_SEPARATOR = " / "
MERKMAL_KEYS = ("merkmal_1", "merkmal_2", "merkmal_3", "merkmal_4")
VALUES_COLUMNS = COLUMNS + ["unit"]
# the JSON layout writes a decimal point; a comma is read too, so a change of the server does not break
JSON_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def feature_path(labels) -> str:
    """The label path as one feature name: labels stripped, empty levels left out."""
    return PATH_SEPARATOR.join(str(label).strip() for label in labels if label is not None and str(label).strip())


def _record(feature: str, year, value: float, status: str, row: int, unit: str) -> dict:
    """One tidy row of a city-wide series (both layouts)."""
    return {
        "area_name": CITY_NAME,
        "feature": feature,
        "year": int(year),
        "value": value,
        "status": status,
        "row": row,
        "unit": unit,
    }


def _unit(raw) -> str:
    return html.unescape(str(raw)).strip() if raw is not None else ""


def _json_value(raw, source: str, record: int, year: str) -> tuple[float, str]:
    parsed = sign_or_number("" if raw is None else str(raw).strip(), JSON_NUMBER)
    if parsed is not None:
        return parsed
    raise ParseError(
        f"{source}: record {record}, jahr {year}: wert {raw!r} is not a number "
        '(expected a decimal point like "39.8", or one of the signs -, ., x).'
    )


def parse_values_json(content: bytes | str, source: str = "<json>") -> pd.DataFrame:
    text = _decode(content, source) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"{source}: row {error.lineno}: not valid JSON ({error.msg}); truncated download?") from None
    if isinstance(data, dict) and "daten" in data:
        data = data["daten"]
    if not isinstance(data, list):
        raise ParseError(f"{source}: a values response must be a JSON list of records.")
    records = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or "wert" not in item or "jahr" not in item:
            raise ParseError(f"{source}: record {number} lacks one of wert, jahr.")
        if item.get("periode", "y") != "y":
            raise ParseError(
                f"{source}: record {number}: periode {item.get('periode')!r}; only yearly data is supported."
            )
        year = str(item["jahr"]).strip()
        if not YEAR.match(year):
            raise ParseError(f"{source}: record {number}: jahr {item['jahr']!r} is not a year.")
        labels = [item.get(key) for key in MERKMAL_KEYS]
        feature = feature_path(labels) or feature_path([item.get("name")])
        if not feature:
            raise ParseError(f"{source}: record {number}: no label (merkmal_1..4 and name are empty).")
        value, status = _json_value(item["wert"], source, number, year)
        records.append(_record(feature, year, value, status, number, _unit(item.get("einheit"))))
    if not records:
        raise ParseError(f"{source}: the JSON holds no records.")
    return _finish(records, source)


def _csv_paths(labels: list[str]) -> list[str]:
    """Feature names for the Kennziffer labels of a CSV without hierarchy (see the module text)."""
    first = labels[0]
    blocks, block = [], 0
    for position, label in enumerate(labels):
        if position == 0 or label == first:
            block += 1
        blocks.append(block)
    several = block > 1
    paths = []
    for position, label in enumerate(labels):
        members = [labels[i] for i in range(len(labels)) if blocks[i] == blocks[position]]
        path = [f"Block {blocks[position]}"] if several else []
        if members.count(label) > 1:
            parent = next(
                (
                    labels[i]
                    for i in range(position - 1, -1, -1)
                    if blocks[i] == blocks[position] and members.count(labels[i]) == 1
                ),
                None,
            )
            if parent:
                path.append(parent)
        paths.append(feature_path(path + [label]))
    # what position alone still cannot tell apart gets its occurrence number
    seen: dict[str, int] = {}
    for index, path in enumerate(paths):
        seen[path] = seen.get(path, 0) + 1
        if paths.count(path) > 1:
            paths[index] = f"{path} ({seen[path]})"
    return paths


def parse_values_csv(content: bytes | str, source: str = "<csv>") -> pd.DataFrame:
    text = _decode(content, source) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    if not text.strip():
        raise ParseError(f"{source}: the file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = [row for row in reader if row and any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise ParseError(
            f"{source}: row {reader.line_num}: {error}. The file is probably truncated or damaged; download it again."
        ) from None
    header = [cell.strip() for cell in rows[0]]
    if not header or header[0] != "Kennziffer" or "Einheit" not in header:
        raise ParseError(
            f"{source}: row 1: unexpected header {rows[0][:4]!r}; the values layout starts with "
            '"Kennziffer", optional "Merkmal_1".."Merkmal_4", "Einheit", then one column per year.'
        )
    unit_column = header.index("Einheit")
    merkmal_columns = [i for i, name in enumerate(header[1:unit_column], start=1) if re.match(r"^Merkmal_\d$", name)]
    if len(merkmal_columns) != unit_column - 1:
        raise ParseError(f"{source}: row 1: unexpected columns {header[1:unit_column]!r} before Einheit.")
    years = header[unit_column + 1 :]
    bad = [y for y in years if not YEAR.match(y)]
    if not years or bad:
        raise ParseError(
            f"{source}: row 1: column {bad[0] if bad else '(none)'!r} is not a year; "
            "only yearly data (periode=y) is supported."
        )
    body = rows[1:]
    if not body:
        raise ParseError(f"{source}: the file has a header but no data rows.")
    for line_no, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ParseError(
                f"{source}: row {line_no} has {len(row)} fields, the header has {len(header)}. "
                "The file is probably truncated or damaged; download it again."
            )
        if not row[0].strip():
            raise ParseError(f"{source}: row {line_no}: Kennziffer is empty.")
    if merkmal_columns:
        paths = [feature_path([row[i] for i in merkmal_columns]) or row[0].strip() for row in body]
        if len(set(paths)) < len(paths):
            paths = _csv_paths(paths)
    else:
        paths = _csv_paths([row[0].strip() for row in body])
    records = []
    for line_no, (row, feature) in enumerate(zip(body, paths), start=2):
        unit = _unit(row[unit_column])
        for year, raw in zip(years, row[unit_column + 1 :]):
            value, status = parse_value(raw, source, line_no, year)
            if status == "ok" and value == 0:  # the CSV layout writes "0" for "not available"
                value, status = math.nan, "unavailable"
            records.append(_record(feature, year, value, status, line_no, unit))
    return _finish(records, source)


def _finish(records: list[dict], source: str) -> pd.DataFrame:
    table = pd.DataFrame.from_records(records, columns=VALUES_COLUMNS)
    table["year"] = table["year"].astype(int)
    table["value"] = table["value"].astype(float)
    _check_duplicates(table, source)
    return table


def parse_values(content: bytes, source: str) -> pd.DataFrame:
    """JSON or CSV, decided by the content, not the file name."""
    text = _decode(content, source) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    head = text.lstrip()[:15].lower()
    if head.startswith(("<!doctype", "<html")):
        raise ParseError(f"{source}: this is an HTML page (an error page?), not data from the API.")
    if head.startswith(("[", "{")):
        return parse_values_json(text, source)
    if head.startswith(('"gebiet"', "gebiet")):
        raise ParseError(
            f"{source}: row 1: this is the kleinräumig 'kdvalues' layout (Gebiet, Sachmerkmal, ...), "
            "not the city-wide 'values' layout; check the endpoint of this dataset in data/datasets.yml."
        )
    return parse_values_csv(text, source)
