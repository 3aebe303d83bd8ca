"""The ``tether`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tether._version import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tether", description="Client-side network protocols from the command line."
    )
    parser.add_argument("--version", action="version", version=f"tether {__version__}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="exercise every protocol against embedded loopback servers")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        from tether.demo import run_demo

        return run_demo()
    parser.print_help(sys.stderr)
    return 2
