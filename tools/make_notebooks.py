"""Write the thin notebooks of an edition (run after adding a chapter to data/indicators.yml).

Usage: python tools/make_notebooks.py [name ...]
Existing notebooks are overwritten: edit the catalogue, or edit a notebook by hand and
do not regenerate it.
"""

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = (
    "year = 2023  # report year (Berichtsjahr)\n"
    'inputs_file = ""  # prepared inputs of the build; empty: read from the data source\n'
    'data_source = ""  # empty: SOZIALBERICHT_DATA or the live API; else a local mirror folder\n'
    'output_dir = ""  # where chart data (CSV) and generated pages go; empty: nowhere\n'
    'formats = "html,pdf"  # outputs being built; "html" alone skips the images for the PDF'
)


def code(source, tags=()):
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def md(text):
    return nbformat.v4.new_markdown_cell(text)


def notebook(setup, cells):
    head = [
        code(PARAMETERS, tags=["parameters", "remove-cell"]),
        code(
            'import os\n\nif data_source:\n    os.environ["SOZIALBERICHT_DATA"] = data_source\n\n' + setup,
            tags=["remove-cell"],
        ),
    ]
    result = nbformat.v4.new_notebook(cells=head + cells)
    result.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    result.metadata["language_info"] = {"name": "python"}
    return result


def chapter_notebook(chapter, indicators):
    cells = [
        md(f"# {chapter['title']}"),
        code("chapter.intro()"),
        md("## Kennzahlen"),
        code("chapter.key_figures()"),
        code("chapter.summary()"),
    ]
    for ind in indicators:
        cells += [
            md(f"## {ind['title']}"),
            code(f'chapter.trend("{ind["id"]}")'),
            code(f'chapter.map("{ind["id"]}")'),
            code(f'chapter.extremes_text("{ind["id"]}")'),
            code(f'chapter.districts("{ind["id"]}")'),
            code(f'chapter.definition("{ind["id"]}")'),
        ]
    # written by the build from data/plans.yml and data/measures.yml (edition.write_policy_fragments):
    # a planner's edit there changes these files, and no notebook runs again
    include = lambda part: f"```{{include}} politik/{chapter['id']}-{part}.md\n```"
    cells += [
        md("## Pläne, Strategien und Maßnahmen"),
        md("### Bezüge zu Plänen und Konzepten der Stadt\n\n" + include("plaene")),
        md("### Handlungsstrategien und Maßnahmen\n\n" + include("massnahmen")),
        md("### Empfehlungen aus dem Frühwarnsystem\n\n" + include("empfehlungen")),
        md("## Entwicklungen und neue Herausforderungen"),
        code("chapter.developments()"),
    ]
    return notebook(
        f"from sozialbericht.report.chapter import Chapter\n\n"
        f'chapter = Chapter("{chapter["id"]}", year, inputs_file, output_dir, formats)',
        cells,
    )


PAGES = "from sozialbericht.report.pages import EditionPages\n\npages = EditionPages(year, inputs_file, formats)"
STEERING = "from sozialbericht.report.steering import SteeringPages\n\npages = SteeringPages(year, inputs_file, output_dir, formats)"

FIXED = {
    "einleitung": (
        PAGES,
        [
            md("# Sozialbericht Leipzig"),
            # in the PDF the start page's title is the book's title; its text needs a heading
            md(
                "```{raw} latex\n\\chapter*{Einleitung}\\addcontentsline{toc}{chapter}{Einleitung}"
                "\\markboth{Einleitung}{Einleitung}\n```"
            ),
            code("pages.intro()"),
            code("pages.downloads()"),
        ],
    ),
    "fruehwarnsystem": (
        STEERING,
        [
            md("# Frühwarnsystem"),
            code("pages.warning_intro()"),
            md("## Status und Dynamik der Ortsteile"),
            code("pages.status_map()"),
            code("pages.dynamics_map()"),
            md("## Status und Dynamik im Überblick"),
            code("pages.matrix()"),
            md("## Alle Ortsteile"),
            code("pages.status_table()"),
            md("## Ortsteile mit besonderem Handlungsbedarf"),
            code("pages.attention()"),
            md("## Inaktive Regeln"),
            code("pages.inactive_rules()"),
            md("## Veränderungen gegenüber der Vorjahresausgabe"),
            code("pages.changes()"),
            md("## Entwicklungen und neue Herausforderungen"),
            code("pages.warning_developments()"),
            md("## Wie verlässlich ist das Frühwarnsystem?"),
            code("pages.backtest()"),
        ],
    ),
    "massnahmen": (
        STEERING,
        [
            md("# Handlungsstrategien und Maßnahmen"),
            md(
                "Die Strategien und Maßnahmen stehen in `data/measures.yml`, die Pläne in `data/plans.yml`; "
                "die Verwaltung pflegt sie dort. Einträge, die kein Beschluss der Stadt sind, tragen die "
                "Kennzeichnung **[Beispiel]**."
            ),
            md("## Register der Strategien und Maßnahmen"),
            code("pages.register()"),
            md("## Umsetzungsstand"),
            code("pages.tracking()"),
            md("## Handlungsbedarf ohne Maßnahme"),
            code("pages.gaps()"),
            md("## Pläne und Konzepte der Stadt"),
            code("pages.plans()"),
            md("## Entwicklungen und neue Herausforderungen"),
            code("pages.measures_developments()"),
        ],
    ),
    "beteiligung": (
        STEERING,
        [
            md("# Beteiligung"),
            md(
                "Für jeden vom Frühwarnsystem markierten Ortsteil und jede betroffene Zielgruppe schlägt der Bericht "
                "passende Beteiligungsformate vor. Die Formate stehen in `data/participation.yml`, die Zielgruppen in "
                "`data/target_groups.yml`."
            ),
            md("## Übersicht"),
            code("pages.participation_summary()"),
            md("## Vorschläge nach Ortsteil"),
            code("pages.participation()"),
            md("## Beteiligungsformate"),
            code("pages.instruments()"),
            md("## Entwicklungen und neue Herausforderungen"),
            code("pages.participation_developments()"),
        ],
    ),
    "steckbriefe": (
        "from sozialbericht.report.profiles import Profiles\n\nprofiles = Profiles(year, inputs_file, output_dir, formats)\n"
        "written = profiles.write() if output_dir else []",
        [
            md("# Ortsteil-Steckbriefe"),
            md(
                "Für jedes der 63 Ortsteile eine Seite mit allen Kennzahlen im Vergleich zu Stadtbezirk und Stadt, "
                "Rang, Entwicklung, Einstufung im Frühwarnsystem und Vorschlägen zur Beteiligung."
            ),
            code("profiles.overview()"),
        ],
    ),
    "daten": (
        PAGES
        + "\nfrom sozialbericht.report.steering import SteeringPages\n\nsteering = SteeringPages(year, inputs_file, formats=formats)",
        [
            md("# Daten, Quellen und Methoden"),
            md("## Quellen und Lizenz"),
            code("pages.licence()"),
            md("## Eingabedateien dieser Ausgabe (Manifest)"),
            md("Jede Datei, aus der diese Ausgabe berechnet wurde, mit Herkunft, Abrufzeit und Prüfsumme (SHA-256)."),
            code("pages.manifest()"),
            md("## Indikatorenkatalog"),
            md(
                "Alle Kennzahlen sind in der Datei `data/indicators.yml` definiert; Quoten werden aus Zählwerten "
                "berechnet, der Nenner ist jeweils genannt."
            ),
            code("pages.catalogue_table()"),
            md("### Definitionen und Hinweise"),
            code("pages.catalogue_notes()"),
            md("## Methode des Frühwarnsystems"),
            code("steering.method()"),
            md(
                "## Veränderungen in den Ortsteilen\n\n"
                "Der Abschnitt „Entwicklungen und neue Herausforderungen“ jedes Kapitels vergleicht die Ortsteile über fünf "
                "Jahre, also Anfangs- und Endwert. Bei Quoten aus Zählwerten (Zähler und Nenner) zählen nur Veränderungen, "
                "die größer sind, als der Zufall erwarten lässt; genannt wird die größte dieser gesicherten Veränderungen. "
                "Die Zähler gelten dabei als Poisson-verteilt, "
                "$z = (x_2/n_2 - x_1/n_1) / \\sqrt{x_1/n_1^2 + x_2/n_2^2}$, gesichert heißt $|z| > 1{,}96$ (5 %, "
                "zweiseitig). Anders als im Trendtest des Frühwarnsystems bleibt eine Überdispersion hier unberücksichtigt; "
                "„gesichert“ ist also eine Mindestanforderung. Kennzahlen ohne Zähler und Nenner (veröffentlichte Anteile und "
                "Durchschnitte, Zählwerte) werden ohne Test genannt. Werte der Kommunalen Bürgerumfrage sind "
                "Stichprobenschätzungen ohne veröffentlichte Fallzahlen je Ortsteil; einzelne Ortsteile werden bei ihnen "
                "nicht hervorgehoben. Weil der Trendtest des Frühwarnsystems alle Werte der letzten fünf Jahre nutzt, dieser "
                "Vergleich aber nur zwei, können beide zu verschiedenen Ergebnissen kommen."
            ),
            md("## Datenqualität"),
            md("### Summen der Ortsteile und veröffentlichte Werte"),
            code("pages.sum_checks()"),
            md("### Fehlende, gesperrte und nicht verfügbare Werte"),
            code("pages.status_counts()"),
            md(
                "### Bekannte Brüche und Fallstricke\n\n"
                "- **Gebietsstand:** Die Ortsteilgrenzen wurden 2006, 2012 und 2014 geändert; ältere Werte wurden "
                "nicht auf den heutigen Gebietsstand umgerechnet. Vergleiche über diese Jahre hinweg sind für die "
                "betroffenen Ortsteile nur eingeschränkt möglich (Beispiel: Heiterblick gab 2013 rund 300 Einwohner an "
                "Engelsdorf ab). Die Karten zeigen die Grenzen seit 2014.\n"
                "- **„0“ für „nicht verfügbar“:** Die Schnittstelle liefert für Jahre, in denen es eine Zahl noch nicht "
                "oder nicht mehr gab, ganze Spalten mit „0“ (z. B. Langzeitarbeitslose ab 2018). Der Bericht wertet eine "
                "Jahresspalte, in der alle Gebiete genau 0 haben, als „nicht verfügbar“ und zeigt dort keinen Wert.\n"
                "- **Revisionen:** Werte können sich zwischen zwei Abrufen ändern (z. B. Zufriedenheit im Stadtbezirk "
                "Nordwest 2015). Das Manifest nennt Abrufzeit und Prüfsumme jeder Datei; `make verify` zeigt, ob sich "
                "die Daten seit der Ausgabe geändert haben.\n"
                "- **Umfragewerte:** Einkommen, Mieten, Wohnsituation, Abschlüsse und Zufriedenheit stammen aus der "
                "Kommunalen Bürgerumfrage: Schätzungen aus einer Stichprobe, nur in den Umfragejahren, in kleinen "
                "Ortsteilen mit wenigen Befragten. Das Frühwarnsystem prüft sie nicht mit Konfidenzintervallen, weil "
                "die Fallzahlen nicht veröffentlicht sind.\n"
                "- **Abgeleitete Reihen:** Wo eine Reihe nur für Ortsteile vorliegt (SGB II, Migrationshintergrund, "
                "Wohnungen), sind Stadtbezirke und Stadt als Summe der Ortsteile berechnet und in den Daten als "
                "„aggregated“ gekennzeichnet."
            ),
        ],
    ),
}


def main(selected):
    catalogue = yaml.safe_load((ROOT / "data" / "indicators.yml").read_text(encoding="utf-8"))
    books = {name: notebook(*spec) for name, spec in FIXED.items()}
    for chapter in catalogue["chapters"]:
        indicators = [i for i in catalogue["indicators"] if i["chapter"] == chapter["id"]]
        books[chapter["notebook"]] = chapter_notebook(chapter, indicators)
    for name, book in books.items():
        if selected and name not in selected:
            continue
        for number, cell in enumerate(book.cells):
            cell.id = f"{name}-{number:02d}"  # stable ids: regenerating changes only what changed
        path = ROOT / "notebooks" / f"{name}.ipynb"
        nbformat.write(book, path)
        print("wrote", path.relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
