"""POP3Connection: bytes in, events out, for every kind of response."""

from __future__ import annotations

import pytest

from tether.errors import ConnectionClosed, LimitExceeded, LocalProtocolError
from tether.protocols.pop3 import (
    NEED_DATA,
    Body,
    BodyChunk,
    BodyEnd,
    BodyMode,
    Continuation,
    POP3Connection,
    ResponseKind,
    Status,
)

MULTI = ResponseKind.MULTI


def events(conn: POP3Connection) -> list[object]:
    out = []
    while (ev := conn.next_event()) is not NEED_DATA:
        out.append(ev)
    return out


def test_greeting_then_single_line() -> None:
    conn = POP3Connection()
    conn.expect()
    conn.receive_data(b"+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n")
    assert events(conn) == [Status(True, b"+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>")]
    assert conn.send_command(b"NOOP") == b"NOOP\r\n"
    conn.receive_data(b"-ERR no\r\n")
    assert events(conn) == [Status(False, b"-ERR no")]
    assert conn.pending == 0


def test_status_split_across_reads() -> None:
    conn = POP3Connection()
    conn.expect()
    for byte in b"+OK hi\r\n":
        assert conn.next_event() is NEED_DATA
        conn.receive_data(bytes([byte]))
    assert conn.next_event() == Status(True, b"+OK hi")


def test_multiline_bulk_and_negative_multiline() -> None:
    conn = POP3Connection()
    conn.send_command(b"LIST", MULTI)
    conn.send_command(b"RETR 9", MULTI)
    conn.send_command(b"NOOP")
    conn.receive_data(b"+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n-ERR no such message\r\n+OK\r\n")
    assert events(conn) == [
        Status(True, b"+OK 2 messages"),
        Body(b"1 120\r\n2 200\r\n"),
        Status(False, b"-ERR no such message"),
        Status(True, b"+OK"),
    ]


def test_body_arriving_in_pieces_after_status_in_same_read() -> None:
    conn = POP3Connection()
    conn.send_command(b"RETR 1", MULTI)
    conn.receive_data(b"+OK\r\nSubject: x\r\n\r\n..dot")
    assert conn.next_event() == Status(True, b"+OK")
    assert conn.next_event() is NEED_DATA
    conn.receive_data(b" line\r\n")
    conn.receive_data(b".")
    assert conn.next_event() is NEED_DATA
    conn.receive_data(b"\r\n+OK after\r\n")
    assert conn.next_event() == Body(b"Subject: x\r\n\r\n.dot line\r\n")
    conn.expect()
    assert conn.next_event() == Status(True, b"+OK after")


def test_streamed_body() -> None:
    conn = POP3Connection()
    conn.send_command(b"RETR 1", MULTI, BodyMode.STREAM)
    conn.receive_data(b"+OK\r\nabc\r\n")
    assert conn.next_event() == Status(True, b"+OK")
    first = conn.next_event()
    assert isinstance(first, BodyChunk)
    conn.receive_data(b"..d\r\n.\r\n")
    rest = events(conn)
    chunks = [first.data] + [e.data for e in rest if isinstance(e, BodyChunk)]
    assert b"".join(chunks) == b"abc\r\n.d\r\n"
    assert rest[-1] == BodyEnd(len(b"abc\r\n.d\r\n"))
    assert conn.pending == 0


def test_streamed_body_memory_is_bounded_by_reads() -> None:
    conn = POP3Connection()
    conn.send_command(b"RETR 1", MULTI, BodyMode.STREAM)
    conn.receive_data(b"+OK\r\n")
    assert conn.next_event() == Status(True, b"+OK")
    for _ in range(50):
        conn.receive_data(b"y" * 1000 + b"\r\n")
        chunk = conn.next_event()
        assert isinstance(chunk, BodyChunk) and len(chunk.data) <= 1002


def test_sasl_continuations() -> None:
    conn = POP3Connection()
    conn.send_command(b"AUTH LOGIN", ResponseKind.SASL)
    conn.receive_data(b"+ VXNlcm5hbWU6\r\n")
    assert conn.next_event() == Continuation(b"VXNlcm5hbWU6")
    assert conn.send_sasl_response(b"dXNlcg==") == b"dXNlcg==\r\n"
    conn.receive_data(b"+ \r\n+OK logged in\r\n")
    assert events(conn) == [Continuation(b""), Status(True, b"+OK logged in")]


def test_sasl_response_without_exchange_refused() -> None:
    with pytest.raises(LocalProtocolError):
        POP3Connection().send_sasl_response(b"x")


@pytest.mark.parametrize("bad", [b"USER a\r\nDELE 1", b"USER a\nb", b"PASS a\x00b", b"X\r"])
def test_injection_refused_before_sending(bad: bytes) -> None:
    conn = POP3Connection()
    with pytest.raises(LocalProtocolError):
        conn.send_command(bad)
    assert conn.pending == 0


def test_long_status_line_raises_then_connection_stays_usable() -> None:
    conn = POP3Connection(max_line_length=20)
    conn.send_command(b"NOOP")
    conn.receive_data(b"+OK " + b"a" * 30)
    with pytest.raises(LimitExceeded) as info:
        conn.next_event()
    assert info.value.limit == "_MAXLINE"
    conn.send_command(b"NOOP")
    conn.receive_data(b"a" * 30 + b"\r\n+OK fine\r\n")
    assert events(conn) == [Status(True, b"+OK fine")]


def test_long_status_of_multiline_skips_its_body() -> None:
    conn = POP3Connection(max_line_length=10)
    conn.send_command(b"RETR 1", MULTI)
    conn.receive_data(b"+OK " + b"z" * 20 + b"\r\nbody\r\n.\r\n")
    with pytest.raises(LimitExceeded):
        conn.next_event()
    conn.send_command(b"NOOP")
    conn.receive_data(b"+OK n\r\n")
    assert events(conn) == [Status(True, b"+OK n")]


def test_body_size_limit_then_resync() -> None:
    conn = POP3Connection(max_response_size=100)
    conn.send_command(b"RETR 1", MULTI)
    conn.receive_data(b"+OK\r\n" + b"x" * 98 + b"\r\n")
    assert conn.next_event() == Status(True, b"+OK")
    assert conn.next_event() is NEED_DATA
    conn.receive_data(b"more\r\n")
    with pytest.raises(LimitExceeded) as info:
        conn.next_event()
    assert info.value.limit == "max_response_size"
    conn.send_command(b"NOOP")
    conn.receive_data(b"tail\r\n.\r\n+OK ok\r\n")
    assert events(conn) == [Status(True, b"+OK ok")]


def test_abandon_discards_rest_of_body() -> None:
    conn = POP3Connection()
    conn.send_command(b"RETR 1", MULTI, BodyMode.STREAM)
    conn.receive_data(b"+OK\r\npart one\r\n")
    assert conn.next_event() == Status(True, b"+OK")
    assert isinstance(conn.next_event(), BodyChunk)
    conn.abandon()
    conn.send_command(b"NOOP")
    conn.receive_data(b"part two\r\n.\r\n+OK noop\r\n")
    assert events(conn) == [Status(True, b"+OK noop")]


def test_eof_mid_body() -> None:
    conn = POP3Connection()
    conn.send_command(b"RETR 1", MULTI)
    conn.receive_data(b"+OK\r\nhalf a mess")
    conn.receive_data(b"")
    assert conn.next_event() == Status(True, b"+OK")
    with pytest.raises(ConnectionClosed, match="-ERR EOF"):
        conn.next_event()


def test_eof_before_status() -> None:
    conn = POP3Connection()
    conn.expect()
    conn.receive_data(b"")
    with pytest.raises(ConnectionClosed):
        conn.next_event()


def test_start_tls_drops_injected_plaintext() -> None:
    conn = POP3Connection()
    conn.send_command(b"STLS")
    conn.receive_data(b"+OK begin TLS\r\n+OK injected\r\n")
    assert conn.next_event() == Status(True, b"+OK begin TLS")
    assert conn.start_tls() == b"+OK injected\r\n"
    conn.send_command(b"CAPA", MULTI)
    conn.receive_data(b"+OK\r\nUSER\r\n.\r\n")
    assert events(conn) == [Status(True, b"+OK"), Body(b"USER\r\n")]


def test_start_tls_with_outstanding_response_refused() -> None:
    conn = POP3Connection()
    conn.send_command(b"STLS")
    with pytest.raises(LocalProtocolError):
        conn.start_tls()


def test_plus_without_ok_is_success_like_poplib() -> None:
    conn = POP3Connection()
    conn.expect()
    conn.receive_data(b"+ Hola mundo\n")
    assert conn.next_event() == Status(True, b"+ Hola mundo")


def test_abandon_after_last_chunk_swallows_body_end() -> None:
    conn = POP3Connection()
    conn.send_command(b"RETR 1", MULTI, BodyMode.STREAM)
    conn.receive_data(b"+OK\r\nall of it\r\n.\r\n")
    assert conn.next_event() == Status(True, b"+OK")
    assert conn.next_event() == BodyChunk(b"all of it\r\n")
    conn.abandon()
    conn.send_command(b"NOOP")
    conn.receive_data(b"+OK\r\n")
    assert events(conn) == [Status(True, b"+OK")]


def test_small_body_fast_path_defers_to_scanner_for_stuffed_lines() -> None:
    conn = POP3Connection()
    conn.send_command(b"TOP 1 0", MULTI)
    conn.send_command(b"TOP 2 0", MULTI)
    conn.receive_data(b"+OK\r\nA: b\r\n\r\n.\r\n+OK\r\n..x\r\ny\r\n.\r\n")
    assert events(conn) == [Status(True, b"+OK"), Body(b"A: b\r\n\r\n"),
                            Status(True, b"+OK"), Body(b".x\r\ny\r\n")]
