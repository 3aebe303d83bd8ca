"""A response head that arrives whole is taken in one step (readers.take_crlf_head);
one that arrives byte by byte is read line by line. Both readers must agree on every
head: the same events for what they accept, the same refusal for the rest."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tether.errors import TetherError
from tether.protocols.http11 import NEED_DATA, PAUSED, Connection, Data, Request

HOST = [(b"Host", b"h")]

# Pieces a head is made of, valid and not: line ends, separators, obs-fold, CR, NUL.
status_lines = st.sampled_from([
    b"HTTP/1.1 200 OK", b"HTTP/1.0 200 OK", b"HTTP/1.1 204", b"HTTP/1.1 404 ",
    b"HTTP/1.1 100 Continue", b"HTTP/2.0 200 OK", b"HTTP/1.1 099 Low", b"HTTP/1.1 20 OK",
    b"HTTP/1.1 200 O\rK", b"HTTP/1.1 200 \xe9t\xe9", b"", b"HTTP/1.1  200 OK",
])
names = st.sampled_from([b"Content-Length", b"content-length", b"Transfer-Encoding",
                         b"Connection", b"X-A", b"Bad Name", b"", b"Set-Cookie"])
values = st.sampled_from([b"0", b"3", b" 3 ", b"3, 3", b"3, 4", b"chunked", b"close",
                          b"keep-alive", b"a\tb ", b"", b"\xff", b"x\x00y", b"x\ry", b" "])
fields = st.lists(st.tuples(names, values), max_size=6)
# Half the heads are all CRLF (the shape taken whole), the rest mix in bare LF and
# obs-fold (always read line by line, or refused).
line_ends = st.one_of(
    st.just([b"\r\n"] * 8),
    st.lists(st.sampled_from([b"\r\n", b"\r\n", b"\r\n", b"\n", b"\r\n "]),
             min_size=8, max_size=8),
)
CRLF = [b"\r\n"] * 8


def outcome(conn: Connection, pieces: list[bytes]) -> list[Any]:
    events: list[Any] = []
    try:
        for piece in [*pieces, b""]:
            conn.receive_data(piece)
            while True:
                event = conn.next_event()
                if event is NEED_DATA or event is PAUSED:
                    break
                if type(event) is Data and events and type(events[-1]) is Data:
                    events[-1] = Data(events[-1].data + event.data)  # however split
                else:
                    events.append(event)
                if len(events) > 10:
                    return events
            if event is PAUSED:
                break
    except TetherError as exc:
        events.append((type(exc), str(exc)))
    return events


def head_bytes(status: bytes, pairs: list[tuple[bytes, bytes]], ends: list[bytes],
               body: bytes) -> bytes:
    lines = [status, *(n + b":" + v for n, v in pairs)]
    out = b"".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    return out + b"\r\n" + body


@settings(max_examples=400)
@given(status_lines, fields, line_ends, st.sampled_from([b"", b"abc", b"0\r\n\r\n"]),
       st.sampled_from([b"GET", b"HEAD"]), st.integers(min_value=40, max_value=400))
@example(b"HTTP/1.1 200 OK", [(b"Content-Length", b"3")], CRLF, b"abc", b"GET", 400)
@example(b"HTTP/1.1 200 OK", [(b"X-A", b"a\tb "), (b"Content-Length", b" 3 ")], CRLF, b"abc",
         b"GET", 400)
@example(b"HTTP/1.1 099 Low", [(b"Content-Length", b"0")], CRLF, b"", b"GET", 400)
@example(b"HTTP/1.1 200 OK", [(b"X-A", b"")] * 4 + [(b"Content-Length", b"0")], CRLF, b"",
         b"GET", 400)
@example(b"HTTP/1.1 200 OK", [(b"X-A", b"")] * 3 + [(b"Content-Length", b"0")], CRLF, b"",
         b"GET", 400)
def test_whole_and_byte_by_byte_agree(status: bytes, pairs: list[tuple[bytes, bytes]],
                                      ends: list[bytes], body: bytes, method: bytes,
                                      max_head_size: int) -> None:
    wire = head_bytes(status, pairs, ends, body)
    results = []
    for pieces in ([wire], [wire[i:i + 1] for i in range(len(wire))]):
        conn = Connection(max_head_size=max_head_size, max_header_count=4)
        conn.send(Request(method, b"/", HOST))
        results.append(outcome(conn, pieces))
    assert results[0] == results[1]


def test_head_at_the_size_limit_is_taken_whole_and_past_it_refused() -> None:
    status = b"HTTP/1.1 200 OK\r\n"
    for extra in range(-3, 4):
        value = b"v" * (200 - len(status) - len(b"X: \r\n") + extra)
        wire = status + b"X: " + value + b"\r\nContent-Length: 0\r\n\r\n"
        one = Connection(max_head_size=200 + len(b"Content-Length: 0\r\n"))
        one.send(Request(b"GET", b"/", HOST))
        drip = Connection(max_head_size=200 + len(b"Content-Length: 0\r\n"))
        drip.send(Request(b"GET", b"/", HOST))
        assert outcome(one, [wire]) == outcome(drip, [wire[i:i + 1] for i in range(len(wire))])


def test_interim_then_final_head_in_one_piece() -> None:
    conn = Connection()
    conn.send(Request(b"GET", b"/", HOST))
    events = outcome(conn, [b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"])
    assert [type(e).__name__ for e in events] == ["InformationalResponse", "Response", "Data",
                                                  "EndOfMessage"]
    assert events[1].headers == [(b"Content-Length", b"2")]
