"""Build an edition: prepare inputs once, run the chapter notebooks with papermill,
compile website and PDF with Jupyter Book in a fresh folder, then publish atomically.

A failure at any step leaves the last published ``_build/html`` and PDF untouched:
the website is a symlink switched with one rename, the PDF is replaced with one rename.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sozialbericht import settings as config
from sozialbericht.build import annex, downloads, release
from sozialbericht.build import pdf as report_pdf
from sozialbericht.build.common import BuildError, atomic_write, digest, log
from sozialbericht.build.lock import edition_lock
from sozialbericht.build.notebooks import code_digest, execute_notebooks
from sozialbericht.build.publish import publish_edition, publish_pdf, site_root
from sozialbericht.build.stage import copy_chart_data, jupyter_book, stage
from sozialbericht.data.inputs import Inputs, load_inputs_for
from sozialbericht.data.opendata import open_source
from sozialbericht.report.dates import edition_dates
from sozialbericht.settings import Settings

if TYPE_CHECKING:
    from sozialbericht.report.edition import Edition

__all__ = ["BuildError", "build", "check_year", "latest_year"]


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


def read_inputs_for(settings: Settings) -> tuple[Inputs, int]:
    """Read and check every input; validate the authored catalogues before any notebook runs.

    Returns the inputs and the edition's year (the settings' year, or the latest the data cover).
    """
    from sozialbericht.policy.register import counts
    from sozialbericht.policy.schema import load_policy

    log(f"reading the data ({open_source(settings).describe()})")
    inputs = load_inputs_for(settings)
    year = settings.year or latest_year(inputs)
    check_year(inputs, year)
    sizes = counts(load_policy(year, geography=inputs.geography), year)
    log(
        f"register {year}: {sizes['plans']} plans ({sizes['plans_outside_social']} outside the social sector), "
        f"{sizes['measures']} measures in {sizes['strategies']} strategies ({sizes['with_status']} with a sourced "
        f"status), {sizes['instruments']} participation formats, {sizes['examples']} examples"
    )
    return inputs, year


def prepare(edition: Edition, work_dir: Path) -> Path:
    """Compute the shared results once, in this process, and write them for the notebooks'
    kernels: ``work_dir/inputs.pkl``. This process goes on with ``edition``; it never reads
    the file back.
    """
    from sozialbericht.report.edition import precompute

    precompute(edition)
    edition.inputs.save(work_dir / "inputs.pkl")  # written atomically
    atomic_write(work_dir / "manifest.json", json.dumps(edition.inputs.manifest, ensure_ascii=False, indent=2))
    return work_dir / "inputs.pkl"


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
    return digest(str(year).encode(), inputs_digest.encode(), code_digest(), *[f.read_bytes() for f in files])


def _unchanged(year: int, key: str, settings: Settings) -> bool:
    formats = settings.formats
    html_key = site_root(settings) / str(year) / ".build-key"
    pdf_key = settings.build_dir / "pdf" / f"sozialbericht-{year}.key"
    ok = True
    if "html" in formats:
        ok &= html_key.is_file() and html_key.read_text() == key
    if "pdf" in formats:
        ok &= pdf_key.is_file() and pdf_key.read_text() == key
    return ok


def build(settings: Settings, force: bool = False) -> dict:
    """Build the edition the settings ask for under its lock (build/lock.py); returns the year,
    timings and published paths."""
    started = time.perf_counter()
    inputs, year = read_inputs_for(settings)
    release.check_free_space(settings.build_dir)
    try:
        with edition_lock(settings.build_dir / "locks", year):
            return _build_locked(settings, inputs, year, force, started)
    except OSError as error:  # read-only or full output folder: the usual message, not a traceback
        raise BuildError(release.os_error_message(error, year)) from None


def _build_locked(settings: Settings, inputs: Inputs, year: int, force: bool, started: float) -> dict:
    from sozialbericht.build.runner import NotebookRunner
    from sozialbericht.report.edition import Edition, write_policy_fragments

    formats, workers = settings.formats, settings.workers
    # compared and written while this process holds the edition: no other build of the year can
    # publish between the comparison and the publication
    key = build_key(inputs.content_digest(), year)
    results = {"year": year}
    if not force and _unchanged(year, key, settings):
        log(f"edition {year}: inputs, code and notebooks unchanged; the published edition is current")
        results.update(seconds=round(time.perf_counter() - started, 1), unchanged=True)
        return results
    log(f"edition {year}")
    edition_dir = settings.editions_dir / str(year)
    edition_dir.mkdir(parents=True, exist_ok=True)
    html = pdf = annex_pdf = None
    annex_dir = settings.build_dir / "work" / str(year) / "annex"
    pdf_process = annex_process = None
    try:
        # the notebook kernels start and import the package while this process computes the shared results
        with NotebookRunner(workers, cwd=edition_dir, fresh_kernels=settings.fresh_kernels) as runner:
            edition = Edition.from_inputs(inputs, year)
            inputs_file = prepare(edition, settings.build_dir / "work" / str(year))
            if "pdf" in formats:
                # the Ortsteil annex (build/annex.py) needs only the shared results: it starts now, at low
                # priority, on what CPU the notebooks leave, and is mostly done when the Sphinx builds begin
                annex_process = annex.start(year, inputs_file, annex_dir, low_priority=True)
            # a website-only build skips the images for the PDF; a later PDF build executes again
            needs = ("html", "pdf") if "pdf" in formats else ("html",)
            written = write_policy_fragments(edition, edition_dir)
            log(f"{written} fragments from plans, measures and participation written")
            timings = execute_notebooks(
                year, inputs_file, edition_dir, workers, inputs.content_digest(), needs, runner=runner
            )
        stage_dir = stage(year, edition_dir, settings.build_dir / "stage" / str(year))
        # the report PDF builds while Sphinx writes the website, in its own output folder (build/pdf.py)
        if "pdf" in formats:
            report_pdf.stale_pdf(stage_dir, year).unlink(missing_ok=True)  # never publish an earlier run's PDF
            log("jupyter-book pdflatex (next to the website; the Ortsteil annex is under way)")
            source_date = edition_dates(year).source_date_epoch()
            pdf_process = report_pdf.start(stage_dir, strict=settings.strict, source_date=source_date)
        if "html" in formats:
            # the report PDF is the longer job and mostly one process: the website's Sphinx yields to it
            jupyter_book(stage_dir, "html", strict=settings.strict, nice=5 if pdf_process else 0)
            html = stage_dir / "_build" / "html"
            copy_chart_data(stage_dir, html)
            downloads.write_downloads(inputs, year, html / "downloads")
        if "pdf" in formats:
            pdf, seconds = report_pdf.finish(pdf_process, stage_dir, year)
            log(f"  PDF compiled in {seconds:.1f} s")
            annex_pdf = annex.finish(annex_process, year, annex_dir)
    finally:
        for process in (pdf_process, annex_process):  # a failed build: the other PDF is not needed
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    if html is not None:
        annex.offer_publications(html, year, pdf, annex_pdf)
    # the key describes what was executed: code or notebooks edited during the build make it another edition
    if build_key(inputs.content_digest(), year) != key:
        raise BuildError(f"Code, notebooks or book files changed while edition {year} was built; build again.")
    # publish only after every requested format was built: never half an edition
    results.update(_publish(settings, year, key, inputs.content_digest(), html, pdf))
    if annex_pdf is not None:
        results["annex"] = str(annex.publish(annex_pdf, settings.build_dir / "pdf"))
        log(f"annex: {results['annex']}")
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["notebooks"] = timings
    log(f"done in {results['seconds']} s")
    return results


def _publish(settings: Settings, year: int, key: str, inputs_digest: str, html: Path | None, pdf: Path | None) -> dict:
    """One release (build/release.py): website, downloads and PDF of this build only; then switch."""
    results = {}
    releases = settings.build_dir / "releases"
    link = site_root(settings) / str(year)
    release.remove_incomplete(releases, year, keep=link)
    release_dir = None
    if html is not None:
        published_pdf = settings.build_dir / "pdf" / release.pdf_name(year)
        release_dir = release.assemble(html, releases, year, key, inputs_digest, pdf, published_pdf)
        if release.read_info(release_dir)["pdf"] is None:
            log("  no PDF of these inputs yet: the website is published without one and says so")
    try:
        if pdf is not None:
            results["pdf"] = str(publish_pdf(pdf, year, key, settings))
            log(f"PDF: {results['pdf']}")
        if release_dir is not None:
            results["html"] = str(publish_edition(release_dir, year, settings) / "index.html")
            log(f"website: {site_root(settings) / 'index.html'} (edition: {results['html']})")
    except BaseException:
        if release_dir is not None and link.resolve() != release_dir.resolve():
            shutil.rmtree(release_dir, ignore_errors=True)
        raise
    return results
