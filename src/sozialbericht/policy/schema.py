"""The catalogues of the policy layer as pydantic models on the one validation layer (``data/catalogue.py``).

Files under ``data/`` (each starts with its ``# yaml-language-server: $schema=...`` line):

* ``plans.yml``          plans, concepts and reports of the city (facts only; unknown = empty),
* ``measures.yml``       cross-departmental strategies and the real measures and programmes grouped in them,
* ``participation.yml``  the participation formats and bodies the city uses,
* ``target_groups.yml``  the vocabulary of target groups and the indicators that are evidence for each,
* ``gebiete.yml``        programme and urban-renewal areas as named groups of Ortsteile.

:func:`load_policy` validates the files one by one (pydantic: types, required fields, sources) and then the
references between them (indicators, chapters, plans, strategies, target groups, area names against the
geography). Every problem of every file is reported together, each as
``<file>: <entry id> (Eintrag N): Feld '<field>': <what is wrong>``.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from sozialbericht import settings as config
from sozialbericht.data.catalogue import MAX_TEXT, MAX_TITLE, Entry, load_catalogue
from sozialbericht.errors import CatalogueError
from sozialbericht.policy.urls import valid_url

CITY_WIDE = "gesamtstädtisch"
HORIZONS: dict[str, int | None] = {"kurzfristig": 1, "mittelfristig": 3, "langfristig": None}
STATUSES = ("geplant", "begonnen", "laufend", "umgesetzt", "ausgesetzt", "beendet")
DIRECTIONS = ("senken", "erhöhen", "stabilisieren")
PLAN_KINDS = {
    "plan": "Plan",
    "fachplan": "Fachplan",
    "konzept": "Konzept",
    "strategie": "Strategie",
    "programm": "Programm",
    "leitlinien": "Leitlinien",
    "bericht": "Bericht",
    "initiative": "Initiative",
}
# policy fields; the social sector in the narrow sense is the first group
SECTORS = {
    "soziales": "Soziales",
    "jugend_familie": "Kinder, Jugend und Familie",
    "bildung": "Bildung",
    "integration": "Migration und Integration",
    "gleichstellung": "Gleichstellung",
    "gesundheit": "Gesundheit und Sucht",
    "wohnen": "Wohnen",
    "stadtentwicklung": "Stadtentwicklung und Stadterneuerung",
    "mobilitaet": "Mobilität",
    "klima": "Klima, Hitze und Umwelt",
    "wirtschaft": "Arbeit und Wirtschaft",
}
SOCIAL_SECTORS = frozenset({"soziales", "jugend_familie", "bildung", "integration", "gleichstellung"})
EFFORTS = ("gering", "mittel", "hoch")
ALL_RESIDENTS = "alle_einwohner"
MAX_EXAMPLE_SHARE = 0.1  # examples may make up at most a tenth of the register

FILES = {
    "indicators": "indicators.yml",
    "target_groups": "target_groups.yml",
    "areas": "gebiete.yml",
    "plans": "plans.yml",
    "measures": "measures.yml",
    "participation": "participation.yml",
}


def _url(value: str) -> str:
    if not valid_url(value):
        raise ValueError(f"'{value}' ist keine http:// oder https://-Adresse")
    return value


Id = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=60)]
Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
Year = Annotated[int, Field(ge=1900, le=2100)]
Url = Annotated[str, AfterValidator(_url)]
Sources = Annotated[
    list[Url], Field(description="Belege (http/https); Pflicht außer bei Beispielen", validate_default=True)
]
Example = Annotated[bool, Field(description="true: Beispiel der Berichtsredaktion, kein Beschluss der Stadt")]
Areas = Annotated[
    list[str],
    Field(description="Ortsteile (amtliche Namen), Gebiete aus gebiete.yml (Name) oder 'gesamtstädtisch'"),
]


def _needs_sources(value: list, info: ValidationInfo) -> list:
    """Every entry that is not an example names at least one source (``beispiel`` is validated first)."""
    if not info.data.get("beispiel", False) and not value:
        raise ValueError("ein Eintrag, der kein Beispiel ist, braucht mindestens eine Quelle")
    return value


class TargetGroup(Entry):
    id: Id
    label: Title
    indicators: list[str] = Field(default=[], description="Indikatoren, die die Lage der Gruppe beschreiben")
    evidence: list[str] = Field(
        default=[],
        description="Indikatoren, deren Ortsteilwert über dem Stadtwert zeigt, dass die Gruppe dort stärker "
        "betroffen ist (Regel für Beteiligungsvorschläge)",
    )


class TargetGroupsFile(Entry):
    target_groups: list[TargetGroup]


class AreaGroup(Entry):
    id: Id
    name: Title = Field(description="Name des Gebiets, wie die Quellen es nennen; so in 'areas' verwenden")
    kind: Literal["foerdergebiet", "stadtumbau", "schwerpunktraum", "satzungsgebiet", "stadtteil"]
    ortsteile: Annotated[list[str], Field(min_length=1, description="amtliche Ortsteilnamen")]
    derivation: Text = Field(description="wie die Zuordnung der Ortsteile abgeleitet ist")
    sources: Sources = []


class AreaGroupsFile(Entry):
    groups: list[AreaGroup]


class Plan(Entry):
    id: Id
    beispiel: Example = False
    title: Title
    kind: Literal[tuple(PLAN_KINDS)]  # type: ignore[valid-type]
    sector: Literal[tuple(SECTORS)]  # type: ignore[valid-type]
    responsible_office: Title | None = None
    adopted: Year | None = None
    published: Year | None = None
    period_start: Year | None = None
    period_end: Year | None = None
    decision: Title | None = None
    link: Url | None = None
    themes: list[Title] = []
    indicators: list[str] = []
    chapters: list[str] = []
    areas: Areas = []
    superseded_by: str | None = None
    notes: Text | None = None
    sources: Sources = []

    _sources = field_validator("sources")(_needs_sources)

    @field_validator("period_end")
    @classmethod
    def _after_start(cls, end: int | None, info: ValidationInfo) -> int | None:
        start = info.data.get("period_start")
        if end is not None and start is not None and end < start:
            raise ValueError(f"{end} liegt vor period_start {start}")
        return end


class PlansFile(Entry):
    plans: list[Plan]


class Strategy(Entry):
    id: Id
    title: Title
    description: Text | None = None
    lead_office: Title | None = None
    offices: list[Title] = []
    plans: list[str] = Field(default=[], description="Pläne, aus deren Zielen die Strategie abgeleitet ist")
    beispiel: bool = False


class IndicatorLink(Entry):
    id: str
    direction: Literal[DIRECTIONS]  # type: ignore[valid-type]


class StatusEntry(Entry):
    status: Literal[STATUSES]  # type: ignore[valid-type]
    note: Text | None = None
    source: Url | None = None


class Measure(Entry):
    id: Id
    beispiel: Example = False
    title: Title
    description: Text | None = None
    strategy: str
    chapter: str
    theme: Title | None = None
    target_groups: Annotated[list[str], Field(min_length=1)]
    lead_office: Title | None = None
    co_offices: list[Title] = []
    horizon: Literal[tuple(HORIZONS)] | None = None  # type: ignore[valid-type]
    start_year: Year | None = None
    target_year: Year | None = Field(default=None, description="Zieljahr, wenn eine Quelle es nennt")
    indicators: Annotated[list[IndicatorLink], Field(min_length=1)]
    plans: list[str] = []
    areas: Annotated[Areas, Field(validate_default=True)] = []
    status: dict[int, StatusEntry] = Field(default={}, description="Umsetzungsstand je Jahr, nur mit Quelle")
    sources: Sources = []

    _sources = field_validator("sources")(_needs_sources)

    @field_validator("horizon", "target_year")
    @classmethod
    def _no_deadline_for_examples(cls, value, info: ValidationInfo):
        if value is not None and info.data.get("beispiel", False):
            raise ValueError("ein Beispiel trägt keine Frist")
        return value

    @field_validator("areas")
    @classmethod
    def _places_given(cls, areas: list[str], info: ValidationInfo) -> list[str]:
        if not areas and not info.data.get("beispiel", False):
            raise ValueError("Ortsteile, Gebiete oder 'gesamtstädtisch' angeben")
        return areas

    @field_validator("status")
    @classmethod
    def _status_with_source(cls, status: dict, info: ValidationInfo) -> dict:
        if status and info.data.get("beispiel", False):
            raise ValueError("ein Beispiel trägt keinen Umsetzungsstand")
        missing = [str(year) for year, entry in status.items() if entry.source is None]
        if missing:
            raise ValueError(f"Stand ohne Quelle (source) für {', '.join(missing)}")
        return status


class MeasuresFile(Entry):
    strategies: list[Strategy]
    measures: list[Measure]


class Instrument(Entry):
    id: Id
    beispiel: Example = False
    title: Title
    description: Text | None = None
    body: Title | None = Field(default=None, description="das Gremium oder die Stelle, die das Format trägt")
    target_groups: Annotated[list[str], Field(min_length=1)]
    chapters: list[str] = []
    situations: list[Title] = []
    effort: Literal[EFFORTS] | None = None  # type: ignore[valid-type]
    areas: Areas = [CITY_WIDE]
    per_stadtbezirk: bool = Field(default=False, description="je Stadtbezirk ein eigenes Gremium/Budget")
    since: Year | None = Field(default=None, description="Jahr, seit dem es das Format gibt (laut Quelle)")
    until: Year | None = Field(default=None, description="letztes Jahr eines befristeten Formats (laut Quelle)")
    proposable: bool = Field(
        default=True, description="false: Gremium oder Erhebung, an die sich Einwohner/-innen nicht selbst wenden"
    )
    sources: Sources = []

    _sources = field_validator("sources")(_needs_sources)


class ParticipationFile(Entry):
    instruments: list[Instrument]


MODELS = {
    "target_groups": TargetGroupsFile,
    "areas": AreaGroupsFile,
    "plans": PlansFile,
    "measures": MeasuresFile,
    "participation": ParticipationFile,
}


# --- the loaded catalogues ----------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    """The area vocabulary: Ortsteile (name -> Stadtbezirk name) and named area groups (name -> Ortsteile)."""

    ortsteile: dict[str, str | None]
    groups: dict[str, list[str]]
    group_info: dict[str, dict] = field(default_factory=dict)

    def resolve(self, areas: list[str]) -> tuple[bool, set[str]]:
        """(city-wide?, the Ortsteile named directly or through a group)."""
        names: set[str] = set()
        for area in areas:
            if area in self.groups:
                names |= set(self.groups[area])
            elif area != CITY_WIDE:
                names.add(area)
        return CITY_WIDE in areas, names

    def stadtbezirk(self, ortsteil: str) -> str | None:
        return self.ortsteile.get(ortsteil)

    def groups_of(self, ortsteil: str) -> list[str]:
        return [name for name, members in self.groups.items() if ortsteil in members]


@dataclass(frozen=True)
class Policy:
    """All catalogues of one build, validated and normalised to plain dicts (every optional field present)."""

    report_year: int
    chapters: dict[str, str]
    indicators: dict[str, dict]
    target_groups: dict[str, dict]
    plans: dict[str, dict]
    strategies: dict[str, dict]
    measures: dict[str, dict]
    instruments: dict[str, dict]
    places: Places
    files: dict[str, str] = field(default_factory=dict)
    composites: dict[str, dict] = field(default_factory=dict)


INDEX_ID = "index"
INDEX_TITLE = "Sozialindex (Status und Dynamik)"
INDEX_SHORT = "Sozialindex"
WARNING_FILE = "fruehwarnsystem.yml"


class _Problems:
    def __init__(self):
        self.lines: list[str] = []

    def add(self, file: str, entry: dict | None, index: int | None, field_name: str, message: str):
        where = ""
        if index is not None:
            ident = entry.get("id") if isinstance(entry, dict) else None
            where = f"{ident} (Eintrag {index}): " if ident else f"Eintrag {index}: "
        self.lines.append(f"{file}: {where}Feld '{field_name}': {message}")

    def raise_if_any(self):
        if self.lines:
            raise CatalogueError(
                f"Die Kataloge der Pläne, Maßnahmen und Beteiligung sind ungültig ({len(self.lines)} Fehler):\n  "
                + "\n  ".join(self.lines)
            )


def _read_indicators(path: Path, problems: _Problems) -> tuple[dict[str, str], dict[str, dict]]:
    try:
        raw = config.load_yaml(path.read_text(encoding="utf-8")) or {}
    except Exception as error:  # OSError, yaml errors
        problems.lines.append(f"{path.name}: kann nicht gelesen werden ({error})")
        return {}, {}
    chapters = {c["id"]: str(c.get("title") or c["id"]) for c in raw.get("chapters") or [] if isinstance(c, dict)}
    indicators = {
        i["id"]: {
            "id": i["id"],
            "title": str(i.get("title") or i["id"]),
            "short": str(i.get("short") or i.get("title") or i["id"]),
            "chapter": i.get("chapter"),
            "direction": i.get("direction", "neutral"),
            "unit": i.get("unit"),
        }
        for i in raw.get("indicators") or []
        if isinstance(i, dict) and isinstance(i.get("id"), str)
    }
    return chapters, indicators


def _index_composite(path: Path, indicators: dict) -> dict[str, dict]:
    """{"index": ...} from the early-warning configuration's ``index.indicators`` (the file is checked there)."""
    if not path.exists():
        return {}
    try:
        raw = config.load_yaml(path.read_text(encoding="utf-8")) or {}
    except Exception:  # the early-warning module reports a broken file
        return {}
    items = ((raw.get("index") or {}) if isinstance(raw, dict) else {}).get("indicators") or []
    ids = [item.get("id") for item in items if isinstance(item, dict) and item.get("id") in indicators]
    return {INDEX_ID: {"title": INDEX_TITLE, "short": INDEX_SHORT, "indicators": ids}} if ids else {}


def _places(areas: AreaGroupsFile | None, geography, problems: _Problems, shown: str) -> Places:
    ortsteile: dict[str, str | None] = {}
    if geography is not None:
        districts = dict(zip(geography.stadtbezirke["area_code"], geography.stadtbezirke["area_name"]))
        for name, sbz in zip(geography.ortsteile["area_name"], geography.ortsteile["sbz_code"]):
            ortsteile[str(name)] = districts.get(sbz)
    groups, info = {}, {}
    for index, group in enumerate(areas.groups if areas else [], start=1):
        entry = {"id": group.id}
        if group.name in groups or group.name == CITY_WIDE:
            problems.add(shown, entry, index, "name", f"'{group.name}' kommt mehrfach vor")
        if ortsteile:
            for position, name in enumerate(group.ortsteile):
                if name not in ortsteile:
                    problems.add(shown, entry, index, f"ortsteile.{position}", f"unbekannter Ortsteil '{name}'")
        groups[group.name] = list(group.ortsteile)
        info[group.name] = group.model_dump()
    return Places(ortsteile=ortsteile, groups=groups, group_info=info)


def load_policy(
    report_year: int,
    data_dir: Path | str | None = None,
    today: _dt.date | None = None,
    composites: dict[str, list[str]] | None = None,
    geography=None,
) -> Policy:
    """Read and validate all catalogues; one CatalogueError lists every problem of every file.

    ``geography`` (the edition's :class:`~sozialbericht.data.geography.Geography`) validates Ortsteil names and
    gives each Ortsteil its Stadtbezirk; without it names are checked against the area groups only.
    """
    if not isinstance(report_year, int) or not 1900 <= report_year <= 2100:
        raise CatalogueError(f"Berichtsjahr {report_year!r} ist kein Jahr")
    data_dir = Path(data_dir) if data_dir is not None else config.DATA_DIR
    today_year = (today or _dt.date.today()).year
    problems = _Problems()
    chapters, indicators = _read_indicators(data_dir / FILES["indicators"], problems)
    loaded = {}
    for key, model in MODELS.items():
        path = data_dir / FILES[key]
        if key == "areas" and not path.exists():
            loaded[key] = None  # no area groups defined
            continue
        try:
            loaded[key] = load_catalogue(model, path)
        except CatalogueError as error:
            lines = str(error).splitlines()
            if len(lines) > 1 and "ist ungültig" in lines[0]:
                problems.lines += [line.strip() for line in lines[1:]]
            else:  # unreadable or not YAML: one message naming the file and line
                problems.lines.append(" ".join(line.strip() for line in lines))
            loaded[key] = None
    if any(loaded[k] is None for k in MODELS if k != "areas"):
        problems.raise_if_any()
    names = {key: FILES[key] for key in FILES}
    places = _places(loaded["areas"], geography, problems, names["areas"])
    from sozialbericht.policy.references import check_references  # the cross-file checks

    catalogues = check_references(
        loaded, chapters, indicators, places, names, problems, report_year, today_year, geography is not None
    )
    if composites is None:
        composite_map = _index_composite(data_dir / WARNING_FILE, indicators)
    else:
        composite_map = {}
        for ident, components in composites.items():
            unknown = [c for c in components if c not in indicators]
            if unknown or not components or ident in indicators:
                problems.lines.append(f"composites: '{ident}' braucht bekannte, neue Indikatoren; unbekannt: {unknown}")
                continue
            composite_map[ident] = {
                "title": INDEX_TITLE if ident == INDEX_ID else ident,
                "short": INDEX_SHORT if ident == INDEX_ID else ident,
                "indicators": list(components),
            }
    problems.raise_if_any()
    return Policy(
        report_year=report_year,
        chapters=chapters,
        indicators=indicators,
        places=places,
        files=names,
        composites=composite_map,
        **catalogues,
    )
