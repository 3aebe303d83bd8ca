"""tether's exception hierarchy.

Every exception tether raises on purpose is a :class:`TetherError`. Where users of the
standard library already catch something (``OSError`` around sockets, ``ssl.SSLError``
around TLS, ``TimeoutError`` around waits), tether's class is *also* that class, so both
``except OSError`` and ``except TetherError`` work. Protocol modules add their own
compatibility parents on top of these (``SMTPException``, ``requests``' exceptions...).

The tree::

    TetherError (Exception)
    ├── NetworkError (OSError)                something went wrong on the connection
    │   ├── ConnectError                      could not establish it
    │   ├── ReadError                         receiving failed
    │   ├── WriteError                        sending failed
    │   ├── ConnectionClosed                  the peer closed it when we needed more
    │   └── TimeoutError (builtin TimeoutError)
    │       ├── ConnectTimeout
    │       ├── ReadTimeout
    │       ├── WriteTimeout
    │       └── PoolTimeout                   no pooled connection became free in time
    ├── TLSError (ssl.SSLError)               handshake or TLS record failure
    │   └── TLSVerificationError (ssl.SSLCertVerificationError)
    ├── ProtocolError                         somebody broke the protocol
    │   ├── LocalProtocolError                we refused to send something invalid
    │   └── RemoteProtocolError               the peer sent something invalid (quoted)
    ├── LimitExceeded                         a configured bound was passed (named)
    └── UsageError                            the caller misused an object
        ├── ClosedError                       ... after closing it
        └── BusyError                         ... from two tasks/threads at once

Messages are written for the person reading a traceback: they say what happened, who
caused it, and where a bound is involved, which bound and how to raise it.

All exceptions pickle and unpickle with their attributes (they cross process pools).
"""

from __future__ import annotations

import builtins
import ssl
from typing import Any

__all__ = [
    "BusyError",
    "ClosedError",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionClosed",
    "LimitExceeded",
    "LocalProtocolError",
    "NetworkError",
    "PoolTimeout",
    "ProtocolError",
    "ReadError",
    "ReadTimeout",
    "RemoteProtocolError",
    "TLSError",
    "TLSVerificationError",
    "TetherError",
    "TimeoutError",
    "UsageError",
    "WriteError",
    "WriteTimeout",
    "quote_bytes",
]

#: How much of a peer's offending data an error message quotes.
QUOTE_LIMIT = 80


def quote_bytes(data: bytes | bytearray | memoryview | str, limit: int = QUOTE_LIMIT) -> str:
    """A short, printable quote of peer data for an error message."""
    if isinstance(data, str):
        text = data[:limit]
        suffix = "..." if len(data) > limit else ""
        return repr(text) + suffix
    raw = bytes(data[:limit])
    suffix = "..." if len(data) > limit else ""
    return repr(raw) + suffix


def _restore(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """Unpickle helper: rebuild without calling ``__init__`` (whose signature varies)."""
    obj = cls.__new__(cls, *args)
    obj.args = args
    obj.__dict__.update(state)
    return obj


class TetherError(Exception):
    """Root of every exception tether raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class NetworkError(TetherError, OSError):
    """A failure of the connection itself (also an :class:`OSError`)."""

    def __str__(self) -> str:
        # OSError renders (errno, strerror) pairs; ours carry one message.
        if len(self.args) == 1:
            return str(self.args[0])
        return OSError.__str__(self)


class ConnectError(NetworkError):
    """The connection could not be established (refused, unreachable, DNS failure)."""


class ReadError(NetworkError):
    """Receiving from the peer failed (reset, broken pipe...)."""


class WriteError(NetworkError):
    """Sending to the peer failed."""


class ConnectionClosed(NetworkError):
    """The peer closed the connection while more data was expected."""


class TimeoutError(NetworkError, builtins.TimeoutError):
    """A wait passed its timeout or the call's total deadline.

    Also the builtin :class:`TimeoutError` (and so ``socket.timeout``).
    """


class ConnectTimeout(TimeoutError, ConnectError):
    """Connecting (TCP, proxy or TLS handshake) took longer than allowed."""


class ReadTimeout(TimeoutError):
    """The peer sent nothing for longer than allowed."""


class WriteTimeout(TimeoutError):
    """The peer did not accept data for longer than allowed."""


class PoolTimeout(TimeoutError):
    """No connection became free in a pool in time."""


class TLSError(TetherError, ssl.SSLError):
    """The TLS handshake or a TLS record failed (also an :class:`ssl.SSLError`).

    ``reason`` and ``library`` are copied from the ``ssl`` module's exception, and the
    message starts with its text, so code that matches on either keeps working.
    """

    def __str__(self) -> str:
        if len(self.args) == 2 and isinstance(self.args[1], str):
            return self.args[1]
        if len(self.args) == 1:
            return str(self.args[0])
        return ssl.SSLError.__str__(self)


class TLSVerificationError(TLSError, ssl.SSLCertVerificationError):
    """The peer's certificate did not verify (untrusted, expired, wrong host name)."""


class ProtocolError(TetherError):
    """One side broke the rules of the protocol."""


class LocalProtocolError(ProtocolError):
    """tether refused to send something the protocol does not allow.

    Raised before a byte is sent, e.g. a CR or LF inside a header value.
    """


class RemoteProtocolError(ProtocolError):
    """The peer sent something the protocol does not allow.

    ``received`` holds a short quote of the offending data.
    """

    def __init__(self, message: str, received: bytes | str | None = None) -> None:
        self.received = received
        if received is not None:
            message = f"{message} (received {quote_bytes(received)})"
        super().__init__(message)


class LimitExceeded(TetherError):
    """A configured bound was passed.

    ``limit`` names the bound (usually the constant or argument that sets it) and
    ``value`` is its value; the message says how to raise it.
    """

    def __init__(self, what: str, limit: str, value: int | float) -> None:
        self.limit = limit
        self.value = value
        super().__init__(f"{what}: exceeds {limit}={value}")


class UsageError(TetherError):
    """The caller used an object in a way it does not support."""


class ClosedError(UsageError):
    """The object was already closed by the caller."""


class BusyError(UsageError):
    """Two threads or tasks used one connection at the same time."""
