"""Sphinx extension: tables in the PDF wrap their text instead of running off the page.

Without column widths, Sphinx typesets tables of more than 30 rows (longtable) with
columns that never wrap, so wide tables were cut at the right margin. This gives every
table column widths proportional to its longest text (bounded), which makes Sphinx use
wrapping columns. Only the LaTeX builder is affected.
"""
from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

MIN_WIDTH, MAX_WIDTH = 4, 40
# a cell this short never wraps ("2023", "↑ +1.057"): its column gets the whole text
SHORT = 12
# LaTeX takes the column padding (2 \tabcolsep) off each column's share: about three characters
PADDING = 3


class WrappingTables(SphinxPostTransform):
    default_priority = 200
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        for table in self.document.findall(nodes.table):
            if "colwidths-given" in table["classes"]:
                continue
            for tgroup in table.findall(nodes.tgroup):
                colspecs = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
                lengths = [MIN_WIDTH] * len(colspecs)
                for row in tgroup.findall(nodes.row):
                    for index, entry in enumerate(row.children[:len(lengths)]):
                        text = entry.astext()
                        if len(text) <= SHORT:
                            need = len(text)
                        else:
                            # wide enough for the longest word, wider for long text
                            longest_word = max((len(w) for w in text.split()), default=0)
                            need = max(longest_word, min(len(text) // 2, MAX_WIDTH))
                        lengths[index] = max(lengths[index], need)
                for colspec, width in zip(colspecs, lengths):
                    colspec["colwidth"] = min(width, MAX_WIDTH) + PADDING
            table["classes"].append("colwidths-given")


def setup(app):
    app.add_post_transform(WrappingTables)
    # sphinx-external-toc always loads sphinx-multitoc-numbering, which does not declare itself
    # safe for parallel reading, so Sphinx read all pages in one process. It only renumbers
    # sections after reading, in the main process (and our toc numbers nothing): safe.
    multitoc = app.extensions.get("sphinx_multitoc_numbering")
    if multitoc is not None and multitoc.parallel_read_safe is None:
        multitoc.parallel_read_safe = True
    return {"parallel_read_safe": True, "parallel_write_safe": True}
