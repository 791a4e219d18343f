"""``jupyter-book build`` with Sphinx running on several processes.

Jupyter Book 1.x has no option for Sphinx's ``-j``; its build command calls ``build_sphinx``
with ``jobs`` left at 1. This wrapper sets it and then runs the unchanged command line:

    python -m sozialbericht.build.sphinx_parallel --jobs 2 build BOOK --builder html

As a Sphinx extension (``extra_extensions`` in ``_config.yml``) the module also lets Sphinx
read the pages in parallel at all (see ``setup``).
"""

from __future__ import annotations

import functools
import os
import sys


def main(argv: list[str]) -> None:
    jobs = 1
    if len(argv) >= 2 and argv[0] == "--jobs":
        jobs, argv = max(1, int(argv[1])), argv[2:]
    import jupyter_book.cli.main as cli
    import jupyter_book.sphinx as book_sphinx

    build_sphinx = book_sphinx.build_sphinx

    @functools.wraps(build_sphinx)
    def with_jobs(*args, **kwargs):
        kwargs["jobs"] = jobs
        return build_sphinx(*args, **kwargs)

    # the build command imports build_sphinx from jupyter_book.sphinx when it runs
    book_sphinx.build_sphinx = with_jobs
    sys.argv = ["jupyter-book", *argv]
    try:
        cli.main()
        code = 0
    except SystemExit as finished:  # click ends every command this way
        code = finished.code if isinstance(finished.code, int) else (0 if finished.code is None else 1)
    # Everything is written. A normal interpreter exit frees the environment and doctrees of a
    # whole book object by object, about a second for nothing; the files are closed either way.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def setup(app):
    # sphinx-external-toc always loads sphinx-multitoc-numbering, which does not declare itself
    # safe for parallel reading, so Sphinx read all pages in one process. It only renumbers
    # sections after reading, in the main process (and our toc numbers nothing): safe.
    multitoc = app.extensions.get("sphinx_multitoc_numbering")
    if multitoc is not None and multitoc.parallel_read_safe is None:
        multitoc.parallel_read_safe = True
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    main(sys.argv[1:])
