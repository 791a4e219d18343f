"""The grammar layer and the language check: what a reader would see as a mistake."""

from pathlib import Path

import pytest
import yaml

from sozialbericht import grammar as g
from sozialbericht import style

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "n, word, case, expected",
    [
        (0, "Ortsteil", "nom", "kein Ortsteil"),
        (1, "Maßnahme", "nom", "eine Maßnahme"),
        (2, "Maßnahme", "nom", "2 Maßnahmen"),
        (1, "Plan", "nom", "ein Plan"),
        (0, "Plan", "akk", "keinen Plan"),
        (3, "Plan", "nom", "3 Pläne"),
        (4, "Kind", "dat", "4 Kindern"),
        (1, "Kind", "dat", "einem Kind"),
        (63, "Ortsteil", "dat", "63 Ortsteilen"),
        (2, "Person", "dat", "2 Personen"),
        (1234, "Fall", "dat", "1.234 Fällen"),
        (0, "Kennzahl", "dat", "keiner Kennzahl"),
    ],
)
def test_count_agrees_with_its_noun(n, word, case, expected):
    assert g.count(n, word, case) == expected


def test_count_with_adjective():
    assert g.count(1, "Indikator", adjective_stem="markiert") == "ein markierter Indikator"
    assert g.count(3, "Indikator", adjective_stem="markiert") == "3 markierte Indikatoren"
    assert g.count(0, "Kennzahl", adjective_stem="markiert") == "keine markierte Kennzahl"
    assert g.count(2, "Kennzahl", "dat", adjective_stem="markiert") == "2 markierten Kennzahlen"


def test_count_in_digits_for_lists():
    assert g.count(1, "Maßnahme", digits=True) == "1 Maßnahme"
    assert g.count(0, "Maßnahme", digits=True) == "0 Maßnahmen"


@pytest.mark.parametrize(
    "value, decimals, word, case, expected",
    [
        (34.1, 1, "Jahr", "dat", "34,1 Jahren"),
        (2.7, 1, "Fall", "dat", "2,7 Fällen"),
        (1, 0, "Jahr", "nom", "1 Jahr"),
        (1.0, 1, "Jahr", "nom", "1,0 Jahre"),
        (0.5, 1, "Prozentpunkt", "nom", "0,5 Prozentpunkte"),
    ],
)
def test_amount_is_plural_unless_it_reads_one(value, decimals, word, case, expected):
    assert g.amount(value, decimals, word, case) == expected


def test_of_total():
    assert g.of_total(1, 63, "Ortsteil") == "einem von 63 Ortsteilen"
    assert g.of_total(0, 63, "Ortsteil") == "keinem von 63 Ortsteilen"
    assert g.of_total(5, 63, "Ortsteil") == "5 von 63 Ortsteilen"
    assert g.of_total(1, 10, "Maßnahme", "nom") == "eine von 10 Maßnahmen"


def test_verb_agrees_with_count():
    assert f"{g.count(1, 'Maßnahme')} {g.verb(1, 'hat', 'haben')}" == "eine Maßnahme hat"
    assert f"{g.count(0, 'Maßnahme')} {g.verb(0, 'hat', 'haben')}" == "keine Maßnahme hat"
    assert f"{g.count(4, 'Maßnahme')} {g.verb(4, 'hat', 'haben')}" == "4 Maßnahmen haben"


def test_unknown_noun_names_the_fix():
    with pytest.raises(KeyError, match="grammar.NOUNS"):
        g.count(2, "Schnabeltier")


def test_ortsteile_with_and_without_article():
    assert g.area("Connewitz", preposition="in") == "in Connewitz"
    assert g.area("Südvorstadt", preposition="in") == "in der Südvorstadt"
    assert g.area("Zentrum-Ost", preposition="in") == "im Zentrum-Ost"
    assert g.area("Südvorstadt", "nom", bold=True) == "die **Südvorstadt**"
    assert g.areas(["Zentrum", "Plagwitz", "Südvorstadt"], "dat", preposition="in") == (
        "im Zentrum, Plagwitz und der Südvorstadt"
    )
    assert g.district("Süd") == "im Stadtbezirk Süd"


LEIPZIG_ORTSTEILE = [
    "Althen-Kleinpösna",
    "Altlindenau",
    "Anger-Crottendorf",
    "Baalsdorf",
    "Burghausen-Rückmarsdorf",
    "Böhlitz-Ehrenberg",
    "Connewitz",
    "Dölitz-Dösen",
    "Engelsdorf",
    "Eutritzsch",
    "Gohlis-Mitte",
    "Gohlis-Nord",
    "Gohlis-Süd",
    "Großzschocher",
    "Grünau-Mitte",
    "Grünau-Nord",
    "Grünau-Ost",
    "Grünau-Siedlung",
    "Hartmannsdorf-Knautnaundorf",
    "Heiterblick",
    "Holzhausen",
    "Kleinzschocher",
    "Knautkleeberg-Knauthain",
    "Lausen-Grünau",
    "Leutzsch",
    "Liebertwolkwitz",
    "Lindenau",
    "Lindenthal",
    "Lößnig",
    "Lützschena-Stahmeln",
    "Marienbrunn",
    "Meusdorf",
    "Miltitz",
    "Mockau-Nord",
    "Mockau-Süd",
    "Möckern",
    "Mölkau",
    "Neulindenau",
    "Neustadt-Neuschönefeld",
    "Paunsdorf",
    "Plagwitz",
    "Plaußig-Portitz",
    "Probstheida",
    "Reudnitz-Thonberg",
    "Schleußig",
    "Schönau",
    "Schönefeld-Abtnaundorf",
    "Schönefeld-Ost",
    "Seehausen",
    "Sellerhausen-Stünz",
    "Stötteritz",
    "Südvorstadt",
    "Thekla",
    "Volkmarsdorf",
    "Wahren",
    "Wiederitzsch",
    "Zentrum",
    "Zentrum-Nord",
    "Zentrum-Nordwest",
    "Zentrum-Ost",
    "Zentrum-Süd",
    "Zentrum-Südost",
    "Zentrum-West",
]


def test_the_63_ortsteile_take_an_article_only_where_the_city_uses_one():
    assert len(LEIPZIG_ORTSTEILE) == 63
    with_article = {n for n in LEIPZIG_ORTSTEILE if g.area_gender(n)}
    assert with_article == {"Südvorstadt"} | {n for n in LEIPZIG_ORTSTEILE if n.startswith("Zentrum")}
    assert [g.area(n, preposition="in") for n in ("Südvorstadt", "Zentrum-Nordwest", "Thekla")] == [
        "in der Südvorstadt",
        "im Zentrum-Nordwest",
        "in Thekla",
    ]


def test_indicator_labels_with_article():
    assert g.label("SGB-II-Dichte") == "die SGB-II-Dichte"
    assert g.label("Ausländeranteil", "akk") == "den Ausländeranteil"
    assert g.label("Persönliches Nettoeinkommen (Median)", "dat") == "dem persönlichen Nettoeinkommen (Median)"
    assert g.label("Bewertung der wirtschaftlichen Lage", "gen") == "der Bewertung der wirtschaftlichen Lage"
    # plural labels and labels without a head noun are named, not declined
    assert g.label("Arbeitslose unter 25") == "die Kennzahl „Arbeitslose unter 25“"
    assert g.label("Ohne Berufsabschluss", "dat") == "der Kennzahl „Ohne Berufsabschluss“"


def test_every_indicator_title_has_a_known_gender():
    """A new indicator whose title has an unknown head noun: add the noun to grammar.HEAD_GENDER."""
    catalogue = yaml.safe_load((ROOT / "data" / "indicators.yml").read_text(encoding="utf-8"))
    unknown = [i["title"] for i in catalogue["indicators"] if g.label_gender(i["title"]) is None]
    assert unknown == []


# -- gender-fair forms ----------------------------------------------------------------------------


def test_person_nouns_follow_the_city_rule():
    assert style.persons("Einwohner") == "Einwohner/-innen"
    assert style.persons("Einwohner", "dat") == "Einwohnerinnen und Einwohnern"
    assert style.persons("Schulanfänger") == "Schulanfänger/-innen"
    assert style.persons("Senioren") == "Seniorinnen und Senioren"
    assert style.persons("Migranten", "dat") == "Migrantinnen und Migranten"


@pytest.mark.parametrize(
    "text",
    [
        "Ortsteile mit weniger als 500 Einwohnern werden nicht eingestuft.",
        "13,4 % der Einwohner",
        "Einwohnerinnen und Einwohner am 31.12.2022",
        "Ausländer*innen",
        "EinwohnerInnen",
        "mit 500 Einwohnern/-innen",
        "Senioren/-innen",
        "Angebote für Senioren",
    ],
)
def test_check_finds_wrong_gender_forms(text):
    assert style.problems(text, agreement=False, build=False), text


@pytest.mark.parametrize(
    "text",
    [
        "13,4 % der Einwohner/-innen",
        "mit 500 Einwohnerinnen und Einwohnern",
        "Seniorinnen und Senioren",
        "Die Einwohnerzahl stieg; der Ausländeranteil auch.",
        "Merkmal „Einwohner insgesamt“ des Datensatzes „Einwohner“",
        "Die Kommunale Bürgerumfrage",
    ],
)
def test_check_accepts_the_rule(text):
    assert style.problems(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "1 Maßnahmen haben ihren Stand geändert",
        "1 Pläne",
        "1 markierte Indikatoren",
        "mit 4 Kinder",
        "kein Ortsteile",
        "5 Maßnahme",
    ],
)
def test_check_finds_wrong_agreement(text):
    assert style.problems(text, gender=False, build=False), text


@pytest.mark.parametrize(
    "text",
    [
        "Einwohner (Jahreszahlen, kleinräumig): recorded response, api-samples/Einwohner.csv",
        "DERIVED: rebuilt in kdvalues CSV layout",
        "/work/shared/data/leipzig/mirror/geo/ortsteile.geojson",
        "Die Regeln stehen in `data/fruehwarnsystem.yml`.",
        "Die Korrektur lässt sich je Regel abschalten (overdispersion: false).",
        "mit make report YEAR=2021",
    ],
)
def test_check_finds_build_details(text):
    assert style.problems(text, gender=False, agreement=False), text


def test_generated_counts_pass_the_check():
    """Every count the grammar layer writes passes the check it is held to in the built edition."""
    texts = [
        f"{g.count(n, w, case)} {g.of_total(n, 63, 'Ortsteil')}"
        for n in (0, 1, 2, 17)
        for w in ("Maßnahme", "Plan", "Ortsteil", "Kind", "Kennzahl")
        for case in ("nom", "dat")
    ]
    texts += [g.count(n, "Indikator", adjective_stem="markiert") for n in (0, 1, 2)]
    assert [p for t in texts for p in style.problems(t)] == []


@pytest.mark.parametrize(
    "value, decimals, unit, case, expected",
    [
        (2333, 0, "Kinder", "dat", "2.333 Kindern"),
        (1, 0, "Kinder", "nom", "1 Kind"),
        (0, 0, "Kinder", "dat", "0 Kindern"),
        (2.7, 1, "Fälle je 1.000 Einwohner/-innen", "dat", "2,7 Fällen je 1.000 Einwohner/-innen"),
        (34.1, 1, "Jahre", "dat", "34,1 Jahren"),
        (13.4, 1, "% der Einwohner/-innen", "dat", "13,4\u00a0% der Einwohner/-innen"),
        (1250, 0, "Euro je Monat", "dat", "1.250 Euro je Monat"),
        (1, 0, "Personen", "nom", "1 Person"),
    ],
)
def test_measure_declines_the_unit(value, decimals, unit, case, expected):
    assert g.measure(value, decimals, unit, case) == expected


def test_upper_first_keeps_the_rest():
    assert g.upper_first(g.count(2, "Maßnahme")) == "2 Maßnahmen"
    assert g.upper_first(g.count(0, "Maßnahme")) == "Keine Maßnahme"


# -- sentences of report/text.py ------------------------------------------------------------------


def _indicator(unit: str, decimals: int = 0, kind: str = "count", direction: str = "neutral"):
    from sozialbericht.analysis.indicators import Indicator, Term

    return Indicator(
        id="x",
        title="Angemeldete Kinder in Kindertagesstätten",
        short="Kinder in Kitas",
        chapter="kinder",
        numerator=Term("kita", "Kinder insgesamt"),
        unit=unit,
        direction=direction,
        definition="test",
        decimals=decimals,
        kind=kind,
    )


def test_extremes_sentence_declines_units_and_places():
    from sozialbericht.report import text

    ind = _indicator("Kinder")
    sentence = text.extremes_sentence(
        ind, {"area_name": "Zentrum", "value": 12}, {"area_name": "Südvorstadt", "value": 2333}, 2022
    )
    assert sentence.startswith("2022 hat das **Zentrum** mit 12 Kindern den niedrigsten und die **Südvorstadt** mit ")
    assert "mit 2.333 Kindern den höchsten Wert" in sentence
    assert style.problems(sentence) == []


def test_a_count_of_zero_is_named_as_none_for_every_tied_ortsteil():
    from sozialbericht.report import text

    ind = _indicator("Kinder")
    lowest, highest = {"area_name": "Zentrum", "value": 0}, {"area_name": "Südvorstadt", "value": 2333}
    sentence = text.extremes_sentence(ind, lowest, highest, 2022, ["Zentrum", "Connewitz"])
    assert sentence.startswith("2022 sind im **Zentrum** und in **Connewitz** keine Kinder erfasst; ")
    assert "mit 0" not in sentence and "den höchsten Wert der Ortsteile hat die **Südvorstadt** mit 2.333 Kindern" in (
        sentence
    )
    tied = text.extremes_sentence(ind, {"area_name": "Zentrum", "value": 5}, highest, 2022, ["Zentrum", "Connewitz"])
    assert tied.startswith("2022 haben das **Zentrum** und **Connewitz** mit 5 Kindern den niedrigsten und ")
    assert style.problems(sentence) == [] and style.problems(tied) == []


def test_a_share_of_zero_is_no_lowest_value_but_no_case():
    from sozialbericht.report import text

    share = _indicator("% der Arbeitslosen", decimals=1, kind="share", direction="higher_worse")
    lowest, highest = {"area_name": "Zentrum", "value": 0.0}, {"area_name": "Volkmarsdorf", "value": 14.2}
    sentence = text.extremes_sentence(share, lowest, highest, 2022, ["Zentrum", "Plaußig-Portitz"])
    assert sentence.startswith("2022 weisen das **Zentrum** und **Plaußig-Portitz** 0,0\u00a0% der Arbeitslosen aus, ")
    assert "keinen erfassten Fall" in sentence and "den niedrigsten" not in sentence
    assert style.problems(sentence) == []


def test_change_of_one_percentage_point_is_singular():
    from sozialbericht.report import text

    share = _indicator("% der Einwohner/-innen", decimals=0, kind="share")
    assert text.change_text(share, 1.0, 10.0) == "+1 Prozentpunkt"
    assert text.change_text(share, -2.0, 10.0) == "−2 Prozentpunkte"
    assert text.change_text(share, -1.0, 10.0, signed=False) == "1 Prozentpunkt"


# -- the rule applied to what planners edit -------------------------------------------------------
# names of the data source are quoted verbatim, not gendered: the features and dataset titles it reads
SOURCE_NAMES = {"feature", "features", "dataset"}


def _strings(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in SOURCE_NAMES:
                yield from _strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def test_every_label_in_data_follows_the_style():
    """Titles, units, definitions, notes, target groups, measures: no generic masculine, no other gender style,
    no count out of agreement (STYLE.md). datasets.yml holds the source's own titles and is not checked."""
    found = []
    for path in sorted((ROOT / "data").glob("*.yml")):
        if path.name == "datasets.yml":
            continue
        for where, text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            found += [f"{path.name}{where}: {p}" for p in style.problems(text, build=False)]
    assert found == [], "\n".join(found)


def test_page_texts_follow_the_style():
    """data/texts/*.md, the static text of the fixed pages (comments for editors aside)."""
    import re

    found = []
    for path in sorted((ROOT / "data" / "texts").glob("*.md")):
        text = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S)
        # the technical part of the appendix may name configuration files and commands
        public = text.split("## Technische Angaben")[0]
        found += [f"{path.name}: {p}" for p in style.problems(public)]
    assert found == [], "\n".join(found)


def test_negative_numbers_carry_the_typographic_minus():
    from sozialbericht import fmt

    # an index of −0,83 in the early-warning table, not "-0,83"
    assert fmt.number(-0.834, 2) == "\u22120,83"
    assert fmt.number(-1234.5, 1) == "\u22121.234,5"
    assert fmt.number(-0.001, 2) == "0,00"  # no signed zero
    assert fmt.number(12.5, 1) == "12,5"


def test_numbers_round_half_up_as_official_statistics_do():
    from sozialbericht import fmt

    assert fmt.number(62.5, 0) == "63"  # 5 of 8 hits: 63 %, not 62 %
    assert fmt.number(0.125, 2) == "0,13"
    assert fmt.number(2.675, 2) == "2,68"  # as written, not as the binary float
    assert fmt.number(-62.5, 0) == "\u221263"
    assert fmt.number(1234567.0, 0) == "1.234.567"
