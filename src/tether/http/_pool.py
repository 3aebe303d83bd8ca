"""Connection pools: one sans-I/O core, thin threading and asyncio wrappers.

Theory of operation
-------------------
:class:`PoolCore` is pure bookkeeping: which connections exist per key, which sit idle,
who waits. It never blocks, sleeps or touches a socket; the wrappers call it under a
lock (:class:`SyncPool`) or on the event loop (:class:`AsyncPool`) and do the waiting.

- A *key* is ``(scheme, host, port, ssl_context, proxy)``: connections with different
  TLS settings or proxies never share a slot.
- :meth:`PoolCore.acquire` grants at once, with an idle connection of the key (most
  recently used first: the least likely to have been closed by the server) or with a
  *slot* to open a new one; or it queues the request (FIFO). Idle connections older than
  ``keepalive_expiry`` are closed on the way.
- Limits: ``max_connections`` in total and ``max_connections_per_host`` per key, both
  counting connections being opened. When the total is reached but another key has an
  idle connection, that one is closed to make room.
- :meth:`PoolCore.release` hands a reusable connection to the first waiter of its key,
  or parks it idle; a closed connection frees its slot for the first waiter that fits.
- Connections are counted, not requests, so an HTTP/2 connection (``multiplexed``) can
  later stay available while it serves several requests.

The wrappers verify an idle connection before reuse (``is_alive``: the server must not
have sent anything or closed it while idle) and close whatever the core evicted.
"""

from __future__ import annotations

import asyncio
import collections
import ssl
import threading
import time
from typing import Any, Final

from tether import errors
from tether.http._types import Proxy

__all__ = [
    "DEFAULT_KEEPALIVE_EXPIRY",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_CONNECTIONS_PER_HOST",
    "AsyncPool",
    "PoolCore",
    "PoolKey",
    "SyncPool",
    "Waiter",
]

#: Total connections per transport (aiohttp's default total is 100).
DEFAULT_MAX_CONNECTIONS: Final = 100
#: Connections per (scheme, host, port, TLS, proxy): 64 concurrent requests to one host
#: never queue.
DEFAULT_MAX_CONNECTIONS_PER_HOST: Final = 100
#: Idle seconds after which a pooled connection is closed instead of reused (servers
#: close idle keep-alive connections too: nginx after 75 s, Apache after 5 s).
DEFAULT_KEEPALIVE_EXPIRY: Final = 5.0

PoolKey = tuple[str, str, int, ssl.SSLContext | None, Proxy | None]


class Waiter:
    """One acquire request. ``granted`` once it holds ``conn`` or a slot (``conn`` None)."""

    __slots__ = ("conn", "granted", "key", "wake")

    def __init__(self, key: PoolKey) -> None:
        self.key = key
        self.conn: Any = None
        self.granted = False
        self.wake: Any = None


class PoolCore:
    """Sans-I/O bookkeeping of a connection pool. Not thread-safe by itself."""

    def __init__(self, max_connections: int, max_per_host: int, keepalive_expiry: float
                 ) -> None:
        if max_connections < 1 or max_per_host < 1:
            raise ValueError("max_connections and max_connections_per_host must be >= 1")
        self.max_connections = max_connections
        self.max_per_host = max_per_host
        self.keepalive_expiry = keepalive_expiry
        self.idle: dict[PoolKey, list[Any]] = {}
        self.count: dict[PoolKey, int] = {}
        self.total = 0
        self.waiters: collections.deque[Waiter] = collections.deque()
        self.to_close: list[Any] = []
        self.woken: list[Waiter] = []
        self.closed = False

    # -- queries -----------------------------------------------------------------------
    def statistics(self) -> dict[str, int]:
        return {"connections": self.total,
                "idle": sum(len(v) for v in self.idle.values()),
                "waiting": len(self.waiters)}

    # -- operations --------------------------------------------------------------------
    def acquire(self, key: PoolKey, now: float) -> Waiter:
        """A granted waiter (idle ``conn`` or a slot), or a queued one."""
        if self.closed:
            raise errors.ClosedError("the transport was closed")
        waiter = Waiter(key)
        conn = self._take_idle(key, now)
        if conn is not None:
            waiter.conn = conn
            waiter.granted = True
        elif self._reserve(key):
            waiter.granted = True
        else:
            self.waiters.append(waiter)
        return waiter

    def take_idle(self, key: PoolKey, now: float) -> Any:
        """An idle connection of ``key`` (not yet checked for liveness), or ``None``."""
        if self.closed:
            raise errors.ClosedError("the transport was closed")
        return self._take_idle(key, now)

    def release(self, conn: Any, reusable: bool, now: float) -> None:
        """A request finished with ``conn``; park or hand it on if ``reusable``."""
        key = conn.key
        if reusable and not self.closed:
            conn.idle_since = now
            for waiter in self.waiters:
                if waiter.key == key:
                    self.waiters.remove(waiter)
                    self._grant(waiter, conn)
                    return
            self.idle.setdefault(key, []).append(conn)
            self._serve_waiters(now)
            return
        self.to_close.append(conn)
        self._forget(key)
        self._serve_waiters(now)

    def release_slot(self, key: PoolKey, now: float) -> None:
        """A granted slot was not used (connecting failed)."""
        self._forget(key)
        self._serve_waiters(now)

    def cancel(self, waiter: Waiter, now: float) -> None:
        """The waiter gave up (timeout, cancellation); return whatever it was granted."""
        if not waiter.granted:
            try:
                self.waiters.remove(waiter)
            except ValueError:
                pass
            return
        if waiter.conn is not None:
            conn, waiter.conn = waiter.conn, None
            self.release(conn, True, now)
        else:
            self.release_slot(waiter.key, now)
        waiter.granted = False

    def close(self) -> list[Any]:
        """Close the pool: returns the idle connections to close."""
        self.closed = True
        out = [c for conns in self.idle.values() for c in conns]
        self.idle.clear()
        for conn in out:
            self._forget(conn.key)
        out += self.to_close
        self.to_close = []
        return out

    # -- internals ---------------------------------------------------------------------
    def _take_idle(self, key: PoolKey, now: float) -> Any:
        conns = self.idle.get(key)
        while conns:
            conn = conns.pop()
            if now - conn.idle_since <= self.keepalive_expiry:
                return conn
            self.to_close.append(conn)
            self._forget(key)
        return None

    def _reserve(self, key: PoolKey) -> bool:
        count = self.count.get(key, 0)
        if count >= self.max_per_host:
            return False
        if self.total >= self.max_connections and not self._evict_other(key):
            return False
        self.count[key] = count + 1
        self.total += 1
        return True

    def _evict_other(self, key: PoolKey) -> bool:
        for other, conns in self.idle.items():
            if other != key and conns:
                self.to_close.append(conns.pop(0))
                self._forget(other)
                return True
        return False

    def _forget(self, key: PoolKey) -> None:
        self.total -= 1
        left = self.count[key] - 1
        if left:
            self.count[key] = left
        else:
            del self.count[key]
            self.idle.pop(key, None)

    def _grant(self, waiter: Waiter, conn: Any) -> None:
        waiter.conn = conn
        waiter.granted = True
        self.woken.append(waiter)

    def _serve_waiters(self, now: float) -> None:
        if not self.waiters:
            return
        for waiter in list(self.waiters):
            conn = self._take_idle(waiter.key, now)
            if conn is not None or self._reserve(waiter.key):
                self.waiters.remove(waiter)
                self._grant(waiter, conn)


def _wait_budget(timeout: float | None, deadline: Any) -> float | None:
    if deadline is None:
        return timeout
    left: float = deadline.remaining()
    return left if timeout is None else min(timeout, left)


def _pool_timeout(timeout: float | None) -> errors.PoolTimeout:
    return errors.PoolTimeout(
        f"no connection became free in the pool within {timeout:g}s (raise "
        "max_connections / max_connections_per_host or the pool timeout)"
        if timeout is not None else "no connection became free in the pool"
    )


class SyncPool:
    """The pool for threads: the core under a lock, ``threading.Event`` to wait."""

    def __init__(self, max_connections: int = DEFAULT_MAX_CONNECTIONS,
                 max_per_host: int = DEFAULT_MAX_CONNECTIONS_PER_HOST,
                 keepalive_expiry: float = DEFAULT_KEEPALIVE_EXPIRY) -> None:
        self.core = PoolCore(max_connections, max_per_host, keepalive_expiry)
        self._lock = threading.Lock()
        self._abandoned: collections.deque[Any] = collections.deque()

    def _flush(self) -> None:
        """Close what the core evicted and wake whom it granted (outside the lock)."""
        core = self.core
        if core.to_close:
            with self._lock:
                closing, core.to_close = core.to_close, []
            for conn in closing:
                conn.close_now()

    def _take_woken(self) -> list[Waiter]:
        woken = self.core.woken
        if woken:
            self.core.woken = []
        return woken

    def acquire(self, key: PoolKey, timeout: float | None, deadline: Any = None) -> Any:
        """An alive idle connection of ``key``, or ``None``: the caller opens one."""
        while True:
            event: threading.Event | None = None
            with self._lock:
                self._collect_abandoned()
                waiter = self.core.acquire(key, time.monotonic())
                if not waiter.granted:
                    event = threading.Event()
                    waiter.wake = event.set
                woken = self._take_woken()
            for w in woken:
                w.wake()
            self._flush()
            if event is not None:
                wait = _wait_budget(timeout, deadline)
                if wait is None or wait > 0:
                    event.wait(wait)
                with self._lock:
                    if not waiter.granted:
                        self.core.cancel(waiter, time.monotonic())
                        raise _pool_timeout(timeout)
            conn = waiter.conn
            if conn is None or conn.is_alive():
                return conn
            self.discard(conn)

    def take_idle(self, key: PoolKey) -> Any:
        """An alive idle connection of ``key`` at once, or ``None`` (then :meth:`acquire`
        or ``aacquire``, which may wait): the usual keep-alive case without an op."""
        while True:
            with self._lock:
                self._collect_abandoned()
                conn = self.core.take_idle(key, time.monotonic())
            self._flush()
            if conn is None or conn.is_alive():
                return conn
            self.discard(conn)

    def release(self, conn: Any) -> None:
        """The response ended: reuse ``conn`` if its engine allows, else close it."""
        h11 = conn.h11
        reusable = h11.is_reusable
        if reusable:
            h11.start_next_cycle()
            conn.stream.deadline = None
        with self._lock:
            self.core.release(conn, reusable, time.monotonic())
            woken = self._take_woken()
        for w in woken:
            w.wake()
        self._flush()

    def discard(self, conn: Any) -> None:
        """Close ``conn`` and free its slot (broken, or abandoned mid-response)."""
        conn.close_now()
        with self._lock:
            self.core.release(conn, False, time.monotonic())
            woken = self._take_woken()
        for w in woken:
            w.wake()
        self._flush()

    def release_slot(self, key: PoolKey) -> None:
        with self._lock:
            self.core.release_slot(key, time.monotonic())
            woken = self._take_woken()
        for w in woken:
            w.wake()
        self._flush()

    def abandoned(self, conn: Any) -> None:
        """From ``__del__``: no lock here; processed at the next acquire."""
        conn.close_now()
        self._abandoned.append(conn)

    def _collect_abandoned(self) -> None:
        while self._abandoned:
            conn = self._abandoned.popleft()
            self.core.release(conn, False, time.monotonic())

    def close(self) -> None:
        with self._lock:
            closing = self.core.close()
        for conn in closing:
            conn.close_now()

    def statistics(self) -> dict[str, int]:
        with self._lock:
            return self.core.statistics()


class AsyncPool(SyncPool):
    """The pool for asyncio tasks: same core, futures to wait.

    The lock is kept (uncontended on one loop, it costs nanoseconds) so that a
    response's ``__del__`` or a sync ``close()`` from another thread stays safe.
    """

    async def aacquire(self, key: PoolKey, timeout: float | None, deadline: Any = None) -> Any:
        while True:
            fut: asyncio.Future[None] | None = None
            with self._lock:
                self._collect_abandoned()
                waiter = self.core.acquire(key, time.monotonic())
                if not waiter.granted:
                    loop = asyncio.get_running_loop()
                    fut = loop.create_future()
                    waiter.wake = _future_setter(loop, fut)
                woken = self._take_woken()
            for w in woken:
                w.wake()
            self._flush()
            if fut is not None:
                wait = _wait_budget(timeout, deadline)
                try:
                    if wait is None or wait > 0:
                        await asyncio.wait_for(fut, wait)
                except (TimeoutError, asyncio.TimeoutError):
                    pass
                except BaseException:
                    with self._lock:
                        self.core.cancel(waiter, time.monotonic())
                    raise
                with self._lock:
                    if not waiter.granted:
                        self.core.cancel(waiter, time.monotonic())
                        raise _pool_timeout(timeout)
            conn = waiter.conn
            if conn is None or conn.is_alive():
                return conn
            self.discard(conn)


def _future_setter(loop: asyncio.AbstractEventLoop, fut: asyncio.Future[None]) -> Any:
    def wake() -> None:
        def set_result() -> None:
            if not fut.done():
                fut.set_result(None)

        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            set_result()
        else:
            loop.call_soon_threadsafe(set_result)

    return wake
