"""Configuration of the early-warning system: data/fruehwarnsystem.yml, validated against the catalogue."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sozialbericht import settings as project_config
from sozialbericht.analysis.indicators import Catalogue, Indicator, Term, read_catalogue
from sozialbericht.analysis.warning.schema import WarningFile
from sozialbericht.data.catalogue import validate
from sozialbericht.errors import CatalogueError

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
COMMON_RULE_FIELDS = {"indicator", "rule", "severity", "alpha", "min_population"}
RULE_FIELDS = {
    "worse_than_city": COMMON_RULE_FIELDS | {"confidence", "min_difference"},
    "worsening_trend": COMMON_RULE_FIELDS | {"years", "min_change", "overdispersion"},
    "threshold": COMMON_RULE_FIELDS | {"value", "significant", "confidence"},
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
    "q_value",
    "special_effect",
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
    min_population: float | None = None  # None: the global minimum


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
    dynamics_alpha: float = 0.05
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
    dynamics_alpha = _number(
        dynamics_raw.get("alpha", 0.05), f"{source}: dynamics", "alpha", 0, 1, low_open=True, high_open=True
    )

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
        # the false discovery rate across Ortsteile (Benjamini–Hochberg) for every tested rule
        rule.alpha = _number(
            entry.get("alpha", round(1 - confidence, 10)), where, "alpha", 0, 1, low_open=True, high_open=True
        )
        if "min_population" in entry:
            rule.min_population = _number(entry["min_population"], where, "min_population", 0)
        if kind == "worse_than_city":
            rule.min_difference = _number(entry.get("min_difference", 0), where, "min_difference", 0)
        elif kind == "worsening_trend":
            rule.years = _number(entry.get("years", 5), where, "years", 3, integer=True)
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
        dynamics_alpha=dynamics_alpha,
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
    # the structure first (German, every error at once), then what needs the indicator catalogue
    validate(WarningFile, raw or {}, path.name)
    return parse_config(raw or {}, catalogue or read_catalogue(), str(path))


# -- values -------------------------------------------------------------------------------
