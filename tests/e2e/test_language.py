"""The language of a built edition (mirror): what STYLE.md forbids must not appear on any page.

Forbidden: counts that disagree with their noun ("1 Maßnahmen"), English provenance strings, absolute
paths, generic masculine or mixed gender forms, configuration file names, YAML keys and make commands
outside the technical part of the appendix, and the build date where the edition's dates belong.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess

import bs4
import pytest
from support_e2e import YEAR, site

from sozialbericht import style
from sozialbericht.report.dates import edition_dates

pytestmark = pytest.mark.e2e

# the one place where configuration files and commands may be named (STYLE.md)
TECHNICAL_SECTION = "technische-angaben"


def page_texts(build) -> dict[str, tuple[str, str]]:
    """Visible text of every page of the edition: (text outside the technical part, text inside it)."""
    pages = {}
    root = site(build)
    for page in sorted(root.rglob("*.html")):
        relative = page.relative_to(root)
        if relative.parts[0] in {"_static", "_sources"}:
            continue
        if relative.name in {"genindex.html", "search.html"}:
            continue
        soup = bs4.BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        main = soup.find("main") or soup
        for tag in main.find_all(["script", "style"]):
            tag.decompose()
        # alt texts are read out to screen-reader users: they are text of the page too
        for tag in main.find_all(attrs={"aria-label": True}):
            tag.append(f" ¦ {tag['aria-label']} ¦ ")
        # a table cell ends where its text ends: "+1" in one cell and "Haushalte" in the next row are no phrase
        for cell in main.find_all(["td", "th"]):
            cell.append(" ¦ ")
        technical = main.find(id=TECHNICAL_SECTION)
        technical_text = " ".join(technical.get_text(" ").split()) if technical else ""
        if technical:
            technical.decompose()
        pages[str(relative)] = (" ".join(main.get_text(" ").split()), technical_text)
    return pages


def test_pages_follow_the_style_rules(edition):
    build, _, _ = edition
    pages = page_texts(build)
    assert len(pages) > 63, "the 63 profiles and the chapters must be checked"
    found = []
    for name, (public, technical) in pages.items():
        found += [f"{name}: {p}" for p in style.problems(public)]
        # configuration names and commands belong in the technical part; everything else holds there too
        found += [
            f"{name} (Technische Angaben): {p}"
            for p in style.problems(technical)
            if not p.startswith(("Name einer Konfigurationsdatei", "Build-Befehl", "Wort aus der Programmierung"))
        ]
    assert found == [], "\n".join(found[:40])


def test_the_appendix_has_one_technical_part(edition):
    build, _, _ = edition
    pages = page_texts(build)
    technical = [name for name, (_, text) in pages.items() if text]
    assert technical == ["book/edition/daten.html"]
    text = pages["book/edition/daten.html"][1]
    assert "kdvalues/" in text and "SHA-256" in text and "make report" in text


def test_published_manifest_has_no_absolute_path(edition):
    build, data, _ = edition
    downloads = site(build) / "downloads"
    manifest = json.loads((downloads / "manifest.json").read_text(encoding="utf-8"))
    package = json.loads((downloads / "datapackage.json").read_text(encoding="utf-8"))
    sources = [m["source"] for m in manifest] + [s["path"] for s in package["sources"]]
    local = [s for s in sources if not s.startswith("http")]
    assert local and not [s for s in local if s.startswith("/") or re.match(r"^[A-Za-z]:\\", s)]
    # every relative path names a file of the data source
    assert all((data / s).is_file() for s in local)
    assert str(data) not in json.dumps(manifest) + json.dumps(package)


def _build_dates() -> list[str]:
    today = dt.date.today()
    return [today.strftime("%d.%m.%Y"), today.isoformat(), today.strftime("%b %d, %Y"), today.strftime("%B %d, %Y")]


def test_title_page_carries_the_edition_dates(edition):
    build, _, _ = edition
    dates = edition_dates(YEAR)
    intro = page_texts(build)["book/edition/einleitung.html"][0]
    assert dates.title_line() in intro
    assert f"Stichtag 31.12.{YEAR}" in intro
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    pdf = build / "pdf" / f"sozialbericht-{YEAR}.pdf"
    title = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    title = " ".join(title.split())
    assert f"Stichtag 31.12.{YEAR}" in title, title
    if dates.redaktionsschluss:
        assert f"Redaktionsschluss {dates.redaktionsschluss:%d.%m.%Y}" in title, title
    assert not [d for d in _build_dates() if d in title], title
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    created = next((line for line in info.splitlines() if line.startswith("CreationDate")), "")
    day = dates.redaktionsschluss or dt.date(YEAR, 12, 31)
    assert str(day.year) in created and day.strftime("%b") in created, created
