"""Bad data, case by case: the checklist of the issue "Trustworthy under bad data and faults".

Every case ends in a clear error (naming the file, the row or area, and what is wrong)
or in a documented, visible handling (a status instead of a number). Never in a
silently wrong number. Where another test file already covers a case, a comment
names that test instead of repeating it, so this file reads as the whole checklist.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from support_data import ALTER, ARBEITSLOSE, MIRROR
from support_layouts import csv_to_json

from sozialbericht.analysis.indicators import compute, read_catalogue
from sozialbericht.data.inputs import load_inputs
from sozialbericht.data.opendata import Cache, LocalSource
from sozialbericht.data.parse import parse
from sozialbericht.errors import DataSourceError, GeographyError, ParseError, SozialberichtError

K2_R1 = "kdvalues/kdvalues_k2_r1_y.csv"  # Einwohner: Ortsteile, Stadtbezirke, city (recorded layout)
K2_R3 = "kdvalues/kdvalues_k2_r3_y.csv"  # Jugendquote, Durchschnittsalter (recorded layout)
K7_R3 = "kdvalues/kdvalues_k7_r3_y.csv"  # Arbeitslose: Ortsteile only (derived layout)

CATALOGUE = """\
chapters:
  - {id: arbeit, title: "Arbeit", notebook: arbeit}
indicators:
  - id: arbeitslose
    title: "Arbeitslose"
    chapter: arbeit
    numerator: {dataset: arbeitslose, feature: "Arbeitslose insgesamt"}
    unit: "Personen"
    direction: higher_worse
    definition: "Arbeitslose"
  - id: langzeit
    title: "Anteil der Langzeitarbeitslosen"
    chapter: arbeit
    numerator: {dataset: arbeitslose, feature: "Langzeitarbeitslose"}
    denominator: {dataset: arbeitslose, feature: "Arbeitslose insgesamt"}
    factor: 100
    unit: "%"
    direction: higher_worse
    definition: "Langzeitarbeitslose je 100 Arbeitslose"
"""


def load(folder, specs, tmp_path, source=None):
    return load_inputs(source=source or LocalSource(folder), specs=specs, cache=Cache(tmp_path / "cache"))


def row(table: pd.DataFrame, area: str, year: int, feature: str | None = None) -> pd.Series:
    rows = table[(table["area_name"] == area) & (table["year"] == year)]
    if feature is not None:
        rows = rows[rows["feature"] == feature]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.fixture
def indicators(tmp_path, specs):
    path = tmp_path / "indicators.yml"
    path.write_text(CATALOGUE, encoding="utf-8")
    return read_catalogue(path, datasets=specs).indicators


# -- 1. truncated file ---------------------------------------------------------------------------
# Cut inside a value: test_parse.py::test_truncated_file_names_the_file_and_the_row and
# test_parse.py::test_file_cut_inside_the_last_value_is_an_error_not_a_smaller_number.
# Cut by the network: test_opendata.py::test_connection_cut_every_time_is_a_clear_error (Content-Length
# check) and test_inputs.py::test_a_response_that_does_not_parse_is_not_cached (nothing cached).


def test_file_cut_at_a_line_break_names_the_missing_ortsteile(mirror, specs, tmp_path):
    path = mirror / K7_R3
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:15]))  # Langzeitarbeitslose keeps Zentrum and Zentrum-Ost only
    with pytest.raises(ParseError) as caught:
        load(mirror, specs, tmp_path)
    message = str(caught.value)
    assert "kdvalues_k7_r3_y.csv" in message and "'Langzeitarbeitslose'" in message
    assert "Schönefeld-Abtnaundorf, Schönefeld-Ost" in message and "2 of 4 missing" in message
    assert "truncated" in message


@pytest.mark.parametrize("cut, missing", [(1, "the city Stadt Leipzig"), (2, "the Stadtbezirk(e) Nordost")])
def test_file_cut_before_its_last_stadtbezirk_or_city_rows_is_an_error(mirror, specs, tmp_path, cut, missing):
    # Found by this checklist: the cut city row used to be replaced by the sum of the Ortsteile
    # (status "aggregated"), which is not the published number (the city counts people without
    # an Ortsteil). inputs._check_complete now checks Stadtbezirk and city rows as well.
    path = mirror / K2_R1
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-cut]))
    with pytest.raises(ParseError) as caught:
        load(mirror, specs, tmp_path)
    message = str(caught.value)
    assert "kdvalues_k2_r1_y.csv" in message and "'Frauen'" in message and missing in message
    assert "truncated" in message


def _comparable(table: pd.DataFrame) -> pd.DataFrame:
    columns = ["area_name", "level", "value", "status", "row"]
    return table.set_index(["dataset", "feature", "area_code", "year"])[columns].sort_index()


@pytest.mark.parametrize("name", [K2_R1, K2_R3, K7_R3])
def test_a_cut_at_any_line_break_never_changes_a_number_silently(mirror, specs, tmp_path, name):
    """Either an error, or whole features are gone (asking for one is an error); the rest is unchanged.

    Found by this test: cuts inside or after the Stadtbezirk/city rows used to pass, and the
    sum of the Ortsteile stood in for the published value; inputs._check_complete now stops them.
    """
    full = _comparable(load(mirror, specs, tmp_path).table)
    path = mirror / name
    lines = path.read_bytes().splitlines(keepends=True)
    passed = 0
    for keep in range(2, len(lines)):
        path.write_bytes(b"".join(lines[:keep]))
        try:
            inputs = load(mirror, specs, tmp_path)
        except ParseError as error:
            assert name.split("/")[1] in str(error) and "truncated" in str(error)
            continue
        passed += 1
        cut = _comparable(inputs.table)
        # One cut cannot be seen in the file: right after the Ortsteil rows of its first feature a file
        # with published Stadtbezirk and city rows looks like an Ortsteil-only file. Its higher levels
        # are then the sum of the Ortsteile, visibly marked "aggregated" instead of published.
        summed = cut.index[(cut["status"] == "aggregated") & (full.loc[cut.index, "status"] != "aggregated")]
        assert summed.empty or (keep == 1 + 4 and name != K7_R3)
        same = cut.index.difference(summed)
        pd.testing.assert_frame_equal(cut.loc[same], full.loc[same])
        gone = set(full.index.droplevel([2, 3])) - set(cut.index.droplevel([2, 3]))
        assert gone  # something is missing, but only whole features
        for dataset, feature in gone:
            with pytest.raises(SozialberichtError, match="is not in dataset"):
                inputs.series(dataset, feature)
    # the cuts between two features pass only where data/datasets.yml names none of the lost features:
    # the alter and arbeitslose specs name their last feature, so every cut of those files is an error
    assert (passed >= 1) == (name == K2_R1)


# -- 2. wrong encoding ---------------------------------------------------------------------------
# Latin-1 (Windows-1252) bytes: test_parse.py::test_latin1_bytes_are_an_error_that_mentions_utf8_and_the_row.


def test_utf8_decoded_as_latin1_and_saved_again_is_an_unknown_area_with_a_hint(mirror, specs, tmp_path):
    path = mirror / K7_R3
    path.write_bytes(path.read_bytes().decode("utf-8").encode("utf-8").decode("latin-1").encode("utf-8"))
    with pytest.raises(GeographyError) as caught:
        load(mirror, specs, tmp_path)
    message = str(caught.value)
    assert "kdvalues_k7_r3_y.csv" in message and "row 4" in message
    assert "'SchÃ¶nefeld-Abtnaundorf'" in message and "Closest known names: Schönefeld-Abtnaundorf" in message


# -- 3. text in a number field -------------------------------------------------------------------
# CSV: test_parse.py::test_text_in_a_number_field_names_row_and_year ("1.520", "n/a", "12a", ...).


@pytest.mark.parametrize("wert", ["1.520", "n/a", 16.8, True])
def test_text_in_a_number_field_of_json_names_the_record_and_the_year(wert):
    records = [
        {"name": "Arbeitslose", "wert": "60", "jahr": "2022", "ortsteil": "Zentrum"},
        {"name": "Arbeitslose", "wert": wert, "jahr": "2023", "ortsteil": "Zentrum"},
    ]
    content = json.dumps(records, ensure_ascii=False).encode("utf-8")
    with pytest.raises(ParseError) as caught:
        parse(content, "arbeitslose.json")
    message = str(caught.value)
    assert "arbeitslose.json" in message and "row 2" in message and "2023" in message and str(wert) in message


# -- 4. negative counts --------------------------------------------------------------------------
# test_inputs.py::test_negative_count_is_an_error_naming_file_row_and_year (and
# test_inputs.py::test_negative_value_of_a_rate_is_accepted: a negative rate or balance is fine).

# -- 5. duplicated rows --------------------------------------------------------------------------
# test_parse.py::test_duplicated_row_names_both_rows.

# -- 6. an area name the geography does not know --------------------------------------------------
# test_inputs.py::test_unknown_area_name_in_a_data_file and
# test_geography.py::test_unknown_area_names_the_file_the_row_and_a_close_match.

# -- 7. an Ortsteil missing from a year (empty cell) ----------------------------------------------
# Status and sums: test_parse.py::test_empty_cell_is_missing_not_zero,
# test_inputs.py::test_a_missing_ortsteil_value_makes_the_sum_missing,
# test_aggregate.py::test_one_missing_ortsteil_value_makes_the_sum_missing_not_smaller.
# An Ortsteil row absent altogether: test_aggregate.py::test_an_ortsteil_absent_from_the_file_makes_the_sum_missing
# and case 1 above (load_inputs stops).


def test_missing_ortsteil_value_leaves_the_indicators_of_its_stadtbezirk_and_the_city_empty(
    mirror, specs, tmp_path, indicators
):
    inputs = load(mirror, specs, tmp_path)  # Schönefeld-Ost (Nordost), Arbeitslose insgesamt 2022: ""
    counts = compute(inputs, indicators["arbeitslose"])
    for area in ("Schönefeld-Ost", "Nordost", "Stadt Leipzig"):
        assert math.isnan(row(counts, area, 2022)["value"]) and row(counts, area, 2022)["status"] == "missing"
    assert row(counts, "Mitte", 2022)["value"] == 248 and row(counts, "Mitte", 2022)["status"] == "aggregated"
    shares = compute(inputs, indicators["langzeit"])  # the empty cell is the denominator here
    for area in ("Schönefeld-Ost", "Nordost", "Stadt Leipzig"):
        assert math.isnan(row(shares, area, 2022)["value"])
        assert row(shares, area, 2022)["status"] == "denominator_missing"
    assert row(shares, "Mitte", 2022)["value"] == pytest.approx(43 / 248 * 100)


# -- 8. a dataset renamed in the catalogue ---------------------------------------------------------
# A title in datasets.yml that is misspelt: test_inputs.py::test_dataset_missing_from_the_folder_suggests_a_title,
# test_opendata.py::test_unknown_title_suggests_the_closest, test_opendata.py::test_live_unknown_title_suggests_the_closest.
# Here the city renamed it: the catalogue (INDEX.csv, CKAN) no longer has the title of datasets.yml.

RENAMED = "Arbeitslose nach Rechtskreisen (Jahreszahlen, kleinräumig)"


@pytest.mark.parametrize("where", ["local", "live"])
def test_dataset_renamed_in_the_catalogue_is_an_error_suggesting_the_new_title(
    mirror, specs, tmp_path, fake_api, where
):
    if where == "local":
        index = mirror / "INDEX.csv"
        index.write_text(index.read_text(encoding="utf-8").replace(ARBEITSLOSE, RENAMED), encoding="utf-8")
        source = LocalSource(mirror)
    else:
        fake_api.datasets[RENAMED] = fake_api.datasets.pop(ARBEITSLOSE)
        source = fake_api.source()
    with pytest.raises(DataSourceError) as caught:
        load(mirror, specs, tmp_path, source)
    message = str(caught.value)
    assert repr(ARBEITSLOSE) in message and "Did you mean" in message and repr(RENAMED) in message
    assert "data/datasets.yml" in message
    assert not list((tmp_path / "cache").glob("*.data"))  # nothing of the failed load is kept


# -- 9. a dataset renumbered in the catalogue --------------------------------------------------------
# The live source alone: test_opendata.py::test_live_follows_moved_rubrik_numbers.


@pytest.mark.parametrize("where", ["local", "live"])
def test_dataset_renumbered_in_the_catalogue_is_found_by_its_title(mirror, specs, tmp_path, fake_api, where):
    reference = load(MIRROR, specs, tmp_path / "reference")
    if where == "local":
        (mirror / K2_R3).rename(mirror / "kdvalues" / "kdvalues_k2_r7_y.csv")
        index = mirror / "INDEX.csv"
        index.write_text(
            index.read_text(encoding="utf-8").replace("kdvalues_k2_r3_y.csv,2,3,", "kdvalues_k2_r7_y.csv,2,7,"),
            encoding="utf-8",
        )
        source = LocalSource(mirror)
    else:
        fake_api.datasets[ALTER] = (2, 7, fake_api.datasets[ALTER][2])
        source = fake_api.source()
    inputs = load(mirror, specs, tmp_path, source)
    pd.testing.assert_frame_equal(inputs.table, reference.table)
    record = next(m for m in inputs.manifest if m.get("dataset") == "alter")
    assert (record["kategorie_nr"], record["rubrik_nr"]) == (2, 7)  # the manifest tells the new number


# -- 10. a whole year column of zeros standing for "not available" ------------------------------------
# Status: test_parse.py::test_whole_year_column_of_zeros_is_unavailable, test_parse.py::test_a_single_zero_stays_zero;
# sums: test_inputs.py::test_nothing_sign_counts_as_zero_and_unavailable_years_stay_unavailable.


def test_year_column_of_zeros_is_excluded_from_indicators(mirror, specs, tmp_path, indicators):
    inputs = load(mirror, specs, tmp_path)  # Langzeitarbeitslose 2023 is "0" in every Ortsteil
    shares = compute(inputs, indicators["langzeit"])
    in_2023 = shares[shares["year"] == 2023]
    assert len(in_2023) == 7 and in_2023["value"].isna().all()
    assert set(in_2023.loc[in_2023["level"] == "Ortsteil", "status"]) == {"unavailable"}
    # the sum of unavailable Ortsteile has no value either (aggregate.py marks it missing)
    assert set(in_2023.loc[in_2023["level"] != "Ortsteil", "status"]) <= {"unavailable", "missing"}
    # a single 0 in another year stays a number: Zentrum 2021 is "-" (nothing), i.e. a share of 0
    assert row(shares, "Zentrum", 2021)["value"] == 0 and row(shares, "Zentrum", 2021)["status"] == "ok"


# -- 11. the official signs -, ., x ---------------------------------------------------------------
# Parser: test_parse.py::test_dash_means_nothing_with_value_zero, test_dot_means_secret_without_a_value,
# test_x_means_not_applicable_without_a_value; sums: test_aggregate.py::test_signs_without_a_value_make_the_sum_missing,
# test_aggregate.py::test_nothing_counts_as_zero_in_a_sum; generated tables and indicators:
# test_properties.py::test_csv_round_trip_keeps_every_value_and_status,
# test_properties.py::test_share_stays_within_zero_and_factor_or_is_nan_with_a_status.

# -- 12. a JSON response instead of CSV ------------------------------------------------------------
# Parser: test_parse.py::test_json_bare_list_gives_the_same_table_as_csv and the round trips in test_properties.py.


@pytest.mark.parametrize("where", ["local", "live"])
def test_json_response_instead_of_csv_gives_the_same_inputs(mirror, specs, tmp_path, fake_api, where):
    reference = load(MIRROR, specs, tmp_path / "reference")
    content = csv_to_json((MIRROR / K7_R3).read_bytes())
    if where == "local":
        (mirror / K7_R3).write_bytes(content)
        source = LocalSource(mirror)
    else:
        fake_api.datasets[ARBEITSLOSE] = (7, 3, content)  # served as text/csv, as a misconfigured server would
        source = fake_api.source()
    inputs = load(mirror, specs, tmp_path, source)
    # equal but for "row": in JSON it is the number of the record
    pd.testing.assert_frame_equal(inputs.table.drop(columns="row"), reference.table.drop(columns="row"))
    pd.testing.assert_frame_equal(inputs.sum_checks, reference.sum_checks)


# -- 13. a different layout version ----------------------------------------------------------------
# The city-wide "values" layout (Kennziffer, ...): test_parse.py::test_city_wide_values_layout_is_recognised;
# quarterly instead of yearly columns: test_parse.py::test_other_damaged_files_raise_parse_errors.


@pytest.mark.parametrize(
    "header, expected",
    [
        (
            '"Gebiet","Sachmerkmal","Merkmal_1","Merkmal_2","Merkmal_3","Merkmal_4","2022","2023"',
            "column 'Merkmal_1' is not a year: this is another layout version",
        ),
        (
            '"Gebiet","Merkmal_1","Merkmal_2","Merkmal_3","Merkmal_4","2022","2023"',
            "unexpected header ['Gebiet', 'Merkmal_1'",
        ),
    ],
)
def test_layout_with_columns_merkmal_1_to_4_is_a_clear_error(mirror, specs, tmp_path, header, expected):
    extra = header.count("Merkmal_") - (0 if "Sachmerkmal" in header else 1)
    body = "".join(
        f'{area},Arbeitslose insgesamt,{"," * extra}"60","55"\n'
        for area in ("Zentrum", "Zentrum-Ost", "Schönefeld-Abtnaundorf", "Schönefeld-Ost")
    )
    (mirror / K7_R3).write_text(header + "\n" + body, encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        load(mirror, specs, tmp_path)
    message = str(caught.value)
    assert "kdvalues_k7_r3_y.csv" in message and "row 1" in message and expected in message
    assert '"Gebiet","Sachmerkmal"' in message  # what the parser expects instead


# -- 14. damaged geometry (issue 18, defect 3) ---------------------------------------------------------
# A null geometry used to fail inside a notebook with a TypeError naming no file; an empty outline,
# a self-crossing outline or an Ortsteil displaced by 100 degrees were published silently.

SQUARE = [[12.36, 51.33], [12.38, 51.33], [12.38, 51.35], [12.36, 51.35], [12.36, 51.33]]
BOWTIE = [[12.36, 51.33], [12.38, 51.35], [12.38, 51.33], [12.36, 51.35], [12.36, 51.33]]
# a square whose outline runs out along one edge and back (a zero-width spike): invalid, but the
# repair removes only the spike and keeps the area
SPIKE = [[12.36, 51.33], [12.37, 51.33], [12.37, 51.32], [12.37, 51.33], [12.38, 51.33]] + SQUARE[2:]


def _damage_zentrum(mirror, geometry) -> None:
    path = mirror / "geo" / "ortsteile.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    collection["features"][0]["geometry"] = geometry
    path.write_text(json.dumps(collection), encoding="utf-8")


@pytest.mark.parametrize(
    "geometry, expected",
    [
        (None, "has no geometry (null)"),
        ({"type": "Polygon", "coordinates": []}, "has an empty geometry"),
        ({"type": "Polygon", "coordinates": [BOWTIE]}, "is not a valid polygon"),
        ({"type": "Point", "coordinates": [12.37, 51.34]}, "not an area"),
        (
            {"type": "Polygon", "coordinates": [[[x + 100, y] for x, y in SQUARE]]},
            "lies outside the area around Leipzig",
        ),
    ],
    ids=["null", "empty", "self-crossing", "point", "displaced"],
)
def test_damaged_geometry_is_an_error_naming_the_file_and_the_feature(mirror, specs, tmp_path, geometry, expected):
    _damage_zentrum(mirror, geometry)
    with pytest.raises(GeographyError) as caught:
        load(mirror, specs, tmp_path)
    message = str(caught.value)
    assert "ortsteile.geojson" in message and "feature 1 (Ortsteil 00 'Zentrum')" in message
    assert expected in message


def test_an_outline_with_a_spike_is_repaired_and_the_repair_is_recorded_for_the_appendix(mirror, specs, tmp_path):
    _damage_zentrum(mirror, {"type": "Polygon", "coordinates": [SPIKE]})
    inputs = load(mirror, specs, tmp_path)
    zentrum = inputs.geography.ortsteile.set_index("area_name").geometry["Zentrum"]
    assert zentrum.is_valid and zentrum.area == pytest.approx(0.02 * 0.02)
    record = next(m for m in inputs.manifest if m["name"] == "Geometrie: ortsteile")
    assert len(record["repairs"]) == 1 and record["repairs"][0].startswith("Ortsteil Zentrum: ungültige Umrisslinie")


# -- 15. a file cut between two features (issue 18, defect 6) -------------------------------------------


def test_file_cut_before_a_feature_named_in_datasets_yml_is_an_error_suggesting_truncation(mirror, specs, tmp_path):
    # the last feature, "Anteil an den Erwerbsfähigen", is named in the specs (like data/datasets.yml)
    path = mirror / K7_R3
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:17]))
    with pytest.raises(ParseError) as caught:
        load(mirror, specs, tmp_path)
    message = str(caught.value)
    assert "kdvalues_k7_r3_y.csv" in message and "'Anteil an den Erwerbsfähigen'" in message
    assert "truncated" in message and "data/datasets.yml" in message


def test_asking_for_a_feature_a_cut_file_lacks_names_the_file_and_the_likely_cause(mirror, specs, tmp_path):
    path = mirror / K7_R3
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:13] + lines[17:]))  # Langzeitarbeitslose (not named in the specs) gone
    inputs = load(mirror, specs, tmp_path)
    with pytest.raises(SozialberichtError) as caught:
        inputs.series("arbeitslose", "Langzeitarbeitslose")
    message = str(caught.value)
    assert "kdvalues_k7_r3_y.csv" in message and "truncated" in message


# -- 16. a year column missing in the middle (issue 18, defect 7) ---------------------------------------


def _drop_year_column(path, year: str) -> None:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    position = rows[0].index(year)
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(
        [row[:position] + row[position + 1 :] for row in rows]
    )
    path.write_text(out.getvalue(), encoding="utf-8")


def test_a_missing_middle_year_stays_in_the_tables_as_missing_year_and_the_manifest_names_it(
    mirror, specs, tmp_path, indicators
):
    _drop_year_column(mirror / K7_R3, "2022")
    inputs = load(mirror, specs, tmp_path)
    rows = inputs.table[(inputs.table["dataset"] == "arbeitslose") & (inputs.table["year"] == 2022)]
    assert not rows.empty and set(rows["status"]) <= {"missing_year", "missing"}
    assert rows["value"].isna().all()
    assert row(rows, "Zentrum", 2022, "Arbeitslose insgesamt")["status"] == "missing_year"
    record = next(m for m in inputs.manifest if m.get("dataset") == "arbeitslose")
    assert record["years"] == "2021–2023 (ohne 2022)" and record["missing_years"] == [2022]
    values = compute(inputs, indicators["arbeitslose"])
    year_2022 = values[values["year"] == 2022]
    assert not year_2022.empty and year_2022["value"].isna().all()


def test_survey_years_every_second_year_are_not_gaps(mirror, specs, tmp_path):
    from sozialbericht.data.inputs import mark_missing_years

    _drop_year_column(mirror / K7_R3, "2022")  # 2021, 2023: the rhythm of the Bürgerumfrage
    table = parse((mirror / K7_R3).read_bytes(), "k7.csv")
    marked, gaps = mark_missing_years(table, step=2)
    assert gaps == [] and len(marked) == len(table)
    assert mark_missing_years(table, step=1)[1] == [2022]


# -- 17. the build machine's paths (issue 18, defect 8) -------------------------------------------------


def test_manifest_and_appendix_name_files_relative_to_the_data_folder(mirror, specs, tmp_path):
    from sozialbericht.report.pages import input_notes

    _drop_year_column(mirror / K7_R3, "2022")
    _damage_zentrum(mirror, {"type": "Polygon", "coordinates": [SPIKE]})
    inputs = load(mirror, specs, tmp_path)
    published = json.dumps(inputs.manifest, ensure_ascii=False) + input_notes(inputs.manifest)
    assert str(tmp_path) not in published and str(mirror) not in published
    sources = {m["name"]: m["source"] for m in inputs.manifest}
    assert sources["Geometrie: ortsteile"] == "geo/ortsteile.geojson"
    assert sources[ARBEITSLOSE] == K7_R3
    # the appendix lists the gap and the repair
    notes = input_notes(inputs.manifest)
    assert "„Arbeitslose (Jahreszahlen, kleinräumig)“: Das Jahr 2022 fehlt in der Datei" in notes
    assert "Ortsteil Zentrum" in notes and "ungültige Umrisslinie" in notes


# -- 18. oversized catalogue text (issue 18, defect 4) ---------------------------------------------------
# A 5 MB measure description was accepted; the website compile took 656 s instead of 7-17 s.


@pytest.mark.parametrize("field, size", [("description", 5_000_000), ("title", 201)])
def test_an_oversized_measure_text_is_an_error_naming_file_entry_and_field(tmp_path, field, size):
    import shutil

    from sozialbericht import settings as config
    from sozialbericht.policy.schema import load_policy

    for path in config.DATA_DIR.glob("*.yml"):
        shutil.copy(path, tmp_path / path.name)
    measures = tmp_path / "measures.yml"
    lines = measures.read_text(encoding="utf-8").splitlines(keepends=True)
    position = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{field}:"))
    indent = lines[position][: len(lines[position]) - len(lines[position].lstrip())]
    lines[position] = f'{indent}{field}: "{"x" * size}"\n'
    measures.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SozialberichtError) as caught:
        load_policy(2022, tmp_path)
    message = str(caught.value)
    assert "measures.yml" in message and f"'{field}'" in message and "ist zu lang (höchstens" in message
    assert len(message) < 2000  # the text itself is not repeated
