"""Build an edition: prepare inputs once, run the chapter notebooks with papermill,
compile website and PDF with Jupyter Book in a fresh folder, then publish atomically.

A failure at any step leaves the last published ``_build/html`` and PDF untouched:
the website is a symlink switched with one rename, the PDF is replaced with one rename.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from sozialbericht import settings as config
from sozialbericht.analysis.indicators import read_catalogue
from sozialbericht.build import downloads
from sozialbericht.data.inputs import Inputs, load_inputs
from sozialbericht.data.opendata import source_from_environment
from sozialbericht.errors import SozialberichtError

FRONT_NOTEBOOKS = ["einleitung", "kurzfassung"]
STEERING_NOTEBOOKS = ["fruehwarnsystem", "massnahmen", "beteiligung", "steckbriefe"]
BACK_NOTEBOOKS = ["daten"]
LONG_NOTEBOOKS = {"steckbriefe", "arbeit", "bevoelkerung"}
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/sozialbericht: every layer


class BuildError(SozialberichtError):
    pass


if TYPE_CHECKING:
    from sozialbericht.build.runner import NotebookRunner


def log(message: str) -> None:
    print(f"[sozialbericht {time.strftime('%H:%M:%S')}] {message}", flush=True)


def latest_year(inputs: Inputs) -> int:
    """The latest year for which the city's population is published: the default edition."""
    rows = inputs.table[
        (inputs.table["dataset"] == "einwohner")
        & (inputs.table["feature"] == "Einwohner insgesamt")
        & (inputs.table["level"] == "Stadt")
        & inputs.table["value"].notna()
    ]
    return int(rows["year"].max())


def check_year(inputs: Inputs, year: int) -> None:
    years = inputs.years("einwohner")
    if year not in years:
        raise BuildError(
            f"There is no data for the year {year}: the population series covers "
            f"{years[0]}–{years[-1]}. Choose a year in that range, e.g. make report YEAR={years[-1]}."
        )


def chapter_notebooks() -> list[str]:
    chapters = read_catalogue().chapters
    return FRONT_NOTEBOOKS + [c["notebook"] for c in chapters] + STEERING_NOTEBOOKS + BACK_NOTEBOOKS


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


# the administration's catalogues: only these notebooks render them; every other page includes
# fragments written by the build (edition.write_policy_fragments), so editing a measure re-runs no chapter
POLICY_FILES = {"plans.yml", "measures.yml", "participation.yml", "target_groups.yml"}
POLICY_NOTEBOOKS = {"massnahmen", "beteiligung"}


def code_digest(policy: bool = True) -> bytes:
    """Hash of the package and the project's data files: a change there re-runs notebooks."""
    data = [f for f in sorted(config.DATA_DIR.glob("*.yml")) if policy or f.name not in POLICY_FILES]
    files = sorted(PACKAGE_DIR.rglob("*.py")) + data
    return _digest(*[f.read_bytes() for f in files]).encode()


def read_inputs_for(year: int | None) -> tuple[Inputs, int]:
    """Read and check every input; validate the authored catalogues before any notebook runs."""
    from sozialbericht.policy.register import load_policy

    log(f"reading the data ({source_from_environment().describe()})")
    inputs = load_inputs()
    year = year or latest_year(inputs)
    check_year(inputs, year)
    load_policy(year)
    return inputs, year


def prepare(inputs: Inputs, year: int, work_dir: Path) -> Path:
    """Compute the shared results once and store them for the notebooks: ``work_dir/inputs.pkl``."""
    from sozialbericht.report.edition import precompute

    precompute(inputs, year)
    inputs.save(work_dir / "inputs.pkl")  # written atomically
    _atomic_write(work_dir / "manifest.json", json.dumps(inputs.manifest, ensure_ascii=False, indent=2))
    return work_dir / "inputs.pkl"


def _expected_seconds(edition_dir: Path) -> dict[str, float]:
    """How long each notebook took last time: the runner starts the longest first."""
    try:
        return {k: float(v) for k, v in json.loads((edition_dir / ".timings.json").read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def execute_notebooks(
    year: int,
    inputs_file: Path,
    edition_dir: Path,
    workers: int = 2,
    inputs_digest: str | None = None,
    formats: tuple[str, ...] = ("html", "pdf"),
    runner: NotebookRunner | None = None,
) -> dict[str, float]:
    """Run each chapter notebook unless its notebook, parameters, inputs and code are unchanged."""
    from sozialbericht.build.runner import Job, NotebookError, NotebookRunner

    edition_dir.mkdir(parents=True, exist_ok=True)
    # content of the data, not the pickle: the pickle also records when each file was read
    inputs_digest = (inputs_digest or hashlib.sha256(inputs_file.read_bytes()).hexdigest()).encode()
    codes = {True: code_digest(policy=True), False: code_digest(policy=False)}
    names = chapter_notebooks()
    previous = _expected_seconds(edition_dir)
    jobs = []
    for name in names:
        template = config.NOTEBOOK_DIR / f"{name}.ipynb"
        if not template.is_file():
            raise BuildError(f"Notebook {template} is missing (listed in data/indicators.yml or build.py).")
        parameters = {
            "year": year,
            "inputs_file": str(inputs_file),
            "output_dir": str(edition_dir),
            "formats": ",".join(sorted(formats)),
        }
        key = _digest(
            template.read_bytes(),
            json.dumps(parameters, sort_keys=True).encode(),
            inputs_digest,
            codes[name in POLICY_NOTEBOOKS],
        )
        stamp = edition_dir / f".{name}.sha256"
        output = edition_dir / f"{name}.ipynb"
        if output.is_file() and stamp.is_file() and stamp.read_text() == key:
            continue
        stamp.unlink(missing_ok=True)
        jobs.append(
            Job(
                name,
                template,
                output,
                parameters,
                done=lambda stamp=stamp, key=key: stamp.write_text(key),
                expected_seconds=previous.get(name, 10.0 if name in LONG_NOTEBOOKS else 1.0),
            )
        )
    if not jobs:
        log(f"all {len(names)} notebooks unchanged, nothing to execute")
        return {}
    log(f"executing {len(jobs)} of {len(names)} notebooks with {min(workers, len(jobs))} worker(s)")
    workers_for = NotebookRunner(min(workers, len(jobs)), cwd=edition_dir) if runner is None else nullcontext(runner)
    try:
        with workers_for as active:
            timings = active.run(jobs, progress=log)
    except NotebookError as error:
        raise BuildError(f"Edition {year}: {error}") from None
    _atomic_write(edition_dir / ".timings.json", json.dumps({**previous, **timings}, indent=1, sort_keys=True))
    return timings


def _sync_file(source: Path | bytes, target: Path) -> None:
    """Write only when the content differs, so Sphinx sees unchanged files as unchanged (mtime)."""
    content = source if isinstance(source, bytes) else source.read_bytes()
    if target.is_file() and target.stat().st_size == len(content) and target.read_bytes() == content:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


def _sync_tree(source: Path, target: Path, skip=lambda path: False) -> set[Path]:
    """Mirror ``source`` into ``target`` file by file; returns the files written or kept."""
    kept = set()
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_dir() or skip(relative):
            continue
        _sync_file(path, target / relative)
        kept.add(target / relative)
    return kept


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
    rendered = yaml.safe_dump(book_config, allow_unicode=True, sort_keys=False).encode("utf-8")
    for content, name in ((rendered, "_config.yml"), (config.ROOT / "_toc.yml", "_toc.yml")):
        _sync_file(content, stage_dir / name)
        sources.add(stage_dir / name)
    for page in config.BOOK_DIR.glob("*.md"):
        _sync_file(page, stage_dir / "book" / page.name)
        sources.add(stage_dir / "book" / page.name)
    # not "_static": Jupyter Book adds every *.js found in a folder of that name as a classic
    # script, which loaded the Vega module and MathJax twice on every page
    static = stage_dir / "_assets"
    if (config.BOOK_DIR / "_static").is_dir():
        sources |= _sync_tree(config.BOOK_DIR / "_static", static)
    static.mkdir(parents=True, exist_ok=True)
    sources.add(charts.write_vega_bundle(static))
    sources.add(_copy_mathjax(static))
    sources |= _sync_tree(
        edition_dir,
        stage_dir / "book" / "edition",
        skip=lambda rel: rel.name.startswith(".") or rel.name.endswith(".running.ipynb"),
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
    _sync_file(script, target)
    return target


def jupyter_book(stage_dir: Path, builder: str, jobs: int = 2) -> None:
    # Jupyter Book's own command line, with Sphinx reading and writing pages on ``jobs`` processes
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
    ]
    log(f"jupyter-book {builder}")
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    log_file = stage_dir / f"jupyter-book-{builder}.log"
    log_file.write_text(result.stdout + "\n" + result.stderr, encoding="utf-8")
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise BuildError(f"jupyter-book {builder} failed (full log: {log_file}):\n{tail}")
    log(
        f"  {'website' if builder == 'html' else 'PDF'} compiled in {time.perf_counter() - started:.1f} s "
        f"(Sphinx log: {log_file})"
    )


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def site_root() -> Path:
    return config.BUILD_DIR / "html"


def publish_edition(html_dir: Path, year: int) -> Path:
    """Switch _build/html/<year> to the new edition with one atomic rename of a symlink."""
    root = site_root()
    if root.is_symlink():  # the single-edition layout of earlier versions
        root.unlink()
    root.mkdir(parents=True, exist_ok=True)
    releases = config.BUILD_DIR / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    release = releases / f"{year}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    # a copy: the staging folder keeps its build for the next, incremental one
    shutil.copytree(html_dir, release, symlinks=True)
    link = root / str(year)
    if link.exists() and not link.is_symlink():
        shutil.move(str(link), releases / f"{year}-previous-{os.getpid()}")
    temporary = root / f".{year}-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(os.path.relpath(release, root))
    os.replace(temporary, link)
    for old in sorted(releases.glob(f"{year}-*"), key=lambda p: p.stat().st_mtime, reverse=True)[2:]:
        shutil.rmtree(old, ignore_errors=True)
    write_site_index()
    return link


def published_editions() -> list[dict]:
    root = site_root()
    editions = []
    for link in sorted(root.glob("[0-9][0-9][0-9][0-9]"), reverse=True):
        if (link / "index.html").is_file():
            year = int(link.name)
            pdf = link / f"sozialbericht-{year}.pdf"
            editions.append(
                {"year": year, "path": f"{year}/index.html", "pdf": f"{year}/{pdf.name}" if pdf.is_file() else None}
            )
    return editions


def write_site_index() -> None:
    """editions.json (read by the year switch of every edition) and the landing page."""
    from html import escape
    from urllib.parse import quote

    # the editions' icon (book/_static/favicon.svg) inline: no request for /favicon.ico, which would be a 404
    icon = config.BOOK_DIR / "_static" / "favicon.svg"
    favicon = (
        "data:image/svg+xml," + quote(icon.read_text(encoding="utf-8").strip(), safe=" :/=")
        if icon.is_file()
        else "data:,"
    )

    root = site_root()
    editions = published_editions()
    _atomic_write(root / "editions.json", json.dumps(editions, indent=2))
    items = "\n".join(
        f'<li><a href="{e["path"]}">Sozialbericht {e["year"]}</a>'
        + (
            f' – <a href="{e["pdf"]}">PDF herunterladen<span class="sr-only"> ({e["year"]})</span></a>'
            if e["pdf"]
            else ""
        )
        + "</li>"
        for e in editions
    )
    latest = editions[0]["path"] if editions else ""
    page = f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sozialbericht Leipzig</title>
<meta name="description" content="Sozialbericht der Stadt Leipzig: alle Ausgaben als Website und PDF">
<link rel="icon" href="{favicon}">
<style>body{{font-family:sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#222;background:#fff}}
a{{color:#0b57a4}} a:focus-visible{{outline:2px solid #0b57a4;outline-offset:2px}} h1{{font-size:1.8rem}}
.sr-only{{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap}}</style>
</head>
<body>
<main>
<h1>Sozialbericht Leipzig</h1>
<p>Die soziale Lage in Leipzig, seinen 10 Stadtbezirken und 63 Ortsteilen, berechnet aus den offenen Daten
des Amtes für Statistik und Wahlen (Datenlizenz Deutschland – Namensnennung 2.0).</p>
{f'<p><a href="{escape(latest)}"><strong>Zur neuesten Ausgabe</strong></a></p>' if latest else ""}
<h2>Alle Ausgaben</h2>
<ul>
{items}
</ul>
</main>
</body>
</html>
"""
    _atomic_write(root / "index.html", page)


def publish_pdf(pdf_file: Path, year: int, key: str) -> Path:
    target_dir = config.BUILD_DIR / "pdf"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"sozialbericht-{year}.pdf"
    temporary = target.with_suffix(f".pdf.tmp{os.getpid()}")
    shutil.copy2(pdf_file, temporary)
    os.replace(temporary, target)
    _atomic_write(target.with_suffix(".key"), key)
    return target


def build_key(inputs_digest: str, year: int) -> str:
    """Everything an edition's output depends on: inputs, code, notebooks, book configuration."""
    files = sorted(config.NOTEBOOK_DIR.glob("*.ipynb")) + [config.ROOT / "_config.yml", config.ROOT / "_toc.yml"]
    files += sorted(
        p
        for p in config.BOOK_DIR.rglob("*")
        if p.is_file()
        and p.parent.name != str(year)
        and not any(part.isdigit() and len(part) == 4 for part in p.relative_to(config.BOOK_DIR).parts)
    )
    return _digest(str(year).encode(), inputs_digest.encode(), code_digest(), *[f.read_bytes() for f in files])


def _unchanged(year: int, key: str, formats: tuple[str, ...]) -> bool:
    html_key = site_root() / str(year) / ".build-key"
    pdf_key = config.BUILD_DIR / "pdf" / f"sozialbericht-{year}.key"
    ok = True
    if "html" in formats:
        ok &= html_key.is_file() and html_key.read_text() == key
    if "pdf" in formats:
        ok &= pdf_key.is_file() and pdf_key.read_text() == key
    return ok


def build(
    year: int | None = None, formats: tuple[str, ...] = ("html", "pdf"), workers: int = 2, force: bool = False
) -> dict:
    from sozialbericht.build.runner import NotebookRunner

    started = time.perf_counter()
    inputs, year = read_inputs_for(year)
    key = build_key(inputs.content_digest(), year)
    results = {"year": year}
    if not force and _unchanged(year, key, formats):
        log(f"edition {year}: inputs, code and notebooks unchanged; the published edition is current")
        results.update(seconds=round(time.perf_counter() - started, 1), unchanged=True)
        return results
    log(f"edition {year}")
    edition_dir = config.EDITIONS_DIR / str(year)
    edition_dir.mkdir(parents=True, exist_ok=True)
    # the notebook kernels start and import the package while this process computes the shared results
    with NotebookRunner(workers, cwd=edition_dir) as runner:
        inputs_file = prepare(inputs, year, config.BUILD_DIR / "work" / str(year))
        # a website-only build skips the images for the PDF; a later PDF build executes again
        needs = ("html", "pdf") if "pdf" in formats else ("html",)
        from sozialbericht.report.edition import write_policy_fragments

        written = write_policy_fragments(inputs_file, year, edition_dir)
        log(f"{written} fragments from plans, measures and participation written")
        timings = execute_notebooks(
            year, inputs_file, edition_dir, workers, inputs.content_digest(), needs, runner=runner
        )
    stage_root = config.BUILD_DIR / "stage"
    stage_root.mkdir(parents=True, exist_ok=True)
    lock = open(stage_root / f"{year}.lock", "w")  # noqa: SIM115 (held until the build ends)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise BuildError(f"Another build of {year} is running (lock {lock.name}); wait for it to finish.") from None
    stage_dir = stage(year, edition_dir, stage_root / str(year))
    try:
        html = pdf = None
        if "html" in formats:
            jupyter_book(stage_dir, "html")
            html = stage_dir / "_build" / "html"
            _copy_chart_data(stage_dir, html)
            downloads.write_downloads(inputs, year, html / "downloads")
            (html / ".build-key").write_text(key)
        if "pdf" in formats:
            pdf = stage_dir / "_build" / "latex" / f"sozialbericht-{year}.pdf"
            pdf.unlink(missing_ok=True)  # never publish the PDF of an earlier run
            jupyter_book(stage_dir, "pdflatex")
            if not pdf.is_file():
                raise BuildError(f"The LaTeX build produced no {pdf.name}; see {stage_dir}/_build/latex.")
        # publish only after every requested format was built: never half an edition
        if html is not None:
            published_pdf = config.BUILD_DIR / "pdf" / f"sozialbericht-{year}.pdf"
            pdf_key = published_pdf.with_suffix(".key")
            if pdf is not None:
                shutil.copy2(pdf, html / pdf.name)
            elif published_pdf.is_file() and pdf_key.is_file() and pdf_key.read_text() == key:
                shutil.copy2(published_pdf, html / published_pdf.name)
        if pdf is not None:
            results["pdf"] = str(publish_pdf(pdf, year, key))
            log(f"PDF: {results['pdf']}")
        if html is not None:
            results["html"] = str(publish_edition(html, year) / "index.html")
            log(f"website: {site_root() / 'index.html'} (edition: {results['html']})")
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["notebooks"] = timings
    log(f"done in {results['seconds']} s")
    return results


def _copy_chart_data(stage_dir: Path, html: Path) -> None:
    """Chart CSVs are linked from raw HTML, which Sphinx does not copy by itself."""
    source = stage_dir / "book" / "edition" / "daten"
    if source.is_dir():
        shutil.copytree(source, html / "book" / "edition" / "daten", dirs_exist_ok=True)
