"""Generate the edition's notebooks and its table of contents (``_toc.yml``).

Sources: ``data/report.yml`` (the pages in their order), the chapters and indicators of
``data/indicators.yml`` (one notebook per theme chapter) and ``data/texts/<page>.md`` (the
German text of every fixed page, which editors change there; a line ``{{ … }}`` in it marks
where computed content goes).

Usage: python tools/make_notebooks.py            write every file whose content changed
       python tools/make_notebooks.py --check    list the files that are out of date (exit 1)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sozialbericht.data.structure import load_structure  # noqa: E402
from sozialbericht.settings import load_yaml  # noqa: E402

PARAMETERS = (
    "year = 2023  # report year (Berichtsjahr)\n"
    'inputs_file = ""  # prepared inputs of the build; empty: read from the data source\n'
    'data_source = ""  # used without inputs_file: a local data folder; empty: SOZIALBERICHT_DATA or the live API\n'
    'output_dir = ""  # where chart data (CSV) and generated pages go; empty: nowhere\n'
    'formats = "html,pdf"  # outputs being built; "html" alone skips the images for the PDF'
)
PAGES = "from sozialbericht.report.pages import EditionPages\n\npages = EditionPages(year, inputs, formats)"
STEERING = "from sozialbericht.report.steering import SteeringPages\n\npages = SteeringPages(year, inputs, output_dir, formats)"
# the objects each fixed page works with; its text and the calls are in data/texts/<page>.md
SETUP = {
    "einleitung": PAGES,
    "kurzfassung": "from sozialbericht.report.summary import SummaryPage\n\nsummary = SummaryPage(year, inputs, formats)",
    "fruehwarnsystem": STEERING,
    "massnahmen": STEERING,
    "beteiligung": STEERING,
    "steckbriefe": "from sozialbericht.report.profiles import Profiles\n\n"
    "profiles = Profiles(year, inputs, output_dir, formats)\nwritten = profiles.write() if output_dir else []",
    "daten": PAGES + "\nfrom sozialbericht.report.steering import SteeringPages\n\n"
    "steering = SteeringPages(year, inputs, formats=formats)\nfrom sozialbericht.report import summary",
}
CALL = re.compile(r"^\{\{\s*(.+?)\s*\}\}$")
COMMENT = re.compile(r"\A\s*<!--.*?-->\s*", re.DOTALL)


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
            "from sozialbericht.data.inputs import read_inputs\n\n"
            "inputs = read_inputs(inputs_file, data_source)  # the build's prepared inputs, or read them\n\n" + setup,
            tags=["remove-cell"],
        ),
    ]
    result = nbformat.v4.new_notebook(cells=head + cells)
    result.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    result.metadata["language_info"] = {"name": "python"}
    return result


def text_cells(path: Path) -> list:
    """A page's Markdown as cells: a line ``{{ call }}`` is a code cell, a heading starts a new text cell.

    The comment at the top of the file (for editors) is left out.
    """
    text = COMMENT.sub("", path.read_text(encoding="utf-8"), count=1)
    cells, block = [], []

    def flush():
        joined = "\n".join(block).strip("\n")
        if joined:
            cells.append(md(joined))
        block.clear()

    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        call = None if fenced else CALL.match(line.strip())
        if call:
            flush()
            cells.append(code(call.group(1)))
        elif not fenced and line.startswith("#"):
            flush()
            block.append(line)
        else:
            block.append(line)
    flush()
    return cells


# chapter-specific cells (report/households.py): setup, cells after the introduction, sections after the key figures
EXTRA = {
    "haushalte": (
        "from sozialbericht.report.households import Households\n\nhouseholds = Households(chapter)",
        [code("households.scope()")],  # right after the chapter's introduction
        [
            md("## Haushaltsgrößen in der Stadt"),
            code("households.size_chart()"),
            code("households.size_text()"),
            md("### Prüfung gegen die veröffentlichten Werte"),
            code("households.count_check()"),
            code("households.share_check()"),
        ],
    ),
}


def city_series_cells(chapter_id, root: Path = ROOT):
    """Cells for the city-wide series of data/stadtreihen.yml in this chapter (none: no cells)."""
    catalogue = load_yaml((root / "data" / "stadtreihen.yml").read_text(encoding="utf-8"))
    series = [s for s in catalogue.get("series") or [] if s["chapter"] == chapter_id]
    if not series:
        return "", []
    cells = [md("## Stadtweite Reihen ohne kleinräumige Werte"), code("city.note()")]
    for entry in series:
        cells += [
            md(f"### {entry['title']}"),
            code(f'city.chart("{entry["id"]}")'),
            code(f'city.text("{entry["id"]}")'),
            code(f'city.definition("{entry["id"]}")'),
        ]
    return "from sozialbericht.report.citywide import CityWide\n\ncity = CityWide(chapter)", cells


def chapter_notebook(chapter, indicators, root: Path = ROOT):
    extra_setup, intro_cells, extra_cells = EXTRA.get(chapter["id"], ("", [], []))
    city_setup, city_cells = city_series_cells(chapter["id"], root)
    cells = [
        md(f"# {chapter['title']}"),
        code("chapter.intro()"),
        *intro_cells,
        md("## Kennzahlen"),
        code("chapter.key_figures()"),
        code("chapter.summary()"),
    ] + extra_cells
    for ind in indicators:
        cells += [
            md(f"## {ind['title']}"),
            code(f'chapter.trend("{ind["id"]}")'),
            code(f'chapter.map("{ind["id"]}")'),
            code(f'chapter.extremes_text("{ind["id"]}")'),
            code(f'chapter.districts("{ind["id"]}")'),
            code(f'chapter.definition("{ind["id"]}")'),
        ]
    if chapter["id"] == "bevoelkerung":  # the segregation index (report/summary.SEGREGATION_CHAPTER)
        cells += [md("## Segregation"), code("chapter.segregation_text()"), code("chapter.segregation_chart()")]
    cells += city_cells
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
    setup = f'from sozialbericht.report.chapter import Chapter\n\nchapter = Chapter("{chapter["id"]}", year, inputs, output_dir, formats)'
    for more in (extra_setup, city_setup):
        if more:
            setup += "\n" + more
    return notebook(setup, cells)


def generated(root: Path = ROOT) -> dict[Path, str]:
    """Every generated file under ``root`` (the project) and the text it should have."""
    catalogue = load_yaml((root / "data" / "indicators.yml").read_text(encoding="utf-8"))
    structure = load_structure(root / "data" / "report.yml")
    texts = root / "data" / "texts"
    chapters = [c["notebook"] for c in catalogue["chapters"]]
    books = {}
    for page in structure.fixed_pages():
        if page not in SETUP or not (texts / f"{page}.md").is_file():
            raise SystemExit(
                f"data/report.yml lists the page {page!r}: it needs data/texts/{page}.md and an entry in "
                "SETUP of tools/make_notebooks.py (which objects the page uses)."
            )
        books[page] = notebook(SETUP[page], text_cells(texts / f"{page}.md"))
    for chapter in catalogue["chapters"]:
        indicators = [i for i in catalogue["indicators"] if i["chapter"] == chapter["id"]]
        books[chapter["notebook"]] = chapter_notebook(chapter, indicators, root)
    files = {root / "_toc.yml": structure.toc(chapters)}
    for name in structure.pages(chapters):
        book = books[name]
        for number, cell in enumerate(book.cells):
            cell.id = f"{name}-{number:02d}"  # stable ids: regenerating changes only what changed
        files[root / "notebooks" / f"{name}.ipynb"] = nbformat.writes(book) + "\n"
    return files


def stale(root: Path = ROOT) -> list[Path]:
    """Generated files whose committed content differs from what would be generated, and orphans."""
    files = generated(root)
    out_of_date = [p for p, text in files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    orphans = [p for p in sorted((root / "notebooks").glob("*.ipynb")) if p not in files]
    return out_of_date + orphans


def main(argv: list[str]) -> int:
    if "--check" in argv:
        paths = stale()
        for path in paths:
            print("out of date:", path.relative_to(ROOT))
        return 1 if paths else 0
    files = generated()
    for path, text in files.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print("wrote", path.relative_to(ROOT))
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        if path not in files:
            print(f"not in data/report.yml or the chapters of data/indicators.yml: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
