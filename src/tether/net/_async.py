"""asyncio streams on a small ``asyncio.Protocol``, and connecting with Happy Eyeballs.

asyncio's own ``StreamReader`` costs a task switch and several method calls per read;
this protocol keeps one ``bytearray`` and one waiter future, pauses the transport when
the buffer passes a high-water mark, and lets a read that finds data buffered return
without suspending.

The protocol is a ``BufferedProtocol``: the transport receives into a scratch buffer
shared by every connection of the thread (the bytes are appended to the connection's
own buffer at once), instead of allocating a fresh 256 KiB ``bytes`` per receive, which
glibc serves with mmap, mremap and munmap: three system calls per response.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from typing import Any, Final

from tether import errors
from tether.net._addr import is_ip_address
from tether.net._base import UNSET, AsyncStream, Unset
from tether.net._sync import HAPPY_EYEBALLS_DELAY
from tether.net._timeouts import DEFAULT_TIMEOUTS, Deadline, TimeoutConfig, budget, timeout_error
from tether.net._translate import translate_tls_error

__all__ = ["AsyncSocketStream", "connect_tcp_async"]

#: Stop reading from the socket when this much unread data is buffered.
READ_HIGH_WATER: Final = 1024 * 1024
#: Resume reading once the buffer drains below this.
READ_LOW_WATER: Final = 256 * 1024
#: Size of the per-thread scratch buffer a transport receives into.
RECEIVE_SIZE: Final = 256 * 1024

_scratch = threading.local()


def _scratch_view() -> memoryview:
    try:
        view: memoryview = _scratch.view
    except AttributeError:
        view = _scratch.view = memoryview(bytearray(RECEIVE_SIZE))
    return view


class _Protocol(asyncio.BufferedProtocol):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.exc: BaseException | None = None
        self.read_waiter: asyncio.Future[None] | None = None
        self.drain_waiter: asyncio.Future[None] | None = None
        self.write_paused = False
        self.read_paused = False
        self.lost = False
        # The read timer (see arm_read_timer): when the pending read must end (loop
        # time), the connection's one timer handle and when it is due.
        self.read_when: float | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.timer_when = 0.0

    def arm_read_timer(self, when: float) -> None:
        """Expire the pending read (``read_waiter``) with TimeoutError at loop time
        ``when`` unless it ends before.

        One timer per connection, moved lazily: a read only records ``when``; the timer
        is replaced only when it is due later than that, and when it fires early (the
        read it was set for ended, a later one began) it moves itself to the current
        ``read_when``. Reads that end in time, nearly all of them, so cost no timer
        handle of their own and no work in the event loop's timer heap.
        """
        self.read_when = when
        timer = self.timer
        if timer is None or self.timer_when > when:
            if timer is not None:
                timer.cancel()
            self.timer = self.loop.call_at(when, self._on_timer)
            self.timer_when = when

    def _on_timer(self) -> None:
        self.timer = None
        when = self.read_when
        waiter = self.read_waiter
        if when is None or waiter is None:
            return  # no read pending: the next one arms a timer again
        if self.loop.time() + _TIMER_SLACK < when:
            self.timer = self.loop.call_at(when, self._on_timer)
            self.timer_when = when
        elif not waiter.done():
            waiter.set_exception(TimeoutError())

    def cancel_timer(self) -> None:
        timer = self.timer
        if timer is not None:
            self.timer = None
            timer.cancel()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def _wake(self) -> None:
        waiter = self.read_waiter
        if waiter is not None:
            self.read_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def get_buffer(self, sizehint: int) -> memoryview:
        # The transport fills this and calls buffer_updated before anything else runs
        # on the thread, so one scratch buffer serves every connection.
        return _scratch_view()

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(_scratch_view()[:nbytes])

    def data_received(self, data: bytes | memoryview) -> None:
        self.buffer += data
        if len(self.buffer) > READ_HIGH_WATER and not self.read_paused:
            self.read_paused = True
            assert self.transport is not None
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool | None:
        self.eof = True
        self._wake()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.eof = True
        self.cancel_timer()
        if exc is not None:
            self.exc = exc
        self._wake()
        waiter = self.drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        waiter = self.drain_waiter
        if waiter is not None:
            self.drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)


#: A read timer that fires this close to its read's end (loop time) expires it.
_TIMER_SLACK: Final = 1e-6


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class AsyncSocketStream(AsyncStream):
    """An :class:`AsyncStream` over an asyncio transport."""

    def __init__(
        self,
        transport: asyncio.Transport,
        protocol: _Protocol,
        timeouts: TimeoutConfig = DEFAULT_TIMEOUTS,
        deadline: Deadline | None = None,
        server_hostname: str | None = None,
    ) -> None:
        self._transport = transport
        self._protocol = protocol
        self.timeouts = timeouts
        self.deadline = deadline
        self._server_hostname = server_hostname
        self._closed = False
        peer = transport.get_extra_info("peername")
        self._label = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "peer"

    async def _wait(self, fut: asyncio.Future[None], wait: float | None) -> None:
        if wait is None:
            await fut
            return
        handle = self._protocol.loop.call_later(wait, _expire, fut)
        try:
            await fut
        finally:
            handle.cancel()

    async def read(self, max_bytes: int = 65536, timeout: float | Unset | None = UNSET) -> bytes:
        proto = self._protocol
        buf = proto.buffer
        if not buf:
            if self._closed:
                raise errors.ClosedError("the connection was already closed")
            if proto.eof:
                return self._at_eof()
            wait = self.timeouts.read if isinstance(timeout, Unset) else timeout
            deadline = self.deadline
            by_deadline = False
            if deadline is not None:
                wait, by_deadline = budget(wait, deadline)
            if wait is not None and wait <= 0:
                raise timeout_error(errors.ReadTimeout, f"reading from {self._label}",
                                    wait, True, deadline)
            loop = proto.loop
            fut: asyncio.Future[None] = loop.create_future()
            proto.read_waiter = fut
            # The wait inlined (no helper coroutine: this runs for most responses).
            if wait is not None:
                proto.arm_read_timer(loop.time() + wait)
            try:
                await fut
            except TimeoutError:
                raise timeout_error(errors.ReadTimeout, f"reading from {self._label}",
                                    wait, by_deadline, deadline) from None
            finally:
                proto.read_when = None
                if proto.read_waiter is fut:
                    proto.read_waiter = None
            if not buf:
                return self._at_eof()
        if len(buf) <= max_bytes:
            data = bytes(buf)
            buf.clear()
        else:
            data = bytes(buf[:max_bytes])
            del buf[:max_bytes]
        if proto.read_paused and len(buf) < READ_LOW_WATER:
            proto.read_paused = False
            self._transport.resume_reading()
        return data

    def _at_eof(self) -> bytes:
        exc = self._protocol.exc
        if exc is not None and not isinstance(exc, ssl.SSLError):
            raise errors.ReadError(f"connection lost while reading from {self._label}: "
                                   f"{exc}") from exc
        if isinstance(exc, ssl.SSLError) and not isinstance(exc, ssl.SSLEOFError):
            raise translate_tls_error(exc, self._server_hostname) from exc
        return b""

    async def write(self, data: bytes, timeout: float | Unset | None = UNSET) -> None:
        if self._closed:
            raise errors.ClosedError("the connection was already closed")
        proto = self._protocol
        if proto.lost or self._transport.is_closing():
            raise errors.WriteError(f"connection lost while writing to {self._label}")
        self._transport.write(data)
        if proto.write_paused:
            wait = self.timeouts.write if isinstance(timeout, Unset) else timeout
            wait, by_deadline = budget(wait, self.deadline)
            step = f"writing to {self._label}"
            fut: asyncio.Future[None] = proto.loop.create_future()
            proto.drain_waiter = fut
            try:
                await self._wait(fut, wait)
            except TimeoutError:
                raise timeout_error(errors.WriteTimeout, step, wait, by_deadline,
                                    self.deadline) from None
            if proto.lost:
                raise errors.WriteError(f"connection lost while writing to {self._label}")

    async def start_tls(
        self,
        context: ssl.SSLContext,
        server_hostname: str | None,
        timeout: float | Unset | None = UNSET,
    ) -> AsyncSocketStream:
        if self._closed:
            raise errors.ClosedError("the connection was already closed")
        wait = self.timeouts.connect if isinstance(timeout, Unset) else timeout
        wait, by_deadline = budget(wait, self.deadline)
        step = f"TLS handshake with {self._label}"
        if wait is not None and wait <= 0:
            raise timeout_error(errors.ConnectTimeout, step, wait, True, self.deadline)
        proto = self._protocol
        # STARTTLS injection: plaintext that arrived before the handshake is dropped.
        proto.buffer.clear()
        if proto.read_paused:
            proto.read_paused = False
            self._transport.resume_reading()
        sni = server_hostname.rstrip(".") if server_hostname else None
        try:
            new_transport = await asyncio.wait_for(
                proto.loop.start_tls(self._transport, proto, context, server_hostname=sni),
                wait,
            )
        except (TimeoutError, asyncio.TimeoutError):
            self.abort()
            raise timeout_error(errors.ConnectTimeout, step, wait, by_deadline,
                                self.deadline) from None
        except ssl.SSLError as exc:
            self.abort()
            raise translate_tls_error(exc, server_hostname) from exc
        except OSError as exc:
            self.abort()
            raise errors.ConnectError(f"{exc} during {step}") from exc
        if new_transport is None:
            raise errors.ConnectError(f"connection closed during {step}")
        proto.buffer.clear()
        self._closed = True
        return AsyncSocketStream(new_transport, proto, self.timeouts, self.deadline,
                                 server_hostname or self._label)

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._transport.close()

    def abort(self) -> None:
        self._closed = True
        self._transport.abort()

    @property
    def closed(self) -> bool:
        return self._closed

    def get_extra_info(self, name: str) -> Any:
        if name == "is_readable":
            proto = self._protocol
            return bool(proto.buffer) or proto.eof or self._closed
        if name == "alpn_protocol":
            obj = self._transport.get_extra_info("ssl_object")
            return obj.selected_alpn_protocol() if obj is not None else None
        return self._transport.get_extra_info(name)


async def connect_tcp_async(
    host: str,
    port: int,
    *,
    timeouts: TimeoutConfig = DEFAULT_TIMEOUTS,
    deadline: Deadline | None = None,
    local_address: tuple[str, int] | None = None,
    ssl_context: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    happy_eyeballs_delay: float = HAPPY_EYEBALLS_DELAY,
) -> AsyncSocketStream:
    """asyncio twin of :func:`tether.net.connect_tcp` (same arguments, same errors)."""
    loop = asyncio.get_running_loop()
    wait, by_deadline = budget(timeouts.connect, deadline)
    step = f"connecting to {host}:{port}"
    if wait is not None and wait <= 0:
        raise timeout_error(errors.ConnectTimeout, step, wait, True, deadline)
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    sni = (server_hostname or bare).rstrip(".") if ssl_context is not None else None
    # An IP literal has one address: no racing machinery needed.
    delay = None if is_ip_address(bare) else happy_eyeballs_delay
    try:
        connecting = loop.create_connection(
            lambda: _Protocol(loop), bare, port,
            happy_eyeballs_delay=delay, interleave=1 if delay is not None else None,
            local_addr=local_address, ssl=ssl_context, server_hostname=sni,
        )
        if _timeout_cm is not None:
            async with _timeout_cm(wait):
                transport, protocol = await connecting
        else:
            transport, protocol = await asyncio.wait_for(connecting, wait)
    except (TimeoutError, asyncio.TimeoutError):
        raise timeout_error(errors.ConnectTimeout, step, wait, by_deadline, deadline) from None
    except ssl.SSLError as exc:
        raise translate_tls_error(exc, server_hostname or bare) from exc
    except socket.gaierror as exc:
        raise errors.ConnectError(f"could not resolve host {host!r}: {exc.strerror}") from exc
    except OSError as exc:
        raise errors.ConnectError(f"could not connect to {host}:{port}: {_reason(exc)}") from exc
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
    return AsyncSocketStream(transport, protocol, timeouts, deadline,
                             server_hostname or bare)


# asyncio.timeout (3.11+) avoids wait_for's extra task.
_timeout_cm: Any = getattr(asyncio, "timeout", None)


def _reason(exc: OSError) -> str:
    # asyncio joins multiple attempts' errors as "Multiple exceptions: [...]".
    return exc.strerror or str(exc)
