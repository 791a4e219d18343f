"""Schema of ``data/indicators.yml``: chapters, themes without data and the indicator catalogue.

Validated by the one validation layer (:mod:`sozialbericht.data.catalogue`): the structure first, every problem
at once in German with file, entry and field; then the references (chapters, datasets, duplicate ids).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sozialbericht.data.catalogue import MAX_TEXT, MAX_TITLE, Entry

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=60)]


class ChapterEntry(Entry):
    id: Identifier
    title: Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
    notebook: Identifier


class MissingTheme(Entry):
    theme: Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
    reason: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    datasets: list[str] = Field(default_factory=list, description="Titel im Katalog, die das Thema abdecken würden")


class TermEntry(Entry):
    dataset: Annotated[str, Field(min_length=1, description="Schlüssel aus data/datasets.yml")]
    feature: Annotated[str, Field(min_length=1, description="Merkmal (Sachmerkmal) wie in der Datei")]


class IndicatorEntry(Entry):
    id: Identifier
    title: Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
    short: str | None = Field(None, max_length=MAX_TITLE)
    chapter: Identifier
    numerator: TermEntry
    denominator: TermEntry | None = None
    factor: float = 1
    unit: Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
    decimals: Annotated[int, Field(ge=0, le=6)] = 1
    direction: Literal["higher_worse", "higher_better", "neutral"]
    definition: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    survey: bool = False
    first_year: int | None = None
    notes: str | None = Field(None, max_length=MAX_TEXT)
    area_note: str | None = Field(
        None,
        max_length=MAX_TITLE,
        description="Kurzer Lesehinweis, wo Gebiete verglichen werden (z. B. 'nach Tatort gezählt')",
    )
    source: str | None = Field(None, max_length=MAX_TITLE)
    licence: str | None = Field(None, max_length=MAX_TITLE)
    value_unit: str | None = Field(None, max_length=MAX_TITLE)


class IndicatorsFile(Entry):
    chapters: Annotated[list[ChapterEntry], Field(min_length=1)]
    missing_themes: list[MissingTheme] = Field(default_factory=list)
    indicators: Annotated[list[IndicatorEntry], Field(min_length=1)]
