"""Rules that flag Ortsteile, the flags table, changes against the previous edition."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozialbericht import fmt
from sozialbericht.analysis.indicators import Indicator
from sozialbericht.analysis.warning import stats
from sozialbericht.analysis.warning.config import (
    ATTENTION_RULE,
    DIRECTIONAL,
    FLAG_COLUMNS,
    INDEX_INDICATOR,
    SEVERITY,
    TREND_METHODS,
    TREND_NAMES,
    WarningConfig,
)
from sozialbericht.analysis.warning.index import status_dynamics
from sozialbericht.analysis.warning.series import _usable_year, _values, year_used
from sozialbericht.analysis.warning.stats import (
    BETTER,
    FALLING,
    RISING,
    SIMILAR,
    UNTESTABLE,
    WORSE,
    rate_interval,
    trend_test,
)
from sozialbericht.data.geography import ORTSTEIL, STADT


def _sign(direction: str) -> int:
    return -1 if direction == "higher_better" else 1


def _factor(indicator: Indicator, config: WarningConfig) -> float:
    stats = config.statistics.get(indicator.id)
    if stats is not None and stats.count is not None:
        return stats.scale
    return indicator.factor


def compare_with_city(
    values: pd.DataFrame, year: int, config: WarningConfig, confidence: float | None = None
) -> pd.DataFrame:
    """Each Ortsteil's value and interval against the city value, direction taken into account.

    Like Fingertips, the city value is the fixed benchmark: 'signifikant schlechter' when the
    whole interval lies on the unfavourable side of it, 'signifikant besser' on the favourable
    side, 'ähnlich' when it includes it, 'nicht prüfbar' without an interval (no counts,
    survey values) or without a value. Uses the latest year up to ``year`` (column year).

    Columns: area_code, area_name, indicator, year, value, lower, upper, city_value, numerator,
    denominator, ci_method, comparison.
    """
    columns = [
        "area_code",
        "area_name",
        "indicator",
        "year",
        "value",
        "lower",
        "upper",
        "city_value",
        "numerator",
        "denominator",
        "ci_method",
        "comparison",
    ]
    ident = str(values["indicator"].iloc[0]) if len(values) else None
    used = year_used(values, year) if ident else None
    if used is None:
        return pd.DataFrame(columns=columns)
    indicator = config.indicator(ident)
    method = config.ci_method(ident)
    level = confidence or config.confidence
    rows = values[(values["year"] == used)]
    city_value = float(rows.loc[rows["level"] == STADT, "value"].iloc[0])
    frame = rows[rows["level"] == ORTSTEIL].copy()
    lower, upper = rate_interval(frame["numerator"], frame["denominator"], _factor(indicator, config), method, level)
    frame["lower"], frame["upper"] = lower, upper
    frame["city_value"] = city_value
    frame["ci_method"] = method
    testable = frame["value"].notna() & frame["lower"].notna() & frame["upper"].notna()
    above = frame["lower"] > city_value
    below = frame["upper"] < city_value
    if indicator.direction not in DIRECTIONAL:
        worse, better = above, below  # neutral: 'schlechter' reads as 'higher'
    else:
        worse, better = (above, below) if indicator.direction == "higher_worse" else (below, above)
    frame["comparison"] = np.select([~testable, worse, better], [UNTESTABLE, WORSE, BETTER], SIMILAR)
    frame["year"] = used
    return frame[columns].sort_values("area_code").reset_index(drop=True)


def _is_percent(indicator: Indicator) -> bool:
    return indicator.unit.strip().startswith("%")


def _unit(indicator: Indicator) -> str:
    unit = indicator.unit.strip()
    return "" if ("(" in unit or len(unit) > 40) else unit


def format_value(indicator: Indicator, value: float) -> str:
    """'21,3 %' or '106,5 Straftaten je 1.000 Einwohner' (German number format)."""
    if _is_percent(indicator):
        return fmt.percent(value, indicator.decimals)
    unit = _unit(indicator)
    return fmt.number(value, indicator.decimals) + (f" {unit}" if unit else "")


def format_change(indicator: Indicator, value: float, decimals: int | None = None, unit: bool = True) -> str:
    """'+0,5 Prozentpunkte' or '+3,2 Straftaten je 1.000 Einwohner' (without unit: '+3,2')."""
    decimals = indicator.decimals if decimals is None else decimals
    text = fmt.signed(value, decimals)
    if _is_percent(indicator):
        return f"{text} Prozentpunkte"
    name = _unit(indicator) if unit else ""
    return text + (f" {name}" if name else "")


def from_to(indicator: Indicator, first: float, last: float) -> str:
    """'von 4,0 % auf 4,7 %' or 'von 662,5 auf 792,0 Straftaten je 1.000 Einwohner'."""
    if _is_percent(indicator):
        return f"von {format_value(indicator, first)} auf {format_value(indicator, last)}"
    return f"von {fmt.number(first, indicator.decimals)} auf {format_value(indicator, last)}"


def _interval_label(confidence: float) -> str:
    percent = confidence * 100
    return f"{fmt.number(percent, 0 if abs(percent - round(percent)) < 1e-9 else 1)}-%-KI"


def _num(value: float, decimals: int = 2) -> str:
    return fmt.number(value, decimals).replace("-", "−")


def _format_p(p: float) -> str:
    return "p < 0,001" if p < 0.001 else f"p = {fmt.number(p, 3)}"


def _empty_flags() -> pd.DataFrame:
    return pd.DataFrame(columns=FLAG_COLUMNS)


def _interval_flag(row, indicator, rule, reason: str, p_value: float) -> dict:
    """A flag from a row with the Ortsteil's value, its interval, the city value and a p-value."""
    return _flag(
        row._asdict(),
        indicator.id,
        rule.type,
        reason,
        int(row.year),
        rule.severity,
        value=row.value,
        lower=row.lower,
        upper=row.upper,
        city_value=row.city_value,
        p_value=float(p_value),
    )


def _flag(row, indicator: str, rule: str, reason: str, year: int | None, severity: int, **numbers) -> dict:
    record = {
        "area_code": row["area_code"],
        "area_name": row["area_name"],
        "indicator": indicator,
        "rule": rule,
        "reason": reason,
        "year_used": year,
        "severity": severity,
        "severity_label": SEVERITY[severity],
        "value": math.nan,
        "lower": math.nan,
        "upper": math.nan,
        "city_value": math.nan,
        "p_value": math.nan,
        "q_value": math.nan,
        "special_effect": "",
        "target_groups": [],
    }
    record.update(numbers)
    return record


def _fdr(records: list[dict], p_values: list[float], alpha: float) -> list[dict]:
    """Keep the records whose Benjamini–Hochberg q over all tested Ortsteile of a rule is below α."""
    q = stats.benjamini_hochberg(p_values)
    kept = []
    for record, q_value in zip(records, q):
        if record is not None and q_value < alpha:
            record["q_value"] = float(q_value)
            record["reason"] += f"; {_format_p(record['p_value'])}, {_format_p(q_value).replace('p', 'q', 1)})"
            kept.append(record)
    return kept


def _eligible(frame: pd.DataFrame, rule, config, population: pd.Series) -> pd.Series:
    """Ortsteile at or above the rule's minimum population (global minimum by default)."""
    minimum = rule.min_population if rule.min_population is not None else config.min_population
    return frame["area_code"].map(population).fillna(0) >= minimum


def _compared(values, year, config, rule, population) -> tuple[float, pd.DataFrame]:
    """The rule's confidence level, and the eligible Ortsteile with their intervals against the city."""
    level = rule.confidence or config.confidence
    compared = compare_with_city(values, year, config, confidence=level)
    return level, compared[_eligible(compared, rule, config, population)].reset_index(drop=True)


def _rule_worse_than_city(values, year, config, rule, indicator, population) -> list[dict]:
    level, compared = _compared(values, year, config, rule, population)
    if compared.empty:
        return []
    method = config.ci_method(indicator.id)
    factor = _factor(indicator, config)
    sign = _sign(indicator.direction)
    z = stats.score_z(compared["numerator"], compared["denominator"], compared["city_value"].iloc[0] / factor, method)
    p = stats.one_sided_p(sign * z)  # one-sided: only the unfavourable side is a warning
    side = "über" if indicator.direction == "higher_worse" else "unter"
    records = []
    for row, p_value in zip(compared.itertuples(), p):
        worse = row.comparison == WORSE and abs(row.value - row.city_value) >= rule.min_difference
        if not worse:
            records.append(None)
            continue
        reason = (
            f"{indicator.short} {row.year} mit {format_value(indicator, row.value)} signifikant {side} "
            f"dem Stadtwert von {format_value(indicator, row.city_value)} ({_interval_label(level)} "
            f"{fmt.number(row.lower, indicator.decimals)}–{fmt.number(row.upper, indicator.decimals)}"
        )
        record = _interval_flag(row, indicator, rule, reason, p_value)
        records.append(record)
    return _fdr(records, list(p), rule.alpha)


def _rule_threshold(values, year, config, rule, indicator, population) -> list[dict]:
    level, compared = _compared(values, year, config, rule, population)
    if compared.empty:
        return []
    higher_worse = indicator.direction == "higher_worse"
    side = "über" if higher_worse else "unter"
    beyond = (compared["value"] > rule.value if higher_worse else compared["value"] < rule.value).fillna(False)
    p = [math.nan] * len(compared)
    if rule.significant:
        z = stats.score_z(
            compared["numerator"],
            compared["denominator"],
            rule.value / _factor(indicator, config),
            config.ci_method(indicator.id),
        )
        p = list(stats.one_sided_p(_sign(indicator.direction) * z))
    records = []
    for row, p_value, over in zip(compared.itertuples(), p, beyond):
        if not over:
            records.append(None)
            continue
        reason = f"{indicator.short} {row.year} mit {format_value(indicator, row.value)} "
        if rule.significant:
            reason += (
                f"signifikant {side} dem Schwellenwert von {format_value(indicator, rule.value)} "
                f"({_interval_label(level)} {fmt.number(row.lower, indicator.decimals)}–"
                f"{fmt.number(row.upper, indicator.decimals)}"
            )
        else:
            reason += f"{side} dem Schwellenwert von {format_value(indicator, rule.value)}"
        records.append(_interval_flag(row, indicator, rule, reason, p_value))
    if not rule.significant:
        return [r for r in records if r is not None]
    return _fdr(records, p, rule.alpha)


def _rule_trend(values, year, config, rule, indicator, population) -> list[dict]:
    used = year_used(values, year)
    method = TREND_METHODS[config.ci_method(indicator.id)]
    ot = values[(values["level"] == ORTSTEIL) & (values["year"] <= used)]
    ot = ot[_eligible(ot, rule, config, population)]
    bad = RISING if indicator.direction == "higher_worse" else FALLING
    noun = "Anstieg" if bad == RISING else "Rückgang"
    records, p_values = [], []
    for _code, rows in ot.groupby("area_code", sort=True):
        result = trend_test(
            rows[["year", "value", "numerator", "denominator"]], rule.years, method, overdispersion=rule.overdispersion
        )
        if result["n"] < rule.years or result["last_year"] != used or math.isnan(result["p_value"]):
            continue
        # every tested Ortsteil counts for the false discovery rate, flagged or not
        p_values.append(result["p_value"])
        change = result["last_value"] - result["first_value"]
        worse = result["direction"] == bad and abs(change) >= rule.min_change and (change > 0) == (bad == RISING)
        if not worse:
            records.append(None)
            continue
        reason = (
            f"{indicator.short}: signifikanter {noun} {result['first_year']}–{result['last_year']} "
            f"{from_to(indicator, result['first_value'], result['last_value'])} "
            f"(Trend {format_change(indicator, result['slope'], indicator.decimals + 1, unit=False)} je Jahr; "
            f"{TREND_NAMES[result['method']]} über {result['n']} Werte"
            + (
                f", Dispersionsfaktor φ = {_num(result['dispersion'])} berücksichtigt"
                if rule.overdispersion and result["dispersion"] > 1
                else ""
            )
        )
        row = rows.iloc[-1]
        records.append(
            _flag(
                row,
                indicator.id,
                rule.type,
                reason,
                result["last_year"],
                rule.severity,
                value=result["last_value"],
                p_value=result["p_value"],
                first_year=result["first_year"],
            )
        )
    return _fdr(records, p_values, rule.alpha)


RULES = {"worse_than_city": _rule_worse_than_city, "worsening_trend": _rule_trend, "threshold": _rule_threshold}


def attention_reason(row, config: WarningConfig) -> str:
    """'Status sehr niedrig / Dynamik stabil (Statusindex 1,8; Dynamikindex 0,4; Werte 2022)'."""
    years = sorted({int(row[f"{i.id}_year"]) for i in config.index if pd.notna(row.get(f"{i.id}_year"))})
    year_text = f"; Werte {fmt.join_names([str(y) for y in years])}" if years else ""
    return (
        f"Gruppe „{row['group']}“ (Statusindex {_num(row['status_index'])}; "
        f"Dynamikindex {_num(row['dynamics_index'])}{year_text})"
    )


def _special_effects(frame: pd.DataFrame, config: WarningConfig, effects, period: int) -> list[str]:
    """The known special effects (titles, '; '-joined) in each flag's indicator and years."""
    if effects is None:
        return [""] * len(frame)
    index_ids = [i.id for i in config.index]
    texts = []
    for row in frame.itertuples():
        year = int(row.year_used) if pd.notna(row.year_used) else None
        found = []
        if year is not None:
            if row.indicator == INDEX_INDICATOR:
                # the status is the level of the year used; a negative dynamics spans the period
                found = [e for i in index_ids for e in effects.for_indicator(i, year)]
                if pd.notna(row.p_value):
                    found += [e for i in index_ids for e in effects.in_window(i, year - period, year)]
            elif row.rule == "worsening_trend" and pd.notna(getattr(row, "first_year", None)):
                found = effects.in_window(row.indicator, int(row.first_year), year)
            else:
                found = effects.for_indicator(row.indicator, year)
        texts.append("; ".join(dict.fromkeys(e.title for e in found)))
    return texts


def flags(
    values_by_indicator: dict,
    year: int,
    config: WarningConfig,
    population=None,
    status: pd.DataFrame | None = None,
    effects=None,
) -> pd.DataFrame:
    """Ortsteile needing attention: one row per rule that fires (and per index attention).

    Ortsteile below the minimum population are not flagged (like Hamburg). Ortsteile that are
    only too small for a stable index rate keep their rule flags: the tests already account for
    small counts. Every tested rule controls the false discovery rate across the Ortsteile it
    tests (Benjamini–Hochberg, q < the rule's α). A rule whose indicator has no value within
    ``max_data_age`` years of ``year`` is skipped (``checks.inactive_rules`` says why).
    ``status``: a precomputed ``status_dynamics`` table; ``effects``: the known special effects
    (``analysis.special_effects``), named in the column special_effect.

    Columns: FLAG_COLUMNS (area_code, area_name, indicator, rule, reason, year_used, severity 1–3,
    severity_label, value, lower, upper, city_value, p_value, q_value, special_effect,
    target_groups). Sorted by severity (highest first), area_code, rule order.
    """
    if status is None:
        status = status_dynamics(values_by_indicator, year, config, population)
    small = set(status.loc[status["small_population"], "area_code"])
    persons = status.set_index("area_code")["population"]
    records = []
    for _, row in status[status["attention"]].iterrows():
        years = [row[f"{i.id}_year"] for i in config.index if pd.notna(row.get(f"{i.id}_year"))]
        records.append(
            _flag(
                row,
                INDEX_INDICATOR,
                ATTENTION_RULE,
                attention_reason(row, config),
                int(max(years)) if years else None,
                int(row["attention_severity"]),
                value=row["status_index"],
                # a test stands behind an attention flag only where the dynamics is unfavourable
                p_value=row["dynamics_p"] if row["dynamics_class"] == config.dynamics_classes[-1] else math.nan,
                q_value=row["dynamics_q"] if row["dynamics_class"] == config.dynamics_classes[-1] else math.nan,
            )
        )
    for rule in config.rules:
        values = _values(values_by_indicator, rule.indicator)
        if _usable_year(values, year, config) is None:
            continue
        for record in RULES[rule.type](values, year, config, rule, config.indicator(rule.indicator), persons):
            record["_order"] = rule.number
            records.append(record)
    if not records:
        return _empty_flags()
    frame = pd.DataFrame(records)
    frame = frame[~frame["area_code"].isin(small)]
    frame["special_effect"] = _special_effects(frame, config, effects, config.dynamics_period)
    marked = frame["special_effect"] != ""
    frame.loc[marked, "reason"] = (
        frame.loc[marked, "reason"] + " – Sondereffekt: " + frame.loc[marked, "special_effect"]
    )
    frame["_order"] = frame.get("_order", pd.Series(0, index=frame.index)).fillna(0)
    frame = frame.sort_values(["severity", "area_code", "_order"], ascending=[False, True, True])
    return frame[FLAG_COLUMNS].reset_index(drop=True)


def changes_since(
    previous_flags: pd.DataFrame, current_flags: pd.DataFrame, on: tuple[str, ...] = ("area_code", "indicator", "rule")
) -> pd.DataFrame:
    """Flags that are new or gone between two editions, matched on ``on``.

    Returns the flag columns plus ``change``: 'neu markiert' (rows of current_flags) or
    'nicht mehr markiert' (rows of previous_flags). With on=('area_code',) it compares
    Ortsteile flagged at all.
    """
    keys = list(on)

    def keyset(frame):
        return set(map(tuple, frame[keys].astype(str).itertuples(index=False))) if len(frame) else set()

    previous_keys, current_keys = keyset(previous_flags), keyset(current_flags)

    def select(frame, other_keys, label):
        if not len(frame):
            return frame.iloc[0:0].assign(change=pd.Series(dtype=object))
        mask = [tuple(k) not in other_keys for k in frame[keys].astype(str).itertuples(index=False)]
        rows = frame[mask]
        if on == ("area_code",):
            rows = rows.drop_duplicates("area_code")
        return rows.assign(change=label)

    new = select(current_flags, previous_keys, "neu markiert")
    gone = select(previous_flags, current_keys, "nicht mehr markiert")
    parts = [p for p in (new, gone) if len(p)]
    columns = list(current_flags.columns if len(current_flags.columns) else previous_flags.columns) + ["change"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


@dataclass
class Result:
    year: int
    status: pd.DataFrame
    flags: pd.DataFrame
    previous_flags: pd.DataFrame
    changes: pd.DataFrame
    years_used: pd.DataFrame
    inactive: pd.DataFrame = field(default_factory=pd.DataFrame)
    correlations: pd.DataFrame = field(default_factory=pd.DataFrame)
    simulation: dict = field(default_factory=dict)
    backtest: dict = field(default_factory=dict)


def index_correlations(status: pd.DataFrame, config: WarningConfig) -> pd.DataFrame:
    """Spearman correlations between the index indicators over the classed Ortsteile (year used)."""
    classed = status[~status["too_small"]]
    columns = {i.id: classed[f"{i.id}_value"] for i in config.index if f"{i.id}_value" in classed}
    return pd.DataFrame(columns).astype(float).corr(method="spearman")
