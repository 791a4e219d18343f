"""Build an edition: prepare inputs once, run the chapter notebooks with papermill,
compile website and PDF with Jupyter Book in a fresh folder, then publish atomically.

A failure at any step leaves the last published ``_build/html`` and PDF untouched:
the website is a symlink switched with one rename, the PDF is replaced with one rename.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat
import yaml

from . import config
from .errors import SozialberichtError
from .indicators import read_catalogue
from .inputs import Inputs, load_inputs
from .opendata import source_from_environment

FRONT_NOTEBOOKS = ["einleitung"]
STEERING_NOTEBOOKS = ["fruehwarnsystem", "massnahmen", "beteiligung", "steckbriefe"]
BACK_NOTEBOOKS = ["daten"]
PACKAGE_DIR = Path(__file__).resolve().parent


class BuildError(SozialberichtError):
    pass


def log(message: str) -> None:
    print(f"[sozialbericht {time.strftime('%H:%M:%S')}] {message}", flush=True)


def latest_year(inputs: Inputs) -> int:
    """The latest year for which the city's population is published: the default edition."""
    rows = inputs.table[(inputs.table["dataset"] == "einwohner") & (inputs.table["feature"] == "Einwohner insgesamt")
                        & (inputs.table["level"] == "Stadt") & inputs.table["value"].notna()]
    return int(rows["year"].max())


def check_year(inputs: Inputs, year: int) -> None:
    years = inputs.years("einwohner")
    if year not in years:
        raise BuildError(f"There is no data for the year {year}: the population series covers "
                         f"{years[0]}–{years[-1]}. Choose a year in that range, e.g. make report YEAR={years[-1]}.")


def chapter_notebooks() -> list[str]:
    chapters = read_catalogue().chapters
    return FRONT_NOTEBOOKS + [c["notebook"] for c in chapters] + STEERING_NOTEBOOKS + BACK_NOTEBOOKS


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def code_digest() -> bytes:
    """Hash of the package and the project's data files: a change there re-runs notebooks."""
    files = sorted(PACKAGE_DIR.glob("*.py")) + sorted(config.DATA_DIR.glob("*.yml"))
    return _digest(*[f.read_bytes() for f in files]).encode()


def prepare(year: int | None, work_dir: Path) -> tuple[Inputs, int, Path]:
    log(f"reading the data ({source_from_environment().describe()})")
    inputs = load_inputs()
    year = year or latest_year(inputs)
    check_year(inputs, year)
    inputs_file = work_dir / "inputs.pkl"
    inputs.save(inputs_file)
    (work_dir / "manifest.json").write_text(json.dumps(inputs.manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return inputs, year, inputs_file


def _mark_hidden_cells(path: Path) -> None:
    """papermill's injected parameters cell carries no hide tag: add it."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.setdefault("tags", [])
        if ("parameters" in tags or "injected-parameters" in tags) and "remove-cell" not in tags:
            tags.append("remove-cell")
    nbformat.write(notebook, path)


def execute_notebooks(year: int, inputs_file: Path, edition_dir: Path, workers: int = 2) -> dict[str, float]:
    """Run each chapter notebook unless its notebook, parameters, inputs and code are unchanged."""
    import papermill

    edition_dir.mkdir(parents=True, exist_ok=True)
    inputs_digest = hashlib.sha256(inputs_file.read_bytes()).digest()
    code = code_digest()
    names = chapter_notebooks()
    jobs = []
    for name in names:
        template = config.NOTEBOOK_DIR / f"{name}.ipynb"
        if not template.is_file():
            raise BuildError(f"Notebook {template} is missing (listed in data/indicators.yml or build.py).")
        parameters = {"year": year, "inputs_file": str(inputs_file), "output_dir": str(edition_dir)}
        key = _digest(template.read_bytes(), json.dumps(parameters, sort_keys=True).encode(), inputs_digest, code)
        stamp = edition_dir / f".{name}.sha256"
        output = edition_dir / f"{name}.ipynb"
        if output.is_file() and stamp.is_file() and stamp.read_text() == key:
            continue
        jobs.append((name, template, output, parameters, stamp, key))
    timings: dict[str, float] = {}
    if not jobs:
        log(f"all {len(names)} notebooks unchanged, nothing to execute")
        return timings

    def run(job):
        name, template, output, parameters, stamp, key = job
        started = time.perf_counter()
        stamp.unlink(missing_ok=True)
        temporary = output.with_suffix(".running.ipynb")
        try:
            papermill.execute_notebook(str(template), str(temporary), parameters=parameters, kernel_name="python3",
                                       cwd=str(edition_dir), progress_bar=False, log_output=False)
        except papermill.PapermillExecutionError as error:
            raise BuildError(f"Notebook {template.name} failed for {year} in cell {error.cell_index}: "
                             f"{error.ename}: {error.evalue}") from None
        _mark_hidden_cells(temporary)
        os.replace(temporary, output)
        stamp.write_text(key)
        return name, time.perf_counter() - started

    log(f"executing {len(jobs)} of {len(names)} notebooks with {min(workers, len(jobs))} worker(s)")
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        for future in as_completed(futures):
            name, seconds = future.result()
            done += 1
            timings[name] = seconds
            log(f"  [{done}/{len(jobs)}] {name}: {seconds:.1f} s")
    return timings


def stage(year: int, edition_dir: Path, stage_dir: Path) -> Path:
    """A self-contained Jupyter Book source folder for one edition."""
    from . import charts

    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    (stage_dir / "book").mkdir(parents=True)
    book_config = yaml.safe_load((config.ROOT / "_config.yml").read_text(encoding="utf-8"))
    book_config["title"] = f"{book_config.get('title', 'Sozialbericht Leipzig')} {year}"
    latex = book_config.setdefault("latex", {}).setdefault("latex_documents", {})
    latex["targetname"] = f"sozialbericht-{year}.tex"
    (stage_dir / "_config.yml").write_text(yaml.safe_dump(book_config, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")
    shutil.copy2(config.ROOT / "_toc.yml", stage_dir / "_toc.yml")
    for page in config.BOOK_DIR.glob("*.md"):
        shutil.copy2(page, stage_dir / "book" / page.name)
    static = stage_dir / "_static"
    if (config.BOOK_DIR / "_static").is_dir():
        shutil.copytree(config.BOOK_DIR / "_static", static)
    charts.write_vega_bundle(static)
    shutil.copytree(edition_dir, stage_dir / "book" / "edition",
                    ignore=shutil.ignore_patterns(".*", "*.running.ipynb"))
    return stage_dir


def jupyter_book(stage_dir: Path, builder: str) -> None:
    executable = Path(sys.executable).with_name("jupyter-book")
    command = [str(executable if executable.exists() else "jupyter-book"), "build", str(stage_dir),
               "--builder", builder, "--keep-going"]
    log(f"jupyter-book {builder}")
    result = subprocess.run(command, capture_output=True, text=True)
    log_file = stage_dir / f"jupyter-book-{builder}.log"
    log_file.write_text(result.stdout + "\n" + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise BuildError(f"jupyter-book {builder} failed (full log: {log_file}):\n{tail}")


def publish_html(html_dir: Path, year: int) -> Path:
    """Switch _build/html to the new site with one atomic rename of a symlink."""
    releases = config.BUILD_DIR / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    release = releases / f"html-{year}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    shutil.move(str(html_dir), release)
    link = config.BUILD_DIR / "html"
    if link.exists() and not link.is_symlink():  # a folder from an older layout: keep it as a release
        shutil.move(str(link), releases / f"html-previous-{os.getpid()}")
    temporary = config.BUILD_DIR / f".html-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(release.relative_to(config.BUILD_DIR))
    os.replace(temporary, link)
    keep = {release.name}
    for old in sorted(releases.glob("html-*"), key=lambda p: p.stat().st_mtime, reverse=True)[2:]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    return link


def publish_pdf(pdf_file: Path, year: int) -> Path:
    target_dir = config.BUILD_DIR / "pdf"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"sozialbericht-{year}.pdf"
    temporary = target.with_suffix(f".pdf.tmp{os.getpid()}")
    shutil.copy2(pdf_file, temporary)
    os.replace(temporary, target)
    return target


def build(year: int | None = None, formats: tuple[str, ...] = ("html", "pdf"), workers: int = 2) -> dict:
    started = time.perf_counter()
    work_dir = config.BUILD_DIR / "work"
    work_dir.mkdir(parents=True, exist_ok=True)
    inputs, year, inputs_file = prepare(year, work_dir / "pending")
    edition_work = work_dir / str(year)
    edition_work.mkdir(parents=True, exist_ok=True)
    for name in ("inputs.pkl", "manifest.json"):
        os.replace(work_dir / "pending" / name, edition_work / name)
    inputs_file = edition_work / "inputs.pkl"
    log(f"edition {year}")
    edition_dir = config.EDITIONS_DIR / str(year)
    timings = execute_notebooks(year, inputs_file, edition_dir, workers)
    stage_dir = stage(year, edition_dir, config.BUILD_DIR / "stage" / f"{year}-{os.getpid()}")
    results = {"year": year}
    try:
        if "html" in formats:
            jupyter_book(stage_dir, "html")
            html = stage_dir / "_build" / "html"
            _copy_chart_data(stage_dir, html)
            results["html"] = str(publish_html(html, year) / "index.html")
            log(f"website: {results['html']}")
        if "pdf" in formats:
            jupyter_book(stage_dir, "pdflatex")
            pdf = stage_dir / "_build" / "latex" / f"sozialbericht-{year}.pdf"
            if not pdf.is_file():
                raise BuildError(f"The LaTeX build produced no {pdf.name}; see {stage_dir}/_build/latex.")
            results["pdf"] = str(publish_pdf(pdf, year))
            log(f"PDF: {results['pdf']}")
    finally:
        if not os.environ.get("SOZIALBERICHT_KEEP_STAGE"):
            shutil.rmtree(stage_dir, ignore_errors=True)
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["notebooks"] = timings
    log(f"done in {results['seconds']} s")
    return results


def _copy_chart_data(stage_dir: Path, html: Path) -> None:
    """Chart CSVs are linked from raw HTML, which Sphinx does not copy by itself."""
    source = stage_dir / "book" / "edition" / "daten"
    if source.is_dir():
        shutil.copytree(source, html / "book" / "edition" / "daten", dirs_exist_ok=True)
