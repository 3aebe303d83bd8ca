"""POP3Connection.receive_whole_response: the one-read shortcut gives next_event's result."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether.errors import ConnectionClosed, LimitExceeded
from tether.protocols.pop3 import (
    NEED_DATA,
    Body,
    BodyMode,
    POP3Connection,
    ResponseKind,
    Status,
)

MULTI = ResponseKind.MULTI
SINGLE = ResponseKind.SINGLE
DOVECOT_TOP = (b"+OK\r\nFrom: bench@example.com\r\nTo: you@example.com\r\nSubject: small 4\r\n"
               b"\r\n.\r\n")


def drain(conn: POP3Connection, out: list[object]) -> str:
    """Append events until NEED_DATA; the name of the error that stopped it, if any."""
    try:
        while (event := conn.next_event()) is not NEED_DATA:
            out.append(event)
    except (LimitExceeded, ConnectionClosed) as exc:
        return type(exc).__name__
    return ""


def then_noop(conn: POP3Connection, out: list[object]) -> str:
    """A next command on the same connection: bytes left behind would show up here."""
    conn.send_command(b"NOOP")
    conn.receive_data(b"+OK next\r\n")
    return drain(conn, out)


def generic(data: bytes, kind: ResponseKind, **limits: int) -> tuple[list[object], str, int]:
    """Events through receive_data/next_event: (events, errors, pending)."""
    conn = POP3Connection(**limits)
    conn.send_command(b"CMD", kind)
    conn.receive_data(data)
    out: list[object] = []
    error = drain(conn, out)
    pending = conn.pending
    error += then_noop(conn, out)
    return out, error, pending


def shortcut(data: bytes, kind: ResponseKind, **limits: int) -> tuple[list[object], str, int]:
    """The same through receive_whole_response (then next_event if it declined)."""
    conn = POP3Connection(**limits)
    conn.send_command(b"CMD", kind)
    whole = conn.receive_whole_response(data)
    out: list[object] = []
    if whole is not None:
        line, body = whole
        out.append(Status(line.startswith(b"+"), line))
        if body is not None:
            out.append(Body(body))
    error = drain(conn, out)
    pending = conn.pending
    error += then_noop(conn, out)
    return out, error, pending


@pytest.mark.parametrize(("data", "kind", "expected"), [
    (DOVECOT_TOP, MULTI,
     (b"+OK", b"From: bench@example.com\r\nTo: you@example.com\r\nSubject: small 4\r\n\r\n")),
    (b"+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n", MULTI,
     (b"+OK 2 messages", b"1 120\r\n2 200\r\n")),
    (b"+OK\r\n.\r\n", MULTI, (b"+OK", b"")),
    (b"+OK\n.\r\n", MULTI, (b"+OK", b"")),
    (b"+OK\r\n\r\n.\r\n", MULTI, (b"+OK", b"\r\n")),
    (b"-ERR no such message\r\n", MULTI, (b"-ERR no such message", None)),
    (b"+OK 1 120\r\n", SINGLE, (b"+OK 1 120", None)),
    (b"-ERR\n", SINGLE, (b"-ERR", None)),
])
def test_shortcut_taken_for_ordinary_answers(data: bytes, kind: ResponseKind,
                                             expected: tuple[bytes, bytes | None]) -> None:
    conn = POP3Connection()
    conn.send_command(b"CMD", kind)
    assert conn.receive_whole_response(data) == expected
    assert conn.pending == 0


@pytest.mark.parametrize(("data", "kind"), [
    (b"+OK\r\n..stuffed\r\n.\r\n", MULTI),           # a line to un-stuff
    (b"+OK\r\na\r\n.x\r\n.\r\n", MULTI),              # a dot-started line inside
    (b"+OK\r\na\n.\r\n", MULTI),                       # last line ends with a bare LF
    (b"+OK\r\na\r\n.\n", MULTI),                       # terminator with a bare LF
    (b"+OK\r\na\r\n", MULTI),                          # body not finished
    (b"+OK\r\n", MULTI),                               # status only, body to come
    (b"+OK\r\n.\r\n+OK\r\n", MULTI),                   # bytes after the response
    (b"+OK\r\n+OK\r\n", SINGLE),                       # two lines for one command
    (b"+OK", SINGLE),                                  # incomplete line
    (b"", SINGLE),                                     # EOF
])
def test_shortcut_declines_and_the_engine_reads_the_data(data: bytes,
                                                         kind: ResponseKind) -> None:
    conn = POP3Connection()
    conn.send_command(b"CMD", kind)
    assert conn.receive_whole_response(data) is None
    assert shortcut(data, kind) == generic(data, kind)


def test_shortcut_declines_with_other_responses_outstanding_or_buffered() -> None:
    conn = POP3Connection()
    conn.send_command(b"TOP 1 0", MULTI)
    conn.send_command(b"TOP 2 0", MULTI)  # pipelined: two expected
    assert conn.receive_whole_response(b"+OK\r\n.\r\n") is None
    assert conn.next_event() == Status(True, b"+OK")
    assert conn.next_event() == Body(b"")
    conn = POP3Connection()
    conn.send_command(b"NOOP")
    conn.receive_data(b"+O")  # already buffered
    assert not conn.needs_data
    assert conn.receive_whole_response(b"K\r\n") is None
    assert conn.next_event() == Status(True, b"+OK")


def test_shortcut_skips_an_abandoned_response() -> None:
    conn = POP3Connection()
    conn.send_command(b"RETR 1", MULTI)
    conn.abandon()  # e.g. a timeout: the answer must be discarded, not returned
    assert conn.receive_whole_response(b"+OK\r\nold\r\n.\r\n") is None
    assert conn.next_event() is NEED_DATA
    assert conn.pending == 0


def test_shortcut_leaves_streamed_and_sasl_responses_to_the_engine() -> None:
    for kind, mode in ((MULTI, BodyMode.STREAM), (ResponseKind.SASL, BodyMode.BULK)):
        conn = POP3Connection()
        conn.send_command(b"CMD", kind, mode)
        assert conn.receive_whole_response(b"+OK\r\n") is None
        assert conn.next_event() == Status(True, b"+OK")


def test_limits_still_apply() -> None:
    long_status = b"+OK " + b"x" * 100 + b"\r\n.\r\n"
    assert shortcut(long_status, MULTI, max_line_length=50) == generic(
        long_status, MULTI, max_line_length=50) == ([Status(True, b"+OK next")],
                                                     "LimitExceeded", 1)
    # A small body over a small max_response_size is refused whichever path reads it.
    big = b"+OK\r\n" + b"y" * 100 + b"\r\n.\r\n"
    expected = ([Status(True, b"+OK"), Status(True, b"+OK next")], "LimitExceeded", 0)
    assert shortcut(big, MULTI, max_response_size=50) == expected
    assert generic(big, MULTI, max_response_size=50) == expected


_pieces = st.sampled_from([b"a", b".", b"..", b"\r", b"\n", b"\r\n", b"x y", b"\r\n.\r\n"])


@settings(max_examples=400, deadline=None)
@given(status=st.sampled_from([b"+OK", b"+OK 3 4", b"-ERR no", b"+", b""]),
       status_end=st.sampled_from([b"\r\n", b"\n", b""]),
       body=st.lists(_pieces, max_size=12).map(b"".join),
       end=st.sampled_from([b"\r\n.\r\n", b".\r\n", b"\n.\n", b"\r\n.", b""]),
       tail=st.sampled_from([b"", b"+OK\r\n"]),
       kind=st.sampled_from([SINGLE, MULTI]),
       max_line_length=st.sampled_from([2046, 3]))
def test_same_result_as_the_engine(status: bytes, status_end: bytes, body: bytes, end: bytes,
                                   tail: bytes, kind: ResponseKind,
                                   max_line_length: int) -> None:
    data = status + status_end + body + end + tail
    assert shortcut(data, kind, max_line_length=max_line_length) == generic(
        data, kind, max_line_length=max_line_length)
