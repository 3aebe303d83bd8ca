"""Blocking streams over sockets, and connecting with Happy Eyeballs (RFC 8305)."""

from __future__ import annotations

import errno
import ipaddress
import os
import selectors
import socket
import ssl
import time
from typing import Any, Final, cast

from tether import errors
from tether.net._addr import AddrInfo, resolve
from tether.net._base import UNSET, SyncStream, Unset
from tether.net._timeouts import DEFAULT_TIMEOUTS, Deadline, TimeoutConfig, budget, timeout_error
from tether.net._translate import translate_exception, translating

__all__ = ["HAPPY_EYEBALLS_DELAY", "SocketStream", "connect_tcp"]

#: RFC 8305 §5: "a recommended value of 250 ms" between connection attempts.
HAPPY_EYEBALLS_DELAY: Final = 0.25

_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, errno.EALREADY}


class SocketStream(SyncStream):
    """A :class:`SyncStream` over a connected (possibly TLS) socket."""

    __slots__ = ("_closed", "_current_timeout", "_server_hostname", "_sock",
                 "deadline", "timeouts")

    def __init__(
        self,
        sock: socket.socket,
        timeouts: TimeoutConfig = DEFAULT_TIMEOUTS,
        deadline: Deadline | None = None,
        server_hostname: str | None = None,
    ) -> None:
        self._sock = sock
        self.timeouts = timeouts
        self.deadline = deadline
        self._server_hostname = server_hostname
        self._closed = False
        self._current_timeout: float | Unset | None = UNSET

    @property
    def _label(self) -> str:
        # Computed only when a message needs it: getpeername() is a system call.
        try:
            peer = self._sock.getpeername()
        except OSError:
            return "peer"
        return f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)

    # -- helpers -------------------------------------------------------------------
    def _settimeout(self, value: float | None) -> None:
        if value != self._current_timeout:
            self._sock.settimeout(value)
            self._current_timeout = value

    def _check_open(self) -> None:
        if self._closed:
            raise errors.ClosedError("the connection was already closed")

    def _failed(self, exc: Exception, kind: type[errors.TimeoutError],
                error_cls: type[errors.NetworkError], verb: str, wait: float | None,
                by_deadline: bool) -> BaseException:
        step = f"{verb} {self._label}"
        message = timeout_error(kind, step, wait, by_deadline, self.deadline).args[0]
        return translate_exception(exc, step, timeout_cls=kind, error_cls=error_cls,
                                   timeout_message=message, host=self._server_hostname)

    # -- contract ------------------------------------------------------------------
    def read(self, max_bytes: int = 65536, timeout: float | Unset | None = UNSET) -> bytes:
        if self._closed:
            raise errors.ClosedError("the connection was already closed")
        wait = self.timeouts.read if isinstance(timeout, Unset) else timeout
        by_deadline = False
        if self.deadline is not None:
            wait, by_deadline = budget(wait, self.deadline)
            if wait is not None and wait <= 0:
                raise timeout_error(errors.ReadTimeout, f"reading from {self._label}", wait,
                                    True, self.deadline)
        try:
            if wait != self._current_timeout:
                self._sock.settimeout(wait)
                self._current_timeout = wait
            return self._sock.recv(max_bytes)
        except Exception as exc:
            mapped = self._failed(exc, errors.ReadTimeout, errors.ReadError, "reading from",
                                  wait, by_deadline)
            if mapped is exc:
                raise
            raise mapped from exc

    def write(self, data: bytes, timeout: float | Unset | None = UNSET) -> None:
        if self._closed:
            raise errors.ClosedError("the connection was already closed")
        wait = self.timeouts.write if isinstance(timeout, Unset) else timeout
        by_deadline = False
        if self.deadline is not None:
            wait, by_deadline = budget(wait, self.deadline)
            if wait is not None and wait <= 0:
                raise timeout_error(errors.WriteTimeout, f"writing to {self._label}", wait,
                                    True, self.deadline)
        try:
            if wait != self._current_timeout:
                self._sock.settimeout(wait)
                self._current_timeout = wait
            self._sock.sendall(data)
        except Exception as exc:
            mapped = self._failed(exc, errors.WriteTimeout, errors.WriteError, "writing to",
                                  wait, by_deadline)
            if mapped is exc:
                raise
            raise mapped from exc

    def start_tls(
        self,
        context: ssl.SSLContext,
        server_hostname: str | None,
        timeout: float | Unset | None = UNSET,
    ) -> SyncStream:
        self._check_open()
        wait = self.timeouts.connect if isinstance(timeout, Unset) else timeout
        if isinstance(self._sock, ssl.SSLSocket):
            # TLS inside TLS (e.g. through an https:// proxy): SSLSocket cannot wrap
            # another SSLSocket, so the inner session runs over memory BIOs.
            from tether.net._tlsbio import BIOTLSStream

            inner = BIOTLSStream(self, context, server_hostname)
            try:
                inner.handshake(wait)
            except BaseException:
                inner.close()
                raise
            return inner
        wait, by_deadline = budget(wait, self.deadline)
        step = f"TLS handshake with {self._label}"
        if wait is not None and wait <= 0:
            raise timeout_error(errors.ConnectTimeout, step, wait, True, self.deadline)
        # Nothing is buffered at this layer: bytes a peer injected after its STARTTLS
        # reply are still in the kernel and are read as (invalid) TLS records.
        self._settimeout(wait)
        message = timeout_error(errors.ConnectTimeout, step, wait, by_deadline,
                                self.deadline).args[0]
        sni = server_hostname.rstrip(".") if server_hostname else None
        with translating(step, timeout_cls=errors.ConnectTimeout, error_cls=errors.ConnectError,
                         timeout_message=message, host=server_hostname):
            try:
                tls = context.wrap_socket(self._sock, server_hostname=sni,
                                          do_handshake_on_connect=False)
            except BaseException:
                self.close()
                raise
            # The plain socket object is detached now: this stream is spent either way.
            self._closed = True
            try:
                tls.do_handshake()
            except BaseException:
                tls.close()
                raise
        self._closed = True  # the plain socket now belongs to ``tls``
        return SocketStream(tls, self.timeouts, self.deadline, server_hostname or self._label)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self._sock.close()
            except OSError:
                pass

    @property
    def closed(self) -> bool:
        return self._closed

    def get_extra_info(self, name: str) -> Any:
        sock = self._sock
        if name == "socket":
            return sock
        if name == "ssl_object":
            return sock if isinstance(sock, ssl.SSLSocket) else None
        if name == "alpn_protocol":
            return sock.selected_alpn_protocol() if isinstance(sock, ssl.SSLSocket) else None
        if name == "is_readable":
            return self._is_readable()
        try:
            if name == "peername":
                return sock.getpeername()
            if name == "sockname":
                return sock.getsockname()
        except OSError:
            return None
        return None

    def _is_readable(self) -> bool:
        if self._closed:
            return True
        if isinstance(self._sock, ssl.SSLSocket) and self._sock.pending():
            return True
        try:
            poller = select_poll()
            poller.register(self._sock, _POLLIN)
            return bool(poller.poll(0))
        except (OSError, ValueError):
            return True


def select_poll() -> Any:
    import select

    return select.poll()


_POLLIN: Final = 0x001 | 0x008 | 0x010  # POLLIN | POLLERR | POLLHUP


def _set_nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


def _describe(errs: list[OSError], host: str, port: int) -> str:
    if not errs:
        return f"could not connect to {host}:{port}: no addresses"
    reasons = sorted({e.strerror or str(e) for e in errs})
    return f"could not connect to {host}:{port}: {'; '.join(reasons)}"


def _filter_local(infos: list[AddrInfo], local: tuple[str, int] | None) -> list[AddrInfo]:
    if not local or not local[0]:
        return infos
    try:
        family = (socket.AF_INET6 if ipaddress.ip_address(local[0]).version == 6
                  else socket.AF_INET)
    except ValueError:
        return infos
    return [i for i in infos if i[0] == family]


def _happy_eyeballs(
    infos: list[AddrInfo],
    end: float | None,
    delay: float,
    local_address: tuple[str, int] | None,
    errs: list[OSError],
) -> socket.socket | None:
    """Race connection attempts; return the first connected socket, or None."""
    sel = selectors.DefaultSelector()
    pending: list[socket.socket] = []
    winner: socket.socket | None = None
    index = 0
    next_start = 0.0
    try:
        while True:
            now = time.monotonic()
            if end is not None and now >= end:
                return None
            if index < len(infos) and (not pending or now >= next_start):
                family, type_, proto, _, addr = infos[index]
                index += 1
                sock = socket.socket(family, type_, proto)
                try:
                    sock.setblocking(False)
                    if local_address:
                        sock.bind(local_address)
                    code = sock.connect_ex(addr)
                except OSError as exc:
                    sock.close()
                    errs.append(exc)
                    continue
                if code == 0:
                    winner = sock
                    return sock
                if code not in _IN_PROGRESS:
                    sock.close()
                    errs.append(OSError(code, os.strerror(code)))
                    continue
                pending.append(sock)
                sel.register(sock, selectors.EVENT_WRITE)
                next_start = now + delay
            if not pending:
                if index >= len(infos):
                    return None
                continue
            waits = []
            if end is not None:
                waits.append(end - now)
            if index < len(infos):
                waits.append(max(0.0, next_start - now))
            for key, _ in sel.select(min(waits) if waits else None):
                sock = key.fileobj  # type: ignore[assignment]
                sel.unregister(sock)
                pending.remove(sock)
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code == 0:
                    winner = sock
                    return sock
                sock.close()
                errs.append(OSError(code, os.strerror(code)))
                next_start = time.monotonic()  # a failure starts the next attempt at once
    finally:
        for sock in pending:
            if sock is not winner:
                sock.close()
        sel.close()


def _connect_one(info: AddrInfo, wait: float | None, local_address: tuple[str, int] | None,
                 errs: list[OSError]) -> socket.socket | None:
    """One address: a plain blocking connect (no racing needed)."""
    family, type_, proto, _, addr = info
    sock = socket.socket(family, type_, proto)
    try:
        sock.settimeout(wait)
        if local_address:
            sock.bind(local_address)
        sock.connect(addr)
    except OSError as exc:  # TimeoutError included: the caller tells them apart
        sock.close()
        errs.append(exc)
        return None
    return sock


def connect_tcp(
    host: str,
    port: int,
    *,
    timeouts: TimeoutConfig = DEFAULT_TIMEOUTS,
    deadline: Deadline | None = None,
    local_address: tuple[str, int] | None = None,
    ssl_context: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    happy_eyeballs_delay: float = HAPPY_EYEBALLS_DELAY,
) -> SocketStream:
    """Connect to ``host:port`` (and do the TLS handshake if ``ssl_context`` is given).

    Every resolved address is tried, IPv6 and IPv4 interleaved, a new attempt starting
    every ``happy_eyeballs_delay`` seconds or as soon as one fails, so a dead address
    family costs a fraction of a second, not a timeout per address.

    Raises :class:`~tether.errors.ConnectError` (with every address's reason),
    :class:`~tether.errors.ConnectTimeout` or :class:`~tether.errors.TLSError`.
    """
    wait, by_deadline = budget(timeouts.connect, deadline)
    step = f"connecting to {host}:{port}"
    if wait is not None and wait <= 0:
        raise timeout_error(errors.ConnectTimeout, step, wait, True, deadline)
    end = None if wait is None else time.monotonic() + wait
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    infos = resolve(bare, port)
    infos = _filter_local(infos, local_address)
    errs: list[OSError] = []
    if len(infos) == 1:
        sock = _connect_one(infos[0], wait, local_address, errs)
    else:
        sock = _happy_eyeballs(infos, end, happy_eyeballs_delay, local_address, errs)
    if sock is None:
        timed_out = any(isinstance(e, TimeoutError) for e in errs)
        if timed_out or (end is not None and time.monotonic() >= end):
            raise timeout_error(errors.ConnectTimeout, step, wait, by_deadline, deadline)
        raise errors.ConnectError(_describe(errs, host, port))
    if len(infos) != 1:
        sock.setblocking(True)
    _set_nodelay(sock)
    stream = SocketStream(sock, timeouts, deadline)
    if ssl_context is None:
        return stream
    try:
        # A plain socket upgrades to an SSLSocket-backed SocketStream.
        return cast(SocketStream, stream.start_tls(ssl_context, server_hostname or bare))
    except BaseException:
        stream.close()
        raise

