"""Everything a chapter notebook shows, as calls that return displayable objects.

A chapter notebook reads like a page of the report: parameters, one
``Chapter(...)``, and a few calls. The numbers, sentences, tables and charts
all come from here, computed from the inputs of the edition.
"""

from __future__ import annotations

import math
from functools import cached_property
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from sozialbericht import fmt
from sozialbericht import settings as config
from sozialbericht.analysis import warning
from sozialbericht.analysis.indicators import Indicator, changes, extremes, key_figure, level_values, reference_year
from sozialbericht.data.geography import ORTSTEIL, STADT, STADTBEZIRK
from sozialbericht.policy import register as policy
from sozialbericht.report import charts
from sozialbericht.report import text as narrative
from sozialbericht.report.edition import Edition, recommendations_text
from sozialbericht.report.tables import markdown_table

RULE_WORDS = {
    "worse_than_city": "signifikant ungünstiger als die Stadt",
    "worsening_trend": "sich verschlechternder Trend",
    "threshold": "über dem Schwellenwert",
}


def d3_format(indicator: Indicator) -> str:
    return f",.{indicator.decimals}f"


class Chapter:
    def __init__(
        self,
        chapter_id: str,
        year: int,
        inputs_file: str | None = None,
        output_dir: str | Path = "",
        formats: str = "html,pdf",
    ):
        self.edition = Edition(year, inputs_file, formats)
        self.inputs = self.edition.inputs
        self.catalogue = self.edition.catalogue
        self.info = self.catalogue.chapter(chapter_id)
        self.id = chapter_id
        self.year = self.edition.year
        self.indicators = self.catalogue.for_chapter(chapter_id)
        # chart data as CSV next to the edition's pages; none when run outside a build
        self.data_dir = Path(output_dir) / "daten" if output_dir else None

    @cached_property
    def values(self) -> dict[str, pd.DataFrame]:
        return {i.id: self.edition.values[i.id] for i in self.indicators}

    def indicator(self, indicator_id: str) -> Indicator:
        return self.catalogue.indicators[indicator_id]

    def ref_year(self, indicator_id: str) -> int | None:
        return reference_year(self.values[indicator_id], self.year)

    # -- text -------------------------------------------------------------------------
    def intro(self) -> Markdown:
        survey = [i for i in self.indicators if i.survey]
        text = (
            f"Berichtsjahr **{self.year}**, Stichtag {fmt.year_end(self.year)}. "
            f"Quelle: {config.ATTRIBUTION}, {config.LICENCE}."
        )
        if survey:
            text += (
                " Werte der Kommunalen Bürgerumfrage sind Schätzungen aus einer Stichprobe und liegen nur "
                "für die Umfragejahre vor; wo das Berichtsjahr keine Umfrage hat, zeigt das Kapitel die "
                "letzte Umfragewelle."
            )
        return Markdown(text)

    def key_figures(self) -> Markdown:
        rows = []
        for ind in self.indicators:
            kf = key_figure(self.values[ind.id], ind, self.year)
            rows.append(
                {
                    "Kennzahl": ind.title,
                    "Jahr": str(kf.year) if kf.year else fmt.DASH,
                    "Wert": narrative.value_text(ind, kf.value) if kf.year else "keine Angabe",
                    "Veränderung zur Vorperiode": narrative.change_text(ind, kf.change_previous, kf.previous)
                    if kf.previous_year
                    else fmt.DASH,
                    "über fünf Jahre": narrative.change_text(ind, kf.change_five_years, kf.five_years)
                    if kf.five_years_year
                    else fmt.DASH,
                }
            )
        table = pd.DataFrame(rows).rename(
            columns={"Wert": "Wert (Stadt Leipzig)", "über fünf Jahre": "Veränderung über fünf Jahre"}
        )
        note = (
            "\n\nVorperiode: Vorjahr, bei Umfragewerten die vorige Umfragewelle. Veränderungen von Anteilen "
            "in Prozentpunkten."
        )
        return Markdown(markdown_table(table) + note)

    def summary(self) -> Markdown:
        sentences = [
            narrative.key_figure_sentence(key_figure(self.values[i.id], i, self.year), self.year)
            for i in self.indicators
        ]
        return Markdown("\n\n".join(sentences))

    # -- per indicator ----------------------------------------------------------------
    def _alt_number(self, ind: Indicator, value: float) -> str:
        return narrative.value_text(ind, value)

    def trend(self, indicator_id: str):
        ind = self.indicator(indicator_id)
        values = self.values[indicator_id]
        rows = values[values["level"].isin([STADT]) & values["value"].notna() & (values["year"] <= self.year)]
        frame = rows[["year", "area_name", "value"]].rename(columns={"area_name": "Gebiet"})
        if frame.empty:
            return Markdown(f"Für „{ind.title}“ liegen keine Werte für die Stadt vor.")
        first, last = frame.iloc[0], frame.iloc[-1]
        alt = (
            f"Liniendiagramm: {ind.title} in Leipzig von {first['year']} bis {last['year']}, "
            f"von {self._alt_number(ind, first['value'])} auf {self._alt_number(ind, last['value'])}."
        )
        name = f"{self.year}-{indicator_id}-trend"
        csv = self._csv(frame, name)
        chart = charts.trend_chart(
            frame,
            x="year",
            y="value",
            series=None,
            title=f"{ind.title}, Stadt Leipzig",
            y_title=ind.unit,
            number_format=d3_format(ind),
        )
        return charts.ChartOutput(chart, name, alt, csv_href=csv, png=self.edition.png)

    def map(self, indicator_id: str):
        ind = self.indicator(indicator_id)
        year = self.ref_year(indicator_id)
        if year is None:
            return Markdown(f"Für „{ind.title}“ liegen keine Ortsteilwerte vor.")
        rows = level_values(self.values[indicator_id], ORTSTEIL, year)[["area_code", "value"]]
        geo = self.inputs.geography.ortsteile.merge(rows, on="area_code", how="left")
        lowest, highest = extremes(self.values[indicator_id], year)
        alt = f"Karte der 63 Ortsteile: {ind.title} {year}. " + narrative.extremes_sentence(
            ind, lowest, highest, year
        ).replace("**", "")
        name = f"{self.year}-{indicator_id}-karte"
        csv = self._csv(geo[["area_code", "area_name", "value"]], name)
        chart = charts.choropleth(
            geo,
            "value",
            title=f"{ind.title} nach Ortsteilen, {year}",
            legend_title=ind.unit,
            number_format=d3_format(ind),
        )
        return charts.ChartOutput(chart, name, alt, csv_href=csv, png=self.edition.png)

    def extremes_text(self, indicator_id: str) -> Markdown:
        ind = self.indicator(indicator_id)
        year = self.ref_year(indicator_id)
        if year is None:
            return Markdown("")
        lowest, highest = extremes(self.values[indicator_id], year)
        return Markdown(narrative.extremes_sentence(ind, lowest, highest, year))

    def districts(self, indicator_id: str):
        ind = self.indicator(indicator_id)
        year = self.ref_year(indicator_id)
        if year is None:
            return Markdown(f"Für „{ind.title}“ liegen keine Stadtbezirkswerte vor.")
        values = self.values[indicator_id]
        rows = level_values(values, STADTBEZIRK, year)[["area_name", "value"]].rename(
            columns={"area_name": "Stadtbezirk"}
        )
        city_value = values[(values["level"] == STADT) & (values["year"] == year)]["value"]
        city_value = float(city_value.iloc[0]) if len(city_value) else math.nan
        top = rows.dropna().iloc[-1] if rows["value"].notna().any() else None
        alt = (
            f"Balkendiagramm: {ind.title} in den 10 Stadtbezirken {year}"
            + (
                f"; am höchsten in {top['Stadtbezirk']} mit {self._alt_number(ind, top['value'])}"
                if top is not None
                else ""
            )
            + (f"; Stadt Leipzig {self._alt_number(ind, city_value)}." if not math.isnan(city_value) else ".")
        )
        name = f"{self.year}-{indicator_id}-stadtbezirke"
        csv = self._csv(rows, name)
        # a count's city total dwarfs the districts: compare rates and averages with the city only
        reference = None if ind.is_count or math.isnan(city_value) else city_value
        chart = charts.bar_chart(
            rows,
            category="Stadtbezirk",
            value="value",
            title=f"{ind.title} nach Stadtbezirken, {year}",
            x_title=ind.unit,
            number_format=d3_format(ind),
            reference=reference,
            reference_label="Stadt Leipzig" if reference is not None else None,
        )
        return charts.ChartOutput(chart, name, alt, csv_href=csv, png=self.edition.png)

    def definition(self, indicator_id: str) -> Markdown:
        ind = self.indicator(indicator_id)
        text = f"*Definition:* {ind.definition}"
        if ind.notes:
            text += f" *Hinweis:* {ind.notes}"
        return Markdown(text)

    # -- plans, measures, recommendations ----------------------------------------------
    @cached_property
    def flags(self) -> pd.DataFrame:
        return self.edition.flags_for([i.id for i in self.indicators])

    def plans(self) -> Markdown:
        return Markdown(policy.plans_markdown(self.edition.policy, self.id, self.year))

    def measures(self) -> Markdown:
        return Markdown(policy.measures_markdown(self.edition.policy, self.id, self.year))

    def recommendations(self) -> Markdown:
        return Markdown(recommendations_text(self.edition, self.id, [i.id for i in self.indicators]))

    def warning_summary(self) -> str:
        """The early-warning flags on this chapter's indicators, in one paragraph per indicator."""
        flags = self.flags[self.flags["indicator"] != warning.INDEX_INDICATOR]
        if flags.empty:
            return ""
        lines = []
        for indicator_id, group in flags.groupby("indicator", sort=False):
            ind = self.catalogue.indicators[indicator_id]
            parts = []
            for rule, by_rule in group.groupby("rule", sort=False):
                names = sorted(set(by_rule["area_name"]))
                parts.append(f"{RULE_WORDS.get(rule, rule)}: {fmt.join_names(names)}")
            lines.append(f"- **Frühwarnsystem, {ind.short}**: " + "; ".join(parts) + ".")
        return "\n".join(lines)

    # -- closing section ----------------------------------------------------------------
    def developments(self) -> Markdown:
        """What moved most over five years, and where, for each indicator of the chapter."""
        items = []
        for ind in self.indicators:
            year = self.ref_year(ind.id)
            if year is None:
                continue
            kf = key_figure(self.values[ind.id], ind, self.year)
            back = (year - kf.five_years_year) if kf.five_years_year else None
            if not back:
                items.append(f"- **{ind.short}**: keine Vergleichswerte fünf Jahre zurück.")
                continue
            moves = changes(self.values[ind.id], ORTSTEIL, year, kf.five_years_year)
            stale = "; letzte verfügbare Daten" if year <= self.year - 3 else ""
            line = (
                f"- **{ind.short}** ({kf.five_years_year}–{year}{stale}): Stadt "
                f"{narrative.change_text(ind, kf.change_five_years, kf.five_years)}"
            )
            if ind.is_grade_scale:
                line += " (Notenskala: ein höherer Wert ist ungünstiger)"
            if ind.survey and not moves.empty:
                # a few hundred respondents per Ortsteil: the largest change is mostly sampling noise
                line += (
                    "; die Ortsteilwerte sind Stichprobenschätzungen der Bürgerumfrage, einzelne Ortsteile "
                    "werden daher nicht hervorgehoben"
                )
            elif not moves.empty:
                tested = moves["significant"].notna().any()
                # with counts, only a change larger than chance in a small area names the Ortsteil
                named = moves[moves["significant"].eq(True)] if tested else moves
                rises, falls = named[named["change"] > 0], named[named["change"] < 0]
                qualifier = " gesicherter" if tested else ""
                if not rises.empty:
                    up = rises.iloc[0]
                    line += (
                        f"; stärkster{qualifier} Anstieg in {up['area_name']} um "
                        f"{narrative.change_text(ind, up['change'], up['value_before'])}"
                    )
                if not falls.empty:
                    down = falls.iloc[-1]
                    line += (
                        f"; stärkster{qualifier} Rückgang in {down['area_name']} um "
                        f"{narrative.change_text(ind, down['change'], down['value_before'])}"
                    )
                if tested and rises.empty and falls.empty:
                    line += "; in keinem Ortsteil eine statistisch gesicherte Veränderung"
                if ind.direction != "neutral":
                    worse = moves["change"] > 0 if ind.direction == "higher_worse" else moves["change"] < 0
                    count = int(worse.sum())
                    line += (
                        f"; in {'einem' if count == 1 else fmt.number(count)} von {len(moves)} Ortsteilen "
                        "entwickelte sich der Wert ungünstig"
                    )
                    if tested and count:
                        certain = int((worse & moves["significant"].eq(True)).sum())
                        line += (
                            ", keiner davon statistisch gesichert"
                            if certain == 0
                            else f", davon {fmt.number(certain)} statistisch gesichert"
                        )
            items.append(line + ".")
        text = "\n".join(items) if items else "Für dieses Kapitel liegen keine Zeitreihen vor."
        warnings = self.warning_summary()
        if warnings:
            text += (
                "\n\nDas Frühwarnsystem (Kapitel „Frühwarnsystem“) markiert für die Kennzahlen dieses "
                "Kapitels:\n\n" + warnings
            )
        return Markdown(text)

    def _csv(self, frame: pd.DataFrame, name: str) -> str | None:
        if self.data_dir is None:
            return None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        charts.save_chart_csv(frame, self.data_dir / f"{name}.csv")
        return f"daten/{name}.csv"
