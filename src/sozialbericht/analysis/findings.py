"""The most important findings of a report year, chosen by a stated rule (data only; report/summary.py words them).

Every indicator whose city value changed in the report year is a candidate. Its score (0–1) adds four parts:

- size (weight 0.4): the change against the indicator's usual year-to-year movement, |Δ| / median |Δ| of the
  previous up to ten periods, capped at 3 and scaled to 0–1;
- people (0.2): how many people the change concerns, i.e. the change of the count behind the value
  (log10(1 + persons) / 4, capped at 1: 10.000 persons give the full part); 0 where no count is published;
- trend (0.2): 1 when the change continues a trend (Mann–Kendall over the last ten values, p < 0,05, same
  direction) or turns one (first change against at least three changes the other way);
- early warning (0.2): Ortsteile the early-warning system flags on this indicator, 5 or more give the full part.

A change is not a finding when it rounds to zero, or when the counts behind a city rate make it a chance result
(Poisson test, |z| ≤ 1,96). Values older than the previous year are left out. The findings with a score of at
least ``MIN_SCORE`` are taken in order, at most ``PER_CHAPTER`` per chapter, at least ``MIN_FINDINGS`` (filled
with the next best) and at most ``MAX_FINDINGS``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sozialbericht.analysis.indicators import Catalogue, Indicator, city, key_figure
from sozialbericht.analysis.warning import INDEX_INDICATOR, mann_kendall
from sozialbericht.data.geography import ORTSTEIL, STADT, STADTBEZIRK

WEIGHTS = {"size": 0.4, "people": 0.2, "trend": 0.2, "warning": 0.2}
SIZE_CAP = 3.0
PEOPLE_FULL = 4.0  # log10 of the number of persons that gives the full part
WARNING_FULL = 5
TREND_YEARS = 10
TURN_RUN = 3
MIN_SCORE = 0.35
MIN_FINDINGS, MAX_FINDINGS, PER_CHAPTER = 8, 12, 3
Z_CHANCE = 1.96
# the Stadtbezirke are compared on the report year or, where its counts are not yet published (SGB II and
# unemployment come a year later), on the year before; older values would compare two different cities
DISTRICT_DATA_AGE = 1


@dataclass
class Finding:
    indicator: Indicator
    year: int
    base_year: int
    value: float
    previous: float
    typical_change: float  # median |Δ| of the earlier periods
    people: float  # change of the count behind the value (NaN: none published)
    trend: str  # "continues", "turns" or ""
    run: int  # how many periods in a row the value moved this way (incl. this one); before a turn: the old run
    trend_since: int | None  # first year of the Mann–Kendall window when the trend continues
    flagged: list[str] = field(default_factory=list)  # Ortsteile flagged on this indicator
    events: list[str] = field(default_factory=list)  # titles of known special effects in the report year
    base_events: list[str] = field(default_factory=list)  # ... only in the comparison year (e.g. pandemic)
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def change(self) -> float:
        return self.value - self.previous

    @property
    def score(self) -> float:
        return sum(WEIGHTS[k] * v for k, v in self.parts.items())

    @property
    def reasons(self) -> list[str]:
        """The parts that carry the finding (≥ half of their weight), largest first."""
        strong = [k for k, v in self.parts.items() if v >= 0.5]
        return sorted(strong, key=lambda k: -WEIGHTS[k] * self.parts[k])


def _periods(series: pd.Series, indicator: Indicator, year: int) -> pd.Series:
    """The city series up to ``year``: every survey wave, else consecutive years only."""
    series = series[series.index <= year]
    if indicator.survey:
        return series
    years = list(series.index)
    start = len(years) - 1
    while start > 0 and years[start - 1] == years[start] - 1:
        start -= 1
    return series.iloc[start:]


def _run_length(diffs: np.ndarray) -> int:
    """How many of the last changes share the sign of the last one."""
    if len(diffs) == 0 or diffs[-1] == 0:
        return 0
    sign, run = np.sign(diffs[-1]), 0
    for d in diffs[::-1]:
        if np.sign(d) != sign:
            break
        run += 1
    return run


def chance_z(values: pd.DataFrame, year: int, base_year: int) -> float:
    """Poisson z of the city's change from ``base_year`` to ``year`` (NaN without counts)."""
    rows = values[(values["level"] == STADT) & values["year"].isin([year, base_year])].set_index("year")
    if not {"numerator", "denominator"} <= set(rows.columns) or len(rows) < 2:
        return math.nan
    x1, n1 = float(rows.at[base_year, "numerator"]), float(rows.at[base_year, "denominator"])
    x2, n2 = float(rows.at[year, "numerator"]), float(rows.at[year, "denominator"])
    if any(math.isnan(v) for v in (x1, n1, x2, n2)) or n1 <= 0 or n2 <= 0:
        return math.nan
    se = math.sqrt(x1 / n1**2 + x2 / n2**2)
    return (x2 / n2 - x1 / n1) / se if se > 0 else 0.0


def _people(values: pd.DataFrame, indicator: Indicator, year: int, base_year: int, change: float) -> float:
    if indicator.is_count:
        return abs(change)
    rows = values[(values["level"] == STADT) & values["year"].isin([year, base_year])].set_index("year")
    if indicator.is_rate and len(rows) == 2:
        return abs(float(rows.at[year, "numerator"]) - float(rows.at[base_year, "numerator"]))
    return math.nan


def assess(values: pd.DataFrame, indicator: Indicator, year: int, flags: pd.DataFrame, effects=None) -> Finding | None:
    """The candidate finding of one indicator in report year ``year``, or None when it is no finding."""
    kf = key_figure(values, indicator, year)
    if kf.year is None or not kf.previous_year or kf.year < year - 1:
        return None
    change = kf.change_previous
    if abs(change) < 0.5 * 10**-indicator.decimals:
        return None
    z = chance_z(values, kf.year, kf.previous_year)
    if not math.isnan(z) and abs(z) <= Z_CHANCE:
        return None
    series = _periods(city(values), indicator, kf.year)
    diffs = np.diff(series.to_numpy(dtype=float))
    earlier = np.abs(diffs[:-1][-TREND_YEARS:])
    typical = float(np.median(earlier)) if len(earlier) else math.nan
    # the yardstick is never finer than the precision the report shows (half its last digit): a series
    # published with two decimals in some years has a median change near 0 and would make any change 'huge'
    if not math.isnan(typical):
        typical = max(typical, 0.5 * 10**-indicator.decimals)
    size = min(abs(change) / typical, SIZE_CAP) / SIZE_CAP if typical and not math.isnan(typical) else 0.5
    people = _people(values, indicator, kf.year, kf.previous_year, change)
    people_part = min(math.log10(1 + people) / PEOPLE_FULL, 1.0) if not math.isnan(people) else 0.0
    trend, run, since = "", _run_length(diffs), None
    window = series.iloc[-TREND_YEARS:]
    if len(diffs) >= TURN_RUN + 1 and run == 1 and _run_length(diffs[:-1]) >= TURN_RUN:
        trend, run = "turns", _run_length(diffs[:-1])
    elif len(window) >= 5:
        test = mann_kendall(window.index.to_numpy(), window.to_numpy())
        if test["p_value"] < 0.05 and np.sign(test["slope"]) == np.sign(change):
            trend, since = "continues", int(window.index[0])
    own = flags[(flags["indicator"] == indicator.id)] if len(flags) else flags
    flagged = sorted(set(own["area_name"])) if len(own) else []
    finding = Finding(
        indicator=indicator,
        year=kf.year,
        base_year=kf.previous_year,
        value=kf.value,
        previous=kf.previous,
        typical_change=typical,
        people=people,
        trend=trend,
        run=run,
        trend_since=since,
        flagged=flagged,
    )
    if effects is not None:
        finding.events = [e.title for e in effects.for_indicator(indicator.id, kf.year)]
        finding.base_events = [
            e.title for e in effects.for_indicator(indicator.id, kf.previous_year) if e.title not in finding.events
        ]
    finding.parts = {
        "size": size,
        "people": people_part,
        "trend": 1.0 if trend else 0.0,
        "warning": min(len(flagged) / WARNING_FULL, 1.0),
    }
    return finding


def rank(
    values: dict[str, pd.DataFrame], catalogue: Catalogue, year: int, flags: pd.DataFrame, effects=None
) -> list[Finding]:
    """Every candidate finding, best first."""
    candidates = [
        assess(values[i.id], i, year, flags, effects) for i in catalogue.indicators.values() if i.id in values
    ]
    return sorted([c for c in candidates if c is not None], key=lambda f: (-f.score, f.indicator.id))


def select(ranked: list[Finding]) -> list[Finding]:
    """The findings of the summary, by the rule in the module text."""
    chosen, per_chapter = [], {}
    for strict in (True, False):
        for finding in ranked:
            if len(chosen) >= MAX_FINDINGS or (not strict and len(chosen) >= MIN_FINDINGS):
                break
            if finding in chosen or per_chapter.get(finding.indicator.chapter, 0) >= PER_CHAPTER:
                continue
            if strict and finding.score < MIN_SCORE:
                continue
            chosen.append(finding)
            per_chapter[finding.indicator.chapter] = per_chapter.get(finding.indicator.chapter, 0) + 1
    order = {id(f): n for n, f in enumerate(ranked)}
    return sorted(chosen, key=lambda f: order[id(f)])


def table(findings: list[Finding]) -> pd.DataFrame:
    """The ranked findings as a table: the scores and the reasons."""
    rows = [
        {
            "indicator": f.indicator.id,
            "chapter": f.indicator.chapter,
            "year": f.year,
            "base_year": f.base_year,
            "value": f.value,
            "change": f.change,
            "typical_change": f.typical_change,
            "people": f.people,
            "trend": f.trend,
            "flagged": len(f.flagged),
            "events": "; ".join(f.events),
            **{f"score_{k}": round(v, 3) for k, v in f.parts.items()},
            "score": round(f.score, 3),
            "reasons": ", ".join(f.reasons),
        }
        for f in findings
    ]
    return pd.DataFrame(rows)


# -- Stadtbezirke ----------------------------------------------------------------------------------


@dataclass
class District:
    code: str
    name: str
    population: float
    population_change: float  # against the previous year
    # (indicator, district value, city value, data year), most unfavourable first
    worse: list[tuple[Indicator, float, float, int]]
    better: list[tuple[Indicator, float, float, int]]
    attention: list[str]  # Ortsteile with besonderer Handlungsbedarf (index attention flag)
    year: int
    compared: tuple[str, ...] = ()  # short names of the indicators compared (DISTRICT_DATA_AGE)
    marked: tuple[str, ...] = ()  # Ortsteile where single rules flag an indicator, without attention


def districts(values: dict[str, pd.DataFrame], catalogue: Catalogue, year: int, flags: pd.DataFrame) -> list[District]:
    """Per Stadtbezirk: population, and where it stands furthest from the city (in standard deviations of the
    ten Stadtbezirke) on indicators with a social direction, in the report year or the one before
    (``DISTRICT_DATA_AGE``)."""
    deviations = []
    compared = []
    for ind in catalogue.indicators.values():
        if ind.direction == "neutral" or ind.is_count or ind.survey or ind.id not in values:
            continue
        frame = values[ind.id]
        frame = frame[frame["value"].notna() & frame["year"].between(year - DISTRICT_DATA_AGE, year)]
        districts_by_year = frame[frame["level"] == STADTBEZIRK].groupby("year").size()
        usable = [
            y
            for y, n in districts_by_year.items()
            if n >= 3 and ((frame["year"] == y) & (frame["level"] == STADT)).any()
        ]
        if not usable:
            continue
        data_year = int(max(usable))
        rows = frame[frame["year"] == data_year]
        town = float(rows[rows["level"] == STADT]["value"].iloc[0])
        parts = rows[rows["level"] == STADTBEZIRK]
        if parts["value"].std() == 0:
            continue
        compared.append(ind.short)
        sign = 1 if ind.direction == "higher_worse" else -1
        z = sign * (parts["value"] - town) / parts["value"].std()
        deviations += [(code, ind, v, town, s, data_year) for code, v, s in zip(parts["area_code"], parts["value"], z)]
    population = values.get("einwohner")
    attention = flags[flags["indicator"] == INDEX_INDICATOR] if len(flags) else flags
    result = []
    if population is None:
        return result
    now = population[(population["level"] == STADTBEZIRK) & (population["year"] == year)]
    before = population[(population["level"] == STADTBEZIRK) & (population["year"] == year - 1)]
    ortsteile = population[(population["level"] == ORTSTEIL) & (population["year"] == year)]
    for _, row in now.sort_values("area_code").iterrows():
        code = row["area_code"]
        prev = before.loc[before["area_code"] == code, "value"]
        mine = sorted([d for d in deviations if d[0] == code], key=lambda d: -d[4])
        members = set(ortsteile.loc[ortsteile["sbz_code"] == code, "area_code"])
        names = sorted(set(attention.loc[attention["area_code"].isin(members), "area_name"])) if len(attention) else []
        flagged = flags.loc[flags["area_code"].isin(members), "area_name"] if len(flags) else []
        marked = tuple(sorted(set(flagged) - set(names)))
        result.append(
            District(
                code=str(code),
                name=row["area_name"],
                population=float(row["value"]),
                population_change=float(row["value"] - prev.iloc[0]) if len(prev) else math.nan,
                worse=[(d[1], d[2], d[3], d[5]) for d in mine if d[4] >= 1.0][:2],
                better=[(d[1], d[2], d[3], d[5]) for d in reversed(mine) if d[4] <= -1.0][:2],
                attention=names,
                year=year,
                compared=tuple(compared),
                marked=marked,
            )
        )
    return result
