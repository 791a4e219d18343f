"""City-wide series in a chapter (``data/stadtreihen.yml``): a line chart per series and a sentence.

Used by a chapter notebook next to its ``Chapter``: ``city = CityWide(chapter)``, then ``city.note()``
and, per series, ``city.chart(id)``, ``city.text(id)``, ``city.definition(id)``. A series whose dataset the
source did not deliver is shown as a note, not as an error.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd
from IPython.display import Markdown

from sozialbericht import fmt
from sozialbericht.analysis.city_series import CitySeries, load_city_series, series_values
from sozialbericht.report import charts


def _value(series: CitySeries, value: float) -> str:
    unit = series.unit
    return (
        f"{fmt.number(value, series.decimals)}\u00a0{unit}"
        if unit.startswith("%")
        else f"{fmt.number(value, series.decimals)} {unit}"
    )


class CityWide:
    def __init__(self, chapter):
        self.chapter = chapter
        self.inputs = chapter.inputs
        self.year = chapter.year
        chapter_ids = {c["id"] for c in chapter.catalogue.chapters}
        self.catalogue = load_city_series(datasets=self.inputs.specs, chapters=chapter_ids)

    @cached_property
    def series(self) -> list[CitySeries]:
        return self.catalogue.for_chapter(self.chapter.id)

    def available(self, series: CitySeries) -> bool:
        has = getattr(self.inputs, "has", None)
        return has(series.dataset) if has else series.dataset in set(self.inputs.table["dataset"])

    def values(self, series_id: str) -> pd.DataFrame:
        """Values up to the edition's year."""
        series = self.catalogue.get(series_id)
        frame = series_values(self.inputs, series)
        return frame[frame["year"] <= self.year]

    def note(self) -> Markdown:
        return Markdown(
            "Die folgenden Reihen veröffentlicht das Amt für Statistik und Wahlen nur für die Stadt insgesamt "
            "(Open-Data-Schnittstelle, Endpunkt „values“). **Werte für Ortsteile oder Stadtbezirke gibt es dazu "
            "nicht**; Karten und Stadtbezirksvergleiche sind daher nicht möglich. Die Werte stammen aus der "
            "Kommunalen Bürgerumfrage und sind Schätzungen aus einer Stichprobe ohne veröffentlichte Fallzahlen; "
            "kleine Unterschiede zwischen Gruppen und Jahren sind daher nicht überzubewerten."
            if self._all_survey
            else "Die folgenden Reihen liegen nur für die Stadt insgesamt vor; Werte für Ortsteile oder "
            "Stadtbezirke gibt es dazu nicht."
        )

    @property
    def _all_survey(self) -> bool:
        return bool(self.series) and all(s.survey for s in self.series)

    def _missing(self, series: CitySeries) -> Markdown:
        title = " ".join(self.inputs.specs[series.dataset].title.split())
        return Markdown(
            f"Der Datensatz „{title}“ wurde von der Datenquelle dieser Ausgabe nicht geliefert; "
            f"die Reihe „{series.title}“ fehlt daher (siehe Einleitung und Anhang)."
        )

    def chart(self, series_id: str):
        series = self.catalogue.get(series_id)
        if not self.available(series):
            return self._missing(series)
        frame = self.values(series_id).dropna(subset=["value"])
        if frame.empty:
            return Markdown(f"Für „{series.title}“ liegen bis {self.year} keine Werte vor.")
        data = frame[["year", "label", "value"]].rename(columns={"label": "Gruppe"})
        first, last = int(data["year"].min()), int(data["year"].max())
        name = f"{self.year}-{series.id}-stadt"
        csv = self.chapter._csv(data, name)
        chart = charts.trend_chart(
            data,
            x="year",
            y="value",
            series="Gruppe",
            series_title="Gruppe",
            title=f"{series.title}, Stadt Leipzig",
            y_title=series.unit,
            number_format=f",.{series.decimals}f",
            zero=series.unit.startswith("%"),
        )
        latest = data[data["year"] == last].sort_values("value", ascending=False)
        alt = (
            f"Liniendiagramm: {series.title} in Leipzig {first} bis {last}, eine Linie je Gruppe; {last}: "
            + "; ".join(f"{row.Gruppe} {_value(series, row.value)}" for row in latest.itertuples())
            + "."
        )
        return self.chapter.edition.chart_output(chart, name, alt, csv)

    def text(self, series_id: str) -> Markdown:
        """The latest year's spread between the groups and the change since the first year of the series."""
        series = self.catalogue.get(series_id)
        if not self.available(series):
            return Markdown("")
        frame = self.values(series_id).dropna(subset=["value"])
        if frame.empty:
            return Markdown("")
        # the total row ("insgesamt") is no group: it is neither the highest nor the one that grew most
        frame = frame[frame["label"].str.strip().str.casefold() != "insgesamt"]
        if frame.empty:
            return Markdown("")
        last = int(frame["year"].max())
        latest = frame[frame["year"] == last].sort_values("value")
        low, high = latest.iloc[0], latest.iloc[-1]
        stale = f" (letzter verfügbarer Wert; für {self.year} liegt keiner vor)" if last < self.year else ""
        text = (
            f"**{series.title}**, Stadt Leipzig {last}{stale}: am höchsten bei „{high['label']}“ mit "
            f"{_value(series, high['value'])}, am niedrigsten bei „{low['label']}“ mit {_value(series, low['value'])}."
        )
        first = int(frame["year"].min())
        if first < last:
            start = frame[frame["year"] == first].set_index("label")["value"]
            end = latest.set_index("label")["value"]
            both = (end - start).dropna()
            if not both.empty:
                up, down = both.idxmax(), both.idxmin()
                unit = "Prozentpunkte" if series.unit.startswith("%") else series.unit
                moves = []
                if both[up] > 0:
                    moves.append(
                        f"stieg der Wert am stärksten bei „{up}“ ({fmt.signed(both[up], series.decimals)} {unit})"
                    )
                if both[down] < 0:
                    moves.append(
                        f"sank {'er' if moves else 'der Wert'} am stärksten bei „{down}“ ({fmt.signed(both[down], series.decimals)} {unit})"
                    )
                if moves:
                    text += f" Seit {first} " + " und ".join(moves) + "."
        if series.survey and not self._all_survey:  # otherwise the section's note says it once
            text += (
                " Die Werte sind Stichprobenschätzungen ohne veröffentlichte Fallzahlen; kleine Unterschiede "
                "zwischen Gruppen und Jahren sind daher nicht überzubewerten."
            )
        return Markdown(text)

    def definition(self, series_id: str) -> Markdown:
        series = self.catalogue.get(series_id)
        text = f"*Definition:* {series.definition} Nur für die Stadt insgesamt veröffentlicht."
        if series.notes:
            text += f" *Hinweis:* {series.notes}"
        return Markdown(text)
