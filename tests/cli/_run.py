"""Running the real ``tether`` entry point as a subprocess, and small hostile HTTP peers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent / "tether"


def tether(*args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
           cwd: str | os.PathLike[str] | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """Run ``tether ARGS`` with stdout and stderr captured (pipes, not terminals)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([str(BIN), *args], input=input if input is not None else b"",
                          capture_output=True, env=full_env, cwd=cwd, timeout=timeout,
                          check=False)


def one_error_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    """The single ``tether: error:`` line on stderr (asserting there is no traceback)."""
    err = proc.stderr.decode()
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("tether: error:")]
    assert len(lines) == 1, err
    return lines[0]


@contextmanager
def raw_http_server(answer: Callable[[bytes, socket.socket], None]) -> Iterator[int]:
    """A loopback server calling ``answer(request_head, sock)`` per connection (a thread)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                head = b""
                try:
                    while b"\r\n\r\n" not in head and len(head) < 65536:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        head += chunk
                    answer(head, conn)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        listener.close()
        thread.join(5)


def header_value(head: bytes, name: str) -> str | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name.lower().encode():
            return value.strip().decode()
    return None


def lines_of(data: bytes) -> Sequence[str]:
    return data.decode("utf-8", "replace").splitlines()
