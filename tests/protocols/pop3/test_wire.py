"""wire.py: listings, greetings, commands; checked against RFC examples and poplib."""

from __future__ import annotations

import poplib
import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tether.errors import LimitExceeded, LocalProtocolError, RemoteProtocolError
from tether.protocols.pop3 import BodyScanner
from tether.protocols.pop3.wire import (
    apop_digest,
    apop_timestamp,
    check_command_line,
    dot_stuff,
    join_crlf,
    parse_capa,
    parse_stat,
    split_lines,
)


def test_apop_rfc1939_example() -> None:
    # RFC 1939 §7: the digest of this timestamp and "tanstaaf".
    greeting = b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>"
    stamp = apop_timestamp(greeting)
    assert stamp == b"<1896.697170952@dbc.mtview.ca.us>"
    assert apop_digest(stamp, b"tanstaaf") == "c4c9334bac560ecc979e58001b3e22fb"


@given(st.binary(max_size=40).map(lambda b: b"+OK" + b))
def test_apop_timestamp_matches_poplib_regex(welcome: bytes) -> None:
    match = poplib.POP3.timestamp.match(welcome)
    assert apop_timestamp(welcome) == (match.group(1) if match else None)


@pytest.mark.parametrize("welcome", [b"+OK <a> x <b>", b"+OK<<x>", b"-ERR <a>", b"+OK no",
                                     b"+OK <a\n> <b>", b"+OK\n<a>"])
def test_apop_timestamp_cases_match_poplib(welcome: bytes) -> None:
    match = re.compile(br"\+OK.[^<]*(<.*>)").match(welcome)
    assert apop_timestamp(welcome) == (match.group(1) if match else None)


def test_apop_timestamp_linear_time() -> None:
    evil = b"+OK" + b"<" * 2_000_000
    start = time.perf_counter()
    assert apop_timestamp(evil) is None
    assert time.perf_counter() - start < 0.1


def test_split_lines_crlf_fast_path() -> None:
    assert split_lines(b"a\r\n\r\nb\r\n", 100, 100) == [b"a", b"", b"b"]
    assert split_lines(b"", 100, 100) == []


def test_split_lines_mixed_line_ends_like_poplib() -> None:
    assert split_lines(b"a\r\nb\nc\r\n", 100, 100) == [b"a", b"b", b"c"]


def test_split_lines_limits() -> None:
    with pytest.raises(LimitExceeded) as info:
        split_lines(b"a" * 11 + b"\r\n", 10, 100)
    assert info.value.limit == "_MAXLINE"
    with pytest.raises(LimitExceeded) as info:
        split_lines(b"a\r\n" * 5, 10, 4)
    assert info.value.limit == "max_response_lines"


def test_join_crlf() -> None:
    assert join_crlf(b"a\nb\r\n") == b"a\r\nb\r\n"
    body = b"x\r\ny\r\n"
    assert join_crlf(body) is body


@given(st.lists(st.binary(max_size=12).filter(lambda b: b"\r" not in b and b"\n" not in b),
                max_size=10))
def test_dot_stuff_round_trip(lines: list[bytes]) -> None:
    body = b"".join(line + b"\r\n" for line in lines)
    scanner = BodyScanner()
    assert scanner.feed(dot_stuff(body)) == b""
    assert scanner.done and scanner.take() == body


def test_parse_stat() -> None:
    assert parse_stat(b"+OK 2 320") == (2, 320)
    for bad in (b"+OK", b"+OK x 1", b"+OK -1 3"):
        with pytest.raises(RemoteProtocolError):
            parse_stat(bad)


def test_parse_capa_shape_of_poplib() -> None:
    caps = parse_capa([b"TOP", b"SASL PLAIN LOGIN", b"", b"IMPLEMENTATION Dovecot"])
    assert caps == {"TOP": [], "SASL": ["PLAIN", "LOGIN"], "IMPLEMENTATION": ["Dovecot"]}
    with pytest.raises(RemoteProtocolError):
        parse_capa([b"T\xffOP"])


def test_check_command_line() -> None:
    check_command_line(b"USER someone")
    with pytest.raises(LocalProtocolError, match="not allowed"):
        check_command_line(b"USER a\rb")
