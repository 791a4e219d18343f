"""From findings to action: plans, measures with tracking, and participation.

The administration edits four files under ``data/``:

* ``plans.yml``          the city's plans, concepts and reports (facts only, unknown = null),
* ``measures.yml``       cross-departmental strategies (``strategies:``) and measures
                         (``measures:``) with their status per year,
* ``participation.yml``  participation instruments and the target groups they suit,
* ``target_groups.yml``  the controlled vocabulary of target groups, each with the indicators
                         that describe its situation,

and ``indicators.yml`` supplies the indicator and chapter ids. :func:`load_policy` reads and
validates all of them at the start of a build; every problem is reported as
``<file>: <entry id> (entry N): field '<field>': <what is wrong>`` and all problems are raised
together in one :class:`~sozialbericht.errors.CatalogueError`.

Everything else here is pure: functions take the loaded :class:`Policy`, the report year and
DataFrames (the early-warning ``flags``) and return DataFrames or Markdown (MyST) strings.

Rules (also stated in the YAML headers, where the administration reads them):

Renewal of plans
    A plan is *due for renewal* in report year ``J`` when ``period_end <= J`` (its period of
    validity has ended at the reference date 31.12.J) and no successor is recorded in
    ``superseded_by`` that exists by ``J + 1``. A plan without ``period_end`` is never flagged
    ("Geltungsdauer nicht angegeben"). Plans first adopted, published or valid after ``J`` are
    not shown in the edition for ``J``.
Status in a year
    The latest status entry at or before the year. Entries after the report year stay in the
    file and are simply not shown in that edition, so older editions can be rebuilt.
Status year in the future
    A status year later than both the report year and today's year is an error: nothing can be
    recorded for a year that has not begun.
Overdue
    ``kurzfristig`` allows 1 year, ``mittelfristig`` 3 years after ``start_year``;
    ``langfristig`` is never overdue. A measure is overdue in year ``J`` when
    ``J > start_year + allowed years`` and its status in ``J`` is not ``umgesetzt``.
Recommendations
    For each flagged (Ortsteil, indicator) the measures that list the indicator, exist by the
    report year (a status entry or ``start_year`` at or before it) and are not ``ausgesetzt``
    in it are named with their strategy; without such a measure the row is the gap
    "Handlungsbedarf ohne Maßnahme".
Flags
    The early-warning output (``warning.flags``): columns area_code, area_name, indicator,
    reason and optionally target_groups and severity. Several rule hits for one Ortsteil and
    indicator are merged (the highest severity counts). A flag on the composite index (indicator ``index``) stands for its component
    indicators (``index.indicators`` in ``fruehwarnsystem.yml``): measures of any component
    address it, and the target groups of any component are affected.
Target groups affected by a flag
    The ``target_groups`` of the flag row if the early-warning system gives them; otherwise all
    target groups whose ``indicators`` in ``target_groups.yml`` contain the flagged indicator;
    if none does, ``alle_einwohner``.
Participation proposals
    For each flagged Ortsteil and affected target group, instruments that list the group;
    those whose ``chapters`` contain the chapter of a flagged indicator (or are empty) first;
    then, when the flags carry a ``severity`` (1 Hinweis, 2 Warnung, 3 Alarm), the effort that
    suits it (Alarm: hoch, mittel, gering; Warnung: mittel, gering, hoch; Hinweis: gering,
    mittel, hoch), then file order; at most ``per_group`` (default 3). Ortsteile are listed by
    urgency: highest severity first, then the number of flagged indicators, then their code;
    within an Ortsteil the target group with the highest severity first.

Text from the files is always escaped (:func:`escape_markdown`) before it goes into Markdown;
links come only from a validated ``link`` field. Content with ``beispiel: true`` is prefixed
by the code with :data:`BEISPIEL_MARKER`.
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import yaml

from sozialbericht import fmt, grammar
from sozialbericht import settings as config
from sozialbericht.analysis.warning import SEVERITY as SEVERITY_LABELS
from sozialbericht.data.catalogue import MAX_TEXT, MAX_TITLE
from sozialbericht.errors import CatalogueError

# --- vocabularies -------------------------------------------------------------------------

HORIZONS: dict[str, int | None] = {"kurzfristig": 1, "mittelfristig": 3, "langfristig": None}
HORIZON_LABELS = {
    "kurzfristig": "kurzfristig (bis 1 Jahr)",
    "mittelfristig": "mittelfristig (bis 3 Jahre)",
    "langfristig": "langfristig (mehr als 3 Jahre)",
}
STATUSES = ("geplant", "begonnen", "umgesetzt", "ausgesetzt")
NO_STATUS = "ohne Angabe"
DIRECTIONS = ("senken", "erhöhen", "stabilisieren")
DIRECTION_ALIASES = {"erhoehen": "erhöhen"}
PLAN_KINDS = {
    "plan": "Plan",
    "fachplan": "Fachplan",
    "konzept": "Konzept",
    "strategie": "Strategie",
    "bericht": "Bericht",
    "initiative": "Initiative",
}
EFFORTS = ("gering", "mittel", "hoch")
ALL_RESIDENTS = "alle_einwohner"

GAP = "Handlungsbedarf ohne Maßnahme"
BEISPIEL_MARKER = "**[Beispiel]**"
BEISPIEL_NOTICE = (
    "Mit **[Beispiel]** gekennzeichnete Handlungsstrategien, Maßnahmen und Beteiligungsvorschläge "
    "sind Beispiele der Berichtsredaktion und keine Beschlüsse der Stadt Leipzig."
)
NOT_GIVEN = "nicht angegeben"

# The early-warning system flags Ortsteile on single indicators and on its composite index
# (indicator id "index", see sozialbericht.analysis.warning). The index's component indicators are read
# from its configuration file, so a flag on the index is treated as a flag on its components.
INDEX_ID = "index"
INDEX_TITLE = "Sozialindex (Status und Dynamik)"
INDEX_SHORT = "Sozialindex"
WARNING_FILE = "fruehwarnsystem.yml"

FILES = {
    "indicators": "indicators.yml",
    "target_groups": "target_groups.yml",
    "plans": "plans.yml",
    "measures": "measures.yml",
    "participation": "participation.yml",
}

_ID = re.compile(r"^[a-z0-9_]+$")
_MIN_YEAR, _MAX_YEAR = 1900, 2100


# --- the loaded catalogues ----------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """All catalogues of one build, validated and normalised (every optional field present)."""

    report_year: int
    chapters: dict[str, str]  # chapter id -> title, in report order
    indicators: dict[str, dict]  # id -> {id, title, short, chapter, direction}
    target_groups: dict[str, dict]
    plans: dict[str, dict]
    strategies: dict[str, dict]
    measures: dict[str, dict]
    instruments: dict[str, dict]
    files: dict[str, str] = field(default_factory=dict)  # catalogue -> path shown in messages
    composites: dict[str, dict] = field(default_factory=dict)  # flag id -> {title, short, indicators}


# --- schema -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    kind: str  # id, text, year, bool, url, choice, ref, text_list, ref_list, status, indicator_links
    required: bool = False
    nullable: bool = True
    ref: str | None = None  # indicator, chapter, plan, strategy, target_group
    choices: tuple = ()
    nonempty: bool = False
    default: object = None


_F = _Field
SCHEMAS: dict[tuple[str, str], dict[str, _Field]] = {
    ("target_groups", "target_groups"): {
        "id": _F("id", required=True, nullable=False),
        "label": _F("text", required=True, nullable=False),
        "indicators": _F("ref_list", ref="indicator", default=()),
    },
    ("plans", "plans"): {
        "id": _F("id", required=True, nullable=False),
        "title": _F("text", required=True, nullable=False),
        "kind": _F("choice", required=True, nullable=False, choices=tuple(PLAN_KINDS)),
        "responsible_office": _F("text"),
        "adopted": _F("year"),
        "published": _F("year"),
        "period_start": _F("year"),
        "period_end": _F("year"),
        "decision": _F("text"),
        "link": _F("url"),
        "themes": _F("text_list", default=()),
        "indicators": _F("ref_list", ref="indicator", default=()),
        "chapters": _F("ref_list", ref="chapter", default=()),
        "superseded_by": _F("ref", ref="plan"),
        "notes": _F("text"),
    },
    ("measures", "strategies"): {
        "id": _F("id", required=True, nullable=False),
        "title": _F("text", required=True, nullable=False),
        "description": _F("text"),
        "lead_office": _F("text", required=True, nullable=False),
        "offices": _F("text_list", default=()),
        "beispiel": _F("bool", nullable=False, default=False),
    },
    ("measures", "measures"): {
        "id": _F("id", required=True, nullable=False),
        "title": _F("text", required=True, nullable=False),
        "description": _F("text"),
        "strategy": _F("ref", required=True, nullable=False, ref="strategy"),
        "chapter": _F("ref", required=True, nullable=False, ref="chapter"),
        "theme": _F("text"),
        "target_groups": _F("ref_list", required=True, nullable=False, ref="target_group", nonempty=True),
        "lead_office": _F("text", required=True, nullable=False),
        "co_offices": _F("text_list", default=()),
        "horizon": _F("choice", required=True, nullable=False, choices=tuple(HORIZONS)),
        "start_year": _F("year", required=True, nullable=False),
        "indicators": _F("indicator_links", required=True, nullable=False, nonempty=True),
        "plans": _F("ref_list", ref="plan", default=()),
        "status": _F("status", default=None),
        "beispiel": _F("bool", nullable=False, default=False),
    },
    ("participation", "instruments"): {
        "id": _F("id", required=True, nullable=False),
        "title": _F("text", required=True, nullable=False),
        "description": _F("text"),
        "target_groups": _F("ref_list", required=True, nullable=False, ref="target_group", nonempty=True),
        "chapters": _F("ref_list", ref="chapter", default=()),
        "situations": _F("text_list", default=()),
        "effort": _F("choice", choices=EFFORTS),
        "beispiel": _F("bool", nullable=False, default=False),
    },
}
SECTIONS = {
    "target_groups": ("target_groups",),
    "plans": ("plans",),
    "measures": ("strategies", "measures"),
    "participation": ("instruments",),
}


class _Problems:
    """Collects validation errors in the one format the administration learns to read."""

    def __init__(self):
        self.lines: list[str] = []

    def entry(self, file: str, entry_id, index: int, field_name: str, message: str):
        label = entry_id if isinstance(entry_id, str) and entry_id else "(ohne id)"
        self.lines.append(f"{file}: {label} (entry {index}): field '{field_name}': {message}")

    def file(self, file: str, field_name: str | None, message: str):
        where = f"field '{field_name}': " if field_name else ""
        self.lines.append(f"{file}: {where}{message}")

    def raise_if_any(self):
        if self.lines:
            count = len(self.lines)
            head = "1 problem" if count == 1 else f"{count} problems"
            raise CatalogueError(f"{head} in the plan, measure and participation catalogues:\n" + "\n".join(self.lines))


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, shown: str, problems: _Problems):
    """The parsed file, or None after recording why it cannot be used (missing, broken, empty)."""
    if not path.exists():
        problems.file(shown, None, "file not found")
        return None
    try:
        content = config.load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        problems.file(shown, None, f"not valid YAML: {error}")
        return None
    if content is None:
        problems.file(shown, None, "file is empty")
    return content


def valid_url(value) -> bool:
    """True for an absolute http(s) URL made only of characters allowed in a URL."""
    if not isinstance(value, str) or not value:
        return False
    if re.search(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]", value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and bool(re.fullmatch(r"[A-Za-z0-9.-]+", parts.hostname))
    )


def _is_year(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and _MIN_YEAR <= value <= _MAX_YEAR


def _check_length(text: str, name: str, report) -> None:
    """A title or description beyond the limits of data/catalogue.py: a 5 MB text made the website build take 11 min."""
    limit = MAX_TITLE if name in ("title", "name") else MAX_TEXT
    if len(text.strip()) > limit:
        report(name, f"is {len(text.strip()):,} characters long; at most {limit:,} are allowed".replace(",", "."))


def _check_value(spec: _Field, value, refs: dict[str, set], report, name: str):
    """Validate one field; ``report(field, message)`` records a problem. Returns the normalised value."""
    if value is None:
        if not spec.nullable:
            report(name, "must not be empty")
        if spec.nonempty and spec.nullable:
            report(name, "must list at least one entry")
        return list(spec.default) if isinstance(spec.default, tuple) else spec.default
    kind = spec.kind
    if kind == "id":
        if not isinstance(value, str) or not _ID.match(value):
            report(name, f"{value!r} is not a valid id (lowercase letters, digits and '_' only)")
        return value
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            report(name, f"must be text, not {value!r}")
            return None
        _check_length(value, name, report)
        return value.strip()
    if kind == "year":
        if not _is_year(value):
            report(name, f"{value!r} is not a year ({_MIN_YEAR}–{_MAX_YEAR})")
            return None
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            report(name, f"must be true or false, not {value!r}")
            return bool(spec.default)
        return value
    if kind == "url":
        if not valid_url(value):
            report(name, f"{value!r} is not an http:// or https:// address")
            return None
        return value
    if kind == "choice":
        if value not in spec.choices:
            report(name, f"{value!r} does not exist; allowed: {', '.join(spec.choices)}")
            return None
        return value
    if kind == "ref":
        if not isinstance(value, str) or value not in refs[spec.ref]:
            report(name, f"unknown {_REF_NAMES[spec.ref]} {value!r}")
            return None
        return value
    if kind in ("text_list", "ref_list"):
        if not isinstance(value, list):
            report(name, f"must be a list, not {value!r}")
            return []
        if spec.nonempty and not value:
            report(name, "must list at least one entry")
        out = []
        for position, item in enumerate(value):
            if kind == "text_list":
                if not isinstance(item, str) or not item.strip():
                    report(f"{name}[{position}]", f"must be text, not {item!r}")
                    continue
                _check_length(item, f"{name}[{position}]", report)
                out.append(item.strip())
            else:
                if not isinstance(item, str) or item not in refs[spec.ref]:
                    report(f"{name}[{position}]", f"unknown {_REF_NAMES[spec.ref]} {item!r}")
                    continue
                if item in out:
                    report(f"{name}[{position}]", f"{item!r} is listed twice")
                    continue
                out.append(item)
        return out
    raise AssertionError(kind)  # pragma: no cover - SCHEMAS only uses the kinds above


_REF_NAMES = {
    "indicator": "indicator id",
    "chapter": "chapter",
    "plan": "plan",
    "strategy": "strategy",
    "target_group": "target group",
}


def _check_indicator_links(value, refs, indicators, report, name="indicators"):
    if not isinstance(value, list):
        report(name, f"must be a list of {{id, direction}}, not {value!r}")
        return []
    if not value:
        report(name, "must list at least one entry")
    out, seen = [], set()
    for position, item in enumerate(value):
        where = f"{name}[{position}]"
        if not isinstance(item, dict):
            report(where, f"must be {{id: ..., direction: ...}}, not {item!r}")
            continue
        unknown = sorted(set(item) - {"id", "direction"})
        if unknown:
            report(where, f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: id, direction")
        indicator, direction = item.get("id"), item.get("direction")
        direction = DIRECTION_ALIASES.get(direction, direction)
        ok = True
        if not isinstance(indicator, str) or indicator not in refs["indicator"]:
            report(f"{where}.id", f"unknown indicator id {indicator!r}")
            ok = False
        if direction not in DIRECTIONS:
            report(f"{where}.direction", f"{direction!r} does not exist; allowed: {', '.join(DIRECTIONS)}")
            ok = False
        if ok and indicator in seen:
            report(f"{where}.id", f"indicator {indicator!r} is listed twice")
            ok = False
        if ok:
            meaning = indicators[indicator]["direction"]
            if (meaning == "higher_worse" and direction == "erhöhen") or (
                meaning == "higher_better" and direction == "senken"
            ):
                report(
                    f"{where}.direction",
                    f"{direction!r} would worsen indicator {indicator!r} ({meaning}); check the direction",
                )
                ok = False
        if ok:
            seen.add(indicator)
            out.append({"id": indicator, "direction": direction})
    return out


def _check_status(value, report, report_year: int, today_year: int, name="status"):
    """{year: status | {status, note}} -> {year: (status, note)} sorted by year."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        report(name, f"must map years to a status, not {value!r}")
        return {}
    limit = max(report_year, today_year)
    out = {}
    for key, entry in value.items():
        year = int(key) if isinstance(key, str) and key.strip().isdigit() else key
        where = f"{name}.{key}"
        if not _is_year(year):
            report(where, f"{key!r} is not a year")
            continue
        if year > limit:
            report(where, f"year {year} is in the future (report year {report_year}, today {today_year})")
            continue
        note = None
        if isinstance(entry, dict):
            unknown = sorted(set(entry) - {"status", "note"})
            if unknown:
                report(where, f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: status, note")
            note = entry.get("note")
            if note is not None and (not isinstance(note, str) or not note.strip()):
                report(f"{where}.note", f"must be text, not {note!r}")
                note = None
            entry = entry.get("status")
        if entry not in STATUSES:
            report(where, f"status {entry!r} does not exist; allowed: {', '.join(STATUSES)}")
            continue
        out[year] = (entry, note.strip() if isinstance(note, str) else None)
    return dict(sorted(out.items()))


def _check_entries(problems: _Problems, file: str, section: str, raw, refs, schema, extra=None):
    """Validate a list of entries; returns {id: normalised entry} in file order."""
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        problems.file(file, section, "must be a list of entries")
        return {}
    entries: dict[str, dict] = {}
    first_index: dict[str, int] = {}
    for index, item in enumerate(raw, start=1):
        entry_id = item.get("id") if isinstance(item, dict) else None

        def report(field_name, message, _id=entry_id, _index=index):
            problems.entry(file, _id, _index, field_name, message)

        if not isinstance(item, dict):
            report("id", f"entry must be a mapping of fields, not {item!r}")
            continue
        for unknown in sorted(set(item) - set(schema)):
            report(unknown, f"unknown field; known fields: {', '.join(schema)}")
        entry = {}
        for name, spec in schema.items():
            if name not in item:
                if spec.required:
                    report(name, "is missing")
                entry[name] = list(spec.default) if isinstance(spec.default, tuple) else spec.default
                continue
            if spec.kind in ("indicator_links", "status"):
                entry[name] = item[name]  # checked by ``extra``
            else:
                entry[name] = _check_value(spec, item[name], refs, report, name)
        if extra is not None:
            extra(entry, item, report)
        if isinstance(entry_id, str) and _ID.match(entry_id):
            if entry_id in first_index:
                report("id", f"duplicate id {entry_id!r}, already used by entry {first_index[entry_id]}")
                continue
            first_index[entry_id] = index
            entry["index"] = index
            entries[entry_id] = entry
    return entries


def _ids(raw) -> set[str]:
    if not isinstance(raw, list):
        return set()
    return {item["id"] for item in raw if isinstance(item, dict) and isinstance(item.get("id"), str)}


def _load_indicators(path: Path, shown: str, problems: _Problems):
    raw = _read_yaml(path, shown, problems)
    chapters, indicators = {}, {}
    if not isinstance(raw, dict):
        if raw is not None:
            problems.file(shown, None, "must contain 'chapters' and 'indicators'")
        return chapters, indicators
    for index, item in enumerate(raw.get("chapters") or [], start=1):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            chapters[item["id"]] = str(item.get("title") or item["id"])
        else:
            problems.entry(shown, None, index, "id", "chapter needs an id")
    for index, item in enumerate(raw.get("indicators") or [], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            problems.entry(shown, None, index, "id", "indicator needs an id")
            continue
        indicators[item["id"]] = {
            "id": item["id"],
            "title": str(item.get("title") or item["id"]),
            "short": str(item.get("short") or item.get("title") or item["id"]),
            "chapter": item.get("chapter"),
            "direction": item.get("direction", "neutral"),
        }
    return chapters, indicators


def _index_composite(path: Path, indicators: dict) -> dict[str, dict]:
    """{"index": {...}} from the early-warning configuration's ``index.indicators`` (if any).

    Problems in that file are reported by the early-warning module, which owns it; here only its
    known indicator ids are taken.
    """
    if not path.exists():
        return {}
    try:
        raw = config.load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return {}
    items = ((raw.get("index") or {}) if isinstance(raw, dict) else {}).get("indicators") or []
    ids = [item.get("id") for item in items if isinstance(item, dict) and item.get("id") in indicators]
    return {INDEX_ID: {"title": INDEX_TITLE, "short": INDEX_SHORT, "indicators": ids}} if ids else {}


def load_policy(
    report_year: int,
    data_dir: Path | str | None = None,
    today: _dt.date | None = None,
    composites: dict[str, list[str]] | None = None,
) -> Policy:
    """Read and validate all catalogues; raise one CatalogueError listing every problem.

    ``data_dir`` defaults to the project's ``data/``; ``today`` (for tests) to the current date.
    ``composites`` maps a flag id that is not an indicator to its component indicators; by default
    the early-warning index (``index``) with the indicators of ``fruehwarnsystem.yml``.
    """
    if not _is_year(report_year):
        raise CatalogueError(f"report year {report_year!r} is not a year")
    data_dir = Path(data_dir) if data_dir is not None else config.DATA_DIR
    today_year = (today or _dt.date.today()).year
    problems = _Problems()
    paths = {key: data_dir / name for key, name in FILES.items()}
    shown = {key: _display_path(path) for key, path in paths.items()}

    chapters, indicators = _load_indicators(paths["indicators"], shown["indicators"], problems)
    raw = {}
    for key in SECTIONS:
        content = _read_yaml(paths[key], shown[key], problems)
        if content is None:
            raw[key] = {}
            continue
        if not isinstance(content, dict):
            problems.file(shown[key], None, f"must contain {', '.join(map(repr, SECTIONS[key]))}")
            raw[key] = {}
            continue
        for unknown in sorted(set(content) - set(SECTIONS[key])):
            problems.file(shown[key], unknown, f"unknown section; expected {', '.join(SECTIONS[key])}")
        for section in SECTIONS[key]:
            if section not in content:
                problems.file(shown[key], section, "section is missing")
        raw[key] = content

    refs = {
        "indicator": set(indicators),
        "chapter": set(chapters),
        "plan": _ids(raw["plans"].get("plans")),
        "strategy": _ids(raw["measures"].get("strategies")),
        "target_group": _ids(raw["target_groups"].get("target_groups")),
    }

    def check(key, section, extra=None):
        return _check_entries(
            problems, shown[key], section, raw[key].get(section), refs, SCHEMAS[(key, section)], extra
        )

    target_groups = check("target_groups", "target_groups")

    def plan_extra(entry, item, report):
        start, end = entry.get("period_start"), entry.get("period_end")
        if start is not None and end is not None and end < start:
            report("period_end", f"{end} is before period_start {start}")
        if entry.get("superseded_by") is not None and entry["superseded_by"] == item.get("id"):
            report("superseded_by", "a plan cannot supersede itself")

    plans = check("plans", "plans", plan_extra)
    strategies = check("measures", "strategies")

    def measure_extra(entry, item, report):
        entry["indicators"] = (
            _check_indicator_links(item["indicators"], refs, indicators, report) if "indicators" in item else []
        )
        entry["status"] = _check_status(item.get("status"), report, report_year, today_year)

    measures = check("measures", "measures", measure_extra)
    instruments = check("participation", "instruments")
    if composites is None:
        composite_map = _index_composite(data_dir / WARNING_FILE, indicators)
    else:
        composite_map = {}
        for ident, components in composites.items():
            unknown = [c for c in components if c not in indicators]
            if unknown or not components or ident in indicators:
                problems.file("composites", ident, f"needs known, new indicator ids; unknown: {unknown}")
                continue
            title = INDEX_TITLE if ident == INDEX_ID else ident
            composite_map[ident] = {
                "title": title,
                "short": INDEX_SHORT if ident == INDEX_ID else ident,
                "indicators": list(components),
            }
    problems.raise_if_any()

    return Policy(
        report_year=report_year,
        chapters=chapters,
        indicators=indicators,
        target_groups=target_groups,
        plans=plans,
        strategies=strategies,
        measures=measures,
        instruments=instruments,
        files=shown,
        composites=composite_map,
    )


# --- plans --------------------------------------------------------------------------------


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """A DataFrame of object columns, so that a missing value stays None (not NaN)."""
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _present(value) -> bool:
    """False for None, NaN and empty text or lists."""
    if value is None:
        return False
    if isinstance(value, float) and pd.isna(value):
        return False
    return not (isinstance(value, (str, list, tuple)) and not value)


def _first_year(plan: dict) -> int | None:
    years = [plan.get(k) for k in ("adopted", "published", "period_start") if plan.get(k) is not None]
    return min(years) if years else None


def _exists_by(plan: dict, year: int) -> bool:
    first = _first_year(plan)
    return first is None or first <= year


def _check_chapter(policy: Policy, chapter: str | None):
    if chapter is not None and chapter not in policy.chapters:
        raise CatalogueError(f"unknown chapter {chapter!r}; known: {', '.join(policy.chapters)}")


def plan_chapters(policy: Policy, plan: dict) -> list[str]:
    """Chapters a plan concerns: those of its indicators plus its explicit ``chapters``."""
    found = {policy.indicators[i]["chapter"] for i in plan["indicators"]} | set(plan["chapters"])
    return [c for c in policy.chapters if c in found]


def renewal(policy: Policy, plan: dict, year: int) -> tuple[bool, str]:
    """(due, German note) for the renewal rule in the module docstring."""
    end = plan.get("period_end")
    successor = policy.plans.get(plan.get("superseded_by") or "")
    if successor is not None and (_first_year(successor) is None or _first_year(successor) <= year + 1):
        return False, f"abgelöst durch „{successor['title']}“"
    if end is None:
        return False, "Geltungsdauer nicht angegeben"
    if end <= year:
        return True, f"Geltungsdauer endete {end}"
    return False, f"gilt bis {end}"


def _period_text(plan: dict) -> str:
    start, end = plan.get("period_start"), plan.get("period_end")
    if start is None and end is None:
        return NOT_GIVEN
    if start is None:
        return f"bis {end}"
    if end is None:
        return f"ab {start}"
    return f"{start}–{end}"


PLAN_COLUMNS = [
    "plan",
    "title",
    "kind",
    "responsible_office",
    "adopted",
    "published",
    "period",
    "period_start",
    "period_end",
    "decision",
    "link",
    "themes",
    "indicators",
    "chapters",
    "renewal_due",
    "renewal_note",
]


def plans_for_chapter(policy: Policy, chapter: str | None, year: int) -> pd.DataFrame:
    """Plans that concern a chapter's indicators (all plans for ``chapter=None``) in ``year``.

    ``indicators`` lists the plan's indicators of that chapter; ``renewal_due`` applies the
    renewal rule. Plans that first appear after ``year`` are left out.
    """
    _check_chapter(policy, chapter)
    rows = []
    for plan_id, plan in policy.plans.items():
        chapters = plan_chapters(policy, plan)
        if chapter is not None and chapter not in chapters:
            continue
        if not _exists_by(plan, year):
            continue
        due, note = renewal(policy, plan, year)
        indicators = [i for i in plan["indicators"] if chapter is None or policy.indicators[i]["chapter"] == chapter]
        rows.append(
            {
                "plan": plan_id,
                "title": plan["title"],
                "kind": PLAN_KINDS[plan["kind"]],
                "responsible_office": plan["responsible_office"],
                "adopted": plan["adopted"],
                "published": plan["published"],
                "period": _period_text(plan),
                "period_start": plan["period_start"],
                "period_end": plan["period_end"],
                "decision": plan["decision"],
                "link": plan["link"],
                "themes": list(plan["themes"]),
                "indicators": indicators,
                "chapters": chapters,
                "renewal_due": due,
                "renewal_note": note,
            }
        )
    return _frame(rows, PLAN_COLUMNS)


# --- measures and tracking ------------------------------------------------------------------


def status_entry_in_year(measure: dict, year: int) -> tuple[int, str, str | None] | None:
    """(year of the entry, status, note) of the latest status at or before ``year``, or None."""
    found = None
    for entry_year, (status, note) in measure["status"].items():
        if entry_year <= year:
            found = (entry_year, status, note)
    return found


def status_in_year(measure: dict, year: int) -> str | None:
    """The latest status at or before ``year`` (None when nothing is recorded by then)."""
    entry = status_entry_in_year(measure, year)
    return entry[1] if entry else None


def measure_exists(measure: dict, year: int) -> bool:
    """A measure belongs to the edition for ``year`` once it started or has a status by then."""
    return measure["start_year"] <= year or status_entry_in_year(measure, year) is not None


def due_year(measure: dict) -> int | None:
    """Last year by which the horizon expects the measure to be done (None: langfristig)."""
    allowed = HORIZONS[measure["horizon"]]
    return None if allowed is None else measure["start_year"] + allowed


def is_overdue(measure: dict, year: int) -> bool:
    due = due_year(measure)
    return due is not None and year > due and status_in_year(measure, year) != "umgesetzt"


def measure_chapters(policy: Policy, measure: dict) -> list[str]:
    found = {measure["chapter"]} | {policy.indicators[link["id"]]["chapter"] for link in measure["indicators"]}
    return [c for c in policy.chapters if c in found]


def _direction_text(policy: Policy, link: dict) -> str:
    indicator = policy.indicators[link["id"]]
    effect = ""
    meaning, direction = indicator["direction"], link["direction"]
    if (meaning, direction) in (("higher_worse", "senken"), ("higher_better", "erhöhen")):
        effect = " (Verbesserung)"
    return f"{indicator['short']}: {direction}{effect}"


MEASURE_COLUMNS = [
    "strategy",
    "strategy_title",
    "measure",
    "title",
    "description",
    "chapter",
    "theme",
    "target_groups",
    "target_group_labels",
    "lead_office",
    "co_offices",
    "horizon",
    "horizon_label",
    "start_year",
    "due_year",
    "indicators",
    "indicator_texts",
    "plans",
    "plan_titles",
    "status",
    "status_year",
    "status_note",
    "overdue",
    "beispiel",
]


def _measure_row(policy: Policy, measure_id: str, measure: dict, year: int) -> dict:
    strategy = policy.strategies[measure["strategy"]]
    entry = status_entry_in_year(measure, year)
    return {
        "strategy": measure["strategy"],
        "strategy_title": strategy["title"],
        "measure": measure_id,
        "title": measure["title"],
        "description": measure["description"],
        "chapter": measure["chapter"],
        "theme": measure["theme"],
        "target_groups": list(measure["target_groups"]),
        "target_group_labels": [policy.target_groups[g]["label"] for g in measure["target_groups"]],
        "lead_office": measure["lead_office"],
        "co_offices": list(measure["co_offices"]),
        "horizon": measure["horizon"],
        "horizon_label": HORIZON_LABELS[measure["horizon"]],
        "start_year": measure["start_year"],
        "due_year": due_year(measure),
        "indicators": [dict(link) for link in measure["indicators"]],
        "indicator_texts": [_direction_text(policy, link) for link in measure["indicators"]],
        "plans": list(measure["plans"]),
        "plan_titles": [policy.plans[p]["title"] for p in measure["plans"]],
        "status": entry[1] if entry else None,
        "status_year": entry[0] if entry else None,
        "status_note": entry[2] if entry else None,
        "overdue": is_overdue(measure, year),
        "beispiel": bool(measure["beispiel"] or strategy["beispiel"]),
    }


def _ordered_measures(policy: Policy):
    """Measures grouped by strategy (strategy file order), then file order."""
    order = {s: i for i, s in enumerate(policy.strategies)}
    return sorted(policy.measures.items(), key=lambda kv: (order[kv[1]["strategy"]], kv[1]["index"]))


def measures_for_chapter(policy: Policy, chapter: str | None, year: int) -> pd.DataFrame:
    """Measures of a chapter (its own or moving one of its indicators); all for ``chapter=None``."""
    _check_chapter(policy, chapter)
    rows = [
        _measure_row(policy, mid, m, year)
        for mid, m in _ordered_measures(policy)
        if measure_exists(m, year) and (chapter is None or chapter in measure_chapters(policy, m))
    ]
    return _frame(rows, MEASURE_COLUMNS)


STRATEGY_COLUMNS = ["strategy", "title", "description", "lead_office", "offices", "chapters", "measures", "beispiel"]


def strategies_for_chapter(policy: Policy, chapter: str | None, year: int) -> pd.DataFrame:
    """Strategies with at least one measure of the chapter in ``year`` (all for ``chapter=None``).

    ``offices`` joins the strategy's offices with the lead and co-offices of its measures.
    """
    measures = measures_for_chapter(policy, chapter, year)
    rows = []
    for strategy_id, strategy in policy.strategies.items():
        own = measures[measures["strategy"] == strategy_id]
        if chapter is not None and own.empty:
            continue
        all_own = [m for m in policy.measures.values() if m["strategy"] == strategy_id and measure_exists(m, year)]
        offices = [strategy["lead_office"], *strategy["offices"]]
        for m in all_own:
            offices += [m["lead_office"], *m["co_offices"]]
        chapters = {c for m in all_own for c in measure_chapters(policy, m)}
        rows.append(
            {
                "strategy": strategy_id,
                "title": strategy["title"],
                "description": strategy["description"],
                "lead_office": strategy["lead_office"],
                "offices": list(dict.fromkeys(offices)),
                "chapters": [c for c in policy.chapters if c in chapters],
                "measures": list(own["measure"]),
                "beispiel": bool(strategy["beispiel"]),
            }
        )
    return _frame(rows, STRATEGY_COLUMNS)


CHANGE_COLUMNS = [
    "measure",
    "title",
    "strategy",
    "strategy_title",
    "chapter",
    "status_before",
    "status_now",
    "note",
    "beispiel",
]


def status_changes(policy: Policy, year: int) -> pd.DataFrame:
    """Measures whose status in ``year`` differs from ``year - 1`` (new entries included).

    ``status_before`` is None for measures without a status the year before; ``note`` is the note
    of the entry recorded in ``year``.
    """
    rows = []
    for measure_id, measure in _ordered_measures(policy):
        before, now = status_in_year(measure, year - 1), status_in_year(measure, year)
        if now is None or before == now:
            continue
        entry = measure["status"].get(year)
        rows.append(
            {
                "measure": measure_id,
                "title": measure["title"],
                "strategy": measure["strategy"],
                "strategy_title": policy.strategies[measure["strategy"]]["title"],
                "chapter": measure["chapter"],
                "status_before": before,
                "status_now": now,
                "note": entry[1] if entry else None,
                "beispiel": bool(measure["beispiel"] or policy.strategies[measure["strategy"]]["beispiel"]),
            }
        )
    return _frame(rows, CHANGE_COLUMNS)


OVERDUE_COLUMNS = [
    "measure",
    "title",
    "strategy",
    "strategy_title",
    "chapter",
    "lead_office",
    "horizon",
    "start_year",
    "due_year",
    "years_over",
    "status",
    "beispiel",
]


def overdue(policy: Policy, year: int) -> pd.DataFrame:
    """Measures past their horizon in ``year`` and not ``umgesetzt`` (rule in the module docstring)."""
    rows = []
    for measure_id, measure in _ordered_measures(policy):
        if not measure_exists(measure, year) or not is_overdue(measure, year):
            continue
        due = due_year(measure)
        rows.append(
            {
                "measure": measure_id,
                "title": measure["title"],
                "strategy": measure["strategy"],
                "strategy_title": policy.strategies[measure["strategy"]]["title"],
                "chapter": measure["chapter"],
                "lead_office": measure["lead_office"],
                "horizon": measure["horizon"],
                "start_year": measure["start_year"],
                "due_year": due,
                "years_over": year - due,
                "status": status_in_year(measure, year) or NO_STATUS,
                "beispiel": bool(measure["beispiel"] or policy.strategies[measure["strategy"]]["beispiel"]),
            }
        )
    return _frame(rows, OVERDUE_COLUMNS)


# --- flags from the early-warning system ------------------------------------------------------

FLAG_COLUMNS = ["area_code", "area_name", "indicator", "reason"]


def _split_groups(value) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()]


def indicator_info(policy: Policy, ident: str) -> dict:
    """id, title, short, chapter and component indicators of a flagged indicator or composite.

    A composite (the early-warning index) counts in the chapter of its first component.
    """
    if ident in policy.indicators:
        return {**policy.indicators[ident], "components": [ident]}
    composite = policy.composites[ident]
    first = policy.indicators[composite["indicators"][0]]
    return {
        "id": ident,
        "title": composite["title"],
        "short": composite["short"],
        "chapter": first["chapter"],
        "direction": "higher_worse",
        "components": list(composite["indicators"]),
    }


def _check_flags(policy: Policy, flags: pd.DataFrame) -> pd.DataFrame:
    """Validate the early-warning output; one row per Ortsteil and indicator.

    Several rule hits for the same Ortsteil and indicator are merged: their reasons are joined
    with "; " and their target groups united. Returns a ``target_groups`` list column.
    """
    missing = [c for c in FLAG_COLUMNS if c not in flags.columns]
    if missing:
        raise CatalogueError(
            f"flags: missing column(s) {', '.join(missing)}; expected {', '.join(FLAG_COLUMNS)}"
            " and optionally target_groups"
        )
    problems = []
    out = flags
    groups = []
    for position, row in enumerate(out.itertuples(index=False), start=1):
        indicator = row.indicator
        if indicator not in policy.indicators and indicator not in policy.composites:
            problems.append(f"flags: row {position}: field 'indicator': unknown indicator id {indicator!r}")
        own = _split_groups(getattr(row, "target_groups", None)) if "target_groups" in out.columns else []
        for group in own:
            if group not in policy.target_groups:
                problems.append(f"flags: row {position}: field 'target_groups': unknown target group {group!r}")
        groups.append(own)
        if "severity" in out.columns:
            level = row.severity
            if (
                level is not None
                and not pd.isna(level)
                and not (isinstance(level, numbers.Real) and int(level) == level and int(level) in SEVERITY_LABELS)
            ):
                problems.append(f"flags: row {position}: field 'severity': {level!r} is not 1, 2 or 3")
    if problems:
        raise CatalogueError("\n".join(problems))
    merged: dict[tuple[str, str], dict] = {}
    levels = out["severity"].tolist() if "severity" in out.columns else [None] * len(out)
    for position, row in enumerate(out[FLAG_COLUMNS].itertuples(index=False)):
        key = (str(row.area_code), row.indicator)
        item = merged.setdefault(
            key,
            {
                "area_code": key[0],
                "area_name": str(row.area_name),
                "indicator": row.indicator,
                "reasons": [],
                "target_groups": [],
                "severity": None,
            },
        )
        if levels[position] is not None and not pd.isna(levels[position]):
            item["severity"] = max(item["severity"] or 0, int(levels[position]))
        if _present(row.reason) and str(row.reason) not in item["reasons"]:
            item["reasons"].append(str(row.reason))
        item["target_groups"] += [g for g in groups[position] if g not in item["target_groups"]]
    rows = [
        {
            "area_code": i["area_code"],
            "area_name": i["area_name"],
            "indicator": i["indicator"],
            "reason": "; ".join(i["reasons"]) or None,
            "target_groups": i["target_groups"],
            "severity": i["severity"],
        }
        for i in merged.values()
    ]
    return _frame(rows, [*FLAG_COLUMNS, "target_groups", "severity"])


def _chapter_rank(policy: Policy) -> dict[str, int]:
    return {c: i for i, c in enumerate(policy.chapters)}


RECOMMENDATION_COLUMNS = [
    "area_code",
    "area_name",
    "indicator",
    "indicator_title",
    "chapter",
    "reason",
    "kind",
    "strategy",
    "strategy_title",
    "measure",
    "measure_title",
    "direction",
    "status",
    "lead_office",
    "beispiel",
    "text",
]


def addressing_measures(policy: Policy, indicator: str, year: int) -> list[tuple[str, dict]]:
    """Measures that address an indicator in ``year``: they list it, exist, and are not suspended."""
    return [
        (mid, m)
        for mid, m in _ordered_measures(policy)
        if any(link["id"] == indicator for link in m["indicators"])
        and measure_exists(m, year)
        and status_in_year(m, year) != "ausgesetzt"
    ]


def recommendations(policy: Policy, flags: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per flag and linked measure, or one gap row (``kind == 'luecke'``) per flag.

    ``kind`` is ``'massnahme'`` or ``'luecke'``; ``text`` is a German sentence (raw text: escape
    it before putting it into Markdown, as the *_markdown functions do).
    """
    flags = _check_flags(policy, flags)
    rank = _chapter_rank(policy)
    rows = []
    for flag in flags.itertuples(index=False):
        indicator = indicator_info(policy, flag.indicator)
        base = {
            "area_code": flag.area_code,
            "area_name": flag.area_name,
            "indicator": flag.indicator,
            "indicator_title": indicator["title"],
            "chapter": indicator["chapter"],
            "reason": flag.reason,
        }
        linked = list(
            {
                mid: (mid, m)
                for component in indicator["components"]
                for mid, m in addressing_measures(policy, component, year)
            }.values()
        )
        if not linked:
            rows.append(
                {
                    **base,
                    "kind": "luecke",
                    "strategy": None,
                    "strategy_title": None,
                    "measure": None,
                    "measure_title": None,
                    "direction": None,
                    "status": None,
                    "lead_office": None,
                    "beispiel": False,
                    "text": f"{indicator['title']} in {flag.area_name}: {GAP}.",
                }
            )
            continue
        for measure_id, measure in linked:
            strategy = policy.strategies[measure["strategy"]]
            direction = next(
                link["direction"] for link in measure["indicators"] if link["id"] in indicator["components"]
            )
            status = status_in_year(measure, year) or NO_STATUS
            rows.append(
                {
                    **base,
                    "kind": "massnahme",
                    "strategy": measure["strategy"],
                    "strategy_title": strategy["title"],
                    "measure": measure_id,
                    "measure_title": measure["title"],
                    "direction": direction,
                    "status": status,
                    "lead_office": measure["lead_office"],
                    "beispiel": bool(measure["beispiel"] or strategy["beispiel"]),
                    "text": (
                        f"{indicator['title']} in {flag.area_name}: Maßnahme „{measure['title']}“ "
                        f"(Handlungsstrategie „{strategy['title']}“, Stand {year}: {status}) "
                        f"soll den Wert {direction}."
                    ),
                }
            )
    frame = _frame(rows, RECOMMENDATION_COLUMNS)
    if frame.empty:
        return frame
    frame["_rank"] = frame["chapter"].map(rank)
    frame = frame.sort_values(["_rank", "indicator", "area_code"], kind="stable").drop(columns="_rank")
    return frame.reset_index(drop=True)


GAP_COLUMNS = ["indicator", "indicator_title", "chapter", "areas", "area_names", "n_areas"]


def gaps(policy: Policy, flags: pd.DataFrame, year: int) -> pd.DataFrame:
    """Flagged indicators that no measure addresses, with the Ortsteile concerned."""
    recs = recommendations(policy, flags, year)
    recs = recs[recs["kind"] == "luecke"]
    rows = []
    for indicator, part in recs.groupby("indicator", sort=False):
        info = indicator_info(policy, indicator)
        rows.append(
            {
                "indicator": indicator,
                "indicator_title": info["title"],
                "chapter": info["chapter"],
                "areas": list(part["area_code"]),
                "area_names": list(part["area_name"]),
                "n_areas": len(part),
            }
        )
    return _frame(rows, GAP_COLUMNS)


# --- participation -------------------------------------------------------------------------


def affected_target_groups(policy: Policy, indicator: str) -> list[str]:
    """Target groups whose ``indicators`` list the indicator; ``alle_einwohner`` if none does.

    For a composite (the early-warning index): the groups of any of its components.
    """
    components = indicator_info(policy, indicator)["components"]
    groups = [gid for gid, g in policy.target_groups.items() if set(components) & set(g["indicators"])]
    if groups:
        return groups
    return [ALL_RESIDENTS] if ALL_RESIDENTS in policy.target_groups else []


PROPOSAL_COLUMNS = [
    "area_code",
    "area_name",
    "severity",
    "target_group",
    "target_group_label",
    "indicators",
    "indicator_titles",
    "chapters",
    "rank",
    "instrument",
    "instrument_title",
    "fits_theme",
    "effort",
    "beispiel",
]
# the stronger the signal, the more intensive the format comes first
EFFORT_ORDER = {3: ["hoch", "mittel", "gering"], 2: ["mittel", "gering", "hoch"], 1: ["gering", "mittel", "hoch"]}


def _effort_rank(severity: int | None, effort: str | None) -> int:
    if severity is None:
        return 0  # no severity given: file order
    order = EFFORT_ORDER[severity]
    return order.index(effort) if effort in order else 1


def participation_proposals(policy: Policy, flags: pd.DataFrame, per_group: int = 3) -> pd.DataFrame:
    """Instruments per flagged Ortsteil and affected target group (rule in the module docstring).

    A pair for which the catalogue has no instrument gets one row with ``instrument`` None.
    """
    flags = _check_flags(policy, flags)
    rank = _chapter_rank(policy)
    pairs: dict[tuple[str, str, str], dict] = {}
    urgency: dict[str, tuple[int, int]] = {}  # per Ortsteil: highest severity, flagged indicators
    for flag in flags.itertuples(index=False):
        severity = None if pd.isna(flag.severity) else int(flag.severity)
        highest, count = urgency.get(flag.area_code, (0, 0))
        urgency[flag.area_code] = (max(highest, severity or 0), count + 1)
        groups = flag.target_groups or affected_target_groups(policy, flag.indicator)
        for group in groups:
            key = (flag.area_code, flag.area_name, group)
            pair = pairs.setdefault(key, {"indicators": [], "chapters": [], "severity": None})
            if severity is not None:
                pair["severity"] = max(pair["severity"] or 0, severity)
            if flag.indicator not in pair["indicators"]:
                pair["indicators"].append(flag.indicator)
            for component in indicator_info(policy, flag.indicator)["components"]:
                chapter = policy.indicators[component]["chapter"]
                if chapter not in pair["chapters"]:
                    pair["chapters"].append(chapter)
    group_order = {g: i for i, g in enumerate(policy.target_groups)}
    rows = []

    def order(item):
        (code, _, group), pair = item
        highest, count = urgency[code]
        return -highest, -count, code, -(pair["severity"] or 0), group_order[group]

    for (code, name, group), pair in sorted(pairs.items(), key=order):
        chapters = sorted(pair["chapters"], key=rank.get)
        base = {
            "area_code": code,
            "area_name": name,
            "severity": pair["severity"],
            "target_group": group,
            "target_group_label": policy.target_groups[group]["label"],
            "indicators": pair["indicators"],
            "indicator_titles": [indicator_info(policy, i)["title"] for i in pair["indicators"]],
            "chapters": chapters,
        }
        fitting = []
        for instrument_id, instrument in policy.instruments.items():
            if group not in instrument["target_groups"]:
                continue
            fits_theme = not instrument["chapters"] or bool(set(instrument["chapters"]) & set(chapters))
            fitting.append(
                (
                    0 if fits_theme else 1,
                    _effort_rank(pair["severity"], instrument["effort"]),
                    instrument["index"],
                    instrument_id,
                    instrument,
                    fits_theme,
                )
            )
        fitting.sort(key=lambda t: t[:3])
        if not fitting:
            rows.append(
                {
                    **base,
                    "rank": None,
                    "instrument": None,
                    "instrument_title": None,
                    "fits_theme": False,
                    "effort": None,
                    "beispiel": False,
                }
            )
        for position, (_, _, _, instrument_id, instrument, fits_theme) in enumerate(fitting[:per_group], start=1):
            rows.append(
                {
                    **base,
                    "rank": position,
                    "instrument": instrument_id,
                    "instrument_title": instrument["title"],
                    "fits_theme": fits_theme,
                    "effort": instrument["effort"],
                    "beispiel": bool(instrument["beispiel"]),
                }
            )
    return _frame(rows, PROPOSAL_COLUMNS)


# --- Markdown rendering --------------------------------------------------------------------

_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_markdown(text) -> str:
    """Text from a YAML file as literal Markdown/MyST text: nothing in it can format or execute.

    Whitespace (newlines included) collapses to single spaces, so no line of it starts a block
    (heading, list, quote, table, directive), and every ASCII punctuation character is
    backslash-escaped, which CommonMark and MyST render as the character itself: HTML tags,
    entities, emphasis, links, roles, substitutions, math and table pipes stay plain text.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    value = " ".join(_CONTROL.sub(" ", str(text)).split())
    return "".join("\\" + char if char in _ASCII_PUNCTUATION else char for char in value)


def md_link(label, url) -> str:
    """``[label](url)`` for a valid http(s) URL, else the escaped label alone."""
    if not valid_url(url):
        return escape_markdown(label)
    target = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{escape_markdown(label)}]({target})"


def beispiel_prefix(beispiel) -> str:
    """The visible example marker (generated here, never taken from the YAML text)."""
    return BEISPIEL_MARKER + " " if bool(beispiel) else ""


def _cell(value, sep: str = ", ") -> str:
    """One escaped table cell or list of values ("nicht angegeben" for None, "–" for an empty list)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return NOT_GIVEN
    if isinstance(value, (list, tuple)):
        return escape_markdown(sep.join(str(v) for v in value)) if value else "–"
    return escape_markdown(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table from already escaped cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _year(value) -> str:
    return NOT_GIVEN if value is None or (isinstance(value, float) and pd.isna(value)) else str(int(value))


def plans_markdown(policy: Policy, chapter: str | None, year: int) -> str:
    """The plans a chapter names (all plans for ``chapter=None``), with the renewal flag."""
    plans = plans_for_chapter(policy, chapter, year)
    if plans.empty:
        return "Im Plankatalog ist kein Plan oder Konzept zu den Indikatoren dieses Kapitels erfasst."
    rows = []
    for plan in plans.to_dict("records"):
        renewal_text = (
            f"**Fortschreibung fällig** \\({escape_markdown(plan['renewal_note'])}\\)"
            if plan["renewal_due"]
            else escape_markdown(plan["renewal_note"])
        )
        if chapter is None:
            concerns = _cell([policy.chapters[c] for c in plan["chapters"]])
        elif plan["indicators"]:
            concerns = _cell([policy.indicators[i]["short"] for i in plan["indicators"]])
        else:
            concerns = "Themen: " + _cell(plan["themes"])
        rows.append(
            [
                md_link(plan["title"], plan["link"]),
                escape_markdown(plan["kind"]),
                _cell(plan["responsible_office"]),
                _year(plan["adopted"]),
                escape_markdown(plan["period"]),
                concerns,
                renewal_text,
            ]
        )
    header = [
        "Plan / Konzept",
        "Art",
        "Federführung",
        "Beschluss",
        "Geltung",
        "Bezug" if chapter else "Kapitel",
        f"Stand {year}",
    ]
    due = int(plans["renewal_due"].sum())
    lead = (
        f"{grammar.upper_first(grammar.count(len(plans), 'Plan'))} oder Konzept der Stadt betrifft "
        if len(plans) <= 1
        else f"{fmt.number(len(plans))} Pläne und Konzepte der Stadt betreffen "
    )
    lead += "die Indikatoren dieses Kapitels" if chapter else "die Themen dieses Berichts"
    lead += (
        f"; bei {'einem' if due == 1 else fmt.number(due)} davon ist die Geltungsdauer zum {fmt.year_end(year)} abgelaufen."
        if due
        else "."
    )
    note = "Nicht bekannte Angaben bleiben leer („nicht angegeben“)."
    return f"{lead} {note}\n\n{_table(header, rows)}"


def _measure_item(policy: Policy, row: dict, year: int) -> str:
    status = row["status"] if _present(row["status"]) else NO_STATUS
    parts = [f"- {beispiel_prefix(row['beispiel'])}**{escape_markdown(row['title'])}**"]
    details = [f"Federführung: {escape_markdown(row['lead_office'])}"]
    if _present(row["co_offices"]):
        details.append(f"mit: {_cell(row['co_offices'])}")
    details.append(f"Frist: {escape_markdown(row['horizon_label'])}, Beginn {row['start_year']}")
    since = [f"seit {row['status_year']}"] if _present(row["status_year"]) and row["status_year"] != year else []
    if _present(row["status_note"]):
        since.append(escape_markdown(row["status_note"]))
    details.append(f"Stand {year}: {escape_markdown(status)}" + (f" ({'; '.join(since)})" if since else ""))
    if row["overdue"]:
        details.append(f"**überfällig** (Frist bis {row['due_year']})")
    details.append(f"Zielgruppen: {_cell(row['target_group_labels'])}")
    details.append(f"Wirkung auf: {_cell(row['indicator_texts'])}")
    if _present(row["plan_titles"]):
        details.append(f"Pläne: {_cell(row['plan_titles'])}")
    if _present(row["description"]):
        parts.append(f" – {escape_markdown(row['description'])}")
    return "".join(parts) + "  \n  " + "; ".join(details) + "."


def measures_markdown(policy: Policy, chapter: str | None, year: int) -> str:
    """Strategies and their measures for a chapter (the whole register for ``chapter=None``)."""
    measures = measures_for_chapter(policy, chapter, year)
    if measures.empty:
        return "Im Maßnahmenregister ist für dieses Kapitel keine Maßnahme erfasst."
    strategies = strategies_for_chapter(policy, chapter, year)
    blocks = []
    if measures["beispiel"].any():
        blocks.append(BEISPIEL_NOTICE)
    for strategy in strategies.to_dict("records"):
        own = measures[measures["strategy"] == strategy["strategy"]].to_dict("records")
        if not own:
            continue
        head = (
            f"{beispiel_prefix(strategy['beispiel'])}**Handlungsstrategie: {escape_markdown(strategy['title'])}**"
            f"  \nFederführung: {escape_markdown(strategy['lead_office'])}; beteiligt: "
            f"{_cell([o for o in strategy['offices'] if o != strategy['lead_office']])}."
        )
        if _present(strategy["description"]):
            head += f"  \n{escape_markdown(strategy['description'])}"
        blocks.append(head + "\n\n" + "\n".join(_measure_item(policy, row, year) for row in own))
    return "\n\n".join(blocks)


def register_markdown(policy: Policy, year: int) -> str:
    """The chapter "Handlungsstrategien und Maßnahmen": overview table, then the full register."""
    strategies = strategies_for_chapter(policy, None, year)
    measures = measures_for_chapter(policy, None, year)
    rows = []
    for strategy in strategies.to_dict("records"):
        own = measures[measures["strategy"] == strategy["strategy"]]
        counts = own["status"].fillna(NO_STATUS).value_counts()
        rows.append(
            [
                beispiel_prefix(strategy["beispiel"]) + escape_markdown(strategy["title"]),
                escape_markdown(strategy["lead_office"]),
                fmt.number(len(own)),
                ", ".join(
                    f"{escape_markdown(s)}: {fmt.number(int(counts[s]))}" for s in (*STATUSES, NO_STATUS) if s in counts
                )
                or "–",
            ]
        )
    lead = (
        f"Das Register umfasst {grammar.count(len(strategies), 'Handlungsstrategie', 'akk', 'ämterübergreifend')} mit "
        f"{grammar.count(len(measures), 'Maßnahme', 'dat')} (Stand {fmt.year_end(year)})."
    )
    # four columns: the chapters of each strategy are listed with its measures below (fits the PDF page)
    table = _table(["Handlungsstrategie", "Federführung", "Anzahl", f"Stand {year}"], rows)
    return "\n\n".join([lead, table, measures_markdown(policy, None, year)])


def tracking_markdown(policy: Policy, year: int) -> str:
    """Implementation tracking: status changes since ``year - 1`` and overdue measures."""
    changes = status_changes(policy, year)
    late = overdue(policy, year)
    blocks = [f"**Veränderungen gegenüber {year - 1}**"]
    if changes.empty:
        blocks.append(f"Seit {year - 1} hat keine Maßnahme ihren Umsetzungsstand geändert.")
    else:
        blocks.append(
            _table(
                ["Maßnahme", "Handlungsstrategie", f"Stand {year - 1}", f"Stand {year}", "Anmerkung"],
                [
                    [
                        beispiel_prefix(r["beispiel"]) + escape_markdown(r["title"]),
                        escape_markdown(r["strategy_title"]),
                        escape_markdown(r["status_before"] if _present(r["status_before"]) else "neu im Register"),
                        escape_markdown(r["status_now"]),
                        _cell(r["note"]) if _present(r["note"]) else "–",
                    ]
                    for r in changes.to_dict("records")
                ],
            )
        )
    blocks.append(f"**Überfällige Maßnahmen {year}**")
    if late.empty:
        blocks.append("Keine Maßnahme hat ihre Frist überschritten.")
    else:
        blocks.append(
            f"{grammar.upper_first(grammar.count(len(late), 'Maßnahme'))} {grammar.verb(len(late), 'ist', 'sind')} "
            "nach ihrer Frist noch nicht umgesetzt "
            "(kurzfristig: 1 Jahr, mittelfristig: 3 Jahre nach Beginn)."
        )
        blocks.append(
            _table(
                ["Maßnahme", "Federführung", "Frist", "Beginn", "Frist bis", "Stand"],
                [
                    [
                        beispiel_prefix(r["beispiel"]) + escape_markdown(r["title"]),
                        escape_markdown(r["lead_office"]),
                        escape_markdown(r["horizon"]),
                        str(r["start_year"]),
                        str(r["due_year"]),
                        escape_markdown(r["status"]),
                    ]
                    for r in late.to_dict("records")
                ],
            )
        )
    return "\n\n".join(blocks)


def recommendations_markdown(policy: Policy, flags: pd.DataFrame, year: int, chapter: str | None = None) -> str:
    """Rule-derived recommendations for the flags of a chapter (all chapters for ``None``).

    Per flagged indicator: the Ortsteile, then the linked measures with their strategy, or the gap.
    """
    _check_chapter(policy, chapter)
    recs = recommendations(policy, flags, year)
    if chapter is not None:
        recs = recs[recs["chapter"] == chapter]
    if recs.empty:
        return "Das Frühwarnsystem markiert in diesem Kapitel keinen Indikator."
    blocks = []
    if recs["beispiel"].any():
        blocks.append(BEISPIEL_NOTICE)
    for indicator, part in recs.groupby("indicator", sort=False):
        areas = list(dict.fromkeys(part["area_name"]))
        title = indicator_info(policy, indicator)["title"]
        head = (
            f"**{escape_markdown(title)}** – auffällig in {grammar.count(len(areas), 'Ortsteil', 'dat')}: "
            f"{escape_markdown(fmt.join_names(areas))}."
        )
        measures = part[part["kind"] == "massnahme"].drop_duplicates("measure")
        if measures.empty:
            blocks.append(
                f"{head}  \n**{GAP}.** Im Register ist keine laufende Maßnahme mit diesem Indikator verknüpft."
            )
            continue
        items = [
            f"- {beispiel_prefix(r['beispiel'])}{escape_markdown(r['measure_title'])} "
            f"(Handlungsstrategie: {escape_markdown(r['strategy_title'])}; Federführung: "
            f"{escape_markdown(r['lead_office'])}; Ziel: {escape_markdown(r['direction'])}; "
            f"Stand {year}: {escape_markdown(r['status'])})"
            for r in measures.to_dict("records")
        ]
        blocks.append(f"{head} Verknüpfte Maßnahmen:\n\n" + "\n".join(items))
    return "\n\n".join(blocks)


def gaps_markdown(policy: Policy, flags: pd.DataFrame, year: int) -> str:
    """The section "Handlungsbedarf ohne Maßnahme"."""
    found = gaps(policy, flags, year)
    if found.empty:
        return "Jeder vom Frühwarnsystem markierte Indikator ist mit mindestens einer Maßnahme verknüpft."
    lead = (
        f"Für {grammar.count(len(found), 'Indikator', 'akk', 'markiert')} ist im Register keine laufende Maßnahme "
        f"erfasst ({GAP})."
    )
    rows = [
        [
            escape_markdown(r["indicator_title"]),
            escape_markdown(policy.chapters[r["chapter"]]),
            fmt.number(r["n_areas"]),
            escape_markdown(fmt.join_names(r["area_names"])),
        ]
        for r in found.to_dict("records")
    ]
    return lead + "\n\n" + _table(["Indikator", "Kapitel", "Ortsteile", "Betroffene Ortsteile"], rows)


def instruments_markdown(policy: Policy) -> str:
    """The catalogue of participation instruments."""
    rows = [
        [
            beispiel_prefix(i["beispiel"]) + escape_markdown(i["title"]),
            _cell(i["description"]),
            _cell([policy.target_groups[g]["label"] for g in i["target_groups"]]),
            _cell(i["situations"], sep="; "),
            _cell(i["effort"]),
        ]
        for i in policy.instruments.values()
    ]
    notice = BEISPIEL_NOTICE + "\n\n" if any(i["beispiel"] for i in policy.instruments.values()) else ""
    return notice + _table(["Instrument", "Beschreibung", "Zielgruppen", "Geeignet für", "Aufwand"], rows)


def participation_markdown(policy: Policy, flags: pd.DataFrame, per_group: int = 3, chapter: str | None = None) -> str:
    """Proposals per flagged Ortsteil and target group (for one chapter's flags, or all)."""
    _check_chapter(policy, chapter)
    checked = _check_flags(policy, flags)
    if chapter is not None:
        checked = checked[checked["indicator"].map(lambda i: indicator_info(policy, i)["chapter"]) == chapter]
    proposals = participation_proposals(policy, checked, per_group=per_group)
    if proposals.empty:
        return "Kein Ortsteil ist vom Frühwarnsystem markiert; es gibt keine Beteiligungsvorschläge."
    areas = proposals.drop_duplicates("area_code")
    rows = []
    for (_code, _group), part in proposals.groupby(["area_code", "target_group"], sort=False):
        first = part.iloc[0]
        instruments = [
            beispiel_prefix(r["beispiel"]) + escape_markdown(r["instrument_title"])
            for r in part.to_dict("records")
            if r["instrument"] is not None
        ]
        severity = first["severity"]
        rows.append(
            [
                escape_markdown(first["area_name"]),
                SEVERITY_LABELS[int(severity)] if not pd.isna(severity) else fmt.DASH,
                escape_markdown(first["target_group_label"]),
                _cell(first["indicator_titles"]),
                "; ".join(instruments) if instruments else "kein passendes Instrument im Katalog",
            ]
        )
    if len(areas) == 1:
        lead = (
            f"Vorschläge für einen markierten Ortsteil: je betroffene Zielgruppe bis zu "
            f"{fmt.number(per_group)} passende Beteiligungsinstrumente."
        )
    else:
        lead = (
            f"Vorschläge für {grammar.count(len(areas), 'Ortsteil', 'akk', 'markiert')}: je betroffene Zielgruppe bis zu "
            f"{fmt.number(per_group)} passende Beteiligungsinstrumente. Die Ortsteile sind nach Dringlichkeit "
            "geordnet: höchste Stufe ihrer Markierungen (Alarm vor Warnung vor Hinweis), dann Zahl der "
            "markierten Kennzahlen."
        )
    lead += (
        " Unter den für die Zielgruppe und das Thema geeigneten Formaten kommen bei Alarm die aufwendigeren "
        "zuerst, bei Hinweis die leichteren."
    )
    notice = BEISPIEL_NOTICE + "\n\n" if proposals["beispiel"].any() else ""
    return (
        notice
        + lead
        + "\n\n"
        + _table(["Ortsteil", "Stufe", "Zielgruppe", "Auffällige Indikatoren", "Vorschläge"], rows)
    )


def participation_summary(policy: Policy, flags: pd.DataFrame, per_group: int = 3) -> pd.DataFrame:
    """For the chapter "Beteiligung": per instrument, how often and where it is proposed.

    Columns: instrument, instrument_title, n_areas, area_names, target_group_labels, beispiel.
    """
    proposals = participation_proposals(policy, flags, per_group=per_group)
    proposals = proposals[proposals["instrument"].notna()]
    rows = []
    for instrument_id, instrument in policy.instruments.items():
        part = proposals[proposals["instrument"] == instrument_id]
        if part.empty:
            continue
        rows.append(
            {
                "instrument": instrument_id,
                "instrument_title": instrument["title"],
                "n_areas": part["area_code"].nunique(),
                "area_names": list(dict.fromkeys(part["area_name"])),
                "target_group_labels": list(dict.fromkeys(part["target_group_label"])),
                "beispiel": bool(instrument["beispiel"]),
            }
        )
    frame = _frame(rows, ["instrument", "instrument_title", "n_areas", "area_names", "target_group_labels", "beispiel"])
    return frame.sort_values("n_areas", ascending=False, kind="stable").reset_index(drop=True)


def participation_summary_markdown(policy: Policy, flags: pd.DataFrame, per_group: int = 3) -> str:
    """The summary table of the chapter "Beteiligung"."""
    summary = participation_summary(policy, flags, per_group=per_group)
    if summary.empty:
        return "Kein Ortsteil ist vom Frühwarnsystem markiert; es gibt keine Beteiligungsvorschläge."
    rows = [
        [
            beispiel_prefix(r["beispiel"]) + escape_markdown(r["instrument_title"]),
            fmt.number(r["n_areas"]),
            _cell(r["target_group_labels"]),
            escape_markdown(fmt.join_names(r["area_names"])),
        ]
        for r in summary.to_dict("records")
    ]
    notice = BEISPIEL_NOTICE + "\n\n" if summary["beispiel"].any() else ""
    return notice + _table(["Instrument", "Ortsteile", "Zielgruppen", "Vorgeschlagen für"], rows)


def chapter_markdown(policy: Policy, chapter: str, year: int, flags: pd.DataFrame | None = None) -> str:
    """Everything a chapter shows: plans, strategies and measures, and (with flags) recommendations."""
    _check_chapter(policy, chapter)
    parts = [
        "**Pläne und Konzepte der Stadt**",
        plans_markdown(policy, chapter, year),
        "**Handlungsstrategien und Maßnahmen**",
        measures_markdown(policy, chapter, year),
    ]
    if flags is not None:
        parts += ["**Empfehlungen aus dem Frühwarnsystem**", recommendations_markdown(policy, flags, year, chapter)]
    return "\n\n".join(parts)
