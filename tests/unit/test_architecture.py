"""The package's layers import only downwards: data -> analysis -> policy -> report -> build -> cli."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "sozialbericht"
GROUND = {"settings", "errors", "fmt", "grammar", "style"}
LAYERS = {"data": 1, "analysis": 2, "policy": 3, "report": 4, "build": 5, "cli": 6, "__main__": 6}
MAX_LINES = 520


def layer_of(module: str) -> int:
    top = module.split(".")[0]
    if top in GROUND:
        return 0
    if top not in LAYERS:
        raise AssertionError(f"module {module} belongs to no layer: add it to a subpackage or the ground floor")
    return LAYERS[top]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sozialbericht"):
            base = node.module.removeprefix("sozialbericht").lstrip(".")
            for alias in node.names:
                found.append((node.lineno, f"{base}.{alias.name}" if base else alias.name))
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}:{node.lineno}: relative import; use sozialbericht.<layer>.<module>")
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name.removeprefix("sozialbericht."))
                for a in node.names
                if a.name.startswith("sozialbericht.")
            ]
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_from_the_same_or_a_lower_layer(path):
    own = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    if own == "__init__":
        return
    own_layer = layer_of(own)
    upward = [f"line {line}: {target}" for line, target in imported_modules(path) if layer_of(target) > own_layer]
    assert not upward, f"{own} (layer {own_layer}) imports from a higher layer: {upward}"


def test_every_subpackage_says_what_it_may_import():
    for sub in LAYERS:
        init = PACKAGE / sub / "__init__.py"
        if init.parent.is_dir():
            assert "May import" in (ast.get_docstring(ast.parse(init.read_text())) or ""), init
