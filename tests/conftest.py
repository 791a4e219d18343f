"""Shared fixtures: the data-layer tests' fixtures (the data behind them: support_data.py) and the
real mirror's inputs, read once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from support_data import MIRROR, FakeAPI, make_specs

from sozialbericht.data.geography import Geography
from sozialbericht.data.inputs import DatasetSpec


@pytest.fixture
def specs() -> dict[str, DatasetSpec]:
    return make_specs()


@pytest.fixture
def mirror(tmp_path) -> Path:
    """A private copy of the hand-written mirror, so a test may change or damage it."""
    target = tmp_path / "mirror"
    shutil.copytree(MIRROR, target)
    return target


@pytest.fixture(scope="session")
def geography() -> Geography:
    """4 Ortsteile (00, 01 in Mitte; 10, 11 in Nordost), 2 Stadtbezirke."""
    return Geography.from_geojson(
        (MIRROR / "geo" / "ortsteile.geojson").read_bytes(),
        (MIRROR / "geo" / "stadtbezirke.geojson").read_bytes(),
        ("ortsteile.geojson", "stadtbezirke.geojson"),
    )


@pytest.fixture
def fake_api(monkeypatch):
    """The fake open-data server on 127.0.0.1; stopped after the test."""
    # a proxy from the environment must never see these requests
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    api = FakeAPI()
    try:
        yield api
    finally:
        api.close()


@pytest.fixture(scope="session")
def mirror_inputs():
    """The inputs read from the real mirror (SOZIALBERICHT_DATA), once for every test that needs them.

    Tests must not change the table; a test that precomputes works on ``dataclasses.replace(inputs,
    precomputed={})``.
    """
    from sozialbericht.data.inputs import load_inputs_for
    from sozialbericht.settings import Settings

    folder = os.environ.get("SOZIALBERICHT_DATA", "").strip()
    if not folder or not (Path(folder) / "INDEX.csv").is_file():
        pytest.skip("SOZIALBERICHT_DATA does not point at a mirror folder")
    return load_inputs_for(Settings(data=folder))
