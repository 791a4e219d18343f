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

from sozialbericht import fmt, grammar
from sozialbericht import settings as config
from sozialbericht.analysis import patterns, segregation, warning
from sozialbericht.analysis.indicators import (
    Indicator,
    extremes,
    key_figure,
    level_values,
    lowest_names,
    reference_year,
)
from sozialbericht.data.geography import ORTSTEIL, STADT, STADTBEZIRK
from sozialbericht.policy import register as policy
from sozialbericht.report import charts, policy_pages, synthesis
from sozialbericht.report import summary as summary_text
from sozialbericht.report import text as narrative
from sozialbericht.report.edition import Edition, recommendations_text
from sozialbericht.report.summary import load_effects
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
        """What the table does not say: directions, co-movement, where the change happened, the gap between the
        Ortsteile over ten years and who stays in the least favourable fifth."""
        figures = [key_figure(self.values[i.id], i, self.year) for i in self.indicators]
        blocks = [synthesis.directions_paragraph(figures)]
        five = [kf for kf in figures if kf.five_years_year and not kf.indicator.survey and kf.year == self.year]
        if five:
            base, last = min(kf.five_years_year for kf in five), max(kf.year for kf in five)
            blocks.append(
                synthesis.pairs_paragraph(patterns.moved_together(self.values, self.indicators, last, base), base, last)
            )
        blocks.append(self._where_text())
        blocks.append(
            synthesis.spread_paragraph(
                [
                    s
                    for s in (
                        patterns.spread(self.values[i.id], i, self.ref_year(i.id) or self.year) for i in self.indicators
                    )
                    if s
                ]
            )
        )
        fifth = []
        for ind in self.indicators:
            year = self.ref_year(ind.id)
            if year is not None:
                rows = patterns.least_favourable(self.values[ind.id], ind, year)
                first = int(ortsteil_years.min()) if len(ortsteil_years := self.values[ind.id]["year"]) else year
                fifth.append((ind, [(n, int(y), first) for n, y in zip(rows["area_name"], rows["since"])]))
        blocks.append(synthesis.fifth_paragraph(fifth))
        blocks += [synthesis.published_rate_sentence(r) for r in self.published_rates]
        blocks.append(self._effects_text())
        if not any(blocks):
            blocks.append(
                "Für einen Vergleich über fünf Jahre und zwischen den Ortsteilen reichen die Werte dieses Kapitels "
                f"für {self.year} nicht aus (bei Umfragewerten: keine Umfragewelle fünf Jahre zuvor); die Tabelle "
                "zeigt die Veränderung zur Vorperiode."
            )
        return Markdown("\n\n".join(b for b in blocks if b))

    @cached_property
    def published_rates(self):
        found = [
            patterns.published_rate(self.inputs, i, self.values[i.id], self.ref_year(i.id) or self.year)
            for i in self.indicators
        ]
        return [f for f in found if f is not None]

    def _where_text(self) -> str:
        """Where the city's change in the report year happened (counts behind the values, one per count)."""
        lines, seen = [], set()
        for ind in self.indicators:
            year = self.ref_year(ind.id)
            if year is None or year < self.year - 1:
                continue
            counted = ind.numerator if not ind.is_count else None
            if counted in seen:
                continue
            item = patterns.concentration(self.values[ind.id], ind, year, year - 1)
            if item is None:
                continue
            seen.add(counted)
            label = "Zahl" if ind.is_count else f"gezählt: „{ind.numerator.feature}“"
            lines.append("- " + synthesis.concentration_sentence(item, label))
        if not lines:
            return ""
        return "Wo sich die Zahlen im Berichtsjahr veränderten:\n\n" + "\n".join(lines)

    @cached_property
    def effects(self):
        return load_effects(self.catalogue)

    def _effects_text(self) -> str:
        """The known special effects that touch this chapter's indicators in the report year, once per chapter."""
        seen, lines = set(), []
        for ind in self.indicators:
            for effect in self.effects.for_indicator(ind.id, self.ref_year(ind.id) or self.year):
                if effect.id not in seen:
                    seen.add(effect.id)
                    lines.append(f"**Bekannter Sondereffekt – {effect.title}:** {effect.note}")
        return "\n\n".join(lines)

    # -- per indicator ----------------------------------------------------------------
    def _alt_number(self, ind: Indicator, value: float, case: str = "nom") -> str:
        """A value with its unit for an alt text; ``case`` 'dat' after 'mit' ('mit 47,0 Jahren')."""
        return narrative.value_text(ind, value, case)

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
            f"von {self._alt_number(ind, first['value'], 'dat')} auf {self._alt_number(ind, last['value'])}."
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
        return self.edition.chart_output(chart, name, alt, csv)

    def map(self, indicator_id: str):
        ind = self.indicator(indicator_id)
        year = self.ref_year(indicator_id)
        if year is None:
            return Markdown(f"Für „{ind.title}“ liegen keine Ortsteilwerte vor.")
        rows = level_values(self.values[indicator_id], ORTSTEIL, year)[["area_code", "value"]]
        geo = self.inputs.geography.ortsteile.merge(rows, on="area_code", how="left")
        lowest, highest = extremes(self.values[indicator_id], year)
        tied = lowest_names(self.values[indicator_id], year)
        alt = f"Karte der {len(geo)} Ortsteile: {ind.title} {year}. " + narrative.extremes_sentence(
            ind, lowest, highest, year, tied
        ).replace("**", "")
        name = f"{self.year}-{indicator_id}-karte"
        csv = self._csv(geo[["area_code", "area_name", "value"]], name)
        # the Ortsteile the text names (lowest and highest) are named on the map too
        named = tied + ([highest["area_name"]] if highest is not None else [])
        borders = self.inputs.geography.stadtbezirke
        if ind.is_count:
            # a count painted as areas makes large Ortsteile look important: circles sized by the count
            chart = charts.symbol_map(
                geo,
                "value",
                title=f"{ind.title} nach Ortsteilen, {year}",
                legend_title=ind.unit,
                number_format=d3_format(ind),
                borders=borders,
                label_names=named,
            )
        else:
            values = self.values[indicator_id]
            city = values[(values["level"] == STADT) & (values["year"] == year)]["value"]
            chart = charts.choropleth(
                geo,
                "value",
                title=f"{ind.title} nach Ortsteilen, {year}",
                legend_title=ind.unit,
                number_format=d3_format(ind),
                direction=ind.direction,
                city_value=float(city.iloc[0]) if len(city) and pd.notna(city.iloc[0]) else None,
                borders=borders,
                label_names=named,
            )
        return self.edition.chart_output(chart, name, alt, csv)

    def extremes_text(self, indicator_id: str) -> Markdown:
        ind = self.indicator(indicator_id)
        year = self.ref_year(indicator_id)
        if year is None:
            return Markdown("")
        lowest, highest = extremes(self.values[indicator_id], year)
        tied = lowest_names(self.values[indicator_id], year)
        return Markdown(narrative.extremes_sentence(ind, lowest, highest, year, tied))

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
            f"Balkendiagramm: {ind.title} in den {len(rows)} Stadtbezirken {year}"
            + (
                f"; am höchsten in {top['Stadtbezirk']} mit {self._alt_number(ind, top['value'], 'dat')}"
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
        return self.edition.chart_output(chart, name, alt, csv)

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
        return Markdown(policy_pages.plans_markdown(self.edition.policy, self.id, self.year))

    def measures(self) -> Markdown:
        """The chapter's measures, after what already happens in its most affected Ortsteile."""
        local = policy_pages.local_activity_markdown(self.edition.policy, self.flags, self.year)
        measures = policy_pages.measures_markdown(self.edition.policy, self.id, self.year)
        return Markdown(f"{local}\n\n{measures}" if local else measures)

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
            events = [e.title for e in self.effects.for_indicator(indicator_id, self.year)]
            known = f" Bekannter Sondereffekt {self.year}: {fmt.join_names(events)}." if events else ""
            lines.append(f"- **Frühwarnsystem, {ind.short}**: " + "; ".join(parts) + "." + known)
        return "\n".join(lines)

    # -- closing section ----------------------------------------------------------------
    def _source_name(self, dataset: str) -> str:
        """A dataset by its published title, as readers find it in the city's catalogue (the appendix names the
        file behind each title)."""
        for record in self.inputs.manifest:
            if record.get("dataset") == dataset:
                return f"Datensatz „{record.get('name', dataset)}“"
        return f"Datensatz {dataset}"

    def developments(self) -> Markdown:
        """Developments, not extremes: persistent trends and turning points of the city value, Ortsteil changes
        beyond chance, new concentrations; artefacts, ends of series and known special effects named as such."""
        items, unfavourable, seen = [], [], set()
        events: dict[str, tuple] = {}
        ended: dict[tuple[str, int], list[str]] = {}  # (dataset, last year) -> series that end there
        for ind in self.indicators:
            year = self.ref_year(ind.id)
            if year is None:
                continue
            kf = key_figure(self.values[ind.id], ind, self.year)
            trend = patterns.city_trend(self.values[ind.id], ind, year)
            line = f"- **{ind.short}**"
            if kf.five_years_year:
                line += (
                    f" ({kf.five_years_year}–{year}: Stadt "
                    f"{narrative.change_text(ind, kf.change_five_years, kf.five_years)}"
                    + ("; Notenskala, ein höherer Wert ist ungünstiger" if ind.is_grade_scale else "")
                    + ")"
                )
            sentences = [synthesis.trend_sentence(ind, trend, year, kf.change_previous, kf.change_five_years)]
            if year < self.year and not ind.survey:  # said once for the chapter, before the list
                ended.setdefault((ind.numerator.dataset, year), []).append(ind.short)
            if kf.five_years_year:
                moves = patterns.ortsteil_changes(self.values[ind.id], ind, year, kf.five_years_year)
                ortsteile = synthesis.ortsteile_sentence(moves)
                if ortsteile and ind.area_note and ind.area_note not in seen:  # how to read it, once per chapter
                    ortsteile += f" – {ind.area_note}"
                    seen.add(ind.area_note)
                sentences.append(ortsteile)
                if moves.new_in_fifth:
                    sentences.append(synthesis.new_in_fifth_sentence(moves))
                sentences.append(synthesis.artefact_sentence(moves, self._source_name(ind.numerator.dataset), seen))
                for effect in self.effects.in_window(ind.id, kf.five_years_year, year):
                    events.setdefault(effect.id, (effect, []))[1].append(ind.short)
            else:
                sentences.append("Keine Vergleichswerte fünf Jahre zurück")
            items.append(line + ": " + ". ".join(s for s in sentences if s) + ".")
            bad = {"higher_worse": ("rising", "turn_up"), "higher_better": ("falling", "turn_down")}
            if trend.kind in bad.get(ind.direction, ()):
                unfavourable.append(ind)
        text = "\n".join(items) if items else "Für dieses Kapitel liegen keine Zeitreihen vor."
        if ended:
            text = synthesis.ended_series_text(ended, self.year, self._source_name) + "\n\n" + text
        if any(i.survey for i in self.indicators) and items:
            text += "\n\n" + synthesis.SURVEY_NOTE
        for effect, shorts in events.values():
            years = fmt.join_names([str(y) for y in effect.years])
            text += (
                f"\n\nIn die betrachteten fünf Jahre fällt der bekannte Sondereffekt „{effect.title}“ ({years}); "
                f"er betrifft hier {fmt.join_names(shorts)}. Veränderungen dieser Kennzahlen sind vor diesem "
                "Hintergrund zu lesen."
            )
        consequences = self._consequences(unfavourable)
        if consequences:
            text += "\n\n" + consequences
        warnings = self.warning_summary()
        if warnings:
            text += (
                "\n\nDas Frühwarnsystem (Kapitel „Frühwarnsystem“) markiert für die Kennzahlen dieses "
                "Kapitels:\n\n" + warnings
            )
        return Markdown(text)

    def _consequences(self, unfavourable: list[Indicator]) -> str:
        """What an unfavourable trend means for the chapter's measures: which measures address it, or none."""
        if not unfavourable:
            return ""
        measures = policy.measures_for_chapter(self.edition.policy, self.id, self.year)
        covered, missing = [], []
        for ind in unfavourable:
            linked = [
                row["title"]
                for _, row in measures.iterrows()
                if any(link.get("id") == ind.id for link in (row.get("indicators") or []))
            ]
            (covered if linked else missing).append((ind, linked))
        parts = [
            f"Für die ungünstige Entwicklung {('bei ' + grammar.label(ind.short, 'dat')).replace('bei dem ', 'beim ')} sieht das Maßnahmenregister "
            + ("die Maßnahme " if len(linked) == 1 else "die Maßnahmen ")
            + fmt.join_names([f"„{t}“" for t in linked])
            + " vor; ihre Wirkung ist an dieser Kennzahl zu prüfen."
            for ind, linked in covered
        ]
        if missing:
            parts.append(
                f"Für {fmt.join_names([grammar.label(i.short, 'akk') for i, _ in missing])} ist im Maßnahmenregister keine Maßnahme "
                "hinterlegt; das ist bei der Fortschreibung der Pläne und Maßnahmen zu prüfen."
            )
        return " ".join(parts)

    # -- segregation ----------------------------------------------------------------------
    @cached_property
    def segregation_index(self) -> pd.DataFrame:
        frame = segregation.index_by_year(self.inputs)
        return frame[frame["year"] <= self.year]

    def segregation_text(self) -> Markdown:
        frame = self.segregation_index
        if frame.empty:
            return Markdown("Für den Segregationsindex fehlen in den Daten die nötigen Zählwerte.")
        lead = (
            "Der Segregationsindex (Index der Dissimilarität nach Duncan) misst, wie ungleich zwei Gruppen über "
            f"die {fmt.number(int(frame['areas'].max()))} Ortsteile verteilt wohnen: 0 heißt gleich verteilt, 100 "
            "heißt vollständig getrennt; der Wert ist der Anteil einer Gruppe in Prozent, der umziehen müsste, "
            "damit beide gleich verteilt wären (Methode im Anhang)."
        )
        sentences = summary_text.segregation_sentences(frame, self.year, effects=self.effects)
        text = lead + "\n\n" + "\n".join(f"- {s}" for s in sentences)
        if not sentences:
            text += f"\n\nFür {self.year} liegt kein Indexwert vor."
        return Markdown(text)

    def segregation_chart(self):
        frame = self.segregation_index.assign(Index=lambda f: f["index"] * 100)
        if frame.empty:
            return Markdown("")
        frame["Gruppe"] = frame["pair"]
        frame = frame.rename(columns={"year": "Jahr"})
        latest = frame[frame["Jahr"] == frame["Jahr"].max()]
        alt = "Liniendiagramm: Segregationsindex je Jahr; zuletzt " + "; ".join(
            f"{g}: {fmt.number(v, 1)}" for g, v in zip(latest["Gruppe"], latest["Index"])
        )
        name = f"{self.year}-segregation"
        csv = self._csv(frame[["Jahr", "Gruppe", "Index", "areas"]], name)
        chart = charts.trend_chart(
            frame,
            x="Jahr",
            y="Index",
            series="Gruppe",
            title="Segregationsindex über die Ortsteile, Stadt Leipzig",
            y_title="Index (0–100)",
            number_format=",.1f",
            series_title="Gruppe",
        )
        return self.edition.chart_output(chart, name, alt, csv)

    def _csv(self, frame: pd.DataFrame, name: str) -> str | None:
        if self.data_dir is None:
            return None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        charts.save_chart_csv(frame, self.data_dir / f"{name}.csv")
        return f"daten/{name}.csv"
