"""The steering chapters: Frühwarnsystem, Handlungsstrategien und Maßnahmen, Beteiligung."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from sozialbericht import fmt, grammar, style
from sozialbericht.analysis import warning
from sozialbericht.policy import matching, register
from sozialbericht.report import charts, policy_pages
from sozialbericht.report.edition import Edition
from sozialbericht.report.policy_pages import escape_markdown
from sozialbericht.report.tables import markdown_table

STATUS_COLORS = {"hoch": "#542788", "mittel": "#b2abd2", "niedrig": "#fdb863", "sehr niedrig": "#b35806"}
# what a status class means socially: "hoch" is the favourable end (a low index)
STATUS_WORDS = {
    "hoch": "hoch (günstig)",
    "mittel": "mittel",
    "niedrig": "niedrig (ungünstig)",
    "sehr niedrig": "sehr niedrig (sehr ungünstig)",
}
DYNAMICS_COLORS = {"positiv": "#5e3c99", "stabil": "#d9d9d9", "negativ": "#e66101"}
TOO_SMALL = "zu klein für eine Einstufung"


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
            f"(Veränderung über {grammar.amount(config.dynamics_period, 0, 'Jahr', 'akk')}) ein. Der Index besteht aus "
            f"{grammar.join(grammar.label(name, 'dat') for name in names)}; jede Kennzahl wird gegen die Ortsteile standardisiert (z-Wert). "
            f"Ortsteile mit weniger als {fmt.number(config.min_population)} "
            f"{style.persons('Einwohner', 'dat')} oder zu kleinen Nennern werden nicht eingestuft. Zusätzlich prüfen Regeln jede Kennzahl mit Konfidenzintervallen gegen den "
            "Stadtwert und mit einem Trendtest über die letzten Werte, damit kleine Ortsteile nicht wegen "
            "Zufallsschwankungen markiert werden. Regeln und Verfahren sind im Anhang „Daten, Quellen und "
            "Methoden“ beschrieben.\n\n"
            "**Vorsicht bei der Deutung:** Die Regeln sehen Veränderungen, nicht ihre Ursachen. Sondereffekte wie "
            "die Corona-Pandemie (2020/21) und der Wechsel geflüchteter Menschen aus der Ukraine in die "
            "Grundsicherung nach SGB II (ab Juni 2022) verändern Dynamik und Trends in einzelnen Ortsteilen "
            "stark; die Konfidenzintervalle behandeln Personen als unabhängig und sind daher eher zu eng. "
            "Eine Markierung ist ein Anlass, vor Ort genauer hinzusehen, kein Urteil.\n\n"
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
        palette = list(colors.values()) + ["#f0f0f0"]
        counts = geo[field].value_counts()
        alt_text = (
            f"Karte der 63 Ortsteile nach {field}-Klasse {self.year}: "
            + ", ".join(f"{c}: {int(counts.get(c, 0))}" for c in categories)
            + "."
        )
        name = f"{self.year}-fruehwarnsystem-{field.lower()}"
        csv = None
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            csv = f"daten/{name}.csv"
            charts.save_chart_csv(geo[["area_code", "area_name", field, "group"]], self.data_dir / f"{name}.csv")
        chart = charts.category_map(geo, field, title, f"{field}-Klasse", categories, palette, detail="group")
        return charts.ChartOutput(chart, name, alt_text, csv_href=csv, png=self.png)

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
        return Markdown(
            f"{grammar.count(len(order), 'Ortsteil')} {grammar.verb(len(order), 'ist', 'sind')} {self.year} markiert "
            "(Alarm vor Warnung vor Hinweis):\n\n" + "\n".join(parts)
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
        by_indicator = flagged[flagged["indicator"] != warning.INDEX_INDICATOR]["indicator"].value_counts()
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
            text += f"- Häufigste Regelmarkierungen: {top}.\n"
        return Markdown(text)

    def method(self) -> Markdown:
        return Markdown(warning.method_text(self.warning_config))

    # -- Handlungsstrategien und Maßnahmen -----------------------------------------------
    def register(self) -> Markdown:
        return Markdown(policy_pages.register_markdown(self.policy, self.year))

    def tracking(self) -> Markdown:
        return Markdown(policy_pages.tracking_markdown(self.policy, self.year))

    def gaps(self) -> Markdown:
        return Markdown(policy_pages.gaps_markdown(self.policy, self.warning.flags, self.year))

    def plans(self) -> Markdown:
        return Markdown(policy_pages.plans_markdown(self.policy, None, self.year))

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
        return Markdown(policy_pages.instruments_markdown(self.policy, self.year))

    def participation_summary(self) -> Markdown:
        return Markdown(
            policy_pages.participation_summary_markdown(self.policy, self.warning.flags, self.evidence, self.year)
        )

    def participation(self) -> Markdown:
        return Markdown(policy_pages.participation_markdown(self.policy, self.warning.flags, self.evidence, self.year))

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
