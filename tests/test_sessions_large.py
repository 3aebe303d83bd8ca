"""Issue 11: the in-memory decompression guard does not cap ordinary large bodies.

A 300 MiB uncompressed body and a 300 MiB body gzip'd at an ordinary ratio both read in
full through ``.content``, in both colours, while a bomb is refused (see
``test_sessions_hostile.py``).
"""

from __future__ import annotations

import hashlib
import socket
import zlib
from collections.abc import Callable

import pytest

from servers._http_colours import Both
from servers._peers import tcp_peer

SIZE = 300 * 1024 * 1024


@pytest.fixture(scope="module")
def text() -> bytes:
    # Varied text (not one repeated byte) so gzip reaches an ordinary ratio, about 4-8x.
    block = b"".join(b"%08d the quick brown fox jumps over the lazy dog, %08x\n" % (i, i * 7919)
                     for i in range(65536))
    out = (block * (SIZE // len(block) + 1))[:SIZE]
    assert len(out) == SIZE
    return out


@pytest.fixture(scope="module")
def gzipped(text: bytes) -> bytes:
    comp = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return comp.compress(text) + comp.flush()


def _serve(body: bytes, coding: str | None) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        data = b""
        conn.settimeout(10)
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        extra = f"Content-Encoding: {coding}\r\n" if coding else ""
        head = f"HTTP/1.1 200 OK\r\n{extra}Content-Length: {len(body)}\r\n\r\n".encode()
        try:
            conn.sendall(head)
            conn.sendall(body)
        except OSError:
            pass

    return handler


def test_300_mib_uncompressed_body_reads_in_full(s: Both, text: bytes) -> None:
    with tcp_peer(_serve(text, None)) as port:
        content = s.get(f"http://127.0.0.1:{port}/").content
    assert len(content) == SIZE
    assert hashlib.sha256(content).digest() == hashlib.sha256(text).digest()


def test_300_mib_gzip_body_at_normal_ratio_reads_in_full(s: Both, text: bytes,
                                                          gzipped: bytes) -> None:
    ratio = len(text) / len(gzipped)
    assert 2 < ratio < 100, ratio  # an ordinary ratio, under the guard's 100x
    with tcp_peer(_serve(gzipped, "gzip")) as port:
        content = s.get(f"http://127.0.0.1:{port}/").content
    assert len(content) == SIZE
    assert hashlib.sha256(content).digest() == hashlib.sha256(text).digest()
