"""Servers the benchmarks run against, started once per bench run.

Each entry of ``STARTERS`` takes the run's TLS files and returns ``(stop, env)``: a
function that stops what it started (by PID) and the keys it adds to the ``env`` dict
every case function receives. The start-up code is shared with the test suite
(``tests/servers/``).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from servers._harness import TLSFiles, make_tls_files, run_dir  # noqa: E402

Starter = Callable[[TLSFiles], tuple[Callable[[], None], dict[str, Any]]]


def _nginx(tls: TLSFiles) -> tuple[Callable[[], None], dict[str, Any]]:
    from servers.nginx import start_nginx

    proc, server = start_nginx(tls)
    # A 1 GiB file for streaming benchmarks (sparse, so it costs no disk).
    big = server.docroot / "big-1g.bin"
    with open(big, "wb") as f:
        f.truncate(1024 * 1024 * 1024)
    return proc.stop, {
        "nginx_http": server.http_url,
        "nginx_https": server.https_url,
        "nginx_host": server.host,
        "nginx_port": server.port,
        "nginx_tls_port": server.tls_port,
        "nginx_docroot": str(server.docroot),
    }


STARTERS: dict[str, Starter] = {"nginx": _nginx}


def register(name: str, starter: Starter) -> None:
    """Add a server (called by modules that extend the bench)."""
    STARTERS[name] = starter


@contextlib.contextmanager
def started(needed: set[str]) -> Iterator[dict[str, Any]]:
    tls = make_tls_files(run_dir("bench-tls"))
    env: dict[str, Any] = {"ca_pem": tls.ca_pem, "cert_pem": tls.cert_pem,
                           "key_pem": tls.key_pem}
    stops: list[Callable[[], None]] = []
    try:
        for name in sorted(needed):
            if name not in STARTERS:
                # Modules named bench/servers_<name>.py register themselves on import.
                with contextlib.suppress(ModuleNotFoundError):
                    __import__(f"servers_{name}")
            stop, extra = STARTERS[name](tls)
            stops.append(stop)
            env.update(extra)
        yield env
    finally:
        for stop in reversed(stops):
            stop()
