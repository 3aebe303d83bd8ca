"""Registers the ``dovecot`` bench server: Dovecot POP3 with two filled mailboxes.

env["dovecot_pop3"] = (host, port, "bench", password): 200 messages of 1 MiB;
env["dovecot_pop3_top"] = (host, port, "benchtop", password): 10,000 small messages.
Start-up code shared with the tests (tests/servers/dovecot.py).
"""

from __future__ import annotations

import sys
from typing import Any

from servers._harness import TLSFiles

N_BIG = 200
N_SMALL = 10_000


def big_message(i: int) -> bytes:
    head = (b"From: bench@example.com\nTo: you@example.com\nSubject: big %d\n"
            b"Message-ID: <big-%d@example.com>\n\n" % (i, i))
    line = b"%07d " + b"Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do." + b"\n"
    body = b"".join(line % n for n in range((1024 * 1024 - len(head)) // 73))
    body += b".a line that needs dot-stuffing\n"
    return head + body


def small_message(i: int) -> bytes:
    return (b"From: bench@example.com\nTo: you@example.com\nSubject: small %d\n"
            b"Message-ID: <small-%d@example.com>\nDate: Wed, 25 Nov 2026 10:00:00 +0000\n\n"
            b"short body\n" % (i, i))


def _dovecot(tls: TLSFiles) -> tuple[Any, dict[str, Any]]:
    from servers.dovecot import start_dovecot

    proc, server = start_dovecot(tls, fill_standard=False)
    server.fill("bench", [big_message(i) for i in range(N_BIG)])
    server.fill("benchtop", [small_message(i) for i in range(N_SMALL)])
    return proc.stop, {
        "dovecot_pop3": (server.host, server.pop3_port, "bench", server.password),
        "dovecot_pop3_top": (server.host, server.pop3_port, "benchtop", server.password),
    }


# bench/run.py loads bench/servers.py as the module "bench_servers".
sys.modules["bench_servers"].register("dovecot", _dovecot)
