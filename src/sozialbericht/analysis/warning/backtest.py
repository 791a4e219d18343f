"""Backtest: how the early-warning system would have done in the past, with only the data known then.

For every past year Y the data allow, the index is computed from the values up to Y alone. Its flags
are compared with what happened in the next ``horizon`` years: an Ortsteil *deteriorated* when its
status index rose by at least ``worsening`` (in standard deviations of the Ortsteile) against Y in one
of those years, or when it entered the least favourable status class. The system's flags (dynamics
in the unfavourable class; attention of the index) are compared with a naive rule, the fifth of the
Ortsteile with the least favourable status in Y. The data are today's vintage: later corrections of
the sources cannot be undone (the methods text says so).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sozialbericht.analysis.warning.config import WarningConfig
from sozialbericht.analysis.warning.index import status_dynamics
from sozialbericht.analysis.warning.series import year_used

HORIZON = 3
WORSENING = 0.5
NAIVE_SHARE = 0.2
RULES = ("dynamik", "aufmerksamkeit", "naiv")


def _known_then(values_by_indicator: dict, year: int) -> dict:
    return {k: v[v["year"] <= year] for k, v in values_by_indicator.items()}


def _last_index_year(values_by_indicator: dict, config: WarningConfig) -> int | None:
    years = [year_used(values_by_indicator[i.id], 10_000) for i in config.index]
    return min(years) if years and None not in years else None


def backtest(
    values_by_indicator: dict,
    config: WarningConfig,
    until: int | None = None,
    horizon: int = HORIZON,
    worsening: float = WORSENING,
    naive_share: float = NAIVE_SHARE,
) -> dict:
    """Hit rate and false alarms of the system and of the naive rule, per year and pooled.

    ``until``: the report year (only years Y with Y + horizon ≤ the last index year ≤ until count).
    Returns a dict: years (list), horizon, worsening, naive_share, per_year (DataFrame: year, rule,
    ortsteile, events, flagged, hits, false_alarms), pooled (DataFrame: rule, events, flagged, hits,
    hit_rate, false_alarms, false_alarm_share).
    """
    last = _last_index_year(values_by_indicator, config)
    empty = {
        "years": [],
        "horizon": horizon,
        "worsening": worsening,
        "naive_share": naive_share,
        "per_year": pd.DataFrame(),
        "pooled": pd.DataFrame(),
    }
    if last is None:
        return empty
    if until is not None:
        last = min(last, until)
    first = max(int(values_by_indicator[i.id]["year"].min()) for i in config.index) + config.dynamics_period
    status = {}
    for year in range(first, last + 1):
        table = status_dynamics(_known_then(values_by_indicator, year), year, config).set_index("area_code")
        if table["dynamics_index"].notna().sum() >= 3 and table["status_index"].notna().sum() >= 3:
            status[year] = table
    worst_status = config.status_classes[-1]
    worst_dynamics = config.dynamics_classes[-1]
    rows = []
    for year in sorted(status):
        later = [status.get(year + k) for k in range(1, horizon + 1)]
        if any(t is None for t in later):
            continue
        now = status[year]
        classed = now.index[now["status_index"].notna()]
        event = pd.Series(False, index=classed)
        for table in later:
            after = table["status_index"].reindex(classed)
            rose = (after - now.loc[classed, "status_index"]) >= worsening
            entered = (table["status_class"].reindex(classed) == worst_status) & (
                now.loc[classed, "status_class"] != worst_status
            )
            event |= rose.fillna(False) | entered.fillna(False)
        cut = now.loc[classed, "status_index"].quantile(1 - naive_share)
        flagged = {
            "dynamik": now.loc[classed, "dynamics_class"] == worst_dynamics,
            "aufmerksamkeit": now.loc[classed, "attention"].astype(bool),
            "naiv": now.loc[classed, "status_index"] >= cut,
        }
        for rule, mask in flagged.items():
            hits = int((mask & event).sum())
            rows.append(
                {
                    "year": year,
                    "rule": rule,
                    "ortsteile": len(classed),
                    "events": int(event.sum()),
                    "flagged": int(mask.sum()),
                    "hits": hits,
                    "false_alarms": int(mask.sum()) - hits,
                }
            )
    per_year = pd.DataFrame(rows, columns=["year", "rule", "ortsteile", "events", "flagged", "hits", "false_alarms"])
    if per_year.empty:
        return empty
    pooled = per_year.groupby("rule", sort=False)[["ortsteile", "events", "flagged", "hits", "false_alarms"]].sum()
    pooled["hit_rate"] = pooled["hits"] / pooled["events"].replace(0, np.nan)
    pooled["false_alarm_share"] = pooled["false_alarms"] / pooled["flagged"].replace(0, np.nan)
    return {
        "years": sorted(per_year["year"].unique().tolist()),
        "horizon": horizon,
        "worsening": worsening,
        "naive_share": naive_share,
        "per_year": per_year,
        "pooled": pooled.reset_index(),
    }
