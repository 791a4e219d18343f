"""Known special effects: events that move indicators for reasons outside social change.

``data/sondereffekte.yml`` (planners edit it) lists events with their years, the indicators they affect and a
one-line note with a source. Findings, developments and early-warning flags that fall into an event's years and
indicators name the event, so that a jump caused by refugee housing or a survey change is not read as a trend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, HttpUrl, field_validator

from sozialbericht.data.catalogue import MAX_TEXT, MAX_TITLE, Entry, load_catalogue

FILE_NAME = "sondereffekte.yml"


class SpecialEffect(Entry):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=60)]
    title: Annotated[str, Field(min_length=1, max_length=MAX_TITLE, description="kurzer Name im Bericht")]
    years: Annotated[list[int], Field(min_length=1, description="betroffene Berichtsjahre (Stichtag 31.12.)")]
    indicators: Annotated[list[str], Field(min_length=1, description="ids aus data/indicators.yml; 'alle' für alle")]
    note: Annotated[str, Field(min_length=1, max_length=MAX_TEXT, description="ein Satz für den Bericht")]
    sources: Annotated[list[HttpUrl], Field(min_length=1, description="Belege (http/https)")]

    @field_validator("years")
    @classmethod
    def _plausible_years(cls, years: list[int]) -> list[int]:
        bad = [y for y in years if not 1990 <= y <= 2100]
        if bad:
            raise ValueError(f"Jahr außerhalb 1990–2100: {bad}")
        return sorted(set(years))

    def affects(self, indicator: str, year: int) -> bool:
        return year in self.years and ("alle" in self.indicators or indicator in self.indicators)


class SpecialEffects(Entry):
    effects: list[SpecialEffect]

    def for_indicator(self, indicator: str, year: int) -> list[SpecialEffect]:
        """The events that affect ``indicator`` in report year ``year`` (file order)."""
        return [e for e in self.effects if e.affects(indicator, year)]

    def in_window(self, indicator: str, first_year: int, last_year: int) -> list[SpecialEffect]:
        """The events that affect ``indicator`` in any year of a change from ``first_year`` to ``last_year``."""
        return [e for e in self.effects if any(e.affects(indicator, y) for y in range(first_year + 1, last_year + 1))]


def load_special_effects(path: Path, indicator_ids: set[str] | None = None) -> SpecialEffects:
    """Read and validate the file; unknown indicator ids are errors naming the entry."""
    effects = load_catalogue(SpecialEffects, path)
    if indicator_ids is not None:
        from sozialbericht.errors import CatalogueError

        problems = [
            f"{path.name}: {e.id} (Eintrag {n}): Feld 'indicators': unbekannter Indikator '{i}'"
            for n, e in enumerate(effects.effects, 1)
            for i in e.indicators
            if i != "alle" and i not in indicator_ids
        ]
        ids = [e.id for e in effects.effects]
        problems += [
            f"{path.name}: Feld 'id': '{i}' kommt mehrfach vor" for i in sorted({i for i in ids if ids.count(i) > 1})
        ]
        if problems:
            raise CatalogueError(f"{path.name} ist ungültig ({len(problems)} Fehler):\n  " + "\n  ".join(problems))
    return effects
