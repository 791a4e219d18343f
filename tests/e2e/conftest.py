"""Fixtures of the end-to-end tests: one build per test session, shared by all test files here."""

from __future__ import annotations

import pytest
from support_e2e import OTHER_YEAR, mirror, run_build, run_cli


@pytest.fixture(scope="session")
def edition(tmp_path_factory):
    """The edition YEAR (website and PDF), built from the data source: (build dir, data dir, tmp dir)."""
    data = mirror()
    tmp = tmp_path_factory.mktemp("edition")
    result = run_build(tmp, data)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return tmp / "_build", data, tmp


@pytest.fixture(scope="session")
def two_editions(edition):
    """The site with a second edition, OTHER_YEAR (website only), beside YEAR: the build dir."""
    build, data, tmp = edition
    result = run_cli(tmp, data, "build", "--year", str(OTHER_YEAR), "--formats", "html")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return build
