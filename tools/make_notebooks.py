"""Write the thin chapter notebooks from the indicator catalogue (run once after adding a chapter).

Usage: python tools/make_notebooks.py [chapter_id ...]
Existing notebooks are overwritten: edit the catalogue, or edit a notebook by hand and
do not regenerate it.
"""
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]


def code(source, tags=()):
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def chapter_notebook(chapter, indicators):
    cells = [
        code('year = 2023  # report year (Berichtsjahr)\n'
             'inputs_file = ""  # prepared inputs of the build; empty: read from the data source\n'
             'data_source = ""  # empty: SOZIALBERICHT_DATA or the live API; else a local mirror folder\n'
             'output_dir = ""  # where chart data (CSV) is written; empty: nowhere', tags=["parameters", "remove-cell"]),
        code('import os\n\nif data_source:\n    os.environ["SOZIALBERICHT_DATA"] = data_source\n\n'
             'from sozialbericht.chapter import Chapter\n\n'
             f'chapter = Chapter("{chapter["id"]}", year, inputs_file, output_dir)', tags=["remove-cell"]),
        nbformat.v4.new_markdown_cell(f"# {chapter['title']}"),
        code("chapter.intro()"),
        nbformat.v4.new_markdown_cell("## Kennzahlen"),
        code("chapter.key_figures()"),
        code("chapter.summary()"),
    ]
    for ind in indicators:
        cells += [
            nbformat.v4.new_markdown_cell(f"## {ind['title']}"),
            code(f'chapter.trend("{ind["id"]}")'),
            code(f'chapter.map("{ind["id"]}")'),
            code(f'chapter.extremes_text("{ind["id"]}")'),
            code(f'chapter.districts("{ind["id"]}")'),
            code(f'chapter.definition("{ind["id"]}")'),
        ]
    cells += [
        nbformat.v4.new_markdown_cell("## Entwicklungen und neue Herausforderungen"),
        code("chapter.developments()"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def main(selected):
    catalogue = yaml.safe_load((ROOT / "data" / "indicators.yml").read_text(encoding="utf-8"))
    for chapter in catalogue["chapters"]:
        if selected and chapter["id"] not in selected:
            continue
        indicators = [i for i in catalogue["indicators"] if i["chapter"] == chapter["id"]]
        path = ROOT / "notebooks" / f"{chapter['notebook']}.ipynb"
        nbformat.write(chapter_notebook(chapter, indicators), path)
        print("wrote", path.relative_to(ROOT))


if __name__ == "__main__":
    main(sys.argv[1:])
