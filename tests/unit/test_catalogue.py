"""The one validation layer: German errors with file, entry and field; schemas in the repository are current."""

import importlib.util
from pathlib import Path

import pytest

from sozialbericht.analysis.special_effects import load_special_effects
from sozialbericht.errors import CatalogueError
from sozialbericht.settings import DATA_DIR, ROOT

VALID = """effects:
  - id: ukraine_2022
    title: Zuzug
    years: [2023, 2022]
    indicators: [einwohner]
    note: Ein Satz.
    sources: ["https://example.org/a"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sondereffekte.yml"
    path.write_text(text)
    return path


def test_valid_file_reads_and_answers_by_indicator_and_year(tmp_path):
    effects = load_special_effects(write(tmp_path, VALID), {"einwohner"})
    assert effects.effects[0].years == [2022, 2023]
    assert [e.id for e in effects.for_indicator("einwohner", 2022)] == ["ukraine_2022"]
    assert effects.for_indicator("einwohner", 2021) == []
    assert effects.for_indicator("sgb2_dichte", 2022) == []
    assert [e.id for e in effects.in_window("einwohner", 2020, 2022)] == ["ukraine_2022"]
    assert effects.in_window("einwohner", 2023, 2025) == []


def test_all_errors_at_once_with_file_entry_and_field(tmp_path):
    bad = VALID.replace("years: [2023, 2022]", "years: [1800]").replace(
        'sources: ["https://example.org/a"]', 'sources: ["javascript:alert(1)"]'
    )
    bad += "    colour: red\n"
    with pytest.raises(CatalogueError) as error:
        load_special_effects(write(tmp_path, bad), {"einwohner"})
    message = str(error.value)
    assert "sondereffekte.yml ist ungültig (3 Fehler)" in message
    assert "ukraine_2022 (Eintrag 1): Feld 'years'" in message and "1800" in message
    assert "ukraine_2022 (Eintrag 1): Feld 'sources.0'" in message
    assert "Feld 'colour': ist kein bekanntes Feld" in message


def test_missing_field_and_unknown_indicator(tmp_path):
    with pytest.raises(CatalogueError, match=r"Eintrag 1\): Feld 'note': fehlt"):
        load_special_effects(write(tmp_path, VALID.replace("    note: Ein Satz.\n", "")))
    with pytest.raises(CatalogueError, match="unbekannter Indikator 'einwohner'"):
        load_special_effects(write(tmp_path, VALID), {"sgb2_dichte"})


def test_yaml_syntax_error_names_the_file(tmp_path):
    with pytest.raises(CatalogueError, match="sondereffekte.yml: kein gültiges YAML"):
        load_special_effects(write(tmp_path, "effects: [\n"))


def test_the_project_file_is_valid():
    from sozialbericht.analysis.indicators import read_catalogue

    ids = set(read_catalogue().indicators)
    effects = load_special_effects(DATA_DIR / "sondereffekte.yml", ids)
    assert {"ukraine_2022", "pandemie_2020_2021"} <= {e.id for e in effects.effects}


def test_an_event_covers_every_rate_built_on_the_same_count():
    """The child SGB-II rate counts the same children as 'Kinder im SGB II': an event that moves the one moves
    the other, so the report must name it for both."""
    from sozialbericht.analysis.indicators import read_catalogue

    indicators = read_catalogue().indicators
    effects = load_special_effects(DATA_DIR / "sondereffekte.yml", set(indicators))

    def numerator(i):
        term = indicators[i].numerator
        return (term.dataset, term.feature) if term else None

    for effect in effects.effects:
        if "alle" in effect.indicators:
            continue
        counted = {numerator(i) for i in effect.indicators} - {None}
        missing = [i for i in indicators if numerator(i) in counted and i not in effect.indicators]
        assert not missing, f"{effect.id}: {missing}"


def test_committed_json_schemas_are_current_and_referenced():
    spec = importlib.util.spec_from_file_location("export_schemas", ROOT / "tools" / "export_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path, text in module.expected().items():
        assert path.is_file() and path.read_text() == text, f"run python tools/export_schemas.py ({path.name})"
        yaml_file = DATA_DIR / path.name.replace(".schema.json", ".yml")
        assert yaml_file.read_text().startswith(f"# yaml-language-server: $schema=../schemas/{path.name}")
