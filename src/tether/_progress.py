"""Progress bars for transfers (bytes, rate, ETA), drawn on stderr only when it is a terminal.

Used by the command line and ``tether demo``; the library itself never draws anything.
When stderr is not a terminal (a pipe, a file, a CI log), or ``TETHER_NO_PROGRESS`` is
set, every method is a no-op, so callers never need to check.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


def progress_wanted(stream: TextIO | None = None) -> bool:
    """True if progress should be drawn on ``stream`` (default stderr)."""
    stream = stream or sys.stderr
    if os.environ.get("TETHER_NO_PROGRESS"):
        return False
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


class Bar:
    """One transfer inside a :class:`TransferProgress`."""

    def __init__(self, owner: TransferProgress | None, task: TaskID | None) -> None:
        self._owner = owner
        self._task = task

    def advance(self, n: int) -> None:
        if self._owner is not None and self._owner._rich is not None and self._task is not None:
            self._owner._rich.advance(self._task, n)

    def update(self, *, total: int | None = None, completed: int | None = None) -> None:
        if self._owner is not None and self._owner._rich is not None and self._task is not None:
            self._owner._rich.update(self._task, total=total, completed=completed)


class TransferProgress:
    """A set of progress bars on stderr: ``with TransferProgress() as p: bar = p.add(...)``."""

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None, *,
                 transient: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.transient = transient
        self.enabled = progress_wanted(self.stream) if enabled is None else enabled
        self._rich: Progress | None = None

    def __enter__(self) -> TransferProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            progress = Progress(
                TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                TransferSpeedColumn(), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=self.transient,
            )
            progress.start()
            self._rich = progress
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None

    @property
    def console(self) -> Console | None:
        """The console the bars are drawn on, while they are (for messages above them)."""
        return self._rich.console if self._rich is not None else None

    def add(self, description: str, total: int | None, completed: int = 0) -> Bar:
        """A new bar; ``total`` None draws an indeterminate bar."""
        if self._rich is None:
            return Bar(None, None)
        task = self._rich.add_task(description, total=total, completed=completed)
        return Bar(self, task)
