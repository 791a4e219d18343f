"""The sentence of a city-wide series: groups compared, not the total row; the survey caveat once per section."""

from __future__ import annotations

import pandas as pd

from sozialbericht.analysis.city_series import CitySeries, CitySeriesCatalogue, Line
from sozialbericht.report.citywide import CityWide


def wohnflaeche(survey=True) -> CitySeries:
    return CitySeries(
        id="wohnflaeche",
        title="Wohnfläche je Person nach Haushaltstyp",
        chapter="wohnen",
        dataset="wohnsituation",
        lines=[Line(feature="f", label="insgesamt")],
        unit="m² je Person",
        survey=survey,
        definition="Test",
    )


def city(series: list[CitySeries], rows) -> CityWide:
    wide = object.__new__(CityWide)
    wide.year = 2022
    wide.catalogue = CitySeriesCatalogue(series=series)
    wide.__dict__["series"] = series
    frame = pd.DataFrame(rows, columns=["label", "year", "value"])
    wide.values = lambda series_id: frame
    wide.available = lambda s: True
    return wide


ROWS = [
    ("insgesamt", 2000, 30.0),
    ("insgesamt", 2022, 40.0),
    ("Paare", 2000, 28.0),
    ("Paare", 2022, 29.0),
    ("Rentner/-innen", 2000, 60.0),
    ("Rentner/-innen", 2022, 62.0),
]


def test_the_total_row_is_not_a_group():
    text = city([wohnflaeche()], ROWS).text("wohnflaeche").data
    assert "„insgesamt“" not in text
    assert "am höchsten bei „Rentner/-innen“" in text and "am niedrigsten bei „Paare“" in text
    assert "Seit 2000 stieg der Wert am stärksten bei „Rentner/-innen“ (+2,0 m² je Person)" in text


def test_survey_caveat_once_in_the_section_note_when_every_series_is_a_survey():
    wide = city([wohnflaeche()], ROWS)
    assert "nicht überzubewerten" in wide.note().data
    assert "nicht überzubewerten" not in wide.text("wohnflaeche").data
    mixed = city([wohnflaeche(), wohnflaeche(survey=False).model_copy(update={"id": "other"})], ROWS)
    assert "nicht überzubewerten" not in mixed.note().data
    assert "nicht überzubewerten" in mixed.text("wohnflaeche").data
