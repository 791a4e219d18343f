"""Recommendations matched to places and evidence: measures for flagged Ortsteile, gaps, participation proposals.

Input is the early-warning flags table (columns area_code, area_name, indicator, reason and optionally severity
and target_groups) and, for participation, the indicator values of the edition. Output are DataFrames.

Rules:

Measures for a flag
    For a flagged (Ortsteil, indicator) the real measures that list the indicator (for the early-warning index:
    any of its components), exist in the report year and are not ``ausgesetzt``/``beendet`` in it. Measures whose
    ``areas`` cover the Ortsteil (by name or through an area group of ``gebiete.yml``) come first (``vor_ort``),
    then city-wide ones (``gesamtstaedtisch``). A measure in another Ortsteil is not named.
Gaps
    Decided per Ortsteil and indicator: without any such measure the pair is "Handlungsbedarf ohne Maßnahme";
    with city-wide measures only, it is listed as "ohne Maßnahme vor Ort".
Evidence of a target group
    ``evidence`` in ``target_groups.yml`` names indicators whose Ortsteil value above the city's shows that more
    of the group is affected there. Where the value is a share of counts, "above" must hold in a one-sided test
    (two proportions, Ortsteil against the rest of the city, 5 %); survey values and rates without counts need
    only be above. For ``alle_einwohner`` the flag itself is the evidence.
Participation proposals
    For each flagged Ortsteil and each target group affected by its flags (the flag's ``target_groups``, else the
    groups whose ``indicators`` list the flagged indicator) *with evidence in that Ortsteil*: the formats that
    name the group, exist by the report year (``since``) and are available there. Formats tied to the place come
    first (an area group containing the Ortsteil, e.g. the Quartiersrat Grünau), then those run per Stadtbezirk
    (named with the Ortsteil's Stadtbezirk, e.g. "Stadtbezirksbeirat West"), then city-wide ones; within each, formats
    fitting the flagged chapters, then the effort that suits the severity (Alarm: hoch first, Hinweis: gering
    first), then file order; at most ``per_group``. Examples are never proposed.
"""

from __future__ import annotations

import math
import numbers
import re

import pandas as pd

from sozialbericht.errors import CatalogueError
from sozialbericht.policy.register import frame, is_example, measure_exists, ordered_measures, present, status_in_year
from sozialbericht.policy.schema import ALL_RESIDENTS, Policy

SEVERITIES = (1, 2, 3)
FLAG_COLUMNS = ["area_code", "area_name", "indicator", "reason"]
INACTIVE = ("ausgesetzt", "beendet")
ALPHA = 0.05


def indicator_info(policy: Policy, ident: str) -> dict:
    """id, title, short, chapter and component indicators of a flagged indicator or composite (the index)."""
    if ident in policy.indicators:
        return {**policy.indicators[ident], "components": [ident]}
    composite = policy.composites[ident]
    first = policy.indicators[composite["indicators"][0]]
    return {
        "id": ident,
        "title": composite["title"],
        "short": composite["short"],
        "chapter": first["chapter"],
        "direction": "higher_worse",
        "components": list(composite["indicators"]),
    }


def _split_groups(value) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()]


def check_flags(policy: Policy, flags: pd.DataFrame) -> pd.DataFrame:
    """Validate the early-warning flags; one row per Ortsteil and indicator (highest severity, reasons joined)."""
    missing = [c for c in FLAG_COLUMNS if c not in flags.columns]
    if missing:
        raise CatalogueError(f"flags: Spalte(n) {', '.join(missing)} fehlen; erwartet {', '.join(FLAG_COLUMNS)}")
    problems, merged = [], {}
    has_groups, has_severity = "target_groups" in flags.columns, "severity" in flags.columns
    for position, row in enumerate(flags.to_dict("records"), start=1):
        if row["indicator"] not in policy.indicators and row["indicator"] not in policy.composites:
            problems.append(f"flags: Zeile {position}: Feld 'indicator': unbekannter Indikator '{row['indicator']}'")
        groups = _split_groups(row.get("target_groups")) if has_groups else []
        for group in groups:
            if group not in policy.target_groups:
                problems.append(f"flags: Zeile {position}: Feld 'target_groups': unbekannte Zielgruppe '{group}'")
        level = row.get("severity") if has_severity else None
        if level is not None and not pd.isna(level):
            if not (isinstance(level, numbers.Real) and int(level) == level and int(level) in SEVERITIES):
                problems.append(f"flags: Zeile {position}: Feld 'severity': {level!r} ist nicht 1, 2 oder 3")
                level = None
        else:
            level = None
        item = merged.setdefault(
            (str(row["area_code"]), row["indicator"]),
            {
                "area_code": str(row["area_code"]),
                "area_name": str(row["area_name"]),
                "indicator": row["indicator"],
                "reasons": [],
                "target_groups": [],
                "severity": None,
            },
        )
        if level is not None:
            item["severity"] = max(item["severity"] or 0, int(level))
        if present(row["reason"]) and str(row["reason"]) not in item["reasons"]:
            item["reasons"].append(str(row["reason"]))
        item["target_groups"] += [g for g in groups if g not in item["target_groups"]]
    if problems:
        raise CatalogueError("\n".join(problems))
    rows = [{**i, "reason": "; ".join(i.pop("reasons")) or None} for i in merged.values()]
    return frame(rows, [*FLAG_COLUMNS, "target_groups", "severity"])


# --- measures by place ------------------------------------------------------------------------


def covers(policy: Policy, areas: list[str], ortsteil: str) -> str | None:
    """'vor_ort' when ``areas`` name the Ortsteil (directly or by an area group), 'gesamtstaedtisch', or None."""
    city_wide, names = policy.places.resolve(areas)
    if ortsteil in names:
        return "vor_ort"
    return "gesamtstaedtisch" if city_wide else None


def active_measures(policy: Policy, indicators: list[str], ortsteil: str, year: int) -> list[tuple[str, dict, str]]:
    """(id, measure, 'vor_ort' | 'gesamtstaedtisch') of real measures for these indicators there; local first."""
    found = []
    for measure_id, measure in ordered_measures(policy):
        if is_example(policy, measure) or not measure_exists(measure, year):
            continue
        if status_in_year(measure, year) in INACTIVE:
            continue
        if not any(link["id"] in indicators for link in measure["indicators"]):
            continue
        where = covers(policy, measure["areas"], ortsteil)
        if where:
            found.append((measure_id, measure, where))
    return sorted(found, key=lambda t: t[2] != "vor_ort")


def measures_in_area(policy: Policy, ortsteil: str, year: int) -> list[tuple[str, dict]]:
    """Real measures active in the report year whose areas name this Ortsteil (not the city-wide ones)."""
    return [
        (mid, m)
        for mid, m in ordered_measures(policy)
        if not is_example(policy, m)
        and measure_exists(m, year)
        and status_in_year(m, year) not in INACTIVE
        and covers(policy, m["areas"], ortsteil) == "vor_ort"
    ]


RECOMMENDATION_COLUMNS = [
    "area_code",
    "area_name",
    "indicator",
    "indicator_title",
    "chapter",
    "reason",
    "severity",
    "kind",
    "measure",
    "measure_title",
    "strategy_title",
    "direction",
    "status",
    "lead_office",
]


def recommendations(policy: Policy, flags: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per flag and matched measure (``kind`` vor_ort / gesamtstaedtisch), or one ``luecke`` row."""
    checked = check_flags(policy, flags)
    rank = {c: i for i, c in enumerate(policy.chapters)}
    rows = []
    for flag in checked.to_dict("records"):
        info = indicator_info(policy, flag["indicator"])
        base = {
            "area_code": flag["area_code"],
            "area_name": flag["area_name"],
            "indicator": flag["indicator"],
            "indicator_title": info["title"],
            "chapter": info["chapter"],
            "reason": flag["reason"],
            "severity": flag["severity"],
        }
        matched = active_measures(policy, info["components"], flag["area_name"], year)
        if not matched:
            rows.append({**base, "kind": "luecke"})
        for measure_id, measure, where in matched:
            rows.append(
                {
                    **base,
                    "kind": where,
                    "measure": measure_id,
                    "measure_title": measure["title"],
                    "strategy_title": policy.strategies[measure["strategy"]]["title"],
                    "direction": next(
                        link["direction"] for link in measure["indicators"] if link["id"] in info["components"]
                    ),
                    "status": status_in_year(measure, year),
                    "lead_office": measure["lead_office"],
                }
            )
    result = frame(rows, RECOMMENDATION_COLUMNS)
    if result.empty:
        return result
    result["_rank"] = result["chapter"].map(rank)
    return (
        result.sort_values(["_rank", "indicator", "area_code"], kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


GAP_COLUMNS = ["indicator", "indicator_title", "chapter", "area_code", "area_name", "coverage"]


def gaps(policy: Policy, flags: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per flagged Ortsteil and indicator without a measure there: coverage 'none' or 'city_wide' (only)."""
    recs = recommendations(policy, flags, year)
    rows = []
    for (code, indicator), part in recs.groupby(["area_code", "indicator"], sort=False):
        kinds = set(part["kind"])
        if "vor_ort" in kinds:
            continue
        first = part.iloc[0]
        rows.append(
            {
                "indicator": indicator,
                "indicator_title": first["indicator_title"],
                "chapter": first["chapter"],
                "area_code": code,
                "area_name": first["area_name"],
                "coverage": "none" if kinds == {"luecke"} else "city_wide",
            }
        )
    return frame(rows, GAP_COLUMNS)


def local_difference(policy: Policy, flags: pd.DataFrame, year: int) -> list[str]:
    """Flagged Ortsteile whose recommendation names a measure there, i.e. differs from the city-wide list."""
    recs = recommendations(policy, flags, year)
    return sorted(set(recs[recs["kind"] == "vor_ort"]["area_name"]))


# --- evidence and participation -----------------------------------------------------------------


def _one_sided_p(x1: float, n1: float, x2: float, n2: float) -> float:
    """p-value that share x1/n1 exceeds x2/n2 (two-proportion z-test, pooled)."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / se
    return 0.5 * math.erfc(z / math.sqrt(2))


EVIDENCE_COLUMNS = [
    "area_code",
    "area_name",
    "target_group",
    "indicator",
    "year",
    "value",
    "city_value",
    "above",
    "tested",
    "p_value",
    "supports",
]


def group_evidence(policy: Policy, values: dict[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """Per Ortsteil, target group and evidence indicator: is the Ortsteil above the city (rule in the docstring)?"""
    rows = []
    for group_id, group in policy.target_groups.items():
        for indicator in group["evidence"]:
            data = values.get(indicator)
            if data is None or data.empty:
                continue
            usable = data[(data["year"] <= year) & data["value"].notna()]
            ortsteile = usable[usable["level"] == "Ortsteil"]
            if ortsteile.empty:
                continue
            ref = int(ortsteile["year"].max())
            city = usable[(usable["level"] == "Stadt") & (usable["year"] == ref)]
            if city.empty:
                continue
            city_row = city.iloc[0]
            for row in ortsteile[ortsteile["year"] == ref].to_dict("records"):
                above = row["value"] > city_row["value"]
                counts = [
                    row.get("numerator"),
                    row.get("denominator"),
                    city_row.get("numerator"),
                    city_row.get("denominator"),
                ]
                tested = all(c is not None and not pd.isna(c) for c in counts) and (
                    0 <= counts[0] <= counts[1] and 0 <= counts[2] <= counts[3] and counts[3] > counts[1] > 0
                )
                p_value = None
                if tested:
                    x1, n1 = float(counts[0]), float(counts[1])
                    p_value = _one_sided_p(x1, n1, float(counts[2]) - x1, float(counts[3]) - n1)
                rows.append(
                    {
                        "area_code": str(row["area_code"]),
                        "area_name": row["area_name"],
                        "target_group": group_id,
                        "indicator": indicator,
                        "year": ref,
                        "value": float(row["value"]),
                        "city_value": float(city_row["value"]),
                        "above": bool(above),
                        "tested": bool(tested),
                        "p_value": p_value,
                        "supports": bool(above and (not tested or p_value < ALPHA)),
                    }
                )
    return frame(rows, EVIDENCE_COLUMNS)


def affected_target_groups(policy: Policy, indicator: str) -> list[str]:
    """Target groups whose ``indicators`` list the (component) indicator; ``alle_einwohner`` if none does."""
    components = indicator_info(policy, indicator)["components"]
    groups = [gid for gid, g in policy.target_groups.items() if set(components) & set(g["indicators"])]
    if groups:
        return groups
    return [ALL_RESIDENTS] if ALL_RESIDENTS in policy.target_groups else []


PROPOSAL_COLUMNS = [
    "area_code",
    "area_name",
    "stadtbezirk",
    "severity",
    "target_group",
    "target_group_label",
    "indicators",
    "evidence_indicator",
    "evidence_value",
    "evidence_city",
    "evidence_tested",
    "rank",
    "instrument",
    "instrument_title",
    "body",
    "place",
]
EFFORT_ORDER = {3: ["hoch", "mittel", "gering"], 2: ["mittel", "gering", "hoch"], 1: ["gering", "mittel", "hoch"]}
PLACE_ORDER = {"local": 0, "district": 1, "city": 2}  # where a format sits: the place, its Stadtbezirk, the city


def _best_evidence(evidence: pd.DataFrame, code: str, group: str) -> dict | None:
    part = evidence[(evidence["area_code"] == code) & (evidence["target_group"] == group) & evidence["supports"]]
    if part.empty:
        return None
    ratio = part["value"].astype(float) / part["city_value"].astype(float).where(part["city_value"] != 0)
    return part.assign(_ratio=ratio).sort_values("_ratio", ascending=False).iloc[0].to_dict()


def _formats_for(policy: Policy, group: str, ortsteil: str, stadtbezirk: str | None, chapters, severity, year):
    fitting = []
    for instrument_id, instrument in policy.instruments.items():
        if instrument["beispiel"] or not instrument["proposable"] or group not in instrument["target_groups"]:
            continue
        if instrument["until"] is not None and instrument["until"] < year:
            continue
        if instrument["since"] is not None and instrument["since"] > year:
            continue
        where = covers(policy, instrument["areas"], ortsteil)
        if where is None:
            continue
        place, title = "city", instrument["title"]
        if where == "vor_ort":
            place = "local"
        elif instrument["per_stadtbezirk"]:
            place = "district"
            title = f"{instrument['title']} {stadtbezirk}" if stadtbezirk else instrument["title"]
        fits = not instrument["chapters"] or bool(set(instrument["chapters"]) & set(chapters))
        order = EFFORT_ORDER.get(severity or 0)
        effort = order.index(instrument["effort"]) if order and instrument["effort"] in order else 1
        key = (PLACE_ORDER[place], 0 if fits else 1, effort, instrument["index"])
        fitting.append((key, instrument_id, title, instrument["body"], place))
    return [item[1:] for item in sorted(fitting)]


def participation_proposals(
    policy: Policy, flags: pd.DataFrame, evidence: pd.DataFrame, year: int, per_group: int = 3
) -> pd.DataFrame:
    """Formats per flagged Ortsteil and target group with evidence there (rule in the module docstring)."""
    checked = check_flags(policy, flags)
    pairs: dict[tuple[str, str, str], dict] = {}
    urgency: dict[str, tuple[int, int]] = {}
    for flag in checked.to_dict("records"):
        severity = None if flag["severity"] is None or pd.isna(flag["severity"]) else int(flag["severity"])
        highest, count = urgency.get(flag["area_code"], (0, 0))
        urgency[flag["area_code"]] = (max(highest, severity or 0), count + 1)
        info = indicator_info(policy, flag["indicator"])
        for group in flag["target_groups"] or affected_target_groups(policy, flag["indicator"]):
            pair = pairs.setdefault(
                (flag["area_code"], flag["area_name"], group), {"indicators": [], "chapters": [], "severity": None}
            )
            if severity is not None:
                pair["severity"] = max(pair["severity"] or 0, severity)
            pair["indicators"].append(flag["indicator"])
            pair["chapters"] += [policy.indicators[c]["chapter"] for c in info["components"]]
    order = {g: i for i, g in enumerate(policy.target_groups)}

    def urgency_key(item):
        (code, _, group), pair = item
        highest, count = urgency[code]
        return -highest, -count, code, -(pair["severity"] or 0), order[group]

    rows = []
    for (code, name, group), pair in sorted(pairs.items(), key=urgency_key):
        if group == ALL_RESIDENTS:
            proof = {"indicator": None, "value": None, "city_value": None, "tested": False}
        else:
            proof = _best_evidence(evidence, code, group)
            if proof is None:
                continue  # the group is not over-represented here: no proposal for it
        stadtbezirk = policy.places.stadtbezirk(name)
        formats = _formats_for(policy, group, name, stadtbezirk, pair["chapters"], pair["severity"], year)
        for position, (instrument_id, title, body, place) in enumerate(formats[:per_group], start=1):
            rows.append(
                {
                    "area_code": code,
                    "area_name": name,
                    "stadtbezirk": stadtbezirk,
                    "severity": pair["severity"],
                    "target_group": group,
                    "target_group_label": policy.target_groups[group]["label"],
                    "indicators": list(dict.fromkeys(pair["indicators"])),
                    "evidence_indicator": proof["indicator"],
                    "evidence_value": proof["value"],
                    "evidence_city": proof["city_value"],
                    "evidence_tested": bool(proof["tested"]),
                    "rank": position,
                    "instrument": instrument_id,
                    "instrument_title": title,
                    "body": body,
                    "place": place,
                }
            )
    return frame(rows, PROPOSAL_COLUMNS)


def most_affected(policy: Policy, flags: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """The flagged Ortsteile in order of urgency (highest severity, then number of flags): area_code, area_name."""
    checked = check_flags(policy, flags)
    if checked.empty:
        return frame([], ["area_code", "area_name", "severity", "n_flags"])
    checked["severity"] = checked["severity"].fillna(0).astype(int)
    grouped = checked.groupby(["area_code", "area_name"], sort=False).agg(
        severity=("severity", "max"), n_flags=("indicator", "size")
    )
    grouped = grouped.reset_index().sort_values(["severity", "n_flags", "area_code"], ascending=[False, False, True])
    return grouped.head(top).reset_index(drop=True)
