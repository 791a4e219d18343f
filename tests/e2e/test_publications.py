"""End to end: the two publications of an edition, as a councillor and a printer would check them.

The report PDF (title page, imprint, metadata, at most about 130 pages, no layout faults) and the
Ortsteil annex (one page per Ortsteil, each naming its Ortsteil), both offered on the website and
in the data package; maps of counts are not choropleths; the website's footer and download menu.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from support_e2e import YEAR, site

from sozialbericht.build import pdfcheck

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext, pdfinfo) not installed"),
]

REPORT_PAGES = (60, 135)  # "at most about 130 pages"
ORTSTEILE = 63


def info(pdf) -> dict:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def page_text(pdf, page: int) -> str:
    args = ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_report_pdf_is_a_publication(edition):
    build, _, _ = edition
    pdf = build / "pdf" / f"sozialbericht-{YEAR}.pdf"
    meta = info(pdf)
    assert REPORT_PAGES[0] <= int(meta["Pages"]) <= REPORT_PAGES[1], meta["Pages"]
    assert meta["Title"] == f"Sozialbericht Leipzig {YEAR}" and meta["Author"] == "Stadt Leipzig"
    assert f"Stichtag 31.12.{YEAR}" in meta["Subject"]
    title = page_text(pdf, 1)
    for text in ("Sozialbericht Leipzig", f"Ausgabe {YEAR}", f"Stichtag 31.12.{YEAR}", "Herausgeber: Stadt Leipzig"):
        assert text in title, text
    assert "dl-de/by-2-0" in title
    assert "Impressum" in page_text(pdf, 2)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    # the profiles are in the annex, not in the report
    # a profile's own section heading is not in the report
    assert "Entwicklung im Vergleich zur Stadt" not in text and f"ortsteil-steckbriefe-{YEAR}.pdf" in text


def test_report_pdf_has_no_layout_faults(edition):
    build, _, _ = edition
    problems = pdfcheck.check(build / "pdf" / f"sozialbericht-{YEAR}.pdf", skip_front=2)
    assert problems == [], "\n".join(map(str, problems))


def test_annex_has_one_page_per_ortsteil_each_naming_it(edition):
    build, data, _ = edition
    pdf = build / "pdf" / f"ortsteil-steckbriefe-{YEAR}.pdf"
    meta = info(pdf)
    assert int(meta["Pages"]) == ORTSTEILE + 2, "title, contents and one page per Ortsteil"
    assert meta["Author"] == "Stadt Leipzig" and str(YEAR) in meta["Title"]
    names = json.loads((data / "geo" / "ortsteile.geojson").read_text(encoding="utf-8"))["features"]
    expected = {feature["properties"]["Name"] for feature in names}
    assert "Herausgeber: Stadt Leipzig" in page_text(pdf, 1)
    contents = page_text(pdf, 2)
    assert all(name in contents for name in expected)
    seen = set()
    for page in range(3, ORTSTEILE + 3):
        text = page_text(pdf, page)
        first = next(line.strip() for line in text.splitlines() if line.strip())
        assert first in expected, f"page {page} starts with {first!r}, not an Ortsteil's name"
        seen.add(first)
        assert "Stadtbezirk" in text and "Jahr (Stichtag 31.12.)" in text and "Frühwarnsystem" in text
        assert re.search(r"% der Einwohner", text), f"page {page}: the chart's unit"
    assert seen == expected, "every Ortsteil has its page"


def test_both_pdfs_offered_on_the_site_and_in_the_data_package(edition):
    build, _, _ = edition
    edition_site = site(build)
    names = [f"sozialbericht-{YEAR}.pdf", f"ortsteil-steckbriefe-{YEAR}.pdf"]
    assert all((edition_site / name).is_file() for name in names)
    package = json.loads((edition_site / "downloads" / "datapackage.json").read_text(encoding="utf-8"))
    offered = {r["path"]: r for r in package["resources"]}
    for name in names:
        assert offered[name]["mediatype"] == "application/pdf"
        assert (edition_site / "downloads" / name).is_file()
    editions = json.loads((build / "html" / "editions.json").read_text(encoding="utf-8"))
    current = next(e for e in editions if e["year"] == YEAR)
    assert current["annex"] == f"{YEAR}/ortsteil-steckbriefe-{YEAR}.pdf"


def test_maps_of_counts_are_not_choropleths(edition):
    build, _, _ = edition
    page = (site(build) / "book" / "edition" / "arbeit.html").read_text(encoding="utf-8")
    specs = [json.loads(s) for s in re.findall(r"var spec = (\{.*?\});\n", page)]
    maps = [s for s in specs if "projection" in s]
    assert maps, "the chapter has maps"
    count_maps = [s for s in maps if "Kreisfläche entspricht der Anzahl" in json.dumps(s, ensure_ascii=False)]
    assert count_maps, "the count of unemployed people is drawn as circles"
    for spec in count_maps:
        geoshapes = [layer for layer in spec["layer"] if layer["mark"]["type"] == "geoshape"]
        assert all("color" not in layer.get("encoding", {}) for layer in geoshapes)
    for spec in maps:
        if spec not in count_maps:
            title = spec["layer"][0]["encoding"]["color"]["title"]
            assert "dunkler" in title[1] and title[2].startswith("Stadt Leipzig: ")


def test_site_footer_names_the_publisher_and_notebooks_are_offered_once(edition):
    build, _, _ = edition
    edition_site = site(build)
    chapter = (edition_site / "book" / "edition" / "arbeit.html").read_text(encoding="utf-8")
    assert "Herausgeber: Stadt Leipzig" in chapter and "Durch Stadt Leipzig" not in chapter
    assert ".ipynb" not in re.sub(r"<script.*?</script>", "", chapter, flags=re.S), "no notebook for the public"
    methods = (edition_site / "book" / "edition" / "daten.html").read_text(encoding="utf-8")
    assert "arbeit.ipynb" in methods and "bevoelkerung.ipynb" in methods
    index = (edition_site / "book" / "edition" / "steckbriefe.html").read_text(encoding="utf-8")
    assert 'id="sb-ot-search"' in index and 'id="sb-ot-sbz"' in index and index.count("data-sbz=") == ORTSTEILE
