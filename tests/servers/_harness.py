"""Starting and stopping real servers for tests: ports, processes, run directories, a CA.

Every server a test needs runs as a process this harness started, on a free loopback
port, with a throw-away configuration under ``run/`` in the repository (git-ignored),
and is stopped by its own PID. Under ``CI=true`` a server that cannot start fails the
test that needs it; elsewhere it skips with the reason.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[2]
RUN_ROOT = REPO / "run"

__all__ = [
    "REPO",
    "RUN_ROOT",
    "ServerProcess",
    "TLSFiles",
    "find_program",
    "free_port",
    "in_ci",
    "make_tls_files",
    "run_dir",
    "server_unavailable",
    "wait_for_port",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def server_unavailable(name: str, reason: str) -> NoReturn:
    """A needed server is missing: fail under CI, skip elsewhere."""
    message = f"{name} is not available: {reason} (run ./tools/check to install it)"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def find_program(name: str, *extra_dirs: str) -> str | None:
    """Path of an executable on PATH or in /usr/sbin, /usr/lib/... ``extra_dirs``."""
    found = shutil.which(name)
    if found:
        return found
    for d in ("/usr/sbin", "/sbin", "/usr/local/sbin", *extra_dirs):
        candidate = Path(d) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 15.0,
                  proc: subprocess.Popen[bytes] | None = None) -> bool:
    """Wait until ``host:port`` accepts a TCP connection (or ``proc`` exits)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def run_dir(name: str) -> Path:
    """A fresh, empty directory for one server instance under ``run/``."""
    RUN_ROOT.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=RUN_ROOT))


class ServerProcess:
    """A server process we started; ``stop()`` ends it by its PID (and its group)."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        name: str,
        ready: tuple[str, int] | Sequence[tuple[str, int]] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        log: Path | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log = log
        out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            self.argv, cwd=cwd, env=dict(env) if env is not None else None,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        if log:
            out.close()  # type: ignore[union-attr]
        targets: list[tuple[str, int]] = []
        if isinstance(ready, tuple) and len(ready) == 2 and isinstance(ready[1], int):
            targets = [ready]  # type: ignore[list-item]
        elif ready:
            targets = list(ready)  # type: ignore[arg-type]
        for host, port in targets:
            if not wait_for_port(host, port, timeout, self.proc):
                self.stop()
                raise RuntimeError(
                    f"{name} did not start listening on {host}:{port}: {self.tail_log()}"
                )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def tail_log(self, n: int = 2000) -> str:
        if self.log and self.log.exists():
            return self.log.read_bytes()[-n:].decode("utf-8", "replace")
        code = self.proc.poll()
        return f"exit code {code}" if code is not None else "(no log)"

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(5)


@dataclasses.dataclass(frozen=True)
class TLSFiles:
    """A per-run certificate authority and one server certificate signed by it."""

    ca: object  # trustme.CA
    ca_pem: str
    cert_pem: str
    key_pem: str
    chain_pem: str  # certificate + key in one file (for servers that want one file)
    other_ca_pem: str  # a CA that did NOT sign the server certificate


def make_tls_files(directory: Path) -> TLSFiles:
    """Generate the CA and a certificate for localhost, 127.0.0.1 and ::1 with trustme."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1", "::1")
    other = trustme.CA()
    directory.mkdir(parents=True, exist_ok=True)
    ca_pem = directory / "ca.pem"
    cert_pem = directory / "server.pem"
    key_pem = directory / "server.key"
    chain_pem = directory / "server-chain.pem"
    other_pem = directory / "other-ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    cert.private_key_pem.write_to_path(str(key_pem))
    with open(cert_pem, "wb") as f:
        for blob in cert.cert_chain_pems:
            f.write(blob.bytes())
    with open(chain_pem, "wb") as f:
        f.write(cert.private_key_pem.bytes())
        for blob in cert.cert_chain_pems:
            f.write(blob.bytes())
    other.cert_pem.write_to_path(str(other_pem))
    for p in (key_pem, chain_pem):
        os.chmod(p, 0o644)
    return TLSFiles(ca, str(ca_pem), str(cert_pem), str(key_pem), str(chain_pem),
                    str(other_pem))
