"""Sum counts from Ortsteile to Stadtbezirke and the city, and check published sums.

Where a file has no Stadtbezirk or city rows (the derived mirror files), the
sums are added with status ``aggregated``. Where it has them, the sum of the
Ortsteile is compared with the published value and every difference is
returned, so the report can show it instead of hiding it.
"""

from __future__ import annotations

import pandas as pd

from sozialbericht import settings as config
from sozialbericht.data.geography import ORTSTEIL, STADT, STADTBEZIRK

SUMMABLE = {"ok", "nothing"}


def _sums(ortsteile: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Sums per Stadtbezirk and for the city; NaN where an Ortsteil value is not a number."""
    keys = ["dataset", "feature", "year"]
    frame = ortsteile.assign(complete=ortsteile["status"].isin(SUMMABLE))
    by_sbz = frame.groupby(keys + ["sbz_code"], as_index=False).agg(
        value=("value", "sum"), complete=("complete", "all"), parts=("area_code", "size")
    )
    by_sbz = by_sbz.rename(columns={"sbz_code": "area_code"})
    city = frame.groupby(keys, as_index=False).agg(
        value=("value", "sum"), complete=("complete", "all"), parts=("area_code", "size")
    )
    city["area_code"] = config.CITY_CODE
    sums = pd.concat([by_sbz, city], ignore_index=True)
    expected = areas[areas["level"] == ORTSTEIL].groupby("sbz_code").size()
    expected_parts = sums["area_code"].map(expected).fillna(expected.sum())
    sums["complete"] &= sums["parts"] == expected_parts
    sums.loc[~sums["complete"], "value"] = float("nan")
    return sums.drop(columns="parts")


def complete_levels(
    table: pd.DataFrame, areas: pd.DataFrame, count_features: set[tuple[str, str]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the table with missing higher levels summed, and a table of differences.

    ``count_features`` holds (dataset, feature) pairs that may be summed.
    """
    is_count = pd.Series(
        [(d, f) in count_features for d, f in zip(table["dataset"], table["feature"])], index=table.index
    )
    counts = table[is_count & (table["level"] == ORTSTEIL)]
    empty_checks = pd.DataFrame(
        columns=["dataset", "feature", "year", "area_code", "area_name", "published", "sum_of_ortsteile", "difference"]
    )
    if counts.empty:
        return table, empty_checks
    sums = _sums(counts, areas)
    higher = table[is_count & table["level"].isin([STADTBEZIRK, STADT])]
    merged = sums.merge(
        higher[["dataset", "feature", "year", "area_code", "value", "status"]],
        on=["dataset", "feature", "year", "area_code"],
        how="left",
        suffixes=("_sum", "_published"),
    )
    absent = merged["status"].isna()
    names = areas.set_index("area_code")
    add = merged[absent].copy()
    add = add.assign(
        value=add["value_sum"],
        status=add["complete"].map({True: "aggregated", False: "missing"}),
        area_name=add["area_code"].map(names["area_name"]),
        level=add["area_code"].map(names["level"]),
        sbz_code=add["area_code"].map(names["sbz_code"]),
        row=pd.NA,
    )[table.columns]
    present = merged[~absent & merged["complete"] & merged["status"].isin(SUMMABLE)]
    differs = present[(present["value_sum"] - present["value_published"]).abs() > 1e-6]
    checks = differs.assign(
        area_name=differs["area_code"].map(names["area_name"]),
        published=differs["value_published"],
        sum_of_ortsteile=differs["value_sum"],
        difference=differs["value_published"] - differs["value_sum"],
    )[empty_checks.columns].reset_index(drop=True)
    completed = pd.concat([table, add], ignore_index=True) if not add.empty else table
    return completed, checks
