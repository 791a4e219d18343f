"""Builds that cannot corrupt each other (issue 18): the edition lock, self-consistent releases,
free disk space and file system errors. The two real concurrent builds: tests/e2e/test_concurrent_builds.py.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sozialbericht.build import release
from sozialbericht.build.lock import EditionLocked, edition_lock

SRC = Path(__file__).resolve().parents[2] / "src"

HOLD = """
import sys, time
from pathlib import Path
from sozialbericht.build.lock import edition_lock
with edition_lock(Path(sys.argv[1]), 2022):
    print("locked", flush=True)
    time.sleep(60)
"""


def _hold_lock(lock_dir: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


# -- defect 1: one lock per edition, held by the process -------------------------------------------


def test_a_second_build_of_the_same_year_stops_naming_the_holder_and_the_lock_dies_with_it(tmp_path):
    holder = _hold_lock(tmp_path)
    try:
        with pytest.raises(EditionLocked) as caught, edition_lock(tmp_path, 2022):
            pass
        message = str(caught.value)
        assert f"pid {holder.pid}" in message and "started" in message and "2022.lock" in message
        with edition_lock(tmp_path, 2023):  # another year is not blocked
            pass
    finally:
        holder.send_signal(signal.SIGKILL)  # a crash: no clean-up code runs
        holder.wait()
    with edition_lock(tmp_path, 2022) as path:  # released by the kernel with the process
        assert f"pid {os.getpid()}" in path.read_text(encoding="utf-8")


def test_a_waiting_build_gets_the_lock_when_the_holder_ends(tmp_path):
    holder = _hold_lock(tmp_path)
    started = time.monotonic()
    try:
        subprocess.Popen(["sh", "-c", f"sleep 1; kill {holder.pid}"])
        with edition_lock(tmp_path, 2022, wait_seconds=30):
            waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert 0.5 < waited < 30


# -- defect 2: a website-only build never publishes a stale PDF -------------------------------------


@pytest.fixture
def staged(tmp_path) -> Path:
    """A compiled website as the staging folder holds it after an earlier full build: with its old PDF."""
    html = tmp_path / "stage" / "_build" / "html"
    (html / "downloads").mkdir(parents=True)
    (html / "index.html").write_text("<html>neu</html>", encoding="utf-8")
    (html / "sozialbericht-2022.pdf").write_bytes(b"%PDF old build")
    return html


def _published_pdf(tmp_path: Path, key: str) -> Path:
    pdf = tmp_path / "pdf" / "sozialbericht-2022.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF published")
    pdf.with_suffix(".key").write_text(key, encoding="utf-8")
    return pdf


def test_a_website_only_build_after_an_input_change_publishes_no_old_pdf(tmp_path, staged):
    published = _published_pdf(tmp_path, key="old-key")
    folder = release.assemble(staged, tmp_path / "releases", 2022, "new-key", "inputs", None, published)
    assert not (folder / "sozialbericht-2022.pdf").exists()
    info = release.read_info(folder)
    assert info["pdf"] is None and "kein PDF" in info["pdf_note"]
    assert (folder / ".build-key").read_text() == "new-key" and info["key"] == "new-key"


def test_a_website_only_build_keeps_the_pdf_of_the_same_key(tmp_path, staged):
    published = _published_pdf(tmp_path, key="same-key")
    folder = release.assemble(staged, tmp_path / "releases", 2022, "same-key", "inputs", None, published)
    assert (folder / "sozialbericht-2022.pdf").read_bytes() == b"%PDF published"
    info = release.read_info(folder)
    assert info["pdf"] == {
        "file": "sozialbericht-2022.pdf",
        "sha256": release.sha256_file(published),
        "key": "same-key",
    }


def test_editions_json_and_the_landing_page_say_when_an_edition_has_no_pdf(tmp_path, staged):
    from sozialbericht.build.publish import publish_edition
    from sozialbericht.settings import Settings

    folder = release.assemble(staged, tmp_path / "_build" / "releases", 2022, "k", "inputs", None, None)
    publish_edition(folder, 2022, Settings(build_dir=tmp_path / "_build"))
    editions = json.loads((tmp_path / "_build" / "html" / "editions.json").read_text(encoding="utf-8"))
    assert editions[0]["pdf"] is None and "kein PDF" in editions[0]["pdf_note"]
    landing = (tmp_path / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    assert "kein PDF" in landing and "PDF herunterladen" not in landing


# -- defect 5: read-only or full output folder -------------------------------------------------------


def test_a_release_that_cannot_be_copied_leaves_no_folder(tmp_path, staged, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(args[1]))

    copytree = shutil.copytree
    monkeypatch.setattr(shutil, "copytree", lambda src, dst, *_, **__: copytree(src, dst, copy_function=disk_full))
    with pytest.raises(OSError):
        release.assemble(staged, tmp_path / "releases", 2022, "k", "inputs", None, None)
    assert list((tmp_path / "releases").iterdir()) == []


def test_a_crashed_release_folder_is_removed_by_the_next_build(tmp_path):
    releases = tmp_path / "releases"
    (releases / "2022-20260101-000000-1").mkdir(parents=True)  # copy cut by a crash: no build.json
    complete = releases / "2022-20260101-000001-2"
    complete.mkdir()
    (complete / release.BUILD_INFO).write_text("{}")
    other_year = releases / "2021-20260101-000000-3"
    other_year.mkdir()
    removed = release.remove_incomplete(releases, 2022, keep=None)
    assert [p.name for p in removed] == ["2022-20260101-000000-1"]
    assert complete.is_dir() and other_year.is_dir()


def test_too_little_free_space_stops_before_the_build(tmp_path, monkeypatch):
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=100 * 2**20))
    with pytest.raises(release.ReleaseError) as caught:
        release.check_free_space(tmp_path / "_build")
    message = str(caught.value)
    assert "100 MB are free" in message and str(tmp_path / "_build") in message


def test_an_os_error_during_a_build_is_the_usual_message_naming_the_folder(tmp_path, capsys):
    if not os.environ.get("SOZIALBERICHT_DATA"):
        pytest.skip("needs the data mirror: set SOZIALBERICHT_DATA to its folder")
    from sozialbericht import cli

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # every write below a file fails, as in a read-only folder (the tests run as root, which may write anywhere)
    build_dir = str(blocker / "_build")
    assert cli.main(["build", "--build-dir", build_dir, "--year", "2022", "--formats", "html"]) == 1
    error = capsys.readouterr().err
    assert "Traceback" not in error and str(blocker) in error
    assert "published report was left unchanged" in error
