"""TimeoutConfig, stdlib timeout interpretation and deadlines."""

from __future__ import annotations

import socket

import pytest

from tether.net import DEFAULT_TIMEOUTS, Deadline, TimeoutConfig, budget, timeouts_from_stdlib


def test_defaults_are_finite() -> None:
    cfg = TimeoutConfig()
    assert cfg.connect == 10.0 and cfg.read == 30.0 and cfg.write == 30.0
    assert cfg.pool == 10.0 and cfg.total is None
    assert cfg.deadline() is None


def test_immutable_and_validated() -> None:
    cfg = TimeoutConfig()
    with pytest.raises(AttributeError):
        cfg.read = 1  # type: ignore[misc]
    with pytest.raises(ValueError):
        TimeoutConfig(read=-1)
    with pytest.raises(TypeError):
        TimeoutConfig(read="1")  # type: ignore[arg-type]
    assert cfg.replace(read=5).read == 5
    assert hash(cfg) == hash(TimeoutConfig())


def test_stdlib_sentinel_honours_setdefaulttimeout() -> None:
    sentinel = socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]
    old = socket.getdefaulttimeout()
    try:
        socket.setdefaulttimeout(None)
        assert timeouts_from_stdlib(sentinel) is DEFAULT_TIMEOUTS
        socket.setdefaulttimeout(3.5)
        cfg = timeouts_from_stdlib(sentinel)
        assert (cfg.connect, cfg.read, cfg.write) == (3.5, 3.5, 3.5)
    finally:
        socket.setdefaulttimeout(old)


def test_stdlib_numbers_and_none() -> None:
    assert timeouts_from_stdlib(2).read == 2.0
    assert timeouts_from_stdlib(None).read is None
    cfg = TimeoutConfig(total=4)
    assert timeouts_from_stdlib(cfg) is cfg
    with pytest.raises(ValueError, match="Non-blocking"):
        timeouts_from_stdlib(0)


def test_budget_picks_the_binding_bound() -> None:
    assert budget(5.0, None) == (5.0, False)
    far = Deadline(100)
    assert budget(5.0, far) == (5.0, False)
    near = Deadline(0.5)
    wait, by_deadline = budget(5.0, near)
    assert by_deadline and 0 < wait <= 0.5
    wait, by_deadline = budget(None, near)
    assert by_deadline and wait is not None
