"""Areas and their codes: the join of API names to Ortsteile and Stadtbezirke."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from support_data import MIRROR

from sozialbericht.data.geography import ORTSTEIL, STADT, STADTBEZIRK, Geography
from sozialbericht.data.parse import parse
from sozialbericht.errors import GeographyError

OT_BYTES = (MIRROR / "geo" / "ortsteile.geojson").read_bytes()
SBZ_BYTES = (MIRROR / "geo" / "stadtbezirke.geojson").read_bytes()


def feature_collection(features: list[tuple[dict, float]]) -> bytes:
    """GeoJSON with one small square per (properties, x offset)."""
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": props,
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [12.3 + x, 51.3],
                                [12.31 + x, 51.3],
                                [12.31 + x, 51.31],
                                [12.3 + x, 51.31],
                                [12.3 + x, 51.3],
                            ]
                        ],
                    },
                }
                for props, x in features
            ],
        }
    ).encode()


def test_codes_names_and_stadtbezirk_of_each_ortsteil(geography):
    ot = geography.ortsteile
    assert list(ot["area_code"]) == ["00", "01", "10", "11"]
    assert list(ot["area_name"]) == ["Zentrum", "Zentrum-Ost", "Schönefeld-Abtnaundorf", "Schönefeld-Ost"]
    # the first digit of the Ortsteil code is its Stadtbezirk
    assert list(ot["sbz_code"]) == ["0", "0", "1", "1"]
    assert list(geography.stadtbezirke["area_name"]) == ["Mitte", "Nordost"]
    assert geography.ortsteile.crs.to_epsg() == 4326


def test_areas_lists_every_level_once(geography):
    areas = geography.areas()
    assert list(areas["level"]) == [ORTSTEIL] * 4 + [STADTBEZIRK] * 2 + [STADT]
    city = areas[areas["level"] == STADT].iloc[0]
    assert city["area_name"] == "Stadt Leipzig" and city["area_code"] == "14713000"
    assert not areas["area_name"].duplicated().any()
    assert not areas["area_code"].duplicated().any()


def test_attach_codes_joins_every_level_by_exact_name(geography):
    table = parse((MIRROR / "kdvalues" / "kdvalues_k2_r1_y.csv").read_bytes(), "einwohner.csv")
    joined = geography.attach_codes(table, "einwohner.csv")
    assert len(joined) == len(table)
    assert joined["area_code"].notna().all()
    first = joined[joined["area_name"] == "Schönefeld-Ost"].iloc[0]
    assert (first["area_code"], first["level"], first["sbz_code"]) == ("11", ORTSTEIL, "1")
    nordost = joined[joined["area_name"] == "Nordost"].iloc[0]
    assert (nordost["area_code"], nordost["level"]) == ("1", STADTBEZIRK)
    assert set(joined.loc[joined["area_name"] == "Stadt Leipzig", "level"]) == {STADT}


def test_unknown_area_names_the_file_the_row_and_a_close_match(geography):
    table = pd.DataFrame(
        {
            "area_name": ["Zentrum", "Schoenefeld-Ost"],
            "feature": ["A", "A"],
            "year": [2022, 2022],
            "value": [1.0, 2.0],
            "status": ["ok", "ok"],
            "row": [2, 3],
        }
    )
    with pytest.raises(GeographyError) as caught:
        geography.attach_codes(table, "kdvalues_k2_r1_y.csv")
    message = str(caught.value)
    assert "kdvalues_k2_r1_y.csv" in message
    assert "row 3" in message
    assert "'Schoenefeld-Ost'" in message
    assert "Schönefeld-Ost" in message.split("'Schoenefeld-Ost'")[1]  # the suggestion


def test_area_names_are_matched_exactly_not_loosely(geography):
    table = pd.DataFrame(
        {"area_name": ["zentrum"], "feature": ["A"], "year": [2022], "value": [1.0], "status": ["ok"], "row": [2]}
    )
    with pytest.raises(GeographyError, match="Zentrum"):
        geography.attach_codes(table, "f.csv")


def test_properties_in_other_spelling_and_codes_without_leading_zero():
    ot = feature_collection([({"ot": 0, "name": "Zentrum"}, 0), ({"ot": 1, "name": "Zentrum-Ost"}, 0.01)])
    sbz = feature_collection([({"sbz": 0, "name": "Mitte"}, 0)])
    geo = Geography.from_geojson(ot, sbz)
    assert list(geo.ortsteile["area_code"]) == ["00", "01"]
    assert list(geo.ortsteile["sbz_code"]) == ["0", "0"]


def test_ortsteil_of_a_stadtbezirk_that_is_not_in_the_file():
    ot = feature_collection([({"OT": "00", "Name": "Zentrum"}, 0), ({"OT": "95", "Name": "Wiederitzsch"}, 0.01)])
    sbz = feature_collection([({"SBZ": "0", "Name": "Mitte"}, 0)])
    with pytest.raises(GeographyError, match=r"\['9'\]"):
        Geography.from_geojson(ot, sbz, ("ot.geojson", "sbz.geojson"))


def test_duplicated_area_name():
    ot = feature_collection([({"OT": "00", "Name": "Zentrum"}, 0), ({"OT": "01", "Name": "Zentrum"}, 0.01)])
    sbz = feature_collection([({"SBZ": "0", "Name": "Mitte"}, 0)])
    with pytest.raises(GeographyError, match="ot.geojson.*twice.*Zentrum"):
        Geography.from_geojson(ot, sbz, ("ot.geojson", "sbz.geojson"))


def test_missing_code_property_lists_what_was_found():
    ot = feature_collection([({"FID": 1, "Name": "Zentrum"}, 0)])
    with pytest.raises(GeographyError) as caught:
        Geography.from_geojson(ot, SBZ_BYTES, ("ot.geojson", "sbz.geojson"))
    assert "ot.geojson" in str(caught.value) and "OT" in str(caught.value) and "FID" in str(caught.value)


@pytest.mark.parametrize("content", [b"", b"<html>404</html>", OT_BYTES[: len(OT_BYTES) // 2]])
def test_unreadable_geometry_is_a_geography_error(content):
    with pytest.raises(GeographyError, match="ot.geojson"):
        Geography.from_geojson(content, SBZ_BYTES, ("ot.geojson", "sbz.geojson"))
