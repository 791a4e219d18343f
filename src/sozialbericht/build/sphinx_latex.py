"""Sphinx extension: the report PDF as a publication (title page, imprint, metadata, page layout).

Only the LaTeX builder is affected:

* The 63 Ortsteil profiles leave the report: they are a separate annex
  (``ortsteil-steckbriefe-YEAR.pdf``, written by :mod:`sozialbericht.build.annex`). The profile
  pages stay in the website's table of contents; for the PDF the toctree entries under
  :data:`PDF_EXCLUDED` are dropped when the LaTeX builder assembles the document.
* A title page (title, edition, Stichtag, publisher, licence) and an imprint page instead of
  Sphinx's title with the build day; PDF metadata (title, author, subject, language).
* Layout: headings keep the start of their section on the same page, no widows or orphans, a
  table never leaves one row alone at the top or bottom of a page, charts have one fixed maximum
  height so that a page holds a chart and its text.

The edition's year comes from the book's title (``Sozialbericht Leipzig YEAR``), set by the build.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex import LaTeXBuilder
from sphinx.writers.latex import LaTeXTranslator

from sozialbericht import fmt
from sozialbericht import settings as config

# docnames under these prefixes are not part of the report PDF (the annex holds them)
PDF_EXCLUDED = ("book/edition/steckbriefe/",)
# every chart image of the PDF is at most this high: a page holds a chart and about half a page of text, and
# an indicator (trend, map, districts) takes little more than a page (0.29: 135 pages, 0.27: 123)
CHART_HEIGHT = r"0.27\textheight"
# a heading needs this much room below it on its page, or it starts the next page
HEADING_ROOM = r"0.22\textheight"


def year_of(target: str) -> int | None:
    match = re.search(r"(\d{4})", target or "")
    return int(match.group(1)) if match else None


def _tex(text: str) -> str:
    """Plain text for LaTeX: the few special characters our fixed strings can contain."""
    return (
        text.replace("\\", r"\textbackslash{}")
        .replace("&", r"\&")
        .replace("%", r"\%")
        .replace("_", r"\_")
        .replace("#", r"\#")
    )


def title_page(year: int, date_line: str = "") -> str:
    """The title page and, on its back, the imprint (LaTeX, replaces Sphinx's \\sphinxmaketitle).

    ``date_line``: the edition's dates as the build sets them (Sphinx's ``today``: "Stichtag … ·
    Redaktionsschluss …"); without it, the Stichtag."""
    stichtag = fmt.year_end(year)
    dates = _tex(date_line) if date_line and "Stichtag" in date_line else f"Stichtag {stichtag}"
    annex = f"ortsteil-steckbriefe-{year}.pdf"
    return rf"""
\begin{{titlepage}}
\sffamily
\vspace*{{0.18\textheight}}
{{\Huge\bfseries Sozialbericht Leipzig\par}}
\vspace{{1.2em}}
{{\LARGE Ausgabe {year}\par}}
\vspace{{0.8em}}
{{\Large {dates}\par}}
\vspace{{2.5em}}
{{\large Die soziale Lage in der Stadt, ihren Stadtbezirken und Ortsteilen\par}}
\vfill
{{\Large\bfseries Herausgeber: Stadt Leipzig\par}}
\vspace{{1em}}
{{\small Daten: {_tex(config.ATTRIBUTION)}\\
Lizenz der Daten: {_tex(config.LICENCE)}, \url{{{config.LICENCE_URL}}}\par}}
\end{{titlepage}}
\thispagestyle{{empty}}
\begingroup
\sffamily\small
\vspace*{{\fill}}
\noindent\textbf{{Impressum}}\par\medskip
\noindent\begin{{tabular}}{{@{{}}p{{0.28\linewidth}}p{{0.66\linewidth}}@{{}}}}
Titel & Sozialbericht Leipzig, Ausgabe {year}\\
Stichtag der Daten & {stichtag} (Stand der Bevölkerung und der Bestände am Jahresende)\\
Herausgeber & Stadt Leipzig\\
Datenquelle & {_tex(config.ATTRIBUTION)}, offene Daten (\url{{{config.LIVE_API}}})\\
Lizenz der Daten & {_tex(config.LICENCE)}, \url{{{config.LICENCE_URL}}}\\
Anhang & Ortsteil-Steckbriefe als eigenes Dokument: \texttt{{{_tex(annex)}}}\\
Daten zum Bericht & Alle Kennzahlen als CSV mit Beschreibung (Frictionless Data Package) auf der Website der Ausgabe\\
Erstellung & Alle Zahlen, Tabellen, Karten und Diagramme sind aus den Daten berechnet; die Quellen,
die Verfahren und die Prüfsummen der gelesenen Dateien stehen im Anhang „Daten, Quellen und Methoden“.\\
\end{{tabular}}
\par
\endgroup
\clearpage
"""


def preamble(year: int) -> str:
    title = f"Sozialbericht Leipzig {year}"
    subject = (
        f"Sozialbericht der Stadt Leipzig, Ausgabe {year}, Stichtag {fmt.year_end(year)}: "
        "soziale Lage in Stadt, Stadtbezirken und Ortsteilen"
    )
    return rf"""
% sozialbericht.build.sphinx_latex: metadata, headings, widows, chart heights
% the charts are PDF 1.7 (vl-convert); the report says so too instead of warning for each of them
\special{{pdf:minorversion 7}}
\usepackage{{needspace}}
\AtBeginDocument{{\hypersetup{{pdftitle={{{title}}}, pdfauthor={{Stadt Leipzig}},
  pdfsubject={{{subject}}}, pdflang={{de}}, pdfkeywords={{Sozialbericht, Leipzig, Ortsteile, Sozialplanung}}}}}}
\widowpenalty=10000
\clubpenalty=10000
\raggedbottom
% a heading never ends a page: it needs room for the start of its section (not directly under another
% heading: there the room was asked for already, and a second request would allow a break between them)
\makeatletter
\newcommand{{\SBheadingroom}}[1]{{\if@nobreak\else\Needspace*{{#1}}\fi}}
\makeatother
\pretocmd{{\section}}{{\SBheadingroom{{{HEADING_ROOM}}}}}{{}}{{}}
\pretocmd{{\subsection}}{{\SBheadingroom{{{HEADING_ROOM}}}}}{{}}{{}}
\pretocmd{{\subsubsection}}{{\SBheadingroom{{0.15\textheight}}}}{{}}{{}}
% every chart at one fixed maximum height, centred
\let\SBorigincludegraphics\sphinxincludegraphics
\renewcommand{{\sphinxincludegraphics}}[2][]{{%
  \begingroup\centering
  \includegraphics[width=\linewidth,height={CHART_HEIGHT},keepaspectratio]{{#2}}\par\endgroup}}
"""


class ReportTranslator(LaTeXTranslator):
    """Table rows: the first and the last body row never stand alone on a page (``\\\\*`` forbids the break)."""

    def depart_row(self, node: nodes.Element) -> None:
        start = len(self.body)
        super().depart_row(node)
        parent = node.parent
        if not isinstance(parent, nodes.tbody):
            return
        rows = [child for child in parent.children if isinstance(child, nodes.row)]
        position = rows.index(node) if node in rows else -1
        if len(rows) > 2 and position in (0, len(rows) - 2) and self.body[start].startswith("\\\\"):
            self.body[start] = "\\\\*" + self.body[start][2:]


def _excluded(docname: str) -> bool:
    return any(docname.startswith(prefix) for prefix in PDF_EXCLUDED)


def _pruned(doctree):
    """``doctree`` without toctree entries of pages that are not part of the PDF."""
    for toctree in doctree.findall(addnodes.toctree):
        toctree["entries"] = [(title, ref) for title, ref in toctree["entries"] if not _excluded(ref)]
        toctree["includefiles"] = [ref for ref in toctree["includefiles"] if not _excluded(ref)]
    return doctree


class ReportLaTeXBuilder(LaTeXBuilder):
    """The LaTeX builder, assembling the document without the pages the annex holds."""

    def assemble_doctree(self, *args, **kwargs):
        env = self.env
        original = env.get_doctree
        # an instance attribute for the assembly only: the environment is pickled without it
        env.get_doctree = lambda docname: _pruned(original(docname))
        try:
            return super().assemble_doctree(*args, **kwargs)
        finally:
            del env.get_doctree


def _configure(app: Sphinx, _config) -> None:
    # Jupyter Book sets latex_documents only after this event; its title becomes html_title ("… Leipzig 2022")
    documents = app.config.latex_documents or []
    candidates = [documents[0][1] if documents else "", app.config.html_title or "", app.config.project or ""]
    year = next((y for y in map(year_of, candidates) if y is not None), None)
    if year is None:
        return
    elements = dict(app.config.latex_elements or {})
    elements["maketitle"] = title_page(year, str(app.config.today or ""))
    # no index: the report has none, and xindy's runs cost seconds in every build
    elements["makeindex"] = ""
    elements["printindex"] = ""
    elements["preamble"] = elements.get("preamble", "") + preamble(year)
    app.config.latex_elements = elements


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _configure)
    app.add_builder(ReportLaTeXBuilder, override=True)
    app.set_translator("latex", ReportTranslator, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
