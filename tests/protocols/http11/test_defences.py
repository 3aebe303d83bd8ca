"""Every smuggling and resource defence of the HTTP/1.1 engine, one hostile input each."""

from __future__ import annotations

import pytest

from tether.errors import LimitExceeded, RemoteProtocolError
from tether.protocols.http11 import NEED_DATA, Connection, EndOfMessage, Request, State

HOST = [(b"Host", b"example.com")]


def feed(wire: bytes, method: bytes = b"GET", **limits: int) -> Connection:
    conn = Connection(**limits)
    conn.send(Request(method, b"/", HOST))
    conn.send(EndOfMessage())
    conn.receive_data(wire)
    for _ in range(100):
        ev = conn.next_event()
        if ev is NEED_DATA or type(ev) is EndOfMessage:
            break
    return conn


REFUSED = [
    ("TE not chunked", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
    ("TE chunked not alone", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
    ("TE chunked twice", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n"),
    ("TE lookalike", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\x0b\r\n\r\n"),
    ("TE non-ASCII", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chun\u212aed\r\n\r\n".encode()),
    ("TE identity", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n"),
    ("TE with CL", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"),
    ("TE in HTTP/1.0", b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
    ("conflicting CL", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
    ("conflicting CL list", b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n"),
    ("CL not digits", b"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n"),
    ("CL hex", b"HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\n"),
    ("CL negative", b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
    ("CL empty", b"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n"),
    ("CL unicode digits", "HTTP/1.1 200 OK\r\nContent-Length: \u0661\r\n\r\n".encode()),
    ("CL too many digits", b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 30 + b"\r\n\r\n"),
    ("bare CR in header", b"HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n"),
    ("bare CR ending", b"HTTP/1.1 200 OK\r\nX: a\r\rContent-Length: 0\r\n\r\n"),
    ("bare CR in status", b"HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n"),
    ("NUL in header", b"HTTP/1.1 200 OK\r\nX: a\x00b\r\nContent-Length: 0\r\n\r\n"),
    ("space before colon", b"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello"),
    ("tab before colon", b"HTTP/1.1 200 OK\r\nTransfer-Encoding\t: chunked\r\n\r\n"),
    ("no colon", b"HTTP/1.1 200 OK\r\nJunk\r\n\r\n"),
    ("empty name", b"HTTP/1.1 200 OK\r\n: v\r\n\r\n"),
    ("fold before first field", b"HTTP/1.1 200 OK\r\n X: y\r\n\r\n"),
    ("bad status line", b"HTTP/1.1 OK\r\n\r\n"),
    ("status too short", b"HTTP/1.1 20 OK\r\n\r\n"),
    ("HTTP/2 status line", b"HTTP/2.0 200 OK\r\n\r\n"),
    ("lowercase http", b"http/1.1 200 OK\r\n\r\n"),
    ("not HTTP", b"SSH-2.0-OpenSSH\r\n\r\n"),
    ("status below 100", b"HTTP/1.1 099 Odd\r\n\r\n"),
    ("empty head", b"\r\n\r\n"),
    ("chunk size not hex", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
    ("chunk size 0x", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n"),
    ("chunk size negative", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n"),
    ("chunk size with space inside",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 5\r\n"),
    ("chunk without CRLF after data",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX\r\n0\r\n\r\n"),
    ("bare CR in chunk line",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;a\rb\r\nabc\r\n0\r\n\r\n"),
    ("bare CR in trailer",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: a\rb\r\n\r\n"),
]


@pytest.mark.parametrize(("name", "wire"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused(name: str, wire: bytes) -> None:
    with pytest.raises(RemoteProtocolError):
        feed(wire)


def test_error_quotes_what_was_received() -> None:
    with pytest.raises(RemoteProtocolError) as info:
        feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n")
    assert info.value.received == b"gzip"
    assert "gzip" in str(info.value)


def test_peer_is_in_error_after_refusal_and_stays_there() -> None:
    conn = Connection()
    conn.send(Request(b"GET", b"/", HOST))
    conn.send(EndOfMessage())
    conn.receive_data(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
    with pytest.raises(RemoteProtocolError):
        conn.next_event()
    assert conn.their_state is State.ERROR
    with pytest.raises(RemoteProtocolError):
        conn.next_event()


def test_smuggling_checks_apply_to_bodiless_responses() -> None:
    with pytest.raises(RemoteProtocolError):
        feed(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n")
    with pytest.raises(RemoteProtocolError):
        feed(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", b"HEAD")


LIMITS = [
    ("max_head_size", {"max_head_size": 1024, "max_header_count": 1000},
     b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 300 + b"\r\n"),
    ("max_head_size", {"max_head_size": 1024},
     b"HTTP/1.1 200 OK\r\nX: " + b"y" * 2000),  # one endless line, never terminated
    ("max_head_size", {"max_head_size": 1024}, b"HTTP/1.1 200 " + b"O" * 2000),
    ("max_header_count", {"max_header_count": 10},
     b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 11 + b"\r\n"),
    ("max_interim_responses", {"max_interim_responses": 3},
     b"HTTP/1.1 100 Continue\r\n\r\n" * 4),
    ("max_chunk_size_digits", {},
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"0" * 17 + b"1\r\nx\r\n"),
    ("max_chunk_line", {"max_chunk_line": 64},
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + b"e" * 100),
    ("max_trailer_count", {"max_trailer_count": 2},
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + b"T: 1\r\n" * 3 + b"\r\n"),
    ("max_trailer_size", {"max_trailer_size": 100},
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + b"T: " + b"t" * 200),
]


@pytest.mark.parametrize(("limit", "kwargs", "wire"), LIMITS, ids=[r[0] for r in LIMITS])
def test_limits(limit: str, kwargs: dict[str, int], wire: bytes) -> None:
    with pytest.raises(LimitExceeded) as info:
        feed(wire, **kwargs)
    assert info.value.limit == limit


def test_head_limit_holds_when_dripped_byte_by_byte() -> None:
    conn = Connection(max_head_size=1024)
    conn.send(Request(b"GET", b"/", HOST))
    conn.send(EndOfMessage())
    wire = b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 1000
    i = 0
    with pytest.raises(LimitExceeded):
        for i in range(len(wire)):
            conn.receive_data(wire[i:i + 1])
            assert conn.next_event() is NEED_DATA
    assert i < 1100  # refused as soon as the budget is passed


def test_endless_interim_responses_default_limit() -> None:
    with pytest.raises(LimitExceeded):
        feed(b"HTTP/1.1 102 Processing\r\n\r\n" * 1000)


def test_mixed_line_ends_accepted_when_unambiguous() -> None:
    conn = Connection()
    conn.send(Request(b"GET", b"/", HOST))
    conn.send(EndOfMessage())
    conn.receive_data(b"HTTP/1.1 200 OK\r\nA: 1\nContent-Length: 0\r\n\r\n")
    response = conn.next_event()
    assert response.headers == [(b"A", b"1"), (b"Content-Length", b"0")]  # type: ignore[union-attr]


def test_bare_lf_blank_line_hidden_in_crlf_head_refused() -> None:
    # A CRLF head that ends early with a bare-LF blank line: a parser searching only for
    # CRLF CRLF would take the body ("X-Smuggled...") as header fields.
    with pytest.raises(RemoteProtocolError, match="mixes CRLF and bare LF"):
        feed(b"HTTP/1.1 200 OK\r\nContent-Length: 18\n\nX-Smuggled: yes\r\n\r\n")
