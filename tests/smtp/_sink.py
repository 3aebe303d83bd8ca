"""smtp-sink started with ``-D``: every transaction it accepts is appended to a file.

PIPELINING stays on (unlike smtp-sink's reject options), so the pipelined paths can be
checked end to end: envelope and content of each message, as the server parsed them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from servers._harness import free_port, run_dir, server_unavailable
from servers.smtp import start_smtp_sink


@pytest.fixture(scope="module")
def dumping_sink() -> Iterator[tuple[int, Path]]:
    directory = run_dir("smtp-sink-dump")
    os.chmod(directory, 0o777)  # smtp-sink writes as "nobody" when started by root
    port = free_port()
    try:
        proc = start_smtp_sink(port, "-D", str(directory / "dump"))
    except (FileNotFoundError, RuntimeError) as exc:
        server_unavailable("smtp-sink", str(exc))
    try:
        yield port, directory / "dump"
    finally:
        proc.stop()


def read_dump(path: Path, count: int) -> list[tuple[bytes, list[bytes], bytes]]:
    """``(sender, recipients, content)`` per transaction smtp-sink dumped."""
    deadline = time.monotonic() + 5
    while True:
        data = path.read_bytes() if path.exists() else b""
        parts = data.split(b"X-Client-Addr: ")[1:]
        if len(parts) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    out = []
    for part in parts:
        head, _, rest = part.partition(b"\nReceived: ")
        fields = [line.split(b": ", 1) for line in head.split(b"\n")[1:] if b": " in line]
        sender = next(v for k, v in fields if k == b"X-Mail-Args")
        rcpts = [v for k, v in fields if k == b"X-Rcpt-Args"]
        # Skip the folded Received: field smtp-sink adds; the content follows it.
        lines = rest.split(b"\n")
        i = 1
        while lines[i].startswith(b"\t"):
            i += 1
        out.append((sender, rcpts, b"\n".join(lines[i:])))
    return out
