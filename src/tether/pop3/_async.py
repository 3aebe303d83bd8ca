"""asyncio POP3 clients: ``AsyncPOP3`` and ``AsyncPOP3_SSL``.

The same methods as :class:`tether.pop3.POP3`, as coroutines, running the same
exchanges (:mod:`tether.pop3._exchanges`) with :func:`tether._drive.run_async`.
Construction does no I/O: ``await client.connect()`` (or ``async with``) connects and
reads the greeting::

    async with AsyncPOP3_SSL("pop.example.com") as pop:
        await pop.user("me"); await pop.pass_(secret)
        count, size = await pop.stat()
        data = await pop.retr_bytes(1)
"""

from __future__ import annotations

import socket
import ssl
import sys
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any, Final

from tether._drive import AsyncTransport, run_async
from tether.net import connect_tcp_async, create_ssl_context, timeouts_from_stdlib
from tether.pop3 import _auth as au
from tether.pop3 import _exchanges as ex
from tether.pop3._errors import POP3ClosedError, error_proto
from tether.protocols.pop3 import MAX_RESPONSE_LINES, MAX_RESPONSE_SIZE
from tether.protocols.pop3 import sasl as _sasl
from tether.protocols.pop3.wire import join_crlf

#: poplib's multi-line result: (status line, [lines], octets). Named here because
#: the classes define a method called ``list``.
_LongResponse = tuple[bytes, list[bytes], int]
_Capabilities = dict[str, list[str]]
_LongResponses = list[_LongResponse]

__all__ = ["AsyncPOP3", "AsyncPOP3_SSL"]

_DEFAULT: Final[Any] = socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]


class AsyncPOP3:
    """asyncio twin of :class:`tether.pop3.POP3` (same safe defaults, same results).

    ``sock`` is the transport's socket once connected; there is no ``file``.
    """

    encoding = "UTF-8"
    default_port = 110

    def __init__(
        self,
        host: str,
        port: int | None = None,
        timeout: Any = _DEFAULT,
        *,
        allow_cleartext_auth: bool = False,
        max_response_size: int = MAX_RESPONSE_SIZE,
        max_response_lines: int = MAX_RESPONSE_LINES,
    ) -> None:
        self.host = host
        self.port = self.default_port if port is None else port
        self._debugging = 0
        self.sock: Any = None
        self.welcome = b""
        self._tls_established = False
        self._s = ex.Session(host, self.port, timeouts_from_stdlib(timeout),
                             allow_cleartext_auth, max_response_size, max_response_lines,
                             owner=self)

    def _tls_arguments(self) -> dict[str, Any]:
        return {}

    async def connect(self) -> bytes:
        """Connect, (TLS handshake for ``AsyncPOP3_SSL``), read and return the greeting."""
        sys.audit("poplib.connect", self, self.host, self.port)
        s = self._s
        deadline = s.timeouts.deadline()
        stream = await connect_tcp_async(self.host, self.port, timeouts=s.timeouts,
                                         deadline=deadline, **self._tls_arguments())
        self._attach(stream)
        try:
            self.welcome = await run_async(ex.guarded(s, ex.greeting(s)), s.transport, deadline)
        except BaseException:
            await self.close()
            raise
        return self.welcome

    def _attach(self, stream: Any) -> None:
        self._s.transport = AsyncTransport(stream)
        self._s.tls = stream.get_extra_info("ssl_object") is not None
        self.sock = stream.get_extra_info("socket")

    def _session(self) -> ex.Session:
        s = self._s
        if s.transport is None:
            raise POP3ClosedError("the POP3 connection is not open (call connect())")
        s.encoding = self.encoding
        s.debuglevel = self._debugging
        return s

    async def _run(self, exchange: Any) -> Any:
        # ex.guarded's work, done here: one generator frame less on every call.
        s = self._s
        total = s.timeouts.total
        deadline = None if total is None else s.timeouts.deadline()
        try:
            return await run_async(exchange, s.transport, deadline)
        except BaseException as exc:
            new = ex.failed(s, exc)
            if new is None:
                raise
            raise new from exc

    async def _shortcmd(self, line: str) -> bytes:
        return await self._run(ex.short(self._session(), line))  # type: ignore[no-any-return]

    async def _longcmd(self, line: str) -> _LongResponse:
        return await self._run(ex.long_lines(self._session(), line))  # type: ignore[no-any-return]

    def getwelcome(self) -> bytes:
        return self.welcome

    def set_debuglevel(self, level: int) -> None:
        self._debugging = level

    async def user(self, user: str) -> bytes:
        return await self._run(au.user(self._session(), user))  # type: ignore[no-any-return]

    async def pass_(self, pswd: str) -> bytes:
        return await self._run(au.pass_(self._session(), pswd))  # type: ignore[no-any-return]

    async def stat(self) -> tuple[int, int]:
        return await self._run(ex.stat(self._session()))  # type: ignore[no-any-return]

    async def list(self, which: Any = None) -> Any:
        if which is not None:
            return await self._shortcmd(f"LIST {which}")
        return await self._longcmd("LIST")

    async def retr(self, which: Any) -> _LongResponse:
        return await self._run(ex.retr_lines(self._session(), which))  # type: ignore[no-any-return]

    async def dele(self, which: Any) -> bytes:
        return await self._shortcmd(f"DELE {which}")

    async def noop(self) -> bytes:
        return await self._shortcmd("NOOP")

    async def rset(self) -> bytes:
        return await self._shortcmd("RSET")

    async def quit(self) -> bytes:
        resp = await self._run(ex.quit(self._session()))
        await self.close()
        return resp  # type: ignore[no-any-return]

    async def close(self) -> None:
        s = self._s
        self.sock = None
        if s.transport is not None:
            stream, s.transport = s.transport.stream, None
            await stream.aclose()

    async def rpop(self, user: str) -> bytes:
        return await self._run(au.rpop(self._session(), user))  # type: ignore[no-any-return]

    async def apop(self, user: str, password: str) -> bytes:
        return await self._run(  # type: ignore[no-any-return]
            au.apop(self._session(), user, password, self.welcome))

    async def top(self, which: Any, howmuch: Any) -> _LongResponse:
        return await self._longcmd(f"TOP {which} {howmuch}")

    async def uidl(self, which: Any = None) -> Any:
        if which is not None:
            return await self._shortcmd(f"UIDL {which}")
        return await self._longcmd("UIDL")

    async def utf8(self) -> bytes:
        return await self._shortcmd("UTF8")

    async def capa(self) -> _Capabilities:
        return await self._run(ex.capa(self._session()))  # type: ignore[no-any-return]

    async def stls(self, context: ssl.SSLContext | None = None) -> bytes:
        """STLS with certificate verification unless ``context`` says otherwise."""
        if self._tls_established or self._s.tls:
            raise error_proto("-ERR TLS session already established")
        if context is None:
            context = create_ssl_context()
        s = self._session()
        resp = await self._run(ex.stls(s, context, self.host))
        self._attach(s.transport.stream)
        self._tls_established = True
        return resp  # type: ignore[no-any-return]

    async def auth(self, username: str, password: str | None = None, *,
                   mechanism: str | _sasl.Mechanism | None = None, token: Any = None,
                   authzid: str = "") -> bytes:
        """SASL AUTH; see :meth:`tether.pop3.POP3.auth`."""
        return await self._run(au.auth(  # type: ignore[no-any-return]
            self._session(), username, password, token, mechanism, authzid))

    async def retr_bytes(self, which: Any) -> bytes:
        return await self._run(ex.retr_bytes(self._session(), which))  # type: ignore[no-any-return]

    async def iter_retr(self, which: Any) -> AsyncIterator[bytes]:
        """Stream message ``which`` in chunks; see :meth:`tether.pop3.POP3.iter_retr`."""
        s = self._session()
        deadline = s.timeouts.deadline()
        token = object()
        await run_async(ex.guarded(s, ex.stream_start(s, f"RETR {which}", token)), s.transport,
                        deadline)
        finished = False
        try:
            while True:
                chunk = await run_async(ex.guarded(s, ex.stream_next(s, token)), s.transport,
                                        deadline)
                if chunk is None:
                    finished = True
                    return
                yield chunk
        finally:
            if not finished and s.active_stream is token:
                s.engine.abandon()
                s.active_stream = None

    async def top_many(self, numbers: Iterable[Any], howmuch: Any = 0, *,
                       window: int = 64) -> _LongResponses:
        """Pipelined TOP; see :meth:`tether.pop3.POP3.top_many`."""
        return await self._run(ex.top_many(  # type: ignore[no-any-return]
            self._session(), list(numbers), howmuch, window))

    async def retr_many(self, numbers: Iterable[Any], *,
                        window: int = 8) -> AsyncIterator[tuple[Any, bytes]]:
        """Pipelined RETR; see :meth:`tether.pop3.POP3.retr_many`."""
        s = self._session()
        deadline = s.timeouts.deadline()
        width = await run_async(ex.guarded(s, ex.pipeline_window(s, window)), s.transport,
                                deadline)
        token = object()
        pipe = ex.Pipeline(deque((n, f"RETR {n}") for n in numbers), width)
        s.active_stream = token
        try:
            while not pipe.done:
                key, _, body = await run_async(
                    ex.guarded(s, ex.pipeline_next(s, pipe, token)), s.transport, deadline)
                yield key, join_crlf(body)
        finally:
            if s.active_stream is token:
                s.engine.abandon()
                s.active_stream = None

    async def __aenter__(self) -> AsyncPOP3:
        if self._s.transport is None:
            await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._s.transport is not None and exc[0] is None:
            try:
                await self.quit()
                return
            except (OSError, error_proto):
                pass
        await self.close()


class AsyncPOP3_SSL(AsyncPOP3):
    """:class:`AsyncPOP3` over implicit TLS (port 995), certificates verified by default."""

    default_port = 995

    def __init__(self, host: str, port: int | None = None, timeout: Any = _DEFAULT,
                 context: ssl.SSLContext | None = None, **kwargs: Any) -> None:
        super().__init__(host, port, timeout, **kwargs)
        self.context = context if context is not None else create_ssl_context()

    def _tls_arguments(self) -> dict[str, Any]:
        return {"ssl_context": self.context, "server_hostname": self.host}

    async def stls(self, context: ssl.SSLContext | None = None) -> bytes:
        raise error_proto("-ERR TLS session already established")
