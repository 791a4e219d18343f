"""The structure of data/fruehwarnsystem.yml as a pydantic model on the one validation layer.

``load_config`` validates the file against ``WarningFile`` first (all structural errors at once, in German,
with file, entry and field; the JSON Schema in schemas/ lets an editor check while the planner types), then
``config.parse_config`` checks what needs the indicator catalogue (known ids, directions, counts) and the
rule types' own fields.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sozialbericht.data.catalogue import Entry

Probability = Annotated[float, Field(gt=0, lt=1)]
Severity = Annotated[int, Field(ge=1, le=3, description="1 = Hinweis, 2 = Warnung, 3 = Alarm")]
Direction = Literal["higher_worse", "higher_better"]


class IndexEntry(Entry):
    id: Annotated[str, Field(min_length=1, description="id aus data/indicators.yml")]
    direction: Direction | None = None
    weight: Annotated[float, Field(gt=0)] = 1.0
    min_denominator: Annotated[float | None, Field(ge=0, description="kleinster Nenner für eine Einstufung")] = None


class IndexSection(Entry):
    weighted: bool = True
    indicators: Annotated[list[IndexEntry | str], Field(min_length=1)]


class Classes(Entry):
    thresholds: Annotated[list[float], Field(min_length=1, description="aufsteigende Schwellen der Indexwerte")]
    classes: Annotated[list[str], Field(min_length=2, description="eine Klasse mehr als Schwellen")]


class DynamicsSection(Classes):
    period: Annotated[int, Field(ge=1, description="Jahre der Veränderung")] = 2
    alpha: Probability = Field(0.05, description="Rate falscher Entdeckungen des Dynamiktests")


class AttentionEntry(Entry):
    status: list[str] | str | None = None
    dynamics: list[str] | str | None = None
    severity: Severity = 2


class CountTerm(Entry):
    dataset: Annotated[str, Field(min_length=1)]
    feature: Annotated[str, Field(min_length=1)]


class StatisticsEntry(Entry):
    ci: Literal["wilson", "poisson", "none"] | None = None
    count: CountTerm | None = None
    scale: Annotated[float, Field(gt=0)] = 100.0


class RuleEntry(Entry):
    indicator: Annotated[str, Field(min_length=1, description="id aus data/indicators.yml")]
    rule: Literal["worse_than_city", "worsening_trend", "threshold"]
    severity: Severity = 2
    alpha: Probability | None = Field(None, description="Rate falscher Entdeckungen (Benjamini-Hochberg)")
    min_population: Annotated[float | None, Field(ge=0)] = None
    confidence: Probability | None = None
    min_difference: Annotated[float | None, Field(ge=0)] = None
    years: Annotated[int | None, Field(ge=3)] = None
    min_change: Annotated[float | None, Field(ge=0)] = None
    overdispersion: bool | None = None
    value: float | None = None
    significant: bool | None = None


class WarningFile(Entry):
    """data/fruehwarnsystem.yml: index, classes, attention, statistics and rules of the early-warning system."""

    version: int = 1
    confidence: Probability = 0.95
    min_population: Annotated[float, Field(ge=0)] = 300
    max_data_age: Annotated[int, Field(ge=0)] = 2
    index: IndexSection
    status: Classes
    dynamics: DynamicsSection
    attention: list[AttentionEntry] = []
    statistics: dict[str, StatisticsEntry] = {}
    rules: list[RuleEntry] = []
