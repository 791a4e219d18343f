"""Plans, measures and participation: validation, tracking rules, recommendations, escaping."""

from __future__ import annotations

import datetime as dt
import re
import textwrap

import pandas as pd
import pytest

from sozialbericht import settings as config
from sozialbericht.errors import CatalogueError
from sozialbericht.policy import register as policy

TODAY = dt.date(2026, 6, 30)

INDICATORS = """
chapters:
  - {id: arbeit, title: "Arbeit"}
  - {id: wohnen, title: "Wohnen"}
indicators:
  - {id: arbeitslose, title: "Arbeitslose", short: "Arbeitslose", chapter: arbeit, direction: higher_worse}
  - {id: sgb2_dichte, title: "SGB-II-Dichte", short: "SGB II", chapter: arbeit, direction: higher_worse}
  - {id: mietbelastung, title: "Mietbelastung", short: "Mietbelastung", chapter: wohnen, direction: higher_worse}
"""

TARGET_GROUPS = """
target_groups:
  - {id: arbeitslose, label: "Arbeitslose", indicators: [arbeitslose]}
  - {id: mieterhaushalte, label: "Mieterhaushalte", indicators: [mietbelastung]}
  - {id: alle_einwohner, label: "Alle", indicators: []}
"""

PLANS = """
plans:
  - id: altplan
    title: "Alter Plan"
    kind: plan
    period_start: 2015
    period_end: 2022
    indicators: [arbeitslose]
  - id: neuplan
    title: "Neuer Plan"
    kind: konzept
    adopted: 2021
    period_end: 2030
    link: "https://www.leipzig.de/neuplan"
    indicators: [mietbelastung]
"""

MEASURES = """
strategies:
  - {id: hs_a, title: "Strategie A", lead_office: "Sozialamt", offices: ["Jobcenter Leipzig"], beispiel: true}
measures:
  - id: m01
    title: "Maßnahme eins"
    strategy: hs_a
    chapter: arbeit
    target_groups: [arbeitslose]
    lead_office: "Jobcenter Leipzig"
    horizon: kurzfristig
    start_year: 2020
    indicators:
      - {id: arbeitslose, direction: senken}
    plans: [altplan]
    status:
      2020: geplant
      2021: {status: begonnen, note: "gestartet"}
    beispiel: true
  - id: m02
    title: "Maßnahme zwei"
    strategy: hs_a
    chapter: wohnen
    target_groups: [mieterhaushalte]
    lead_office: "Sozialamt"
    horizon: mittelfristig
    start_year: 2020
    indicators:
      - {id: mietbelastung, direction: senken}
    plans: [neuplan]
    status:
      2020: geplant
      2022: begonnen
      2023: umgesetzt
    beispiel: false
"""

PARTICIPATION = """
instruments:
  - {id: begehung, title: "Begehung", target_groups: [alle_einwohner, mieterhaushalte], chapters: [wohnen], beispiel: true}
  - {id: konferenz, title: "Sozialraumkonferenz", target_groups: [arbeitslose, mieterhaushalte], chapters: [arbeit], beispiel: true}
  - {id: online, title: "Online-Beteiligung", target_groups: [alle_einwohner, arbeitslose], chapters: [], beispiel: false}
"""

FILES = {
    "indicators.yml": INDICATORS,
    "target_groups.yml": TARGET_GROUPS,
    "plans.yml": PLANS,
    "measures.yml": MEASURES,
    "participation.yml": PARTICIPATION,
}


def write(tmp_path, **replace):
    """Write the small catalogue set, with some files replaced (keys without '.yml')."""
    for name, text in FILES.items():
        text = replace.get(name.removesuffix(".yml"), text)
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def load(tmp_path, year=2023, **replace):
    return policy.load_policy(year, write(tmp_path, **replace), today=TODAY)


def problems(tmp_path, year=2023, **replace) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load(tmp_path, year, **replace)
    return str(caught.value).splitlines()[1:]


def flags(*rows, with_groups=False):
    columns = ["area_code", "area_name", "indicator", "reason"] + (["target_groups"] if with_groups else [])
    return pd.DataFrame(list(rows), columns=columns)


# --- validation --------------------------------------------------------------------------


def test_small_catalogues_load(tmp_path):
    loaded = load(tmp_path)
    assert list(loaded.measures) == ["m01", "m02"]
    assert loaded.measures["m01"]["status"] == {2020: ("geplant", None), 2021: ("begonnen", "gestartet")}
    assert loaded.plans["altplan"]["link"] is None  # unknown stays empty


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            "- {id: arbeitslose, direction: senken}",
            "- {id: arbeitslos, direction: senken}",
            r"measures\.yml: m01 \(entry 1\): field 'indicators\[0\]\.id': unknown indicator id 'arbeitslos'",
        ),
        (
            "plans: [altplan]",
            "plans: [altplan, gibtsnicht]",
            r"measures\.yml: m01 \(entry 1\): field 'plans\[1\]': unknown plan 'gibtsnicht'",
        ),
        (
            "horizon: kurzfristig",
            "horizon: sofort",
            r"measures\.yml: m01 \(entry 1\): field 'horizon': 'sofort' does not exist; "
            r"allowed: kurzfristig, mittelfristig, langfristig",
        ),
        (
            '      2021: {status: begonnen, note: "gestartet"}',
            "      2031: begonnen",
            r"measures\.yml: m01 \(entry 1\): field 'status\.2031': year 2031 is in the future",
        ),
        (
            "strategy: hs_a\n    chapter: arbeit",
            "strategy: hs_x\n    chapter: arbeit",
            r"measures\.yml: m01 \(entry 1\): field 'strategy': unknown strategy 'hs_x'",
        ),
        (
            "chapter: wohnen",
            "chapter: gesundheit",
            r"measures\.yml: m02 \(entry 2\): field 'chapter': unknown chapter 'gesundheit'",
        ),
        (
            "target_groups: [mieterhaushalte]",
            "target_groups: [mieter]",
            r"measures\.yml: m02 \(entry 2\): field 'target_groups\[0\]': unknown target group 'mieter'",
        ),
        (
            "      2022: begonnen",
            "      2022: angefangen",
            r"measures\.yml: m02 \(entry 2\): field 'status\.2022': status 'angefangen' does not exist",
        ),
        (
            "- id: m02",
            "- id: m01",
            r"measures\.yml: m01 \(entry 2\): field 'id': duplicate id 'm01', already used by entry 1",
        ),
        (
            "- {id: mietbelastung, direction: senken}",
            "- {id: mietbelastung, direction: erhöhen}",
            r"measures\.yml: m02 \(entry 2\): field 'indicators\[0\]\.direction': 'erhöhen' would worsen",
        ),
        (
            '    lead_office: "Sozialamt"\n    horizon',
            "    horizon",
            r"measures\.yml: m02 \(entry 2\): field 'lead_office': is missing",
        ),
        (
            "    beispiel: false",
            "    beispiel: false\n    budget: 100",
            r"measures\.yml: m02 \(entry 2\): field 'budget': unknown field",
        ),
    ],
)
def test_measure_errors_name_file_entry_and_field(tmp_path, old, new, expected):
    assert MEASURES.count(old) == 1
    found = problems(tmp_path, measures=MEASURES.replace(old, new))
    assert any(re.search(expected, line) for line in found), found


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            "period_start: 2015\n    period_end: 2022",
            "period_start: 2015\n    period_end: 2012",
            r"plans\.yml: altplan \(entry 1\): field 'period_end': 2012 is before period_start 2015",
        ),
        (
            "indicators: [mietbelastung]",
            "indicators: [miete]",
            r"plans\.yml: neuplan \(entry 2\): field 'indicators\[0\]': unknown indicator id 'miete'",
        ),
        (
            'link: "https://www.leipzig.de/neuplan"',
            'link: "javascript:alert(1)"',
            r"plans\.yml: neuplan \(entry 2\): field 'link': 'javascript:alert\(1\)' is not an http:// or https:// address",
        ),
        (
            "- id: neuplan",
            "- id: altplan",
            r"plans\.yml: altplan \(entry 2\): field 'id': duplicate id 'altplan', already used by entry 1",
        ),
        (
            "kind: konzept",
            "kind: broschuere",
            r"plans\.yml: neuplan \(entry 2\): field 'kind': 'broschuere' does not exist",
        ),
    ],
)
def test_plan_errors_name_file_entry_and_field(tmp_path, old, new, expected):
    assert PLANS.count(old) == 1
    found = problems(tmp_path, plans=PLANS.replace(old, new))
    assert any(re.search(expected, line) for line in found), found


def test_participation_and_target_group_errors(tmp_path):
    found = problems(
        tmp_path,
        participation=PARTICIPATION.replace("[alle_einwohner, mieterhaushalte]", "[alle_einwohner, senioren]"),
        target_groups=TARGET_GROUPS.replace("indicators: [arbeitslose]", "indicators: [arbeitslos]"),
    )
    assert any(
        re.search(
            r"participation\.yml: begehung \(entry 1\): field 'target_groups\[1\]': "
            r"unknown target group 'senioren'",
            line,
        )
        for line in found
    ), found
    assert any(
        re.search(
            r"target_groups\.yml: arbeitslose \(entry 1\): field 'indicators\[0\]': "
            r"unknown indicator id 'arbeitslos'",
            line,
        )
        for line in found
    ), found


def test_all_problems_are_reported_together(tmp_path):
    broken = MEASURES.replace("horizon: kurzfristig", "horizon: bald").replace("plans: [neuplan]", "plans: [keinplan]")
    found = problems(tmp_path, measures=broken)
    assert len(found) == 2
    assert all(line.startswith(str(tmp_path / "measures.yml")) for line in found)


def test_future_status_year_is_judged_against_report_year_and_today(tmp_path):
    # 2026 is today's year: allowed even for the 2023 edition (it is simply not shown there).
    later = MEASURES.replace("      2023: umgesetzt", "      2023: begonnen\n      2026: umgesetzt")
    loaded = load(tmp_path, measures=later)
    assert policy.status_in_year(loaded.measures["m02"], 2023) == "begonnen"
    found = problems(tmp_path, measures=MEASURES.replace("      2023: umgesetzt", "      2027: umgesetzt"))
    assert any(
        "field 'status.2027': year 2027 is in the future (report year 2023, today 2026)" in line for line in found
    ), found


def test_invalid_yaml_names_the_file(tmp_path):
    with pytest.raises(CatalogueError, match=r"plans\.yml: not valid YAML"):
        load(tmp_path, plans="plans:\n  - id: [unclosed\n")


def test_missing_section_names_the_file(tmp_path):
    found = problems(tmp_path, measures="measures: []\n")
    assert any(re.search(r"measures\.yml: field 'strategies': section is missing", line) for line in found)


def test_real_data_files_validate():
    for year in range(2018, 2026):
        loaded = policy.load_policy(year)
    assert loaded.files["measures"] == "data/measures.yml"
    assert {
        "teilhabeplan_2017",
        "altenhilfeplan_2012",
        "suchtbericht_2020",
        "insek_2030",
        "wohnungspolitisches_konzept_2015",
        "kinder_jugendhilfeplanung_2020",
        "integrationskonzept_2020",
    } <= set(loaded.plans)
    assert len(loaded.strategies) >= 8 and len(loaded.measures) >= 20
    # measures belong to known chapters (a chapter without one says that none is recorded, e.g. the
    # households chapter); every strategy and measure is an example, not a decision
    assert {m["chapter"] for m in loaded.measures.values()} <= set(loaded.chapters)
    assert len({m["chapter"] for m in loaded.measures.values()}) >= 8
    assert all(m["beispiel"] for m in loaded.measures.values())
    assert all(s["beispiel"] for s in loaded.strategies.values())
    # measures are cross-departmental
    assert all(m["co_offices"] for m in loaded.measures.values())


def test_real_data_teilhabeplan_is_flagged_for_renewal_in_2024():
    loaded = policy.load_policy(2024)
    plans = policy.plans_for_chapter(loaded, None, 2024).set_index("plan")
    assert plans.loc["teilhabeplan_2017", "renewal_due"]
    assert not plans.loc["insek_2030", "renewal_due"]
    # a superseded plan is not flagged; a plan without period is not flagged
    assert not plans.loc["fachplan_wohnungsnotfallhilfe_2018", "renewal_due"]
    assert not plans.loc["altenhilfeplan_2012", "renewal_due"]


# --- plans --------------------------------------------------------------------------------


def test_renewal_flag_when_period_ended_by_report_year(tmp_path):
    loaded = load(tmp_path)
    assert policy.renewal(loaded, loaded.plans["altplan"], 2021) == (False, "gilt bis 2022")
    assert policy.renewal(loaded, loaded.plans["altplan"], 2022) == (True, "Geltungsdauer endete 2022")
    assert policy.renewal(loaded, loaded.plans["altplan"], 2023)[0] is True
    work = policy.plans_for_chapter(loaded, "arbeit", 2023)
    assert list(work["plan"]) == ["altplan"] and bool(work.iloc[0]["renewal_due"])
    text = policy.plans_markdown(loaded, "arbeit", 2023)
    assert "**Fortschreibung fällig**" in text


def test_successor_stops_the_renewal_flag(tmp_path):
    loaded = load(
        tmp_path,
        plans=PLANS.replace("indicators: [arbeitslose]", "indicators: [arbeitslose]\n    superseded_by: neuplan"),
    )
    due, note = policy.renewal(loaded, loaded.plans["altplan"], 2023)
    assert not due and note == "abgelöst durch „Neuer Plan“"


def test_plans_appear_only_from_their_first_year(tmp_path):
    loaded = load(tmp_path)
    assert policy.plans_for_chapter(loaded, "wohnen", 2020).empty
    assert list(policy.plans_for_chapter(loaded, "wohnen", 2021)["plan"]) == ["neuplan"]


# --- tracking -----------------------------------------------------------------------------


def test_status_in_year_is_the_latest_entry_at_or_before_the_year(tmp_path):
    m02 = load(tmp_path).measures["m02"]
    assert policy.status_in_year(m02, 2019) is None
    assert policy.status_in_year(m02, 2021) == "geplant"
    assert policy.status_in_year(m02, 2022) == "begonnen"
    assert policy.status_in_year(m02, 2030) == "umgesetzt"


def test_status_changes_against_the_previous_year(tmp_path):
    loaded = load(tmp_path)
    changes = policy.status_changes(loaded, 2021)
    assert changes[["measure", "status_before", "status_now", "note"]].values.tolist() == [
        ["m01", "geplant", "begonnen", "gestartet"]
    ]
    assert policy.status_changes(loaded, 2020)["status_before"].tolist() == [None, None]
    assert list(policy.status_changes(loaded, 2023)["measure"]) == ["m02"]
    assert "Veränderungen gegenüber 2022" in policy.tracking_markdown(loaded, 2023)


def test_overdue_when_horizon_exceeded_and_not_implemented(tmp_path):
    loaded = load(tmp_path)
    # m01: kurzfristig from 2020 -> due by 2021, overdue from 2022 while not umgesetzt
    assert policy.overdue(loaded, 2021).empty
    late = policy.overdue(loaded, 2022)
    assert late[["measure", "due_year", "years_over", "status"]].values.tolist() == [["m01", 2021, 1, "begonnen"]]
    # m02: mittelfristig from 2020 -> due by 2023; umgesetzt in 2023, so never overdue
    assert list(policy.overdue(loaded, 2024)["measure"]) == ["m01"]
    never = load(tmp_path, measures=MEASURES.replace("horizon: kurzfristig", "horizon: langfristig"))
    assert policy.overdue(never, 2040).empty
    still_open = load(tmp_path, measures=MEASURES.replace("      2023: umgesetzt\n", ""))
    assert "m02" not in list(policy.overdue(still_open, 2023)["measure"])
    assert "m02" in list(policy.overdue(still_open, 2024)["measure"])


# --- recommendations and participation --------------------------------------------------------


def test_recommendations_name_measures_or_the_gap(tmp_path):
    loaded = load(tmp_path)
    recs = policy.recommendations(
        loaded,
        flags(
            ("10", "Schönefeld-Ost", "arbeitslose", "über Stadtwert"),
            ("10", "Schönefeld-Ost", "sgb2_dichte", "starker Anstieg"),
        ),
        2023,
    )
    assert recs[["indicator", "kind", "measure", "strategy"]].values.tolist() == [
        ["arbeitslose", "massnahme", "m01", "hs_a"],
        ["sgb2_dichte", "luecke", None, None],
    ]
    gap = recs.iloc[1]
    assert gap["text"] == "SGB-II-Dichte in Schönefeld-Ost: Handlungsbedarf ohne Maßnahme."
    assert list(policy.gaps(loaded, flags(("10", "Schönefeld-Ost", "sgb2_dichte", "x")), 2023)["indicator"]) == [
        "sgb2_dichte"
    ]
    text = policy.recommendations_markdown(loaded, flags(("10", "Schönefeld-Ost", "sgb2_dichte", "x")), 2023)
    assert "**Handlungsbedarf ohne Maßnahme.**" in text


def test_suspended_or_later_measures_leave_a_gap(tmp_path):
    suspended = load(
        tmp_path, measures=MEASURES.replace('2021: {status: begonnen, note: "gestartet"}', "2021: ausgesetzt")
    )
    recs = policy.recommendations(suspended, flags(("10", "A", "arbeitslose", None)), 2022)
    assert recs["kind"].tolist() == ["luecke"]
    # before the measure exists it cannot address the flag either
    recs = policy.recommendations(load(tmp_path), flags(("10", "A", "arbeitslose", None)), 2019)
    assert recs["kind"].tolist() == ["luecke"]


def test_flags_of_the_early_warning_system(tmp_path):
    """Several rule hits per Ortsteil merge; the composite index stands for its components."""
    loaded = policy.load_policy(
        2023, write(tmp_path), today=TODAY, composites={"index": ["arbeitslose", "sgb2_dichte"]}
    )
    hits = flags(
        ("10", "A", "arbeitslose", "über dem Stadtwert", []),
        ("10", "A", "arbeitslose", "steigender Trend", []),
        ("20", "B", "index", "Gruppe „sehr niedrig / negativ“", []),
        with_groups=True,
    )
    recs = policy.recommendations(loaded, hits, 2023)
    assert recs[["area_code", "indicator", "kind", "measure"]].values.tolist() == [
        ["10", "arbeitslose", "massnahme", "m01"],
        ["20", "index", "massnahme", "m01"],
    ]
    assert recs.iloc[0]["reason"] == "über dem Stadtwert; steigender Trend"
    assert recs.iloc[1]["indicator_title"] == policy.INDEX_TITLE
    assert policy.affected_target_groups(loaded, "index") == ["arbeitslose"]
    assert "Sozialindex" in policy.recommendations_markdown(loaded, hits, 2023, chapter="arbeit")


def test_real_data_reads_the_index_of_the_early_warning_system():
    loaded = policy.load_policy(2024)
    assert loaded.composites["index"]["indicators"]
    assert set(loaded.composites["index"]["indicators"]) <= set(loaded.indicators)


def test_unknown_indicator_in_flags_is_an_error(tmp_path):
    with pytest.raises(CatalogueError, match=r"flags: row 1: field 'indicator': unknown indicator id 'x'"):
        policy.recommendations(load(tmp_path), flags(("10", "A", "x", None)), 2023)


def test_participation_proposals_per_area_and_target_group(tmp_path):
    loaded = load(tmp_path)
    proposals = policy.participation_proposals(
        loaded,
        flags(
            ("10", "A", "mietbelastung", None),  # -> mieterhaushalte (target_groups.yml)
            ("20", "B", "sgb2_dichte", None),  # listed by no group -> alle_einwohner
        ),
    )
    got = proposals[["area_code", "target_group", "instrument", "fits_theme"]].values.tolist()
    assert got == [
        ["10", "mieterhaushalte", "begehung", True],  # chapter wohnen fits first
        ["10", "mieterhaushalte", "konferenz", False],
        ["20", "alle_einwohner", "online", True],  # no chapters = fits every theme
        ["20", "alle_einwohner", "begehung", False],
    ]
    limited = policy.participation_proposals(loaded, flags(("10", "A", "mietbelastung", None)), per_group=1)
    assert limited["instrument"].tolist() == ["begehung"]


def test_participation_uses_target_groups_from_the_flags(tmp_path):
    loaded = load(tmp_path)
    proposals = policy.participation_proposals(
        loaded, flags(("10", "A", "mietbelastung", None, "arbeitslose"), with_groups=True)
    )
    assert set(proposals["target_group"]) == {"arbeitslose"}
    with pytest.raises(CatalogueError, match="unknown target group 'rentner'"):
        policy.participation_proposals(loaded, flags(("10", "A", "mietbelastung", None, ["rentner"]), with_groups=True))
    text = policy.participation_markdown(loaded, flags(("10", "A", "mietbelastung", None)))
    assert "**[Beispiel]** Begehung" in text


# --- text safety and the example marker -------------------------------------------------------


def test_escape_markdown_neutralises_markup():
    text = policy.escape_markdown("<b>x</b> *a* _b_ [c](d) `e` {f} $g$ |h| \\ &amp;\n# Titel")
    assert "<" not in text.replace("\\<", "")
    for char in "<>*_[]`{}$|#&":
        assert re.search(r"(?<!\\)" + re.escape(char), text) is None, char
    assert "\n" not in text
    assert policy.escape_markdown(None) == ""
    assert policy.escape_markdown("Grünau") == "Grünau"


def test_links_only_from_a_valid_http_url():
    assert policy.md_link("Plan", "https://www.leipzig.de/a(b)") == "[Plan](https://www.leipzig.de/a%28b%29)"
    assert policy.md_link("Plan", "javascript:alert(1)") == "Plan"
    assert policy.md_link("[x](javascript:alert(1))", None) == "\\[x\\]\\(javascript\\:alert\\(1\\)\\)"
    assert not policy.valid_url("https://evil.example/<script>")
    assert not policy.valid_url("ftp://example.org/")


def test_script_in_a_title_comes_out_escaped(tmp_path):
    evil = MEASURES.replace('title: "Maßnahme eins"', 'title: "<script>alert(1)</script>"')
    loaded = load(tmp_path, measures=evil)
    outputs = [
        policy.measures_markdown(loaded, "arbeit", 2023),
        policy.register_markdown(loaded, 2023),
        policy.tracking_markdown(loaded, 2023),
        policy.recommendations_markdown(loaded, flags(("10", "A", "arbeitslose", None)), 2023),
    ]
    for text in outputs:
        assert "<script>" not in text
        assert "\\<script\\>alert\\(1\\)\\<\\/script\\>" in text


def test_escaped_text_renders_as_text_in_myst():
    pytest.importorskip("myst_parser")
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    parser = create_md_parser(
        MdParserConfig(enable_extensions={"dollarmath", "colon_fence", "linkify", "substitution"}), RendererHTML
    )
    html = parser.render("- " + policy.escape_markdown("<script>alert(1)</script> *x* {{ y }} www.evil.example"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<em>" not in html and "<a " not in html and "{{ y }}" in html


def test_beispiel_marker_comes_from_the_flag_not_the_text(tmp_path):
    loaded = load(tmp_path)
    work = policy.measures_markdown(loaded, "arbeit", 2023)
    assert f"- {policy.BEISPIEL_MARKER} **Maßnahme eins**" in work
    assert policy.BEISPIEL_NOTICE in work
    # m02 has beispiel: false, but its strategy is an example, so the measure is shown as one too
    housing = policy.measures_markdown(loaded, "wohnen", 2023)
    assert f"- {policy.BEISPIEL_MARKER} **Maßnahme zwei**" in housing
    assert f"{policy.BEISPIEL_MARKER} **Handlungsstrategie: Strategie A**" in housing
    # adopted strategy and measure: no marker, no notice
    adopted = load(tmp_path, measures=MEASURES.replace("beispiel: true}", "beispiel: false}"))
    housing = policy.measures_markdown(adopted, "wohnen", 2023)
    assert "- **Maßnahme zwei**" in housing and policy.BEISPIEL_MARKER not in housing
    faked = load(
        tmp_path,
        measures=MEASURES.replace('title: "Maßnahme zwei"', 'title: "**[Beispiel]** zwei"')
        .replace("beispiel: false", "beispiel: true")
        .replace("beispiel: true}", "beispiel: false}"),
    )
    text = policy.measures_markdown(faked, "wohnen", 2023)
    assert "\\*\\*\\[Beispiel\\]\\*\\* zwei" in text


def test_real_register_renders_with_markers():
    loaded = policy.load_policy(2024)
    text = policy.register_markdown(loaded, 2024)
    assert text.count(policy.BEISPIEL_MARKER) >= len(loaded.measures) + len(loaded.strategies)
    for chapter in loaded.chapters:
        assert policy.chapter_markdown(loaded, chapter, 2024, flags(("00", "Zentrum", "diebstahl_je_1000", None)))
    assert config.DATA_DIR.joinpath("plans.yml").read_text(encoding="utf-8").startswith("#")


def test_participation_puts_the_most_urgent_ortsteil_first_and_fits_the_effort(tmp_path):
    """Alarm before Warnung before Hinweis; an alarm gets the intensive format first, a hint the light one."""
    participation = (
        PARTICIPATION
        + """
  - {id: befragung, title: "Befragung", target_groups: [alle_einwohner], chapters: [], effort: hoch, beispiel: false}
  - {id: spaziergang, title: "Spaziergang", target_groups: [alle_einwohner], chapters: [], effort: gering, beispiel: false}
"""
    )
    loaded = load(tmp_path, participation=participation)
    flagged = flags(
        ("10", "A", "sgb2_dichte", None), ("20", "B", "sgb2_dichte", None), ("30", "C", "sgb2_dichte", None)
    )
    flagged["severity"] = [1, 3, 2]
    proposals = policy.participation_proposals(loaded, flagged, per_group=2)
    assert list(dict.fromkeys(proposals["area_code"])) == ["20", "30", "10"], "ordered by urgency"
    first = proposals.drop_duplicates("area_code").set_index("area_code")["instrument"]
    assert first["20"] == "befragung" and first["10"] == "spaziergang"
    text = policy.participation_markdown(loaded, flagged)
    assert text.index("| B | Alarm |") < text.index("| C | Warnung |") < text.index("| A | Hinweis |")
    flagged["severity"] = [1, 4, 2]
    with pytest.raises(CatalogueError, match=r"flags: row 2: field 'severity': 4 is not 1, 2 or 3"):
        policy.participation_proposals(loaded, flagged)
