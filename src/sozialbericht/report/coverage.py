"""What the report covers and what it does not, generated from the catalogues (never typed by hand).

* Themes without data (``missing_themes`` in ``data/indicators.yml``): a theme is listed until an indicator
  or a city-wide series reads one of the datasets (by title) named under its ``datasets``.
* Datasets available from the city but not yet evaluated (``data/offene_datensaetze.yml``): listed by their
  exact catalogue title until an indicator or a city-wide series reads them.
* Optional datasets the source did not deliver in this build (``Inputs.missing``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from sozialbericht import settings as config
from sozialbericht.analysis.city_series import CitySeriesCatalogue
from sozialbericht.analysis.indicators import Catalogue
from sozialbericht.data.catalogue import MAX_TEXT, MAX_TITLE, Entry, load_catalogue

OPEN_FILE = "offene_datensaetze.yml"


class OpenDataset(Entry):
    title: Annotated[str, Field(min_length=1, max_length=MAX_TITLE, description="Titel genau wie im Katalog")]
    theme: Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
    note: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    scope: Literal["stadtweit", "kleinräumig"]


class OpenDatasets(Entry):
    datasets: list[OpenDataset]


def load_open_datasets(path: Path = config.DATA_DIR / OPEN_FILE) -> OpenDatasets:
    return load_catalogue(OpenDatasets, path)


def titles_read(catalogue: Catalogue, specs: dict, city_series: CitySeriesCatalogue | None = None) -> set[str]:
    """Titles of the datasets an indicator or a city-wide series reads (a dataset only listed in
    data/datasets.yml does not count: nothing in the report shows it)."""
    keys = set()
    for indicator in catalogue.indicators.values():
        keys.add(indicator.numerator.dataset)
        if indicator.denominator is not None:
            keys.add(indicator.denominator.dataset)
    if city_series is not None:
        keys |= {s.dataset for s in city_series.series}
    return {specs[key].title for key in keys if key in specs}


def uncovered_themes(catalogue: Catalogue, read: set[str]) -> list[dict]:
    """The missing themes none of whose datasets is read."""
    return [t for t in catalogue.missing_themes if not (set(t.get("datasets") or []) & read)]


def open_datasets(listed: OpenDatasets, read: set[str]) -> list[OpenDataset]:
    return [d for d in listed.datasets if d.title not in read]


def _group(items: list[OpenDataset]) -> str:
    themes: dict[str, list[OpenDataset]] = {}
    for item in items:
        themes.setdefault(item.theme, []).append(item)
    lines = []
    for theme, group in themes.items():
        entries = "; ".join(f"„{' '.join(d.title.split())}“ ({d.note.rstrip('.')})" for d in group)
        lines.append(f"- **{theme}**: {entries}.")
    return "\n".join(lines)


def coverage_markdown(
    catalogue: Catalogue,
    specs: dict,
    city_series: CitySeriesCatalogue,
    listed: OpenDatasets,
    missing_inputs: list[dict],
) -> str:
    """The introduction's paragraphs on themes without data, datasets not yet evaluated and missing inputs."""
    read = titles_read(catalogue, specs, city_series)
    # a dataset the source failed to deliver is not read in this edition
    read -= {m["title"] for m in missing_inputs}
    parts = []
    themes = uncovered_themes(catalogue, read)
    if themes:
        parts.append(
            "**Themen ohne kleinräumige Daten.** Für folgende Themen des bisherigen Sozialreports enthält die "
            "Datenquelle dieses Berichts keine Reihen nach Ortsteilen; sie fehlen in dieser Ausgabe:\n\n"
            + "\n".join(f"- **{t['theme']}**: {t['reason']}" for t in themes)
        )
    stadtweit = [d for d in open_datasets(listed, read) if d.scope == "stadtweit"]
    kleinraeumig = [d for d in open_datasets(listed, read) if d.scope == "kleinräumig"]
    if stadtweit:
        parts.append(
            "**Verfügbar, aber noch nicht ausgewertet.** Die Stadt veröffentlicht über ihre "
            "Open-Data-Schnittstelle weitere Datensätze für die Stadt insgesamt (ohne Ortsteilwerte), die für "
            "einen Sozialbericht wichtig sind, aber in dieser Ausgabe noch nicht ausgewertet werden:\n\n"
            + _group(stadtweit)
        )
    if kleinraeumig:
        parts.append(
            "Kleinräumig (nach Ortsteilen) stehen im Katalog der Schnittstelle außerdem bereit, sind aber "
            "noch nicht ausgewertet:\n\n" + _group(kleinraeumig)
        )
    if missing_inputs:
        parts.append(
            "**In dieser Ausgabe fehlende Reihen.** Die Datenquelle hat folgende Datensätze nicht geliefert; "
            "die Abschnitte, die sie zeigen, weisen darauf hin:\n\n"
            + "\n".join(f"- „{' '.join(m['title'].split())}“" for m in missing_inputs)
        )
    return "\n\n".join(parts)
