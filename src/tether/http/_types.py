"""The values the HTTP transport takes and returns: the contract between layers.

Change log (read this when the interface moves):
- v1 (2026-11-25): first version. ``Proxy``, ``RawRequest``, ``RawResponse``,
  ``BaseTransport``/``AsyncBaseTransport``, ``ProxyError``.
- v1.2 (2026-11-25, additions only): ``RawResponse.read_buffered()``;
  ``read_some(n, fill=False)``/``aread_some(n, fill=False)`` (``fill``: read no more
  than ``n`` from the network; a response stream may offer ``read_chunk_exact(n)`` /
  ``aread_chunk_exact(n)`` for it).
- v1.1 (2026-11-25, additions only): ``RawResponse.read_some(n)``/``aread_some(n)``
  (for a file-like ``raw.read(amt)``), ``is_complete``; extensions ``"reused"`` and
  ``"interim"`` (list of 1xx events); ``Proxy.from_url()`` and ``Proxy.ssl_context``;
  ``HTTPTransport(retries=1, engine_limits={...})``. A response whose body was already
  complete with its head (small bodies, HEAD, 204/304) has released its connection
  before ``handle_request`` returns. An invalid request (CR/LF in a header...) raises
  ``LocalProtocolError`` before any connection is opened.

Theory of operation
-------------------
The requests-style API (``tether.http`` sessions) prepares a :class:`RawRequest` (method,
origin-form target, the headers exactly as they go on the wire, Host included) and hands
it to a transport (:class:`~tether.http._transport.HTTPTransport` or its asyncio twin).
The transport picks or opens a pooled connection, sends the request and returns a
:class:`RawResponse` as soon as the response head has arrived; the body is streamed
from the connection as the caller reads it, and the connection goes back to the pool
when the body has been read to its end or the response is closed.

What the transport does to the request:

- a ``bytes`` body without ``Content-Length`` gets one (also ``Content-Length: 0`` for
  an empty body of POST/PUT/PATCH); an iterable body without ``Content-Length`` is sent
  with ``Transfer-Encoding: chunked`` (the header is added);
- for a plain-HTTP proxy the target becomes absolute-form (``http://host:port/path``)
  and the proxy's ``headers`` are added; HTTPS and SOCKS proxies tunnel, so the request
  itself is unchanged;
- nothing else: no User-Agent, no Accept-Encoding, no content decoding (the body of a
  :class:`RawResponse` is the raw entity after de-chunking).

Errors (all from :mod:`tether.errors`, mapped to requests' classes by the API layer):
``ConnectError``/``ConnectTimeout`` (TCP, TLS handshake, proxy), :class:`ProxyError`
(a proxy refused: CONNECT status, SOCKS reply), ``TLSError``/``TLSVerificationError``,
``WriteError``/``WriteTimeout``, ``ReadError``/``ReadTimeout``, ``ConnectionClosed``
("server disconnected without sending a response", or a body cut short),
``RemoteProtocolError`` (malformed response or framing), ``LocalProtocolError`` (the
request cannot be sent: CR/LF in a header...), ``LimitExceeded``, ``PoolTimeout``.
A deadline (``RawRequest.deadline``, from ``TimeoutConfig.total``) bounds connecting,
sending, the head and every later body read.
"""

from __future__ import annotations

import dataclasses
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any, Protocol

from tether.errors import ConnectError, UsageError
from tether.net._timeouts import DEFAULT_TIMEOUTS, Deadline, TimeoutConfig

__all__ = [
    "PROXY_SCHEMES",
    "AsyncBaseTransport",
    "AsyncResponseStream",
    "BaseTransport",
    "Headers",
    "Proxy",
    "ProxyError",
    "RawRequest",
    "RawResponse",
    "RequestBody",
    "SyncResponseStream",
]

#: A header list as it goes on (or came off) the wire: (name, value) pairs, in order.
Headers = list[tuple[bytes, bytes]]

#: What a request body may be. An iterable without Content-Length is sent chunked.
RequestBody = bytes | Iterable[bytes] | AsyncIterable[bytes] | None

#: The proxy URL schemes the transport speaks natively.
PROXY_SCHEMES = frozenset({"http", "https", "socks4", "socks4a", "socks5", "socks5h"})

_DEFAULT_PROXY_PORTS = {"http": 80, "https": 443, "socks4": 1080, "socks4a": 1080,
                        "socks5": 1080, "socks5h": 1080}


class ProxyError(ConnectError):
    """The proxy refused to make the connection (CONNECT status, SOCKS reply code).

    ``status`` is the CONNECT response status or the SOCKS reply code, when known.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


@dataclasses.dataclass(frozen=True, slots=True)
class Proxy:
    """Where and how to reach a proxy. Part of the pool key.

    ``scheme``: ``http`` (plain proxy; ``https://`` targets are tunnelled with CONNECT),
    ``https`` (TLS to the proxy itself), ``socks4``, ``socks4a`` (proxy resolves names),
    ``socks5``, ``socks5h`` (proxy resolves names). ``username``/``password`` are used
    by SOCKS5 (RFC 1929) and SOCKS4 (user id); for HTTP proxies put a
    ``Proxy-Authorization`` header into ``headers`` (sent on plain requests and CONNECT).
    ``ssl_context`` is used for TLS to an ``https`` proxy (default: verified context).
    """

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    headers: tuple[tuple[bytes, bytes], ...] = ()
    ssl_context: ssl.SSLContext | None = dataclasses.field(default=None, compare=True)

    def __post_init__(self) -> None:
        if self.scheme not in PROXY_SCHEMES:
            raise ValueError(
                f"unsupported proxy scheme {self.scheme!r}; expected one of "
                + ", ".join(sorted(PROXY_SCHEMES))
            )

    @classmethod
    def from_url(
        cls, url: str, headers: Iterable[tuple[bytes, bytes]] = (),
        ssl_context: ssl.SSLContext | None = None,
    ) -> Proxy:
        """Parse ``scheme://[user:password@]host[:port]`` (credentials percent-decoded)."""
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(url if "://" in url else "http://" + url)
        scheme = parts.scheme.lower()
        if not parts.hostname:
            raise ValueError(f"proxy URL has no host: {url!r}")
        port = parts.port or _DEFAULT_PROXY_PORTS.get(scheme, 0)
        return cls(
            scheme=scheme,
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username is not None else None,
            password=unquote(parts.password) if parts.password is not None else None,
            headers=tuple(headers),
            ssl_context=ssl_context,
        )

    @property
    def tunnels(self) -> bool:
        """True for SOCKS proxies (every request goes through a tunnel)."""
        return self.scheme.startswith("socks")


@dataclasses.dataclass(slots=True)
class RawRequest:
    """One request as the transport sends it.

    ``host`` is ASCII (IDNA-encoded), an IPv6 literal without brackets; ``target`` is
    origin-form (``/path?query``, or ``*`` for ``OPTIONS *``); ``headers`` are sent as
    given and must include ``Host``. ``ssl_context`` is required for ``https`` (take it
    from :func:`tether.net.create_ssl_context`); it is part of the pool key, so requests
    with different TLS settings never share a connection.
    """

    method: bytes
    scheme: str
    host: str
    port: int
    target: bytes
    headers: Headers
    body: RequestBody = None
    timeouts: TimeoutConfig = DEFAULT_TIMEOUTS
    deadline: Deadline | None = None
    ssl_context: ssl.SSLContext | None = None
    proxy: Proxy | None = None
    #: Free-form options for the transport (reserved; e.g. "server_hostname").
    extensions: dict[str, Any] = dataclasses.field(default_factory=dict)


class SyncResponseStream(Protocol):
    """Where a sync :class:`RawResponse` gets its body from (a connection, or a test)."""

    def read_chunk(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` of body; ``b""`` once the body is complete."""
        ...

    def close(self) -> None: ...


class AsyncResponseStream(Protocol):
    """Where an async :class:`RawResponse` gets its body from."""

    async def aread_chunk(self, max_bytes: int) -> bytes: ...

    async def aclose(self) -> None: ...


#: Default read size when a caller does not say.
DEFAULT_CHUNK: int = 65536


class _BytesStream:
    """A body already in memory (usable from both colours)."""

    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def read_chunk(self, max_bytes: int) -> bytes:
        data, pos = self._data, self._pos
        # The whole body at once is returned without a copy.
        out = data if pos == 0 and max_bytes >= len(data) else data[pos:pos + max_bytes]
        self._pos = pos + len(out)
        return out

    def take_rest(self) -> bytes:
        data, pos = self._data, self._pos
        self._pos = len(data)
        return data if pos == 0 else data[pos:]

    def close(self) -> None:
        self._data = b""
        self._pos = 0

    async def aread_chunk(self, max_bytes: int) -> bytes:
        return self.read_chunk(max_bytes)

    async def aclose(self) -> None:
        self.close()


class _Rechunker:
    """Turns pieces of any size into pieces of exactly ``size`` (copying only to join)."""

    __slots__ = ("pending", "pieces", "size")

    def __init__(self, size: int) -> None:
        self.size = size
        self.pieces: list[bytes] = []
        self.pending = 0

    def add(self, chunk: bytes) -> list[bytes]:
        size = self.size
        if not self.pending and len(chunk) == size:
            return [chunk]
        self.pieces.append(chunk)
        self.pending += len(chunk)
        if self.pending < size:
            return []
        data = b"".join(self.pieces)
        view = memoryview(data)
        cut = len(data) - len(data) % size
        out = [bytes(view[i:i + size]) for i in range(0, cut, size)]
        rest = data[cut:]
        self.pieces = [rest] if rest else []
        self.pending = len(rest)
        return out

    def rest(self) -> bytes:
        data = b"".join(self.pieces)
        self.pieces = []
        self.pending = 0
        return data


class RawResponse:
    """A response head plus a body streamed on demand (not content-decoded).

    Read the body with :meth:`read_some`, :meth:`iter_raw`, :meth:`read` (sync) or
    :meth:`aread_some`, :meth:`aiter_raw`, :meth:`aread` (async); only the colour of
    the transport that produced it works. Reading to the end or closing releases the
    connection. ``extensions``: ``"trailers"`` (list of header pairs, once the body is
    read), ``"network_stream"``, ``"ssl_object"``, ``"peer"`` (peername tuple),
    ``"reused"`` (bool: connection came from the pool).
    """

    __slots__ = ("_closed", "_done", "_stream", "extensions", "headers", "http_version",
                 "reason", "status")

    def __init__(
        self,
        status: int,
        headers: Headers,
        *,
        reason: str = "",
        http_version: str = "HTTP/1.1",
        stream: SyncResponseStream | AsyncResponseStream | bytes = b"",
        extensions: dict[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.http_version = http_version
        self.headers = headers
        self.extensions: dict[str, Any] = {} if extensions is None else extensions
        self._stream: Any = _BytesStream(stream) if isinstance(stream, bytes) else stream
        self._done = False
        self._closed = False

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status} {self.reason}]>"

    @property
    def is_closed(self) -> bool:
        return self._closed

    @property
    def is_complete(self) -> bool:
        """True once the body has been read to its end."""
        return self._done

    # -- sync -------------------------------------------------------------------
    def read_some(self, max_bytes: int = DEFAULT_CHUNK, fill: bool = False) -> bytes:
        """Up to ``max_bytes`` of body, at least 1 unless the body is complete (``b""``).

        ``fill=True``: the caller is filling a buffer of ``max_bytes``, so no more than
        that is read from the network (nothing is split off and copied to keep).
        """
        if self._done:
            return b""
        if self._closed:
            raise UsageError("the response was closed before its body was read")
        stream = self._stream
        reader = getattr(stream, "read_chunk_exact", None) if fill else None
        data: bytes = (reader if reader is not None else stream.read_chunk)(max_bytes)
        if not data:
            self._done = True
            self._closed = True
        return data

    def read_buffered(self) -> bytes | None:
        """The rest of the body if it arrived with the head (the connection is already
        back in the pool), marking the body complete; ``None`` if it must be read from
        the connection. Usable from both colours."""
        stream = self._stream
        if self._closed or type(stream) is not _BytesStream:
            return None
        self._done = True
        self._closed = True
        return stream.take_rest()

    def iter_raw(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """Body chunks as they arrive, or of exactly ``chunk_size`` (the last may be short)."""
        if chunk_size is None:
            while chunk := self.read_some():
                yield chunk
            return
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        rechunk = _Rechunker(chunk_size)
        while chunk := self.read_some(max(chunk_size, DEFAULT_CHUNK)):
            yield from rechunk.add(chunk)
        if rechunk.pending:
            yield rechunk.rest()

    def read(self) -> bytes:
        """The whole (rest of the) body."""
        return b"".join(self.iter_raw())

    def close(self) -> None:
        """Stop reading; the connection is reused if the body was complete, else closed."""
        if not self._closed:
            self._closed = True
            self._stream.close()

    def __enter__(self) -> RawResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- async ------------------------------------------------------------------
    async def aread_some(self, max_bytes: int = DEFAULT_CHUNK, fill: bool = False) -> bytes:
        if self._done:
            return b""
        if self._closed:
            raise UsageError("the response was closed before its body was read")
        stream = self._stream
        reader = getattr(stream, "aread_chunk_exact", None) if fill else None
        data: bytes = await (reader if reader is not None else stream.aread_chunk)(max_bytes)
        if not data:
            self._done = True
            self._closed = True
        return data

    async def aiter_raw(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        if chunk_size is None:
            while chunk := await self.aread_some():
                yield chunk
            return
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        rechunk = _Rechunker(chunk_size)
        while chunk := await self.aread_some(max(chunk_size, DEFAULT_CHUNK)):
            for piece in rechunk.add(chunk):
                yield piece
        if rechunk.pending:
            yield rechunk.rest()

    async def aread(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_raw()])

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._stream.aclose()

    async def __aenter__(self) -> RawResponse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class BaseTransport:
    """What a sync session sends requests through (mountable per URL prefix)."""

    def handle_request(self, request: RawRequest) -> RawResponse:
        raise NotImplementedError

    def close(self) -> None:
        pass


class AsyncBaseTransport:
    """What an async session sends requests through."""

    async def handle_async_request(self, request: RawRequest) -> RawResponse:
        raise NotImplementedError

    async def aclose(self) -> None:
        pass
