"""tether.smtp against scripted and misbehaving peers (raw sockets in a thread)."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

import tether.smtp as smtplib
from tether.errors import LimitExceeded, ReadTimeout
from tether.net import TimeoutConfig

Handler = Callable[[socket.socket], None]


@contextmanager
def peer(handler: Handler) -> Iterator[int]:
    """One-connection loopback server running ``handler``; yields the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(10)
    port = listener.getsockname()[1]
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            try:
                handler(conn)
            except OSError:
                pass
            except BaseException as exc:  # surfaced to the test
                errors.append(exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        listener.close()
        thread.join(10)
    if errors:
        raise errors[0]


class Lines:
    """Line reader over a server-side socket, recording each recv() call."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.buf = b""
        self.reads: list[bytes] = []

    def line(self) -> bytes:
        while b"\r\n" not in self.buf:
            data = self.conn.recv(65536)
            if not data:
                raise EOFError
            self.reads.append(data)
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def until(self, end: bytes) -> bytes:
        while end not in self.buf:
            data = self.conn.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        out, self.buf = self.buf.split(end, 1)
        return out


EHLO_PIPE = b"250-peer\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 ENHANCEDSTATUSCODES\r\n"


def test_endless_reply_line_raises_named_limit() -> None:
    def handler(conn: socket.socket) -> None:
        conn.sendall(b"220 " + b"x" * 100_000)
        time.sleep(0.5)

    with peer(handler) as port, pytest.raises(smtplib.SMTPResponseException) as info:
        smtplib.SMTP("127.0.0.1", port, local_hostname="c", timeout=5)
    assert info.value.args == (500, "Line too long.")
    assert isinstance(info.value, LimitExceeded) and info.value.limit == "max_line_length"


def test_module_maxline_is_read_at_use_time(monkeypatch: pytest.MonkeyPatch) -> None:
    def handler(conn: socket.socket) -> None:
        conn.sendall(b"220 " + b"y" * 10_000 + b"\r\n")
        time.sleep(0.2)

    monkeypatch.setattr(smtplib, "_MAXLINE", 20_000)
    with peer(handler) as port:
        smtp = smtplib.SMTP("127.0.0.1", port, local_hostname="c", timeout=5)
        smtp.close()


def test_endless_multiline_reply_is_bounded() -> None:
    def handler(conn: socket.socket) -> None:
        conn.sendall(b"220-hi\r\n" * 5000)
        time.sleep(0.5)

    with peer(handler) as port, pytest.raises(smtplib.SMTPReplyTooLong) as info:
        smtplib.SMTP("127.0.0.1", port, local_hostname="c", timeout=5)
    assert info.value.limit == "max_reply_lines"


def test_starttls_454_raises_and_never_continues_in_cleartext() -> None:
    seen: list[bytes] = []

    def handler(conn: socket.socket) -> None:
        r = Lines(conn)
        conn.sendall(b"220 hi\r\n")
        r.line()
        conn.sendall(b"250-peer\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n")
        seen.append(r.line())
        conn.sendall(b"454 4.7.0 TLS not available\r\n")
        conn.settimeout(1)
        try:
            seen.append(r.line())
        except (EOFError, OSError):
            pass

    with peer(handler) as port:
        smtp = smtplib.SMTP("127.0.0.1", port, local_hostname="c", timeout=5)
        with pytest.raises(smtplib.SMTPResponseException) as info:
            smtp.starttls()
        assert info.value.smtp_code == 454
        assert info.value.enhanced_status == "4.7.0"
        smtp.close()
    assert seen == [b"STARTTLS"]


def test_reply_injected_after_starttls_is_discarded(tls_ca) -> None:  # type: ignore[no-untyped-def]
    ctx_server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx_server.load_cert_chain(tls_ca.cert_pem, tls_ca.key_pem)
    after: list[bytes] = []

    def handler(conn: socket.socket) -> None:
        r = Lines(conn)
        conn.sendall(b"220 hi\r\n")
        r.line()
        conn.sendall(b"250-peer\r\n250 STARTTLS\r\n")
        r.line()
        # The injection: a fake EHLO reply in the same packet as the 220.
        conn.sendall(b"220 go ahead\r\n250-evil\r\n250 AUTH PLAIN\r\n")
        tls = ctx_server.wrap_socket(conn, server_side=True)
        t = Lines(tls)  # type: ignore[arg-type]
        after.append(t.line())
        tls.sendall(b"250-real\r\n250 AUTH CRAM-MD5\r\n")
        after.append(t.line())
        tls.sendall(b"221 bye\r\n")

    with peer(handler) as port:
        smtp = smtplib.SMTP("localhost", port, local_hostname="c", timeout=5)
        client_ctx = ssl.create_default_context(cafile=tls_ca.ca_pem)
        # The injected lines arrived with the 220 and sit in the engine's buffer,
        # which STARTTLS empties.
        smtp.starttls(context=client_ctx)
        _code, msg = smtp.ehlo()
        assert msg == b"real\nAUTH CRAM-MD5"
        assert smtp.esmtp_features["auth"].split() == ["CRAM-MD5"]
        smtp.quit()
    assert after[0].lower().startswith(b"ehlo")


def test_pipelining_sends_envelope_in_one_write_and_body_once() -> None:
    reads: list[bytes] = []

    def handler(conn: socket.socket) -> None:
        r = Lines(conn)
        conn.sendall(b"220 hi\r\n")
        r.line()
        conn.sendall(EHLO_PIPE.replace(b"250-CHUNKING\r\n", b""))
        r.reads.clear()
        cmds = [r.line() for _ in range(4)]
        reads.extend(r.reads)
        assert cmds[0].startswith(b"mail FROM:<a@x>") and cmds[3] == b"data"
        conn.sendall(b"250 ok\r\n250 ok\r\n550 5.1.1 nope\r\n354 go\r\n")
        body = r.until(b"\r\n.\r\n")
        assert body == b"line1\r\n..dot\r\nline3"
        conn.sendall(b"250 2.0.0 queued\r\n")
        r.line()
        conn.sendall(b"221 bye\r\n")

    with (
        peer(handler) as port,
        smtplib.SMTP("127.0.0.1", port, local_hostname="c", timeout=5) as smtp,
    ):
        refused = smtp.sendmail("a@x", ["b@x", "bad@x"], b"line1\n.dot\rline3")
    assert refused == {"bad@x": (550, b"5.1.1 nope")}
    assert len(reads) == 1  # MAIL, both RCPTs and DATA arrived together


def test_pipelined_sender_refused_reads_every_reply_then_resets() -> None:
    def handler(conn: socket.socket) -> None:
        r = Lines(conn)
        conn.sendall(b"220 hi\r\n")
        r.line()
        conn.sendall(EHLO_PIPE.replace(b"250-CHUNKING\r\n", b""))
        for _ in range(3):
            r.line()
        conn.sendall(b"550 5.7.1 go away\r\n503 no sender\r\n503 no rcpt\r\n")
        assert r.line() == b"rset"
        conn.sendall(b"250 reset\r\n")
        assert r.line() == b"noop"
        conn.sendall(b"250 still here\r\n")
        r.line()
        conn.sendall(b"221 bye\r\n")

    with (
        peer(handler) as port,
        smtplib.SMTP("127.0.0.1", port, local_hostname="c", timeout=5) as smtp,
    ):
        with pytest.raises(smtplib.SMTPSenderRefused) as info:
            smtp.sendmail("a@x", ["b@x"], b"x")
        assert info.value.enhanced_status == "5.7.1"
        assert smtp.noop() == (250, b"still here")


def test_bdat_when_offered_and_asked_for() -> None:
    got: list[bytes] = []

    def handler(conn: socket.socket) -> None:
        r = Lines(conn)
        conn.sendall(b"220 hi\r\n")
        r.line()
        conn.sendall(EHLO_PIPE)
        r.line()
        r.line()
        header = r.line()
        size = int(header.split()[1])
        while len(r.buf) < size:
            r.buf += conn.recv(65536)
        got.append(header)
        got.append(r.buf[:size])
        r.buf = r.buf[size:]
        conn.sendall(b"250 ok\r\n250 ok\r\n250 2.0.0 got it\r\n")
        r.line()
        conn.sendall(b"221 bye\r\n")

    with (
        peer(handler) as port,
        smtplib.SMTP("127.0.0.1", port, local_hostname="c", timeout=5) as smtp,
    ):
        smtp.use_chunking = True
        assert smtp.sendmail("a@x", "b@x", b"Subject: s\n\n.no stuffing\n") == {}
    expected = b"Subject: s\r\n\r\n.no stuffing\r\n"
    assert got == [b"BDAT %d LAST" % len(expected), expected]


def _drip(conn: socket.socket) -> None:
    conn.sendall(b"220 hi\r\n")
    Lines(conn).line()
    for _ in range(40):
        conn.sendall(b"2")
        time.sleep(0.25)


def test_total_deadline_bounds_a_dripping_reply() -> None:
    with peer(_drip) as port:
        smtp = smtplib.SMTP(
            "127.0.0.1",
            port,
            local_hostname="c",
            timeout=TimeoutConfig(connect=2, read=2, write=2, total=1.5),
        )
        start = time.monotonic()
        with pytest.raises(smtplib.SMTPServerDisconnected) as info:
            smtp.noop()
        assert time.monotonic() - start < 3
        assert isinstance(info.value, ReadTimeout) and isinstance(info.value, TimeoutError)
        assert "deadline" in str(info.value)
        assert smtp.sock is None


def test_silent_server_times_out_with_smtplib_exception() -> None:
    def handler(conn: socket.socket) -> None:
        time.sleep(2)

    with peer(handler) as port:
        start = time.monotonic()
        with pytest.raises(smtplib.SMTPServerDisconnected) as info:
            smtplib.SMTP("127.0.0.1", port, local_hostname="c", timeout=0.5)
        assert time.monotonic() - start < 1.5
        assert isinstance(info.value, TimeoutError)


def test_cleartext_login_refused_to_non_loopback_peer_before_sending() -> None:
    sent: list[bytes] = []
    a, b = socket.socketpair()  # an AF_UNIX peer: not TLS, not a loopback IP

    class ViaPair(smtplib.SMTP):
        def _get_socket(self, host, port, timeout):  # type: ignore[no-untyped-def]
            return a

    def server() -> None:
        r = Lines(b)
        b.sendall(b"220 hi\r\n")
        while True:
            try:
                line = r.line()
            except (EOFError, OSError):
                return
            sent.append(line)
            if line.lower().startswith(b"ehlo"):
                b.sendall(b"250-peer\r\n250 AUTH PLAIN LOGIN\r\n")
            else:
                b.sendall(b"221 bye\r\n")

    thread = threading.Thread(target=server, daemon=True)
    thread.start()
    smtp = ViaPair("mail.example.net", 25, local_hostname="c", timeout=5)
    with pytest.raises(smtplib.SMTPCleartextAuthError) as info:
        smtp.login("u", "hunter2")
    assert "allow_cleartext_auth=True" in str(info.value)
    assert isinstance(info.value, smtplib.SMTPException)
    with pytest.raises(smtplib.SMTPCleartextAuthError):
        smtp.auth("PLAIN", smtp.auth_plain)
    smtp.quit()
    thread.join(5)
    b.close()
    assert not any(b"AUTH" in line for line in sent)
    assert not any(b"hunter2" in line for line in sent)


def test_cleartext_login_allowed_with_explicit_opt_out() -> None:
    a, b = socket.socketpair()
    import base64

    class ViaPair(smtplib.SMTP):
        def _get_socket(self, host, port, timeout):  # type: ignore[no-untyped-def]
            return a

    def server() -> None:
        r = Lines(b)
        b.sendall(b"220 hi\r\n")
        r.line()
        b.sendall(b"250-peer\r\n250 AUTH PLAIN\r\n")
        line = r.line()
        assert base64.b64decode(line.split()[2]) == b"\0u\0pw"
        b.sendall(b"235 ok\r\n")

    thread = threading.Thread(target=server, daemon=True)
    thread.start()
    smtp = ViaPair("mail.example.net", 25, local_hostname="c", timeout=5, allow_cleartext_auth=True)
    assert smtp.login("u", "pw") == (235, b"ok")
    smtp.close()
    thread.join(5)
    b.close()
