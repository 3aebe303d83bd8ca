"""Blocking POP3 clients: ``POP3`` and ``POP3_SSL``, poplib's classes over tether's engine.

Thin: each method runs one exchange from :mod:`tether.pop3._exchanges` with
:func:`tether._drive.run_sync`, under a fresh total deadline when the timeout config
has one. ``sock`` is the live socket (an ``ssl.SSLSocket`` under TLS) and ``file`` a
readable binary file that shares the engine's buffer, so programs that read either
stay in step with the client.
"""

from __future__ import annotations

import io
import re
import socket
import ssl
import sys
import warnings
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, Final

from tether._drive import SyncTransport, run_sync
from tether.errors import LimitExceeded
from tether.net import SocketStream, SyncStream, TimeoutConfig, connect_tcp, create_ssl_context
from tether.net import timeouts_from_stdlib as _timeouts_from_stdlib
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

__all__ = ["POP3", "POP3_PORT", "POP3_SSL", "POP3_SSL_PORT"]

POP3_PORT: Final = 110
POP3_SSL_PORT: Final = 995
_DEFAULT: Final[Any] = socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]


class _WireFile(io.RawIOBase):
    """``POP3.file``: reads what the engine has buffered first, then the socket."""

    def __init__(self, session: ex.Session) -> None:
        super().__init__()
        self._session = session

    def readable(self) -> bool:
        return True

    def _fill(self) -> bool:
        data = self._session.transport.stream.read(ex.READ_SIZE)
        if not data:
            return False
        self._session.engine.buffer.feed(data)
        return True

    def readinto(self, buffer: Any) -> int:
        buf = self._session.engine.buffer
        if not buf and not self._fill():
            return 0
        data = buf.take_up_to(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        buf = self._session.engine.buffer
        limit = sys.maxsize if size is None or size < 0 else size
        if limit == 0:
            return b""
        while True:
            try:
                line = buf.take_until(b"\n", limit - 1, include=True)
            except LimitExceeded:
                return buf.take_up_to(limit)  # a partial line, as io.BufferedReader does
            if line is not None:
                return line
            if not self._fill():
                return buf.take_up_to(limit)


class POP3:
    """A POP3 client (poplib's ``POP3``), connected and greeted on construction.

    ``timeout`` keeps poplib's meaning (a socket timeout for every wait; the default
    honours :func:`socket.setdefaulttimeout`, else tether's finite defaults) and also
    accepts a :class:`tether.TimeoutConfig`, whose ``total`` bounds each method call.
    """

    encoding = "UTF-8"
    #: poplib's APOP greeting pattern, kept for programs that read it; ``apop()`` uses
    #: a linear-time parser with the same result.
    timestamp = re.compile(rb"\+OK.[^<]*(<.*>)")

    def __init__(
        self,
        host: str,
        port: int = POP3_PORT,
        timeout: Any = _DEFAULT,
        *,
        allow_cleartext_auth: bool = False,
        max_response_size: int = MAX_RESPONSE_SIZE,
        max_response_lines: int = MAX_RESPONSE_LINES,
    ) -> None:
        self.host = host
        self.port = port
        self._tls_established = False
        self._debugging = 0
        self.sock: Any = None
        self.file: Any = None
        self.welcome = b""
        sys.audit("poplib.connect", self, host, port)
        timeouts = _timeouts_from_stdlib(timeout)
        self._s = ex.Session(host, port, timeouts, allow_cleartext_auth,
                             max_response_size, max_response_lines, owner=self)
        deadline = timeouts.deadline()
        stream = self._open_stream(timeout, deadline)
        self._attach(stream)
        try:
            self.welcome = run_sync(ex.guarded(self._s, ex.greeting(self._s)),
                                    self._s.transport, deadline)
        except BaseException:
            self.close()
            raise

    # -- connection plumbing --------------------------------------------------------
    def _open_stream(self, timeout: Any, deadline: Any) -> SyncStream:
        if type(self)._create_socket not in _OWN_CREATE_SOCKET:
            # A subclass supplies its own socket (a proxy, a pre-connected socket...).
            sock = self._create_socket(timeout)
            return SocketStream(sock, self._s.timeouts)
        return connect_tcp(self.host, self.port, timeouts=self._s.timeouts, deadline=deadline,
                           **self._tls_arguments())

    def _tls_arguments(self) -> dict[str, Any]:
        return {}

    def _create_socket(self, timeout: Any) -> Any:
        """poplib's hook: a connected socket. Subclasses may override it."""
        if isinstance(timeout, TimeoutConfig):
            timeout = timeout.connect
        return socket.create_connection((self.host, self.port), timeout)

    def _attach(self, stream: SyncStream) -> None:
        self._s.transport = SyncTransport(stream)
        self._s.tls = stream.get_extra_info("ssl_object") is not None
        self.sock = stream.get_extra_info("socket")
        self.file = _WireFile(self._s)

    def _session(self) -> ex.Session:
        s: ex.Session | None = self.__dict__.get("_s")
        if s is None:
            s = self._adopt_socket()
        if s.transport is None:
            raise POP3ClosedError("the POP3 connection is closed")
        s.encoding = self.encoding
        s.debuglevel = self._debugging
        return s

    def _adopt_socket(self) -> ex.Session:
        # A subclass that replaced __init__ and set ``self.sock`` itself (getmail does).
        sock = getattr(self, "sock", None)
        if sock is None:
            raise POP3ClosedError("the POP3 connection is closed")
        timeouts = _timeouts_from_stdlib(sock.gettimeout())
        self._s = ex.Session(getattr(self, "host", "?"), getattr(self, "port", 0), timeouts,
                             owner=self)
        self._s.transport = SyncTransport(SocketStream(sock, timeouts))
        self._s.tls = isinstance(sock, ssl.SSLSocket)
        self._debugging = getattr(self, "_debugging", 0)
        return self._s

    def _run(self, exchange: Any) -> Any:
        # ex.guarded's work, done here: one generator frame less on every call. The
        # exchange was made with self._session(), which checked the connection.
        s = self._s
        total = s.timeouts.total
        deadline = None if total is None else s.timeouts.deadline()
        try:
            return run_sync(exchange, s.transport, deadline)
        except BaseException as exc:
            new = ex.failed(s, exc)
            if new is None:
                raise
            raise new from exc

    # -- poplib's internal helpers (used by real programs) ---------------------------
    def _putline(self, line: bytes) -> None:
        if self._debugging > 1:
            print("*put*", repr(line))
        self._run(ex.send_raw(self._session(), line))

    def _putcmd(self, line: str) -> None:
        self._putline(line.encode(self.encoding))

    def _getline(self) -> tuple[bytes, int]:
        self._session()
        line = self.file.readline(ex.maxline() + 1)
        if len(line) > ex.maxline():
            raise error_proto("line too long")
        if not line:
            raise error_proto("-ERR EOF")
        octets = len(line)
        if line[-2:] == b"\r\n":
            return line[:-2], octets
        if line[:1] == b"\r":
            return line[1:-1], octets
        return line[:-1], octets

    def _getresp(self) -> bytes:
        return self._run(ex.read_response(self._session(), False))  # type: ignore[no-any-return]

    def _getlongresp(self) -> _LongResponse:
        return self._run(ex.read_response(self._session(), True))  # type: ignore[no-any-return]

    def _shortcmd(self, line: str) -> bytes:
        return self._run(ex.short(self._session(), line))  # type: ignore[no-any-return]

    def _longcmd(self, line: str) -> _LongResponse:
        return self._run(ex.long_lines(self._session(), line))  # type: ignore[no-any-return]

    # -- poplib's public methods ---------------------------------------------------------
    def getwelcome(self) -> bytes:
        return self.welcome

    def set_debuglevel(self, level: int) -> None:
        self._debugging = level

    def user(self, user: str) -> bytes:
        """USER; refused on a cleartext non-loopback connection (see module docs)."""
        return self._run(au.user(self._session(), user))  # type: ignore[no-any-return]

    def pass_(self, pswd: str) -> bytes:
        """PASS; refused on a cleartext non-loopback connection (see module docs)."""
        return self._run(au.pass_(self._session(), pswd))  # type: ignore[no-any-return]

    def stat(self) -> tuple[int, int]:
        return self._run(ex.stat(self._session()))  # type: ignore[no-any-return]

    def list(self, which: Any = None) -> Any:
        if which is not None:
            return self._shortcmd(f"LIST {which}")
        return self._longcmd("LIST")

    def retr(self, which: Any) -> _LongResponse:
        return self._run(ex.retr_lines(self._session(), which))  # type: ignore[no-any-return]

    def dele(self, which: Any) -> bytes:
        return self._shortcmd(f"DELE {which}")

    def noop(self) -> bytes:
        return self._shortcmd("NOOP")

    def rset(self) -> bytes:
        return self._shortcmd("RSET")

    def quit(self) -> bytes:
        resp = self._run(ex.quit(self._session()))
        self.close()
        return resp  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the connection without assuming anything about it."""
        s: ex.Session | None = self.__dict__.get("_s")
        file, self.file = self.file, None
        sock, self.sock = self.sock, None
        if file is not None:
            file.close()
        if s is not None and s.transport is not None:
            stream, s.transport = s.transport.stream, None
            stream.close()
        elif sock is not None:
            sock.close()

    def rpop(self, user: str) -> bytes:
        return self._run(au.rpop(self._session(), user))  # type: ignore[no-any-return]

    def apop(self, user: str, password: str) -> bytes:
        """APOP (RFC 1939 §7): the password never crosses the wire."""
        return self._run(au.apop(self._session(), user, password,  # type: ignore[no-any-return]
                                 self.welcome))

    def top(self, which: Any, howmuch: Any) -> _LongResponse:
        return self._longcmd(f"TOP {which} {howmuch}")

    def uidl(self, which: Any = None) -> Any:
        if which is not None:
            return self._shortcmd(f"UIDL {which}")
        return self._longcmd("UIDL")

    def utf8(self) -> bytes:
        return self._shortcmd("UTF8")

    def capa(self) -> _Capabilities:
        return self._run(ex.capa(self._session()))  # type: ignore[no-any-return]

    def stls(self, context: ssl.SSLContext | None = None) -> bytes:
        """STLS (RFC 2595). Without ``context``, certificates are verified (tether's
        default TLS context); poplib did not verify."""
        if context is None:
            context = create_ssl_context()
        s = self._session()
        resp = self._run(ex.stls(s, context, self.host))
        self._attach(s.transport.stream)
        self._tls_established = True
        return resp  # type: ignore[no-any-return]

    # -- beyond poplib -------------------------------------------------------------------
    def auth(self, username: str, password: str | None = None, *,
             mechanism: str | _sasl.Mechanism | None = None, token: Any = None,
             authzid: str = "") -> bytes:
        """SASL AUTH (RFC 5034): PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER.

        Without ``mechanism`` the best one from ``CAPA SASL`` is used: an OAuth one if
        ``token`` (a string or a callable returning one) is given, else PLAIN, LOGIN or
        CRAM-MD5 (only CRAM-MD5 on a cleartext non-loopback connection).
        """
        return self._run(au.auth(self._session(), username, password,  # type: ignore[no-any-return]
                                 token, mechanism, authzid))

    def retr_bytes(self, which: Any) -> bytes:
        """RETR as one ``bytes`` object with CRLF line ends (fast: no per-line work)."""
        return self._run(ex.retr_bytes(self._session(), which))  # type: ignore[no-any-return]

    def iter_retr(self, which: Any) -> Iterator[bytes]:
        """Stream message ``which`` in chunks (un-stuffed, line ends as sent).

        Memory stays bounded by one network read whatever the message size. Leaving
        the loop early is safe: the rest of the message is skipped by the next command.
        The timeout config's ``total`` bounds the whole iteration.
        """
        s = self._session()
        deadline = s.timeouts.deadline()
        token = object()
        run_sync(ex.guarded(s, ex.stream_start(s, f"RETR {which}", token)), s.transport, deadline)
        finished = False
        try:
            while True:
                chunk = run_sync(ex.guarded(s, ex.stream_next(s, token)), s.transport, deadline)
                if chunk is None:
                    finished = True
                    return
                yield chunk
        finally:
            if not finished and s.active_stream is token:
                s.engine.abandon()
                s.active_stream = None

    def top_many(self, numbers: Iterable[Any], howmuch: Any = 0, *,
                 window: int = 64) -> _LongResponses:
        """``[self.top(n, howmuch) for n in numbers]`` in a fraction of the round trips.

        Up to ``window`` commands are in flight at once when the server announces
        PIPELINING (RFC 2449 §6.6), else they are sent one by one. ``total`` bounds the
        whole call.
        """
        return self._run(ex.top_many(self._session(), list(numbers),  # type: ignore[no-any-return]
                                     howmuch, window))

    def retr_many(self, numbers: Iterable[Any], *,
                  window: int = 8) -> Iterator[tuple[Any, bytes]]:
        """Yield ``(number, retr_bytes(number))`` for each number, pipelined.

        Responses are read one at a time; those in flight wait in the network, so memory
        holds one message. Leaving the loop early is safe.
        """
        s = self._session()
        deadline = s.timeouts.deadline()
        width = run_sync(ex.guarded(s, ex.pipeline_window(s, window)), s.transport, deadline)
        token = object()
        pipe = ex.Pipeline(deque((n, f"RETR {n}") for n in numbers), width)
        s.active_stream = token
        try:
            while not pipe.done:
                key, _, body = run_sync(ex.guarded(s, ex.pipeline_next(s, pipe, token)),
                                        s.transport, deadline)
                yield key, join_crlf(body)
        finally:
            if s.active_stream is token:
                s.engine.abandon()
                s.active_stream = None

    def __enter__(self) -> POP3:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.sock is not None and exc[0] is None:
            try:
                self.quit()
                return
            except (OSError, error_proto):
                pass
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.sock is None else ("TLS" if self._s.tls else "plain")
        return f"<{type(self).__name__} {self.host}:{self.port} {state}>"


class POP3_SSL(POP3):
    """POP3 over implicit TLS (port 995). Certificates are verified by default.

    ``keyfile``/``certfile`` are deprecated as in poplib (a client certificate; prefer
    ``context``). Without ``context`` tether's default TLS context is used: verification
    on, trust from ``SSL_CERT_FILE``/``SSL_CERT_DIR`` or the system store.
    """

    def __init__(
        self,
        host: str,
        port: int = POP3_SSL_PORT,
        keyfile: str | None = None,
        certfile: str | None = None,
        timeout: Any = _DEFAULT,
        context: ssl.SSLContext | None = None,
        *,
        allow_cleartext_auth: bool = False,
        max_response_size: int = MAX_RESPONSE_SIZE,
        max_response_lines: int = MAX_RESPONSE_LINES,
    ) -> None:
        if context is not None and keyfile is not None:
            raise ValueError("context and keyfile arguments are mutually exclusive")
        if context is not None and certfile is not None:
            raise ValueError("context and certfile arguments are mutually exclusive")
        if keyfile is not None or certfile is not None:
            warnings.warn("keyfile and certfile are deprecated, use a custom context instead",
                          DeprecationWarning, 2)
        self.keyfile = keyfile
        self.certfile = certfile
        if context is None:
            cert = (certfile, keyfile) if certfile and keyfile else certfile
            context = create_ssl_context(cert=cert)
        self.context = context
        super().__init__(host, port, timeout, allow_cleartext_auth=allow_cleartext_auth,
                         max_response_size=max_response_size,
                         max_response_lines=max_response_lines)

    def _tls_arguments(self) -> dict[str, Any]:
        return {"ssl_context": self.context, "server_hostname": self.host}

    def _create_socket(self, timeout: Any) -> Any:
        sock = POP3._create_socket(self, timeout)
        return self.context.wrap_socket(sock, server_hostname=self.host)

    def stls(self, keyfile: Any = None, certfile: Any = None,  # type: ignore[override]
             context: ssl.SSLContext | None = None) -> bytes:
        """Always raises: STLS makes no sense on a TLS connection (as poplib)."""
        raise error_proto("-ERR TLS session already established")


_OWN_CREATE_SOCKET = (POP3._create_socket, POP3_SSL._create_socket)
