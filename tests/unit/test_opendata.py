"""The data sources: a local mirror folder, the live API (against a fake server on 127.0.0.1), the cache."""

from __future__ import annotations

import hashlib
import json
import os
import time

import pytest
from support_data import ALTER, ARBEITSLOSE, DATASETS, EINWOHNER, HTML_PAGE, MIRROR, VALUES_DATASETS

from sozialbericht import settings as config
from sozialbericht.data.opendata import Cache, Fetched, LiveSource, LocalSource, open_source
from sozialbericht.errors import DataSourceError
from sozialbericht.settings import Settings

# -- LocalSource -------------------------------------------------------------------------------


def test_local_dataset_has_bytes_checksum_and_numbers(mirror):
    fetched = LocalSource(mirror).fetch_dataset(ARBEITSLOSE)
    raw = (mirror / "kdvalues" / "kdvalues_k7_r3_y.csv").read_bytes()
    assert fetched.content == raw
    assert fetched.sha256 == hashlib.sha256(raw).hexdigest()
    assert (fetched.kategorie_nr, fetched.rubrik_nr) == (7, 3)
    assert fetched.source == str(mirror / "kdvalues" / "kdvalues_k7_r3_y.csv")
    manifest = fetched.manifest()
    assert "content" not in manifest and manifest["bytes"] == len(raw)
    assert manifest["licence"] == config.LICENCE and manifest["attribution"] == config.ATTRIBUTION


def test_local_titles(mirror):
    assert LocalSource(mirror).titles() == sorted([*DATASETS, *VALUES_DATASETS])


def test_unknown_title_suggests_the_closest(mirror):
    with pytest.raises(DataSourceError) as caught:
        LocalSource(mirror).fetch_dataset("Arbeitslose (Jahreszahlen kleinräumig)")
    message = str(caught.value)
    assert "Did you mean" in message and repr(ARBEITSLOSE) in message
    assert "INDEX.csv" in message


def test_unknown_title_without_any_similar_title(mirror):
    with pytest.raises(DataSourceError) as caught:
        LocalSource(mirror).fetch_dataset("Wohngeld")
    assert "Wohngeld" in str(caught.value) and "Did you mean" not in str(caught.value)


def test_missing_index_is_a_clear_error(mirror):
    (mirror / "INDEX.csv").unlink()
    with pytest.raises(DataSourceError) as caught:
        LocalSource(mirror)
    assert "INDEX.csv" in str(caught.value) and "missing" in str(caught.value)


def test_folder_that_does_not_exist(tmp_path):
    with pytest.raises(DataSourceError, match="not a folder"):
        LocalSource(tmp_path / "nowhere")


def test_index_without_required_columns(mirror):
    (mirror / "INDEX.csv").write_text("file,title\nkdvalues/x.csv,X\n", encoding="utf-8")
    with pytest.raises(DataSourceError, match="kategorie_nr"):
        LocalSource(mirror)


def test_index_with_a_bad_number_names_the_row(mirror):
    lines = (mirror / "INDEX.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("kdvalues_k2_r3_y.csv,2,3,", "kdvalues_k2_r3_y.csv,2,drei,")
    (mirror / "INDEX.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataSourceError, match="row 3"):
        LocalSource(mirror)


def test_index_lists_a_file_that_is_missing(mirror):
    (mirror / "kdvalues" / "kdvalues_k2_r3_y.csv").unlink()
    with pytest.raises(DataSourceError, match="kdvalues_k2_r3_y.csv"):
        LocalSource(mirror).fetch_dataset(ALTER)


def test_local_geometry(mirror):
    fetched = LocalSource(mirror).fetch_geometry("stadtbezirke")
    assert fetched.content == (MIRROR / "geo" / "stadtbezirke.geojson").read_bytes()
    assert fetched.name == "Geometrie: stadtbezirke"
    (mirror / "geo" / "ortsteile.geojson").unlink()
    with pytest.raises(DataSourceError, match="ortsteile.geojson"):
        LocalSource(mirror).fetch_geometry("ortsteile")
    with pytest.raises(ValueError):
        LocalSource(mirror).fetch_geometry("wahlbezirke")


def source_from(environ: dict, flags: dict | None = None):
    return open_source(Settings.resolve(flags, environ))


def test_source_from_flag_then_environment(monkeypatch, mirror):
    assert isinstance(source_from({}), LiveSource)
    assert isinstance(source_from({config.DATA_ENV: "  "}), LiveSource)
    source = source_from({config.DATA_ENV: str(mirror)})
    assert isinstance(source, LocalSource) and source.root == mirror.resolve()
    # the flag wins over the environment
    assert source_from({config.DATA_ENV: str(mirror / "nowhere")}, {"data": str(mirror)}).root == mirror.resolve()
    # a relative path is taken from the working directory
    monkeypatch.chdir(mirror.parent)
    assert source_from({config.DATA_ENV: mirror.name}).root == mirror.resolve()
    with pytest.raises(DataSourceError, match="not a folder"):
        source_from({config.DATA_ENV: str(mirror / "nowhere")})


# -- LiveSource against the fake server --------------------------------------------------------


def test_live_resolves_the_title_through_the_catalogue(fake_api):
    source = fake_api.source()
    assert source.resolve(ARBEITSLOSE) == (7, 3)
    fetched = source.fetch_dataset(ARBEITSLOSE)
    assert fetched.content == (MIRROR / "kdvalues" / "kdvalues_k7_r3_y.csv").read_bytes()
    assert (fetched.kategorie_nr, fetched.rubrik_nr) == (7, 3)
    assert fetched.sha256 == hashlib.sha256(fetched.content).hexdigest()
    # the request is built from the catalogue's numbers, for yearly CSV
    assert fetched.source == f"{fake_api.base}api/kdvalues?kategorie_nr=7&rubrik_nr=3&periode=y&format=csv"
    # the catalogue is asked once per source
    source.fetch_dataset(EINWOHNER)
    assert fake_api.hits("catalogue") == 1


def test_live_follows_moved_rubrik_numbers(fake_api):
    content = fake_api.datasets[ALTER][2]
    fake_api.datasets[ALTER] = (2, 7, content)  # the city renumbered the dataset
    fetched = fake_api.source().fetch_dataset(ALTER)
    assert (fetched.kategorie_nr, fetched.rubrik_nr) == (2, 7) and fetched.content == content


def test_live_unknown_title_suggests_the_closest(fake_api):
    with pytest.raises(DataSourceError) as caught:
        fake_api.source().fetch_dataset("Arbeitslose (Jahreszahlen, kleinraeumig)")
    assert "Did you mean" in str(caught.value) and repr(ARBEITSLOSE) in str(caught.value)
    assert fake_api.hits("kdvalues") == 0


def test_live_geometry_through_the_catalogue_entry(fake_api):
    fetched = fake_api.source().fetch_geometry("ortsteile")
    assert fetched.content == (MIRROR / "geo" / "ortsteile.geojson").read_bytes()
    assert fetched.source == f"{fake_api.base}geo/ortsteile.geojson"  # the GeoJSON, not the shapefile


def test_server_error_then_success_is_retried(fake_api):
    fake_api.plan("kdvalues", 500, 503, "ok")
    fetched = fake_api.source(retries=2).fetch_dataset(EINWOHNER)
    assert fetched.content == fake_api.datasets[EINWOHNER][2]
    assert fake_api.hits("kdvalues") == 3


def test_server_error_every_time_gives_up_with_a_hint(fake_api):
    fake_api.plan("kdvalues", 500)
    with pytest.raises(DataSourceError) as caught:
        fake_api.source(retries=2).fetch_dataset(EINWOHNER)
    message = str(caught.value)
    assert "HTTP 500" in message and "3 attempt" in message
    assert "kdvalues?kategorie_nr=2&rubrik_nr=1" in message
    assert config.DATA_ENV in message
    assert fake_api.hits("kdvalues") == 3  # bounded: 1 + retries


def test_not_found_is_not_retried(fake_api):
    fake_api.plan("kdvalues", 404)
    with pytest.raises(DataSourceError) as caught:
        fake_api.source(retries=3).fetch_dataset(EINWOHNER)
    assert "HTTP 404" in str(caught.value) and config.DATA_ENV in str(caught.value)
    assert fake_api.hits("kdvalues") == 1


def test_timeout_then_success_is_retried(fake_api):
    fake_api.plan("kdvalues", "sleep", "ok")
    started = time.monotonic()
    fetched = fake_api.source(timeout=0.5, retries=2).fetch_dataset(EINWOHNER)
    assert fetched.content == fake_api.datasets[EINWOHNER][2]
    assert fake_api.hits("kdvalues") == 2
    assert time.monotonic() - started < 5


def test_timeout_every_time_is_a_clear_error(fake_api):
    fake_api.plan("kdvalues", "sleep")
    started = time.monotonic()
    with pytest.raises(DataSourceError) as caught:
        fake_api.source(timeout=0.5, retries=1).fetch_dataset(EINWOHNER)
    assert "2 attempt" in str(caught.value) and "timed out" in str(caught.value).lower()
    assert config.DATA_ENV in str(caught.value)
    assert fake_api.hits("kdvalues") == 2
    assert time.monotonic() - started < 5


def test_timeout_in_the_middle_of_the_body_is_retried(fake_api):
    fake_api.plan("kdvalues", "sleep_body", "ok")
    fetched = fake_api.source(timeout=0.5, retries=1).fetch_dataset(EINWOHNER)
    assert fetched.content == fake_api.datasets[EINWOHNER][2]
    assert fake_api.hits("kdvalues") == 2


def test_connection_cut_mid_file_then_success_is_retried(fake_api):
    fake_api.plan("kdvalues", "cut", "ok")
    fetched = fake_api.source(retries=2).fetch_dataset(EINWOHNER)
    assert fetched.content == fake_api.datasets[EINWOHNER][2]
    assert fake_api.hits("kdvalues") == 2


def test_connection_cut_every_time_is_a_clear_error(fake_api):
    fake_api.plan("kdvalues", "cut")
    with pytest.raises(DataSourceError) as caught:
        fake_api.source(retries=1).fetch_dataset(EINWOHNER)
    assert "2 attempt" in str(caught.value) and config.DATA_ENV in str(caught.value)
    assert fake_api.hits("kdvalues") == 2


def test_html_page_with_status_200_is_an_error(fake_api):
    fake_api.plan("kdvalues", "html")
    with pytest.raises(DataSourceError) as caught:
        fake_api.source().fetch_dataset(EINWOHNER)
    assert "HTML" in str(caught.value) and config.DATA_ENV in str(caught.value)


def test_html_page_sent_as_csv_is_an_error(fake_api):
    fake_api.datasets[EINWOHNER] = (2, 1, HTML_PAGE)  # served with Content-Type text/csv
    with pytest.raises(DataSourceError, match="HTML"):
        fake_api.source().fetch_dataset(EINWOHNER)


def test_catalogue_down_is_a_clear_error(fake_api):
    fake_api.plan("catalogue", 502)
    with pytest.raises(DataSourceError) as caught:
        fake_api.source(retries=1).fetch_dataset(EINWOHNER)
    assert "package_search" in str(caught.value) and "HTTP 502" in str(caught.value)
    assert fake_api.hits("catalogue") == 2 and fake_api.hits("kdvalues") == 0


def test_nothing_listening_is_a_clear_error(fake_api):
    port = fake_api.server.server_address[1]
    fake_api.close()
    source = LiveSource(
        api_url=f"http://127.0.0.1:{port}/api/",
        catalogue_url=f"http://127.0.0.1:{port}/ckan/",
        timeout=0.5,
        retries=1,
        backoff=0.01,
    )
    with pytest.raises(DataSourceError, match=config.DATA_ENV):
        source.fetch_dataset(EINWOHNER)


# -- Cache -------------------------------------------------------------------------------------


def fetched_sample(content=b'"Gebiet","Sachmerkmal","2022"\nZentrum,A,"1"\n', name=EINWOHNER) -> Fetched:
    return Fetched(
        name,
        content,
        "http://127.0.0.1/api/kdvalues?x",
        "2026-05-01T10:00:00+00:00",
        hashlib.sha256(content).hexdigest(),
        2,
        1,
    )


def test_cache_round_trip_keeps_every_fact(tmp_path):
    cache = Cache(tmp_path / "cache", max_age_hours=1)
    assert cache.get(EINWOHNER) is None
    cache.put(fetched_sample())
    assert cache.get(EINWOHNER) == fetched_sample()
    data_path, manifest_path = cache.paths(EINWOHNER)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["sha256"] == hashlib.sha256(data_path.read_bytes()).hexdigest()
    assert manifest["licence"] == config.LICENCE and manifest["source"].startswith("http://127.0.0.1/")
    assert not [p for p in (tmp_path / "cache").iterdir() if ".tmp" in p.name]


def test_damaged_cached_file_is_not_used(tmp_path):
    cache = Cache(tmp_path, max_age_hours=1)
    cache.put(fetched_sample())
    data_path, _ = cache.paths(EINWOHNER)
    data_path.write_bytes(data_path.read_bytes()[:-5])  # cut, as by a full disk
    assert cache.get(EINWOHNER) is None


def test_damaged_cache_manifest_is_not_used(tmp_path):
    cache = Cache(tmp_path, max_age_hours=1)
    cache.put(fetched_sample())
    _, manifest_path = cache.paths(EINWOHNER)
    manifest_path.write_text('{"name": "Einw', encoding="utf-8")
    assert cache.get(EINWOHNER) is None


def test_old_cache_entries_are_not_used(tmp_path):
    cache = Cache(tmp_path, max_age_hours=1)
    cache.put(fetched_sample())
    _, manifest_path = cache.paths(EINWOHNER)
    two_hours_ago = time.time() - 7200
    os.utime(manifest_path, (two_hours_ago, two_hours_ago))
    assert cache.get(EINWOHNER) is None
    assert Cache(tmp_path, max_age_hours=3).get(EINWOHNER) is not None


def test_cache_keeps_similar_names_apart(tmp_path):
    cache = Cache(tmp_path, max_age_hours=1)
    cache.put(fetched_sample(b"one", "Einwohner (Jahreszahlen)"))
    cache.put(fetched_sample(b"two", "Einwohner Jahreszahlen"))
    assert cache.get("Einwohner (Jahreszahlen)").content == b"one"
    assert cache.get("Einwohner Jahreszahlen").content == b"two"
