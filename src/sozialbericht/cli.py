"""Command line: ``python -m sozialbericht build --year 2023``."""

from __future__ import annotations

import argparse
import sys

from sozialbericht.errors import SozialberichtError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sozialbericht", description="Sozialbericht Leipzig")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build one edition (website and PDF)")
    build.add_argument("--year", type=int, default=None, help="report year; default: the latest the data covers")
    build.add_argument("--formats", default="html,pdf", help="comma-separated: html,pdf")
    build.add_argument("--workers", type=int, default=2, help="notebooks run in parallel")
    check = commands.add_parser("verify", help="recompute a published edition from its inputs and compare")
    check.add_argument("--year", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            from sozialbericht.build.pipeline import build as run_build

            run_build(args.year, tuple(f for f in args.formats.split(",") if f), args.workers)
        elif args.command == "verify":
            from sozialbericht.build.verify import verify

            report = verify(args.year)
            print(report.text())
            return 0 if report.ok else 2
    except SozialberichtError as error:
        note = "\n\nThe previously published report was left unchanged." if args.command == "build" else ""
        print(f"\nFEHLER / ERROR: {error}{note}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
