"""Demo steps for mail: tether.smtp (blocking and asyncio) and tether.pop3 into a Maildir.

The servers are the demo's own (``_servers``): aiosmtpd requiring STARTTLS before AUTH
on a submission port plus an implicit-TLS port, and a POP3 server with STLS reading
the same mailboxes, so what the SMTP steps send is what the POP3 steps retrieve.
"""

from __future__ import annotations

import asyncio
import os
from email.message import EmailMessage

from tether.demo._runner import DemoContext, Step
from tether.demo._servers.start import DEMO_ACCOUNTS, mail_servers

#: A body line that is a lone dot would end DATA early if it were not dot-stuffed
#: (RFC 5321 §4.5.2); the demo checks that it arrives intact.
BODY = "Hello Alice,\n\nthis came through tether.smtp.\n.\nThis line follows a lone dot.\n"


def _message(subject: str, body: str = BODY) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Bob <bob@example.test>"
    msg["To"] = "Alice <alice@example.test>"
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def start_mail_servers(ctx: DemoContext) -> str:
    servers = mail_servers(ctx)
    return (f"SMTP 127.0.0.1:{servers.smtp.port} (STARTTLS) and :{servers.smtp.tls_port} "
            f"(TLS); POP3 :{servers.pop3.port} (STLS) and :{servers.pop3.tls_port} (TLS)")


def send_blocking(ctx: DemoContext) -> str:
    from tether.net import create_ssl_context
    from tether.smtp import SMTP

    servers = mail_servers(ctx)
    before = len(servers.store.messages("alice"))
    with SMTP("localhost", servers.smtp.port) as smtp:
        smtp.starttls(context=create_ssl_context(verify=ctx.ca_pem))
        smtp.login("bob", DEMO_ACCOUNTS["bob"])
        refused = smtp.send_message(_message("Hello from tether.smtp"))
        mechanisms = smtp.esmtp_features.get("auth", "").split()
    stored = servers.store.messages("alice")
    if refused or len(stored) != before + 1:
        raise AssertionError(f"message not delivered (refused: {refused})")
    if b"\r\n.\r\nThis line follows a lone dot." not in stored[-1].data:
        raise AssertionError("the lone-dot line did not arrive intact")
    return (f"STARTTLS, AUTH ({'/'.join(mechanisms)}), 1 message of "
            f"{len(stored[-1].data)} bytes delivered intact")


def send_async(ctx: DemoContext) -> str:
    from tether.net import create_ssl_context
    from tether.smtp import AsyncSMTP

    servers = mail_servers(ctx)
    before = len(servers.store.messages("alice"))
    tls = create_ssl_context(verify=ctx.ca_pem)

    async def one(i: int) -> None:
        async with AsyncSMTP("localhost", servers.smtp.tls_port, use_tls=True,
                             context=tls) as smtp:
            await smtp.login("bob", DEMO_ACCOUNTS["bob"])
            await smtp.send_message(_message(f"Async message {i}", f"Message number {i}.\n"))

    async def main() -> None:
        await asyncio.gather(*(one(i) for i in range(5)))

    asyncio.run(main())
    delivered = len(servers.store.messages("alice")) - before
    if delivered != 5:
        raise AssertionError(f"{delivered} of 5 messages delivered")
    return "AsyncSMTP: 5 messages over 5 concurrent implicit-TLS connections"


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def fetch_blocking(ctx: DemoContext) -> str:
    from tether.net import create_ssl_context
    from tether.pop3 import POP3, fetch_to_maildir

    servers = mail_servers(ctx)
    on_server = len(servers.store.messages("alice"))
    maildir = os.path.join(ctx.workdir, "Maildir")
    client = POP3("127.0.0.1", servers.pop3.port)
    try:
        client.stls(context=create_ssl_context(verify=ctx.ca_pem))
        client.user("alice")
        client.pass_(DEMO_ACCOUNTS["alice"])
        result = fetch_to_maildir(client, maildir, account="alice@demo")
        client.quit()
    finally:
        client.close()
    if len(result.stored) != on_server or on_server == 0:
        raise AssertionError(f"stored {len(result.stored)} of {on_server} messages")
    texts = [_read(path) for path in result.stored]
    if not any(b"\n.\nThis line follows a lone dot.\n" in text for text in texts):
        raise AssertionError("the lone-dot line did not survive the round trip")
    return (f"STLS, USER/PASS, {len(result.stored)} messages into "
            f"{os.path.relpath(maildir, ctx.workdir)}/new, lone-dot line intact")


def fetch_async_again(ctx: DemoContext) -> str:
    from tether.net import create_ssl_context
    from tether.pop3 import AsyncPOP3_SSL, afetch_to_maildir

    servers = mail_servers(ctx)
    maildir = os.path.join(ctx.workdir, "Maildir")
    before = len(os.listdir(os.path.join(maildir, "new")))

    async def main() -> tuple[int, int, int]:
        async with AsyncPOP3_SSL("localhost", servers.pop3.tls_port,
                                 context=create_ssl_context(verify=ctx.ca_pem)) as client:
            await client.user("alice")
            await client.pass_(DEMO_ACCOUNTS["alice"])
            result = await afetch_to_maildir(client, maildir, delete=True,
                                             account="alice@demo")
        return len(result.stored), result.skipped, result.deleted

    stored, skipped, deleted = asyncio.run(main())
    after = len(os.listdir(os.path.join(maildir, "new")))
    left = len(servers.store.messages("alice"))
    if stored or after != before or skipped != before or deleted != before or left:
        raise AssertionError(f"rerun stored {stored}, skipped {skipped}, deleted {deleted}, "
                             f"{left} left on the server")
    return (f"AsyncPOP3_SSL rerun: {skipped} already stored, 0 duplicates; "
            f"{deleted} deleted on the server after they were safe on disk")


STEPS = [
    Step("mail: start SMTP and POP3 servers", start_mail_servers),
    Step("smtp: send with STARTTLS and AUTH (blocking)", send_blocking),
    Step("smtp: send concurrently with AsyncSMTP (TLS)", send_async),
    Step("pop3: fetch into a temporary Maildir (STLS)", fetch_blocking),
    Step("pop3: rerun with AsyncPOP3_SSL, delete on server", fetch_async_again),
]
