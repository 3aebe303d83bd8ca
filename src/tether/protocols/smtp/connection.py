"""The SMTP engine: bytes in, replies out; commands in, bytes out.

Theory of operation
-------------------
:class:`SMTPEngine` holds the wire state of one connection and nothing else: the
:class:`~tether.protocols.smtp.replies.ReplyParser`, the queue of commands sent but not
yet answered, and the limits. It never does I/O: an exchange asks it for the bytes of
a command (:meth:`SMTPEngine.command`), sends them however it likes, feeds what the
server sends back (:meth:`SMTPEngine.receive_data`) and takes replies
(:meth:`SMTPEngine.next_reply`), each matched to the oldest unanswered command.

Pipelining (RFC 2920) is this queue with more than one entry: the exchange asks for
several commands, sends them in one write, and reads as many replies; replies come
back in command order (RFC 2920 §3.1), so matching is by position.
:class:`TransactionPlan` lays out one pipelined mail transaction (``MAIL``, every
``RCPT``, ``DATA``) and :class:`TransactionOutcome` judges the replies the way smtplib's
``sendmail`` does.

A TLS upgrade (RFC 3207 §4.2) calls :meth:`SMTPEngine.start_tls`, which drops anything
buffered: bytes that arrived with or after the ``220`` to STARTTLS came in plaintext
and must never be read as if they were part of the protected session (CVE-2011-0411).

``trace`` is an optional callback ``(event, data)`` for debug output: ``"send"`` with
the bytes, ``"reply-line"`` with each raw line; drivers add ``"reply"`` with the
:class:`Reply`. The engine calls it and never prints.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable, Sequence
from typing import Final

from tether.errors import LocalProtocolError
from tether.protocols.smtp.commands import encode_command, mail_arguments, rcpt_arguments
from tether.protocols.smtp.replies import MAX_LINE_LENGTH, MAX_REPLY_LINES, Reply, ReplyParser

__all__ = [
    "MAX_PIPELINED_COMMANDS",
    "MAX_RECIPIENTS_PER_TRANSACTION",
    "SMTPEngine",
    "TransactionOutcome",
    "TransactionPlan",
]

#: Recipients per transaction in batched sending. RFC 5321 §4.5.3.1.8: a server must
#: accept at least 100 RCPTs and may refuse more with 452, so batches of 100 always work.
MAX_RECIPIENTS_PER_TRANSACTION: Final = 100

#: Commands written before reading replies. Keeps the unread reply backlog (and our
#: send buffer) bounded even for a transaction with thousands of recipients: the
#: server's socket buffer could otherwise fill up while both sides write (RFC 2920 §3.1
#: warns of this deadlock).
MAX_PIPELINED_COMMANDS: Final = 200

Trace = Callable[[str, object], None]


class SMTPEngine:
    """Wire state of one SMTP connection (see the module docstring)."""

    __slots__ = ("_parser", "max_line", "max_reply_lines", "pending", "trace")

    def __init__(
        self,
        *,
        max_line: int = MAX_LINE_LENGTH,
        max_reply_lines: int = MAX_REPLY_LINES,
        trace: Trace | None = None,
    ) -> None:
        self._parser = ReplyParser()
        self.max_line = max_line
        self.max_reply_lines = max_reply_lines
        #: Commands sent whose replies have not been taken yet (oldest first).
        self.pending: deque[str] = deque()
        self.trace = trace

    # -- sending -------------------------------------------------------------------
    def command(self, cmd: str, args: str = "", encoding: str = "ascii") -> bytes:
        """Bytes of one command; its reply is now expected.

        Raises :class:`~tether.protocols.smtp.commands.CommandInjectionError` for CR,
        LF or NUL, :class:`UnicodeEncodeError` for text the encoding cannot carry.
        """
        data = encode_command(cmd, args, encoding)
        self.pending.append(cmd.upper())
        if self.trace is not None:
            self.trace("send", data)
        return data

    def raw(self, data: bytes, expect_reply: str | None = None) -> bytes:
        """Bytes sent as given (message data, SASL responses); ``expect_reply`` names the
        step whose reply it triggers, if any."""
        if expect_reply is not None:
            self.pending.append(expect_reply)
        if self.trace is not None:
            self.trace("send", data)
        return data

    # -- receiving -----------------------------------------------------------------
    def receive_data(self, data: bytes) -> None:
        """Bytes from the server; ``b""`` means it closed the connection."""
        if data:
            self._parser.feed(data)
        else:
            self._parser.feed_eof()

    @property
    def eof(self) -> bool:
        return self._parser.eof

    def next_reply(self) -> Reply | None:
        """The next complete reply, or ``None`` if more data is needed.

        Raises :class:`~tether.errors.LimitExceeded` for an overlong line or reply.
        """
        reply = self._parser.next_reply(self.max_line, self.max_reply_lines)
        if reply is None:
            return None
        if self.pending:
            self.pending.popleft()
        if self.trace is not None:
            for line in reply.raw:
                self.trace("reply-line", line)
        return reply

    # -- connection events ---------------------------------------------------------
    def start_tls(self) -> bytes:
        """Forget everything received so far (RFC 3207 §4.2); returns what was dropped."""
        if self.pending:
            raise LocalProtocolError(
                f"cannot start TLS with replies outstanding: {list(self.pending)}"
            )
        return self._parser.discard()

    def reset(self) -> None:
        """A new connection: fresh parser, nothing pending."""
        self._parser = ReplyParser()
        self.pending.clear()


@dataclasses.dataclass(frozen=True, slots=True)
class TransactionPlan:
    """One mail transaction as command lines: ``MAIL``, one ``RCPT`` per recipient.

    ``recipients`` keeps the caller's order (and duplicates), as smtplib sends them.
    """

    sender: str
    recipients: tuple[str, ...]
    mail_options: tuple[str, ...] = ()
    rcpt_options: tuple[str, ...] = ()

    def mail_args(self) -> str:
        return mail_arguments(self.sender, self.mail_options)

    def rcpt_args(self) -> list[str]:
        return [rcpt_arguments(r, self.rcpt_options) for r in self.recipients]


@dataclasses.dataclass(slots=True)
class TransactionOutcome:
    """Replies of one transaction, judged as smtplib's ``sendmail`` judges them.

    ``refused`` maps each refused recipient to ``(code, message)`` (a recipient listed
    twice keeps its last reply, like smtplib's dict).
    """

    mail: Reply | None = None
    rcpt: list[tuple[str, Reply]] = dataclasses.field(default_factory=list)
    data: Reply | None = None

    @property
    def sender_ok(self) -> bool:
        return self.mail is not None and self.mail.code == 250

    @property
    def refused(self) -> dict[str, tuple[int, bytes]]:
        out: dict[str, tuple[int, bytes]] = {}
        for recipient, reply in self.rcpt:
            if reply.code not in (250, 251):
                out[recipient] = reply.as_tuple()
        return out

    @property
    def accepted(self) -> list[str]:
        return [r for r, reply in self.rcpt if reply.code in (250, 251)]

    @property
    def closing(self) -> bool:
        """A reply said 421: the server is closing the connection (RFC 5321 §3.8)."""
        replies: Sequence[Reply | None] = [self.mail, *(r for _, r in self.rcpt), self.data]
        return any(r is not None and r.code == 421 for r in replies)
