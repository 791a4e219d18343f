"""load_inputs: every input fetched, parsed, joined to areas, completed, and traced in the manifest."""

from __future__ import annotations

import hashlib
import json
import math

import pandas as pd
import pytest
from support_data import ALTER, ARBEITSLOSE, EINWOHNER

from sozialbericht import settings as config
from sozialbericht.data.inputs import TIDY_COLUMNS, load_inputs, read_dataset_specs, read_inputs
from sozialbericht.data.opendata import Cache, LocalSource
from sozialbericht.errors import CatalogueError, DataSourceError, GeographyError, ParseError, SozialberichtError


def get(inputs, dataset, feature, area, year) -> pd.Series:
    table = inputs.table
    rows = table[
        (table["dataset"] == dataset)
        & (table["feature"] == feature)
        & (table["area_name"] == area)
        & (table["year"] == year)
    ]
    assert len(rows) == 1, f"{dataset}/{feature}/{area}/{year}: {len(rows)} rows"
    return rows.iloc[0]


@pytest.fixture
def local_inputs(mirror, specs, tmp_path):
    return load_inputs(source=LocalSource(mirror), specs=specs, cache=Cache(tmp_path / "cache"))


# -- local folder ------------------------------------------------------------------------------


def test_tidy_table_with_codes_and_levels(local_inputs):
    table = local_inputs.table
    assert list(table.columns) == TIDY_COLUMNS
    assert set(table["dataset"]) == {"einwohner", "alter", "arbeitslose"}
    assert table["area_code"].notna().all() and table["level"].notna().all()
    assert not table.duplicated(["dataset", "feature", "area_code", "year"]).any()
    assert local_inputs.years("arbeitslose") == [2021, 2022, 2023]
    assert local_inputs.source.startswith("lokaler Ordner")


def test_counts_are_summed_where_the_file_lacks_higher_levels(local_inputs):
    mitte = get(local_inputs, "arbeitslose", "Arbeitslose insgesamt", "Mitte", 2021)
    assert (mitte["value"], mitte["status"], mitte["area_code"], mitte["level"]) == (
        270,
        "aggregated",
        "0",
        "Stadtbezirk",
    )
    assert pd.isna(mitte["row"])  # not from a line of the file
    assert get(local_inputs, "arbeitslose", "Arbeitslose insgesamt", "Nordost", 2021)["value"] == 1725
    city = get(local_inputs, "arbeitslose", "Arbeitslose insgesamt", "Stadt Leipzig", 2023)
    assert (city["value"], city["status"], city["area_code"]) == (1916, "aggregated", config.CITY_CODE)


def test_a_missing_ortsteil_value_makes_the_sum_missing(local_inputs):
    # Schönefeld-Ost 2022 is "" in the file
    assert get(local_inputs, "arbeitslose", "Arbeitslose insgesamt", "Schönefeld-Ost", 2022)["status"] == "missing"
    for area in ("Nordost", "Stadt Leipzig"):
        row = get(local_inputs, "arbeitslose", "Arbeitslose insgesamt", area, 2022)
        assert math.isnan(row["value"]) and row["status"] == "missing"
    # the other Stadtbezirk is still complete
    assert get(local_inputs, "arbeitslose", "Arbeitslose insgesamt", "Mitte", 2022)["value"] == 248


def test_nothing_sign_counts_as_zero_and_unavailable_years_stay_unavailable(local_inputs):
    assert get(local_inputs, "arbeitslose", "Langzeitarbeitslose", "Mitte", 2021)["value"] == 41
    assert get(local_inputs, "arbeitslose", "Langzeitarbeitslose", "Stadt Leipzig", 2022)["value"] == 359
    assert get(local_inputs, "arbeitslose", "Langzeitarbeitslose", "Zentrum", 2023)["status"] == "unavailable"
    row = get(local_inputs, "arbeitslose", "Langzeitarbeitslose", "Stadt Leipzig", 2023)
    assert math.isnan(row["value"]) and row["status"] != "aggregated"


def test_rates_are_never_summed(local_inputs):
    table = local_inputs.table
    share = table[(table["dataset"] == "arbeitslose") & (table["feature"] == "Anteil an den Erwerbsfähigen")]
    assert set(share["level"]) == {"Ortsteil"}  # no summed shares for Stadtbezirke or the city
    # published rates and means stay as published
    assert get(local_inputs, "alter", "Durchschnittsalter", "Mitte", 2022)["value"] == 37.1
    assert get(local_inputs, "alter", "Jugendquote", "Stadt Leipzig", 2023)["value"] == 20.2
    assert "aggregated" not in set(table.loc[table["dataset"] == "alter", "status"])
    assert "alter" not in set(local_inputs.sum_checks["dataset"])


def test_published_sums_are_checked_and_the_difference_reported(local_inputs):
    checks = local_inputs.sum_checks
    # the fixture has exactly one deliberate difference: Nordost, Einwohner insgesamt, 2023
    assert len(checks) == 1, checks
    check = checks.iloc[0]
    assert (check["dataset"], check["feature"], check["year"]) == ("einwohner", "Einwohner insgesamt", 2023)
    assert (check["area_name"], check["area_code"]) == ("Nordost", "1")
    assert (check["published"], check["sum_of_ortsteile"], check["difference"]) == (22307, 22300, 7)
    # the published value is what the table carries
    assert get(local_inputs, "einwohner", "Einwohner insgesamt", "Nordost", 2023)["value"] == 22307
    assert "aggregated" not in set(local_inputs.table.loc[local_inputs.table["dataset"] == "einwohner", "status"])


def test_manifest_traces_every_input(local_inputs, mirror):
    manifest = local_inputs.manifest
    assert len(manifest) == 2 + 3  # two geometries, three datasets
    for record in manifest:
        path = record["source"]  # relative to the data folder: no path of the build machine is published
        assert not path.startswith("/")
        with open(mirror / path, "rb") as handle:
            assert record["sha256"] == hashlib.sha256(handle.read()).hexdigest()
        assert record["licence"] == config.LICENCE and record["attribution"] == config.ATTRIBUTION
        assert record["retrieved_at"]
    by_dataset = {m["dataset"]: m for m in manifest if "dataset" in m}
    assert by_dataset["arbeitslose"]["name"] == ARBEITSLOSE
    assert (by_dataset["arbeitslose"]["kategorie_nr"], by_dataset["arbeitslose"]["rubrik_nr"]) == (7, 3)
    assert by_dataset["arbeitslose"]["years"] == "2021–2023"
    assert by_dataset["einwohner"]["rows"] == 21 * 3


def test_local_folder_is_not_copied_into_the_cache(mirror, specs, tmp_path):
    load_inputs(source=LocalSource(mirror), specs=specs, cache=Cache(tmp_path / "cache"))
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_unknown_area_name_in_a_data_file(mirror, specs, tmp_path):
    path = mirror / "kdvalues" / "kdvalues_k7_r3_y.csv"
    path.write_bytes(path.read_bytes().replace(b"Zentrum-Ost,Frauen", b"Zentrum Ost,Frauen"))
    with pytest.raises(GeographyError) as caught:
        load_inputs(source=LocalSource(mirror), specs=specs, cache=Cache(tmp_path / "cache"))
    message = str(caught.value)
    assert "kdvalues_k7_r3_y.csv" in message and "row 11" in message
    assert "'Zentrum Ost'" in message and "Zentrum-Ost" in message


def test_negative_count_is_an_error_naming_file_row_and_year(mirror, specs, tmp_path):
    path = mirror / "kdvalues" / "kdvalues_k7_r3_y.csv"
    path.write_bytes(path.read_bytes().replace(b'Zentrum-Ost,Frauen,"100","90"', b'Zentrum-Ost,Frauen,"100","-90"'))
    with pytest.raises(ParseError) as caught:
        load_inputs(source=LocalSource(mirror), specs=specs, cache=Cache(tmp_path / "cache"))
    message = str(caught.value)
    assert "kdvalues_k7_r3_y.csv" in message and "row 11" in message and "2022" in message
    assert "negative" in message


def test_negative_value_of_a_rate_is_accepted(mirror, specs, tmp_path):
    path = mirror / "kdvalues" / "kdvalues_k2_r3_y.csv"
    path.write_bytes(path.read_bytes().replace(b'"36,5"', b'"-36,5"'))
    inputs = load_inputs(source=LocalSource(mirror), specs=specs, cache=Cache(tmp_path / "cache"))
    assert get(inputs, "alter", "Durchschnittsalter", "Zentrum-Ost", 2022)["value"] == -36.5


def test_dataset_missing_from_the_folder_suggests_a_title(mirror, specs, tmp_path):
    specs["alter"].title = "Einwohner nach Alter (Jahreszahlen)"
    with pytest.raises(DataSourceError, match="Did you mean"):
        load_inputs(source=LocalSource(mirror), specs=specs, cache=Cache(tmp_path / "cache"))


def test_series_of_an_unknown_feature_lists_the_known_ones(local_inputs):
    assert len(local_inputs.series("einwohner", "Männer")) == 7 * 3
    with pytest.raises(SozialberichtError) as caught:
        local_inputs.series("einwohner", "Maenner")
    assert "Männer" in str(caught.value)


def test_saved_inputs_read_back_equal(local_inputs, tmp_path):
    path = tmp_path / "build" / "inputs.pickle"
    local_inputs.save(path)
    again = read_inputs(path)
    pd.testing.assert_frame_equal(again.table, local_inputs.table)
    assert again.manifest == local_inputs.manifest


# -- dataset specs -----------------------------------------------------------------------------


def test_project_dataset_specs_are_valid():
    specs = read_dataset_specs()
    assert specs and all(spec.title for spec in specs.values())
    titles = [spec.title for spec in specs.values()]
    assert len(titles) == len(set(titles))


def test_spec_kind_of_a_feature_falls_back_to_the_default(specs):
    assert specs["arbeitslose"].kind("Anteil an den Erwerbsfähigen") == "share"
    assert specs["arbeitslose"].kind("Männer") == "count"
    assert specs["arbeitslose"].unit_of("Männer") == "Personen"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("datasets:\n  a: {title: A, default_kind: sum}\n", "'sum'"),
        ("datasets:\n  a: {title: A, features: {B: {kind: total}}}\n", "'total'"),
        ("datasets:\n  a: {default_kind: count}\n", "Feld 'datasets.a.title': fehlt"),
        ("datasets: {}\n", "Feld 'datasets': darf nicht leer sein"),
        ("datasets:\n  a: [unclosed\n", "kein gültiges YAML"),
    ],
)
def test_invalid_dataset_specs(tmp_path, text, expected):
    path = tmp_path / "datasets.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=expected):
        read_dataset_specs(path)


# -- live API with cache ------------------------------------------------------------------------


def cached_files(directory):
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_live_load_caches_every_input_with_a_manifest(fake_api, specs, tmp_path):
    cache_dir = tmp_path / "cache"
    inputs = load_inputs(source=fake_api.source(), specs=specs, cache=Cache(cache_dir, max_age_hours=1))
    assert inputs.source.startswith("Open-Data-Schnittstelle http://127.0.0.1:")
    data_files = sorted(cache_dir.glob("*.data"))
    assert len(data_files) == 5 and len(list(cache_dir.glob("*.manifest.json"))) == 5
    assert not [p for p in cache_dir.iterdir() if ".tmp" in p.name]
    served = {fake_api.datasets[t][2] for t in (EINWOHNER, ALTER, ARBEITSLOSE)} | set(fake_api.geo.values())
    for data_file in data_files:
        manifest = json.loads(data_file.with_suffix(".manifest.json").read_text(encoding="utf-8"))
        assert data_file.read_bytes() in served
        assert manifest["sha256"] == hashlib.sha256(data_file.read_bytes()).hexdigest()
        assert manifest["source"].startswith(fake_api.base)
        assert manifest["licence"] == config.LICENCE
    # the same result as from the local folder
    assert len(inputs.sum_checks) == 1 and inputs.sum_checks.iloc[0]["difference"] == 7
    kdvalues = [m["source"] for m in inputs.manifest if "dataset" in m]
    assert f"{fake_api.base}api/kdvalues?kategorie_nr=7&rubrik_nr=3&periode=y&format=csv" in kdvalues


def test_second_load_is_served_from_the_cache(fake_api, specs, tmp_path):
    cache = Cache(tmp_path / "cache", max_age_hours=1)
    first = load_inputs(source=fake_api.source(), specs=specs, cache=cache)
    requests = len(fake_api.requests)
    for route in ("catalogue", "geo_meta", "geo", "kdvalues"):
        fake_api.plan(route, 500)  # the service is down now
    second = load_inputs(source=fake_api.source(), specs=specs, cache=cache)
    assert len(fake_api.requests) == requests  # nothing was asked
    pd.testing.assert_frame_equal(first.table, second.table)
    # the manifest of a cached build traces the same inputs as the first one
    assert second.manifest == first.manifest


def test_after_a_failure_nothing_is_cached(fake_api, specs, tmp_path):
    cache_dir = tmp_path / "cache"
    fake_api.plan("kdvalues", "ok", 500)  # the first dataset arrives, the second never
    with pytest.raises(DataSourceError, match="HTTP 500"):
        load_inputs(source=fake_api.source(retries=1), specs=specs, cache=Cache(cache_dir))
    assert fake_api.hits("geo") == 2 and fake_api.hits("kdvalues") == 3
    assert not list(cache_dir.glob("*.data")) and not list(cache_dir.glob("*.manifest.json"))


def test_a_response_that_does_not_parse_is_not_cached(fake_api, specs, tmp_path):
    cache_dir = tmp_path / "cache"
    content = fake_api.datasets[ARBEITSLOSE][2]
    fake_api.datasets[ARBEITSLOSE] = (7, 3, content[: len(content) - 20])  # cut without a Content-Length lie
    with pytest.raises(ParseError, match="kdvalues"):
        load_inputs(source=fake_api.source(), specs=specs, cache=Cache(cache_dir))
    assert not list(cache_dir.glob("*.data"))


def test_a_damaged_cached_file_is_fetched_again(fake_api, specs, tmp_path):
    cache = Cache(tmp_path / "cache", max_age_hours=1)
    first = load_inputs(source=fake_api.source(), specs=specs, cache=cache)
    hits = fake_api.hits("kdvalues")
    data_path = cached_data_file(cache, EINWOHNER)
    data_path.write_bytes(data_path.read_bytes().replace(b'"12050"', b'"99999"'))  # damaged on disk
    second = load_inputs(source=fake_api.source(), specs=specs, cache=cache)
    assert fake_api.hits("kdvalues") == hits + 1  # only the damaged file was asked again
    pd.testing.assert_frame_equal(first.table, second.table)
    assert b'"12050"' in data_path.read_bytes()  # repaired


def cached_data_file(cache: Cache, name: str):
    """The cached bytes of the input called ``name`` (found through the manifests)."""
    for manifest in cache.directory.glob("*.manifest.json"):
        if json.loads(manifest.read_text(encoding="utf-8"))["name"] == name:
            return manifest.with_name(manifest.name.replace(".manifest.json", ".data"))
    raise AssertionError(f"{name} is not in the cache")
