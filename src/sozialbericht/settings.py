"""The run's settings, and paths anchored at the project root.

``Settings`` is the one object that says where the data come from and where the build writes.
The command line builds it from its flags first and the ``SOZIALBERICHT_*`` environment
variables as fallback (``Settings.resolve``); this module is the only one that reads them, and
only when asked, never at import time. The settings are then passed down explicitly.

Nothing here depends on the current working directory: notebooks run by papermill in another
folder find the same files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

import yaml

from sozialbericht.errors import SozialberichtError

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
BOOK_DIR = ROOT / "book"
NOTEBOOK_DIR = ROOT / "notebooks"

DATA_ENV = "SOZIALBERICHT_DATA"
LIVE_API = "https://statistik.leipzig.de/opendata/api/"
CKAN_API = "https://opendata.leipzig.de/api/3/action/"
LICENCE = "Datenlizenz Deutschland – Namensnennung 2.0 (dl-de/by-2-0)"
LICENCE_URL = "https://www.govdata.de/dl-de/by-2-0"
ATTRIBUTION = "Stadt Leipzig, Amt für Statistik und Wahlen"
CITY_CODE = "14713000"  # Amtlicher Gemeindeschlüssel of Leipzig
CITY_NAME = "Stadt Leipzig"

FORMATS = ("html", "pdf")

# field of Settings -> environment variable that is its fallback
ENVIRONMENT = {
    "data": DATA_ENV,
    "year": "SOZIALBERICHT_YEAR",
    "formats": "SOZIALBERICHT_FORMATS",
    "build_dir": "SOZIALBERICHT_BUILD",
    "cache_dir": "SOZIALBERICHT_CACHE",
    "cache_hours": "SOZIALBERICHT_CACHE_HOURS",
    "workers": "SOZIALBERICHT_WORKERS",
    "fresh_kernels": "SOZIALBERICHT_FRESH_KERNELS",
    "editions_dir": "SOZIALBERICHT_EDITIONS",
    "strict": "SOZIALBERICHT_STRICT",
}


class SettingsError(SozialberichtError):
    pass


@dataclass(frozen=True)
class Settings:
    """Everything a run may vary. The defaults are those of ``make report`` without any setting."""

    data: str | None = None  # None: the live API; else a folder laid out like the offline mirror
    year: int | None = None  # None: the latest year the population series covers
    formats: tuple[str, ...] = FORMATS
    build_dir: Path = ROOT / "_build"
    cache_dir: Path = DATA_DIR / "cache"
    cache_hours: float = 24.0
    workers: int = 2
    fresh_kernels: bool = False  # True: every notebook gets a kernel of its own
    editions_dir: Path = BOOK_DIR  # executed notebooks of each edition: <editions_dir>/<year>/
    strict: bool = False  # True: a Sphinx warning (nitpicky: also an unresolved reference) fails the build

    def __post_init__(self):
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown or not self.formats:
            raise SettingsError(f"formats: {','.join(unknown) or '(none)'} is not one of {','.join(FORMATS)}")
        if self.workers < 1:
            raise SettingsError(f"workers: {self.workers} must be 1 or more")
        if self.cache_hours < 0:
            raise SettingsError(f"cache hours: {self.cache_hours} must not be negative")

    @classmethod
    def resolve(cls, flags: Mapping | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        """Flags first (a value of None means "not given"), then the environment, then the defaults."""
        environ = os.environ if environ is None else environ
        flags = flags or {}
        values = {}
        for item in fields(cls):
            given = flags.get(item.name)
            if given is None:
                text = environ.get(ENVIRONMENT[item.name], "").strip()
                if not text:
                    continue
                given = _parse(item.name, text)
            values[item.name] = _normalise(item.name, given)
        return cls(**values)

    def with_(self, **changes) -> Settings:
        """A copy with some values changed (e.g. the year once the data have been read)."""
        return replace(self, **changes)

    def data_folder(self) -> Path | None:
        """The local data folder, resolved; None for the live API."""
        if self.data is None:
            return None
        path = Path(self.data)
        if not path.is_absolute():
            path = Path.cwd() / path
            if not path.exists():  # relative to the project, so notebooks run elsewhere find it
                path = ROOT / self.data
        return path


def _parse(name: str, text: str):
    """An environment variable's text as the field's value, or an error naming the variable."""
    variable = ENVIRONMENT[name]
    try:
        if name == "year" or name == "workers":
            return int(text)
        if name == "cache_hours":
            return float(text)
        if name in ("fresh_kernels", "strict"):
            return text not in ("0", "false", "no")
    except ValueError:
        raise SettingsError(f"The environment variable {variable}={text!r} is not a number.") from None
    return text


def _normalise(name: str, value):
    if name == "formats":
        parts = value.split(",") if isinstance(value, str) else value
        return tuple(p.strip() for p in parts if p.strip())
    if name in ("build_dir", "cache_dir", "editions_dir"):
        return Path(value)
    if name == "data":
        return str(value).strip() or None
    return value


def load_yaml(text: str):
    """``yaml.safe_load`` with libyaml's C parser when PyYAML has it (the catalogues parse ~10x faster)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
