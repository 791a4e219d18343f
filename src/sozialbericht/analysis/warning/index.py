"""Status and dynamics index (Berlin-style), classes and attention groups."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialbericht import fmt, style
from sozialbericht.analysis.warning import stats
from sozialbericht.analysis.warning.config import POPULATION_INDICATOR, AttentionRule, WarningConfig
from sozialbericht.analysis.warning.series import _ortsteile, _population, _usable_year, _values
from sozialbericht.data.geography import ORTSTEIL, STADT


def standardise(values: pd.Series, weights: pd.Series | None = None) -> pd.Series:
    """z = (x - mean) / sd with weighted mean and weighted population SD (ddof 0); NaN stays NaN."""
    x = values.astype(float)
    w = pd.Series(1.0, index=x.index) if weights is None else weights.reindex(x.index).astype(float)
    mask = x.notna() & w.notna() & (w > 0)
    if mask.sum() < 2:
        return pd.Series(np.nan, index=x.index)
    mean = float((x[mask] * w[mask]).sum() / w[mask].sum())
    sd = math.sqrt(float((w[mask] * (x[mask] - mean) ** 2).sum() / w[mask].sum()))
    if not sd > 0:
        return pd.Series(np.nan, index=x.index)
    return ((x - mean) / sd).where(mask)


def classify(index: pd.Series, thresholds: list[float], classes: list[str]) -> pd.Series:
    """Class name per index value; a value on a threshold belongs to the upper class; NaN -> None."""
    values = index.astype(float).to_numpy()
    positions = np.searchsorted(np.asarray(thresholds, dtype=float), values, side="right")
    labels = [classes[p] if not math.isnan(v) else None for p, v in zip(positions, values)]
    return pd.Series(labels, index=index.index, dtype=object)


def _attention(status: str | None, dynamics: str | None, config: WarningConfig) -> AttentionRule | None:
    """The first (most severe) matching attention entry."""
    matches = []
    for entry in config.attention:
        if entry.status is not None and status not in entry.status:
            continue
        if entry.dynamics is not None and dynamics not in entry.dynamics:
            continue
        if entry.status is None and entry.dynamics is None:
            continue
        matches.append(entry)
    return max(matches, key=lambda e: e.severity) if matches else None


def status_dynamics(values_by_indicator: dict, year: int, config: WarningConfig, population=None) -> pd.DataFrame:
    """One row per Ortsteil: status and dynamics index, classes, group, attention.

    ``population``: the einwohner values (DataFrame as compute returns) or a Series
    area_code -> persons; default values_by_indicator['einwohner'].

    ``too_small``: population below ``min_population`` (then ``small_population`` is True, too)
    or an index indicator's denominator below its ``min_denominator`` in the year used or in
    the base year of the dynamics. Such Ortsteile get no index values and no classes.

    Columns: area_code, area_name, sbz_code, year, population, small_population, too_small,
    too_small_reason, per
    index indicator ``<id>_year``, ``<id>_value``, ``<id>_z``, ``<id>_change``, ``<id>_change_se``,
    ``<id>_change_shrunk``; then status_index, status_class, dynamics_index (shrunk, see
    ``dynamics_scores``), dynamics_z, dynamics_p, dynamics_q, dynamics_class, group, attention,
    attention_severity, note. ``attrs['dynamics']``: per indicator scale, τ² and φ.
    """
    if population is None:
        population = values_by_indicator.get(POPULATION_INDICATOR)
    pop = _population(population, year)
    period = config.dynamics_period
    used = {}
    for item in config.index:
        used[item.id] = _usable_year(_values(values_by_indicator, item.id), year, config)
    # the Ortsteile: those with population and those in the index indicators' year
    names = []
    if isinstance(population, pd.DataFrame):
        names.append(_ortsteile(population, None)[["area_name", "sbz_code"]])
    for item in config.index:
        if used[item.id] is not None:
            names.append(_ortsteile(values_by_indicator[item.id], used[item.id])[["area_name", "sbz_code"]])
    base = pd.concat(names) if names else pd.DataFrame(columns=["area_name", "sbz_code"])
    base = base[~base.index.duplicated(keep="last")].sort_index()
    table = pd.DataFrame({"area_name": base["area_name"], "sbz_code": base["sbz_code"]}, index=base.index)
    table.index.name = "area_code"
    table["year"] = int(year)
    table["population"] = pop.reindex(table.index)
    reasons = {code: [] for code in table.index}
    for code, persons in table["population"].items():
        if pd.isna(persons):
            reasons[code].append("Einwohnerzahl fehlt")
        elif persons < config.min_population:
            reasons[code].append(
                f"{fmt.number(persons)} {style.persons('Einwohner')} (Mindestzahl {fmt.number(config.min_population)})"
            )
    table["small_population"] = [bool(reasons[c]) for c in table.index]

    frames = {}
    for item in config.index:
        y = used[item.id]
        values = values_by_indicator[item.id]
        ot = values[values["level"] == ORTSTEIL]
        now = ot[ot["year"] == y].set_index("area_code") if y is not None else ot.iloc[0:0].set_index("area_code")
        before = ot[ot["year"] == y - period].set_index("area_code") if y is not None else now.iloc[0:0]
        frames[item.id] = (now.reindex(table.index), before.reindex(table.index))
        if item.min_denominator is not None and y is not None:
            # the rate must be stable in the year used and in the base year of the dynamics
            for frame, when in ((frames[item.id][0], y), (frames[item.id][1], y - period)):
                for code, count in frame["denominator"].items():
                    if pd.notna(count) and count < item.min_denominator:
                        reasons[code].append(
                            f"{config.indicator(item.id).short} {when}: Nenner {fmt.number(count)} "
                            f"(Mindestzahl {fmt.number(item.min_denominator)})"
                        )
    table["too_small"] = [bool(reasons[c]) for c in table.index]
    table["too_small_reason"] = ["; ".join(reasons[c]) for c in table.index]
    classed = ~table["too_small"]
    weights = (
        table["population"].where(classed) if config.weighted else pd.Series(1.0, index=table.index).where(classed)
    )

    status_parts, dynamics_parts, notes = [], [], {c: [] for c in table.index}
    scales = {}
    for item in config.index:
        y = used[item.id]
        now, before = frames[item.id]
        sign = -1 if item.direction == "higher_better" else 1
        table[f"{item.id}_year"] = y
        table[f"{item.id}_value"] = now["value"]
        z = standardise(now["value"].where(classed), weights) * sign
        table[f"{item.id}_z"] = z
        change = now["value"] - before["value"]
        table[f"{item.id}_change"] = change
        if y is None:
            for code in table.index:
                notes[code].append(f"{config.indicator(item.id).short}: kein aktueller Wert")
            continue
        status_parts.append((item.weight, z))
        values = values_by_indicator[item.id]
        city = values[(values["level"] == STADT)].set_index("year")["value"]
        city_change = float(city.get(y, np.nan) - city.get(y - period, np.nan))
        phi = _dispersion_of(values, y, classed, config)
        variance = stats.change_variance(
            now["numerator"],
            now["denominator"],
            before["numerator"],
            before["denominator"],
            _factor(item.id, config),
            phi,
        )
        table[f"{item.id}_change_se"] = np.sqrt(variance)
        dynamics_parts.append(
            DynamicsPart(item.id, change.to_numpy(float), variance, city_change, sign, item.weight, phi)
        )
        for code in table.index[classed & now["value"].isna()]:
            notes[code].append(f"{config.indicator(item.id).short} {y}: kein Wert")
        for code in table.index[classed & now["value"].notna() & before["value"].isna()]:
            notes[code].append(f"{config.indicator(item.id).short} {y - period}: kein Wert (keine Dynamik)")

    if status_parts:
        total = sum(w for w, _ in status_parts)
        summed = sum(w * s for w, s in status_parts) / total  # NaN if any part is NaN
        table["status_index"] = standardise(summed.where(classed), weights)
    else:
        table["status_index"] = np.nan
    table["status_class"] = classify(table["status_index"], config.status_thresholds, config.status_classes)
    scores = dynamics_scores(dynamics_parts, classed.to_numpy(), weights.to_numpy(float), config)
    for part in dynamics_parts:
        table[f"{part.id}_change_shrunk"] = scores["shrunk"][part.id]
        scales[part.id] = {"scale": scores["scale"][part.id], "tau2": scores["tau2"][part.id], "phi": part.phi}
    table["dynamics_index"] = scores["index"]
    table["dynamics_z"] = scores["z"]
    table["dynamics_p"] = scores["p"]
    table["dynamics_q"] = scores["q"]
    table["dynamics_class"] = pd.Series(
        [c if isinstance(c, str) else None for c in scores["classes"]], index=table.index, dtype=object
    )
    groups, attention, severity = [], [], []
    for _code, row in table.iterrows():
        status, dyn = row["status_class"], row["dynamics_class"]
        if status is None:
            groups.append(None)
        else:
            groups.append(f"Status {status} / Dynamik {dyn}" if dyn is not None else f"Status {status}")
        match = _attention(status, dyn, config) if status is not None else None
        attention.append(match is not None)
        severity.append(match.severity if match else None)
    table["group"] = groups
    table["attention"] = attention
    table["attention_severity"] = pd.array(severity, dtype="Int64")
    table["note"] = ["; ".join(notes[c]) for c in table.index]
    result = table.reset_index()
    result.attrs["years_used"] = dict(used)
    result.attrs["dynamics"] = scales
    return result


# -- flags -------------------------------------------------------------------------------


@dataclass
class DynamicsPart:
    """One index indicator's changes over the dynamics period, for every Ortsteil (table order)."""

    id: str
    change: np.ndarray  # Δ_i in the indicator's unit
    variance: np.ndarray  # sampling variance of Δ_i (binomial × φ)
    city_change: float
    sign: int  # +1: higher is worse
    weight: float
    phi: float = 1.0


def dynamics_scores(parts: list[DynamicsPart], classed: np.ndarray, weights: np.ndarray, config) -> dict:
    """Dynamics index, test and class per Ortsteil from the index indicators' changes.

    Per indicator k the deviation from the city's change d_ik = Δ_ik − Δ_k(Stadt) is shrunk by
    empirical Bayes (``stats.shrinkage``) and expressed in units s_k, the (weighted) root mean square
    of d_ik over the classed Ortsteile. The dynamics index is the weighted mean of the shrunk,
    direction-signed d_ik / s_k: an Ortsteil whose change is within its noise stays near 0.
    Test: z_ik = d_ik / √v_ik, two-sided normal p, Benjamini–Hochberg across the classed Ortsteile
    per indicator, Bonferroni across the K indicators (q_i = min_k K·q_ik). A class other than the
    middle one needs the index beyond its threshold and, in the same direction, an indicator with
    K·q_ik < α (``dynamics.alpha``).
    """
    size = len(classed)
    middle = config.dynamics_classes[int(np.searchsorted(config.dynamics_thresholds, 0.0, side="right"))]
    result = {
        "index": np.full(size, np.nan),
        "z": np.full(size, np.nan),
        "p": np.full(size, np.nan),
        "q": np.full(size, np.nan),
        "classes": [None] * size,
        "shrunk": {},
        "scale": {},
        "tau2": {},
    }
    if not parts:
        return result
    total = sum(p.weight for p in parts)
    index = np.zeros(size)
    w = np.where(classed & np.isfinite(weights), weights, 0.0)
    tests = []  # (signed z, Bonferroni-BH q) per indicator
    for part in parts:
        d = np.where(classed, part.change - part.city_change, np.nan)
        ok = np.isfinite(d) & (w > 0)
        scale = math.sqrt(float((w[ok] * d[ok] ** 2).sum() / w[ok].sum())) if ok.any() else math.nan
        variance = np.where(classed, part.variance, np.nan)
        shrunk, tau2 = stats.shrinkage(d, variance)
        result["shrunk"][part.id] = shrunk + part.city_change
        result["scale"][part.id], result["tau2"][part.id] = scale, tau2
        if not scale > 0:
            return result
        index += part.weight * part.sign * shrunk / scale
        with np.errstate(divide="ignore", invalid="ignore"):
            z = part.sign * d / np.sqrt(variance)
        q = np.minimum(1.0, len(parts) * stats.benjamini_hochberg(stats.two_sided_p(z)))
        tests.append((z, q))
    index = index / total
    zs = np.vstack([z for z, _ in tests])
    qs = np.vstack([q for _, q in tests])
    labels = classify(pd.Series(index), config.dynamics_thresholds, config.dynamics_classes).tolist()
    best_q = np.full(size, np.nan)
    best_z = np.full(size, np.nan)
    for i, label in enumerate(labels):
        if label is None:
            continue
        # the most significant indicator whose change points the way the index does
        same_way = np.sign(zs[:, i]) == np.sign(index[i])
        if same_way.any() and np.isfinite(qs[same_way, i]).any():
            k = np.flatnonzero(same_way)[np.nanargmin(qs[same_way, i])]
            best_q[i], best_z[i] = qs[k, i], zs[k, i]
        if label != middle and not best_q[i] < config.dynamics_alpha:
            labels[i] = middle
    result.update(index=index, z=best_z, p=stats.two_sided_p(best_z), q=best_q, classes=labels)
    return result


def _factor(indicator_id: str, config: WarningConfig) -> float:
    stats_entry = config.statistics.get(indicator_id)
    if stats_entry is not None and stats_entry.count is not None:
        return stats_entry.scale
    return config.indicator(indicator_id).factor


def _dispersion_of(values: pd.DataFrame, year: int, classed: pd.Series, config: WarningConfig) -> float:
    """Pooled dispersion φ of an index indicator's counts over the last years up to ``year``."""
    window = max(6, config.dynamics_period + 3)
    rows = values[
        (values["level"] == ORTSTEIL)
        & values["area_code"].isin(classed.index[classed])
        & values["year"].between(year - window + 1, year)
        & values["numerator"].notna()
        & (values["denominator"] > 0)
    ]
    proportion = _factor(str(values["indicator"].iloc[0]), config) == 100 if len(values) else True
    series = [
        (g["year"].to_numpy(float), g["numerator"].to_numpy(float), g["denominator"].to_numpy(float))
        for _, g in rows.groupby("area_code")
    ]
    return stats.pooled_dispersion(series, proportion)
