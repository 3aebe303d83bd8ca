"""The ``tether`` command line: HTTP, mail, URLs and robots.txt, plus ``tether demo``.

``tether.cli:main`` is the console-script entry point and ``python -m tether`` runs it.
Commands live in one module each (``_http``, ``_mail``, ``_url``, ``_robots``); output
rules in ``_console``; exit codes in ``_errors``; password sources in ``_passwords``.
Nothing else in tether imports this package.
"""

from tether.cli._main import build_parser as build_parser
from tether.cli._main import main as main

__all__ = ["build_parser", "main"]
