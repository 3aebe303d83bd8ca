"""SMTP replies: the reply event and the incremental reply parser.

Theory of operation
-------------------
An SMTP reply (RFC 5321 §4.2) is one or more lines ``CODE SP text CRLF``; every line but
the last uses ``CODE "-" text``. :class:`ReplyParser` is fed bytes as they arrive and
hands out complete :class:`Reply` events. It never blocks and never grows without bound:
each line is capped (``max_line``) and so is the number of lines of one reply
(``max_lines``); passing either raises :class:`~tether.errors.LimitExceeded` naming it.

Leniency follows smtplib, which real servers have been tested against for decades: the
reply text is stripped of surrounding blanks, a line whose first three characters are
not digits ends the reply with the code ``-1``, and a reply the peer cut short by
closing the connection is delivered with what arrived (``feed_eof``).

With ENHANCEDSTATUSCODES (RFC 2034, codes from RFC 3463) the text of each line starts
with ``class.subject.detail``; the parser recognises it (only when its class agrees
with the reply code's first digit, as RFC 2034 §3 requires) and exposes it as
``Reply.enhanced_status`` without removing it from the text, so messages stay exactly
what the server sent.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Final

from tether.errors import LimitExceeded
from tether.protocols._buffer import ReceiveBuffer

__all__ = [
    "MAX_LINE_LENGTH",
    "MAX_REPLY_LINES",
    "Reply",
    "ReplyParser",
]

#: Longest reply line accepted, terminator included. RFC 5321 §4.5.3.1.5 allows 512
#: octets; real servers send longer EHLO and error lines, so this is smtplib's
#: ``_MAXLINE`` (16 times the RFC), which no known server exceeds.
MAX_LINE_LENGTH: Final = 8192

#: Most lines in one multi-line reply. A busy EHLO reply has about 20; 1000 leaves
#: room for HELP texts while a peer that streams ``250-`` forever is stopped after
#: at most MAX_REPLY_LINES * MAX_LINE_LENGTH (8 MiB) of memory.
MAX_REPLY_LINES: Final = 1000

# RFC 3463 §2: status-code = class "." subject "." detail; class is 2, 4 or 5,
# subject and detail 1 to 3 digits.
_ENHANCED = re.compile(rb"([245])\.(\d{1,3})\.(\d{1,3})(?=[ \t]|$)")


@dataclasses.dataclass(frozen=True, slots=True)
class Reply:
    """One complete reply.

    ``code`` is the three-digit reply code, or ``-1`` when the server's line did not
    start with one (smtplib's convention). ``lines`` holds the text of each line with
    the code, the separator and surrounding blanks removed. ``raw`` holds the lines as
    received (for debugging output).
    """

    code: int
    lines: tuple[bytes, ...]
    raw: tuple[bytes, ...] = ()

    @property
    def enhanced_status(self) -> str | None:
        """The RFC 3463 status of the first line (``"2.0.0"``), or ``None``.

        Worked out when asked for: most replies are only looked at for their code.
        """
        return _parse_enhanced(self.code, self.lines[0]) if self.lines else None

    @property
    def message(self) -> bytes:
        """The text of all lines joined with ``\\n`` (what smtplib returns)."""
        return b"\n".join(self.lines)

    @property
    def ok(self) -> bool:
        """A positive completion reply (2yz)."""
        return 200 <= self.code <= 299

    @property
    def transient(self) -> bool:
        """A transient negative reply (4yz): trying again later may work."""
        return 400 <= self.code <= 499

    def as_tuple(self) -> tuple[int, bytes]:
        """``(code, message)``, the shape of smtplib's ``getreply()``."""
        return self.code, self.message


def _parse_enhanced(code: int, text: bytes) -> str | None:
    match = _ENHANCED.match(text)
    if match is None or code < 0 or int(match.group(1)) != code // 100:
        return None
    return match.group(0).decode("ascii")


class ReplyParser:
    """Turns received bytes into :class:`Reply` events."""

    __slots__ = ("_buffer", "_eof", "_lines", "_raw")

    def __init__(self) -> None:
        self._buffer = ReceiveBuffer()
        self._lines: list[bytes] = []
        self._raw: list[bytes] = []
        self._eof = False

    def feed(self, data: bytes) -> None:
        """Append bytes received from the server."""
        self._buffer.feed(data)

    def feed_eof(self) -> None:
        """The server closed the connection: a partial last line is still delivered."""
        self._eof = True

    @property
    def eof(self) -> bool:
        return self._eof

    @property
    def pending(self) -> bool:
        """True while part of a reply has been received but not yet handed out."""
        return bool(self._buffer) or bool(self._lines)

    def discard(self) -> bytes:
        """Drop everything buffered (plaintext received before a TLS upgrade)."""
        self._lines.clear()
        self._raw.clear()
        return self._buffer.clear()

    def next_reply(
        self, max_line: int = MAX_LINE_LENGTH, max_lines: int = MAX_REPLY_LINES
    ) -> Reply | None:
        """The next complete reply, or ``None`` if more data is needed.

        Raises :class:`LimitExceeded` when a line is longer than ``max_line`` bytes
        (terminator included) or a reply has more than ``max_lines`` lines. At EOF with
        nothing buffered it returns ``None``; the caller decides what EOF means.
        """
        while True:
            try:
                line = self._buffer.take_line(max(0, max_line - 1), keep_ends=True)
            except LimitExceeded:
                self._lines.clear()
                self._raw.clear()
                raise LimitExceeded("reply line too long", "max_line_length", max_line) from None
            if line is None:
                if not (self._eof and self._buffer):
                    return None
                line = self._buffer.take_all()
                if len(line) > max_line:
                    raise LimitExceeded("reply line too long", "max_line_length", max_line)
            if len(self._lines) >= max_lines:
                self._lines.clear()
                self._raw.clear()
                raise LimitExceeded("reply has too many lines", "max_reply_lines", max_lines)
            text = line[4:].strip(b" \t\r\n")
            code_text = line[:3]
            valid = len(code_text) == 3 and code_text.isdigit()
            if valid and not self._lines and line[3:4] != b"-":
                return Reply(int(code_text), (text,), (line,))  # one-line reply: the usual
            self._raw.append(line)
            self._lines.append(text)
            if not valid:
                return self._finish(-1)
            if line[3:4] != b"-":
                return self._finish(int(code_text))

    def _finish(self, code: int) -> Reply:
        lines = tuple(self._lines)
        raw = tuple(self._raw)
        self._lines.clear()
        self._raw.clear()
        return Reply(code, lines, raw)
