"""Demo steps for the foundation: a CA, a line server with STARTTLS, both colours."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import threading

from tether import errors
from tether._drive import (
    AsyncTransport,
    Exchange,
    Receive,
    Send,
    StartTLS,
    SyncTransport,
    run_async,
    run_sync,
)
from tether.demo._runner import DemoContext, Step
from tether.net import connect_tcp, connect_tcp_async, create_ssl_context
from tether.protocols._buffer import ReceiveBuffer


def make_ca(ctx: DemoContext) -> str:
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1", "::1")
    ctx.ca_pem = os.path.join(ctx.workdir, "ca.pem")
    ctx.cert_pem = os.path.join(ctx.workdir, "server.pem")
    ctx.key_pem = os.path.join(ctx.workdir, "server.key")
    ca.cert_pem.write_to_path(ctx.ca_pem)
    cert.private_key_pem.write_to_path(ctx.key_pem)
    with open(ctx.cert_pem, "wb") as f:
        for blob in cert.cert_chain_pems:
            f.write(blob.bytes())
    return "throw-away CA and a certificate for localhost"


class LineServer:
    """Echoes lines upper-cased; ``STARTTLS`` upgrades the connection. Thread per client."""

    def __init__(self, cert_pem: str, key_pem: str) -> None:
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert_pem, key_pem)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        sock: socket.socket = conn
        data = b""
        try:
            sock.sendall(b"READY\r\n")
            while chunk := sock.recv(4096):
                data += chunk
                while b"\n" in data:
                    line, data = data.split(b"\n", 1)
                    line = line.rstrip(b"\r")
                    if line == b"STARTTLS":
                        sock.sendall(b"GO\r\n")
                        sock = self.tls.wrap_socket(sock, server_side=True)
                    elif line == b"QUIT":
                        sock.sendall(b"BYE\r\n")
                        return
                    else:
                        sock.sendall(line.upper() + b"\r\n")
        except OSError:
            pass
        finally:
            sock.close()

    def close(self) -> None:
        self.listener.close()


def _line(buf: ReceiveBuffer) -> Exchange[bytes]:
    while (line := buf.take_line(1024)) is None:
        data = yield Receive()
        if not data:
            raise errors.ConnectionClosed("server closed the connection")
        buf.feed(data)
    return line


def dialogue(ca: ssl.SSLContext, words: list[str]) -> Exchange[list[str]]:
    """The whole conversation, written once for both colours."""
    buf = ReceiveBuffer()
    if (yield from _line(buf)) != b"READY":
        raise errors.RemoteProtocolError("unexpected greeting")
    yield Send(b"STARTTLS\r\n")
    if (yield from _line(buf)) != b"GO":
        raise errors.RemoteProtocolError("STARTTLS refused")
    buf.clear()
    yield StartTLS(ca, "localhost")
    replies = []
    for word in words:
        yield Send(word.encode() + b"\r\n")
        replies.append((yield from _line(buf)).decode())
    yield Send(b"QUIT\r\n")
    yield from _line(buf)
    return replies


def start_line_server(ctx: DemoContext) -> str:
    server = LineServer(ctx.cert_pem, ctx.key_pem)
    ctx.servers["line"] = server
    ctx.cleanups.append(server.close)
    return f"line server with STARTTLS on 127.0.0.1:{server.port}"


def sync_dialogue(ctx: DemoContext) -> str:
    server: LineServer = ctx.servers["line"]
    tls = create_ssl_context(verify=ctx.ca_pem)
    transport = SyncTransport(connect_tcp("127.0.0.1", server.port))
    try:
        replies = run_sync(dialogue(tls, ["hello", "tether"]), transport)
        version = transport.stream.get_extra_info("ssl_object").version()
    finally:
        transport.stream.close()
    return f"blocking: STARTTLS ({version}), replies {replies}"


def async_dialogue(ctx: DemoContext) -> str:
    server: LineServer = ctx.servers["line"]
    tls = create_ssl_context(verify=ctx.ca_pem)

    async def one(i: int) -> list[str]:
        transport = AsyncTransport(await connect_tcp_async("127.0.0.1", server.port))
        try:
            return await run_async(dialogue(tls, [f"task{i}"]), transport)
        finally:
            await transport.stream.aclose()

    async def main() -> list[list[str]]:
        return await asyncio.gather(*(one(i) for i in range(8)))

    results = asyncio.run(main())
    return f"asyncio: 8 concurrent STARTTLS dialogues, e.g. {results[0]}"


def untrusted_ca(ctx: DemoContext) -> str:
    server: LineServer = ctx.servers["line"]
    default = create_ssl_context()  # system trust: does not know the demo's CA
    transport = SyncTransport(connect_tcp("127.0.0.1", server.port))
    try:
        run_sync(dialogue(default, ["x"]), transport)
    except errors.TLSVerificationError as exc:
        return f"refused as expected: {exc.reason}"
    finally:
        transport.stream.close()
    raise AssertionError("a certificate from an unknown CA was accepted")


STEPS = [
    Step("make a throw-away certificate authority", make_ca),
    Step("start a loopback line server (STARTTLS)", start_line_server),
    Step("net: blocking dialogue with STARTTLS", sync_dialogue),
    Step("net: asyncio dialogues with STARTTLS", async_dialogue),
    Step("net: unknown CA is refused by default", untrusted_ca),
]
