"""What every step of the build shares: its error, its log line, digests and atomic writes."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from sozialbericht.errors import SozialberichtError


class BuildError(SozialberichtError):
    """A step of the build failed; the published edition stays as it was."""


def log(message: str) -> None:
    print(f"[sozialbericht {time.strftime('%H:%M:%S')}] {message}", flush=True)


def digest(*parts: bytes) -> str:
    """One SHA-256 over the SHA-256 of each part (so parts cannot run into each other)."""
    combined = hashlib.sha256()
    for part in parts:
        combined.update(hashlib.sha256(part).digest())
    return combined.hexdigest()


def atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def sync_file(source: Path | bytes, target: Path) -> None:
    """Write only when the content differs, so Sphinx sees unchanged files as unchanged (mtime)."""
    content = source if isinstance(source, bytes) else source.read_bytes()
    if target.is_file() and target.stat().st_size == len(content) and target.read_bytes() == content:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


def sync_tree(source: Path, target: Path, skip=lambda path: False, transform=None) -> set[Path]:
    """Mirror ``source`` into ``target`` file by file; returns the files written or kept.

    ``transform(relative_path, content) -> content`` may rewrite a file on the way (e.g. public copies).
    """
    kept = set()
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_dir() or skip(relative):
            continue
        sync_file(transform(relative, path.read_bytes()) if transform else path, target / relative)
        kept.add(target / relative)
    return kept
