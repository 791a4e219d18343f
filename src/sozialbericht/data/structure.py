"""The pages of every edition in their order: ``data/report.yml``, the one list of chapters.

From this file and the theme chapters of ``data/indicators.yml`` (``chapters:``), which the file
stands for with the word ``kapitel``, come the table of contents (``_toc.yml``), the notebooks
(``tools/make_notebooks.py``) and the order in which the build runs them. Adding a theme chapter
is one entry in ``data/indicators.yml``; then ``python tools/make_notebooks.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import Field, model_validator

from sozialbericht import settings as config
from sozialbericht.data.catalogue import MAX_TITLE, Entry, load_catalogue

STRUCTURE_FILE = config.DATA_DIR / "report.yml"
THEME_CHAPTERS = "kapitel"  # placeholder in a part's pages: the chapters of data/indicators.yml
PAGE_NAME = r"^[a-z][a-z0-9_]*$"
TOC_HEADER = (
    "# Generated from data/report.yml and the chapters of data/indicators.yml by\n"
    "# python tools/make_notebooks.py; do not edit (a test fails when it is out of date).\n"
    "# The build copies the executed notebooks of the edition's year (book/<year>/) to book/edition/\n"
    "# in a staging folder, so the same table serves every year.\n"
)


class Part(Entry):
    """A part of the book: a caption in the table of contents and its pages in order."""

    caption: str = Field(min_length=1, max_length=MAX_TITLE, description="Überschrift im Inhaltsverzeichnis")
    pages: list[str] = Field(
        min_length=1,
        description=f"Seiten (Notebooks) in ihrer Reihenfolge; „{THEME_CHAPTERS}“ steht für die Kapitel aus "
        "data/indicators.yml",
    )


class ReportStructure(Entry):
    """``data/report.yml``: the start page, the parts and pages with sub-pages of their own."""

    start: str = Field(pattern=PAGE_NAME, description="Startseite der Ausgabe (Einleitung)")
    parts: list[Part] = Field(min_length=1)
    sections: dict[str, str] = Field(
        default_factory=dict,
        description="Seiten mit Unterseiten: Seite -> Muster der Unterseiten, die das Notebook schreibt",
    )

    @model_validator(mode="after")
    def _check(self):
        named = [p for part in self.parts for p in part.pages]
        bad = [p for p in named if p != THEME_CHAPTERS and not _is_name(p)]
        if bad:
            raise ValueError(f"Seitennamen nur aus Kleinbuchstaben, Ziffern und _: {', '.join(bad)}")
        if named.count(THEME_CHAPTERS) != 1:
            raise ValueError(f"„{THEME_CHAPTERS}“ (die Themenkapitel) muss genau einmal unter pages stehen")
        unknown = sorted(set(self.sections) - set(named) - {self.start})
        if unknown:
            raise ValueError(f"sections nennt Seiten, die in keinem Teil stehen: {', '.join(unknown)}")
        return self

    def pages(self, chapters: list[str]) -> list[str]:
        """Every page in reading order, the theme chapters (their notebooks) in place of the placeholder."""
        names = [self.start]
        for part in self.parts:
            names += self._expand(part, chapters)
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"{STRUCTURE_FILE.name}: pages listed twice (a fixed page with a chapter's id?): {duplicates}"
            )
        return names

    def fixed_pages(self) -> list[str]:
        """The pages that are not theme chapters."""
        return [self.start] + [p for part in self.parts for p in part.pages if p != THEME_CHAPTERS]

    @staticmethod
    def _expand(part: Part, chapters: list[str]) -> list[str]:
        return [c for page in part.pages for c in (chapters if page == THEME_CHAPTERS else [page])]

    def toc(self, chapters: list[str]) -> str:
        """The Jupyter Book table of contents (``_toc.yml``) of every edition."""

        def entry(page: str) -> dict:
            item = {"file": f"book/edition/{page}"}
            if page in self.sections:
                item["sections"] = [{"glob": f"book/edition/{self.sections[page]}"}]
            return item

        toc = {
            "format": "jb-book",
            "root": f"book/edition/{self.start}",
            "parts": [
                {"caption": part.caption, "chapters": [entry(p) for p in self._expand(part, chapters)]}
                for part in self.parts
            ],
        }
        return TOC_HEADER + yaml.safe_dump(toc, allow_unicode=True, sort_keys=False, indent=2)


def _is_name(page: str) -> bool:
    return re.match(PAGE_NAME, page) is not None


def load_structure(path: Path = STRUCTURE_FILE) -> ReportStructure:
    return load_catalogue(ReportStructure, path)
