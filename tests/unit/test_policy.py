"""Plans, measures and participation: validation, place-based matching, the evidence rule, examples apart."""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from types import SimpleNamespace

import pandas as pd
import pytest

from sozialbericht.errors import CatalogueError
from sozialbericht.policy import matching, register
from sozialbericht.policy.schema import load_policy
from sozialbericht.report import policy_pages

TODAY = dt.date(2026, 6, 30)
GEOGRAPHY = SimpleNamespace(
    ortsteile=pd.DataFrame(
        {"area_name": ["Grünau-Mitte", "Grünau-Nord", "Volkmarsdorf", "Zentrum"], "sbz_code": ["6", "6", "2", "0"]}
    ),
    stadtbezirke=pd.DataFrame({"area_code": ["0", "2", "6"], "area_name": ["Mitte", "Ost", "West"]}),
)
SRC = '["https://example.org/quelle"]'
FILES = {
    "indicators.yml": """
        chapters:
          - {id: arbeit, title: "Arbeit"}
          - {id: bevoelkerung, title: "Bevölkerung"}
        indicators:
          - {id: arbeitslosenanteil, title: "Arbeitslose", chapter: arbeit, direction: higher_worse}
          - {id: sgb2_dichte, title: "SGB II", chapter: arbeit, direction: higher_worse}
          - {id: altenquote, title: "Altenquote", chapter: bevoelkerung, direction: neutral}
        """,
    "target_groups.yml": """
        target_groups:
          - {id: arbeitslose, label: "Arbeitslose", indicators: [arbeitslosenanteil], evidence: [arbeitslosenanteil]}
          - {id: aeltere, label: "Ältere", indicators: [altenquote, arbeitslosenanteil], evidence: [altenquote]}
          - {id: alle_einwohner, label: "Alle", indicators: [sgb2_dichte]}
        """,
    "gebiete.yml": f"""
        groups:
          - {{id: gruenau, name: "Grünau", kind: stadtumbau, ortsteile: ["Grünau-Mitte", "Grünau-Nord"],
             derivation: "Namensgleichheit", sources: {SRC}}}
        """,
    "plans.yml": f"""
        plans:
          - {{id: stek, title: "STEK", kind: konzept, sector: stadtentwicklung, period_start: 2015, period_end: 2020,
             areas: ["Grünau"], indicators: [arbeitslosenanteil], sources: {SRC}}}
        """,
    "measures.yml": f"""
        strategies:
          - {{id: s, title: "Strategie", plans: [stek]}}
        measures:
          - {{id: qm, title: "QM Grünau", strategy: s, chapter: arbeit, target_groups: [arbeitslose], start_year: 2010,
             indicators: [{{id: arbeitslosenanteil, direction: senken}}], areas: ["Grünau"], sources: {SRC},
             status: {{2021: {{status: laufend, source: "https://example.org/s"}}}}}}
          - {{id: stadtweit, title: "Jobcenter-Programm", strategy: s, chapter: arbeit, target_groups: [arbeitslose],
             indicators: [{{id: sgb2_dichte, direction: senken}}], areas: ["gesamtstädtisch"], sources: {SRC},
             target_year: 2020}}
        """,
    "participation.yml": f"""
        instruments:
          - {{id: sbb, title: "Stadtbezirksbeirat", target_groups: [arbeitslose, aeltere, alle_einwohner],
             per_stadtbezirk: true, sources: {SRC}}}
          - {{id: qr, title: "Quartiersrat Grünau", target_groups: [arbeitslose, aeltere, alle_einwohner],
             areas: ["Grünau"], since: 2007, sources: {SRC}}}
          - {{id: umfrage, title: "Bürgerumfrage", target_groups: [alle_einwohner], proposable: false, sources: {SRC}}}
        """,
}


def write(tmp_path, **replace):
    for name, text in FILES.items():
        text = replace.get(name.removesuffix(".yml"), text)
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def load(tmp_path, year=2022, **replace):
    return load_policy(year, write(tmp_path, **replace), today=TODAY, composites={}, geography=GEOGRAPHY)


def problems(tmp_path, **replace) -> str:
    with pytest.raises(CatalogueError) as caught:
        load(tmp_path, **replace)
    return str(caught.value)


def flags(*rows):
    return pd.DataFrame(
        [(c, n, i, "auffällig", s) for c, n, i, s in rows],
        columns=["area_code", "area_name", "indicator", "reason", "severity"],
    )


# --- validation ------------------------------------------------------------------------------------


def test_small_catalogues_load_and_resolve_places(tmp_path):
    policy = load(tmp_path)
    assert policy.places.resolve(["Grünau"]) == (False, {"Grünau-Mitte", "Grünau-Nord"})
    assert policy.places.stadtbezirk("Volkmarsdorf") == "Ost"


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "plans",
            f"sources: {SRC}",
            "sources: []",
            "plans.yml: stek (Eintrag 1): Feld 'sources': ein Eintrag, der kein Beispiel ist, braucht",
        ),
        (
            "plans",
            '"https://example.org/quelle"',
            '"javascript:alert(1)"',
            "plans.yml: stek (Eintrag 1): Feld 'sources.0'",
        ),
        ("plans", 'areas: ["Grünau"]', 'areas: ["Gruenau"]', "plans.yml: stek (Eintrag 1): Feld 'areas.0': 'Gruenau'"),
        (
            "measures",
            'source: "https://example.org/s"',
            "note: x",
            "measures.yml: qm (Eintrag 1): Feld 'status': Stand ohne Quelle (source) für 2021",
        ),
        (
            "measures",
            "chapter: arbeit, target_groups: [arbeitslose], start",
            "chapter: nix, target_groups: [arbeitslose], start",
            "measures.yml: qm (Eintrag 1): Feld 'chapter': unbekanntes Kapitel 'nix'",
        ),
        ("gebiete", '"Grünau-Nord"]', '"Grünau-Nordwest"]', "gebiete.yml: gruenau (Eintrag 1): Feld 'ortsteile.1'"),
        ("measures", 'areas: ["gesamtstädtisch"]', "areas: []", "measures.yml: stadtweit (Eintrag 2): Feld 'areas'"),
        (
            "participation",
            "[arbeitslose, aeltere, alle_einwohner],\n             per",
            "[rentner],\n             per",
            "participation.yml: sbb (Eintrag 1): Feld 'target_groups.0': unbekannte Zielgruppe 'rentner'",
        ),
    ],
)
def test_errors_name_file_entry_and_field(tmp_path, file, old, new, expected):
    changed = FILES[f"{file}.yml"].replace(old, new, 1)
    assert changed != FILES[f"{file}.yml"]
    assert expected in problems(tmp_path, **{file: changed})


def test_an_example_carries_no_status_and_examples_stay_under_a_tenth(tmp_path):
    with_status = FILES["measures.yml"].replace(
        f"sources: {SRC},\n             status", "beispiel: true,\n             status", 1
    )
    assert with_status != FILES["measures.yml"]
    assert "qm (Eintrag 1): Feld 'status': ein Beispiel trägt keinen Umsetzungsstand" in problems(
        tmp_path, measures=with_status
    )
    example = (
        FILES["plans.yml"].rstrip(" ")
        + "          - {id: bsp, title: B, kind: plan, sector: soziales, beispiel: true}\n"
    )
    assert "höchstens ein Zehntel" in problems(tmp_path, plans=example)


def test_real_catalogues_validate_and_meet_the_issue_counts():
    policy = load_policy(2022)
    counts = register.counts(policy, 2022)
    assert counts["examples"] == 0
    assert counts["measures"] >= 20 and counts["strategies"] >= 5
    assert len(policy.plans) >= 30
    outside = [
        p
        for p in policy.plans.values()
        if p["sector"] in {"gesundheit", "wohnen", "stadtentwicklung", "mobilitaet", "klima", "wirtschaft"}
    ]
    assert len(outside) >= 6
    assert all(p["sources"] for p in policy.plans.values())
    assert all(m["sources"] and m["areas"] for m in policy.measures.values())
    assert all(source for m in policy.measures.values() for _, _, source in m["status"].values())


@pytest.mark.skipif(not os.environ.get("SOZIALBERICHT_DATA"), reason="needs the mirror's geography")
def test_real_area_names_match_the_geography():
    from pathlib import Path

    from sozialbericht.data.geography import Geography

    geo = Path(os.environ["SOZIALBERICHT_DATA"]) / "geo"
    geography = Geography.from_geojson(
        (geo / "ortsteile.geojson").read_bytes(), (geo / "stadtbezirke.geojson").read_bytes()
    )
    policy = load_policy(2022, geography=geography)
    assert set(policy.places.groups["Grünau"]) <= set(policy.places.ortsteile)


# --- matching by place --------------------------------------------------------------------------------


def test_a_measure_in_one_ortsteil_does_not_close_the_gap_in_another(tmp_path):
    policy = load(tmp_path)
    found = flags(("62", "Grünau-Mitte", "arbeitslosenanteil", 2), ("21", "Volkmarsdorf", "arbeitslosenanteil", 2))
    recs = matching.recommendations(policy, found, 2022)
    assert list(recs[recs["area_name"] == "Grünau-Mitte"]["kind"]) == ["vor_ort"]
    assert list(recs[recs["area_name"] == "Volkmarsdorf"]["kind"]) == ["luecke"]
    gaps = matching.gaps(policy, found, 2022)
    assert gaps[["area_name", "coverage"]].values.tolist() == [["Volkmarsdorf", "none"]]
    assert matching.local_difference(policy, found, 2022) == ["Grünau-Mitte"]


def test_local_measures_first_then_city_wide(tmp_path):
    write(tmp_path)
    policy = load_policy(
        2022, tmp_path, today=TODAY, composites={"index": ["arbeitslosenanteil", "sgb2_dichte"]}, geography=GEOGRAPHY
    )
    recs = matching.recommendations(policy, flags(("62", "Grünau-Mitte", "index", 3)), 2022)
    assert list(recs["measure"]) == ["qm", "stadtweit"] and list(recs["kind"]) == ["vor_ort", "gesamtstaedtisch"]
    other = matching.gaps(policy, flags(("00", "Zentrum", "index", 3)), 2022)
    assert other["coverage"].tolist() == ["city_wide"]
    text = policy_pages.recommendations_markdown(policy, flags(("00", "Zentrum", "index", 3)), 2022)
    assert "ohne Maßnahme vor Ort" in text


# --- the evidence rule of participation proposals ------------------------------------------------------


def values(rows):
    """Indicator values: (level, area_code, area_name, value, numerator, denominator)."""
    return pd.DataFrame(
        [
            {"level": lv, "area_code": c, "area_name": n, "year": 2022, "value": v, "numerator": x, "denominator": d}
            for lv, c, n, v, x, d in rows
        ]
    )


def test_proposals_only_where_the_group_is_above_the_city_and_significantly_so(tmp_path):
    policy = load(tmp_path)
    evidence = matching.group_evidence(
        policy,
        {
            # unemployment: Grünau-Mitte clearly above, Volkmarsdorf a little above on few cases, Zentrum below
            "arbeitslosenanteil": values(
                [
                    ("Stadt", "x", "Leipzig", 5.0, 10000, 200000),
                    ("Ortsteil", "62", "Grünau-Mitte", 9.0, 900, 10000),
                    ("Ortsteil", "21", "Volkmarsdorf", 5.5, 11, 200),
                    ("Ortsteil", "00", "Zentrum", 3.0, 30, 1000),
                ]
            ),
            # Altenquote: published rate without counts, no test; only Grünau-Mitte above
            "altenquote": values(
                [
                    ("Stadt", "x", "Leipzig", 30.0, None, None),
                    ("Ortsteil", "62", "Grünau-Mitte", 45.0, None, None),
                    ("Ortsteil", "21", "Volkmarsdorf", 12.0, None, None),
                    ("Ortsteil", "00", "Zentrum", 20.0, None, None),
                ]
            ),
        },
        2022,
    )
    found = flags(
        ("62", "Grünau-Mitte", "arbeitslosenanteil", 2),
        ("21", "Volkmarsdorf", "arbeitslosenanteil", 2),
        ("00", "Zentrum", "arbeitslosenanteil", 2),
    )
    proposals = matching.participation_proposals(policy, found, evidence, 2022)
    pairs = set(map(tuple, proposals[["area_name", "target_group"]].values.tolist()))
    assert pairs == {("Grünau-Mitte", "arbeitslose"), ("Grünau-Mitte", "aeltere")}
    # the bodies of the place: the Quartiersrat where it exists, then the Stadtbezirksbeirat of the Stadtbezirk
    titles = proposals[proposals["target_group"] == "arbeitslose"]["instrument_title"].tolist()
    assert titles == ["Quartiersrat Grünau", "Stadtbezirksbeirat West"]
    assert "Bürgerumfrage" not in set(proposals["instrument_title"])


def test_proposals_differ_by_place_for_all_residents(tmp_path):
    policy = load(tmp_path)
    found = flags(("62", "Grünau-Mitte", "sgb2_dichte", 1), ("21", "Volkmarsdorf", "sgb2_dichte", 1))
    proposals = matching.participation_proposals(policy, found, matching.group_evidence(policy, {}, 2022), 2022)
    by_place = proposals.groupby("area_name")["instrument_title"].apply(list).to_dict()
    assert by_place == {
        "Grünau-Mitte": ["Quartiersrat Grünau", "Stadtbezirksbeirat West"],
        "Volkmarsdorf": ["Stadtbezirksbeirat Ost"],
    }


# --- examples never reach a tracking table --------------------------------------------------------------


def test_no_example_reaches_a_tracking_table(tmp_path):
    measures = FILES["measures.yml"].rstrip(" ") + textwrap.indent(
        textwrap.dedent(
            """
            - {id: bsp, title: "Beispielmaßnahme", strategy: s, chapter: arbeit, target_groups: [arbeitslose],
               start_year: 2010, indicators: [{id: arbeitslosenanteil, direction: senken}], beispiel: true}
            """
        ),
        "          ",
    )
    participation = (
        FILES["participation.yml"].rstrip(" ")
        + "\n".join(
            f'          - {{id: p{n}, title: "Format {n}", target_groups: [alle_einwohner], sources: {SRC}}}'
            for n in range(8)
        )
        + "\n"
    )
    policy = load(tmp_path, measures=measures, participation=participation)
    assert "bsp" in set(register.examples(policy)["id"])
    for year in (2021, 2022, 2023):
        assert "bsp" not in set(register.status_changes(policy, year)["measure"])
        assert "bsp" not in set(register.overdue(policy, year)["measure"])
        assert "bsp" not in set(register.measures_for_chapter(policy, None, year)["measure"])
    recs = matching.recommendations(policy, flags(("21", "Volkmarsdorf", "arbeitslosenanteil", 2)), 2022)
    assert list(recs["kind"]) == ["luecke"]
    page = policy_pages.register_markdown(policy, 2022)
    tracking = policy_pages.tracking_markdown(policy, 2022)
    assert "Beispielmaßnahme" in page.split(":::{note}")[1] and "Beispielmaßnahme" not in page.split(":::{note}")[0]
    assert "Beispielmaßnahme" not in tracking
    # the real measure with a source's target year is overdue; the status change of 2021 is in the 2021 table
    assert list(register.overdue(policy, 2022)["measure"]) == ["stadtweit"]
    assert list(register.status_changes(policy, 2021)["measure"]) == ["qm"]


def test_escape_markdown_and_links():
    assert policy_pages.escape_markdown("<b>*x*</b> [a](b)") == "\\<b\\>\\*x\\*\\<\\/b\\> \\[a\\]\\(b\\)"
    assert policy_pages.md_link("L", "javascript:alert(1)") == "L"
    assert policy_pages.md_link("L", "https://example.org/a(b)") == "[L](https://example.org/a%28b%29)"


def test_plan_page_shows_missing_facts_as_not_given_and_the_renewal_rule(tmp_path):
    policy = load(tmp_path)
    page = policy_pages.plans_markdown(policy, None, 2022)
    row = next(line for line in page.splitlines() if line.startswith("| STEK"))
    assert "Konzept\\, Stadtentwicklung und Stadterneuerung" in row
    assert row.count("nicht angegeben") == 2  # no office, no adoption reported by a source
    assert "**Fortschreibung fällig** \\(Geltungsdauer endete 2020\\)" in row
    assert "[\\[1\\]](https://example.org/quelle)" in row
    assert "Grünau \\(Ortsteile Grünau\\-Mitte und Grünau\\-Nord\\)" in row
    assert policy_pages.plans_markdown(policy, None, 2014).startswith("Im Plankatalog ist kein Plan")


def test_offices_of_a_strategy_are_separated_so_that_a_name_with_a_comma_stays_one_office(tmp_path):
    measures = FILES["measures.yml"].replace(
        "start_year: 2010,",
        'start_year: 2010, lead_office: "Amt für Jugend und Familie, Abteilung Kitas", co_offices: ["Jobcenter"],',
    )
    page = policy_pages.measures_markdown(load(tmp_path, measures=measures), None, 2022)
    assert "Beteiligt: Amt für Jugend und Familie\\, Abteilung Kitas\\; Jobcenter." in page


def test_an_office_with_a_role_in_brackets_is_listed_once():
    from sozialbericht.policy.register import _distinct_offices

    offices = [
        "Amt für Wohnungsbau und Stadterneuerung (Auftraggeber)",
        "Sozialamt",
        "Amt für Wohnungsbau und Stadterneuerung",
    ]
    assert _distinct_offices(offices) == ["Amt für Wohnungsbau und Stadterneuerung (Auftraggeber)", "Sozialamt"]


def test_a_period_of_one_year_is_written_as_that_year():
    from sozialbericht.report.policy_pages import period_text

    assert period_text(2023, 2023) == "2023"
    assert period_text(2023, 2026) == "2023–2026"
    assert period_text(None, 2020) == "bis 2020" and period_text(2019, None) == "ab 2019"
    # the style check of every built page finds such a period, and build jargon
    from sozialbericht import style

    assert [p.split(":")[0] for p in style.problems("gültig 2023–2023; der Build")] == [
        "Wort aus der Programmierung (Build)",
        "Zeitraum aus einem einzigen Jahr",
    ]
