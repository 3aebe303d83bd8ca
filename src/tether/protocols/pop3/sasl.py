"""SASL client mechanisms for POP3 ``AUTH`` (RFC 5034), sans-I/O.

A mechanism produces an optional *initial response* and then answers each server
challenge; the engine carries the base64 lines. Responses are raw bytes here; the
exchange base64-encodes them (RFC 5034 §4: an empty initial response is sent as ``=``).

Mechanisms and what they reveal on the wire:

- ``PLAIN`` (RFC 4616) and ``LOGIN`` (draft-murchison-sasl-login) send the password
  itself, only base64-encoded; ``XOAUTH2`` (Google/Microsoft) and ``OAUTHBEARER``
  (RFC 7628) send a bearer token, which is as good as a password while it lives. All
  four have ``sends_secret = True``: the client refuses them on a connection that is
  neither under TLS nor to a loopback peer unless the caller opted out.
- ``CRAM-MD5`` (RFC 2195) answers a challenge with an HMAC: the password never
  crosses the wire, so it is allowed everywhere.

Tokens may be given as a value or as a callable returning it (called once, when the
mechanism starts, so a refreshed token is used).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import ClassVar

from tether.errors import LocalProtocolError

__all__ = [
    "PREFERENCE",
    "CramMD5",
    "Login",
    "Mechanism",
    "OAuthBearer",
    "Plain",
    "Secret",
    "XOAuth2",
    "choose",
]

Secret = str | Callable[[], str]


def _value(secret: Secret) -> str:
    return secret() if callable(secret) else secret


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


class Mechanism:
    """Base class: ``initial_response()`` then ``respond(challenge)`` per challenge."""

    name: ClassVar[str] = ""
    #: True if the mechanism puts a reusable secret (password, token) on the wire.
    sends_secret: ClassVar[bool] = True

    def initial_response(self) -> bytes | None:
        """Bytes to send with ``AUTH`` (``None``: wait for the first challenge)."""
        return None

    def respond(self, challenge: bytes) -> bytes:
        """Answer a decoded server challenge."""
        raise NotImplementedError


class Plain(Mechanism):
    """RFC 4616: ``authzid NUL authcid NUL password`` in one message."""

    name = "PLAIN"

    def __init__(self, username: str, password: str, authzid: str = "") -> None:
        for part in (username, password, authzid):
            if "\x00" in part:
                raise LocalProtocolError("PLAIN credentials may not contain NUL")
        self._message = _utf8(authzid) + b"\0" + _utf8(username) + b"\0" + _utf8(password)

    def initial_response(self) -> bytes | None:
        return self._message

    def respond(self, challenge: bytes) -> bytes:
        return self._message


class Login(Mechanism):
    """The ``LOGIN`` mechanism: user name, then password, each to its own prompt."""

    name = "LOGIN"

    def __init__(self, username: str, password: str) -> None:
        self._answers = [_utf8(username), _utf8(password)]
        self._step = 0

    def respond(self, challenge: bytes) -> bytes:
        # Servers prompt "Username:" then "Password:"; some send other or empty text,
        # so the order decides, with the prompt text as a hint when it is standard.
        lowered = challenge.strip().lower()
        if lowered.startswith(b"password"):
            return self._answers[1]
        if lowered.startswith(b"user"):
            self._step = 1
            return self._answers[0]
        answer = self._answers[min(self._step, 1)]
        self._step += 1
        return answer


class CramMD5(Mechanism):
    """RFC 2195: ``user SP hex(HMAC-MD5(password, challenge))``."""

    name = "CRAM-MD5"
    sends_secret = False

    def __init__(self, username: str, password: str) -> None:
        self._username = _utf8(username)
        self._password = _utf8(password)

    def respond(self, challenge: bytes) -> bytes:
        digest = hmac.new(self._password, challenge, hashlib.md5).hexdigest()
        return self._username + b" " + digest.encode("ascii")


class XOAuth2(Mechanism):
    """Google/Microsoft ``XOAUTH2``: ``user=U ^A auth=Bearer T ^A ^A``.

    On failure the server sends a JSON error as a challenge; the client answers with an
    empty response to receive the final ``-ERR`` (as Google documents).
    """

    name = "XOAUTH2"

    def __init__(self, username: str, token: Secret) -> None:
        self._username = username
        self._token = token

    def initial_response(self) -> bytes | None:
        token = _value(self._token)
        return _utf8(f"user={self._username}\x01auth=Bearer {token}\x01\x01")

    def respond(self, challenge: bytes) -> bytes:
        return b""


class OAuthBearer(Mechanism):
    """RFC 7628 ``OAUTHBEARER``: a GS2 header, host, port and bearer token.

    An error challenge (JSON) is answered with a single ``^A`` (RFC 7628 §3.2.3).
    """

    name = "OAUTHBEARER"

    def __init__(self, username: str, token: Secret, host: str = "", port: int = 0) -> None:
        if "," in username or "=" in username:
            username = username.replace("=", "=3D").replace(",", "=2C")
        self._username = username
        self._token = token
        self._host = host
        self._port = port

    def initial_response(self) -> bytes | None:
        token = _value(self._token)
        parts = [f"n,a={self._username},"]
        if self._host:
            parts.append(f"host={self._host}")
        if self._port:
            parts.append(f"port={self._port}")
        parts.append(f"auth=Bearer {token}")
        return _utf8("\x01".join(parts) + "\x01\x01")

    def respond(self, challenge: bytes) -> bytes:
        return b"\x01"


#: Order in which ``auth()`` picks a password mechanism from ``CAPA SASL``.
PREFERENCE: tuple[str, ...] = ("PLAIN", "LOGIN", "CRAM-MD5")


def choose(offered: list[str], *, allow_secret: bool) -> str | None:
    """The preferred password mechanism among ``offered`` (or ``None``).

    Without ``allow_secret`` only mechanisms that keep the password off the wire count.
    """
    upper = {m.upper() for m in offered}
    for name in PREFERENCE:
        if name in upper and (allow_secret or name == "CRAM-MD5"):
            return name
    return None
