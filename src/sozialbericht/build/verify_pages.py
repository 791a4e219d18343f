"""What readers see, recomputed and compared: part of ``verify`` (build/verify.py).

The indicator table in the downloads is not what a reader reads. Two builds racing each other
once published chapter pages computed from one data folder next to downloads from another, and
``verify`` said "verified". Here every chapter is rendered again from the inputs of now, with the
same code the notebooks call, and compared with the published site:

* the key-figure table of every chapter page (Kennzahl, Jahr, Wert, Veränderungen), cell by cell;
* the comparison table of every Ortsteil profile (``book/edition/steckbriefe/ot-XX.html``);
* the data behind every chart (``book/edition/daten/*.csv``: the sidecars the charts are drawn
  from and offered as downloads), number by number;
* the release's build record (build/release.py): the PDF's checksum and build key must be those
  of the website's build, and its inputs those read now.
"""

from __future__ import annotations

import math
import re
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from sozialbericht.build import release

KEY_FIGURE_HEADER = "Wert (Stadt Leipzig)"


class _Tables(HTMLParser):
    """The text of every table cell of a page, as tables of rows."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(_normal("".join(self._cell)))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def html_tables(page: Path) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tables


def markdown_rows(markdown: str) -> list[list[str]]:
    """The rows of the first pipe table in ``markdown``, without the alignment row; escapes removed."""
    rows = []
    for line in markdown.splitlines():
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [_normal(re.sub(r"\\(.)", r"\1", c)) for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        if not all(re.fullmatch(r":?-+:?", c) for c in cells):
            rows.append(cells)
    return rows


@dataclass
class PageCheck:
    compared: int = 0  # numbers and cells compared
    differences: list[str] = field(default_factory=list)


def _compare_key_figures(page: Path, expected: list[list[str]], check: PageCheck, label: str) -> None:
    table = next((t for t in html_tables(page) if t and KEY_FIGURE_HEADER in t[0]), None)
    if table is None:
        check.differences.append(f"{label}: no key-figure table on the published page")
        return
    published = {row[0]: row for row in table[1:] if row}
    for row in expected[1:]:
        check.compared += len(row) - 1
        found = published.get(row[0])
        if found != row:
            shown = found[1:] if found else "no such row"
            check.differences.append(f"{label}, {row[0]}: published {shown}, recomputed {row[1:]}")


def _same_number(a, b) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _compare_csv(published: Path, recomputed: Path, check: PageCheck, label: str) -> None:
    if not published.is_file():
        check.differences.append(f"{label}: chart data missing from the published site")
        return
    old, new = pd.read_csv(published, dtype=str), pd.read_csv(recomputed, dtype=str)
    if list(old.columns) != list(new.columns) or len(old) != len(new):
        check.differences.append(f"{label}: published {old.shape} {list(old.columns)}, recomputed {new.shape}")
        return
    for (position, a), b in zip(old.stack(future_stack=True).items(), new.stack(future_stack=True)):
        check.compared += 1
        if not _same_number(a, b):
            check.differences.append(f"{label}, row {position[0] + 2}, {position[1]}: published {a}, recomputed {b}")
            return  # one difference per chart is enough to find it


def _compare_profiles(pages: Path, inputs, year: int, check: PageCheck) -> None:
    from sozialbericht.report.profiles import Profiles, slug

    profiles = Profiles(year, inputs, formats="html")
    for code in profiles.ortsteile["area_code"]:
        label = f"book/edition/steckbriefe/{slug(code)}.html"
        page = pages / "steckbriefe" / f"{slug(code)}.html"
        if not page.is_file():
            check.differences.append(f"{label}: profile missing from the published site")
            continue
        expected = profiles.table_frame(code).drop(columns="Einheit")
        table = next((t for t in html_tables(page) if t and t[0] == list(expected.columns)), None)
        if table is None:
            check.differences.append(f"{label}: no comparison table on the published page")
            continue
        rows = [[_normal(str(cell)) for cell in row] for row in expected.itertuples(index=False)]
        check.compared += sum(len(row) - 1 for row in rows)
        for row, found in zip(rows, table[1:] + [[]] * max(0, len(rows) - len(table) + 1)):
            # the published first cell carries the unit as a note after the indicator's name
            if not found or not found[0].startswith(row[0]) or found[1:] != row[1:]:
                check.differences.append(f"{label}, {row[0]}: published {found[1:] or 'no row'}, recomputed {row[1:]}")
                break


def check_pages(site: Path, inputs, year: int) -> PageCheck:
    """Render every chapter's key figures, chart data and the profiles' tables again; compare with ``site``."""
    from sozialbericht.report.chapter import Chapter
    from sozialbericht.report.edition import Edition, precompute

    check = PageCheck()
    edition = Edition.from_inputs(inputs, year, formats="html")
    precompute(edition)  # once for all chapters
    pages = site / "book" / "edition"
    with tempfile.TemporaryDirectory() as tmp:
        for info in edition.catalogue.chapters:
            page = pages / f"{info['notebook']}.html"
            label = f"book/edition/{page.name}"
            if not page.is_file():
                check.differences.append(f"{label}: page missing from the published site")
                continue
            chapter = Chapter(info["id"], year, inputs, tmp, formats="html")
            _compare_key_figures(page, markdown_rows(chapter.key_figures().data), check, label)
            for indicator in chapter.indicators:
                chapter.trend(indicator.id), chapter.map(indicator.id), chapter.districts(indicator.id)
        _compare_profiles(pages, inputs, year, check)
        for recomputed in sorted((Path(tmp) / "daten").glob("*.csv")):
            _compare_csv(pages / "daten" / recomputed.name, recomputed, check, f"book/edition/daten/{recomputed.name}")
    return check


def check_release(site: Path, inputs_digest: str, key_now: str) -> list[str]:
    """The build record: website and PDF of one build, from the inputs read now."""
    info = release.read_info(site)
    if not info:
        return [f"{release.BUILD_INFO} missing: the edition was published by an earlier version; build it again"]
    problems = []
    site_key = (
        (site / release.KEY_FILE).read_text(encoding="utf-8").strip() if (site / release.KEY_FILE).is_file() else ""
    )
    if site_key != info.get("key"):
        problems.append(
            f"the website's build key {site_key[:12]} is not the one recorded ({str(info.get('key'))[:12]})"
        )
    if info.get("inputs_digest") != inputs_digest:
        problems.append("the website was built from other inputs than those read now")
    if info.get("key") != key_now:
        problems.append("code, notebooks or inputs changed since the build (the build key differs): build again")
    pdf = site / release.pdf_name(info.get("year", 0))
    recorded = info.get("pdf")
    if recorded is None:
        if pdf.is_file():
            problems.append(f"{pdf.name} is published, but the build recorded no PDF")
    elif not pdf.is_file():
        problems.append(f"{recorded['file']} is recorded, but not published")
    else:
        if release.sha256_file(pdf) != recorded.get("sha256"):
            problems.append(f"{pdf.name} is not the PDF of this build (SHA-256 differs)")
        if recorded.get("key") != info.get("key"):
            problems.append(f"{pdf.name} has the build key of another build")
    return problems
