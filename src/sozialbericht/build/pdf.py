"""The report PDF, built next to the website instead of after it.

Jupyter Book keeps one Sphinx environment per output folder; the website's and the PDF's builds
would share it and could not run at the same time. The PDF gets its own output folder
(``_build/stage/YEAR-pdf``) and its own table of contents without the 63 Ortsteil profiles (they
are the annex, :mod:`sozialbericht.build.annex`), so Sphinx does not even read them for the PDF.
xelatex is single-threaded: while it runs on one core, Sphinx writes the website on the other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from sozialbericht import settings as config
from sozialbericht.errors import SozialberichtError

PDF_TOC = "_toc-pdf.yml"
PROFILE_INDEX = "book/edition/steckbriefe"  # its sections are the profiles


class PdfError(SozialberichtError):
    pass


def pdf_toc(toc):
    """The book's table of contents without the profile pages (the chapter with their index stays)."""
    if isinstance(toc, list):
        return [pdf_toc(item) for item in toc]
    if not isinstance(toc, dict):
        return toc
    return {
        key: pdf_toc(value)
        for key, value in toc.items()
        if not (key == "sections" and toc.get("file") == PROFILE_INDEX)
    }


def output_dir(stage_dir: Path) -> Path:
    return stage_dir.parent / f"{stage_dir.name}-pdf"


def start(stage_dir: Path, jobs: int = 1, strict: bool = False, source_date: int | None = None) -> subprocess.Popen:
    """Start ``jupyter-book pdflatex`` on the staged book, in its own output folder.

    ``strict`` and ``source_date`` as in :func:`sozialbericht.build.stage.jupyter_book` (warnings fail the
    build; the PDF's dates are the edition's)."""
    toc = config.load_yaml((stage_dir / "_toc.yml").read_text(encoding="utf-8"))
    toc_file = stage_dir / PDF_TOC
    text = yaml.safe_dump(pdf_toc(toc), allow_unicode=True, sort_keys=False)
    if not toc_file.is_file() or toc_file.read_text(encoding="utf-8") != text:
        toc_file.write_text(text, encoding="utf-8")
    out = output_dir(stage_dir)
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "sozialbericht.build.sphinx_parallel", "--jobs", str(jobs), "build"]
    command += [str(stage_dir), "--builder", "pdflatex", "--keep-going", "--toc", str(toc_file)]
    command += ["--path-output", str(out), *(["-W", "-n"] if strict else [])]
    log = open(out / "jupyter-book-pdflatex.log", "w")  # noqa: SIM115 (the child writes it; closed at exit)
    # Sphinx's Makefile runs latexmk -pdf: every xelatex pass then writes the whole PDF with its images;
    # -xelatex (as the Makefile suggests) writes .xdv on the passes and the PDF once
    env = {**os.environ, "LATEXMKOPTS": "-xelatex"}
    if source_date:
        env.update(SOURCE_DATE_EPOCH=str(source_date), FORCE_SOURCE_DATE="1")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    process.started = time.perf_counter()  # type: ignore[attr-defined]
    return process


def finish(process: subprocess.Popen, stage_dir: Path, year: int) -> tuple[Path, float]:
    """Wait for :func:`start`'s build: the PDF and how long it took, or an error with the log's end."""
    code = process.wait()
    seconds = time.perf_counter() - process.started  # type: ignore[attr-defined]
    out = output_dir(stage_dir)
    pdf = out / "_build" / "latex" / f"sozialbericht-{year}.pdf"
    log = out / "jupyter-book-pdflatex.log"
    if code != 0 or not pdf.is_file():
        lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        tail = "\n".join(lines[-25:])
        raise PdfError(f"jupyter-book pdflatex failed or wrote no {pdf.name} (full log: {log}):\n{tail}")
    return pdf, seconds


def stale_pdf(stage_dir: Path, year: int) -> Path:
    """Where the PDF will be: removed before a build, so an earlier run's PDF is never published."""
    return output_dir(stage_dir) / "_build" / "latex" / f"sozialbericht-{year}.pdf"
