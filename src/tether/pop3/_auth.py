"""Logging in, written once for both colours: USER/PASS, RPOP, APOP and SASL AUTH.

Issue 11's rule lives here: a reusable secret (password, bearer token) crosses the
connection only under TLS, to a loopback peer, or when the caller opted out with
``allow_cleartext_auth=True``. APOP and CRAM-MD5 keep the password off the wire and
are always allowed.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from tether._drive import Exchange, Send
from tether.net import peer_is_loopback
from tether.pop3._errors import CleartextAuthError, POP3ProtocolError, POP3ResponseError
from tether.pop3._exchanges import Session, _capa_or_empty, _pump, send, short
from tether.protocols.pop3 import Continuation, ResponseKind, Status
from tether.protocols.pop3 import sasl as _sasl
from tether.protocols.pop3.wire import apop_digest, apop_timestamp

__all__ = ["apop", "auth", "pass_", "require_secure", "rpop", "sasl", "secure_enough", "user"]

#: RFC 5034 §4: an AUTH command with its initial response must fit in 255 octets.
MAX_AUTH_LINE: Final = 255


def secure_enough(s: Session) -> bool:
    """Issue 11: a secret may cross this connection (TLS, loopback peer, or opt-out)."""
    if s.tls or s.allow_cleartext_auth:
        return True
    stream = getattr(s.transport, "stream", None)
    return stream is not None and peer_is_loopback(stream)


def require_secure(s: Session, what: str) -> None:
    if not secure_enough(s):
        raise CleartextAuthError(
            f"refusing to send {what} in clear text to {s.host}:{s.port}: the connection "
            "is not encrypted and the server is not on a loopback address. Call stls() "
            "first or use POP3_SSL; or pass allow_cleartext_auth=True to the client to "
            "opt out (the password can then be read by anyone on the path)."
        )


def user(s: Session, name: str) -> Exchange[bytes]:
    require_secure(s, "a user name and password (USER/PASS)")
    s.login_name = name
    return (yield from short(s, f"USER {name}"))


def pass_(s: Session, password: str) -> Exchange[bytes]:
    require_secure(s, "a password (PASS)")
    return (yield from short(s, f"PASS {password}"))


def rpop(s: Session, name: str) -> Exchange[bytes]:
    require_secure(s, "an RPOP login")
    return (yield from short(s, f"RPOP {name}"))


def apop(s: Session, name: str, password: str, welcome: bytes) -> Exchange[bytes]:
    """RFC 1939 §7: the password itself never crosses the wire."""
    stamp = apop_timestamp(welcome)
    if stamp is None:
        raise POP3ResponseError("-ERR APOP not supported by server")
    digest = apop_digest(stamp, password.encode(s.encoding))
    s.login_name = name
    return (yield from short(s, f"APOP {name} {digest}"))


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data) if data else b""


def sasl(s: Session, mechanism: _sasl.Mechanism) -> Exchange[bytes]:
    """RFC 5034 ``AUTH`` with ``mechanism``; returns the final ``+OK`` line."""
    if mechanism.sends_secret:
        require_secure(s, f"credentials (AUTH {mechanism.name})")
    line = f"AUTH {mechanism.name}".encode("ascii")
    initial = mechanism.initial_response()
    pending: bytes | None = None
    if initial is not None:
        encoded = _b64(initial) or b"="
        if len(line) + 1 + len(encoded) + 2 <= MAX_AUTH_LINE:
            line += b" " + encoded
        else:
            pending = encoded
    if s.debuglevel:
        print("*cmd*", repr(f"AUTH {mechanism.name} ..."))
    yield from send(s, line, ResponseKind.SASL)
    while True:
        event = yield from _pump(s)
        if isinstance(event, Status):
            if not event.ok:
                raise POP3ResponseError(event.line)
            s.capabilities = None  # RFC 2449 §5: capabilities may change after login
            return event.line
        assert isinstance(event, Continuation)
        if pending is not None and not event.line.strip():
            answer, pending = pending, None
        else:
            try:
                challenge = base64.b64decode(event.line, validate=True)
            except (binascii.Error, ValueError):
                yield Send(s.engine.send_sasl_response(b"*"))
                yield from _pump(s)
                raise POP3ProtocolError("invalid base64 in SASL challenge",
                                        event.line) from None
            answer = _b64(mechanism.respond(challenge))
        yield Send(s.engine.send_sasl_response(answer))


def pick_mechanism(s: Session, username: str, password: str | None, token: Any,
                   mechanism: str | _sasl.Mechanism | None, authzid: str) -> _sasl.Mechanism:
    """The mechanism ``auth()`` uses: the one named, else the best from ``CAPA SASL``."""
    if isinstance(mechanism, _sasl.Mechanism):
        return mechanism
    offered = [m.upper() for m in (s.capabilities or {}).get("SASL", [])]
    name = mechanism.upper() if mechanism else None
    if name is None:
        if token is not None:
            name = next((m for m in ("OAUTHBEARER", "XOAUTH2") if m in offered), None)
        else:
            name = _sasl.choose(offered, allow_secret=secure_enough(s))
        if name is None:
            if offered and password is not None and not secure_enough(s):
                require_secure(s, "a password (AUTH)")
            raise POP3ResponseError(
                f"-ERR no usable SASL mechanism (server offers {offered or 'none'})")
    if name in ("XOAUTH2", "OAUTHBEARER"):
        if token is None:
            raise ValueError(f"{name} needs token=")
        if name == "XOAUTH2":
            return _sasl.XOAuth2(username, token)
        return _sasl.OAuthBearer(username, token, s.host, s.port)
    if password is None:
        raise ValueError(f"{name} needs a password")
    if name == "PLAIN":
        return _sasl.Plain(username, password, authzid)
    if name == "LOGIN":
        return _sasl.Login(username, password)
    if name == "CRAM-MD5":
        return _sasl.CramMD5(username, password)
    raise ValueError(f"unsupported SASL mechanism {name!r}")


def auth(s: Session, username: str, password: str | None, token: Any,
         mechanism: str | _sasl.Mechanism | None, authzid: str) -> Exchange[bytes]:
    if mechanism is None and s.capabilities is None:
        s.capabilities = yield from _capa_or_empty(s)
    chosen = pick_mechanism(s, username, password, token, mechanism, authzid)
    s.login_name = username
    return (yield from sasl(s, chosen))
