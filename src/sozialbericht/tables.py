"""Tables as Markdown, so they render as real tables in the website and the PDF."""
from __future__ import annotations

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
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |",
             "| " + " | ".join(marks[a] for a in align) + " |"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)
