"""The dates an edition carries: its Stichtag (31.12. of the report year) and its Redaktionsschluss.

The Redaktionsschluss is set per edition in ``data/editions.yml`` by the editors. The title page, the
introduction and the PDF's metadata show these dates and never the date of the build, so that two
builds of the same inputs give the same text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from sozialbericht import fmt
from sozialbericht import settings as config
from sozialbericht.data.catalogue import Entry, load_catalogue

EDITIONS_FILE = config.DATA_DIR / "editions.yml"


class EditionEntry(Entry):
    """One edition: its report year and the editors' closing date."""

    year: int = Field(ge=2000, le=2100, description="Berichtsjahr (Stichtag 31.12. dieses Jahres)")
    redaktionsschluss: dt.date = Field(
        description="Redaktionsschluss: bis zu diesem Tag sind Daten und Angaben berücksichtigt (JJJJ-MM-TT)"
    )

    @model_validator(mode="after")
    def _after_stichtag(self):
        if self.redaktionsschluss <= dt.date(self.year, 12, 31):
            raise ValueError(
                f"Redaktionsschluss {fmt.german_date(self.redaktionsschluss)} liegt nicht nach dem Stichtag "
                f"31.12.{self.year}"
            )
        return self


class EditionsConfig(Entry):
    """data/editions.yml: settings of the report as a whole, per edition."""

    editions: list[EditionEntry] = Field(default_factory=list, description="Ausgaben mit ihren Daten")

    @field_validator("editions")
    @classmethod
    def _one_entry_per_year(cls, editions):
        years = [e.year for e in editions]
        twice = sorted({y for y in years if years.count(y) > 1})
        if twice:
            raise ValueError(f"Berichtsjahr mehrfach eingetragen: {', '.join(map(str, twice))}")
        return editions


@dataclass(frozen=True)
class EditionDates:
    year: int
    redaktionsschluss: dt.date | None

    @property
    def stichtag(self) -> str:
        return fmt.year_end(self.year)

    def title_line(self) -> str:
        """The date line of the title page: 'Stichtag 31.12.2022 · Redaktionsschluss 29.02.2024'."""
        line = f"Stichtag {self.stichtag}"
        if self.redaktionsschluss:
            line += f" · Redaktionsschluss {fmt.german_date(self.redaktionsschluss)}"
        return line

    def source_date_epoch(self) -> int:
        """Seconds since 1970 of the Redaktionsschluss (or the Stichtag), for the PDF's metadata."""
        day = self.redaktionsschluss or dt.date(self.year, 12, 31)
        return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> EditionsConfig:
    return load_catalogue(EditionsConfig, path)


def edition_dates(year: int, path: Path = EDITIONS_FILE) -> EditionDates:
    """The dates of one edition; without an entry in data/editions.yml only the Stichtag is known."""
    if not path.is_file():
        return EditionDates(int(year), None)
    report = _load(path, path.stat().st_mtime)
    entry = next((e for e in report.editions if e.year == int(year)), None)
    return EditionDates(int(year), entry.redaktionsschluss if entry else None)
