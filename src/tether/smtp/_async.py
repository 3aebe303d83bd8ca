"""The asyncio client :class:`AsyncSMTP`: the same exchanges, awaited.

Every method is a coroutine wrapping the exchange its blocking twin runs; the
dialogue code is shared (:mod:`tether.smtp._exchanges`). Connecting is explicit:
``await smtp.connect()`` or ``async with AsyncSMTP(host, port) as smtp:``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from tether import net
from tether._drive import Exchange, run_async
from tether.smtp import _bulk, _wire
from tether.smtp import _exchanges as ex
from tether.smtp._base import SMTP_SSL_PORT, SMTPBase
from tether.smtp._bulk import Outgoing, Result
from tether.smtp._client import _DEFAULT, _tls_context_factory
from tether.smtp._errors import (
    SMTPConnectError,
    SMTPReplyTooLong,
    SMTPResponseException,
    SMTPServerDisconnected,
)

__all__ = ["AsyncSMTP"]

R = TypeVar("R")


class AsyncSMTP(SMTPBase):
    """An asyncio SMTP client with :class:`~tether.smtp.SMTP`'s methods as coroutines.

    ``use_tls=True`` connects with implicit TLS (like ``SMTP_SSL``; port 465 by
    default); ``context`` is the SSLContext for it and for ``starttls()``. The
    constructor never does I/O.
    """

    def __init__(
        self,
        host: str = "",
        port: int = 0,
        local_hostname: str | None = None,
        timeout: Any = _DEFAULT,
        source_address: tuple[str, int] | None = None,
        *,
        use_tls: bool = False,
        context: Any = None,
        allow_cleartext_auth: bool = False,
    ) -> None:
        self._init_state(host, timeout, source_address, local_hostname, allow_cleartext_auth)
        self._port = port or None
        self.use_tls = use_tls
        self.context = context
        if use_tls:
            self.default_port = SMTP_SSL_PORT

    _reference_class: type | None = None

    async def __aenter__(self) -> AsyncSMTP:
        if self.sock is None and self._host:
            code, msg = await self.connect()
            if code != 220:
                self.close()
                raise SMTPConnectError(code, msg)
        return self

    async def __aexit__(self, *args: object) -> None:
        try:
            code, message = await self.docmd("QUIT")
            if code != 221:
                raise SMTPResponseException(code, message)
        except SMTPServerDisconnected:
            pass
        finally:
            await self.aclose()

    async def _run(self, exchange: Exchange[R]) -> R:
        link = self._link
        if self.sock is None:
            link.stream = link.sock = None
        self._engine.max_line = self._max_line()
        outer = self._deadline is None
        if outer:
            self._deadline = self._timeouts().deadline()
        try:
            return await run_async(exchange, link, self._deadline)
        except (SMTPServerDisconnected, SMTPReplyTooLong):
            self.close()
            raise
        finally:
            if outer:
                self._deadline = None

    async def connect(
        self,
        host: str | None = None,
        port: int = 0,
        source_address: tuple[str, int] | None = None,
    ) -> tuple[int, bytes]:
        """Connect (``"host:port"`` accepted) and read the greeting."""
        host = host or self._host or "localhost"
        if source_address:
            self.source_address = source_address
        port = port or self._port or 0
        if not port and host.find(":") == host.rfind(":") and ":" in host:
            host, port_text = host.rsplit(":", 1)
            try:
                port = int(port_text)
            except ValueError:
                raise OSError("nonnumeric port") from None
        port = port or self.default_port
        if not self._host:
            self._host = host
        self._port = port
        cfg = self._timeouts()
        if (
            self.timeout is not None
            and not isinstance(self.timeout, net.TimeoutConfig)
            and self.timeout is not _DEFAULT
            and not self.timeout
        ):
            raise ValueError("Non-blocking socket (timeout=0) is not supported")
        if self.debuglevel > 0:
            self._print_debug("connect: to", (host, port), self.source_address)
        self._engine.reset()
        context = _tls_context_factory(None, None, self.context)() if self.use_tls else None
        deadline = cfg.deadline()
        stream = await net.connect_tcp_async(
            host,
            port,
            timeouts=cfg,
            deadline=deadline,
            local_address=self.source_address,
            ssl_context=context,
            server_hostname=self._host if context else None,
        )
        stream.deadline = None
        link = self._link
        link.stream = stream
        self.sock = link.sock = stream.get_extra_info("socket")
        code, msg = await self.getreply()
        if self.debuglevel > 0:
            self._print_debug("connect:", repr(msg))
        return code, msg

    def close(self) -> None:
        """Close the connection at once (no QUIT); see also :meth:`aclose`."""
        link = self._link
        stream = link.stream
        self.sock = None
        link.stream = link.sock = None
        self._engine.reset()
        if stream is not None:
            stream.abort()

    async def aclose(self) -> None:
        """Close the connection, waiting for buffered data to be flushed."""
        link = self._link
        stream = link.stream
        self.sock = None
        link.stream = link.sock = None
        self._engine.reset()
        if stream is not None:
            await stream.aclose()

    async def send(self, s: str | bytes) -> None:
        """Send ``s`` (``str`` in ``command_encoding``) to the server."""
        data = s.encode(self.command_encoding) if isinstance(s, str) else s
        await self._run(_wire.send(self, self._engine.raw(data)))

    async def putcmd(self, cmd: str, args: str = "") -> None:
        """Send a command to the server."""
        await self._run(_wire.command(self, cmd, args))

    async def getreply(self) -> tuple[int, bytes]:
        """Read a reply: ``(code, message)``."""
        return (await self._run(_wire.read_reply(self))).as_tuple()

    async def docmd(self, cmd: str, args: str = "") -> tuple[int, bytes]:
        """Send a command and return its reply."""
        await self.putcmd(cmd, args)
        return await self.getreply()

    async def helo(self, name: str = "") -> tuple[int, bytes]:
        return await self._run(ex.helo(self, name))

    async def ehlo(self, name: str = "") -> tuple[int, bytes]:
        return await self._run(ex.ehlo(self, name))

    async def help(self, args: str = "") -> bytes:
        return (await self._run(ex.simple(self, "help", args)))[1]

    async def rset(self) -> tuple[int, bytes]:
        return await self._run(ex.rset(self))

    async def noop(self) -> tuple[int, bytes]:
        return await self._run(ex.simple(self, "noop"))

    async def mail(self, sender: str, options: Sequence[str] = ()) -> tuple[int, bytes]:
        return await self._run(ex.mail(self, sender, options))

    async def rcpt(self, recip: str, options: Sequence[str] = ()) -> tuple[int, bytes]:
        return await self._run(ex.rcpt(self, recip, options))

    async def data(self, msg: str | bytes) -> tuple[int, bytes]:
        return await self._run(ex.data(self, msg))

    async def verify(self, address: str) -> tuple[int, bytes]:
        return await self._run(ex.verify(self, "vrfy", address))

    vrfy = verify

    async def expn(self, address: str) -> tuple[int, bytes]:
        return await self._run(ex.verify(self, "expn", address))

    async def ehlo_or_helo_if_needed(self) -> None:
        await self._run(ex.ehlo_or_helo_if_needed(self))

    async def auth(
        self, mechanism: str, authobject: Callable[..., Any], *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        return await self._run(ex.auth(self, mechanism, authobject, initial_response_ok))

    async def login(
        self, user: str, password: str, *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        return await self._run(ex.login(self, user, password, initial_response_ok))

    async def login_oauth(self, user: str, token: str | Callable[[], str]) -> tuple[int, bytes]:
        return await self._run(ex.login_oauth(self, user, token))

    async def starttls(
        self, keyfile: str | None = None, certfile: str | None = None, context: Any = None
    ) -> tuple[int, bytes]:
        factory = _tls_context_factory(keyfile, certfile, context or self.context)
        return await self._run(ex.starttls(self, factory))

    async def sendmail(
        self,
        from_addr: str,
        to_addrs: str | Sequence[str],
        msg: str | bytes,
        mail_options: Sequence[str] = (),
        rcpt_options: Sequence[str] = (),
    ) -> dict[str, tuple[int, bytes]]:
        return await self._run(
            ex.sendmail(self, from_addr, to_addrs, msg, mail_options, rcpt_options)
        )

    async def send_message(
        self,
        msg: Any,
        from_addr: str | None = None,
        to_addrs: str | Sequence[str] | None = None,
        mail_options: Sequence[str] = (),
        rcpt_options: Sequence[str] = (),
    ) -> dict[str, tuple[int, bytes]]:
        return await self._run(
            ex.send_message(self, msg, from_addr, to_addrs, mail_options, rcpt_options)
        )

    async def send_batched(
        self,
        from_addr: str,
        to_addrs: Sequence[str],
        msg: str | bytes,
        batch_size: int | None = None,
        mail_options: Sequence[str] = (),
        rcpt_options: Sequence[str] = (),
    ) -> dict[str, tuple[int, bytes]]:
        return await self._run(
            ex.send_batched(self, from_addr, to_addrs, msg, batch_size, mail_options, rcpt_options)
        )

    async def send_many(
        self,
        messages: Iterable[Outgoing],
        mail_options: Sequence[str] = (),
        rcpt_options: Sequence[str] = (),
    ) -> list[Result]:
        """Many messages on this connection; see :meth:`tether.smtp.SMTP.send_many`."""
        return await self._run(_bulk.send_many(self, messages, mail_options, rcpt_options))

    async def quit(self) -> tuple[int, bytes]:
        return await self._run(ex.quit(self))


AsyncSMTP._reference_class = AsyncSMTP
