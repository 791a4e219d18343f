"""Command line: ``python -m sozialbericht build --year 2023``.

Every setting can be given as a flag; a flag not given falls back to its ``SOZIALBERICHT_*``
environment variable and then to the default (see ``settings.Settings``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sozialbericht.errors import SozialberichtError
from sozialbericht.settings import ENVIRONMENT, Settings


def _data_flags(parser: argparse.ArgumentParser) -> None:
    env = ENVIRONMENT
    parser.add_argument(
        "--data", help=f"local data folder laid out like the mirror; default: the live API ({env['data']})"
    )
    parser.add_argument("--build-dir", type=Path, help=f"where the site and PDF are written ({env['build_dir']})")
    parser.add_argument(
        "--cache-hours", type=float, help=f"age up to which downloads are reused ({env['cache_hours']})"
    )


def parser() -> argparse.ArgumentParser:
    env = ENVIRONMENT
    command_line = argparse.ArgumentParser(prog="sozialbericht", description="Sozialbericht Leipzig")
    commands = command_line.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build one edition (website and PDF)")
    build.add_argument("--year", type=int, help="report year; default: the latest the data covers")
    build.add_argument("--formats", help=f"comma-separated: html,pdf; default: both ({env['formats']})")
    build.add_argument("--workers", type=int, help=f"notebooks run in parallel; default: 2 ({env['workers']})")
    build.add_argument(
        "--fresh-kernels",
        action="store_true",
        default=None,
        help=f"a fresh kernel for every notebook instead of reusing two ({env['fresh_kernels']})",
    )
    build.add_argument(
        "--strict",
        action="store_true",
        default=None,
        help=f"fail on any Sphinx warning, unresolved references included (as the tests do) ({env['strict']})",
    )
    _data_flags(build)
    check = commands.add_parser("verify", help="recompute a published edition from its inputs and compare")
    check.add_argument("--year", type=int, required=True)
    _data_flags(check)
    return command_line


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        # flags first, then the environment, then the defaults
        settings = Settings.resolve(vars(args))
        if args.command == "build":
            from sozialbericht.build.pipeline import build as run_build

            run_build(settings)
        elif args.command == "verify":
            from sozialbericht.build.verify import verify

            report = verify(args.year, settings)
            print(report.text())
            return 0 if report.ok else 2
    except SozialberichtError as error:
        note = "\n\nThe previously published report was left unchanged." if args.command == "build" else ""
        print(f"\nFEHLER / ERROR: {error}{note}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
