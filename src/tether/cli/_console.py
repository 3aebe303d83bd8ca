"""Output rules of the command line.

- Colour and tables only when the stream is a terminal (rich decides, and honours
  ``NO_COLOR``/``FORCE_COLOR``); plain text when piped, so output can be parsed.
- Binary data is never written to a terminal.
- Progress goes to stderr (see :mod:`tether._progress`), never to stdout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tether._progress import TransferProgress


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Output:
    """The stdout and stderr of one command run."""

    def __init__(self, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.out_is_tty = _isatty(self.stdout)
        self.err_is_tty = _isatty(self.stderr)
        self.out = Console(file=self.stdout, highlight=False, soft_wrap=True,
                           emoji=False, markup=False)
        self.err = Console(file=self.stderr, highlight=False, soft_wrap=True,
                           emoji=False, markup=False)
        #: A progress display being drawn on stderr: messages go through it, so they
        #: appear above the bars instead of inside them.
        self.live: TransferProgress | None = None

    def write_bytes(self, data: bytes) -> None:
        """Raw bytes to stdout (the caller has checked that stdout is not a terminal)."""
        self.stdout.flush()
        self.stdout.buffer.write(data)

    def flush(self) -> None:
        self.stdout.flush()
        if hasattr(self.stdout, "buffer"):
            self.stdout.buffer.flush()

    def text(self, text: str | Text, *, err: bool = False, style: str | None = None) -> None:
        console = self.err if err else self.out
        if err and self.live is not None and self.live.console is not None:
            console = self.live.console
        console.print(text, style=style, markup=False, highlight=False, emoji=False)

    def json(self, value: Any) -> None:
        """JSON: indented and coloured on a terminal, indented plain text otherwise."""
        text = json.dumps(value, indent=2, ensure_ascii=False)
        if self.out_is_tty:
            from rich.json import JSON

            self.out.print(JSON(text))
        else:
            self.stdout.write(text + "\n")

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]],
              title: str | None = None) -> None:
        """A table on a terminal; tab-separated lines (header line first) when piped."""
        rows = [list(r) for r in rows]
        if self.out_is_tty:
            table = Table(*headers, title=title, title_justify="left")
            for row in rows:
                table.add_row(*(Text(cell) for cell in row))
            self.out.print(table)
            return
        for row in [list(headers), *rows]:
            self.stdout.write("\t".join(row) + "\n")

    def pairs(self, rows: Iterable[tuple[str, str]]) -> None:
        """Name/value pairs: a two-column table on a terminal, ``name: value`` when piped."""
        rows = list(rows)
        if self.out_is_tty:
            table = Table(show_header=False, box=None, pad_edge=False)
            table.add_column(style="bold cyan")
            table.add_column()
            for name, value in rows:
                table.add_row(name, Text(value))
            self.out.print(table)
            return
        width = max((len(n) for n, _ in rows), default=0)
        for name, value in rows:
            self.stdout.write(f"{name + ':':<{width + 1}} {value}\n")


def looks_binary(data: bytes) -> bool:
    """True for data that should not be written to a terminal (NUL or invalid text)."""
    sample = data[:4096]
    if b"\x00" in sample:
        return True
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start < len(sample) - 3
    return False
