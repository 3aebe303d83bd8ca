"""SOCKS4, SOCKS4a and SOCKS5 client handshakes, sans I/O.

Theory of operation
-------------------
A :class:`SOCKSClient` produces the bytes of each handshake step and consumes the
proxy's replies; its caller moves bytes between it and a stream::

    client = SOCKSClient("socks5h", "example.com", 443, username="u", password="p")
    send(client.initial())
    while not client.established:
        out = client.receive_data(read())      # raises on refusal / malformed reply
        if out: send(out)

After ``established`` the stream is a plain tunnel to the target.

- SOCKS4 (no RFC; the 1992 NEC protocol): ``CONNECT`` to an IPv4 address, the user id
  field carries ``username``. SOCKS4a: the proxy resolves the host name.
- SOCKS5 (RFC 1928) with "no authentication" and, when a username is given,
  username/password authentication (RFC 1929). ``socks5h`` sends the host name for the
  proxy to resolve; ``socks5`` expects an IP literal (the caller resolves first).

A refusal by the proxy raises :class:`SOCKSRefused` (``code`` holds the reply code);
a malformed reply raises :class:`~tether.errors.RemoteProtocolError`; arguments the
protocol cannot carry raise :class:`~tether.errors.LocalProtocolError`.
"""

from __future__ import annotations

import ipaddress
import struct
from typing import Final

from tether.errors import LocalProtocolError, ProtocolError, RemoteProtocolError
from tether.protocols._buffer import ReceiveBuffer

__all__ = ["SOCKS4_REPLIES", "SOCKS5_REPLIES", "SOCKSClient", "SOCKSRefused"]

#: SOCKS5 reply codes (RFC 1928 §6).
SOCKS5_REPLIES: Final = {
    0x01: "general SOCKS server failure",
    0x02: "connection not allowed by ruleset",
    0x03: "network unreachable",
    0x04: "host unreachable",
    0x05: "connection refused",
    0x06: "TTL expired",
    0x07: "command not supported",
    0x08: "address type not supported",
}
#: SOCKS4 reply codes.
SOCKS4_REPLIES: Final = {
    0x5B: "request rejected or failed",
    0x5C: "request rejected: the proxy cannot reach the client's identd",
    0x5D: "request rejected: identd reports a different user id",
}

_VERSIONS: Final = ("socks4", "socks4a", "socks5", "socks5h")
#: Longest field RFC 1928/1929 can carry (one length byte).
_MAX_FIELD: Final = 255


class SOCKSRefused(ProtocolError):
    """The proxy refused the connection or the credentials. ``code``: its reply code."""

    def __init__(self, message: str, code: int) -> None:
        self.code = code
        super().__init__(message)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


class SOCKSClient:
    """One SOCKS handshake, client side. See the module docstring."""

    __slots__ = ("_buf", "_step", "established", "host", "password", "port", "username",
                 "version")

    def __init__(self, version: str, host: str, port: int, *, username: str | None = None,
                 password: str | None = None) -> None:
        if version not in _VERSIONS:
            raise LocalProtocolError(f"unknown SOCKS version {version!r}")
        if not 0 < port < 65536:
            raise LocalProtocolError(f"invalid port {port}")
        self.version = version
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.established = False
        self._buf = ReceiveBuffer()
        self._step = "start"

    # -- requests --------------------------------------------------------------------
    def initial(self) -> bytes:
        """The first bytes to send."""
        if self._step != "start":
            raise LocalProtocolError("the SOCKS handshake already started")
        if self.version.startswith("socks4"):
            self._step = "socks4_reply"
            return self._socks4_request()
        self._step = "method"
        methods = b"\x00\x02" if self.username is not None else b"\x00"
        return bytes([5, len(methods)]) + methods

    def _socks4_request(self) -> bytes:
        user = (self.username or "").encode()
        if b"\x00" in user:
            raise LocalProtocolError("SOCKS4 user id cannot contain NUL")
        ip = _ip(self.host)
        if isinstance(ip, ipaddress.IPv4Address):
            return struct.pack("!BBH", 4, 1, self.port) + ip.packed + user + b"\x00"
        if self.version == "socks4" or ip is not None:
            raise LocalProtocolError(
                f"SOCKS4 needs an IPv4 address, not {self.host!r} (resolve it first, or use "
                "socks4a/socks5h to let the proxy resolve names)"
            )
        name = self.host.encode("idna") if not self.host.isascii() else self.host.encode()
        if b"\x00" in name:
            raise LocalProtocolError("host name cannot contain NUL")
        # SOCKS4a: address 0.0.0.x (x != 0) means "the name follows the user id".
        return (struct.pack("!BBH", 4, 1, self.port) + b"\x00\x00\x00\x01" + user + b"\x00"
                + name + b"\x00")

    def _socks5_connect(self) -> bytes:
        ip = _ip(self.host)
        if isinstance(ip, ipaddress.IPv4Address):
            address = b"\x01" + ip.packed
        elif isinstance(ip, ipaddress.IPv6Address):
            address = b"\x04" + ip.packed
        elif self.version == "socks5":
            raise LocalProtocolError(
                f"socks5 needs an IP address, not {self.host!r} (resolve it first, or use "
                "socks5h to let the proxy resolve names)"
            )
        else:
            name = self.host.encode("idna") if not self.host.isascii() else self.host.encode()
            if not 0 < len(name) <= _MAX_FIELD:
                raise LocalProtocolError("host name too long for SOCKS5 (255 bytes at most)")
            address = b"\x03" + bytes([len(name)]) + name
        return b"\x05\x01\x00" + address + struct.pack("!H", self.port)

    def _auth_request(self) -> bytes:
        user = (self.username or "").encode()
        password = (self.password or "").encode()
        if len(user) > _MAX_FIELD or len(password) > _MAX_FIELD:
            raise LocalProtocolError("SOCKS5 username and password are 255 bytes at most")
        return b"\x01" + bytes([len(user)]) + user + bytes([len(password)]) + password

    # -- replies ---------------------------------------------------------------------
    def receive_data(self, data: bytes) -> bytes:
        """Consume a reply; return the bytes to send next (maybe ``b""``).

        ``b""`` as ``data`` means EOF, which before ``established`` is an error.
        """
        if not data:
            if not self.established:
                raise RemoteProtocolError("SOCKS proxy closed the connection during the "
                                          "handshake")
            return b""
        self._buf.feed(data)
        out = b""
        while not self.established:
            step = self._step
            if step == "socks4_reply":
                reply = self._buf.take_exactly(8)
                if reply is None:
                    break
                if reply[0] not in (0, 4):
                    raise RemoteProtocolError("not a SOCKS4 reply", received=reply)
                if reply[1] != 0x5A:
                    raise SOCKSRefused(
                        "SOCKS4 proxy: " + SOCKS4_REPLIES.get(reply[1], f"reply {reply[1]:#x}"),
                        reply[1],
                    )
                self._finish()
            elif step == "method":
                reply = self._buf.take_exactly(2)
                if reply is None:
                    break
                if reply[0] != 5:
                    raise RemoteProtocolError("not a SOCKS5 reply", received=reply)
                if reply[1] == 0x00:
                    self._step = "reply"
                    out += self._socks5_connect()
                elif reply[1] == 0x02 and self.username is not None:
                    self._step = "auth"
                    out += self._auth_request()
                elif reply[1] == 0xFF:
                    raise SOCKSRefused(
                        "SOCKS5 proxy accepts none of our authentication methods"
                        + ("" if self.username is not None else " (it may need a username)"),
                        0xFF,
                    )
                else:
                    raise RemoteProtocolError("SOCKS5 proxy chose a method we did not offer",
                                              received=reply)
            elif step == "auth":
                reply = self._buf.take_exactly(2)
                if reply is None:
                    break
                if reply[0] != 1:
                    raise RemoteProtocolError("not a SOCKS5 authentication reply",
                                              received=reply)
                if reply[1] != 0:
                    raise SOCKSRefused("SOCKS5 proxy rejected the username/password", reply[1])
                self._step = "reply"
                out += self._socks5_connect()
            elif step == "reply":
                if not self._socks5_reply():
                    break
            else:
                raise LocalProtocolError("call initial() before receive_data()")
        return out

    def _socks5_reply(self) -> bool:
        head = self._buf.peek(5)
        if len(head) < 5:
            return False
        if head[0] != 5 or head[2] != 0:
            raise RemoteProtocolError("malformed SOCKS5 reply", received=head)
        if head[1] != 0:
            raise SOCKSRefused(
                "SOCKS5 proxy: " + SOCKS5_REPLIES.get(head[1], f"reply {head[1]:#x}"), head[1]
            )
        atyp = head[3]
        if atyp == 1:
            size = 4 + 4 + 2
        elif atyp == 4:
            size = 4 + 16 + 2
        elif atyp == 3:
            size = 4 + 1 + head[4] + 2
        else:
            raise RemoteProtocolError("SOCKS5 reply with an unknown address type",
                                      received=head)
        if self._buf.take_exactly(size) is None:
            return False
        self._finish()
        return True

    def _finish(self) -> None:
        self.established = True
        self._step = "done"
        if self._buf:
            # The target speaks only after we do (HTTP, TLS ClientHello): anything here
            # came from the proxy and would be mistaken for the target's bytes.
            raise RemoteProtocolError("SOCKS proxy sent data after its reply",
                                      received=self._buf.peek(80))
