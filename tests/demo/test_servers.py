"""The demo's embedded servers, checked with the stdlib's own clients (not tether's).

They ship in the package (``tether demo`` needs nothing else), so they get tests of
their own: HTTP framing, ranges and keep-alive; SMTP STARTTLS and AUTH; POP3 dot-stuffing,
locking and the UPDATE state.
"""

from __future__ import annotations

import http.client
import json
import poplib
import smtplib
import socket
import ssl
from collections.abc import Iterator

import pytest

from tether.demo._runner import DemoContext, _context
from tether.demo._servers.start import DEMO_ACCOUNTS, http_servers, mail_servers


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoContext]:
    with _context() as ctx:
        http_servers(ctx)
        mail_servers(ctx)
        yield ctx


def _tls(ctx: DemoContext) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ctx.ca_pem)


def test_http_keep_alive_ranges_and_chunked_upload(demo: DemoContext) -> None:
    servers = http_servers(demo)
    conn = http.client.HTTPSConnection("localhost", servers.https.port, context=_tls(demo))
    conn.request("GET", "/download/1000", headers={"Range": "bytes=990-"})
    r = conn.getresponse()
    assert (r.status, r.getheader("Content-Range")) == (206, "bytes 990-999/1000")
    assert r.read() == bytes(i % 256 for i in range(990, 1000))
    conn.request("GET", "/download/10", headers={"Range": "bytes=10-"})
    r = conn.getresponse()
    assert (r.status, r.getheader("Content-Range")) == (416, "bytes */10")
    r.read()
    conn.request("POST", "/anything?x=1", body=iter([b'{"a": ', b"1}"]),
                 headers={"Content-Type": "application/json"}, encode_chunked=True)
    echo = json.loads(conn.getresponse().read())
    assert echo["json"] == {"a": 1} and echo["args"] == {"x": "1"}
    assert echo["headers"]["Transfer-Encoding"] == "chunked"
    conn.close()


def test_http_refuses_malformed_requests(demo: DemoContext) -> None:
    port = http_servers(demo).http.port
    for raw, status in ((b"NOT A REQUEST\r\n\r\n", b"400"),
                        (b"GET / HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n", b"431"),
                        (b"POST /anything HTTP/1.1\r\nContent-Length: 5\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n", b"400")):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(raw)
            assert s.recv(100).split(b" ")[1] == status


def test_smtp_requires_starttls_before_auth(demo: DemoContext) -> None:
    mail = mail_servers(demo)
    with smtplib.SMTP("localhost", mail.smtp.port, timeout=10) as client:
        client.ehlo()
        assert not client.has_extn("auth")
        code, _ = client.mail("bob@example.test")
        assert code == 530  # must issue STARTTLS first
        client.rset()
        client.starttls(context=_tls(demo))
        client.ehlo()
        assert client.has_extn("auth")
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login("bob", "wrong")
        client.login("bob", DEMO_ACCOUNTS["bob"])
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("bob@example.test", ["nobody@example.test"], b"x")


def test_pop3_serves_what_smtp_stored(demo: DemoContext) -> None:
    mail = mail_servers(demo)
    body = b"Subject: dots\r\n\r\n.leading dot\r\n.\r\nend\r\n"
    with smtplib.SMTP_SSL("localhost", mail.smtp.tls_port, context=_tls(demo)) as client:
        client.login("bob", DEMO_ACCOUNTS["bob"])
        client.sendmail("bob@example.test", ["Alice@Example.Test"], body)
    first = poplib.POP3("localhost", mail.pop3.port, timeout=10)
    first.stls(context=_tls(demo))
    first.user("alice")
    first.pass_(DEMO_ACCOUNTS["alice"])
    count, _ = first.stat()
    assert count >= 1
    _, lines, _ = first.retr(count)
    assert lines[-3:] == [b".leading dot", b".", b"end"]  # un-stuffed by poplib
    assert lines[0] == b"Return-Path: <bob@example.test>"
    second = poplib.POP3_SSL("localhost", mail.pop3.tls_port, context=_tls(demo))
    second.user("alice")
    with pytest.raises(poplib.error_proto, match="IN-USE"):
        second.pass_(DEMO_ACCOUNTS["alice"])
    second.quit()
    first.dele(count)
    assert first.stat()[0] == count - 1
    first.rset()
    first.dele(count)
    first.quit()  # UPDATE state: now it is gone
    assert len(mail.store.messages("alice")) == count - 1
