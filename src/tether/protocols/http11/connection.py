"""The client side of one HTTP/1.1 connection, sans I/O (RFC 9112).

Theory of operation
-------------------
:class:`Connection` turns events into bytes (:meth:`send`) and bytes into events
(:meth:`receive_data` then :meth:`next_event` until ``NEED_DATA``). It never touches a
socket or a clock. Its two sides move through the table in :mod:`.state`; the head and
body parsers live in :mod:`.readers`, the serialisers in :mod:`.writers`.

A typical cycle::

    conn = Connection()
    out = conn.send(Request(b"GET", b"/", [(b"Host", b"example.com")]))
    out += conn.send(EndOfMessage())
    ... write out, then feed what arrives: conn.receive_data(chunk) ...
    conn.next_event() → Response, Data..., EndOfMessage
    if conn.our_state is DONE and conn.their_state is DONE: conn.start_next_cycle()

``receive_data(b"")`` reports EOF. A peer error raises
:class:`~tether.errors.RemoteProtocolError` (or :class:`~tether.errors.LimitExceeded`
for a bound) and leaves the peer in ``ERROR``; an EOF where a response was due raises
:class:`tether.errors.ConnectionClosed`.

Limits (each overridable per connection; the HTTP transport passes them through):
"""

from __future__ import annotations

from typing import Final

from tether import errors
from tether.errors import LocalProtocolError, RemoteProtocolError, TetherError
from tether.protocols._buffer import ReceiveBuffer
from tether.protocols.http11 import readers
from tether.protocols.http11.events import (
    NEED_DATA,
    PAUSED,
    ConnectionClosed,
    Data,
    EndOfMessage,
    Event,
    HeaderList,
    InformationalResponse,
    Request,
    Response,
    Signal,
)
from tether.protocols.http11.readers import (
    BodyReader,
    ChunkedReader,
    CloseDelimitedReader,
    ContentLengthReader,
    HeadCollector,
)
from tether.protocols.http11.state import CLIENT as _CLIENT
from tether.protocols.http11.state import SERVER, ConnectionState, State, Switch
from tether.protocols.http11.writers import (
    BodyWriter,
    ChunkedWriter,
    ContentLengthWriter,
    NoBodyWriter,
    RequestFraming,
    write_request,
)

__all__ = [
    "DEFAULT_MAX_CHUNK_LINE",
    "DEFAULT_MAX_CHUNK_SIZE_DIGITS",
    "DEFAULT_MAX_HEADER_COUNT",
    "DEFAULT_MAX_HEAD_SIZE",
    "DEFAULT_MAX_INTERIM_RESPONSES",
    "DEFAULT_MAX_TRAILER_COUNT",
    "DEFAULT_MAX_TRAILER_SIZE",
    "Connection",
]

#: Status line + header fields, in bytes. 64 KiB: http.client and aiohttp accept lines
#: up to 64 KiB / 8 KiB; nginx answers with at most a few KiB; big Set-Cookie blocks
#: stay well under this. The peer can never make us buffer more than this for a head.
DEFAULT_MAX_HEAD_SIZE: Final = 64 * 1024
#: Header fields per response: http.client's limit (``_MAXHEADERS``), which requests
#: and urllib3 users already live with.
DEFAULT_MAX_HEADER_COUNT: Final = 100
#: Trailer block of a chunked body, in bytes; trailers are rare and small.
DEFAULT_MAX_TRAILER_SIZE: Final = 16 * 1024
#: Trailer fields per chunked body.
DEFAULT_MAX_TRAILER_COUNT: Final = 32
#: Interim (1xx) responses before the final one; a peer streaming endless
#: ``100 Continue`` heads would otherwise keep us reading forever.
DEFAULT_MAX_INTERIM_RESPONSES: Final = 16
#: Hex digits of a chunk size: 16 digits cover 2**64-1; more is only useful for
#: smuggling (length wrap-around in other parsers) or burning CPU on int().
DEFAULT_MAX_CHUNK_SIZE_DIGITS: Final = 16
#: A chunk-size line including chunk extensions (which are ignored, RFC 9112 §7.1.1).
DEFAULT_MAX_CHUNK_LINE: Final = 4096

__doc__ = (__doc__ or "") + "".join(
    f"\n- ``{name}`` = {globals()[name]}" for name in __all__ if name.startswith("DEFAULT_")
)


class Connection:
    """The client role of an HTTP/1.1 connection. See the module docstring."""

    __slots__ = (
        "_buf",
        "_direct",
        "_eof",
        "_head",
        "_head_tried",
        "_interim",
        "_last_head",
        "_last_head_key",
        "_limits",
        "_reader",
        "_request_method",
        "_state",
        "_writer",
        "client_is_waiting_for_100_continue",
        "their_http_version",
    )

    def __init__(
        self,
        *,
        max_head_size: int = DEFAULT_MAX_HEAD_SIZE,
        max_header_count: int = DEFAULT_MAX_HEADER_COUNT,
        max_trailer_size: int = DEFAULT_MAX_TRAILER_SIZE,
        max_trailer_count: int = DEFAULT_MAX_TRAILER_COUNT,
        max_interim_responses: int = DEFAULT_MAX_INTERIM_RESPONSES,
        max_chunk_size_digits: int = DEFAULT_MAX_CHUNK_SIZE_DIGITS,
        max_chunk_line: int = DEFAULT_MAX_CHUNK_LINE,
    ) -> None:
        self._state = ConnectionState()
        self._buf = ReceiveBuffer()
        # Body bytes received while the buffer was empty, handed out without copying.
        self._direct: bytes | None = None
        self._eof = False
        self._limits = (max_trailer_size, max_trailer_count, max_interim_responses,
                        max_chunk_size_digits, max_chunk_line)
        # +1 line: the status line is collected with the fields.
        self._head = HeadCollector(max_head_size, max_header_count + 1, "max_head_size")
        # Whether the current head was already tried whole (readers.take_crlf_head).
        self._head_tried = False
        self._writer: BodyWriter | None = None
        self._reader: BodyReader | None = None
        self._request_method = b""
        # The last request head sent: its pieces, its bytes and framing (shared between
        # equal heads: never changed).
        self._last_head_key: tuple[object, ...] | None = None
        self._last_head: tuple[bytes, RequestFraming] = (b"", RequestFraming())
        self._interim = 0
        self.their_http_version: bytes | None = None
        self.client_is_waiting_for_100_continue = False

    # -- state ----------------------------------------------------------------------
    @property
    def our_state(self) -> State:
        return self._state.client

    @property
    def their_state(self) -> State:
        return self._state.server

    @property
    def keep_alive(self) -> bool:
        """False once either side said the connection will not persist."""
        return self._state.keep_alive

    @property
    def is_reusable(self) -> bool:
        """True when both sides are ``DONE`` and nothing unexpected is buffered."""
        st = self._state
        return st.client is State.DONE and st.server is State.DONE and not self._buf \
            and not self._eof

    @property
    def awaits_data(self) -> bool:
        """True when nothing from the peer is buffered and it has not closed: the next
        event can only be ``NEED_DATA`` (a driver may read before asking)."""
        return not self._buf and not self._eof and self._direct is None

    @property
    def trailing_data(self) -> tuple[bytes, bool]:
        """Bytes received after a protocol switch (e.g. CONNECT), and whether EOF came."""
        return self._buf.peek(), self._eof

    def start_next_cycle(self) -> None:
        """Prepare for the next request on this connection (both sides ``DONE``)."""
        self._state.start_next_cycle()
        self._writer = None
        self._reader = None
        self._request_method = b""
        self._interim = 0
        self.client_is_waiting_for_100_continue = False

    # -- sending --------------------------------------------------------------------
    def send(self, event: Event) -> bytes:
        """Serialise ``event``; LocalProtocolError (nothing sent) if it is invalid."""
        try:
            if type(event) is Data:
                return self.send_data(event.data)
            if type(event) is Request:
                return self._send_request(event)
            if type(event) is EndOfMessage:
                if self._writer is None:
                    raise LocalProtocolError("EndOfMessage before a Request")
                out = self._writer.end(event.headers)
                self._state.process_event(_CLIENT, EndOfMessage)
                return out
            if type(event) is ConnectionClosed:
                self._state.process_event(_CLIENT, ConnectionClosed)
                return b""
            raise LocalProtocolError(f"a client cannot send {type(event).__name__}")
        except LocalProtocolError:
            self._state.process_error(_CLIENT)
            raise

    def send_data(self, data: bytes) -> bytes:
        """Body bytes, framed (fast path of ``send(Data(data))``)."""
        writer = self._writer
        if writer is None or self._state.client is not State.SEND_BODY:
            self._state.process_error(_CLIENT)
            raise LocalProtocolError(f"cannot send body data in state {self._state.client.value}")
        self.client_is_waiting_for_100_continue = False
        try:
            return writer.data(data)
        except LocalProtocolError:
            self._state.process_error(_CLIENT)
            raise

    def send_failed(self) -> None:
        """Tell the engine that sending failed half-way; the connection is unusable."""
        self._state.process_error(_CLIENT)

    def _send_request(self, event: Request) -> bytes:
        if self._state.client is not State.IDLE:
            raise LocalProtocolError(f"cannot send a Request in state {self._state.client.value}")
        # The same head as last time on this connection (a client polling or calling an
        # API) is not serialised and checked again. Only hashable (immutable) pieces:
        # a bytearray could have changed in place since.
        key: tuple[object, ...] | None = (event.method, event.target, event.http_version,
                                          tuple(event.headers))
        try:
            hash(key)
        except TypeError:
            key = None
        if key is not None and key == self._last_head_key:
            head, framing = self._last_head
        else:
            head, framing = write_request(event)
            if key is not None:
                self._last_head_key = key
                self._last_head = (head, framing)
        self._state.process_event(_CLIENT, Request)
        self._request_method = event.method
        if framing.chunked:
            self._writer = ChunkedWriter()
        elif framing.content_length >= 0:
            self._writer = ContentLengthWriter(framing.content_length)
        else:
            self._writer = NoBodyWriter()
        if framing.close:
            self._state.process_keep_alive_disabled()
        if event.method == b"CONNECT":
            self._state.process_client_switch_proposal(Switch.CONNECT)
        elif framing.upgrade:
            self._state.process_client_switch_proposal(Switch.UPGRADE)
        self.client_is_waiting_for_100_continue = framing.expect_continue
        return head

    # -- receiving ------------------------------------------------------------------
    def receive_data(self, data: bytes) -> None:
        """Feed bytes from the peer; ``b""`` means EOF."""
        if data:
            if self._eof:
                raise RemoteProtocolError("data received after EOF")
            direct = self._direct
            if direct is not None:
                self._direct = None
                self._buf.feed(direct)
                self._buf.feed(data)
            elif (not self._buf and type(self._reader) is ContentLengthReader
                  and self._state.server is State.SEND_BODY):
                # Fast path for the bulk of a large body: no copy into the buffer.
                self._direct = data
            else:
                self._buf.feed(data)
        else:
            self._eof = True

    def next_event(self) -> Event | Signal:
        """The next event from the peer, ``NEED_DATA`` or ``PAUSED``."""
        st = self._state
        if st.server is State.SEND_BODY:
            # Hot path: body bytes.
            reader = self._reader
            assert reader is not None
            direct = self._direct
            if direct is not None:
                self._direct = None
                data, excess = reader.read_direct(direct)  # type: ignore[union-attr]
                if excess:
                    self._buf.feed(excess)
                return data
            try:
                event = reader.read(self._buf)
                if event is None:
                    if not self._eof:
                        return NEED_DATA
                    event = reader.read_eof()
            except TetherError:
                st.process_error(SERVER)
                raise
            if type(event) is EndOfMessage:
                st.process_event(SERVER, EndOfMessage)
            return event
        if st.server is State.ERROR:
            raise RemoteProtocolError("the peer already broke the protocol on this connection")
        try:
            return self._next_event_slow()
        except TetherError:
            st.process_error(SERVER)
            raise

    def _next_event_slow(self) -> Event | Signal:
        st = self._state
        server = st.server
        if server is State.SEND_RESPONSE:
            return self._read_head()
        if server is State.SWITCHED_PROTOCOL:
            return PAUSED
        if server is State.IDLE:
            if self._buf:
                raise RemoteProtocolError("server sent data before any request",
                                          received=self._buf.peek(80))
        elif (server is State.DONE or server is State.MUST_CLOSE) and self._buf:
            # Bytes after a complete response: never parsed (no pipelining); the
            # connection is simply not reusable (see ``is_reusable``).
            return PAUSED
        if self._eof:
            if server is not State.CLOSED:
                st.process_event(SERVER, ConnectionClosed)
            return ConnectionClosed()
        return PAUSED if server in (State.DONE, State.MUST_CLOSE, State.CLOSED) else NEED_DATA

    def _read_head(self) -> Event | Signal:
        head = self._head
        if not self._head_tried and not head.lines and self._buf:
            # One attempt per head at taking it whole (the usual case: it arrived in
            # one piece); after a miss, the line reader goes on incrementally.
            self._head_tried = True
            whole = readers.take_crlf_head(self._buf, head.max_size, head.max_count)
            if whole is not None:
                self._head_tried = False
                version, status, reason, headers, info = whole
                return self._head_event(version, status, reason, headers, info)
        lines = head.collect(self._buf, "max_header_count")
        if lines is None:
            if not self._eof:
                return NEED_DATA
            if self._head.lines or self._buf:
                raise RemoteProtocolError(
                    "server closed the connection in the middle of the response head",
                    received=b"\r\n".join(self._head.lines) + self._buf.peek(80),
                )
            raise errors.ConnectionClosed("server disconnected without sending a response")
        if not lines:
            # RFC 9112 §2.2: a client SHOULD ignore empty lines before the status line
            # is not required of us; an empty head is malformed.
            raise RemoteProtocolError("empty line instead of a status line")
        self._head_tried = False
        version, status, reason = readers.parse_status_line(lines[0])
        headers, info = readers.parse_fields(lines, 1)
        return self._head_event(version, status, reason, headers, info)

    def _head_event(self, version: bytes, status: int, reason: bytes, headers: HeaderList,
                    info: readers.FieldInfo) -> Event:
        self.their_http_version = version
        st = self._state
        if status < 200:
            self._interim += 1
            if self._interim > self._limits[2]:
                raise errors.LimitExceeded("too many interim (1xx) responses",
                                           "max_interim_responses", self._limits[2])
            self.client_is_waiting_for_100_continue = False
            if status == 101:
                if st.pending_switch is not Switch.UPGRADE:
                    raise RemoteProtocolError("101 Switching Protocols without an Upgrade request")
                st.process_event(SERVER, InformationalResponse, accepted=Switch.UPGRADE)
            else:
                st.process_event(SERVER, InformationalResponse)
            return InformationalResponse(status, headers, reason, version)
        kind, length = readers.response_framing(self._request_method, status, version, info)
        self.client_is_waiting_for_100_continue = False
        response = Response(status, headers, reason, version)
        if kind == readers.TUNNEL and st.pending_switch is Switch.CONNECT:
            st.process_event(SERVER, Response, accepted=Switch.CONNECT)
            return response
        tokens = readers.connection_tokens(info.connection) if info.connection else set()
        if b"close" in tokens or (version == b"1.0" and b"keep-alive" not in tokens):
            st.process_keep_alive_disabled()
        st.process_event(SERVER, Response)
        if kind == readers.NO_BODY or kind == readers.TUNNEL:
            self._reader = ContentLengthReader(0)
        elif kind == readers.LENGTH:
            self._reader = ContentLengthReader(length)
        elif kind == readers.CHUNKED:
            tsize, tcount, _, digits, line = self._limits
            self._reader = ChunkedReader(max_digits=digits, max_chunk_line=line,
                                         max_trailer_size=tsize, max_trailer_count=tcount)
        else:
            self._reader = CloseDelimitedReader()
            st.process_keep_alive_disabled()
        return response
