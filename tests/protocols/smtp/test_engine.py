"""SMTPEngine bookkeeping, EHLO parsing and SASL responses."""

from __future__ import annotations

import base64

import pytest

from tether.errors import LocalProtocolError
from tether.protocols.smtp import sasl
from tether.protocols.smtp.connection import SMTPEngine, TransactionOutcome, TransactionPlan
from tether.protocols.smtp.extensions import auth_mechanisms, max_message_size, parse_ehlo
from tether.protocols.smtp.replies import Reply


def test_pipelined_replies_are_matched_in_order() -> None:
    engine = SMTPEngine()
    wire = b"".join(
        [
            engine.command("MAIL", "FROM:<a@b>"),
            engine.command("RCPT", "TO:<c@d>"),
            engine.command("DATA"),
        ]
    )
    assert wire == b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"
    assert list(engine.pending) == ["MAIL", "RCPT", "DATA"]
    engine.receive_data(b"250 ok\r\n550 no\r\n")
    assert engine.next_reply() == Reply(250, (b"ok",), (b"250 ok\r\n",))
    assert list(engine.pending) == ["RCPT", "DATA"]
    reply = engine.next_reply()
    assert reply is not None and reply.code == 550
    assert engine.next_reply() is None
    assert list(engine.pending) == ["DATA"]


def test_trace_sees_sent_bytes_and_reply_lines() -> None:
    seen: list[tuple[str, bytes]] = []
    engine = SMTPEngine(trace=lambda kind, data: seen.append((kind, data)))
    engine.command("NOOP")
    engine.receive_data(b"250-a\r\n250 b\r\n")
    engine.next_reply()
    assert seen == [
        ("send", b"NOOP\r\n"),
        ("reply-line", b"250-a\r\n"),
        ("reply-line", b"250 b\r\n"),
    ]


def test_start_tls_discards_injected_plaintext() -> None:
    engine = SMTPEngine()
    engine.command("STARTTLS")
    engine.receive_data(b"220 go ahead\r\n250-injected\r\n")
    assert engine.next_reply() is not None
    assert engine.start_tls() == b"250-injected\r\n"
    assert engine.next_reply() is None


def test_start_tls_with_outstanding_replies_is_refused() -> None:
    engine = SMTPEngine()
    engine.command("NOOP")
    with pytest.raises(LocalProtocolError):
        engine.start_tls()


def test_eof_is_visible() -> None:
    engine = SMTPEngine()
    engine.receive_data(b"")
    assert engine.eof and engine.next_reply() is None


def test_transaction_outcome_like_sendmail() -> None:
    plan = TransactionPlan("a@b", ("x@y", "z@w"), ("SIZE=10",), ("NOTIFY=NEVER",))
    assert plan.mail_args() == "FROM:<a@b> SIZE=10"
    assert plan.rcpt_args() == ["TO:<x@y> NOTIFY=NEVER", "TO:<z@w> NOTIFY=NEVER"]
    outcome = TransactionOutcome(mail=Reply(250, (b"ok",)))
    outcome.rcpt = [("x@y", Reply(251, (b"fwd",))), ("z@w", Reply(550, (b"no",)))]
    assert outcome.sender_ok
    assert outcome.refused == {"z@w": (550, b"no")}
    assert outcome.accepted == ["x@y"]
    assert not outcome.closing
    outcome.data = Reply(421, (b"bye",))
    assert outcome.closing


EHLO = (
    b"mail.example greets you\n"
    b"PIPELINING\nSIZE 10240000\nAUTH PLAIN LOGIN\nAUTH=CRAM-MD5\n8BITMIME\n"
    b"ENHANCEDSTATUSCODES\nDSN\n-bogus line"
)


def test_parse_ehlo_like_smtplib() -> None:
    features = parse_ehlo(EHLO)
    assert features == {
        "pipelining": "",
        "size": "10240000",
        "auth": " PLAIN LOGIN CRAM-MD5",
        "8bitmime": "",
        "enhancedstatuscodes": "",
        "dsn": "",
    }
    assert auth_mechanisms(features) == ["PLAIN", "LOGIN", "CRAM-MD5"]
    assert max_message_size(features) == 10240000


@pytest.mark.parametrize(("value", "size"), [("", None), ("0", None), ("abc", None), ("5", 5)])
def test_size(value: str, size: int | None) -> None:
    assert max_message_size({"size": value}) == size
    assert max_message_size({}) is None


def test_sasl_responses() -> None:
    assert sasl.plain("u", "p") == "\0u\0p"
    # RFC 2195 §2 example.
    challenge = b"<1896.697170952@postoffice.reston.mci.net>"
    assert sasl.cram_md5("tim", "tanstaaftanstaaf", challenge) == (
        "tim b913a602c7eda7a495b4e6e7334d3890"
    )
    assert sasl.xoauth2("u@x", "tok") == "user=u@x\x01auth=Bearer tok\x01\x01"
    # RFC 7628 §4.1 example.
    assert sasl.oauthbearer(
        "user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", "server.example.com", 143
    ) == (
        "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
        "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
    )
    assert sasl.oauthbearer("a,b=c", "t") == "n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01"
    assert base64.b64decode(sasl.b64encode_response("\0u\0p")) == b"\0u\0p"
    assert sasl.b64decode_challenge(b"VXNlcm5hbWU6") == b"Username:"
