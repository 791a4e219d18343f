"""The policy parts of the topic chapters in print: the website shows them in full, the PDF summarises.

The register of plans and measures is printed once, in the chapter "Handlungsstrategien und Maßnahmen";
a topic chapter's printed page names its plans and measures in a short paragraph and points there.
The Markdown wraps both versions in ``{only}`` blocks (MyST), so one file serves website and PDF.
"""

from __future__ import annotations

from sozialbericht import fmt, grammar
from sozialbericht.policy import register
from sozialbericht.policy.schema import Policy
from sozialbericht.report.policy_pages import escape_markdown

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
