"""httpbin (the WSGI app from PyPI) under gunicorn on free loopback ports, plain and TLS.

Session-scoped fixtures: ``httpbin`` (``.url``, ``.host``, ``.port``) and
``httpbin_secure`` (``.url`` with ``https://localhost:PORT``; trust ``.ca_pem``).
Used for requests semantics: redirects, cookies, auth, digest, multipart echo, status
codes. The ``(name)`` and ``__call__`` of the objects mirror pytest-httpbin's, so
``httpbin + "/get"`` and ``httpbin.url`` both work.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from collections.abc import Iterator

import pytest

from servers._harness import ServerProcess, TLSFiles, free_port, run_dir
from servers._harness import server_unavailable as _unavailable


@dataclasses.dataclass(frozen=True)
class HttpBin:
    url: str
    host: str
    port: int
    pid: int
    ca_pem: str | None = None

    def __add__(self, path: str) -> str:
        return self.url + path


def _start(tls: TLSFiles | None) -> tuple[ServerProcess, HttpBin]:
    for module in ("httpbin", "gunicorn"):
        if importlib.util.find_spec(module) is None:
            raise FileNotFoundError(
                f"the {module} package is not installed (pip install -e .[dev])")
    port = free_port()
    run = run_dir("httpbin-tls" if tls else "httpbin")
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--worker-class", "sync", "--keep-alive", "30",
            "--log-level", "warning", "--timeout", "60"]
    if tls is not None:
        argv += ["--certfile", tls.cert_pem, "--keyfile", tls.key_pem]
    argv.append("httpbin:app")
    proc = ServerProcess(argv, name="httpbin", ready=("127.0.0.1", port), cwd=run,
                         log=run / "gunicorn.log")
    if tls is not None:
        return proc, HttpBin(f"https://localhost:{port}", "localhost", port, proc.pid,
                             tls.ca_pem)
    return proc, HttpBin(f"http://127.0.0.1:{port}", "127.0.0.1", port, proc.pid)


@pytest.fixture(scope="session")
def httpbin() -> Iterator[HttpBin]:
    """httpbin over plain HTTP on 127.0.0.1."""
    try:
        proc, server = _start(None)
    except (OSError, RuntimeError) as exc:
        _unavailable("httpbin", str(exc))
    try:
        yield server
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def httpbin_secure(tls_ca: TLSFiles) -> Iterator[HttpBin]:
    """httpbin over HTTPS (certificate from the ``tls_ca`` fixture) on localhost."""
    try:
        proc, server = _start(tls_ca)
    except (OSError, RuntimeError) as exc:
        _unavailable("httpbin (TLS)", str(exc))
    try:
        yield server
    finally:
        proc.stop()
