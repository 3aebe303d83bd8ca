"""``send_many``: many messages on one connection, one round trip each when pipelining.

Theory of operation
-------------------
``sendmail`` in a loop costs two round trips per message even with PIPELINING: the
envelope group (``MAIL``, ``RCPT``..., ``DATA``) and then, after the ``354``, the
body. RFC 2920 §3.1 lets message content open the next command group, so
:func:`send_many` sends message *n*'s body (with its terminating ``.``) and message
*n+1*'s envelope in one write, then reads the replies of both in order::

    write:  <body n> . MAIL n+1  RCPT n+1 ...  DATA n+1
    read:   250 (n)    250       250 ...       354

The body of *n+1* waits for the next group. A message whose envelope fails is closed
the way ``sendmail`` closes it (an empty ``.`` if the server still said ``354``,
then ``RSET``), in front of the next group. Each message gets a result in input
order: the refused-recipients dict ``sendmail`` would return, or the
:class:`SMTPException` it would raise. When the connection ends (a ``421``, EOF, a
timeout) the exchange raises :class:`SMTPServerDisconnected` carrying ``results``:
the entries decided so far and ``None`` for messages whose fate is unknown.

Without PIPELINING, with an overridden ``sendmail`` building block (see
:meth:`SMTPBase._can_pipeline`), with BDAT (one round trip per message already) or
for a transaction with more recipients than a pipelined window holds, each message
goes through ``self.sendmail``/``self.send_message`` or the ordinary transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from email.message import Message
from typing import Any

from tether._drive import Exchange
from tether.protocols.smtp.commands import CommandInjectionError, mail_arguments, rcpt_arguments
from tether.protocols.smtp.connection import MAX_PIPELINED_COMMANDS, TransactionOutcome
from tether.protocols.smtp.extensions import max_message_size
from tether.protocols.smtp.message import data_payload, fix_eols
from tether.protocols.smtp.replies import Reply
from tether.smtp._errors import (
    SMTPCommandInjection,
    SMTPDataError,
    SMTPException,
    SMTPMessageTooLarge,
    SMTPServerDisconnected,
)
from tether.smtp._exchanges import _as_bytes, _mail_encoding, quiet_rset, transaction, verdict
from tether.smtp._message import prepare_message
from tether.smtp._wire import Call, read_reply, send

__all__ = ["Outgoing", "Result", "send_many"]

#: One message for :func:`send_many`: ``(from_addr, to_addrs, msg)`` as ``sendmail``
#: takes them, or an :class:`email.message.Message` (envelope from its headers).
Outgoing = tuple[str, str | Sequence[str], str | bytes] | Message
#: What ``sendmail`` would return (refused recipients) or raise, per message.
Result = dict[str, tuple[int, bytes]] | SMTPException

# What a reply read at the start of a group is for.
_FINAL = 0  # the end of the previous message's body: its final reply
_IGNORED = 1  # the empty "." of a failed transaction, or RSET


def _disconnected(
    cause: BaseException, results: list[Result | None]
) -> SMTPServerDisconnected:
    if isinstance(cause, SMTPServerDisconnected):
        exc = cause
    else:
        exc = SMTPServerDisconnected(f"server closing the connection: {cause}")
        exc.__cause__ = cause
    exc.results = results  # type: ignore[attr-defined]
    return exc


def _envelope(
    c: Any, item: Outgoing, mail_options: Sequence[str], rcpt_options: Sequence[str]
) -> tuple[str, list[str], bytes, list[str]]:
    """``(sender, recipients, normalised body, MAIL options)``; raises what sendmail would."""
    if isinstance(item, Message):
        sender, to_addrs, flat, options = prepare_message(c, item, None, None, mail_options)
        msg: str | bytes = flat
    else:
        sender, to_addrs, msg = item
        options = mail_options
    data = fix_eols(_as_bytes(msg))
    esmtp_opts: list[str] = []
    if c.does_esmtp:
        if c.has_extn("size"):
            limit = max_message_size(c.esmtp_features)
            if limit is not None and len(data) > limit:
                raise SMTPMessageTooLarge(len(data), limit)
            esmtp_opts.append(f"size={len(data)}")
        esmtp_opts.extend(options)
    recipients = [to_addrs] if isinstance(to_addrs, str) else list(to_addrs)
    return sender, recipients, data, esmtp_opts


def _one_by_one(
    c: Any, items: Iterable[Outgoing], mail_options: Sequence[str], rcpt_options: Sequence[str]
) -> Exchange[list[Result]]:
    """Each message through the public methods, as a caller's loop would send it."""
    results: list[Result | None] = []
    for item in items:
        try:
            if isinstance(item, Message):
                call = Call("send_message", (item, None, None, mail_options, rcpt_options))
            else:
                call = Call("sendmail", (*item, mail_options, rcpt_options))
            results.append((yield call))
        except SMTPServerDisconnected as exc:
            results.append(None)
            raise _disconnected(exc, results) from exc.__cause__
        except SMTPException as exc:
            results.append(exc)
            if c.sock is None:  # a 421 closed the connection
                raise _disconnected(exc, results) from exc
    return results  # type: ignore[return-value]


def send_many(
    c: Any,
    items: Iterable[Outgoing],
    mail_options: Sequence[str] = (),
    rcpt_options: Sequence[str] = (),
) -> Exchange[list[Result]]:
    """Send every message of ``items``; see the module docstring."""
    if (c.helo_resp is None and c.ehlo_resp is None) or c._overridden("ehlo_or_helo_if_needed"):
        yield Call("ehlo_or_helo_if_needed")
    if not c._can_pipeline() or (c.use_chunking and c.has_extn("chunking")):
        return (yield from _one_by_one(c, items, mail_options, rcpt_options))

    e = c._engine
    rcpt_opts: Sequence[str] = rcpt_options if c.does_esmtp else ()
    results: list[Result | None] = []
    # Bytes to open the next group with, and what each of their replies is for.
    head: list[bytes] = []
    head_kinds: list[int] = []
    # (index, refused) of the message whose body is in ``head``.
    carried: tuple[int, dict[str, tuple[int, bytes]]] | None = None

    def finish_head() -> Exchange[None]:
        """Send what ``head`` holds on its own and read its replies."""
        if head:
            kinds = head_kinds[:]
            yield from send(c, b"".join(head))
            head.clear()
            head_kinds.clear()
            for kind in kinds:
                reply = yield from read_reply(c)
                if kind == _FINAL:
                    _final(reply)

    def _final(reply: Reply) -> None:
        nonlocal carried
        assert carried is not None
        index, refused = carried
        carried = None
        if reply.code == 250:
            results[index] = refused
            return
        # The reply to the end of data ends the transaction either way (RFC 5321
        # §4.1.1.4), and the next envelope is already on its way: no RSET needed.
        error = SMTPDataError(reply.code, reply.message)
        results[index] = error
        if reply.code == 421:
            raise _disconnected(error, results)

    def _reset() -> None:
        # smtplib's _rset after a failed transaction, queued in front of the next group.
        head.append(e.command("rset"))
        head_kinds.append(_IGNORED)
        c.command_encoding = "ascii"

    try:
        for item in items:
            index = len(results)
            results.append(None)
            try:
                sender, recipients, body, opts = _envelope(c, item, mail_options, rcpt_options)
                if opts:
                    _mail_encoding(c, opts)
            except SMTPException as exc:
                results[index] = exc
                continue
            except Exception:
                yield from finish_head()  # leave the connection ready for the next call
                raise
            if len(recipients) + 4 > MAX_PIPELINED_COMMANDS:
                # Too many RCPTs for one window: the ordinary windowed transaction.
                yield from finish_head()
                try:
                    outcome = yield from transaction(
                        c, sender, recipients, body, opts, rcpt_opts, False
                    )
                except SMTPCommandInjection as exc:
                    results[index] = exc
                    continue
                error, cleanup = verdict(outcome, sender)
                results[index] = outcome.refused if error is None else error
                if cleanup == "close":
                    raise _disconnected(error or SMTPException("421"), results)
                if cleanup == "rset":
                    yield from quiet_rset(c)
                continue
            try:
                encoding = c.command_encoding
                pending = len(e.pending)
                lines = [e.command("mail", mail_arguments(sender, opts), encoding)]
                lines += [
                    e.command("rcpt", rcpt_arguments(r, rcpt_opts), encoding) for r in recipients
                ]
                lines.append(e.command("data"))
            except (CommandInjectionError, UnicodeEncodeError) as exc:
                while len(e.pending) > pending:
                    e.pending.pop()
                if isinstance(exc, UnicodeEncodeError):
                    yield from finish_head()
                    raise
                results[index] = SMTPCommandInjection(str(exc))
                continue
            kinds = head_kinds[:]
            yield from send(c, b"".join(head + lines) if head else b"".join(lines))
            head.clear()
            head_kinds.clear()
            for kind in kinds:
                reply = yield from read_reply(c)
                if kind == _FINAL:
                    _final(reply)
            outcome = TransactionOutcome()
            outcome.mail = reply = yield from read_reply(c)
            for r in recipients:
                if reply.code == 421:
                    break
                reply = yield from read_reply(c)
                outcome.rcpt.append((r, reply))
            if reply.code == 421:
                # RFC 5321 §3.8: the server is closing; what follows will not come.
                error, _ = verdict(outcome, sender)
                results[index] = error
                raise _disconnected(error or SMTPException("421"), results)
            go_ahead = yield from read_reply(c)
            if go_ahead.code == 354 and outcome.sender_ok and outcome.accepted:
                head.append(e.raw(data_payload(body, normalised=True), "DATA-END"))
                head_kinds.append(_FINAL)
                carried = (index, outcome.refused)
                continue
            if go_ahead.code == 354:
                # RFC 2920 §3.1: DATA was accepted although nothing else was; end it empty.
                head.append(e.raw(b".\r\n", "DATA-END"))
                head_kinds.append(_IGNORED)
                outcome.data = Reply(554, (b"no valid recipients",))
            else:
                outcome.data = go_ahead
            error, cleanup = verdict(outcome, sender)
            assert error is not None
            results[index] = error
            if cleanup == "close":
                raise _disconnected(error, results)
            _reset()
        yield from finish_head()
    except SMTPServerDisconnected as exc:
        raise _disconnected(exc, results) from exc.__cause__
    return results  # type: ignore[return-value]

