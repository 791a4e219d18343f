"""On the mirror: 'Das Wichtigste in Kürze' and the segregation index for every edition year from 2015."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sozialbericht.analysis import findings
from sozialbericht.build.pipeline import latest_year
from sozialbericht.data.inputs import load_inputs
from sozialbericht.data.opendata import LocalSource
from sozialbericht.report.chapter import Chapter
from sozialbericht.report.edition import Edition, precompute
from sozialbericht.report.summary import SummaryPage


@pytest.fixture(scope="module")
def inputs():
    setting = os.environ.get("SOZIALBERICHT_DATA")
    if not setting or not (Path(setting) / "INDEX.csv").is_file():
        pytest.skip("SOZIALBERICHT_DATA does not point at a mirror folder")
    return load_inputs(LocalSource(setting))


def test_summary_for_every_year(inputs):
    for year in range(2015, latest_year(inputs) + 1):
        precompute(Edition.from_inputs(inputs, year))
        page = SummaryPage(year, inputs)
        text = page.findings().data
        numbered = re.findall(r"^\d+\. \*\*", text, flags=re.M)
        chosen = findings.select(page.ranked)
        # 8 to 12 findings (plus segregation when it moved), each with a link to its chapter
        assert findings.MIN_FINDINGS <= len(chosen) <= findings.MAX_FINDINGS, year
        assert len(numbered) in (len(chosen), len(chosen) + 1), year
        assert text.count("](") == len(numbered)
        districts = page.districts().data
        # one paragraph per Stadtbezirk, each starting with its name and population
        assert len(re.findall(r"^\*\*[^*]+\*\* \([\d.]+ Einwohner/-innen", districts, flags=re.M)) == 10, year
        # every edition compares the Stadtbezirke with the city, the latest on the previous year's SGB-II counts
        assert "Deutlich ungünstiger als in der Stadt insgesamt" in districts, year
        assert "keine amtlich gezählte Quote" not in districts, year
        # the data year of each chapter is stated where it is not the edition's (2023: SGB II ends 2022)
        intro = page.intro().data
        if year == latest_year(inputs):
            assert "**Datenstand.**" in intro and "Arbeit und Grundsicherung 2022" in intro, intro
        # every Ortsteil the early-warning chapter lists as flagged is named in its Stadtbezirk's paragraph
        flagged = set(page.edition.warning.flags["area_name"])
        assert flagged and all(name in districts for name in flagged), (year, flagged)
        assert "1 Ortsteile" not in text + districts and "1 weitere " not in text + districts


def test_segregation_2022_in_population_chapter(inputs):
    precompute(Edition.from_inputs(inputs, 2022))
    chapter = Chapter("bevoelkerung", 2022, inputs)
    index = chapter.segregation_index
    assert set(index["comparison"]) == {"auslaender", "sgb2", "sgb2_kinder"}
    assert (index[index["year"] == 2022]["areas"] == 63).all()
    assert (index["index"].between(0, 1)).all()
    assert "Segregationsindex Ausländer/-innen gegenüber den Deutschen" in chapter.segregation_text().data
