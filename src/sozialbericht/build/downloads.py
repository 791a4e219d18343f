"""An edition's downloads: the full indicator table as CSV and as a Frictionless data package.

``indikatoren-YEAR.csv`` holds every indicator for every area and year up to the edition's
year; ``fruehwarnsystem-YEAR.csv`` the early-warning index per Ortsteil and
``fruehwarnsystem-hinweise-YEAR.csv`` one row per flag; ``datapackage.json`` describes them
(fields, licence, sources) so that tools can load them with their metadata. The manifest of the
inputs is copied beside them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sozialbericht import settings as config
from sozialbericht.analysis import warning
from sozialbericht.analysis.indicators import compute_all, read_catalogue
from sozialbericht.report.pages import origin_text

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


WARNING_FIELDS = [
    ("ortsteil", "string", "Name des Ortsteils"),
    ("einwohner", "number", "Einwohner (Berichtsjahr oder letzter Jahrgang davor)"),
]
WARNING_TAIL = [
    ("status_index", "number", "Statusindex (höher = ungünstiger; Mittel 0, Standardabweichung 1)"),
    ("status_klasse", "string", "Statusklasse"),
    ("dynamik_index", "number", "Dynamikindex (geschrumpfte Veränderung gegenüber der Stadt; höher = ungünstiger)"),
    ("dynamik_klasse", "string", "Dynamikklasse (negativ/positiv nur bei gesicherter Veränderung)"),
    ("eingestuft", "boolean", "true, wenn der Ortsteil eingestuft ist"),
    ("grund", "string", "Grund, wenn der Ortsteil nicht eingestuft ist"),
]
FLAG_FIELDS = [
    ("ortsteil", "string", "Name des Ortsteils"),
    ("indikator", "string", "Kennzahl (id im Indikatorenkatalog) oder index"),
    ("regel", "string", "Regeltyp (worse_than_city, worsening_trend, threshold) oder aufmerksamkeit (Index)"),
    ("stufe", "string", "Hinweis, Warnung oder Alarm"),
    ("wert", "number", "Wert des Ortsteils (beim Index: Statusindex)"),
    ("vergleichswert", "number", "Stadtwert, mit dem verglichen wurde; leer ohne Vergleich"),
    ("p_wert", "number", "p-Wert des Tests; leer ohne Test"),
    ("q_wert", "number", "q-Wert nach Benjamini-Hochberg über die geprüften Ortsteile; leer ohne Test"),
    (
        "sondereffekt",
        "string",
        "bekannter Sondereffekt in Indikator und Jahren der Markierung (data/sondereffekte.yml)",
    ),
]


def _warning_result(inputs, year: int):
    stored = inputs.precomputed
    if stored.get("year") == year and stored.get("warning") is not None:
        return stored["warning"]
    catalogue = read_catalogue(datasets=inputs.specs)
    settings = warning.load_config(catalogue=catalogue)
    values = warning.load_values(inputs, settings)
    return warning.run(values, year, settings, effects=warning.special_effects(catalogue), with_checks=False)


def warning_tables(inputs, year: int) -> tuple[pd.DataFrame, list[tuple], pd.DataFrame]:
    """The early-warning downloads: (index per Ortsteil, its fields, flags)."""
    result = _warning_result(inputs, year)
    catalogue = read_catalogue(datasets=inputs.specs)
    settings = warning.load_config(catalogue=catalogue)
    status = result.status.sort_values("area_code")
    index_fields = [
        (
            i.id,
            "number",
            f"{catalogue.indicators[i.id].title} ({catalogue.indicators[i.id].unit}), verwendeter Jahrgang",
        )
        for i in settings.index
    ]
    fields = WARNING_FIELDS + index_fields + WARNING_TAIL
    table = pd.DataFrame(
        {
            "ortsteil": status["area_name"],
            "einwohner": status["population"],
            **{i.id: status[f"{i.id}_value"].round(4) for i in settings.index},
            "status_index": status["status_index"].round(3),
            "status_klasse": status["status_class"],
            "dynamik_index": status["dynamics_index"].round(3),
            "dynamik_klasse": status["dynamics_class"],
            "eingestuft": ~status["too_small"],
            "grund": status["too_small_reason"].where(status["too_small"], ""),
        }
    )
    flags = result.flags
    hints = pd.DataFrame(
        {
            "ortsteil": flags["area_name"],
            "indikator": flags["indicator"],
            "regel": flags["rule"],
            "stufe": flags["severity_label"],
            "wert": flags["value"].astype(float).round(4),
            "vergleichswert": flags["city_value"].astype(float).round(4),
            "p_wert": flags["p_value"],
            "q_wert": flags["q_value"],
            "sondereffekt": flags["special_effect"],
        }
    )
    return table[[n for n, _, _ in fields]], fields, hints[[n for n, _, _ in FLAG_FIELDS]]


def _resource(name: str, path: str, fields: list[tuple]) -> dict:
    return {
        "name": name,
        "path": path,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {
            "fields": [{"name": n, "type": t, "description": d} for n, t, d in fields],
            "missingValues": [""],
        },
    }


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
    index_table, index_fields, hints = warning_tables(inputs, year)
    index_name, hints_name = f"fruehwarnsystem-{year}.csv", f"fruehwarnsystem-hinweise-{year}.csv"
    index_table.to_csv(folder / index_name, index=False, encoding="utf-8")
    hints.to_csv(folder / hints_name, index=False, encoding="utf-8")
    manifest = folder / "manifest.json"
    # the data folder's notes on origin are English; readers of the download get them in German
    entries = [
        {**entry, "origin": origin_text(entry["origin"], markdown=False)} if entry.get("origin") else entry
        for entry in inputs.manifest
    ]
    manifest.write_text(json.dumps(entries, ensure_ascii=False, indent=2), encoding="utf-8")
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
            _resource(f"indikatoren-{year}", csv_name, FIELDS),
            _resource(f"fruehwarnsystem-{year}", index_name, index_fields),
            _resource(f"fruehwarnsystem-hinweise-{year}", hints_name, FLAG_FIELDS),
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    return [folder / csv_name, folder / index_name, folder / hints_name, folder / "datapackage.json", manifest]
