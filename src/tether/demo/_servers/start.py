"""Starting the demo's servers once per demo run, on first use by a step."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

from tether.demo._runner import DemoContext
from tether.demo._servers._loop import ServerLoop
from tether.demo._servers.http import DemoHTTPServer
from tether.demo._servers.mailstore import MailStore
from tether.demo._servers.pop3 import DemoPOP3Server
from tether.demo._servers.smtp import DemoSMTPServer

#: The demo's mail accounts (mailbox / login -> password). Throw-away, loopback only.
DEMO_ACCOUNTS = {"alice": "demo-password-alice", "bob": "demo-password-bob"}


@dataclass(frozen=True)
class HTTPServers:
    http: DemoHTTPServer
    https: DemoHTTPServer

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http.port}"

    @property
    def https_url(self) -> str:
        return f"https://localhost:{self.https.port}"


@dataclass(frozen=True)
class MailServers:
    store: MailStore
    smtp: DemoSMTPServer
    pop3: DemoPOP3Server


def _tls(ctx: DemoContext) -> ssl.SSLContext:
    if not ctx.cert_pem:
        from tether.demo._steps_net import make_ca

        make_ca(ctx)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(ctx.cert_pem, ctx.key_pem)
    return context


def server_loop(ctx: DemoContext) -> ServerLoop:
    loop = ctx.servers.get("loop")
    if not isinstance(loop, ServerLoop):
        loop = ServerLoop()
        ctx.servers["loop"] = loop
        ctx.cleanups.append(loop.close)
    return loop


def http_servers(ctx: DemoContext) -> HTTPServers:
    """The demo's HTTP and HTTPS servers, started if they are not running yet."""
    found = ctx.servers.get("http")
    if isinstance(found, HTTPServers):
        return found
    loop = server_loop(ctx)
    servers = HTTPServers(DemoHTTPServer(), DemoHTTPServer(_tls(ctx)))
    loop.keep(loop.call(servers.http.start()))
    loop.keep(loop.call(servers.https.start()))
    ctx.servers["http"] = servers
    return servers


def mail_servers(ctx: DemoContext) -> MailServers:
    """The demo's SMTP (STARTTLS and implicit TLS) and POP3 (STLS and POP3S) servers."""
    found = ctx.servers.get("mail")
    if isinstance(found, MailServers):
        return found
    loop = server_loop(ctx)
    tls = _tls(ctx)
    store = MailStore(DEMO_ACCOUNTS)
    servers = MailServers(store, DemoSMTPServer(store, tls), DemoPOP3Server(store, tls))
    for start in (servers.smtp.start_submission, servers.smtp.start_smtps,
                  servers.pop3.start, servers.pop3.start_pop3s):
        loop.keep(loop.call(start()))
    ctx.servers["mail"] = servers
    return servers
