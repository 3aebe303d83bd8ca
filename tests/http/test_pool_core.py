"""The pool's sans-I/O core and its thread wrapper, with fake connections."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tether.errors import ClosedError, PoolTimeout
from tether.http._pool import PoolCore, SyncPool

A: Any = ("http", "a", 80, None, None)
B: Any = ("http", "b", 80, None, None)


class FakeConn:
    def __init__(self, key: Any) -> None:
        self.key = key
        self.idle_since = 0.0
        self.closed = False
        self.alive = True

    def close_now(self) -> None:
        self.closed = True

    def is_alive(self) -> bool:
        return self.alive and not self.closed


def test_grants_slots_up_to_per_host_limit_then_queues() -> None:
    core = PoolCore(10, 2, 5.0)
    w1, w2, w3 = (core.acquire(A, 0) for _ in range(3))
    assert w1.granted and w2.granted and w1.conn is None
    assert not w3.granted
    assert core.statistics() == {"connections": 2, "idle": 0, "waiting": 1}
    # another host is not blocked by A's limit
    assert core.acquire(B, 0).granted


def test_release_hands_connection_to_waiter_of_same_key() -> None:
    core = PoolCore(10, 1, 5.0)
    core.acquire(A, 0)
    waiter = core.acquire(A, 0)
    conn = FakeConn(A)
    core.release(conn, True, 1.0)
    assert waiter.granted and waiter.conn is conn
    assert core.woken == [waiter]
    assert core.statistics()["idle"] == 0


def test_reuse_most_recent_idle_first_and_expiry() -> None:
    core = PoolCore(10, 10, 5.0)
    old, new = FakeConn(A), FakeConn(A)
    core.acquire(A, 0)
    core.acquire(A, 0)
    core.release(old, True, 0.0)
    core.release(new, True, 4.0)
    assert core.acquire(A, 4.5).conn is new
    # at t=6 the old one has been idle 6 s > 5 s: closed, and a slot is granted instead
    waiter = core.acquire(A, 6.0)
    assert waiter.granted and waiter.conn is None
    assert core.to_close == [old]


def test_unreusable_release_frees_slot_for_waiter() -> None:
    core = PoolCore(1, 1, 5.0)
    core.acquire(A, 0)
    waiter = core.acquire(B, 0)
    assert not waiter.granted
    conn = FakeConn(A)
    core.release(conn, False, 0)
    assert waiter.granted and waiter.conn is None
    assert core.to_close == [conn]


def test_total_limit_evicts_idle_connection_of_other_key() -> None:
    core = PoolCore(1, 1, 5.0)
    core.acquire(A, 0)
    conn = FakeConn(A)
    core.release(conn, True, 0)
    waiter = core.acquire(B, 0)
    assert waiter.granted
    assert core.to_close == [conn]
    assert core.total == 1


def test_idle_release_serves_other_key_waiter_by_eviction() -> None:
    core = PoolCore(1, 1, 5.0)
    core.acquire(A, 0)
    waiter = core.acquire(B, 0)
    conn = FakeConn(A)
    core.release(conn, True, 0)
    assert waiter.granted and waiter.conn is None
    assert core.to_close == [conn]


def test_cancel_returns_grant() -> None:
    core = PoolCore(1, 1, 5.0)
    core.acquire(A, 0)
    queued = core.acquire(A, 0)
    core.cancel(queued, 0)
    assert core.statistics()["waiting"] == 0
    core.release_slot(A, 0)
    assert core.total == 0


def test_closed_pool_refuses() -> None:
    core = PoolCore(1, 1, 5.0)
    core.acquire(A, 0)
    core.release(FakeConn(A), True, 0)
    assert len(core.close()) == 1
    assert core.total == 0
    with pytest.raises(ClosedError):
        core.acquire(A, 0)


def test_invalid_limits() -> None:
    with pytest.raises(ValueError):
        PoolCore(0, 1, 1.0)


def test_sync_pool_times_out_then_wakes_waiter_from_other_thread() -> None:
    pool = SyncPool(1, 1, 5.0)
    assert pool.acquire(A, 1.0) is None  # slot
    start = time.monotonic()
    with pytest.raises(PoolTimeout):
        pool.acquire(A, 0.2)
    assert 0.15 < time.monotonic() - start < 2
    conn = FakeConn(A)
    conn.h11 = type("H", (), {"is_reusable": True, "start_next_cycle": lambda self: None})()
    conn.stream = type("S", (), {"deadline": None})()
    got: list[Any] = []
    t = threading.Thread(target=lambda: got.append(pool.acquire(A, 5.0)))
    t.start()
    time.sleep(0.1)
    pool.release(conn)
    t.join(5)
    assert got == [conn]


def test_sync_pool_discards_dead_idle_connection() -> None:
    pool = SyncPool(5, 5, 5.0)
    assert pool.acquire(A, 1.0) is None
    conn = FakeConn(A)
    with pool._lock:
        pool.core.release(conn, True, time.monotonic())
    conn.alive = False
    assert pool.acquire(A, 1.0) is None  # dead one dropped, new slot granted
    assert conn.closed
    assert pool.statistics()["connections"] == 1


def test_take_idle_gives_alive_idle_connections_only() -> None:
    pool = SyncPool(5, 5, 5.0)
    assert pool.take_idle(A) is None  # nothing idle: the caller acquires (may wait)
    assert pool.acquire(A, 1.0) is None
    assert pool.acquire(A, 1.0) is None
    alive, dead = FakeConn(A), FakeConn(A)
    with pool._lock:
        pool.core.release(alive, True, time.monotonic())
        pool.core.release(dead, True, time.monotonic())
    dead.alive = False
    assert pool.take_idle(A) is alive  # the dead one (most recent) closed on the way
    assert dead.closed and not alive.closed
    assert pool.statistics() == {"connections": 1, "idle": 0, "waiting": 0}
    assert pool.take_idle(B) is None
    pool.close()
    with pytest.raises(ClosedError):
        pool.take_idle(A)
