"""The edition's front and back matter: introduction, data sources, manifest, quality notes."""

from __future__ import annotations

import re

import pandas as pd
from IPython.display import Markdown

from sozialbericht import fmt, grammar
from sozialbericht import settings as config
from sozialbericht.analysis.city_series import load_city_series
from sozialbericht.analysis.indicators import read_catalogue
from sozialbericht.data.inputs import read_inputs
from sozialbericht.report.coverage import coverage_markdown, load_open_datasets
from sozialbericht.report.dates import edition_dates
from sozialbericht.report.policy_pages import escape_markdown as escape
from sozialbericht.report.tables import markdown_table

STATUS_TEXT = {
    "missing": "leer (keine Angabe)",
    "secret": "„.“ (unbekannt oder geheim)",
    "not_applicable": "„x“ (nicht sinnvoll)",
    "nothing": "„-“ (nichts vorhanden, als 0 gezählt)",
    "unavailable": "„0“ als „nicht verfügbar“ behandelt (ganze Jahresspalte; bei Quoten, Anteilen und Mittelwerten jede 0)",
    "missing_year": "Jahr fehlt in der Datei (ganze Jahresspalte; im Manifest bei den Jahren genannt)",
}


# what a data folder's INDEX.csv says about a file, in German (the mirror's English notes)
ORIGINS = [
    (re.compile(r"^recorded response,\s*(.+)$"), "aufgezeichnete Antwort der Schnittstelle ({0})"),
    (
        re.compile(r"^DERIVED:\s*rebuilt in kdvalues CSV layout from\s*(.+)$"),
        "abgeleitet: aus einer Kopie Dritter ({0}) in das Format der Schnittstelle umgebaut; nur Ortsteile, "
        "nur Zählwerte",
    ),
]

# the configuration a planner edits, for the technical part of the appendix
CONFIGURATION = [
    ("data/indicators.yml", "Kapitel und Indikatorenkatalog: Zähler, Nenner, Einheit, Richtung, Definition"),
    ("data/datasets.yml", "gelesene Datensätze der Schnittstelle und ihre Merkmale"),
    ("data/stadtreihen.yml", "stadtweite Reihen ohne kleinräumige Werte und ihre Kapitel"),
    ("data/offene_datensaetze.yml", "verfügbare, noch nicht ausgewertete Datensätze der Schnittstelle"),
    ("data/fruehwarnsystem.yml", "Frühwarnsystem: Indexindikatoren, Klassengrenzen, Regeln je Kennzahl"),
    ("data/sondereffekte.yml", "bekannte Sondereffekte mit Jahren, Kennzahlen und Quelle"),
    ("data/plans.yml", "Pläne und Konzepte der Stadt"),
    ("data/measures.yml", "Handlungsstrategien und Maßnahmen mit Umsetzungsstand"),
    ("data/participation.yml", "Beteiligungsformate"),
    ("data/target_groups.yml", "Zielgruppen der Beteiligung"),
    ("data/report.yml", "Seiten und Teile jeder Ausgabe"),
    ("data/editions.yml", "Stichtag und Redaktionsschluss je Ausgabe"),
]


def origin_text(origin: str, markdown: bool = True) -> str:
    """A data folder's note on a file's origin, in German; an unknown note is quoted as it is.

    ``markdown=False``: plain text, for the published ``manifest.json``.
    """
    for pattern, german in ORIGINS:
        match = pattern.match(origin.strip())
        if match:
            source = match.group(1).strip()
            return german.format(f"`{source}`" if markdown else source)
    return f"Angabe des Datenordners: „{origin.strip()}“"


def quoted(name: str) -> str:
    """A name of the data source (dataset, feature), quoted as it is (STYLE.md)."""
    return f"„{name}“"


def input_notes(manifest: list[dict]) -> str:
    """What the build repaired or found missing in the inputs (geometry repairs, missing years)."""
    notes = [f"- {quoted(r['name'])}: {escape(note)}" for r in manifest for note in r.get("repairs", [])]
    for record in manifest:
        years = record.get("missing_years") or []
        if years:
            which = (
                f"Das Jahr {years[0]} fehlt" if len(years) == 1 else f"Die Jahre {', '.join(map(str, years))} fehlen"
            )
            notes.append(f"- {quoted(record['name'])}: {which} in der Datei; die Tabellen führen es ohne Wert.")
    return "\n\n**Lücken und Reparaturen der Eingabedateien:**\n\n" + "\n".join(notes) if notes else ""


class EditionPages:
    def __init__(self, year: int, inputs_file: str | None = None, formats: str = "html,pdf"):
        self.year = int(year)
        self.formats = {f.strip() for f in str(formats).split(",") if f.strip()}
        self.inputs = read_inputs(inputs_file or None)
        self.catalogue = read_catalogue(datasets=self.inputs.specs)
        self.dates = edition_dates(self.year)

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
        text = f"""**{self.dates.title_line()}**

Dieser Bericht beschreibt die soziale Lage in Leipzig zum Stichtag {self.dates.stichtag}
für die Stadt, ihre {len(self.inputs.geography.stadtbezirke)} Stadtbezirke und {len(self.inputs.geography.ortsteile)} Ortsteile. Alle Zahlen, Karten und Texte werden aus den
Daten des Amtes für Statistik und Wahlen berechnet ({grammar.count(len(datasets), "Datensatz", digits=True)} der
Open-Data-Schnittstelle, {source}; Dateien und Prüfsummen im Anhang „Daten, Quellen und Methoden“, Teil
„Technische Angaben“); keine Zahl ist von Hand eingetragen. Jedes Themen- und Steuerungskapitel endet mit dem Abschnitt „Entwicklungen und neue
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
        # a website-only build publishes no PDF of older data (build/release.py); the page says so
        no_pdf = (
            ""
            if "pdf" in self.formats
            else " Diese Fassung der Website wurde ohne PDF erstellt; ein PDF zu denselben Daten bietet die "
            "Übersicht aller Ausgaben an, sobald es erstellt ist."
        )
        return Markdown(
            f"**Downloads.** Die Website bietet diesen Bericht als PDF und alle Kennzahlen der Ausgabe {year} als CSV-Datei mit "
            f"Beschreibung (Datenpaket) zum Herunterladen an, jeweils unter der Lizenz {config.LICENCE}, "
            f"Namensnennung: {config.ATTRIBUTION}. Jede Grafik hat zudem ihre Daten als Tabelle und CSV.{no_pdf}\n\n"
            f"<ul>{items}</ul>"
        )

    def manifest(self) -> Markdown:
        """Every input file with where it lies in the data source, its years and checksum (technical part)."""
        local = not self.inputs.source.startswith("Open-Data")
        rows = []
        for record in self.inputs.manifest:
            rows.append(
                {
                    "Eingabe": quoted(record["name"]),
                    "Datei im Datenordner" if local else "Adresse": f"`{record['source']}`",
                    **({} if local else {"abgerufen": fmt.german_date(record["retrieved_at"])}),
                    "Jahre": record.get("years", fmt.DASH),
                    "SHA-256": f"`{record['sha256'][:16]}…`",
                }
            )
        align = ["l", "l", "r", "l"] if local else ["l", "l", "r", "r", "l"]
        lead = (
            "Die Eingaben wurden aus einer lokalen Kopie der Schnittstelle gelesen; die Pfade gelten relativ zu "
            "diesem Datenordner, die Prüfsumme (SHA-256, gekürzt; vollständig in `manifest.json`) "
            "identifiziert jede Datei.\n\n"
            if local
            else "Die Eingaben wurden über die Open-Data-Schnittstelle abgerufen; die Prüfsumme (SHA-256, gekürzt; "
            "vollständig in `manifest.json`) identifiziert jede Datei.\n\n"
        )
        text = lead + markdown_table(pd.DataFrame(rows), align=align)
        origins = [(r["name"], r["origin"]) for r in self.inputs.manifest if r.get("origin")]
        if origins:
            text += (
                "\n\nHerkunft der Dateien laut Verzeichnis des Datenordners (`INDEX.csv`). Abgeleitete Dateien "
                "wurden nicht von der Schnittstelle abgerufen, sondern aus einer Kopie Dritter in deren Format "
                "umgebaut:\n\n" + "\n".join(f"- {quoted(name)}: {origin_text(origin)}" for name, origin in origins)
            )
        missing = getattr(self.inputs, "missing", [])
        if missing:
            text += "\n\nNicht geliefert (optionale Datensätze; die Ausgabe wurde ohne sie erstellt):\n\n" + "\n".join(
                f"- {' '.join(m['title'].split())}: {escape(m['reason'])}" for m in missing
            )
        return Markdown(text + input_notes(self.inputs.manifest))

    def configuration(self) -> Markdown:
        """The configuration files of the report, for the technical part of the appendix."""
        rows = pd.DataFrame([{"Datei": f"`{name}`", "Inhalt": what} for name, what in CONFIGURATION])
        return Markdown(
            "Was die Verwaltung pflegt, steht in Konfigurationsdateien im Ordner `data/` des Projekts; sie werden "
            "jedes Mal geprüft, bevor der Bericht erstellt wird (ein Fehler nennt Datei, Eintrag und Feld).\n\n"
            + markdown_table(rows)
        )

    def rebuild(self) -> Markdown:
        """How to build and check this edition again."""
        year = self.year
        return Markdown(
            f"Die Ausgabe {year} wird mit `make report YEAR={year}` neu berechnet (Website und PDF), "
            f"`make verify YEAR={year}` liest die Eingaben erneut, meldet jede Datei, deren Prüfsumme vom Manifest "
            "abweicht, und vergleicht jede Kennzahl mit der veröffentlichten Tabelle. Die Datenquelle wählt die "
            "Umgebungsvariable `SOZIALBERICHT_DATA` (leer: die Open-Data-Schnittstelle; sonst ein Datenordner "
            "mit demselben Aufbau)."
        )

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
                "Datensatz": checks["dataset"].map(lambda d: quoted(self.inputs.specs[d].title)),
                "Merkmal": checks["feature"].map(quoted),
                "Gebiet": checks["area_name"],
                "veröffentlicht": checks["published"].map(fmt.number),
                "Summe der Ortsteile": checks["sum_of_ortsteile"].map(fmt.number),
                "Differenz": checks["difference"].map(fmt.signed),
            }
        )
        align = ["l", "l", "l", "r", "r", "r"]
        return Markdown(
            f"In {grammar.count(len(table), 'Fall', 'dat')} weicht für {self.year} der veröffentlichte Wert eines Stadtbezirks oder der "
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
                "Datensatz": counts["dataset"].map(lambda d: quoted(self.inputs.specs[d].title)),
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
        text = f"{quoted(ind.numerator.feature)} (Datensatz „{self.inputs.specs[ind.numerator.dataset].title}“)"
        if ind.denominator:
            text += (
                f" ÷ {quoted(ind.denominator.feature)} (Datensatz „{self.inputs.specs[ind.denominator.dataset].title}“)"
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
        # in print each chapter gives an indicator's definition and notes under its chart: here only the formula
        printed = [
            "In den Kapiteln steht unter jeder Kennzahl ihre Definition mit den Hinweisen; hier folgt ihre Berechnung "
            "aus den Datensätzen der Quelle.",
            "",
            *(f"- **{i.title}** (`{i.id}`): {self.formula(i)}." for i in self.catalogue.indicators.values()),
        ]
        return Markdown(
            "````{only} html\n" + "\n".join(items) + "\n````\n\n````{only} latex\n" + "\n".join(printed) + "\n````"
        )
