"""The blocking clients: :class:`SMTP`, :class:`SMTP_SSL`, :class:`LMTP`.

Thin: each public method runs one exchange from :mod:`tether.smtp._exchanges` with
:func:`tether._drive.run_sync` over a :class:`~tether.net.SocketStream` wrapped around
``self.sock``. ``self.sock`` stays the live socket object smtplib users know (an
``ssl.SSLSocket`` under TLS); if a caller or subclass replaces it (``_get_socket``
overrides for SOCKS proxies, hand-made TLS wrapping), the next call wraps the new one.
"""

from __future__ import annotations

import socket as _socket
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from tether import net
from tether._drive import Exchange, run_sync
from tether.smtp import _bulk, _wire
from tether.smtp import _exchanges as ex
from tether.smtp._base import SMTP_SSL_PORT, SMTPBase, package
from tether.smtp._bulk import Outgoing, Result
from tether.smtp._errors import (
    SMTPConnectError,
    SMTPReplyTooLong,
    SMTPResponseException,
    SMTPServerDisconnected,
)

__all__ = ["LMTP", "LMTP_PORT", "SMTP", "SMTP_SSL"]

LMTP_PORT = 2003
R = TypeVar("R")
_DEFAULT: Any = _socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]


def _tls_context_factory(
    keyfile: str | None, certfile: str | None, context: Any, stacklevel: int = 4
) -> Callable[[], Any]:
    """smtplib's argument rules; without a context, tether's verifying one."""

    def build() -> Any:
        if context is not None and keyfile is not None:
            raise ValueError("context and keyfile arguments are mutually exclusive")
        if context is not None and certfile is not None:
            raise ValueError("context and certfile arguments are mutually exclusive")
        if keyfile is not None or certfile is not None:
            warnings.warn(
                "keyfile and certfile are deprecated, use a custom context instead",
                DeprecationWarning,
                stacklevel,
            )
        if context is not None:
            return context
        if certfile:
            cert = (certfile, keyfile) if keyfile else certfile
            return net.create_ssl_context(cert=cert)
        return net.create_ssl_context()

    return build


class SMTP(SMTPBase):
    """An SMTP client, compatible with :class:`smtplib.SMTP` (see the module docs).

    Extra keyword: ``allow_cleartext_auth=True`` lets ``login()``/``auth()`` send a
    password over a connection that is neither TLS nor to a loopback address.
    """

    def __init__(
        self,
        host: str = "",
        port: int = 0,
        local_hostname: str | None = None,
        timeout: Any = _DEFAULT,
        source_address: tuple[str, int] | None = None,
        *,
        allow_cleartext_auth: bool = False,
    ) -> None:
        self._init_state(host, timeout, source_address, local_hostname, allow_cleartext_auth)
        self._fresh: net.SyncStream | None = None
        if host:
            code, msg = self.connect(host, port)
            if code != 220:
                self.close()
                raise SMTPConnectError(code, msg)

    _reference_class: type | None = None  # set below, once the class exists

    def __enter__(self) -> SMTP:
        return self

    def __exit__(self, *args: object) -> None:
        try:
            code, message = self.docmd("QUIT")
            if code != 221:
                raise SMTPResponseException(code, message)
        except SMTPServerDisconnected:
            pass
        finally:
            self.close()

    # -- running exchanges ------------------------------------------------------------
    def _sync_link(self) -> _wire.Link:
        link = self._link
        sock = self.sock
        if sock is None:
            link.stream = link.sock = None
        elif sock is not link.sock:
            fresh = self._fresh
            self._fresh = None
            if fresh is not None and fresh.get_extra_info("socket") is sock:
                link.stream = fresh
            else:
                link.stream = net.SocketStream(sock, self._timeouts())
            link.sock = sock
        return link

    def _run(self, exchange: Exchange[R]) -> R:
        link = self._sync_link()
        self._engine.max_line = self._max_line()
        outer = self._deadline is None
        if outer:
            self._deadline = self._timeouts().deadline()
        try:
            return run_sync(exchange, link, self._deadline)
        except (SMTPServerDisconnected, SMTPReplyTooLong):
            self.close()
            raise
        finally:
            if outer:
                self._deadline = None

    # -- connecting ----------------------------------------------------------------------
    def _get_socket(self, host: str, port: int, timeout: Any) -> Any:
        if timeout is not None and not timeout:
            raise ValueError("Non-blocking socket (timeout=0) is not supported")
        if self.debuglevel > 0:
            self._print_debug("connect: to", (host, port), self.source_address)
        sockmod = package().socket
        if sockmod is not _socket:
            # ``tether.smtp.socket`` was replaced (test doubles, PySocks' wrapmodule):
            # honour it, as smtplib would.
            return sockmod.create_connection((host, port), timeout, self.source_address)
        stream = net.connect_tcp(
            host,
            port,
            timeouts=self._timeouts(),
            deadline=self._deadline,
            local_address=self.source_address,
        )
        self._fresh = stream
        return stream.get_extra_info("socket")

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: tuple[str, int] | None = None
    ) -> tuple[int, bytes]:
        """Connect to ``host`` (``"host:port"`` accepted) and read the greeting."""
        if source_address:
            self.source_address = source_address
        if not port and (host.find(":") == host.rfind(":")):
            i = host.rfind(":")
            if i >= 0:
                host, port_text = host[:i], host[i + 1 :]
                try:
                    port = int(port_text)
                except ValueError:
                    raise OSError("nonnumeric port") from None
        if not port:
            port = self.default_port
        sys.audit("smtplib.connect", self, host, port)
        if not self._host:
            self._host = host
        self._port = port
        self._engine.reset()
        self.sock = self._get_socket(host, port, self.timeout)
        self.file = None
        code, msg = self.getreply()
        if self.debuglevel > 0:
            self._print_debug("connect:", repr(msg))
        return code, msg

    def close(self) -> None:
        """Close the connection to the SMTP server."""
        try:
            file = self.file
            self.file = None
            if file:
                file.close()
        finally:
            sock = self.sock
            self.sock = None
            link = self._link
            stream = link.stream if link.sock is sock else None
            link.stream = link.sock = None
            self._fresh = None
            self._engine.reset()
            if stream is not None:
                stream.close()
            elif sock:
                sock.close()

    # -- the wire, as smtplib exposes it ---------------------------------------------
    def send(self, s: str | bytes) -> None:
        """Send ``s`` (``str`` in ``command_encoding``) to the server."""
        data = s.encode(self.command_encoding) if isinstance(s, str) else s
        sys.audit("smtplib.send", self, data)
        self._run(_wire.send(self, self._engine.raw(data)))

    def putcmd(self, cmd: str, args: str = "") -> None:
        """Send a command to the server."""
        self._run(_wire.command(self, cmd, args))

    def getreply(self) -> tuple[int, bytes]:
        """Read a reply: ``(code, message)``; code -1 if the server sent no valid code."""
        return self._run(_wire.read_reply(self)).as_tuple()

    def docmd(self, cmd: str, args: str = "") -> tuple[int, bytes]:
        """Send a command, and return its response code."""
        self.putcmd(cmd, args)
        return self.getreply()

    # -- commands ---------------------------------------------------------------------------
    def helo(self, name: str = "") -> tuple[int, bytes]:
        """SMTP HELO; ``name`` defaults to ``local_hostname``."""
        return self._run(ex.helo(self, name))

    def ehlo(self, name: str = "") -> tuple[int, bytes]:
        """SMTP EHLO (LHLO for LMTP); fills ``esmtp_features``."""
        return self._run(ex.ehlo(self, name))

    def help(self, args: str = "") -> bytes:
        """SMTP HELP; returns the help text."""
        return self._run(ex.simple(self, "help", args))[1]

    def rset(self) -> tuple[int, bytes]:
        """SMTP RSET: abort the current transaction."""
        return self._run(ex.rset(self))

    def _rset(self) -> None:
        self._run(ex.quiet_rset(self))

    def noop(self) -> tuple[int, bytes]:
        """SMTP NOOP."""
        return self._run(ex.simple(self, "noop"))

    def mail(self, sender: str, options: Sequence[str] = ()) -> tuple[int, bytes]:
        """SMTP MAIL FROM (options only if the server speaks ESMTP)."""
        return self._run(ex.mail(self, sender, options))

    def rcpt(self, recip: str, options: Sequence[str] = ()) -> tuple[int, bytes]:
        """SMTP RCPT TO."""
        return self._run(ex.rcpt(self, recip, options))

    def data(self, msg: str | bytes) -> tuple[int, bytes]:
        """SMTP DATA: line endings normalised to CRLF, lines starting with '.' stuffed."""
        return self._run(ex.data(self, msg))

    def verify(self, address: str) -> tuple[int, bytes]:
        """SMTP VRFY."""
        return self._run(ex.verify(self, "vrfy", address))

    vrfy = verify

    def expn(self, address: str) -> tuple[int, bytes]:
        """SMTP EXPN."""
        return self._run(ex.verify(self, "expn", address))

    def ehlo_or_helo_if_needed(self) -> None:
        """EHLO (then HELO) unless one was already answered in this session."""
        self._run(ex.ehlo_or_helo_if_needed(self))

    def auth(
        self, mechanism: str, authobject: Callable[..., Any], *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        """SMTP AUTH with an smtplib-style ``authobject(challenge=None) -> str``."""
        return self._run(ex.auth(self, mechanism, authobject, initial_response_ok))

    def login(
        self, user: str, password: str, *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        """Authenticate with CRAM-MD5, PLAIN or LOGIN (first that works).

        PLAIN and LOGIN need TLS, a loopback peer, or ``allow_cleartext_auth=True``.
        """
        return self._run(ex.login(self, user, password, initial_response_ok))

    def login_oauth(self, user: str, token: str | Callable[[], str]) -> tuple[int, bytes]:
        """Authenticate with OAUTHBEARER or XOAUTH2; ``token`` may be a callable."""
        return self._run(ex.login_oauth(self, user, token))

    def starttls(
        self, keyfile: str | None = None, certfile: str | None = None, context: Any = None
    ) -> tuple[int, bytes]:
        """Upgrade to TLS (RFC 3207); without ``context`` the certificate is verified."""
        return self._run(ex.starttls(self, _tls_context_factory(keyfile, certfile, context)))

    def sendmail(
        self,
        from_addr: str,
        to_addrs: str | Sequence[str],
        msg: str | bytes,
        mail_options: Sequence[str] = (),
        rcpt_options: Sequence[str] = (),
    ) -> dict[str, tuple[int, bytes]]:
        """One mail transaction; returns the refused recipients (see smtplib)."""
        return self._run(ex.sendmail(self, from_addr, to_addrs, msg, mail_options, rcpt_options))

    def send_message(
        self,
        msg: Any,
        from_addr: str | None = None,
        to_addrs: str | Sequence[str] | None = None,
        mail_options: Sequence[str] = (),
        rcpt_options: Sequence[str] = (),
    ) -> dict[str, tuple[int, bytes]]:
        """Send an :class:`email.message.Message` through ``sendmail``."""
        return self._run(
            ex.send_message(self, msg, from_addr, to_addrs, mail_options, rcpt_options)
        )

    def send_batched(
        self,
        from_addr: str,
        to_addrs: Sequence[str],
        msg: str | bytes,
        batch_size: int | None = None,
        mail_options: Sequence[str] = (),
        rcpt_options: Sequence[str] = (),
    ) -> dict[str, tuple[int, bytes]]:
        """One message to many recipients, at most ``batch_size`` RCPTs per transaction."""
        return self._run(
            ex.send_batched(self, from_addr, to_addrs, msg, batch_size, mail_options, rcpt_options)
        )

    def send_many(
        self,
        messages: Iterable[Outgoing],
        mail_options: Sequence[str] = (),
        rcpt_options: Sequence[str] = (),
    ) -> list[Result]:
        """Send many messages on this connection, one round trip each with PIPELINING.

        Each item is ``(from_addr, to_addrs, msg)`` as for :meth:`sendmail`, or an
        :class:`email.message.Message` as for :meth:`send_message`. Returns one entry
        per message, in order: the refused-recipients dict ``sendmail`` would return,
        or the :class:`SMTPException` it would raise (the other messages are still
        sent). If the connection ends, raises :class:`SMTPServerDisconnected` whose
        ``results`` attribute lists the outcomes so far (``None``: unknown). A
        ``TimeoutConfig.total`` bounds the whole call.
        """
        return self._run(_bulk.send_many(self, messages, mail_options, rcpt_options))

    def quit(self) -> tuple[int, bytes]:
        """SMTP QUIT, then close."""
        return self._run(ex.quit(self))


SMTP._reference_class = SMTP


class SMTP_SSL(SMTP):
    """SMTP over implicit TLS (port 465); the certificate is verified by default."""

    default_port = SMTP_SSL_PORT

    def __init__(
        self,
        host: str = "",
        port: int = 0,
        local_hostname: str | None = None,
        keyfile: str | None = None,
        certfile: str | None = None,
        timeout: Any = _DEFAULT,
        source_address: tuple[str, int] | None = None,
        context: Any = None,
        *,
        allow_cleartext_auth: bool = False,
    ) -> None:
        self.keyfile = keyfile
        self.certfile = certfile
        self.context = _tls_context_factory(keyfile, certfile, context, stacklevel=3)()
        SMTP.__init__(
            self,
            host,
            port,
            local_hostname,
            timeout,
            source_address,
            allow_cleartext_auth=allow_cleartext_auth,
        )

    def _get_socket(self, host: str, port: int, timeout: Any) -> Any:
        if self.debuglevel > 0:
            self._print_debug("connect:", (host, port))
        sock = super()._get_socket(host, port, timeout)
        fresh = self._fresh
        plain = fresh if fresh is not None else net.SocketStream(sock, self._timeouts())
        try:
            tls = plain.start_tls(self.context, self._host or host)
        except BaseException:
            plain.close()
            raise
        self._fresh = tls
        return tls.get_extra_info("socket")


class LMTP(SMTP):
    """LMTP (RFC 2033) over TCP or, with a host starting with ``/``, a Unix socket."""

    ehlo_msg = "lhlo"

    def __init__(
        self,
        host: str = "",
        port: int = LMTP_PORT,
        local_hostname: str | None = None,
        source_address: tuple[str, int] | None = None,
        timeout: Any = _DEFAULT,
        *,
        allow_cleartext_auth: bool = False,
    ) -> None:
        super().__init__(
            host,
            port,
            local_hostname=local_hostname,
            source_address=source_address,
            timeout=timeout,
            allow_cleartext_auth=allow_cleartext_auth,
        )

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: tuple[str, int] | None = None
    ) -> tuple[int, bytes]:
        """Connect over TCP, or to the Unix socket at ``host`` if it starts with '/'."""
        if host[0] != "/":
            return super().connect(host, port, source_address=source_address)
        if self.timeout is not None and not self.timeout:
            raise ValueError("Non-blocking socket (timeout=0) is not supported")
        # A Unix-domain socket is made through ``tether.smtp.socket`` like smtplib does
        # (tests replace that module); net/ has no Unix-socket connector yet.
        sockmod = package().socket
        self._engine.reset()
        try:
            self.sock = sockmod.socket(sockmod.AF_UNIX, sockmod.SOCK_STREAM)
            if self.timeout is not _DEFAULT:
                self.sock.settimeout(self.timeout)
            self.file = None
            self.sock.connect(host)
        except OSError:
            if self.debuglevel > 0:
                self._print_debug("connect fail:", host)
            if self.sock:
                self.sock.close()
            self.sock = None
            raise
        code, msg = self.getreply()
        if self.debuglevel > 0:
            self._print_debug("connect:", msg)
        return code, msg
