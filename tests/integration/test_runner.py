"""The notebook runner reuses one kernel per worker: a notebook must never see what the one
before it left behind, a failure must stop the run with the notebook's name, and a chapter
must come out the same as from a fresh kernel."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from sozialbericht.build.runner import Job, NotebookError, NotebookRunner


def write_notebook(path: Path, *sources: str) -> Path:
    cells = [nbformat.v4.new_code_cell("value = 0", metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def outputs(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    return ["".join(o.get("text", "")) for cell in notebook.cells for o in cell.get("outputs", [])]


def job(folder: Path, name: str, expected: float, **parameters) -> Job:
    return Job(name, folder / f"{name}.template.ipynb", folder / f"{name}.ipynb", parameters, expected_seconds=expected)


def test_second_notebook_in_the_same_kernel_starts_clean(tmp_path):
    write_notebook(
        tmp_path / "first.template.ipynb",
        "import os\nleftover = value\nos.chdir('/')\nprint(os.getpid())",
    )
    write_notebook(
        tmp_path / "second.template.ipynb",
        "import os\nprint(os.getpid())",
        "print('leftover' in globals(), os.getcwd(), value)",
    )
    with NotebookRunner(workers=1, cwd=tmp_path, fresh_kernels=False) as runner:
        timings = runner.run(
            [job(tmp_path, "first", 2, value=7), job(tmp_path, "second", 1, value=8)], progress=lambda line: None
        )
    assert set(timings) == {"first", "second"}
    first_pid = outputs(tmp_path / "first.ipynb")[0].strip()
    second_pid, state = [text.strip() for text in outputs(tmp_path / "second.ipynb")]
    assert first_pid == second_pid, "both notebooks ran in the worker's one kernel"
    assert state == f"False {tmp_path} 8", "names and working folder were reset"
    cells = nbformat.read(tmp_path / "second.ipynb", as_version=4).cells
    assert [c.execution_count for c in cells if c.cell_type == "code"] == [1, 2, 3, 4], (
        "execution counts start at 1 as in a fresh kernel (parameters, injected parameters, two cells)"
    )
    injected = [c for c in cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "remove-cell" in injected[0].metadata["tags"], "injected parameters stay out of the book"


def test_fresh_kernels_when_asked(tmp_path):
    for name in ("a", "b"):
        write_notebook(tmp_path / f"{name}.template.ipynb", "import os\nprint(os.getpid())")
    with NotebookRunner(workers=1, cwd=tmp_path, fresh_kernels=True) as runner:
        runner.run([job(tmp_path, "a", 2), job(tmp_path, "b", 1)], progress=lambda line: None)
    assert outputs(tmp_path / "a.ipynb") != outputs(tmp_path / "b.ipynb")


def test_a_failing_notebook_stops_the_run_and_names_itself(tmp_path):
    write_notebook(tmp_path / "broken.template.ipynb", "x = 1", "raise ValueError('kaputt')")
    write_notebook(tmp_path / "later.template.ipynb", "print('ran')")
    done = []
    broken = job(tmp_path, "broken", 5)
    broken.done = lambda: done.append("broken")
    lines = []
    with NotebookRunner(workers=1, cwd=tmp_path, fresh_kernels=False) as runner:
        with pytest.raises(NotebookError, match=r"broken\.template\.ipynb failed in cell 2: ValueError: kaputt"):
            runner.run([broken, job(tmp_path, "later", 1)], progress=lines.append)
    assert not (tmp_path / "broken.ipynb").exists() and not done, "no output and no key for a failed notebook"
    assert not (tmp_path / "later.ipynb").exists()
    assert any("later: not run" in line for line in lines), lines


def _comparable(path: Path) -> list:
    """Sources and outputs; the injected parameters differ in the output folder only."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [
        (cell["cell_type"], cell.get("source"), cell.get("outputs"))
        for cell in notebook["cells"]
        if "injected-parameters" not in cell.get("metadata", {}).get("tags", [])
    ]


def test_a_chapter_from_a_reused_kernel_equals_one_from_a_fresh_kernel(tmp_path, mirror_inputs):
    import dataclasses

    from sozialbericht import settings as config
    from sozialbericht.build.pipeline import latest_year
    from sozialbericht.report.edition import Edition, precompute

    inputs = dataclasses.replace(mirror_inputs, precomputed={})
    year = latest_year(inputs)
    precompute(Edition.from_inputs(inputs, year))
    inputs_file = tmp_path / "inputs.pkl"
    inputs.save(inputs_file)
    results = {}
    for mode, fresh in (("reused", False), ("fresh", True)):
        folder = tmp_path / mode
        folder.mkdir()
        parameters = {"year": year, "inputs_file": str(inputs_file), "output_dir": str(folder), "formats": "html"}
        # in the reused kernel, "wohnen" runs after another chapter of the same worker
        names = ["bevoelkerung", "wohnen"] if mode == "reused" else ["wohnen"]
        jobs = [
            Job(
                name,
                config.NOTEBOOK_DIR / f"{name}.ipynb",
                folder / f"{name}.ipynb",
                parameters,
                expected_seconds=-order,
            )
            for order, name in enumerate(names)
        ]
        with NotebookRunner(workers=1, cwd=folder, fresh_kernels=fresh) as runner:
            runner.run(jobs, progress=lambda line: None)
        results[mode] = _comparable(folder / "wohnen.ipynb")
    assert results["reused"] == results["fresh"]
