"""End to end: the households chapter and the city-wide series in a built edition, and a build without values/."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from support_e2e import YEAR, run_cli, site

pytestmark = pytest.mark.e2e


def german(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def published_households(folder: Path, year: int) -> float:
    """The city's row 'Haushalte insgesamt', read straight from the CSV."""
    with open(folder / "kdvalues" / "kdvalues_k2_r10_y.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index(str(year))
    return next(float(r[column]) for r in rows if r[0] == "Stadt Leipzig" and r[1].strip() == "Haushalte insgesamt")


def test_city_households_in_book_are_the_published_row(edition):
    build, data, _ = edition
    page = (site(build) / "book" / "edition" / "haushalte.html").read_text(encoding="utf-8")
    assert f"{german(published_households(data, YEAR))} Haushalte" in page
    assert "Haushalte nach Größe, Stadt Leipzig" in page  # the size chart
    assert "Entwicklungen und neue Herausforderungen" in page


def test_city_wide_series_in_wohnen(edition):
    build, _, _ = edition
    page = (site(build) / "book" / "edition" / "wohnen.html").read_text(encoding="utf-8")
    assert "Stadtweite Reihen ohne kleinräumige Werte" in page
    for title in (
        "Gesamtmietbelastung nach Haushaltstyp",
        "Wohnfläche je Person nach Haushaltstyp",
        "Wohnstatus der Haushalte",
    ):
        assert f"{title}, Stadt Leipzig" in page


def test_build_without_values_folder_succeeds_and_lists_the_missing_series(tmp_path):
    from support_e2e import mirror

    source = mirror()
    if not (source / "values").is_dir():
        pytest.skip("the data folder has no values/ to leave out")
    data = tmp_path / "data"
    shutil.copytree(source, data, ignore=shutil.ignore_patterns("values"))
    result = run_cli(tmp_path, data, "build", "--year", str(YEAR), "--formats", "html")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    edition = site(tmp_path / "_build") / "book" / "edition"
    intro = (edition / "einleitung.html").read_text(encoding="utf-8")
    assert "In dieser Ausgabe fehlende Reihen" in intro
    assert "Wohnsituation (Jahreszahlen)" in intro and "Gesamtmietbelastung nach Haushaltstyp (Jahreszahlen)" in intro
    wohnen = (edition / "wohnen.html").read_text(encoding="utf-8")
    assert "wurde von der Datenquelle dieser Ausgabe nicht geliefert" in wohnen
