"""One HTTP/1.1 connection: the request/response dialogue, written once for both colours.

Theory of operation
-------------------
:class:`HTTP11Connection` pairs a :mod:`tether.net` stream with the sans-I/O engine of
:mod:`tether.protocols.http11`. Its dialogue is written as exchange generators (see
:mod:`tether._drive`) that yield the operations defined here: :class:`Write`,
:class:`Read`, :class:`Connect`, :class:`UpgradeTLS`, :class:`NextChunk`. Each op names
the connection it works on, so one exchange can use a pool, open a connection, go
through a proxy and send a request; the blocking driver runs it for
:class:`~tether.http._transport.HTTPTransport`, the asyncio driver for its twin.

- :meth:`HTTP11Connection.send_request` sends the head and body (``bytes`` in one write
  with the head; iterables chunk by chunk, sync or async), honours
  ``Expect: 100-continue`` and returns the final :class:`Response` event; if the server
  answers early and stops reading the body, the answer is still returned.
- :class:`ResponseStream` reads the body on demand and hands the connection back to the
  pool when the body ends (reusable) or when the response is closed early (closed).

A later HTTP/2 connection provides the same two methods on one of its streams; the pool
counts connections, not requests, and keeps a multiplexed connection available while it
has free streams.
"""

from __future__ import annotations

import dataclasses
import ssl
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Final

from tether import errors
from tether._drive import Exchange, Op, run_async, run_sync
from tether.net import (
    AsyncStream,
    Deadline,
    TimeoutConfig,
    connect_tcp,
    connect_tcp_async,
)
from tether.protocols.http11 import (
    NEED_DATA,
    Connection,
    ConnectionClosed,
    Data,
    EndOfMessage,
    InformationalResponse,
    Request,
    Response,
)

if TYPE_CHECKING:
    from tether.http._pool import PoolKey, SyncPool

__all__ = [
    "EXPECT_CONTINUE_TIMEOUT",
    "READ_SIZE",
    "Connect",
    "HTTP11Connection",
    "NextChunk",
    "Read",
    "ResponseStream",
    "UpgradeTLS",
    "Write",
]

#: Bytes asked of the stream per read.
READ_SIZE: Final = 65536
#: Body reads of at least this size go to the socket with their own size (see
#: ``read_body``); smaller ones read ``READ_SIZE`` and keep the rest.
DIRECT_READ_MIN: Final = 16384
#: The end of a request without trailers (one event for all: the engine only reads it).
_END: Final = EndOfMessage()
#: How long to wait for ``100 Continue`` before sending the body anyway (curl: 1 s).
EXPECT_CONTINUE_TIMEOUT: Final = 1.0
#: Body bytes read together with the head before the response is returned: a small
#: body that has already arrived is taken at once and the connection goes straight back
#: to the pool.
EAGER_BODY_LIMIT: Final = 65536


# -- ops ------------------------------------------------------------------------------
class Write(Op):
    """Send ``data`` on ``conn``'s stream."""

    __slots__ = ("conn", "data")

    def __init__(self, conn: HTTP11Connection, data: bytes) -> None:
        self.conn = conn
        self.data = data

    def run_sync(self, transport: object) -> None:
        self.conn.stream.write(self.data)

    def run_async(self, transport: object) -> Coroutine[Any, Any, None]:
        # The stream's own coroutine, awaited by the driver (no wrapping one per op).
        return self.conn.stream.write(self.data)  # type: ignore[no-any-return]


class Read(Op):
    """Receive up to ``max_bytes`` from ``conn`` (``b""`` at EOF)."""

    __slots__ = ("conn", "max_bytes", "timeout")

    def __init__(self, conn: HTTP11Connection, max_bytes: int = READ_SIZE,
                 timeout: float | None = None) -> None:
        self.conn = conn
        self.max_bytes = max_bytes
        self.timeout = timeout

    def run_sync(self, transport: object) -> bytes:
        if self.timeout is None:
            return self.conn.stream.read(self.max_bytes)  # type: ignore[no-any-return]
        return self.conn.stream.read(self.max_bytes, self.timeout)  # type: ignore[no-any-return]

    def run_async(self, transport: object) -> Coroutine[Any, Any, bytes]:
        # The stream's own coroutine, awaited by the driver (no wrapping one per op).
        if self.timeout is None:
            return self.conn.stream.read(self.max_bytes)  # type: ignore[no-any-return]
        return self.conn.stream.read(self.max_bytes, self.timeout)  # type: ignore[no-any-return]


@dataclasses.dataclass(slots=True)
class Connect(Op):
    """Open a TCP (and TLS, with ``ssl_context``) stream for ``conn``."""

    conn: HTTP11Connection
    host: str
    port: int
    timeouts: TimeoutConfig
    deadline: Deadline | None
    ssl_context: ssl.SSLContext | None = None
    server_hostname: str | None = None

    def run_sync(self, transport: object) -> None:
        self.conn.stream = connect_tcp(
            self.host, self.port, timeouts=self.timeouts, deadline=self.deadline,
            ssl_context=self.ssl_context, server_hostname=self.server_hostname)

    async def run_async(self, transport: object) -> None:
        self.conn.stream = await connect_tcp_async(
            self.host, self.port, timeouts=self.timeouts, deadline=self.deadline,
            ssl_context=self.ssl_context, server_hostname=self.server_hostname)


@dataclasses.dataclass(slots=True)
class UpgradeTLS(Op):
    """TLS handshake over ``conn``'s current stream (after CONNECT or SOCKS)."""

    conn: HTTP11Connection
    context: ssl.SSLContext
    server_hostname: str

    def run_sync(self, transport: object) -> None:
        self.conn.stream = self.conn.stream.start_tls(self.context, self.server_hostname)

    async def run_async(self, transport: object) -> None:
        self.conn.stream = await self.conn.stream.start_tls(self.context, self.server_hostname)


class NextChunk(Op):
    """The next piece of a request body iterator (``None`` when exhausted)."""

    __slots__ = ("iterator",)

    def __init__(self, iterator: Any) -> None:
        self.iterator = iterator

    def run_sync(self, transport: object) -> bytes | None:
        if hasattr(self.iterator, "__anext__"):
            raise errors.UsageError("an async iterable body needs the async transport")
        return next(self.iterator, None)

    async def run_async(self, transport: object) -> bytes | None:
        it = self.iterator
        if hasattr(it, "__anext__"):
            try:
                chunk: bytes = await it.__anext__()
                return chunk
            except StopAsyncIteration:
                return None
        return next(it, None)


# -- the connection -------------------------------------------------------------------
class HTTP11Connection:
    """A pooled HTTP/1.1 connection (stream + engine). Used by one request at a time."""

    __slots__ = ("_stream_info", "h11", "idle_since", "key", "request_count", "stream")

    multiplexed: Final = False

    def __init__(self, key: PoolKey, engine_limits: dict[str, int] | None = None) -> None:
        self.key = key
        self.stream: Any = None
        self.h11 = Connection(**engine_limits) if engine_limits else Connection()
        self.idle_since = 0.0
        self.request_count = 0
        self._stream_info: tuple[Any, Any, Any] | None = None

    def stream_info(self) -> tuple[Any, Any]:
        """The stream's ``ssl_object`` and ``peername``, asked once per stream (a
        syscall) rather than for every response."""
        stream = self.stream
        info = self._stream_info
        if info is None or info[0] is not stream:
            info = self._stream_info = (stream, stream.get_extra_info("ssl_object"),
                                        stream.get_extra_info("peername"))
        return info[1], info[2]

    def __repr__(self) -> str:
        return f"<HTTP11Connection {self.key[1]}:{self.key[2]} requests={self.request_count}>"

    # -- pool hooks ---------------------------------------------------------------------
    def bind(self, timeouts: TimeoutConfig, deadline: Deadline | None) -> None:
        """Give the stream the timeouts and deadline of the request about to use it."""
        stream = self.stream
        stream.timeouts = timeouts
        stream.deadline = deadline

    def is_alive(self) -> bool:
        """False if the peer sent data or closed while the connection sat idle."""
        stream = self.stream
        return stream is not None and not stream.get_extra_info("is_readable")

    def close_now(self) -> None:
        """Close without waiting (usable from both colours)."""
        stream = self.stream
        if stream is None:
            return
        self.stream = None
        if isinstance(stream, AsyncStream):
            stream.abort()
        else:
            stream.close()

    # -- the dialogue -------------------------------------------------------------------
    def send_request(
        self, method: bytes, target: bytes, headers: list[tuple[bytes, bytes]], body: Any
    ) -> Exchange[tuple[Response, list[InformationalResponse]]]:
        """Send one request; return the final response head and any interim responses."""
        h11 = self.h11
        self.request_count += 1
        head = h11.send(Request(method, target, headers))
        interim: list[InformationalResponse] = []
        write_failed: errors.WriteError | None = None
        try:
            if body is None or isinstance(body, (bytes, bytearray, memoryview)):
                payload = bytes(body) if body else b""
                if h11.client_is_waiting_for_100_continue and payload:
                    yield Write(self, head)
                    early = yield from self._await_continue(interim)
                    if early is not None:
                        return early, interim
                    yield Write(self, h11.send_data(payload) + h11.send(_END))
                else:
                    yield Write(self, head + (h11.send_data(payload) if payload else b"")
                                + h11.send(_END))
            else:
                yield Write(self, head)
                if h11.client_is_waiting_for_100_continue:
                    early = yield from self._await_continue(interim)
                    if early is not None:
                        return early, interim
                iterator = aiter(body) if hasattr(body, "__aiter__") else iter(body)
                while True:
                    chunk = yield NextChunk(iterator)
                    if chunk is None:
                        break
                    if not isinstance(chunk, bytes):
                        chunk = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
                    out = h11.send_data(chunk)
                    if out:
                        yield Write(self, out)
                yield Write(self, h11.send(_END))
        except errors.WriteError as exc:
            # The server may have answered early (413, 401...) and closed its reading
            # side; its answer is more useful than the broken pipe.
            h11.send_failed()
            write_failed = exc
        try:
            response = yield from self._read_head(interim)
        except errors.NetworkError:
            if write_failed is not None:
                raise write_failed from None
            raise
        return response, interim

    def _await_continue(
        self, interim: list[InformationalResponse]
    ) -> Exchange[Response | None]:
        """Wait briefly for ``100 Continue``; a final response means "don't send"."""
        h11 = self.h11
        while h11.client_is_waiting_for_100_continue:
            event = h11.next_event()
            if event is NEED_DATA:
                try:
                    data = yield Read(self, READ_SIZE, EXPECT_CONTINUE_TIMEOUT)
                except errors.ReadTimeout:
                    return None
                h11.receive_data(data)
                continue
            if type(event) is InformationalResponse:
                interim.append(event)
                continue
            if type(event) is Response:
                # Final answer before the body: the body is never sent, so the
                # connection cannot be reused.
                h11.send_failed()
                return event
            break
        return None

    def _read_head(self, interim: list[InformationalResponse]) -> Exchange[Response]:
        h11 = self.h11
        if h11.awaits_data:  # the usual case right after sending: read before parsing
            h11.receive_data((yield Read(self)))
        while True:
            event = h11.next_event()
            if event is NEED_DATA:
                data = yield Read(self)
                h11.receive_data(data)
                continue
            if type(event) is Response:
                return event
            if type(event) is InformationalResponse:
                interim.append(event)
                continue
            if type(event) is ConnectionClosed:
                raise errors.ConnectionClosed("server disconnected without sending a response")
            raise errors.RemoteProtocolError(f"unexpected {type(event).__name__} before the "
                                             "response head")

    def take_buffered_body(self, limit: int = EAGER_BODY_LIMIT) -> tuple[list[bytes], Any]:
        """Body events already decodable without I/O: (data pieces, EndOfMessage or None)."""
        h11 = self.h11
        pieces: list[bytes] = []
        size = 0
        while size < limit:
            event = h11.next_event()
            if type(event) is Data:
                pieces.append(event.data)
                size += len(event.data)
                continue
            if type(event) is EndOfMessage:
                return pieces, event
            break
        return pieces, None

    def read_body(self, max_bytes: int, exact: bool = False) -> Exchange[bytes | EndOfMessage]:
        """The next body piece (at most ``max_bytes``... or as received), or EndOfMessage.

        ``exact`` or a large ``max_bytes``: that much is asked of the socket, so the
        piece never has to be split (a copy) to fit; else :data:`READ_SIZE` at once.
        """
        h11 = self.h11
        want = max_bytes if exact or max_bytes >= DIRECT_READ_MIN else READ_SIZE
        while True:
            event = h11.next_event()
            if type(event) is Data:
                return event.data
            if event is NEED_DATA:
                data = yield Read(self, want)
                h11.receive_data(data)
                continue
            if type(event) is EndOfMessage:
                return event
            raise errors.RemoteProtocolError(f"unexpected {event!r} in a response body")


class ResponseStream:
    """The body of one response, read from its connection on demand.

    Implements both :class:`~tether.http._types.SyncResponseStream` and the async one;
    the transport that created it decides which is used.
    """

    __slots__ = ("__weakref__", "_conn", "_extensions", "_pending", "_pool")

    def __init__(self, conn: HTTP11Connection, pool: SyncPool | Any, pending: list[bytes],
                 extensions: dict[str, Any]) -> None:
        self._conn: HTTP11Connection | None = conn
        self._pool = pool
        self._pending = pending
        self._extensions = extensions

    def _exchange(self, max_bytes: int, exact: bool = False) -> Exchange[bytes]:
        pending = self._pending
        if pending:
            data = pending.pop(0)
            if len(data) > max_bytes:
                pending.insert(0, data[max_bytes:])
                data = data[:max_bytes]
            return data
        conn = self._conn
        if conn is None:
            return b""
        try:
            got = yield from conn.read_body(max_bytes, exact)
        except BaseException:
            self._abandon()
            raise
        if type(got) is EndOfMessage:
            if got.headers:
                self._extensions["trailers"] = got.headers
            self._finish()
            return b""
        assert isinstance(got, bytes)
        if len(got) > max_bytes:
            pending.append(got[max_bytes:])
            got = got[:max_bytes]
        return got

    def _finish(self) -> None:
        conn = self._conn
        if conn is not None:
            self._conn = None
            self._pool.release(conn)

    def _abandon(self) -> None:
        conn = self._conn
        if conn is not None:
            self._conn = None
            self._pool.discard(conn)

    # sync
    def read_chunk(self, max_bytes: int) -> bytes:
        return run_sync(self._exchange(max_bytes), None)

    def read_chunk_exact(self, max_bytes: int) -> bytes:
        """:meth:`read_chunk` reading at most ``max_bytes`` from the socket."""
        return run_sync(self._exchange(max_bytes, True), None)

    def close(self) -> None:
        self._pending = []
        self._abandon()

    # async
    async def aread_chunk(self, max_bytes: int) -> bytes:
        return await run_async(self._exchange(max_bytes), None)

    async def aread_chunk_exact(self, max_bytes: int) -> bytes:
        return await run_async(self._exchange(max_bytes, True), None)

    async def aclose(self) -> None:
        self.close()

    def __del__(self) -> None:
        # An unclosed, half-read response: close its socket and give the slot back
        # without taking the pool's lock here (GC may run inside it).
        conn = self._conn
        if conn is not None:
            self._conn = None
            try:
                self._pool.abandoned(conn)
            except Exception:
                pass
