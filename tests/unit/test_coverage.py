"""City-wide series (data/stadtreihen.yml) and the introduction's lists generated from the catalogues."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from support_data import MIETBELASTUNG_STADT, WOHNSITUATION_STADT

from sozialbericht import settings as config
from sozialbericht.analysis.city_series import load_city_series, series_values
from sozialbericht.analysis.indicators import read_catalogue
from sozialbericht.data.inputs import DatasetSpec, load_inputs, read_dataset_specs
from sozialbericht.data.opendata import Cache, LocalSource
from sozialbericht.errors import CatalogueError
from sozialbericht.report.coverage import (
    OpenDataset,
    OpenDatasets,
    coverage_markdown,
    load_open_datasets,
    open_datasets,
    titles_read,
    uncovered_themes,
)

API_CATALOGUE = config.ROOT.parent / "shared" / "data" / "leipzig" / "catalog" / "statistik_api_catalog.csv"


@pytest.fixture(scope="module")
def project():
    specs = read_dataset_specs()
    catalogue = read_catalogue(datasets=specs)
    series = load_city_series(datasets=specs, chapters={c["id"] for c in catalogue.chapters})
    return specs, catalogue, series


# -- city-wide series ----------------------------------------------------------------------------


def test_project_series_name_known_datasets_and_chapters(project):
    specs, _, series = project
    assert {s.chapter for s in series.series} == {"wohnen"}
    assert all(specs[s.dataset].city_wide for s in series.series)


def test_series_errors_name_the_entry(tmp_path):
    path = tmp_path / "stadtreihen.yml"
    path.write_text(
        "series:\n  - id: a\n    title: A\n    chapter: nirgends\n    dataset: fehlt\n"
        "    lines: [{feature: x, label: X}]\n    unit: m²\n    definition: d\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        load_city_series(path, datasets={"wohnsituation_stadt": None}, chapters={"wohnen"})
    message = str(caught.value)
    assert "a (Eintrag 1): Feld 'dataset': unbekannter Datensatz 'fehlt'" in message
    assert "Feld 'chapter': unbekanntes Kapitel 'nirgends'" in message
    path.write_text("series:\n  - id: a\n    title: A\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="Feld 'chapter': fehlt"):
        load_city_series(path)


@pytest.fixture
def fixture_inputs(mirror, specs, tmp_path):
    chosen = {
        **specs,
        "wohnsituation_stadt": DatasetSpec("wohnsituation_stadt", WOHNSITUATION_STADT, "mean", endpoint="values"),
        "mietbelastung_haushaltstyp": DatasetSpec(
            "mietbelastung_haushaltstyp", MIETBELASTUNG_STADT, "mean", endpoint="values"
        ),
    }
    return load_inputs(LocalSource(mirror), chosen, Cache(tmp_path / "cache"))


def test_series_values_on_the_fixture(fixture_inputs, project):
    _, _, series = project
    entry = series.get("mietbelastung_haushaltstyp").model_copy(
        update={"lines": series.get("mietbelastung_haushaltstyp").lines[:2]}
    )
    frame = series_values(fixture_inputs, entry)
    assert frame["label"].unique().tolist() == ["insgesamt", "Alleinerziehende"]
    alone = frame[frame["label"] == "Alleinerziehende"].set_index("year")
    assert alone.loc[2021, "status"] == "secret" and alone["value"].isna()[2021]
    assert alone.loc[2023, "value"] == pytest.approx(31.2901)
    # a label the data do not have is an error that lists what the dataset has
    whole = series.get("mietbelastung_haushaltstyp")
    with pytest.raises(CatalogueError, match="Merkmal '.*Alleinstehende Rentner' fehlt .* vorhanden: "):
        series_values(fixture_inputs, whole)


def test_on_the_mirror_every_series_label_is_in_the_recorded_data(project, tmp_path):
    setting = os.environ.get("SOZIALBERICHT_DATA")
    if not setting or not (Path(setting) / "values").is_dir():
        pytest.skip("SOZIALBERICHT_DATA does not point at a mirror with values/")
    specs, _, series = project
    chosen = {"einwohner": specs["einwohner"]} | {s.dataset: specs[s.dataset] for s in series.series}
    inputs = load_inputs(LocalSource(setting), chosen)
    for entry in series.series:
        frame = series_values(inputs, entry)
        assert frame["value"].notna().sum() >= 2 * len(entry.lines), entry.id


# -- themes and datasets not yet evaluated -----------------------------------------------------------


def test_a_theme_is_covered_once_an_indicator_reads_its_dataset(project):
    specs, catalogue, series = project
    read = titles_read(catalogue, specs, series)
    assert "Personenhaushalte (Jahreszahlen, kleinräumig)" in read
    themes = [t["theme"] for t in uncovered_themes(catalogue, read)]
    assert "Haushalte" not in themes and "Familien mit Kindern" in themes
    # without the households indicators, the theme comes back
    without = read - {"Personenhaushalte (Jahreszahlen, kleinräumig)"}
    assert "Haushalte" in [t["theme"] for t in uncovered_themes(catalogue, without)]


def test_open_datasets_drop_out_once_read():
    listed = OpenDatasets(
        datasets=[
            OpenDataset(title="Wohnungsnotfälle (Jahreszahlen)", theme="Wohnen", note="n", scope="stadtweit"),
            OpenDataset(title="Wohnsituation (Jahreszahlen)", theme="Wohnen", note="n", scope="stadtweit"),
        ]
    )
    left = open_datasets(listed, {"Wohnsituation (Jahreszahlen)"})
    assert [d.title for d in left] == ["Wohnungsnotfälle (Jahreszahlen)"]


def test_introduction_text_lists_open_and_missing_datasets(project):
    specs, catalogue, series = project
    text = coverage_markdown(catalogue, specs, series, load_open_datasets(), [])
    assert "**Verfügbar, aber noch nicht ausgewertet.**" in text
    assert "„Erziehungshilfen für Minderjährige (Jahreszahlen)“" in text
    assert "**Haushalte**" not in text and "fehlende Reihen" not in text
    missing = [{"dataset": "wohnsituation_stadt", "title": WOHNSITUATION_STADT, "reason": "x"}]
    text = coverage_markdown(catalogue, specs, series, load_open_datasets(), missing)
    assert "**In dieser Ausgabe fehlende Reihen.**" in text and "- „Wohnsituation (Jahreszahlen)“" in text


def test_open_datasets_are_valid_and_not_yet_read(project):
    specs, catalogue, series = project
    listed = load_open_datasets()
    titles = [d.title for d in listed.datasets]
    assert len(titles) == len(set(titles))
    assert not set(titles) & titles_read(catalogue, specs, series)


def test_titles_are_exactly_those_of_the_api_catalogue(project):
    if not API_CATALOGUE.is_file():
        pytest.skip(f"{API_CATALOGUE} is not available")
    with open(API_CATALOGUE, encoding="utf-8", newline="") as handle:
        known = {row["dataset_title"] for row in csv.DictReader(handle)}
    specs, catalogue, _ = project
    listed = [d.title for d in load_open_datasets().datasets]
    themes = [t for theme in catalogue.missing_themes for t in theme.get("datasets") or []]
    read = [spec.title for spec in specs.values()]
    assert [t for t in listed + themes + read if t not in known] == []


def test_open_datasets_file_errors_name_the_entry(tmp_path):
    from sozialbericht.data.catalogue import load_catalogue

    path = tmp_path / "offene_datensaetze.yml"
    path.write_text("datasets:\n  - {title: X, theme: T, note: N, scope: irgendwo}\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"Eintrag 1: Feld 'datasets.0.scope'|Feld 'scope'"):
        load_catalogue(OpenDatasets, path)
