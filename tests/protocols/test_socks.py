"""SOCKS4/4a/5 client handshakes: bytes on the wire per RFC 1928/1929 and the SOCKS4 spec."""

from __future__ import annotations

import pytest

from tether.errors import LocalProtocolError, RemoteProtocolError
from tether.protocols.socks import SOCKSClient, SOCKSRefused


def test_socks4_ip() -> None:
    c = SOCKSClient("socks4", "10.1.2.3", 80, username="bob")
    assert c.initial() == b"\x04\x01\x00\x50\x0a\x01\x02\x03bob\x00"
    assert c.receive_data(b"\x00\x5a\x00\x00\x00\x00\x00\x00") == b""
    assert c.established


def test_socks4_needs_ip() -> None:
    with pytest.raises(LocalProtocolError, match="socks4a"):
        SOCKSClient("socks4", "example.com", 80).initial()


def test_socks4a_name() -> None:
    c = SOCKSClient("socks4a", "example.com", 443)
    assert c.initial() == b"\x04\x01\x01\xbb\x00\x00\x00\x01\x00example.com\x00"
    c.receive_data(b"\x00\x5a")
    assert not c.established
    c.receive_data(b"\x00\x00\x00\x00\x00\x00")
    assert c.established


@pytest.mark.parametrize("code", [0x5B, 0x5C, 0x5D])
def test_socks4_refused(code: int) -> None:
    c = SOCKSClient("socks4", "10.0.0.1", 80)
    c.initial()
    with pytest.raises(SOCKSRefused) as info:
        c.receive_data(bytes([0, code]) + b"\x00" * 6)
    assert info.value.code == code


def test_socks5_no_auth_domain() -> None:
    c = SOCKSClient("socks5h", "example.com", 443)
    assert c.initial() == b"\x05\x01\x00"
    out = c.receive_data(b"\x05\x00")
    assert out == b"\x05\x01\x00\x03\x0bexample.com\x01\xbb"
    assert c.receive_data(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38") == b""
    assert c.established


def test_socks5_user_password() -> None:
    c = SOCKSClient("socks5", "::1", 8080, username="us", password="pw")
    assert c.initial() == b"\x05\x02\x00\x02"
    assert c.receive_data(b"\x05\x02") == b"\x01\x02us\x02pw"
    out = c.receive_data(b"\x01\x00")
    assert out == b"\x05\x01\x00\x04" + b"\x00" * 15 + b"\x01\x1f\x90"
    # reply with a domain-name bound address, delivered in pieces
    reply = b"\x05\x00\x00\x03\x04host\x00\x50"
    for i in range(len(reply) - 1):
        c.receive_data(reply[i:i + 1])
        assert not c.established
    c.receive_data(reply[-1:])
    assert c.established


def test_socks5_bad_password() -> None:
    c = SOCKSClient("socks5h", "h", 1, username="u", password="p")
    c.initial()
    c.receive_data(b"\x05\x02")
    with pytest.raises(SOCKSRefused, match="rejected the username"):
        c.receive_data(b"\x01\x01")


def test_socks5_no_acceptable_method() -> None:
    c = SOCKSClient("socks5h", "h", 1)
    c.initial()
    with pytest.raises(SOCKSRefused, match="may need a username"):
        c.receive_data(b"\x05\xff")


def test_socks5_method_not_offered() -> None:
    c = SOCKSClient("socks5h", "h", 1)
    c.initial()
    with pytest.raises(RemoteProtocolError):
        c.receive_data(b"\x05\x02")  # user/password, which we did not offer


@pytest.mark.parametrize(("code", "text"), [(1, "general"), (5, "refused"), (0x42, "0x42")])
def test_socks5_reply_codes(code: int, text: str) -> None:
    c = SOCKSClient("socks5h", "h", 1)
    c.initial()
    c.receive_data(b"\x05\x00")
    with pytest.raises(SOCKSRefused, match=text) as info:
        c.receive_data(bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))
    assert info.value.code == code


@pytest.mark.parametrize(
    "reply",
    [b"\x04\x00", b"\x05\x00\x01\x01" + b"\x00" * 6, b"\x05\x00\x00\x09\x00\x00\x00"],
)
def test_socks5_malformed(reply: bytes) -> None:
    c = SOCKSClient("socks5h", "h", 1)
    c.initial()
    with pytest.raises(RemoteProtocolError):
        c.receive_data(b"\x05\x00" + reply) if reply[0] == 5 else c.receive_data(reply)


def test_data_after_reply_refused() -> None:
    c = SOCKSClient("socks5h", "h", 1)
    c.initial()
    c.receive_data(b"\x05\x00")
    with pytest.raises(RemoteProtocolError, match="after its reply"):
        c.receive_data(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00HTTP/1.1 200 OK\r\n")


def test_eof_during_handshake() -> None:
    c = SOCKSClient("socks5h", "h", 1)
    c.initial()
    with pytest.raises(RemoteProtocolError, match="closed"):
        c.receive_data(b"")


def test_field_limits() -> None:
    c = SOCKSClient("socks5h", "h" * 256, 1)
    c.initial()
    with pytest.raises(LocalProtocolError):
        c.receive_data(b"\x05\x00")
    c = SOCKSClient("socks5h", "h", 1, username="u" * 256, password="p")
    c.initial()
    with pytest.raises(LocalProtocolError):
        c.receive_data(b"\x05\x02")
    c = SOCKSClient("socks5", "example.com", 1)  # socks5 (not 5h) needs an IP
    c.initial()
    with pytest.raises(LocalProtocolError, match="socks5h"):
        c.receive_data(b"\x05\x00")
