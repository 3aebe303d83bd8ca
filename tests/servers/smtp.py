"""SMTP servers for tests: aiosmtpd (behaviour, TLS, AUTH) and Postfix's smtp-sink (speed).

- ``aiosmtpd_server``: aiosmtpd in a thread on 127.0.0.1 (its own event loop), with
  STARTTLS (certificate from the per-run CA), AUTH PLAIN and LOGIN (``USER`` /
  ``PASSWORD``, allowed without TLS because the peer is loopback), SMTPUTF8, and a
  handler that records every envelope it accepts. Recipients whose local part starts
  with ``reject`` are refused with 550 5.1.1.
- ``aiosmtpd_tls_server``: the same behind implicit TLS (SMTP_SSL).
- ``smtp_sink``: ``smtp-sink -u nobody 127.0.0.1:PORT 256`` started as a process we own
  (PIPELINING, CHUNKING, ENHANCEDSTATUSCODES; accepts and discards everything).
"""

from __future__ import annotations

import dataclasses
import os
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from servers._harness import ServerProcess, TLSFiles, find_program, free_port, server_unavailable

USER = "alice"
PASSWORD = "s3cret pass"


@dataclasses.dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    mail_options: list[str]
    rcpt_options: list[str]


class RecordingHandler:
    """aiosmtpd handler keeping what it accepted (thread-safe enough for tests)."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.split("@")[0].startswith("reject"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(Received(
                envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content),
                list(envelope.mail_options), list(envelope.rcpt_options),
            ))
        return "250 2.0.0 accepted"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


@dataclasses.dataclass
class AioSMTPServer:
    host: str
    port: int
    handler: RecordingHandler
    user: str = USER
    password: str = PASSWORD
    ca_pem: str = ""


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                   auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def _start(tls: TLSFiles, implicit_tls: bool) -> tuple[Any, AioSMTPServer]:
    try:
        from aiosmtpd.controller import Controller
    except ImportError as exc:  # pragma: no cover
        server_unavailable("aiosmtpd", str(exc))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls.cert_pem, tls.key_pem)
    handler = RecordingHandler()
    port = free_port()
    kwargs: dict[str, Any] = dict(
        hostname="127.0.0.1", port=port, authenticator=_authenticator,
        auth_require_tls=False, enable_SMTPUTF8=True, ready_timeout=10,
    )
    if implicit_tls:
        kwargs["ssl_context"] = context
    else:
        kwargs["tls_context"] = context
    controller = Controller(handler, **kwargs)
    controller.start()
    return controller, AioSMTPServer("127.0.0.1", port, handler, ca_pem=tls.ca_pem)


@pytest.fixture(scope="session")
def aiosmtpd_server(tls_ca: TLSFiles) -> Iterator[AioSMTPServer]:
    controller, server = _start(tls_ca, implicit_tls=False)
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def aiosmtpd_tls_server(tls_ca: TLSFiles) -> Iterator[AioSMTPServer]:
    controller, server = _start(tls_ca, implicit_tls=True)
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtpd(aiosmtpd_server: AioSMTPServer) -> AioSMTPServer:
    """The aiosmtpd server with an empty record."""
    aiosmtpd_server.handler.clear()
    return aiosmtpd_server


@dataclasses.dataclass
class SinkServer:
    host: str
    port: int


def start_smtp_sink(port: int, *extra: str) -> ServerProcess:
    """Start ``smtp-sink`` on 127.0.0.1:port (raises if it cannot)."""
    program = find_program("smtp-sink", "/usr/lib/postfix/sbin")
    if program is None:
        raise FileNotFoundError("smtp-sink not found (apt-get install postfix)")
    argv = [program]
    if os.geteuid() == 0:
        argv += ["-u", "nobody"]
    argv += [*extra, f"127.0.0.1:{port}", "256"]
    return ServerProcess(argv, name="smtp-sink", ready=("127.0.0.1", port))


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SinkServer]:
    port = free_port()
    try:
        proc = start_smtp_sink(port)
    except (FileNotFoundError, RuntimeError) as exc:
        server_unavailable("smtp-sink", str(exc))
    try:
        yield SinkServer("127.0.0.1", port)
    finally:
        proc.stop()
