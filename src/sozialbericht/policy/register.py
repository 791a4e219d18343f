"""The register and its queries: plans per chapter, measures and strategies, and the tracking of implementation.

All functions take the loaded :class:`~sozialbericht.policy.schema.Policy` and the report year and return
DataFrames (object columns, so a missing value stays None); the German pages are written in ``report/``.

Rules (also stated in the YAML headers, where the administration reads them):

Renewal of plans
    A plan is *due for renewal* in report year ``J`` when ``period_end <= J`` and no successor in
    ``superseded_by`` exists by ``J + 1``. Without ``period_end`` it is never flagged. Plans first adopted,
    published or valid after ``J`` are not shown in the edition for ``J``.
Status in a year
    The latest status entry (each with its source) at or before the year; later entries stay in the file.
Overdue
    Only where a source gives a target year (``target_year``) or the register a ``horizon`` (kurzfristig 1,
    mittelfristig 3 years after ``start_year``): overdue in ``J`` when ``J`` is past that year and the status in
    ``J`` is not ``umgesetzt`` or ``beendet``.
Examples
    Entries with ``beispiel: true`` never reach a tracking table (status changes, overdue measures); they carry no
    status or deadline (the schema refuses it) and are listed apart by :func:`examples`.
"""

from __future__ import annotations

import pandas as pd

from sozialbericht.errors import CatalogueError
from sozialbericht.policy.schema import HORIZONS, SOCIAL_SECTORS, Policy

DONE = ("umgesetzt", "beendet")


def frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A DataFrame of object columns, so that a missing value stays None (not NaN)."""
    return pd.DataFrame(rows, columns=columns, dtype=object)


def present(value) -> bool:
    """False for None, NaN and empty text or lists."""
    if value is None:
        return False
    if isinstance(value, float) and pd.isna(value):
        return False
    return not (isinstance(value, (str, list, tuple)) and not value)


def check_chapter(policy: Policy, chapter: str | None):
    if chapter is not None and chapter not in policy.chapters:
        raise CatalogueError(f"unbekanntes Kapitel '{chapter}'; bekannt: {', '.join(policy.chapters)}")


# --- plans --------------------------------------------------------------------------------


def _first_year(plan: dict) -> int | None:
    years = [plan.get(k) for k in ("adopted", "published", "period_start") if plan.get(k) is not None]
    return min(years) if years else None


def plan_exists(plan: dict, year: int) -> bool:
    first = _first_year(plan)
    return first is None or first <= year


def plan_chapters(policy: Policy, plan: dict) -> list[str]:
    """Chapters a plan concerns: those of its indicators plus its explicit ``chapters``."""
    found = {policy.indicators[i]["chapter"] for i in plan["indicators"]} | set(plan["chapters"])
    return [c for c in policy.chapters if c in found]


def renewal(policy: Policy, plan: dict, year: int) -> tuple[bool, str, str | int | None]:
    """(due, reason, detail) for the renewal rule in the module docstring.

    reason: 'superseded' (detail: the successor's title), 'no_period', 'ended' or 'valid' (detail: period_end).
    """
    end = plan.get("period_end")
    successor = policy.plans.get(plan.get("superseded_by") or "")
    if successor is not None and (_first_year(successor) is None or _first_year(successor) <= year + 1):
        return False, "superseded", successor["title"]
    if end is None:
        return False, "no_period", None
    return end <= year, "ended" if end <= year else "valid", end


PLAN_COLUMNS = [
    "plan",
    "title",
    "kind",
    "sector",
    "social",
    "responsible_office",
    "adopted",
    "published",
    "period_start",
    "period_end",
    "decision",
    "link",
    "themes",
    "indicators",
    "chapters",
    "areas",
    "sources",
    "notes",
    "renewal_due",
    "renewal_reason",
    "renewal_detail",
    "beispiel",
]


def plans_for_chapter(policy: Policy, chapter: str | None, year: int) -> pd.DataFrame:
    """Plans that concern a chapter (all plans for ``chapter=None``) in ``year``, with the renewal rule."""
    check_chapter(policy, chapter)
    rows = []
    for plan_id, plan in policy.plans.items():
        chapters = plan_chapters(policy, plan)
        if (chapter is not None and chapter not in chapters) or not plan_exists(plan, year):
            continue
        due, reason, detail = renewal(policy, plan, year)
        rows.append(
            {
                "plan": plan_id,
                "title": plan["title"],
                "kind": plan["kind"],
                "sector": plan["sector"],
                "social": plan["sector"] in SOCIAL_SECTORS,
                "responsible_office": plan["responsible_office"],
                "adopted": plan["adopted"],
                "published": plan["published"],
                "period_start": plan["period_start"],
                "period_end": plan["period_end"],
                "decision": plan["decision"],
                "link": plan["link"],
                "themes": list(plan["themes"]),
                "indicators": [
                    i for i in plan["indicators"] if chapter is None or policy.indicators[i]["chapter"] == chapter
                ],
                "chapters": chapters,
                "areas": list(plan["areas"]),
                "sources": list(plan["sources"]),
                "notes": plan["notes"],
                "renewal_due": due and not plan["beispiel"],
                "renewal_reason": reason,
                "renewal_detail": detail,
                "beispiel": plan["beispiel"],
            }
        )
    return frame(rows, PLAN_COLUMNS)


# --- measures and tracking ------------------------------------------------------------------


def status_entry_in_year(measure: dict, year: int) -> tuple[int, str, str | None, str | None] | None:
    """(year of the entry, status, note, source) of the latest status at or before ``year``, or None."""
    found = None
    for entry_year, (status, note, source) in measure["status"].items():
        if entry_year <= year:
            found = (entry_year, status, note, source)
    return found


def status_in_year(measure: dict, year: int) -> str | None:
    entry = status_entry_in_year(measure, year)
    return entry[1] if entry else None


def measure_exists(measure: dict, year: int) -> bool:
    """In the edition for ``year`` once started or with a status by then; with neither known: always."""
    start = measure["start_year"]
    if start is None and not measure["status"]:
        return True
    return (start is not None and start <= year) or status_entry_in_year(measure, year) is not None


def due_year(measure: dict) -> int | None:
    """The year by which a source (``target_year``) or the horizon expects the measure done; None: no deadline."""
    if measure["target_year"] is not None:
        return measure["target_year"]
    allowed = HORIZONS[measure["horizon"]] if measure["horizon"] else None
    if allowed is None or measure["start_year"] is None:
        return None
    return measure["start_year"] + allowed


def is_overdue(measure: dict, year: int) -> bool:
    due = due_year(measure)
    return not measure["beispiel"] and due is not None and year > due and status_in_year(measure, year) not in DONE


def measure_chapters(policy: Policy, measure: dict) -> list[str]:
    found = {measure["chapter"]} | {policy.indicators[link["id"]]["chapter"] for link in measure["indicators"]}
    return [c for c in policy.chapters if c in found]


def is_example(policy: Policy, measure: dict) -> bool:
    return bool(measure["beispiel"] or policy.strategies[measure["strategy"]]["beispiel"])


MEASURE_COLUMNS = [
    "strategy",
    "strategy_title",
    "measure",
    "title",
    "description",
    "chapter",
    "theme",
    "target_groups",
    "target_group_labels",
    "lead_office",
    "co_offices",
    "horizon",
    "start_year",
    "due_year",
    "indicators",
    "plans",
    "plan_titles",
    "areas",
    "sources",
    "status",
    "status_year",
    "status_note",
    "status_source",
    "overdue",
    "beispiel",
]


def _measure_row(policy: Policy, measure_id: str, measure: dict, year: int) -> dict:
    entry = status_entry_in_year(measure, year)
    return {
        "strategy": measure["strategy"],
        "strategy_title": policy.strategies[measure["strategy"]]["title"],
        "measure": measure_id,
        "title": measure["title"],
        "description": measure["description"],
        "chapter": measure["chapter"],
        "theme": measure["theme"],
        "target_groups": list(measure["target_groups"]),
        "target_group_labels": [policy.target_groups[g]["label"] for g in measure["target_groups"]],
        "lead_office": measure["lead_office"],
        "co_offices": list(measure["co_offices"]),
        "horizon": measure["horizon"],
        "start_year": measure["start_year"],
        "due_year": due_year(measure),
        "indicators": [dict(link) for link in measure["indicators"]],
        "plans": list(measure["plans"]),
        "plan_titles": [policy.plans[p]["title"] for p in measure["plans"]],
        "areas": list(measure["areas"]),
        "sources": list(measure["sources"]),
        "status": entry[1] if entry else None,
        "status_year": entry[0] if entry else None,
        "status_note": entry[2] if entry else None,
        "status_source": entry[3] if entry else None,
        "overdue": is_overdue(measure, year),
        "beispiel": is_example(policy, measure),
    }


def ordered_measures(policy: Policy):
    """Measures grouped by strategy (strategy file order), then file order."""
    order = {s: i for i, s in enumerate(policy.strategies)}
    return sorted(policy.measures.items(), key=lambda kv: (order[kv[1]["strategy"]], kv[1]["index"]))


def measures_for_chapter(policy: Policy, chapter: str | None, year: int, examples: bool = False) -> pd.DataFrame:
    """Real measures of a chapter in ``year`` (all for ``chapter=None``); ``examples=True``: only the examples."""
    check_chapter(policy, chapter)
    rows = [
        _measure_row(policy, mid, m, year)
        for mid, m in ordered_measures(policy)
        if measure_exists(m, year)
        and (chapter is None or chapter in measure_chapters(policy, m))
        and is_example(policy, m) == examples
    ]
    return frame(rows, MEASURE_COLUMNS)


STRATEGY_COLUMNS = ["strategy", "title", "description", "lead_office", "offices", "plans", "chapters", "measures"]


def strategies_for_chapter(policy: Policy, chapter: str | None, year: int) -> pd.DataFrame:
    """Strategies with at least one real measure of the chapter in ``year``.

    ``offices`` joins the strategy's offices with the lead and co-offices of its measures.
    """
    measures = measures_for_chapter(policy, chapter, year)
    rows = []
    for strategy_id, strategy in policy.strategies.items():
        own = measures[measures["strategy"] == strategy_id]
        if own.empty:
            continue
        offices = [o for o in [strategy["lead_office"], *strategy["offices"]] if o]
        for m in own.to_dict("records"):
            offices += [o for o in [m["lead_office"], *m["co_offices"]] if o]
        chapters = {c for mid in own["measure"] for c in measure_chapters(policy, policy.measures[mid])}
        rows.append(
            {
                "strategy": strategy_id,
                "title": strategy["title"],
                "description": strategy["description"],
                "lead_office": strategy["lead_office"],
                "offices": _distinct_offices(offices),
                "plans": [policy.plans[p]["title"] for p in strategy["plans"]],
                "chapters": [c for c in policy.chapters if c in chapters],
                "measures": list(own["measure"]),
            }
        )
    return frame(rows, STRATEGY_COLUMNS)


def _distinct_offices(offices: list[str]) -> list[str]:
    """Each office once: "Amt X (Auftraggeber)" and "Amt X" are one office, named the first way it appears."""
    seen: dict[str, str] = {}
    for office in offices:
        seen.setdefault(office.split(" (")[0].strip(), office)
    return list(seen.values())


CHANGE_COLUMNS = ["measure", "title", "strategy_title", "status_before", "status_now", "note", "source"]


def status_changes(policy: Policy, year: int) -> pd.DataFrame:
    """Real measures whose sourced status in ``year`` differs from ``year - 1`` (first entries included)."""
    rows = []
    for measure_id, measure in ordered_measures(policy):
        if is_example(policy, measure):
            continue
        before, now = status_in_year(measure, year - 1), status_in_year(measure, year)
        if now is None or before == now:
            continue
        entry = measure["status"].get(year)
        rows.append(
            {
                "measure": measure_id,
                "title": measure["title"],
                "strategy_title": policy.strategies[measure["strategy"]]["title"],
                "status_before": before,
                "status_now": now,
                "note": entry[1] if entry else None,
                "source": entry[2] if entry else None,
            }
        )
    return frame(rows, CHANGE_COLUMNS)


OVERDUE_COLUMNS = ["measure", "title", "strategy_title", "lead_office", "start_year", "due_year", "status", "basis"]


def overdue(policy: Policy, year: int) -> pd.DataFrame:
    """Real measures past a deadline that a source or the register states, and not done (module docstring)."""
    rows = []
    for measure_id, measure in ordered_measures(policy):
        if not measure_exists(measure, year) or not is_overdue(measure, year):
            continue
        rows.append(
            {
                "measure": measure_id,
                "title": measure["title"],
                "strategy_title": policy.strategies[measure["strategy"]]["title"],
                "lead_office": measure["lead_office"],
                "start_year": measure["start_year"],
                "due_year": due_year(measure),
                "status": status_in_year(measure, year),
                "basis": "target_year" if measure["target_year"] is not None else "horizon",
            }
        )
    return frame(rows, OVERDUE_COLUMNS)


def examples(policy: Policy) -> pd.DataFrame:
    """Every example entry of the register (kind, id, title): shown apart, in one marked box."""
    rows = [{"kind": "plan", "id": i, "title": p["title"]} for i, p in policy.plans.items() if p["beispiel"]]
    rows += [
        {"kind": "measure", "id": i, "title": m["title"]} for i, m in policy.measures.items() if is_example(policy, m)
    ]
    rows += [
        {"kind": "instrument", "id": i, "title": m["title"]} for i, m in policy.instruments.items() if m["beispiel"]
    ]
    return frame(rows, ["kind", "id", "title"])


def counts(policy: Policy, year: int) -> dict[str, int]:
    """Sizes of the register in ``year`` (for the report's text and the build log)."""
    plans = plans_for_chapter(policy, None, year)
    real_plans = plans[~plans["beispiel"].astype(bool)]
    measures = measures_for_chapter(policy, None, year)
    return {
        "plans": len(real_plans),
        "plans_outside_social": int((~real_plans["social"].astype(bool)).sum()),
        "measures": len(measures),
        "strategies": len(strategies_for_chapter(policy, None, year)),
        "instruments": sum(1 for i in policy.instruments.values() if not i["beispiel"]),
        "with_status": int(measures["status"].notna().sum()),
        "examples": len(examples(policy)),
    }
