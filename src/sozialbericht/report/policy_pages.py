"""The German text of the policy parts: plans, measures, tracking, recommendations by place, participation.

Takes the data of ``policy/`` (the loaded register and the DataFrames of its queries) and writes Markdown (MyST).
Text from the YAML files is always escaped (:func:`escape_markdown`); links come only from validated URLs.
"""

from __future__ import annotations

import re

import pandas as pd

from sozialbericht import fmt, grammar
from sozialbericht.analysis.warning import SEVERITY as SEVERITY_LABELS
from sozialbericht.policy import matching, register
from sozialbericht.policy.schema import CITY_WIDE, PLAN_KINDS, SECTORS, Policy
from sozialbericht.policy.urls import valid_url

GAP = "Handlungsbedarf ohne Maßnahme"
NO_LOCAL = "ohne Maßnahme vor Ort"
NOT_GIVEN = "nicht angegeben"
PLACE_WORDS = {"local": "vor Ort", "district": "Stadtbezirk", "city": "gesamtstädtisch"}
EXAMPLE_KINDS = {"plan": "Plan", "measure": "Maßnahme", "instrument": "Beteiligungsformat"}
OVERDUE_BASIS = {"target_year": "Zieljahr laut Quelle", "horizon": "Frist im Register"}


def period_text(start, end) -> str:
    """The period of validity of a plan: '2023–2026', '2023' (one year), 'ab 2019', 'bis 2020' or 'nicht angegeben'."""
    if start is None and end is None:
        return NOT_GIVEN
    if start is None:
        return f"bis {end}"
    if end is None:
        return f"ab {start}"
    return str(start) if start == end else f"{start}–{end}"


def renewal_text(reason: str, detail) -> str:
    return {
        "superseded": f"abgelöst durch „{detail}“",
        "no_period": "Geltungsdauer nicht angegeben",
        "ended": f"Geltungsdauer endete {detail}",
        "valid": f"gilt bis {detail}",
    }[reason]


EXAMPLE_BOX = "Beispiele der Berichtsredaktion (keine Beschlüsse der Stadt Leipzig, nicht in der Umsetzungsverfolgung)"

_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_markdown(text) -> str:
    """Text from a YAML file as literal Markdown/MyST text: whitespace collapsed, ASCII punctuation escaped."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    value = " ".join(_CONTROL.sub(" ", str(text)).split())
    return "".join("\\" + char if char in _ASCII_PUNCTUATION else char for char in value)


def md_link(label, url) -> str:
    """``[label](url)`` for a valid http(s) URL, else the escaped label alone."""
    if not valid_url(url):
        return escape_markdown(label)
    target = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{escape_markdown(label)}]({target})"


def cell(value, sep: str = ", ") -> str:
    """One escaped cell ("nicht angegeben" for None, "–" for an empty list)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return NOT_GIVEN
    if isinstance(value, (list, tuple)):
        return escape_markdown(sep.join(str(v) for v in value)) if value else "–"
    return escape_markdown(value)


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def sources_text(urls: list[str]) -> str:
    """Numbered links "[1], [2]" to the sources of an entry."""
    return ", ".join(md_link(f"[{n}]", url) for n, url in enumerate(urls, start=1)) if urls else NOT_GIVEN


def areas_text(areas: list[str], policy: Policy | None = None) -> str:
    """The places of an entry; an area group is followed by its Ortsteile."""
    if not areas:
        return NOT_GIVEN
    groups = policy.places.groups if policy is not None else {}
    names = [f"{a} (Ortsteile {fmt.join_names(groups[a])})" if a in groups and groups[a] != [a] else a for a in areas]
    return escape_markdown("; ".join(names))


def _year(value) -> str:
    return NOT_GIVEN if value is None or (isinstance(value, float) and pd.isna(value)) else str(int(value))


# --- plans ------------------------------------------------------------------------------------------


def plans_markdown(policy: Policy, chapter: str | None, year: int, printed: bool = False) -> str:
    """The plans of a chapter (all for ``chapter=None``) as a table; ``printed``: as a full-width list,
    which takes half the height of six narrow columns on paper."""
    plans = register.plans_for_chapter(policy, chapter, year)
    plans = plans[~plans["beispiel"].astype(bool)]
    if plans.empty:
        return "Im Plankatalog ist kein Plan oder Konzept zu diesem Kapitel erfasst."
    rows = []
    for plan in plans.to_dict("records"):
        renewal = escape_markdown(renewal_text(plan["renewal_reason"], plan["renewal_detail"]))
        if plan["renewal_due"]:
            renewal = f"**Fortschreibung fällig** \\({renewal}\\)"
        kind = f"{PLAN_KINDS[plan['kind']]}, {SECTORS[plan['sector']]}"
        rows.append(
            [
                f"{md_link(plan['title'], plan['link'])} \\({escape_markdown(kind)}\\)",
                cell(plan["responsible_office"]),
                f"{_year(plan['adopted'])} / {escape_markdown(period_text(plan['period_start'], plan['period_end']))}",
                areas_text(plan["areas"], policy),
                renewal,
                sources_text(plan["sources"]),
            ]
        )
    header = ["Plan / Konzept (Art, Feld)", "Federführung", "Beschluss / Geltung", "Gebiet", f"Stand {year}", "Quellen"]
    outside = int((~plans["social"].astype(bool)).sum())
    subject = (
        "Ein Plan oder Konzept der Stadt betrifft "
        if len(plans) == 1
        else (f"{fmt.number(len(plans))} Pläne und Konzepte der Stadt betreffen ")
    )
    lead = (
        subject
        + ("die Kennzahlen dieses Kapitels" if chapter else "die Themen dieses Berichts")
        + (
            f", davon {'einer' if outside == 1 else fmt.number(outside)} außerhalb des Sozialbereichs"
            if outside and len(plans) > 1
            else ""
        )
        + ". „Beschluss“ nennt ein Jahr nur, wenn eine Quelle den Beschluss berichtet; nicht belegte Angaben "
        "bleiben leer („nicht angegeben“)."
    )
    if printed:
        items = [
            f"- {title} – Federführung: {office}; Beschluss / Geltung: {period}; Gebiet: {area}; "
            f"Stand {year}: {state}; Quellen: {sources}."
            for title, office, period, area, state, sources in rows
        ]
        return lead + "\n\n" + "\n".join(items)
    return f"{lead}\n\n{table(header, rows)}"


# --- measures ---------------------------------------------------------------------------------------


def _measure_item(policy: Policy, row: dict, year: int) -> str:
    details = [f"Federführung: {cell(row['lead_office'])}"]
    if row["co_offices"]:
        details.append(f"mit: {cell(row['co_offices'])}")
    details.append(f"Gebiet: {areas_text(row['areas'], policy)}")
    details.append(f"Beginn: {_year(row['start_year'])}")
    if row["status"] is not None:
        note = f", {escape_markdown(row['status_note'])}" if row["status_note"] else ""
        details.append(
            f"Stand {row['status_year']}: {escape_markdown(row['status'])}{note} "
            f"({md_link('Quelle', row['status_source'])})"
        )
    else:
        details.append(f"Umsetzungsstand {year}: von keiner Quelle belegt")
    if row["due_year"] is not None:
        details.append(f"Zieljahr: {row['due_year']}" + (" – **überfällig**" if row["overdue"] else ""))
    details.append(f"Zielgruppen: {cell(row['target_group_labels'])}")
    details.append(f"Quellen: {sources_text(row['sources'])}")
    text = f"- **{escape_markdown(row['title'])}**"
    if row["description"]:
        text += f" – {escape_markdown(row['description'])}"
    return text + "  \n  " + "; ".join(details) + "."


def measures_markdown(policy: Policy, chapter: str | None, year: int) -> str:
    """Strategies and their real measures for a chapter (the whole register for ``chapter=None``)."""
    measures = register.measures_for_chapter(policy, chapter, year)
    if measures.empty:
        return "Im Maßnahmenregister ist für dieses Kapitel keine Maßnahme erfasst."
    blocks = []
    for strategy in register.strategies_for_chapter(policy, chapter, year).to_dict("records"):
        own = measures[measures["strategy"] == strategy["strategy"]].to_dict("records")
        head = f"**Handlungsstrategie: {escape_markdown(strategy['title'])}**"
        if strategy["description"]:
            head += f"  \n{escape_markdown(strategy['description'])}"
        if strategy["plans"]:
            head += (
                f"  \nGrundlage: {cell(strategy['plans'], sep='; ')}. Beteiligt: {cell(strategy['offices'], sep='; ')}."
            )
        blocks.append(head + "\n\n" + "\n".join(_measure_item(policy, row, year) for row in own))
    return "\n\n".join(blocks)


def examples_markdown(policy: Policy) -> str:
    """The one marked box with the example entries (empty text when there are none)."""
    found = register.examples(policy)
    if found.empty:
        return ""
    items = "\n".join(f"- {EXAMPLE_KINDS[r['kind']]}: {escape_markdown(r['title'])}" for r in found.to_dict("records"))
    return f":::{{note}} {EXAMPLE_BOX}\n{items}\n:::"


def register_markdown(policy: Policy, year: int) -> str:
    """The page "Handlungsstrategien und Maßnahmen": overview, then the register (examples in their own box)."""
    counts = register.counts(policy, year)
    strategies = register.strategies_for_chapter(policy, None, year)
    measures = register.measures_for_chapter(policy, None, year)
    rows = [
        [
            escape_markdown(s["title"]),
            cell(s["plans"], sep="; "),
            fmt.number(len(s["measures"])),
            fmt.number(int(measures[measures["strategy"] == s["strategy"]]["status"].notna().sum())),
        ]
        for s in strategies.to_dict("records")
    ]
    lead = (
        f"Das Register umfasst {fmt.number(counts['strategies'])} ämterübergreifende Handlungsstrategien mit "
        f"{fmt.number(counts['measures'])} Maßnahmen und Programmen der Stadt (Ausgabe {year}). Die Strategien "
        "bündeln Maßnahmen unter den Zielen der genannten Pläne; die Bündelung ist eine Ordnung der "
        f"Berichtsredaktion. Einen Umsetzungsstand {grammar.verb(counts['with_status'], 'trägt', 'tragen')} "
        f"{grammar.count(counts['with_status'], 'Maßnahme')}, jeweils mit Jahr und Quelle; wo keine Quelle einen "
        "Stand nennt, steht keiner."
    )
    parts = [lead, table(["Handlungsstrategie", "Grundlage", "Maßnahmen", "mit belegtem Stand"], rows)]
    parts.append(measures_markdown(policy, None, year))
    box = examples_markdown(policy)
    return "\n\n".join(parts + ([box] if box else []))


def tracking_markdown(policy: Policy, year: int) -> str:
    """Status changes since ``year - 1`` and overdue measures: real entries with sources only."""
    changes = register.status_changes(policy, year)
    late = register.overdue(policy, year)
    blocks = [f"**Belegte Veränderungen gegenüber {year - 1}**"]
    if changes.empty:
        blocks.append(f"Für {year} belegt keine Quelle einen neuen Umsetzungsstand einer Maßnahme.")
    else:
        blocks.append(
            table(
                ["Maßnahme", "Handlungsstrategie", f"Stand {year - 1}", f"Stand {year}", "Anmerkung", "Quelle"],
                [
                    [
                        escape_markdown(r["title"]),
                        escape_markdown(r["strategy_title"]),
                        escape_markdown(r["status_before"] or "kein belegter Stand"),
                        escape_markdown(r["status_now"]),
                        cell(r["note"]) if r["note"] else "–",
                        md_link("Quelle", r["source"]) if r["source"] else "–",
                    ]
                    for r in changes.to_dict("records")
                ],
            )
        )
    blocks.append(f"**Überfällige Maßnahmen {year}**")
    if late.empty:
        blocks.append(
            "Keine Maßnahme hat ein belegtes Zieljahr überschritten. Ein Zieljahr tragen nur Maßnahmen, für die "
            "eine Quelle oder ein Beschluss eines nennt."
        )
    else:
        blocks.append(
            table(
                ["Maßnahme", "Federführung", "Zieljahr", "Grundlage", "Stand"],
                [
                    [
                        escape_markdown(r["title"]),
                        cell(r["lead_office"]),
                        str(r["due_year"]),
                        OVERDUE_BASIS[r["basis"]],
                        escape_markdown(r["status"] or "ohne belegten Stand"),
                    ]
                    for r in late.to_dict("records")
                ],
            )
        )
    return "\n\n".join(blocks)


# --- recommendations by place -----------------------------------------------------------------------


def recommendations_markdown(policy: Policy, flags: pd.DataFrame, year: int, chapter: str | None = None) -> str:
    """Per flagged indicator and Ortsteil: measures there first, then city-wide ones, or the gap."""
    recs = matching.recommendations(policy, flags, year)
    if chapter is not None:
        recs = recs[recs["chapter"] == chapter]
    if recs.empty:
        return (
            "Das Frühwarnsystem markiert für die Kennzahlen dieses Kapitels keinen Ortsteil; daraus ergibt sich "
            "keine zusätzliche Empfehlung."
        )
    blocks = []
    for indicator, part in recs.groupby("indicator", sort=False):
        title = matching.indicator_info(policy, indicator)["title"]
        city = part[part["kind"] == "gesamtstaedtisch"].drop_duplicates("measure")
        lines = []
        for (_code, name), place in part.groupby(["area_code", "area_name"], sort=False):
            local = place[place["kind"] == "vor_ort"]
            if not local.empty:
                named = "; ".join(
                    f"{escape_markdown(r['measure_title'])} ({escape_markdown(r['status'] or f'für {year} kein belegter Stand')})"
                    for r in local.to_dict("records")
                )
                lines.append(f"- **{escape_markdown(name)}**: vor Ort {named}; dazu die gesamtstädtischen Maßnahmen.")
            elif (place["kind"] == "gesamtstaedtisch").any():
                # other measures may work there, but none on this indicator: say so, or the list reads wrong
                lines.append(
                    f"- **{escape_markdown(name)}**: {NO_LOCAL} zu dieser Kennzahl – nur die gesamtstädtischen Maßnahmen."
                )
            else:
                lines.append(f"- **{escape_markdown(name)}**: **{GAP}.**")
        head = f"**{escape_markdown(title)}** – auffällig in {fmt.number(part['area_code'].nunique())} Ortsteilen:"
        if part["area_code"].nunique() == 1:
            head = f"**{escape_markdown(title)}** – auffällig in einem Ortsteil:"
        tail = ""
        if not city.empty:
            tail = (
                "\n\nGesamtstädtisch wirken: "
                + "; ".join(
                    f"{escape_markdown(r['measure_title'])} (Handlungsstrategie „{escape_markdown(r['strategy_title'])}“)"
                    for r in city.to_dict("records")
                )
                + "."
            )
        blocks.append(head + "\n\n" + "\n".join(lines) + tail)
    return "\n\n".join(blocks)


def gaps_markdown(policy: Policy, flags: pd.DataFrame, year: int) -> str:
    found = matching.gaps(policy, flags, year)
    if found.empty:
        return "Für jeden markierten Ortsteil und jede markierte Kennzahl gibt es eine Maßnahme vor Ort."
    none = found[found["coverage"] == "none"]
    rows = []
    for (indicator, coverage), part in found.groupby(["indicator_title", "coverage"], sort=False):
        rows.append(
            [
                escape_markdown(indicator),
                GAP if coverage == "none" else NO_LOCAL,
                fmt.number(len(part)),
                escape_markdown(fmt.join_names(list(part["area_name"]))),
            ]
        )
    lead = (
        f"Entschieden je Ortsteil und markierter Kennzahl: in {grammar.count(len(none), 'Fall', 'dat')} gibt es "
        f"keine Maßnahme ({GAP}), in {grammar.count(len(found) - len(none), 'Fall', 'dat')} nur "
        f"gesamtstädtische ({NO_LOCAL}). Eine Maßnahme in einem anderen Ortsteil schließt die Lücke nicht."
    )
    return lead + "\n\n" + table(["Kennzahl", "Lage", "Ortsteile", "Betroffene Ortsteile"], rows)


def local_activity_markdown(policy: Policy, flags: pd.DataFrame, year: int, top: int = 5) -> str:
    """For the most affected flagged Ortsteile: what is already happening there (measures, local bodies)."""
    affected = matching.most_affected(policy, flags, top=top)
    if affected.empty:
        return ""
    lines = []
    for row in affected.to_dict("records"):
        name = row["area_name"]
        measures = matching.measures_in_area(policy, name, year)
        groups = policy.places.groups_of(name)
        bodies = [
            i["title"]
            for i in policy.instruments.values()
            if not i["beispiel"] and i["areas"] != [CITY_WIDE] and matching.covers(policy, i["areas"], name)
        ]
        parts = []
        if measures:
            parts.append("Maßnahmen vor Ort: " + escape_markdown("; ".join(m["title"] for _, m in measures)))
        if bodies:
            parts.append("Beteiligung vor Ort: " + escape_markdown("; ".join(bodies)))
        if not parts:
            parts.append("im Register keine Maßnahme und kein Gremium vor Ort, nur gesamtstädtische Angebote")
        where = f" (Gebiet {escape_markdown(fmt.join_names(groups))})" if groups else ""
        lines.append(f"- **{escape_markdown(name)}**{where}: " + ". ".join(parts) + ".")
    return "**Was in den am stärksten betroffenen Ortsteilen bereits geschieht**\n\n" + "\n".join(lines)


# --- participation ----------------------------------------------------------------------------------


def instrument_rows(policy: Policy, year: int) -> list[list[str]]:
    """The participation formats of ``year`` as escaped cells: title, description, body, where, since,
    target groups, sources."""
    rows = []
    for i in policy.instruments.values():
        if i["beispiel"] or (i["since"] is not None and i["since"] > year):
            continue
        # areas_text escapes already
        where = (
            "je Stadtbezirk" if i["per_stadtbezirk"] else areas_text(i["areas"], policy) if i["areas"] else NOT_GIVEN
        )
        rows.append(
            [
                escape_markdown(i["title"]),
                cell(i["description"]),
                cell(i["body"]),
                where,
                _year(i["since"]) + (f"–{i['until']}" if i["until"] and i["until"] != i["since"] else ""),
                cell([policy.target_groups[g]["label"] for g in i["target_groups"]]),
                sources_text(i["sources"]),
            ]
        )
    return rows


def instruments_markdown(policy: Policy, year: int) -> str:
    header = ["Format / Gremium", "Beschreibung", "Träger", "Wo", "Seit", "Zielgruppen", "Quellen"]
    return table(header, instrument_rows(policy, year))


def evidence_text(policy: Policy, row: dict) -> str:
    if row["evidence_indicator"] is None:
        return "Markierung des Frühwarnsystems"
    info = policy.indicators[row["evidence_indicator"]]
    test = ", statistisch gesichert" if row["evidence_tested"] else ""
    unit = f" {info['unit']}" if info.get("unit") else ""
    return escape_markdown(
        f"{info['short']}: {fmt.number(row['evidence_value'], 1)}{unit} (Stadt: "
        f"{fmt.number(row['evidence_city'], 1)}){test}"
    )


def participation_markdown(policy: Policy, flags: pd.DataFrame, evidence: pd.DataFrame, year: int) -> str:
    proposals = matching.participation_proposals(policy, flags, evidence, year)
    single = flags["area_code"].nunique() == 1
    if proposals.empty:
        where = "In diesem Ortsteil ist" if single else "In den markierten Ortsteilen ist"
        return (
            f"{where} keine betroffene Zielgruppe nachweislich stärker vertreten als in der Stadt; es gibt daher "
            "keinen ortsbezogenen Beteiligungsvorschlag. Offen stehen die gesamtstädtischen Formate (Seite "
            "„Beteiligung“)."
        )
    rows = []
    for (_code, _group), part in proposals.groupby(["area_code", "target_group"], sort=False):
        first = part.iloc[0].to_dict()
        severity = first["severity"]
        formats = "; ".join(
            f"{escape_markdown(r['instrument_title'])} ({PLACE_WORDS[r['place']]})" for r in part.to_dict("records")
        )
        rows.append(
            [
                escape_markdown(first["area_name"]),
                SEVERITY_LABELS[int(severity)] if severity is not None and not pd.isna(severity) else fmt.DASH,
                escape_markdown(first["target_group_label"]),
                evidence_text(policy, first),
                formats,
            ]
        )
    count = proposals["area_code"].nunique()
    lead = (
        ("Vorschläge für diesen Ortsteil. " if single else f"Vorschläge für {fmt.number(count)} markierte Ortsteile. ")
        + "Eine Zielgruppe "
        "erhält einen Vorschlag nur dort, wo sie stärker vertreten oder betroffen ist als in der Stadt (bei "
        "Anteilen aus Fallzahlen statistisch gesichert). Genannt werden zuerst die Gremien am Ort, dann die des "
        "Stadtbezirks, dann gesamtstädtische."
    )
    return lead + "\n\n" + table(["Ortsteil", "Stufe", "Zielgruppe", "Beleg", "Formate und Gremien"], rows)


def participation_summary_markdown(policy: Policy, flags: pd.DataFrame, evidence: pd.DataFrame, year: int) -> str:
    proposals = matching.participation_proposals(policy, flags, evidence, year)
    if proposals.empty:
        return "Es gibt keine ortsbezogenen Beteiligungsvorschläge."
    rows = []
    for title, part in proposals.groupby("instrument_title", sort=False):
        rows.append(
            [
                escape_markdown(title),
                fmt.number(part["area_code"].nunique()),
                cell(list(dict.fromkeys(part["target_group_label"]))),
                escape_markdown(fmt.join_names(list(dict.fromkeys(part["area_name"])))),
            ]
        )
    rows.sort(key=lambda r: -int(r[1].replace(".", "")))
    return table(["Format (am Ort)", "Ortsteile", "Zielgruppen", "Vorgeschlagen für"], rows)
