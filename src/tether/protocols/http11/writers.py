"""Serialising what the client sends: the request head and body framings.

Theory of operation
-------------------
:func:`write_request` validates everything before producing a byte (RFC 9112 §3,
RFC 9110 §5): the method is a token, the target holds no whitespace or control
characters, field names are tokens and field values hold no CR, LF or NUL. Anything
else raises :class:`~tether.errors.LocalProtocolError`, so a header-injection attempt
never reaches the wire.

The body writer is chosen from the request's own framing fields (the engine adds none):
``Transfer-Encoding: chunked`` → :class:`ChunkedWriter`; ``Content-Length: n`` →
:class:`ContentLengthWriter` (exactly ``n`` bytes, enforced); neither → no body.
"""

from __future__ import annotations

import re
from typing import Final

from tether.errors import LocalProtocolError
from tether.protocols.http11._abnf import TOKEN, has_value_ctl
from tether.protocols.http11.events import HeaderList, Request

__all__ = [
    "BodyWriter",
    "ChunkedWriter",
    "ContentLengthWriter",
    "NoBodyWriter",
    "RequestFraming",
    "write_request",
]

# A request-target may not contain whitespace or controls (RFC 9112 §3.2); http.client
# refuses the same set.
_BAD_TARGET: Final = re.compile(rb"[\x00-\x20\x7f]")
#: Field names joined by LF: each must be a token (RFC 9110 §5.1).
_TOKENS: Final = re.compile(TOKEN.pattern + rb"(?:\n" + TOKEN.pattern + rb")*")
#: RFC 9110 §5.5: no CR, LF or NUL in a field value we send.
_VALUE_CTL: Final = re.compile(rb"[\r\n\x00]")
#: Fields that decide the request's framing or persistence (see ``_note_framing``).
_FRAMING_NAMES: Final = frozenset(
    {b"content-length", b"transfer-encoding", b"connection", b"expect"})


class RequestFraming:
    """What the engine learned from the request head it serialised."""

    __slots__ = ("chunked", "close", "content_length", "expect_continue", "upgrade")

    def __init__(self) -> None:
        self.content_length = -1
        self.chunked = False
        self.close = False
        self.expect_continue = False
        self.upgrade = False


def write_request(event: Request) -> tuple[bytes, RequestFraming]:
    """The request head's bytes, and its framing; LocalProtocolError if invalid."""
    method = event.method
    target = event.target
    if TOKEN.fullmatch(method) is None:
        raise LocalProtocolError(f"invalid method {method!r}: must be a token")
    if not target or _BAD_TARGET.search(target) is not None:
        raise LocalProtocolError(
            f"invalid request target {target!r}: empty, or contains whitespace/control "
            "characters"
        )
    if event.http_version != b"1.1":
        raise LocalProtocolError("this engine sends HTTP/1.1 requests only")
    framing = RequestFraming()
    headers = event.headers
    # Every name and value checked at once (one regex each over the joined pieces);
    # only a failure walks the fields one by one for the error message.
    names = [name for name, _ in headers]
    values = [value for _, value in headers]
    if names and (_TOKENS.fullmatch(b"\n".join(names)) is None
                  or _VALUE_CTL.search(b"".join(values)) is not None):
        _refuse_field(headers)
    have_host = False
    for name, value in headers:
        if 4 <= len(name) <= 17:
            lname = name.lower()
            if lname in _FRAMING_NAMES:
                _note_framing(framing, lname, value)
            elif lname == b"host":
                have_host = True
    if not have_host:
        raise LocalProtocolError("an HTTP/1.1 request must carry a Host header (RFC 9112 §3.2)")
    if framing.chunked and framing.content_length >= 0:
        raise LocalProtocolError("a request cannot have both Transfer-Encoding and Content-Length")
    lines = [b"%b: %b" % pair for pair in headers]
    return b"%b %b HTTP/1.1\r\n%b\r\n\r\n" % (method, target, b"\r\n".join(lines)) \
        if lines else b"%b %b HTTP/1.1\r\n\r\n" % (method, target), framing


def _refuse_field(headers: HeaderList) -> None:
    """Raise for the first invalid field name or value of ``headers``."""
    for name, value in headers:
        if TOKEN.fullmatch(name) is None:
            raise LocalProtocolError(f"invalid header name {name!r}")
        if has_value_ctl(value):
            raise LocalProtocolError(
                f"header {name!r} value contains CR, LF or NUL: {value!r}"
            )
    raise AssertionError("no invalid field found")  # pragma: no cover


def _note_framing(framing: RequestFraming, lname: bytes, value: bytes) -> None:
    if lname == b"content-length":
        text = value.strip(b" \t")
        if not text.isdigit() or not text.isascii():
            raise LocalProtocolError(f"invalid Content-Length {value!r}")
        n = int(text)
        if framing.content_length >= 0 and framing.content_length != n:
            raise LocalProtocolError("conflicting Content-Length headers")
        framing.content_length = n
    elif lname == b"transfer-encoding":
        if value.strip(b" \t").lower() != b"chunked" or framing.chunked:
            raise LocalProtocolError(
                f"Transfer-Encoding must be exactly 'chunked' (once), not {value!r}"
            )
        framing.chunked = True
    elif lname == b"connection":
        tokens = {t.strip(b" \t").lower() for t in value.split(b",")}
        if b"close" in tokens:
            framing.close = True
        if b"upgrade" in tokens:
            framing.upgrade = True
    elif lname == b"expect" and value.strip(b" \t").lower() == b"100-continue":
        framing.expect_continue = True


class ContentLengthWriter:
    """Exactly ``length`` bytes of body."""

    __slots__ = ("length", "remaining")

    def __init__(self, length: int) -> None:
        self.length = length
        self.remaining = length

    def data(self, data: bytes) -> bytes:
        if len(data) > self.remaining:
            raise LocalProtocolError(
                f"body longer than its Content-Length ({self.length} bytes)"
            )
        self.remaining -= len(data)
        return data

    def end(self, trailers: HeaderList) -> bytes:
        if self.remaining:
            raise LocalProtocolError(
                f"body ended {self.remaining} bytes short of its Content-Length ({self.length})"
            )
        if trailers:
            raise LocalProtocolError("trailers need Transfer-Encoding: chunked")
        return b""


class ChunkedWriter:
    """``Transfer-Encoding: chunked``; empty data writes nothing (a 0 chunk would end it)."""

    __slots__ = ()

    def data(self, data: bytes) -> bytes:
        if not data:
            return b""
        return b"%x\r\n%b\r\n" % (len(data), data)

    def end(self, trailers: HeaderList) -> bytes:
        if not trailers:
            return b"0\r\n\r\n"
        parts = [b"0\r\n"]
        for name, value in trailers:
            if TOKEN.fullmatch(name) is None or has_value_ctl(value):
                raise LocalProtocolError(f"invalid trailer field {name!r}: {value!r}")
            parts += (name, b": ", value, b"\r\n")
        parts.append(b"\r\n")
        return b"".join(parts)


class NoBodyWriter:
    """A request without framing fields has no body (RFC 9112 §6.3 rule 7)."""

    __slots__ = ()

    def data(self, data: bytes) -> bytes:
        if data:
            raise LocalProtocolError(
                "request has neither Content-Length nor Transfer-Encoding: chunked, so it "
                "cannot carry a body"
            )
        return b""

    def end(self, trailers: HeaderList) -> bytes:
        if trailers:
            raise LocalProtocolError("trailers need Transfer-Encoding: chunked")
        return b""


BodyWriter = ContentLengthWriter | ChunkedWriter | NoBodyWriter
