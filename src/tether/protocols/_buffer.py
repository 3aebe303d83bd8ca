"""The receive buffer every sans-I/O engine reads from.

Theory of operation
-------------------
Bytes from the peer are appended with :meth:`ReceiveBuffer.feed`; the engine takes
complete units back out: a line, exactly ``n`` bytes, up to ``n`` bytes, or everything
up to a delimiter. A ``take_*`` call that cannot complete returns ``None`` and leaves
the buffer untouched, so the engine asks for more data and tries again.

Two properties matter:

* **Amortised O(n).** Data may arrive one byte at a time. Searching for a delimiter
  remembers how far the previous unsuccessful search got, so a line of n bytes delivered
  in n pieces costs O(n), not O(n^2). Removing consumed bytes from the front of a
  ``bytearray`` is amortised O(1) in CPython.
* **Bounded.** Every take that waits for a delimiter has a maximum length. When more
  than that many bytes are buffered without the delimiter, it raises
  :class:`~tether.errors.LimitExceeded` instead of letting the peer grow memory without
  bound.
"""

from __future__ import annotations

import re
from typing import Final

from tether.errors import LimitExceeded

__all__ = ["DEFAULT_MAX_LINE", "ReceiveBuffer"]

#: Default maximum line length (terminator excluded) when an engine does not pass one.
DEFAULT_MAX_LINE: Final = 64 * 1024


class ReceiveBuffer:
    """A growable byte buffer with bounded, incremental takes."""

    __slots__ = ("_data", "_search_delim", "_search_from")

    def __init__(self, initial: bytes = b"") -> None:
        self._data = bytearray(initial)
        # Where the next search for ``_search_delim`` may start: everything before it
        # was already searched and did not contain the delimiter.
        self._search_from = 0
        self._search_delim = b""

    # -- filling -----------------------------------------------------------------
    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Append bytes received from the peer."""
        self._data += data

    def __len__(self) -> int:
        return len(self._data)

    def __bool__(self) -> bool:
        return bool(self._data)

    def peek(self, n: int | None = None) -> bytes:
        """Return (a copy of) the first ``n`` buffered bytes without consuming them."""
        if n is None:
            return bytes(self._data)
        return bytes(self._data[:n])

    def clear(self) -> bytes:
        """Discard everything buffered and return it (e.g. plaintext before STARTTLS)."""
        out = bytes(self._data)
        self._data.clear()
        self._search_from = 0
        return out

    # -- taking --------------------------------------------------------------------
    def _consume(self, n: int) -> bytes:
        out = bytes(self._data[:n])
        del self._data[:n]
        self._search_from = 0
        return out

    def take_exactly(self, n: int) -> bytes | None:
        """Take exactly ``n`` bytes, or return ``None`` if fewer are buffered."""
        if len(self._data) < n:
            return None
        return self._consume(n)

    def take_up_to(self, n: int) -> bytes:
        """Take at most ``n`` bytes (possibly ``b""``)."""
        if n >= len(self._data):
            if not self._data:
                return b""
            n = len(self._data)
        return self._consume(n)

    def take_all(self) -> bytes:
        """Take everything buffered."""
        return self._consume(len(self._data))

    def _find(self, delim: bytes) -> int:
        if delim != self._search_delim:
            self._search_delim = delim
            self._search_from = 0
        start = self._search_from
        idx = self._data.find(delim, start)
        if idx < 0:
            # Leave room for a delimiter split across two feeds.
            self._search_from = max(0, len(self._data) - len(delim) + 1)
        return idx

    def match_until(self, pattern: re.Pattern[bytes], delim: bytes, max_length: int
                    ) -> re.Match[bytes] | None:
        """Match ``pattern`` against the buffered bytes up to the first ``delim`` (which
        must end within ``max_length`` bytes); the match must end just after ``delim``.
        Nothing is consumed (see :meth:`skip`), and the match's groups must be read
        before the buffer changes. ``None`` if there is no such match.

        One attempt costs O(``max_length``): an engine calls it once per unit, then
        reads incrementally with the ``take_*`` methods if it failed.
        """
        data = self._data
        idx = data.find(delim, 0, max_length)
        if idx < 0:
            return None
        end = idx + len(delim)
        m = pattern.match(data, 0, end)
        return m if m is not None and m.end() == end else None

    def skip(self, n: int) -> None:
        """Discard the first ``n`` bytes."""
        del self._data[:n]
        self._search_from = 0

    def take_until(
        self,
        delim: bytes,
        max_length: int,
        *,
        include: bool = True,
        limit_name: str = "max_length",
        what: str = "data without delimiter",
    ) -> bytes | None:
        """Take bytes up to and including (or excluding) ``delim``.

        The delimiter is always consumed. Returns ``None`` if it has not arrived yet.
        Raises :class:`LimitExceeded` if more than ``max_length`` bytes precede it.
        """
        idx = self._find(delim)
        if idx < 0:
            # The last len(delim) - 1 bytes may be the start of the delimiter: they do
            # not count yet, so the limit does not depend on how the bytes were split.
            if len(self._data) - len(delim) + 1 > max_length:
                raise LimitExceeded(what, limit_name, max_length)
            return None
        if idx > max_length:
            raise LimitExceeded(what, limit_name, max_length)
        chunk = self._consume(idx + len(delim))
        return chunk if include else chunk[: -len(delim)]

    def take_line(
        self,
        max_length: int = DEFAULT_MAX_LINE,
        *,
        keep_ends: bool = False,
        limit_name: str = "max_line_length",
    ) -> bytes | None:
        """Take one line ended by LF (a CRLF ending is one terminator).

        Returns the line without its terminator unless ``keep_ends``; ``None`` when no
        complete line is buffered. A line longer than ``max_length`` (terminator
        excluded) raises :class:`LimitExceeded`, whether or not its end has arrived.
        """
        idx = self._find(b"\n")
        if idx < 0:
            # A pending CR may still become part of CRLF.
            pending = len(self._data)
            if pending and self._data[-1] == 0x0D:
                pending -= 1
            if pending > max_length:
                raise LimitExceeded("line too long", limit_name, max_length)
            return None
        length = idx - 1 if idx and self._data[idx - 1] == 0x0D else idx
        if length > max_length:
            raise LimitExceeded("line too long", limit_name, max_length)
        line = self._consume(idx + 1)
        if keep_ends:
            return line
        return line[:length]

    def take_lines_until(
        self,
        terminator: bytes,
        max_length: int,
        *,
        limit_name: str = "max_response_size",
    ) -> bytes | None:
        """Take a block ending with ``terminator`` (e.g. ``b"\\r\\n.\\r\\n"``), inclusive.

        Like :meth:`take_until` but with a limit message about a whole response.
        """
        return self.take_until(
            terminator, max_length, include=True, limit_name=limit_name, what="response too large"
        )
