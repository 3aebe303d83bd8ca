"""A tiny raw-socket HTTP/1.1 peer for the opener's tests (a thread on 127.0.0.1).

``http_peer(respond)`` serves connections until the context exits; for each request it
reads the head (and a Content-Length body), records it in ``peer.requests`` and calls
``respond(request, conn)``, which writes whatever it wants (well-formed or not) and
returns True to keep the connection open for another request.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
from collections.abc import Callable, Iterator


@dataclasses.dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclasses.dataclass
class Peer:
    port: int
    requests: list[Seen]
    connections: list[int]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _read_request(conn: socket.socket, pending: bytearray) -> Seen | None:
    while b"\r\n\r\n" not in pending:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        pending += chunk
    head, _, rest = bytes(pending).partition(b"\r\n\r\n")
    pending[:] = rest
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(pending) < n:
            chunk = conn.recv(65536)
            if not chunk:
                break
            pending += chunk
        body = bytes(pending[:n])
        del pending[:n]
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        data = bytearray()
        while True:
            while b"\r\n" not in pending:
                pending += conn.recv(65536)
            size_line, _, _ = bytes(pending).partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            del pending[: len(size_line) + 2]
            while len(pending) < size + 2:
                pending += conn.recv(65536)
            data += pending[:size]
            del pending[: size + 2]
            if size == 0:
                break
        body = bytes(data)
    return Seen(method, target, headers, body)


@contextlib.contextmanager
def http_peer(respond: Callable[[Seen, socket.socket], bool]) -> Iterator[Peer]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    peer = Peer(listener.getsockname()[1], [], [])
    stop = threading.Event()
    threads: list[threading.Thread] = []
    open_conns: list[socket.socket] = []

    def serve(conn: socket.socket) -> None:
        pending = bytearray()
        with conn:
            conn.settimeout(10)
            try:
                while not stop.is_set():
                    seen = _read_request(conn, pending)
                    if seen is None:
                        return
                    peer.requests.append(seen)
                    if not respond(seen, conn):
                        return
            except OSError:
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            peer.connections.append(conn.fileno())
            open_conns.append(conn)
            t = threading.Thread(target=serve, args=(conn,), daemon=True)
            threads.append(t)
            t.start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield peer
    finally:
        stop.set()
        acceptor.join(5)
        listener.close()
        for conn in open_conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for t in threads:
            t.join(5)


def reply(status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None,
          keep_alive: bool = True) -> Callable[[Seen, socket.socket], bool]:
    """A responder that always sends the same well-formed response."""
    def respond(seen: Seen, conn: socket.socket) -> bool:
        lines = [f"HTTP/1.1 {status} Whatever"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(body)}")
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        return keep_alive
    return respond
