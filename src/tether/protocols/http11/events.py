"""Events of an HTTP/1.1 exchange, as the client engine sends and receives them.

Theory of operation
-------------------
A client *sends* a :class:`Request`, then zero or more :class:`Data`, then an
:class:`EndOfMessage`. It *receives* zero or more :class:`InformationalResponse`
(1xx), one :class:`Response`, zero or more :class:`Data` and an :class:`EndOfMessage`
(carrying the trailers of a chunked body). :class:`ConnectionClosed` stands for the
peer's EOF at a point where that is allowed (between messages, or the end of a
close-delimited body). Events are frozen, slotted dataclasses; headers are lists of
``(name, value)`` byte pairs exactly as they travel (names keep their case).

Besides events, :meth:`Connection.next_event` returns a :class:`Signal`:
``NEED_DATA`` (feed more bytes) or ``PAUSED`` (the connection switched protocol, e.g.
after a successful CONNECT; take the rest with ``trailing_data``).
"""

from __future__ import annotations

import dataclasses
import enum

__all__ = [
    "NEED_DATA",
    "PAUSED",
    "ConnectionClosed",
    "Data",
    "EndOfMessage",
    "Event",
    "HeaderList",
    "InformationalResponse",
    "Request",
    "Response",
    "Signal",
]

#: Header fields as (name, value) pairs, in wire order.
HeaderList = list[tuple[bytes, bytes]]


class Signal(enum.Enum):
    """Non-event results of :meth:`Connection.next_event`."""

    NEED_DATA = "NEED_DATA"
    PAUSED = "PAUSED"

    def __repr__(self) -> str:
        return self.value


NEED_DATA = Signal.NEED_DATA
PAUSED = Signal.PAUSED


@dataclasses.dataclass(frozen=True, slots=True)
class Request:
    """A request head. ``target`` is origin-form, absolute-form, authority-form or ``*``."""

    method: bytes
    target: bytes
    headers: HeaderList
    http_version: bytes = b"1.1"


@dataclasses.dataclass(frozen=True, slots=True)
class InformationalResponse:
    """An interim 1xx response (100 Continue, 103 Early Hints, 101 Switching Protocols)."""

    status_code: int
    headers: HeaderList
    reason: bytes = b""
    http_version: bytes = b"1.1"


@dataclasses.dataclass(frozen=True, slots=True)
class Response:
    """The final response head (status 200-599)."""

    status_code: int
    headers: HeaderList
    reason: bytes = b""
    http_version: bytes = b"1.1"


@dataclasses.dataclass(frozen=True, slots=True)
class Data:
    """A piece of a message body (after de-chunking)."""

    data: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class EndOfMessage:
    """The end of a message body; ``headers`` holds the trailer fields of a chunked body."""

    headers: HeaderList = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """The peer closed the connection (EOF) at a point where that is allowed."""


Event = Request | InformationalResponse | Response | Data | EndOfMessage | ConnectionClosed
