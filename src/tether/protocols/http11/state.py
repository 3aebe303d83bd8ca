"""The HTTP/1.1 connection state machine, as data.

Theory of operation
-------------------
Each side of a connection (``Role.CLIENT`` = us, ``Role.SERVER`` = the peer) has a
:class:`State`. :data:`EVENT_TRANSITIONS` maps ``(role, state, event type)`` to that
side's next state; a pair missing from the table is a protocol violation (ours:
``LocalProtocolError``; theirs: ``RemoteProtocolError``, raised by the connection).
Everything that moves the machine lives in this file:

- the table of per-event transitions;
- the *cross-role* rule: the client's ``Request`` moves the server from ``IDLE`` to
  ``SEND_RESPONSE`` (it may answer now);
- *protocol switches*: a ``CONNECT`` request or an ``Upgrade`` header is a proposal;
  the client then waits in ``MIGHT_SWITCH_PROTOCOL`` after its body. A 2xx answer to
  ``CONNECT`` or a ``101`` answer to ``Upgrade`` moves both sides to
  ``SWITCHED_PROTOCOL``; any other final response denies the switch (client: ``DONE``);
- *keep-alive*: once either side says the connection will not persist (RFC 9112 §9.3),
  ``DONE`` becomes ``MUST_CLOSE`` for both;
- :meth:`ConnectionState.start_next_cycle`: both ``DONE`` → both ``IDLE``.
"""

from __future__ import annotations

import enum
from typing import Final

from tether.errors import LocalProtocolError, RemoteProtocolError
from tether.protocols.http11.events import (
    ConnectionClosed,
    Data,
    EndOfMessage,
    InformationalResponse,
    Request,
    Response,
)

__all__ = ["EVENT_TRANSITIONS", "ConnectionState", "Role", "State", "Switch"]


class Role(enum.Enum):
    CLIENT = "client"
    SERVER = "server"

    # Members are singletons: hash by identity in C (Enum's own __hash__ is Python
    # code, and the transition table is looked up several times per request).
    __hash__ = object.__hash__


class State(enum.Enum):
    IDLE = "IDLE"
    SEND_RESPONSE = "SEND_RESPONSE"  # server only: the request is out, answer pending
    SEND_BODY = "SEND_BODY"
    DONE = "DONE"
    MUST_CLOSE = "MUST_CLOSE"
    CLOSED = "CLOSED"
    MIGHT_SWITCH_PROTOCOL = "MIGHT_SWITCH_PROTOCOL"  # client only
    SWITCHED_PROTOCOL = "SWITCHED_PROTOCOL"
    ERROR = "ERROR"

    __hash__ = object.__hash__


class Switch(enum.Enum):
    """Kinds of protocol switch the client may propose."""

    CONNECT = "CONNECT"
    UPGRADE = "UPGRADE"


CLIENT: Final = Role.CLIENT
SERVER: Final = Role.SERVER

#: (role, state, event type) → next state. Anything absent is a protocol violation.
EVENT_TRANSITIONS: Final[dict[tuple[Role, State, type], State]] = {
    (CLIENT, State.IDLE, Request): State.SEND_BODY,
    (CLIENT, State.IDLE, ConnectionClosed): State.CLOSED,
    (CLIENT, State.SEND_BODY, Data): State.SEND_BODY,
    (CLIENT, State.SEND_BODY, EndOfMessage): State.DONE,
    (CLIENT, State.DONE, ConnectionClosed): State.CLOSED,
    (CLIENT, State.MUST_CLOSE, ConnectionClosed): State.CLOSED,
    (CLIENT, State.CLOSED, ConnectionClosed): State.CLOSED,
    (SERVER, State.IDLE, ConnectionClosed): State.CLOSED,
    (SERVER, State.SEND_RESPONSE, InformationalResponse): State.SEND_RESPONSE,
    (SERVER, State.SEND_RESPONSE, Response): State.SEND_BODY,
    (SERVER, State.SEND_BODY, Data): State.SEND_BODY,
    (SERVER, State.SEND_BODY, EndOfMessage): State.DONE,
    (SERVER, State.DONE, ConnectionClosed): State.CLOSED,
    (SERVER, State.MUST_CLOSE, ConnectionClosed): State.CLOSED,
    (SERVER, State.CLOSED, ConnectionClosed): State.CLOSED,
}


class ConnectionState:
    """Both sides' states plus the rules that tie them together."""

    __slots__ = ("client", "keep_alive", "pending_switch", "server")

    def __init__(self) -> None:
        self.client = State.IDLE
        self.server = State.IDLE
        self.keep_alive = True
        self.pending_switch: Switch | None = None

    def process_error(self, role: Role) -> None:
        if role is CLIENT:
            self.client = State.ERROR
        else:
            self.server = State.ERROR
        self._settle()

    def process_keep_alive_disabled(self) -> None:
        self.keep_alive = False
        self._settle()

    def process_client_switch_proposal(self, switch: Switch) -> None:
        self.pending_switch = switch
        self._settle()

    def process_event(self, role: Role, event_type: type, accepted: Switch | None = None) -> None:
        """Move ``role`` on ``event_type``; ``accepted`` marks a response granting a switch."""
        current = self.client if role is CLIENT else self.server
        if accepted is not None:
            if role is not SERVER or event_type not in (Response, InformationalResponse):
                raise AssertionError("only a server response can accept a protocol switch")
            proposed = self.pending_switch is accepted
            if not proposed or self.client is not State.MIGHT_SWITCH_PROTOCOL:
                raise RemoteProtocolError(
                    f"server accepted a protocol switch ({accepted.value}) nobody proposed"
                )
            self.server = State.SWITCHED_PROTOCOL
            self.client = State.SWITCHED_PROTOCOL
            return
        nxt = EVENT_TRANSITIONS.get((role, current, event_type))
        if nxt is None:
            error = LocalProtocolError if role is CLIENT else RemoteProtocolError
            raise error(f"{role.value} cannot send {event_type.__name__} in state {current.value}")
        if role is CLIENT:
            self.client = nxt
            if event_type is Request:
                self.server = State.SEND_RESPONSE
        else:
            self.server = nxt
            if event_type is Response and self.client is State.MIGHT_SWITCH_PROTOCOL:
                # A final response that is not an acceptance denies the switch.
                self.pending_switch = None
                self.client = State.DONE
        if self.pending_switch is not None or not self.keep_alive \
                or self.client is State.MIGHT_SWITCH_PROTOCOL or self.server is State.CLOSED:
            self._settle()  # else (the usual case) it has nothing to change

    def _settle(self) -> None:
        """Apply the state-triggered transitions until nothing changes."""
        if self.pending_switch is not None and self.client is State.DONE:
            self.client = State.MIGHT_SWITCH_PROTOCOL
        if self.pending_switch is None and self.client is State.MIGHT_SWITCH_PROTOCOL:
            self.client = State.DONE
        if not self.keep_alive:
            if self.client is State.DONE:
                self.client = State.MUST_CLOSE
            if self.server is State.DONE:
                self.server = State.MUST_CLOSE
        # The server closed: a client that has not started a request never will.
        if self.server is State.CLOSED and self.client is State.IDLE:
            self.client = State.MUST_CLOSE

    def start_next_cycle(self) -> None:
        """Reuse the connection for another request (both sides must be ``DONE``)."""
        if self.client is not State.DONE or self.server is not State.DONE:
            raise LocalProtocolError(
                f"not in a reusable state (client {self.client.value}, "
                f"server {self.server.value})"
            )
        self.client = State.IDLE
        self.server = State.IDLE
        self.pending_switch = None
