"""Early-warning system (Frühwarnsystem): status and dynamics of every Ortsteil, and flags.

The rules live in data/fruehwarnsystem.yml; ``load_config`` reads and validates them against
the indicator catalogue. Everything else is a pure function over the values DataFrames that
``indicators.compute`` returns (columns indicator, area_code, area_name, level, sbz_code, year,
value, numerator, denominator, status), passed as a dict ``indicator id -> DataFrame``:

- ``wilson_interval`` / ``poisson_interval``: confidence intervals for rates from counts;
- ``compare_with_city``: each Ortsteil's interval against the city value (as Fingertips does);
- ``trend_test``: Cochran–Armitage (proportions), a Poisson score test (rates per 1,000) or
  Mann–Kendall (published values without counts) over the last N values;
- ``status_dynamics``: Berlin-style standardised status and dynamics indices, classes, group,
  attention; Ortsteile under the minimum population are marked ``too_small`` and not classed;
- ``flags``: Ortsteile needing attention, one row per rule hit, with the reason in German;
- ``changes_since``: newly flagged / no longer flagged against the previous edition;
- ``method_text``: the methods appendix in German Markdown, generated from the configuration.

No scipy: the normal distribution comes from ``statistics.NormalDist``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd
import yaml

from sozialbericht import fmt, style
from sozialbericht import settings as project_config
from sozialbericht.analysis.indicators import Catalogue, Indicator, Term, compute, read_catalogue
from sozialbericht.data.geography import ORTSTEIL, STADT
from sozialbericht.errors import CatalogueError, SozialberichtError

CONFIG_PATH = project_config.DATA_DIR / "fruehwarnsystem.yml"
POPULATION_INDICATOR = "einwohner"
RULE_TYPES = ("worse_than_city", "worsening_trend", "threshold")
CI_METHODS = ("wilson", "poisson", "none")
TREND_METHODS = {"wilson": "cochran_armitage", "poisson": "poisson_trend", "none": "mann_kendall"}
TREND_NAMES = {
    "cochran_armitage": "Cochran-Armitage-Test",
    "poisson_trend": "Poisson-Trendtest",
    "mann_kendall": "Mann-Kendall-Test",
}
SEVERITY = {1: "Hinweis", 2: "Warnung", 3: "Alarm"}
DIRECTIONAL = ("higher_worse", "higher_better")

BETTER, SIMILAR, WORSE, UNTESTABLE = "signifikant besser", "ähnlich", "signifikant schlechter", "nicht prüfbar"
RISING, FALLING, FLAT = "steigend", "fallend", "gleichbleibend"
INDEX_INDICATOR = "index"
ATTENTION_RULE = "aufmerksamkeit"

TOP_FIELDS = {
    "version",
    "confidence",
    "min_population",
    "max_data_age",
    "index",
    "status",
    "dynamics",
    "attention",
    "statistics",
    "rules",
}
RULE_FIELDS = {
    "worse_than_city": {"indicator", "rule", "severity", "confidence", "min_difference"},
    "worsening_trend": {"indicator", "rule", "severity", "years", "alpha", "min_change", "overdispersion"},
    "threshold": {"indicator", "rule", "severity", "value", "significant", "confidence"},
}

FLAG_COLUMNS = [
    "area_code",
    "area_name",
    "indicator",
    "rule",
    "reason",
    "year_used",
    "severity",
    "severity_label",
    "value",
    "lower",
    "upper",
    "city_value",
    "p_value",
    "target_groups",
]


# -- configuration ----------------------------------------------------------------------


@dataclass
class IndexIndicator:
    id: str
    direction: str
    weight: float = 1.0
    min_denominator: float | None = None


@dataclass
class Rule:
    number: int
    indicator: str
    type: str
    direction: str
    severity: int = 2
    confidence: float | None = None  # None: the global level
    min_difference: float = 0.0
    years: int = 5
    alpha: float = 0.05
    min_change: float = 0.0
    overdispersion: bool = True
    value: float | None = None
    significant: bool = False


@dataclass
class Statistics:
    ci: str
    count: Term | None = None
    scale: float = 100.0


@dataclass
class AttentionRule:
    status: tuple[str, ...] | None
    dynamics: tuple[str, ...] | None
    severity: int = 2


@dataclass
class WarningConfig:
    source: str
    catalogue: Catalogue
    index: list[IndexIndicator]
    status_thresholds: list[float]
    status_classes: list[str]
    dynamics_period: int
    dynamics_thresholds: list[float]
    dynamics_classes: list[str]
    min_population: float = 300
    confidence: float = 0.95
    max_data_age: int = 2
    weighted: bool = True
    attention: list[AttentionRule] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    statistics: dict[str, Statistics] = field(default_factory=dict)

    def indicator(self, indicator_id: str) -> Indicator:
        return self.catalogue.indicators[indicator_id]

    def ci_method(self, indicator_id: str) -> str:
        """wilson (proportion), poisson (rate per population) or none (no counts)."""
        if indicator_id in self.statistics:
            return self.statistics[indicator_id].ci
        indicator = self.indicator(indicator_id)
        if indicator.denominator is None:
            return "none"
        return "wilson" if indicator.factor == 100 else "poisson"

    def needed(self) -> list[str]:
        """Indicator ids the system reads: population, index, rules (in this order, unique)."""
        ids = [POPULATION_INDICATOR] + [i.id for i in self.index] + [r.indicator for r in self.rules]
        return list(dict.fromkeys(ids))


def _number(
    raw,
    where: str,
    name: str,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or (isinstance(raw, float) and math.isnan(raw)):
        raise CatalogueError(f"{where}: field '{name}': {raw!r} is not a number (write decimals with a point)")
    if integer and int(raw) != raw:
        raise CatalogueError(f"{where}: field '{name}': {raw!r} must be a whole number")
    if low is not None and (raw < low or (low_open and raw == low)):
        raise CatalogueError(f"{where}: field '{name}': {raw!r} must be {'above' if low_open else 'at least'} {low}")
    if high is not None and (raw > high or (high_open and raw == high)):
        raise CatalogueError(f"{where}: field '{name}': {raw!r} must be {'below' if high_open else 'at most'} {high}")
    return int(raw) if integer else float(raw)


def _classes(raw, where: str) -> tuple[list[float], list[str]]:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: needs 'thresholds' and 'classes'")
    thresholds, classes = raw.get("thresholds"), raw.get("classes")
    if not isinstance(thresholds, list) or not thresholds:
        raise CatalogueError(f"{where}: field 'thresholds': needs a list of numbers")
    values = [_number(t, where, "thresholds") for t in thresholds]
    for before, after in zip(values, values[1:]):
        if not after > before:
            raise CatalogueError(
                f"{where}: field 'thresholds': thresholds must increase ({before} is followed by {after})"
            )
    if not isinstance(classes, list) or len(classes) != len(values) + 1:
        raise CatalogueError(
            f"{where}: field 'classes': needs {len(values) + 1} class names "
            f"(one more than thresholds), found {classes!r}"
        )
    names = [str(c) for c in classes]
    if len(set(names)) != len(names):
        raise CatalogueError(f"{where}: field 'classes': class names must differ")
    return values, names


def _indicator_id(raw, where: str, catalogue: Catalogue, name: str = "indicator") -> str:
    if raw not in catalogue.indicators:
        raise CatalogueError(f"{where}: field '{name}': unknown indicator {raw!r} (not in indicators.yml)")
    return raw


def _direction(raw, indicator: Indicator, where: str) -> str:
    catalogue_direction = indicator.direction
    if raw is None:
        if catalogue_direction not in DIRECTIONAL:
            raise CatalogueError(
                f"{where}: field 'direction': indicator {indicator.id!r} is neutral in indicators.yml; "
                "a warning needs a direction (higher_worse or higher_better)"
            )
        return catalogue_direction
    if raw not in DIRECTIONAL:
        raise CatalogueError(f"{where}: field 'direction': {raw!r} is not one of {list(DIRECTIONAL)}")
    if catalogue_direction in DIRECTIONAL and raw != catalogue_direction:
        raise CatalogueError(f"{where}: field 'direction': {raw!r} contradicts indicators.yml ({catalogue_direction})")
    return raw


def parse_config(raw: dict, catalogue: Catalogue, source: str = "fruehwarnsystem.yml") -> WarningConfig:
    """Validate a configuration given as a dict (as read from the YAML file)."""
    if not isinstance(raw, dict):
        raise CatalogueError(f"{source}: the file must hold a mapping (index, status, dynamics, rules, ...)")
    unknown = set(raw) - TOP_FIELDS
    if unknown:
        raise CatalogueError(
            f"{source}: field {sorted(unknown)[0]!r}: unknown field (known: {', '.join(sorted(TOP_FIELDS))})"
        )
    for name in ("index", "status", "dynamics"):
        if name not in raw:
            raise CatalogueError(f"{source}: field '{name}': missing")
    confidence = _number(raw.get("confidence", 0.95), source, "confidence", 0, 1, low_open=True, high_open=True)
    min_population = _number(raw.get("min_population", 300), source, "min_population", 0)
    max_data_age = _number(raw.get("max_data_age", 2), source, "max_data_age", 0, integer=True)

    index_raw = raw["index"]
    if (
        not isinstance(index_raw, dict)
        or not isinstance(index_raw.get("indicators"), list)
        or not index_raw["indicators"]
    ):
        raise CatalogueError(f"{source}: index: field 'indicators': needs a list of indicators")
    index: list[IndexIndicator] = []
    for number, entry in enumerate(index_raw["indicators"], start=1):
        entry = {"id": entry} if isinstance(entry, str) else entry
        where = f"{source}: index entry {number} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: needs 'id'")
        extra = set(entry) - {"id", "direction", "weight", "min_denominator"}
        if extra:
            raise CatalogueError(f"{where}: field {sorted(extra)[0]!r}: unknown field")
        ident = _indicator_id(entry.get("id"), where, catalogue, "id")
        if ident in [i.id for i in index]:
            raise CatalogueError(f"{where}: field 'id': {ident!r} is listed twice")
        direction = _direction(entry.get("direction"), catalogue.indicators[ident], where)
        weight = _number(entry.get("weight", 1), where, "weight", 0, low_open=True)
        min_den = entry.get("min_denominator")
        if min_den is not None:
            min_den = _number(min_den, where, "min_denominator", 0)
            if catalogue.indicators[ident].denominator is None and ident not in (raw.get("statistics") or {}):
                raise CatalogueError(f"{where}: field 'min_denominator': {ident!r} has no denominator")
        index.append(IndexIndicator(ident, direction, weight, min_den))
    weighted = index_raw.get("weighted", True)
    if not isinstance(weighted, bool):
        raise CatalogueError(f"{source}: index: field 'weighted': must be true or false")

    status_thresholds, status_classes = _classes(raw["status"], f"{source}: status")
    dynamics_raw = raw["dynamics"]
    dynamics_thresholds, dynamics_classes = _classes(dynamics_raw, f"{source}: dynamics")
    period = _number(dynamics_raw.get("period", 2), f"{source}: dynamics", "period", 1, integer=True)

    attention = []
    for number, entry in enumerate(raw.get("attention") or [], start=1):
        where = f"{source}: attention entry {number}"
        if not isinstance(entry, dict) or not ({"status", "dynamics"} & set(entry)):
            raise CatalogueError(f"{where}: needs 'status' and/or 'dynamics' (lists of class names)")
        extra = set(entry) - {"status", "dynamics", "severity"}
        if extra:
            raise CatalogueError(f"{where}: field {sorted(extra)[0]!r}: unknown field")
        parts = {}
        for name, known in (("status", status_classes), ("dynamics", dynamics_classes)):
            value = entry.get(name)
            if value is None:
                parts[name] = None
                continue
            value = [value] if isinstance(value, str) else value
            bad = [v for v in value if v not in known]
            if bad or not value:
                raise CatalogueError(f"{where}: field '{name}': {bad[0] if bad else value!r} is not one of {known}")
            parts[name] = tuple(value)
        severity = _number(entry.get("severity", 2), where, "severity", 1, 3, integer=True)
        attention.append(AttentionRule(parts["status"], parts["dynamics"], severity))

    statistics = {}
    for ident, entry in (raw.get("statistics") or {}).items():
        where = f"{source}: statistics entry {ident!r}"
        _indicator_id(ident, where, catalogue, "indicator")
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: needs 'ci' and/or 'count'")
        extra = set(entry) - {"ci", "count", "scale"}
        if extra:
            raise CatalogueError(f"{where}: field {sorted(extra)[0]!r}: unknown field")
        count = entry.get("count")
        if count is not None:
            if not isinstance(count, dict) or not {"dataset", "feature"} <= set(count):
                raise CatalogueError(f"{where}: field 'count': needs 'dataset' and 'feature'")
            if catalogue.indicators[ident].denominator is not None:
                raise CatalogueError(f"{where}: field 'count': {ident!r} already has a denominator in indicators.yml")
            count = Term(str(count["dataset"]), str(count["feature"]))
        ci = entry.get("ci", "wilson" if count else None)
        if ci not in CI_METHODS:
            raise CatalogueError(f"{where}: field 'ci': {ci!r} is not one of {list(CI_METHODS)}")
        if ci != "none" and count is None and catalogue.indicators[ident].denominator is None:
            raise CatalogueError(
                f"{where}: field 'ci': {ci!r} needs counts; {ident!r} has no denominator, name a 'count' feature"
            )
        scale = _number(entry.get("scale", 100), where, "scale", 0, low_open=True)
        statistics[ident] = Statistics(ci, count, scale)

    rules = []
    for number, entry in enumerate(raw.get("rules") or [], start=1):
        label = entry.get("indicator", "?") if isinstance(entry, dict) else "?"
        where = f"{source}: rules entry {number} ({label})"
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: needs 'indicator' and 'rule'")
        ident = _indicator_id(entry.get("indicator"), where, catalogue)
        kind = entry.get("rule")
        if kind not in RULE_TYPES:
            raise CatalogueError(f"{where}: field 'rule': unknown rule type {kind!r} (known: {', '.join(RULE_TYPES)})")
        extra = set(entry) - RULE_FIELDS[kind]
        if extra:
            raise CatalogueError(
                f"{where}: field {sorted(extra)[0]!r}: not a field of rule type {kind!r} "
                f"(known: {', '.join(sorted(RULE_FIELDS[kind]))})"
            )
        indicator = catalogue.indicators[ident]
        if indicator.direction not in DIRECTIONAL:
            raise CatalogueError(
                f"{where}: field 'indicator': {ident!r} is neutral in indicators.yml; "
                f"rule {kind!r} needs a direction (better or worse)"
            )
        rule = Rule(
            number,
            ident,
            kind,
            indicator.direction,
            severity=_number(entry.get("severity", 2), where, "severity", 1, 3, integer=True),
        )
        if "confidence" in entry:
            rule.confidence = _number(entry["confidence"], where, "confidence", 0, 1, low_open=True, high_open=True)
        if kind == "worse_than_city":
            rule.min_difference = _number(entry.get("min_difference", 0), where, "min_difference", 0)
        elif kind == "worsening_trend":
            rule.years = _number(entry.get("years", 5), where, "years", 3, integer=True)
            rule.alpha = _number(
                entry.get("alpha", round(1 - confidence, 10)), where, "alpha", 0, 1, low_open=True, high_open=True
            )
            rule.min_change = _number(entry.get("min_change", 0), where, "min_change", 0)
            rule.overdispersion = entry.get("overdispersion", True)
            if not isinstance(rule.overdispersion, bool):
                raise CatalogueError(f"{where}: field 'overdispersion': must be true or false")
        else:
            if "value" not in entry:
                raise CatalogueError(f"{where}: field 'value': missing (the threshold in the indicator's unit)")
            rule.value = _number(entry["value"], where, "value")
            significant = entry.get("significant", False)
            if not isinstance(significant, bool):
                raise CatalogueError(f"{where}: field 'significant': must be true or false")
            rule.significant = significant
        rules.append(rule)

    return WarningConfig(
        source=source,
        catalogue=catalogue,
        index=index,
        status_thresholds=status_thresholds,
        status_classes=status_classes,
        dynamics_period=period,
        dynamics_thresholds=dynamics_thresholds,
        dynamics_classes=dynamics_classes,
        min_population=min_population,
        confidence=confidence,
        max_data_age=max_data_age,
        weighted=weighted,
        attention=attention,
        rules=rules,
        statistics=statistics,
    )


def load_config(path: Path | str = CONFIG_PATH, catalogue: Catalogue | None = None) -> WarningConfig:
    """Read and validate data/fruehwarnsystem.yml; errors name file, entry and field."""
    path = Path(path)
    try:
        raw = project_config.load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"{path}: file not found") from None
    except yaml.YAMLError as error:
        raise CatalogueError(f"{path}: not valid YAML: {error}") from None
    return parse_config(raw or {}, catalogue or read_catalogue(), str(path))


# -- values -------------------------------------------------------------------------------


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


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson_interval(successes, trials, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportions successes/trials (vectorised; proportions 0..1).

    NaN where trials is missing or not positive, or successes is missing or outside 0..trials.
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        bad = ~np.isfinite(p) | (n <= 0) | (x < 0) | (x > n)
        lower = np.where(bad, np.nan, np.where(x == 0, 0.0, np.clip(centre - half, 0, 1)))
        upper = np.where(bad, np.nan, np.where(x == n, 1.0, np.clip(centre + half, 0, 1)))
    return lower, upper


def poisson_interval(events, exposure, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the exact Poisson interval for the rate events/exposure (vectorised)."""
    x = np.asarray(events, dtype=float)
    n = np.asarray(exposure, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        low_count = np.where(x > 0, x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3, 0.0)
        x1 = x + 1
        high_count = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
        bad = ~np.isfinite(x) | ~np.isfinite(n) | (n <= 0) | (x < 0)
        lower = np.where(bad, np.nan, low_count / n)
        upper = np.where(bad, np.nan, high_count / n)
    return lower, upper


def rate_interval(numerator, denominator, factor: float, method: str, confidence: float):
    """Interval of value = numerator / denominator * factor with ``method`` wilson|poisson|none."""
    if method == "wilson":
        lower, upper = wilson_interval(numerator, denominator, confidence)
    elif method == "poisson":
        lower, upper = poisson_interval(numerator, denominator, confidence)
    else:
        shape = np.shape(np.asarray(numerator, dtype=float))
        return np.full(shape, np.nan), np.full(shape, np.nan)
    return lower * factor, upper * factor


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


def _normal_p(z: float) -> float:
    return 2 * (1 - NormalDist().cdf(abs(z)))


def _student_p(t: float, df: int) -> float:
    """Two-sided p of Student's t with an integer ``df`` ≥ 1 (Abramowitz & Stegun 26.7.3–4)."""
    theta = math.atan(abs(t) / math.sqrt(df))
    sin, cos = math.sin(theta), math.cos(theta)
    if df % 2:  # odd
        term, total = cos, cos if df > 1 else 0.0
        for k in range(1, (df - 3) // 2 + 1):
            term *= cos * cos * (2 * k) / (2 * k + 1)
            total += term
        inside = 2 / math.pi * (theta + sin * total)
    else:
        term = total = 1.0
        for k in range(1, (df - 2) // 2 + 1):
            term *= cos * cos * (2 * k - 1) / (2 * k)
            total += term
        inside = sin * total
    return max(0.0, min(1.0, 1 - inside))


def _mahonian(n: int) -> list[int]:
    """Number of permutations of n items by number of inversions."""
    counts = [1]
    for k in range(2, n + 1):
        new = [0] * (len(counts) + k - 1)
        for inversions, ways in enumerate(counts):
            for extra in range(k):
                new[inversions + extra] += ways
        counts = new
    return counts


def mann_kendall(years, values) -> dict:
    """Mann–Kendall test: S, two-sided p (exact without ties for n <= 10), Sen's slope."""
    t = np.asarray(years, dtype=float)
    x = np.asarray(values, dtype=float)
    n = len(x)
    s = 0
    slopes = []
    for i in range(n - 1):
        for j in range(i + 1, n):
            s += int(np.sign(x[j] - x[i]))
            slopes.append((x[j] - x[i]) / (t[j] - t[i]))
    _, ties = np.unique(x, return_counts=True)
    has_ties = bool((ties > 1).any())
    if s == 0:
        p = 1.0
    elif not has_ties and n <= 10:
        counts = _mahonian(n)
        pairs = n * (n - 1) // 2
        # S = pairs - 2 * inversions; P(|S| >= |s|) = 2 * P(inversions <= (pairs - |s|) / 2)
        limit = (pairs - abs(s)) // 2
        p = min(1.0, 2 * sum(counts[: limit + 1]) / math.factorial(n))
    else:
        variance = (n * (n - 1) * (2 * n + 5) - sum(t_ * (t_ - 1) * (2 * t_ + 5) for t_ in ties)) / 18
        p = _normal_p((s - np.sign(s)) / math.sqrt(variance)) if variance > 0 else 1.0
    return {"statistic": float(s), "p_value": float(p), "slope": float(np.median(slopes)) if slopes else math.nan}


def _score_trend(t, x, n, proportion: bool) -> tuple[float, float]:
    """Cochran–Armitage (proportion) or Poisson score test for a linear trend: (z, p two-sided)."""
    total, events = n.sum(), x.sum()
    mean_t = (n * t).sum() / total
    statistic = (x * (t - mean_t)).sum()
    rate = events / total
    variance = rate * (1 - rate if proportion else 1) * (n * (t - mean_t) ** 2).sum()
    if not variance > 0:
        return 0.0, 1.0
    z = statistic / math.sqrt(variance)
    return float(z), float(_normal_p(z))


def dispersion(t, x, n, proportion: bool) -> float:
    """Pearson dispersion φ of the counts around the fitted linear trend of x/n (quasi-likelihood).

    φ = Σ (x_j − n_j p̂_j)² / Var_j / (T − 2), with p̂_j the n-weighted least-squares line and
    Var_j = n_j p̂_j (1 − p̂_j) (proportions) or n_j p̂_j (rates). Real small-area counts vary more
    from year to year than binomial or Poisson counts (φ > 1); the trend test then overstates its
    certainty. NaN with fewer than 4 values (too few degrees of freedom to estimate φ).
    """
    if len(t) < 4:
        return math.nan
    p = x / n
    mean_t = (n * t).sum() / n.sum()
    mean_p = (n * p).sum() / n.sum()
    sxx = (n * (t - mean_t) ** 2).sum()
    slope = (n * (t - mean_t) * (p - mean_p)).sum() / sxx if sxx > 0 else 0.0
    fitted = np.clip(mean_p + slope * (t - mean_t), 1e-12, 1 - 1e-12 if proportion else np.inf)
    variance = n * fitted * ((1 - fitted) if proportion else 1)
    return float(((x - n * fitted) ** 2 / variance).sum() / (len(t) - 2))


def trend_test(series: pd.DataFrame, years: int | None = 5, method: str = "auto", overdispersion: bool = False) -> dict:
    """Test for a trend over the last ``years`` values of one area.

    ``series``: columns year, value and (for count-based rates) numerator, denominator.
    method: cochran_armitage (proportions from counts; the Cochran–Armitage test for trend
    with the years as scores), poisson_trend (events per population: the analogous score
    test of a log-linear Poisson model), mann_kendall (values without counts), or auto
    (Cochran–Armitage when counts exist, else Mann–Kendall).

    Returns a dict: method, n, first_year, last_year, first_value, last_value, slope (change of
    the value per year: count-weighted least squares for the count tests, Sen's slope for
    Mann–Kendall), direction ('steigend'|'fallend'|'gleichbleibend'), statistic (z or S),
    p_value (two-sided; NaN when fewer than 3 values), dispersion (φ of the count tests, see
    ``dispersion``; NaN otherwise). With ``overdispersion`` the count tests divide z by √φ when
    φ > 1 and take p from Student's t with T − 2 degrees of freedom (a quasi-binomial or
    quasi-Poisson score test with estimated dispersion).
    """

    # plain arrays, not DataFrame filtering: the build runs this about 500 times per edition
    def column(name: str) -> np.ndarray:
        return series[name].to_numpy(dtype=float, na_value=np.nan)

    year, value = column("year"), column("value")
    keep = ~np.isnan(value)
    has_counts = {"numerator", "denominator"} <= set(series.columns)
    if method in ("auto", "cochran_armitage", "poisson_trend"):
        if has_counts:
            numerator, denominator = column("numerator"), column("denominator")
            keep &= ~np.isnan(numerator) & ~np.isnan(denominator) & (np.nan_to_num(denominator) > 0)
        if method == "auto":
            method = "cochran_armitage" if has_counts and keep.any() else "mann_kendall"
        elif not has_counts:
            raise SozialberichtError(f"trend_test: method {method!r} needs numerator and denominator counts")
    rows = np.flatnonzero(keep)
    rows = rows[np.argsort(year[rows], kind="stable")]
    if years:
        rows = rows[-int(years) :]
    result = {
        "method": method,
        "n": len(rows),
        "first_year": None,
        "last_year": None,
        "first_value": math.nan,
        "last_value": math.nan,
        "slope": math.nan,
        "direction": FLAT,
        "statistic": math.nan,
        "p_value": math.nan,
        "dispersion": math.nan,
    }
    if not len(rows):
        return result
    t, v = year[rows], value[rows]
    result.update(first_year=int(t[0]), last_year=int(t[-1]), first_value=float(v[0]), last_value=float(v[-1]))
    if len(rows) < 3:
        return result
    if method == "mann_kendall":
        test = mann_kendall(t, v)
        slope, statistic, p = test["slope"], test["statistic"], test["p_value"]
    else:
        x = column("numerator")[rows]
        n = column("denominator")[rows]
        proportion = method == "cochran_armitage"
        statistic, p = _score_trend(t, x, n, proportion=proportion)
        phi = dispersion(t, x, n, proportion=proportion)
        result["dispersion"] = phi
        if overdispersion and phi > 1:
            # φ is estimated from T − 2 degrees of freedom: compare with Student's t, not the normal
            statistic = statistic / math.sqrt(phi)
            p = _student_p(statistic, len(t) - 2)
        mean_t = (n * t).sum() / n.sum()
        mean_v = (n * v).sum() / n.sum()
        sxx = (n * (t - mean_t) ** 2).sum()
        slope = float((n * (t - mean_t) * (v - mean_v)).sum() / sxx) if sxx > 0 else math.nan
    direction = RISING if slope > 0 else FALLING if slope < 0 else FLAT
    result.update(slope=float(slope), direction=direction, statistic=float(statistic), p_value=float(p))
    return result


# -- status and dynamics -------------------------------------------------------------------


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
    index indicator ``<id>_year``, ``<id>_value``, ``<id>_z``, ``<id>_change``, ``<id>_dz``; then
    status_index, status_class, dynamics_index, dynamics_class, group, attention,
    attention_severity, note.
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
    for item in config.index:
        y = used[item.id]
        now, before = frames[item.id]
        sign = _sign(item.direction)
        table[f"{item.id}_year"] = y
        table[f"{item.id}_value"] = now["value"]
        z = standardise(now["value"].where(classed), weights) * sign
        change = now["value"] - before["value"]
        table[f"{item.id}_z"] = z
        table[f"{item.id}_change"] = change
        dz = standardise(change.where(classed), weights) * sign
        table[f"{item.id}_dz"] = dz
        if y is None:
            for code in table.index:
                notes[code].append(f"{config.indicator(item.id).short}: kein aktueller Wert")
            continue
        status_parts.append((item.weight, z))
        dynamics_parts.append((item.weight, dz))
        for code in table.index[classed & now["value"].isna()]:
            notes[code].append(f"{config.indicator(item.id).short} {y}: kein Wert")
        for code in table.index[classed & now["value"].notna() & before["value"].isna()]:
            notes[code].append(f"{config.indicator(item.id).short} {y - period}: kein Wert (keine Dynamik)")

    def combine(parts):
        if not parts:
            return pd.Series(np.nan, index=table.index)
        total = sum(w for w, _ in parts)
        summed = sum(w * s for w, s in parts) / total  # NaN if any part is NaN
        return standardise(summed.where(classed), weights)

    table["status_index"] = combine(status_parts)
    table["status_class"] = classify(table["status_index"], config.status_thresholds, config.status_classes)
    table["dynamics_index"] = combine(dynamics_parts)
    table["dynamics_class"] = classify(table["dynamics_index"], config.dynamics_thresholds, config.dynamics_classes)
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
    return result


# -- flags -------------------------------------------------------------------------------


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


def _format_p(p: float) -> str:
    return "p < 0,001" if p < 0.001 else f"p = {fmt.number(p, 3)}"


def _empty_flags() -> pd.DataFrame:
    return pd.DataFrame(columns=FLAG_COLUMNS)


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
        "target_groups": [],
    }
    record.update(numbers)
    return record


def _rule_worse_than_city(values, year, config, rule, indicator) -> list[dict]:
    level = rule.confidence or config.confidence
    compared = compare_with_city(values, year, config, confidence=level)
    hits = compared[compared["comparison"] == WORSE]
    hits = hits[(hits["value"] - hits["city_value"]).abs() >= rule.min_difference]
    side = "über" if indicator.direction == "higher_worse" else "unter"
    records = []
    for _, row in hits.iterrows():
        reason = (
            f"{indicator.short} {row['year']} mit {format_value(indicator, row['value'])} signifikant {side} "
            f"dem Stadtwert von {format_value(indicator, row['city_value'])} ({_interval_label(level)} "
            f"{fmt.number(row['lower'], indicator.decimals)}–{fmt.number(row['upper'], indicator.decimals)})"
        )
        records.append(
            _flag(
                row,
                indicator.id,
                rule.type,
                reason,
                int(row["year"]),
                rule.severity,
                value=row["value"],
                lower=row["lower"],
                upper=row["upper"],
                city_value=row["city_value"],
            )
        )
    return records


def _rule_threshold(values, year, config, rule, indicator) -> list[dict]:
    level = rule.confidence or config.confidence
    compared = compare_with_city(values, year, config, confidence=level)
    higher_worse = indicator.direction == "higher_worse"
    side = "über" if higher_worse else "unter"
    beyond = compared["value"] > rule.value if higher_worse else compared["value"] < rule.value
    if rule.significant:
        beyond = compared["lower"] > rule.value if higher_worse else compared["upper"] < rule.value
    records = []
    for _, row in compared[beyond.fillna(False).astype(bool)].iterrows():
        reason = f"{indicator.short} {row['year']} mit {format_value(indicator, row['value'])} "
        if rule.significant:
            reason += (
                f"signifikant {side} dem Schwellenwert von {format_value(indicator, rule.value)} "
                f"({_interval_label(level)} {fmt.number(row['lower'], indicator.decimals)}–"
                f"{fmt.number(row['upper'], indicator.decimals)})"
            )
        else:
            reason += f"{side} dem Schwellenwert von {format_value(indicator, rule.value)}"
        records.append(
            _flag(
                row,
                indicator.id,
                rule.type,
                reason,
                int(row["year"]),
                rule.severity,
                value=row["value"],
                lower=row["lower"],
                upper=row["upper"],
                city_value=row["city_value"],
            )
        )
    return records


def _rule_trend(values, year, config, rule, indicator) -> list[dict]:
    used = year_used(values, year)
    method = TREND_METHODS[config.ci_method(indicator.id)]
    ot = values[(values["level"] == ORTSTEIL) & (values["year"] <= used)]
    bad = RISING if indicator.direction == "higher_worse" else FALLING
    noun = "Anstieg" if bad == RISING else "Rückgang"
    records = []
    for _code, rows in ot.groupby("area_code", sort=True):
        result = trend_test(
            rows[["year", "value", "numerator", "denominator"]], rule.years, method, overdispersion=rule.overdispersion
        )
        if result["n"] < rule.years or result["last_year"] != used or math.isnan(result["p_value"]):
            continue
        change = result["last_value"] - result["first_value"]
        if result["direction"] != bad or result["p_value"] >= rule.alpha:
            continue
        if abs(change) < rule.min_change or (change > 0) != (bad == RISING):
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
            + f", {_format_p(result['p_value'])})"
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
            )
        )
    return records


RULES = {"worse_than_city": _rule_worse_than_city, "worsening_trend": _rule_trend, "threshold": _rule_threshold}


def attention_reason(row, config: WarningConfig) -> str:
    """'Status sehr niedrig / Dynamik stabil (Statusindex 1,8; Dynamikindex 0,4; Werte 2022)'."""
    years = sorted({int(row[f"{i.id}_year"]) for i in config.index if pd.notna(row.get(f"{i.id}_year"))})
    year_text = f"; Werte {fmt.join_names([str(y) for y in years])}" if years else ""
    return (
        f"Gruppe „{row['group']}“ (Statusindex {_num(row['status_index'])}; "
        f"Dynamikindex {_num(row['dynamics_index'])}{year_text})"
    )


def flags(
    values_by_indicator: dict, year: int, config: WarningConfig, population=None, status: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Ortsteile needing attention: one row per rule that fires (and per index attention).

    Ortsteile below the minimum population are not flagged (like Hamburg). Ortsteile that are
    only too small for a stable index rate keep their rule flags: the intervals and trend tests
    already account for small counts. A rule whose
    indicator has no value within ``max_data_age`` years of ``year`` is skipped (see
    ``years_used``). ``status``: a precomputed ``status_dynamics`` table (optional).

    Columns: area_code, area_name, indicator, rule, reason, year_used, severity (1–3),
    severity_label, value, lower, upper, city_value, p_value, target_groups (empty lists, for
    the target-group mapping). Sorted by severity (highest first), area_code, rule order.
    """
    if status is None:
        status = status_dynamics(values_by_indicator, year, config, population)
    small = set(status.loc[status["small_population"], "area_code"])
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
            )
        )
    for rule in config.rules:
        values = _values(values_by_indicator, rule.indicator)
        if _usable_year(values, year, config) is None:
            continue
        for record in RULES[rule.type](values, year, config, rule, config.indicator(rule.indicator)):
            record["_order"] = rule.number
            records.append(record)
    if not records:
        return _empty_flags()
    frame = pd.DataFrame(records)
    frame = frame[~frame["area_code"].isin(small)]
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


def run(values_by_indicator: dict, year: int, config: WarningConfig, population=None) -> Result:
    """Everything the chapter shows for one edition: status table, flags, changes against year - 1."""
    status = status_dynamics(values_by_indicator, year, config, population)
    current = flags(values_by_indicator, year, config, population, status=status)
    previous = flags(values_by_indicator, year - 1, config, population)
    return Result(
        int(year),
        status,
        current,
        previous,
        changes_since(previous, current),
        years_used(values_by_indicator, year, config),
    )


# -- methods appendix --------------------------------------------------------------------

DIRECTION_TEXT = {"higher_worse": "höherer Wert ungünstiger", "higher_better": "höherer Wert günstiger"}
CI_TEXT = {
    "wilson": "Wilson-Intervall (Anteil)",
    "poisson": "Poisson-Intervall nach Byar (Rate)",
    "none": "kein Intervall (keine Zählgrößen veröffentlicht)",
}


def _num(value: float, decimals: int = 2) -> str:
    text = fmt.number(value, decimals)
    return text.replace("-", "−")


def _class_table(thresholds: list[float], classes: list[str], title: str) -> list[str]:
    lines = [f"| {title} | Indexwert |", "|---|---|"]
    for position, name in enumerate(classes):
        low = thresholds[position - 1] if position > 0 else None
        high = thresholds[position] if position < len(thresholds) else None
        if low is None:
            text = f"unter {_num(high)}"
        elif high is None:
            text = f"ab {_num(low)}"
        else:
            text = f"{_num(low)} bis unter {_num(high)}"
        lines.append(f"| {name} | {text} |")
    return lines


def describe_rule(rule: Rule, config: WarningConfig) -> str:
    """A rule in words (German)."""
    indicator = config.indicator(rule.indicator)
    level = rule.confidence or config.confidence
    worse = "höher" if rule.direction == "higher_worse" else "niedriger"
    if rule.type == "worse_than_city":
        text = (
            f"{indicator.short}: signifikant ungünstiger als der Stadtwert (das {_interval_label(level)} des "
            f"Ortsteils liegt ganz {'über' if worse == 'höher' else 'unter'} dem Stadtwert)"
        )
        if rule.min_difference:
            text += f" und mindestens {format_change(indicator, rule.min_difference).lstrip('+')} Abstand"
        return text
    if rule.type == "worsening_trend":
        method = TREND_NAMES[TREND_METHODS[config.ci_method(rule.indicator)]]
        text = (
            f"{indicator.short}: signifikanter Trend zu {worse}en (ungünstigeren) Werten über die letzten "
            f"{rule.years} Werte "
            f"({method}, zweiseitig, α = {fmt.number(rule.alpha, 3).rstrip('0').rstrip(',')})"
        )
        if rule.min_change:
            text += (
                f" und eine Veränderung vom ersten zum letzten dieser Werte um mindestens "
                f"{format_change(indicator, rule.min_change).lstrip('+')}"
            )
        if rule.overdispersion and method != TREND_NAMES["mann_kendall"]:
            text += "; Schwankungen über den Zufall hinaus (Überdispersion) berücksichtigt"
        return text
    side = "über" if worse == "höher" else "unter"
    text = f"{indicator.short}: Wert {side} dem Schwellenwert von {format_value(indicator, rule.value)}"
    if rule.significant:
        text += f" (das ganze {_interval_label(level)} {side} dem Schwellenwert)"
    return text


def method_text(config: WarningConfig) -> str:
    """The methods appendix (German Markdown, MyST math) generated from the configuration."""
    level = _interval_label(config.confidence)
    conf_pct = fmt.number(config.confidence * 100, 0)
    z_value = fmt.number(_z(config.confidence), 3)
    index_rows = ["| Indikator | Definition | Richtung | Gewicht | Statistik |", "|---|---|---|---|---|"]
    for item in config.index:
        indicator = config.indicator(item.id)
        extra = f"; Nenner mindestens {fmt.number(item.min_denominator)}" if item.min_denominator else ""
        index_rows.append(
            f"| {indicator.title} (`{item.id}`) | {indicator.definition} | "
            f"{DIRECTION_TEXT[item.direction]} | {fmt.number(item.weight, 1)} | "
            f"{CI_TEXT[config.ci_method(item.id)]}{extra} |"
        )
    derived = [
        f"- {config.indicator(i).title}: veröffentlichter Anteil ohne Nenner; als Zähler dient "
        f"„{s.count.feature}“ (Datensatz `{s.count.dataset}`), der Nenner wird als "
        f"Zähler / (Anteil / {fmt.number(s.scale)}) zurückgerechnet und auf ganze Personen gerundet."
        for i, s in config.statistics.items()
        if s.count is not None
    ]
    attention = []
    for entry in config.attention:
        parts = []
        if entry.status:
            parts.append("Status " + " oder ".join(f"„{c}“" for c in entry.status))
        if entry.dynamics:
            parts.append("Dynamik " + " oder ".join(f"„{c}“" for c in entry.dynamics))
        attention.append(f"- {' und '.join(parts)} (Stufe: {SEVERITY[entry.severity]})")
    rules = [f"- {describe_rule(r, config)} – {SEVERITY[r.severity]}" for r in config.rules]
    weighting = (
        "mit der Einwohnerzahl $w_i$ des Ortsteils gewichtet"
        if config.weighted
        else "ungewichtet ($w_i = 1$ für jeden Ortsteil)"
    )
    period = config.dynamics_period
    text = f"""
## Frühwarnsystem: Methode

Das Frühwarnsystem folgt dem Berliner *Monitoring Soziale Stadtentwicklung* (Status und Dynamik
weniger Indexindikatoren, standardisiert, in Klassen eingeteilt) und dem Hamburger
*Sozialmonitoring* (kleine Gebiete werden nicht eingestuft). Wie die englischen *Fingertips*-Profile
vergleicht es zusätzlich jeden Ortsteil über Konfidenzintervalle mit dem Stadtwert und prüft Trends
statistisch, damit kleine Ortsteile nicht wegen Zufallsschwankungen markiert werden. Alle
Festlegungen stehen in der Konfiguration des Frühwarnsystems (Anhang „Technische Angaben“); dieser
Abschnitt wird aus ihr erzeugt.

### Datenstand

Für ein Berichtsjahr $J$ wird je Indikator der letzte Jahrgang $j \\le J$ verwendet, für den ein
Stadtwert und Ortsteilwerte vorliegen. Ist $J - j$ größer als {config.max_data_age} Jahre, bleibt der
Indikator in diesem Berichtsjahr unberücksichtigt. Der Bericht nennt den verwendeten Jahrgang.

### Index: Status und Dynamik

Indexindikatoren:

{chr(10).join(index_rows)}

Ortsteile mit weniger als {fmt.number(config.min_population)} {style.persons("Einwohner", "dat")} (Stand: Berichtsjahr oder
letzter Jahrgang davor) sowie Ortsteile, bei denen der Nenner eines Indexindikators im verwendeten
Jahrgang oder im Vergleichsjahr der Dynamik unter der angegebenen Mindestzahl liegt, gelten als
*zu klein für eine stabile Quote*: Sie werden ausgewiesen, aber nicht eingestuft und gehen nicht in
Mittelwert und Standardabweichung ein. Ortsteile unter der Mindesteinwohnerzahl werden auch von
keiner Regel markiert; für die übrigen gelten die Regeln weiter, weil Konfidenzintervalle und
Trendtests kleine Zahlen bereits berücksichtigen.

**Status.** Für jeden Indexindikator $k$ mit Wert $x_{{ik}}$ im Ortsteil $i$ wird über die
eingestuften Ortsteile {weighting} standardisiert (Einwohnerzahl im Berichtsjahr oder im letzten
Jahrgang davor):

$$\\bar x_k = \\frac{{\\sum_i w_i x_{{ik}}}}{{\\sum_i w_i}}, \\qquad
s_k = \\sqrt{{\\frac{{\\sum_i w_i (x_{{ik}} - \\bar x_k)^2}}{{\\sum_i w_i}}}}, \\qquad
z_{{ik}} = d_k \\, \\frac{{x_{{ik}} - \\bar x_k}}{{s_k}}$$

mit $d_k = +1$, wenn ein höherer Wert ungünstiger ist, und $d_k = -1$ sonst. Der Statusindex ist
das mit den Gewichten $g_k$ gewichtete Mittel $S_i = \\sum_k g_k z_{{ik}} / \\sum_k g_k$, das auf
dieselbe Weise noch einmal standardisiert wird (Mittel 0, Standardabweichung 1). Ein höherer
Indexwert bedeutet stärkere Benachteiligung; die erste Statusklasse („{config.status_classes[0]}“) ist
daher die günstigste, die letzte („{config.status_classes[-1]}“) die ungünstigste. Fehlt einem
Ortsteil ein Indexwert, wird er nicht eingestuft.

**Dynamik.** Statt des Stands $x_{{ik}}$ wird die Veränderung über {period} Jahre,
$\\Delta_{{ik}} = x_{{ik}}(j) - x_{{ik}}(j - {period})$, ebenso standardisiert, gemittelt und erneut
standardisiert. Ein höherer Dynamikindex bedeutet eine ungünstigere Entwicklung *als in den
anderen Ortsteilen*; er ist ein relatives Maß (die Stadt insgesamt kann sich zugleich verbessern).

**Klassen.** Ein Indexwert genau auf einer Schwelle gehört zur oberen Klasse.

{chr(10).join(_class_table(config.status_thresholds, config.status_classes, "Status"))}

{chr(10).join(_class_table(config.dynamics_thresholds, config.dynamics_classes, "Dynamik"))}

Die Gruppe eines Ortsteils ist die Kombination „Status … / Dynamik …“. **Besonderer
Aufmerksamkeitsbedarf** besteht bei:

{chr(10).join(attention) if attention else "- (keine Regel festgelegt)"}

### Konfidenzintervalle und Vergleich mit der Stadt

Für Anteile aus Zählgrößen (Zähler $x$, Nenner $n$, $\\hat p = x/n$) wird das Wilson-Intervall
zum Niveau {conf_pct} % berechnet ($z = {z_value}$):

$$\\frac{{\\hat p + \\frac{{z^2}}{{2n}} \\pm z \\sqrt{{\\frac{{\\hat p (1-\\hat p)}}{{n}} + \\frac{{z^2}}{{4n^2}}}}}}{{1 + \\frac{{z^2}}{{n}}}}$$

Für Raten, deren Zähler Ereignisse sind (z. B. Straftaten je 1.000 Einwohner/-innen), gilt
das Poisson-Intervall nach Byar:
$x_u = x\\,(1 - \\frac{{1}}{{9x}} - \\frac{{z}}{{3\\sqrt{{x}}}})^3$,
$x_o = (x+1)\\,(1 - \\frac{{1}}{{9(x+1)}} + \\frac{{z}}{{3\\sqrt{{x+1}}}})^3$, geteilt durch $n$.
Beide Grenzen werden mit dem Faktor des Indikators (100 bzw. 1.000) multipliziert.

{chr(10).join(derived)}

Werte der Bürgerumfrage und andere veröffentlichte Werte ohne Zählgrößen haben kein Intervall;
ihr Stadtvergleich ist „nicht prüfbar“.

Der Stadtwert gilt wie bei *Fingertips* als feste Bezugsgröße. Ein Ortsteil ist *signifikant
schlechter*, wenn sein ganzes {level} auf der ungünstigen Seite des Stadtwerts liegt,
*signifikant besser*, wenn es ganz auf der günstigen Seite liegt, sonst *ähnlich*.

### Trendtest

Geprüft werden die letzten $T$ vorliegenden Werte eines Ortsteils bis zum verwendeten Jahrgang
(Jahre $t_j$ als Scores).

- **Cochran-Armitage-Test** (Anteile mit Zähler $x_j$ und Nenner $n_j$): mit $N = \\sum n_j$,
  $\\bar p = \\sum x_j / N$, $\\bar t = \\sum n_j t_j / N$ ist
  $U = \\sum_j x_j (t_j - \\bar t)$, $\\operatorname{{Var}}(U) = \\bar p (1 - \\bar p) \\sum_j n_j (t_j - \\bar t)^2$
  und $Z = U / \\sqrt{{\\operatorname{{Var}}(U)}}$ standardnormalverteilt.
- **Poisson-Trendtest** (Raten von Ereignissen): wie oben, aber
  $\\operatorname{{Var}}(U) = \\bar p \\sum_j n_j (t_j - \\bar t)^2$ (Score-Test eines log-linearen
  Poisson-Modells).
- **Mann-Kendall-Test** (Werte ohne Zählgrößen): $S = \\sum_{{j<k}} \\operatorname{{sgn}}(x_k - x_j)$;
  ohne Bindungen und bis zu zehn Werten wird der p-Wert exakt aus der Verteilung von $S$ unter
  Zufallsreihenfolge berechnet, sonst mit der Normalapproximation (Bindungskorrektur,
  Stetigkeitskorrektur).

Der p-Wert ist zweiseitig; eine Regel greift, wenn er unter $\\alpha$ liegt und der Trend in die
ungünstige Richtung zeigt. Als Trend je Jahr wird die mit $n_j$ gewichtete Regressionssteigung
(Cochran-Armitage, Poisson) bzw. die Steigung nach Sen (Median der paarweisen Steigungen,
Mann-Kendall) angegeben. Weil ein kleiner Nenner die Varianz erhöht, wird ein kleiner Ortsteil
mit stark schwankender Quote seltener als signifikant markiert.

Zählwerte schwanken von Jahr zu Jahr oft stärker, als das Binomial- oder Poisson-Modell annimmt
(Überdispersion: Umzüge ganzer Familien, neue Wohnanlagen, Änderungen der Zählweise); am
stärksten wirkt das in großen Ortsteilen, deren Zufallsschwankung nach dem Modell klein ist.
Deshalb wird aus den Abweichungen der $T$ Werte von der gewichteten Trendgeraden $\\hat p_j$ der
Dispersionsfaktor $\\hat\\varphi = \\frac{{1}}{{T-2}} \\sum_j (x_j - n_j \\hat p_j)^2 / \\operatorname{{Var}}_j$
geschätzt ($\\operatorname{{Var}}_j = n_j \\hat p_j (1 - \\hat p_j)$ bzw. $n_j \\hat p_j$). Ist
$\\hat\\varphi > 1$, wird $Z$ durch $\\sqrt{{\\hat\\varphi}}$ geteilt und der p-Wert aus der
t-Verteilung mit $T-2$ Freiheitsgraden bestimmt, weil $\\hat\\varphi$ selbst aus wenigen Werten
geschätzt ist (Quasi-Likelihood). Ohne diese Korrektur hielte der Test zu viele Trends für
gesichert. Mit weniger als vier Werten wird nicht korrigiert. Die Korrektur lässt sich je Regel abschalten.

### Regeln für Markierungen

{chr(10).join(rules) if rules else "- (keine Regel festgelegt)"}

Stufen: 1 = Hinweis, 2 = Warnung, 3 = Alarm.

### Grenzen

- Die Intervalle behandeln Personen als unabhängig. Personen in Bedarfsgemeinschaften leben in
  gemeinsamen Haushalten; die tatsächliche Unsicherheit ist daher größer, in großen Ortsteilen ist
  fast jeder Unterschied „signifikant“. Die Mindestabstände und -veränderungen der Regeln
  begrenzen das auf Unterschiede, die auch inhaltlich zählen.
- Der Stadtvergleich behandelt den Stadtwert als fest, obwohl der Ortsteil zu ihm beiträgt.
- Der Dynamikindex ist relativ zu den anderen Ortsteilen; Ortsteilgrenzen änderten sich 2006, 2012
  und 2014, frühere Werte sind nicht umgerechnet.
- Werte der Bürgerumfrage sind Stichprobenschätzungen; der Mann-Kendall-Test berücksichtigt ihre
  Stichprobenfehler nicht.
"""
    return text.strip() + "\n"
