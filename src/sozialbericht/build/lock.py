"""One lock per edition, held by the building process for the whole build.

Two builds of the same year used to share the executed notebooks, their stamps and the
pickled inputs; the one that finished second published pages computed from the other's data.
``edition_lock`` takes an ``fcntl`` lock on ``<build>/locks/<year>.lock`` before anything of the
edition is read or written and keeps it until publishing is done. The kernel releases it when the
process ends, also on a crash or SIGKILL, so a stale lock file never blocks a build. The file
records the holder (pid, host, start time) for the message a second build prints.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sozialbericht.errors import SozialberichtError


class EditionLocked(SozialberichtError):
    """Another process is building the same edition."""


def _holder(handle) -> str:
    handle.seek(0)
    text = handle.read().strip()
    return text or "a process that has not yet written its pid"


@contextmanager
def edition_lock(lock_dir: Path, year: int, wait_seconds: float = 0.0) -> Iterator[Path]:
    """Hold the edition ``year`` exclusively; wait up to ``wait_seconds``, then stop with a clear message."""
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / f"{year}.lock"
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held until the build ends)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise EditionLocked(
                        f"Another build of {year} is running ({_holder(handle)}; lock file {path}). "
                        "Two builds of one edition would mix their files, so this one stops: wait until the "
                        "other has finished, then build again."
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        started = time.strftime("%d.%m.%Y %H:%M:%S")
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}, started {started}\n")
        handle.flush()
        try:
            yield path
        finally:
            handle.seek(0)
            handle.truncate()  # before unlocking: the next holder writes its own line
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
