"""Hostile and scripted peers: bounds, truncation, STLS refusal and injection, timeouts."""

from __future__ import annotations

import socket
import ssl
import time
from typing import Any

import pytest

import tether.pop3 as pop3
from pop3._colours import call, chunks, open_client
from pop3._fake import Peer, fake_pop3
from servers._harness import TLSFiles, server_unavailable
from tether import errors
from tether.net import TimeoutConfig

COLOURS = ["sync", "async"]
GREETING = b"+OK ready <1.2@host>\r\n"


def _scripted(*steps: tuple[bytes, bytes]) -> Any:
    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        for prefix, reply in steps:
            peer.expect(prefix, reply)
        peer.line()

    return handler


@pytest.mark.parametrize("colour", COLOURS)
async def test_endless_status_line_is_bounded(colour: str) -> None:
    def handler(peer: Peer) -> None:
        peer.send(b"+OK " + b"a" * 1_000_000)
        peer.line()

    with fake_pop3(handler) as (port, _):
        started = time.monotonic()
        with pytest.raises(pop3.POP3LimitExceeded) as info:
            await open_client(colour, port, timeout=5)
        assert isinstance(info.value, pop3.error_proto)
        assert info.value.limit == "_MAXLINE"
        assert time.monotonic() - started < 4


@pytest.mark.parametrize("colour", COLOURS)
async def test_long_body_line_obeys_maxline_read_at_use(colour: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    body = b"Subject: x\r\n\r\n" + b"z" * 5000 + b"\r\n.\r\n"
    handler = _scripted((b"RETR", b"+OK\r\n" + body), (b"RETR", b"+OK\r\n" + body))
    with fake_pop3(handler) as (port, _):
        client = await open_client(colour, port, timeout=5)
        with pytest.raises(pop3.error_proto, match="_MAXLINE"):
            await call(client, "retr", 1)
        # The whole response was consumed: raising the bound at run time (as getmail and
        # Odoo do with poplib._MAXLINE) makes the next RETR work on the same connection.
        monkeypatch.setattr(pop3, "_MAXLINE", 1 << 20)
        _, lines, octets = await call(client, "retr", 1)
        assert lines == [b"Subject: x", b"", b"z" * 5000] and octets == len(body) - 3
        await call(client, "close")


@pytest.mark.parametrize("colour", COLOURS)
async def test_truncated_multiline_response(colour: str) -> None:
    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"RETR", b"+OK\r\nSubject: cut\r\n\r\nhalf of the bo")

    with fake_pop3(handler) as (port, _):
        client = await open_client(colour, port, timeout=5)
        with pytest.raises(pop3.POP3ConnectionClosed) as info:
            await call(client, "retr", 1)
        assert isinstance(info.value, pop3.error_proto) and isinstance(info.value, OSError)
        assert "-ERR EOF" in str(info.value)
        await call(client, "close")


@pytest.mark.parametrize("colour", COLOURS)
async def test_stls_refused_raises_and_never_continues(colour: str) -> None:
    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"CAPA", b"+OK\r\nSTLS\r\nUSER\r\n.\r\n")
        peer.expect(b"STLS", b"-ERR not today\r\n")
        peer.line()

    with fake_pop3(handler) as (port, peers):
        client = await open_client(colour, port, timeout=5)
        with pytest.raises(pop3.error_proto, match="not today"):
            await call(client, "stls")
        await call(client, "close")
    assert [line.split()[0] for line in peers[0].received] == [b"CAPA", b"STLS"]


@pytest.mark.parametrize("colour", COLOURS)
async def test_plaintext_injected_after_stls_is_dropped(colour: str, tls_ca: TLSFiles) -> None:
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tls_ca.cert_pem, tls_ca.key_pem)

    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"CAPA", b"+OK\r\nSTLS\r\n.\r\n")
        # The attacker's extra line arrives in clear right after +OK.
        peer.expect(b"STLS", b"+OK go\r\n+OK injected 99 99\r\n")
        peer.start_tls(server_ctx)
        peer.expect(b"CAPA", b"+OK\r\nUSER\r\n.\r\n")
        peer.expect(b"STAT", b"+OK 2 320\r\n")
        peer.line()

    client_ctx = ssl.create_default_context(cafile=tls_ca.ca_pem)
    with fake_pop3(handler) as (port, _):
        client = await open_client(colour, port, "localhost", timeout=5)
        assert await call(client, "stls", client_ctx) == b"+OK go"
        assert isinstance(client.sock, ssl.SSLSocket) or colour == "async"
        assert await call(client, "stat") == (2, 320)
        await call(client, "close")


@pytest.mark.parametrize("colour", COLOURS)
async def test_stls_without_context_verifies(colour: str, tls_ca: TLSFiles) -> None:
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tls_ca.cert_pem, tls_ca.key_pem)

    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"CAPA", b"+OK\r\nSTLS\r\n.\r\n")
        peer.expect(b"STLS", b"+OK go\r\n")
        peer.start_tls(server_ctx)

    with fake_pop3(handler) as (port, _):
        client = await open_client(colour, port, "localhost", timeout=5)
        with pytest.raises(errors.TLSVerificationError) as info:
            await call(client, "stls")
        assert isinstance(info.value, ssl.SSLCertVerificationError)
        await call(client, "close")


@pytest.mark.parametrize("colour", COLOURS)
@pytest.mark.parametrize("arg", ["someone\r\nDELE 1", "a\nb", "nul\x00"])
async def test_command_injection_refused_before_sending(colour: str, arg: str) -> None:
    with fake_pop3(_scripted((b"NOOP", b"+OK\r\n"))) as (port, peers):
        client = await open_client(colour, port, timeout=5)
        with pytest.raises(pop3.POP3CommandError) as info:
            await call(client, "user", arg)
        assert isinstance(info.value, ValueError)
        assert await call(client, "noop") == b"+OK"
        await call(client, "close")
    assert peers[0].received[0] == b"NOOP"


def _non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else str(address)


@pytest.mark.parametrize("colour", COLOURS)
async def test_cleartext_password_refused_off_loopback(colour: str) -> None:
    address = _non_loopback_address()
    if address is None:
        server_unavailable("a non-loopback IPv4 address", "this machine has none to listen on")
    with fake_pop3(_scripted((b"NOOP", b"+OK\r\n")), host=address) as (port, peers):
        client = await open_client(colour, port, address, timeout=5)
        for method, arg in (("user", "me"), ("pass_", "secret"), ("rpop", "me")):
            with pytest.raises(pop3.CleartextAuthError, match="allow_cleartext_auth=True"):
                await call(client, method, arg)
        with pytest.raises(pop3.CleartextAuthError):
            await call(client, "auth", "me", "secret", mechanism="PLAIN")
        assert await call(client, "noop") == b"+OK"
        await call(client, "close")
    sent = [line for line in peers[0].received if line]
    assert sent == [b"NOOP"]  # no USER, PASS, RPOP or AUTH ever reached the server


@pytest.mark.parametrize("colour", COLOURS)
async def test_cleartext_opt_out_and_loopback_allowed(colour: str) -> None:
    handler = _scripted((b"USER", b"+OK\r\n"), (b"PASS", b"+OK 1 10\r\n"))
    with fake_pop3(handler) as (port, _):
        client = await open_client(colour, port, timeout=5)  # 127.0.0.1: loopback
        assert await call(client, "user", "me") == b"+OK"
        assert await call(client, "pass_", "secret") == b"+OK 1 10"
        await call(client, "close")
    address = _non_loopback_address()
    if address is not None:
        with fake_pop3(_scripted((b"USER", b"+OK\r\n")), host=address) as (port, _):
            client = await open_client(colour, port, address, timeout=5,
                                       allow_cleartext_auth=True)
            assert await call(client, "user", "me") == b"+OK"
            await call(client, "close")


@pytest.mark.parametrize("colour", COLOURS)
async def test_total_deadline_bounds_a_dripping_body(colour: str) -> None:
    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"RETR", b"+OK\r\n")
        for _ in range(40):
            peer.send(b"x")
            time.sleep(0.25)

    cfg = TimeoutConfig(connect=2, read=2, total=1.5)
    with fake_pop3(handler) as (port, _):
        client = await open_client(colour, port, timeout=cfg)
        started = time.monotonic()
        with pytest.raises(errors.ReadTimeout, match="total deadline"):
            await call(client, "retr", 1)
        assert time.monotonic() - started < 2.5
        await call(client, "close")


@pytest.mark.parametrize("colour", COLOURS)
async def test_breaking_out_of_iter_retr_keeps_connection_usable(colour: str) -> None:
    big = b"".join(b"line %06d\r\n" % i for i in range(50000))

    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"RETR", b"+OK\r\n" + big + b".\r\n")
        peer.expect(b"NOOP", b"+OK still here\r\n")
        peer.line()

    with fake_pop3(handler) as (port, _):
        client = await open_client(colour, port, timeout=5)
        got = await chunks(client, 1, stop_after=1)
        assert got and big.startswith(got[0])
        assert await call(client, "noop") == b"+OK still here"
        await call(client, "close")


def test_private_helpers_programs_use() -> None:
    # getmail: _shortcmd for AUTH XOAUTH2 in two steps, _longcmd for extensions;
    # and _putcmd/_getresp/_getline/.file for hand-rolled dialogues.
    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"AUTH XOAUTH2", b"+ \r\n")
        peer.expect(b"DXNLCJ1", b"+OK welcome\r\n")
        peer.expect(b"*ENV 1", b"+OK\r\nline a\r\n..dotted\r\n.\r\n")
        peer.expect(b"XRAW", b"+OK raw one\r\nsecond raw line\r\n")
        peer.expect(b"NOOP", b"+OK\r\n")
        peer.line()

    with fake_pop3(handler) as (port, _):
        client = pop3.POP3("127.0.0.1", port, timeout=5)
        assert client._shortcmd("AUTH XOAUTH2") == b"+ "
        assert client._shortcmd("dXNlcj1") == b"+OK welcome"
        assert client._longcmd("*ENV 1") == (b"+OK", [b"line a", b".dotted"], 17)
        client._putcmd("XRAW")
        assert client._getresp() == b"+OK raw one"
        assert client.file.readline() == b"second raw line\r\n"
        assert client.noop() == b"+OK"
        client.close()
        assert client.sock is None and client.file is None


def test_subclass_that_sets_sock_itself() -> None:
    # getmail's POP3_SSL_EXTENDED replaces __init__: it connects, sets self.sock and
    # self.file, then calls self._getresp().
    class Custom(pop3.POP3):
        def __init__(self, host: str, port: int) -> None:
            self.host, self.port = host, port
            self.sock = socket.create_connection((host, port), 5)
            self.file = self.sock.makefile("rb")
            self._debugging = 0
            self.welcome = self._getresp()

    with fake_pop3(_scripted((b"STAT", b"+OK 3 30\r\n"))) as (port, _):
        client = Custom("127.0.0.1", port)
        assert client.welcome == GREETING.strip()
        assert client.stat() == (3, 30)
        client.close()


def test_setdefaulttimeout_is_honoured() -> None:
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(7.5)
    try:
        with fake_pop3(_scripted()) as (port, _):
            client = pop3.POP3("127.0.0.1", port)
            assert client.sock.gettimeout() == 7.5
            client.close()
    finally:
        socket.setdefaulttimeout(previous)


def test_used_after_close() -> None:
    with fake_pop3(_scripted((b"QUIT", b"+OK bye\r\n"))) as (port, _):
        client = pop3.POP3("127.0.0.1", port, timeout=5)
        assert client.quit() == b"+OK bye"
        with pytest.raises(pop3.POP3ClosedError):
            client.noop()


def test_pipelining_falls_back_without_capability_and_survives_break() -> None:
    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"CAPA", b"+OK\r\nTOP\r\n.\r\n")  # no PIPELINING: one at a time
        for n in (1, 2):
            got = peer.line()
            assert got == b"RETR %d" % n, got
            assert peer.buffer == b""  # the next command was not sent ahead
            peer.send(b"+OK\r\nmessage %d\r\n.\r\n" % n)
        peer.expect(b"NOOP", b"+OK alive\r\n")
        peer.line()

    with fake_pop3(handler) as (port, _):
        client = pop3.POP3("127.0.0.1", port, timeout=5)
        for number, data in client.retr_many([1, 2, 3]):
            assert data == b"message %d\r\n" % number
            if number == 2:
                break
        assert client.noop() == b"+OK alive"
        client.close()


def test_pipelined_commands_go_out_in_one_write() -> None:
    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"CAPA", b"+OK\r\nPIPELINING\r\n.\r\n")
        first = peer.line()
        assert first == b"TOP 1 0" and peer.buffer == b"TOP 2 0\r\nTOP 3 0\r\n"
        peer.send(b"".join(b"+OK\r\nSubject: %d\r\n.\r\n" % n for n in (1, 2, 3)))
        peer.line()

    with fake_pop3(handler) as (port, _):
        client = pop3.POP3("127.0.0.1", port, timeout=5)
        got = client.top_many([1, 2, 3], 0)
        assert [lines for _, lines, _ in got] == [[b"Subject: %d" % n] for n in (1, 2, 3)]
        client.close()


def test_file_readline_limits_like_a_buffered_reader() -> None:
    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"XLONG", b"+OK " + b"y" * 30 + b"\r\nnext\r\ntail")
        peer.line()

    with fake_pop3(handler) as (port, _):
        client = pop3.POP3("127.0.0.1", port, timeout=5)
        client._putcmd("XLONG")
        assert client.file.readline(10) == b"+OK " + b"y" * 6
        assert client.file.readline() == b"y" * 24 + b"\r\n"
        assert client.file.readline(100) == b"next\r\n"
        assert client.file.read(4) == b"tail"
        client.close()


def test_iter_retr_memory_is_bounded() -> None:
    import tracemalloc

    line = b"m" * 98 + b"\r\n"
    count = 300_000  # 30 MB

    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"RETR", b"+OK\r\n")
        block = line * 1000
        for _ in range(count // 1000):
            peer.send(block)
        peer.send(b".\r\n")
        peer.line()

    with fake_pop3(handler) as (port, _):
        client = pop3.POP3("127.0.0.1", port, timeout=10)
        tracemalloc.start()
        try:
            total = sum(len(chunk) for chunk in client.iter_retr(1))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        client.close()
    assert total == len(line) * count
    assert peak < 4 * 1024 * 1024, peak


@pytest.mark.parametrize("colour", COLOURS)
async def test_xoauth2_error_challenge_and_long_initial_response(colour: str) -> None:
    import base64

    token = "t" * 400  # the AUTH line would pass 255 octets: RFC 5034 §4 defers it

    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        peer.expect(b"CAPA", b"+OK\r\nSASL PLAIN XOAUTH2\r\n.\r\n")
        assert peer.line() == b"AUTH XOAUTH2"
        peer.send(b"+ \r\n")
        initial = base64.b64decode(peer.line())
        assert initial == f"user=me\x01auth=Bearer {token}\x01\x01".encode()
        peer.send(b"+ " + base64.b64encode(b'{"status":"401"}') + b"\r\n")
        assert peer.line() == b""  # the empty answer to the error challenge
        peer.send(b"-ERR [AUTH] invalid token\r\n")
        peer.expect(b"AUTH OAUTHBEARER", b"+OK welcome\r\n")
        peer.line()

    with fake_pop3(handler) as (port, peers):
        client = await open_client(colour, port, timeout=5)
        with pytest.raises(pop3.POP3ResponseError, match="invalid token"):
            await call(client, "auth", "me", token=lambda: token)
        assert await call(client, "auth", "me", token="short",
                          mechanism="OAUTHBEARER") == b"+OK welcome"
        await call(client, "close")
    auth_line = next(x for x in peers[0].received if x.startswith(b"AUTH OAUTHBEARER"))
    bearer = auth_line.split()[2]
    assert base64.b64decode(bearer).startswith(b"n,a=me,\x01host=127.0.0.1\x01port=")
