"""Turn a response of the kdvalues endpoint (CSV or JSON) into one tidy table.

Output columns: ``area_name``, ``feature``, ``year``, ``value``, ``status``,
``row`` (the line in the source file, for error messages and audits).
Area codes and levels are added by :mod:`sozialbericht.data.geography`.

Status values:

* ``ok``: a published number.
* ``nothing``: the official sign ``-`` ("nichts vorhanden"), value 0.
* ``missing``: an empty cell.
* ``secret``: the official sign ``.`` (unknown or kept secret).
* ``not_applicable``: the official sign ``x``.
* ``unavailable``: a whole year column of ``"0"``, which the API uses when a
  figure did not exist that year (e.g. Langzeitarbeitslose from 2018).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re

import pandas as pd

from sozialbericht.errors import ParseError

COLUMNS = ["area_name", "feature", "year", "value", "status", "row"]
SIGNS = {"": "missing", "-": "nothing", ".": "secret", "x": "not_applicable"}
YEAR = re.compile(r"^\d{4}$")
NUMBER = re.compile(r"^-?\d+(,\d+)?$")


def _decode(content: bytes, source: str) -> str:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ParseError(
            f"{source}: row {line}: byte 0x{content[error.start]:02x} is not valid UTF-8. "
            "The API delivers UTF-8; the file was probably re-saved as Latin-1 (Windows-1252). "
            "Download it again or convert it to UTF-8."
        ) from None
    return text.removeprefix("\ufeff")


def sign_or_number(cell: str, number: re.Pattern = NUMBER) -> tuple[float, str] | None:
    """An official sign or a number that ``number`` accepts, as (value, status); None when it is neither."""
    if cell in SIGNS:
        status = SIGNS[cell]
        return (0.0 if status == "nothing" else math.nan), status
    if number.match(cell):
        return float(cell.replace(",", ".")), "ok"
    return None


def parse_value(raw: str, source: str, row: int, column: str) -> tuple[float, str]:
    """One cell: a German decimal number or an official sign."""
    parsed = sign_or_number(raw.strip())
    if parsed is not None:
        return parsed
    raise ParseError(
        f"{source}: row {row}, column {column}: {raw!r} is not a number "
        '(expected a decimal comma like "16,8", or one of the signs -, ., x).'
    )


def _qualify_repeated_features(records: list[dict]) -> None:
    """Sub-items with the same name under different parents get the parent's name.

    Example: SGB II lists ``   Männer`` under ``Erwerbsfähige Leistungsberechtigte``
    and again under ``Nichterwerbsfähige``.
    """
    parents: dict[str, set] = {}
    for record in records:
        if record["parent"]:
            parents.setdefault(record["feature"], set()).add(record["parent"])
    repeated = {name for name, found in parents.items() if len(found) > 1}
    for record in records:
        if record["feature"] in repeated and record["parent"]:
            record["feature"] = f"{record['parent']}: {record['feature']}"


def _mark_zero_columns(table: pd.DataFrame) -> pd.DataFrame:
    """A year in which every area of a feature is exactly 0 means 'not available'."""
    if table.empty:
        return table
    is_zero = (table["status"] == "ok") & (table["value"] == 0)
    grouped = is_zero.groupby([table["feature"], table["year"]])
    all_zero = grouped.transform("all") & (grouped.transform("size") > 1)
    table.loc[all_zero, "status"] = "unavailable"
    table.loc[all_zero, "value"] = math.nan
    return table


def _check_duplicates(table: pd.DataFrame, source: str) -> None:
    duplicated = table.duplicated(["area_name", "feature", "year"], keep=False)
    if duplicated.any():
        first = table[duplicated].sort_values("row").iloc[0]
        rows = sorted(
            set(
                table[duplicated & (table["area_name"] == first["area_name"]) & (table["feature"] == first["feature"])][
                    "row"
                ]
            )
        )
        raise ParseError(
            f"{source}: rows {', '.join(map(str, rows))}: area {first['area_name']!r} has feature "
            f"{first['feature']!r} more than once. Remove the duplicated row(s)."
        )


def parse_kdvalues_csv(content: bytes | str, source: str = "<csv>") -> pd.DataFrame:
    """The wide CSV layout: ``"Gebiet","Sachmerkmal","2000",...``."""
    text = _decode(content, source) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    stripped = text.lstrip()
    if not stripped:
        raise ParseError(f"{source}: the file is empty.")
    if stripped.startswith(("[", "{")):
        return parse_kdvalues_json(text, source)
    if stripped[:15].lower().startswith(("<!doctype", "<html")):
        raise ParseError(f"{source}: this is an HTML page (an error page?), not data from the API.")
    # strict: an unterminated quote (a download cut inside a value) is an error, not a shorter number
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise ParseError(
            f"{source}: row {reader.line_num}: {error}. The file is probably truncated or damaged; download it again."
        ) from None
    header = [cell.strip() for cell in rows[0]]
    if len(header) < 3 or header[0] != "Gebiet" or header[1] != "Sachmerkmal":
        if header and header[0] == "Kennziffer":
            raise ParseError(
                f"{source}: row 1: this is the city-wide 'values' layout (Kennziffer, ...), "
                "not the kleinräumig 'kdvalues' layout this report needs."
            )
        raise ParseError(
            f"{source}: row 1: unexpected header {rows[0][:4]!r}; the kdvalues layout starts "
            'with "Gebiet","Sachmerkmal" followed by one column per year.'
        )
    for column in header[2:]:
        if not YEAR.match(column):
            if not re.search(r"\d{4}", column):  # e.g. Merkmal_1: not a period at all
                raise ParseError(
                    f"{source}: row 1: column {column!r} is not a year: this is another layout version "
                    "of the API (extra columns between Sachmerkmal and the years), which this report "
                    'does not read. Expected "Gebiet","Sachmerkmal" followed by one column per year.'
                )
            raise ParseError(
                f"{source}: row 1: column {column!r} is not a year; only yearly data (periode=y) is supported."
            )
    years = [int(column) for column in header[2:]]
    records: list[dict] = []
    parent = None
    for line_no, row in enumerate(rows[1:], start=2):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != len(header):
            raise ParseError(
                f"{source}: row {line_no} has {len(row)} fields, the header has {len(header)}. "
                "The file is probably truncated or damaged; download it again."
            )
        area, feature_raw = row[0].strip(), row[1]
        feature = feature_raw.strip()
        if not area or not feature:
            raise ParseError(f"{source}: row {line_no}: Gebiet or Sachmerkmal is empty.")
        indented = feature_raw[:1].isspace()
        if not indented:
            parent = feature
        for year, raw in zip(years, row[2:]):
            value, status = parse_value(raw, source, line_no, str(year))
            records.append(
                {
                    "area_name": area,
                    "feature": feature,
                    "year": year,
                    "value": value,
                    "status": status,
                    "row": line_no,
                    "parent": parent if indented else None,
                }
            )
    if not records:
        raise ParseError(f"{source}: the file has a header but no data rows.")
    return _finish(records, source)


def parse_kdvalues_json(content: bytes | str, source: str = "<json>") -> pd.DataFrame:
    """The long JSON layout: a list of records (bare or wrapped as ``{"daten": [...]}``)."""
    text = _decode(content, source) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"{source}: row {error.lineno}: not valid JSON ({error.msg}); truncated download?") from None
    if isinstance(data, dict):
        if "daten" not in data:
            raise ParseError(f"{source}: JSON object without a 'daten' list; keys are {sorted(data)[:6]}")
        data = data["daten"]
    if not isinstance(data, list):
        raise ParseError(f"{source}: JSON must be a list of records.")
    from sozialbericht.settings import CITY_NAME

    records: list[dict] = []
    parent = None
    for number, item in enumerate(data, start=1):
        try:
            feature_raw, raw, year = item["name"], item["wert"], item["jahr"]
        except (KeyError, TypeError):
            raise ParseError(f"{source}: record {number} lacks one of name, wert, jahr.") from None
        if item.get("periode", "y") != "y":
            raise ParseError(
                f"{source}: record {number}: periode {item.get('periode')!r}; only yearly data is supported."
            )
        if not YEAR.match(str(year)):
            raise ParseError(f"{source}: record {number}: jahr {year!r} is not a year.")
        area = item.get("ortsteil") or item.get("stadtbezirk") or CITY_NAME
        feature = feature_raw.strip()
        indented = feature_raw[:1].isspace()
        if not indented:
            parent = feature
        value, status = parse_value("" if raw is None else str(raw), source, number, str(year))
        records.append(
            {
                "area_name": area.strip(),
                "feature": feature,
                "year": int(year),
                "value": value,
                "status": status,
                "row": number,
                "parent": parent if indented else None,
            }
        )
    if not records:
        raise ParseError(f"{source}: the JSON holds no records.")
    return _finish(records, source)


def _finish(records: list[dict], source: str) -> pd.DataFrame:
    _qualify_repeated_features(records)
    table = pd.DataFrame.from_records(records, columns=COLUMNS + ["parent"]).drop(columns="parent")
    table["year"] = table["year"].astype(int)
    table["value"] = table["value"].astype(float)
    _check_duplicates(table, source)
    return _mark_zero_columns(table)


def parse(content: bytes, source: str) -> pd.DataFrame:
    """CSV or JSON, decided by the content, not the file name."""
    return parse_kdvalues_csv(content, source)
