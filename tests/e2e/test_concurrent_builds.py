"""Builds that cannot corrupt each other, PDFs that are never stale (issue 18), end to end.

Two real builds of the same year are started half a second apart on two data folders that differ
in one number; before the edition lock, one published chapter pages computed from the other's
data next to downloads from its own, and ``verify`` said "verified".
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support_e2e import ROOT, YEAR, mirror, run_cli, site

from sozialbericht.build.verify_pages import html_tables

pytestmark = pytest.mark.e2e

EINWOHNER = "kdvalues/kdvalues_k2_r1_y.csv"


def _city_population(data: Path) -> int:
    rows = csv.reader(io.StringIO((data / EINWOHNER).read_text(encoding="utf-8")))
    header = next(rows)
    line = next(r for r in rows if r[0] == "Stadt Leipzig" and r[1].strip() == "Einwohner insgesamt")
    return int(line[header.index(str(YEAR))])


def _changed_copy(data: Path, target: Path, add: int) -> Path:
    """The data folder with the city's population of YEAR raised by ``add``."""
    shutil.copytree(data, target)
    path = target / EINWOHNER
    path.chmod(0o644)
    city = _city_population(data)
    text = path.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("Stadt Leipzig,Einwohner insgesamt"))
    path.write_text(text.replace(line, line.replace(f'"{city}"', f'"{city + add}"')), encoding="utf-8")
    assert _city_population(target) == city + add
    return target


def _german(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _published_population(edition: Path) -> tuple[str, int]:
    """The city's population as the chapter page shows it, and as the downloads hold it."""
    table = next(t for t in html_tables(edition / "book" / "edition" / "bevoelkerung.html") if "Kennzahl" in t[0])
    row = next(r for r in table if r[0].startswith("Einwohner") and r[1] == str(YEAR))
    with open(edition / "downloads" / f"indikatoren-{YEAR}.csv", encoding="utf-8") as handle:
        download = next(
            r
            for r in csv.DictReader(handle)
            if r["indicator"] == "einwohner" and r["level"] == "Stadt" and r["year"] == str(YEAR)
        )
    return row[2], int(float(download["value"]))


def _start(tmp: Path, data: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        SOZIALBERICHT_DATA=str(data),
        SOZIALBERICHT_BUILD=str(tmp / "_build"),
        SOZIALBERICHT_EDITIONS=str(tmp / "editions"),
        SOZIALBERICHT_CACHE=str(tmp / "cache"),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "sozialbericht", "build", "--year", str(YEAR), "--formats", "html"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_builds_of_one_year_never_mix_their_data(tmp_path):
    data_a = mirror()
    data_b = _changed_copy(data_a, tmp_path / "mirror-b", add=1000)
    city_a, city_b = _city_population(data_a), _city_population(data_b)
    first = _start(tmp_path, data_a)
    time.sleep(0.5)
    second = _start(tmp_path, data_b)
    results = [(p, *p.communicate(timeout=1200)) for p in (first, second)]
    published = [(p, out, err) for p, out, err in results if p.returncode == 0]
    stopped = [(p, out, err) for p, out, err in results if p.returncode != 0]
    assert len(published) == 1 and len(stopped) == 1, [(p.returncode, err[-2000:]) for p, _, err in results]
    winner, _, _ = published[0]
    _, _, message = stopped[0]
    assert f"Another build of {YEAR} is running (pid {winner.pid}" in message and "started" in message
    assert "left unchanged" in message

    expected = city_a if winner is first else city_b
    page, download = _published_population(site(tmp_path / "_build"))
    assert page == f"{_german(expected)} Personen" and download == expected
    winner_data, loser_data = (data_a, data_b) if winner is first else (data_b, data_a)
    verified = run_cli(tmp_path, winner_data, "verify", "--year", str(YEAR))
    assert verified.returncode == 0 and "RESULT: verified" in verified.stdout, verified.stdout + verified.stderr

    # the build that stopped runs again: it is not "unchanged", it publishes its own data, and verify agrees
    again = run_cli(tmp_path, loser_data, "build", "--year", str(YEAR), "--formats", "html")
    assert again.returncode == 0 and "unchanged" not in again.stdout, again.stderr[-2000:]
    page, download = _published_population(site(tmp_path / "_build"))
    other = city_b if winner is first else city_a
    assert page == f"{_german(other)} Personen" and download == other
    verified = run_cli(tmp_path, loser_data, "verify", "--year", str(YEAR))
    assert verified.returncode == 0 and "RESULT: verified" in verified.stdout, verified.stdout
    # and the first data now fail, naming the page that differs
    stale = run_cli(tmp_path, winner_data, "verify", "--year", str(YEAR))
    assert stale.returncode != 0 and "bevoelkerung.html" in stale.stdout


def test_a_website_only_build_after_a_data_change_publishes_no_stale_pdf(edition, tmp_path):
    build, data, tmp = edition
    copy = tmp_path / "copy"
    shutil.copytree(build, copy / "_build", symlinks=True)  # the session's full build (website and PDF)
    shutil.copytree(tmp / "editions", copy / "editions", symlinks=True)
    assert (site(copy / "_build") / f"sozialbericht-{YEAR}.pdf").is_file()
    changed = _changed_copy(data, tmp_path / "mirror-changed", add=1)
    result = run_cli(copy, changed, "build", "--year", str(YEAR), "--formats", "html")
    assert result.returncode == 0, result.stderr[-3000:]
    edition = site(copy / "_build")
    assert not (edition / f"sozialbericht-{YEAR}.pdf").exists(), "the old PDF shows the old data"
    entry = json.loads((copy / "_build" / "html" / "editions.json").read_text(encoding="utf-8"))[0]
    assert entry["pdf"] is None and "kein PDF" in entry["pdf_note"]
    assert "kein PDF" in (copy / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    assert "ohne PDF erstellt" in (edition / "book" / "edition" / "einleitung.html").read_text(encoding="utf-8")
    verified = run_cli(copy, changed, "verify", "--year", str(YEAR))
    assert verified.returncode == 0 and "RESULT: verified" in verified.stdout, verified.stdout
