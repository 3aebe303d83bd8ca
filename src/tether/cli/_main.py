"""Argument parsing, dispatch, and turning exceptions into one line and an exit code."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence

from tether._version import __version__
from tether.cli import _http, _mail, _robots, _url
from tether.cli._console import Output
from tether.cli._errors import ExitCode, exit_code_for, one_line
from tether.cli._passwords import redact

_EPILOG = """\
exit status: 0 ok, 1 negative answer (robots), 2 usage, 3/4/5 HTTP 3xx/4xx/5xx with
--check-status, 6 too many redirects, 7 network, 8 timeout, 9 TLS, 10 protocol,
11 refused by the server, 70 internal error, 130 interrupted.
"""


def _common() -> argparse.ArgumentParser:
    """Options every command accepts, wherever they appear on the line."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks of errors")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tether", description="Client-side network protocols from the command line.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"tether {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    common = [_common()]
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _http.add_parsers(sub, common)
    _mail.add_parser(sub, common)
    _url.add_parser(sub, common)
    _robots.add_parser(sub, common)
    demo = sub.add_parser("demo", parents=common,
                          help="exercise every protocol against embedded loopback servers")
    demo.add_argument("--serve", action="store_true",
                      help="only start the demo's servers and keep them running")
    demo.set_defaults(handler=_demo)
    return parser


def _demo(args: argparse.Namespace, out: Output) -> int:
    if args.serve:
        from tether.demo._serve import serve

        return serve()
    from tether.demo import run_demo

    return run_demo(debug=args.debug)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # argparse cannot collect positionals on both sides of an option
        # (``tether get URL -v a=1``): the leftovers belong to the command's trailing
        # positional list (named by its ``extras`` default), if it has one.
        dest = getattr(args, "extras", None)
        if dest is not None and not any(e.startswith("-") for e in extra):
            getattr(args, dest).extend(extra)
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    out = Output()
    try:
        return int(handler(args, out))
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as other tools do.
        _silence_stdout()
        return ExitCode.OK
    except (Exception, KeyboardInterrupt) as exc:
        code = exit_code_for(exc)
        if args.debug:
            traceback.print_exc(file=sys.stderr)
        print(f"tether: error: {redact(one_line(exc))}", file=sys.stderr)
        if code == ExitCode.INTERNAL and not args.debug:
            print("tether: this looks like a bug in tether; rerun with --debug for the "
                  "traceback", file=sys.stderr)
        return code


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
