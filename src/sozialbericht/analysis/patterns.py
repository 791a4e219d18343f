"""What a chapter says beyond its key-figure table, as data: which indicators moved together, where the
city's change happened, whether the gap between the Ortsteile widens, who stays in the least favourable fifth,
and which Ortsteil changes are developments rather than noise or data artefacts (report/chapter.py words them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozialbericht.analysis.indicators import Indicator, changes, city
from sozialbericht.analysis.warning import mann_kendall
from sozialbericht.data.geography import ORTSTEIL, STADT, STADTBEZIRK

TOP_AREAS = 5
SPREAD_YEARS = 10
SPREAD_MIN_YEARS = 5
SPREAD_STEP = 0.05  # a relative change of the coefficient of variation below 5 % counts as unchanged
FIFTH_YEARS = 5
CORRELATION_MIN = 0.5
CORRELATION_AREAS = 20
TREND_YEARS = 10
TURN_RUN = 3


def ortsteil_frame(values: pd.DataFrame) -> pd.DataFrame:
    return values[(values["level"] == ORTSTEIL) & values["value"].notna()]


# -- moved together ------------------------------------------------------------------------------------------


@dataclass
class Pair:
    first: Indicator
    second: Indicator
    rho: float  # Spearman correlation of the Ortsteile's changes
    areas: int


def moved_together(values: dict[str, pd.DataFrame], indicators: list[Indicator], year: int, base_year: int):
    """Pairs of indicators whose Ortsteil changes from ``base_year`` to ``year`` correlate (|ρ| ≥ 0,5)."""
    moves = {}
    for ind in indicators:
        if ind.survey or ind.is_count:
            continue
        frame = changes(values[ind.id], ORTSTEIL, year, base_year)
        if len(frame) >= CORRELATION_AREAS:
            moves[ind.id] = frame.set_index("area_code")["change"]
    pairs = []
    ids = list(moves)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            joined = pd.concat([moves[a], moves[b]], axis=1, join="inner").dropna()
            if len(joined) < CORRELATION_AREAS:
                continue
            rho = joined.iloc[:, 0].rank().corr(joined.iloc[:, 1].rank())
            if not math.isnan(rho) and abs(rho) >= CORRELATION_MIN:
                pairs.append(Pair(_find(indicators, a), _find(indicators, b), float(rho), len(joined)))
    return sorted(pairs, key=lambda p: -abs(p.rho))


def _find(indicators: list[Indicator], ident: str) -> Indicator:
    return next(i for i in indicators if i.id == ident)


# -- where the change happened -------------------------------------------------------------------------------


@dataclass
class Concentration:
    indicator: Indicator
    year: int
    base_year: int
    city_change: float  # change of the count, summed over the Ortsteile
    top: list[tuple[str, float]]  # the Ortsteile that moved most in the city's direction
    top_share: float  # their sum / city_change
    districts: list[tuple[str, float]]  # Stadtbezirke, largest share first
    counted: str  # what is counted: the indicator's count or its numerator


def concentration(values: pd.DataFrame, indicator: Indicator, year: int, base_year: int) -> Concentration | None:
    """How much of the city's change of the count behind an indicator falls on the five Ortsteile that moved
    most in the same direction, and on which Stadtbezirke (sums over the Ortsteile, so shares add up)."""
    column = "value" if indicator.is_count else "numerator"
    if indicator.survey or not (indicator.is_count or indicator.is_rate):
        return None
    rows = values[(values["level"] == ORTSTEIL) & values["year"].isin([year, base_year])]
    wide = rows.pivot_table(index=["area_code", "area_name", "sbz_code"], columns="year", values=column)
    if year not in wide or base_year not in wide:
        return None
    wide = wide.dropna()
    delta = (wide[year] - wide[base_year]).rename("change").reset_index()
    total = float(delta["change"].sum())
    if total == 0 or delta.empty:
        return None
    same = delta[np.sign(delta["change"]) == np.sign(total)].copy()
    same["size"] = same["change"].abs()
    top = same.sort_values(["size", "area_name"], ascending=[False, True]).head(TOP_AREAS)
    by_district = delta.groupby("sbz_code")["change"].sum() / total
    names = values[values["level"] == STADTBEZIRK].drop_duplicates("area_code").set_index("area_code")["area_name"]
    districts = [
        (str(names.get(code, code)), float(share)) for code, share in by_district.sort_values(ascending=False).items()
    ]
    return Concentration(
        indicator,
        year,
        base_year,
        total,
        list(zip(top["area_name"], top["change"].astype(float))),
        float(top["change"].sum() / total),
        districts,
        column,
    )


# -- gap between the Ortsteile -------------------------------------------------------------------------------


@dataclass
class Spread:
    indicator: Indicator
    first_year: int
    last_year: int
    cv_first: float
    cv_last: float
    p90_p10_first: float
    p90_p10_last: float

    @property
    def trend(self) -> str:
        """'wider', 'narrower' or 'same', by the coefficient of variation."""
        relative = self.cv_last / self.cv_first - 1 if self.cv_first else math.nan
        if math.isnan(relative) or abs(relative) < SPREAD_STEP:
            return "same"
        return "wider" if relative > 0 else "narrower"


def _spread(values: pd.Series) -> tuple[float, float]:
    mean = values.mean()
    cv = float(values.std(ddof=0) / mean) if mean else math.nan
    p10, p90 = np.percentile(values, [10, 90])
    return cv, float(p90 / p10) if p10 > 0 else math.nan


def spread(values: pd.DataFrame, indicator: Indicator, year: int) -> Spread | None:
    """Coefficient of variation (SD / mean, unweighted over the Ortsteile) and P90/P10, now and ten years
    back (or the earliest year at least five years back); for rates and means, not counts or surveys."""
    if indicator.is_count or indicator.survey:
        return None
    frame = ortsteil_frame(values)
    years = sorted(y for y in frame["year"].unique() if y <= year)
    if year not in years:
        return None
    older = [y for y in years if year - SPREAD_YEARS <= y <= year - SPREAD_MIN_YEARS]
    if not older:
        return None
    first = min(older)
    now, then = frame[frame["year"] == year]["value"], frame[frame["year"] == first]["value"]
    if len(now) < 10 or len(then) < 10:
        return None
    (cv_now, ratio_now), (cv_then, ratio_then) = _spread(now), _spread(then)
    return Spread(indicator, int(first), int(year), cv_then, cv_now, ratio_then, ratio_now)


# -- least favourable fifth ----------------------------------------------------------------------------------


def least_favourable(values: pd.DataFrame, indicator: Indicator, year: int) -> pd.DataFrame:
    """Ortsteile in the least favourable fifth in each of at least ``FIFTH_YEARS`` consecutive years up to
    ``year``. Columns: area_name, years (length of the run), since. Indicators with a social direction only."""
    columns = ["area_code", "area_name", "years", "since"]
    if indicator.direction == "neutral" or indicator.is_count or indicator.survey:
        return pd.DataFrame(columns=columns)
    frame = ortsteil_frame(values)
    sign = 1 if indicator.direction == "higher_worse" else -1
    frame = frame.assign(bad=sign * frame["value"])
    # percentile rank with ties shared: an Ortsteil is in the fifth when at least 80 % are not worse
    frame["rank"] = frame.groupby("year")["bad"].rank(pct=True, method="min")
    in_fifth = frame[frame["rank"] > 0.8]
    members = in_fifth.groupby("area_code")["year"].apply(set)
    names = frame.drop_duplicates("area_code").set_index("area_code")["area_name"]
    rows = []
    for code, years in members.items():
        run = 0
        while (year - run) in years:
            run += 1
        if run >= FIFTH_YEARS:
            rows.append((code, names[code], run, year - run + 1))
    result = pd.DataFrame(rows, columns=columns)
    return result.sort_values(["years", "area_name"], ascending=[False, True]).reset_index(drop=True)


# -- developments --------------------------------------------------------------------------------------------


@dataclass
class CityTrend:
    kind: str  # "rising", "falling", "turn_up", "turn_down", "none"
    since: int | None  # first year of the window (trend) or of the old run (turn)
    run: int  # length of the old run before a turn
    p_value: float


def city_trend(values: pd.DataFrame, indicator: Indicator, year: int) -> CityTrend:
    """A persistent trend of the city value (Mann–Kendall, last ten values, p < 0,05), or a turning point
    (the last change against at least three changes the other way)."""
    full = city(values)
    full = full[full.index <= year]
    series = full.iloc[-(TREND_YEARS + 1) :]
    # a turning point's run of changes the other way is counted over the whole series, not the last ten values
    diffs = np.diff(full.to_numpy(dtype=float))
    if len(diffs) >= TURN_RUN + 1 and diffs[-1] != 0:
        sign = np.sign(diffs[-1])
        old = 0
        for d in diffs[-2::-1]:
            if np.sign(d) != -sign:
                break
            old += 1
        if old >= TURN_RUN:
            return CityTrend("turn_up" if sign > 0 else "turn_down", int(full.index[-2 - old]), old, math.nan)
    window = series.iloc[-TREND_YEARS:]
    if len(window) >= 5:
        test = mann_kendall(window.index.to_numpy(), window.to_numpy())
        if test["p_value"] < 0.05 and test["slope"] != 0:
            kind = "rising" if test["slope"] > 0 else "falling"
            return CityTrend(kind, int(window.index[0]), 0, test["p_value"])
    return CityTrend("none", None, 0, math.nan)


@dataclass
class OrtsteilChanges:
    indicator: Indicator
    year: int
    base_year: int
    tested: bool  # counts exist: changes are tested against chance
    rises: list[tuple[str, float, float]] = field(default_factory=list)  # (name, change, before), ties included
    falls: list[tuple[str, float, float]] = field(default_factory=list)
    unfavourable: int = 0
    unfavourable_certain: int = 0
    areas: int = 0
    artefacts: list[tuple[str, str]] = field(default_factory=list)  # (Ortsteil, what happened)
    new_in_fifth: list[str] = field(default_factory=list)


def _extreme(frame: pd.DataFrame, decimals: int, largest: bool) -> list[tuple[str, float, float]]:
    """The largest (or smallest) change, with every Ortsteil tied with it at the shown precision."""
    if frame.empty:
        return []
    rounded = frame["change"].round(decimals)
    best = rounded.max() if largest else rounded.min()
    tied = frame[rounded == best].sort_values("area_name")
    return [(r["area_name"], float(r["change"]), float(r["value_before"])) for _, r in tied.iterrows()]


def artefacts(values: pd.DataFrame, indicator: Indicator, year: int, base_year: int) -> list[tuple[str, str]]:
    """Ortsteile whose count falls from a positive value to zero, or whose series ends (no value in ``year``
    after one in ``base_year``): a facility leaving the data or a gap, not a development."""
    column = "value" if indicator.is_count else "numerator"
    rows = values[(values["level"] == ORTSTEIL) & values["year"].isin([year, base_year])]
    found = []
    for _, group in rows.groupby("area_code"):
        by_year = group.set_index("year")
        if base_year not in by_year.index:
            continue
        before, name = by_year.at[base_year, column], by_year.at[base_year, "area_name"]
        now = by_year.at[year, column] if year in by_year.index else math.nan
        value_now = by_year.at[year, "value"] if year in by_year.index else math.nan
        if pd.notna(before) and before > 0 and pd.notna(now) and now == 0:
            found.append((name, "zero"))
        elif pd.notna(by_year.at[base_year, "value"]) and pd.isna(value_now):
            found.append((name, "ended"))
    return sorted(found)


def ortsteil_changes(values: pd.DataFrame, indicator: Indicator, year: int, base_year: int) -> OrtsteilChanges:
    """The Ortsteil changes that count as developments: tested against chance where counts exist, without
    data artefacts; ties are kept together; new entries into the least favourable fifth."""
    moves = changes(values, ORTSTEIL, year, base_year)
    odd = artefacts(values, indicator, year, base_year)
    odd_names = {name for name, _ in odd}
    moves = moves[~moves["area_name"].isin(odd_names)]
    tested = bool(moves["significant"].notna().any())
    named = moves[moves["significant"].eq(True)] if tested else moves
    result = OrtsteilChanges(indicator, year, base_year, tested, areas=len(moves), artefacts=odd)
    result.rises = _extreme(named[named["change"] > 0], indicator.decimals, largest=True)
    result.falls = _extreme(named[named["change"] < 0], indicator.decimals, largest=False)
    if indicator.direction != "neutral":
        worse = moves["change"] > 0 if indicator.direction == "higher_worse" else moves["change"] < 0
        result.unfavourable = int(worse.sum())
        result.unfavourable_certain = int((worse & moves["significant"].eq(True)).sum())
        result.new_in_fifth = _new_in_fifth(values, indicator, year, moves)
    return result


def _new_in_fifth(values: pd.DataFrame, indicator: Indicator, year: int, moves: pd.DataFrame) -> list[str]:
    """Ortsteile in the least favourable fifth in ``year`` that were in it in none of the four years before, with
    a change (five years) that is not chance where that can be tested: a new concentration."""
    if indicator.is_count or indicator.survey:
        return []
    frame = ortsteil_frame(values)
    sign = 1 if indicator.direction == "higher_worse" else -1
    frame = frame.assign(
        rank=frame.assign(bad=sign * frame["value"]).groupby("year")["bad"].rank(pct=True, method="min")
    )
    fifth = frame[frame["rank"] > 0.8]
    now = set(fifth.loc[fifth["year"] == year, "area_code"])
    before = set(fifth.loc[fifth["year"].between(year - 4, year - 1), "area_code"])
    if not (frame["year"].between(year - 4, year - 1)).any():
        return []
    tested = moves["significant"].notna().any()
    certain = set(moves.loc[moves["significant"].eq(True), "area_code"]) if tested else set(moves["area_code"])
    names = frame.drop_duplicates("area_code").set_index("area_code")["area_name"]
    return sorted(names[c] for c in (now - before) & certain)


# -- rates as the city publishes them ------------------------------------------------------------------------


@dataclass
class PublishedRate:
    indicator: Indicator
    feature: str  # the published rate's name in the source
    year: int
    published: float  # the city's value as published
    computed: float  # the report's value
    lagged_fit: bool  # the published rate equals numerator / denominator of the previous year
    same_fit: bool  # ... of the same year


def _fits(ratio: pd.Series) -> bool:
    ratio = ratio.dropna()
    return len(ratio) > 0 and float((ratio - 1).abs().median()) < 1e-3


def published_rate(inputs, indicator: Indicator, values: pd.DataFrame, year: int) -> PublishedRate | None:
    """Where the numerator's source file carries its own rate per the same factor (e.g. 'Straftaten je
    Einwohner' per 1.000), compare: which denominator year reproduces it, and the city values in ``year``."""
    if not indicator.is_rate or inputs is None:
        return None
    spec = getattr(inputs, "specs", {}).get(indicator.numerator.dataset)
    if spec is None:
        return None
    factor_words = {1000: "1.000", 100: "100"}
    rates = [
        name
        for name, info in spec.features.items()
        if info.get("kind") == "rate" and factor_words.get(int(indicator.factor), "?") in str(info.get("unit", ""))
    ]
    if not rates:
        return None
    feature = rates[0]
    published = inputs.series(indicator.numerator.dataset, feature)[["area_code", "year", "value"]]
    frame = values[["area_code", "level", "year", "value", "numerator", "denominator"]].merge(
        published.rename(columns={"value": "published"}), on=["area_code", "year"]
    )
    previous = values[["area_code", "year", "denominator"]].assign(year=values["year"] + 1)
    frame = frame.merge(
        previous.rename(columns={"denominator": "denominator_before"}), on=["area_code", "year"], how="left"
    )
    lagged = frame["published"] / (frame["numerator"] / frame["denominator_before"] * indicator.factor)
    same = frame["published"] / frame["value"]
    town = frame[(frame["level"] == STADT) & (frame["year"] == year)]
    if town.empty:
        return None
    lagged_fit, same_fit = _fits(lagged), _fits(same)
    if not (lagged_fit or same_fit):
        return None  # a rate of another count in the same file (e.g. all offences vs. thefts)
    row = town.iloc[0]
    return PublishedRate(indicator, feature, year, float(row["published"]), float(row["value"]), lagged_fit, same_fit)
