"""verify checks what readers see (issue 18): key-figure tables, chart data, and the PDF's build.

On real builds: tests/e2e/test_concurrent_builds.py (a site whose pages come from other data
than its downloads is "NOT verified", naming the page).
"""

from __future__ import annotations

import pandas as pd

from sozialbericht.build import release
from sozialbericht.build.verify_pages import (
    PageCheck,
    _compare_csv,
    _compare_key_figures,
    check_release,
    markdown_rows,
)
from sozialbericht.report.tables import html_table, markdown_table

KEY_FIGURES = pd.DataFrame(
    {
        "Kennzahl": ["Einwohner/-innen", "Anteil der Ausländer/-innen"],
        "Jahr": ["2022", "2022"],
        "Wert (Stadt Leipzig)": ["624.689 Personen", "13,4 % der Einwohner/-innen"],
    }
)


def _page(tmp_path, frame: pd.DataFrame):
    page = tmp_path / "bevoelkerung.html"
    page.write_text(f"<html><body><h1>Bevölkerung</h1>{html_table(frame)}</body></html>", encoding="utf-8")
    return page


def test_the_key_figures_as_published_match_their_rendering():
    rows = markdown_rows("Text davor\n\n" + markdown_table(KEY_FIGURES) + "\n\nVorperiode: Vorjahr.")
    assert rows[0] == ["Kennzahl", "Jahr", "Wert (Stadt Leipzig)"] and rows[1][2] == "624.689 Personen"


def test_a_key_figure_from_other_data_is_named_with_page_and_row(tmp_path):
    other = KEY_FIGURES.copy()
    other.loc[0, "Wert (Stadt Leipzig)"] = "625.689 Personen"  # the page of the other build's data
    check = PageCheck()
    _compare_key_figures(_page(tmp_path, other), markdown_rows(markdown_table(KEY_FIGURES)), check, "bevoelkerung")
    assert check.compared == 4
    assert check.differences == [
        "bevoelkerung, Einwohner/-innen: published ['2022', '625.689 Personen'], "
        "recomputed ['2022', '624.689 Personen']"
    ]
    same = PageCheck()
    _compare_key_figures(_page(tmp_path, KEY_FIGURES), markdown_rows(markdown_table(KEY_FIGURES)), same, "b")
    assert same.differences == [] and same.compared == 4


def test_chart_data_are_compared_number_by_number(tmp_path):
    published, recomputed = tmp_path / "published.csv", tmp_path / "recomputed.csv"
    pd.DataFrame({"year": [2021, 2022], "value": [609869.0, 625689.0]}).to_csv(published, index=False)
    pd.DataFrame({"year": [2021, 2022], "value": [609869.0, 624689.0]}).to_csv(recomputed, index=False)
    check = PageCheck()
    _compare_csv(published, recomputed, check, "daten/2022-einwohner-trend.csv")
    assert check.differences == [
        "daten/2022-einwohner-trend.csv, row 3, value: published 625689.0, recomputed 624689.0"
    ]


def _site(tmp_path, with_pdf: bool = True):
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text("<html></html>")
    pdf = tmp_path / "built.pdf"
    pdf.write_bytes(b"%PDF this build")
    return release.assemble(html, tmp_path / "releases", 2022, "key-1", "inputs-1", pdf if with_pdf else None)


def test_website_and_pdf_of_one_build_pass(tmp_path):
    assert check_release(_site(tmp_path), "inputs-1", "key-1") == []


def test_a_pdf_of_another_build_is_named(tmp_path):
    site = _site(tmp_path)
    (site / "sozialbericht-2022.pdf").write_bytes(b"%PDF an older build")
    assert check_release(site, "inputs-1", "key-1") == [
        "sozialbericht-2022.pdf is not the PDF of this build (SHA-256 differs)"
    ]


def test_a_site_built_from_other_inputs_or_code_is_named(tmp_path):
    site = _site(tmp_path, with_pdf=False)
    problems = check_release(site, "inputs-2", "key-2")
    assert "the website was built from other inputs than those read now" in problems
    assert any("build key differs" in p for p in problems)
    (site / "sozialbericht-2022.pdf").write_bytes(b"%PDF slipped in")
    assert "sozialbericht-2022.pdf is published, but the build recorded no PDF" in check_release(
        site, "inputs-1", "key-1"
    )
