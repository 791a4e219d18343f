#!/usr/bin/env python3
"""Benchmark of the Sozialbericht build on the offline mirror (``make bench``).

    .venv/bin/python scripts/bench.py [--quick] [--output BENCHMARK.md] [--keep] [--only a,b]

Needs ``SOZIALBERICHT_DATA`` pointing at a folder laid out like the mirror; unset, it uses
``../shared/data/leipzig/mirror`` relative to the project root if that exists.

Everything runs on a snapshot of the project: the files git knows (tracked, plus untracked files
that are not ignored) are copied into a temporary folder and the build is run from there with
``PYTHONPATH=<copy>/src``, so the copy's package, ``data/`` and ``notebooks/`` are used, never
the working tree's ``_build``, ``book/<year>`` or ``data/cache``. Every scenario gets its own
``SOZIALBERICHT_BUILD`` / ``SOZIALBERICHT_EDITIONS`` / ``SOZIALBERICHT_CACHE`` in the temp folder.

Scenarios (in this order):

  cold_html      cold build of the 2023 edition, website only (fresh build/editions folders)
  naive_html     the same notebooks executed by Jupyter Book itself (execute_notebooks: force),
                 run right after cold_html so both see similar machine load
  pdf_after_html PDF of 2023 in the folders of cold_html, after the website-only rebuilds: the
                 notebooks run again (with the vector charts a PDF needs), then jupyter-book pdflatex
  cold_all       cold build of the 2023 edition: website, report PDF and Ortsteil annex PDF (the annex
                 starts at low priority with the notebooks), in fresh folders; target: at most 1.5x cold_html
  measure_all    rebuild of all three after one status note in data/measures.yml changed
  nochange_html  rebuild of the website with nothing changed
  measure_html   rebuild of the website after one status note in data/measures.yml changed
  editions_html  five editions 2019-2023, website only, cold, one after another (--quick: 2022-2023)
  scale          data layer and computations on generated mirrors of N areas
                 (scripts/make_scale_mirror.py): load_inputs, indicators, early warning

Per scenario: wall time, CPU time of the process tree (getrusage of reaped children), peak
memory as the largest sum of RSS over the process tree sampled every 0.1 s with psutil (shared
pages are counted once per process, so this overestimates), the 1-minute load average.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from datetime import datetime
from pathlib import Path

try:
    import psutil
except ImportError:  # pragma: no cover - the project's venv has it
    psutil = None

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = Path(__file__).resolve().parent
YEAR = 2023
TARGETS = {"cold_html_s": 60.0, "nochange_s": 5.0, "naive_ratio": 3.0, "peak_mb": 1536.0, "all_ratio": 1.5}
MB = 1024 * 1024
NOTEBOOK_LINE = re.compile(r"\[(\d+)/(\d+)\]\s+([\w-]+):\s+([\d.]+) s")
EXECUTING_LINE = re.compile(r"executing (\d+) of (\d+) notebooks")
MYSTNB_LINE = re.compile(r"([\w-]+)(?:\.ipynb)?:?\s*(?::\s*)?Executed notebook in ([\d.]+) seconds")
NOISE = ("Kernel is running over TCP without encryption", "KeyboardInterrupt caught in kernel")


# -- measuring ----------------------------------------------------------------------------


class Monitor:
    """Samples the summed RSS of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.peak_processes = 0
        self.peak_top: list[tuple[str, int]] = []
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Monitor:
        if psutil is not None:
            self._thread.start()
        return self

    def _sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
            processes = [root] + root.children(recursive=True)
        except psutil.Error:
            return
        total, parts = 0, []
        for process in processes:
            try:
                rss = process.memory_info().rss
                name = process.name()
                if name.startswith("python"):
                    cmd = process.cmdline()
                    name = next(
                        (c for c in cmd if c in ("ipykernel_launcher", "sozialbericht", "jupyter-book")),
                        " ".join(Path(c).name for c in cmd[1:3]),
                    )
            except psutil.Error:
                continue
            total += rss
            parts.append((name, rss))
        self.samples += 1
        if total > self.peak:
            self.peak, self.peak_processes = total, len(parts)
            self.peak_top = sorted(parts, key=lambda p: -p[1])[:4]

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)


def loadavg() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return math.nan


def run_command(label: str, argv: list[str], env: dict, cwd: Path, timeout: float, echo: bool = True) -> dict:
    """Run one command; wall and CPU time, peak memory of the process tree, output lines with times."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"label": label, "command": " ".join(argv), "load_before": loadavg()}
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        start_new_session=True,
    )
    monitor = Monitor(process.pid).start()
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the session this script started for the command
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    lines: list[tuple[float, str]] = []
    for line in process.stdout:
        line = line.rstrip("\n")
        lines.append((time.perf_counter() - start, line))
        if echo and line.strip() and not any(n in line for n in NOISE):
            print(f"    {label} +{lines[-1][0]:6.1f}s | {line[:160]}", flush=True)
    returncode = process.wait()
    wall = time.perf_counter() - start
    timer.cancel()
    monitor.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.update(
        returncode=returncode,
        ok=returncode == 0 and not timed_out.is_set(),
        wall=wall,
        cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        peak_mb=monitor.peak / MB if psutil is not None else None,
        peak_processes=monitor.peak_processes,
        peak_top=[(n, round(r / MB)) for n, r in monitor.peak_top],
        maxrss_child_mb=after.ru_maxrss / 1024,
        load_after=loadavg(),
        lines=lines,
        timed_out=timed_out.is_set(),
    )
    if not result["ok"]:
        tail = [ln for _, ln in lines if ln.strip() and not any(n in ln for n in NOISE)][-30:]
        result["error"] = (f"timed out after {timeout:.0f} s\n" if timed_out.is_set() else "") + "\n".join(tail)
    return result


def build_phases(result: dict, year: int, builder: str = "html") -> dict:
    """Where a build's time went, from the times at which its log lines appeared."""
    lines = result.get("lines", [])
    marks: dict[str, float] = {}
    notebooks = {}
    executed = total = None
    for t, line in lines:
        if "reading the data" in line and "read" not in marks:
            marks["read"] = t
        if re.search(rf"\] edition {year}\b", line) or "unchanged; the published edition is current" in line:
            marks.setdefault("prepared", t)
        found = EXECUTING_LINE.search(line)
        if found:
            marks["executing"] = t
            executed, total = int(found.group(1)), int(found.group(2))
        if "notebooks unchanged, nothing to execute" in line:
            marks["executing"] = marks["notebooks_done"] = t
            executed = 0
        found = NOTEBOOK_LINE.search(line)
        if found:
            notebooks[found.group(3)] = float(found.group(4))
            marks["notebooks_done"] = t
        if f"jupyter-book {builder}" in line:
            marks["jupyter_book"] = t
        if "website:" in line or "PDF:" in line:
            marks.setdefault("published", t)
        if re.search(r"\] done in ", line):
            marks["done"] = t
    phases = {}
    if "prepared" in marks:
        phases["start, read data, compare build key"] = marks["prepared"]
    if "prepared" in marks and "executing" in marks:
        phases["precompute, fragments (kernels start meanwhile)"] = marks["executing"] - marks["prepared"]
    if "notebooks_done" in marks and "executing" in marks:
        phases["execute notebooks"] = marks["notebooks_done"] - marks["executing"]
    if "jupyter_book" in marks and "notebooks_done" in marks:
        phases["stage book folder"] = marks["jupyter_book"] - marks["notebooks_done"]
    if "published" in marks and "jupyter_book" in marks:
        phases[f"jupyter-book {builder} (+ downloads, publish)"] = marks["published"] - marks["jupyter_book"]
    end = result.get("wall")
    last = max(marks.values()) if marks else 0
    if end is not None and marks:
        phases["rest (until the process exited)"] = end - last
    return {"phases": phases, "notebooks": notebooks, "executed": executed, "of": total}


# -- the project snapshot -------------------------------------------------------------------


def project_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted({f for f in out.split("\0") if f})


def snapshot(target: Path) -> int:
    count = 0
    for name in project_files():
        source = ROOT / name
        if not source.is_file():  # deleted in the working tree
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
        count += 1
    return count


def base_env(copy: Path, data: Path, work: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy / "src") + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["SOZIALBERICHT_DATA"] = str(data)
    env["SOZIALBERICHT_BUILD"] = str(work / "build")
    env["SOZIALBERICHT_EDITIONS"] = str(work / "editions")
    env["SOZIALBERICHT_CACHE"] = str(work / "cache")
    env.pop("SOZIALBERICHT_KEEP_STAGE", None)
    return env


def build_command(year: int, formats: str) -> list[str]:
    return [sys.executable, "-m", "sozialbericht", "build", "--year", str(year), "--formats", formats]


def count_pages(html_dir: Path) -> int:
    return sum(1 for _ in html_dir.rglob("*.html")) if html_dir.is_dir() else 0


# -- scenarios -------------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.data = args.data
        self.tmp = Path(tempfile.mkdtemp(prefix="sozialbericht-bench-"))
        self.copy = self.tmp / "project"
        self.results: dict[str, dict] = {}
        self.timeout = args.timeout

    def log(self, message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)

    def record(self, key: str, result: dict) -> dict:
        self.results[key] = result
        state = "ok" if result.get("ok") else "FAILED"
        peak = result.get("peak_mb")
        self.log(
            f"{key}: {state}, {result.get('wall', math.nan):.1f} s wall"
            + (f", peak {peak:.0f} MB" if peak else "")
            + (f"\n{result.get('error')}" if not result.get("ok") else "")
        )
        return result

    def guarded(self, key: str, function) -> None:
        if self.args.only and key not in self.args.only:
            return
        self.log(f"--- {key}")
        try:
            function()
        except Exception as error:  # a scenario that breaks is reported, not hidden
            self.record(
                key,
                {
                    "label": key,
                    "ok": False,
                    "wall": math.nan,
                    "error": f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}",
                },
            )

    def build(self, key: str, work: Path, year: int, formats: str, **extra) -> dict:
        result = run_command(
            key, build_command(year, formats), base_env(self.copy, self.data, work), self.copy, self.timeout
        )
        result.update(build_phases(result, year, "pdflatex" if formats == "pdf" else "html"))
        result.update(extra)
        return result

    # 1. cold HTML
    def cold_html(self) -> None:
        work = self.tmp / "a"
        result = self.build("cold_html", work, YEAR, "html")
        site = work / "build" / "html" / str(YEAR)
        result["pages"] = count_pages(site)
        if result["ok"] and not (site / "index.html").is_file():
            result.update(ok=False, error=f"no {site}/index.html after the build")
        self.record("cold_html", result)

    # 2. PDF after the HTML
    def pdf_after_html(self) -> None:
        work = self.tmp / "a"
        if not (work / "editions" / str(YEAR)).is_dir():
            raise RuntimeError("cold_html did not run or failed; the PDF scenario reuses its notebooks")
        result = self.build("pdf_after_html", work, YEAR, "pdf")
        pdf = work / "build" / "pdf" / f"sozialbericht-{YEAR}.pdf"
        if result["ok"] and not pdf.is_file():
            result.update(ok=False, error=f"no {pdf} after the build")
        if pdf.is_file():
            result["pdf_mb"] = pdf.stat().st_size / MB
            if shutil.which("pdfinfo"):
                info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
                pages = re.search(r"Pages:\s+(\d+)", info)
                result["pdf_pages"] = int(pages.group(1)) if pages else None
        self.record("pdf_after_html", result)

    # 3. nothing changed
    def nochange_html(self) -> None:
        work = self.tmp / "a"
        if not (work / "build" / "html" / str(YEAR)).exists():
            raise RuntimeError("cold_html did not run or failed; nothing to rebuild")
        result = self.build("nochange_html", work, YEAR, "html")
        text = "\n".join(ln for _, ln in result["lines"])
        result["skipped"] = "unchanged; the published edition is current" in text
        self.record("nochange_html", result)

    # 1b. cold: website and both PDFs
    def cold_all(self) -> None:
        work = self.tmp / "c"
        result = self.build("cold_all", work, YEAR, "html,pdf")
        self._pdf_facts(result, work)
        self.record("cold_all", result)

    def _pdf_facts(self, result: dict, work: Path) -> None:
        for key, name in (("pdf", f"sozialbericht-{YEAR}.pdf"), ("annex", f"ortsteil-steckbriefe-{YEAR}.pdf")):
            pdf = work / "build" / "pdf" / name
            if result["ok"] and not pdf.is_file():
                result.update(ok=False, error=f"no {pdf} after the build")
            if pdf.is_file():
                result[f"{key}_mb"] = pdf.stat().st_size / MB
                if shutil.which("pdfinfo"):
                    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
                    pages = re.search(r"Pages:\s+(\d+)", info)
                    result[f"{key}_pages"] = int(pages.group(1)) if pages else None

    # 1c. all three after one measure changed
    def measure_all(self) -> None:
        work = self.tmp / "c"
        if not (work / "build" / "pdf" / f"sozialbericht-{YEAR}.pdf").exists():
            raise RuntimeError("cold_all did not run or failed; nothing to rebuild")
        result = self._with_changed_measure(
            lambda change: self.build("measure_all", work, YEAR, "html,pdf", change=change)
        )
        self._pdf_facts(result, work)
        self.record("measure_all", result)

    def _with_changed_measure(self, build):
        """Run ``build(change)`` with one status note of data/measures.yml changed; the file is restored."""
        path = self.copy / "data" / "measures.yml"
        original = path.read_text(encoding="utf-8")
        pattern = re.compile(rf'^(\s+{YEAR}: \{{status: \w+, note: ")([^"]*)(")', re.M)
        found = pattern.search(original) or re.compile(r'^(\s+\d{4}: \{status: \w+, note: ")([^"]*)(")', re.M).search(
            original
        )
        if not found:
            raise RuntimeError(f"no status note found in {path} to change")
        new_note = found.group(2).rstrip(".") + " (Benchmark-Änderung)."
        path.write_text(original[: found.start(2)] + new_note + original[found.end(2) :], encoding="utf-8")
        try:
            return build(f"data/measures.yml line {original[: found.start()].count(chr(10)) + 1}: note changed")
        finally:
            path.write_text(original, encoding="utf-8")

    # 4. one measure changed
    def measure_html(self) -> None:
        work = self.tmp / "a"
        if not (work / "build" / "html" / str(YEAR)).exists():
            raise RuntimeError("cold_html did not run or failed; nothing to rebuild")
        path = self.copy / "data" / "measures.yml"
        original = path.read_text(encoding="utf-8")
        marker = "Benchmark-Änderung"
        # prefer the note of a status entry of the edition's year: it is shown in that edition
        pattern = re.compile(rf'^(\s+{YEAR}: \{{status: \w+, note: ")([^"]*)(")', re.M)
        found = pattern.search(original) or re.compile(r'^(\s+\d{4}: \{status: \w+, note: ")([^"]*)(")', re.M).search(
            original
        )
        if not found:
            raise RuntimeError(f"no status note found in {path} to change")
        changed = original[: found.start(2)] + found.group(2).rstrip(".") + f" ({marker})." + original[found.end(2) :]
        path.write_text(changed, encoding="utf-8")
        try:
            result = self.build(
                "measure_html",
                work,
                YEAR,
                "html",
                change=f"data/measures.yml line {original[: found.start()].count(chr(10)) + 1}: "
                f"note {found.group(2)!r} -> {found.group(2).rstrip('.') + f' ({marker}).'!r}",
            )
        finally:
            path.write_text(original, encoding="utf-8")
        site = work / "build" / "html" / str(YEAR)
        hits = (
            [
                p.relative_to(site).as_posix()
                for p in site.rglob("*.html")
                if marker in p.read_text(encoding="utf-8", errors="replace")
            ]
            if site.exists()
            else []
        )
        result["change_visible_in"] = hits
        if result["ok"] and not hits:
            result["warning"] = "the changed note does not appear in the rebuilt website"
        self.record("measure_html", result)

    # 5. five editions
    def editions_html(self) -> None:
        work = self.tmp / "b"
        years = self.args.years
        runs, ok, errors = [], True, []
        for year in years:
            result = self.build(f"editions_html {year}", work, year, "html")
            result["year"] = year
            runs.append(result)
            if not result["ok"]:
                ok = False
                errors.append(f"{year}: {result.get('error')}")
        site = work / "build" / "html"
        summary = {
            "label": "editions_html",
            "ok": ok,
            "years": years,
            "runs": runs,
            "wall": sum(r["wall"] for r in runs),
            "cpu": sum(r["cpu"] for r in runs),
            "peak_mb": max((r["peak_mb"] or 0) for r in runs) if psutil else None,
            "load_before": runs[0]["load_before"],
            "load_after": runs[-1]["load_after"],
            "published": sorted(p.name for p in site.glob("[0-9][0-9][0-9][0-9]") if (p / "index.html").is_file()),
        }
        if errors:
            summary["error"] = "\n".join(errors)
        self.record("editions_html", summary)

    # 6. naive baseline
    def naive_html(self) -> None:
        import yaml

        work = self.tmp / "naive"
        stage = work / "stage"
        (stage / "book" / "edition").mkdir(parents=True)
        config = yaml.safe_load((self.copy / "_config.yml").read_text(encoding="utf-8"))
        config["title"] = f"{config.get('title', 'Sozialbericht Leipzig')} {YEAR}"
        # Jupyter Book's default per-cell timeout (30 s) would abort long cells; ours has none
        config["execute"] = {"execute_notebooks": "force", "timeout": 1200}
        (stage / "_config.yml").write_text(
            yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        toc = yaml.safe_load((self.copy / "_toc.yml").read_text(encoding="utf-8"))
        removed = []

        def strip_globs(node):
            if isinstance(node, dict):
                sections = node.get("sections")
                if isinstance(sections, list) and any(isinstance(s, dict) and "glob" in s for s in sections):
                    removed.append(node.get("file"))
                    kept = [s for s in sections if not (isinstance(s, dict) and "glob" in s)]
                    if kept:
                        node["sections"] = kept
                    else:
                        del node["sections"]
                for value in node.values():
                    strip_globs(value)
            elif isinstance(node, list):
                for value in node:
                    strip_globs(value)

        strip_globs(toc)
        (stage / "_toc.yml").write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        for notebook in sorted((self.copy / "notebooks").glob("*.ipynb")):
            shutil.copy2(notebook, stage / "book" / "edition" / notebook.name)
        for page in (self.copy / "book").glob("*.md"):
            shutil.copy2(page, stage / "book" / page.name)
        if (self.copy / "book" / "_static").is_dir():
            shutil.copytree(self.copy / "book" / "_static", stage / "_static")
        env = base_env(self.copy, self.data, work)
        # the same static assets as our build (Vega bundle, MathJax), written by the project's own code
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; "
                "from sozialbericht.build import stage; from sozialbericht.report import charts; "
                "p = Path(sys.argv[1]); charts.write_vega_bundle(p); stage._copy_mathjax(p)",
                str(stage / "_static"),
            ],
            env=env,
            check=True,
            cwd=self.copy,
        )
        executable = Path(sys.executable).with_name("jupyter-book")
        command = [
            str(executable if executable.exists() else "jupyter-book"),
            "build",
            str(stage),
            "--builder",
            "html",
            "--keep-going",
        ]
        result = run_command("naive_html", command, env, self.copy, self.timeout)
        html = stage / "_build" / "html"
        text = "\n".join(ln for _, ln in result["lines"])
        failures = sorted(set(re.findall(r"([\w/.-]+?)(?:\.ipynb)?: WARNING: Executing notebook failed", text)))
        reports = sorted(p.name for p in (html / "reports").glob("*")) if (html / "reports").is_dir() else []
        result.update(
            pages=count_pages(html),
            executed={m.group(1).split("/")[-1]: float(m.group(2)) for m in MYSTNB_LINE.finditer(text)},
            execution_failures=failures or reports,
            toc_without=removed,
        )
        if result["ok"] and not (html / "index.html").is_file():
            result.update(ok=False, error=f"no {html}/index.html")
        if result["ok"] and result["execution_failures"]:
            result.update(ok=False, error="notebook execution failed: " + ", ".join(result["execution_failures"]))
        self.record("naive_html", result)

    # 7. scale
    def scale(self) -> None:
        sys.path.insert(0, str(SCRIPTS))
        import make_scale_mirror

        root = self.tmp / "scale"
        config_dir = root / "config"
        make_scale_mirror.reduced_config(self.copy / "data", config_dir)
        rows, ok, errors = [], True, []
        for n in self.args.areas:
            mirror = root / f"n{n}"
            summary = make_scale_mirror.write_mirror(mirror, n, seed=1)
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--scale-worker",
                str(mirror),
                "--scale-config",
                str(config_dir),
                "--repeat",
                str(self.args.repeat),
            ]
            result = run_command(
                f"scale n={n}",
                command,
                base_env(self.copy, mirror, root / f"work{n}"),
                self.copy,
                self.timeout,
                echo=False,
            )
            row = {
                "areas": n,
                "mirror_bytes": summary["bytes"],
                "ok": result["ok"],
                "wall": result["wall"],
                "cpu": result["cpu"],
                "peak_mb": result["peak_mb"],
                "load_before": result["load_before"],
            }
            payload = [ln for _, ln in result["lines"] if ln.startswith("SCALE_RESULT ")]
            if result["ok"] and payload:
                row.update(json.loads(payload[-1][len("SCALE_RESULT ") :]))
            else:
                ok = False
                errors.append(f"n={n}: {result.get('error') or 'no result line'}")
            rows.append(row)
            self.log(
                f"scale n={n}: {'ok' if row['ok'] else 'FAILED'}"
                + (f", total {row['times']['total']:.3f} s" if row.get("times") else "")
            )
        summary = {
            "label": "scale",
            "ok": ok,
            "rows": rows,
            "wall": sum(r["wall"] for r in rows),
            "cpu": sum(r["cpu"] for r in rows),
            "peak_mb": max((r["peak_mb"] or 0) for r in rows) if psutil else None,
            "load_before": rows[0]["load_before"] if rows else math.nan,
        }
        if errors:
            summary["error"] = "\n".join(errors)
        summary["fit"] = fit_scale([r for r in rows if r.get("times")])
        self.record("scale", summary)

    def run(self) -> None:
        self.started = datetime.now()
        self.machine = machine()
        self.log(f"temporary folder {self.tmp}")
        self.files = snapshot(self.copy)
        self.log(f"project snapshot: {self.files} files -> {self.copy}")
        self.guarded("cold_html", self.cold_html)
        # right after cold_html, so that both see similar machine load (the target compares them)
        self.guarded("cold_all", self.cold_all)
        self.guarded("measure_all", self.measure_all)
        self.guarded("naive_html", self.naive_html)
        # website-only rebuilds first: a PDF build executes the notebooks with other parameters
        # (images for the PDF), after which a website-only build would execute them again
        self.guarded("nochange_html", self.nochange_html)
        self.guarded("measure_html", self.measure_html)
        self.guarded("pdf_after_html", self.pdf_after_html)
        self.guarded("editions_html", self.editions_html)
        self.guarded("scale", self.scale)
        self.machine["load_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
        self.finished = datetime.now()


# -- scale worker (runs in its own process, with the snapshot's package) ----------------------


def scale_worker(mirror: Path, config_dir: Path, repeat: int) -> None:
    from sozialbericht.analysis import warning
    from sozialbericht.analysis.indicators import compute, read_catalogue
    from sozialbericht.data.inputs import load_inputs, read_dataset_specs
    from sozialbericht.data.opendata import Cache, LocalSource

    specs = read_dataset_specs(config_dir / "datasets.yml")
    catalogue = read_catalogue(config_dir / "indicators.yml", datasets=specs)
    config = warning.load_config(config_dir / "fruehwarnsystem.yml", catalogue)
    source = LocalSource(mirror)
    cache = Cache(Path(tempfile.mkdtemp(prefix="scale-cache-")))
    names = ("load_inputs", "indicators", "warning_values", "status_dynamics", "flags", "warning_run")
    phases = {k: [] for k in names + ("total",)}
    walls = {k: [] for k in names + ("total",)}
    facts = {}
    for _ in range(max(1, repeat)):
        marks = [(time.process_time(), time.perf_counter())]
        inputs = load_inputs(source, specs, cache)
        marks.append((time.process_time(), time.perf_counter()))
        values = {i: compute(inputs, indicator) for i, indicator in catalogue.indicators.items()}
        marks.append((time.process_time(), time.perf_counter()))
        warning_values = warning.load_values(inputs, config)
        marks.append((time.process_time(), time.perf_counter()))
        status = warning.status_dynamics(warning_values, YEAR, config)
        marks.append((time.process_time(), time.perf_counter()))
        flagged = warning.flags(warning_values, YEAR, config, status=status)
        marks.append((time.process_time(), time.perf_counter()))
        result = warning.run(warning_values, YEAR, config)  # status, flags for YEAR and YEAR-1, changes
        marks.append((time.process_time(), time.perf_counter()))
        for i, key in enumerate(names):
            phases[key].append(marks[i + 1][0] - marks[i][0])
            walls[key].append(marks[i + 1][1] - marks[i][1])
        phases["total"].append(marks[-1][0] - marks[0][0])
        walls["total"].append(marks[-1][1] - marks[0][1])
        facts = {
            "rows": int(len(inputs.table)),
            "indicator_rows": int(sum(len(v) for v in values.values())),
            "ortsteile": int((inputs.table["level"] == "Ortsteil").groupby(inputs.table["area_code"]).any().sum()),
            "classed": int(status["status_class"].notna().sum()),
            "flags": int(len(flagged)),
            "flags_run": int(len(result.flags)),
            "indicators": len(values),
        }
    # CPU time of this process (less disturbed by other processes than wall time); minimum of the repetitions
    times = {k: min(v) for k, v in phases.items()}
    wall = {k: min(v) for k, v in walls.items()}
    spread = {k: (max(v) - min(v)) for k, v in phases.items()}
    print(
        "SCALE_RESULT " + json.dumps({"times": times, "wall_times": wall, "spread": spread, "repeat": repeat, **facts}),
        flush=True,
    )


LINEAR_ALL, LINEAR_TOP = 1.1, 1.25


def is_linear(fit: dict) -> bool:
    return fit["exponent"] <= LINEAR_ALL and fit["exponent_top"] <= LINEAR_TOP


def fit_scale(rows: list[dict]) -> dict:
    """Log-log slopes (exponent b in t ~ N^b) overall and between the two largest N; per-area costs."""
    if len(rows) < 2:
        return {}
    out = {}
    for key in rows[0]["times"]:
        ns = [r["areas"] for r in rows]
        ts = [max(r["times"][key], 1e-6) for r in rows]
        xs, ys = [math.log(n) for n in ns], [math.log(t) for t in ts]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        local = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
        # linear model t = a + b N (least squares): fixed cost a, cost per area b
        mn, mt = statistics.fmean(ns), statistics.fmean(ts)
        b = sum((n - mn) * (t - mt) for n, t in zip(ns, ts)) / sum((n - mn) ** 2 for n in ns)
        out[key] = {
            "exponent": slope,
            "exponent_top": local,
            "fixed_s": mt - b * mn,
            "per_area_ms": b * 1000,
            "ratio_top": ts[-1] / ts[-2],
            "n_ratio_top": ns[-1] / ns[-2],
        }
    return out


# -- machine --------------------------------------------------------------------------------


def machine() -> dict:
    info = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
        info["cpu"] = model.group(1).strip() if model else "unknown"
    except OSError:
        info["cpu"] = "unknown"
    try:
        meminfo = Path("/proc/meminfo").read_text()
        info["mem_gb"] = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / 1024 / 1024
        info["mem_available_gb"] = int(re.search(r"MemAvailable:\s+(\d+)", meminfo).group(1)) / 1024 / 1024
    except (OSError, AttributeError):
        pass
    info["load_start"] = os.getloadavg()
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
        info["nproc"] = int(nproc) if nproc else info["nproc"]
    except OSError:
        pass
    if psutil is not None:  # what else is using the CPU (names only)
        processes = list(psutil.process_iter(["pid", "name", "cmdline"]))
        for p in processes:
            try:
                p.cpu_percent(None)
            except psutil.Error:
                pass
        time.sleep(1.0)
        busy = []
        for p in processes:
            try:
                share = p.cpu_percent(None)
                if share >= 10 and p.pid != os.getpid():
                    cmd = " ".join(p.info["cmdline"] or [p.info["name"] or "?"])
                    busy.append((round(share), cmd[:90]))
            except psutil.Error:
                pass
        info["busy"] = sorted(busy, reverse=True)[:6]
    versions = {}
    from importlib import metadata

    for package in (
        "jupyter-book",
        "sphinx",
        "myst-nb",
        "papermill",
        "nbclient",
        "pandas",
        "geopandas",
        "altair",
        "vl-convert-python",
        "psutil",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    info["versions"] = versions
    info["pythondontwritebytecode"] = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    try:
        info["git"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        info["git_dirty"] = bool(subprocess.run(["git", "diff", "--quiet", "HEAD", "--"], cwd=ROOT).returncode)
    except OSError:
        pass
    return info


# -- report ---------------------------------------------------------------------------------


def fmt_s(value) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f} s"


def fmt_mb(value) -> str:
    return "–" if not value else f"{value:,.0f} MB"


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("**met**" if ok else "**not met**")


def error_block(text: str) -> list[str]:
    return ["", "```", *(text or "").strip().splitlines()[-30:], "```", ""]


def report(bench: Bench) -> str:
    r, m, a = bench.results, bench.machine, bench.args
    lines = [
        "# Benchmark: Sozialbericht build",
        "",
        f"Generated by `scripts/bench.py{' --quick' if a.quick else ''}` (`make bench`) on "
        f"{bench.started:%Y-%m-%d %H:%M} – {bench.finished:%H:%M}, data: `{bench.data}`, project snapshot of "
        f"commit `{m.get('git', '?')}`{' plus uncommitted changes' if m.get('git_dirty') else ''} "
        f"({bench.files} files copied to a temp folder, run with `PYTHONPATH=<copy>/src`). "
        "Each scenario ran once; timings on a shared machine vary by ±20 % or more between runs.",
        "",
        "## Machine",
        "",
        f"- CPU: {m.get('cpu')}, `nproc` = {m.get('nproc')}",
        f"- Memory: {m.get('mem_gb', 0):.1f} GB ({m.get('mem_available_gb', 0):.1f} GB available at start)",
        f"- Python {m.get('python')} ({sys.executable}), {m.get('platform')}",
        f"- Date: {m.get('date')}",
        f"- Load average (1/5/15 min) at start: {' / '.join(f'{x:.2f}' for x in m.get('load_start', ()))}; "
        f"at end: {' / '.join(f'{x:.2f}' for x in (m.get('load_end') or ()))}. "
        "**Other processes were running on this machine**; a load above the number of cores "
        "means the build had to share the CPUs, so these wall times are pessimistic."
        if max(m.get("load_start", (0,))) > 0.5
        else f"- Load average (1/5/15 min) at start: {' / '.join(f'{x:.2f}' for x in m.get('load_start', ()))}",
    ]
    if m.get("busy"):
        lines.append(
            "- Busy processes at start (CPU % over 1 s, not this benchmark): "
            + "; ".join(f"{share} % `{cmd}`" for share, cmd in m["busy"])
        )
    lines.append("- Versions: " + ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items()))
    if m.get("pythondontwritebytecode"):
        lines.append(
            "- `PYTHONDONTWRITEBYTECODE` is set in this environment: every process (each notebook kernel) "
            "compiles the package's modules from source instead of reading cached bytecode."
        )
    lines.append(
        "- Memory is the peak of the summed RSS of the build process and all its children "
        "(kernels, jupyter-book, LaTeX), sampled every 0.1 s with psutil; shared pages count once per "
        "process, so it overestimates. CPU is user+system time of the process tree."
        if psutil
        else "- psutil is not installed: memory is `ru_maxrss` of the largest single child process."
    )

    # targets
    cold, naive, nochange = r.get("cold_html", {}), r.get("naive_html", {}), r.get("nochange_html", {})
    ratio = naive["wall"] / cold["wall"] if cold.get("ok") and naive.get("ok") else None
    peaks = [(k, v.get("peak_mb")) for k, v in r.items() if k != "naive_html" and v.get("peak_mb")]
    peak_key, peak_value = max(peaks, key=lambda kv: kv[1]) if peaks else (None, None)
    scale = r.get("scale", {})
    fit = scale.get("fit", {}).get("total") if scale.get("ok") else None
    lines += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|"]

    def measured(x, text):
        return text if x.get("ok") else ("failed" if x else "not run")

    lines.append(
        f"| cold HTML build of one edition < {TARGETS['cold_html_s']:.0f} s | "
        + measured(cold, f"{cold.get('wall', 0):.1f} s")
        + " | "
        + verdict(cold["wall"] < TARGETS["cold_html_s"] if cold.get("ok") else (False if cold else None))
        + " |"
    )
    lines.append(
        f"| rebuild with nothing changed < {TARGETS['nochange_s']:.0f} s | "
        + measured(nochange, f"{nochange.get('wall', 0):.1f} s")
        + " | "
        + verdict(nochange["wall"] < TARGETS["nochange_s"] if nochange.get("ok") else (False if nochange else None))
        + " |"
    )
    lines.append(
        f"| ≥ {TARGETS['naive_ratio']:.0f}× faster than the naive Jupyter Book build (cold HTML) | "
        + (
            f"{ratio:.2f}× ({naive['wall']:.1f} s naive / {cold['wall']:.1f} s ours)"
            if ratio
            else ("failed" if naive else "not run")
        )
        + " | "
        + verdict(ratio >= TARGETS["naive_ratio"] if ratio else (False if naive else None))
        + " |"
    )
    cold_all = r.get("cold_all", {})
    all_ratio = cold_all["wall"] / cold["wall"] if cold.get("ok") and cold_all.get("ok") else None
    lines.append(
        f"| cold build of website and both PDFs ≤ {TARGETS['all_ratio']:.1f}× the cold website-only build | "
        + (
            f"{all_ratio:.2f}× ({cold_all['wall']:.1f} s / {cold['wall']:.1f} s)"
            if all_ratio
            else ("failed" if cold_all else "not run")
        )
        + " | "
        + verdict(all_ratio <= TARGETS["all_ratio"] if all_ratio else (False if cold_all else None))
        + " |"
    )
    lines.append(
        f"| peak memory < {TARGETS['peak_mb'] / 1024:.1f} GB | "
        + (f"{peak_value:,.0f} MB ({peak_key})" if peak_value else "not measured")
        + " | "
        + verdict(peak_value < TARGETS["peak_mb"] if peak_value else None)
        + " |"
    )
    if fit:
        linear = is_linear(fit)
        lines.append(
            f"| cost no worse than linear in the number of areas | exponent {fit['exponent']:.2f} "
            f"(log-log fit over N = {', '.join(str(x['areas']) for x in scale['rows'])}), "
            f"{fit['exponent_top']:.2f} between the two largest N | {verdict(linear)} |"
        )
    else:
        lines.append(
            "| cost no worse than linear in the number of areas | "
            + ("failed" if scale else "not run")
            + f" | {verdict(False if scale else None)} |"
        )

    # scenario table
    lines += [
        "",
        "## Scenarios",
        "",
        "| scenario | result | wall | CPU | peak memory | load (1 min) before | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    notes = {
        "cold_html": lambda x: (
            f"fresh build/editions folders; {x.get('executed')} of {x.get('of')} notebooks "
            f"executed; {x.get('pages', 0)} HTML pages"
        ),
        "naive_html": lambda x: (
            f"Jupyter Book executes the 14 template notebooks itself; {x.get('pages', 0)} HTML pages"
        ),
        "pdf_after_html": lambda x: (
            f"in the folders of cold_html: notebooks run again with the print charts ({x.get('executed')} executed); "
            f"PDF {x.get('pdf_mb', 0):.1f} MB, {x.get('pdf_pages', '?')} pages"
        ),
        "cold_all": lambda x: (
            f"fresh folders; {x.get('executed')} of {x.get('of')} notebooks executed; report PDF "
            f"{x.get('pdf_mb', 0):.1f} MB, {x.get('pdf_pages', '?')} pages; annex {x.get('annex_mb', 0):.1f} MB, "
            f"{x.get('annex_pages', '?')} pages"
        ),
        "measure_all": lambda x: (
            f"{x.get('executed')} of {x.get('of')} notebooks re-executed; website and both PDFs rebuilt"
        ),
        "nochange_html": lambda x: (
            "build key unchanged, Jupyter Book skipped" if x.get("skipped") else "**not** recognised as unchanged"
        ),
        "measure_html": lambda x: (
            f"{x.get('executed')} of {x.get('of')} notebooks re-executed; change visible in "
            f"{len(x.get('change_visible_in', []))} page(s)"
        ),
        "editions_html": lambda x: (
            f"years {', '.join(map(str, x.get('years', [])))}, one after another, fresh folders; "
            f"published: {', '.join(x.get('published', []))}"
        ),
        "scale": lambda x: "generated mirrors, " + ", ".join(f"N = {row['areas']}" for row in x.get("rows", [])),
    }
    for key in (
        "cold_html",
        "cold_all",
        "measure_all",
        "naive_html",
        "pdf_after_html",
        "nochange_html",
        "measure_html",
        "editions_html",
        "scale",
    ):
        x = r.get(key)
        if x is None:
            lines.append(f"| {key} | not run | | | | | |")
            continue
        try:
            note = notes[key](x)
        except Exception:
            note = ""
        lines.append(
            f"| {key} | {'ok' if x.get('ok') else '**FAILED**'} | {fmt_s(x.get('wall'))} | "
            f"{fmt_s(x.get('cpu'))} | {fmt_mb(x.get('peak_mb'))} | {x.get('load_before', '–')} | {note} |"
        )
    failed = [(k, v) for k, v in r.items() if not v.get("ok")]
    if failed:
        lines += ["", "### Failures", ""]
        for key, value in failed:
            lines += [f"**{key}** failed:"] + error_block(value.get("error", "(no message)"))

    observed = observations(r)
    if observed:
        lines += ["", "## Observations (computed from the numbers below)", ""] + [f"- {o}" for o in observed]

    # where the time goes
    lines += ["", "## Where the time goes", ""]
    for key, title in (
        ("cold_html", "Cold HTML build (2023)"),
        ("cold_all", "Cold build of website, report PDF and annex (2023)"),
        ("measure_all", "Rebuild of all three after one measure changed"),
        ("pdf_after_html", "PDF after the HTML"),
        ("nochange_html", "Rebuild, nothing changed"),
        ("measure_html", "Rebuild after one measure changed"),
    ):
        x = r.get(key)
        if not x or not x.get("phases"):
            continue
        lines += [
            f"### {title}",
            "",
            "Phases (from the times at which the build's log lines appeared):",
            "",
            "| phase | seconds | share |",
            "|---|---|---|",
        ]
        for phase, seconds in x["phases"].items():
            lines.append(f"| {phase} | {seconds:.1f} | {seconds / x['wall'] * 100:.0f} % |")
        lines.append(f"| **total (wall)** | **{x['wall']:.1f}** | |")
        if x.get("peak_top"):
            lines += [
                "",
                "Largest processes at the memory peak: "
                + ", ".join(f"{name} {mb} MB" for name, mb in x["peak_top"])
                + f" ({x.get('peak_processes')} processes).",
            ]
        if x.get("notebooks"):
            nbs = sorted(x["notebooks"].items(), key=lambda kv: -kv[1])
            total = sum(v for _, v in nbs)
            span = x["phases"].get("execute notebooks") or math.nan
            lines += [
                "",
                f"Notebooks (papermill, 2 workers, longest first): sum {total:.1f} s in {span:.1f} s wall "
                f"(parallel speed-up {total / span:.2f}).",
                "",
                "| notebook | seconds |",
                "|---|---|",
            ] + [f"| {n} | {s:.1f} |" for n, s in nbs]
        if key == "measure_html":
            lines += [
                "",
                f"Change: {x.get('change')}. Pages showing it: {', '.join(x.get('change_visible_in', [])) or 'none'}.",
            ]
            if x.get("warning"):
                lines.append(f"**Warning:** {x['warning']}.")
        lines.append("")

    # naive
    if naive:
        lines += [
            "## Naive baseline: Jupyter Book executes the notebooks",
            "",
            "What ran: a book folder with the 14 template notebooks from `notebooks/` (default parameters: "
            f"year {YEAR}, `inputs_file` empty, so each notebook reads and parses the mirror itself via "
            "`SOZIALBERICHT_DATA` and computes indicator values and the early warning itself), the project's "
            "`_config.yml` with `execute: {execute_notebooks: force, timeout: 1200}` and the project's "
            "`_toc.yml` without the Ortsteil-profile glob"
            + (
                f" (removed from: {', '.join(map(str, naive.get('toc_without', [])))})"
                if naive.get("toc_without")
                else ""
            )
            + "; same static assets (Vega bundle, MathJax), then `jupyter-book build --builder html --keep-going`.",
            "",
            "What differs from our cold build: Jupyter Book executes the notebooks one after another in one "
            "process (ours: papermill, 2 workers, inputs read once and indicator values and early warning "
            "precomputed once); the naive site has no Ortsteil-profile pages (63 pages fewer for Sphinx; the "
            "profiles notebook runs but writes nothing without `output_dir`), no chart CSVs, no downloads "
            "(CSV, data package, manifest) and no atomic publishing. So the naive build does *less* output "
            "work than ours; the ratio is conservative in that respect.",
            "",
        ]
        if naive.get("ok"):
            lines.append(
                f"Result: {naive['wall']:.1f} s wall, {naive['cpu']:.1f} s CPU, peak {fmt_mb(naive.get('peak_mb'))}, "
                f"{naive.get('pages')} HTML pages (ours: {cold.get('pages', '?')}). "
                + (f"Ratio naive / ours = **{ratio:.2f}×**." if ratio else "")
            )
            if naive.get("executed"):
                nbs = sorted(naive["executed"].items(), key=lambda kv: -kv[1])
                total = sum(v for _, v in nbs)
                lines += [
                    "",
                    f"Notebook execution reported by MyST-NB: {total:.1f} s in total "
                    f"(the rest, {naive['wall'] - total:.1f} s, is Sphinx/Jupyter Book).",
                    "",
                    "| notebook | seconds |",
                    "|---|---|",
                ] + [f"| {n} | {s:.1f} |" for n, s in nbs]
        lines.append("")

    # editions
    editions = r.get("editions_html")
    if editions and editions.get("runs"):
        lines += [
            "## Several editions, cold",
            "",
            "| year | result | wall | CPU | peak memory | notebooks executed |",
            "|---|---|---|---|---|---|",
        ]
        for run in editions["runs"]:
            lines.append(
                f"| {run['year']} | {'ok' if run['ok'] else '**FAILED**'} | {fmt_s(run['wall'])} | "
                f"{fmt_s(run['cpu'])} | {fmt_mb(run.get('peak_mb'))} | {run.get('executed')} of {run.get('of')} |"
            )
        lines.append(
            f"| **all** | | **{fmt_s(editions['wall'])}** | {fmt_s(editions['cpu'])} | "
            f"{fmt_mb(editions.get('peak_mb'))} | |"
        )
        lines.append("")

    # scale
    if scale.get("rows"):
        lines += [
            "## Scale: data layer and computations against the number of areas",
            "",
            "Generated mirrors (`scripts/make_scale_mirror.py`): N Ortsteile as square polygons with codes "
            "`000`–`999` (first digit = Stadtbezirk), 10 Stadtbezirke, the city; four datasets in the "
            "recorded kdvalues CSV layout (Einwohner 2000–2023, Arbeitslose 2000–2022, SGB II 2008–2022, "
            "Straftaten 2004–2022; Stadtbezirk and city rows are the sums). Reduced `datasets.yml`, "
            "`indicators.yml` (9 indicators) and `fruehwarnsystem.yml` (the project's index and the rules "
            "whose indicators exist) in the temp folder. Each N runs in its own process; times are the "
            f"minimum of {a.repeat} repetition(s), in **CPU seconds of the worker process** (`time.process_time`, "
            "less disturbed by the other load on the machine than wall time; the wall time of the total is "
            "shown too). `warning_run` = `warning.run` (status, flags for the year and the year before, "
            "changes, years used), i.e. what the build's precompute does after `load_values`.",
            "",
            "| N | load_inputs | indicators | warning values | status_dynamics | flags | warning.run | "
            "**total (CPU)** | total (wall) | total per area | tidy rows | classed | flags | peak memory |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in scale["rows"]:
            t = row.get("times")
            if not t:
                lines.append(f"| {row['areas']} | **FAILED** | | | | | | | | | | | | |")
                continue
            lines.append(
                f"| {row['areas']} | {t['load_inputs']:.3f} | {t['indicators']:.3f} | {t['warning_values']:.3f} | "
                f"{t['status_dynamics']:.3f} | {t['flags']:.3f} | {t['warning_run']:.3f} | **{t['total']:.3f}** | "
                f"{row.get('wall_times', {}).get('total', math.nan):.3f} | {t['total'] / row['areas'] * 1000:.2f} ms | {row['rows']:,} | {row['classed']} | {row['flags']} | "
                f"{fmt_mb(row.get('peak_mb'))} |"
            )
        if scale.get("fit"):
            lines += [
                "",
                "Growth: exponent b of t ∝ N^b (log-log least squares over all N, and between the two "
                "largest N), and a linear fit t = a + c·N (a: fixed cost, c: cost per area). b ≤ 1 means "
                "at most linear; b < 1 at small N comes from fixed costs.",
                "",
                "| phase | b (all N) | b (largest two N) | fixed a | per area c | t ratio at N ratio |",
                "|---|---|---|---|---|---|",
            ]
            for phase, f in scale["fit"].items():
                lines.append(
                    f"| {phase} | {f['exponent']:.2f} | {f['exponent_top']:.2f} | {f['fixed_s']:.3f} s | "
                    f"{f['per_area_ms']:.3f} ms | {f['ratio_top']:.2f}× at {f['n_ratio_top']:.0f}× |"
                )
            superlinear = [p for p, f in scale["fit"].items() if not is_linear(f)]
            lines += [
                "",
                f'Criterion for "at most linear": b ≤ {LINEAR_ALL} over all N and b ≤ {LINEAR_TOP} between '
                "the two largest N (tolerance for timing noise on a shared machine). "
                + ("Every phase meets it." if not superlinear else f"Phases that do not: {', '.join(superlinear)}."),
            ]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def observations(r: dict) -> list[str]:
    """Plain facts derived from the measurements, to point at what dominates."""
    out = []
    cold, naive = r.get("cold_html", {}), r.get("naive_html", {})
    if cold.get("ok") and cold.get("notebooks"):
        nbs = cold["notebooks"]
        span = cold["phases"].get("execute notebooks", math.nan)
        longest, seconds = max(nbs.items(), key=lambda kv: kv[1])
        floor_name, floor = min(nbs.items(), key=lambda kv: kv[1])
        total = sum(nbs.values())
        jb = next((v for k, v in cold["phases"].items() if k.startswith("jupyter-book")), math.nan)
        out.append(
            f"Cold HTML: executing the notebooks takes {span:.1f} s of {cold['wall']:.1f} s "
            f"({span / cold['wall'] * 100:.0f} %), Jupyter Book {jb:.1f} s ({jb / cold['wall'] * 100:.0f} %). "
            f"With 2 workers the notebook phase cannot be shorter than max(longest notebook, sum / 2) = "
            f"{max(seconds, total / 2):.1f} s; the longest is `{longest}` ({seconds:.1f} s, "
            f"{seconds / total * 100:.0f} % of the notebook-seconds)."
        )
        out.append(
            f"The notebooks run in two warm kernels, one per worker, started while the build precomputes; no "
            f"notebook pays a kernel start or the imports. The cheapest (`{floor_name}`, {floor:.1f} s) is "
            f"about the per-notebook overhead (namespace reset, papermill parameters, unpickling the inputs, "
            f"writing the output notebook): {floor * len(nbs):.0f} s of the {total:.0f} notebook-seconds "
            f"over {len(nbs)} notebooks."
        )
    if naive.get("ok") and naive.get("executed") and cold.get("ok") and cold.get("notebooks"):
        n_total = sum(naive["executed"].values())
        common = sorted(set(naive["executed"]) & set(cold["notebooks"]) - {"steckbriefe"})
        ours = sum(cold["notebooks"][k] for k in common)
        theirs = sum(naive["executed"][k] for k in common)
        prof_ours, prof_naive = cold["notebooks"].get("steckbriefe"), naive["executed"].get("steckbriefe")
        out.append(
            f"Naive: Jupyter Book spent {n_total:.1f} s executing notebooks one after another and "
            f"{naive['wall'] - n_total:.1f} s on Sphinx ({naive.get('pages')} pages). The {len(common)} "
            f"notebooks other than `steckbriefe` took {ours:.1f} notebook-seconds in our build, two at a time "
            f"(≈ {ours / 2:.0f} s wall), vs {theirs:.1f} s one after another in the naive build (each reading "
            "the data itself). "
            + (
                f"`steckbriefe` took {prof_ours:.1f} s in ours (writes 63 profile pages with charts) vs "
                f"{prof_naive:.1f} s naive (writes nothing without `output_dir`); "
                if prof_ours and prof_naive
                else ""
            )
            + f"Jupyter Book took {jb:.1f} s for {cold.get('pages')} pages in ours."
        )
    nochange = r.get("nochange_html", {})
    if nochange.get("ok") and nochange.get("phases"):
        first = nochange["phases"].get("start, read data, compare build key", math.nan)
        out.append(
            f"No-change rebuild: {first:.1f} s of {nochange['wall']:.1f} s go to starting Python, reading and "
            "parsing every input and validating the catalogues; then the build key matches and nothing else "
            "runs (no precompute, no kernel)."
        )
    measure = r.get("measure_html", {})
    if measure.get("ok"):
        out.append(
            f"One changed status note re-executed {measure.get('executed')} of {measure.get('of')} notebooks "
            f"({measure['wall']:.1f} s); it shows on {len(measure.get('change_visible_in', []))} page(s). "
            "Plans, measures and participation reach the other pages as fragments written by the build, "
            "and Jupyter Book rebuilds only changed pages in the kept staging folder."
        )
    cold, full = r.get("cold_html", {}), r.get("cold_all", {})
    if cold.get("ok") and full.get("ok") and cold.get("phases") and full.get("phases"):

        def phase(result: dict, prefix: str) -> float:
            return sum(v for k, v in result["phases"].items() if k.startswith(prefix))

        notebooks = phase(full, "execute notebooks") - phase(cold, "execute notebooks")
        sphinx = phase(full, "jupyter-book") - phase(cold, "jupyter-book")
        out.append(
            f"Website and both PDFs take {full['wall'] - cold['wall']:.1f} s longer than the website alone: "
            f"{notebooks:.1f} s more in the notebook phase (every chart is drawn a second time, as a vector PDF "
            "for print, and the annex starts there at low priority) and "
            f"{sphinx:.1f} s more in the Sphinx phase, where the report PDF (Sphinx's LaTeX writer, three xelatex "
            "passes, xdvipdfmx) is the longest job and the website's Sphinx yields to it."
        )
    pdf = r.get("pdf_after_html", {})
    if pdf.get("ok") and pdf.get("phases"):
        jb = next((v for k, v in pdf["phases"].items() if k.startswith("jupyter-book")), math.nan)
        out.append(
            f"PDF after a website-only build: {pdf.get('executed')} of {pdf.get('of')} notebooks run again "
            "(a website-only build does not draw the charts for print), then "
            f"{jb:.1f} s of {pdf['wall']:.1f} s are `jupyter-book pdflatex` (Sphinx LaTeX writer plus xelatex runs)."
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark of the Sozialbericht build (see the module docstring).")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller run: 2 editions instead of 5, 2 repetitions of the scale computations instead of 3",
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "BENCHMARK.md", help="Markdown report (default: %(default)s)"
    )
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated scenarios: cold_html,cold_all,measure_all,naive_html,pdf_after_html,"
        "nochange_html,measure_html,editions_html,scale",
    )
    parser.add_argument(
        "--areas",
        default=None,
        help="area counts of the scale run (10..1000); default 63,125,250,500,1000 (--quick: 63,250,1000)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per command")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--scale-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scale-config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=None, help="repetitions of the scale computations")
    args = parser.parse_args(argv)
    if args.scale_worker:
        scale_worker(args.scale_worker, args.scale_config, args.repeat or 1)
        return 0
    setting = os.environ.get("SOZIALBERICHT_DATA", "").strip()
    default = (ROOT / ".." / "shared" / "data" / "leipzig" / "mirror").resolve()
    if setting:
        data = Path(setting).expanduser()
        data = data if data.is_absolute() else (Path.cwd() / data)
    elif (default / "INDEX.csv").is_file():
        data = default
    else:
        print(
            "SOZIALBERICHT_DATA is not set and ../shared/data/leipzig/mirror does not exist: "
            "point SOZIALBERICHT_DATA at a folder laid out like the mirror.",
            file=sys.stderr,
        )
        return 2
    if not (data / "INDEX.csv").is_file():
        print(f"{data} has no INDEX.csv: not a mirror folder.", file=sys.stderr)
        return 2
    args.data = data.resolve()
    args.only = {s.strip() for s in args.only.split(",") if s.strip()}
    args.years = [2022, 2023] if args.quick else list(range(2019, 2024))
    args.repeat = args.repeat or (2 if args.quick else 3)
    args.areas = [
        int(n) for n in (args.areas or ("63,250,1000" if args.quick else "63,125,250,500,1000")).split(",") if n.strip()
    ]
    bench = Bench(args)
    try:
        bench.run()
    finally:
        if not args.keep:
            shutil.rmtree(bench.tmp, ignore_errors=True)
        else:
            print(f"kept {bench.tmp}")
    text = report(bench)
    args.output.write_text(text, encoding="utf-8")
    if args.json:
        raw = {k: {kk: vv for kk, vv in v.items() if kk != "lines"} for k, v in bench.results.items()}
        for value in raw.values():
            for run in value.get("runs", []):
                run.pop("lines", None)
        meta = {
            "started": bench.started.isoformat(),
            "finished": bench.finished.isoformat(),
            "files": bench.files,
            "data": str(bench.data),
            "quick": args.quick,
            "repeat": args.repeat,
            "areas": args.areas,
            "years": args.years,
        }
        args.json.write_text(
            json.dumps({"meta": meta, "machine": bench.machine, "results": raw}, indent=2, default=str),
            encoding="utf-8",
        )
    print(f"\nreport: {args.output}")
    return 0 if all(v.get("ok") for v in bench.results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
