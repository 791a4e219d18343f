"""The edition's front and back matter: introduction, data sources, manifest, quality notes."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from sozialbericht import fmt
from sozialbericht import settings as config
from sozialbericht.analysis.city_series import load_city_series
from sozialbericht.analysis.indicators import read_catalogue
from sozialbericht.data.inputs import read_inputs
from sozialbericht.policy.register import escape_markdown as escape
from sozialbericht.report.coverage import coverage_markdown, load_open_datasets
from sozialbericht.report.tables import markdown_table

STATUS_TEXT = {
    "missing": "leer (keine Angabe)",
    "secret": "„.“ (unbekannt oder geheim)",
    "not_applicable": "„x“ (nicht sinnvoll)",
    "nothing": "„-“ (nichts vorhanden, als 0 gezählt)",
    "unavailable": "„0“ als „nicht verfügbar“ behandelt (ganze Jahresspalte; bei Quoten, Anteilen und Mittelwerten jede 0)",
    "missing_year": "Jahr fehlt in der Datei (ganze Jahresspalte; im Manifest bei den Jahren genannt)",
}


def input_notes(manifest: list[dict]) -> str:
    """What the build repaired or found missing in the inputs (geometry repairs, missing years)."""
    notes = [f"- {r['name']}: {escape(note)}" for r in manifest for note in r.get("repairs", [])]
    for record in manifest:
        years = record.get("missing_years") or []
        if years:
            which = (
                f"Das Jahr {years[0]} fehlt" if len(years) == 1 else f"Die Jahre {', '.join(map(str, years))} fehlen"
            )
            notes.append(f"- {record['name']}: {which} in der Datei; die Tabellen führen es ohne Wert.")
    return "\n\n**Lücken und Reparaturen der Eingabedateien:**\n\n" + "\n".join(notes) if notes else ""


class EditionPages:
    def __init__(self, year: int, inputs_file: str | None = None, formats: str = "html,pdf"):
        self.year = int(year)
        self.formats = {f.strip() for f in str(formats).split(",") if f.strip()}
        self.inputs = read_inputs(inputs_file or None)
        self.catalogue = read_catalogue(datasets=self.inputs.specs)

    def intro(self) -> Markdown:
        chapters = "\n".join(f"- {c['title']}" for c in self.catalogue.chapters)
        coverage = coverage_markdown(
            self.catalogue,
            self.inputs.specs,
            load_city_series(datasets=self.inputs.specs),
            load_open_datasets(),
            getattr(self.inputs, "missing", []),
        )
        datasets = [m for m in self.inputs.manifest if m.get("dataset")]
        # a local folder's path means nothing to readers; the appendix names it with every file's checksum
        source = (
            "gelesen aus einer lokalen Kopie der Schnittstelle"
            if self.inputs.source.startswith("lokaler")
            else f"abgerufen über die {self.inputs.source}"
        )
        text = f"""Dieser Bericht beschreibt die soziale Lage in Leipzig zum Stichtag {fmt.year_end(self.year)}
für die Stadt, ihre 10 Stadtbezirke und 63 Ortsteile. Alle Zahlen, Karten und Texte werden aus den
Daten des Amtes für Statistik und Wahlen berechnet ({len(datasets)} Datensätze der Open-Data-Schnittstelle,
{source}; Dateien, Abrufzeiten und Prüfsummen im Anhang „Daten, Quellen und Methoden“); keine Zahl ist
von Hand eingetragen. Jedes Themen- und Steuerungskapitel endet mit dem Abschnitt „Entwicklungen und neue
Herausforderungen“.

Die Kapitel dieser Ausgabe:

{chapters}

{coverage}
"""
        return Markdown(text)

    def downloads(self) -> Markdown:
        """Links to the edition's PDF and data; relative to book/edition/ in the edition's site."""
        year = self.year
        links = [(f"../../sozialbericht-{year}.pdf", f"Sozialbericht {year} als PDF")] if "pdf" in self.formats else []
        links += [
            (f"../../downloads/indikatoren-{year}.csv", "Alle Kennzahlen als CSV (Ortsteile, Stadtbezirke, Stadt)"),
            ("../../downloads/datapackage.json", "Datenpaket-Beschreibung (Frictionless Data Package)"),
            ("../../downloads/manifest.json", "Manifest der Eingabedateien (JSON)"),
        ]
        items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
        return Markdown(
            f"**Downloads.** Die Website bietet diesen Bericht als PDF und alle Kennzahlen der Ausgabe {year} als CSV-Datei mit "
            f"Beschreibung (Datenpaket) zum Herunterladen an, jeweils unter der Lizenz {config.LICENCE}, "
            f"Namensnennung: {config.ATTRIBUTION}. Jede Grafik hat zudem ihre Daten als Tabelle und CSV.\n\n"
            f"<ul>{items}</ul>"
        )

    def manifest(self) -> Markdown:
        rows = []
        for record in self.inputs.manifest:
            rows.append(
                {
                    "Eingabe": record["name"],
                    "Herkunft": record["source"],
                    "abgerufen": fmt.german_date(record["retrieved_at"]),
                    "Jahre": record.get("years", fmt.DASH),
                    "SHA-256": f"`{record['sha256'][:16]}…`",
                }
            )
        text = markdown_table(pd.DataFrame(rows), align=["l", "l", "r", "r", "l"])
        origins = [(r["name"], r["origin"]) for r in self.inputs.manifest if r.get("origin")]
        if origins:
            text += (
                "\n\nHerkunft laut Verzeichnis (`INDEX.csv`) des Datenordners; Einträge mit „DERIVED“ wurden "
                "nicht von der Schnittstelle abgerufen, sondern aus einer Kopie Dritter in deren Format "
                "zurückgebaut (nur Ortsteile, nur Zählwerte):\n\n"
                + "\n".join(f"- {name}: {escape(origin)}" for name, origin in origins)
            )
        missing = getattr(self.inputs, "missing", [])
        if missing:
            text += "\n\nNicht geliefert (optionale Datensätze; die Ausgabe wurde ohne sie erstellt):\n\n" + "\n".join(
                f"- {' '.join(m['title'].split())}: {escape(m['reason'])}" for m in missing
            )
        return Markdown(text + input_notes(self.inputs.manifest))

    def licence(self) -> Markdown:
        return Markdown(
            f"Datenquelle: **{config.ATTRIBUTION}**. Lizenz: {config.LICENCE} "
            f"(<{config.LICENCE_URL}>). Die Daten wurden über die Open-Data-Schnittstelle "
            f"<{config.LIVE_API}> bezogen oder aus einem Ordner mit derselben Struktur gelesen; "
            "die Prüfsummen im Manifest erlauben es, jede Eingabedatei eindeutig wiederzufinden."
        )

    def sum_checks(self) -> Markdown:
        checks = self.inputs.sum_checks
        checks = checks[checks["year"] == self.year]
        if checks.empty:
            return Markdown(
                f"Für {self.year} stimmen alle veröffentlichten Summen der Stadtbezirke und der Stadt "
                "mit der Summe ihrer Ortsteile überein."
            )
        table = pd.DataFrame(
            {
                "Datensatz": checks["dataset"].map(lambda d: self.inputs.specs[d].title),
                "Merkmal": checks["feature"],
                "Gebiet": checks["area_name"],
                "veröffentlicht": checks["published"].map(fmt.number),
                "Summe der Ortsteile": checks["sum_of_ortsteile"].map(fmt.number),
                "Differenz": checks["difference"].map(fmt.signed),
            }
        )
        align = ["l", "l", "l", "r", "r", "r"]
        return Markdown(
            f"In {len(table)} Fällen weicht für {self.year} der veröffentlichte Wert eines Stadtbezirks oder der "
            "Stadt von der Summe seiner Ortsteile ab (z. B. durch Personen ohne Ortsteilzuordnung oder "
            "Geheimhaltung). Der Bericht verwendet den veröffentlichten Wert; die Abweichungen:\n\n"
            + markdown_table(table, align=align)
        )

    def status_counts(self) -> Markdown:
        table = self.inputs.table
        counts = table[table["status"].isin(STATUS_TEXT)].groupby(["dataset", "status"]).size().reset_index(name="n")
        if counts.empty:
            return Markdown("Die Eingabedaten enthalten keine fehlenden oder gesperrten Werte.")
        frame = pd.DataFrame(
            {
                "Datensatz": counts["dataset"].map(lambda d: self.inputs.specs[d].title),
                "Kennzeichnung in der Quelle": counts["status"].map(STATUS_TEXT),
                "Werte": counts["n"].map(fmt.number),
            }
        )
        return Markdown(markdown_table(frame))

    def catalogue_table(self) -> Markdown:
        rows = []
        for ind in self.catalogue.indicators.values():
            rows.append(
                {
                    "Kennzahl": f"{ind.title} (`{ind.id}`)",
                    "Kapitel": self.catalogue.chapter(ind.chapter)["title"],
                    "Einheit": ind.unit,
                    "Richtung": {
                        "higher_worse": "höher = ungünstiger",
                        "higher_better": "höher = günstiger",
                        "neutral": "ohne Wertung",
                    }[ind.direction],
                    "ab": str(ind.first_year or fmt.DASH) + (" (Umfrage)" if ind.survey else ""),
                }
            )
        return Markdown(markdown_table(pd.DataFrame(rows), align=["l"] * 5))

    def formula(self, ind) -> str:
        text = f"{ind.numerator.feature} (Datensatz „{self.inputs.specs[ind.numerator.dataset].title}“)"
        if ind.denominator:
            text += (
                f" ÷ {ind.denominator.feature} (Datensatz „{self.inputs.specs[ind.denominator.dataset].title}“)"
                f" × {fmt.number(ind.factor)}"
            )
        else:
            text += ", wie veröffentlicht"
        return text

    def catalogue_notes(self) -> Markdown:
        items = [
            f"- **{i.title}** (`{i.id}`): {i.definition} *Berechnung:* {self.formula(i)}."
            + (f" *Hinweis:* {i.notes}" if i.notes else "")
            for i in self.catalogue.indicators.values()
        ]
        return Markdown("\n".join(items))
