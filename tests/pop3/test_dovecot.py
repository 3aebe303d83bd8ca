"""tether.pop3 against a real Dovecot: results equal poplib's, TLS, SASL, both colours."""

from __future__ import annotations

import asyncio
import poplib
import ssl

import pytest

import tether.pop3 as pop3
from pop3._colours import call, chunks, open_client
from servers.dovecot import DovecotServer, standard_messages
from tether import errors

COLOURS = ["sync", "async"]


def crlf(message: bytes) -> bytes:
    return message.replace(b"\n", b"\r\n")


@pytest.fixture
def big_maxline(monkeypatch: pytest.MonkeyPatch) -> None:
    # The standard mailbox holds a 3000-character line; programs raise _MAXLINE.
    monkeypatch.setattr(pop3, "_MAXLINE", 1 << 20)
    monkeypatch.setattr(poplib, "_MAXLINE", 1 << 20)


def test_same_results_as_poplib(dovecot: DovecotServer, big_maxline: None) -> None:
    ours = pop3.POP3(dovecot.host, dovecot.pop3_port, timeout=10)
    theirs = poplib.POP3(dovecot.host, dovecot.pop3_port, timeout=10)
    try:
        for client in (ours, theirs):
            client.user("reader")
            client.pass_(dovecot.password)
        assert ours.getwelcome() == theirs.getwelcome()
        assert ours.stat() == theirs.stat()
        assert ours.list() == theirs.list()
        assert ours.list(2) == theirs.list(2)
        assert ours.uidl() == theirs.uidl()
        assert ours.uidl(3) == theirs.uidl(3)
        assert ours.capa() == theirs.capa()
        count = ours.stat()[0]
        for n in range(1, count + 1):
            assert ours.retr(n) == theirs.retr(n), n
            assert ours.top(n, 0) == theirs.top(n, 0), n
            assert ours.top(n, 2) == theirs.top(n, 2), n
        assert ours.noop() == theirs.noop()
        assert ours.dele(1) == theirs.dele(1)
        assert ours.rset() == theirs.rset()
        with pytest.raises(pop3.error_proto):
            ours.retr(999)
        with pytest.raises(poplib.error_proto):
            theirs.retr(999)
        assert ours.quit() == theirs.quit()
    finally:
        ours.close()
        theirs.close()


@pytest.mark.parametrize("colour", COLOURS)
async def test_retrieval_forms_agree_with_the_stored_mail(colour: str, dovecot: DovecotServer,
                                                          big_maxline: None) -> None:
    client = await open_client(colour, dovecot.pop3_port, dovecot.host, timeout=10)
    await call(client, "user", "reader")
    await call(client, "pass_", dovecot.password)
    for n, stored in enumerate(standard_messages(), start=1):
        expected = crlf(stored)
        assert await call(client, "retr_bytes", n) == expected
        assert b"".join(await chunks(client, n)) == expected
        _, lines, octets = await call(client, "retr", n)
        assert octets == len(expected)
        assert lines == expected.split(b"\r\n")[:-1]
    await call(client, "quit")


def test_default_maxline_refuses_the_long_line_like_poplib(dovecot: DovecotServer) -> None:
    client = pop3.POP3(dovecot.host, dovecot.pop3_port, timeout=10)
    client.user("reader")
    client.pass_(dovecot.password)
    with pytest.raises(pop3.POP3LimitExceeded):
        client.retr(4)
    assert client.stat()[0] == len(standard_messages())  # the connection is still in step
    client.quit()


@pytest.mark.parametrize("colour", COLOURS)
async def test_stls_and_login(colour: str, dovecot: DovecotServer) -> None:
    context = ssl.create_default_context(cafile=dovecot.ca_pem)
    client = await open_client(colour, dovecot.pop3_port, "localhost", timeout=10)
    assert (await call(client, "stls", context)).startswith(b"+OK")
    if colour == "sync":
        assert isinstance(client.sock, ssl.SSLSocket)
        assert client.sock.getpeercert()["subjectAltName"]
        assert client.sock.cipher()
    caps = await call(client, "capa")
    assert "STLS" not in caps
    with pytest.raises(pop3.error_proto, match="already established"):
        await call(client, "stls", context)
    await call(client, "user", "reader")
    await call(client, "pass_", dovecot.password)
    assert (await call(client, "stat"))[0] == len(standard_messages())
    await call(client, "quit")


@pytest.mark.parametrize("colour", COLOURS)
async def test_stls_default_context_refuses_unknown_ca(colour: str,
                                                      dovecot: DovecotServer) -> None:
    client = await open_client(colour, dovecot.pop3_port, "localhost", timeout=10)
    with pytest.raises(errors.TLSVerificationError):
        await call(client, "stls")
    await call(client, "close")


@pytest.mark.parametrize("colour", COLOURS)
async def test_implicit_tls(colour: str, dovecot: DovecotServer,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(errors.TLSVerificationError):
        await open_client(colour, dovecot.pop3s_port, "localhost", tls=True, timeout=10)
    # Trust taken from SSL_CERT_FILE by the default context (issue 11).
    monkeypatch.setenv("SSL_CERT_FILE", dovecot.ca_pem)
    client = await open_client(colour, dovecot.pop3s_port, "localhost", tls=True, timeout=10)
    await call(client, "user", "reader")
    await call(client, "pass_", dovecot.password)
    assert (await call(client, "stat"))[0] == len(standard_messages())
    await call(client, "quit")


@pytest.mark.parametrize("colour", COLOURS)
@pytest.mark.parametrize("mechanism", [None, "PLAIN", "LOGIN", "CRAM-MD5"])
async def test_sasl(colour: str, mechanism: str | None, dovecot: DovecotServer) -> None:
    client = await open_client(colour, dovecot.pop3_port, dovecot.host, timeout=10)
    assert (await call(client, "auth", "reader", dovecot.password,
                       mechanism=mechanism)).startswith(b"+OK")
    assert (await call(client, "stat"))[0] == len(standard_messages())
    await call(client, "quit")


@pytest.mark.parametrize("colour", COLOURS)
async def test_sasl_wrong_password(colour: str, dovecot: DovecotServer) -> None:
    client = await open_client(colour, dovecot.pop3_port, dovecot.host, timeout=10)
    with pytest.raises(pop3.POP3ResponseError):
        await call(client, "auth", "reader", "wrong", mechanism="PLAIN")
    await call(client, "close")


async def test_async_four_connections(dovecot: DovecotServer, big_maxline: None) -> None:
    async def fetch_all() -> list[bytes]:
        async with pop3.AsyncPOP3(dovecot.host, dovecot.pop3_port, timeout=10) as client:
            await client.user("reader")
            await client.pass_(dovecot.password)
            count, _ = await client.stat()
            return [await client.retr_bytes(n) for n in range(1, count + 1)]

    results = await asyncio.gather(*(fetch_all() for _ in range(4)))
    expected = [crlf(m) for m in standard_messages()]
    assert all(r == expected for r in results)


@pytest.mark.parametrize("colour", COLOURS)
async def test_pipelined_top_and_retr(colour: str, dovecot: DovecotServer,
                                      big_maxline: None) -> None:
    client = await open_client(colour, dovecot.pop3_port, dovecot.host, timeout=10)
    await call(client, "user", "reader")
    await call(client, "pass_", dovecot.password)
    count = len(standard_messages())
    numbers = list(range(1, count + 1))
    expected_tops = [await call(client, "top", n, 1) for n in numbers]
    assert await call(client, "top_many", numbers, 1, window=4) == expected_tops
    iterator = client.retr_many(numbers, window=3)
    got = list(iterator) if colour == "sync" else [item async for item in iterator]
    assert got == [(n, crlf(m)) for n, m in zip(numbers, standard_messages(), strict=True)]
    with pytest.raises(pop3.POP3ResponseError):
        await call(client, "top_many", [1, 999, 2], 0)
    # The responses after the -ERR were skipped: the connection is in step.
    assert await call(client, "top", 1, 1) == expected_tops[0]
    await call(client, "quit")
