"""``tether demo --serve``: keep the demo's servers running to try the command line on."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from typing import TextIO

from tether.demo._runner import _context
from tether.demo._servers.start import DEMO_ACCOUNTS, http_servers, mail_servers


def serve(out: TextIO | None = None, stop: threading.Event | None = None) -> int:
    """Start every demo server, print how to reach them, wait for Ctrl-C (or ``stop``)."""
    out = out or sys.stdout
    with _context() as ctx:
        http = http_servers(ctx)
        mail = mail_servers(ctx)
        ca = os.path.join(tempfile.gettempdir(), "tether-demo-ca.pem")
        with open(ctx.ca_pem, "rb") as src, open(ca, "wb") as dst:
            dst.write(src.read())
        accounts = ", ".join(f"{user} / {password}" for user, password in DEMO_ACCOUNTS.items())
        print(f"""tether demo servers (Ctrl-C to stop); trust their CA with --cacert {ca}
  HTTP        {http.http_url}/   (/json /redirect/N /download/N /anything /robots.txt)
  HTTPS       {http.https_url}/
  SMTP        submission://localhost:{mail.smtp.port}   (STARTTLS required, then AUTH)
  SMTPS       smtps://localhost:{mail.smtp.tls_port}
  POP3        pop3://localhost:{mail.pop3.port}         (STLS)
  POP3S       pop3s://localhost:{mail.pop3.tls_port}
  accounts    {accounts}  (mail for <name>@anything goes to <name>)""", file=out, flush=True)
        try:
            (stop or threading.Event()).wait()
        except KeyboardInterrupt:
            pass
    return 0
