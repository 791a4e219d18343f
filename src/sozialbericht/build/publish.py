"""Publishing an edition: the website switched with one atomic rename, the PDF replaced with one
rename, and the landing page with the year switch's list of editions.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from sozialbericht import settings as config
from sozialbericht.build import release
from sozialbericht.build.common import atomic_write
from sozialbericht.settings import Settings


def site_root(settings: Settings) -> Path:
    return settings.build_dir / "html"


def publish_edition(release_dir: Path, year: int, settings: Settings) -> Path:
    """Switch _build/html/<year> to a finished release (release.assemble) with one atomic rename of a symlink."""
    root = site_root(settings)
    if root.is_symlink():  # the single-edition layout of earlier versions
        root.unlink()
    root.mkdir(parents=True, exist_ok=True)
    releases = release_dir.parent
    link = root / str(year)
    if link.exists() and not link.is_symlink():
        shutil.move(str(link), releases / f"{year}-previous-{os.getpid()}")
    temporary = root / f".{year}-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(os.path.relpath(release_dir, root))
    os.replace(temporary, link)
    for old in sorted(releases.glob(f"{year}-*"), key=lambda p: p.stat().st_mtime, reverse=True)[2:]:
        shutil.rmtree(old, ignore_errors=True)
    write_site_index(settings)
    return link


def published_editions(settings: Settings) -> list[dict]:
    root = site_root(settings)
    editions = []
    for link in sorted(root.glob("[0-9][0-9][0-9][0-9]"), reverse=True):
        if (link / "index.html").is_file():
            year = int(link.name)
            pdf = link / release.pdf_name(year)
            entry = {"year": year, "path": f"{year}/index.html", "pdf": f"{year}/{pdf.name}" if pdf.is_file() else None}
            annex = link / f"ortsteil-steckbriefe-{year}.pdf"  # the Ortsteil annex (build/annex.py)
            entry["annex"] = f"{year}/{annex.name}" if annex.is_file() else None
            if entry["pdf"] is None:  # a website-only build of newer data: the page says so
                entry["pdf_note"] = release.read_info(link).get("pdf_note", release.NO_PDF_NOTE)
            editions.append(entry)
    return editions


def write_site_index(settings: Settings) -> None:
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

    root = site_root(settings)
    editions = published_editions(settings)
    atomic_write(root / "editions.json", json.dumps(editions, indent=2))
    items = "\n".join(
        f'<li><a href="{e["path"]}">Sozialbericht {e["year"]}</a>'
        + (
            f' – <a href="{e["pdf"]}">PDF herunterladen<span class="sr-only"> ({e["year"]})</span></a>'
            if e["pdf"]
            else f" – {escape(e['pdf_note'])}"
        )
        + (
            f' – <a href="{e["annex"]}">Ortsteil-Steckbriefe (PDF)<span class="sr-only"> ({e["year"]})</span></a>'
            if e.get("annex")
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
    atomic_write(root / "index.html", page)


def publish_pdf(pdf_file: Path, year: int, key: str, settings: Settings) -> Path:
    target_dir = settings.build_dir / "pdf"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"sozialbericht-{year}.pdf"
    temporary = target.with_suffix(f".pdf.tmp{os.getpid()}")
    shutil.copy2(pdf_file, temporary)
    os.replace(temporary, target)
    atomic_write(target.with_suffix(".key"), key)
    return target
