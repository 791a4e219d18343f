"""Paths anchored at the project root and the data-source setting.

Nothing here depends on the current working directory: notebooks run by
papermill in another folder find the same files.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
CACHE_DIR = Path(os.environ.get("SOZIALBERICHT_CACHE", DATA_DIR / "cache"))
BOOK_DIR = ROOT / "book"
# executed notebooks of each edition: book/<year>/ (tests point this elsewhere)
EDITIONS_DIR = Path(os.environ.get("SOZIALBERICHT_EDITIONS", BOOK_DIR))
NOTEBOOK_DIR = ROOT / "notebooks"
BUILD_DIR = Path(os.environ.get("SOZIALBERICHT_BUILD", ROOT / "_build"))

DATA_ENV = "SOZIALBERICHT_DATA"
LIVE_API = "https://statistik.leipzig.de/opendata/api/"
CKAN_API = "https://opendata.leipzig.de/api/3/action/"
LICENCE = "Datenlizenz Deutschland – Namensnennung 2.0 (dl-de/by-2-0)"
LICENCE_URL = "https://www.govdata.de/dl-de/by-2-0"
ATTRIBUTION = "Stadt Leipzig, Amt für Statistik und Wahlen"
CITY_CODE = "14713000"  # Amtlicher Gemeindeschlüssel of Leipzig
CITY_NAME = "Stadt Leipzig"


def data_source_setting() -> str | None:
    """The value of SOZIALBERICHT_DATA: None (live API) or a local folder."""
    value = os.environ.get(DATA_ENV, "").strip()
    return value or None


def load_yaml(text: str):
    """``yaml.safe_load`` with libyaml's C parser when PyYAML has it (the catalogues parse ~10x faster)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
