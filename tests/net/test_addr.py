"""Address helpers: IP literals, loopback, Happy Eyeballs ordering."""

from __future__ import annotations

import socket

from tether.net import interleave_families, is_ip_address, is_loopback


def test_is_ip_address() -> None:
    assert is_ip_address("127.0.0.1") and is_ip_address("::1")
    assert not is_ip_address("localhost") and not is_ip_address("[::1]")


def test_is_loopback() -> None:
    assert is_loopback("127.5.6.7") and is_loopback("::1") and is_loopback("[::1]")
    assert is_loopback("::ffff:127.0.0.1") and is_loopback(("127.0.0.1", 25))
    assert not is_loopback("192.0.2.2") and not is_loopback("localhost")
    assert not is_loopback(None)


def test_interleave_families_alternates_and_dedupes() -> None:
    v6 = [(socket.AF_INET6, 1, 6, "", (f"2001:db8::{i}", 80, 0, 0)) for i in range(3)]
    v4 = [(socket.AF_INET, 1, 6, "", (f"192.0.2.{i}", 80)) for i in range(2)]
    out = interleave_families([*v6, *v4, v6[0]])
    assert [i[0] for i in out] == [socket.AF_INET6, socket.AF_INET, socket.AF_INET6,
                                   socket.AF_INET, socket.AF_INET6]
