"""The chapter "Haushalte und Familien" and Wohnungsbestand, computed on the fixture mirror against hand-worked values.

tests/fixtures/mirror/kdvalues/kdvalues_k2_r10_y.csv (see tests/fixtures/README.md): 2022 and 2023; the city's
2023 households are published as 15 353, the sum of the Ortsteile is 15 350 (+3 on purpose); the 2023 column
"Haushalte mit 4 Personen (Anteil in %)" repeats the 2022 shares of 5+ households and the city cell is ".",
like the real source's 2025 column.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
from support_data import HAUSHALTE, WOHNUNGEN

from sozialbericht import settings as config
from sozialbericht.analysis.indicators import compute, read_catalogue
from sozialbericht.data.inputs import DatasetSpec, load_inputs, read_dataset_specs
from sozialbericht.data.opendata import Cache, LocalSource
from sozialbericht.report.households import Households, share_mismatches, size_shares

CITY = config.CITY_CODE
MITTE, NORDOST, ZENTRUM = "0", "1", "00"


@pytest.fixture
def inputs(mirror, specs, tmp_path):
    project = read_dataset_specs()
    assert project["haushalte"].title == HAUSHALTE and project["wohnungen"].title == WOHNUNGEN
    chosen = {**specs, "haushalte": project["haushalte"], "wohnungen": project["wohnungen"]}
    return load_inputs(LocalSource(mirror), chosen, Cache(tmp_path / "cache"))


@pytest.fixture(scope="module")
def catalogue():
    return read_catalogue()


def value(frame, area, year):
    rows = frame[(frame["area_code"] == area) & (frame["year"] == year)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_single_person_share_is_computed_from_the_counts(inputs, catalogue):
    values = compute(inputs, catalogue.indicators["einpersonenhaushalte"])
    assert value(values, ZENTRUM, 2023)["value"] == pytest.approx(660 / 1100 * 100)  # 60,0
    assert value(values, MITTE, 2023)["value"] == pytest.approx(2210 / 4200 * 100)  # 52,6
    # the city: published counts 7 383 of 15 353, not the sum of the Ortsteile
    assert value(values, CITY, 2023)["value"] == pytest.approx(7383 / 15353 * 100)  # 48,09


def test_large_household_share_and_the_published_count(inputs, catalogue):
    large = compute(inputs, catalogue.indicators["grosse_haushalte"])
    assert value(large, NORDOST, 2022)["value"] == pytest.approx(330 / 11000 * 100)  # 3,0
    households = compute(inputs, catalogue.indicators["haushalte"])
    assert value(households, CITY, 2023)["value"] == 15353
    assert value(households, MITTE, 2022)["value"] == 4000
    size = compute(inputs, catalogue.indicators["haushaltsgroesse"])
    assert value(size, "10", 2023)["value"] == pytest.approx(1.81234567890123)


def test_households_are_checked_against_the_published_rows(inputs):
    checks = inputs.sum_checks[inputs.sum_checks["dataset"] == "haushalte"]
    city = checks[(checks["feature"] == "Haushalte insgesamt") & (checks["area_code"] == CITY)]
    assert city[["year", "published", "sum_of_ortsteile", "difference"]].values.tolist() == [[2023, 15353, 15350, 3]]
    # means and published shares are never summed
    assert not checks["feature"].str.contains("Anteil|Durchschnitt").any()
    assert set(checks["year"]) == {2023}


def test_the_wrong_published_share_column_is_found(inputs):
    wrong = share_mismatches(inputs.table)
    assert wrong["feature"].tolist() == ["Haushalte mit 4 Personen (Anteil in %)"]
    found = wrong.iloc[0]
    assert found["year"] == 2023 and found["areas"] == 7  # 4 Ortsteile, 2 Stadtbezirke, the city's "."
    assert math.isnan(found["city_published"])
    assert found["city_computed"] == pytest.approx(1005 / 15353 * 100)


def test_size_structure_of_the_city(inputs):
    shares = size_shares(inputs.table)
    city_2022 = shares[shares["year"] == 2022].set_index("size")["share"]
    assert city_2022["1 Person"] == pytest.approx(48.0)
    assert city_2022["5 und mehr Personen"] == pytest.approx(430 / 15000 * 100)
    assert city_2022.sum() == pytest.approx(100)


class FakeChapter:
    def __init__(self, inputs, catalogue, year):
        self.inputs, self.catalogue, self.year = inputs, catalogue, year

    def _csv(self, frame, name):
        return None


def test_chapter_texts_say_what_the_checks_found(inputs, catalogue):
    households = Households(FakeChapter(inputs, catalogue, 2023))
    count = households.count_check().data
    assert "| Stadt Leipzig | 15.353 | 15.350 | +3 |" in count
    share = households.share_check().data
    assert "„Haushalte mit 4 Personen (Anteil in %)“ 2023: 7 Gebiete" in share
    assert "aus den Zählwerten: 6,55\u00a0%" in share
    # the 2022 edition does not report a fault of the 2023 column, which lies after its Stichtag
    earlier = Households(FakeChapter(inputs, catalogue, 2022)).share_check().data
    assert "2023" not in earlier and "Beide stimmen in allen Jahren bis 2022 überein." in earlier
    text = households.size_text().data
    assert (
        "Ende 2023 zählte Leipzig 15.353 Haushalte" in text and "48,1\u00a0% davon waren Einpersonenhaushalte" in text
    )
    assert "2022 mit der Summe" in Households(FakeChapter(inputs, catalogue, 2022)).count_check().data
    # family data are not read by any indicator: the chapter says so, from the catalogue's missing themes
    scope = households.scope().data
    assert "Kinder und Familie" in scope and "„Familien mit Kindern (Jahreszahlen, kleinräumig)“" in scope


# -- Wohnungsbestand: the recorded layout and the older derived one ------------------------------

DERIVED = (
    '"Gebiet","Sachmerkmal","2022","2023"\n'
    'Zentrum,Wohnungen,"1000","1001"\n'
    'Zentrum-Ost,Wohnungen,"3000","3010"\n'
    'Schönefeld-Abtnaundorf,Wohnungen,"5500","5520"\n'
    'Schönefeld-Ost,Wohnungen,"6400","6400"\n'
    'Zentrum,Wohnfläche insgesamt,"650","651"\n'
    'Zentrum-Ost,Wohnfläche insgesamt,"1950","1960"\n'
    'Schönefeld-Abtnaundorf,Wohnfläche insgesamt,"3600","3610"\n'
    'Schönefeld-Ost,Wohnfläche insgesamt,"4100","4100"\n'
)


def test_recorded_wohnungsbestand_uses_published_rows_and_never_sums_the_mean(inputs, catalogue):
    values = compute(inputs, catalogue.indicators["wohnungen_je_1000"])
    mitte = value(values, MITTE, 2023)  # 4 010,5 dwellings (published, with decimals) per 7 690 inhabitants
    assert mitte["value"] == pytest.approx(4010.5 / 7690 * 1000) and mitte["status"] == "ok"
    mean = inputs.series("wohnungen", "Wohnfläche je Wohnung")
    assert value(mean, CITY, 2023)["value"] == pytest.approx(64.79) and value(mean, CITY, 2023)["status"] == "ok"
    assert inputs.sum_checks[inputs.sum_checks["dataset"] == "wohnungen"].empty


def test_derived_wohnungsbestand_is_summed_to_stadtbezirke_and_city(mirror, specs, tmp_path, catalogue):
    (mirror / "kdvalues" / "kdvalues_k6_r5_y.csv").write_text(DERIVED, encoding="utf-8")
    chosen = {**specs, "wohnungen": read_dataset_specs()["wohnungen"]}
    inputs = load_inputs(LocalSource(mirror), chosen, Cache(tmp_path / "cache"))
    values = compute(inputs, catalogue.indicators["wohnungen_je_1000"])
    mitte = value(values, MITTE, 2023)
    assert mitte["value"] == pytest.approx((1001 + 3010) / 7690 * 1000) and mitte["status"] == "aggregated"
    city = value(values, CITY, 2022)
    assert city["value"] == pytest.approx(15900 / 29770 * 1000) and city["status"] == "aggregated"


def test_spec_of_an_unknown_feature_kind_defaults_to_count_only_for_counts():
    spec = read_dataset_specs()["haushalte"]
    assert spec.kind("Haushalte mit 4 Personen") == "count"
    assert spec.kind("Durchschnittliche Haushaltsgröße") == "mean"
    assert spec.kind("Haushalte mit 4 Personen (Anteil in %)") == "share"
    assert isinstance(spec, DatasetSpec)


# -- on the real mirror -------------------------------------------------------------------------


def _mirror() -> Path:
    setting = os.environ.get("SOZIALBERICHT_DATA")
    if not setting or not (Path(setting) / "kdvalues" / "kdvalues_k2_r10_y.csv").is_file():
        pytest.skip("SOZIALBERICHT_DATA does not point at a mirror with Personenhaushalte")
    return Path(setting)


def test_on_the_mirror_city_households_are_the_published_row(tmp_path, catalogue):
    import csv

    folder = _mirror()
    with open(folder / "kdvalues" / "kdvalues_k2_r10_y.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("2022")
    published = next(float(r[column]) for r in rows if r[0] == "Stadt Leipzig" and r[1] == "Haushalte insgesamt")
    specs = read_dataset_specs()
    inputs = load_inputs(LocalSource(folder), {"einwohner": specs["einwohner"], "haushalte": specs["haushalte"]})
    values = compute(inputs, catalogue.indicators["haushalte"])
    assert value(values, CITY, 2022)["value"] == published
    # the faulty 2025 share column of the source is found, and only it
    wrong = share_mismatches(inputs.table)
    assert wrong[["feature", "year"]].values.tolist() == [["Haushalte mit 4 Personen (Anteil in %)", 2025]]
