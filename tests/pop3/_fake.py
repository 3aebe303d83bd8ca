"""Scripted and hostile POP3 peers (threads), and a proxy that cuts connections."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator

Handler = Callable[["Peer"], None]


class Peer:
    """One accepted connection, with helpers for line-oriented scripts."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.buffer = b""
        self.received: list[bytes] = []

    def send(self, data: bytes) -> None:
        self.conn.sendall(data)

    def line(self) -> bytes:
        """The next command line (without CRLF); b"" at EOF."""
        while b"\n" not in self.buffer:
            chunk = self.conn.recv(65536)
            if not chunk:
                return b""
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        line = line.rstrip(b"\r")
        self.received.append(line)
        return line

    def expect(self, prefix: bytes, reply: bytes) -> bytes:
        got = self.line()
        assert got.upper().startswith(prefix), got
        self.send(reply)
        return got

    def start_tls(self, context: ssl.SSLContext) -> None:
        self.conn = context.wrap_socket(self.conn, server_side=True)
        self.buffer = b""


@contextlib.contextmanager
def fake_pop3(handler: Handler, host: str = "127.0.0.1",
              connections: int = 1) -> Iterator[tuple[int, list[Peer]]]:
    """Serve ``connections`` connections with ``handler``; yield (port, peers)."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, 0))
    listener.listen(8)
    listener.settimeout(10)
    peers: list[Peer] = []
    errors: list[BaseException] = []

    def serve() -> None:
        for _ in range(connections):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            peer = Peer(conn)
            peers.append(peer)
            try:
                conn.settimeout(10)
                handler(peer)
            except (OSError, ssl.SSLError):
                pass
            except BaseException as exc:  # an assertion in the script
                errors.append(exc)
            finally:
                with contextlib.suppress(OSError):
                    peer.conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], peers
    finally:
        listener.close()
        # The test is done with the server: unblock a script still waiting to read
        # (an asyncio client's close completes only when its loop runs again).
        for peer in peers:
            with contextlib.suppress(OSError):
                peer.conn.shutdown(socket.SHUT_RDWR)
        thread.join(10)
    if errors:
        raise errors[0]


@contextlib.contextmanager
def cutting_proxy(target: tuple[str, int], cut_after: int) -> Iterator[int]:
    """A TCP proxy to ``target`` that kills the connection once ``cut_after`` bytes
    came from the server (a connection dropped mid-transfer). Serves one connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)

    def run() -> None:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        server = socket.create_connection(target, timeout=10)
        done = threading.Event()

        def upstream() -> None:
            with contextlib.suppress(OSError):
                while not done.is_set():
                    data = client.recv(65536)
                    if not data:
                        break
                    server.sendall(data)

        threading.Thread(target=upstream, daemon=True).start()
        sent = 0
        with contextlib.suppress(OSError):
            while sent < cut_after:
                data = server.recv(min(65536, cut_after - sent))
                if not data:
                    break
                client.sendall(data)
                sent += len(data)
        done.set()
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        thread.join(10)
