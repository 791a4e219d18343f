"""Write the JSON Schema of every validated catalogue into schemas/ (editors read them while planners type).

Run after changing a catalogue model: ``python tools/export_schemas.py``. A test fails when a committed schema
differs from what this would write.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sozialbericht.data.catalogue import json_schema
from sozialbericht.settings import ROOT

SCHEMA_DIR = ROOT / "schemas"


def catalogue_models():
    """(file name in data/, model, title) for every catalogue validated by the one validation layer."""
    from sozialbericht.analysis.city_series import CitySeriesCatalogue
    from sozialbericht.analysis.indicator_schema import IndicatorsFile
    from sozialbericht.analysis.special_effects import SpecialEffects
    from sozialbericht.analysis.warning.schema import WarningFile
    from sozialbericht.data.dataset_schema import DatasetsFile
    from sozialbericht.data.structure import ReportStructure
    from sozialbericht.policy import schema
    from sozialbericht.report.coverage import OpenDatasets
    from sozialbericht.report.dates import EditionsConfig

    return [
        ("sondereffekte.yml", SpecialEffects, "Bekannte Sondereffekte"),
        ("indicators.yml", IndicatorsFile, "Kapitel und Indikatorenkatalog"),
        ("datasets.yml", DatasetsFile, "Gelesene Datensätze der Schnittstelle"),
        ("report.yml", ReportStructure, "Seiten und Teile jeder Ausgabe"),
        ("plans.yml", schema.PlansFile, "Pläne und Konzepte der Stadt Leipzig"),
        ("measures.yml", schema.MeasuresFile, "Handlungsstrategien und Maßnahmen"),
        ("participation.yml", schema.ParticipationFile, "Beteiligungsformate und Gremien"),
        ("target_groups.yml", schema.TargetGroupsFile, "Zielgruppen"),
        ("gebiete.yml", schema.AreaGroupsFile, "Gebiete (Gruppen von Ortsteilen)"),
        ("fruehwarnsystem.yml", WarningFile, "Frühwarnsystem: Index, Klassen und Regeln"),
        ("editions.yml", EditionsConfig, "Daten der Ausgaben (Stichtag, Redaktionsschluss)"),
        ("stadtreihen.yml", CitySeriesCatalogue, "Stadtweite Reihen"),
        ("offene_datensaetze.yml", OpenDatasets, "Verfügbare, noch nicht ausgewertete Datensätze"),
    ]


def expected() -> dict[Path, str]:
    return {
        SCHEMA_DIR / name.replace(".yml", ".schema.json"): json_schema(model, title)
        for name, model, title in catalogue_models()
    }


def main() -> int:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for path, text in expected().items():
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"written: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
