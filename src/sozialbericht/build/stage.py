"""Jupyter Book's source folder for one edition (staged, kept between builds) and its compilation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from sozialbericht import settings as config
from sozialbericht.build.common import BuildError, log, sync_file, sync_tree
from sozialbericht.report.dates import edition_dates


def stage(year: int, edition_dir: Path, stage_dir: Path) -> Path:
    """A self-contained Jupyter Book source folder for one edition, kept between builds.

    Files are synced, not rewritten: unchanged pages keep their modification time, so Jupyter
    Book (Sphinx) rebuilds only what changed. The built site is copied out when published.
    """
    from sozialbericht.report import charts

    sources: set[Path] = set()
    book_config = config.load_yaml((config.ROOT / "_config.yml").read_text(encoding="utf-8"))
    book_config["title"] = f"{book_config.get('title', 'Sozialbericht Leipzig')} {year}"
    latex = book_config.setdefault("latex", {}).setdefault("latex_documents", {})
    latex["targetname"] = f"sozialbericht-{year}.tex"
    # the title page's date: the edition's Stichtag and Redaktionsschluss (data/editions.yml), not the build date
    sphinx_config = book_config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["today"] = edition_dates(year).title_line()
    rendered = yaml.safe_dump(book_config, allow_unicode=True, sort_keys=False).encode("utf-8")
    for content, name in ((rendered, "_config.yml"), (config.ROOT / "_toc.yml", "_toc.yml")):
        sync_file(content, stage_dir / name)
        sources.add(stage_dir / name)
    for page in config.BOOK_DIR.glob("*.md"):
        sync_file(page, stage_dir / "book" / page.name)
        sources.add(stage_dir / "book" / page.name)
    # not "_static": Jupyter Book adds every *.js found in a folder of that name as a classic
    # script, which loaded the Vega module and MathJax twice on every page
    static = stage_dir / "_assets"
    if (config.BOOK_DIR / "_static").is_dir():
        sources |= sync_tree(config.BOOK_DIR / "_static", static)
    static.mkdir(parents=True, exist_ok=True)
    sources.add(charts.write_vega_bundle(static))
    sources.add(_copy_mathjax(static))
    sources |= sync_tree(
        edition_dir,
        stage_dir / "book" / "edition",
        skip=lambda rel: rel.name.startswith(".") or rel.name.endswith(".running.ipynb"),
        transform=public_notebook,
    )
    # pages that left the edition must leave the book too
    for path in list(stage_dir.rglob("*")):
        if path.is_file() and "_build" not in path.relative_to(stage_dir).parts and path not in sources:
            path.unlink()
    return stage_dir


def _copy_mathjax(static: Path) -> Path:
    """MathJax from the installed django-static-mathjax package, so formulas need no CDN."""
    import importlib.util

    spec = importlib.util.find_spec("mathjax")
    script = (
        Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5" / "tex-svg.js"
        if spec and spec.submodule_search_locations
        else None
    )
    if script is None or not script.is_file():
        raise BuildError("MathJax is missing: install the project's dependencies (pip install -e .).")
    target = static / "mathjax" / "tex-svg.js"
    sync_file(script, target)
    return target


def public_notebook(relative: Path, content: bytes) -> bytes:
    """The executed notebook as researchers download it: paths relative to the project, not the build machine's.

    papermill records the parameters and its input and output paths, which are absolute for the kernels.
    """
    if relative.suffix != ".ipynb":
        return content
    root = json.dumps(str(config.ROOT) + "/")[1:-1].encode("utf-8")
    return content.replace(root, b"")


def jupyter_book(
    stage_dir: Path,
    builder: str,
    jobs: int = 2,
    strict: bool = False,
    source_date: int | None = None,
    nice: int = 0,
) -> None:
    """Jupyter Book's own command line, with Sphinx reading and writing pages on ``jobs`` processes.

    ``strict``: every warning fails the build (``-W``), unresolved references included (``-n``,
    nitpicky); ``--keep-going`` still reports all of them, not only the first. ``nice``: a lower CPU
    priority, for a build that runs next to a longer one.
    """
    command = [
        sys.executable,
        "-m",
        "sozialbericht.build.sphinx_parallel",
        "--jobs",
        str(jobs),
        "build",
        str(stage_dir),
        "--builder",
        builder,
        "--keep-going",
        *(["-W", "-n"] if strict else []),
    ]
    log(f"jupyter-book {builder}")
    started = time.perf_counter()
    # SOURCE_DATE_EPOCH: the PDF's creation date is the edition's date, so two builds give the same PDF text
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(source_date), "FORCE_SOURCE_DATE": "1"} if source_date else None
    lower = (lambda: os.nice(nice)) if nice else None
    result = subprocess.run(command, capture_output=True, text=True, env=env, preexec_fn=lower)
    log_file = stage_dir / f"jupyter-book-{builder}.log"
    log_file.write_text(result.stdout + "\n" + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise BuildError(f"jupyter-book {builder} failed (full log: {log_file}):\n{tail}")
    log(
        f"  {'website' if builder == 'html' else 'PDF'} compiled in {time.perf_counter() - started:.1f} s "
        f"(Sphinx log: {log_file})"
    )


def copy_chart_data(stage_dir: Path, html: Path) -> None:
    """Chart CSVs are linked from raw HTML, which Sphinx does not copy by itself."""
    source = stage_dir / "book" / "edition" / "daten"
    if source.is_dir():
        shutil.copytree(source, html / "book" / "edition" / "daten", dirs_exist_ok=True)
