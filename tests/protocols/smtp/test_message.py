"""Line-ending normalisation, dot-stuffing (RFC 5321 §4.5.2) and BDAT chunks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tether.protocols.smtp.message import (
    bdat_chunks,
    data_payload,
    fix_eols,
    fix_eols_text,
    quote_periods,
    quotedata,
)


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        (b"a\nb", b"a\r\nb"),
        (b"a\rb", b"a\r\nb"),
        (b"a\r\nb", b"a\r\nb"),
        (b"a\n\rb", b"a\r\n\r\nb"),
        (b"a\r\r\nb", b"a\r\n\r\nb"),
        (b"", b""),
    ],
)
def test_fix_eols(raw: bytes, fixed: bytes) -> None:
    assert fix_eols(raw) == fixed
    assert fix_eols_text(raw.decode()) == fixed.decode()


def test_quotedata_matches_smtplib_documented_example() -> None:
    # The example from smtplib's own tests of this legacy helper.
    assert quotedata("abc\n.jkl\rfoo\r\n..blue") == "abc\r\n..jkl\r\nfoo\r\n...blue"


def test_quote_periods_first_line_and_later_lines() -> None:
    assert quote_periods(b".a\r\n.b\r\nc.\r\n") == b"..a\r\n..b\r\nc.\r\n"


@pytest.mark.parametrize(
    "body",
    [
        b"x\n.\nMAIL FROM:<evil>\r\n",  # bare-LF smuggling
        b"x\r.\rMAIL FROM:<evil>\r\n",  # bare-CR smuggling
        b"x\r\n.\nMAIL FROM:<evil>\r\n",
        b"x\n.\r\nMAIL FROM:<evil>\r\n",
        b".\r\n",
        b"x\r\n.\r\n",
    ],
)
def test_no_body_can_end_data_early(body: bytes) -> None:
    payload = data_payload(body)
    assert payload.endswith(b"\r\n.\r\n")
    # The only end-of-data sequence, under any reading of line endings, is the last.
    inner = payload[:-3]
    for terminator in (rb"(?:\r\n|\n|\r)\.(?:\r\n|\n|\r)",):
        assert not re.search(terminator, inner[:-2] + b"X")
    assert b"\r\n.\r\n" not in inner
    # No bare CR or LF anywhere.
    assert re.search(rb"\r(?!\n)|(?<!\r)\n", payload) is None


def test_payload_adds_missing_final_crlf() -> None:
    assert data_payload(b"abc") == b"abc\r\n.\r\n"
    assert data_payload(b"abc\r\n") == b"abc\r\n.\r\n"
    assert data_payload(b"") == b"\r\n.\r\n"


def _unstuff(payload: bytes) -> bytes:
    """What a server recovers from DATA (RFC 5321 §4.5.2, receiver side)."""
    assert payload.endswith(b"\r\n.\r\n")
    lines = payload[:-3].split(b"\r\n")
    return b"\r\n".join(line[1:] if line.startswith(b".") else line for line in lines)


@given(st.binary(max_size=200))
def test_dot_stuffing_round_trip(body: bytes) -> None:
    recovered = _unstuff(data_payload(body))
    expected = fix_eols(body)
    if not expected.endswith(b"\r\n"):
        expected += b"\r\n"
    assert recovered == expected


@given(st.binary(max_size=100), st.integers(1, 17))
def test_bdat_chunks_carry_exactly_the_normalised_message(body: bytes, size: int) -> None:
    chunks = list(bdat_chunks(body, size))
    recovered = b""
    for i, chunk in enumerate(chunks):
        header, _, data = chunk.partition(b"\r\n")
        parts = header.split()
        assert parts[0] == b"BDAT"
        assert int(parts[1]) == len(data) <= size
        assert (parts[-1] == b"LAST") == (i == len(chunks) - 1)
        recovered += data
    assert recovered == fix_eols(body)


def test_bdat_empty_message() -> None:
    assert list(bdat_chunks(b"")) == [b"BDAT 0 LAST\r\n"]
    with pytest.raises(ValueError):
        list(bdat_chunks(b"x", 0))
