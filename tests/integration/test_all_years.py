"""On the mirror: every chapter, the early-warning index and the profiles compute for every
edition year from 2015 to the latest (charts are built as specs; rendering is left to the e2e build).
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from sozialbericht.analysis.indicators import read_catalogue
from sozialbericht.build.pipeline import latest_year
from sozialbericht.report import charts
from sozialbericht.report.chapter import Chapter
from sozialbericht.report.edition import Edition, precompute
from sozialbericht.report.profiles import Profiles
from sozialbericht.report.steering import SteeringPages


@pytest.fixture(scope="module")
def editions(mirror_inputs):
    """Every year's inputs with its shared results computed once, as the build does (in memory:
    the chapters get the inputs as the build's own process does, without a pickle round trip)."""
    prepared = {}
    for year in range(2015, latest_year(mirror_inputs) + 1):
        inputs = dataclasses.replace(mirror_inputs, precomputed={})  # the table is shared, not copied
        precompute(Edition.from_inputs(inputs, year))
        prepared[year] = inputs
    return prepared


def years(inputs):
    return list(range(2015, latest_year(inputs) + 1))


def test_every_chapter_builds_for_every_year(mirror_inputs, editions):
    inputs = mirror_inputs
    chapters = [c["id"] for c in read_catalogue(datasets=inputs.specs).chapters]
    assert latest_year(inputs) >= 2023
    for year in years(inputs):
        for chapter_id in chapters:
            chapter = Chapter(chapter_id, year, editions[year])
            assert "Wert (Stadt Leipzig)" in chapter.key_figures().data
            assert chapter.summary().data
            for indicator in chapter.indicators:
                for output in (chapter.trend(indicator.id), chapter.map(indicator.id), chapter.districts(indicator.id)):
                    if isinstance(output, charts.ChartOutput):
                        assert output.spec["data"] or output.spec.get("datasets")
                        if year == years(inputs)[-1]:  # the build skips the schema check: done here
                            charts.chart_spec(output.chart, validate=True)
                        # German alt text naming the data year (survey indicators: the last wave <= year)
                        shown = [int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", output.alt_text)]
                        assert shown and max(shown) <= year, output.alt_text
            developments = chapter.developments().data
            assert developments, f"{chapter_id} {year}: empty closing section"
            # series that end before the report year are named once per source, before the list, without
            # "2023–2023" and without file names (the appendix maps titles to files)
            assert not re.search(r"\b(\d{4})–\1\b", developments), developments
            sources = {(i.numerator.dataset, chapter.ref_year(i.id)) for i in chapter.indicators}
            assert developments.count("noch keine Werte") <= len(sources)
            assert ".csv" not in developments and ".json" not in developments, developments
            # how to read a comparison of Ortsteile (counted at the crime scene, at the Kita) is said once
            for note in {i.area_note for i in chapter.indicators if i.area_note}:
                assert developments.count(note) <= 1, (chapter_id, year, note)
            chapter.plans(), chapter.measures(), chapter.recommendations()


def test_early_warning_and_profiles_for_every_year(mirror_inputs, editions):
    inputs = mirror_inputs
    for year in years(inputs):
        pages = SteeringPages(year, editions[year])
        status = pages.warning.status
        assert len(status) == 63
        classed = status[~status["too_small"]]
        assert classed["status_class"].notna().all() and classed["dynamics_class"].notna().all()
        assert "Ortsteil" in pages.status_table().data
        pages.attention(), pages.changes(), pages.register(), pages.participation()
        if year == years(inputs)[-1]:  # the build skips the schema check: done here
            for output in (pages.status_map(), pages.dynamics_map()):
                charts.chart_spec(output.chart, validate=True)
        profiles = Profiles(year, editions[year])
        page = profiles.page("00", profiles.chart_block("00", "grafiken/ot-00.html"))
        assert "Kennzahlen im Vergleich" in page and ":file: grafiken/ot-00.html" in page
        assert 'id="sb-chart-profil-ot-00"' in profiles.chart_html("00")
        charts.chart_spec(profiles.chart("00"), validate=True)
