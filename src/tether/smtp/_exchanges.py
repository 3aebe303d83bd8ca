"""Every SMTP dialogue, written once as a generator over the client's state.

Each function here is one public method of :class:`~tether.smtp.SMTP` /
:class:`~tether.smtp.AsyncSMTP` minus its I/O: the sync class runs it with
:func:`tether._drive.run_sync`, the async class with ``run_async``. ``c`` is the client
object; exchanges read and update the same attributes smtplib keeps
(``esmtp_features``, ``does_esmtp``, ``ehlo_resp``, ``command_encoding``...), and reach
other public methods through :class:`~tether.smtp._wire.Call` exactly where smtplib
calls ``self.<method>``, so overriding one of them keeps working.

The one place that bypasses those calls is the pipelined transaction
(:func:`transaction`, RFC 2920): ``sendmail`` uses it only when the server offers
PIPELINING and none of ``mail``/``rcpt``/``data``/``rset``/``close`` is overridden.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tether._drive import Exchange, StartTLS
from tether.protocols.smtp import sasl
from tether.protocols.smtp.commands import (
    CommandInjectionError,
    addr_only,
    mail_arguments,
    rcpt_arguments,
)
from tether.protocols.smtp.connection import (
    MAX_PIPELINED_COMMANDS,
    MAX_RECIPIENTS_PER_TRANSACTION,
    TransactionOutcome,
)
from tether.protocols.smtp.extensions import max_message_size, parse_ehlo
from tether.protocols.smtp.message import bdat_chunks, data_payload, fix_eols, fix_eols_text
from tether.smtp._errors import (
    SMTPAuthenticationError,
    SMTPCommandInjection,
    SMTPDataError,
    SMTPException,
    SMTPHeloError,
    SMTPMessageTooLarge,
    SMTPNotSupportedError,
    SMTPRecipientsRefused,
    SMTPResponseException,
    SMTPSenderRefused,
    SMTPServerDisconnected,
)
from tether.smtp._message import prepare_message
from tether.smtp._wire import Call, command, docmd, read_reply, send

__all__ = [
    "auth",
    "data",
    "ehlo",
    "ehlo_or_helo_if_needed",
    "helo",
    "login",
    "mail",
    "quit",
    "rcpt",
    "sendmail",
    "starttls",
    "transaction",
]

Msg = str | bytes


# -- greeting and hello ------------------------------------------------------------
def helo(c: Any, name: str = "") -> Exchange[tuple[int, bytes]]:
    code, msg = yield from docmd(c, "helo", name or c.local_hostname)
    c.helo_resp = msg
    return code, msg


def ehlo(c: Any, name: str = "") -> Exchange[tuple[int, bytes]]:
    c.esmtp_features = {}
    code, msg = yield from docmd(c, c.ehlo_msg, name or c.local_hostname)
    if code == -1 and not msg:
        # RFC 1869: some broken servers hang up on EHLO.
        raise SMTPServerDisconnected("Server not connected")
    c.ehlo_resp = msg
    if code != 250:
        return code, msg
    c.does_esmtp = True
    c.esmtp_features = parse_ehlo(msg)
    return code, msg


def ehlo_or_helo_if_needed(c: Any) -> Exchange[None]:
    if c.helo_resp is None and c.ehlo_resp is None:
        code, _ = yield Call("ehlo")
        if not 200 <= code <= 299:
            code, resp = yield Call("helo")
            if not 200 <= code <= 299:
                raise SMTPHeloError(code, resp)


# -- envelope and data ------------------------------------------------------------
def _mail_encoding(c: Any, options: Sequence[str]) -> None:
    if any(o.lower() == "smtputf8" for o in options):
        if c.has_extn("smtputf8"):
            c.command_encoding = "utf-8"
        else:
            raise SMTPNotSupportedError("SMTPUTF8 not supported by server")


def mail(c: Any, sender: str, options: Sequence[str] = ()) -> Exchange[tuple[int, bytes]]:
    opts: Sequence[str] = ()
    if options and c.does_esmtp:
        _mail_encoding(c, options)
        opts = options
    return (yield from docmd(c, "mail", mail_arguments(sender, opts)))


def rcpt(c: Any, recip: str, options: Sequence[str] = ()) -> Exchange[tuple[int, bytes]]:
    opts = options if options and c.does_esmtp else ()
    return (yield from docmd(c, "rcpt", rcpt_arguments(recip, opts)))


def _as_bytes(msg: Msg) -> bytes:
    if isinstance(msg, str):
        return fix_eols_text(msg).encode("ascii")
    return bytes(msg)


def data(c: Any, msg: Msg) -> Exchange[tuple[int, bytes]]:
    code, repl = yield from docmd(c, "data")
    if c.debuglevel > 0:
        c._print_debug("data:", (code, repl))
    if code != 354:
        raise SMTPDataError(code, repl)
    yield from send(c, c._engine.raw(data_payload(_as_bytes(msg))))
    code, final = (yield from read_reply(c)).as_tuple()
    if c.debuglevel > 0:
        c._print_debug("data:", (code, final))
    return code, final


def simple(c: Any, cmd: str, args: str = "") -> Exchange[tuple[int, bytes]]:
    return (yield from docmd(c, cmd, args))


def verify(c: Any, verb: str, address: str) -> Exchange[tuple[int, bytes]]:
    return (yield from docmd(c, verb, addr_only(address)))


def rset(c: Any) -> Exchange[tuple[int, bytes]]:
    c.command_encoding = "ascii"
    return (yield from docmd(c, "rset"))


def quiet_rset(c: Any) -> Exchange[None]:
    """smtplib's ``_rset``: a safety reset whose disconnection shows up later."""
    try:
        yield Call("rset")
    except SMTPServerDisconnected:
        pass


def quit(c: Any) -> Exchange[tuple[int, bytes]]:
    res = yield from docmd(c, "quit")
    c.ehlo_resp = c.helo_resp = None
    c.esmtp_features = {}
    c.does_esmtp = False
    yield Call("close")
    return res


# -- TLS and authentication ----------------------------------------------------------
def starttls(c: Any, context: Any) -> Exchange[tuple[int, bytes]]:
    """RFC 3207. ``context`` is a callable building the SSLContext, called after 220."""
    yield Call("ehlo_or_helo_if_needed")
    if not c.has_extn("starttls"):
        raise SMTPNotSupportedError("STARTTLS extension not supported by server.")
    code, reply = yield from docmd(c, "STARTTLS")
    if code != 220:
        # 454 (TLS not available) or 501: never carry on in cleartext.
        raise SMTPResponseException(code, reply)
    ctx = context()
    c._engine.start_tls()  # drop plaintext that came with the 220 (CVE-2011-0411)
    yield StartTLS(ctx, c._host or None)
    c._tls_started()
    # RFC 3207 §4.2: forget everything learnt before TLS; EHLO runs again when needed.
    c.helo_resp = None
    c.ehlo_resp = None
    c.esmtp_features = {}
    c.does_esmtp = False
    return code, reply


def auth(
    c: Any, mechanism: str, authobject: Callable[..., Any], initial_response_ok: bool = True
) -> Exchange[tuple[int, bytes]]:
    """RFC 4954 AUTH with smtplib's ``authobject(challenge)`` protocol."""
    mechanism = mechanism.upper()
    c._check_cleartext_auth(mechanism)
    initial = authobject() if initial_response_ok else None
    if initial is not None:
        code, resp = yield from docmd(c, "AUTH", f"{mechanism} {sasl.b64encode_response(initial)}")
        c._auth_challenge_count = 1
    else:
        code, resp = yield from docmd(c, "AUTH", mechanism)
        c._auth_challenge_count = 0
    limit = c._max_challenges()
    while code == 334:
        c._auth_challenge_count += 1
        challenge = sasl.b64decode_challenge(resp)
        answer = sasl.b64encode_response(authobject(challenge))
        code, resp = yield from docmd(c, answer)
        if c._auth_challenge_count > limit:
            raise SMTPException(
                "Server AUTH mechanism infinite loop. Last response: " + repr((code, resp))
            )
    if code in (235, 503):
        return code, resp
    raise SMTPAuthenticationError(code, resp)


def login(
    c: Any, user: str, password: str, initial_response_ok: bool = True
) -> Exchange[tuple[int, bytes]]:
    yield Call("ehlo_or_helo_if_needed")
    if not c.has_extn("auth"):
        raise SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    advertised = c.esmtp_features["auth"].split()
    authlist = [m for m in sasl.PREFERRED_MECHANISMS if m in advertised]
    if not authlist:
        raise SMTPException("No suitable authentication method found.")
    if not c._cleartext_auth_ok():
        safe = [m for m in authlist if m not in sasl.CLEARTEXT_MECHANISMS]
        if not safe:
            c._check_cleartext_auth(authlist[0])  # raises, naming the opt-out
        authlist = safe
    c.user, c.password = user, password
    last: SMTPAuthenticationError | None = None
    for mechanism in authlist:
        method = getattr(c, "auth_" + mechanism.lower().replace("-", "_"))
        try:
            code, resp = yield Call(
                "auth", (mechanism, method), {"initial_response_ok": initial_response_ok}
            )
            if code in (235, 503):
                return code, resp
        except SMTPAuthenticationError as exc:
            last = exc
    assert last is not None
    raise last


def login_oauth(c: Any, user: str, token: str | Callable[[], str]) -> Exchange[tuple[int, bytes]]:
    """OAUTHBEARER (RFC 7628) if offered, else XOAUTH2; ``token`` may be a callable."""
    yield Call("ehlo_or_helo_if_needed")
    offered = c.esmtp_features.get("auth", "").upper().split()
    bearer = token() if callable(token) else token
    if "OAUTHBEARER" in offered:
        response = sasl.oauthbearer(user, bearer, c._host or None, c._port)
        mechanism = "OAUTHBEARER"
    elif "XOAUTH2" in offered:
        response = sasl.xoauth2(user, bearer)
        mechanism = "XOAUTH2"
    else:
        raise SMTPNotSupportedError("server offers neither OAUTHBEARER nor XOAUTH2")

    def authobject(challenge: bytes | None = None) -> str:
        # A failure comes as a 334 with an error document; RFC 7628 §3.2.3: answer ^A.
        return response if challenge is None else "\x01"

    result: tuple[int, bytes] = yield Call("auth", (mechanism, authobject))
    return result


# -- whole transactions ----------------------------------------------------------------
def verdict(
    outcome: TransactionOutcome, sender: str
) -> tuple[SMTPException | None, str | None]:
    """How smtplib's ``sendmail`` ends a finished transaction, as data.

    ``(error, cleanup)``: the exception it would raise (``None``: success) and what it
    does to the connection first: ``"close"`` after a 421 (RFC 5321 §3.8), ``"rset"``
    after any other failure, ``None`` on success.
    """
    assert outcome.mail is not None
    if not outcome.sender_ok:
        cleanup = "close" if outcome.mail.code == 421 else "rset"
        return SMTPSenderRefused(outcome.mail.code, outcome.mail.message, sender), cleanup
    if any(r.code == 421 for _, r in outcome.rcpt):
        return SMTPRecipientsRefused(outcome.refused), "close"
    if not outcome.accepted:
        return SMTPRecipientsRefused(outcome.refused), "rset"
    assert outcome.data is not None
    if outcome.data.code != 250:
        cleanup = "close" if outcome.data.code == 421 else "rset"
        return SMTPDataError(outcome.data.code, outcome.data.message), cleanup
    return None, None


def _judge(c: Any, outcome: TransactionOutcome, sender: str) -> Exchange[dict[str, Any]]:
    """Raise or return as smtplib's ``sendmail`` does, from a finished transaction."""
    error, cleanup = verdict(outcome, sender)
    if cleanup == "close":
        yield Call("close")
    elif cleanup == "rset":
        yield from quiet_rset(c)
    if error is not None:
        raise error
    return outcome.refused


def transaction(
    c: Any,
    sender: str,
    recipients: Sequence[str],
    body: bytes,
    mail_options: Sequence[str],
    rcpt_options: Sequence[str],
    chunking: bool = False,
) -> Exchange[TransactionOutcome]:
    """MAIL, every RCPT and DATA (or BDAT) pipelined (RFC 2920 §3.1); then the body.

    Commands go out in windows of at most ``MAX_PIPELINED_COMMANDS``; replies are read
    in order after each window. With ``chunking`` (RFC 3030) the body follows the
    commands in the same write and the whole transaction is one round trip.
    """
    e = c._engine
    outcome = TransactionOutcome()
    rcpt_opts = rcpt_options if c.does_esmtp else ()
    lines = [("mail", mail_arguments(sender, mail_options))]
    lines += [("rcpt", rcpt_arguments(r, rcpt_opts)) for r in recipients]
    encoding = c.command_encoding
    try:
        encoded = [e.command(cmd, args, encoding) for cmd, args in lines]
    except CommandInjectionError as exc:
        e.pending.clear()
        raise SMTPCommandInjection(str(exc)) from None
    except BaseException:
        e.pending.clear()
        raise
    tail: list[bytes] = []
    if chunking:
        tail = [e.raw(chunk, "BDAT") for chunk in bdat_chunks(body)]
    else:
        tail = [e.command("data")]
    stream: list[bytes] = encoded + tail
    replies = []
    for start in range(0, len(stream), MAX_PIPELINED_COMMANDS):
        window = stream[start : start + MAX_PIPELINED_COMMANDS]
        yield from send(c, b"".join(window))
        for _ in window:
            replies.append((yield from read_reply(c)))
    outcome.mail = replies[0]
    outcome.rcpt = list(zip(recipients, replies[1 : 1 + len(recipients)], strict=True))
    last = replies[1 + len(recipients) :]
    if chunking:
        bad = [r for r in last if r.code != 250]
        outcome.data = bad[0] if bad else last[-1]
        return outcome
    go_ahead = last[0]
    if go_ahead.code != 354:
        outcome.data = go_ahead
        return outcome
    if outcome.sender_ok and outcome.accepted:
        yield from send(c, e.raw(data_payload(body, normalised=True), "DATA-END"))
        outcome.data = yield from read_reply(c)
    else:
        # RFC 2920 §3.1: DATA was accepted although nothing else was; end it empty.
        yield from send(c, e.raw(b".\r\n", "DATA-END"))
        yield from read_reply(c)
    return outcome


def sendmail(
    c: Any,
    from_addr: str,
    to_addrs: str | Sequence[str],
    msg: Msg,
    mail_options: Sequence[str] = (),
    rcpt_options: Sequence[str] = (),
) -> Exchange[dict[str, Any]]:
    if (c.helo_resp is None and c.ehlo_resp is None) or c._overridden("ehlo_or_helo_if_needed"):
        yield Call("ehlo_or_helo_if_needed")
    body = fix_eols(_as_bytes(msg))
    esmtp_opts: list[str] = []
    if c.does_esmtp:
        if c.has_extn("size"):
            limit = max_message_size(c.esmtp_features)
            if limit is not None and len(body) > limit:
                raise SMTPMessageTooLarge(len(body), limit)
            esmtp_opts.append(f"size={len(body)}")
        esmtp_opts.extend(mail_options)
    recipients = [to_addrs] if isinstance(to_addrs, str) else list(to_addrs)
    if c._can_pipeline():
        if esmtp_opts:
            _mail_encoding(c, esmtp_opts)
        chunking = bool(c.use_chunking) and c.has_extn("chunking")
        outcome = yield from transaction(
            c, from_addr, recipients, body, esmtp_opts, rcpt_options, chunking
        )
        return (yield from _judge(c, outcome, from_addr))
    # smtplib's sequence, through the (possibly overridden) public methods.
    code, resp = yield Call("mail", (from_addr, esmtp_opts))
    if code != 250:
        if code == 421:
            yield Call("close")
        else:
            yield from quiet_rset(c)
        raise SMTPSenderRefused(code, resp, from_addr)
    senderrs: dict[str, Any] = {}
    for each in recipients:
        code, resp = yield Call("rcpt", (each, rcpt_options))
        if code not in (250, 251):
            senderrs[each] = (code, resp)
        if code == 421:
            yield Call("close")
            raise SMTPRecipientsRefused(senderrs)
    if len(senderrs) == len(recipients):
        yield from quiet_rset(c)
        raise SMTPRecipientsRefused(senderrs)
    code, resp = yield Call("data", (body,))
    if code != 250:
        if code == 421:
            yield Call("close")
        else:
            yield from quiet_rset(c)
        raise SMTPDataError(code, resp)
    return senderrs


def send_message(
    c: Any,
    msg: Any,
    from_addr: str | None,
    to_addrs: str | Sequence[str] | None,
    mail_options: Sequence[str],
    rcpt_options: Sequence[str],
) -> Exchange[dict[str, Any]]:
    yield Call("ehlo_or_helo_if_needed")
    sender, recipients, flat, options = prepare_message(c, msg, from_addr, to_addrs, mail_options)
    result: dict[str, Any] = yield Call(
        "sendmail", (sender, recipients, flat, options, rcpt_options)
    )
    return result


def send_batched(
    c: Any,
    from_addr: str,
    to_addrs: Sequence[str],
    msg: Msg,
    batch_size: int | None,
    mail_options: Sequence[str],
    rcpt_options: Sequence[str],
) -> Exchange[dict[str, Any]]:
    """One message to many recipients in transactions of at most ``batch_size`` RCPTs.

    RFC 5321 §4.5.3.1.8: servers must take 100 recipients per transaction and may
    refuse more. Returns every refused recipient; raises ``SMTPRecipientsRefused`` only
    if all of them were refused.
    """
    size = MAX_RECIPIENTS_PER_TRANSACTION if batch_size is None else batch_size
    if size <= 0:
        raise ValueError("batch_size must be positive")
    recipients = [to_addrs] if isinstance(to_addrs, str) else list(to_addrs)
    refused: dict[str, Any] = {}
    for start in range(0, len(recipients), size):
        batch = recipients[start : start + size]
        try:
            refused.update(
                (yield Call("sendmail", (from_addr, batch, msg, mail_options, rcpt_options)))
            )
        except SMTPRecipientsRefused as exc:
            refused.update(exc.recipients)
    if recipients and len(refused) >= len(set(recipients)):
        raise SMTPRecipientsRefused(refused)
    return refused


__all__ += [
    "command",
    "login_oauth",
    "quiet_rset",
    "rset",
    "send_batched",
    "send_message",
    "simple",
    "verify",
]
