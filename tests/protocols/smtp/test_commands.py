"""Command lines, address quoting and the CR/LF/NUL refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tether.errors import LocalProtocolError
from tether.protocols.smtp.commands import (
    CommandInjectionError,
    addr_only,
    encode_command,
    format_command,
    mail_arguments,
    quoteaddr,
    rcpt_arguments,
)


@pytest.mark.parametrize(
    ("cmd", "args", "wire"),
    [
        ("noop", "", b"noop\r\n"),
        ("ehlo", "client.example", b"ehlo client.example\r\n"),
        ("mail", "FROM:<a@b> SIZE=10", b"mail FROM:<a@b> SIZE=10\r\n"),
    ],
)
def test_encode_command(cmd: str, args: str, wire: bytes) -> None:
    assert encode_command(cmd, args) == wire


@pytest.mark.parametrize("bad", ["x\ny", "x\ry", "x\r\ny", "\n", "x\0y"])
def test_prohibited_characters_refused(bad: str) -> None:
    with pytest.raises(CommandInjectionError) as info:
        format_command("rcpt", f"TO:<{bad}>")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, LocalProtocolError)
    # The message escapes what it quotes, so a log line stays one line.
    assert "\n" not in str(info.value) and "\r" not in str(info.value)


def test_newline_message_is_smtplibs() -> None:
    with pytest.raises(ValueError, match=r"prohibited newline characters: ehlo hi\\nX"):
        format_command("ehlo", "hi\nX")


def test_injection_in_options_is_refused_with_whole_line_quoted() -> None:
    with pytest.raises(CommandInjectionError, match=r"SIZE=1\\nRCPT"):
        format_command("mail", mail_arguments("a@b", ["SIZE=1\nRCPT TO:<x@y>"]))


def test_non_ascii_needs_utf8() -> None:
    with pytest.raises(UnicodeEncodeError):
        encode_command("rcpt", "TO:<böb@example>")
    assert (
        encode_command("rcpt", "TO:<böb@example>", "utf-8") == "rcpt TO:<böb@example>\r\n".encode()
    )


@pytest.mark.parametrize(
    ("given_", "quoted"),
    [
        ("user@example.com", "<user@example.com>"),
        ("Some One <user@example.com>", "<user@example.com>"),
        ("<>", "<>"),
        ("", "<>"),
        ("<weird", "<weird>"),
        ("<", "<"),
        ("John", "<John>"),
    ],
)
def test_quoteaddr(given_: str, quoted: str) -> None:
    assert quoteaddr(given_) == quoted


def test_addr_only_and_arguments() -> None:
    assert addr_only("Someone <a@b.c>") == "a@b.c"
    assert addr_only("<>") == "<>"
    assert (
        mail_arguments("a@b", ["BODY=8BITMIME", "SMTPUTF8"]) == "FROM:<a@b> BODY=8BITMIME SMTPUTF8"
    )
    assert rcpt_arguments("c@d", ()) == "TO:<c@d>"
    assert rcpt_arguments("c@d", ["NOTIFY=NEVER"]) == "TO:<c@d> NOTIFY=NEVER"


@given(st.text(max_size=50))
def test_a_formatted_command_is_exactly_one_line(text: str) -> None:
    try:
        line = format_command("rcpt", text)
    except CommandInjectionError:
        assert any(c in text for c in "\r\n\0")
        return
    assert line.endswith("\r\n")
    assert "\r" not in line[:-2] and "\n" not in line[:-2] and "\0" not in line


@given(st.text(max_size=40))
def test_quoteaddr_and_addr_only_agree_with_smtplib(text: str) -> None:
    import smtplib

    assert quoteaddr(text) == smtplib.quoteaddr(text)
    assert addr_only(text) == smtplib._addr_only(text)  # type: ignore[attr-defined]
