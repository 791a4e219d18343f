"""Indicator values against numbers worked out by hand from the fixture mirror.

The fixture (tests/fixtures/mirror, 4 Ortsteile in 2 Stadtbezirke) is described in
tests/fixtures/README.md; the expected numbers below are computed from its CSV by hand.
"""

from __future__ import annotations

import math

import pytest

from sozialbericht.analysis.indicators import compute, extremes, key_figure, read_catalogue
from sozialbericht.data.inputs import load_inputs
from sozialbericht.data.opendata import Cache, LocalSource
from sozialbericht.errors import CatalogueError
from sozialbericht.report import text as narrative

CATALOGUE = """
chapters:
  - {id: arbeit, title: Arbeit, notebook: arbeit}
indicators:
  - id: arbeitslose_je_1000
    title: Arbeitslose je 1.000 Einwohner
    chapter: arbeit
    numerator: {dataset: arbeitslose, feature: Arbeitslose insgesamt}
    denominator: {dataset: einwohner, feature: Einwohner insgesamt}
    factor: 1000
    unit: je 1.000 Einwohner
    decimals: 1
    direction: higher_worse
    definition: test
  - id: langzeitanteil
    title: Anteil Langzeitarbeitslose
    chapter: arbeit
    numerator: {dataset: arbeitslose, feature: Langzeitarbeitslose}
    denominator: {dataset: arbeitslose, feature: Arbeitslose insgesamt}
    factor: 100
    unit: "% der Arbeitslosen"
    decimals: 1
    direction: higher_worse
    definition: test
  - id: einwohner
    title: Einwohner
    chapter: arbeit
    numerator: {dataset: einwohner, feature: Einwohner insgesamt}
    unit: Personen
    decimals: 0
    direction: neutral
    definition: test
"""


@pytest.fixture
def setup(mirror, specs, tmp_path):
    path = tmp_path / "indicators.yml"
    path.write_text(CATALOGUE, encoding="utf-8")
    inputs = load_inputs(LocalSource(mirror), specs, Cache(tmp_path / "cache"))
    return inputs, read_catalogue(path, datasets=specs)


def value(frame, area_code, year):
    row = frame[(frame["area_code"] == area_code) & (frame["year"] == year)]
    assert len(row) == 1
    return row.iloc[0]


def test_rate_for_an_ortsteil(setup):
    inputs, catalogue = setup
    values = compute(inputs, catalogue.indicators["arbeitslose_je_1000"])
    assert value(values, "00", 2021)["value"] == pytest.approx(60 / 1500 * 1000)  # 40,0


def test_rate_for_a_stadtbezirk_uses_summed_numerator_and_published_denominator(setup):
    inputs, catalogue = setup
    values = compute(inputs, catalogue.indicators["arbeitslose_je_1000"])
    # Mitte 2022: Arbeitslose 58 + 190 (summed), Einwohner 7620 (published)
    assert value(values, "0", 2022)["value"] == pytest.approx((58 + 190) / 7620 * 1000)
    # the city 2021: 60 + 210 + 820 + 905 over the published 29500
    assert value(values, "14713000", 2021)["value"] == pytest.approx(1995 / 29500 * 1000)


def test_missing_ortsteil_makes_the_rate_missing_not_smaller(setup):
    inputs, catalogue = setup
    values = compute(inputs, catalogue.indicators["arbeitslose_je_1000"])
    nordost = value(values, "1", 2022)  # Schönefeld-Ost 2022 is empty in the source
    assert math.isnan(nordost["value"]) and nordost["status"] == "missing"


def test_official_sign_nothing_counts_as_zero_and_zero_column_is_unavailable(setup):
    inputs, catalogue = setup
    values = compute(inputs, catalogue.indicators["langzeitanteil"])
    assert value(values, "00", 2021)["value"] == 0.0  # "-" = nothing
    assert value(values, "01", 2021)["value"] == pytest.approx(41 / 210 * 100)
    unavailable = value(values, "01", 2023)  # the whole 2023 column is "0"
    assert math.isnan(unavailable["value"]) and unavailable["status"] == "unavailable"


def test_key_figure_skips_a_year_without_a_city_value(setup):
    inputs, catalogue = setup
    indicator = catalogue.indicators["arbeitslose_je_1000"]
    figure = key_figure(compute(inputs, indicator), indicator, 2023)
    assert figure.year == 2023
    assert figure.value == pytest.approx((55 + 201 + 790 + 870) / 29990 * 1000)
    assert figure.previous_year is None  # 2022 is missing for the city (Schönefeld-Ost empty)


def test_count_change_in_text_with_relative_change(setup):
    inputs, catalogue = setup
    indicator = catalogue.indicators["einwohner"]
    indicator.kind = "count"
    figure = key_figure(compute(inputs, indicator), indicator, 2023)
    assert figure.change_previous == 29990 - 29770
    assert narrative.change_text(indicator, figure.change_previous, figure.previous) == "+220 (+0,7\u00a0%)"
    sentence = narrative.key_figure_sentence(figure, 2023)
    assert "29.990 Personen" in sentence and "stieg" in sentence


def test_share_change_is_in_percentage_points(setup):
    _, catalogue = setup
    text = narrative.change_text(catalogue.indicators["langzeitanteil"], -1.25, 20.0)
    assert text == "−1,3 Prozentpunkte" or text == "−1,2 Prozentpunkte"


def test_extremes_name_lowest_and_highest_ortsteil(setup):
    inputs, catalogue = setup
    indicator = catalogue.indicators["arbeitslose_je_1000"]
    lowest, highest = extremes(compute(inputs, indicator), 2021)
    assert lowest["area_name"] == "Zentrum-Ost"  # 210 / 6000 = 35,0 per 1.000
    assert highest["area_name"] == "Schönefeld-Abtnaundorf"  # 820 / 10000 = 82,0 per 1.000
    text = narrative.extremes_sentence(indicator, lowest, highest, 2021)
    assert "Zentrum-Ost" in text and "35,0" in text and "82,0" in text


def test_catalogue_errors_name_entry_and_field(tmp_path, specs):
    path = tmp_path / "indicators.yml"
    path.write_text(CATALOGUE.replace("direction: neutral", "direction: sideways"), encoding="utf-8")
    with pytest.raises(
        CatalogueError, match=r"einwohner \(Eintrag 3\): Feld 'direction': unbekannter Wert 'sideways' \(erlaubt:"
    ):
        read_catalogue(path, datasets=specs)
    path.write_text(
        CATALOGUE.replace(
            "{dataset: einwohner, feature: Einwohner insgesamt}\n    unit: Personen",
            "{dataset: bevoelkerung, feature: Einwohner insgesamt}\n    unit: Personen",
        ),
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="Feld 'numerator.dataset': unbekannter Datensatz 'bevoelkerung'"):
        read_catalogue(path, datasets=specs)


def test_catalogue_reports_every_problem_at_once(tmp_path, specs):
    path = tmp_path / "indicators.yml"
    broken = CATALOGUE.replace("direction: neutral", "direction: sideways").replace("unit: Personen", "unit: ''")
    path.write_text(broken + "    colour: red\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        read_catalogue(path, datasets=specs)
    message = str(error.value)
    assert "Feld 'direction'" in message and "Feld 'unit': darf nicht leer sein" in message
    assert "Feld 'colour': ist kein bekanntes Feld" in message


def test_dataset_file_errors_name_key_and_field(tmp_path):
    from sozialbericht.data.inputs import read_dataset_specs

    path = tmp_path / "datasets.yml"
    path.write_text(
        "datasets:\n  einwohner:\n    title: Einwohner\n    default_kind: summe\n  alter:\n    unit: Jahre\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as error:
        read_dataset_specs(path)
    message = str(error.value)
    assert "datasets.yml ist ungültig (2 Fehler)" in message
    assert "Feld 'datasets.einwohner.default_kind': unbekannter Wert 'summe'" in message
    assert "Feld 'datasets.alter.title': fehlt" in message


def test_project_catalogue_matches_datasets_and_table_of_contents():
    """Every chapter of data/indicators.yml is in _toc.yml and has a notebook."""
    from sozialbericht import settings as config
    from sozialbericht.data.inputs import read_dataset_specs

    catalogue = read_catalogue(datasets=read_dataset_specs())
    toc = (config.ROOT / "_toc.yml").read_text(encoding="utf-8")
    for chapter in catalogue.chapters:
        assert f"book/edition/{chapter['notebook']}" in toc
        assert (config.NOTEBOOK_DIR / f"{chapter['notebook']}.ipynb").is_file()


def test_changes_are_tested_against_chance_when_counts_exist():
    """A small Ortsteil's big jump is not 'the strongest rise' unless it beats chance; a large one's is."""
    import pandas as pd

    from sozialbericht.analysis.indicators import changes

    rows = []
    # (area, x before, n before, x now, n now): rates per 1000
    for area, x1, n1, x2, n2 in [
        ("small", 2, 500, 5, 500),  # 4 -> 10 per 1000: big, but 7 cases
        ("large", 400, 20000, 500, 20000),  # 20 -> 25 per 1000: z = 3.3
        ("flat", 100, 10000, 100, 10000),
    ]:
        for year, x, n in ((2017, x1, n1), (2022, x2, n2)):
            rows.append(
                {
                    "area_code": area,
                    "area_name": area.title(),
                    "level": "Ortsteil",
                    "year": year,
                    "numerator": x,
                    "denominator": n,
                    "value": x / n * 1000,
                }
            )
    moved = changes(pd.DataFrame(rows), "Ortsteil", 2022, 2017).set_index("area_code")
    assert (
        moved.loc["small", "change"] == pytest.approx(6.0)
        and moved.loc["small", "change"] > moved.loc["large", "change"]
    )
    assert moved.loc["small", "significant"] is False and abs(moved.loc["small", "z"]) < 1.96
    assert moved.loc["large", "significant"] is True and moved.loc["large", "z"] == pytest.approx(
        (0.025 - 0.020) / math.sqrt(400 / 20000**2 + 500 / 20000**2)
    )
    assert moved.loc["flat", "significant"] is False
    # survey values or shares published as values: no counts, no test
    without = changes(pd.DataFrame(rows).drop(columns=["numerator", "denominator"]), "Ortsteil", 2022, 2017)
    assert without["significant"].isna().all() and without["z"].isna().all()


def test_grade_scale_extremes_say_best_and_worst_grade():
    """On a school-grade scale the lowest mean is the best; 'höchster Wert' misled readers."""
    catalogue = read_catalogue()
    grade = catalogue.indicators["lebenszufriedenheit"]
    share = catalogue.indicators["arbeitslosenanteil"]
    lowest, highest = {"area_name": "Zentrum-Ost", "value": 1.97}, {"area_name": "Grünau-Nord", "value": 2.53}
    text = narrative.extremes_sentence(grade, lowest, highest, 2021)
    assert "**Zentrum-Ost** mit 1,97 die beste" in text and "**Grünau-Nord** mit 2,53 die schlechteste" in text
    assert "höchsten Wert" not in text and "Skala: Note 1" in text
    assert "den höchsten Wert" in narrative.extremes_sentence(share, lowest, highest, 2021)
