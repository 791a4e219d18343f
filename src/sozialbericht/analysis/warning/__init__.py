# ruff: noqa: F401  (the package re-exports its modules' public names)
"""Early-warning system (Frühwarnsystem): status and dynamics of every Ortsteil, and flags.

The rules live in data/fruehwarnsystem.yml (``config``). The modules, each one job:

- ``config``: reading and validating the configuration against the indicator catalogue;
- ``series``: the values the system reads and the years it uses;
- ``stats``: intervals, trend tests, Benjamini–Hochberg, empirical Bayes shrinkage;
- ``index``: Berlin-style status index and the noise-aware dynamics, classes, attention;
- ``rules``: the rules per indicator with false-discovery-rate control, the flags table;
- ``checks``: rules that cannot fire with the data (reported, shown as inactive);
- ``simulation``: false-positive rate and power on synthetic Ortsteile with the real sizes;
- ``backtest``: the system in past years with only the data known then, against a naive rule.

``run`` computes everything one edition shows. German text for the report is in
``report.warning_text``; this package returns data.
"""

from __future__ import annotations

from sozialbericht import settings as project_config
from sozialbericht.analysis.special_effects import FILE_NAME as EFFECTS_FILE
from sozialbericht.analysis.special_effects import load_special_effects
from sozialbericht.analysis.warning.backtest import backtest
from sozialbericht.analysis.warning.checks import inactive_rules, log_inactive
from sozialbericht.analysis.warning.config import (
    ATTENTION_RULE,
    CI_METHODS,
    CONFIG_PATH,
    DIRECTIONAL,
    FLAG_COLUMNS,
    INDEX_INDICATOR,
    POPULATION_INDICATOR,
    RULE_TYPES,
    SEVERITY,
    TREND_METHODS,
    TREND_NAMES,
    AttentionRule,
    IndexIndicator,
    Rule,
    Statistics,
    WarningConfig,
    load_config,
    parse_config,
)
from sozialbericht.analysis.warning.index import DynamicsPart, classify, dynamics_scores, standardise, status_dynamics
from sozialbericht.analysis.warning.rules import (
    Result,
    attention_reason,
    changes_since,
    compare_with_city,
    flags,
    format_change,
    format_value,
    from_to,
    index_correlations,
)
from sozialbericht.analysis.warning.series import derive_counts, load_values, year_used, years_used
from sozialbericht.analysis.warning.simulation import simulate
from sozialbericht.analysis.warning.stats import (
    BETTER,
    FALLING,
    FLAT,
    RISING,
    SIMILAR,
    UNTESTABLE,
    WORSE,
    benjamini_hochberg,
    change_variance,
    dispersion,
    mann_kendall,
    poisson_interval,
    rate_interval,
    score_z,
    shrinkage,
    trend_test,
    wilson_interval,
)

__all__ = [name for name in dir() if not name.startswith("_") and name != "annotations"]


def special_effects(catalogue):
    """The known special effects (data/sondereffekte.yml), checked against the catalogue."""
    return load_special_effects(project_config.DATA_DIR / EFFECTS_FILE, set(catalogue.indicators))


def run(
    values_by_indicator: dict,
    year: int,
    config: WarningConfig,
    population=None,
    effects=None,
    with_checks: bool = True,
) -> Result:
    """Everything the chapter shows for one edition: status, flags, changes against year − 1,
    inactive rules, index correlations, and (``with_checks``) the simulation test and the backtest."""
    status = status_dynamics(values_by_indicator, year, config, population)
    current = flags(values_by_indicator, year, config, population, status=status, effects=effects)
    previous = flags(values_by_indicator, year - 1, config, population, effects=effects)
    inactive = inactive_rules(values_by_indicator, year, config, population)
    log_inactive(inactive, year)
    return Result(
        int(year),
        status,
        current,
        previous,
        changes_since(previous, current),
        years_used(values_by_indicator, year, config),
        inactive=inactive,
        correlations=index_correlations(status, config),
        simulation=simulate(status, values_by_indicator, config) if with_checks else {},
        backtest=backtest(values_by_indicator, config, until=year) if with_checks else {},
    )
