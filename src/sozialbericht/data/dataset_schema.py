"""Schema of ``data/datasets.yml``: which datasets of the API the report reads, and how features aggregate.

Validated by the one validation layer (:mod:`sozialbericht.data.catalogue`): every problem at once, in German,
with file, dataset key and field.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sozialbericht.data.catalogue import MAX_TITLE, Entry

Kind = Literal["count", "rate", "mean", "median", "share"]


class FeatureSpec(Entry):
    kind: Kind | None = Field(None, description="count wird summiert; rate, mean, median, share nie")
    unit: str | None = Field(None, max_length=MAX_TITLE, description="Einheit des Merkmals")
    optional: bool = Field(False, description="die Datei darf das Merkmal nicht enthalten")


class DatasetEntry(Entry):
    title: Annotated[str, Field(min_length=1, max_length=MAX_TITLE, description="Titel im Katalog der Stadt")]
    default_kind: Kind = "count"
    unit: str = Field("", max_length=MAX_TITLE)
    survey: bool = Field(False, description="Ergebnisse der Kommunalen Bürgerumfrage (Stichprobe)")
    features: dict[str, FeatureSpec] = Field(default_factory=dict)
    endpoint: Literal["kdvalues", "values"] = "kdvalues"
    optional: bool = Field(False, description="fehlt der Datensatz in der Quelle, läuft der Build weiter")


class DatasetsFile(Entry):
    datasets: Annotated[dict[str, DatasetEntry], Field(min_length=1)]
