"""Values the early-warning system reads: indicator series, years used, population."""

from __future__ import annotations

import pandas as pd

from sozialbericht.analysis.indicators import compute
from sozialbericht.analysis.warning.config import WarningConfig
from sozialbericht.data.geography import ORTSTEIL, STADT
from sozialbericht.errors import SozialberichtError


def derive_counts(values: pd.DataFrame, counts: pd.DataFrame, scale: float = 100.0) -> pd.DataFrame:
    """Numerator and denominator for a published share without counts.

    ``counts`` holds the count feature (columns area_code, year, value[, status]). The
    numerator becomes the count, the denominator count / (share / scale), rounded to whole
    persons. Where the count or the share is missing or 0 the denominator stays NaN (no interval).
    """
    usable = counts
    if "status" in counts:
        usable = counts[counts["status"].isin({"ok", "nothing", "aggregated"})]
    merged = values.drop(columns=["numerator", "denominator"]).merge(
        usable[["area_code", "year", "value"]].rename(columns={"value": "count"}), on=["area_code", "year"], how="left"
    )
    share = merged["value"]
    ok = merged["count"].notna() & (merged["count"] > 0) & share.notna() & (share > 0)
    merged["numerator"] = merged["count"].where(ok)
    merged["denominator"] = (merged["count"] / (share / scale)).round().where(ok)
    return merged[list(values.columns)]


def load_values(inputs, config: WarningConfig) -> dict[str, pd.DataFrame]:
    """Values of every indicator the system needs (incl. einwohner), counts derived where configured."""
    values = {}
    for ident in config.needed():
        frame = compute(inputs, config.indicator(ident))
        stats = config.statistics.get(ident)
        if stats is not None and stats.count is not None:
            frame = derive_counts(frame, inputs.series(stats.count.dataset, stats.count.feature), stats.scale)
        values[ident] = frame
    return values


def _values(values_by_indicator: dict, ident: str) -> pd.DataFrame:
    if ident not in values_by_indicator:
        raise SozialberichtError(
            f"Frühwarnsystem: the values of indicator {ident!r} were not passed "
            f"(passed: {', '.join(sorted(values_by_indicator))}); use warning.load_values()."
        )
    return values_by_indicator[ident]


def year_used(values: pd.DataFrame, year: int) -> int | None:
    """The latest year up to ``year`` with a city value and at least one Ortsteil value."""
    usable = values[values["value"].notna()]
    city_years = set(usable.loc[usable["level"] == STADT, "year"])
    ot_years = set(usable.loc[usable["level"] == ORTSTEIL, "year"])
    years = [y for y in city_years & ot_years if y <= year]
    return int(max(years)) if years else None


def _population(population, year: int) -> pd.Series:
    """Ortsteil population (area_code -> persons) in ``year`` or the latest year before."""
    if population is None:
        return pd.Series(dtype=float)
    if isinstance(population, pd.Series):
        return population.astype(float)
    rows = population[(population["level"] == ORTSTEIL) & population["value"].notna() & (population["year"] <= year)]
    if rows.empty:
        return pd.Series(dtype=float)
    rows = rows[rows["year"] == rows["year"].max()]
    return rows.set_index("area_code")["value"].astype(float)


def _ortsteile(frame: pd.DataFrame, year: int | None) -> pd.DataFrame:
    rows = frame[(frame["level"] == ORTSTEIL)]
    if year is not None:
        rows = rows[rows["year"] == year]
    return rows.drop_duplicates("area_code").set_index("area_code")


def years_used(values_by_indicator: dict, year: int, config: WarningConfig) -> pd.DataFrame:
    """Per indicator of the system: its last year, the year used for ``year`` and whether it is used.

    Columns: indicator, title, role, last_year, year_used, used, note.
    """
    rows = []
    index_ids = [i.id for i in config.index]
    rule_ids = [r.indicator for r in config.rules]
    for ident in dict.fromkeys(index_ids + rule_ids):
        values = _values(values_by_indicator, ident)
        last = year_used(values, 10_000)
        used_year = year_used(values, year)
        role = " und ".join([r for r, ids in (("Index", index_ids), ("Regel", rule_ids)) if ident in ids])
        if used_year is None:
            used, note = False, f"kein Wert bis {year}"
        elif year - used_year > config.max_data_age:
            used, note = (
                False,
                (
                    f"letzter Wert {used_year} ist älter als {config.max_data_age} Jahre; "
                    "im Berichtsjahr nicht berücksichtigt"
                ),
            )
        elif used_year < year:
            used, note = True, f"Wert {used_year} verwendet ({year} liegt noch nicht vor)"
        else:
            used, note = True, ""
        rows.append(
            {
                "indicator": ident,
                "title": config.indicator(ident).title,
                "role": role,
                "last_year": last,
                "year_used": used_year,
                "used": used,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=["indicator", "title", "role", "last_year", "year_used", "used", "note"])


def _usable_year(values: pd.DataFrame, year: int, config: WarningConfig) -> int | None:
    used = year_used(values, year)
    if used is None or year - used > config.max_data_age:
        return None
    return used


# -- statistics -----------------------------------------------------------------------------
