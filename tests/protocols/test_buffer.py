"""ReceiveBuffer: bounded, incremental takes; chunking never changes the result."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tether.errors import LimitExceeded
from tether.protocols._buffer import ReceiveBuffer


def test_take_line_crlf_and_lf() -> None:
    buf = ReceiveBuffer()
    buf.feed(b"one\r\ntwo\nthr")
    assert buf.take_line() == b"one"
    assert buf.take_line(keep_ends=True) == b"two\n"
    assert buf.take_line() is None
    buf.feed(b"ee\r\n")
    assert buf.take_line() == b"three"
    assert len(buf) == 0


def test_take_line_limit_before_terminator_arrives() -> None:
    buf = ReceiveBuffer()
    buf.feed(b"a" * 11)
    with pytest.raises(LimitExceeded) as info:
        buf.take_line(10, limit_name="MAX_LINE")
    assert info.value.limit == "MAX_LINE"
    assert info.value.value == 10


def test_take_line_limit_counts_without_terminator() -> None:
    buf = ReceiveBuffer()
    buf.feed(b"a" * 10 + b"\r")
    assert buf.take_line(10) is None  # the CR may be the start of CRLF
    buf.feed(b"\n")
    assert buf.take_line(10) == b"a" * 10
    buf.feed(b"b" * 11 + b"\n")
    with pytest.raises(LimitExceeded):
        buf.take_line(10)


def test_take_exactly_up_to_until() -> None:
    buf = ReceiveBuffer(b"abcdef")
    assert buf.take_exactly(7) is None
    assert buf.take_exactly(2) == b"ab"
    assert buf.take_up_to(3) == b"cde"
    assert buf.take_up_to(3) == b"f"
    assert buf.take_up_to(3) == b""
    buf.feed(b"xx\r\n.\r\nrest")
    assert buf.take_until(b"\r\n.\r\n", 100) == b"xx\r\n.\r\n"
    assert buf.take_all() == b"rest"


def test_take_until_limit() -> None:
    buf = ReceiveBuffer(b"z" * 50)
    with pytest.raises(LimitExceeded):
        buf.take_until(b"END", 40)
    buf = ReceiveBuffer(b"z" * 50 + b"END")
    with pytest.raises(LimitExceeded):
        buf.take_until(b"END", 40)
    assert ReceiveBuffer(b"zEND").take_until(b"END", 40, include=False) == b"z"


def test_clear_returns_and_discards() -> None:
    buf = ReceiveBuffer(b"injected\r\n")
    assert buf.clear() == b"injected\r\n"
    assert buf.take_line() is None


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, prev = [], 0
    for p in [*points, len(data)]:
        out.append(data[prev:p])
        prev = p
    return out


@given(
    lines=st.lists(st.binary(max_size=30).filter(lambda b: b"\n" not in b), max_size=20),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=30),
)
def test_line_splitting_is_independent_of_chunking(lines: list[bytes], cuts: list[int]) -> None:
    data = b"".join(line + b"\n" for line in lines)
    buf = ReceiveBuffer()
    got: list[bytes] = []
    for chunk in _chunks(data, cuts):
        buf.feed(chunk)
        while (line := buf.take_line(100, keep_ends=True)) is not None:
            got.append(line)
    assert got == [line + b"\n" for line in lines]
    assert len(buf) == 0


@given(
    data=st.binary(max_size=300),
    delim=st.sampled_from([b"\r\n.\r\n", b"--", b"\x00"]),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=30),
)
def test_take_until_matches_bytes_find(data: bytes, delim: bytes, cuts: list[int]) -> None:
    buf = ReceiveBuffer()
    result = None
    for chunk in _chunks(data, cuts):
        buf.feed(chunk)
        if result is None:
            result = buf.take_until(delim, 10_000)
    idx = data.find(delim)
    if idx < 0:
        assert result is None
    else:
        assert result == data[: idx + len(delim)]


def test_byte_at_a_time_is_linear() -> None:
    # 200 KiB fed one byte at a time: quadratic rescanning would take minutes.
    buf = ReceiveBuffer()
    n = 200_000
    for _ in range(n):
        buf.feed(b"a")
        assert buf.take_line(n + 1) is None
    buf.feed(b"\n")
    line = buf.take_line(n + 1)
    assert line is not None and len(line) == n


def test_take_until_limit_does_not_depend_on_how_bytes_were_split() -> None:
    # 10 bytes then the delimiter: within max_length=10 whether it arrives at once or
    # with the delimiter's first bytes pending at the end of the buffer.
    whole = ReceiveBuffer(b"0123456789\r\n\r\n")
    assert whole.take_until(b"\r\n\r\n", 10) == b"0123456789\r\n\r\n"
    dripped = ReceiveBuffer()
    for byte in b"0123456789\r\n\r":
        dripped.feed(bytes([byte]))
        assert dripped.take_until(b"\r\n\r\n", 10) is None
    dripped.feed(b"\n")
    assert dripped.take_until(b"\r\n\r\n", 10) == b"0123456789\r\n\r\n"
    # One byte more than the limit is refused either way.
    over = ReceiveBuffer(b"0123456789A\r\n\r")
    with pytest.raises(LimitExceeded):
        over.take_until(b"\r\n\r\n", 10)
