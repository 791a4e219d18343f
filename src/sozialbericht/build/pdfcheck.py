"""Layout check of a built PDF: what a printer would send back.

Reads the text positions (``pdftotext -bbox-layout``) and where each page draws its figures (the
images and embedded PDF pages its content stream places, read with pypdf) and reports:

* ``heading-at-bottom``: a heading is the last thing on its page (its section starts on the next);
* ``orphan-row``: a table continued on the next page shows just one row there (or left one row behind);
* ``half-empty``: a page is more than half empty although no chapter or part starts on the next page;
* ``split-sentence``: a figure stands inside a sentence (text before it ends mid-sentence, text after
  it starts in lower case).

Headings are told apart from body text by their type size: a line whose letters are clearly larger
than the body text's. A figure stands in the gap between the text lines above and below it; the
text inside a figure (a vector chart's labels) is the figure's, not the page's.
Run alone: ``python -m sozialbericht.build.pdfcheck FILE.pdf``.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ContentStream

CONTINUED_TOP = "Fortsetzung der vorherigen Seite"
CONTINUED_BOTTOM = "Fortsetzung auf der nächsten Seite"
CHAPTER_MARK = re.compile(r"^(Kapitel|Teil)(\s+[0-9IVX]+)?$", re.IGNORECASE)
NUMBERED = re.compile(r"^\d+(\.\d+)*\s")
SENTENCE_END = tuple(".:!?)“\"'’…")


@dataclass
class Line:
    top: float
    bottom: float
    left: float
    text: str

    @property
    def size(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Figure:
    """Where a page draws an image or an embedded PDF page, in pt from the page's top left (like pdftotext)."""

    top: float
    bottom: float
    left: float
    right: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def holds(self, line: Line) -> bool:
        middle = (line.top + line.bottom) / 2
        return self.top - 1 <= middle <= self.bottom + 1 and self.left - 1 <= line.left <= self.right


@dataclass
class Page:
    number: int
    height: float
    lines: list[Line]
    figures: list[Figure] = field(default_factory=list)
    # gap index -> figure heights placed there; gap i lies before line i (gap len(lines): after the last line)
    placed: dict[int, list[float]] = field(default_factory=dict)


@dataclass
class Problem:
    kind: str
    page: int
    text: str

    def __str__(self) -> str:
        return f"page {self.page}: {self.kind}: {self.text}"


def read_pages(pdf: Path) -> list[Page]:
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode(
        "utf-8", errors="replace"
    )
    xhtml = re.sub(r"<!DOCTYPE[^>]*>", "", xhtml)
    root = ET.fromstring(xhtml)
    pages = []
    for number, element in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        lines = []
        for line in element.iter("{http://www.w3.org/1999/xhtml}line"):
            words = [w.text or "" for w in line.iter("{http://www.w3.org/1999/xhtml}word")]
            text = " ".join(w for w in words if w).strip()
            if text:
                lines.append(Line(float(line.get("yMin")), float(line.get("yMax")), float(line.get("xMin")), text))
        lines.sort(key=lambda item: (round(item.top, 1), item.left))
        pages.append(Page(number, float(element.get("height")), lines))
    for number, figures in figure_boxes(pdf).items():
        if 0 < number <= len(pages):
            page = pages[number - 1]
            page.figures = figures
            page.lines = [line for line in page.lines if not any(figure.holds(line) for figure in figures)]
    for page in pages:
        page.lines = _merge_rows(page.lines)
    return pages


def _merge_rows(lines: list[Line]) -> list[Line]:
    """Lines that share a baseline (table cells, two columns of a row) become one line, left to right."""
    merged: list[Line] = []
    for line in lines:
        if merged and abs(merged[-1].top - line.top) < 1.5 and abs(merged[-1].bottom - line.bottom) < 1.5:
            last = merged[-1]
            merged[-1] = Line(last.top, max(last.bottom, line.bottom), last.left, last.text + " " + line.text)
        else:
            merged.append(line)
    return merged


def _times(m: tuple, n: tuple) -> tuple:
    """The PDF matrix product m × n (each as a, b, c, d, e, f)."""
    a, b, c, d, e, f = m
    return (
        a * n[0] + b * n[2],
        a * n[1] + b * n[3],
        c * n[0] + d * n[2],
        c * n[1] + d * n[3],
        e * n[0] + f * n[2] + n[4],
        e * n[1] + f * n[3] + n[5],
    )


def figure_boxes(pdf: Path) -> dict[int, list[Figure]]:
    """Page number -> the figures its content stream draws (``Do`` of an image or a form), top to bottom.

    A form's box is its BBox through its Matrix and the current transformation; an image fills the
    unit square of the transformation. Vector charts are forms, so ``pdfimages`` would not see them.
    """
    reader = PdfReader(str(pdf))
    result: dict[int, list[Figure]] = {}
    for number, page in enumerate(reader.pages, start=1):
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if not xobjects:
            continue
        xobjects = xobjects.get_object()
        height = float(page.cropbox.top)
        ctm, saved, figures = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                saved.append(ctm)
            elif operator == b"Q" and saved:
                ctm = saved.pop()
            elif operator == b"cm":
                ctm = _times(tuple(float(x) for x in operands), ctm)
            elif operator == b"Do" and operands[0] in xobjects:
                xobject = xobjects[operands[0]].get_object()
                if xobject.get("/Subtype") == "/Form":
                    x0, y0, x1, y1 = (float(v) for v in xobject.get("/BBox", [0, 0, 0, 0]))
                    matrix = _times(tuple(float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])), ctm)
                elif xobject.get("/Subtype") == "/Image":
                    x0, y0, x1, y1, matrix = 0.0, 0.0, 1.0, 1.0, ctm
                else:
                    continue
                corners = [
                    (x * matrix[0] + y * matrix[2] + matrix[4], x * matrix[1] + y * matrix[3] + matrix[5])
                    for x in (x0, x1)
                    for y in (y0, y1)
                ]
                xs, ys = [c[0] for c in corners], [c[1] for c in corners]
                figures.append(Figure(height - max(ys), height - min(ys), min(xs), max(xs)))
        if figures:
            result[number] = sorted(figures, key=lambda figure: figure.top)
    return result


def body_size(pages: list[Page]) -> float:
    sizes = [line.size for page in pages for line in page.lines if len(line.text) > 40]
    return statistics.median(sizes) if sizes else 12.0


def text_area(pages: list[Page]) -> tuple[float, float]:
    """The top and bottom of the text area: where most pages' text starts and ends (footers excluded)."""
    tops = sorted(page.lines[0].top for page in pages if page.lines)
    bottoms = sorted(max(line.bottom for line in page.lines[:-1]) for page in pages if len(page.lines) > 2)
    if not tops or not bottoms:
        return 0.0, max((p.height for p in pages), default=842.0)
    return tops[len(tops) // 10], bottoms[int(len(bottoms) * 0.9)]


def _place_figures(page: Page, footer: Line | None) -> None:
    """Put each figure into the gap between the text lines above and below it."""
    lines = [line for line in page.lines if line is not footer]
    page.placed = {}
    for figure in page.figures:
        gap = sum(1 for line in lines if line.top < figure.top)
        page.placed.setdefault(gap, []).append(figure.height)


def _footer(page: Page, bottom: float) -> Line | None:
    """The page number (or running footer) below the text area."""
    if page.lines and page.lines[-1].top > bottom + 2:
        return page.lines[-1]
    return None


def _is_heading(line: Line, body: float) -> bool:
    return line.size >= body * 1.3 and len(line.text) < 120 and not line.text.endswith((".", ","))


def _starts_chapter(page: Page, body: float) -> bool:
    """A chapter or part starts on the page: a chapter mark or a very large title among its first lines
    (the running head comes first)."""
    if any(CHAPTER_MARK.match(line.text) or line.size >= body * 1.9 for line in page.lines[:3]):
        return True
    # an unnumbered chapter (the introduction): a heading without a section number opens the page
    return bool(page.lines) and _is_heading(page.lines[0], body) and not NUMBERED.match(page.lines[0].text)


def check(pdf: Path, skip_front: int = 0) -> list[Problem]:
    """Every layout problem of ``pdf``; pages up to ``skip_front`` (title, imprint, contents) are not checked."""
    pages = read_pages(Path(pdf))
    body = body_size(pages)
    top, bottom = text_area(pages)
    problems: list[Problem] = []
    content: list[list[Line]] = []
    for page in pages:
        footer = _footer(page, bottom)
        _place_figures(page, footer)
        content.append([line for line in page.lines if line is not footer])
    middle = top + (bottom - top) / 2
    for index, page in enumerate(pages):
        if page.number <= skip_front:
            continue
        lines = content[index]
        following = pages[index + 1] if index + 1 < len(pages) else None
        after_image = page.placed.get(len(lines), [])
        # headings: the last thing on the page
        if lines and _is_heading(lines[-1], body) and not after_image and following is not None:
            problems.append(Problem("heading-at-bottom", page.number, lines[-1].text))
        # half-empty pages
        filled = max([line.bottom for line in lines] + [figure.bottom for figure in page.figures] or [top])
        chapter_near = following is None or _starts_chapter(following, body) or _starts_chapter(page, body)
        if filled < middle and not chapter_near:
            problems.append(Problem("half-empty", page.number, f"text ends at {filled:.0f} of {bottom:.0f} pt"))
        problems += _orphan_rows(page, lines, body)
        problems += _split_sentences(page, lines, following, content[index + 1] if following else [])
    return problems


def _table_rows(lines: list[Line], body: float) -> int:
    """Rows of the table at the start of ``lines`` (small type, closely spaced), until the text goes on."""
    rows = 0
    previous = None
    for line in lines:
        if line.size > body * 0.97 or (previous is not None and line.top - previous.bottom > body * 1.6):
            break
        rows += 1
        previous = line
    return rows


def _orphan_rows(page: Page, lines: list[Line], body: float) -> list[Problem]:
    problems = []
    texts = [line.text for line in lines]
    if texts and texts[0].startswith(CONTINUED_TOP):
        # the repeated header, then the rows of this page
        rest = lines[2:]
        if _table_rows(rest, body) == 1:
            problems.append(Problem("orphan-row", page.number, f"one row continued: {rest[0].text[:60]}"))
    if texts and CONTINUED_BOTTOM in texts[-1]:
        start = max((i for i, line in enumerate(lines[:-1]) if line.size > body * 0.97), default=-1)
        rows = len(lines) - 1 - (start + 2)  # after the heading text: the header row, then the body rows
        if rows == 1:
            problems.append(Problem("orphan-row", page.number, f"one row left before the break: {texts[-2][:60]}"))
    return problems


def _split_sentences(page: Page, lines: list[Line], following: Page | None, next_lines: list[Line]) -> list[Problem]:
    problems = []
    for gap, heights in page.placed.items():
        if not heights or gap == 0:
            continue
        before = lines[gap - 1]
        after = lines[gap] if gap < len(lines) else (next_lines[0] if next_lines else None)
        if after is not None and _mid_sentence(before.text, after.text):
            problems.append(Problem("split-sentence", page.number, f"{before.text[-40:]} | {after.text[:40]}"))
    if (
        following is not None
        and lines
        and next_lines
        and following.placed.get(0)
        and _mid_sentence(lines[-1].text, next_lines[0].text)
    ):
        problems.append(Problem("split-sentence", page.number, f"{lines[-1].text[-40:]} | {next_lines[0].text[:40]}"))
    return problems


def _mid_sentence(before: str, after: str) -> bool:
    return not before.rstrip().endswith(SENTENCE_END) and after[:1].islower()


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if not args:
        print("usage: python -m sozialbericht.build.pdfcheck FILE.pdf [SKIP_FRONT_PAGES]", file=sys.stderr)
        return 2
    problems = check(Path(args[0]), int(args[1]) if len(args) > 1 else 0)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} layout problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
