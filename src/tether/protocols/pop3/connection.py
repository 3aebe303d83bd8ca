"""The POP3 client engine: commands in, bytes out; bytes in, events out.

Theory of operation
-------------------
POP3 (RFC 1939) is strictly request/response: the server answers every command, in
order, with either one status line or a status line followed by a dot-terminated body.
Which of the two depends only on the command (and, for multi-line commands, on the
status being positive). So the engine keeps a FIFO of *expected responses*: each
:meth:`POP3Connection.send_command` appends one (a client may pipeline, RFC 2449 §6.6),
:meth:`expect` appends one without sending (the greeting). :meth:`next_event` frames
the head of the FIFO:

===============  =============================================================
expected         events
===============  =============================================================
``SINGLE``       :class:`Status`
``MULTI`` bulk   :class:`Status`, then if ok one :class:`Body`
``MULTI`` stream :class:`Status`, then if ok :class:`BodyChunk`\\* and :class:`BodyEnd`
``SASL``         :class:`Continuation`\\* then :class:`Status`
===============  =============================================================

Status lines go through the shared :class:`ReceiveBuffer` (bounded by
``max_line_length``). Bodies bypass it: received chunks are handed to a
:class:`BodyScanner`, which finds the terminator and un-stuffs with ``bytes`` operations;
whatever follows the terminator goes back into the buffer for the next response.

Most commands are answered by one small response that arrives in one read (``TOP n
0``, ``LIST n``, ``DELE``...). :meth:`receive_whole_response` takes such a read in one
call, without events or buffering, and returns exactly what :meth:`next_event` would;
anything unusual (a partial response, dot-stuffing, bytes after it, a limit passed) is
left to the general path.

When the caller stops reading a response half way (an exception, a timeout, a
``break`` out of a streamed body), :meth:`abandon` turns every outstanding response
into one to *discard*: its remaining bytes are skipped silently, so the next command
reads its own answer and the connection stays usable. A status line that passes
``max_line_length`` is reported once and then discarded the same way.

``start_tls()`` drops every byte buffered in clear text after the ``+OK`` to ``STLS``
(RFC 2595 §3.1 and CVE-2011-0411-style injection): nothing received before the
handshake may be read as if it came over TLS.
"""

from __future__ import annotations

import dataclasses
import enum
from collections import deque
from typing import Final

from tether.errors import ConnectionClosed, LimitExceeded, LocalProtocolError
from tether.protocols._buffer import ReceiveBuffer
from tether.protocols.pop3.events import (
    NEED_DATA,
    Body,
    BodyChunk,
    BodyEnd,
    Continuation,
    Event,
    NeedData,
    Status,
)
from tether.protocols.pop3.readers import BodyScanner
from tether.protocols.pop3.wire import check_command_line

__all__ = [
    "MAX_LINE_LENGTH",
    "MAX_RESPONSE_LINES",
    "MAX_RESPONSE_SIZE",
    "BodyMode",
    "POP3Connection",
    "ResponseKind",
]

#: Longest status line (line end excluded). RFC 1939 §3 limits responses to 512 octets
#: including CRLF; poplib reads up to ``_MAXLINE`` = 2048 with the line end, and so do
#: we by default (the client passes ``tether.pop3._MAXLINE - 2`` at each call).
MAX_LINE_LENGTH: Final = 2046

#: Largest multi-line body read into memory (``retr``, ``retr_bytes``, ``list``...).
#: Above the largest message any common provider accepts (Exchange Online 150 MB,
#: Gmail 50 MB, both before base64 growth) with room to spare, yet a server cannot make
#: the client buffer gigabytes. ``iter_retr`` streams without this bound.
MAX_RESPONSE_SIZE: Final = 256 * 1024 * 1024

#: Most lines in one multi-line response split into a list (``retr``, ``top``,
#: ``list``, ``uidl``, ``capa``). Each line is a ``bytes`` object of ~33 bytes
#: overhead; a 256 MiB body of empty lines would otherwise cost about 4 GiB of objects.
#: 8 million covers a 256 MiB message of 32-byte lines and a 1-million-message LIST.
MAX_RESPONSE_LINES: Final = 8_000_000

#: Bodies up to this size that arrived whole take a two-``find`` fast path (TOP n 0,
#: LIST, UIDL): per-command cost matters for thousands of small responses.
_FAST_BODY: Final = 64 * 1024


class ResponseKind(enum.Enum):
    """What the server answers a command with."""

    SINGLE = "single"
    MULTI = "multi"
    SASL = "sasl"


class BodyMode(enum.Enum):
    """How a multi-line body is delivered."""

    BULK = "bulk"
    STREAM = "stream"


# Module-level names for the members the per-command shortcut compares against.
_SINGLE: Final = ResponseKind.SINGLE
_SASL: Final = ResponseKind.SASL
_BULK: Final = BodyMode.BULK


@dataclasses.dataclass(slots=True)
class _Expected:
    kind: ResponseKind
    mode: BodyMode = BodyMode.BULK
    discard: bool = False
    # Framing progress: None before the status line; a scanner while in the body.
    scanner: BodyScanner | None = None
    # For a discarded response whose status line was too long: skipping to its end.
    skipping_line: bool = False
    # True once a positive multi-line status was seen (a body follows).
    in_body: bool = False


class POP3Connection:
    """Sans-I/O POP3 client engine (see the module docstring)."""

    def __init__(
        self,
        *,
        max_line_length: int = MAX_LINE_LENGTH,
        max_response_size: int = MAX_RESPONSE_SIZE,
    ) -> None:
        self.max_line_length = max_line_length
        self.max_response_size = max_response_size
        self._buffer = ReceiveBuffer()
        # Chunks received while a body is being read, not yet scanned (no copy).
        self._inbox: deque[bytes] = deque()
        self._expected: deque[_Expected] = deque()
        self._eof = False

    # -- outgoing ------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Responses still expected (including ones being discarded)."""
        return len(self._expected)

    @property
    def eof(self) -> bool:
        return self._eof

    def expect(self, kind: ResponseKind = ResponseKind.SINGLE,
               mode: BodyMode = BodyMode.BULK) -> None:
        """Expect a response without sending a command (the greeting)."""
        self._expected.append(_Expected(kind, mode))

    def send_command(self, line: bytes, kind: ResponseKind = ResponseKind.SINGLE,
                     mode: BodyMode = BodyMode.BULK) -> bytes:
        """Bytes to send for command ``line`` (no line end); its response is expected.

        Raises :class:`LocalProtocolError` if ``line`` holds CR, LF or NUL.
        """
        if 13 in line or 10 in line or 0 in line:  # CR, LF, NUL (ints: 8x faster)
            check_command_line(line)  # raises, naming the character
        self._expected.append(_Expected(kind, mode))
        return line + b"\r\n"

    def send_sasl_response(self, line: bytes) -> bytes:
        """Bytes to send answering a :class:`Continuation` (base64 text or ``*``)."""
        head = self._live_head()
        if head is None or head.kind is not ResponseKind.SASL:
            raise LocalProtocolError("no SASL exchange is waiting for a response")
        check_command_line(line)
        return line + b"\r\n"

    def abandon(self) -> None:
        """Discard every outstanding response (the caller stopped reading them)."""
        for item in self._expected:
            item.discard = True
            if item.scanner is not None:
                item.scanner.discarding = True

    def start_tls(self) -> bytes:
        """Call after the ``+OK`` to ``STLS``: drops (and returns) buffered plaintext."""
        if self._expected:
            raise LocalProtocolError("STLS while responses are outstanding")
        dropped = self._buffer.clear() + b"".join(self._inbox)
        self._inbox.clear()
        return dropped

    @property
    def buffer(self) -> ReceiveBuffer:
        """The receive buffer, for file-like raw reads while nothing is expected."""
        self._flush_inbox()
        return self._buffer

    # -- incoming ------------------------------------------------------------------
    def receive_data(self, data: bytes) -> None:
        """Bytes from the server; ``b""`` means it closed the connection."""
        if data:
            self._inbox.append(data)
        else:
            self._eof = True

    @property
    def needs_data(self) -> bool:
        """Nothing received is waiting to be parsed: the next step is reading."""
        return not self._inbox and not self._buffer and not self._eof

    def receive_whole_response(self, data: bytes) -> tuple[bytes, bytes | None] | None:
        """:meth:`receive_data` with a shortcut for the common case of one command.

        When ``data`` is exactly the one response expected (nothing else outstanding or
        buffered, a status line within ``max_line_length`` and, after a positive
        multi-line status, an un-stuffed CRLF body ending with the terminator and
        nothing after it), the response is consumed at once: returns (status line,
        body), ``body`` being ``None`` for a single-line response or a negative status.
        The result is the one :meth:`next_event` would give, without event objects.
        Otherwise ``data`` is queued as by :meth:`receive_data` and ``None`` returned.
        """
        expected = self._expected
        if len(expected) == 1 and data and not self._inbox and not self._buffer:
            head = expected[0]
            kind = head.kind
            if (head.scanner is None and not head.discard and head.mode is _BULK
                    and kind is not _SASL):
                i = data.find(b"\n")
                length = i - 1 if i > 0 and data[i - 1] == 0x0D else i
                if 0 <= length <= self.max_line_length:
                    line = data[:length]
                    end = len(data)
                    if kind is _SINGLE or data[0] != 0x2B:  # not "+": no body
                        if i == end - 1:
                            expected.popleft()
                            return line, None
                    elif end - i == 4 and data.endswith(b"\n.\r\n"):
                        # RFC 1939 §3: an empty body is the terminator line alone.
                        expected.popleft()
                        return line, b""
                    # Ends with CRLF "." CRLF, and the first line start holding a dot is
                    # that terminator: nothing to un-stuff, no bare-LF last line, nothing
                    # after it (so data[i:] == "\n." means the body is just the terminator).
                    elif (data.endswith(b"\r\n.\r\n") and data.find(b"\n.", i) == end - 4
                          and end - 4 - i <= self.max_response_size):
                        expected.popleft()
                        return line, data[i + 1:end - 3]
        self.receive_data(data)
        return None

    def _flush_inbox(self) -> None:
        inbox = self._inbox
        while inbox:
            self._buffer.feed(inbox.popleft())

    def _live_head(self) -> _Expected | None:
        return self._expected[0] if self._expected else None

    def next_event(self) -> Event | NeedData:
        """The next event of the head response, or :data:`NEED_DATA`.

        Raises :class:`LimitExceeded` (a bound passed; that response is then skipped),
        :class:`ConnectionClosed` (the server closed mid-response). Discarded responses
        are consumed silently.
        """
        if not self._inbox and not self._buffer and not self._eof and self._expected:
            # Nothing to parse: only a streamed body's pending BodyEnd can progress.
            scanner = self._expected[0].scanner
            if scanner is None or not scanner.done:
                return NEED_DATA
        while self._expected:
            head = self._expected[0]
            if head.in_body and not head.skipping_line:
                event = self._read_body(head)
            else:
                event = self._read_status(head)
            if event is NEED_DATA:
                if self._eof:
                    raise ConnectionClosed(
                        "-ERR EOF: the server closed the connection"
                        + (" in the middle of a response" if head.in_body
                           or len(self._buffer) else "")
                    )
                return NEED_DATA
            if event is None:  # discarded, or a finished discard
                continue
            return event
        return NEED_DATA

    def _read_status(self, head: _Expected) -> Event | NeedData | None:
        self._flush_inbox()
        buf = self._buffer
        if head.skipping_line:
            rest = buf.take_until(b"\n", 1 << 62, include=True)
            if rest is None:
                buf.clear()
                return NEED_DATA
            head.skipping_line = False
            if not head.in_body:  # a body follows only a positive multi-line status
                self._expected.popleft()
            return None
        try:
            line = buf.take_line(self.max_line_length, limit_name="_MAXLINE")
        except LimitExceeded:
            first = buf.peek(1)
            head.discard = True
            head.skipping_line = True
            if head.kind is ResponseKind.MULTI and first == b"+":
                head.in_body = True
                head.scanner = BodyScanner()
                head.scanner.discarding = True
            raise LimitExceeded("line too long", "_MAXLINE", self.max_line_length + 2) from None
        if line is None:
            return NEED_DATA
        ok = line.startswith(b"+")
        if head.kind is ResponseKind.SASL and ok and not line.startswith(b"+OK"):
            # RFC 5034 §4: "+" SP base64 (or a bare "+") is a continuation request.
            if head.discard:
                return None
            return Continuation(line[2:] if line.startswith(b"+ ") else line[1:])
        if head.kind is ResponseKind.MULTI and ok:
            head.in_body = True
            head.scanner = BodyScanner()
            head.scanner.discarding = head.discard
            if head.discard:
                return None
            return Status(True, line)
        self._expected.popleft()
        if head.discard:
            return None
        return Status(ok, line)

    def _small_body(self) -> bytes | None:
        """A whole, unstuffed CRLF body already buffered (LIST, UIDL, CAPA, TOP n 0...),
        taken with two ``find`` calls instead of the scanner; ``None`` otherwise."""
        self._flush_inbox()
        data = self._buffer.peek()
        if data.startswith(b".\r\n"):
            self._buffer.take_exactly(3)
            return b""
        end = data.find(b"\r\n.\r\n")
        if (end < 0 or data.startswith(b".") or data.find(b"\n.") != end + 1
                or end + 2 > self.max_response_size):
            # Incomplete, a dot-started line to un-stuff, or over the size bound: the
            # scanner's job (it raises LimitExceeded for the last).
            return None
        self._buffer.take_exactly(end + 5)
        return data[:end + 2]

    def _read_body(self, head: _Expected) -> Event | NeedData | None:
        scanner = head.scanner
        assert scanner is not None
        if scanner.done:
            # A streamed body whose last chunk was delivered by the previous call.
            self._expected.popleft()
            return None if head.discard else BodyEnd(scanner.size)
        buf = self._buffer
        inbox = self._inbox
        if (scanner.size == 0 and scanner.fresh and head.mode is BodyMode.BULK
                and not head.discard and 0 < len(buf) <= _FAST_BODY):
            body = self._small_body()
            if body is not None:
                self._expected.popleft()
                return Body(body)
        limit = None if head.mode is BodyMode.STREAM else self.max_response_size
        while buf or inbox:
            rest = scanner.feed(buf.take_all() if buf else inbox.popleft())
            if scanner.done:
                if rest:
                    buf.feed(rest)
                self._flush_inbox()
            if limit is not None and scanner.size > limit and not head.discard:
                head.discard = scanner.discarding = True
                scanner.take()
                if scanner.done:
                    self._expected.popleft()
                raise LimitExceeded("multi-line response too large", "max_response_size",
                                    limit)
            if scanner.done:
                break
        if head.discard:
            scanner.take()
            if scanner.done:
                self._expected.popleft()
                return None
            return NEED_DATA
        if scanner.done:
            data = scanner.take()
            if head.mode is BodyMode.STREAM:
                if data:
                    return BodyChunk(data)  # BodyEnd on the next call
                self._expected.popleft()
                return BodyEnd(scanner.size)
            self._expected.popleft()
            return Body(data)
        if head.mode is BodyMode.STREAM:
            data = scanner.take()
            if data:
                return BodyChunk(data)
        return NEED_DATA
