"""The edition's notebooks: which run, in which order, and which need to run again.

A notebook runs again only when its template, parameters, inputs or the code and catalogues
it depends on changed (a digest of each, stored next to the executed notebook).
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from sozialbericht import settings as config
from sozialbericht.analysis.indicators import read_catalogue
from sozialbericht.build.common import BuildError, atomic_write, digest, log
from sozialbericht.data.structure import load_structure

if TYPE_CHECKING:
    from sozialbericht.build.runner import NotebookRunner

# started first when no timing of an earlier run is known
LONG_NOTEBOOKS = {"steckbriefe", "arbeit", "bevoelkerung"}
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the whole sozialbericht package


def chapter_notebooks() -> list[str]:
    """Every notebook of an edition in reading order (data/report.yml with the chapters of data/indicators.yml)."""
    chapters = [c["notebook"] for c in read_catalogue().chapters]
    return load_structure().pages(chapters)


# the administration's catalogues: only these notebooks render them; every other page includes
# fragments written by the build (edition.write_policy_fragments), so editing a measure re-runs no chapter
POLICY_FILES = {"plans.yml", "measures.yml", "participation.yml", "target_groups.yml", "gebiete.yml"}
POLICY_NOTEBOOKS = {"massnahmen", "beteiligung"}


def code_digest(policy: bool = True) -> bytes:
    """Hash of the package and the project's data files: a change there re-runs notebooks."""
    data = [f for f in sorted(config.DATA_DIR.glob("*.yml")) if policy or f.name not in POLICY_FILES]
    files = sorted(PACKAGE_DIR.rglob("*.py")) + data
    return digest(*[f.read_bytes() for f in files]).encode()


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
    workers: int,
    inputs_digest: str,
    formats: tuple[str, ...] = ("html", "pdf"),
    runner: NotebookRunner | None = None,
    fresh_kernels: bool = False,
) -> dict[str, float]:
    """Run each chapter notebook unless its notebook, parameters, inputs and code are unchanged."""
    from sozialbericht.build.runner import Job, NotebookError, NotebookRunner

    edition_dir.mkdir(parents=True, exist_ok=True)
    # content of the data (Inputs.content_digest), not the pickle: it also records when each file was read
    data_key = inputs_digest.encode()
    codes = {True: code_digest(policy=True), False: code_digest(policy=False)}
    names = chapter_notebooks()
    previous = _expected_seconds(edition_dir)
    jobs = []
    for name in names:
        template = config.NOTEBOOK_DIR / f"{name}.ipynb"
        if not template.is_file():
            raise BuildError(
                f"Notebook {template} is missing (listed in data/report.yml or data/indicators.yml; run python tools/make_notebooks.py)."
            )
        parameters = {
            "year": year,
            "inputs_file": str(inputs_file),
            "output_dir": str(edition_dir),
            "formats": ",".join(sorted(formats)),
        }
        key = digest(
            template.read_bytes(),
            json.dumps(parameters, sort_keys=True).encode(),
            data_key,
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
    workers_for = (
        NotebookRunner(min(workers, len(jobs)), cwd=edition_dir, fresh_kernels=fresh_kernels)
        if runner is None
        else nullcontext(runner)
    )
    try:
        with workers_for as active:
            timings = active.run(jobs, progress=log)
    except NotebookError as error:
        raise BuildError(f"Edition {year}: {error}") from None
    atomic_write(edition_dir / ".timings.json", json.dumps({**previous, **timings}, indent=1, sort_keys=True))
    return timings
