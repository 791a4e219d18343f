"""Tables as Markdown, so they render as real tables in the website and the PDF; and as HTML
where a page has many of them and Sphinx would spend most of its time on their nodes."""

from __future__ import annotations

import html

import pandas as pd


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # a pipe or newline would break the table; HTML is neutralised by the caller's escaping
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame, align: list[str] | None = None) -> str:
    """A pipe table; columns after the first are right-aligned unless ``align`` says otherwise."""
    columns = [str(c) for c in frame.columns]
    align = align or (["l"] + ["r"] * (len(columns) - 1))
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "| " + " | ".join(marks[a] for a in align) + " |"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def html_table(
    frame: pd.DataFrame, align: list[str] | None = None, css_class: str = "", notes: list[str] | None = None
) -> str:
    """The same table as HTML in the markup Sphinx and the theme write for a Markdown table
    (so it looks the same); every cell is escaped. ``css_class`` is added to the table's class;
    ``notes`` (one per row) go in small type under the first cell of each row."""
    columns = [str(c) for c in frame.columns]
    align = align or (["l"] + ["r"] * (len(columns) - 1))
    classes = {"l": "text-left", "r": "text-right", "c": "text-center"}

    def row(cells, tag: str, parity: str, head: bool = False, note: str | None = None) -> str:
        texts = [html.escape(_text(c)) for c in cells]
        if note:
            texts[0] += f'<br><span class="sb-cell-note">{html.escape(_text(note))}</span>'
        items = "".join(
            f'<{tag} class="{"head " if head else ""}{classes[a]}"><p>{t}</p></{tag}>' for t, a in zip(texts, align)
        )
        return f'<tr class="row-{parity}">{items}</tr>'

    notes = notes or [None] * len(frame)
    body = [
        row(values, "td", "even" if number % 2 else "odd", note=notes[number - 1])
        for number, values in enumerate(frame.itertuples(index=False), start=1)
    ]
    table_class = " ".join(["table", *css_class.split()])
    return (
        f'<div class="pst-scrollable-table-container"><table class="{table_class}">\n<thead>\n'
        + row(columns, "th", "odd", head=True)
        + "\n</thead>\n<tbody>\n"
        + "\n".join(body)
        + "\n</tbody>\n</table>\n</div>"
    )


def _text(value) -> str:
    return "" if value is None else str(value).replace("\n", " ")
