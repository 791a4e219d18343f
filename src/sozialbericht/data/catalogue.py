"""One validation layer for the YAML catalogues the administration edits under ``data/``.

Each catalogue is described by a pydantic model. :func:`load_catalogue` reads the file, validates it and
reports *all* problems at once in one :class:`~sozialbericht.errors.CatalogueError`, each as
``<file>: <entry id> (Eintrag N): Feld '<field>': <what is wrong>`` in German. :func:`json_schema` exports
the model as a JSON Schema; ``schemas/`` holds one per file and each YAML file names its schema in the
first line (``# yaml-language-server: $schema=...``), so an editor checks while the planner types.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from sozialbericht.errors import CatalogueError
from sozialbericht.settings import load_yaml

Model = TypeVar("Model", bound=BaseModel)

MAX_TITLE = 200
MAX_TEXT = 2000

# pydantic's error types in German; the English message is kept where a type is not listed
_GERMAN = {
    "missing": "fehlt (Pflichtfeld)",
    "extra_forbidden": "ist kein bekanntes Feld (Tippfehler?)",
    "string_type": "muss Text sein",
    "int_type": "muss eine ganze Zahl sein",
    "int_parsing": "muss eine ganze Zahl sein",
    "float_type": "muss eine Zahl sein",
    "float_parsing": "muss eine Zahl sein",
    "bool_type": "muss true oder false sein",
    "bool_parsing": "muss true oder false sein",
    "list_type": "muss eine Liste sein",
    "dict_type": "muss ein Abschnitt mit Feldern sein",
    "model_type": "muss ein Abschnitt mit Feldern sein",
    "string_too_long": "ist zu lang",
    "string_too_short": "darf nicht leer sein",
    "too_short": "darf nicht leer sein",
    "literal_error": "hat einen unbekannten Wert",
    "string_pattern_mismatch": "hat nicht das verlangte Format",
    "greater_than_equal": "ist zu klein",
    "less_than_equal": "ist zu groß",
}


class Entry(BaseModel):
    """Base of every catalogue model: unknown fields are errors, text is stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _describe(error: dict[str, Any], data: Any, file_name: str) -> str:
    location = list(error["loc"])
    entry = ""
    # walk the location to name the entry by its id where it has one
    node, path = data, []
    for part in location:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node) and isinstance(node[part], dict)
        ):
            item = node[part]
            ident = item.get("id")
            entry = f"{ident} (Eintrag {part + 1})" if ident else f"Eintrag {part + 1}"
            node = item
            path = []
            continue
        else:
            node = None
        path.append(str(part))
    message = _GERMAN.get(error["type"], error["msg"])
    context = error.get("ctx") or {}
    if error["type"] == "literal_error":
        message = f"unbekannter Wert {error.get('input')!r} (erlaubt: {context.get('expected', '')})".replace(
            " or ", " oder "
        )
    elif error["type"] == "string_too_long":
        message = f"ist zu lang (höchstens {context.get('max_length')} Zeichen)"
    elif error["type"] == "string_pattern_mismatch":
        message = f"{error.get('input')!r} hat nicht das verlangte Format (Muster {context.get('pattern')})"
    elif error["type"] in {"greater_than_equal", "less_than_equal"}:
        bound = context.get("ge", context.get("le"))
        message = f"{message} (Grenze {bound}, angegeben {error.get('input')!r})"
    elif error["type"] == "value_error":
        message = error["msg"].removeprefix("Value error, ")
    elif error["type"] == "url_scheme":
        message = f"{error.get('input')!r} ist keine Adresse mit http:// oder https://"
    field = ".".join(path) or "(Eintrag)"
    where = f"{entry}: " if entry else ""
    return f"{file_name}: {where}Feld '{field}': {message}"


def validate(model: type[Model], data: Any, file_name: str) -> Model:
    """Validate parsed YAML against ``model``; every problem in one German CatalogueError."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as error:
        lines = [_describe(e, data, file_name) for e in error.errors()]
        raise CatalogueError(f"{file_name} ist ungültig ({len(lines)} Fehler):\n  " + "\n  ".join(lines)) from None


def load_catalogue(model: type[Model], path: Path) -> Model:
    """Read and validate a catalogue file; a YAML syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{path.name}: kann nicht gelesen werden ({error})") from None
    try:
        data = load_yaml(text)
    except Exception as error:  # yaml.YAMLError and its C twin
        raise CatalogueError(f"{path.name}: kein gültiges YAML ({error})") from None
    return validate(model, data, path.name)


def json_schema(model: type[BaseModel], title: str) -> str:
    """The model as a JSON Schema document (stable key order, for the committed files in ``schemas/``)."""
    schema = model.model_json_schema()
    schema["title"] = title
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
