"""``jupyter-book build`` with Sphinx running on several processes.

Jupyter Book 1.x has no option for Sphinx's ``-j``; its build command calls ``build_sphinx``
with ``jobs`` left at 1. This wrapper sets it and then runs the unchanged command line:

    python -m sozialbericht.sphinx_parallel --jobs 2 build BOOK --builder html
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


if __name__ == "__main__":
    main(sys.argv[1:])
