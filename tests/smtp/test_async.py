"""AsyncSMTP against aiosmtpd and smtp-sink: the same exchanges, awaited."""

from __future__ import annotations

import asyncio
import email.message
import ssl

import pytest

import tether.smtp as smtplib
from tether import net
from tether.errors import TLSVerificationError

pytestmark = pytest.mark.server


async def test_sendmail_and_send_message(smtpd) -> None:  # type: ignore[no-untyped-def]
    async with smtplib.AsyncSMTP(smtpd.host, smtpd.port, local_hostname="c.test",
                                 timeout=10) as smtp:
        refused = await smtp.sendmail("s@example.com", ["a@example.com", "reject@example.com"],
                                      "Subject: x\n\nbody\n")
        assert refused == {"reject@example.com": (550, b"5.1.1 no such user here")}
        msg = email.message.EmailMessage()
        msg["From"] = "s@example.com"
        msg["To"] = "b@example.com"
        msg["Bcc"] = "hidden@example.com"
        msg.set_content("hi")
        await smtp.send_message(msg)
    first, second = smtpd.handler.messages
    assert first.content == b"Subject: x\r\n\r\nbody\r\n"
    assert sorted(second.rcpt_tos) == ["b@example.com", "hidden@example.com"]
    assert b"hidden" not in second.content


async def test_starttls_login_and_verification(smtpd) -> None:  # type: ignore[no-untyped-def]
    ctx = net.create_ssl_context(verify=smtpd.ca_pem)
    async with smtplib.AsyncSMTP("localhost", smtpd.port, local_hostname="c.test",
                                 timeout=10) as smtp:
        await smtp.starttls(context=ctx)
        assert smtp.ehlo_resp is None
        assert (await smtp.login(smtpd.user, smtpd.password))[0] == 235
        assert smtp.has_extn("auth")
    smtp = smtplib.AsyncSMTP("localhost", smtpd.port, local_hostname="c.test", timeout=10)
    await smtp.connect()
    with pytest.raises(ssl.SSLError) as info:
        await smtp.starttls()
    assert isinstance(info.value, TLSVerificationError)
    smtp.close()


async def test_implicit_tls(aiosmtpd_tls_server) -> None:  # type: ignore[no-untyped-def]
    server = aiosmtpd_tls_server
    ctx = net.create_ssl_context(verify=server.ca_pem)
    async with smtplib.AsyncSMTP("localhost", server.port, local_hostname="c.test",
                                 use_tls=True, context=ctx, timeout=10) as smtp:
        assert (await smtp.noop())[0] == 250
        assert isinstance(smtp.sock, ssl.SSLSocket) or smtp.sock is not None


async def test_errors_match_the_sync_client(smtpd) -> None:  # type: ignore[no-untyped-def]
    smtp = smtplib.AsyncSMTP(local_hostname="c.test")
    with pytest.raises(smtplib.SMTPServerDisconnected):
        await smtp.ehlo()
    async with smtplib.AsyncSMTP(smtpd.host, smtpd.port, local_hostname="c.test",
                                 timeout=10) as smtp:
        with pytest.raises(ValueError, match="prohibited newline characters"):
            await smtp.ehlo("x\ny")
        with pytest.raises(smtplib.SMTPAuthenticationError):
            await smtp.login(smtpd.user, "wrong")


async def test_many_messages_over_several_connections(smtp_sink) -> None:  # type: ignore[no-untyped-def]
    async def worker(n: int) -> int:
        async with smtplib.AsyncSMTP(smtp_sink.host, smtp_sink.port, local_hostname="c",
                                     timeout=10) as smtp:
            for _ in range(n):
                assert await smtp.sendmail("a@x.org", ["b@x.org"], b"Subject: s\r\n\r\nx\r\n") == {}
            return n

    assert sum(await asyncio.gather(*(worker(25) for _ in range(4)))) == 100
