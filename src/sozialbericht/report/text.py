"""German sentences written from numbers, so the text changes when the data does."""

from __future__ import annotations

import math

from sozialbericht import fmt, grammar
from sozialbericht.analysis.indicators import Indicator, KeyFigure


def compact_value(indicator: Indicator, value: float) -> str:
    """A value the second time its unit is named: '8,8 %' instead of '8,8 % der Einwohner/-innen'."""
    if indicator.unit.startswith("%"):
        return f"{fmt.number(value, indicator.decimals)}\u00a0%"
    return fmt.number(value, indicator.decimals)


def value_text(indicator: Indicator, value: float, case: str = "nom") -> str:
    """'628.718 Personen', '14,3 % der Einwohner/-innen'; after 'mit' (case 'dat'): '2.333 Kindern'."""
    unit = indicator.unit if indicator.value_unit is None else indicator.value_unit
    return grammar.measure(value, indicator.decimals, unit, case)


def change_text(indicator: Indicator, change: float, base: float, signed: bool = True) -> str:
    """'+4.029 (+0,6 %)' or, for shares, '+0,9 Prozentpunkte'; unsigned after 'stieg um'/'sank um'."""
    if math.isnan(change):
        return fmt.DASH
    number = fmt.signed if signed else (lambda value, decimals: fmt.number(abs(value), decimals))
    if indicator.unit.startswith("%"):
        return grammar.measure(change if signed else abs(change), indicator.decimals, "Prozentpunkte", signed=signed)
    text = f"{number(change, indicator.decimals)}"
    if indicator.is_count and base and not math.isnan(base):
        text += f" ({number(change / base * 100, 1)}\u00a0%)"
    return text


def movement(indicator: Indicator, change: float) -> tuple[str, str]:
    """The verb for a change ('stieg', 'sank', or '' for no change) and its social meaning, if any."""
    if math.isnan(change) or abs(change) < 0.5 * 10**-indicator.decimals:
        return "", ""
    rising = change > 0
    verb = "stieg" if rising else "sank"
    if indicator.direction == "neutral":
        return verb, ""
    better = rising == (indicator.direction == "higher_better")
    return verb, "eine Verbesserung" if better else "eine Verschlechterung"


def key_figure_sentence(kf: KeyFigure, edition_year: int) -> str:
    ind = kf.indicator
    if kf.year is None:
        return f"Für „{ind.title}“ liegt bis {edition_year} kein Wert für die Stadt vor."
    if ind.survey:
        # the chapter's introduction says once that survey values are estimates of the last wave
        lead = f"**{ind.title}**, Stadt Leipzig, Bürgerumfrage {kf.year}: {value_text(ind, kf.value)}"
    else:
        lead = f"**{ind.title}**, Stadt Leipzig {kf.year}: {value_text(ind, kf.value)}"
        if kf.year < edition_year:
            lead += f" (letzter verfügbarer Wert; für {edition_year} liegt kein Wert vor)"
    parts = [lead + "."]
    if kf.previous_year:
        period = "der vorigen Umfrage" if ind.survey else "dem Vorjahr"
        verb, meaning = movement(ind, kf.change_previous)
        if not verb:
            parts.append(f"Gegenüber {period} ({kf.previous_year}) blieb der Wert nahezu unverändert.")
        else:
            parts.append(
                f"Gegenüber {period} ({kf.previous_year}) {verb} der Wert um "
                f"{change_text(ind, kf.change_previous, kf.previous, signed=False)}"
                + (f", {meaning}." if meaning else ".")
            )
    if kf.five_years_year:
        parts.append(
            f"Verglichen mit {kf.five_years_year} beträgt die Veränderung "
            f"{change_text(ind, kf.change_five_years, kf.five_years)}."
        )
    return " ".join(parts)


def extremes_sentence(ind: Indicator, lowest, highest, year: int, tied_lowest: list[str] | None = None) -> str:
    """Lowest and highest Ortsteil; ``tied_lowest`` names every Ortsteil at the lowest value."""
    if lowest is None:
        return f"Für {year} liegen keine Ortsteilwerte vor."
    names = tied_lowest or [lowest["area_name"]]
    high = f"{grammar.area(highest['area_name'], bold=True)} mit {value_text(ind, highest['value'], 'dat')}"
    if ind.is_count and lowest["value"] == 0:
        # a count of 0 is no lowest value among others: the Ortsteil has none (e.g. no Kita there)
        places = fmt.join_names([grammar.area(n, bold=True, preposition="in") for n in names])
        unit = ind.unit if ind.value_unit is None else ind.value_unit
        return (
            f"{year} sind {places} keine {unit} erfasst; den höchsten Wert der "
            f"Ortsteile hat {high}" + MEANING.get(ind.direction, "") + "."
        )
    if lowest["value"] == 0 and not ind.is_grade_scale:
        # a share of 0 is no case at all: in a small Ortsteil real, or a gap of the source; not a "lowest value"
        subjects = fmt.join_names([grammar.area(n, bold=True) for n in names])
        return (
            f"{year} {grammar.verb(len(names), 'weist', 'weisen')} {subjects} {value_text(ind, 0.0)} aus, also "
            f"keinen erfassten Fall (bei so kleinen Zahlen auch eine mögliche Lücke der Quelle); den höchsten Wert "
            f"der Ortsteile hat {high}" + MEANING.get(ind.direction, "") + "."
        )
    if len(names) > 1 and not ind.is_grade_scale:
        subjects = fmt.join_names([grammar.area(n, bold=True) for n in names])
        return (
            f"{year} haben {subjects} mit {value_text(ind, lowest['value'], 'dat')} den niedrigsten und {high} "
            "den höchsten Wert der Ortsteile" + MEANING.get(ind.direction, "") + "."
        )
    if ind.is_grade_scale:
        # on a grade scale the lowest mean is the best: say so instead of "niedrigster/höchster Wert"
        return (
            f"{year} hat {grammar.area(lowest['area_name'], bold=True)} mit {value_text(ind, lowest['value'], 'dat')} "
            f"die beste und {grammar.area(highest['area_name'], bold=True)} mit "
            f"{value_text(ind, highest['value'], 'dat')} die schlechteste "
            f"Durchschnittsnote der Ortsteile; Skala: {ind.unit}."
        )
    return (
        f"{year} hat {grammar.area(lowest['area_name'], bold=True)} mit {value_text(ind, lowest['value'], 'dat')} "
        f"den niedrigsten und {grammar.area(highest['area_name'], bold=True)} mit "
        f"{value_text(ind, highest['value'], 'dat')} den höchsten Wert "
        "der Ortsteile" + MEANING.get(ind.direction, "") + "."
    )


MEANING = {"higher_worse": " (ein höherer Wert ist ungünstiger)", "higher_better": " (ein höherer Wert ist günstiger)"}
