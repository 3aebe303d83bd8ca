"""Dovecot for tests: POP3 (plaintext + STLS, implicit TLS) and IMAP listeners.

``start_dovecot(tls)`` runs ``dovecot -F -c CONF`` (foreground: the PID is ours) with a
throw-away configuration under ``run/``: ``base_dir``, ``state_dir`` and logs there,
listeners on free 127.0.0.1 ports (POP3, POP3S, IMAP, IMAPS; ready for the IMAP issue),
the per-run certificate, a passwd-file of users (``{PLAIN}`` passwords, so PLAIN, LOGIN
and CRAM-MD5 all work) and a static userdb with uid/gid 20000 (Dovecot refuses uid 0;
SERVERS.md). ``DovecotServer.fill(user, messages)`` (re)writes a user's Maildir.

Fixtures:

- ``dovecot``: one server per session, users ``reader`` (the standard mailbox from
  :func:`standard_messages`: dot-stuffed lines, a lone ``.`` line, 8-bit text, a
  3000-character line, a 3 MiB message) and ``user0``..``user9`` (empty; tests fill them).

Install (Debian): ``apt-get install -y dovecot-pop3d dovecot-imapd`` (dovecot-core
comes with them); with a ``/usr/sbin/policy-rc.d`` that exits 101 so the packages do
not start the system service on 110/143/993/995.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from servers._harness import (
    ServerProcess,
    TLSFiles,
    find_program,
    free_port,
    run_dir,
    server_unavailable,
)

PASSWORD = "pop-secret"
MAIL_UID = 20000
USERS = ["reader", "bench", "benchtop", *(f"user{i}" for i in range(10))]


@dataclasses.dataclass
class DovecotServer:
    host: str
    pop3_port: int
    pop3s_port: int
    imap_port: int
    imaps_port: int
    root: Path
    ca_pem: str
    password: str = PASSWORD

    def maildir(self, user: str) -> Path:
        return self.root / "mail" / user / "Maildir"

    def fill(self, user: str, messages: list[bytes]) -> None:
        """Replace ``user``'s mailbox with ``messages`` (LF line ends, as stored)."""
        base = self.maildir(user)
        if base.exists():
            shutil.rmtree(base)
        for sub in ("tmp", "new", "cur"):
            (base / sub).mkdir(parents=True)
        now = int(time.time())
        for i, msg in enumerate(messages):
            name = f"{now}.M{i:06d}P1.test:2,"
            (base / "cur" / name).write_bytes(msg.replace(b"\r\n", b"\n"))
        for path in [base.parent, base, *base.rglob("*")]:
            os.chown(path, MAIL_UID, MAIL_UID)


def message(subject: str, body: bytes) -> bytes:
    return (b"From: sender@example.com\nTo: reader@example.com\nSubject: "
            + subject.encode() + b"\nMessage-ID: <" + subject.replace(" ", "-").encode()
            + b"@example.com>\n\n" + body)


def standard_messages() -> list[bytes]:
    """The ``reader`` mailbox; tests compare against these bytes (CRLF on the wire)."""
    return [
        message("plain", b"Hello.\nSecond line.\n"),
        message("dots", b".starts with a dot\n..two dots\n.\nafter a lone dot\n...\n"),
        message("eight bit", "Grüße, ça va? Ελληνικά\n".encode() + b"\xff\xfe raw\n"),
        message("long line", b"x" * 3000 + b"\n"),
        message("large", b"".join(b"%07d " % i + b"y" * 70 + b"\n" for i in range(40000))),
        message("empty body", b""),
    ]


CONFIG = """\
base_dir = {root}/base
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = pop3 imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5
auth_failure_delay = 0
mail_location = maildir:~/Maildir
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {uid}
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={root}/mail/%u
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def start_dovecot(tls: TLSFiles, fill_standard: bool = True) -> tuple[ServerProcess,
                                                                       DovecotServer]:
    """Start a Dovecot we own; raise RuntimeError if it cannot start."""
    binary = find_program("dovecot")
    if binary is None:
        raise FileNotFoundError("dovecot not installed (apt-get install dovecot-pop3d "
                                "dovecot-imapd)")
    root = run_dir("dovecot")
    os.chmod(root, 0o755)  # mail processes run as uid 20000 and must reach the mail
    ports = [free_port() for _ in range(4)]
    (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{PASSWORD}\n" for u in USERS))
    (root / "mail").mkdir()
    os.chown(root / "mail", MAIL_UID, MAIL_UID)
    conf = root / "dovecot.conf"
    conf.write_text(CONFIG.format(root=root, cert=tls.cert_pem, key=tls.key_pem, uid=MAIL_UID,
                                  pop3=ports[0], pop3s=ports[1], imap=ports[2],
                                  imaps=ports[3]))
    server = DovecotServer("127.0.0.1", *ports, root=root, ca_pem=tls.ca_pem)
    for user in USERS:
        server.fill(user, standard_messages() if fill_standard and user == "reader" else [])
    proc = ServerProcess([binary, "-F", "-c", str(conf)], name="dovecot",
                         ready=[("127.0.0.1", p) for p in ports], log=root / "stdout.log")
    return proc, server


@pytest.fixture(scope="session")
def dovecot(tls_ca: TLSFiles) -> Iterator[DovecotServer]:
    try:
        proc, server = start_dovecot(tls_ca)
    except (FileNotFoundError, RuntimeError) as exc:
        server_unavailable("dovecot", str(exc))
    try:
        yield server
    finally:
        proc.stop()
