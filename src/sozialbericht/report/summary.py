"""'Das Wichtigste in Kürze': the findings of analysis/findings.py and the Stadtbezirke, in German."""

from __future__ import annotations

import math
from functools import cached_property

import pandas as pd
from IPython.display import Markdown

from sozialbericht import fmt, grammar
from sozialbericht import settings as config
from sozialbericht.analysis import findings as rule
from sozialbericht.analysis import segregation
from sozialbericht.analysis.indicators import reference_year
from sozialbericht.analysis.special_effects import FILE_NAME, load_special_effects
from sozialbericht.report import synthesis
from sozialbericht.report import text as narrative
from sozialbericht.report.edition import Edition

TITLE = "Das Wichtigste in Kürze"
SEGREGATION_CHAPTER = "bevoelkerung"  # where the chapter text shows the index
SEGREGATION_STEP = 0.01  # a change of the index of at least one point (of 100) is reported


def load_effects(catalogue):
    return load_special_effects(config.DATA_DIR / FILE_NAME, set(catalogue.indicators))


def chapter_link(catalogue, chapter_id: str) -> str:
    chapter = catalogue.chapter(chapter_id)
    return f"[Kapitel „{chapter['title']}“]({chapter['notebook']}.ipynb)"


def _times(ratio: float) -> str:
    """2.1 -> 'etwa doppelt', 3.4 -> 'gut dreimal', 5.9 -> 'fast sechsmal' (2 ≤ ratio)."""
    words = {2: "doppelt", 3: "dreimal", 4: "viermal", 5: "fünfmal", 6: "sechsmal", 7: "siebenmal", 8: "achtmal"}
    whole, rest = int(ratio), ratio - int(ratio)
    lead, whole = ("etwa", whole) if rest < 0.25 else ("gut", whole) if rest < 0.75 else ("fast", whole + 1)
    return f"{lead} {words[whole]}" if whole in words else f"{lead} {fmt.number(whole)}-mal"


def finding_sentence(
    finding: rule.Finding, catalogue=None, edition_year: int | None = None, caveats_below: bool = False
) -> str:
    """One or two sentences with the numbers; the chapter link when a catalogue is given. ``caveats_below``:
    special effects and the data year are said once under the list (:func:`caveats_text`), not here."""
    ind = finding.indicator
    verb, meaning = narrative.movement(ind, finding.change)
    noun = "Anstieg" if finding.change > 0 else "Rückgang"
    period = "der vorigen Umfrage" if ind.survey else str(finding.base_year)
    stale = f" Für {edition_year} liegt noch kein Wert vor." if edition_year and finding.year < edition_year else ""
    text = (
        f"**{ind.title}:** {'Die Zahl' if ind.is_count else 'Der Wert'} {verb} {finding.year} gegenüber "
        f"{period} um "
        f"{narrative.change_text(ind, finding.change, finding.previous, signed=False)} auf "
        f"{narrative.value_text(ind, finding.value)}" + (f", {meaning}" if meaning else "") + "."
    )
    context = []
    typical = finding.typical_change
    # a typical change below the published precision ("0,00") is no yardstick: the ratio would be rounding noise
    shown = 0.5 * 10**-ind.decimals
    if typical and not math.isnan(typical) and typical >= shown and abs(finding.change) >= 2 * typical:
        span = "Umfragewellen" if ind.survey else "Jahre"
        context.append(
            f"Das ist {_times(abs(finding.change) / typical)} so viel wie die übliche Veränderung der vorigen "
            f"{span} ({narrative.change_text(ind, typical, math.nan, signed=False)})"
        )
    if finding.trend == "continues":
        context.append(f"der {noun} setzt den Trend seit {finding.trend_since} fort")
    elif finding.trend == "turns":
        old = "Rückgang" if finding.change > 0 else "Anstieg"
        unit = "Umfragewellen" if ind.survey else "Jahren"
        context.append(f"erster {noun} nach {fmt.number(finding.run)} {unit} mit {old}")
    if finding.flagged:
        names = synthesis.names(finding.flagged, limit=4, case="akk")
        lead = "den Ortsteil " if len(finding.flagged) == 1 and not grammar.area_gender(finding.flagged[0]) else ""
        context.append(f"das Frühwarnsystem markiert bei dieser Kennzahl {lead}{names}")
    if context:
        sentence = "; ".join(context)
        text += " " + sentence[0].upper() + sentence[1:] + "."
    if finding.events and not caveats_below:
        text += f" Bekannter Sondereffekt: {fmt.join_names(finding.events)}."
    if finding.base_events and not caveats_below:
        text += f" Das Vergleichsjahr {finding.base_year} fällt in einen bekannten Sondereffekt: {fmt.join_names(finding.base_events)}."
    if not caveats_below:
        text += stale  # last, so that "Das ist … so viel" still follows the change it speaks of
    if catalogue is not None:
        text += f" → {chapter_link(catalogue, ind.chapter)}"
    return " ".join(text.split())


def caveats_text(chosen: list[rule.Finding], year: int) -> str:
    """Once under the list: which findings fall into a known special effect, which compare with a year of one,
    and which rest on an earlier year than the edition's ("Befunde 1, 2 und 8")."""

    def numbers(test) -> list[int]:
        return [n for n, finding in enumerate(chosen, 1) if test(finding)]

    def which(found: list[int]) -> str:
        word = "Befund" if len(found) == 1 else "Die Befunde"
        return f"{word} {fmt.join_names([str(n) for n in found])}"

    sentences = []
    for title in dict.fromkeys(t for finding in chosen for t in finding.events):
        found = numbers(lambda f, t=title: t in f.events)
        sentences.append(
            f"{which(found)} {grammar.verb(len(found), 'fällt', 'fallen')} in den bekannten Sondereffekt „{title}“; "
            "ihre Veränderung ist nicht allein eine soziale Entwicklung."
        )
    for title in dict.fromkeys(t for finding in chosen for t in finding.base_events):
        found = numbers(lambda f, t=title: t in f.base_events)
        bases = fmt.join_names([str(y) for y in sorted({chosen[n - 1].base_year for n in found})])
        sentences.append(
            f"{which(found)} {grammar.verb(len(found), 'vergleicht', 'vergleichen')} mit {bases}, einem Jahr des "
            f"bekannten Sondereffekts „{title}“."
        )
    for last in sorted({f.year for f in chosen if f.year < year}):
        found = numbers(lambda f, y=last: f.year == y)
        sentences.append(
            f"{which(found)} {grammar.verb(len(found), 'beruht', 'beruhen')} auf Werten von {last}: für {year} ist "
            "noch keiner veröffentlicht."
        )
    return " ".join(sentences)


def district_paragraph(district: rule.District, comparison_said: bool = False) -> str:
    """``comparison_said``: the section already says once that no district can be compared this year."""
    change = (
        f", {fmt.signed(district.population_change)} gegenüber {district.year - 1}"
        if not math.isnan(district.population_change)
        else ""
    )
    text = f"**{district.name}** ({fmt.number(district.population)} Einwohner/-innen{change})."

    def listing(items):
        # the full name in prose; the data year where the report year's counts are not yet published
        return fmt.join_names(
            [
                f"{ind.title} ({narrative.compact_value(ind, value)}"
                + (f" im Jahr {data_year}" if data_year != district.year else "")
                + f"; Stadt {narrative.compact_value(ind, town)}"
                + (f"; {ind.area_note}" if ind.area_note else "")
                + ")"
                for ind, value, town, data_year in items
            ]
        )

    if district.worse:
        text += f" Deutlich ungünstiger als in der Stadt insgesamt: {listing(district.worse)}."
    if district.better:
        text += f" Deutlich günstiger: {listing(district.better)}."
    if district.worse or district.better or comparison_said:
        pass
    elif not district.compared:
        # no recent rate to compare: that is missing data, not a district like the city
        text += (
            f" Für {district.year - 1} und {district.year} liegt für die Stadtbezirke keine amtlich gezählte Quote "
            "mit sozialer Richtung vor; ein Vergleich mit der Stadt ist in dieser Ausgabe nicht möglich."
        )
    else:
        text += (
            f" Bei keiner der {fmt.number(len(district.compared))} vergleichbaren Kennzahlen weicht der "
            "Stadtbezirk deutlich von der Stadt ab."
            if len(district.compared) > 1
            else f" Bei der einzigen vergleichbaren Kennzahl ({district.compared[0]}) weicht der Stadtbezirk nicht "
            "deutlich von der Stadt ab."
        )
    if district.attention:
        word = "im Ortsteil" if len(district.attention) == 1 else "in den Ortsteilen"
        text += f" Besonderen Handlungsbedarf sieht das Frühwarnsystem {word} {fmt.join_names(district.attention)}"
    else:
        text += " Das Frühwarnsystem sieht in keinem seiner Ortsteile besonderen Handlungsbedarf"
    if district.marked:  # as the early-warning chapter counts them: flagged by a single rule, not by the index
        word = "im Ortsteil" if len(district.marked) == 1 else "in den Ortsteilen"
        text += f"; einzelne Kennzahlen markiert es {'außerdem ' if district.attention else ''}{word} "
        text += fmt.join_names(list(district.marked))
    return text + "."


def segregation_sentences(index: pd.DataFrame, year: int, only_moved: bool = False, effects=None) -> list[str]:
    """Per comparison: the index in ``year``, its change against the previous year and ten years back."""
    sentences = []
    for comparison, rows in index.groupby("comparison", sort=False):
        rows = rows.set_index("year")["index"]
        if year not in rows.index:
            continue
        first = rows.iloc[0]
        group, rest = index.loc[index["comparison"] == comparison, ["group", "rest"]].iloc[0]
        now = rows[year]
        previous = rows.get(year - 1, math.nan)
        moved = not math.isnan(previous) and abs(now - previous) >= SEGREGATION_STEP
        if only_moved and not moved:
            continue
        text = f"Segregationsindex {group} gegenüber {rest}: {fmt.number(now * 100, 1)} ({year})"
        if not math.isnan(previous):
            change = (now - previous) * 100
            text += (
                f", {fmt.signed(change, 1)} Punkte gegenüber {year - 1}"
                if abs(change) >= 0.05
                else f", unverändert gegenüber {year - 1}"
            )
        back = year - 10 if year - 10 in rows.index else int(rows.index[0])
        if back < year and back != year - 1:
            then = rows[back] if back in rows.index else first
            direction = "gesunken" if now < then else "gestiegen" if now > then else "gleich geblieben"
            text += f"; seit {back} ({fmt.number(then * 100, 1)}) {direction}"
        if effects is not None and moved:
            indicator = index.loc[index["comparison"] == comparison, "indicator"].iloc[0]
            events = [e.title for e in effects.for_indicator(indicator, year)]
            if events:
                text += f"; in das Jahr fällt der bekannte Sondereffekt {fmt.join_names(events)}"
        sentences.append(text + ".")
    return sentences


class SummaryPage:
    """The page 'Das Wichtigste in Kürze' of one edition."""

    def __init__(self, year: int, inputs_file: str | None = None, formats: str = "html,pdf"):
        self.edition = Edition(year, inputs_file, formats)
        self.year = self.edition.year
        self.catalogue = self.edition.catalogue

    @cached_property
    def effects(self):
        return load_effects(self.catalogue)

    @cached_property
    def ranked(self) -> list[rule.Finding]:
        return rule.rank(self.edition.values, self.catalogue, self.year, self.edition.warning.flags, self.effects)

    @cached_property
    def segregation(self) -> pd.DataFrame:
        return segregation.index_by_year(self.edition.inputs)

    def intro(self) -> Markdown:
        return Markdown(
            f"Die wichtigsten Befunde des Berichtsjahres {self.year} (Stichtag {fmt.year_end(self.year)}), "
            "ausgewählt nach einer festen Regel: Größe der Veränderung gegenüber ihrer üblichen Schwankung, Zahl "
            "der betroffenen Menschen, Fortsetzung oder Umkehr eines Trends und Hinweise des Frühwarnsystems "
            "(siehe Anhang „Daten, Quellen und Methoden“). Veränderungen, die bei den zugrunde liegenden "
            "Fallzahlen auch zufällig sein können, sind nicht aufgenommen." + self.data_years_text()
        )

    def data_years_text(self) -> str:
        """Which year each chapter's numbers reach: the edition's year is not every series' latest year."""
        parts = []
        for chapter in self.catalogue.chapters:
            years: dict[int, list[str]] = {}
            for ind in self.catalogue.indicators.values():
                if ind.chapter != chapter["id"]:
                    continue
                last = reference_year(self.edition.values[ind.id], self.year)
                if last is not None:
                    years.setdefault(last, []).append(ind.title)
            if not years:
                continue
            main = max(years, key=lambda y: (len(years[y]), y))
            others = "; ".join(
                f"{fmt.join_names(shorts)}: {y}" for y, shorts in sorted(years.items(), reverse=True) if y != main
            )
            parts.append(f"{chapter['title']} {main}" + (f" ({others})" if others else ""))
        if all(part.endswith(str(self.year)) for part in parts):
            return ""
        return (
            f"\n\n**Datenstand.** Nicht jede Reihe reicht bis {self.year}; die Zahlen dieser Ausgabe stammen aus: "
            + "; ".join(parts)
            + "."
        )

    def findings(self) -> Markdown:
        chosen = rule.select(self.ranked)
        if not chosen:
            return Markdown(f"Für {self.year} liegen keine Veränderungen vor, die die Auswahlregel erfüllen.")
        lines = [
            f"{n}. {finding_sentence(f, self.catalogue, self.year, caveats_below=True)}"
            for n, f in enumerate(chosen, 1)
        ]
        moved = segregation_sentences(self.segregation, self.year, only_moved=True, effects=self.effects)
        if moved:
            lines.append(
                f"{len(chosen) + 1}. **Segregation:** "
                + " ".join(moved)
                + " Ein niedrigerer Index heißt: die Gruppen wohnen gleichmäßiger über die Ortsteile verteilt. → "
                + chapter_link(self.catalogue, SEGREGATION_CHAPTER)
            )
        caveats = caveats_text(chosen, self.year)
        return Markdown("\n".join(lines) + (f"\n\n{caveats}" if caveats else ""))

    def districts(self) -> Markdown:
        items = rule.districts(self.edition.values, self.catalogue, self.year, self.edition.warning.flags)
        if not items:
            return Markdown("Für die Stadtbezirke liegen keine Werte vor.")
        if not any(d.compared for d in items):
            # said once for the section, not in each of the ten paragraphs
            lead = (
                f"Für {self.year - 1} und {self.year} liegt für die Stadtbezirke keine amtlich gezählte Quote mit "
                "sozialer Richtung vor; ein Vergleich der Stadtbezirke mit der Stadt ist in dieser Ausgabe daher "
                "nicht möglich. Die "
                "Absätze nennen die Einwohnerzahl und die Hinweise des Frühwarnsystems.\n\n"
            )
            return Markdown(lead + "\n\n".join(district_paragraph(d, comparison_said=True) for d in items))
        note = (
            "\n\n„Deutlich“ heißt: mindestens eine Standardabweichung der Stadtbezirkswerte vom Stadtwert "
            "entfernt; betrachtet werden Quoten mit sozialer Richtung aus amtlichen Zählungen des Berichtsjahres "
            "oder, wo dessen Zahlen noch nicht veröffentlicht sind, des Vorjahres (dann steht das Jahr beim Wert). "
            "Eine Markierung des Frühwarnsystems zeigt vor allem, wo die Lage ungünstig ist; ob sie künftige "
            "Verschlechterungen vorhersagt, prüft das Kapitel „Frühwarnsystem“ im Abschnitt „Wie verlässlich ist "
            "das Frühwarnsystem?“."
        )
        return Markdown("\n\n".join(district_paragraph(d) for d in items) + note)

    def ranking_table(self) -> pd.DataFrame:
        return rule.table(self.ranked)


def method_text() -> str:
    """The selection rule for the methods appendix, from the constants of analysis/findings.py."""
    w = rule.WEIGHTS
    return (
        "Kandidaten sind alle Kennzahlen, deren Stadtwert sich gegenüber dem Vorjahr (bei Umfragewerten: "
        "der vorigen Umfragewelle) verändert hat; Werte, die älter als das Vorjahr sind, bleiben außen vor. "
        "Keine Kandidaten sind Veränderungen, die auf null runden, und Quoten, deren Veränderung bei den "
        "zugrunde liegenden Fallzahlen auch zufällig sein kann (Poisson-Test, "
        f"$|z| \\le {fmt.number(rule.Z_CHANCE, 2).replace(',', '{,}')}$). Jede dieser Veränderungen erhält eine Punktzahl von 0 bis 1 aus "
        "vier Teilen:\n\n"
        f"- **Größe** (Gewicht {fmt.number(w['size'], 1)}): die Veränderung geteilt durch den Median der "
        f"Beträge der Veränderungen der bis zu {rule.TREND_YEARS} vorigen Perioden (mindestens einer halben "
        "letzten im Bericht gezeigten Stelle, weil feinere Veränderungen in den veröffentlichten Werten nicht "
        "messbar sind), begrenzt auf "
        f"{fmt.number(rule.SIZE_CAP, 0)} und auf 0–1 skaliert;\n"
        f"- **Betroffene** (Gewicht {fmt.number(w['people'], 1)}): die Veränderung der Zahl der Personen "
        f"hinter dem Wert, $\\log_{{10}}(1 + n) / {fmt.number(rule.PEOPLE_FULL, 0)}$, höchstens 1 "
        "(10.000 Personen ergeben den vollen Teil); 0, wo keine Zählwerte veröffentlicht sind;\n"
        f"- **Trend** (Gewicht {fmt.number(w['trend'], 1)}): 1, wenn die Veränderung einen Trend fortsetzt "
        f"(Mann-Kendall-Test über die letzten {rule.TREND_YEARS} Werte, $p < 0{{,}}05$, gleiche Richtung) oder "
        f"umkehrt (erste Veränderung gegen mindestens {rule.TURN_RUN} Veränderungen in der Gegenrichtung);\n"
        f"- **Frühwarnsystem** (Gewicht {fmt.number(w['warning'], 1)}): Zahl der Ortsteile, die das "
        f"Frühwarnsystem bei dieser Kennzahl markiert, geteilt durch {rule.WARNING_FULL}, höchstens 1.\n\n"
        f"Aufgenommen werden die Befunde mit mindestens {fmt.number(rule.MIN_SCORE, 2)} Punkten in der "
        f"Reihenfolge ihrer Punktzahl, höchstens {rule.PER_CHAPTER} je Kapitel und höchstens "
        f"{rule.MAX_FINDINGS} insgesamt; erfüllen weniger als {rule.MIN_FINDINGS} die Schwelle, wird mit den "
        "nächstbesten aufgefüllt. Fällt ein Befund in Jahre und Kennzahlen eines bekannten Sondereffekts "
        "(Abschnitt „Bekannte Sondereffekte“ dieses Anhangs), wird das Ereignis genannt. Der Segregationsindex wird zusätzlich "
        f"genannt, wenn er sich gegenüber dem Vorjahr um mindestens {fmt.number(SEGREGATION_STEP * 100, 0)} "
        "Punkt verändert hat."
    )


def analysis_method_text() -> str:
    """How the chapter texts judge developments, and the segregation index, for the methods appendix."""
    from sozialbericht.analysis import patterns

    return (
        "**Gemeinsame Bewegung.** Für je zwei Quoten eines Kapitels wird die Rangkorrelation nach Spearman der "
        "Veränderungen der Ortsteile über fünf Jahre berechnet; genannt werden Paare mit "
        f"$|\\rho| \\ge {fmt.number(patterns.CORRELATION_MIN, 1).replace(',', '{,}')}$ bei mindestens {patterns.CORRELATION_AREAS} "
        "Ortsteilen mit Werten.\n\n"
        "**Wo sich die Zahlen veränderten.** Für Zählwerte und die Zähler von Quoten wird die Veränderung "
        "gegenüber dem Vorjahr in jedem Ortsteil berechnet. Genannt wird der Anteil der "
        f"{patterns.TOP_AREAS} Ortsteile mit der größten Veränderung in Richtung der Gesamtveränderung an der "
        "Summe der Veränderungen aller Ortsteile, und die Anteile der Stadtbezirke an dieser Summe. Ein Anteil "
        "über 100 % heißt: andere Ortsteile entwickelten sich entgegengesetzt.\n\n"
        "**Abstand zwischen den Ortsteilen.** Streuungsmaß ist der Variationskoeffizient, die "
        "Standardabweichung der Ortsteilwerte geteilt durch ihren (ungewichteten) Mittelwert, ergänzt um das "
        "Verhältnis von 90. zu 10. Perzentil (P90/P10). Verglichen werden das Berichtsjahr und das Jahr "
        f"{patterns.SPREAD_YEARS} Jahre zuvor (fehlt es, das früheste Jahr mindestens "
        f"{patterns.SPREAD_MIN_YEARS} Jahre zuvor). Eine relative Veränderung des Variationskoeffizienten unter "
        f"{fmt.number(patterns.SPREAD_STEP * 100, 0)} % gilt als „nahezu gleich“. Zählwerte (abhängig von der "
        "Größe des Ortsteils) und Umfragewerte bleiben außen vor.\n\n"
        "**Ungünstigstes Fünftel.** Ein Ortsteil gehört in einem Jahr zum ungünstigsten Fünftel, wenn mehr als "
        "80 % der Ortsteile einen günstigeren oder gleichen Wert haben (gleiche Werte teilen sich den Rang). "
        f"Genannt werden Ortsteile, die mindestens {patterns.FIFTH_YEARS} Jahre ohne Unterbrechung bis zum "
        "Berichtsjahr dazugehören. „Neu im ungünstigsten Fünftel“ heißt: im Berichtsjahr dabei, in den vier "
        "Jahren davor nie, und die Veränderung über fünf Jahre ist statistisch gesichert (wo Zählwerte einen "
        "Test erlauben).\n\n"
        "**Trends und Wendepunkte.** Ein anhaltender Trend des Stadtwerts ist ein Mann-Kendall-Test über die "
        f"letzten {patterns.TREND_YEARS} Werte mit $p < 0{{,}}05$; ein Wendepunkt ist die erste Veränderung "
        f"gegen mindestens {patterns.TURN_RUN} Veränderungen in Folge in der Gegenrichtung.\n\n"
        "**Datenbesonderheiten.** Fällt ein Zählwert in einem Ortsteil von einem positiven Wert auf 0, oder "
        "fehlt der Wert im Endjahr, wird das nicht als Entwicklung dargestellt, sondern als Datenbesonderheit "
        "mit Datei und Jahr genannt (z. B. eine Einrichtung, die aus den Daten fällt). Gleich große "
        "Veränderungen (auf die gezeigte Stelle gerundet) werden gemeinsam genannt.\n\n"
        "**Segregationsindex.** Der Index der Dissimilarität nach Duncan und Duncan (1955) ist "
        "$D = \\tfrac12 \\sum_i |a_i/A - b_i/B|$ über die Ortsteile $i$, mit $a_i$ der Gruppe (z. B. "
        "Ausländer/-innen) und $b_i$ dem Rest der Bevölkerung im Ortsteil, $A$ und $B$ den Summen über die "
        "Ortsteile. Der Bericht zeigt $100 \\cdot D$: den Anteil einer Gruppe in Prozent, der umziehen müsste, "
        "damit beide Gruppen gleich über die Ortsteile verteilt wären. Verglichen werden Ausländer/-innen mit "
        "Deutschen, Personen in SGB-II-Bedarfsgemeinschaften mit der übrigen Bevölkerung und Kinder unter 15 "
        "Jahren in Bedarfsgemeinschaften mit den übrigen Kindern unter 15 Jahren. Die Zahl der Kinder unter 15 "
        "Jahren je Ortsteil folgt aus Einwohnerzahl, Jugendquote (JQ) und Altenquote (AQ), beide je 100 "
        "Personen von 15 bis unter 65 Jahren: $K = E \\cdot JQ / (100 + JQ + AQ)$. Der Index hängt von der "
        "Gebietseinteilung ab; Werte verschiedener Städte mit anderen Gebieten sind nicht direkt vergleichbar."
    )


def effects_text(catalogue) -> str:
    """The known special effects with years, indicators and sources, for the methods appendix."""
    effects = load_effects(catalogue)
    lines = []
    for effect in effects.effects:
        titles = (
            "alle Kennzahlen"
            if "alle" in effect.indicators
            else ", ".join(catalogue.indicators[i].short for i in effect.indicators)
        )
        sources = ", ".join(f"<{url}>" for url in effect.sources)
        years = fmt.join_names([str(y) for y in effect.years])
        lines.append(f"- **{effect.title}** ({years}; betrifft {titles}): {effect.note} Quellen: {sources}")
    return (
        "Ereignisse, die Kennzahlen aus Gründen bewegen, die keine soziale Entwicklung sind. Wo ein Befund, eine "
        "Entwicklung oder ein Hinweis des Frühwarnsystems in ihre Jahre und Kennzahlen fällt, nennt der Bericht "
        "das Ereignis.\n\n" + "\n".join(lines)
    )


def method_markdown() -> Markdown:
    return Markdown(method_text())


def analysis_method_markdown() -> Markdown:
    return Markdown(analysis_method_text())


def effects_markdown(catalogue) -> Markdown:
    return Markdown(effects_text(catalogue))
