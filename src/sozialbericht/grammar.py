"""German grammar for generated sentences: counts that agree with their noun, articles, place names.

Every sentence the report builds from a number goes through here, so that no page says
"1 Maßnahmen" or "mit 4 Kinder". The rules (STYLE.md): 0 and 1 are written as words
("kein Ortsteil", "eine Maßnahme", "in einem von 63 Ortsteilen"), larger counts as digits
in German format ("2 Maßnahmen", "mit 1.234 Kindern"); a decimal is plural unless it reads "1"
("mit 34,1 Jahren", "1 Jahr").

Cases are named ``nom``, ``akk``, ``dat``, ``gen``; genders ``m``, ``f``, ``n``, and ``pl``
for a phrase that is plural by itself ("Arbeitslose").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sozialbericht import fmt

CASES = ("nom", "akk", "dat", "gen")

DEFINITE = {
    "m": ("der", "den", "dem", "des"),
    "f": ("die", "die", "der", "der"),
    "n": ("das", "das", "dem", "des"),
    "pl": ("die", "die", "den", "der"),
}
# "ein"; "kein" is "k" + these, its plural "keine/keine/keinen/keiner"
INDEFINITE = {
    "m": ("ein", "einen", "einem", "eines"),
    "f": ("eine", "eine", "einer", "einer"),
    "n": ("ein", "ein", "einem", "eines"),
    "pl": ("eine", "eine", "einen", "einer"),
}
# "einer von 63", "keinem von 63": the pronoun, not the article (nominative m "einer", n "eines")
PRONOUN = {
    "m": ("einer", "einen", "einem", "eines"),
    "f": ("eine", "eine", "einer", "einer"),
    "n": ("eines", "eines", "einem", "eines"),
}
# adjective endings: after der/die/das (weak), after ein/kein (mixed), without article (strong)
WEAK = {"m": ("e", "en", "en", "en"), "f": ("e", "e", "en", "en"), "n": ("e", "e", "en", "en"), "pl": ("en",) * 4}
MIXED = {"m": ("er", "en", "en", "en"), "f": ("e", "e", "en", "en"), "n": ("es", "es", "en", "en"), "pl": ("en",) * 4}
STRONG_PLURAL = ("e", "e", "en", "er")


def case_index(case: str) -> int:
    try:
        return CASES.index(case)
    except ValueError:
        raise ValueError(f"unknown case {case!r}; one of {', '.join(CASES)}") from None


@dataclass(frozen=True)
class Noun:
    """A countable noun with its forms. The dative plural adds -n unless the plural ends in -n or -s."""

    singular: str
    plural: str
    gender: str
    genitive: str = ""  # genitive singular; default: +s for masculine and neuter, unchanged for feminine
    weak: bool = False  # weak masculine (der Senior, den Senioren): -en in every case but the nominative

    def form(self, case: str = "nom", plural: bool = False) -> str:
        index = case_index(case)
        if plural:
            if index == 2 and not self.plural.endswith(("n", "s")):
                return self.plural + "n"
            return self.plural
        if self.weak and index > 0:
            return self.plural
        if index == 3 and self.gender in ("m", "n"):
            return self.genitive or self.singular + "s"
        return self.singular


def _nouns(*nouns: Noun) -> dict[str, Noun]:
    return {n.singular: n for n in nouns}


NOUNS = _nouns(
    Noun("Maßnahme", "Maßnahmen", "f"),
    Noun("Strategie", "Strategien", "f"),
    Noun("Handlungsstrategie", "Handlungsstrategien", "f"),
    Noun("Plan", "Pläne", "m", genitive="Plans"),
    Noun("Konzept", "Konzepte", "n"),
    Noun("Ortsteil", "Ortsteile", "m"),
    Noun("Stadtbezirk", "Stadtbezirke", "m"),
    Noun("Gebiet", "Gebiete", "n"),
    Noun("Kennzahl", "Kennzahlen", "f"),
    Noun("Indikator", "Indikatoren", "m"),
    Noun("Markierung", "Markierungen", "f"),
    Noun("Zielgruppe", "Zielgruppen", "f"),
    Noun("Format", "Formate", "n"),
    Noun("Beteiligungsformat", "Beteiligungsformate", "n"),
    Noun("Vorschlag", "Vorschläge", "m"),
    Noun("Empfehlung", "Empfehlungen", "f"),
    Noun("Regel", "Regeln", "f"),
    Noun("Kind", "Kinder", "n", genitive="Kindes"),
    Noun("Person", "Personen", "f"),
    Noun("Jahr", "Jahre", "n", genitive="Jahres"),
    Noun("Fall", "Fälle", "m", genitive="Falles"),
    Noun("Wert", "Werte", "m", genitive="Wertes"),
    Noun("Datensatz", "Datensätze", "m", genitive="Datensatzes"),
    Noun("Datei", "Dateien", "f"),
    Noun("Eingabedatei", "Eingabedateien", "f"),
    Noun("Straftat", "Straftaten", "f"),
    Noun("Wohnung", "Wohnungen", "f"),
    Noun("Haushalt", "Haushalte", "m"),
    Noun("Bedarfsgemeinschaft", "Bedarfsgemeinschaften", "f"),
    Noun("Prozentpunkt", "Prozentpunkte", "m"),
    Noun("Punkt", "Punkte", "m"),
    Noun("Abweichung", "Abweichungen", "f"),
    Noun("Veränderung", "Veränderungen", "f"),
    Noun("Umfragewelle", "Umfragewellen", "f"),
    Noun("Sondereffekt", "Sondereffekte", "m"),
    Noun("Ereignis", "Ereignisse", "n", genitive="Ereignisses"),
    Noun("Befund", "Befunde", "m"),
    Noun("Kapitel", "Kapitel", "n"),
)


def noun(word: str | Noun) -> Noun:
    if isinstance(word, Noun):
        return word
    try:
        return NOUNS[word]
    except KeyError:
        raise KeyError(f"noun {word!r} is not in grammar.NOUNS; add it with its plural and gender") from None


def article(gender: str, case: str = "nom", definite: bool = True, negative: bool = False) -> str:
    """'der', 'dem', 'eine', 'keinen' … for a gender ('m', 'f', 'n', 'pl') and case."""
    index = case_index(case)
    if definite:
        return DEFINITE[gender][index]
    word = INDEFINITE[gender][index]
    return "k" + word if negative else word


def adjective(stem: str, gender: str, case: str = "nom", after: str = "none", plural: bool = False) -> str:
    """'markiert' -> 'markierter' (after ein, m nom), 'markierten' (after der, dat), 'markierte' (plural, no article)."""
    index = case_index(case)
    if after == "definite":
        ending = WEAK["pl" if plural else gender][index]
    elif after == "indefinite":
        ending = MIXED["pl" if plural else gender][index]
    else:
        ending = STRONG_PLURAL[index] if plural else MIXED[gender][index]
    return stem + ending


def count(n: int, word: str | Noun, case: str = "nom", adjective_stem: str = "", digits: bool = False) -> str:
    """A count with its noun in agreement: 'kein Ortsteil', 'eine Maßnahme', 'einem Kind', '2 Pläne',
    'mit 4 Kindern' (case 'dat'), 'ein markierter Indikator', '3 markierte Indikatoren'.

    ``digits=True`` writes 0 and 1 as digits too ('1 Maßnahme', '0 Maßnahmen'), for lists and tables."""
    item = noun(word)
    n = int(n)
    if n in (0, 1) and not digits:
        lead = article(item.gender, case, definite=False, negative=n == 0)
        adj = adjective(adjective_stem, item.gender, case, after="indefinite") + " " if adjective_stem else ""
        return f"{lead} {adj}{item.form(case)}"
    plural = n != 1
    if adjective_stem:
        adj = adjective(adjective_stem, item.gender, case, plural=plural) + " "
    else:
        adj = ""
    return f"{fmt.number(n)} {adj}{item.form(case, plural=plural)}"


def amount(value: float, decimals: int, word: str | Noun, case: str = "nom") -> str:
    """A measured quantity: '34,1 Jahre', 'mit 34,1 Jahren' (dat), '1 Jahr', '2,7 Fälle'.
    Singular only when the number as written is '1'."""
    item = noun(word)
    text = fmt.number(value, decimals)
    return f"{text} {item.form(case, plural=text not in ('1', '-1'))}"


_BY_PLURAL: dict[str, Noun] = {}


def measure(value: float, decimals: int, unit: str, case: str = "nom", signed: bool = False) -> str:
    """A number with a free-text unit whose first word may be a counted noun: '2.333 Kinder',
    'mit 2.333 Kindern' (dat), '1 Kind', 'mit 2,7 Fällen je 1.000 Einwohner/-innen', '13,4 % der …'.
    Units not starting with a known plural noun ('% der …', 'Euro je m²') are left as they are."""
    if not _BY_PLURAL:
        _BY_PLURAL.update({n.plural: n for n in NOUNS.values()})
    text = fmt.signed(value, decimals) if signed else fmt.number(value, decimals)
    if not unit:
        return text
    first, _, rest = unit.partition(" ")
    item = _BY_PLURAL.get(first)
    if item is None:
        space = "\u00a0" if unit.startswith("%") else " "
        return f"{text}{space}{unit}"
    one = text.lstrip("+−-±") == "1"
    word = item.form(case, plural=not one)
    return f"{text} {word}" + (f" {rest}" if rest else "")


def of_total(n: int, total: int, word: str | Noun, case: str = "dat") -> str:
    """'einem von 63 Ortsteilen', 'keinem von 63 Ortsteilen', '5 von 63 Ortsteilen' (after 'in' etc.).
    The total always takes the dative after 'von'."""
    item = noun(word)
    n = int(n)
    if n in (0, 1):
        gender = item.gender if item.gender != "pl" else "m"
        lead = PRONOUN[gender][case_index(case)]
        lead = "k" + lead if n == 0 else lead
    else:
        lead = fmt.number(n)
    return f"{lead} von {fmt.number(total)} {item.form('dat', plural=int(total) != 1)}"


def upper_first(text: str) -> str:
    """A phrase at the start of a sentence: 'keine Maßnahme' -> 'Keine Maßnahme' (str.capitalize would
    also lower the rest: '2 Maßnahmen' -> '2 maßnahmen')."""
    return text[:1].upper() + text[1:]


def verb(n: int, singular: str, plural: str) -> str:
    """The verb agreeing with a counted subject: 0 and 1 take the singular ('keine Maßnahme hat')."""
    return singular if int(n) in (0, 1) else plural


def join(items, conjunction: str = "und") -> str:
    """['A', 'B', 'C'] -> 'A, B und C' (or 'oder')."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


# -- place names --------------------------------------------------------------------------
# Most Leipzig Ortsteile take no article ("in Connewitz"); these do, as the city writes them.
AREA_GENDER = {"Südvorstadt": "f", "Zentrum": "n"}
AREA_PREFIX_GENDER = {"Zentrum-": "n"}
CONTRACTIONS = {
    ("in", "dem"): "im",
    ("an", "dem"): "am",
    ("von", "dem"): "vom",
    ("zu", "dem"): "zum",
    ("zu", "der"): "zur",
}


def area_gender(name: str) -> str | None:
    """The gender of an Ortsteil's name if it is used with an article, else None."""
    if name in AREA_GENDER:
        return AREA_GENDER[name]
    for prefix, gender in AREA_PREFIX_GENDER.items():
        if name.startswith(prefix):
            return gender
    return None


def area(name: str, case: str = "", bold: bool = False, preposition: str = "") -> str:
    """An Ortsteil's name as used in a sentence: 'die Südvorstadt', 'Connewitz', with a preposition
    'in der Südvorstadt', 'im Zentrum-Ost', 'in Connewitz'. ``bold`` marks only the name (Markdown)."""
    shown = f"**{name}**" if bold else name
    case = case or ("dat" if preposition else "nom")
    gender = area_gender(name)
    if gender is None:
        return f"{preposition} {shown}".strip()
    art = article(gender, case)
    if preposition and (preposition, art) in CONTRACTIONS:
        return f"{CONTRACTIONS[(preposition, art)]} {shown}"
    return f"{preposition} {art} {shown}".strip()


def areas(names, case: str = "", bold: bool = False, preposition: str = "", conjunction: str = "und") -> str:
    """Several Ortsteile in one phrase: 'in Connewitz, der Südvorstadt und Lößnig'; the preposition
    goes before the first name (contracted there: 'im Zentrum, Plagwitz und der Südvorstadt')."""
    names = list(names)
    parts = [area(name, case, bold, preposition if i == 0 else "") for i, name in enumerate(names)]
    return join(parts, conjunction)


def district(name: str, case: str = "dat", preposition: str = "in") -> str:
    """A Stadtbezirk in a sentence: 'im Stadtbezirk Mitte' (names like 'Süd' need the word Stadtbezirk)."""
    art = article("m", case)
    lead = CONTRACTIONS.get((preposition, art), f"{preposition} {art}".strip()) if preposition else art
    return f"{lead} Stadtbezirk {name}"


# -- indicator names ------------------------------------------------------------------------
# The gender of an indicator's label follows its head noun, the last part of a compound
# ("SGB-II-Dichte" -> Dichte -> f). Labels that are plural by themselves ("Arbeitslose",
# "Kinder im SGB II") are "pl". Checked against every indicator of data/indicators.yml by a test.
HEAD_GENDER = {
    "anteil": "m",
    "abschluss": "m",
    "hintergrund": "m",
    "median": "m",
    "wert": "m",
    "index": "m",
    "quote": "f",
    "dichte": "f",
    "miete": "f",
    "belastung": "f",
    "absicht": "f",
    "zufriedenheit": "f",
    "lage": "f",
    "aussicht": "f",
    "aussichten": "pl",
    "bewertung": "f",
    "zahl": "f",
    "rate": "f",
    "alter": "n",
    "einkommen": "n",
    "eigentum": "n",
    "abitur": "n",
    "viertel": "n",
    "einwohner/-innen": "pl",
    "arbeitslose": "pl",
    "langzeitarbeitslose": "pl",
    "kinder": "pl",
    "krippenkinder": "pl",
    "personen": "pl",
    "wohnungen": "pl",
    "straftaten": "pl",
    "körperverletzungen": "pl",
    "diebstähle": "pl",
    "alleinerziehende": "pl",
    "bedarfsgemeinschaften": "pl",
    "haushalte": "pl",
    "größe": "f",
}
# words after which the head noun has ended: "Anteil der …", "Kinder unter 15 …", "Straftaten je …"
_PREPOSITIONS = {"ohne", "mit", "je", "in", "im", "unter", "an", "nach", "von", "für", "bis", "über"}
_SUFFIXES = sorted(HEAD_GENDER, key=len, reverse=True)
_HEAD_END = re.compile(r"\s+(?:der|des|mit|ohne|je|in|im|unter|an|nach|von|für|bis|\(|\d)", re.IGNORECASE)


def _head(label: str) -> tuple[int, str] | None:
    """Position and gender of the head noun among a label's words, or None."""
    words = label.strip().split()
    if not words or words[0].lower() in _PREPOSITIONS:
        return None  # 'Ohne Berufsabschluss' has no head noun to take an article
    head = _HEAD_END.split(label.strip(), maxsplit=1)[0].split()
    # the first word that ends in a known head noun: 'Kinderanteil SGB II', 'Persönliches Einkommen'
    for position, word in enumerate(head):
        last = word.lower() if word.lower().endswith("/-innen") else word.lower().split("-")[-1]
        for suffix in _SUFFIXES:
            if last.endswith(suffix):
                return position, HEAD_GENDER[suffix]
    return None


def label_gender(label: str) -> str | None:
    """The gender of an indicator label ('SGB-II-Dichte' -> 'f', 'Arbeitslose unter 25' -> 'pl'),
    or None when its head noun is not known (callers then say 'die Kennzahl „…“')."""
    found = _head(label)
    return found[1] if found else None


def label(name: str, case: str = "nom") -> str:
    """An indicator's label with its article, in a sentence: 'die SGB-II-Dichte', 'dem Anteil der
    Ausländer/-innen' (dat), 'das persönliche Nettoeinkommen (Median)'. Labels that are plural by
    themselves ('Arbeitslose') or whose head noun is unknown read 'die Kennzahl „…“'."""
    found = _head(name)
    if found is None or found[1] == "pl":
        return f"{article('f', case)} Kennzahl „{name}“"
    position, gender = found
    words = name.split()
    # adjectives before the head noun follow the article: 'Persönliches' -> 'das persönliche'
    for i in range(position):
        stem = re.sub(r"(?:es|er|en|e)$", "", words[i])
        words[i] = adjective(stem[0].lower() + stem[1:], gender, case, after="definite")
    return f"{article(gender, case)} {' '.join(words)}"
