"""Chapter analyses on constructed values: artefacts are not developments, ties name all, the least favourable
fifth, the spread measure, the concentration of the change and the published rate; and their German sentences."""

from __future__ import annotations

import pandas as pd
import pytest

from sozialbericht.analysis import patterns
from sozialbericht.analysis.indicators import Indicator, Term
from sozialbericht.data.geography import ORTSTEIL, STADT, STADTBEZIRK
from sozialbericht.report import synthesis


def indicator(kind="count", direction="higher_worse", denominator=False, **extra) -> Indicator:
    return Indicator(
        id="x",
        title="Testzahl",
        short="Testzahl",
        chapter="c",
        numerator=Term("kita", "Kinder"),
        denominator=Term("einwohner", "Einwohner insgesamt") if denominator else None,
        unit="Kinder" if not denominator else "% der Einwohner",
        direction=direction,
        definition="test",
        decimals=0 if not denominator else 1,
        kind=kind,
        **extra,
    )


def frame(rows) -> pd.DataFrame:
    """rows: (area_code, area_name, level, sbz_code, year, value, numerator, denominator)."""
    columns = ["area_code", "area_name", "level", "sbz_code", "year", "value", "numerator", "denominator"]
    return pd.DataFrame(rows, columns=columns)


def counts(data: dict[str, dict[int, float]], sbz: dict[str, str] | None = None) -> pd.DataFrame:
    rows = []
    for n, (name, by_year) in enumerate(data.items()):
        for year, value in by_year.items():
            rows.append((f"{n:02d}", name, ORTSTEIL, (sbz or {}).get(name, "0"), year, value, value, None))
    return frame(rows)


def test_drop_to_zero_and_missing_end_value_are_artefacts_not_developments():
    values = counts(
        {
            "Meusdorf": {2017: 167, 2022: 0},
            "Zentrum": {2017: 100, 2022: 150},
            "Lindenau": {2017: 80, 2022: None},
            "Thekla": {2017: 0, 2022: 0},
        }
    )
    ind = indicator()
    assert patterns.artefacts(values, ind, 2022, 2017) == [("Lindenau", "ended"), ("Meusdorf", "zero")]
    moves = patterns.ortsteil_changes(values, ind, 2022, 2017)
    # Meusdorf's −167 (−100 %) is not the strongest fall: it is an artefact
    assert moves.falls == []
    assert moves.rises == [("Zentrum", 50.0, 100.0)]
    text = synthesis.artefact_sentence(moves, "Datei kdvalues_k4_r1_y.csv")
    assert text.startswith("Keine Entwicklung, sondern eine Datenbesonderheit (Datei kdvalues_k4_r1_y.csv, 2022)")
    assert "in Meusdorf fällt der Zählwert 2022 auf 0" in text
    assert "für Lindenau fehlt der Wert 2022" in text
    # the same artefact for a second indicator of the same file is only referred to
    seen: set = set()
    synthesis.artefact_sentence(moves, "Datei k4", seen)
    assert synthesis.artefact_sentence(moves, "Datei k4", seen).startswith("Lindenau und Meusdorf wegen derselben")


def test_ties_name_every_tied_ortsteil():
    values = counts({"A": {2017: 10, 2022: 30}, "B": {2017: 50, 2022: 70}, "C": {2017: 40, 2022: 45}})
    moves = patterns.ortsteil_changes(values, indicator(), 2022, 2017)
    assert [name for name, _, _ in moves.rises] == ["A", "B"]
    assert synthesis.ortsteile_sentence(moves).startswith("Stärkster Anstieg in A und B (je +20)")


def test_least_favourable_fifth_for_five_years_or_more():
    years = range(2015, 2023)
    # ten Ortsteile; "Hoch" has the highest value every year, "Neu" only from 2020
    data = {f"O{n}": {y: float(n) for y in years} for n in range(8)}
    data["Hoch"] = {y: 100.0 for y in years}
    data["Neu"] = {y: (50.0 if y >= 2020 else 0.5) for y in years}
    values = counts(data)
    ind = indicator(kind="rate")
    table = patterns.least_favourable(values, ind, 2022)
    assert list(table["area_name"]) == ["Hoch"]
    assert int(table.loc[0, "years"]) == 8 and int(table.loc[0, "since"]) == 2015
    # a higher value is better: the lowest are the least favourable fifth
    better = patterns.least_favourable(values, indicator(kind="rate", direction="higher_better"), 2022)
    # O0 (value 0) is among the two lowest every year; "Neu" was only 2015–2019, not up to the report year
    assert list(better["area_name"]) == ["O0"]
    assert patterns.least_favourable(values, indicator(kind="rate", direction="neutral"), 2022).empty


def test_spread_coefficient_of_variation_and_p90_p10():
    data = {f"O{n}": {2012: 10.0 + n, 2022: 10.0 + 3 * n} for n in range(10)}
    item = patterns.spread(counts(data), indicator(kind="rate"), 2022)
    then = pd.Series([10.0 + n for n in range(10)])
    assert item.first_year == 2012
    assert item.cv_first == pytest.approx(then.std(ddof=0) / then.mean())
    assert item.trend == "wider"
    assert item.p90_p10_last > item.p90_p10_first
    # counts depend on the size of the Ortsteil: no spread for them
    assert patterns.spread(counts(data), indicator(kind="count"), 2022) is None


def test_concentration_share_of_top_five_and_districts():
    data = {f"O{n}": {2021: 100.0, 2022: 100.0 + n} for n in range(1, 8)}  # changes 1..7, total 28
    data["Minus"] = {2021: 100.0, 2022: 96.0}  # total 24
    sbz = {name: ("1" if name in ("O7", "O6") else "0") for name in data}
    values = counts(data, sbz)
    values = pd.concat(
        [
            values,
            frame(
                [
                    ("0", "Mitte", STADTBEZIRK, None, 2022, 0, 0, None),
                    ("1", "Nordost", STADTBEZIRK, None, 2022, 0, 0, None),
                ]
            ),
        ]
    )
    item = patterns.concentration(values, indicator(), 2022, 2021)
    assert item.city_change == 24
    assert [name for name, _ in item.top] == ["O7", "O6", "O5", "O4", "O3"]
    assert item.top_share == pytest.approx(25 / 24)
    # Nordost: O6 + O7 = 13 of 24; Mitte: 1 + … + 5 − 4 = 11 of 24
    assert item.districts == [("Nordost", pytest.approx(13 / 24)), ("Mitte", pytest.approx(11 / 24))]
    sentence = synthesis.concentration_sentence(item, "Zahl")
    # a full sentence with its verb, not "Die fünf Ortsteile … zusammen mehr als die ganze Stadt"
    assert (
        "(O7 (+7), O6 (+6), O5 (+5), O4 (+4), O3 (+3)) haben zusammen einen größeren Anstieg als die ganze Stadt"
        in sentence
    )
    assert "(104\u00a0%)" in sentence


def test_directions_name_the_years_of_a_series_that_ended_earlier():
    from sozialbericht.analysis.indicators import KeyFigure

    current = KeyFigure(indicator(), 2022, 110.0, 2021, 105.0, 2017, 100.0)
    ended = KeyFigure(indicator(kind="count", direction="higher_worse"), 2017, 80.0, 2016, 85.0, 2012, 90.0)
    text = synthesis.directions_paragraph([current, ended])
    assert text.startswith("Entwicklung der Stadt Leipzig von 2017 bis 2022.")
    # the series that ended in 2017 is not presented as a change of 2017–2022
    assert "Testzahl (2012–2017: −10" in text
    assert "Testzahl (+10" in text
    # one item, one verb in the singular: "Gestiegen ist: …", "Ungünstig entwickelte sich …"
    assert "Gestiegen ist: Testzahl" in text and "Gesunken ist: Testzahl" in text
    assert "Ungünstig entwickelte sich Testzahl, günstig Testzahl." in text
    # a label that is plural by itself keeps the plural verb
    import dataclasses

    plural_label = dataclasses.replace(indicator(), short="Körperverletzungen je 1.000 EW")
    plural = KeyFigure(plural_label, 2022, 110.0, 2021, 105.0, 2017, 100.0)
    text = synthesis.directions_paragraph([plural])
    assert "Gestiegen sind: Körperverletzungen je 1.000 EW" in text


def test_city_trend_turning_point_after_years_of_decline():
    values = frame(
        [("L", "Leipzig", STADT, None, y, v, None, None) for y, v in zip(range(2015, 2023), [9, 8, 7, 6, 5, 4, 3, 5])]
    )
    trend = patterns.city_trend(values, indicator(kind="rate"), 2022)
    assert (trend.kind, trend.run) == ("turn_up", 6)
    assert synthesis.trend_sentence(indicator(kind="rate"), trend, 2022).startswith(
        "Wendepunkt: 2022 stieg der Stadtwert erstmals wieder, nach 6 Jahren Rückgang"
    )
    steady = frame([("L", "Leipzig", STADT, None, y, float(y), None, None) for y in range(2013, 2023)])
    assert patterns.city_trend(steady, indicator(kind="rate"), 2022).kind == "rising"


def test_a_trend_the_last_five_years_do_not_follow_is_not_called_lasting():
    # ten years of decline overall, but the last five years end higher than they started
    values = [30, 28, 26, 24, 20, 19, 22, 21, 23, 21.5]
    series = frame([("L", "Leipzig", STADT, None, y, v, None, None) for y, v in zip(range(2013, 2023), values)])
    trend = patterns.city_trend(series, indicator(kind="rate"), 2022)
    assert trend.kind == "falling"
    text = synthesis.trend_sentence(indicator(kind="rate"), trend, 2022, -1.5, five_year_change=+1.5)
    assert text.startswith("Seit 2013 sinkt der Stadtwert im Trend")
    assert "folgen diesem Trend aber nicht" in text and "anhaltend" not in text
    agreeing = synthesis.trend_sentence(indicator(kind="rate"), trend, 2022, -1.5, five_year_change=-8.5)
    assert "anhaltend" in agreeing


def test_a_turning_point_counts_the_whole_run_before_it():
    # 13 years of decline (2008-2021), then a rise: the run is 13, not the 9 inside the last ten values
    values = [float(30 - i) for i in range(14)] + [20.0]
    series = frame([("L", "Leipzig", STADT, None, y, v, None, None) for y, v in zip(range(2008, 2023), values)])
    trend = patterns.city_trend(series, indicator(kind="rate"), 2022)
    assert (trend.kind, trend.run, trend.since) == ("turn_up", 13, 2008)


class FakeInputs:
    def __init__(self, published):
        spec = type(
            "Spec", (), {"features": {"Straftaten je Einwohner": {"kind": "rate", "unit": "je 1.000 Einwohner"}}}
        )
        self.specs = {"kita": spec}
        self.published = published

    def series(self, dataset, feature):
        return self.published


def test_published_rate_on_the_previous_years_population_is_recognised_and_explained():
    ind = indicator(kind="rate", denominator=True, factor=1000.0)
    values = frame(
        [
            ("L", "Leipzig", STADT, None, 2021, 100 / 1000 * 1000, 100, 1000),
            ("L", "Leipzig", STADT, None, 2022, 110 / 1100 * 1000, 110, 1100),
        ]
    )
    published = pd.DataFrame({"area_code": ["L"], "year": [2022], "value": [110 / 1000 * 1000]})
    item = patterns.published_rate(FakeInputs(published), ind, values, 2022)
    assert item.lagged_fit and not item.same_fit
    assert (item.published, item.computed) == (110.0, 100.0)
    text = synthesis.published_rate_sentence(item)
    assert "auf die Einwohnerzahl am 31.12. des Vorjahres" in text and "(100,0)" in text
    # a published rate of another count (thefts vs. all offences) is not compared
    other = published.assign(value=[42.0])
    assert patterns.published_rate(FakeInputs(other), ind, values, 2022) is None


def test_one_name_more_than_the_limit_is_named_not_counted():
    five = ["Grünau-Nord", "Grünau-Ost", "Gohlis-Nord", "Böhlitz-Ehrenberg", "Mockau-Süd"]
    assert "weiter" not in synthesis.names(five, limit=4) and "Mockau-Süd" in synthesis.names(five, limit=4)
    assert "2 weitere Ortsteile" in synthesis.plain_names(five + ["Paunsdorf"], limit=4)
    assert synthesis.plain_names(five, limit=4).endswith("und Mockau-Süd")
