"""The policy parts in print: shorter than on the website, but naming every plan, measure and proposal."""

from __future__ import annotations

from test_policy import flags, load, values

from sozialbericht.policy import matching
from sozialbericht.report import policy_pages, policy_print


def test_a_chapter_prints_a_paragraph_with_every_plan_and_measure_and_the_website_keeps_the_tables(tmp_path):
    policy = load(tmp_path)
    plans = policy_print.plans_print(policy, "arbeit", 2022)
    assert "STEK" in plans and "Zur Fortschreibung fällig: STEK." in plans
    assert "„Handlungsstrategien und Maßnahmen“" in plans and "|" not in plans
    measures = policy_print.measures_print(policy, "arbeit", 2022)
    assert "- „Strategie“: QM Grünau; Jobcenter\\-Programm." in measures
    assert "Zu diesem Kapitel gehören 2 Maßnahmen aus einer Handlungsstrategie" in measures
    assert "belegten Umsetzungsstand trägt eine Maßnahme" in measures
    assert policy_print.measures_print(policy, "bevoelkerung", 2022).startswith("Im Maßnahmenregister ist")
    page = policy_print.web_and_print(policy_pages.plans_markdown(policy, "arbeit", 2022), plans)
    web, printed = page.split("````{only} latex")
    assert web.startswith("````{only} html") and "| STEK" in web and plans in printed


def test_formats_print_as_a_list_with_their_places_escaped_once(tmp_path):
    policy = load(tmp_path)
    place = "Grünau \\(Ortsteile Grünau\\-Mitte und Grünau\\-Nord\\)"
    assert place in policy_pages.instruments_markdown(policy, 2022)
    printed = policy_print.instruments_print(policy, 2022).splitlines()
    assert [line.split("**")[1] for line in printed] == ["Stadtbezirksbeirat", "Quartiersrat Grünau", "Bürgerumfrage"]
    assert printed[1].startswith(f"- **Quartiersrat Grünau** ({place}, seit 2007; Träger: nicht angegeben)")
    assert "Beginn nicht angegeben" in printed[0] and "[\\[1\\]](https://example.org/quelle)" in printed[0]


def test_proposals_print_one_row_per_ortsteil_with_all_its_groups_and_their_evidence(tmp_path):
    policy = load(tmp_path)
    evidence = matching.group_evidence(
        policy,
        {
            "arbeitslosenanteil": values(
                [("Stadt", "x", "Leipzig", 5.0, 10000, 200000), ("Ortsteil", "62", "Grünau-Mitte", 9.0, 900, 10000)]
            ),
            "altenquote": values(
                [("Stadt", "x", "Leipzig", 30.0, None, None), ("Ortsteil", "62", "Grünau-Mitte", 45.0, None, None)]
            ),
        },
        2022,
    )
    found = flags(("62", "Grünau-Mitte", "arbeitslosenanteil", 2), ("62", "Grünau-Mitte", "altenquote", 1))
    web = policy_pages.participation_markdown(policy, found, evidence, 2022)
    printed = policy_print.participation_print(policy, found, evidence, 2022)
    assert sum(line.startswith("| Grünau\\-Mitte") for line in web.splitlines()) == 2  # one row per group
    rows = [line for line in printed.splitlines() if line.startswith("| Grünau\\-Mitte")]
    assert len(rows) == 1
    assert "Arbeitslose (" in rows[0] and "Ältere (" in rows[0] and "statistisch gesichert" in rows[0]
    assert rows[0].endswith("| Quartiersrat Grünau; Stadtbezirksbeirat West |")
    assert printed.startswith("Vorschläge für einen markierten Ortsteil.")
