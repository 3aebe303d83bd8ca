"""Small raw-socket peers for net/ tests (threads on 127.0.0.1)."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def tcp_peer(handler: Callable[[socket.socket], None], host: str = "127.0.0.1",
             connections: int = 1) -> Iterator[int]:
    """Serve ``connections`` connections with ``handler`` in a thread; yield the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, 0))
    listener.listen(8)
    listener.settimeout(10)
    port = listener.getsockname()[1]

    def serve() -> None:
        for _ in range(connections):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                try:
                    handler(conn)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        listener.close()
        thread.join(5)


def drip(interval: float, limit: float = 10.0) -> Callable[[socket.socket], None]:
    """A peer that sends one byte every ``interval`` seconds, for at most ``limit``."""

    def handler(conn: socket.socket) -> None:
        end = time.monotonic() + limit
        while time.monotonic() < end:
            conn.sendall(b"x")
            time.sleep(interval)

    return handler


def echo_lines(conn: socket.socket) -> None:
    """Echo each received line; ``STARTTLS`` lines are answered and nothing else."""
    data = b""
    while True:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
        while b"\n" in data:
            line, data = data.split(b"\n", 1)
            conn.sendall(line.upper() + b"\n")


def tls_server_context(cert_pem: str, key_pem: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_pem, key_pem)
    return ctx


@contextmanager
def blackhole(host: str = "127.0.0.1") -> Iterator[int]:
    """A port whose connection attempts hang (SYNs dropped: the listen backlog is full)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.socket(family, socket.SOCK_STREAM)
    filler.connect((host, port))
    try:
        yield port
    finally:
        filler.close()
        listener.close()
