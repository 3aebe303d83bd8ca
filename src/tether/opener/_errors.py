"""urllib.error's classes, each also a :class:`~tether.errors.TetherError`, and the
http.client-compatible errors raised while reading a response.

::

    URLError (TetherError, OSError)           the request could not be made
    ├── HTTPError (also a response)           the server answered with an error status
    └── ContentTooShortError                  urlretrieve got fewer bytes than announced
    IncompleteRead (RemoteProtocolError, http.client.IncompleteRead)
                                              the body was cut short or misframed
    BadResponse (RemoteProtocolError, http.client.HTTPException)
                                              the response broke HTTP (head or framing)
    ResponseTooLarge (LimitExceeded, http.client.LineTooLong)
                                              a bound on the response head was passed
    RemoteDisconnected (ConnectionClosed, http.client.RemoteDisconnected)
                                              closed without sending a response
"""

from __future__ import annotations

import http.client
import io
from email.message import Message
from typing import Any

from tether import errors

__all__ = [
    "BadResponse",
    "ContentTooShortError",
    "HTTPError",
    "IncompleteRead",
    "RemoteDisconnected",
    "ResponseTooLarge",
    "URLError",
    "translate_read_error",
]


class URLError(errors.TetherError, OSError):
    """The URL could not be opened; ``reason`` says why (a message or the exception)."""

    def __init__(self, reason: Any, filename: str | None = None) -> None:
        self.args = (reason,)
        self.reason = reason
        if filename is not None:
            self.filename = filename

    def __str__(self) -> str:
        return f"<urlopen error {self.reason}>"


class HTTPError(URLError):
    """An HTTP error status, usable as the response too (``code``, ``reason``,
    ``headers``, ``read()``, ``info()``, ``geturl()``...)."""

    def __init__(self, url: str | None, code: int | None, msg: str, hdrs: Any,
                 fp: Any) -> None:
        self.code = code
        self.msg = msg
        self.hdrs = hdrs
        self.fp = fp if fp is not None else io.BytesIO()
        self.filename = self.url = url
        self.args = (msg,)

    @property
    def reason(self) -> str:
        return self.msg

    @property
    def headers(self) -> Any:
        return self.hdrs

    @headers.setter
    def headers(self, value: Any) -> None:
        self.hdrs = value

    @property
    def status(self) -> int | None:
        return self.code

    def __str__(self) -> str:
        return f"HTTP Error {self.code}: {self.msg}"

    def __repr__(self) -> str:
        return f"<HTTPError {self.code}: {self.msg!r}>"

    # -- the response interface --------------------------------------------------
    def info(self) -> Any:
        return self.hdrs

    def geturl(self) -> str | None:
        return self.url

    def getcode(self) -> int | None:
        return self.code

    def read(self, amt: int | None = None) -> bytes:
        return self.fp.read() if amt is None else self.fp.read(amt)

    def read1(self, amt: int = -1) -> bytes:
        reader = getattr(self.fp, "read1", self.fp.read)
        return reader(amt)

    def readline(self, limit: int = -1) -> bytes:
        return self.fp.readline(limit)

    def readlines(self, hint: int = -1) -> list[bytes]:
        return self.fp.readlines(hint)

    def __iter__(self) -> Any:
        return iter(self.fp)

    def getheader(self, name: str, default: Any = None) -> Any:
        if self.hdrs is None or not hasattr(self.hdrs, "get_all"):
            return default
        values = self.hdrs.get_all(name)
        return ", ".join(values) if values else default

    def getheaders(self) -> list[tuple[str, str]]:
        return list(self.hdrs.items()) if isinstance(self.hdrs, Message) else []

    def close(self) -> None:
        fp = self.fp
        if fp is not None:
            fp.close()

    @property
    def closed(self) -> bool:
        return bool(getattr(self.fp, "closed", True))

    def __enter__(self) -> HTTPError:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ContentTooShortError(URLError):
    """``urlretrieve`` received fewer bytes than the Content-Length announced.

    ``content`` is ``(filename, headers)`` as urllib gives it; with tether the file was
    removed, never left half-written under its final name.
    """

    def __init__(self, message: str, content: Any) -> None:
        URLError.__init__(self, message)
        self.content = content


class IncompleteRead(errors.RemoteProtocolError, http.client.IncompleteRead):
    """The body ended before its declared length, or its chunked framing broke (as
    http.client, which raises IncompleteRead for both).

    ``partial`` holds the bytes read by the failed call; ``expected`` the bytes still
    missing when known.
    """

    def __init__(self, partial: bytes, expected: int | None = None) -> None:
        http.client.IncompleteRead.__init__(self, partial, expected)
        self.received = None

    def __str__(self) -> str:
        return http.client.IncompleteRead.__str__(self)

    def __repr__(self) -> str:
        return http.client.IncompleteRead.__repr__(self)


class BadResponse(errors.RemoteProtocolError, http.client.HTTPException):
    """The server's response broke HTTP/1.1 (status line, headers or body framing)."""


class ResponseTooLarge(errors.LimitExceeded, http.client.LineTooLong):
    """A bound on the response (head size, header count, trailers) was passed."""


class RemoteDisconnected(errors.ConnectionClosed, http.client.RemoteDisconnected):
    """The server closed the connection without sending a response."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "Remote end closed connection"


def translate_read_error(exc: BaseException, partial: bytes = b"",
                         expected: int | None = None, *, body: bool = True
                         ) -> BaseException | None:
    """The http.client-compatible error for a failure while reading a response (its
    ``body``, else its head), or None to let ``exc`` through (timeouts and resets are
    already OSErrors, as http.client's are)."""
    if isinstance(exc, (IncompleteRead, BadResponse, ResponseTooLarge)):
        return None
    if body and isinstance(exc, (errors.ConnectionClosed, errors.RemoteProtocolError)):
        return IncompleteRead(partial, expected)
    if isinstance(exc, errors.RemoteProtocolError):
        return BadResponse(str(exc))
    if isinstance(exc, errors.LimitExceeded):
        err = ResponseTooLarge.__new__(ResponseTooLarge)
        errors.LimitExceeded.__init__(err, "the response", exc.limit, exc.value)
        err.args = (str(exc),)
        return err
    return None
