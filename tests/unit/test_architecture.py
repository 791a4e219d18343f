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


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_too_long_to_read(path):
    relative = path.relative_to(PACKAGE).as_posix()
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{relative} has {lines} lines (at most {MAX_LINES}): split it by job"


SCRIPTS = MODULES + sorted((PACKAGE.parents[1] / "tools").glob("*.py"))
ENVIRON_WRITES = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"}


def notebook_code(path: Path) -> str:
    import json

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def environment_writes(tree: ast.AST) -> list[int]:
    """Lines that change the process environment (os.environ[...] = ..., os.environ.update(), os.putenv())."""

    def is_environ(node) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "environ"

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            lines += [node.lineno for t in targets if isinstance(t, ast.Subscript) and is_environ(t.value)]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            changes = node.func.attr in ENVIRON_WRITES and is_environ(node.func.value)
            lines += [node.lineno] if changes or node.func.attr in ("putenv", "unsetenv") else []
    return lines


@pytest.mark.parametrize(
    "path",
    SCRIPTS + sorted((PACKAGE.parents[1] / "notebooks").glob("*.ipynb")),
    ids=lambda p: p.name,
)
def test_no_code_writes_the_environment(path):
    """Settings travel as arguments and notebook parameters, never through os.environ."""
    source = notebook_code(path) if path.suffix == ".ipynb" else path.read_text()
    assert not environment_writes(ast.parse(source)), f"{path} writes os.environ"


def environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read a SOZIALBERICHT_* variable (or a variable whose name is not written out)."""

    def project_key(node) -> bool:
        return not (isinstance(node, ast.Constant) and not str(node.value).startswith("SOZIALBERICHT_"))

    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "environ":
            lines += [node.lineno] if project_key(node.slice) else []
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            reads = node.func.attr == "getenv" or (
                node.func.attr == "get"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "environ"
            )
            lines += [node.lineno] if reads and project_key(node.args[0]) else []
    return lines


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_settings_reads_the_project_environment_variables(path):
    """The SOZIALBERICHT_* variables are the fallback of the settings object, read in settings.py only."""
    if path.relative_to(PACKAGE).as_posix() == "settings.py":
        return
    lines = environment_reads(ast.parse(path.read_text()))
    assert not lines, f"{path.name} reads the environment on lines {lines}: take the value from a Settings object"


def test_the_environment_checks_find_reads_and_writes():
    code = 'import os\na = os.environ.get("SOZIALBERICHT_DATA")\nb = os.getenv(name)\nos.environ["X"] = "1"\n'
    tree = ast.parse(code)
    assert environment_reads(tree) == [2, 3] and environment_writes(tree) == [4]
    assert not environment_reads(ast.parse('import os\nos.environ.get("XDG_CACHE_HOME")'))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_keeps_mutable_state_in_globals(path):
    """A `global` statement means state that outlives a call; only the kernel's start record may."""
    if path.relative_to(PACKAGE).as_posix() == "build/kernel.py":  # records the kernel's start, once per kernel
        return
    lines = [node.lineno for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Global)]
    assert not lines, f"{path.name}: `global` on lines {lines}; pass the value as an argument instead"
