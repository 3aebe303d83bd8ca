"""Bytes ↔ events tables for the HTTP/1.1 client engine, and its state machine."""

from __future__ import annotations

import pytest

from tether.errors import ConnectionClosed as ConnectionClosedError
from tether.errors import LimitExceeded, LocalProtocolError, RemoteProtocolError
from tether.protocols.http11 import (
    NEED_DATA,
    PAUSED,
    Connection,
    ConnectionClosed,
    Data,
    EndOfMessage,
    InformationalResponse,
    Request,
    Response,
    State,
)

HOST = [(b"Host", b"example.com")]


def get(conn: Connection, method: bytes = b"GET", headers: list[tuple[bytes, bytes]] | None = None
        ) -> bytes:
    out = conn.send(Request(method, b"/", HOST + (headers or [])))
    return out + conn.send(EndOfMessage())


def events(conn: Connection, data: bytes, eof: bool = False) -> list[object]:
    conn.receive_data(data)
    if eof:
        conn.receive_data(b"")
    out: list[object] = []
    while True:
        ev = conn.next_event()
        if ev is NEED_DATA or ev is PAUSED:
            out.append(ev)
            return out
        out.append(ev)
        if isinstance(ev, ConnectionClosed):
            return out


# -- sending ---------------------------------------------------------------------------
SEND_TABLE = [
    (Request(b"GET", b"/a?b=c", HOST), b"GET /a?b=c HTTP/1.1\r\nHost: example.com\r\n\r\n"),
    (Request(b"OPTIONS", b"*", HOST), b"OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n"),
    (Request(b"GET", b"http://x/", [(b"hOsT", b"x"), (b"X-Empty", b"")]),
     b"GET http://x/ HTTP/1.1\r\nhOsT: x\r\nX-Empty: \r\n\r\n"),
]


@pytest.mark.parametrize(("event", "wire"), SEND_TABLE)
def test_request_serialisation(event: Request, wire: bytes) -> None:
    assert Connection().send(event) == wire


@pytest.mark.parametrize(
    "request_",
    [
        Request(b"GE T", b"/", HOST),
        Request(b"", b"/", HOST),
        Request(b"GET", b"/a b", HOST),
        Request(b"GET", b"/a\r\nX: y", HOST),
        Request(b"GET", b"/\x00", HOST),
        Request(b"GET", b"", HOST),
        Request(b"GET", b"/", [*HOST, (b"X", b"a\r\nInjected: 1")]),
        Request(b"GET", b"/", [*HOST, (b"X", b"a\nb")]),
        Request(b"GET", b"/", [*HOST, (b"X", b"a\rb")]),
        Request(b"GET", b"/", [*HOST, (b"X", b"a\x00b")]),
        Request(b"GET", b"/", [*HOST, (b"Bad Name", b"v")]),
        Request(b"GET", b"/", [*HOST, (b"Bad:Name", b"v")]),
        Request(b"GET", b"/", [*HOST, (b"", b"v")]),
        Request(b"GET", b"/", [(b"X", b"no host")]),
        Request(b"POST", b"/", [*HOST, (b"Content-Length", b"1"),
                                (b"Transfer-Encoding", b"chunked")]),
        Request(b"POST", b"/", [*HOST, (b"Content-Length", b"-1")]),
        Request(b"POST", b"/", [*HOST, (b"Content-Length", b"1"), (b"Content-Length", b"2")]),
        Request(b"POST", b"/", [*HOST, (b"Transfer-Encoding", b"gzip, chunked")]),
        Request(b"GET", b"/", HOST, http_version=b"1.0"),
    ],
)
def test_invalid_requests_refused_before_a_byte(request_: Request) -> None:
    conn = Connection()
    with pytest.raises(LocalProtocolError):
        conn.send(request_)
    assert conn.our_state is State.ERROR


def test_invalid_request_is_refused_every_time() -> None:
    # A connection reuses the head it sent last; a refused one is never reused.
    bad = Request(b"GET", b"/", [*HOST, (b"X", b"a\r\nInjected: 1")])
    for _ in range(3):
        with pytest.raises(LocalProtocolError):
            Connection().send(bad)


def test_repeated_head_on_one_connection_serialises_and_frames_the_same() -> None:
    conn = Connection()
    fields = [*HOST, (b"Content-Length", b"3")]
    wire = conn.send(Request(b"POST", b"/p", fields))
    assert wire == b"POST /p HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\n"
    conn.send(Data(b"abc"))
    conn.send(EndOfMessage())
    events(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    conn.start_next_cycle()
    # The same head again (new but equal objects): the same bytes and the same framing,
    # so 3 bytes of body exactly.
    assert conn.send(Request(b"POST", b"/p", [*HOST, (b"Content-Length", b"3")])) == wire
    assert conn.send(Data(b"ab")) == b"ab"
    with pytest.raises(LocalProtocolError):
        conn.send(Data(b"cd"))

    # A different head on the next cycle is serialised anew, with its own framing.
    again = Connection()
    again.send(Request(b"GET", b"/", HOST))
    again.send(EndOfMessage())
    events(again, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    again.start_next_cycle()
    assert again.send(Request(b"GET", b"/", [*HOST, (b"Connection", b"close")])).endswith(
        b"Connection: close\r\n\r\n")
    again.send(EndOfMessage())
    events(again, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert not again.is_reusable

    # A bytearray value changed in place between two cycles is sent as it is now.
    mutable = Connection()
    value = bytearray(b"v1")
    assert b"X: v1\r\n" in mutable.send(Request(b"GET", b"/", [*HOST, (b"X", value)]))
    mutable.send(EndOfMessage())
    events(mutable, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    mutable.start_next_cycle()
    value[1:] = b"2"
    assert b"X: v2\r\n" in mutable.send(Request(b"GET", b"/", [*HOST, (b"X", value)]))


def test_content_length_body_is_enforced() -> None:
    conn = Connection()
    conn.send(Request(b"POST", b"/", [*HOST, (b"Content-Length", b"5")]))
    assert conn.send(Data(b"abc")) == b"abc"
    with pytest.raises(LocalProtocolError):
        conn.send(Data(b"abc"))


def test_content_length_short_body_refused_at_end() -> None:
    conn = Connection()
    conn.send(Request(b"POST", b"/", [*HOST, (b"Content-Length", b"5")]))
    conn.send(Data(b"abc"))
    with pytest.raises(LocalProtocolError):
        conn.send(EndOfMessage())


def test_chunked_body_framing() -> None:
    conn = Connection()
    conn.send(Request(b"POST", b"/", [*HOST, (b"Transfer-Encoding", b"chunked")]))
    assert conn.send(Data(b"hello world!")) == b"c\r\nhello world!\r\n"
    assert conn.send(Data(b"")) == b""
    assert conn.send(EndOfMessage([(b"X-Sum", b"1")])) == b"0\r\nX-Sum: 1\r\n\r\n"
    assert conn.our_state is State.DONE


def test_body_without_framing_refused() -> None:
    conn = Connection()
    conn.send(Request(b"POST", b"/", HOST))
    with pytest.raises(LocalProtocolError):
        conn.send(Data(b"x"))


# -- receiving -------------------------------------------------------------------------
RECEIVE_TABLE: list[tuple[str, bytes, bytes, list[object]]] = [
    ("content-length", b"GET",
     b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
     [Response(200, [(b"Content-Length", b"5")], b"OK"), Data(b"hello"), EndOfMessage(),
      PAUSED]),
    ("bare LF lines", b"GET",
     b"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi",
     [Response(200, [(b"Content-Length", b"2")], b"OK"), Data(b"hi"), EndOfMessage(), PAUSED]),
    ("no reason phrase", b"GET",
     b"HTTP/1.1 204\r\n\r\n",
     [Response(204, [], b""), EndOfMessage(), PAUSED]),
    ("empty reason with space", b"GET",
     b"HTTP/1.1 204 \r\n\r\n",
     [Response(204, [], b""), EndOfMessage(), PAUSED]),
    ("OWS trimmed, case kept", b"GET",
     b"HTTP/1.1 200 OK\r\nX-A:  v 1 \t\r\nContent-Length: 0\r\n\r\n",
     [Response(200, [(b"X-A", b"v 1"), (b"Content-Length", b"0")], b"OK"), EndOfMessage(),
      PAUSED]),
    ("obs-fold unfolded", b"GET",
     b"HTTP/1.1 200 OK\r\nX-A: one\r\n  two\r\nContent-Length: 0\r\n\r\n",
     [Response(200, [(b"X-A", b"one two"), (b"Content-Length", b"0")], b"OK"),
      EndOfMessage(), PAUSED]),
    ("chunked with extension and trailers", b"GET",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
     b"3;name=val\r\nabc\r\n002\r\nde\r\n0\r\nX-T: 1\r\n\r\n",
     [Response(200, [(b"Transfer-Encoding", b"Chunked")], b"OK"), Data(b"abc"), Data(b"de"),
      EndOfMessage([(b"X-T", b"1")]), PAUSED]),
    ("HEAD ignores Content-Length", b"HEAD",
     b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
     [Response(200, [(b"Content-Length", b"100")], b"OK"), EndOfMessage(), PAUSED]),
    ("304 has no body", b"GET",
     b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
     [Response(304, [(b"Content-Length", b"10")], b"Not Modified"), EndOfMessage(), PAUSED]),
    ("interim responses then final", b"GET",
     b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
     b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
     [InformationalResponse(100, [], b"Continue"),
      InformationalResponse(103, [(b"Link", b"</a>")], b"Early Hints"),
      Response(200, [(b"Content-Length", b"0")], b"OK"), EndOfMessage(), PAUSED]),
    ("identical Content-Length values", b"GET",
     b"HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\nContent-Length: 1\r\n\r\nx",
     [Response(200, [(b"Content-Length", b"1, 1"), (b"Content-Length", b"1")], b"OK"),
      Data(b"x"), EndOfMessage(), PAUSED]),
]


@pytest.mark.parametrize(("name", "method", "wire", "expected"), RECEIVE_TABLE,
                         ids=[row[0] for row in RECEIVE_TABLE])
def test_response_parsing(name: str, method: bytes, wire: bytes, expected: list[object]) -> None:
    conn = Connection()
    get(conn, method)
    assert events(conn, wire) == expected


def test_close_delimited_body_ends_at_eof() -> None:
    conn = Connection()
    get(conn)
    assert events(conn, b"HTTP/1.1 200 OK\r\n\r\nsome") == [
        Response(200, [], b"OK"), Data(b"some"), NEED_DATA]
    assert events(conn, b"", eof=True) == [EndOfMessage(), ConnectionClosed()]
    assert not conn.keep_alive


@pytest.mark.parametrize(
    ("wire", "keep"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.1 200 OK\r\nConnection: x, Close\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", True),
    ],
)
def test_keep_alive_rules(wire: bytes, keep: bool) -> None:
    conn = Connection()
    get(conn)
    events(conn, wire)
    assert conn.keep_alive is keep
    assert conn.is_reusable is keep
    assert conn.their_state is (State.DONE if keep else State.MUST_CLOSE)


def test_request_connection_close_disables_reuse() -> None:
    conn = Connection()
    get(conn, headers=[(b"Connection", b"close")])
    events(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    assert not conn.is_reusable
    assert conn.our_state is State.MUST_CLOSE


def test_next_cycle_reuses_connection() -> None:
    conn = Connection()
    for _ in range(3):
        get(conn)
        assert events(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")[-2] == EndOfMessage()
        conn.start_next_cycle()
        assert conn.our_state is State.IDLE and conn.their_state is State.IDLE


def test_start_next_cycle_refused_mid_response() -> None:
    conn = Connection()
    get(conn)
    events(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab")
    with pytest.raises(LocalProtocolError):
        conn.start_next_cycle()


def test_connect_switches_protocol() -> None:
    conn = Connection()
    conn.send(Request(b"CONNECT", b"example.com:443", HOST))
    conn.send(EndOfMessage())
    assert conn.our_state is State.MIGHT_SWITCH_PROTOCOL
    evs = events(conn, b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03tls")
    assert evs == [Response(200, [], b"Connection established"), PAUSED]
    assert conn.their_state is State.SWITCHED_PROTOCOL
    assert conn.trailing_data == (b"\x16\x03tls", False)


def test_connect_refused_is_ordinary_response() -> None:
    conn = Connection()
    conn.send(Request(b"CONNECT", b"example.com:443", HOST))
    conn.send(EndOfMessage())
    evs = events(conn, b"HTTP/1.1 407 Proxy Auth\r\nContent-Length: 2\r\n\r\nno")
    assert evs == [Response(407, [(b"Content-Length", b"2")], b"Proxy Auth"), Data(b"no"),
                   EndOfMessage(), PAUSED]
    assert conn.our_state is State.DONE


def test_upgrade_101() -> None:
    conn = Connection()
    get(conn, headers=[(b"Connection", b"Upgrade"), (b"Upgrade", b"websocket")])
    evs = events(conn, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nframe")
    assert evs[0] == InformationalResponse(101, [(b"Upgrade", b"websocket")],
                                           b"Switching Protocols")
    assert evs[1] is PAUSED
    assert conn.trailing_data[0] == b"frame"


def test_101_without_upgrade_refused() -> None:
    conn = Connection()
    get(conn)
    with pytest.raises(RemoteProtocolError):
        events(conn, b"HTTP/1.1 101 Switching Protocols\r\n\r\n")


def test_expect_continue_flag() -> None:
    conn = Connection()
    conn.send(Request(b"POST", b"/", [*HOST, (b"Content-Length", b"1"),
                                       (b"Expect", b"100-continue")]))
    assert conn.client_is_waiting_for_100_continue
    assert events(conn, b"HTTP/1.1 100 Continue\r\n\r\n") == [
        InformationalResponse(100, [], b"Continue"), NEED_DATA]
    assert not conn.client_is_waiting_for_100_continue


def test_eof_before_response_is_connection_closed() -> None:
    conn = Connection()
    get(conn)
    conn.receive_data(b"")
    with pytest.raises(ConnectionClosedError, match="without sending a response"):
        conn.next_event()


def test_eof_mid_head() -> None:
    conn = Connection()
    get(conn)
    conn.receive_data(b"HTTP/1.1 200 OK\r\nX: y")
    conn.receive_data(b"")
    with pytest.raises(RemoteProtocolError, match="middle of the response head"):
        conn.next_event()


@pytest.mark.parametrize(
    "wire",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n",
    ],
)
def test_truncated_body_is_an_error(wire: bytes) -> None:
    conn = Connection()
    get(conn)
    with pytest.raises(RemoteProtocolError, match="closed the connection"):
        events(conn, wire, eof=True)
    assert conn.their_state is State.ERROR


def test_idle_server_close_is_connection_closed_event() -> None:
    conn = Connection()
    get(conn)
    events(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    conn.start_next_cycle()
    assert events(conn, b"", eof=True) == [ConnectionClosed()]
    assert conn.their_state is State.CLOSED
    assert conn.our_state is State.MUST_CLOSE


def test_unsolicited_data_while_idle() -> None:
    conn = Connection()
    get(conn)
    events(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    conn.start_next_cycle()
    with pytest.raises(RemoteProtocolError, match="before any request"):
        events(conn, b"HTTP/1.1 408 Request Timeout\r\n\r\n")


def test_extra_bytes_after_response_make_connection_unreusable() -> None:
    conn = Connection()
    get(conn)
    evs = events(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n")
    assert evs[-2] == EndOfMessage()
    assert not conn.is_reusable


def test_large_content_length_allocates_only_what_arrives() -> None:
    conn = Connection()
    get(conn)
    evs = events(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\nabc")
    assert evs[1:] == [Data(b"abc"), NEED_DATA]


def test_limits_are_per_connection() -> None:
    conn = Connection(max_head_size=100)
    get(conn)
    with pytest.raises(LimitExceeded) as info:
        events(conn, b"HTTP/1.1 200 OK\r\n" + b"X: " + b"a" * 200 + b"\r\n\r\n")
    assert info.value.limit == "max_head_size"
    conn = Connection(max_header_count=2)
    get(conn)
    with pytest.raises(LimitExceeded) as info:
        events(conn, b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")
    assert info.value.limit == "max_header_count"


def test_body_bytes_keep_their_order_across_the_direct_path() -> None:
    conn = Connection()
    get(conn)
    assert events(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n")[-1] is NEED_DATA
    conn.receive_data(b"abc")  # buffer empty: taken without copying
    conn.receive_data(b"def")  # before next_event: both must come out in order
    conn.receive_data(b"ghiEXTRA")
    out = b""
    while True:
        ev = conn.next_event()
        if isinstance(ev, Data):
            out += ev.data
        else:
            break
    assert out == b"abcdefghi" and ev == EndOfMessage()
    assert not conn.is_reusable  # "EXTRA" is left over


def test_awaits_data_only_when_nothing_is_buffered_and_no_eof() -> None:
    conn = Connection()
    get(conn)
    assert conn.awaits_data
    assert conn.next_event() is NEED_DATA
    conn.receive_data(b"HTTP/1.1 200")
    assert not conn.awaits_data
    assert conn.next_event() is NEED_DATA  # partial head: buffered, not complete
    closed = Connection()
    get(closed)
    closed.receive_data(b"")
    assert not closed.awaits_data
