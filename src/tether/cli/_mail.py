"""``tether mail send|fetch|list``: tether.smtp and tether.pop3 from the command line.

Server URLs say how to reach the server and how TLS is used:

==================  ==============  ==============================================
URL                 default port    TLS
==================  ==============  ==============================================
``smtp://host``     25              STARTTLS when the server offers it
``submission://h``  587             STARTTLS required (RFC 6409)
``smtps://host``    465             implicit TLS (RFC 8314)
``pop3://host``     110             STLS when the server offers it
``pop3s://host``    995             implicit TLS
==================  ==============  ==============================================

A user name in the URL (``pop3s://alice@host``) or ``--user`` turns on AUTH/USER-PASS;
the password comes from ``--password-command``, ``--password-env`` or a prompt. The
clients' own safe defaults apply: certificates are verified, and a password is never
sent in clear text except to a loopback address.
"""

from __future__ import annotations

import argparse
import email.policy
import mimetypes
import os
import socket
import ssl
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import formatdate, make_msgid
from typing import Any

from tether.cli._console import Output
from tether.cli._errors import CLIError, ExitCode
from tether.cli._passwords import add_password_options, get_password

_SCHEMES = {  # scheme: (default port, implicit TLS, STARTTLS "auto" | "required")
    "smtp": (25, False, "auto"),
    "submission": (587, False, "required"),
    "smtps": (465, True, ""),
    "pop3": (110, False, "auto"),
    "pop3s": (995, True, ""),
}


@dataclass(frozen=True)
class Server:
    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None
    implicit_tls: bool
    starttls: str

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def parse_server(text: str, allowed: tuple[str, ...], user: str | None) -> Server:
    from tether.url import unquote, urlsplit

    parts = urlsplit(text if "://" in text else f"{allowed[0]}://{text}")
    scheme = parts.scheme.lower()
    if scheme not in allowed:
        raise CLIError(f"{text!r}: the scheme must be one of {', '.join(allowed)}")
    if not parts.hostname:
        raise CLIError(f"{text!r}: no host name")
    port, implicit, starttls = _SCHEMES[scheme]
    name = user or (unquote(parts.username) if parts.username else None)
    password = unquote(parts.password) if parts.password is not None else None
    return Server(scheme, parts.hostname, parts.port or port, name, password, implicit,
                  starttls)


def _add_connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", help="log in as USER (or put it in the URL: proto://USER@host)")
    parser.add_argument("--cacert", metavar="FILE", help="trust the CAs in FILE")
    parser.add_argument("-k", "--insecure", action="store_true",
                        help="do not verify the server's certificate (dangerous)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="socket timeout for every wait (default: tether's finite ones)")
    add_password_options(parser)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               common: list[argparse.ArgumentParser]) -> None:
    mail = sub.add_parser("mail", parents=common, help="send mail (SMTP) and fetch it (POP3)",
                          description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = mail.add_subparsers(dest="mail_command", metavar="ACTION", required=True)

    send = actions.add_parser("send", parents=common, help="send a message over SMTP")
    send.add_argument("--smtp", required=True, metavar="URL",
                      help="smtp://, submission:// or smtps:// [USER@]HOST[:PORT]")
    send.add_argument("--from", dest="sender", metavar="ADDR",
                      help="sender (envelope and From:); with -t, overrides the envelope only")
    send.add_argument("--to", action="append", default=[], metavar="ADDR", help="recipient")
    send.add_argument("--cc", action="append", default=[], metavar="ADDR")
    send.add_argument("--bcc", action="append", default=[], metavar="ADDR",
                      help="recipient not shown in the headers")
    send.add_argument("--subject", default="", metavar="TEXT")
    send.add_argument("--body", metavar="TEXT", help="message text (default: read stdin)")
    send.add_argument("--attach", action="append", default=[], metavar="FILE")
    send.add_argument("-t", dest="whole_message", action="store_true",
                      help="sendmail mode: read a whole message from stdin; recipients "
                      "from its To, Cc and Bcc (Bcc is removed before sending)")
    _add_connection_options(send)
    send.set_defaults(handler=send_command)

    fetch = actions.add_parser("fetch", parents=common,
                               help="download new messages from POP3 into a Maildir")
    fetch.add_argument("server", metavar="URL", help="pop3:// or pop3s:// USER@HOST[:PORT]")
    fetch.add_argument("--maildir", required=True, metavar="DIR")
    fetch.add_argument("--delete", action="store_true",
                       help="delete each message on the server once it is safely stored")
    _add_connection_options(fetch)
    fetch.set_defaults(handler=fetch_command)

    listing = actions.add_parser("list", parents=common,
                                 help="list the messages of a POP3 mailbox or a Maildir")
    listing.add_argument("server", metavar="URL", nargs="?",
                         help="pop3:// or pop3s:// USER@HOST[:PORT]")
    listing.add_argument("--maildir", metavar="DIR", help="list a local Maildir instead")
    listing.add_argument("--json", action="store_true", help="print JSON")
    _add_connection_options(listing)
    listing.set_defaults(handler=list_command)


def _tls_context(args: argparse.Namespace) -> ssl.SSLContext:
    from tether.net import create_ssl_context

    if args.insecure:
        return create_ssl_context(verify=False)
    if args.cacert:
        if not os.path.exists(args.cacert):
            raise CLIError(f"--cacert: no such file: {args.cacert}")
        return create_ssl_context(verify=args.cacert)
    return create_ssl_context()


def _timeout(args: argparse.Namespace) -> Any:
    return args.timeout if args.timeout is not None else socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror}") from None


def _build_message(args: argparse.Namespace) -> EmailMessage:
    if not args.sender:
        raise CLIError("--from is required (or use -t with a From: header)")
    if not (args.to or args.cc or args.bcc):
        raise CLIError("at least one --to, --cc or --bcc is required")
    msg = EmailMessage()
    msg["From"] = args.sender
    if args.to:
        msg["To"] = ", ".join(args.to)
    if args.cc:
        msg["Cc"] = ", ".join(args.cc)
    msg["Subject"] = args.subject
    msg["Date"] = formatdate(localtime=True)
    domain = args.sender.rpartition("@")[2] or None
    msg["Message-ID"] = make_msgid(domain=domain)
    body = args.body if args.body is not None else sys.stdin.read()
    msg.set_content(body)
    for path in args.attach:
        data = _read_file(path)
        ctype, encoding = mimetypes.guess_type(path)
        if ctype is None or encoding is not None:
            ctype = "application/octet-stream"
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype,
                           filename=os.path.basename(path))
    return msg


def send_command(args: argparse.Namespace, out: Output) -> int:
    from tether.smtp import SMTP, SMTP_SSL

    server = parse_server(args.smtp, ("smtp", "submission", "smtps"), args.user)
    if args.whole_message:
        if args.to or args.cc or args.bcc or args.body or args.attach or args.subject:
            raise CLIError("-t reads the whole message from stdin: it takes no --to, --cc, "
                           "--bcc, --subject, --body or --attach")
        msg: Any = BytesParser(policy=email.policy.SMTP).parse(sys.stdin.buffer)
        to_addrs = None
    else:
        msg = _build_message(args)
        to_addrs = [*args.to, *args.cc, *args.bcc]
    password = (get_password(args, server.user, server.where, server.password)
                if server.user else None)
    tls = _tls_context(args)
    client: Any
    if server.implicit_tls:
        client = SMTP_SSL(server.host, server.port, context=tls, timeout=_timeout(args))
    else:
        client = SMTP(server.host, server.port, timeout=_timeout(args))
    notes = ["implicit TLS"] if server.implicit_tls else []
    try:
        client.ehlo()
        if not server.implicit_tls:
            if client.has_extn("starttls"):
                client.starttls(context=tls)
                client.ehlo()
                notes.append("STARTTLS")
            elif server.starttls == "required":
                raise CLIError(f"{server.where} does not offer STARTTLS", ExitCode.TLS)
        if server.user and password is not None:
            client.login(server.user, password)
            notes.append(f"AUTH as {server.user}")
        refused = client.send_message(msg, from_addr=args.sender, to_addrs=to_addrs)
        client.quit()
    finally:
        # Not ``with client``: its QUIT on a broken connection would replace the error.
        client.close()
    for address, (code, text) in refused.items():
        out.text(f"tether: refused {address}: {code} {text.decode('utf-8', 'replace')}",
                 err=True)
    out.text(f"sent via {server.where} ({', '.join(notes) or 'no TLS'})", err=True)
    return ExitCode.REFUSED if refused else ExitCode.OK


def _pop3_login(args: argparse.Namespace, server: Server) -> Any:
    from tether.pop3 import POP3, POP3_SSL, error_proto

    if not server.user:
        raise CLIError("a user name is needed: pop3s://USER@HOST or --user")
    password = get_password(args, server.user, server.where, server.password)
    tls = _tls_context(args)
    client: Any
    if server.implicit_tls:
        client = POP3_SSL(server.host, server.port, context=tls, timeout=_timeout(args))
    else:
        client = POP3(server.host, server.port, timeout=_timeout(args))
        try:
            capabilities = client.capa()
        except error_proto:
            capabilities = {}
        if "STLS" in capabilities:
            client.stls(context=tls)
    try:
        client.user(server.user)
        client.pass_(password)
    except BaseException:
        client.close()
        raise
    return client


class _CountingClient:
    """Passes every call to a POP3 client and advances a progress bar as messages stream."""

    def __init__(self, client: Any, bar: Any) -> None:
        self._client = client
        self._bar = bar

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def iter_retr(self, which: Any) -> Iterator[bytes]:
        for chunk in self._client.iter_retr(which):
            self._bar.advance(len(chunk))
            yield chunk


def fetch_command(args: argparse.Namespace, out: Output) -> int:
    from tether._progress import TransferProgress
    from tether.pop3 import fetch_to_maildir

    server = parse_server(args.server, ("pop3", "pop3s"), args.user)
    client = _pop3_login(args, server)
    try:
        with TransferProgress() as progress:
            total = None
            if progress.enabled:
                _, lines, _ = client.list()
                total = sum(int(line.split()[1]) for line in lines)
            bar = progress.add("mail", total)
            result = fetch_to_maildir(_CountingClient(client, bar), args.maildir,
                                      delete=args.delete,
                                      account=f"{server.user}@{server.where}")
            bar.update(completed=total)
        client.quit()
    finally:
        client.close()
    out.text(f"{len(result.stored)} new message(s) stored in "
             f"{os.path.join(args.maildir, 'new')}; {result.skipped} already stored"
             + (f"; {result.deleted} deleted on the server" if args.delete else ""))
    return ExitCode.OK


def _summary(headers: Any) -> tuple[str, str, str]:
    return (str(headers.get("From", "")), str(headers.get("Subject", "")),
            str(headers.get("Date", "")))


def list_command(args: argparse.Namespace, out: Output) -> int:
    parser = BytesHeaderParser(policy=email.policy.default)
    rows: list[dict[str, Any]] = []
    if args.maildir:
        if args.server:
            raise CLIError("give either a POP3 URL or --maildir, not both")
        for folder in ("new", "cur"):
            directory = os.path.join(args.maildir, folder)
            if not os.path.isdir(directory):
                raise CLIError(f"{args.maildir} is not a Maildir (no {folder}/)")
            for name in sorted(os.listdir(directory)):
                path = os.path.join(directory, name)
                with open(path, "rb") as f:
                    sender, subject, date = _summary(parser.parse(f))
                rows.append({"id": f"{folder}/{name}", "size": os.path.getsize(path),
                             "from": sender, "subject": subject, "date": date})
    elif args.server:
        server = parse_server(args.server, ("pop3", "pop3s"), args.user)
        client = _pop3_login(args, server)
        try:
            _, uid_lines, _ = client.uidl()
            _, size_lines, _ = client.list()
            sizes = dict(line.split()[:2] for line in size_lines)
            for line in uid_lines:
                number, uid = line.decode("ascii", "replace").split()[:2]
                _, head, _ = client.top(number, 0)
                sender, subject, date = _summary(parser.parsebytes(b"\r\n".join(head)))
                rows.append({"id": number, "uid": uid, "size": int(sizes[number.encode()]),
                             "from": sender, "subject": subject, "date": date})
            client.quit()
        finally:
            client.close()
    else:
        raise CLIError("give a POP3 URL (pop3s://USER@HOST) or --maildir DIR")
    if args.json:
        out.json(rows)
        return ExitCode.OK
    out.table(["#", "size", "from", "subject", "date"],
              ([str(r["id"]), str(r["size"]), r["from"], r["subject"], r["date"]]
               for r in rows))
    return ExitCode.OK
