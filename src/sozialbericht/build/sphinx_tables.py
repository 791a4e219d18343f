"""Sphinx extension: tables in the PDF wrap their text instead of running off the page.

Without column widths, Sphinx typesets tables of more than 30 rows (longtable) with
columns that never wrap, so wide tables were cut at the right margin. This gives every
table column widths proportional to its longest text (bounded), set ragged right, and
right-aligned where the Markdown table aligns the column right (numbers). Only the LaTeX
builder is affected.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

# column types for the colspec below: Sphinx's wrapping column \X{width}{total}, ragged
PREAMBLE = r"""
% sozialbericht.build.sphinx_tables: wrapping table columns, ragged right or flush right
\newcolumntype{\SBl}[2]{>{\raggedright\arraybackslash}\X{#1}{#2}}
\newcolumntype{\SBr}[2]{>{\raggedleft\arraybackslash}\X{#1}{#2}}
"""

MIN_WIDTH, MAX_WIDTH = 4, 40
# a cell this short never wraps ("2023", "↑ +1.057"): its column gets the whole text
SHORT = 12
# tables with more body rows than this may break across pages (as longtable)
BREAKABLE_ROWS = 6
# LaTeX takes the column padding (2 \tabcolsep) off each column's share: about three characters
PADDING = 3


class WrappingTables(SphinxPostTransform):
    default_priority = 200
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        # a list: the loop inserts a colspec node next to each table
        for table in list(self.document.findall(nodes.table)):
            if "colwidths-given" in table["classes"]:
                continue
            for tgroup in table.findall(nodes.tgroup):
                colspecs = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
                lengths = [MIN_WIDTH] * len(colspecs)
                for row in tgroup.findall(nodes.row):
                    for index, entry in enumerate(row.children[: len(lengths)]):
                        text = entry.astext()
                        if len(text) <= SHORT:
                            need = len(text)
                        else:
                            # wide enough for the longest word, wider for long text
                            longest_word = max((len(w) for w in text.split()), default=0)
                            need = max(longest_word, min(len(text) // 2, MAX_WIDTH))
                        lengths[index] = max(lengths[index], need)
                widths = [min(width, MAX_WIDTH) + PADDING for width in lengths]
                for colspec, width in zip(colspecs, widths):
                    colspec["colwidth"] = width
                right = self._right_aligned(tgroup, len(colspecs))
                total = sum(widths)
                spec = "".join(rf"\SB{'r' if r else 'l'}{{{w}}}{{{total}}}" for w, r in zip(widths, right))
                table.parent.insert(table.parent.index(table), addnodes.tabular_col_spec(spec=spec))
            table["classes"].append("colwidths-given")
            # a table of more than a few rows may break across pages (Sphinx's default: only above 30 rows),
            # so that it starts under its heading instead of leaving the rest of the page empty
            body_rows = sum(len(list(body.findall(nodes.row))) for body in table.findall(nodes.tbody))
            if body_rows > BREAKABLE_ROWS and "longtable" not in table["classes"]:
                table["classes"].append("longtable")

    @staticmethod
    def _right_aligned(tgroup, count: int) -> list[bool]:
        """Columns whose body cells the Markdown table aligns right (MyST marks them text-right)."""
        votes = [[0, 0] for _ in range(count)]
        for body in tgroup.findall(nodes.tbody):
            for row in body.findall(nodes.row):
                for index, entry in enumerate(row.children[:count]):
                    votes[index][0 if "text-right" in entry.get("classes", []) else 1] += 1
        return [right > other for right, other in votes]


def _add_preamble(app, config) -> None:
    elements = dict(config.latex_elements or {})
    elements["preamble"] = elements.get("preamble", "") + PREAMBLE
    config.latex_elements = elements


def setup(app):
    app.add_post_transform(WrappingTables)
    app.connect("config-inited", _add_preamble)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
