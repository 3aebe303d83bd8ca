"""The demo's SMTP server: aiosmtpd with STARTTLS and AUTH PLAIN/LOGIN, delivering to a MailStore.

Two listeners share one handler: a submission-style port (RFC 6409) where STARTTLS is
required before AUTH and AUTH before MAIL, and an implicit-TLS port (RFC 8314) where
AUTH is required at once. A recipient without a mailbox is refused with 550.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import warnings
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tether.demo._servers.mailstore import MailStore

#: Largest message the demo server accepts (advertised with SIZE, RFC 1870).
MAX_MESSAGE_SIZE = 10 * 1024 * 1024


class _Handler:
    def __init__(self, store: MailStore) -> None:
        self.store = store
        self.received = 0

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if MailStore.mailbox_of(address) not in self.store.passwords:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        for rcpt in envelope.rcpt_tos:
            self.store.deliver(envelope.mail_from or "", rcpt, content)
        self.received += 1
        return "250 2.0.0 Message accepted for delivery"


class _Authenticator:
    def __init__(self, store: MailStore) -> None:
        self.store = store

    def __call__(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                 auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            password = auth_data.password.decode("utf-8", "replace")
            if self.store.check_password(login, password):
                return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)


class DemoSMTPServer:
    """``await start_submission()`` (STARTTLS) and ``await start_smtps()`` on the server loop."""

    def __init__(self, store: MailStore, tls: ssl.SSLContext) -> None:
        self.store = store
        self.tls = tls
        self.handler = _Handler(store)
        self.authenticator = _Authenticator(store)
        self.port = 0
        self.tls_port = 0
        # aiosmtpd logs a deprecation warning of its own on every AUTH; the demo's output
        # is for the user, so only its errors are let through.
        logging.getLogger("mail.log").setLevel(logging.ERROR)

    def _protocol(self, implicit_tls: bool) -> SMTP:
        with warnings.catch_warnings():
            # On the implicit-TLS port the transport is TLS from the first byte, so
            # aiosmtpd's "AUTH while not requiring TLS" warning does not apply there.
            warnings.simplefilter("ignore", UserWarning)
            return self._make_protocol(implicit_tls)

    def _make_protocol(self, implicit_tls: bool) -> SMTP:
        return SMTP(
            self.handler,
            hostname="localhost",
            ident="tether demo ESMTP",
            data_size_limit=MAX_MESSAGE_SIZE,
            tls_context=None if implicit_tls else self.tls,
            require_starttls=not implicit_tls,
            auth_required=True,
            auth_require_tls=not implicit_tls,
            authenticator=self.authenticator,
            loop=asyncio.get_running_loop(),
        )

    async def start_submission(self, host: str = "127.0.0.1") -> asyncio.AbstractServer:
        server = await asyncio.get_running_loop().create_server(
            lambda: self._protocol(False), host, 0)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def start_smtps(self, host: str = "127.0.0.1") -> asyncio.AbstractServer:
        server = await asyncio.get_running_loop().create_server(
            lambda: self._protocol(True), host, 0, ssl=self.tls)
        self.tls_port = server.sockets[0].getsockname()[1]
        return server
