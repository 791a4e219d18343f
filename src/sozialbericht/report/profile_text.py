"""The annex's sentences about one Ortsteil, written from its numbers: what stands out, what changed,
its early-warning status and what the city's register plans there."""

from __future__ import annotations

import math

from sozialbericht import fmt
from sozialbericht.policy import matching
from sozialbericht.report import text as narrative

# the indicators the sentences look at (the annex's key figures; imported by profiles)
KEY_INDICATORS = [
    "einwohner",
    "durchschnittsalter",
    "jugendquote",
    "altenquote",
    "auslaenderanteil",
    "arbeitslosenanteil",
    "langzeitarbeitslosenanteil",
    "sgb2_dichte",
    "sgb2_kinderanteil",
    "sgb2_alleinerziehende",
    "wohnungen_je_1000",
    "straftaten_je_1000",
]
# a value counts as "standing out" when it differs from the city's by at least this share
STANDOUT = 0.25


def sentences(profiles, code: str) -> list[str]:
    name = profiles._by_code.loc[code, "area_name"]
    out = [
        _standout_sentence(profiles, name, code),
        _change_sentence(profiles, name, code),
        _warning_sentence(profiles, code),
    ]
    return [sentence for sentence in out if sentence]


def _standout_sentence(profiles, name: str, code: str) -> str:
    candidates = []
    for row in profiles.key_rows(code):
        ind = row["indicator"]
        if ind.direction == "neutral" or ind.is_count or ind.survey or not row["city"]:
            continue
        if math.isnan(row["ot"]) or math.isnan(row["city"]):
            continue
        ratio = row["ot"] / row["city"]
        worse = ratio - 1 if ind.direction == "higher_worse" else 1 - ratio
        candidates.append((worse, row))
    if not candidates:
        return ""
    worst, row = max(candidates, key=lambda item: item[0])
    best, good = min(candidates, key=lambda item: item[0])
    if worst >= STANDOUT:
        ind = row["indicator"]
        return (
            f"Ungünstiger als in der Stadt ist vor allem {_short(ind)}: {narrative.value_text(ind, row['ot'])} "
            f"gegenüber {narrative.compact_value(ind, row['city'])} in der Stadt ({row['year']}"
            + (f"; {ind.area_note}" if ind.area_note else "")
            + ")."
        )
    if best <= -STANDOUT:
        ind = good["indicator"]
        return (
            f"Keine der Kennzahlen liegt deutlich ungünstiger als in der Stadt; günstiger ist vor allem "
            f"{_short(ind)}: {narrative.value_text(ind, good['ot'])} gegenüber "
            f"{narrative.compact_value(ind, good['city'])} in der Stadt ({good['year']})."
        )
    return (
        f"Bei Arbeit, Grundsicherung und Sicherheit liegt {name} nahe am Wert der Stadt "
        f"(keine Abweichung um ein Viertel oder mehr)."
    )


def _change_sentence(profiles, name: str, code: str) -> str:
    """The largest change in five years that is larger than chance makes likely (never noise in a small area)."""
    best = None
    for indicator_id, (year, moved) in profiles.five_year_changes.items():
        if code not in moved.index:
            continue
        row = moved.loc[code]
        size = abs(row["change"]) / abs(row["value_before"]) if row["value_before"] else 0.0
        if best is None or size > best[0]:
            best = (size, profiles.catalogue.indicators[indicator_id], row, year)
    if best is None:
        return f"In fünf Jahren hat sich keine der Kennzahlen in {name} mehr verändert, als der Zufall erklärt."
    _, ind, row, year = best
    verb, meaning = narrative.movement(ind, row["change"])
    text = (
        f"Am deutlichsten verändert hat sich {_short(ind)}: von {narrative.compact_value(ind, row['value_before'])} "
        f"({year - 5}) auf {narrative.value_text(ind, row['value'])} ({year})"
    )
    return text + (f", {meaning}." if meaning else ".")


def _warning_sentence(profiles, code: str) -> str:
    status = profiles.warning.status.set_index("area_code").loc[code]
    flags = profiles.warning.flags[profiles.warning.flags["area_code"] == code]
    if status["too_small"]:
        lead = "Für das Frühwarnsystem ist der Ortsteil zu klein"
    else:
        lead = f"Frühwarnsystem: {status['group']}" + (", besondere Aufmerksamkeit" if status["attention"] else "")
    if flags.empty:
        return lead + "; keine Kennzahl ist markiert, daher leitet der Bericht hier keine Maßnahme ab."
    found = matching.recommendations(profiles.policy, flags, profiles.year)
    indicators = profiles.catalogue.indicators
    # an index flag concerns the social index (status and dynamics), not one indicator of the catalogue
    marked = fmt.join_names(
        sorted({indicators[i].short if i in indicators else "Sozialindex" for i in flags["indicator"]})
    )
    text = f"{lead}; markiert: {marked}."
    local = found[found["kind"] == "vor_ort"].drop_duplicates("measure")["measure_title"].tolist()
    city_wide = found[found["kind"] == "gesamtstaedtisch"].drop_duplicates("measure")["measure_title"].tolist()
    if local:
        text += " Vor Ort vorgesehen: " + "; ".join(local[:3]) + "."
    elif city_wide:
        text += " Vor Ort ist keine Maßnahme eingetragen; stadtweit wirkt: " + "; ".join(city_wide[:2]) + "."
    else:
        text += " Im Maßnahmenregister ist dafür keine Maßnahme hinterlegt (Handlungsbedarf ohne Maßnahme)."
    return text


def _short(indicator) -> str:
    """The indicator's short name after an article-free colon sentence: 'die SGB-II-Dichte' reads wrong, so none."""
    return f"„{indicator.short}“"
