"""The PDF layout check finds what a printer would send back, on small PDFs made to have each fault;
the report's LaTeX setup keeps table rows together; the annex's text and drawings."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from sozialbericht.build import annex, annex_tikz, pdfcheck, sphinx_latex

needs_tex = pytest.mark.skipif(
    not (shutil.which("xelatex") and shutil.which("pdftotext")),
    reason="xelatex and poppler-utils are needed to make and read the test PDFs",
)

FILLER = (
    "Die soziale Lage in den Ortsteilen wird jedes Jahr aus den offenen Daten berechnet und verglichen. "
    "Jede Zahl dieses Berichts ist aus den Daten abgeleitet, keine ist von Hand eingetragen. "
)


# a raster image and a vector figure (an embedded PDF page with its own text, like the report's charts)
FIGURES = ["example-image.png", "example-image.pdf"]


def make_pdf(tmp_path: Path, body: str) -> Path:
    image = Path(subprocess.run(["kpsewhich", "example-image.png"], capture_output=True, text=True).stdout.strip())
    if not image.is_file():
        pytest.skip("the mwe package's example images are needed as test figures")
    source = tmp_path / "probe.tex"
    source.write_text(
        "\\documentclass[a4paper,10pt]{article}\n\\usepackage{graphicx}\n\\usepackage{fontspec}\n"
        "\\setmainfont{FreeSerif}\n\\setlength{\\parskip}{0.5em}\n\\raggedbottom\n"
        f"\\graphicspath{{{{{image.parent}/}}}}\n\\begin{{document}}\n{body}\n\\end{{document}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["xelatex", "-interaction=nonstopmode", "-halt-on-error", source.name], cwd=tmp_path, capture_output=True
    )
    assert result.returncode == 0, result.stdout[-2000:]
    return source.with_suffix(".pdf")


def kinds(problems) -> list[str]:
    return [p.kind for p in problems]


def paragraphs(n: int) -> str:
    return "\n\n".join(FILLER * 3 for _ in range(n))


@needs_tex
def test_a_well_set_page_sequence_passes(tmp_path):
    pdf = make_pdf(tmp_path, paragraphs(14) + "\n\n\\section{Zweiter Abschnitt}\n\n" + paragraphs(14))
    assert pdfcheck.check(pdf) == []


@needs_tex
def test_heading_as_last_line_of_a_page_is_found(tmp_path):
    body = paragraphs(9) + "\n\n\\vspace*{4cm}\n\\section{Umsetzungsstand}\n\\newpage\n" + paragraphs(12)
    problems = pdfcheck.check(make_pdf(tmp_path, body))
    assert [(p.kind, p.text) for p in problems if p.kind == "heading-at-bottom"] == [
        ("heading-at-bottom", "1 Umsetzungsstand")
    ]


@needs_tex
def test_page_more_than_half_empty_is_found_unless_a_chapter_follows(tmp_path):
    body = paragraphs(2) + "\n\\newpage\n" + paragraphs(12)
    assert "half-empty" in kinds(pdfcheck.check(make_pdf(tmp_path, body)))


@needs_tex
@pytest.mark.parametrize("figure", FIGURES)
def test_a_page_filled_by_a_figure_is_not_empty(tmp_path, figure):
    body = paragraphs(2) + f"\n\n\\noindent\\includegraphics[width=\\linewidth,height=12cm]{{{figure}}}\n\n"
    body += paragraphs(12)
    assert "half-empty" not in kinds(pdfcheck.check(make_pdf(tmp_path, body)))


@needs_tex
@pytest.mark.parametrize("figure", FIGURES)
def test_sentence_split_by_a_figure_is_found(tmp_path, figure):
    body = (
        paragraphs(1) + "\n\nIn diesem Satz steht mitten im Text die\n\n"
        f"\\noindent\\includegraphics[width=\\linewidth,height=6cm]{{{figure}}}\n\n"
        "\\noindent wichtigste Grafik des Kapitels. " + FILLER * 20
    )
    problems = pdfcheck.check(make_pdf(tmp_path, body))
    assert "split-sentence" in kinds(problems), problems


@needs_tex
@pytest.mark.parametrize("figure", FIGURES)
def test_figure_between_whole_sentences_is_fine(tmp_path, figure):
    body = (
        paragraphs(1) + "\n\nDieser Satz endet vor der Grafik.\n\n"
        f"\\noindent\\includegraphics[width=\\linewidth,height=6cm]{{{figure}}}\n\n"
        "Danach beginnt ein neuer Satz. " + FILLER * 20
    )
    assert "split-sentence" not in kinds(pdfcheck.check(make_pdf(tmp_path, body)))


@needs_tex
@pytest.mark.parametrize("figure", FIGURES)
def test_figures_are_found_where_they_are_drawn_and_their_text_is_theirs(tmp_path, figure):
    body = (
        paragraphs(1) + "\n\nVor der Grafik.\n\n"
        f"\\noindent\\includegraphics[width=6cm,height=5cm]{{{figure}}}\n\nNach der Grafik."
    )
    pdf = make_pdf(tmp_path, body)
    [figure_box] = pdfcheck.figure_boxes(pdf)[1]
    assert figure_box.height == pytest.approx(5 / 2.54 * 72, abs=1)  # 5 cm in pt
    assert figure_box.right - figure_box.left == pytest.approx(6 / 2.54 * 72, abs=1)
    [page] = pdfcheck.read_pages(pdf)
    texts = [line.text for line in page.lines]
    # the figure stands between the two sentences, and the word "Image" printed in it is not page text
    before, after = texts.index("Vor der Grafik."), texts.index("Nach der Grafik.")
    assert page.lines[before].bottom <= figure_box.top <= figure_box.bottom <= page.lines[after].top
    assert "Image" not in " ".join(texts)


@needs_tex
def test_single_table_row_continued_on_a_new_page_is_found(tmp_path):
    rows = "\n".join(f"{{\\footnotesize Ortsteil {i}}} & {{\\footnotesize {i},5}}\\\\" for i in range(1, 6))
    body = (
        paragraphs(11)
        + "\n\n\\noindent{\\footnotesize\\begin{tabular}{ll}Gebiet & Wert\\\\\n"
        + rows
        + "\\end{tabular}}\n\\newpage\n{\\footnotesize Fortsetzung der vorherigen Seite}\n\n"
        "\\noindent{\\footnotesize\\begin{tabular}{ll}Gebiet & Wert\\\\\nOrtsteil 6 & 6,5\\\\\\end{tabular}}\n\n"
        + paragraphs(10)
    )
    assert "orphan-row" in kinds(pdfcheck.check(make_pdf(tmp_path, body)))


def test_report_latex_keeps_table_rows_together_and_has_title_page_and_metadata(tmp_path):
    """A small Sphinx project through the report's LaTeX setup: no break after the first or before the last row."""
    from sphinx.application import Sphinx

    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        'extensions = ["sozialbericht.build.sphinx_latex"]\nproject = "Sozialbericht Leipzig 2022"\n'
        'language = "de"\nlatex_engine = "xelatex"\n',
        encoding="utf-8",
    )
    rows = "".join(f"   * - Ortsteil {i}\n     - {i}\n" for i in range(1, 6))
    (source / "index.rst").write_text(
        "Test\n====\n\n.. list-table::\n   :header-rows: 1\n\n   * - Gebiet\n     - Wert\n" + rows,
        encoding="utf-8",
    )
    app = Sphinx(str(source), str(source), str(tmp_path / "out"), str(tmp_path / "doctrees"), "latex", status=None)
    app.build()
    tex = next((tmp_path / "out").glob("*.tex")).read_text(encoding="utf-8")
    ends = [line for line in tex.splitlines() if line.startswith("\\\\")]
    # header row, then rows 1..5: no break after row 1 and before row 5
    assert ends == ["\\\\", "\\\\*", "\\\\", "\\\\", "\\\\*", "\\\\"], ends
    assert "Herausgeber: Stadt Leipzig" in tex and "Stichtag 31.12.2022" in tex
    assert "pdflang={de}" in tex and "\\Needspace*" in tex


def test_title_page_and_metadata_of_the_report():
    page = sphinx_latex.title_page(2022)
    for text in ("Sozialbericht Leipzig", "Ausgabe 2022", "Stichtag 31.12.2022", "Herausgeber: Stadt Leipzig"):
        assert text in page
    assert "Impressum" in page and "dl-de/by-2-0" in page
    preamble = sphinx_latex.preamble(2022)
    assert "pdflang={de}" in preamble and "pdfauthor={Stadt Leipzig}" in preamble and "pdfsubject=" in preamble
    assert sphinx_latex.year_of("Sozialbericht Leipzig 2021") == 2021


def test_annex_text_is_escaped_for_latex():
    assert annex.tex("50 % & mehr_als #1") == r"50 \% \& mehr\_als \#1"
    assert annex.tex("**[Beispiel]** Maßnahme") == r"\textbf{[Beispiel]} Maßnahme"


def test_annex_chart_has_axis_titles_units_and_whole_ticks():
    series = pd.DataFrame(
        {"year": [2018, 2019, 2020], "ot": [10.0, 12.5, 11.0], "sbz": [9.0, 9.5, 9.8], "city": [8, 8, 8]}
    )
    chart = annex_tikz.line_chart(series, "SGB-II-Dichte", "\\% der Einwohner", 1)
    assert "Jahr (Stichtag 31.12.)" in chart and "\\% der Einwohner" in chart and "SGB-II-Dichte" in chart
    assert "{2018}" in chart and "{2020}" in chart
    assert annex_tikz.nice_step(12.5) == 5 and annex_tikz.nice_step(0.9) == 0.5 and annex_tikz.nice_step(30) == 10


def test_pdf_toc_leaves_out_the_profiles_but_keeps_their_index():
    from sozialbericht import settings as config
    from sozialbericht.build import pdf

    toc = config.load_yaml((config.ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pruned = pdf.pdf_toc(toc)
    text = repr(pruned)
    assert "book/edition/steckbriefe/*" not in text and "'book/edition/steckbriefe'" in text
    assert repr(toc).count("book/edition/") == text.count("book/edition/") + 1  # only the glob left
