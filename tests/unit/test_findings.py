"""Golden texts of the findings on the fixture mirror: change the fixture, the sentence changes as expected.

The expected numbers are worked out by hand from tests/fixtures/mirror (4 Ortsteile, 2021–2023).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sozialbericht.analysis import findings
from sozialbericht.analysis.indicators import compute, read_catalogue
from sozialbericht.analysis.warning import FLAG_COLUMNS
from sozialbericht.data.inputs import load_inputs
from sozialbericht.data.opendata import Cache, LocalSource
from sozialbericht.report.summary import district_paragraph, finding_sentence

CATALOGUE = """
chapters:
  - {id: arbeit, title: Arbeit, notebook: arbeit}
indicators:
  - id: arbeitslose_je_1000
    title: Arbeitslose je 1.000 Einwohner
    short: Arbeitslose je 1.000 EW
    chapter: arbeit
    numerator: {dataset: arbeitslose, feature: Arbeitslose insgesamt}
    denominator: {dataset: einwohner, feature: Einwohner insgesamt}
    factor: 1000
    unit: je 1.000 Einwohner
    decimals: 1
    direction: higher_worse
    definition: test
  - id: einwohner
    title: Einwohner
    chapter: arbeit
    numerator: {dataset: einwohner, feature: Einwohner insgesamt}
    unit: Personen
    decimals: 0
    direction: neutral
    definition: test
"""

NO_FLAGS = pd.DataFrame(columns=FLAG_COLUMNS)


def edit(path, area: str, feature: str, year: str, value: str) -> None:
    """Set one cell of a kdvalues CSV of the fixture copy."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [h.strip('"') for h in lines[0].split(",")]
    column = header.index(year)
    for n, line in enumerate(lines):
        cells = line.split(",")
        if cells[0] == area and cells[1].strip() == feature:
            cells[column] = f'"{value}"'
            lines[n] = ",".join(cells)
            break
    else:
        raise AssertionError(f"{area} / {feature} not in {path.name}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(mirror, specs, tmp_path):
    path = tmp_path / "indicators.yml"
    path.write_text(CATALOGUE, encoding="utf-8")
    catalogue = read_catalogue(path, datasets=specs)
    inputs = load_inputs(LocalSource(mirror), specs, Cache(tmp_path / "cache"))
    values = {i: compute(inputs, ind) for i, ind in catalogue.indicators.items()}
    return catalogue, values


def test_population_sentence_as_the_fixture_has_it(mirror, specs, tmp_path):
    catalogue, values = build(mirror, specs, tmp_path)
    finding = findings.assess(values["einwohner"], catalogue.indicators["einwohner"], 2023, NO_FLAGS)
    # 29.770 -> 29.990: +220 = +0,7 %; the usual change (2021->2022) is 270, so no comparison is drawn
    assert (
        finding_sentence(finding)
        == "**Einwohner:** Die Zahl stieg 2023 gegenüber 2022 um 220 (0,7 %) auf 29.990 Personen."
    )
    assert finding.typical_change == 270


def test_population_sentence_follows_a_changed_fixture(mirror, specs, tmp_path):
    kd = mirror / "kdvalues" / "kdvalues_k2_r1_y.csv"
    edit(kd, "Schönefeld-Ost", "Einwohner insgesamt", "2023", "12710")
    edit(kd, "Nordost", "Einwohner insgesamt", "2023", "22917")
    edit(kd, "Stadt Leipzig", "Einwohner insgesamt", "2023", "30600")
    catalogue, values = build(mirror, specs, tmp_path)
    finding = findings.assess(values["einwohner"], catalogue.indicators["einwohner"], 2023, NO_FLAGS)
    # +830 = +2,8 % of 29.770; 830 / 270 = 3,07: about three times the usual change
    assert finding_sentence(finding) == (
        "**Einwohner:** Die Zahl stieg 2023 gegenüber 2022 um 830 (2,8 %) auf 30.600 Personen. "
        "Das ist etwa dreimal so viel wie die übliche Veränderung der vorigen Jahre (270)."
    )


def test_a_missing_ortsteil_gives_no_city_rate_and_no_finding(mirror, specs, tmp_path):
    catalogue, values = build(mirror, specs, tmp_path)
    # Schönefeld-Ost 2022 is missing: the city rate 2022 is missing, so 2023 has no previous year
    assert (
        findings.assess(values["arbeitslose_je_1000"], catalogue.indicators["arbeitslose_je_1000"], 2023, NO_FLAGS)
        is None
    )


def test_a_change_within_chance_is_no_finding_and_a_large_one_is(mirror, specs, tmp_path):
    kd = mirror / "kdvalues" / "kdvalues_k7_r3_y.csv"
    edit(kd, "Schönefeld-Ost", "Arbeitslose insgesamt", "2022", "880")
    catalogue, values = build(mirror, specs, tmp_path)
    ind = catalogue.indicators["arbeitslose_je_1000"]
    # 1.929 / 29.770 -> 1.916 / 29.990 per 1.000: 64,8 -> 63,9, Poisson z = -0,44: chance
    assert findings.assess(values[ind.id], ind, 2023, NO_FLAGS) is None
    assert abs(findings.chance_z(values[ind.id], 2023, 2022) - (-0.438)) < 0.01

    edit(kd, "Schönefeld-Ost", "Arbeitslose insgesamt", "2023", "1400")
    catalogue, values = build(mirror, specs, tmp_path)
    finding = findings.assess(values[ind.id], ind, 2023, NO_FLAGS)
    # 2.446 / 29.990 = 81,56 per 1.000, +16,76; usual change 2021->2022: 67,63 -> 64,80 = 2,83; 5,9 times
    assert finding_sentence(finding) == (
        "**Arbeitslose je 1.000 Einwohner:** Der Wert stieg 2023 gegenüber 2022 um 16,8 auf 81,6 je 1.000 Einwohner, "
        "eine Verschlechterung. Das ist fast sechsmal so viel wie die übliche Veränderung der vorigen Jahre (2,8)."
    )
    assert finding.people == 2446 - 1929
    assert finding.reasons[0] == "size"


def test_flags_and_special_effects_are_named(mirror, specs, tmp_path):
    catalogue, values = build(mirror, specs, tmp_path)
    ind = catalogue.indicators["einwohner"]
    flags = pd.DataFrame(
        [
            {c: None for c in FLAG_COLUMNS} | {"indicator": "einwohner", "area_name": n}
            for n in ("Zentrum", "Zentrum-Ost")
        ]
    )

    class Effect:
        title = "Zuzug"

    class Effects:
        def for_indicator(self, indicator, year):
            return [Effect()] if year == 2023 else []

    finding = findings.assess(values["einwohner"], ind, 2023, flags, Effects())
    text = finding_sentence(finding)
    # the Zentrum Ortsteile take the article (grammar.area)
    assert "Das Frühwarnsystem markiert bei dieser Kennzahl das Zentrum und das Zentrum-Ost." in text
    assert text.endswith("Bekannter Sondereffekt: Zuzug.")
    assert finding.parts["warning"] == pytest.approx(2 / findings.WARNING_FULL)


def test_selection_rule_limits_and_fills():
    class Fake:
        def __init__(self, chapter, score):
            self.indicator = type("I", (), {"chapter": chapter, "id": f"{chapter}{score}"})()
            self.score = score

    ranked = [Fake("a", 0.9), Fake("a", 0.8), Fake("a", 0.7), Fake("a", 0.6)] + [Fake(c, 0.1) for c in "bcdefghijklmn"]
    chosen = findings.select(ranked)
    # at most 3 per chapter; below the minimum score, filled up to MIN_FINDINGS with the next best
    assert [f.indicator.chapter for f in chosen[:3]] == ["a", "a", "a"]
    assert len(chosen) == findings.MIN_FINDINGS
    assert sum(f.indicator.chapter == "a" for f in chosen) == 3


def test_district_paragraph_names_attention_in_agreement(mirror, specs, tmp_path):
    catalogue, values = build(mirror, specs, tmp_path)
    ind = catalogue.indicators["arbeitslose_je_1000"]
    one = findings.District("0", "Mitte", 7690, 70, [(ind, 30.0, 20.0, 2023)], [], ["Zentrum"], 2023)
    assert district_paragraph(one) == (
        "**Mitte** (7.690 Einwohner/-innen, +70 gegenüber 2022). Deutlich ungünstiger als in der Stadt "
        "insgesamt: Arbeitslose je 1.000 Einwohner (30,0; Stadt 20,0). Besonderen Handlungsbedarf "
        "sieht das Frühwarnsystem im Ortsteil Zentrum."
    )
    # a value of the year before (SGB II and unemployment are published a year later) says its year
    older = findings.District("0", "Mitte", 7690, 70, [(ind, 30.0, 20.0, 2022)], [], [], 2023)
    assert "Arbeitslose je 1.000 Einwohner (30,0 im Jahr 2022; Stadt 20,0)" in district_paragraph(older)
    two = findings.District(
        "1", "Nordost", 22917, 610, [], [], ["Schönefeld-Ost", "Schönefeld-Abtnaundorf"], 2023, ("A", "B")
    )
    assert district_paragraph(two).endswith(
        "Bei keiner der 2 vergleichbaren Kennzahlen weicht der Stadtbezirk deutlich von der Stadt ab. Besonderen "
        "Handlungsbedarf sieht das Frühwarnsystem in den Ortsteilen Schönefeld-Ost und Schönefeld-Abtnaundorf."
    )
    single = findings.District("1", "Nordost", 22917, 610, [], [], [], 2023, ("SGB-II-Dichte",))
    assert "Bei der einzigen vergleichbaren Kennzahl (SGB-II-Dichte) weicht der Stadtbezirk nicht deutlich" in (
        district_paragraph(single)
    )
    # no rate of the report year or the one before is missing data, not a district like the city
    empty = district_paragraph(findings.District("1", "Nordost", 22917, 610, [], [], [], 2023))
    assert "weicht der Stadtbezirk" not in empty
    assert (
        "Für 2022 und 2023 liegt für die Stadtbezirke keine amtlich gezählte Quote mit sozialer Richtung vor" in empty
    )
    # when the section says it once, the ten paragraphs do not repeat it
    # crimes are counted where they happen: the comparison says so next to the value
    import dataclasses

    crime = dataclasses.replace(ind, area_note="nach Tatort gezählt")
    centre = findings.District("0", "Mitte", 7690, 70, [(crime, 30.0, 20.0, 2023)], [], [], 2023)
    assert "(30,0; Stadt 20,0; nach Tatort gezählt)" in district_paragraph(centre)
    assert read_catalogue().indicators["straftaten_je_1000"].area_note.startswith("nach Tatort gezählt")
    # an Ortsteil flagged by a single rule is named too, as the early-warning chapter counts it
    marked = findings.District("2", "Nord", 74583, 298, [], [], [], 2023, ("A",), ("Gohlis-Nord",))
    assert district_paragraph(marked).endswith(
        "Das Frühwarnsystem sieht in keinem seiner Ortsteile besonderen Handlungsbedarf; einzelne Kennzahlen "
        "markiert es im Ortsteil Gohlis-Nord."
    )
    said = district_paragraph(findings.District("1", "Nordost", 22917, 610, [], [], [], 2023), comparison_said=True)
    assert "Quote" not in said and "weicht" not in said


def test_a_typical_change_below_the_shown_precision_is_no_yardstick():
    """Household size is published with two decimals in some years: its median change is near 0, and a change
    of 0,01 must not read as '14 times the usual change (0,00)'."""
    from sozialbericht.analysis.indicators import Indicator, Term

    ind = Indicator(
        id="haushaltsgroesse",
        title="Durchschnittliche Haushaltsgröße",
        short="Haushaltsgröße",
        chapter="haushalte",
        numerator=Term("haushalte", "Durchschnittliche Haushaltsgröße"),
        denominator=None,
        unit="Personen",
        direction="neutral",
        definition="test",
        decimals=2,
        kind="mean",
    )
    years = list(range(2012, 2024))
    series = [1.80, 1.80, 1.79, 1.79, 1.79, 1.79, 1.7812, 1.7805, 1.7799, 1.7793, 1.7290, 1.72]
    values = pd.DataFrame(
        {
            "area_code": "0",
            "area_name": "Stadt Leipzig",
            "level": findings.STADT,
            "sbz_code": None,
            "year": years,
            "value": series,
            "numerator": np.nan,
            "denominator": np.nan,
        }
    )
    finding = findings.assess(values, ind, 2023, pd.DataFrame(columns=["indicator", "area_name"]))
    assert finding.typical_change == pytest.approx(0.005)
    text = finding_sentence(finding)
    assert "0,00" not in text


def test_a_stale_finding_says_so_after_its_comparison():
    ind = read_catalogue().indicators["sgb2_kinder"]
    finding = findings.Finding(ind, 2022, 2021, 13436.0, 12484.0, 415.0, 952.0, "", 0, None)
    text = finding_sentence(finding, edition_year=2023)
    # "Das ist … so viel" follows the change it speaks of; the note on the missing year comes last
    assert "auf 13.436 Kinder, eine Verschlechterung. Das ist gut doppelt so viel" in text
    assert text.endswith("Für 2023 liegt noch kein Wert vor.")


def test_special_effects_and_data_years_are_said_once_under_the_findings(mirror, specs, tmp_path):
    import dataclasses

    from sozialbericht.report.summary import caveats_text

    catalogue, _ = build(mirror, specs, tmp_path)
    ind = catalogue.indicators["arbeitslose_je_1000"]
    first = findings.Finding(
        ind, 2022, 2021, 30.0, 28.0, 0.5, 100.0, "", 0, None, events=["Zuzug Geflüchteter aus der Ukraine"]
    )
    second = dataclasses.replace(first, events=[], base_events=["Corona-Pandemie"], base_year=2021)
    third = dataclasses.replace(first, year=2023, events=["Zuzug Geflüchteter aus der Ukraine"])
    text = caveats_text([first, second, third], 2023)
    assert text == (
        "Die Befunde 1 und 3 fallen in den bekannten Sondereffekt „Zuzug Geflüchteter aus der Ukraine“; ihre "
        "Veränderung ist nicht allein eine soziale Entwicklung. Befund 2 vergleicht mit 2021, einem Jahr des "
        "bekannten Sondereffekts „Corona-Pandemie“. Die Befunde 1 und 2 beruhen auf Werten von 2022: für 2023 ist "
        "noch keiner veröffentlicht."
    )
    # the list's sentences do not repeat them
    from sozialbericht.report.summary import finding_sentence

    assert "Sondereffekt" not in finding_sentence(first, edition_year=2023, caveats_below=True)
    assert "Sondereffekt" in finding_sentence(first, edition_year=2023)
