"""tether.smtp against real servers: aiosmtpd (behaviour, TLS, AUTH) and smtp-sink."""

from __future__ import annotations

import email.message
import socket
import ssl

import pytest

import tether.smtp as smtplib
from tether import net
from tether.errors import TetherError, TLSVerificationError

pytestmark = pytest.mark.server


def _client(server, **kw):  # type: ignore[no-untyped-def]
    return smtplib.SMTP(server.host, server.port, local_hostname="client.test", timeout=10, **kw)


def test_sendmail_delivers_and_reports_refused(smtpd) -> None:  # type: ignore[no-untyped-def]
    with _client(smtpd) as smtp:
        refused = smtp.sendmail(
            "sender@example.com",
            ["ok@example.com", "reject-me@example.com"],
            "Subject: hi\n\n.leading dot\nbody\n",
        )
    assert refused == {"reject-me@example.com": (550, b"5.1.1 no such user here")}
    [got] = smtpd.handler.messages
    assert got.mail_from == "sender@example.com"
    assert got.rcpt_tos == ["ok@example.com"]
    # aiosmtpd undoes the dot-stuffing; line endings arrive as CRLF.
    assert got.content == b"Subject: hi\r\n\r\n.leading dot\r\nbody\r\n"


def test_all_recipients_refused_raises_with_every_reply(smtpd) -> None:  # type: ignore[no-untyped-def]
    with _client(smtpd) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as info:
            smtp.sendmail("s@example.com", ["reject1@x.org", "reject2@x.org"], "x")
        assert set(info.value.recipients) == {"reject1@x.org", "reject2@x.org"}
        # The session is usable afterwards (RSET was sent).
        assert smtp.noop()[0] == 250
    assert smtpd.handler.messages == []


def test_send_message_strips_bcc_and_uses_all_recipients(smtpd) -> None:  # type: ignore[no-untyped-def]
    msg = email.message.EmailMessage()
    msg["From"] = "Alice <alice@example.com>"
    msg["To"] = "bob@example.com"
    msg["Cc"] = "carol@example.com"
    msg["Bcc"] = "dave@example.com"
    msg["Subject"] = "test"
    msg.set_content("hello\n")
    with _client(smtpd) as smtp:
        assert smtp.send_message(msg) == {}
    [got] = smtpd.handler.messages
    assert got.mail_from == "alice@example.com"
    assert sorted(got.rcpt_tos) == ["bob@example.com", "carol@example.com", "dave@example.com"]
    assert b"dave@" not in got.content and b"Bcc" not in got.content


def test_send_message_smtputf8(smtpd) -> None:  # type: ignore[no-untyped-def]
    msg = email.message.EmailMessage()
    msg["From"] = "jörg@example.com"
    msg["To"] = "zoë@example.com"
    msg["Subject"] = "ünïcode"
    msg.set_content("grüße\n")
    with _client(smtpd) as smtp:
        smtp.send_message(msg)
    [got] = smtpd.handler.messages
    assert got.mail_from == "jörg@example.com"
    assert "SMTPUTF8" in got.mail_options


def test_header_injection_refused_before_sending(smtpd) -> None:  # type: ignore[no-untyped-def]
    msg = email.message.Message()
    msg["From"] = "a@example.com"
    msg["To"] = "b@example.com"
    msg._headers.append(("Subject", "hi\r\nBcc: victim@example.com"))  # type: ignore[attr-defined]
    msg.set_payload("x")
    with _client(smtpd) as smtp, pytest.raises(smtplib.SMTPHeaderInjection) as info:
        smtp.send_message(msg)
    assert isinstance(info.value, smtplib.SMTPException)
    assert isinstance(info.value, ValueError) and isinstance(info.value, TetherError)
    assert smtpd.handler.messages == []


def test_command_injection_refused_with_smtplib_text(smtpd) -> None:  # type: ignore[no-untyped-def]
    with _client(smtpd) as smtp:
        smtp.ehlo()
        for bad in (["SIZE=1\r\nRCPT TO:<x@y>"], ["BODY=8BITMIME\0"]):
            with pytest.raises(smtplib.SMTPCommandInjection) as info:
                smtp.sendmail("a@example.com", ["ok@example.com"], "x", mail_options=bad)
            assert isinstance(info.value, ValueError)
        with pytest.raises(smtplib.SMTPCommandInjection):
            smtp.rcpt("ok@example.com", ["NOTIFY=NEVER\nDATA"])
        assert smtp.noop()[0] == 250  # nothing half-sent
        with pytest.raises(ValueError, match="prohibited newline characters"):
            smtp.ehlo("host\nX-Injected")
    assert smtpd.handler.messages == []


def test_login_over_loopback_is_allowed(smtpd) -> None:  # type: ignore[no-untyped-def]
    with _client(smtpd) as smtp:
        assert smtp.login(smtpd.user, smtpd.password)[0] == 235
    with _client(smtpd) as smtp, pytest.raises(smtplib.SMTPAuthenticationError):
        smtp.login(smtpd.user, "wrong")


def test_starttls_verifies_with_given_ca_and_then_logs_in(smtpd) -> None:  # type: ignore[no-untyped-def]
    ctx = net.create_ssl_context(verify=smtpd.ca_pem)
    with smtplib.SMTP("localhost", smtpd.port, local_hostname="c.test", timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        assert smtp.starttls(context=ctx)[0] == 220
        assert isinstance(smtp.sock, ssl.SSLSocket)
        assert smtp.sock.getpeercert() is not None
        assert smtp.esmtp_features == {} and smtp.ehlo_resp is None
        assert smtp.login(smtpd.user, smtpd.password)[0] == 235
        smtp.sendmail("a@example.com", "b@example.com", "over tls")
    assert smtpd.handler.messages[-1].content == b"over tls\r\n"


def test_starttls_without_context_refuses_unknown_ca(smtpd) -> None:  # type: ignore[no-untyped-def]
    with smtplib.SMTP("localhost", smtpd.port, local_hostname="c.test", timeout=10) as smtp:
        with pytest.raises(ssl.SSLError) as info:
            smtp.starttls()
        assert isinstance(info.value, TLSVerificationError)


def test_smtp_ssl_verifies_and_honours_ssl_cert_file(  # type: ignore[no-untyped-def]
    aiosmtpd_tls_server, monkeypatch
) -> None:
    server = aiosmtpd_tls_server
    with pytest.raises(ssl.SSLError):
        smtplib.SMTP_SSL("localhost", server.port, local_hostname="c.test", timeout=10)
    monkeypatch.setenv("SSL_CERT_FILE", server.ca_pem)
    net.clear_context_cache()
    try:
        with smtplib.SMTP_SSL("localhost", server.port, local_hostname="c.test", timeout=10) as s:
            assert s.noop()[0] == 250
            assert isinstance(s.sock, ssl.SSLSocket)
    finally:
        net.clear_context_cache()


def test_setdefaulttimeout_is_honoured(smtpd) -> None:  # type: ignore[no-untyped-def]
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(7)
    try:
        smtp = smtplib.SMTP(smtpd.host, smtpd.port, local_hostname="c.test")
    finally:
        socket.setdefaulttimeout(previous)
    try:
        assert smtp.noop()[0] == 250
        assert smtp.sock.gettimeout() == 7
    finally:
        smtp.quit()


def test_subclass_overriding_mail_is_used_by_sendmail(smtpd) -> None:  # type: ignore[no-untyped-def]
    calls = []

    class Logged(smtplib.SMTP):
        def mail(self, sender, options=()):  # type: ignore[no-untyped-def]
            calls.append(sender)
            return super().mail(sender, options)

    with Logged(smtpd.host, smtpd.port, local_hostname="c.test", timeout=10) as smtp:
        smtp.sendmail("s@example.com", ["r@example.com"], "x")
    assert calls == ["s@example.com"]
    assert len(smtpd.handler.messages) == 1


def test_send_batched_and_message_too_large(smtp_sink) -> None:  # type: ignore[no-untyped-def]
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, local_hostname="c.test", timeout=10) as s:
        rcpts = [f"user{i}@example.com" for i in range(250)]
        assert s.send_batched("a@example.com", rcpts, b"Subject: x\r\n\r\nbody\r\n", 100) == {}
        s.ehlo()
        s.esmtp_features["size"] = "100"  # as if the server announced SIZE 100
        with pytest.raises(smtplib.SMTPMessageTooLarge) as info:
            s.sendmail("a@example.com", ["b@example.com"], b"x" * 200)
        assert info.value.smtp_code == 552 and info.value.limit == "SIZE"


def test_pipelined_sendmail_many_recipients_on_smtp_sink(smtp_sink) -> None:  # type: ignore[no-untyped-def]
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, local_hostname="c.test", timeout=10) as s:
        s.ehlo()
        assert s.has_extn("pipelining") and s._can_pipeline()
        rcpts = [f"user{i}@example.com" for i in range(1000)]
        assert s.sendmail("a@example.com", rcpts, b"Subject: x\r\n\r\n" + b"y" * 10240) == {}
        for _ in range(20):
            assert s.sendmail("a@example.com", "b@example.com", b"m\r\n") == {}
