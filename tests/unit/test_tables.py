"""Tables for the pages: Markdown for the book, HTML where Sphinx would be slow with many of them."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd

from sozialbericht.report.tables import html_table, markdown_table

FRAME = pd.DataFrame({"Kennzahl": ["Einwohner", "<Quote> & Co", "a|b"], "Wert": ["1.234", "5,6", "–"]})


class Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.classes = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self.classes.append(dict(attrs)["class"])
            self.rows[-1].append("")

    def handle_data(self, data):
        if self.rows and self.rows[-1] and data.strip():
            self.rows[-1][-1] += data


def test_html_table_has_every_cell_escaped_and_aligned():
    text = html_table(FRAME)
    assert "<Quote>" not in text and "&lt;Quote&gt; &amp; Co" in text, "cell text is escaped"
    cells = Cells()
    cells.feed(text)
    assert cells.rows == [["Kennzahl", "Wert"], ["Einwohner", "1.234"], ["<Quote> & Co", "5,6"], ["a|b", "–"]]
    assert cells.classes[:2] == ["head text-left", "head text-right"] and cells.classes[-1] == "text-right"
    assert text.startswith('<div class="pst-scrollable-table-container"><table class="table">')


def test_markdown_and_html_tables_show_the_same_cells():
    rows = [re.split(r"(?<!\\)\|", line.strip("| ")) for line in markdown_table(FRAME).splitlines()]
    markdown_cells = [[c.strip().replace("\\|", "|") for c in row] for i, row in enumerate(rows) if i != 1]
    cells = Cells()
    cells.feed(html_table(FRAME))
    assert markdown_cells == cells.rows


def test_html_table_puts_notes_under_the_first_cell():
    text = html_table(FRAME, notes=["Personen", "<%>", None])
    assert '<p>Einwohner<br><span class="sb-cell-note">Personen</span></p>' in text
    assert "&lt;%&gt;" in text and text.count("sb-cell-note") == 2
