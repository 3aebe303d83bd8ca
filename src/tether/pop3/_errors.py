"""tether.pop3's exceptions: poplib's ``error_proto`` and finer classes under it.

``error_proto`` is what poplib raises for everything, so every POP3-level failure here
is an ``error_proto``; each is also a :class:`~tether.errors.TetherError` and, where one
exists, the tether class that says what happened::

    error_proto (TetherError)                  poplib's only exception
    ├── POP3ResponseError                      the server answered -ERR (args[0] = the line)
    ├── POP3ProtocolError (RemoteProtocolError)  the server broke the protocol
    ├── POP3LimitExceeded (LimitExceeded)      a bound passed (_MAXLINE, max_response_size...)
    ├── POP3ConnectionClosed (ConnectionClosed, OSError)  closed mid-response ("-ERR EOF")
    ├── POP3CommandError (LocalProtocolError, ValueError)  CR/LF/NUL in an argument
    ├── CleartextAuthError (UsageError)        password refused on an unencrypted connection
    └── POP3ClosedError (ClosedError)          the client was already closed

Network failures (timeouts, resets, TLS) keep tether's classes, which are ``OSError``,
``TimeoutError`` and ``ssl.SSLError`` as poplib's socket errors were.
"""

from __future__ import annotations

from typing import Any, TypeVar

from tether import errors

__all__ = [
    "CleartextAuthError",
    "POP3ClosedError",
    "POP3CommandError",
    "POP3ConnectionClosed",
    "POP3LimitExceeded",
    "POP3ProtocolError",
    "POP3ResponseError",
    "error_proto",
    "rebrand",
]


class error_proto(errors.TetherError):
    """Any POP3 failure (poplib's exception). ``args[0]`` is the server's line (bytes)
    for ``-ERR`` answers, as in poplib, else a message."""


class POP3ResponseError(error_proto):
    """The server answered ``-ERR`` (or not ``+``). ``response`` is that line."""

    def __init__(self, response: bytes | str) -> None:
        super().__init__(response)
        self.response = response


class POP3ProtocolError(error_proto, errors.RemoteProtocolError):
    """The server sent something POP3 does not allow."""


class POP3LimitExceeded(error_proto, errors.LimitExceeded):
    """A bound was passed; ``limit`` names it (``_MAXLINE``, ``max_response_size``...)."""


class POP3ConnectionClosed(error_proto, errors.ConnectionClosed):
    """The server closed the connection while a response was expected (poplib: -ERR EOF)."""


class POP3CommandError(error_proto, errors.LocalProtocolError, ValueError):
    """An argument held CR, LF or NUL; nothing was sent."""


class CleartextAuthError(error_proto, errors.UsageError):
    """A password would have crossed an unencrypted, non-loopback connection."""


class POP3ClosedError(error_proto, errors.ClosedError):
    """The client was used after ``close()``/``quit()``."""


E = TypeVar("E", bound=BaseException)

_MAP: tuple[tuple[type[BaseException], type[BaseException]], ...] = (
    (errors.LimitExceeded, POP3LimitExceeded),
    (errors.ConnectionClosed, POP3ConnectionClosed),
    (errors.LocalProtocolError, POP3CommandError),
    (errors.RemoteProtocolError, POP3ProtocolError),
)


def _copy_as(cls: type[E], exc: BaseException) -> E:
    new: Any = cls.__new__(cls, *exc.args)
    new.args = exc.args
    new.__dict__.update(exc.__dict__)
    return new  # type: ignore[no-any-return]


def rebrand(exc: BaseException) -> BaseException | None:
    """The ``error_proto`` flavour of an engine error, or ``None`` to keep ``exc``."""
    if isinstance(exc, error_proto):
        return None
    for source, target in _MAP:
        if isinstance(exc, source):
            return _copy_as(target, exc)
    return None
