"""The steering chapters: Frühwarnsystem, Handlungsstrategien und Maßnahmen, Beteiligung."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from sozialbericht import fmt, grammar, style
from sozialbericht.analysis import warning
from sozialbericht.analysis.indicators import _children_under_15
from sozialbericht.policy import matching, register
from sozialbericht.report import charts, policy_pages, policy_print
from sozialbericht.report.edition import Edition
from sozialbericht.report.policy_pages import escape_markdown
from sozialbericht.report.tables import markdown_table
from sozialbericht.report.warning_text import method_text

# darker = less favourable, in both maps (one hue each); the legend says so
STATUS_COLORS = {"hoch": "#f2f0f7", "mittel": "#cbc9e2", "niedrig": "#9e9ac8", "sehr niedrig": "#54278f"}
# what a status class means socially: "hoch" is the favourable end (a low index)
STATUS_WORDS = {
    "hoch": "hoch (günstig)",
    "mittel": "mittel",
    "niedrig": "niedrig (ungünstig)",
    "sehr niedrig": "sehr niedrig (sehr ungünstig)",
}
DYNAMICS_COLORS = {"positiv": "#fff5eb", "stabil": "#fdd0a2", "negativ": "#d94701"}
DARKER = "dunkler = ungünstiger"
RULE_NAMES = {
    "worse_than_city": "Stadtvergleich",
    "worsening_trend": "Trend",
    "threshold": "Schwellenwert",
    warning.ATTENTION_RULE: "Index",
}
BACKTEST_NAMES = {
    "dynamik": "Frühwarnsystem: Dynamik negativ",
    "aufmerksamkeit": "Frühwarnsystem: besonderer Aufmerksamkeitsbedarf",
    "naiv": "Naive Regel: ungünstigstes Fünftel im Status",
}
TOO_SMALL = "zu klein für eine Einstufung"
TOO_SMALL_COLOR = "#bdbdbd"


def _index(value) -> str:
    return fmt.number(value, 2) if pd.notna(value) else fmt.DASH


class SteeringPages(Edition):
    def __init__(
        self, year: int, inputs_file: str | None = None, output_dir: str | Path = "", formats: str = "html,pdf"
    ):
        super().__init__(year, inputs_file, formats)
        self.data_dir = Path(output_dir) / "daten" if output_dir else None

    # -- Frühwarnsystem -------------------------------------------------------------------
    def warning_intro(self) -> Markdown:
        config = self.warning_config
        names = [self.catalogue.indicators[i.id].short for i in config.index]
        used = self.warning.years_used
        lines = [f"- {row.title}: " + (row.note or f"Wert {row.year_used} verwendet") for row in used.itertuples()]
        return Markdown(
            f"Das Frühwarnsystem ordnet jeden Ortsteil nach seinem **Status** (Niveau) und seiner **Dynamik** "
            f"(Veränderung über {grammar.amount(config.dynamics_period, 0, 'Jahr', 'akk')} gegenüber der Stadt) "
            "ein, wie das Berliner Monitoring Soziale Stadtentwicklung. Der Index besteht aus "
            f"{grammar.join(grammar.label(name, 'dat') for name in names)}. "
            f"Ortsteile mit weniger als {fmt.number(config.min_population)} {style.persons('Einwohner', 'dat')} "
            "oder zu kleinen Nennern werden nicht eingestuft. Eine Veränderung zählt nur, wenn sie sich vom Zufall "
            "unterscheidet: Veränderungen werden nach ihrem Zufallsfehler zum Stadtwert hin geschrumpft, und "
            "„negativ“ oder „positiv“ setzt einen Test voraus, der die Rate falscher Entdeckungen über alle "
            "Ortsteile begrenzt. Dasselbe gilt für jede Regel. Wie gut das trägt, zeigen ein Simulationstest im "
            "Methodenanhang und der Rückblick am Ende dieses Kapitels. Regeln und Verfahren sind im Anhang "
            "„Daten, Quellen und Methoden“ beschrieben.\n\n"
            "**Vorsicht bei der Deutung:** Die Regeln sehen Veränderungen, nicht ihre Ursachen. Sondereffekte wie "
            "die Corona-Pandemie (2020/21) und der Wechsel geflüchteter Menschen aus der Ukraine in die "
            "Grundsicherung nach SGB II (ab Juni 2022) verändern Status und Dynamik in einzelnen Ortsteilen "
            "stark; Markierungen in solchen Jahren nennen das Ereignis. Eine Markierung ist ein Anlass, vor Ort "
            "genauer hinzusehen, kein Urteil.\n\n"
            f"Verwendete Datenjahre für die Ausgabe {self.year}:\n\n" + "\n".join(lines)
        )

    def _status_geo(self):
        status = self.warning.status.copy()
        status["Status"] = status["status_class"].map(STATUS_WORDS).where(~status["too_small"], TOO_SMALL)
        status["Dynamik"] = status["dynamics_class"].where(~status["too_small"], TOO_SMALL)
        geo = self.inputs.geography.ortsteile.merge(
            status[["area_code", "Status", "Dynamik", "group"]], on="area_code", how="left"
        )
        geo["group"] = geo["group"].fillna(TOO_SMALL)
        return geo

    def _map(self, field: str, colors: dict, title: str):
        geo = self._status_geo()
        categories = list(colors) + [TOO_SMALL]
        palette = list(colors.values()) + [TOO_SMALL_COLOR]
        counts = geo[field].value_counts()
        alt_text = (
            f"Karte der {len(geo)} Ortsteile nach {field}-Klasse {self.year}: "
            + ", ".join(f"{c}: {int(counts.get(c, 0))}" for c in categories)
            + "."
        )
        name = f"{self.year}-fruehwarnsystem-{field.lower()}"
        csv = None
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            csv = f"daten/{name}.csv"
            charts.save_chart_csv(geo[["area_code", "area_name", field, "group"]], self.data_dir / f"{name}.csv")
        chart = charts.category_map(
            geo,
            field,
            title,
            f"{field} ({DARKER})",
            categories,
            palette,
            detail="group",
            borders=self.inputs.geography.stadtbezirke,
        )
        return self.chart_output(chart, name, alt_text, csv)

    def status_map(self):
        colors = {STATUS_WORDS[k]: v for k, v in STATUS_COLORS.items()}
        return self._map("Status", colors, f"Status der Ortsteile, Ausgabe {self.year}")

    def dynamics_map(self):
        return self._map("Dynamik", DYNAMICS_COLORS, f"Dynamik der Ortsteile, Ausgabe {self.year}")

    def status_table(self) -> Markdown:
        status = self.warning.status.sort_values("area_code")
        names = self.inputs.geography.stadtbezirke.set_index("area_code")["area_name"]

        def cell(klass, index):
            return f"{STATUS_WORDS.get(klass, klass)} ({_index(index)})" if isinstance(klass, str) else fmt.DASH

        def small_text(row):
            if row.small_population:
                return f"nicht eingestuft: unter {fmt.number(self.warning_config.min_population)} " + style.persons(
                    "Einwohner", "dat"
                )
            return "nicht eingestuft: zu kleine Fallzahlen (" + str(row.too_small_reason) + ")"

        table = pd.DataFrame(
            {
                "Ortsteil (Stadtbezirk)": [
                    f"{a} ({names[s]})" for a, s in zip(status["area_name"], status["sbz_code"])
                ],
                style.persons("Einwohner"): status["population"].map(fmt.number),
                "Status (Index)": [
                    cell(row.status_class, row.status_index) if not row.too_small else small_text(row)
                    for row in status.itertuples()
                ],
                "Dynamik (Index)": [
                    cell(k, i) if not small else fmt.DASH
                    for k, i, small in zip(status["dynamics_class"], status["dynamics_index"], status["too_small"])
                ],
                "Aufmerksamkeit": status["attention"].map({True: "ja", False: ""}),
            }
        )
        return Markdown(
            "Index: gewichtetes Mittel der z-Werte; ein höherer Index bedeutet eine ungünstigere "
            "Lage. Status „hoch“ ist das günstige Ende (niedriger Index), „sehr niedrig“ das ungünstige.\n\n"
            + markdown_table(table, align=["l", "r", "l", "l", "l"])
        )

    def attention(self) -> Markdown:
        flags = self.warning.flags
        if flags.empty:
            return Markdown(f"Für {self.year} markiert das Frühwarnsystem keinen Ortsteil.")
        parts = []
        order = flags.groupby("area_name")["severity"].max().sort_values(ascending=False)
        for area in order.index:
            group = flags[flags["area_name"] == area].sort_values("severity", ascending=False)
            reasons = "\n".join(
                f"  - {row.severity_label}: {escape_markdown(row.reason)}" for row in group.itertuples()
            )
            parts.append(f"- **{area}**\n{reasons}")
        affected = int((flags["special_effect"] != "").sum())
        effect_text = (
            f" {affected} der {len(flags)} Markierungen fallen in Indikator und Jahre eines bekannten Sondereffekts "
            "(in der Begründung genannt); ihre Ursache ist nicht zwingend eine soziale Entwicklung."
            if affected
            else " Keine Markierung fällt in einen bekannten Sondereffekt."
        )
        # "besonderer Handlungsbedarf" means the index's attention, here as in the summary and the profiles
        attention = sorted(set(flags.loc[flags["indicator"] == warning.INDEX_INDICATOR, "area_name"]))
        others = len(order) - len(attention)
        need = (
            f" Besonderen Handlungsbedarf (Status und Dynamik des Sozialindex) sieht das System in "
            f"{grammar.count(len(attention), 'Ortsteil', 'dat')}: {fmt.join_names(attention)}"
            + (
                f"; in {grammar.count(others, 'Ortsteil', 'dat', adjective_stem='weiter')} markieren einzelne Regeln eine Kennzahl."
                if others
                else "."
            )
            if attention
            else " Besonderen Handlungsbedarf nach Status und Dynamik des Sozialindex sieht das System in keinem Ortsteil."
        )
        return Markdown(
            f"{grammar.count(len(order), 'Ortsteil')} {grammar.verb(len(order), 'ist', 'sind')} {self.year} markiert "
            f"(Alarm vor Warnung vor Hinweis).{need}{effect_text}{self._improving_but_low_text()}\n\n"
            + "\n".join(parts)
        )

    def _improving_but_low_text(self) -> str:
        """A low status with positive dynamics keeps its level: say why, so 'Alarm' next to 'positiv' is not misread."""
        status = self.warning.status
        low_improving = status[
            ~status["too_small"]
            & status["status_class"].isin(["niedrig", "sehr niedrig"])
            & status["dynamics_class"].eq("positiv")
        ]
        if low_improving.empty:
            return ""
        names = fmt.join_names(sorted(low_improving["area_name"]))
        return (
            f" Die Stufe folgt dem Status: {names} "
            f"{grammar.verb(len(low_improving), 'bleibt', 'bleiben')} markiert, obwohl sich die Lage zuletzt "
            "stärker verbesserte als in der Stadt (Dynamik positiv). Eine positive Dynamik mildert den "
            "Handlungsbedarf, hebt einen niedrigen Status aber nicht auf."
        )

    def changes(self) -> Markdown:
        changes = self.warning.changes
        if changes.empty:
            same = self.warning.years_used
            note = ""
            if (same["year_used"] < self.year).all():
                note = (
                    " Die Kennzahlen des Systems liegen für dieses Jahr noch nicht vor; beide Ausgaben beruhen "
                    "daher auf denselben Daten."
                )
            return Markdown(f"Gegenüber der Ausgabe {self.year - 1} hat sich keine Markierung geändert.{note}")
        rows = pd.DataFrame(
            {
                "Veränderung": changes["change"],
                "Ortsteil": changes["area_name"],
                "Kennzahl": changes["indicator"].map(
                    lambda i: self.catalogue.indicators[i].short if i in self.catalogue.indicators else "Index"
                ),
                "Begründung": changes["reason"].map(escape_markdown),
            }
        )
        counts = changes["change"].value_counts()
        return Markdown(
            f"Gegenüber der Ausgabe {self.year - 1}: "
            f"{grammar.count(counts.get('neu markiert', 0), 'Markierung', adjective_stem='neu')} und "
            f"{grammar.count(counts.get('nicht mehr markiert', 0), 'Markierung', adjective_stem='entfallen')}.\n\n"
            + markdown_table(rows, align=["l", "l", "l", "l"])
        )

    def warning_developments(self) -> Markdown:
        status = self.warning.status
        classed = status[~status["too_small"]]
        counts = classed["status_class"].value_counts()
        dyn = classed["dynamics_class"].value_counts()
        flagged = self.warning.flags
        rules = flagged[flagged["indicator"] != warning.INDEX_INDICATOR]
        # one indicator counts once: Ortsteile per indicator, not rule hits
        by_indicator = rules.groupby("indicator")["area_code"].nunique().sort_values(ascending=False)
        top = ", ".join(f"{self.catalogue.indicators[i].short} ({n})" for i, n in by_indicator.head(3).items())
        attention = classed[classed["attention"]]["area_name"].tolist()
        text = (
            "- Status: "
            + ", ".join(f"{c} {int(counts.get(c, 0))}" for c in STATUS_COLORS)
            + f"; {grammar.count(status['too_small'].sum(), 'Ortsteil')} zu klein für eine Einstufung.\n"
            f"- Dynamik: " + ", ".join(f"{c} {int(dyn.get(c, 0))}" for c in DYNAMICS_COLORS) + ".\n"
            f"- Besondere Aufmerksamkeit: {grammar.count(len(attention), 'Ortsteil', digits=True)}"
            + (f" ({fmt.join_names(attention)})" if attention else "")
            + ".\n"
        )
        if top:
            text += f"- Regelmarkierungen (Ortsteile je Kennzahl): {top}.\n"
        return Markdown(text)

    def matrix(self) -> Markdown:
        """The 4 × 3 status × dynamics matrix with the Ortsteile in each cell (as in Berlin)."""
        config = self.warning_config
        classed = self.warning.status[~self.warning.status["too_small"]]
        header = "| Status / Dynamik | " + " | ".join(config.dynamics_classes) + " |"
        lines = [header, "|---|" + "---|" * len(config.dynamics_classes)]
        for status_class in config.status_classes:
            cells = []
            for dynamics_class in config.dynamics_classes:
                names = classed.loc[
                    (classed["status_class"] == status_class) & (classed["dynamics_class"] == dynamics_class),
                    "area_name",
                ].sort_values()
                cells.append(
                    f"**{len(names)}**: " + ", ".join(escape_markdown(n) for n in names) if len(names) else "0"
                )
            lines.append(f"| {STATUS_WORDS.get(status_class, status_class)} | " + " | ".join(cells) + " |")
        small = self.warning.status.loc[self.warning.status["too_small"], "area_name"].tolist()
        note = f"\n\nNicht eingestuft: {fmt.join_names(small)}." if small else ""
        return Markdown(
            "Zeilen: Status (von günstig nach ungünstig); Spalten: Dynamik. In jeder Zelle die Zahl der "
            "Ortsteile und ihre Namen.\n\n" + "\n".join(lines) + note
        )

    def inactive_rules(self) -> Markdown:
        inactive = self.warning.inactive
        if inactive.empty:
            return Markdown(f"Alle Regeln können {self.year} mit den vorhandenen Daten greifen.")
        rows = pd.DataFrame(
            {
                "Eintrag": inactive["entry"].map(lambda e: e.split(" (")[0].replace("rules entry", "Regel")),
                "Kennzahl": inactive["indicator"].map(lambda i: self.catalogue.indicators[i].short),
                "Regel": inactive["rule"].map(RULE_NAMES),
                "Grund": inactive["reason"],
            }
        )
        return Markdown(
            f"{grammar.upper_first(grammar.count(len(inactive), 'Regel'))} des Frühwarnsystems "
            f"{grammar.verb(len(inactive), 'kann', 'können')} {self.year} mit den vorhandenen Daten nicht greifen "
            f"und {grammar.verb(len(inactive), 'ist', 'sind')} inaktiv; sie zählen in keiner Übersicht dieses "
            "Kapitels mit.\n\n" + markdown_table(rows, align=["l", "l", "l", "l"])
        )

    def backtest(self) -> Markdown:
        """Section 'Wie verlässlich ist das Frühwarnsystem?': hit rate and false alarms against a naive rule."""
        test = self.warning.backtest or {}
        pooled = test.get("pooled")
        if pooled is None or pooled.empty:
            return Markdown(
                "Für einen Rückblick fehlen Jahre: Der Index und die drei folgenden Jahre müssen vorliegen."
            )
        years = test["years"]
        events = int(pooled["events"].iloc[0])
        ortsteil_years = int(pooled["ortsteile"].iloc[0])
        rows = pd.DataFrame(
            {
                "Regel": pooled["rule"].map(BACKTEST_NAMES),
                "Markierungen": pooled["flagged"].map(fmt.number),
                "Treffer": pooled["hits"].map(fmt.number),
                "Trefferquote": [
                    f"{fmt.percent(100 * r, 0)} ({h} von {events})" if r == r else fmt.DASH
                    for r, h in zip(pooled["hit_rate"], pooled["hits"])
                ],
                "Fehlalarme": [
                    f"{fmt.number(f)} ({fmt.percent(100 * s, 0)} der Markierungen)" if s == s else fmt.DASH
                    for f, s in zip(pooled["false_alarms"], pooled["false_alarm_share"])
                ],
            }
        )
        by_rule = pooled.set_index("rule")
        system, naive = by_rule.loc["aufmerksamkeit"], by_rule.loc["naiv"]
        if events == 0:
            verdict = "In diesem Zeitraum hat sich kein Ortsteil nach der Definition verschlechtert; eine Trefferquote lässt sich nicht angeben."
        else:
            better_hits = system["hits"] - naive["hits"]
            fewer_alarms = naive["false_alarms"] - system["false_alarms"]
            verdict = (
                f"Das System findet {int(system['hits'])} der {events} Verschlechterungen, die naive Regel "
                f"{int(naive['hits'])}; es gibt {int(system['false_alarms'])} Fehlalarme, die naive Regel "
                f"{int(naive['false_alarms'])}. "
                + (
                    "Damit ist das System der naiven Regel nicht überlegen: "
                    if better_hits <= 0 and fewer_alarms <= 0
                    else "Damit unterscheidet sich das System von der naiven Regel: "
                )
                + "Verschlechterungen dieser Stärke sind selten, und der Status ändert sich über drei Jahre "
                "kaum. Eine Markierung sagt deshalb vor allem, wo die Lage ungünstig ist, nicht, wo sie "
                "sich verschlechtern wird."
            )
        dyn = by_rule.loc["dynamik"]
        return Markdown(
            f"Rückblick auf die Jahre {years[0]}–{years[-1]} ({fmt.number(ortsteil_years)} Ortsteil-Jahre, je Jahr "
            f"nur mit den Daten bis zu diesem Jahr gerechnet): In {events} Fällen hat sich ein Ortsteil in den "
            f"folgenden {test['horizon']} Jahren verschlechtert (Statusindex mindestens "
            f"{fmt.number(test['worsening'], 1)} höher oder Wechsel in die ungünstigste Statusklasse).\n\n"
            + markdown_table(rows, align=["l", "r", "r", "l", "l"])
            + f"\n\n{verdict} Die Dynamik allein („negativ“) traf {int(dyn['hits'])} von {events} Fällen bei "
            f"{int(dyn['false_alarms'])} Fehlalarmen. Der Rückblick wird bei jeder Ausgabe neu aus den Daten berechnet; "
            "das Verfahren steht im Methodenanhang."
        )

    def method(self) -> Markdown:
        return Markdown(method_text(self.warning_config, self.warning, self.children_derivation()))

    def children_derivation(self) -> dict:
        """How exactly the children under 15 follow from population, Jugend- and Altenquote (city rows)."""
        derived = _children_under_15(self.inputs)
        derived = derived[derived["value"].notna()]
        offset = (derived["value"] - derived["value"].round()).abs()
        city = derived[derived["level"] == "Stadt"]
        city_offset = (city["value"] - city["value"].round()).abs()
        return {
            "years": int(len(city)),
            "whole": int((city_offset < 0.01).sum()),
            "exceptions": sorted(int(y) for y in city.loc[city_offset >= 0.01, "year"]),
            "max_offset": float(offset.max()) if len(offset) else float("nan"),
            "whole_share": float((offset < 0.01).mean()) if len(offset) else float("nan"),
        }

    # -- Handlungsstrategien und Maßnahmen -----------------------------------------------
    def register(self) -> Markdown:
        return Markdown(policy_pages.register_markdown(self.policy, self.year))

    def tracking(self) -> Markdown:
        return Markdown(policy_pages.tracking_markdown(self.policy, self.year))

    def gaps(self) -> Markdown:
        return Markdown(policy_pages.gaps_markdown(self.policy, self.warning.flags, self.year))

    def plans(self) -> Markdown:
        return Markdown(
            policy_print.web_and_print(
                policy_pages.plans_markdown(self.policy, None, self.year),
                policy_pages.plans_markdown(self.policy, None, self.year, printed=True),
            )
        )

    def measures_developments(self) -> Markdown:
        changes = register.status_changes(self.policy, self.year)
        late = register.overdue(self.policy, self.year)
        gaps = matching.gaps(self.policy, self.warning.flags, self.year)
        local = matching.local_difference(self.policy, self.warning.flags, self.year)
        plans = register.plans_for_chapter(self.policy, None, self.year)
        renew = plans[plans["renewal_due"].astype(bool)]
        none = int((gaps["coverage"] == "none").sum())
        only_city = len(gaps) - none
        text = (
            f"- {grammar.upper_first(grammar.count(len(changes), 'Maßnahme'))} "
            f"{grammar.verb(len(changes), 'hat', 'haben')} {self.year} einen neuen, durch eine Quelle belegten "
            f"Umsetzungsstand; {grammar.count(len(late), 'Maßnahme')} {grammar.verb(len(late), 'hat', 'haben')} "
            "ein belegtes Zieljahr überschritten.\n"
            f"- Je Ortsteil und markierter Kennzahl entschieden: in {grammar.count(none, 'Fall', 'dat')} keine "
            f"Maßnahme („{policy_pages.GAP}“), in {grammar.count(only_city, 'Fall', 'dat')} nur gesamtstädtische. In "
            f"{grammar.count(len(local), 'Ortsteil', 'dat', adjective_stem='markiert')} wirkt eine Maßnahme vor Ort"
            + (f" ({fmt.join_names(local)})" if local else "")
            + ".\n"
            f"- {grammar.upper_first(grammar.count(len(renew), 'Plan'))} oder Konzept{'e' if len(renew) > 1 else ''} "
            f"{grammar.verb(len(renew), 'hat', 'haben')} den Geltungszeitraum beendet und "
            f"{grammar.verb(len(renew), 'ist', 'sind')} zur Fortschreibung vorzusehen"
            + (f": {fmt.join_names([escape_markdown(t) for t in renew['title']])}" if len(renew) else "")
            + "."
        )
        return Markdown(text)

    # -- Beteiligung --------------------------------------------------------------------
    def instruments(self) -> Markdown:
        return Markdown(
            policy_print.web_and_print(
                policy_pages.instruments_markdown(self.policy, self.year),
                policy_print.instruments_print(self.policy, self.year),
            )
        )

    def participation_summary(self) -> Markdown:
        return Markdown(
            policy_pages.participation_summary_markdown(self.policy, self.warning.flags, self.evidence, self.year)
        )

    def participation(self) -> Markdown:
        args = (self.policy, self.warning.flags, self.evidence, self.year)
        return Markdown(
            policy_print.web_and_print(
                policy_pages.participation_markdown(*args), policy_print.participation_print(*args)
            )
        )

    def participation_developments(self) -> Markdown:
        proposals = matching.participation_proposals(self.policy, self.warning.flags, self.evidence, self.year)
        flagged = self.warning.flags["area_code"].nunique()
        new = self.warning.changes
        new_areas = sorted(set(new[new["change"] == "neu markiert"]["area_name"])) if not new.empty else []
        distinct = proposals.groupby("area_code")["instrument_title"].apply(tuple).nunique() if len(proposals) else 0
        text = (
            f"- Vorschläge für {proposals['area_name'].nunique()} von "
            f"{grammar.count(flagged, 'Ortsteil', 'dat', adjective_stem='markiert', digits=True)} und "
            f"{grammar.count(proposals['target_group'].nunique(), 'Zielgruppe', 'akk', digits=True)}; "
            f"{distinct} unterschiedliche Zusammenstellungen von Formaten, weil die Gremien des Stadtbezirks und "
            "des Gebiets genannt werden. In den übrigen markierten Ortsteilen ist keine betroffene Zielgruppe "
            "nachweislich stärker vertreten als in der Stadt.\n"
        )
        if new_areas:
            text += (
                f"- Neu markierte Ortsteile, in denen Beteiligung zuerst ansetzen sollte: "
                f"{fmt.join_names(new_areas)}.\n"
            )
        else:
            text += "- Gegenüber der Vorjahresausgabe ist kein Ortsteil neu markiert.\n"
        return Markdown(text)
