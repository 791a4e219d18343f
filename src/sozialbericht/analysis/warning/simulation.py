"""Simulation test of the early-warning system on synthetic Ortsteile with the real population sizes.

Null: every Ortsteil keeps its real base-year rate and changes exactly as the city does; the counts
are drawn from a beta-binomial distribution with the real denominators and the estimated dispersion
φ of each index indicator. The share of Ortsteile the dynamics classes as unfavourable is then the
false-positive rate. Planted: the same, but in a random share of Ortsteile the rate of every index
indicator rises by a stated amount; the share of those Ortsteile found is the power. The same is done
for every tested city comparison (``worse_than_city``): Ortsteile drawn at the city's rate.
Everything runs from a fixed seed, so a build reproduces its numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialbericht.analysis.warning import stats
from sozialbericht.analysis.warning.config import WarningConfig
from sozialbericht.analysis.warning.index import DynamicsPart, _factor, dynamics_scores
from sozialbericht.analysis.warning.series import _values, year_used
from sozialbericht.data.geography import ORTSTEIL, STADT

REPETITIONS = 400
PLANTED_SHARE = 0.1
PLANTED_CHANGE = 2.0  # percentage points of every index indicator over the dynamics period
SEED = 20240131


def draw_counts(rng: np.random.Generator, trials: np.ndarray, rate: np.ndarray, phi: float) -> np.ndarray:
    """Beta-binomial counts with mean n·p and variance φ·n·p·(1 − p) (binomial when φ ≤ 1)."""
    n = np.maximum(np.round(trials).astype(int), 1)
    p = np.clip(rate, 1e-6, 1 - 1e-6)
    rho = np.where(n > 1, (max(phi, 1.0) - 1) / np.maximum(n - 1, 1), 0.0)
    rho = np.clip(rho, 0.0, 0.999)
    mixed = np.where(
        rho > 0, rng.beta(p * (1 / np.maximum(rho, 1e-12) - 1), (1 - p) * (1 / np.maximum(rho, 1e-12) - 1)), p
    )
    return rng.binomial(n, mixed).astype(float)


def _inputs(status: pd.DataFrame, values_by_indicator: dict, config: WarningConfig):
    classed = status[~status["too_small"]].set_index("area_code")
    period = config.dynamics_period
    parts = []
    for item in config.index:
        values = _values(values_by_indicator, item.id)
        year = status.attrs.get("years_used", {}).get(item.id)
        if year is None:
            continue
        ot = values[values["level"] == ORTSTEIL].set_index(["area_code", "year"])
        now = ot.xs(year, level="year").reindex(classed.index)
        before = ot.xs(year - period, level="year").reindex(classed.index)
        city = values[values["level"] == STADT].set_index("year")["value"]
        factor = _factor(item.id, config)
        parts.append(
            {
                "id": item.id,
                "n_now": now["denominator"].to_numpy(float),
                "n_before": before["denominator"].to_numpy(float),
                "p_before": (before["numerator"] / before["denominator"]).to_numpy(float),
                "city_change": float(city.get(year, np.nan) - city.get(year - period, np.nan)) / factor,
                "factor": factor,
                "sign": -1 if item.direction == "higher_better" else 1,
                "weight": item.weight,
                "phi": status.attrs.get("dynamics", {}).get(item.id, {}).get("phi", 1.0),
            }
        )
    weights = classed["population"].to_numpy(float) if config.weighted else np.ones(len(classed))
    return parts, weights, classed["population"].to_numpy(float)


def _one_run(rng, parts, weights, config: WarningConfig, planted: np.ndarray | None, size: float) -> np.ndarray:
    """Dynamics classes of one synthetic edition."""
    dynamics = []
    for part in parts:
        before = draw_counts(rng, part["n_before"], part["p_before"], part["phi"])
        target = part["p_before"] + part["city_change"]
        if planted is not None:
            target = target + planted * part["sign"] * size / part["factor"]
        now = draw_counts(rng, part["n_now"], target, part["phi"])
        change = (now / part["n_now"] - before / part["n_before"]) * part["factor"]
        variance = stats.change_variance(now, part["n_now"], before, part["n_before"], part["factor"], part["phi"])
        dynamics.append(
            DynamicsPart(
                part["id"],
                change,
                variance,
                part["city_change"] * part["factor"],
                part["sign"],
                part["weight"],
                part["phi"],
            )
        )
    classed = np.ones(len(weights), dtype=bool)
    return np.asarray(dynamics_scores(dynamics, classed, weights, config)["classes"], dtype=object)


def simulate(
    status: pd.DataFrame,
    values_by_indicator: dict,
    config: WarningConfig,
    repetitions: int = REPETITIONS,
    planted_share: float = PLANTED_SHARE,
    planted_change: float = PLANTED_CHANGE,
    seed: int = SEED,
) -> dict:
    """False-positive rate and power of the dynamics, and the null rate of each city comparison rule.

    Returns a dict: repetitions, ortsteile, worst (the unfavourable dynamics class), false_positive_rate
    (mean share of Ortsteile classed worst under the null), any_class_rate (share classed other than
    the middle class), planted_share, planted_change, power (share of planted Ortsteile found),
    power_small / power_large (Ortsteile under / from the median population), rules (list of dicts:
    indicator, rule number, false_positive_rate).
    """
    rng = np.random.default_rng(seed)
    parts, weights, population = _inputs(status, values_by_indicator, config)
    worst = config.dynamics_classes[-1]
    middle = config.dynamics_classes[int(np.searchsorted(config.dynamics_thresholds, 0.0, side="right"))]
    count = len(weights)
    result = {
        "repetitions": repetitions,
        "ortsteile": count,
        "worst": worst,
        "planted_share": planted_share,
        "planted_change": planted_change,
    }
    if not parts or count < 3:
        return result
    null_worst, null_any, found, found_small, found_large = [], [], [], [], []
    small = population < np.nanmedian(population)
    planted_count = max(1, int(round(planted_share * count)))
    for _ in range(repetitions):
        classes = _one_run(rng, parts, weights, config, None, 0.0)
        null_worst.append(np.mean(classes == worst))
        null_any.append(np.mean(classes != middle))
        planted = np.zeros(count)
        chosen = rng.choice(count, planted_count, replace=False)
        planted[chosen] = 1.0
        classes = _one_run(rng, parts, weights, config, planted, planted_change)
        hit = classes == worst
        found.append(hit[chosen].mean())
        found_small.extend(hit[chosen][small[chosen]].tolist())
        found_large.extend(hit[chosen][~small[chosen]].tolist())
    result.update(
        false_positive_rate=float(np.mean(null_worst)),
        any_class_rate=float(np.mean(null_any)),
        power=float(np.mean(found)),
        power_small=float(np.mean(found_small)) if found_small else float("nan"),
        power_large=float(np.mean(found_large)) if found_large else float("nan"),
        rules=_rule_null_rates(rng, values_by_indicator, status, config, repetitions),
    )
    return result


def _rule_null_rates(rng, values_by_indicator, status, config: WarningConfig, repetitions: int) -> list[dict]:
    """Share of Ortsteile flagged by each tested city comparison when every Ortsteil has the city's rate."""
    rates = []
    year = int(status["year"].iloc[0]) if len(status) else None
    for rule in config.rules:
        if rule.type != "worse_than_city" or config.ci_method(rule.indicator) == "none":
            continue
        values = _values(values_by_indicator, rule.indicator)
        used = year_used(values, year) if year is not None else None
        if used is None or year - used > config.max_data_age:
            continue
        rows = values[(values["year"] == used)]
        factor = _factor(rule.indicator, config)
        city = float(rows.loc[rows["level"] == STADT, "value"].iloc[0]) / factor
        n = rows.loc[(rows["level"] == ORTSTEIL), "denominator"].dropna().to_numpy(float)
        n = n[n > 0]
        if not len(n) or not 0 < city < 1:
            continue
        sign = -1 if config.indicator(rule.indicator).direction == "higher_better" else 1
        shares = []
        for _ in range(repetitions):
            x = rng.binomial(np.round(n).astype(int), city).astype(float)
            p = stats.one_sided_p(sign * stats.score_z(x, n, city, "wilson"))
            q = stats.benjamini_hochberg(p)
            shares.append(float(np.mean(q < rule.alpha)))
        rates.append({"indicator": rule.indicator, "rule": rule.number, "false_positive_rate": float(np.mean(shares))})
    return rates
