"""A scripted SMTP peer for tests: one loopback connection served by a function.

The handler gets a :class:`Wire` (line reader over the accepted socket that records
each ``recv()``, so a test can tell how many writes a group of commands took).
Failures inside the handler are raised in the test when the peer is torn down.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Wire:
    """Server side of the connection: read lines and bodies, send replies."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.buf = b""
        self.reads: list[bytes] = []

    def _fill(self) -> None:
        data = self.conn.recv(65536)
        if not data:
            raise EOFError("client closed the connection")
        self.reads.append(data)
        self.buf += data

    def line(self) -> bytes:
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def body(self) -> bytes:
        """Message content up to and excluding the terminating ``CRLF . CRLF``."""
        while b"\r\n.\r\n" not in self.buf:
            self._fill()
        body, self.buf = self.buf.split(b"\r\n.\r\n", 1)
        return body

    def reply(self, *lines: bytes) -> None:
        self.conn.sendall(b"".join(line + b"\r\n" for line in lines))


@contextmanager
def scripted_peer(handler: Callable[[Wire], None]) -> Iterator[int]:
    """Serve one connection with ``handler``; yields the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(10)
    port = listener.getsockname()[1]
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            try:
                handler(Wire(conn))
            except BaseException as exc:  # surfaced to the test
                errors.append(exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        listener.close()
        thread.join(10)
    if errors:
        raise errors[0]
