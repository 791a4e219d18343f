"""One list of chapters: data/report.yml and the chapters of data/indicators.yml generate _toc.yml and
the notebooks (tools/make_notebooks.py); the fixed pages' text comes from data/texts/*.md."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
import yaml

from sozialbericht import settings as config
from sozialbericht.build.notebooks import chapter_notebooks
from sozialbericht.data.structure import ReportStructure, load_structure
from sozialbericht.errors import CatalogueError

ROOT = config.ROOT


def make_notebooks():
    spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "tools" / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_toc_and_notebooks_are_what_the_generator_writes():
    stale = make_notebooks().stale()
    assert not stale, f"out of date, run python tools/make_notebooks.py: {[str(p.relative_to(ROOT)) for p in stale]}"


def test_the_build_runs_the_pages_in_the_order_of_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert [f.removeprefix("book/edition/") for f in files] == chapter_notebooks()
    assert chapter_notebooks()[0] == "einleitung" and chapter_notebooks()[-1] == "daten"


def test_a_new_chapter_is_one_entry_in_the_indicator_catalogue(tmp_path):
    """Adding {id: gesundheit, ...} to chapters: in data/indicators.yml gives its notebook and its toc entry."""
    for folder in ("data", "notebooks"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("cache"))
    catalogue = tmp_path / "data" / "indicators.yml"
    text = catalogue.read_text(encoding="utf-8")
    anchor = '  - {id: zufriedenheit, title: "Lebenszufriedenheit", notebook: zufriedenheit}\n'
    assert anchor in text
    catalogue.write_text(
        text.replace(anchor, anchor + '  - {id: gesundheit, title: "Gesundheit", notebook: gesundheit}\n'),
        encoding="utf-8",
    )
    files = make_notebooks().generated(tmp_path)
    toc = yaml.safe_load(files[tmp_path / "_toc.yml"])
    themes = [c["file"] for c in next(p for p in toc["parts"] if p["caption"] == "Themen")["chapters"]]
    assert themes[-2:] == ["book/edition/zufriedenheit", "book/edition/gesundheit"]
    notebook = json.loads(files[tmp_path / "notebooks" / "gesundheit.ipynb"])
    sources = ["".join(c["source"]) for c in notebook["cells"]]
    assert "# Gesundheit" in sources
    assert any('Chapter("gesundheit", year, inputs, output_dir, formats)' in s for s in sources)


def test_fixed_page_text_comes_from_its_markdown_file(tmp_path):
    for folder in ("data", "notebooks"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("cache"))
    page = tmp_path / "data" / "texts" / "beteiligung.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("## Übersicht", "## Überblick\n\nEin neuer Absatz."),
        encoding="utf-8",
    )
    cells = json.loads(make_notebooks().generated(tmp_path)[tmp_path / "notebooks" / "beteiligung.ipynb"])["cells"]
    texts = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    calls = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert "## Überblick\n\nEin neuer Absatz." in texts and "## Übersicht" not in texts
    assert calls[2:] == [
        "pages.participation_summary()",
        "pages.participation()",
        "pages.instruments()",
        "pages.participation_developments()",
    ]
    assert not any("<!--" in t for t in texts), "the editors' comment stays out of the page"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: next(p for p in d["parts"] if "kapitel" in p["pages"]).update(pages=["fruehwarnsystem"]),
            "genau einmal",
        ),
        (lambda d: d["parts"][1]["pages"].append("Neue Seite"), "Kleinbuchstaben"),
        (lambda d: d.update(sections={"nirgends": "x/*"}), "nirgends"),
        (lambda d: d["parts"][0].pop("caption"), "Eintrag 1: Feld 'caption': fehlt"),
    ],
)
def test_a_broken_structure_names_file_and_field(tmp_path, change, message):
    data = yaml.safe_load((ROOT / "data" / "report.yml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "report.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match="report.yml") as caught:
        load_structure(path)
    assert message in str(caught.value)


def test_a_fixed_page_with_a_chapters_id_is_an_error():
    structure = ReportStructure.model_validate(
        {"start": "einleitung", "parts": [{"caption": "Themen", "pages": ["kapitel", "arbeit"]}]}
    )
    with pytest.raises(ValueError, match="arbeit"):
        structure.pages(["arbeit"])


def test_the_json_schema_of_the_structure_is_exported():
    assert (
        (ROOT / "data" / "report.yml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=../schemas/report.schema.json")
    )
    assert Path(ROOT / "schemas" / "report.schema.json").is_file()
