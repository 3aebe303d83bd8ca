"""HTTP transports: a pool of HTTP/1.1 connections behind ``handle_request``.

Theory of operation
-------------------
:func:`send_exchange` is the whole life of one request, written once: take a connection
from the pool (or a slot to open one, see :mod:`._proxy`), send the request
(:meth:`HTTP11Connection.send_request`), and return a :class:`RawResponse` whose body
streams from the connection. A connection taken idle from the pool that turns out to
have been closed by the server (nothing received, the write or the read failed) is
dropped and an idempotent request with a replayable body is retried once on a fresh
one. :class:`HTTPTransport` runs the exchange with blocking I/O (thread-safe: the pool
has a lock, each connection serves one request at a time); :class:`AsyncHTTPTransport`
runs it under asyncio (task-safe).

``request.deadline`` (from ``TimeoutConfig.total``) bounds the pool wait, connecting,
proxy handshakes, TLS, sending, the head and every later read of the body.
"""

from __future__ import annotations

from typing import Any, Final

from tether import errors
from tether._drive import Exchange, Op, run_async, run_sync
from tether.http._connection import HTTP11Connection, ResponseStream
from tether.http._pool import (
    DEFAULT_KEEPALIVE_EXPIRY,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_CONNECTIONS_PER_HOST,
    AsyncPool,
    PoolKey,
    SyncPool,
)
from tether.http._proxy import open_connection, proxy_target
from tether.http._types import AsyncBaseTransport, BaseTransport, RawRequest, RawResponse
from tether.protocols.http11 import Request
from tether.protocols.http11.writers import write_request

__all__ = ["IDEMPOTENT_METHODS", "AsyncHTTPTransport", "HTTPTransport", "send_exchange"]

#: RFC 9110 §9.2.2: methods whose repetition has the same effect as one request.
IDEMPOTENT_METHODS: Final = frozenset(
    {b"GET", b"HEAD", b"OPTIONS", b"TRACE", b"PUT", b"DELETE"}
)
_BODY_METHODS: Final = frozenset({b"POST", b"PUT", b"PATCH"})
_RETRYABLE: Final = (errors.ConnectionClosed, errors.ReadError, errors.WriteError)


class Acquire(Op):
    """Take a connection of ``key`` from the pool (``None``: a slot to open one)."""

    __slots__ = ("deadline", "key", "pool", "timeout")

    def __init__(self, pool: Any, key: PoolKey, timeout: float | None, deadline: Any) -> None:
        self.pool = pool
        self.key = key
        self.timeout = timeout
        self.deadline = deadline

    def run_sync(self, transport: object) -> HTTP11Connection | None:
        return self.pool.acquire(self.key, self.timeout, self.deadline)  # type: ignore[no-any-return]

    async def run_async(self, transport: object) -> HTTP11Connection | None:
        return await self.pool.aacquire(self.key, self.timeout,  # type: ignore[no-any-return]
                                        self.deadline)


def pool_key(request: RawRequest) -> PoolKey:
    https = request.scheme == "https"
    return (request.scheme, request.host, request.port,
            request.ssl_context if https else None, request.proxy)


def _framed_headers(request: RawRequest) -> list[tuple[bytes, bytes]]:
    """The request's headers plus the framing header its body needs, if missing."""
    headers = request.headers
    body = request.body
    if body is None and request.method not in _BODY_METHODS:
        return headers
    for name, _ in headers:
        if len(name) in (14, 17) and name.lower() in (b"content-length", b"transfer-encoding"):
            return headers
    if body is None or isinstance(body, (bytes, bytearray, memoryview)):
        n = len(body) if body is not None else 0
        return [*headers, (b"Content-Length", str(n).encode("ascii"))]
    return [*headers, (b"Transfer-Encoding", b"chunked")]


def send_exchange(pool: Any, request: RawRequest, engine_limits: dict[str, int] | None,
                  retries: int = 1) -> Exchange[RawResponse]:
    """The life of one request up to its response head. See the module docstring."""
    key = pool_key(request)
    headers = _framed_headers(request)
    target = request.target
    proxy = request.proxy
    if proxy is not None and proxy.scheme in ("http", "https") and request.scheme == "http":
        target = proxy_target(request)
        if proxy.headers:
            headers = [*headers, *proxy.headers]
    body = request.body
    replayable = (body is None or isinstance(body, (bytes, bytearray, memoryview))) and \
        request.method in IDEMPOTENT_METHODS
    timeouts = request.timeouts
    attempt = 0
    while True:
        conn = pool.take_idle(key)
        if conn is None:
            conn = yield Acquire(pool, key, timeouts.pool, request.deadline)
        reused = conn is not None
        if conn is None:
            if attempt == 0:
                # Refuse an invalid request before opening a connection for it.
                try:
                    write_request(Request(request.method, target, headers))
                except BaseException:
                    pool.release_slot(key)
                    raise
            conn = HTTP11Connection(key, engine_limits)
            try:
                yield from open_connection(conn, request)
            except BaseException:
                conn.close_now()
                pool.release_slot(key)
                raise
        else:
            conn.bind(timeouts, request.deadline)
        try:
            response, interim = yield from conn.send_request(request.method, target, headers,
                                                              body)
        except _RETRYABLE:
            pool.discard(conn)
            # A reused connection that fails before any response byte arrived is the
            # classic race with the server closing it while idle: safe to replay.
            if reused and replayable and attempt < retries:
                attempt += 1
                continue
            raise
        except BaseException:
            pool.discard(conn)
            raise
        return _make_response(pool, conn, response, interim, reused)


def _make_response(pool: Any, conn: HTTP11Connection, response: Any, interim: list[Any],
                   reused: bool) -> RawResponse:
    stream = conn.stream
    ssl_object, peer = conn.stream_info()
    extensions: dict[str, Any] = {
        "network_stream": stream,
        "ssl_object": ssl_object,
        "peer": peer,
        "reused": reused,
        "interim": interim,
    }
    try:
        pieces, end = conn.take_buffered_body()
    except BaseException:
        pool.discard(conn)
        raise
    if end is not None:
        if end.headers:
            extensions["trailers"] = end.headers
        pool.release(conn)
        body: Any = b"".join(pieces)
    else:
        body = ResponseStream(conn, pool, pieces, extensions)
    return RawResponse(
        response.status_code,
        response.headers,
        reason=response.reason.decode("latin-1"),
        http_version="HTTP/" + response.http_version.decode("ascii"),
        stream=body,
        extensions=extensions,
    )


class HTTPTransport(BaseTransport):
    """Blocking, thread-safe HTTP/1.1 transport with a keep-alive connection pool.

    ``max_connections`` (total) and ``max_connections_per_host`` bound the pool;
    ``keepalive_expiry``: idle seconds before a pooled connection is not reused;
    ``retries``: how often an idempotent request is retried on a connection the server
    closed while idle; ``engine_limits``: overrides of the HTTP/1.1 engine's limits
    (``max_head_size``, ``max_header_count``... see :mod:`tether.protocols.http11`).
    """

    def __init__(self, *, max_connections: int = DEFAULT_MAX_CONNECTIONS,
                 max_connections_per_host: int = DEFAULT_MAX_CONNECTIONS_PER_HOST,
                 keepalive_expiry: float = DEFAULT_KEEPALIVE_EXPIRY, retries: int = 1,
                 engine_limits: dict[str, int] | None = None) -> None:
        self._pool = SyncPool(max_connections, max_connections_per_host, keepalive_expiry)
        self._limits = engine_limits
        self._retries = retries

    def handle_request(self, request: RawRequest) -> RawResponse:
        return run_sync(send_exchange(self._pool, request, self._limits, self._retries), None)

    def close(self) -> None:
        self._pool.close()

    def statistics(self) -> dict[str, int]:
        """Connections open, idle and requests waiting for one."""
        return self._pool.statistics()

    def __enter__(self) -> HTTPTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncHTTPTransport(AsyncBaseTransport):
    """asyncio twin of :class:`HTTPTransport` (task-safe; same arguments)."""

    def __init__(self, *, max_connections: int = DEFAULT_MAX_CONNECTIONS,
                 max_connections_per_host: int = DEFAULT_MAX_CONNECTIONS_PER_HOST,
                 keepalive_expiry: float = DEFAULT_KEEPALIVE_EXPIRY, retries: int = 1,
                 engine_limits: dict[str, int] | None = None) -> None:
        self._pool = AsyncPool(max_connections, max_connections_per_host, keepalive_expiry)
        self._limits = engine_limits
        self._retries = retries

    async def handle_async_request(self, request: RawRequest) -> RawResponse:
        return await run_async(send_exchange(self._pool, request, self._limits, self._retries),
                               None)

    async def aclose(self) -> None:
        self._pool.close()

    def statistics(self) -> dict[str, int]:
        return self._pool.statistics()

    async def __aenter__(self) -> AsyncHTTPTransport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
