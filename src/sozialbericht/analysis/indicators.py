"""The indicator catalogue (data/indicators.yml) and the computation of its values.

Every indicator is numerator / denominator * factor from named API features, or
the numerator as published. Nothing here holds a number of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sozialbericht import settings as config
from sozialbericht.analysis.indicator_schema import IndicatorsFile
from sozialbericht.data.catalogue import load_catalogue
from sozialbericht.data.geography import ORTSTEIL, STADT
from sozialbericht.errors import CatalogueError

USABLE = {"ok", "nothing", "aggregated"}
DIRECTIONS = {"higher_worse", "higher_better", "neutral"}
# the table of indicator values (compute): one row per indicator, area and year
VALUE_COLUMNS = [
    "indicator",
    "area_code",
    "area_name",
    "level",
    "sbz_code",
    "year",
    "value",
    "numerator",
    "denominator",
    "status",
]


@dataclass(frozen=True)
class Term:
    dataset: str
    feature: str


@dataclass
class Indicator:
    id: str
    title: str
    short: str
    chapter: str
    numerator: Term
    unit: str
    direction: str
    definition: str
    denominator: Term | None = None
    factor: float = 1.0
    decimals: int = 1
    survey: bool = False
    first_year: int | None = None
    notes: str = ""
    source: str = config.ATTRIBUTION
    licence: str = config.LICENCE
    value_unit: str | None = None  # unit after a number in text; default: unit
    area_note: str = ""  # how to read a comparison of areas, said next to it (e.g. counted where the crime happened)
    kind: str = "rate"  # count, rate, mean, median, share: from the numerator's dataset unless a ratio

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def is_count(self) -> bool:
        return self.kind == "count"

    @property
    def is_grade_scale(self) -> bool:
        """A mean school grade (1 best, 5 worst) from the Bürgerumfrage: the lowest value is the best."""
        return self.unit.startswith("Note")


@dataclass
class Catalogue:
    chapters: list[dict]
    indicators: dict[str, Indicator]
    missing_themes: list[dict] = field(default_factory=list)

    def for_chapter(self, chapter: str) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.chapter == chapter]

    def chapter(self, chapter_id: str) -> dict:
        for chapter in self.chapters:
            if chapter["id"] == chapter_id:
                return chapter
        raise CatalogueError(f"Chapter {chapter_id!r} is not in the indicator catalogue.")


def read_catalogue(path: Path = config.DATA_DIR / "indicators.yml", datasets=None) -> Catalogue:
    """Read and check the catalogue; ``datasets`` (names, or the specs from datasets.yml) checks references.

    The structure is checked by the schema (:mod:`sozialbericht.analysis.indicator_schema`), then the references;
    every problem is reported at once, in German, with file, entry and field.
    """
    path = Path(path)
    parsed = load_catalogue(IndicatorsFile, path)
    chapter_ids = {c.id for c in parsed.chapters}
    known = set(datasets) if datasets is not None else None
    problems: list[str] = []
    seen: set[str] = set()
    for number, entry in enumerate(parsed.indicators, start=1):
        where = f"{path.name}: {entry.id} (Eintrag {number})"
        if entry.id in seen:
            problems.append(f"{where}: Feld 'id': '{entry.id}' kommt mehrfach vor")
        seen.add(entry.id)
        if entry.chapter not in chapter_ids:
            problems.append(f"{where}: Feld 'chapter': unbekanntes Kapitel '{entry.chapter}'")
        for name, term in (("numerator", entry.numerator), ("denominator", entry.denominator)):
            if term is not None and known is not None and term.dataset not in known:
                problems.append(
                    f"{where}: Feld '{name}.dataset': unbekannter Datensatz '{term.dataset}' "
                    f"(bekannt: {', '.join(sorted(known))})"
                )
    if problems:
        raise CatalogueError(f"{path.name} ist ungültig ({len(problems)} Fehler):\n  " + "\n  ".join(problems))
    indicators: dict[str, Indicator] = {}
    for entry in parsed.indicators:
        indicator = Indicator(
            id=entry.id,
            title=entry.title,
            short=entry.short or entry.title,
            chapter=entry.chapter,
            numerator=Term(entry.numerator.dataset, entry.numerator.feature),
            denominator=Term(entry.denominator.dataset, entry.denominator.feature) if entry.denominator else None,
            factor=float(entry.factor),
            unit=entry.unit,
            decimals=entry.decimals,
            direction=entry.direction,
            definition=entry.definition,
            survey=entry.survey,
            first_year=entry.first_year,
            notes=entry.notes or "",
            area_note=entry.area_note or "",
            source=entry.source or config.ATTRIBUTION,
            licence=entry.licence or config.LICENCE,
            value_unit=entry.value_unit,
        )
        if indicator.denominator is None and isinstance(datasets, dict):
            indicator.kind = datasets[indicator.numerator.dataset].kind(indicator.numerator.feature)
        indicators[entry.id] = indicator
    chapters = [c.model_dump() for c in parsed.chapters]
    themes = [m.model_dump() for m in parsed.missing_themes]
    return Catalogue(chapters, indicators, themes)


CHILDREN_UNDER_15 = Term("alter", "unter 15 Jahre (berechnet)")


def _children_under_15(inputs) -> pd.DataFrame:
    """Persons under 15, derived from the population and the Jugend- and Altenquote.

    Both quotas are per 100 persons aged 15 to under 65 (P): J = U/P*100, A = O/P*100, and the
    population E = U + P + O, hence U = E * J / (100 + J + A). Exact up to the published
    decimals of the quotas; the status is the worst of the three inputs.
    """
    keys = ["area_code", "year"]
    population = _feature(inputs, Term("einwohner", "Einwohner insgesamt"))
    young = _feature(inputs, Term("alter", "Jugendquote"))[keys + ["value", "status"]]
    old = _feature(inputs, Term("alter", "Altenquote"))[keys + ["value", "status"]]
    frame = population.merge(young, on=keys, how="left", suffixes=("", "_j")).merge(
        old, on=keys, how="left", suffixes=("", "_a")
    )
    frame["value"] = frame["value"] * frame["value_j"] / (100 + frame["value_j"] + frame["value_a"])
    for suffix in ("_j", "_a"):
        bad = frame["status"].isin(USABLE) & ~frame[f"status{suffix}"].fillna("missing").isin(USABLE)
        frame.loc[bad, "status"] = frame.loc[bad, f"status{suffix}"].fillna("missing")
    return frame[["area_code", "area_name", "level", "sbz_code", "year", "value", "status"]]


DERIVED_FEATURES = {CHILDREN_UNDER_15: _children_under_15}


def _feature(inputs, term: Term) -> pd.DataFrame:
    if term in DERIVED_FEATURES:
        return DERIVED_FEATURES[term](inputs)
    rows = inputs.series(term.dataset, term.feature)
    return rows[["area_code", "area_name", "level", "sbz_code", "year", "value", "status"]]


def compute(inputs, indicator: Indicator) -> pd.DataFrame:
    """Values of one indicator for every area and year.

    Columns: indicator, area_code, area_name, level, sbz_code, year, value,
    numerator, denominator, status. A value is NaN unless its inputs are usable;
    the status then says why (missing, secret, unavailable, ...).
    """
    numerator = _feature(inputs, indicator.numerator).rename(columns={"value": "numerator", "status": "status_num"})
    if indicator.denominator is None:
        frame = numerator.assign(denominator=np.nan, status_den="ok")
        frame["value"] = frame["numerator"]
    else:
        denominator = _feature(inputs, indicator.denominator)[["area_code", "year", "value", "status"]]
        denominator = denominator.rename(columns={"value": "denominator", "status": "status_den"})
        frame = numerator.merge(denominator, on=["area_code", "year"], how="left")
        frame["status_den"] = frame["status_den"].fillna("missing")
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["value"] = frame["numerator"] / frame["denominator"] * indicator.factor
        frame.loc[frame["denominator"] == 0, "value"] = np.nan
    usable = frame["status_num"].isin(USABLE) & frame["status_den"].isin(USABLE)
    frame["status"] = np.where(
        frame["status_num"].isin(USABLE),
        np.where(frame["status_den"].isin(USABLE), "ok", "denominator_" + frame["status_den"]),
        frame["status_num"],
    )
    frame.loc[~usable, "value"] = np.nan
    frame.loc[usable & frame["value"].isna(), "status"] = "missing"
    # summed from the Ortsteile by this report, not published: say so in every table
    summed = (
        usable
        & frame["value"].notna()
        & ((frame["status_num"] == "aggregated") | (frame["status_den"] == "aggregated"))
    )
    frame.loc[summed, "status"] = "aggregated"
    if indicator.first_year:
        frame = frame[frame["year"] >= int(indicator.first_year)]
    frame.insert(0, "indicator", indicator.id)
    return frame[VALUE_COLUMNS].reset_index(drop=True)


def compute_all(inputs, catalogue: Catalogue) -> pd.DataFrame:
    return pd.concat([compute(inputs, i) for i in catalogue.indicators.values()], ignore_index=True)


# -- questions a chapter asks of an indicator's values ---------------------------------


def city(values: pd.DataFrame) -> pd.Series:
    """The city's value per year (NaN-free), indexed by year."""
    rows = values[(values["level"] == STADT) & values["value"].notna()]
    return rows.set_index("year")["value"].sort_index()


def reference_year(values: pd.DataFrame, year: int) -> int | None:
    """The latest year up to ``year`` with a city value (survey indicators: the last survey)."""
    years = [y for y in city(values).index if y <= year]
    return max(years) if years else None


@dataclass
class KeyFigure:
    indicator: Indicator
    year: int | None  # the year the value belongs to (may be earlier than the edition for surveys)
    value: float
    previous_year: int | None
    previous: float
    five_years_year: int | None
    five_years: float

    @property
    def change_previous(self) -> float:
        return self.value - self.previous

    @property
    def change_five_years(self) -> float:
        return self.value - self.five_years

    def relative(self, reference: float) -> float:
        return (self.value / reference - 1) * 100 if reference and not math.isnan(reference) else math.nan


def key_figure(values: pd.DataFrame, indicator: Indicator, year: int) -> KeyFigure:
    """City value in the edition's year, one period and five years earlier.

    For survey indicators the periods are survey waves: 'previous' is the previous
    wave and 'five years' the wave at least five years back.
    """
    series = city(values)
    ref = reference_year(values, year)
    if ref is None:
        return KeyFigure(indicator, None, math.nan, None, math.nan, None, math.nan)
    earlier = [y for y in series.index if y < ref]
    previous_year = (
        (max(earlier) if earlier else None) if indicator.survey else (ref - 1 if ref - 1 in series.index else None)
    )
    five_back = [y for y in series.index if y <= ref - 5]
    five_year = (
        (max(five_back) if five_back else None) if indicator.survey else (ref - 5 if ref - 5 in series.index else None)
    )
    return KeyFigure(
        indicator,
        ref,
        float(series[ref]),
        previous_year,
        float(series[previous_year]) if previous_year else math.nan,
        five_year,
        float(series[five_year]) if five_year else math.nan,
    )


def level_values(values: pd.DataFrame, level: str, year: int) -> pd.DataFrame:
    """One level's rows in one year, sorted by value (NaN last)."""
    rows = values[(values["level"] == level) & (values["year"] == year)]
    return rows.sort_values("value", na_position="last").reset_index(drop=True)


def extremes(values: pd.DataFrame, year: int) -> tuple[pd.Series | None, pd.Series | None]:
    """The Ortsteil with the lowest and the highest value in ``year``."""
    rows = level_values(values, ORTSTEIL, year).dropna(subset=["value"])
    if rows.empty:
        return None, None
    return rows.iloc[0], rows.iloc[-1]


def lowest_names(values: pd.DataFrame, year: int) -> list[str]:
    """Every Ortsteil that shares the lowest value in ``year`` (a tie names all of them)."""
    rows = level_values(values, ORTSTEIL, year).dropna(subset=["value"])
    return list(rows.loc[rows["value"] == rows["value"].min(), "area_name"]) if not rows.empty else []


def changes(values: pd.DataFrame, level: str, year: int, base_year: int) -> pd.DataFrame:
    """Change of each area's value from ``base_year`` to ``year``; largest rise first.

    Where the value is a rate of counts (numerator / denominator), ``z`` and ``significant`` say
    whether the change is larger than chance alone makes likely in a small area: the counts are
    treated as Poisson, var(x / n) = x / n², and |z| > 1.96 (5 %, two-sided) counts as significant.
    Binomial shares have a smaller variance, so the test is conservative for them. Without counts
    both are missing.
    """
    columns = ["area_code", "area_name", "value", "numerator", "denominator"]
    columns = [c for c in columns if c in values.columns]
    now = values[(values["level"] == level) & (values["year"] == year)][columns]
    then = values[(values["level"] == level) & (values["year"] == base_year)][[c for c in columns if c != "area_name"]]
    merged = now.merge(then, on="area_code", suffixes=("", "_before")).dropna(subset=["value", "value_before"])
    merged["change"] = merged["value"] - merged["value_before"]
    merged["z"] = np.nan
    if {"numerator", "denominator"} <= set(columns):
        x1, n1 = merged["numerator_before"].astype(float), merged["denominator_before"].astype(float)
        x2, n2 = merged["numerator"].astype(float), merged["denominator"].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt(x1 / n1**2 + x2 / n2**2)
            z = (x2 / n2 - x1 / n1) / se
        merged["z"] = z.where((n1 > 0) & (n2 > 0) & (se > 0))
        merged.loc[(n1 > 0) & (n2 > 0) & (se == 0), "z"] = 0.0
    merged["significant"] = pd.Series(
        [None if pd.isna(z) else bool(abs(z) > 1.96) for z in merged["z"]], index=merged.index, dtype=object
    )
    merged = merged.drop(columns=[c for c in merged.columns if c.startswith(("numerator", "denominator"))])
    return merged.sort_values("change", ascending=False).reset_index(drop=True)
