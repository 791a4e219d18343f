"""A release: one edition's website, downloads and PDF from one build, in a folder of its own.

``assemble`` copies the compiled website into a new folder under ``releases/`` and adds the
PDF only if it belongs to the same build: the PDF this build compiled, or the published one
whose build key equals this build's key. A PDF left in the staging folder by an earlier full
build is removed (a website-only build used to publish it next to pages from newer data).
``build.json`` records the build key, the inputs' digest and the PDF's checksum, so
``verify`` can check that website and PDF describe the same data; ``.build-key`` is written
only here, with the release it describes. A failed assembly leaves no folder behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from sozialbericht.errors import SozialberichtError

BUILD_INFO = "build.json"
KEY_FILE = ".build-key"
# a release of the city's edition is about 65 MB; staging and the PDF need as much again
MIN_FREE_BYTES = 500 * 1024 * 1024
NO_PDF_NOTE = (
    "Für diese Fassung der Website liegt noch kein PDF vor; es wird mit dem nächsten vollständigen Build "
    "(Website und PDF) erstellt."
)


class ReleaseError(SozialberichtError):
    """The release could not be written; the published report is unchanged."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pdf_name(year: int) -> str:
    return f"sozialbericht-{year}.pdf"


def assemble(
    html: Path,
    releases: Path,
    year: int,
    key: str,
    inputs_digest: str,
    built_pdf: Path | None,
    published_pdf: Path | None = None,
) -> Path:
    """A complete release folder (not yet published); see the module's docstring."""
    releases.mkdir(parents=True, exist_ok=True)
    release = releases / f"{year}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    try:
        shutil.copytree(html, release, symlinks=True)
        for stale in release.glob("sozialbericht-*.pdf"):
            stale.unlink()
        pdf = built_pdf
        if pdf is None and published_pdf is not None and published_pdf.is_file():
            key_file = published_pdf.with_suffix(".key")
            if key_file.is_file() and key_file.read_text(encoding="utf-8").strip() == key:
                pdf = published_pdf  # compiled from exactly these inputs and this code
        info = {"year": year, "key": key, "inputs_digest": inputs_digest, "built": time.strftime("%Y-%m-%dT%H:%M:%S")}
        if pdf is not None:
            shutil.copy2(pdf, release / pdf_name(year))
            info["pdf"] = {"file": pdf_name(year), "sha256": sha256_file(release / pdf_name(year)), "key": key}
        else:
            info["pdf"] = None
            info["pdf_note"] = NO_PDF_NOTE
        (release / BUILD_INFO).write_text(json.dumps(info, indent=1), encoding="utf-8")
        (release / KEY_FILE).write_text(key, encoding="utf-8")
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)
        raise
    return release


def read_info(edition: Path) -> dict:
    """The build.json of a published edition; an empty dict for a release of an earlier version."""
    try:
        return json.loads((edition / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def remove_incomplete(releases: Path, year: int, keep: Path | None) -> list[Path]:
    """Release folders of ``year`` without build.json (a build that crashed while copying) go."""
    removed = []
    keep_resolved = keep.resolve() if keep is not None and keep.exists() else None
    for folder in releases.glob(f"{year}-*"):
        if folder.is_dir() and not (folder / BUILD_INFO).is_file() and folder.resolve() != keep_resolved:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def check_free_space(folder: Path, needed: int = MIN_FREE_BYTES) -> None:
    """Stop before the build starts when the output folder's disk cannot hold a release."""
    existing = folder
    while not existing.exists():
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    if free < needed:
        raise ReleaseError(
            f"Only {free / 2**20:,.0f} MB are free on the disk of {folder}; a build needs about "
            f"{needed / 2**20:,.0f} MB. Free some space (e.g. old folders in {folder / 'releases'}) and build again."
        )


def os_error_message(error: OSError, year: int) -> str:
    """The usual message for a file system error during a build: which folder, what happened."""
    where = Path(error.filename).parent if error.filename else "the output folder"
    name = f" ({Path(error.filename).name})" if error.filename else ""
    return (
        f"Building edition {year} failed while writing to {where}{name}: {error.strerror or error}. "
        "Check that the folder is writable and the disk is not full."
    )
