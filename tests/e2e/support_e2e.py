"""What the end-to-end tests share: the data folder, the build command, where an edition lands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2022
# a second edition, website only, built into the same folder for the year switch of the browser tests
OTHER_YEAR = 2021


def mirror() -> Path:
    setting = os.environ.get("SOZIALBERICHT_DATA")
    if not setting or not (Path(setting) / "INDEX.csv").is_file():
        pytest.skip("SOZIALBERICHT_DATA does not point at a mirror folder (see README, Tests)")
    return Path(setting).resolve()


def run_cli(tmp: Path, data: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        SOZIALBERICHT_DATA=str(data),
        SOZIALBERICHT_BUILD=str(tmp / "_build"),
        SOZIALBERICHT_EDITIONS=str(tmp / "editions"),
        SOZIALBERICHT_CACHE=str(tmp / "cache"),
        # every Sphinx warning (nitpicky: also an unresolved reference) fails the tests' builds
        SOZIALBERICHT_STRICT="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "sozialbericht", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200
    )


def run_build(tmp: Path, data: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_cli(tmp, data, "build", "--year", str(YEAR), *extra)


def site(build: Path, year: int = YEAR) -> Path:
    """The edition's website: _build/html/<year>/ (the site root lists all editions)."""
    return build / "html" / str(year)
