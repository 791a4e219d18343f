"""City-wide series (``data/stadtreihen.yml``): charts of several features of one city-wide dataset.

Some themes exist only for the city as a whole (the ``values`` endpoint: rent burden by household type,
living space by household type and age, tenure). They are not indicators per area: no map, no Stadtbezirk
comparison, no early warning. A series names a dataset of ``data/datasets.yml`` and the features (label
paths) to draw as lines, each with a short German label.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
from pydantic import Field

from sozialbericht import settings as config
from sozialbericht.data.catalogue import MAX_TEXT, MAX_TITLE, Entry, load_catalogue
from sozialbericht.data.geography import STADT
from sozialbericht.errors import CatalogueError

FILE_NAME = "stadtreihen.yml"
USABLE = {"ok", "nothing"}


class Line(Entry):
    feature: Annotated[str, Field(min_length=1, description="Merkmal wie in den Daten (Pfad mit ' / ')")]
    label: Annotated[str, Field(min_length=1, max_length=80, description="Bezeichnung in Grafik und Text")]


class CitySeries(Entry):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=60)]
    title: Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
    chapter: Annotated[str, Field(min_length=1, description="Kapitel-id aus data/indicators.yml")]
    dataset: Annotated[str, Field(min_length=1, description="Schlüssel aus data/datasets.yml")]
    lines: Annotated[list[Line], Field(min_length=1)]
    unit: Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
    decimals: Annotated[int, Field(ge=0, le=4)] = 1
    survey: bool = False
    definition: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    notes: Annotated[str, Field(max_length=MAX_TEXT)] = ""


class CitySeriesCatalogue(Entry):
    series: list[CitySeries]

    def for_chapter(self, chapter: str) -> list[CitySeries]:
        return [s for s in self.series if s.chapter == chapter]

    def get(self, series_id: str) -> CitySeries:
        for series in self.series:
            if series.id == series_id:
                return series
        raise CatalogueError(f"{FILE_NAME}: no series {series_id!r} (known: {[s.id for s in self.series]})")


def load_city_series(
    path: Path = config.DATA_DIR / FILE_NAME, datasets: dict | None = None, chapters: set[str] | None = None
) -> CitySeriesCatalogue:
    """Read and validate; unknown datasets or chapters are errors naming the entry."""
    catalogue = load_catalogue(CitySeriesCatalogue, path)
    problems = []
    seen = set()
    for number, series in enumerate(catalogue.series, 1):
        where = f"{path.name}: {series.id} (Eintrag {number})"
        if series.id in seen:
            problems.append(f"{where}: Feld 'id': doppelt")
        seen.add(series.id)
        if datasets is not None and series.dataset not in datasets:
            problems.append(f"{where}: Feld 'dataset': unbekannter Datensatz '{series.dataset}'")
        if chapters is not None and series.chapter not in chapters:
            problems.append(f"{where}: Feld 'chapter': unbekanntes Kapitel '{series.chapter}'")
    if problems:
        raise CatalogueError(f"{path.name} ist ungültig ({len(problems)} Fehler):\n  " + "\n  ".join(problems))
    return catalogue


def series_values(inputs, series: CitySeries) -> pd.DataFrame:
    """The city's values of every line: columns label, feature, year, value, status (all years in the data).

    A feature named in the catalogue but absent from the data is an error naming the entry and the
    features the dataset has, so a typo or a renamed label is found at once.
    """
    table = inputs.table
    rows = table[(table["dataset"] == series.dataset) & (table["level"] == STADT)]
    known = set(rows["feature"])
    absent = [line.feature for line in series.lines if line.feature not in known]
    if absent:
        raise CatalogueError(
            f"{FILE_NAME}: {series.id}: Feld 'lines': Merkmal '{absent[0]}' fehlt im Datensatz "
            f"'{series.dataset}'; vorhanden: {', '.join(sorted(known))}"
        )
    labels = {line.feature: line.label for line in series.lines}
    frame = rows[rows["feature"].isin(labels)][["feature", "year", "value", "status"]].copy()
    frame.insert(0, "label", frame["feature"].map(labels))
    frame.loc[~frame["status"].isin(USABLE), "value"] = float("nan")
    order = {line.label: n for n, line in enumerate(series.lines)}
    return frame.sort_values(["label", "year"], key=lambda c: c.map(order) if c.name == "label" else c).reset_index(
        drop=True
    )


def datasets_read(catalogue: CitySeriesCatalogue) -> set[str]:
    return {s.dataset for s in catalogue.series}
