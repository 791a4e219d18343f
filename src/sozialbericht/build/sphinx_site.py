"""Sphinx extension: the website's download menu.

The public reads the report; the notebooks are for researchers. Every page's download menu
keeps only "print to PDF"; the methods appendix (:data:`METHODS_PAGE`) offers instead every
chapter's executed notebook (.ipynb), once, in one place. Only the HTML builders are affected.
"""

from __future__ import annotations

from sphinx.application import Sphinx

METHODS_PAGE = "book/edition/daten"
NOTEBOOK_LABELS = ("download-notebook-button", "download-source-button")


def _notebook_links(app: Sphinx, pathto) -> list[dict]:
    """A download entry per notebook page of the edition (chapters, steering pages, appendix)."""
    links = []
    for docname in sorted(app.env.found_docs):
        if not docname.startswith("book/edition/") or docname.count("/") != 2:
            continue  # the profiles (steckbriefe/...) are written by one notebook, not notebooks themselves
        if not str(app.env.doc2path(docname)).endswith(".ipynb"):
            continue
        title = app.env.titles.get(docname)
        text = title.astext() if title is not None else docname.rsplit("/", 1)[-1]
        links.append(
            {
                "type": "link",
                "url": f"{pathto('_sources', 1)}/{docname}.ipynb",
                "text": f"{text} (.ipynb)",
                "icon": "fas fa-code",
                "tooltip": "Notebook herunterladen",
                "label": f"download-notebook-{docname.rsplit('/', 1)[-1]}",
            }
        )
    return links


def _download_menu(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    for button in context.get("header_buttons", []):
        if button.get("label") != "download-buttons":
            continue
        kept = [b for b in button.get("buttons", []) if b.get("label") not in NOTEBOOK_LABELS]
        if pagename == METHODS_PAGE:
            kept = _notebook_links(app, context["pathto"]) + kept
            button["tooltip"] = "Notebooks und Seite herunterladen"
        button["buttons"] = kept


def setup(app: Sphinx) -> dict:
    # after the theme added its buttons (sphinx-book-theme connects at the default priority 500)
    app.connect("html-page-context", _download_menu, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
