"""The policy parts of the topic chapters in print: the website shows them in full, the PDF summarises.

The register of plans and measures is printed once, in the chapter "Handlungsstrategien und Maßnahmen";
a topic chapter's printed page names its plans and measures in a short paragraph and points there.
The Markdown wraps both versions in ``{only}`` blocks (MyST), so one file serves website and PDF.
"""

from __future__ import annotations

import pandas as pd

from sozialbericht import fmt, grammar
from sozialbericht.analysis.warning import SEVERITY as SEVERITY_LABELS
from sozialbericht.policy import matching, register
from sozialbericht.policy.schema import Policy
from sozialbericht.report import policy_pages
from sozialbericht.report.policy_pages import NOT_GIVEN, escape_markdown

REGISTER_CHAPTER = "„Handlungsstrategien und Maßnahmen“"


def web_and_print(web: str, printed: str) -> str:
    """``web`` on the website, ``printed`` in the PDF (four backticks: the texts may hold fences)."""
    return f"````{{only}} html\n{web}\n````\n\n````{{only}} latex\n{printed}\n````"


def plans_print(policy: Policy, chapter: str, year: int) -> str:
    """The plans of a chapter in one paragraph: their titles, the ones due for renewal, the pointer."""
    plans = register.plans_for_chapter(policy, chapter, year)
    plans = plans[~plans["beispiel"].astype(bool)]
    if plans.empty:
        return "Im Plankatalog ist kein Plan oder Konzept zu diesem Kapitel erfasst."
    titles = [escape_markdown(t) for t in plans["title"]]
    due = [escape_markdown(t) for t in plans.loc[plans["renewal_due"].astype(bool), "title"]]
    if len(plans) == 1:
        text = f"Ein Plan oder Konzept der Stadt betrifft die Kennzahlen dieses Kapitels: {titles[0]}."
    else:
        text = f"{fmt.number(len(plans))} Pläne und Konzepte der Stadt betreffen die Kennzahlen dieses Kapitels: "
        text += "; ".join(titles) + "."
    if due:
        text += f" Zur Fortschreibung fällig: {'; '.join(due)}."
    return (
        text + f" Federführung, Geltungsdauer, Gebiet und Quellen stehen im Kapitel {REGISTER_CHAPTER} "
        "(Abschnitt „Pläne und Konzepte der Stadt“) und auf der Website."
    )


def measures_print(policy: Policy, chapter: str, year: int, local: str = "") -> str:
    """The chapter's strategies with their measures in one paragraph, then what happens in the most
    affected Ortsteile (``local``, chapter-specific, printed in full)."""
    measures = register.measures_for_chapter(policy, chapter, year)
    if measures.empty:
        return "Im Maßnahmenregister ist für dieses Kapitel keine Maßnahme erfasst."
    parts = []
    for strategy in register.strategies_for_chapter(policy, chapter, year).to_dict("records"):
        own = measures[measures["strategy"] == strategy["strategy"]]
        if own.empty:
            continue
        names = "; ".join(escape_markdown(t) for t in own["title"])
        parts.append(f"- „{escape_markdown(strategy['title'])}“: {names}.")
    with_status = int(measures["status"].notna().sum())
    text = (
        f"Zu diesem Kapitel {grammar.verb(len(measures), 'gehört', 'gehören')} "
        f"{grammar.count(len(measures), 'Maßnahme')} aus "
        f"{grammar.count(len(parts), 'Handlungsstrategie', 'dat')}:\n\n" + "\n".join(parts) + "\n\n"
        f"Einen durch eine Quelle belegten Umsetzungsstand {grammar.verb(with_status, 'trägt', 'tragen')} "
        f"{grammar.count(with_status, 'Maßnahme')}. Federführung, Gebiet, Umsetzungsstand und Quellen jeder "
        f"Maßnahme stehen im Register im Kapitel {REGISTER_CHAPTER} und auf der Website."
    )
    return f"{local}\n\n{text}" if local else text


def participation_print(policy: Policy, flags: pd.DataFrame, evidence: pd.DataFrame, year: int) -> str:
    """The proposals by place in print: one row per Ortsteil with every target group and its evidence, and
    the bodies in the Ortsteil and its Stadtbezirk (the city-wide formats are in the overview table)."""
    proposals = matching.participation_proposals(policy, flags, evidence, year)
    if proposals.empty:
        return policy_pages.participation_markdown(policy, flags, evidence, year)
    rows = []
    for _code, place in proposals.groupby("area_code", sort=False):
        first = place.iloc[0]
        severities = [int(s) for s in place["severity"] if s is not None and not pd.isna(s)]
        groups = place.drop_duplicates("target_group").to_dict("records")
        found = "; ".join(
            f"{escape_markdown(g['target_group_label'])} ({policy_pages.evidence_text(policy, g)})" for g in groups
        )
        near = place[place["place"] != "city"]["instrument_title"]
        bodies = "; ".join(escape_markdown(t) for t in dict.fromkeys(near)) or fmt.DASH
        rows.append(
            [
                escape_markdown(first["area_name"]),
                SEVERITY_LABELS[max(severities)] if severities else fmt.DASH,
                found,
                bodies,
            ]
        )
    lead = (
        f"Vorschläge für {grammar.count(len(rows), 'Ortsteil', 'akk', adjective_stem='markiert')}. Eine Zielgruppe erhält einen Vorschlag nur "
        "dort, wo sie stärker vertreten oder betroffen ist als in der Stadt (bei Anteilen aus Fallzahlen "
        "statistisch gesichert). Die Tabelle nennt die Gremien im Ortsteil und im Stadtbezirk; die "
        "gesamtstädtischen Formate je Ortsteil zeigt die Übersicht oben, jede Zeile im Einzelnen die Website."
    )
    header = ["Ortsteil", "Stufe", "Zielgruppen (Beleg)", "Gremien vor Ort und im Stadtbezirk"]
    return lead + "\n\n" + policy_pages.table(header, rows)


def instruments_print(policy: Policy, year: int) -> str:
    """The participation formats in print: one paragraph each, full width instead of seven narrow columns."""
    items = []
    for row in policy_pages.instrument_rows(policy, year):
        title, description, body, where, since, groups, sources = row
        started = (
            "Beginn nicht angegeben" if since.startswith(NOT_GIVEN) else since if "–" in since else f"seit {since}"
        )
        description = description if description.endswith((".", "!", "?")) else description + "."
        items.append(
            f"- **{title}** ({where}, {started}; Träger: {body}) – {description} Zielgruppen: {groups}. "
            f"Quellen: {sources}."
        )
    return "\n".join(items)
