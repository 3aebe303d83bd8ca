"""The demo's POP3 server (RFC 1939, CAPA from RFC 2449, STLS from RFC 2595), asyncio.

Theory of operation: one coroutine per connection reads command lines (bounded by
``MAX_COMMAND``) and answers them according to the session state: AUTHORIZATION
(``CAPA``, ``USER``/``PASS``, ``STLS``, ``QUIT``) then, after a successful ``PASS``
that takes the mailbox's exclusive lock (RFC 1939 §8), TRANSACTION (``STAT``, ``LIST``,
``UIDL``, ``RETR``, ``TOP``, ``DELE``, ``NOOP``, ``RSET``, ``QUIT``). The messages are a
snapshot of the :class:`MailStore` mailbox taken at login; ``DELE`` only marks, and the
marked messages are removed when ``QUIT`` ends the TRANSACTION state (the UPDATE state,
§6), so a dropped connection loses nothing. Multi-line responses are dot-stuffed (§3).
"""

from __future__ import annotations

import asyncio
import os
import ssl
import sys
from dataclasses import dataclass, field
from typing import Final

from tether.demo._servers.mailstore import MailStore, StoredMessage

#: RFC 2449 §4: a command line is at most 255 octets including CRLF.
MAX_COMMAND: Final = 255
#: RFC 1939 §3 asks for at least 10 minutes of idle time before an autologout timer.
IDLE_TIMEOUT: Final = 600.0
#: Commands that fail in a row before the server closes the connection.
MAX_ERRORS: Final = 20
_CAN_STLS: Final = sys.version_info >= (3, 11)  # StreamWriter.start_tls


@dataclass
class _Session:
    tls_active: bool
    user: str | None = None
    box: str | None = None
    messages: list[StoredMessage] = field(default_factory=list)
    deleted: set[int] = field(default_factory=set)

    def live(self) -> list[tuple[int, StoredMessage]]:
        return [(n, m) for n, m in enumerate(self.messages, 1) if n not in self.deleted]


def _stuffed(data: bytes, max_body_lines: int | None = None) -> bytes:
    """The multi-line form of a message: dot-stuffed, CRLF, ending with ``.``."""
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    lines = data.split(b"\r\n")[:-1]
    if max_body_lines is not None:  # TOP: the headers, the blank line, n body lines
        head_end = lines.index(b"") if b"" in lines else len(lines)
        lines = lines[:head_end + 1 + max_body_lines]
    out = [b"." + line if line.startswith(b".") else line for line in lines]
    return b"\r\n".join([*out, b".", b""])


class DemoPOP3Server:
    """``await start()`` (plain, with STLS) and ``await start_pop3s()`` on the server loop."""

    def __init__(self, store: MailStore, tls: ssl.SSLContext | None) -> None:
        self.store = store
        self.tls = tls
        self.port = 0
        self.tls_port = 0

    async def start(self, host: str = "127.0.0.1") -> asyncio.AbstractServer:
        server = await asyncio.start_server(
            lambda r, w: self._client(r, w, False), host, 0, limit=MAX_COMMAND)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def start_pop3s(self, host: str = "127.0.0.1") -> asyncio.AbstractServer:
        server = await asyncio.start_server(
            lambda r, w: self._client(r, w, True), host, 0, ssl=self.tls, limit=MAX_COMMAND)
        self.tls_port = server.sockets[0].getsockname()[1]
        return server

    def _capabilities(self, session: _Session) -> list[str]:
        caps = ["USER", "UIDL", "TOP", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"]
        if self.tls is not None and _CAN_STLS and not session.tls_active and not session.box:
            caps.append("STLS")
        return [*caps, "IMPLEMENTATION tether-demo"]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      implicit_tls: bool) -> None:
        session = _Session(tls_active=implicit_tls)
        errors = 0
        try:
            writer.write(f"+OK tether demo POP3 ready <{os.getpid()}@localhost>\r\n".encode())
            await writer.drain()
            while errors < MAX_ERRORS:
                try:
                    raw = await asyncio.wait_for(reader.readuntil(b"\n"), IDLE_TIMEOUT)
                except asyncio.LimitOverrunError:
                    writer.write(b"-ERR command line too long\r\n")
                    return
                line = raw.rstrip(b"\r\n").decode("utf-8", "replace")
                verb, _, arg = line.partition(" ")
                reply, done = await self._command(session, verb.upper(), arg, writer)
                errors = errors + 1 if reply.startswith(b"-ERR") else 0
                if reply:
                    writer.write(reply)
                    await writer.drain()
                if done:
                    return
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ssl.SSLError):
            return
        except asyncio.CancelledError:
            # Only ServerLoop.close() cancels: finish quietly, since asyncio (3.11) logs
            # a cancelled connection handler as an error in a callback.
            return
        finally:
            if session.box:
                self.store.unlock(session.box)
            writer.close()

    async def _command(self, s: _Session, verb: str, arg: str,
                       writer: asyncio.StreamWriter) -> tuple[bytes, bool]:
        """The reply to one command, and whether the connection ends after it."""
        if verb == "CAPA":
            caps = "".join(f"{c}\r\n" for c in self._capabilities(s))
            return f"+OK capability list follows\r\n{caps}.\r\n".encode(), False
        if verb == "QUIT":
            if s.box:  # UPDATE state (RFC 1939 §6)
                self.store.remove(s.box, {s.messages[n - 1].uid for n in s.deleted})
            return b"+OK tether demo POP3 server signing off\r\n", True
        if verb == "NOOP" and s.box:
            return b"+OK\r\n", False
        if s.box is None:
            return await self._authorization(s, verb, arg, writer), False
        return self._transaction(s, verb, arg), False

    async def _authorization(self, s: _Session, verb: str, arg: str,
                             writer: asyncio.StreamWriter) -> bytes:
        if (sys.version_info >= (3, 11) and verb == "STLS" and self.tls is not None
                and "STLS" in self._capabilities(s)):
            writer.write(b"+OK Begin TLS negotiation\r\n")
            await writer.drain()
            await writer.start_tls(self.tls)
            s.tls_active, s.user = True, None
            return b""
        if verb == "USER" and arg:
            s.user = arg
            return b"+OK send PASS\r\n"
        if verb == "PASS" and s.user is not None:
            user, s.user = s.user, None
            if not self.store.check_password(user, arg):
                return b"-ERR [AUTH] invalid user name or password\r\n"
            if not self.store.lock(user):
                return b"-ERR [IN-USE] mailbox is locked by another session\r\n"
            s.box, s.messages = user, self.store.messages(user)
            return f"+OK {len(s.messages)} message(s)\r\n".encode()
        return f"-ERR {verb or 'empty command'} not valid here\r\n".encode()

    def _transaction(self, s: _Session, verb: str, arg: str) -> bytes:
        live = s.live()
        if verb == "STAT":
            return f"+OK {len(live)} {sum(len(m.data) for _, m in live)}\r\n".encode()
        if verb == "RSET":
            s.deleted.clear()
            return f"+OK {len(s.messages)} message(s)\r\n".encode()
        if verb in ("LIST", "UIDL") and not arg:
            rows = "".join(f"{n} {len(m.data) if verb == 'LIST' else m.uid}\r\n" for n, m in live)
            return f"+OK {len(live)} message(s)\r\n{rows}.\r\n".encode()
        words = arg.split()
        if verb not in ("LIST", "UIDL", "RETR", "DELE", "TOP"):
            return f"-ERR unknown command {verb[:20]}\r\n".encode()
        if not words or not words[0].isdigit():
            return b"-ERR a message number is required\r\n"
        number = int(words[0])
        if not 1 <= number <= len(s.messages) or number in s.deleted:
            return b"-ERR no such message\r\n"
        message = s.messages[number - 1]
        if verb == "LIST":
            return f"+OK {number} {len(message.data)}\r\n".encode()
        if verb == "UIDL":
            return f"+OK {number} {message.uid}\r\n".encode()
        if verb == "DELE":
            s.deleted.add(number)
            return f"+OK message {number} deleted\r\n".encode()
        if verb == "TOP":
            if len(words) != 2 or not words[1].isdigit():
                return b"-ERR TOP needs a message number and a line count\r\n"
            return b"+OK top of message follows\r\n" + _stuffed(message.data, int(words[1]))
        return f"+OK {len(message.data)} octets\r\n".encode() + _stuffed(message.data)
