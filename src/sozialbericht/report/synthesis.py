"""German sentences for a chapter's analysis and its developments, from analysis/patterns.py.

Every template of the chapter text lives here, so that the grammar layer can take them over in one place.
"""

from __future__ import annotations

import math

from sozialbericht import fmt, grammar
from sozialbericht.analysis import patterns
from sozialbericht.analysis.indicators import Indicator, KeyFigure
from sozialbericht.report import text as narrative

MAX_NAMES = 6
SURVEY_NOTE = (
    "Bei Werten der Bürgerumfrage werden einzelne Ortsteile nicht hervorgehoben: ihre Werte sind "
    "Stichprobenschätzungen aus wenigen Befragten je Ortsteil."
)


def names(items: list[str], limit: int = MAX_NAMES, preposition: str = "", case: str = "") -> str:
    """Ortsteile in a sentence, with articles where the city uses them: 'im Zentrum-Ost, Lindenau und der
    Südvorstadt'; beyond ``limit``: '… und 4 weiteren Ortsteilen' (case from the preposition)."""
    items = list(items)
    case = case or ("dat" if preposition else "nom")
    limit = len(items) if len(items) == limit + 1 else limit  # "und einen weiteren Ortsteil" hides one name
    shown, rest = items[:limit], len(items) - min(len(items), limit)
    if rest:
        shown.append(grammar.count(rest, "Ortsteil", case, adjective_stem="weiter"))
    return grammar.areas(shown, case=case, preposition=preposition)


def plain_names(items: list[str], limit: int = MAX_NAMES) -> str:
    """A list after a colon, names as labels without articles: 'A, B, … und 4 weitere Ortsteile'."""
    items = list(items)
    if len(items) <= limit + 1:  # one more is named, not counted
        return fmt.join_names(items)
    return fmt.join_names(
        items[:limit] + [grammar.count(len(items) - limit, "Ortsteil", "nom", adjective_stem="weiter")]
    )


def inline_change(indicator: Indicator, change: float, base: float) -> str:
    """'+34.352, +5,8 %' (no nested brackets inside a bracket)."""
    return narrative.change_text(indicator, change, base).replace(" (", ", ").rstrip(")")


def rho_text(rho: float) -> str:
    return fmt.number(rho, 2).replace("-", "\u2212")


def count_in(count: int) -> str:
    """Dative after 'in': 'einem', '4'."""
    return "einem" if count == 1 else fmt.number(count)


def plural(count: int, one: str, many: str) -> str:
    """'1 Ortsteil', '2 Ortsteile', 'einem' is the caller's choice."""
    return f"{fmt.number(count)} {one if count == 1 else many}"


def directions_paragraph(figures: list[KeyFigure]) -> str:
    """Which indicators rose and fell in the city over five years (survey values: between the waves about five
    years apart), with their social meaning."""
    official = _directions([kf for kf in figures if not kf.indicator.survey], "Entwicklung der Stadt Leipzig")
    survey = _directions([kf for kf in figures if kf.indicator.survey], "Entwicklung laut Kommunaler Bürgerumfrage")
    return "\n\n".join(t for t in (official, survey) if t)


def _directions(figures: list[KeyFigure], lead: str) -> str:
    groups: dict[str, list[str]] = {"Gestiegen sind": [], "Gesunken sind": [], "Nahezu unverändert blieben": []}
    labels: dict[str, list[str]] = {key: [] for key in groups}
    worse, better = [], []
    spans = [(kf.five_years_year, kf.year) for kf in figures if kf.five_years_year]
    # The lead names the span of the most recent series; a series that ends earlier (e.g. one the source stopped)
    # carries its own years, so that no old change is read as one of the report period.
    span = max(spans, key=lambda s: (s[1], spans.count(s))) if spans else None
    for kf in figures:
        if not kf.five_years_year:
            continue
        verb, meaning = narrative.movement(kf.indicator, kf.change_five_years)
        key = {"stieg": "Gestiegen sind", "sank": "Gesunken sind"}.get(verb, "Nahezu unverändert blieben")
        change = inline_change(kf.indicator, kf.change_five_years, kf.five_years)
        if (kf.five_years_year, kf.year) != span:
            change = f"{kf.five_years_year}–{kf.year}: {change}"
        groups[key].append(f"{kf.indicator.short} ({change})")
        labels[key].append(kf.indicator.short)
        if meaning == "eine Verschlechterung":
            worse.append(kf.indicator.short)
        elif meaning == "eine Verbesserung":
            better.append(kf.indicator.short)
    if span is None:
        return ""
    singular = {"Gestiegen sind": "Gestiegen ist", "Gesunken sind": "Gesunken ist"}
    singular["Nahezu unverändert blieben"] = "Nahezu unverändert blieb"
    parts = [
        f"{singular[key] if _one(labels[key]) else key}: {fmt.join_names(items)}."
        for key, items in groups.items()
        if items
    ]
    text = f"{lead} von {span[0]} bis {span[1]}. " + " ".join(parts)
    if worse and better:
        developed = "entwickelte" if _one(worse) else "entwickelten"
        text += f" Ungünstig {developed} sich {fmt.join_names(worse)}, günstig {fmt.join_names(better)}."
    elif worse and len(worse) > 1:
        text += f" Alle Kennzahlen mit sozialer Richtung entwickelten sich ungünstig: {fmt.join_names(worse)}."
    elif better and len(better) > 1:
        text += f" Alle Kennzahlen mit sozialer Richtung entwickelten sich günstig: {fmt.join_names(better)}."
    return text


def _one(labels: list[str]) -> bool:
    """A singular subject: one indicator whose label is not plural by itself ('Körperverletzungen je …' is)."""
    return len(labels) == 1 and grammar.label_gender(labels[0]) != "pl"


def pairs_paragraph(pairs: list[patterns.Pair], base_year: int, year: int, limit: int = 3) -> str:
    if not pairs:
        return ""
    sentences = [
        f"{pair.first.short} und {pair.second.short} veränderten sich "
        + ("gleichläufig" if pair.rho > 0 else "gegenläufig")
        + f" (ρ = {rho_text(pair.rho)})"
        for pair in pairs[:limit]
    ]
    return (
        f"Zusammenhänge in den Ortsteilen ({base_year}–{year}, Rangkorrelation nach Spearman über "
        f"{fmt.number(pairs[0].areas)} Ortsteile): "
        + "; ".join(sentences)
        + ". Gleichläufig heißt: wo die eine Kennzahl stärker stieg, stieg meist auch die andere."
    )


def concentration_sentence(item: patterns.Concentration, label: str) -> str:
    ind = item.indicator
    rising = item.city_change > 0
    noun = "Anstieg" if rising else "Rückgang"
    top = ", ".join(f"{name} ({fmt.signed(change)})" for name, change in item.top)
    total = fmt.signed(item.city_change)
    lead = f"**{ind.short}** ({label}, {item.base_year}–{item.year}, Summe der Ortsteile {total}): "
    if item.top_share > 1:
        text = (
            f"Die fünf Ortsteile mit dem stärksten {noun} ({top}) haben zusammen einen größeren {noun} als die "
            f"ganze Stadt ({fmt.number(item.top_share * 100, 0)}\u00a0%); in anderen Ortsteilen ging die "
            "Entwicklung in die Gegenrichtung"
        )
    else:
        text = f"{fmt.number(item.top_share * 100, 0)}\u00a0% des {noun}s entfallen auf fünf Ortsteile: {top}"
    leading = [(n, s) for n, s in item.districts if s > 0][:2]
    if leading:
        text += "; nach Stadtbezirken vor allem " + fmt.join_names(
            [f"{n} ({fmt.number(s * 100, 0)}\u00a0%)" for n, s in leading]
        )
    return lead + text + "."


def spread_paragraph(items: list[patterns.Spread]) -> str:
    if not items:
        return ""
    words = {"wider": "wuchs", "narrower": "schrumpfte", "same": "blieb nahezu gleich"}
    parts = []
    for item in items:
        ratio = (
            f"; P90/P10 {fmt.number(item.p90_p10_first, 1)} → {fmt.number(item.p90_p10_last, 1)}"
            if not (math.isnan(item.p90_p10_first) or math.isnan(item.p90_p10_last))
            else ""
        )
        parts.append(
            f"- {item.indicator.short} ({item.first_year}–{item.last_year}): der Abstand {words[item.trend]} "
            f"(Variationskoeffizient {fmt.number(item.cv_first, 2)} → {fmt.number(item.cv_last, 2)}{ratio})"
        )
    return (
        "Abstand zwischen den Ortsteilen, gemessen am Variationskoeffizienten (Standardabweichung durch "
        "Mittelwert der Ortsteilwerte; Methode im Anhang):\n\n" + "\n".join(parts)
    )


def fifth_paragraph(items: list[tuple[Indicator, list[tuple[str, int, int]]]]) -> str:
    """``items``: per indicator (Ortsteil, first year of the run, first year of the series)."""
    items = [(ind, rows) for ind, rows in items if rows]
    if not items:
        return ""
    lines = []
    for ind, rows in items:
        listed = plain_names(
            [
                f"{name} (seit {since})" if since > first else f"{name} (seit Beginn der Reihe {since})"
                for name, since, first in rows
            ]
        )
        lines.append(f"- {ind.short}: {listed}")
    return (
        f"Seit mindestens {patterns.FIFTH_YEARS} Jahren ohne Unterbrechung im ungünstigsten Fünftel der "
        "Ortsteile:\n\n" + "\n".join(lines)
    )


def published_rate_sentence(item: patterns.PublishedRate) -> str:
    ind = item.indicator
    if item.same_fit:
        return (
            f"Der Wert von „{ind.title}“ entspricht der von der Stadt veröffentlichten Quote „{item.feature}“ "
            f"({item.year}: {fmt.number(item.published, ind.decimals)})."
        )
    return (
        f"Die Stadt veröffentlicht in derselben Datei die Quote „{item.feature}“ ({item.year}: "
        f"{fmt.number(item.published, ind.decimals)} je 1.000); sie bezieht die Fälle eines Jahres auf die "
        "Einwohnerzahl am 31.12. des Vorjahres. Dieser Bericht bezieht sie, wie alle Quoten, auf die "
        f"Einwohnerzahl am Jahresende desselben Jahres ({fmt.number(item.computed, ind.decimals)}), damit Zähler "
        "und Nenner zum selben Stichtag gehören und Veränderungen in den Ortsteilen mit denselben Zählwerten gegen "
        "den Zufall geprüft werden; in Jahren mit wachsender Bevölkerung liegt der Wert des Berichts daher etwas "
        "unter dem veröffentlichten."
    )


# -- developments ------------------------------------------------------------------------------------------


def trend_sentence(
    ind: Indicator,
    trend: patterns.CityTrend,
    year: int,
    last_change: float = math.nan,
    five_year_change: float = math.nan,
) -> str:
    """The city value's trend over the last ten values; a trend the last five years do not follow is said so,
    not called lasting."""

    def meaning(rising: bool) -> str:
        if ind.direction == "neutral":
            return ""
        good = rising == (ind.direction == "higher_better")
        return ", eine anhaltend günstige Entwicklung" if good else ", eine anhaltend ungünstige Entwicklung"

    span = "Umfragewellen" if ind.survey else "Jahren"
    if trend.kind in ("rising", "falling"):
        rising = trend.kind == "rising"
        text = (
            f"Seit {trend.since} {'steigt' if rising else 'sinkt'} der Stadtwert im Trend "
            f"(Trendtest über die letzten zehn Werte: {_p(trend.p_value)})"
        )
        if not math.isnan(five_year_change) and five_year_change != 0 and (five_year_change > 0) != rising:
            return text + "; die letzten fünf Jahre folgen diesem Trend aber nicht"
        text += meaning(rising)
        verb, _ = narrative.movement(ind, last_change)
        if verb and (verb == "stieg") != rising:
            text += f"; {year} {verb} er jedoch gegenüber dem Vorjahr"
        return text
    if trend.kind == "turn_up":
        return f"Wendepunkt: {year} stieg der Stadtwert erstmals wieder, nach {fmt.number(trend.run)} {span} Rückgang"
    if trend.kind == "turn_down":
        return f"Wendepunkt: {year} sank der Stadtwert erstmals wieder, nach {fmt.number(trend.run)} {span} Anstieg"
    return "Über die letzten zehn Werte zeigt der Stadtwert keinen gesicherten Trend"


def _p(p: float) -> str:
    return "p < 0,001" if p < 0.001 else f"p = {fmt.number(p, 3)}"


def _moves(ind: Indicator, items, word: str, qualifier: str) -> str:
    if not items:
        return ""
    areas = names([name for name, _, _ in items], preposition="in")
    if len(items) > 1:  # tied by the shown change; their relative changes differ
        return f"stärkster{qualifier} {word} {areas} (je {narrative.change_text(ind, items[0][1], float('nan'))})"
    return f"stärkster{qualifier} {word} {areas} ({inline_change(ind, items[0][1], items[0][2])})"


def ortsteile_sentence(item: patterns.OrtsteilChanges) -> str:
    ind = item.indicator
    if ind.survey:
        return ""  # said once below the list (SURVEY_NOTE), not for every indicator
    qualifier = " gesicherter" if item.tested else ""
    # published rates and means come without counts: a small Ortsteil's move may be chance
    untested = not item.tested and not ind.is_count and (item.rises or item.falls)
    parts = [
        p for p in (_moves(ind, item.rises, "Anstieg", qualifier), _moves(ind, item.falls, "Rückgang", qualifier)) if p
    ]
    if item.tested and not parts:
        parts.append("in keinem Ortsteil eine statistisch gesicherte Veränderung")
    if ind.direction != "neutral" and item.areas:
        count = item.unfavourable
        share = f"in {count_in(count)} von {fmt.number(item.areas)} Ortsteilen ungünstig"
        if item.tested and count:
            share += (
                ", keiner davon statistisch gesichert"
                if item.unfavourable_certain == 0
                else f", davon {fmt.number(item.unfavourable_certain)} statistisch gesichert"
            )
        parts.append(share)
    text = "; ".join(parts)
    if untested:
        text += "; ohne Zufallstest, weil keine Fallzahlen veröffentlicht sind"
    return (text[0].upper() + text[1:]) if text else ""


def new_in_fifth_sentence(item: patterns.OrtsteilChanges) -> str:
    tested = ", Veränderung statistisch gesichert" if item.tested else ""
    return (
        f"Neu im ungünstigsten Fünftel der Ortsteile (in den vier Jahren zuvor nicht{tested}): "
        f"{plain_names(item.new_in_fifth)}"
    )


def artefact_sentence(item: patterns.OrtsteilChanges, source: str, seen: set | None = None) -> str:
    """The artefacts of one indicator; those already explained for another indicator of the same file (``seen``)
    are only referred to."""
    seen = set() if seen is None else seen
    fresh = [(name, kind) for name, kind in item.artefacts if (source, name, kind) not in seen]
    again = [name for name, kind in item.artefacts if (source, name, kind) in seen]
    seen.update((source, name, kind) for name, kind in item.artefacts)
    zero = [name for name, kind in fresh if kind == "zero"]
    ended = [name for name, kind in fresh if kind == "ended"]
    parts = []
    if again and not fresh:
        return grammar.upper_first(f"{names(again)} wegen derselben Datenbesonderheit wie oben nicht berücksichtigt")
    if zero:
        parts.append(
            f"{names(zero, preposition='in')} fällt der Zählwert {item.year} auf 0 (von einem positiven Wert {item.base_year})"
        )
    if ended:
        parts.append(f"{names(ended, preposition='für', case='akk')} fehlt der Wert {item.year}")
    if not parts:
        return ""
    return (
        "Keine Entwicklung, sondern eine Datenbesonderheit ("
        + source
        + f", {item.year}): "
        + "; ".join(parts)
        + ". Das geschieht, wenn eine Einrichtung oder Meldung aus den Daten fällt oder die Zahl sehr klein ist; "
        + ("dieser Ortsteil ist" if len(fresh) == 1 else "diese Ortsteile sind")
        + " oben nicht berücksichtigt"
    )


def ended_series_text(ended: dict[tuple[str, int], list[str]], year: int, source_name) -> str:
    """One sentence per source whose series end before the report year ``year`` (not one per indicator).
    ``ended``: (dataset, last year) -> short names; ``source_name``: dataset -> how the text names it."""
    sentences = []
    for (dataset, last), shorts in ended.items():
        span = str(year) if last + 1 == year else f"{last + 1}–{year}"
        series = "Die Reihe" if len(shorts) == 1 else "Die Reihen"
        sentences.append(
            f"{series} {fmt.join_names([f'„{short}“' for short in shorts])} "
            f"{grammar.verb(len(shorts), 'endet', 'enden')} {last}: der {source_name(dataset)} enthält für {span} "
            "noch keine Werte."
        )
    return " ".join(sentences)
