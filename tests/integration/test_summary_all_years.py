"""On the mirror: 'Das Wichtigste in Kürze' and the segregation index for every edition year from 2015."""

from __future__ import annotations

import dataclasses
import re

from sozialbericht.analysis import findings
from sozialbericht.build.pipeline import latest_year
from sozialbericht.report.chapter import Chapter
from sozialbericht.report.edition import Edition, precompute
from sozialbericht.report.summary import SummaryPage


def prepared(mirror_inputs, year: int):
    """The year's inputs with the shared results the build computes (fixture mirror_inputs: tests/conftest.py)."""
    inputs = dataclasses.replace(mirror_inputs, precomputed={})
    precompute(Edition.from_inputs(inputs, year))
    return inputs


def test_summary_for_every_year(mirror_inputs):
    for year in range(2015, latest_year(mirror_inputs) + 1):
        page = SummaryPage(year, prepared(mirror_inputs, year))
        text = page.findings().data
        numbered = re.findall(r"^\d+\. \*\*", text, flags=re.M)
        chosen = findings.select(page.ranked)
        # 8 to 12 findings (plus segregation when it moved), each with a link to its chapter
        assert findings.MIN_FINDINGS <= len(chosen) <= findings.MAX_FINDINGS, year
        assert len(numbered) in (len(chosen), len(chosen) + 1), year
        assert text.count("](") == len(numbered)
        districts = page.districts().data
        assert districts.count("Einwohner/-innen") == 10, year
        assert "1 Ortsteile" not in text + districts and "1 weitere " not in text + districts


def test_segregation_2022_in_population_chapter(mirror_inputs):
    chapter = Chapter("bevoelkerung", 2022, prepared(mirror_inputs, 2022))
    index = chapter.segregation_index
    assert set(index["comparison"]) == {"auslaender", "sgb2", "sgb2_kinder"}
    assert (index[index["year"] == 2022]["areas"] == 63).all()
    assert (index["index"].between(0, 1)).all()
    assert "Segregationsindex Ausländer/-innen gegenüber den Deutschen" in chapter.segregation_text().data
