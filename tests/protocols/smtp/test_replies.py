"""ReplyParser: bytes in, Reply events out (RFC 5321 §4.2, RFC 2034)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tether.errors import LimitExceeded
from tether.protocols.smtp.replies import MAX_LINE_LENGTH, Reply, ReplyParser


def parse_all(data: bytes, **kw: int) -> list[Reply]:
    parser = ReplyParser()
    parser.feed(data)
    out = []
    while (reply := parser.next_reply(**kw)) is not None:
        out.append(reply)
    return out


@pytest.mark.parametrize(
    ("wire", "code", "message"),
    [
        (b"220 mail.example ESMTP ready\r\n", 220, b"mail.example ESMTP ready"),
        (b"250-first\r\n250-second\r\n250 last\r\n", 250, b"first\nsecond\nlast"),
        (b"250 ok\n", 250, b"ok"),  # bare LF accepted on input
        (b"354\r\n", 354, b""),  # no text at all
        (b"250 \t padded \t \r\n", 250, b"padded"),
        (b"hello world\r\n", -1, b"o world"),  # smtplib: -1 and text after 4 chars
        (b"25\r\n", -1, b""),
        (b"250-one\r\nxyz two\r\n250 three\r\n", -1, b"one\ntwo"),  # bad code ends reply
    ],
)
def test_reply_table(wire: bytes, code: int, message: bytes) -> None:
    reply = parse_all(wire)[0]
    assert (reply.code, reply.message) == (code, message)
    assert reply.as_tuple() == (code, message)


def test_two_replies_in_one_feed_are_both_returned_in_order() -> None:
    replies = parse_all(b"250 a\r\n251 b\r\n550 c\r\n")
    assert [r.code for r in replies] == [250, 251, 550]


def test_incomplete_reply_waits_for_more_data() -> None:
    parser = ReplyParser()
    parser.feed(b"250-one\r\n250 tw")
    assert parser.next_reply() is None
    assert parser.pending
    parser.feed(b"o\r\n")
    reply = parser.next_reply()
    assert reply is not None and reply.message == b"one\ntwo"
    assert not parser.pending


def test_byte_at_a_time() -> None:
    parser = ReplyParser()
    wire = b"250-PIPELINING\r\n250-SIZE 100\r\n250 8BITMIME\r\n"
    replies = []
    for i in range(len(wire)):
        parser.feed(wire[i : i + 1])
        reply = parser.next_reply()
        if reply is not None:
            replies.append(reply)
    assert [r.lines for r in replies] == [(b"PIPELINING", b"SIZE 100", b"8BITMIME")]


def test_partial_line_at_eof_is_delivered() -> None:
    parser = ReplyParser()
    parser.feed(b"221 bye")
    assert parser.next_reply() is None
    parser.feed_eof()
    reply = parser.next_reply()
    assert reply is not None and reply.as_tuple() == (221, b"bye")
    assert parser.next_reply() is None


def test_eof_with_nothing_buffered_gives_none() -> None:
    parser = ReplyParser()
    parser.feed_eof()
    assert parser.next_reply() is None


def test_overlong_line_raises_named_limit_before_its_end_arrives() -> None:
    parser = ReplyParser()
    parser.feed(b"250 " + b"x" * (MAX_LINE_LENGTH * 2))
    with pytest.raises(LimitExceeded) as info:
        parser.next_reply()
    assert info.value.limit == "max_line_length"
    assert info.value.value == MAX_LINE_LENGTH


def test_line_limit_is_configurable() -> None:
    assert parse_all(b"250 " + b"x" * 90 + b"\r\n", max_line=100)[0].code == 250
    with pytest.raises(LimitExceeded):
        parse_all(b"250 " + b"x" * 200 + b"\r\n", max_line=100)


def test_too_many_lines_raises_named_limit() -> None:
    with pytest.raises(LimitExceeded) as info:
        parse_all(b"250-x\r\n" * 11 + b"250 end\r\n", max_lines=10)
    assert info.value.limit == "max_reply_lines"
    assert parse_all(b"250-x\r\n" * 9 + b"250 end\r\n", max_lines=10)[0].code == 250


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        (b"250 2.1.0 Sender ok\r\n", "2.1.0"),
        (b"550 5.7.1 Relaying denied\r\n", "5.7.1"),
        (b"452-4.5.3 Too many\r\n452 4.5.3 recipients\r\n", "4.5.3"),
        (b"550 2.1.0 class disagrees with code\r\n", None),
        (b"250 2.1.0.5 not a code\r\n", None),
        (b"250 OK\r\n", None),
        (b"250 1.2.3 bad class\r\n", None),
    ],
)
def test_enhanced_status_codes(wire: bytes, status: str | None) -> None:
    reply = parse_all(wire)[0]
    assert reply.enhanced_status == status
    # The text is kept as the server sent it.
    assert reply.message.startswith(wire[4:].split(b"\r\n")[0].strip())


def test_discard_drops_buffered_plaintext() -> None:
    parser = ReplyParser()
    parser.feed(b"250-injected\r\n")
    assert parser.discard() == b"250-injected\r\n"
    assert parser.next_reply() is None and not parser.pending


def test_reply_classification() -> None:
    assert Reply(250, (b"",)).ok and not Reply(250, (b"",)).transient
    assert Reply(451, (b"",)).transient and not Reply(451, (b"",)).ok


@given(
    code=st.integers(200, 599),
    texts=st.lists(
        st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
        min_size=1,
        max_size=5,
    ),
    cut=st.integers(0, 500),
)
def test_any_split_of_a_wellformed_reply_parses_the_same(
    code: int, texts: list[bytes], cut: int
) -> None:
    lines = [b"%d-%s\r\n" % (code, t) for t in texts[:-1]] + [b"%d %s\r\n" % (code, texts[-1])]
    wire = b"".join(lines)
    cut = min(cut, len(wire))
    parser = ReplyParser()
    parser.feed(wire[:cut])
    first = parser.next_reply()
    parser.feed(wire[cut:])
    reply = first or parser.next_reply()
    assert reply is not None
    assert reply.code == code
    assert reply.lines == tuple(t.strip(b" \t\r\n") for t in texts)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_but_limits(data: bytes) -> None:
    parser = ReplyParser()
    parser.feed(data)
    parser.feed_eof()
    try:
        while parser.next_reply(max_line=64, max_lines=4) is not None:
            pass
    except LimitExceeded:
        pass
