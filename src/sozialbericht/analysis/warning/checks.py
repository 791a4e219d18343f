"""Rules that cannot fire with the available data, found when the configuration meets the data.

A rule is inactive in a report year when its series ended more than ``max_data_age`` years
before (or never had a value), when it has fewer values than its trend test needs, when its
test cannot reach p < α with the values it has (Mann–Kendall on a few survey waves), or when its
minimum population is above every Ortsteil. ``inactive_rules`` returns one row per such rule with
file, entry and reason; the build logs them and the chapter lists them as inactive.
"""

from __future__ import annotations

import logging

import pandas as pd

from sozialbericht import fmt
from sozialbericht.analysis.warning.config import TREND_METHODS, Rule, WarningConfig
from sozialbericht.analysis.warning.series import _population, _values, year_used
from sozialbericht.analysis.warning.stats import mann_kendall_min_p
from sozialbericht.data.geography import ORTSTEIL

LOG = logging.getLogger(__name__)
INACTIVE_COLUMNS = ["file", "entry", "indicator", "rule", "reason"]


def _reason(rule: Rule, values: pd.DataFrame, year: int, config: WarningConfig, largest: float) -> str | None:
    used = year_used(values, year)
    last = year_used(values, 10_000)
    if used is None:
        return f"kein Wert bis {year}" + (f" (Reihe beginnt {last})" if last else "")
    if year - used > config.max_data_age:
        return (
            f"die Reihe endet {used}, mehr als {config.max_data_age} Jahre vor dem Berichtsjahr {year} "
            "(höchstes zulässiges Alter der Daten)"
        )
    minimum = rule.min_population if rule.min_population is not None else config.min_population
    if largest == largest and minimum > largest:
        return (
            f"Mindesteinwohnerzahl {fmt.number(minimum)} liegt über der Einwohnerzahl jedes Ortsteils "
            f"(größter: {fmt.number(largest)})"
        )
    if rule.type == "worsening_trend":
        ortsteile = values[(values["level"] == ORTSTEIL) & values["value"].notna() & (values["year"] <= used)]
        waves = ortsteile["year"].nunique()
        if waves < rule.years:
            return f"nur {waves} Werte bis {used}; der Trendtest der Regel braucht {rule.years}"
        if TREND_METHODS[config.ci_method(rule.indicator)] == "mann_kendall":
            smallest = mann_kendall_min_p(rule.years)
            if smallest >= rule.alpha:
                return (
                    f"der Mann-Kendall-Test über {rule.years} Werte erreicht höchstens p = "
                    f"{fmt.number(smallest, 3)} und damit nie p < α = {fmt.number(rule.alpha, 3)}"
                )
    return None


def inactive_rules(values_by_indicator: dict, year: int, config: WarningConfig, population=None) -> pd.DataFrame:
    """One row per rule that cannot fire in ``year``: file, entry (number and indicator), rule, reason."""
    pop = _population(population if population is not None else values_by_indicator.get("einwohner"), year)
    largest = float(pop.max()) if len(pop) else float("nan")
    rows = []
    for rule in config.rules:
        reason = _reason(rule, _values(values_by_indicator, rule.indicator), year, config, largest)
        if reason:
            rows.append(
                {
                    "file": config.source,
                    "entry": f"rules entry {rule.number} ({rule.indicator})",
                    "indicator": rule.indicator,
                    "rule": rule.type,
                    "reason": reason,
                }
            )
    return pd.DataFrame(rows, columns=INACTIVE_COLUMNS)


def log_inactive(inactive: pd.DataFrame, year: int) -> None:
    """Report inactive rules on the build's log (file, entry and reason)."""
    for row in inactive.itertuples():
        LOG.warning("%s: %s: Regel %s ist %s inaktiv: %s", row.file, row.entry, row.rule, year, row.reason)
