"""End to end: build an edition from the data source and check real numbers in the output.

Needs SOZIALBERICHT_DATA pointing at a folder laid out like the mirror; the numbers
the test expects are read from that folder's raw CSV here, independently of the package.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# shared with the other end-to-end tests; the session's build (fixture `edition`) is in conftest.py
from support_e2e import ROOT, YEAR, run_build, run_cli, site

from sozialbericht.build import pdfcheck

CHAPTERS = [
    "bevoelkerung",
    "arbeit",
    "einkommen",
    "haushalte",
    "kinder",
    "wohnen",
    "bildung",
    "sicherheit",
    "zufriedenheit",
]

pytestmark = pytest.mark.e2e


def german(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".")


def raw_population(folder: Path, year: int) -> tuple[float, float]:
    """City value and sum of the 63 Ortsteile, read straight from the CSV."""
    with open(folder / "kdvalues" / "kdvalues_k2_r1_y.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index(str(year))
    population = [r for r in rows[1:] if r[1].strip() == "Einwohner insgesamt"]
    city = next(float(r[column]) for r in population if r[0] == "Stadt Leipzig")
    ortsteile = sum(float(r[column]) for r in population[:63])
    return city, ortsteile


def test_outputs_at_fixed_paths(edition):
    build, _, _ = edition
    assert (build / "html" / "index.html").is_file()
    assert f'href="{YEAR}/index.html"' in (build / "html" / "index.html").read_text(encoding="utf-8")
    assert (site(build) / "index.html").is_file()
    pdf = build / "pdf" / f"sozialbericht-{YEAR}.pdf"
    assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"


def test_city_population_in_book_is_the_published_value(edition):
    build, data, _ = edition
    city, _ = raw_population(data, YEAR)
    page = (site(build) / "book" / "edition" / "bevoelkerung.html").read_text(encoding="utf-8")
    assert f"{german(city)} Personen" in page
    assert f"Berichtsjahr <strong>{YEAR}</strong>" in page


def test_difference_to_sum_of_ortsteile_is_reported(edition):
    build, data, _ = edition
    city, ortsteile = raw_population(data, YEAR)
    page = (site(build) / "book" / "edition" / "daten.html").read_text(encoding="utf-8")
    page = re.sub(r"</?p>", "", page)
    if city == ortsteile:
        assert "stimmen alle veröffentlichten Summen" in page
    else:
        row = re.search(
            r"Einwohner insgesamt“?</td>\s*<td[^>]*>Stadt Leipzig</td>\s*<td[^>]*>([\d.]+)</td>\s*"
            r"<td[^>]*>([\d.]+)</td>\s*<td[^>]*>([+−][\d.]+)</td>",
            page,
        )
        assert row, "the appendix must list the city's population against the sum of its Ortsteile"
        assert row.group(1) == german(city) and row.group(2) == german(ortsteile)
        assert row.group(3) == ("+" if city > ortsteile else "−") + german(abs(city - ortsteile))


def test_every_chapter_has_charts_and_closing_section(edition):
    build, _, _ = edition
    for chapter in CHAPTERS:
        page = (site(build) / "book" / "edition" / f"{chapter}.html").read_text(encoding="utf-8")
        assert "Entwicklungen und neue Herausforderungen" in page, chapter
        assert page.count('class="sb-chart') >= 3, chapter


def test_site_loads_no_script_from_another_host(edition):
    build, _, _ = edition
    html = build / "html"
    assert (site(build) / "_static" / "vega-bundle.js").stat().st_size > 100_000
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', text)
        assert not external, f"{page.relative_to(html)} loads {external[:3]}"
        assert "cdn.jsdelivr" not in text


def test_chart_data_downloads_exist_and_parse(edition):
    build, _, _ = edition
    page = (site(build) / "book" / "edition" / "bevoelkerung.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(daten/[^"]+\.csv)"', page)
    assert links
    for link in links:
        with open(site(build) / "book" / "edition" / link, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert len(rows) > 1 and len(rows[0]) >= 2


def test_downloads_of_the_edition(edition):
    build, data, _ = edition
    downloads = site(build) / "downloads"
    package = json.loads((downloads / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "dl-de-by-2.0"
    resource = package["resources"][0]
    with open(downloads / resource["path"], encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [f["name"] for f in resource["schema"]["fields"]]
    city, _ = raw_population(data, YEAR)
    population = [r for r in rows if r["indicator"] == "einwohner" and r["level"] == "Stadt" and r["year"] == str(YEAR)]
    assert float(population[0]["value"]) == city
    assert max(int(r["year"]) for r in rows) == YEAR
    assert (site(build) / f"sozialbericht-{YEAR}.pdf").is_file(), "the edition's PDF is offered on the site"


def test_rebuild_without_changes_is_skipped(edition):
    build, data, tmp = edition
    before = os.readlink(site(build))
    result = run_build(tmp, data)
    assert result.returncode == 0
    assert "unchanged" in result.stdout
    assert os.readlink(site(build)) == before


def test_pdf_has_the_numbers_and_the_charts(edition):
    build, data, _ = edition
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    pdf = build / "pdf" / f"sozialbericht-{YEAR}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    city, _ = raw_population(data, YEAR)
    assert german(city) in text
    assert text.count("Entwicklungen und neue Herausforderungen") >= len(CHAPTERS)
    figures = pdfcheck.figure_boxes(pdf)
    assert sum(map(len, figures.values())) >= 3 * len(CHAPTERS), "charts must be visible in the PDF"
    # drawn at a readable size: at least a quarter of the text width, not a speck
    assert all(f.right - f.left > 100 and f.height > 60 for page in figures.values() for f in page)


def test_failed_build_leaves_published_report_intact(edition):
    build, data, tmp = edition
    broken = tmp / "broken-mirror"
    shutil.copytree(data, broken)
    target = broken / "kdvalues" / "kdvalues_k2_r1_y.csv"
    target.chmod(0o644)
    content = target.read_bytes()
    target.write_bytes(content[: len(content) // 2])  # a download cut in the middle
    site_before = os.readlink(site(build))
    pdf = build / "pdf" / f"sozialbericht-{YEAR}.pdf"
    pdf_before = pdf.read_bytes()
    result = run_build(tmp, broken)
    assert result.returncode == 1
    assert "kdvalues_k2_r1_y.csv" in result.stderr and "row" in result.stderr
    assert "left unchanged" in result.stderr
    assert os.readlink(site(build)) == site_before
    assert (site(build) / "index.html").is_file()
    assert pdf.read_bytes() == pdf_before


def test_verify_recomputes_every_number(edition):
    build, data, tmp = edition
    result = run_cli(tmp, data, "verify", "--year", str(YEAR))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every number matches" in result.stdout
    # the data changed after publication: verify must say which input and which numbers
    changed = tmp / "changed-mirror"
    shutil.copytree(data, changed)
    target = changed / "kdvalues" / "kdvalues_k2_r1_y.csv"
    target.chmod(0o644)
    city, _ = raw_population(data, YEAR)
    text = target.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("Stadt Leipzig,Einwohner insgesamt"))
    target.write_text(text.replace(line, line.replace(f'"{int(city)}"', f'"{int(city) + 1}"')), encoding="utf-8")
    result = run_cli(tmp, changed, "verify", "--year", str(YEAR))
    assert result.returncode == 2
    assert "Einwohner (Jahreszahlen, kleinräumig)" in result.stdout and "SHA-256 differs" in result.stdout
    assert f"einwohner Stadt Leipzig {YEAR}: published {city}, recomputed {city + 1}" in result.stdout


def test_killed_build_leaves_published_report_intact(edition):
    """A build killed midway (here: while notebooks run) publishes nothing; the next build works."""
    import signal
    import time

    build, data, tmp = edition
    site_before = os.readlink(site(build))
    pdf = build / "pdf" / f"sozialbericht-{YEAR}.pdf"
    pdf_before = pdf.read_bytes()
    env = dict(
        os.environ,
        SOZIALBERICHT_DATA=str(data),
        SOZIALBERICHT_BUILD=str(tmp / "_build"),
        SOZIALBERICHT_EDITIONS=str(tmp / "editions-killed"),
        SOZIALBERICHT_CACHE=str(tmp / "cache"),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "sozialbericht", "build", "--year", str(YEAR)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.time() + 120
    for line in process.stdout:  # wait until notebooks are being executed, then kill everything
        if "executing" in line or time.time() > deadline:
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert os.readlink(site(build)) == site_before
    assert (site(build) / "index.html").is_file()
    assert pdf.read_bytes() == pdf_before
    assert json.loads((build / "html" / "editions.json").read_text(encoding="utf-8"))[0]["year"] == YEAR
