"""Checks across the policy catalogues: ids that must exist, places that must be known, and the example rule.

Pydantic (``policy/schema.py``) checks each file on its own; what needs another file (an indicator id, a plan, a
strategy, a target group, an Ortsteil name of the geography) is checked here, in the same message format.
"""

from __future__ import annotations

from sozialbericht.policy.schema import CITY_WIDE, MAX_EXAMPLE_SHARE


def _dump(entries, extra=None) -> dict[str, dict]:
    out = {}
    for index, entry in enumerate(entries, start=1):
        data = entry.model_dump()
        data["index"] = index
        if extra:
            extra(data)
        out.setdefault(data["id"], data)
    return out


def check_references(loaded, chapters, indicators, places, names, problems, report_year, today_year, check_ortsteile):
    """Every cross-file problem into ``problems``; returns the catalogues as dicts keyed by id (file order)."""
    target_groups = loaded["target_groups"].target_groups
    plans = loaded["plans"].plans
    strategies = loaded["measures"].strategies
    measures = loaded["measures"].measures
    instruments = loaded["participation"].instruments
    ids = {
        "plan": {p.id for p in plans},
        "strategy": {s.id for s in strategies},
        "target_group": {g.id for g in target_groups},
    }
    known_areas = {CITY_WIDE} | set(places.groups) | set(places.ortsteile)

    def duplicates(file, entries):
        seen = {}
        for index, entry in enumerate(entries, start=1):
            if entry.id in seen:
                problems.add(file, {"id": entry.id}, index, "id", f"doppelt, schon in Eintrag {seen[entry.id]}")
            seen.setdefault(entry.id, index)

    def refs(file, entry, index, field_name, values, kind, vocabulary):
        for position, value in enumerate(values):
            if value not in vocabulary:
                problems.add(file, {"id": entry.id}, index, f"{field_name}.{position}", f"unbekannte {kind} '{value}'")

    def areas(file, entry, index, values):
        for position, value in enumerate(values):
            if value in known_areas:
                continue
            if value in places.ortsteile or (not check_ortsteile and value not in places.groups):
                continue  # without the geography an Ortsteil name cannot be checked here
            problems.add(
                file,
                {"id": entry.id},
                index,
                f"areas.{position}",
                f"'{value}' ist weder ein Ortsteil noch ein Gebiet aus {names['areas']} noch '{CITY_WIDE}'",
            )
        if CITY_WIDE in values and len(values) > 1:
            problems.add(file, {"id": entry.id}, index, "areas", f"'{CITY_WIDE}' steht allein")

    file = names["target_groups"]
    duplicates(file, target_groups)
    for index, group in enumerate(target_groups, start=1):
        refs(file, group, index, "indicators", group.indicators, "Indikator-id", indicators)
        refs(file, group, index, "evidence", group.evidence, "Indikator-id", indicators)

    file = names["plans"]
    duplicates(file, plans)
    for index, plan in enumerate(plans, start=1):
        refs(file, plan, index, "indicators", plan.indicators, "Indikator-id", indicators)
        refs(file, plan, index, "chapters", plan.chapters, "Kapitel-id", chapters)
        areas(file, plan, index, plan.areas)
        if plan.superseded_by is not None and (plan.superseded_by not in ids["plan"] or plan.superseded_by == plan.id):
            problems.add(
                file, {"id": plan.id}, index, "superseded_by", f"unbekannter Nachfolger '{plan.superseded_by}'"
            )

    file = names["measures"]
    duplicates(file, strategies)
    duplicates(file, measures)
    for index, strategy in enumerate(strategies, start=1):
        refs(file, strategy, index, "plans", strategy.plans, "Plan-id", ids["plan"])
    limit = max(report_year, today_year)
    for index, measure in enumerate(measures, start=1):
        entry = {"id": measure.id}
        if measure.strategy not in ids["strategy"]:
            problems.add(file, entry, index, "strategy", f"unbekannte Handlungsstrategie '{measure.strategy}'")
        if measure.chapter not in chapters:
            problems.add(file, entry, index, "chapter", f"unbekanntes Kapitel '{measure.chapter}'")
        refs(file, measure, index, "target_groups", measure.target_groups, "Zielgruppe", ids["target_group"])
        refs(file, measure, index, "plans", measure.plans, "Plan-id", ids["plan"])
        areas(file, measure, index, measure.areas)
        seen = set()
        for position, link in enumerate(measure.indicators):
            where = f"indicators.{position}"
            if link.id not in indicators:
                problems.add(file, entry, index, f"{where}.id", f"unbekannter Indikator '{link.id}'")
                continue
            if link.id in seen:
                problems.add(file, entry, index, f"{where}.id", f"Indikator '{link.id}' doppelt")
            seen.add(link.id)
            meaning = indicators[link.id]["direction"]
            if (meaning, link.direction) in (("higher_worse", "erhöhen"), ("higher_better", "senken")):
                problems.add(file, entry, index, f"{where}.direction", f"'{link.direction}' verschlechtert '{link.id}'")
        for year in measure.status:
            if year > limit:
                problems.add(
                    file, entry, index, f"status.{year}", f"Jahr {year} liegt in der Zukunft (heute {today_year})"
                )

    file = names["participation"]
    duplicates(file, instruments)
    for index, instrument in enumerate(instruments, start=1):
        refs(file, instrument, index, "target_groups", instrument.target_groups, "Zielgruppe", ids["target_group"])
        refs(file, instrument, index, "chapters", instrument.chapters, "Kapitel-id", chapters)
        areas(file, instrument, index, instrument.areas)

    # examples: at most a tenth of the register (plans, measures and formats counted together)
    everything = [*plans, *measures, *instruments]
    examples = sum(1 for e in everything if e.beispiel)
    if everything and examples > MAX_EXAMPLE_SHARE * len(everything):
        problems.lines.append(
            f"{names['measures']}: Feld 'beispiel': {examples} von {len(everything)} Einträgen sind Beispiele; "
            f"höchstens ein Zehntel ist erlaubt"
        )

    def measure_extra(data):
        data["status"] = {
            year: (entry["status"], entry["note"], entry["source"]) for year, entry in sorted(data["status"].items())
        }

    return {
        "target_groups": _dump(target_groups),
        "plans": _dump(plans),
        "strategies": _dump(strategies),
        "measures": _dump(measures, measure_extra),
        "instruments": _dump(instruments),
    }
