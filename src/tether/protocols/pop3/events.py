"""Events the POP3 engine produces from the server's bytes.

Each is a frozen, slotted dataclass. A response is one of:

- a single-line response: one :class:`Status`;
- a multi-line response read in bulk: :class:`Status`, then (if ``ok``) one :class:`Body`;
- a multi-line response streamed: :class:`Status`, then (if ``ok``) zero or more
  :class:`BodyChunk` and one :class:`BodyEnd`;
- an ``AUTH`` exchange (RFC 5034): any number of :class:`Continuation`, then a
  :class:`Status`.
"""

from __future__ import annotations

import dataclasses
import enum

__all__ = ["NEED_DATA", "Body", "BodyChunk", "BodyEnd", "Continuation", "Event", "NeedData",
           "Status"]


class NeedData(enum.Enum):
    """Type of :data:`NEED_DATA`."""

    NEED_DATA = "NEED_DATA"


#: Returned by ``next_event()`` when more bytes from the server are needed.
NEED_DATA = NeedData.NEED_DATA


@dataclasses.dataclass(frozen=True, slots=True)
class Status:
    """A status line (``+OK ...`` / ``-ERR ...``), without its line end.

    ``ok`` follows poplib: any line starting with ``+`` is a success (RFC 1939 §3 says
    ``+OK``; old servers and poplib's own tests send ``+ text``).
    """

    ok: bool
    line: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class Continuation:
    """A SASL server challenge (RFC 5034 §4): ``line`` is the text after ``"+ "``,
    still base64-encoded."""

    line: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class Body:
    """The whole body of a multi-line response, dot-unstuffed, line ends as sent.

    The terminating ``.`` line is not included; ``len(data)`` is poplib's ``octets``.
    """

    data: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class BodyChunk:
    """A piece of a streamed multi-line body (dot-unstuffed, line ends as sent)."""

    data: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class BodyEnd:
    """The terminating ``.`` line of a streamed body arrived. ``size`` is the body's
    length after un-stuffing (poplib's ``octets``)."""

    size: int


Event = Status | Continuation | Body | BodyChunk | BodyEnd
