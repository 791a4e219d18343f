"""Residential segregation across the Ortsteile: the index of dissimilarity (Duncan and Duncan 1955).

D = ½ · Σ_i |a_i / A − b_i / B| over the Ortsteile i, where a_i is the group in Ortsteil i (e.g. foreign
residents), b_i the rest of the population there, and A, B the sums over the Ortsteile used. D is the share of
the group (or of the rest) that would have to move to another Ortsteil for both to be spread alike: 0 = the
same distribution everywhere, 1 = complete separation. Only Ortsteile with both counts in a year enter; the
number used is returned with the index so that a year with gaps is visible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialbericht.data.geography import ORTSTEIL


@dataclass(frozen=True)
class Comparison:
    id: str
    group: str  # German, for the report: who is compared ...
    rest: str  # ... with whom (dative, with article)
    dataset: str
    feature: str
    total: str  # "einwohner" (Einwohner insgesamt) or "kinder" (children under 15, derived)
    indicator: str  # the catalogue indicator of the same count: its known special effects apply
    pair: str  # both groups in a few words (nominative): the chart's legend


COMPARISONS = (
    Comparison(
        "auslaender",
        "Ausländer/-innen",
        "den Deutschen",
        "einwohner",
        "Ausländer",
        "einwohner",
        "auslaenderanteil",
        "Ausländer/-innen – Deutsche",
    ),
    Comparison(
        "sgb2",
        "Personen in SGB-II-Bedarfsgemeinschaften",
        "der übrigen Bevölkerung",
        "sgb2",
        "Personen in Bedarfsgemeinschaften",
        "einwohner",
        "sgb2_dichte",
        "Personen in SGB-II-Bedarfsgemeinschaften – übrige Bevölkerung",
    ),
    Comparison(
        "sgb2_kinder",
        "Kinder unter 15 Jahren in Bedarfsgemeinschaften",
        "den übrigen Kindern unter 15 Jahren",
        "sgb2",
        "unter 15 Jahre",
        "kinder",
        "sgb2_kinder",
        "Kinder unter 15 in Bedarfsgemeinschaften – übrige Kinder",
    ),
)


def dissimilarity(group, total) -> float:
    """Duncan's index of group vs. (total − group) over areas; NaN when either side is empty."""
    a = np.asarray(group, dtype=float)
    t = np.asarray(total, dtype=float)
    if a.shape != t.shape:
        raise ValueError("group and total need one value per area")
    if (a < 0).any() or (a > t + 1e-9).any():
        raise ValueError("each area's group count must lie between 0 and its total")
    b = t - a
    if a.sum() <= 0 or b.sum() <= 0:
        return float("nan")
    return float(0.5 * np.abs(a / a.sum() - b / b.sum()).sum())


def children_under_15(population: pd.Series, youth_ratio: pd.Series, old_age_ratio: pd.Series) -> pd.Series:
    """Children under 15 from Einwohner, Jugendquote and Altenquote (both per 100 persons aged 15 to under 65).

    With K children, E persons aged 15–64 and S aged 65+: JQ = 100·K/E, AQ = 100·S/E, so
    Einwohner = K + E + S = E·(100 + JQ + AQ)/100 and K = Einwohner · JQ / (100 + JQ + AQ).
    """
    return population * youth_ratio / (100 + youth_ratio + old_age_ratio)


def _ortsteil_series(inputs, dataset: str, feature: str, name: str) -> pd.DataFrame:
    rows = inputs.series(dataset, feature)
    rows = rows[(rows["level"] == ORTSTEIL) & rows["status"].isin({"ok", "nothing"})]
    return rows[["area_code", "year", "value"]].rename(columns={"value": name})


def totals(inputs, kind: str) -> pd.DataFrame:
    """Per Ortsteil and year: Einwohner insgesamt, or children under 15 derived as in ``children_under_15``."""
    population = _ortsteil_series(inputs, "einwohner", "Einwohner insgesamt", "total")
    if kind == "einwohner":
        return population
    quotas = _ortsteil_series(inputs, "alter", "Jugendquote", "jq").merge(
        _ortsteil_series(inputs, "alter", "Altenquote", "aq"), on=["area_code", "year"]
    )
    merged = population.merge(quotas, on=["area_code", "year"])
    merged["total"] = children_under_15(merged["total"], merged["jq"], merged["aq"])
    return merged[["area_code", "year", "total"]]


def index_by_year(inputs, comparisons=COMPARISONS) -> pd.DataFrame:
    """Columns: comparison, group, rest, year, index (0–1), areas (Ortsteile used), group_count.

    A comparison whose features are not in the inputs is left out (the report says so).
    """
    rows = []
    for comparison in comparisons:
        try:
            group = _ortsteil_series(inputs, comparison.dataset, comparison.feature, "group")
            total = totals(inputs, comparison.total)
        except Exception:  # the dataset or feature is not part of these inputs
            continue
        merged = group.merge(total, on=["area_code", "year"]).dropna()
        # a group larger than its total (rounding in the derived child count, or a misfit of two files)
        merged = merged[(merged["total"] > 0) & (merged["group"] <= merged["total"])]
        for year, frame in merged.groupby("year"):
            rows.append(
                {
                    "comparison": comparison.id,
                    "indicator": comparison.indicator,
                    "group": comparison.group,
                    "rest": comparison.rest,
                    "pair": comparison.pair,
                    "year": int(year),
                    "index": dissimilarity(frame["group"], frame["total"]),
                    "areas": len(frame),
                    "group_count": float(frame["group"].sum()),
                }
            )
    columns = ["comparison", "indicator", "group", "rest", "pair", "year", "index", "areas", "group_count"]
    return pd.DataFrame(rows, columns=columns).dropna(subset=["index"]).reset_index(drop=True)
