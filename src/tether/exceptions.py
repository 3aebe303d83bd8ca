"""requests' exceptions, also part of tether's tree.

Every name of ``requests.exceptions`` exists here with the same bases, so migrated code
that catches ``requests.exceptions.X`` keeps working after ``import tether as requests``.
Each class is *also* a :class:`tether.errors.TetherError`, and where tether has a
matching generic class the requests class derives from it too::

    RequestException (TetherError, OSError)
    ├── HTTPError
    ├── ConnectionError (tether.errors.NetworkError)
    │   ├── ProxyError
    │   ├── SSLError (tether.errors.TLSError, ssl.SSLError)
    │   └── ConnectTimeout (+ Timeout, tether.errors.ConnectTimeout)
    ├── Timeout (tether.errors.TimeoutError, builtin TimeoutError)
    │   ├── ReadTimeout (tether.errors.ReadTimeout)
    │   ├── WriteTimeout (+ ConnectionError, tether.errors.WriteTimeout)  tether only
    │   ├── PoolTimeout (+ ConnectionError, tether.errors.PoolTimeout)    tether only
    │   └── BodyReadTimeout (+ ConnectionError, ReadTimeout)  while reading a body
    ├── URLRequired
    ├── TooManyRedirects (tether.errors.LimitExceeded)
    ├── MissingSchema, InvalidSchema, InvalidURL, InvalidHeader (ValueError)
    │   └── InvalidProxyURL (InvalidURL)
    ├── InvalidJSONError
    │   └── JSONDecodeError (json.JSONDecodeError)
    ├── ChunkedEncodingError (tether.errors.RemoteProtocolError)
    ├── ContentDecodingError
    │   └── DecompressionBombError (tether.errors.LimitExceeded)   tether only
    ├── StreamConsumedError (TypeError, tether.errors.UsageError)
    ├── RetryError
    ├── UnrewindableBodyError
    └── FileChangedError (tether.errors.LocalProtocolError)  tether only: a streamed
        upload's file shrank below the Content-Length announced for it

Errors raised while a request is in flight carry ``.request`` (the
:class:`~tether.models.PreparedRequest`) and, where one exists, ``.response``.
"""

from __future__ import annotations

import json
from typing import Any

from tether import errors

__all__ = [
    "BodyReadTimeout",
    "ChunkedEncodingError",
    "ConnectTimeout",
    "ConnectionError",
    "ContentDecodingError",
    "DecompressionBombError",
    "FileChangedError",
    "FileModeWarning",
    "HTTPError",
    "InvalidHeader",
    "InvalidJSONError",
    "InvalidProxyURL",
    "InvalidSchema",
    "InvalidURL",
    "JSONDecodeError",
    "MissingSchema",
    "PoolTimeout",
    "ProxyError",
    "ReadTimeout",
    "RequestException",
    "RequestsDependencyWarning",
    "RequestsWarning",
    "RetryError",
    "SSLCertVerificationError",
    "SSLError",
    "StreamConsumedError",
    "Timeout",
    "TooManyRedirects",
    "URLRequired",
    "UnrewindableBodyError",
    "WriteTimeout",
]


class RequestException(errors.TetherError, OSError):
    """There was an ambiguous exception that occurred while handling your request.

    Keyword arguments ``request`` and ``response`` are stored as attributes; when only a
    response is given, its ``.request`` is used.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        response = kwargs.pop("response", None)
        self.response = response
        self.request = kwargs.pop("request", None)
        if response is not None and not self.request and hasattr(response, "request"):
            self.request = response.request
        # OSError.__init__ directly: some subclasses have a cooperative parent whose
        # __init__ takes different arguments (LimitExceeded, RemoteProtocolError).
        OSError.__init__(self, *args)


class InvalidJSONError(RequestException):
    """A JSON error occurred."""


class JSONDecodeError(InvalidJSONError, json.JSONDecodeError):
    """Couldn't decode the text into json (also :class:`json.JSONDecodeError`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        json.JSONDecodeError.__init__(self, *args)
        InvalidJSONError.__init__(self, *self.args, **kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        # json.JSONDecodeError's own reduce passes (msg, doc, pos), which __init__ takes.
        return (type(self), (self.msg, self.doc, self.pos))


class HTTPError(RequestException):
    """An HTTP error occurred (raised by ``Response.raise_for_status``)."""


class ConnectionError(RequestException, errors.NetworkError):
    """A Connection error occurred."""


class ProxyError(ConnectionError):
    """A proxy error occurred."""


class SSLError(ConnectionError, errors.TLSError):
    """An SSL error occurred (also :class:`ssl.SSLError`, reason and text kept)."""

    def __str__(self) -> str:
        return errors.TLSError.__str__(self)


class SSLCertVerificationError(SSLError, errors.TLSVerificationError):
    """The server's certificate did not verify (requests raises ``SSLError``; this is
    that, and also :class:`ssl.SSLCertVerificationError`)."""


class Timeout(RequestException, errors.TimeoutError):
    """The request timed out.

    Catching this error will catch both :exc:`ConnectTimeout` and :exc:`ReadTimeout`.
    Also the builtin :class:`TimeoutError`.
    """


class ConnectTimeout(ConnectionError, Timeout, errors.ConnectTimeout):
    """The request timed out while trying to connect to the remote server.

    Requests that produced this error are safe to retry.
    """


class ReadTimeout(Timeout, errors.ReadTimeout):
    """The server did not send any data in the allotted amount of time."""


class WriteTimeout(ConnectionError, Timeout, errors.WriteTimeout):
    """The server did not accept the request's data in time (tether only; requests
    raises ``ConnectionError`` there, which this is too)."""


class PoolTimeout(ConnectionError, Timeout, errors.PoolTimeout):
    """No pooled connection became free in time (tether only; a ``ConnectionError``
    too, as requests' pool errors are)."""


class BodyReadTimeout(ConnectionError, ReadTimeout):
    """The server stopped sending the body (requests raises ``ConnectionError`` while
    streaming a body; this is that and a :class:`ReadTimeout`)."""


class URLRequired(RequestException):
    """A valid URL is required to make a request."""


class TooManyRedirects(RequestException, errors.LimitExceeded):
    """Too many redirects (the bound is ``Session.max_redirects``)."""

    limit = "max_redirects"
    value: int | float = 0


class MissingSchema(RequestException, ValueError):
    """The URL scheme (e.g. http or https) is missing."""


class InvalidSchema(RequestException, ValueError):
    """The URL scheme provided is either invalid or unsupported."""


class InvalidURL(RequestException, ValueError):
    """The URL provided was somehow invalid."""


class InvalidHeader(RequestException, ValueError):
    """The header value provided was somehow invalid."""


class InvalidProxyURL(InvalidURL):
    """The proxy URL provided is invalid."""


class ChunkedEncodingError(RequestException, errors.RemoteProtocolError):
    """The server declared chunked encoding but sent an invalid chunk (or the body
    broke off)."""

    received: bytes | str | None = None


class ContentDecodingError(RequestException):
    """Failed to decode response content."""


class DecompressionBombError(ContentDecodingError, errors.LimitExceeded):
    """A body decoded into memory grew past the in-memory decompression bound.

    ``limit`` names the bound and ``value`` its value (tether only).
    """

    limit = "max_decompression_ratio"
    value: int | float = 0


class StreamConsumedError(RequestException, TypeError, errors.UsageError):
    """The content for this response was already consumed."""


class RetryError(RequestException):
    """Custom retries logic failed."""


class UnrewindableBodyError(RequestException):
    """Requests encountered an error when trying to rewind a body."""


# Warnings


class FileChangedError(RequestException, errors.LocalProtocolError):
    """A file being uploaded ended before the length announced for it.

    The request's ``Content-Length`` was computed from the file's size when the request
    was prepared; sending fewer bytes would leave the server waiting (or read the next
    request as the rest of this body), so the upload stops with this error instead.
    """


class RequestsWarning(Warning):
    """Base warning for Requests."""


class FileModeWarning(RequestsWarning, DeprecationWarning):
    """A file was opened in text mode, but Requests determined its binary length."""


class RequestsDependencyWarning(RequestsWarning):
    """An imported dependency doesn't match the expected version range."""
