"""The report's language rules as code: gender-fair person nouns and the check of a page's text.

The rule (STYLE.md), as in the city's Sozialreport: the slash form where the feminine plural is the
masculine plural + "innen" ("Einwohner/-innen", "Schulanfänger/-innen"); the paired form, feminine
first, where it is not ("Seniorinnen und Senioren", "Migrantinnen und Migranten"). In the dative
plural the slash form does not work ("Einwohnern/-innen"): there the paired form
("mit 500 Einwohnerinnen und Einwohnern"). Compounds stay as they are ("Einwohnerzahl",
"Ausländeranteil"); names of the source's datasets and features are quoted verbatim in „…“.

``problems(text)`` finds what a page must not contain: counts that disagree with their noun,
English provenance strings, absolute paths, configuration files and YAML keys, make commands,
generic masculine forms of the nouns below, other gender styles (Einwohner*innen, EinwohnerInnen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sozialbericht.grammar import case_index


@dataclass(frozen=True)
class PersonNoun:
    """A noun for people, with its masculine and feminine plural ('Einwohner', 'Einwohnerinnen')."""

    masculine: str  # plural
    feminine: str  # plural

    @property
    def slash(self) -> bool:
        """The slash form fits when the feminine is the masculine + 'innen'."""
        return self.feminine == self.masculine + "innen"

    def masculine_dative(self) -> str:
        return self.masculine if self.masculine.endswith(("n", "s")) else self.masculine + "n"

    def plural(self, case: str = "nom") -> str:
        """'Einwohner/-innen'; dative 'Einwohnerinnen und Einwohnern'; 'Seniorinnen und Senioren'."""
        dative = case_index(case) == 2
        if self.slash and not dative:
            return f"{self.masculine}/-innen"
        return f"{self.feminine} und {self.masculine_dative() if dative else self.masculine}"


def _persons(*pairs: tuple[str, str]) -> dict[str, PersonNoun]:
    return {m: PersonNoun(m, f) for m, f in pairs}


PERSONS = _persons(
    ("Einwohner", "Einwohnerinnen"),
    ("Bewohner", "Bewohnerinnen"),
    ("Ausländer", "Ausländerinnen"),
    ("Bürger", "Bürgerinnen"),
    ("Schulanfänger", "Schulanfängerinnen"),
    ("Empfänger", "Empfängerinnen"),
    ("Mieter", "Mieterinnen"),
    ("Eigentümer", "Eigentümerinnen"),
    ("Teilnehmer", "Teilnehmerinnen"),
    ("Planer", "Planerinnen"),
    ("Sozialplaner", "Sozialplanerinnen"),
    ("Nutzer", "Nutzerinnen"),
    ("Schüler", "Schülerinnen"),
    ("Bewerber", "Bewerberinnen"),
    ("Senioren", "Seniorinnen"),
    ("Migranten", "Migrantinnen"),
    ("Ärzte", "Ärztinnen"),
    ("Studenten", "Studentinnen"),
    ("Flüchtlinge", "Flüchtlinge"),
)
# nouns the rule does not gender: neutral already ("Befragte", "Arbeitslose", "Personen", "Kinder")
# or not about people; Flüchtlinge has no feminine plural of its own: write "Geflüchtete" instead
AVOID = {"Flüchtlinge": "Geflüchtete"}


def persons(masculine_plural: str, case: str = "nom") -> str:
    """The gender-fair plural of a person noun: persons('Einwohner') -> 'Einwohner/-innen'."""
    try:
        noun = PERSONS[masculine_plural]
    except KeyError:
        raise KeyError(f"{masculine_plural!r} is not in style.PERSONS; add it with its feminine plural") from None
    if masculine_plural in AVOID:
        raise ValueError(f"write {AVOID[masculine_plural]!r} instead of {masculine_plural!r}")
    return noun.plural(case)


# -- the check ------------------------------------------------------------------------------
_QUOTED = re.compile(r"„[^“\n]*“")
_WORD = r"(?<![\w/-])"  # start of a word that is not the tail of a compound ("Nicht-Einwohner")


def _gender_patterns() -> list[tuple[re.Pattern, str]]:
    patterns = []
    for noun in PERSONS.values():
        m, f, dat = noun.masculine, noun.feminine, noun.masculine_dative()
        if noun.masculine in AVOID:
            patterns.append((re.compile(rf"{_WORD}{m}n?\b"), f"„{m}“: {AVOID[m]} schreiben"))
            continue
        # the generic masculine, not as the second half of a paired form
        patterns.append(
            (
                re.compile(rf"(?<!{f} und ){_WORD}(?:{m}|{dat})\b(?!/-innen|-\w)"),
                f"generisches Maskulinum „{m}“ statt „{noun.plural()}“",
            )
        )
        other = re.compile(rf"\b{m}(?:\*|:|_|/)innen\b|\b{m}Innen\b")
        patterns.append((other, f"andere Genderform als „{noun.plural()}“"))
        if noun.slash:
            # the paired form in nominative/accusative/genitive where the slash form is the rule
            patterns.append((re.compile(rf"\b{f} und {m}\b(?!n)"), f"Paarform „{f} und {m}“ statt „{noun.plural()}“"))
            patterns.append((re.compile(rf"\b{dat}/-innen"), f"„{dat}/-innen“: im Dativ „{noun.plural('dat')}“"))
        else:
            patterns.append((re.compile(rf"\b{m}/-innen"), f"„{m}/-innen“ statt „{noun.plural()}“"))
    return patterns


GENDER_PATTERNS = _gender_patterns()

# a count that disagrees with its noun: "1 Maßnahmen", "1 markierte Indikatoren", "mit 4 Kinder"
_ONE = r"(?<![\d.,])1"
AGREEMENT_PATTERNS = [
    (
        re.compile(
            rf"{_ONE} (?:\w+e )?(?:Maßnahmen|Pläne|Konzepte|Ortsteile|Stadtbezirke|Kennzahlen|Indikatoren|"
            r"Markierungen|Zielgruppen|Kinder|Personen|Jahre|Fälle|Werte|Datensätze|Dateien|Straftaten|"
            r"Wohnungen|Haushalte|Bedarfsgemeinschaften|Vorschläge|Empfehlungen|Regeln|Strategien|"
            r"Abweichungen|Veränderungen|Ortsteilen|Kindern|Fällen|Jahren)\b"
        ),
        "Zahl 1 mit Plural",
    ),
    (
        re.compile(
            r"\b(?:mit|von|aus|bei|zu|nach) (?:\d[\d.,]*|zwei|drei|vier|fünf) (?:\w+e )?(?:Kinder|Fälle|"
            r"Ortsteile|Stadtbezirke|Pläne|Werte|Jahre|Haushalte|Vorschläge|Datensätze|Konzepte)\b"
        ),
        "Dativ Plural fehlt (z. B. „mit 4 Kindern“)",
    ),
    (
        re.compile(r"\b(?:ein|kein) (?:\w+er )?(?:Maßnahmen|Pläne|Ortsteile|Kennzahlen|Indikatoren)\b"),
        "„ein/kein“ mit Plural",
    ),
    (
        re.compile(
            r"(?<![\d.,])(?:[2-9]|[1-9]\d{1,2}|\d{1,3}(?:\.\d{3})+) (?:Maßnahme|Plan|Ortsteil|Kennzahl|Indikator|Markierung|Zielgruppe)\b(?!n|e|s|-)"
        ),
        "Zahl über 1 mit Singular",
    ),
]

# gender styles the city does not use, for any word: Bürger*innen, Bürger:innen, Bürger_innen, BürgerInnen
AGREEMENT_PATTERNS.append(
    (
        re.compile(r"[a-zäöüß](?:\*|:|_)innen\b|[a-zäöüß]Innen\b"),
        "Genderstern, Doppelpunkt oder Binnen-I statt Schrägstrich",
    )
)

# build details that have no place in the public text
BUILD_PATTERNS = [
    (
        re.compile(r"\brecorded response\b|\bDERIVED\b|\brebuilt in\b"),
        "englische Herkunftsangabe",
    ),
    (re.compile(r"(?<![\w.:])/(?:work|home|tmp|root|Users|var|opt|srv|mnt)/[\w./-]+"), "absoluter Pfad"),
    (re.compile(r"\b[A-Za-z]:\\[\w\\]"), "absoluter Pfad"),
    (re.compile(r"\bdata/[\w-]+\.ya?ml\b|\b[\w-]+\.ya?ml\b"), "Name einer Konfigurationsdatei"),
    (re.compile(r"\bmake (?:report|html|test|verify|bench|pdf)\b|\bpython -m\b|\bpip install\b"), "Build-Befehl"),
    (
        re.compile(r"\b[a-z]+(?:_[a-z]+)+: (?:true|false|\d)|\b(?:overdispersion|min_population|dynamics_period): "),
        "YAML-Schlüssel",
    ),
    (re.compile(r"\bBuilds?\b"), "Wort aus der Programmierung (Build)"),
    (re.compile(r"\b((?:19|20)\d\d)\s?[–-]\s?\1\b"), "Zeitraum aus einem einzigen Jahr"),
]


def problems(text: str, gender: bool = True, agreement: bool = True, build: bool = True) -> list[str]:
    """Every offence against STYLE.md in a page's text, as 'reason: …context…'. Quoted names
    („…“) of the source's datasets and features are not checked for gender forms."""
    found = []
    checks = []
    if gender:
        checks += [(p, r, _QUOTED.sub("„“", text)) for p, r in GENDER_PATTERNS]
    if agreement:
        checks += [(p, r, text) for p, r in AGREEMENT_PATTERNS]
    if build:
        checks += [(p, r, text) for p, r in BUILD_PATTERNS]
    for pattern, reason, haystack in checks:
        for match in pattern.finditer(haystack):
            start, end = max(0, match.start() - 40), min(len(haystack), match.end() + 40)
            found.append(f"{reason}: …{haystack[start:end]}…".replace("\n", " "))
    return found
