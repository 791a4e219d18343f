"""Runs inside a notebook kernel that the build reuses for several notebooks (see runner.py).

Kept free of heavy imports: the warm-up imports it before anything else.
"""

from __future__ import annotations

import os

_START: dict | None = None


def remember_start_state() -> None:
    """Called once when the kernel starts: the state every notebook begins with."""
    global _START
    _START = {"cwd": os.getcwd()}


def reset_for_next_notebook() -> None:
    """What one notebook set must not reach the next one: names and working folder.

    Imported modules stay loaded; that is the point of reusing the kernel. The environment
    needs no reset: notebooks receive their settings as parameters and write no variables.
    """
    from IPython import get_ipython

    if _START is None:
        raise RuntimeError("remember_start_state() was not called when the kernel started")
    os.chdir(_START["cwd"])
    shell = get_ipython()
    if shell is not None:
        # new_session: execution counts start at 1 again, as in a fresh kernel
        shell.reset(new_session=True)
