"""Property tests: however the bytes are split, the engine reports the same message."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tether.errors import LimitExceeded, RemoteProtocolError
from tether.protocols.http11 import (
    NEED_DATA,
    PAUSED,
    Connection,
    Data,
    EndOfMessage,
    InformationalResponse,
    Request,
    Response,
)

HOST = [(b"Host", b"h")]

token = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-0123456789", min_size=1, max_size=12)
value = st.binary(max_size=30).map(
    lambda b: bytes(c for c in b if c not in b"\r\n\x00").strip(b" \t")
)
headers = st.lists(st.tuples(token.map(str.encode), value), max_size=8).map(
    lambda hs: [(b"x-" + n, v) for n, v in hs]
)
bodies = st.lists(st.binary(min_size=1, max_size=50), max_size=6)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, last = [], 0
    for p in points:
        pieces.append(data[last:p])
        last = p
    pieces.append(data[last:])
    return [p for p in pieces if p]


def run(wire: bytes, cuts: list[int], eof: bool = False) -> tuple[Response, bytes, list[object]]:
    conn = Connection()
    conn.send(Request(b"GET", b"/", HOST))
    conn.send(EndOfMessage())
    response = None
    body = b""
    others: list[object] = []
    for piece in [*split(wire, cuts), *([b""] if eof else [])]:
        conn.receive_data(piece)
        while True:
            ev = conn.next_event()
            if ev is NEED_DATA or ev is PAUSED:
                break
            if isinstance(ev, Response):
                response = ev
            elif isinstance(ev, Data):
                body += ev.data
            elif isinstance(ev, (EndOfMessage, InformationalResponse)):
                others.append(ev)
            else:
                others.append(ev)
                break
    assert response is not None
    return response, body, others


def head(hs: list[tuple[bytes, bytes]], framing: bytes) -> bytes:
    lines = b"".join(n + b": " + v + b"\r\n" for n, v in hs)
    return b"HTTP/1.1 200 OK\r\n" + lines + framing + b"\r\n"


@settings(max_examples=200, deadline=None)
@given(headers, bodies, st.lists(st.integers(min_value=0), max_size=40))
def test_chunked_random_splits(hs: list[tuple[bytes, bytes]], chunks: list[bytes],
                               cuts: list[int]) -> None:
    wire = head(hs, b"Transfer-Encoding: chunked\r\n")
    wire += b"".join(b"%x\r\n%b\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    response, body, others = run(wire, cuts)
    assert response.headers[: len(hs)] == hs
    assert body == b"".join(chunks)
    assert others == [EndOfMessage()]


@settings(max_examples=200, deadline=None)
@given(headers, st.binary(max_size=300), st.lists(st.integers(min_value=0), max_size=40))
def test_content_length_random_splits(hs: list[tuple[bytes, bytes]], payload: bytes,
                                      cuts: list[int]) -> None:
    wire = head(hs, b"Content-Length: %d\r\n" % len(payload)) + payload
    response, body, others = run(wire, cuts)
    assert response.headers[: len(hs)] == hs
    assert body == payload
    assert others == [EndOfMessage()]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.lists(st.integers(min_value=0), max_size=40))
def test_close_delimited_random_splits(payload: bytes, cuts: list[int]) -> None:
    wire = b"HTTP/1.1 200 OK\r\n\r\n" + payload
    _, body, others = run(wire, cuts, eof=True)
    assert body == payload
    assert others[0] == EndOfMessage()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.lists(st.integers(min_value=0), max_size=20))
def test_arbitrary_bytes_never_crash(junk: bytes, cuts: list[int]) -> None:
    """Garbage yields events or tether's errors, never a stray ValueError/IndexError."""
    conn = Connection(max_head_size=512)
    conn.send(Request(b"GET", b"/", HOST))
    conn.send(EndOfMessage())
    try:
        for piece in [*split(b"HTTP/1.1 200 OK\r\n" + junk, cuts), b""]:
            conn.receive_data(piece)
            for _ in range(1000):
                ev = conn.next_event()
                if ev is NEED_DATA or ev is PAUSED or type(ev).__name__ == "ConnectionClosed":
                    break
    except (RemoteProtocolError, LimitExceeded):
        pass
    except Exception as exc:  # ConnectionClosed (tether.errors) is fine too
        from tether.errors import ConnectionClosed as Closed

        assert isinstance(exc, Closed), exc
