"""A failed STARTTLS handshake surfaces as the TLS error, even inside ``with SMTP()``."""

from __future__ import annotations

import socket

import pytest

import tether.smtp as smtplib
from servers._peers import tcp_peer
from tether import errors


def _bad_tls_server(conn: socket.socket) -> None:
    f = conn.makefile("rb")
    conn.sendall(b"220 hostile ESMTP\r\n")
    while line := f.readline():
        verb = line.split()[0].upper() if line.split() else b""
        if verb == b"EHLO":
            conn.sendall(b"250-hostile\r\n250 STARTTLS\r\n")
        elif verb == b"STARTTLS":
            conn.sendall(b"220 go ahead\r\n" + b"this is not a TLS record\r\n" * 3)
        else:
            conn.sendall(b"221 bye\r\n")


def test_tls_error_is_not_masked_by_quit() -> None:
    with (
        tcp_peer(_bad_tls_server) as port,
        pytest.raises(errors.TLSError) as info,
        smtplib.SMTP("127.0.0.1", port) as smtp,
    ):
        smtp.starttls()
    assert "WRONG_VERSION_NUMBER" in str(info.value) or "record" in str(info.value).lower()
