"""SASL responses for SMTP AUTH (RFC 4954): what each mechanism sends.

Pure functions from credentials (and the server's challenge) to the text that gets
base64-encoded on the wire. The dialogue itself (initial response, ``334``
challenges, the bound on their number) lives with the exchanges.

Mechanisms and what they expose:

* ``PLAIN`` (RFC 4616) and ``LOGIN`` (draft-murchison-sasl-login) send the password
  itself; ``XOAUTH2`` and ``OAUTHBEARER`` (RFC 7628) send a bearer token, which is as
  good as a password to whoever reads it. These are :data:`CLEARTEXT_MECHANISMS`: tether
  sends them only under TLS, to a loopback peer, or when the caller opts out.
* ``CRAM-MD5`` (RFC 2195) sends an HMAC of a server challenge, never the password.
"""

from __future__ import annotations

import base64
import hmac
from typing import Final

__all__ = [
    "CLEARTEXT_MECHANISMS",
    "MAX_AUTH_CHALLENGES",
    "PREFERRED_MECHANISMS",
    "b64decode_challenge",
    "b64encode_response",
    "cram_md5",
    "oauthbearer",
    "plain",
    "xoauth2",
]

#: Most ``334`` challenges answered in one AUTH exchange before giving up: a server
#: that keeps challenging is broken or hostile (smtplib's ``_MAXCHALLENGE``).
MAX_AUTH_CHALLENGES: Final = 5

#: Mechanisms whose responses reveal a reusable secret to an eavesdropper.
CLEARTEXT_MECHANISMS: Final = frozenset({"PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"})

#: Order in which ``login()`` tries password mechanisms (smtplib's order).
PREFERRED_MECHANISMS: Final = ("CRAM-MD5", "PLAIN", "LOGIN")


def plain(user: str, password: str, authzid: str = "") -> str:
    """RFC 4616 §2: ``authzid NUL authcid NUL passwd``."""
    return f"{authzid}\0{user}\0{password}"


def cram_md5(user: str, password: str, challenge: bytes) -> str:
    """RFC 2195 §2: the user name, a space, and the hex HMAC-MD5 of the challenge."""
    digest = hmac.new(password.encode("ascii"), challenge, "md5").hexdigest()
    return f"{user} {digest}"


def xoauth2(user: str, token: str) -> str:
    """Google's and Microsoft's XOAUTH2 initial response."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def oauthbearer(user: str, token: str, host: str | None = None, port: int | None = None) -> str:
    """RFC 7628 §3.1 initial client response (GS2 header, then key/value pairs)."""
    user_field = user.replace("=", "=3D").replace(",", "=2C")
    parts = [f"n,a={user_field},"]
    if host:
        parts.append(f"host={host}")
    if port:
        parts.append(f"port={port}")
    parts.append(f"auth=Bearer {token}")
    return "\x01".join(parts) + "\x01\x01"


def b64encode_response(text: str, encoding: str = "ascii") -> str:
    """A response as it goes on the wire: base64 without line breaks."""
    return base64.b64encode(text.encode(encoding)).decode("ascii")


def b64decode_challenge(message: bytes) -> bytes:
    """A ``334`` challenge decoded; lenient about padding and blanks, like smtplib."""
    return base64.decodebytes(message)
