"""Parsing what the server sends: the response head, field blocks, and body framings.

Theory of operation
-------------------
The head is read line by line from the shared :class:`ReceiveBuffer` (LF or CRLF line
ends, RFC 9112 §2.2), with one budget for the whole block so that a peer can never make
us buffer more than ``max_head_size`` bytes, however it splits its lines. Parsing then
turns the lines into ``(name, value)`` pairs, checking each line against the grammar in
:mod:`._abnf` and collecting what framing needs (Content-Length, Transfer-Encoding,
Connection) on the way.

:func:`response_framing` applies RFC 9112 §6.3 with the smuggling defences of this
engine: a ``Transfer-Encoding`` other than exactly ``chunked``, ``Transfer-Encoding``
together with ``Content-Length``, differing ``Content-Length`` values, and a malformed
length are all refused.

Body readers are small objects with ``read(buf)`` (an event, or ``None`` when more
bytes are needed) and ``read_eof()`` (what the peer's EOF means in the current state).
They take only what has arrived, so ``Content-Length: 10**12`` costs nothing up front.
"""

from __future__ import annotations

import re
from typing import Final

from tether.errors import LimitExceeded, RemoteProtocolError
from tether.protocols._buffer import ReceiveBuffer
from tether.protocols.http11._abnf import (
    CHUNK_SIZE_LINE,
    CRLF_HEAD,
    FIELD_LINE,
    FIELD_PAIRS,
    FIELD_PAIRS_CRLF,
    STATUS_LINE,
)
from tether.protocols.http11.events import Data, EndOfMessage, HeaderList

__all__ = [
    "BodyReader",
    "ChunkedReader",
    "CloseDelimitedReader",
    "ContentLengthReader",
    "FieldInfo",
    "HeadCollector",
    "parse_fields",
    "parse_status_line",
    "response_framing",
    "take_crlf_head",
]

#: Content-Length values longer than this many digits are refused (10**18 bytes is
#: beyond any real body, and int() of a huge digit string costs time).
MAX_CONTENT_LENGTH_DIGITS: Final = 18


class HeadCollector:
    """Collects the lines of a head or trailer block, bounded in total size and count."""

    __slots__ = ("crlf", "lines", "max_count", "max_size", "size_limit_name", "used")

    def __init__(self, max_size: int, max_count: int, size_limit_name: str) -> None:
        self.crlf = False
        self.lines: list[bytes] = []
        self.used = 0
        self.max_size = max_size
        self.max_count = max_count
        self.size_limit_name = size_limit_name

    def collect(self, buf: ReceiveBuffer, count_limit_name: str) -> list[bytes] | None:
        """Take lines until the empty line; ``None`` if it has not arrived yet.

        The returned list excludes the empty line. Raises :class:`LimitExceeded` once
        the block passes ``max_size`` bytes or ``max_count`` lines (+1 for a start line).

        Fast path: when the first line ends with CRLF, the rest of the block is taken
        in one search for CRLF CRLF instead of line by line (a peer that then mixes in
        bare LF line ends is refused: it could hide an early end of the head).
        """
        lines = self.lines
        while True:
            budget = self.max_size - self.used
            if budget < 0:
                raise LimitExceeded("response head too large", self.size_limit_name,
                                    self.max_size)
            if self.crlf and lines:
                return self._take_crlf_block(buf, budget, count_limit_name)
            try:
                line = buf.take_line(budget, keep_ends=True, limit_name=self.size_limit_name)
            except LimitExceeded:
                raise LimitExceeded("response head too large", self.size_limit_name,
                                    self.max_size) from None
            if line is None:
                return None
            if not lines:
                self.crlf = line.endswith(b"\r\n")
            line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
            if not line:
                return self._done()
            self.used += len(line) + 2
            lines.append(line)
            if len(lines) > self.max_count:
                raise LimitExceeded("too many header fields", count_limit_name, self.max_count)

    def _done(self) -> list[bytes]:
        lines = self.lines
        self.lines = []
        self.used = 0
        self.crlf = False
        return lines

    def _take_crlf_block(self, buf: ReceiveBuffer, budget: int, count_limit_name: str
                         ) -> list[bytes] | None:
        start = buf.peek(2)
        if start == b"\r\n":  # no fields at all
            buf.take_exactly(2)
            return self._done()
        if start in (b"", b"\r"):
            return None
        block = buf.take_until(b"\r\n\r\n", budget, include=False,
                               limit_name=self.size_limit_name, what="response head too large")
        if block is None:
            return None
        parts = block.split(b"\r\n")
        if block.count(b"\n") != len(parts) - 1:
            parts = _LINE_END.split(block)
            if b"" in parts:
                raise RemoteProtocolError("response head mixes CRLF and bare LF line ends",
                                          received=block)
        if len(self.lines) + len(parts) > self.max_count:
            raise LimitExceeded("too many header fields", count_limit_name, self.max_count)
        self.lines += parts
        return self._done()


_LINE_END: Final = re.compile(rb"\r?\n")


class FieldInfo:
    """What framing and persistence need from a field block, gathered while parsing."""

    __slots__ = ("connection", "content_length", "transfer_encoding")

    def __init__(self) -> None:
        self.content_length: list[bytes] = []
        self.transfer_encoding: list[bytes] = []
        self.connection: list[bytes] = []


def parse_status_line(line: bytes) -> tuple[bytes, int, bytes]:
    """``HTTP/1.1 200 OK`` → ``(b"1.1", 200, b"OK")``; RemoteProtocolError if malformed."""
    m = STATUS_LINE.fullmatch(line)
    if m is None:
        if b"\r" in line:
            raise RemoteProtocolError("bare CR in the status line", received=line)
        raise RemoteProtocolError("malformed status line", received=line)
    major, minor, code, reason = m.groups()
    if major != b"1":
        raise RemoteProtocolError("unsupported HTTP version", received=line)
    status = int(code)
    if status < 100:
        raise RemoteProtocolError("status code below 100", received=line)
    return major + b"." + minor, status, reason or b""


def parse_fields(lines: list[bytes], start: int = 0) -> tuple[HeaderList, FieldInfo]:
    """Parse field lines (from index ``start``) into pairs, unfolding obs-fold.

    RFC 9112 §5.2: a user agent replaces each obs-fold with SP. A continuation line
    before the first field is refused (RFC 9112 §2.2: whitespace after the start line).
    """
    count = len(lines) - start
    if count > 0:
        # Fast path: one findall over the block (FIELD_PAIRS: a match is one whole
        # line); a line that does not match is skipped by findall, so fewer pairs than
        # lines sends the block to the line-by-line loop (obs-fold, precise errors).
        block = b"\n".join(lines[start:] if start else lines) + b"\n"
        pairs: HeaderList = FIELD_PAIRS.findall(block)
        if len(pairs) == count:
            if b" \n" in block or b"\t\n" in block:  # trailing OWS (rare)
                pairs = [(name, value.rstrip(b" \t")) for name, value in pairs]
            return pairs, _field_info(pairs)
    info = FieldInfo()
    headers: HeaderList = []
    match = FIELD_LINE.fullmatch
    for i in range(start, len(lines)):
        line = lines[i]
        m = match(line)
        if m is None:
            if line[:1] in (b" ", b"\t") and b"\r" not in line and b"\x00" not in line:
                if not headers:
                    raise RemoteProtocolError("whitespace before the first header field",
                                              received=line)
                name, value = headers[-1]
                value = (value + b" " + line.strip(b" \t")).strip(b" \t")
                headers[-1] = (name, value)
                _note(info, name, value, replace=True)
                continue
            if b"\r" in line:
                raise RemoteProtocolError("bare CR in a header field", received=line)
            if b"\x00" in line:
                raise RemoteProtocolError("NUL in a header field", received=line)
            raise RemoteProtocolError("malformed header field", received=line)
        name, value = m.groups()
        headers.append((name, value))
        if 10 <= len(name) <= 17:
            _note(info, name, value)
    return headers, info


def _field_info(pairs: HeaderList) -> FieldInfo:
    """The framing fields of well-formed ``pairs`` (no obs-fold)."""
    info = FieldInfo()
    for name, value in pairs:
        if 10 <= len(name) <= 17:
            # _note inlined (this loop runs for every response; measured faster than
            # one case-insensitive search over the block).
            kind = _FRAMING_FIELDS.get(name.lower())
            if kind is not None:
                getattr(info, kind).append(value)
    return info


def take_crlf_head(buf: ReceiveBuffer, max_size: int, max_count: int
                   ) -> tuple[bytes, int, bytes, HeaderList, FieldInfo] | None:
    """The response head at the start of ``buf`` in one step, when it has fully
    arrived in its common shape (CRLF_HEAD) within ``max_size`` bytes and ``max_count``
    lines: ``(version, status, reason, fields, info)``, consumed from ``buf``. ``None``
    (nothing consumed) otherwise: the line-by-line reader then takes over, with the
    same results for what both accept and the precise errors for the rest."""
    # Bounded so that the head's lines (status line included, final CRLF not) stay
    # within max_size, as HeadCollector counts them.
    m = buf.match_until(CRLF_HEAD, b"\r\n\r\n", max_size + 2)
    if m is None:
        return None
    minor, code, reason, block = m.groups()
    end = m.end()
    status = int(code)
    if status < 100:
        return None
    pairs: HeaderList = FIELD_PAIRS_CRLF.findall(block)
    if len(pairs) + 1 > max_count:
        return None
    buf.skip(end)
    if b" \r\n" in block or b"\t\r\n" in block:  # trailing OWS (rare)
        pairs = [(name, value.rstrip(b" \t")) for name, value in pairs]
    return b"1." + minor, status, reason or b"", pairs, _field_info(pairs)


#: Lowercased names of the fields framing and persistence need → FieldInfo attribute.
_FRAMING_FIELDS: Final = {b"content-length": "content_length",
                          b"transfer-encoding": "transfer_encoding",
                          b"connection": "connection"}


def _note(info: FieldInfo, name: bytes, value: bytes, replace: bool = False) -> None:
    lname = name.lower()
    if lname == b"content-length":
        target = info.content_length
    elif lname == b"transfer-encoding":
        target = info.transfer_encoding
    elif lname == b"connection":
        target = info.connection
    else:
        return
    if replace and target:
        target[-1] = value
    else:
        target.append(value)


def connection_tokens(values: list[bytes]) -> set[bytes]:
    """The lowercased tokens of ``Connection`` field values."""
    if len(values) == 1 and b"," not in values[0]:  # the usual single token
        token = values[0].strip(b" \t").lower()
        return {token} if token else set()
    tokens: set[bytes] = set()
    for value in values:
        for part in value.split(b","):
            part = part.strip(b" \t").lower()
            if part:
                tokens.add(part)
    return tokens


def _content_length(values: list[bytes]) -> int:
    """RFC 9110 §8.6: one value, or a list whose members are all the same."""
    if len(values) == 1:
        text = values[0]
        if text.isdigit() and text.isascii() and len(text) <= MAX_CONTENT_LENGTH_DIGITS:
            return int(text)  # the usual plain number (else the checks below explain)
    seen: set[bytes] = set()
    for value in values:
        for part in value.split(b","):
            seen.add(part.strip(b" \t"))
    if len(seen) != 1:
        raise RemoteProtocolError("conflicting Content-Length values",
                                  received=b", ".join(values))
    (text,) = seen
    if not text.isdigit() or not text.isascii():
        raise RemoteProtocolError("malformed Content-Length", received=text)
    if len(text) > MAX_CONTENT_LENGTH_DIGITS:
        raise RemoteProtocolError("Content-Length too large", received=text)
    return int(text)


def _is_chunked(values: list[bytes]) -> None:
    """Refuse any Transfer-Encoding other than exactly ``chunked`` (ASCII, any case)."""
    if len(values) != 1 or values[0].strip(b" \t").lower() != b"chunked":
        raise RemoteProtocolError(
            "unsupported Transfer-Encoding (only exactly 'chunked' is accepted)",
            received=b", ".join(values),
        )


# Framing kinds returned by response_framing.
NO_BODY: Final = "none"
LENGTH: Final = "length"
CHUNKED: Final = "chunked"
CLOSE: Final = "close"
TUNNEL: Final = "tunnel"


def response_framing(
    request_method: bytes, status: int, http_version: bytes, info: FieldInfo
) -> tuple[str, int]:
    """How the body of a final response is delimited: ``(kind, length)`` (RFC 9112 §6.3).

    The smuggling checks run for every response, including those that have no body, so
    a contradictory head is never trusted on a connection that would be reused.
    """
    te = info.transfer_encoding
    cl = info.content_length
    if te:
        if cl:
            raise RemoteProtocolError("response has both Transfer-Encoding and Content-Length",
                                      received=b", ".join(te + cl))
        if http_version == b"1.0":
            raise RemoteProtocolError("Transfer-Encoding in an HTTP/1.0 response",
                                      received=b", ".join(te))
        _is_chunked(te)
    length = _content_length(cl) if cl else -1
    if request_method == b"HEAD" or status in (204, 304) or status < 200:
        return NO_BODY, 0
    if request_method == b"CONNECT" and 200 <= status < 300:
        return TUNNEL, 0
    if te:
        return CHUNKED, 0
    if length >= 0:
        return LENGTH, length
    return CLOSE, 0


class ContentLengthReader:
    """A body of known length."""

    __slots__ = ("length", "remaining")

    def __init__(self, length: int) -> None:
        self.length = length
        self.remaining = length

    def read(self, buf: ReceiveBuffer) -> Data | EndOfMessage | None:
        if self.remaining == 0:
            return EndOfMessage()
        data = buf.take_up_to(self.remaining)
        if not data:
            return None
        self.remaining -= len(data)
        return Data(data)

    def read_direct(self, data: bytes) -> tuple[Data, bytes]:
        """Fast path when the buffer is empty: split ``data`` into body and excess."""
        if len(data) <= self.remaining:
            self.remaining -= len(data)
            return Data(data), b""
        n = self.remaining
        self.remaining = 0
        return Data(data[:n]), data[n:]

    def read_eof(self) -> EndOfMessage:
        raise RemoteProtocolError(
            f"peer closed the connection before the end of the body: received "
            f"{self.length - self.remaining} of {self.length} bytes"
        )


class CloseDelimitedReader:
    """A body that ends when the peer closes the connection (RFC 9112 §6.3 rule 8)."""

    __slots__ = ()

    def read(self, buf: ReceiveBuffer) -> Data | None:
        data = buf.take_all()
        return Data(data) if data else None

    def read_eof(self) -> EndOfMessage:
        return EndOfMessage()


_SIZE, _DATA, _DATA_END, _TRAILERS, _DONE = range(5)


class ChunkedReader:
    """``Transfer-Encoding: chunked`` (RFC 9112 §7.1), trailers bounded."""

    __slots__ = ("max_chunk_line", "max_digits", "remaining", "state", "trailers")

    def __init__(self, *, max_digits: int, max_chunk_line: int, max_trailer_size: int,
                 max_trailer_count: int) -> None:
        self.state = _SIZE
        self.remaining = 0
        self.max_digits = max_digits
        self.max_chunk_line = max_chunk_line
        self.trailers = HeadCollector(max_trailer_size, max_trailer_count, "max_trailer_size")

    def read(self, buf: ReceiveBuffer) -> Data | EndOfMessage | None:
        while True:
            state = self.state
            if state == _DATA:
                data = buf.take_up_to(self.remaining)
                if not data:
                    return None
                self.remaining -= len(data)
                if self.remaining == 0:
                    self.state = _DATA_END
                return Data(data)
            if state == _SIZE:
                line = buf.take_line(self.max_chunk_line, limit_name="max_chunk_line")
                if line is None:
                    return None
                m = CHUNK_SIZE_LINE.fullmatch(line)
                if m is None:
                    raise RemoteProtocolError("malformed chunk size line", received=line)
                digits = m.group(1)
                if len(digits) > self.max_digits:
                    raise LimitExceeded("chunk size has too many digits",
                                        "max_chunk_size_digits", self.max_digits)
                size = int(digits, 16)
                if size == 0:
                    self.state = _TRAILERS
                else:
                    self.remaining = size
                    self.state = _DATA
                continue
            if state == _DATA_END:
                head = buf.peek(2)
                if head == b"\r\n":
                    buf.take_exactly(2)
                elif head[:1] == b"\n":
                    buf.take_exactly(1)
                elif head == b"\r" or not head:
                    return None
                else:
                    raise RemoteProtocolError("chunk data not followed by CRLF", received=head)
                self.state = _SIZE
                continue
            if state == _TRAILERS:
                lines = self.trailers.collect(buf, "max_trailer_count")
                if lines is None:
                    return None
                trailers, _ = parse_fields(lines)
                self.state = _DONE
                return EndOfMessage(headers=trailers)
            return EndOfMessage()

    def read_eof(self) -> EndOfMessage:
        raise RemoteProtocolError(
            "peer closed the connection in the middle of a chunked body"
        )


BodyReader = ContentLengthReader | ChunkedReader | CloseDelimitedReader
