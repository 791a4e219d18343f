"""An edition's downloads: the full indicator table as CSV and as a Frictionless data package.

``indikatoren-YEAR.csv`` holds every indicator for every area and year up to the edition's
year; ``datapackage.json`` describes it (fields, licence, sources) so that tools can load it
with its metadata. The manifest of the inputs is copied beside them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sozialbericht import settings as config
from sozialbericht.analysis.indicators import compute_all, read_catalogue

FIELDS = [
    ("indicator", "string", "Kennzahl (id im Indikatorenkatalog)"),
    ("title", "string", "Titel der Kennzahl"),
    ("unit", "string", "Einheit"),
    ("area_code", "string", "Gebietsschlüssel (Ortsteil zweistellig, Stadtbezirk einstellig, Stadt 14713000)"),
    ("area_name", "string", "Gebietsname"),
    ("level", "string", "Ebene: Ortsteil, Stadtbezirk oder Stadt"),
    ("year", "integer", "Jahr (Stichtag 31.12.)"),
    ("value", "number", "Wert der Kennzahl; leer, wenn nicht verfügbar"),
    ("numerator", "number", "Zähler (Zählwert der Quelle)"),
    ("denominator", "number", "Nenner (Zählwert der Quelle), bei Quoten"),
    (
        "status",
        "string",
        "ok (veröffentlicht), aggregated (aus Ortsteilen summiert), missing, secret, "
        "not_applicable, unavailable oder denominator_*",
    ),
]


def indicator_table(inputs, year: int) -> pd.DataFrame:
    catalogue = read_catalogue(datasets=inputs.specs)
    table = compute_all(inputs, catalogue)
    table = table[table["year"] <= year].copy()
    table["title"] = table["indicator"].map(lambda i: catalogue.indicators[i].title)
    table["unit"] = table["indicator"].map(lambda i: catalogue.indicators[i].unit)
    return table[[name for name, _, _ in FIELDS]].sort_values(["indicator", "level", "area_code", "year"])


def write_downloads(inputs, year: int, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    table = indicator_table(inputs, year)
    csv_name = f"indikatoren-{year}.csv"
    table.to_csv(folder / csv_name, index=False, encoding="utf-8")
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps(inputs.manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    package = {
        "name": f"sozialbericht-leipzig-{year}",
        "title": f"Sozialbericht Leipzig {year}: Kennzahlen nach Ortsteilen, Stadtbezirken und Stadt",
        "description": "Alle Kennzahlen des Sozialberichts, berechnet aus den kleinräumigen Daten des Amtes "
        "für Statistik und Wahlen der Stadt Leipzig. Definitionen: data/indicators.yml.",
        "licenses": [{"name": "dl-de-by-2.0", "path": config.LICENCE_URL, "title": config.LICENCE}],
        "sources": [{"title": config.ATTRIBUTION, "path": config.LIVE_API}]
        + [{"title": m["name"], "path": m["source"]} for m in inputs.manifest],
        "contributors": [{"title": config.ATTRIBUTION, "role": "author"}],
        "resources": [
            {
                "name": f"indikatoren-{year}",
                "path": csv_name,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [{"name": n, "type": t, "description": d} for n, t, d in FIELDS],
                    "missingValues": [""],
                },
            }
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    return [folder / csv_name, folder / "datapackage.json", manifest]
