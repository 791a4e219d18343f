"""The parser of kdvalues responses: every quirk of the real API, and clear errors."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from support_data import MIRROR, PARSE

from sozialbericht.data.parse import parse, parse_kdvalues_csv, parse_kdvalues_json, parse_value
from sozialbericht.errors import ParseError

HEADER = '"Gebiet","Sachmerkmal","2022","2023"\n'


def value(table: pd.DataFrame, area: str, feature: str, year: int) -> pd.Series:
    """The one row of an area, feature and year."""
    rows = table[(table["area_name"] == area) & (table["feature"] == feature) & (table["year"] == year)]
    assert len(rows) == 1, f"{area}/{feature}/{year}: {len(rows)} rows"
    return rows.iloc[0]


@pytest.fixture(scope="module")
def sgb2() -> pd.DataFrame:
    return parse((PARSE / "sgb2.csv").read_bytes(), "sgb2.csv")


# -- the layout ------------------------------------------------------------------------------


def test_tidy_columns_and_one_row_per_area_feature_year(sgb2):
    assert list(sgb2.columns) == ["area_name", "feature", "year", "value", "status", "row"]
    # 16 data rows x 3 years
    assert len(sgb2) == 48
    assert not sgb2.duplicated(["area_name", "feature", "year"]).any()
    assert sorted(sgb2["year"].unique()) == [2021, 2022, 2023]


def test_decimal_comma_with_many_decimals_keeps_every_digit(sgb2):
    assert value(sgb2, "Zentrum", "SGB-II-Quote", 2021)["value"] == pytest.approx(6.41711229946524, abs=1e-14)
    assert value(sgb2, "Zentrum-Ost", "SGB-II-Quote", 2021)["value"] == pytest.approx(7.123456789012345, abs=1e-14)
    assert value(sgb2, "Zentrum", "SGB-II-Quote", 2022)["value"] == 6.1


def test_quoted_integers_are_numbers(sgb2):
    row = value(sgb2, "Zentrum-Ost", "Erwerbsfähige Leistungsberechtigte", 2021)
    assert row["value"] == 480 and row["status"] == "ok"
    assert sgb2["value"].dtype == float


def test_leading_spaces_of_sub_items_are_stripped(sgb2):
    assert not any(name != name.strip() for name in sgb2["feature"].unique())
    assert not any(name != name.strip() for name in sgb2["area_name"].unique())


def test_sub_items_repeated_under_two_parents_get_qualified_names(sgb2):
    features = set(sgb2["feature"])
    assert {
        "Erwerbsfähige Leistungsberechtigte: Männer",
        "Erwerbsfähige Leistungsberechtigte: Frauen",
        "Nicht erwerbsfähige Leistungsberechtigte: Männer",
        "Nicht erwerbsfähige Leistungsberechtigte: Frauen",
    } <= features
    assert "Männer" not in features and "Frauen" not in features
    # the values stay with their own parent
    assert value(sgb2, "Zentrum-Ost", "Erwerbsfähige Leistungsberechtigte: Männer", 2021)["value"] == 250
    assert value(sgb2, "Zentrum-Ost", "Nicht erwerbsfähige Leistungsberechtigte: Männer", 2021)["value"] == 48


def test_sub_items_under_one_parent_keep_their_plain_name():
    table = parse((MIRROR / "kdvalues" / "kdvalues_k2_r1_y.csv").read_bytes(), "einwohner.csv")
    assert set(table["feature"]) == {"Einwohner insgesamt", "Männer", "Frauen"}


def test_row_is_the_line_in_the_file(sgb2):
    assert value(sgb2, "Zentrum", "Erwerbsfähige Leistungsberechtigte", 2021)["row"] == 2
    assert value(sgb2, "Zentrum-Ost", "Leistungsbezieher ohne Arbeit", 2023)["row"] == 17


# -- missing values and official signs -------------------------------------------------------


def test_empty_cell_is_missing_not_zero(sgb2):
    row = value(sgb2, "Zentrum-Ost", "SGB-II-Quote", 2022)
    assert row["status"] == "missing" and math.isnan(row["value"])


def test_dash_means_nothing_with_value_zero(sgb2):
    row = value(sgb2, "Zentrum", "Nicht erwerbsfähige Leistungsberechtigte", 2022)
    assert row["status"] == "nothing" and row["value"] == 0


def test_dot_means_secret_without_a_value(sgb2):
    row = value(sgb2, "Zentrum", "Erwerbsfähige Leistungsberechtigte: Männer", 2023)
    assert row["status"] == "secret" and math.isnan(row["value"])


def test_x_means_not_applicable_without_a_value(sgb2):
    row = value(sgb2, "Zentrum-Ost", "Nicht erwerbsfähige Leistungsberechtigte", 2023)
    assert row["status"] == "not_applicable" and math.isnan(row["value"])


@pytest.mark.parametrize(
    "raw, expected, status",
    [
        ("1,88114643443632", 1.88114643443632, "ok"),
        (" 42 ", 42.0, "ok"),
        ("-3,5", -3.5, "ok"),
        ("-", 0.0, "nothing"),
    ],
)
def test_parse_value(raw, expected, status):
    assert parse_value(raw, "f.csv", 2, "2020") == (expected, status)


def test_whole_year_column_of_zeros_is_unavailable(sgb2):
    for area in ("Zentrum", "Zentrum-Ost"):
        row = value(sgb2, area, "Leistungsbezieher ohne Arbeit", 2023)
        assert row["status"] == "unavailable" and math.isnan(row["value"])


def test_a_single_zero_stays_zero(sgb2):
    row = value(sgb2, "Zentrum", "Leistungsbezieher ohne Arbeit", 2021)
    assert row["status"] == "ok" and row["value"] == 0
    assert value(sgb2, "Zentrum-Ost", "Leistungsbezieher ohne Arbeit", 2021)["value"] == 12


def test_a_zero_that_is_the_only_value_of_its_year_stays_zero():
    # a feature published for one area only: its 0 is a count, not a whole missing column
    content = (HEADER + 'Zentrum,A,"3","5"\nZentrum-Ost,A,"4","6"\nStadt Leipzig,B,"0","2"\n').encode()
    row = value(parse(content, "f.csv"), "Stadt Leipzig", "B", 2022)
    assert row["status"] == "ok" and row["value"] == 0


def test_zero_column_of_one_feature_does_not_touch_another_feature():
    content = (HEADER + 'Zentrum,A,"0","5"\nZentrum-Ost,A,"0","6"\nZentrum,B,"0","1"\nZentrum-Ost,B,"3","2"\n').encode()
    table = parse(content, "f.csv")
    assert value(table, "Zentrum", "A", 2022)["status"] == "unavailable"
    assert value(table, "Zentrum", "B", 2022)["status"] == "ok"
    assert value(table, "Zentrum", "B", 2022)["value"] == 0


# -- line endings, encodings, formats --------------------------------------------------------


def test_crlf_and_lf_give_the_same_table():
    lf = (PARSE / "sgb2.csv").read_bytes().replace(b"\r\n", b"\n")
    crlf = lf.replace(b"\n", b"\r\n")
    assert b"\r\n" in crlf
    pd.testing.assert_frame_equal(parse(lf, "lf.csv"), parse(crlf, "crlf.csv"))


def test_byte_order_mark_is_ignored():
    content = (PARSE / "einwohner_small.csv").read_bytes()
    pd.testing.assert_frame_equal(parse(content, "a.csv"), parse(b"\xef\xbb\xbf" + content, "b.csv"))


def _comparable(table: pd.DataFrame) -> pd.DataFrame:
    """The content of a table; the row numbers differ between the layouts."""
    return table.drop(columns="row").sort_values(["feature", "area_name", "year"]).reset_index(drop=True)


def test_json_bare_list_gives_the_same_table_as_csv():
    from_csv = parse((PARSE / "einwohner_small.csv").read_bytes(), "einwohner_small.csv")
    from_json = parse((PARSE / "einwohner_small.json").read_bytes(), "einwohner_small.json")
    assert len(from_csv) == 24
    pd.testing.assert_frame_equal(_comparable(from_csv), _comparable(from_json))


def test_json_wrapped_in_daten_gives_the_same_table_as_the_bare_list():
    records = json.loads((PARSE / "einwohner_small.json").read_text(encoding="utf-8"))
    wrapped = json.dumps({"daten": records}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    bare = parse((PARSE / "einwohner_small.json").read_bytes(), "bare.json")
    pd.testing.assert_frame_equal(bare, parse(wrapped, "wrapped.json"))
    pd.testing.assert_frame_equal(bare, parse_kdvalues_json(wrapped, "wrapped.json"))


def test_json_levels_come_from_ortsteil_and_stadtbezirk_keys():
    table = parse((PARSE / "einwohner_small.json").read_bytes(), "einwohner_small.json")
    assert set(table["area_name"]) == {"Zentrum", "Zentrum-Ost", "Mitte", "Stadt Leipzig"}
    assert value(table, "Stadt Leipzig", "Einwohner insgesamt", 2022)["value"] == 29770
    assert value(table, "Stadt Leipzig", "Einwohner insgesamt", 2023)["status"] == "missing"


def test_json_sub_items_repeated_under_two_parents_are_qualified():
    records = []
    for parent, men in (("Erwerbsfähige", 10), ("Nicht erwerbsfähige", 3)):
        for area in ("Zentrum", "Zentrum-Ost"):
            records.append({"name": parent, "wert": str(men * 2), "jahr": "2022", "ortsteil": area})
        for area in ("Zentrum", "Zentrum-Ost"):
            records.append({"name": "   Männer", "wert": str(men), "jahr": "2022", "ortsteil": area})
    table = parse(json.dumps(records).encode(), "sgb.json")
    assert value(table, "Zentrum", "Erwerbsfähige: Männer", 2022)["value"] == 10
    assert value(table, "Zentrum", "Nicht erwerbsfähige: Männer", 2022)["value"] == 3


def test_parse_accepts_text_as_well_as_bytes():
    text = (PARSE / "einwohner_small.csv").read_text(encoding="utf-8")
    pd.testing.assert_frame_equal(
        parse_kdvalues_csv(text, "a.csv"), parse((PARSE / "einwohner_small.csv").read_bytes(), "a.csv")
    )


# -- damaged and wrong files -----------------------------------------------------------------


def test_truncated_file_names_the_file_and_the_row():
    content = (HEADER + 'Zentrum,Einwohner insgesamt,"1520","1490"\nZentrum-Ost,Einwohner insgesamt,"61').encode()
    with pytest.raises(ParseError) as caught:
        parse(content, "kdvalues_k2_r1_y.csv")
    message = str(caught.value)
    assert "kdvalues_k2_r1_y.csv" in message and "row 3" in message


def test_file_cut_inside_the_last_value_is_an_error_not_a_smaller_number():
    # all fields present, but the last quoted value lost its end: "6100" became "61
    content = (
        HEADER + 'Zentrum,Einwohner insgesamt,"1520","1490"\nZentrum-Ost,Einwohner insgesamt,"6100","61'
    ).encode()
    with pytest.raises(ParseError) as caught:
        parse(content, "kdvalues_k2_r1_y.csv")
    assert "kdvalues_k2_r1_y.csv" in str(caught.value) and "row 3" in str(caught.value)


def test_latin1_bytes_are_an_error_that_mentions_utf8_and_the_row():
    text = HEADER + 'Zentrum,Einwohner insgesamt,"1520","1490"\nSchönefeld-Ost,Einwohner insgesamt,"1","2"\n'
    with pytest.raises(ParseError) as caught:
        parse(text.encode("latin-1"), "einwohner.csv")
    message = str(caught.value)
    assert "UTF-8" in message and "row 3" in message and "einwohner.csv" in message


@pytest.mark.parametrize("raw", ["1.520", "n/a", "12a", "1,5,2", "1 520"])
def test_text_in_a_number_field_names_row_and_year(raw):
    content = HEADER + f'Zentrum,Einwohner insgesamt,"1520","1490"\nZentrum-Ost,Einwohner insgesamt,"6100","{raw}"\n'
    with pytest.raises(ParseError) as caught:
        parse(content.encode(), "einwohner.csv")
    message = str(caught.value)
    assert "einwohner.csv" in message and "row 3" in message and "2023" in message and raw in message


def test_duplicated_row_names_both_rows():
    content = (
        HEADER + 'Zentrum,Einwohner insgesamt,"1520","1490"\n'
        'Zentrum-Ost,Einwohner insgesamt,"6100","6200"\n'
        'Zentrum,Einwohner insgesamt,"1520","1490"\n'
    ).encode()
    with pytest.raises(ParseError) as caught:
        parse(content, "einwohner.csv")
    message = str(caught.value)
    assert "rows 2, 4" in message and "Zentrum" in message and "Einwohner insgesamt" in message


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html>\n<html><body>Service Unavailable</body></html>",
        b"\n  <html><head><title>502 Bad Gateway</title></head></html>",
        b"<HTML><BODY>Fehler</BODY></HTML>",
    ],
)
def test_html_error_page_is_an_error(page):
    with pytest.raises(ParseError, match="HTML"):
        parse(page, "kdvalues.csv")


def test_city_wide_values_layout_is_recognised():
    content = ('"Kennziffer","Einheit","2021","2022"\r\n"Bevölkerung insgesamt","","600000","605000"\r\n').encode()
    with pytest.raises(ParseError) as caught:
        parse(content, "values.csv")
    message = str(caught.value)
    assert "values" in message and "Kennziffer" in message and "kdvalues" in message


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "empty"),
        (b"  \r\n", "empty"),
        (HEADER.encode(), "no data rows"),
        (b'"Gebiet","Merkmal","2022"\nZentrum,A,"1"\n', "unexpected header"),
        (b'"Gebiet","Sachmerkmal","1.Qu. 2022"\nZentrum,A,"1"\n', "not a year"),
        (b"[]", "no records"),
        (b'{"result": []}', "daten"),
        (b'[{"name": "A", "wert": "1", "jahr": "2022"', "not valid JSON"),
        (b'[{"name": "A", "wert": "1"}]', "lacks"),
        (b'[{"name": "A", "wert": "1", "jahr": "2022", "periode": "q"}]', "only yearly"),
    ],
)
def test_other_damaged_files_raise_parse_errors(content, expected):
    with pytest.raises(ParseError, match=expected):
        parse(content, "f")


def test_empty_area_name_is_an_error():
    with pytest.raises(ParseError, match="row 2"):
        parse((HEADER + ',Einwohner insgesamt,"1","2"\n').encode(), "f.csv")
