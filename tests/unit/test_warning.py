"""Frühwarnsystem: statistics, classes and flags on constructed data with known answers.

The values are written by hand in the columns that ``indicators.compute`` returns. The last
test builds the index from the real mirror (skipped when SOZIALBERICHT_DATA is unset).
"""

from __future__ import annotations

import copy
import math
import os

import numpy as np
import pandas as pd
import pytest
import yaml

from sozialbericht.analysis import warning as W
from sozialbericht.analysis.indicators import VALUE_COLUMNS, read_catalogue
from sozialbericht.errors import CatalogueError
from sozialbericht.report.warning_text import method_text

CITY = ("14713000", "Stadt Leipzig")
COLUMNS = VALUE_COLUMNS


@pytest.fixture(scope="module")
def catalogue():
    return read_catalogue()


def base_config(**changes) -> dict:
    raw = {
        "confidence": 0.95,
        "min_population": 300,
        "max_data_age": 2,
        "index": {"weighted": True, "indicators": [{"id": "sgb2_dichte"}]},
        "status": {"thresholds": [-1.0, 1.0, 1.5], "classes": ["hoch", "mittel", "niedrig", "sehr niedrig"]},
        "dynamics": {"period": 2, "thresholds": [-1.0, 1.0], "classes": ["positiv", "stabil", "negativ"]},
        "attention": [
            {"status": ["niedrig", "sehr niedrig"], "severity": 2},
            {"status": ["mittel"], "dynamics": ["negativ"], "severity": 2},
        ],
        "rules": [],
    }
    raw.update(copy.deepcopy(changes))
    return raw


def config(catalogue, **changes) -> W.WarningConfig:
    return W.parse_config(base_config(**changes), catalogue, "test.yml")


def rates(indicator: str, areas: dict, city: dict, factor: float = 100) -> pd.DataFrame:
    """areas: {(code, name): {year: (numerator, denominator)}}; city: {year: (numerator, denominator)}."""
    rows = []
    for (code, name), series in areas.items():
        for year, (num, den) in series.items():
            rows.append([indicator, code, name, "Ortsteil", code[0], year, num / den * factor, num, den, "ok"])
    for year, (num, den) in city.items():
        rows.append([indicator, CITY[0], CITY[1], "Stadt", None, year, num / den * factor, num, den, "ok"])
    return pd.DataFrame(rows, columns=COLUMNS)


def published(indicator: str, areas: dict, city: dict) -> pd.DataFrame:
    """Values without counts (survey means): numerator = value, denominator NaN."""
    rows = []
    for (code, name), series in areas.items():
        for year, value in series.items():
            rows.append([indicator, code, name, "Ortsteil", code[0], year, value, value, np.nan, "ok"])
    for year, value in city.items():
        rows.append([indicator, CITY[0], CITY[1], "Stadt", None, year, value, value, np.nan, "ok"])
    return pd.DataFrame(rows, columns=COLUMNS)


def population(sizes: dict) -> pd.Series:
    return pd.Series({code: float(size) for code, size in sizes.items()})


# -- statistics with known answers -----------------------------------------------------------


def test_wilson_interval_matches_published_values_and_is_vectorised():
    lower, upper = W.wilson_interval([2, 0, 10, 5], [10, 10, 10, 0], 0.95)
    assert lower[0] == pytest.approx(0.0567, abs=1e-4) and upper[0] == pytest.approx(0.5098, abs=1e-4)
    assert lower[1] == 0 and upper[1] == pytest.approx(0.2775, abs=1e-4)
    assert upper[2] == 1 and lower[2] == pytest.approx(0.7225, abs=1e-4)
    assert math.isnan(lower[3]) and math.isnan(upper[3])  # no trials, no interval


def test_poisson_interval_is_close_to_the_exact_interval():
    lower, upper = W.poisson_interval([10], [1], 0.95)
    assert lower[0] == pytest.approx(4.795, abs=0.02) and upper[0] == pytest.approx(18.39, abs=0.02)


def test_cochran_armitage_reproduces_agresti_example():
    # Agresti, Categorical Data Analysis, malformation by alcohol consumption: z^2 = 6.57, p = 0.01
    present, absent = [48, 38, 5, 1, 1], [17066, 14464, 788, 126, 37]
    series = pd.DataFrame(
        {"year": [0, 0.5, 1.5, 4.0, 7.0], "numerator": present, "denominator": [p + a for p, a in zip(present, absent)]}
    )
    series["value"] = series["numerator"] / series["denominator"] * 100
    result = W.trend_test(series, years=None, method="cochran_armitage")
    assert result["statistic"] ** 2 == pytest.approx(6.57, abs=0.01)
    assert result["p_value"] == pytest.approx(0.0104, abs=0.0005)
    assert result["direction"] == W.RISING


def test_steady_rise_over_five_years_is_detected():
    years = [2018, 2019, 2020, 2021, 2022]
    big = pd.DataFrame({"year": years, "numerator": [100, 110, 120, 130, 140], "denominator": [1000] * 5})
    big["value"] = big["numerator"] / big["denominator"] * 100
    result = W.trend_test(big, years=5)
    assert result["method"] == "cochran_armitage"
    assert result["direction"] == W.RISING and result["p_value"] < 0.01
    assert result["slope"] == pytest.approx(1.0)  # one percentage point a year
    # survey values without counts: Mann-Kendall, exact p for a monotone series of five = 2/120
    survey = pd.DataFrame({"year": [2013, 2015, 2017, 2019, 2021], "value": [2.1, 2.2, 2.3, 2.4, 2.5]})
    result = W.trend_test(survey, years=5)
    assert result["method"] == "mann_kendall"
    assert result["p_value"] == pytest.approx(2 / 120)
    assert result["direction"] == W.RISING and result["slope"] == pytest.approx(0.05)


def test_the_same_rise_in_a_small_area_is_not_significant():
    years = [2018, 2019, 2020, 2021, 2022]
    small = pd.DataFrame({"year": years, "numerator": [1, 1, 2, 2, 3], "denominator": [10] * 5})
    small["value"] = small["numerator"] / small["denominator"] * 100
    result = W.trend_test(small, years=5)
    assert result["direction"] == W.RISING
    assert result["p_value"] > 0.05


def test_overdispersed_counts_do_not_make_a_trend_certain():
    """Large counts that zigzag far more than binomial noise: the plain test calls the drift significant,
    the test allowing for the observed dispersion does not; a clean steady rise stays significant."""
    years = [2018, 2019, 2020, 2021, 2022]
    noisy = pd.DataFrame({"year": years, "numerator": [1000, 1150, 980, 1180, 1100], "denominator": [10000] * 5})
    noisy["value"] = noisy["numerator"] / noisy["denominator"] * 100
    plain = W.trend_test(noisy, years=5)
    adjusted = W.trend_test(noisy, years=5, overdispersion=True)
    assert plain["p_value"] < 0.05 and plain["dispersion"] > 5
    assert adjusted["p_value"] > 0.05
    assert adjusted["statistic"] == pytest.approx(plain["statistic"] / math.sqrt(plain["dispersion"]))
    # φ comes from T - 2 = 3 degrees of freedom: p from Student's t (two-sided), not the normal
    assert adjusted["p_value"] == pytest.approx(W.stats._student_p(adjusted["statistic"], 3))
    assert W.stats._student_p(3.182, 3) == pytest.approx(0.05, abs=1e-4) and W.stats._student_p(
        2.0, 2
    ) == pytest.approx(0.1835, abs=1e-4)
    steady = pd.DataFrame({"year": years, "numerator": [100, 110, 120, 130, 140], "denominator": [1000] * 5})
    steady["value"] = steady["numerator"] / steady["denominator"] * 100
    corrected = W.trend_test(steady, years=5, overdispersion=True)["p_value"]
    assert corrected == pytest.approx(W.trend_test(steady, years=5)["p_value"]) and corrected < 0.01, (
        "no correction when the counts scatter less than chance"
    )
    # fewer than four values: too few degrees of freedom to estimate the dispersion
    assert math.isnan(W.trend_test(noisy.tail(3), years=3, overdispersion=True)["dispersion"])


def test_mann_kendall_uses_only_the_last_values():
    series = pd.DataFrame({"year": range(2010, 2020), "value": [9, 8, 7, 6, 5, 1, 2, 3, 4, 5]})
    result = W.trend_test(series, years=5)
    assert (result["first_year"], result["last_year"], result["n"]) == (2015, 2019, 5)
    assert result["direction"] == W.RISING


# -- classes --------------------------------------------------------------------------


def test_classify_puts_a_value_on_a_threshold_into_the_upper_class():
    index = pd.Series([-1.5, -1.0, 0.0, 1.0, 1.2, 1.5, 3.0, np.nan])
    classes = W.classify(index, [-1.0, 1.0, 1.5], ["hoch", "mittel", "niedrig", "sehr niedrig"])
    assert list(classes) == ["hoch", "mittel", "mittel", "niedrig", "niedrig", "sehr niedrig", "sehr niedrig", None]


def index_data(scale: int = 100):
    """sgb2_dichte in five Ortsteile: three at 10 % (480 residents each × scale), one at 20 % (1,000 ×
    scale), one tiny one at 60 % (250 residents). Weighted over the classifiable Ortsteile the 20 %
    Ortsteil has z = sqrt(1440/1000) = 1.2, the others -sqrt(1000/1440), whatever the scale. D rises
    by 2 points while the city rises by 0.54: with scale 100 (48,000 and 100,000 residents) that is far
    beyond chance, with scale 1 (480 and 1,000 residents) it is not."""
    areas = {
        ("00", "A"): {2020: (48 * scale, 480 * scale), 2022: (48 * scale, 480 * scale)},
        ("01", "B"): {2020: (48 * scale, 480 * scale), 2022: (48 * scale, 480 * scale)},
        ("02", "C"): {2020: (48 * scale, 480 * scale), 2022: (48 * scale, 480 * scale)},
        ("10", "D"): {2020: (180 * scale, 1000 * scale), 2022: (200 * scale, 1000 * scale)},
        ("11", "Klein"): {2020: (100, 250), 2022: (150, 250)},
    }
    city = {2020: (324 * scale + 100, 2440 * scale + 250), 2022: (344 * scale + 150, 2440 * scale + 250)}
    values = rates("sgb2_dichte", areas, city)
    sizes = {"00": 480 * scale, "01": 480 * scale, "02": 480 * scale, "10": 1000 * scale, "11": 250}
    return {"sgb2_dichte": values}, population(sizes)


def test_a_chosen_z_score_lands_in_the_expected_class(catalogue):
    values, pop = index_data()
    table = W.status_dynamics(values, 2022, config(catalogue), pop).set_index("area_code")
    assert table.loc["10", "sgb2_dichte_z"] == pytest.approx(1.2)
    assert table.loc["10", "status_index"] == pytest.approx(1.2)
    assert table.loc["10", "status_class"] == "niedrig"
    assert table.loc["00", "status_index"] == pytest.approx(-math.sqrt(1000 / 1440))
    assert table.loc["00", "status_class"] == "mittel"
    # dynamics: D rises 2 points against the city's ~0.8: far beyond chance with these counts
    assert table.loc["10", "dynamics_index"] > 1.0
    assert table.loc["10", "dynamics_q"] < 0.05
    assert table.loc["10", "dynamics_class"] == "negativ"
    assert table.loc["00", "dynamics_class"] == "stabil"
    assert table.loc["10", "group"] == "Status niedrig / Dynamik negativ"
    assert bool(table.loc["10", "attention"]) and not bool(table.loc["00", "attention"])


def test_unweighted_standardisation_counts_each_ortsteil_once(catalogue):
    values, pop = index_data()
    raw = base_config()
    raw["index"]["weighted"] = False
    table = W.status_dynamics(values, 2022, W.parse_config(raw, catalogue), pop).set_index("area_code")
    assert table.loc["10", "status_index"] == pytest.approx(math.sqrt(3))
    assert table.loc["10", "status_class"] == "sehr niedrig"


def test_higher_better_reverses_the_sign(catalogue):
    values, pop = index_data()
    values = {"einkommen_persoenlich": values["sgb2_dichte"].assign(indicator="einkommen_persoenlich")}
    cfg = config(catalogue, index={"indicators": [{"id": "einkommen_persoenlich"}]})
    table = W.status_dynamics(values, 2022, cfg, pop).set_index("area_code")
    assert table.loc["10", "status_index"] == pytest.approx(-1.2)
    assert table.loc["10", "status_class"] == "hoch"


def test_small_ortsteil_is_marked_and_not_classed(catalogue):
    values, pop = index_data()
    table = W.status_dynamics(values, 2022, config(catalogue), pop).set_index("area_code")
    assert bool(table.loc["11", "too_small"]) and bool(table.loc["11", "small_population"])
    assert "250 Einwohner" in table.loc["11", "too_small_reason"]
    assert table.loc["11", "status_class"] is None and table.loc["11", "dynamics_class"] is None
    assert math.isnan(table.loc["11", "status_index"])
    assert not table.drop(index="11")["too_small"].any()


def test_small_denominator_marks_an_ortsteil_as_too_small(catalogue):
    values, pop = index_data(scale=1)
    cfg = config(catalogue, index={"indicators": [{"id": "sgb2_dichte", "min_denominator": 500}]})
    table = W.status_dynamics(values, 2022, cfg, pop).set_index("area_code")
    assert table.loc[["00", "01", "02"], "too_small"].all()
    assert "Nenner 480" in table.loc["00", "too_small_reason"]
    assert not bool(table.loc["00", "small_population"])
    assert table.loc["00", "status_class"] is None


def test_changing_a_status_threshold_changes_the_class(catalogue):
    values, pop = index_data()
    cfg = config(
        catalogue, status={"thresholds": [-1.0, 1.25, 1.5], "classes": ["hoch", "mittel", "niedrig", "sehr niedrig"]}
    )
    table = W.status_dynamics(values, 2022, cfg, pop).set_index("area_code")
    assert table.loc["10", "status_class"] == "mittel"
    assert table.loc["10", "group"] == "Status mittel / Dynamik negativ"
    assert bool(table.loc["10", "attention"])  # now through 'mittel' + 'negativ'


# -- comparison with the city and flags ------------------------------------------------------


def noisy_data():
    """sgb2_alleinerziehende: a large Ortsteil and a small one, both at 30 %, city 18.5 %."""
    areas = {
        ("00", "Gross"): {2022: (300, 1000)},
        ("01", "Klein"): {2022: (3, 10)},
        ("02", "Mittel"): {2022: (185, 1000)},
    }
    return rates("sgb2_alleinerziehende", areas, {2022: (5651, 30515)})


def test_small_ortsteil_with_a_large_noisy_rate_is_not_significant(catalogue):
    cfg = config(catalogue)
    compared = W.compare_with_city(noisy_data(), 2022, cfg).set_index("area_code")
    assert compared.loc["00", "comparison"] == W.WORSE
    assert compared.loc["01", "comparison"] == W.SIMILAR
    assert compared.loc["02", "comparison"] == W.SIMILAR
    assert compared.loc["01", "lower"] < compared.loc["01", "city_value"] < compared.loc["01", "upper"]
    assert compared.loc["00", "ci_method"] == "wilson"


def test_comparison_takes_the_direction_into_account(catalogue):
    values = noisy_data().assign(indicator="einkommen_persoenlich")
    cfg = config(
        catalogue,
        statistics={"einkommen_persoenlich": {"ci": "wilson", "count": {"dataset": "einkommen", "feature": "x"}}},
    )
    compared = W.compare_with_city(values, 2022, cfg).set_index("area_code")
    assert compared.loc["00", "comparison"] == W.BETTER


def test_values_without_counts_are_not_testable(catalogue):
    values = published("lebenszufriedenheit", {("00", "A"): {2021: 2.9}}, {2021: 2.2})
    compared = W.compare_with_city(values, 2023, config(catalogue))
    assert compared.loc[0, "comparison"] == W.UNTESTABLE
    assert compared.loc[0, "year"] == 2021  # latest year up to the edition


def flag_inputs():
    values, pop = index_data()
    values["sgb2_alleinerziehende"] = noisy_data()
    return values, population({"00": 480, "01": 480, "02": 480, "10": 1000, "11": 250})


def test_flags_name_the_reason_and_skip_noise(catalogue):
    values, pop = flag_inputs()
    cfg = config(catalogue, attention=[], rules=[{"indicator": "sgb2_alleinerziehende", "rule": "worse_than_city"}])
    result = W.flags(values, 2022, cfg, pop)
    assert list(result.columns[:7]) == [
        "area_code",
        "area_name",
        "indicator",
        "rule",
        "reason",
        "year_used",
        "severity",
    ]
    assert list(result["area_code"]) == ["00"]
    reason = result.loc[0, "reason"]
    assert reason.startswith(
        "Alleinerziehende im SGB II 2022 mit 30,0\u00a0% signifikant über dem Stadtwert von 18,5\u00a0%"
    )
    assert "(95-%-KI 27,2–32,9; p < 0,001, q < 0,001)" in reason
    assert result.loc[0, "year_used"] == 2022 and result.loc[0, "target_groups"] == []


def test_changing_a_rule_threshold_in_the_configuration_changes_the_flags(catalogue, tmp_path):
    values, pop = flag_inputs()
    raw = base_config(
        attention=[], rules=[{"indicator": "sgb2_alleinerziehende", "rule": "worse_than_city", "min_difference": 5.0}]
    )
    path = tmp_path / "fruehwarnsystem.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert len(W.flags(values, 2022, W.load_config(path, catalogue), pop)) == 1
    raw["rules"][0]["min_difference"] = 15.0  # 30.0 % is only 11.5 points above the city
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert len(W.flags(values, 2022, W.load_config(path, catalogue), pop)) == 0
    raw["rules"] = [{"indicator": "sgb2_alleinerziehende", "rule": "threshold", "value": 25.0}]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    flagged = W.flags(values, 2022, W.load_config(path, catalogue), pop)
    assert set(flagged["area_code"]) == {"00", "01"}  # without 'significant' the noisy one counts too
    raw["rules"][0]["significant"] = True
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    flagged = W.flags(values, 2022, W.load_config(path, catalogue), pop)
    assert list(flagged["area_code"]) == ["00"]
    assert "signifikant über dem Schwellenwert von 25,0\u00a0%" in flagged.loc[0, "reason"]


def test_worsening_trend_rule_flags_the_large_area_only(catalogue):
    years = range(2018, 2023)
    areas = {
        ("00", "Gross"): {y: (100 + 10 * i, 1000) for i, y in enumerate(years)},
        ("01", "Klein"): {y: (n, 10) for y, n in zip(years, [1, 1, 2, 2, 3])},
    }
    values, pop = index_data()
    values["sgb2_alleinerziehende"] = rates("sgb2_alleinerziehende", areas, {y: (5000, 30000) for y in years})
    cfg = config(
        catalogue,
        attention=[],
        rules=[
            {"indicator": "sgb2_alleinerziehende", "rule": "worsening_trend", "years": 5, "alpha": 0.05, "severity": 3}
        ],
    )
    result = W.flags(values, 2022, cfg, pop)
    assert list(result["area_code"]) == ["00"]
    assert result.loc[0, "severity"] == 3 and result.loc[0, "severity_label"] == "Alarm"
    assert result.loc[0, "reason"].startswith(
        "Alleinerziehende im SGB II: signifikanter Anstieg 2018–2022 von 10,0\u00a0% auf 14,0\u00a0%"
    )
    assert "Cochran-Armitage-Test" in result.loc[0, "reason"]
    # a zigzag around the same rise: the dispersion is named in the reason when it was allowed for
    zigzag = {("00", "Gross"): {y: (n, 10000) for y, n in zip(years, [1000, 1150, 1120, 1300, 1400])}}
    values["sgb2_alleinerziehende"] = rates("sgb2_alleinerziehende", zigzag, {y: (5000, 30000) for y in years})
    reasons = W.flags(values, 2022, cfg, pop)["reason"]  # φ = 2,74: still significant (t, 3 df: p = 0,011)
    assert len(reasons) == 1 and "Dispersionsfaktor φ = 2,74 berücksichtigt" in reasons.iloc[0]
    cfg.rules[0].overdispersion = False
    assert "Dispersionsfaktor" not in W.flags(values, 2022, cfg, pop)["reason"].iloc[0]
    values["sgb2_alleinerziehende"] = rates("sgb2_alleinerziehende", areas, {y: (5000, 30000) for y in years})
    cfg.rules[0].overdispersion = True
    # a minimum change above the observed four points silences it
    cfg.rules[0].min_change = 5.0
    assert W.flags(values, 2022, cfg, pop).empty


def test_survey_trend_uses_mann_kendall(catalogue):
    values, pop = index_data()
    values["lebenszufriedenheit"] = published(
        "lebenszufriedenheit",
        {("00", "A"): dict(zip([2013, 2015, 2017, 2019, 2021], [2.1, 2.2, 2.3, 2.4, 2.5]))},
        {y: 2.2 for y in [2013, 2015, 2017, 2019, 2021]},
    )
    cfg = config(catalogue, attention=[], rules=[{"indicator": "lebenszufriedenheit", "rule": "worsening_trend"}])
    result = W.flags(values, 2022, cfg, pop)
    assert list(result["area_code"]) == ["00"]
    assert "Mann-Kendall-Test" in result.loc[0, "reason"] and "p = 0,017" in result.loc[0, "reason"]


def test_attention_from_the_index_is_a_flag_and_small_areas_are_not_flagged(catalogue):
    values, pop = index_data()
    cfg = config(catalogue, rules=[{"indicator": "sgb2_dichte", "rule": "threshold", "value": 15.0}])
    result = W.flags(values, 2022, cfg, pop)
    assert set(result["area_code"]) == {"10"}  # 'Klein' (250 residents) is above 15 % but too small
    index_flag = result[result["indicator"] == W.INDEX_INDICATOR].iloc[0]
    assert index_flag["rule"] == W.ATTENTION_RULE
    assert "Status niedrig / Dynamik negativ" in index_flag["reason"]


def test_a_later_edition_uses_the_latest_year_and_old_values_expire(catalogue):
    values, pop = flag_inputs()
    cfg = config(catalogue, attention=[], rules=[{"indicator": "sgb2_alleinerziehende", "rule": "worse_than_city"}])
    assert list(W.flags(values, 2024, cfg, pop)["year_used"]) == [2022]
    assert W.flags(values, 2025, cfg, pop).empty  # 3 years old > max_data_age 2
    used = W.years_used(values, 2025, cfg).set_index("indicator")
    assert used.loc["sgb2_alleinerziehende", "year_used"] == 2022
    assert not used.loc["sgb2_alleinerziehende", "used"]
    assert "älter als 2 Jahre" in used.loc["sgb2_alleinerziehende", "note"]
    table = W.status_dynamics(values, 2024, cfg, pop)
    assert table.attrs["years_used"] == {"sgb2_dichte": 2022}
    assert (table.dropna(subset=["status_class"])["sgb2_dichte_year"] == 2022).all()


def test_changes_since_lists_new_and_gone_flags():
    columns = W.FLAG_COLUMNS
    row = dict.fromkeys(columns)
    previous = pd.DataFrame(
        [
            {**row, "area_code": "00", "indicator": "a", "rule": "worse_than_city"},
            {**row, "area_code": "01", "indicator": "a", "rule": "worse_than_city"},
        ]
    )
    current = pd.DataFrame(
        [
            {**row, "area_code": "01", "indicator": "a", "rule": "worse_than_city"},
            {**row, "area_code": "02", "indicator": "a", "rule": "worsening_trend"},
        ]
    )
    changes = W.changes_since(previous, current).set_index("area_code")
    assert changes.loc["02", "change"] == "neu markiert"
    assert changes.loc["00", "change"] == "nicht mehr markiert"
    assert "01" not in changes.index
    assert W.changes_since(current, current).empty
    assert list(W.changes_since(W.rules._empty_flags(), current)["change"]) == ["neu markiert"] * 2


def test_derive_counts_for_a_published_share():
    share = published("arbeitslosenanteil", {("00", "A"): {2022: 5.0}, ("01", "B"): {2022: 4.0}}, {2022: 4.5})
    counts = pd.DataFrame(
        {"area_code": ["00", "01", CITY[0]], "year": [2022] * 3, "value": [50.0, 0.0, 90.0], "status": ["ok"] * 3}
    )
    derived = W.derive_counts(share, counts, 100).set_index("area_code")
    assert derived.loc["00", "numerator"] == 50 and derived.loc["00", "denominator"] == 1000
    assert math.isnan(derived.loc["01", "denominator"])  # no count: no interval
    assert derived.loc["00", "value"] == 5.0


def test_method_text_states_the_configured_numbers(catalogue):
    cfg = config(catalogue, rules=[{"indicator": "sgb2_dichte", "rule": "worsening_trend", "years": 4}])
    text = method_text(cfg)
    for expected in (
        "Wilson",
        "Cochran-Armitage",
        "Mann-Kendall",
        "| niedrig | 1,00 bis unter 1,50 |",
        "| hoch | unter −1,00 |",
        "300 Einwohnerinnen und Einwohnern",
        "über 2 Jahre",
        "letzten 4 Werte",
        "z = 1,960",
    ):
        assert expected in text, expected


def test_the_shipped_configuration_is_valid(catalogue):
    cfg = W.load_config(W.CONFIG_PATH, catalogue)
    assert [i.id for i in cfg.index] == ["arbeitslosenanteil", "sgb2_dichte", "sgb2_kinderquote"]
    assert cfg.ci_method("arbeitslosenanteil") == "wilson"
    assert cfg.ci_method("straftaten_je_1000") == "poisson"
    assert cfg.ci_method("lebenszufriedenheit") == "none"


# -- configuration errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"rules": [{"indicator": "gibtsnicht", "rule": "worse_than_city"}]},
            "test.yml: rules entry 1 (gibtsnicht): field 'indicator': unknown indicator 'gibtsnicht'",
        ),
        (
            {"rules": [{"indicator": "sgb2_dichte", "rule": "schlechter"}]},
            "test.yml: rules entry 1 (sgb2_dichte): field 'rule': unknown rule type 'schlechter'",
        ),
        (
            {"rules": [{"indicator": "kita_migrationsanteil", "rule": "worse_than_city"}]},
            "test.yml: rules entry 1 (kita_migrationsanteil): field 'indicator': 'kita_migrationsanteil' is neutral",
        ),
        (
            {"status": {"thresholds": [-1.0, 1.5, 1.0], "classes": ["a", "b", "c", "d"]}},
            "test.yml: status: field 'thresholds': thresholds must increase",
        ),
        (
            {"dynamics": {"period": 2, "thresholds": [-1.0, 1.0], "classes": ["a", "b"]}},
            "test.yml: dynamics: field 'classes': needs 3 class names",
        ),
        (
            {"index": {"indicators": [{"id": "migrationsanteil"}]}},
            "test.yml: index entry 1 (migrationsanteil): field 'direction'",
        ),
        (
            {"index": {"indicators": [{"id": "sgb2_dichte", "direction": "higher_better"}]}},
            "test.yml: index entry 1 (sgb2_dichte): field 'direction': 'higher_better' contradicts",
        ),
        (
            {"index": {"indicators": [{"id": "gibtsnicht"}]}},
            "test.yml: index entry 1 (gibtsnicht): field 'id': unknown indicator",
        ),
        (
            {"rules": [{"indicator": "sgb2_dichte", "rule": "threshold"}]},
            "test.yml: rules entry 1 (sgb2_dichte): field 'value': missing",
        ),
        (
            {"rules": [{"indicator": "sgb2_dichte", "rule": "worsening_trend", "alpha": "0,05"}]},
            "test.yml: rules entry 1 (sgb2_dichte): field 'alpha'",
        ),
        (
            {"rules": [{"indicator": "sgb2_dichte", "rule": "worse_than_city", "years": 5}]},
            "test.yml: rules entry 1 (sgb2_dichte): field 'years': not a field of rule type 'worse_than_city'",
        ),
        ({"attention": [{"status": ["mies"]}]}, "test.yml: attention entry 1: field 'status': 'mies' is not one of"),
        (
            {"statistics": {"lebenszufriedenheit": {"ci": "wilson"}}},
            "test.yml: statistics entry 'lebenszufriedenheit': field 'ci': 'wilson' needs counts",
        ),
        ({"schwelle": 3}, "test.yml: field 'schwelle': unknown field"),
    ],
)
def test_invalid_configuration_names_file_entry_and_field(catalogue, change, message):
    with pytest.raises(CatalogueError) as error:
        config(catalogue, **change)
    assert message in str(error.value)


def test_invalid_yaml_file_is_reported_with_its_path(catalogue, tmp_path):
    path = tmp_path / "fruehwarnsystem.yml"
    path.write_text("index: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogueError, match="fruehwarnsystem.yml: not valid YAML"):
        W.load_config(path, catalogue)


# -- the real mirror ---------------------------------------------------------------------


@pytest.mark.skipif(
    not os.environ.get("SOZIALBERICHT_DATA"), reason="needs the data mirror: set SOZIALBERICHT_DATA to its folder"
)
def test_index_builds_for_every_year_from_2015_on_the_mirror():
    from sozialbericht.data.inputs import load_inputs_for
    from sozialbericht.settings import Settings

    inputs = load_inputs_for(Settings.resolve())
    cfg = W.load_config()
    values = W.load_values(inputs, cfg)
    last = max(inputs.years("einwohner"))
    assert last >= 2022
    for year in range(2015, last + 1):
        table = W.status_dynamics(values, year, cfg)
        assert len(table) == 63, year
        assert table["area_code"].is_unique
        classed = table[~table["too_small"]]
        assert len(classed) >= 55, year
        assert classed["status_class"].notna().all(), (year, classed[classed["status_class"].isna()])
        assert classed["dynamics_class"].notna().all(), year
        assert table.loc[table["too_small"], "status_class"].isna().all()
        assert classed["status_index"].abs().max() < 6
        found = W.flags(values, year, cfg, status=table)
        assert found["reason"].str.len().gt(20).all()
        assert set(found["area_code"]) <= set(table["area_code"])
    used = W.years_used(values, last, cfg).set_index("indicator")
    assert used.loc["sgb2_dichte", "year_used"] == 2022
