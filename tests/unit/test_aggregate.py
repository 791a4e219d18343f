"""Counts summed from Ortsteile to Stadtbezirke and the city; published sums checked."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sozialbericht.data.aggregate import complete_levels

OT_VALUES = {"Zentrum": 10.0, "Zentrum-Ost": 20.0, "Schönefeld-Abtnaundorf": 300.0, "Schönefeld-Ost": 400.0}


def tidy(geography, values: dict[str, tuple[float, str]], feature="A", dataset="d", year=2022) -> pd.DataFrame:
    """A tidy table (as load_inputs builds it) with one value per named area."""
    areas = geography.areas().set_index("area_name")
    rows = []
    for number, (name, (value, status)) in enumerate(values.items(), start=2):
        area = areas.loc[name]
        rows.append(
            {
                "dataset": dataset,
                "area_code": area["area_code"],
                "area_name": name,
                "level": area["level"],
                "sbz_code": area["sbz_code"],
                "feature": feature,
                "year": year,
                "value": value,
                "status": status,
                "row": number,
            }
        )
    return pd.DataFrame(rows)


def ok(values: dict[str, float]) -> dict[str, tuple[float, str]]:
    return {name: (value, "ok") for name, value in values.items()}


def get(table, area_name, feature="A", year=2022):
    rows = table[(table["area_name"] == area_name) & (table["feature"] == feature) & (table["year"] == year)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_missing_levels_are_summed_and_marked_aggregated(geography):
    table = tidy(geography, ok(OT_VALUES))
    completed, checks = complete_levels(table, geography.areas(), {("d", "A")})
    assert len(completed) == 4 + 2 + 1
    assert get(completed, "Mitte")["value"] == 30
    assert get(completed, "Nordost")["value"] == 700
    assert get(completed, "Stadt Leipzig")["value"] == 730
    for name in ("Mitte", "Nordost", "Stadt Leipzig"):
        assert get(completed, name)["status"] == "aggregated"
    assert get(completed, "Nordost")["area_code"] == "1"
    assert get(completed, "Stadt Leipzig")["level"] == "Stadt"
    assert checks.empty


def test_published_sums_that_agree_produce_no_check(geography):
    table = tidy(geography, ok({**OT_VALUES, "Mitte": 30, "Nordost": 700, "Stadt Leipzig": 730}))
    completed, checks = complete_levels(table, geography.areas(), {("d", "A")})
    assert checks.empty
    assert len(completed) == len(table)  # nothing added
    assert set(completed["status"]) == {"ok"}


def test_published_sum_that_differs_is_reported_with_the_difference(geography):
    table = tidy(geography, ok({**OT_VALUES, "Mitte": 30, "Nordost": 712, "Stadt Leipzig": 730}))
    completed, checks = complete_levels(table, geography.areas(), {("d", "A")})
    assert len(checks) == 1
    check = checks.iloc[0]
    assert (check["area_name"], check["area_code"], check["feature"], check["year"]) == ("Nordost", "1", "A", 2022)
    assert (check["published"], check["sum_of_ortsteile"], check["difference"]) == (712, 700, 12)
    # the published value is kept, not replaced by the sum
    assert get(completed, "Nordost")["value"] == 712 and get(completed, "Nordost")["status"] == "ok"


def test_one_missing_ortsteil_value_makes_the_sum_missing_not_smaller(geography):
    values = ok(OT_VALUES)
    values["Schönefeld-Ost"] = (math.nan, "missing")
    completed, _ = complete_levels(tidy(geography, values), geography.areas(), {("d", "A")})
    assert get(completed, "Mitte")["value"] == 30 and get(completed, "Mitte")["status"] == "aggregated"
    for name in ("Nordost", "Stadt Leipzig"):
        row = get(completed, name)
        assert math.isnan(row["value"]) and row["status"] == "missing"


@pytest.mark.parametrize("status", ["secret", "not_applicable", "unavailable"])
def test_signs_without_a_value_make_the_sum_missing(geography, status):
    values = ok(OT_VALUES)
    values["Zentrum"] = (math.nan, status)
    completed, _ = complete_levels(tidy(geography, values), geography.areas(), {("d", "A")})
    assert math.isnan(get(completed, "Mitte")["value"])
    assert get(completed, "Nordost")["value"] == 700


def test_nothing_counts_as_zero_in_a_sum(geography):
    values = ok(OT_VALUES)
    values["Zentrum"] = (0.0, "nothing")
    completed, _ = complete_levels(tidy(geography, values), geography.areas(), {("d", "A")})
    assert get(completed, "Mitte")["value"] == 20 and get(completed, "Mitte")["status"] == "aggregated"


def test_an_ortsteil_absent_from_the_file_makes_the_sum_missing(geography):
    values = ok(OT_VALUES)
    del values["Zentrum-Ost"]
    completed, _ = complete_levels(tidy(geography, values), geography.areas(), {("d", "A")})
    assert math.isnan(get(completed, "Mitte")["value"])
    assert math.isnan(get(completed, "Stadt Leipzig")["value"])
    assert get(completed, "Nordost")["value"] == 700


def test_rates_are_never_summed(geography):
    table = tidy(
        geography,
        ok({"Zentrum": 4.5, "Zentrum-Ost": 5.1, "Schönefeld-Abtnaundorf": 9.9, "Schönefeld-Ost": 10.2}),
        feature="Quote",
    )
    completed, checks = complete_levels(table, geography.areas(), {("d", "A")})
    assert len(completed) == 4 and checks.empty
    # published rates of higher levels are not compared with sums either
    table = tidy(
        geography,
        ok({"Zentrum": 4.5, "Zentrum-Ost": 5.1, "Schönefeld-Abtnaundorf": 9.9, "Schönefeld-Ost": 10.2, "Mitte": 4.8}),
        feature="Quote",
    )
    completed, checks = complete_levels(table, geography.areas(), {("d", "A")})
    assert checks.empty and get(completed, "Mitte", "Quote")["value"] == 4.8


def test_count_features_are_told_apart_by_dataset(geography):
    table = pd.concat(
        [tidy(geography, ok(OT_VALUES), dataset="d1"), tidy(geography, ok(OT_VALUES), dataset="d2")], ignore_index=True
    )
    completed, _ = complete_levels(table, geography.areas(), {("d1", "A")})
    mitte = completed[completed["area_name"] == "Mitte"]
    assert list(mitte["dataset"]) == ["d1"]


def test_each_year_is_summed_separately(geography):
    table = pd.concat(
        [
            tidy(geography, ok(OT_VALUES), year=2021),
            tidy(geography, ok({k: v * 2 for k, v in OT_VALUES.items()}), year=2022),
        ],
        ignore_index=True,
    )
    completed, _ = complete_levels(table, geography.areas(), {("d", "A")})
    assert get(completed, "Stadt Leipzig", year=2021)["value"] == 730
    assert get(completed, "Stadt Leipzig", year=2022)["value"] == 1460
