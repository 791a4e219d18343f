"""The city-wide ``values`` endpoint: both layouts, every quirk of the mirror's README, client and inputs.

Fixtures: tests/fixtures/mirror/values/ (hand-written, see tests/fixtures/README.md).
"""

from __future__ import annotations

import math
import shutil

import pandas as pd
import pytest
from support_data import (
    EINWOHNER,
    EINWOHNER_STADT,
    MIETBELASTUNG_STADT,
    MIRROR,
    WOHNSITUATION_STADT,
)

from sozialbericht import settings as config
from sozialbericht.data.inputs import DatasetSpec, load_inputs, read_dataset_specs
from sozialbericht.data.opendata import Cache, LocalSource
from sozialbericht.data.parse_values import parse_values, parse_values_csv, parse_values_json
from sozialbericht.errors import CatalogueError, DataSourceError, ParseError

WOHNFLAECHE = "Durchschnittliche Wohnfläche pro Person / Haushalte"
RAUMANZAHL = "Durchschnittliche Raumanzahl pro Person / Haushalte"


def row(table: pd.DataFrame, feature: str, year: int) -> pd.Series:
    rows = table[(table["feature"] == feature) & (table["year"] == year)]
    assert len(rows) == 1, f"{feature}/{year}: {len(rows)} rows"
    return rows.iloc[0]


@pytest.fixture(scope="module")
def wohnsituation() -> pd.DataFrame:
    return parse_values((MIRROR / "values" / "values_k6_r2_y.json").read_bytes(), "values_k6_r2_y.json")


@pytest.fixture(scope="module")
def einwohner_csv() -> pd.DataFrame:
    return parse_values((MIRROR / "values" / "values_k2_r1_y.csv").read_bytes(), "values_k2_r1_y.csv")


# -- JSON layout -------------------------------------------------------------------------------


def test_json_rows_belong_to_the_city_and_are_keyed_on_the_label_path(wohnsituation):
    assert set(wohnsituation["area_name"]) == {config.CITY_NAME}
    # the same name ("Haushalte insgesamt", "Alleinerziehende ") under Wohnfläche and Raumanzahl: four features
    assert {
        f"{WOHNFLAECHE} / insgesamt",
        f"{RAUMANZAHL} / insgesamt",
        f"{WOHNFLAECHE} / Alleinerziehende",
        f"{RAUMANZAHL} / Alleinerziehende",
    } <= set(wohnsituation["feature"])
    assert not wohnsituation.duplicated(["feature", "year"]).any()


def test_json_decimal_point_keeps_every_digit(wohnsituation):
    assert row(wohnsituation, f"{WOHNFLAECHE} / insgesamt", 2021)["value"] == 39.8
    assert row(wohnsituation, f"{WOHNFLAECHE} / insgesamt", 2023)["value"] == pytest.approx(41.2536, abs=1e-12)
    assert row(wohnsituation, f"{RAUMANZAHL} / Alleinerziehende", 2023)["value"] == 1.35


def test_json_trailing_spaces_of_labels_are_stripped(wohnsituation):
    assert all(name == name.strip() for name in wohnsituation["feature"])
    assert all(" / " in name and "  " not in name for name in wohnsituation["feature"])


def test_json_signs_dot_and_x_are_not_numbers(wohnsituation):
    secret = row(wohnsituation, f"{WOHNFLAECHE} / Alleinerziehende", 2023)
    assert secret["status"] == "secret" and math.isnan(secret["value"])
    not_applicable = row(wohnsituation, f"{RAUMANZAHL} / Alleinerziehende", 2022)
    assert not_applicable["status"] == "not_applicable" and math.isnan(not_applicable["value"])


def test_json_missing_years_are_absent_not_invented(wohnsituation):
    years = wohnsituation.loc[wohnsituation["feature"] == f"{WOHNFLAECHE} / Alleinerziehende", "year"]
    assert sorted(years) == [2022, 2023]


def test_json_zero_is_a_real_value(wohnsituation):
    zero = row(wohnsituation, "Wohnstatus der Haushalte / Sonstiges", 2021)
    assert zero["status"] == "ok" and zero["value"] == 0


def test_json_html_entity_in_einheit_is_resolved(wohnsituation):
    units = wohnsituation.groupby("feature")["unit"].first()
    assert units[f"{WOHNFLAECHE} / insgesamt"] == "m²"
    assert units[f"{RAUMANZAHL} / insgesamt"] == "Anzahl"
    assert units["Wohnstatus der Haushalte / Sonstiges"] == "Anteil in %"


def test_json_precision_may_change_between_years():
    table = parse_values((MIRROR / "values" / "values_k6_r27_y.json").read_bytes(), "values_k6_r27_y.json")
    feature = "Durchschnittliche Gesamtmietbelastung nach Haushaltstyp / insgesamt"
    assert row(table, feature, 2022)["value"] == 29
    assert row(table, feature, 2023)["value"] == pytest.approx(29.4237, abs=1e-12)


def test_json_errors_name_the_record():
    with pytest.raises(ParseError, match="record 1, jahr 2022: wert '3,5,1'"):
        parse_values_json('[{"merkmal_1": "A", "wert": "3,5,1", "jahr": "2022"}]', "x.json")
    with pytest.raises(ParseError, match="record 2: periode 'q'"):
        parse_values_json(
            '[{"merkmal_1": "A", "wert": "1", "jahr": "2022"}, {"merkmal_1": "A", "wert": "1", "jahr": "2023", '
            '"periode": "q"}]',
            "x.json",
        )
    with pytest.raises(ParseError, match="more than once"):
        parse_values_json(
            '[{"merkmal_1": "A", "wert": "1", "jahr": "2022"}, {"merkmal_1": "A ", "wert": "2", "jahr": "2022"}]',
            "x.json",
        )
    with pytest.raises(ParseError, match="not valid JSON"):
        parse_values_json('[{"merkmal_1": "A", "wert": "1", "ja', "cut.json")


def test_json_without_merkmal_falls_back_to_name():
    table = parse_values_json('[{"name": "Haushalte ", "wert": "12", "jahr": "2022", "einheit": null}]', "x.json")
    assert list(table["feature"]) == ["Haushalte"] and list(table["unit"]) == [""]


# -- CSV layout --------------------------------------------------------------------------------


def test_csv_repeated_labels_are_told_apart_by_block_and_position(einwohner_csv):
    features = list(dict.fromkeys(einwohner_csv["feature"]))
    assert features[:6] == [
        "Block 1 / Bevölkerung insgesamt",
        "Block 1 / Bevölkerung insgesamt / Männer",
        "Block 1 / Bevölkerung insgesamt / Frauen",
        "Block 1 / Deutsche",
        "Block 1 / Deutsche / Männer",
        "Block 1 / Deutsche / Frauen",
    ]
    assert "Block 2 / Deutsche / Frauen" in features and "Block 2 / Durchschnittsalter in Jahren" in features
    assert row(einwohner_csv, "Block 2 / Deutsche / Männer", 2023)["value"] == 13600
    assert row(einwohner_csv, "Block 1 / Deutsche / Männer", 2021)["value"] == 13200


def test_csv_zero_means_not_available(einwohner_csv):
    gone = row(einwohner_csv, "Block 1 / Bevölkerung insgesamt", 2023)
    assert gone["status"] == "unavailable" and math.isnan(gone["value"])


def test_csv_decimal_comma(einwohner_csv):
    assert row(einwohner_csv, "Block 2 / Durchschnittsalter in Jahren", 2022)["value"] == 42.35


def test_csv_single_block_keeps_plain_labels_and_the_newer_merkmal_columns_form_the_path():
    plain = parse_values_csv('"Kennziffer","Einheit","2022"\n"Wohnungen","","100"\n"Wohnfläche","m&sup2;","7,5"\n')
    assert list(plain["feature"]) == ["Wohnungen", "Wohnfläche"] and plain["unit"].iloc[1] == "m²"
    newer = parse_values_csv(
        '"Kennziffer","Merkmal_1","Merkmal_2","Merkmal_3","Merkmal_4","Einheit","2022"\n'
        '"1","Haushalte","","","","","10"\n"2","Haushalte","eine Person","","","","6"\n',
        "new.csv",
    )
    assert list(newer["feature"]) == ["Haushalte", "Haushalte / eine Person"]


def test_csv_errors_are_clear():
    with pytest.raises(ParseError, match="kleinräumig 'kdvalues' layout"):
        parse_values(b'"Gebiet","Sachmerkmal","2022"\nZentrum,Einwohner,"1"\n', "k.csv")
    with pytest.raises(ParseError, match="row 2 has 2 fields"):
        parse_values(b'"Kennziffer","Einheit","2022"\n"A",""\n', "cut.csv")
    with pytest.raises(ParseError, match="HTML page"):
        parse_values(b"<!DOCTYPE html><html></html>", "error.csv")
    with pytest.raises(ParseError, match="not a year"):
        parse_values(b'"Kennziffer","Einheit","2022 Q1"\n"A","","1"\n', "q.csv")


# -- client ------------------------------------------------------------------------------------


def test_local_source_reads_values_folder(mirror):
    fetched = LocalSource(mirror).fetch_values(WOHNSITUATION_STADT)
    assert fetched.content == (mirror / "values" / "values_k6_r2_y.json").read_bytes()
    assert (fetched.kategorie_nr, fetched.rubrik_nr) == (6, 2)
    with pytest.raises(DataSourceError, match="expected a file under values/"):
        LocalSource(mirror).fetch_values(EINWOHNER)


def test_live_source_resolves_the_values_endpoint_by_title_and_asks_for_json(fake_api, tmp_path):
    source = fake_api.source()
    fetched = source.fetch_values(WOHNSITUATION_STADT)
    assert "/api/values?kategorie_nr=6&rubrik_nr=2&periode=y&format=json" in fetched.source
    assert fetched.content == (MIRROR / "values" / "values_k6_r2_y.json").read_bytes()
    # the kdvalues title of the same theme is not picked for values, nor the reverse
    with pytest.raises(DataSourceError, match="endpoint values"):
        source.fetch_values(EINWOHNER)
    with pytest.raises(DataSourceError, match="endpoint kdvalues"):
        source.fetch_dataset(EINWOHNER_STADT)


def values_specs(base: dict) -> dict:
    specs = dict(base)
    specs["wohnsituation_stadt"] = DatasetSpec(
        "wohnsituation_stadt", WOHNSITUATION_STADT, "mean", endpoint="values", optional=True
    )
    specs["mietbelastung_stadt"] = DatasetSpec(
        "mietbelastung_stadt", MIETBELASTUNG_STADT, "mean", endpoint="values", optional=True
    )
    specs["einwohner_stadt"] = DatasetSpec("einwohner_stadt", EINWOHNER_STADT, "count", endpoint="values")
    return specs


def test_live_values_are_cached_with_a_manifest(fake_api, specs, tmp_path):
    cache = Cache(tmp_path / "cache")
    only_json = values_specs(specs)
    del only_json["einwohner_stadt"]  # the fake server has that one only as CSV
    first = load_inputs(fake_api.source(), only_json, cache)
    assert fake_api.hits("values") == 2
    again = load_inputs(fake_api.source(), only_json, cache)
    assert fake_api.hits("values") == 2  # from the cache
    record = next(m for m in again.manifest if m.get("dataset") == "wohnsituation_stadt")
    assert record["source"].endswith("format=json") and record["kategorie_nr"] == 6
    pd.testing.assert_frame_equal(first.table, again.table)


# -- inputs ------------------------------------------------------------------------------------


def test_values_enter_the_tidy_table_at_city_level(mirror, specs, tmp_path):
    inputs = load_inputs(LocalSource(mirror), values_specs(specs), Cache(tmp_path / "cache"))
    rows = inputs.table[inputs.table["dataset"].isin(["wohnsituation_stadt", "einwohner_stadt"])]
    assert set(rows["level"]) == {"Stadt"} and set(rows["area_code"]) == {config.CITY_CODE}
    # a published 0 % of the JSON layout stays a number (the kdvalues rule "0 = not available" is not applied)
    zero = rows[(rows["feature"] == "Wohnstatus der Haushalte / Sonstiges") & (rows["year"] == 2021)]
    assert zero["status"].tolist() == ["ok"] and zero["value"].tolist() == [0]
    csv_zero = rows[(rows["feature"] == "Block 1 / Bevölkerung insgesamt") & (rows["year"] == 2023)]
    assert csv_zero["status"].tolist() == ["unavailable"]
    assert inputs.missing == []
    # nothing is summed or checked for a city-only dataset
    assert not inputs.sum_checks["dataset"].isin(["wohnsituation_stadt", "einwohner_stadt"]).any()


def test_missing_optional_values_folder_is_listed_not_fatal(mirror, specs, tmp_path):
    shutil.rmtree(mirror / "values")
    optional_only = {k: v for k, v in values_specs(specs).items() if k != "einwohner_stadt"}
    inputs = load_inputs(LocalSource(mirror), optional_only, Cache(tmp_path / "cache"))
    assert [m["dataset"] for m in inputs.missing] == ["wohnsituation_stadt", "mietbelastung_stadt"]
    assert all("does not exist" in m["reason"] for m in inputs.missing)
    assert not inputs.has("wohnsituation_stadt") and inputs.has("einwohner")
    assert set(inputs.table["dataset"]) == {"einwohner", "alter", "arbeitslose"}


def test_missing_required_values_dataset_stops_the_build(mirror, specs, tmp_path):
    shutil.rmtree(mirror / "values")
    with pytest.raises(DataSourceError, match="values_k2_r1_y.csv"):
        load_inputs(LocalSource(mirror), values_specs(specs), Cache(tmp_path / "cache"))


def test_project_specs_read_endpoint_and_optional(tmp_path):
    specs = read_dataset_specs()
    assert specs["wohnsituation_stadt"].city_wide and specs["wohnsituation_stadt"].optional
    assert not specs["haushalte"].city_wide and not specs["haushalte"].optional
    bad = tmp_path / "datasets.yml"
    bad.write_text('datasets:\n  x: {title: "X", endpoint: kdvalue}\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match="Feld 'datasets.x.endpoint': unbekannter Wert 'kdvalue'"):
        read_dataset_specs(bad)
