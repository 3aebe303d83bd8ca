"""SASL mechanisms: RFC test vectors and documented message formats."""

from __future__ import annotations

import pytest

from tether.errors import LocalProtocolError
from tether.protocols.pop3.sasl import CramMD5, Login, OAuthBearer, Plain, XOAuth2, choose


def test_plain_rfc4616_format() -> None:
    assert Plain("tim", "tanstaaftanstaaf").initial_response() == b"\0tim\0tanstaaftanstaaf"
    assert Plain("u", "p", authzid="z").initial_response() == b"z\0u\0p"
    with pytest.raises(LocalProtocolError):
        Plain("a\0", "p")


def test_cram_md5_rfc2195_example() -> None:
    # RFC 2195 §2 example.
    mech = CramMD5("tim", "tanstaaftanstaaf")
    assert mech.initial_response() is None and not mech.sends_secret
    answer = mech.respond(b"<1896.697170952@postoffice.reston.mci.net>")
    assert answer == b"tim b913a602c7eda7a495b4e6e7334d3890"


def test_login_prompts() -> None:
    mech = Login("user", "pw")
    assert mech.respond(b"Username:") == b"user"
    assert mech.respond(b"Password:") == b"pw"
    plain_order = Login("user", "pw")
    assert plain_order.respond(b"") == b"user"
    assert plain_order.respond(b"") == b"pw"


def test_xoauth2_format_and_callback_token() -> None:
    calls = []

    def token() -> str:
        calls.append(1)
        return "ya29.tok"

    mech = XOAuth2("someone@example.com", token)
    assert mech.initial_response() == b"user=someone@example.com\x01auth=Bearer ya29.tok\x01\x01"
    assert calls == [1]
    assert mech.respond(b'{"status":"401"}') == b""


def test_oauthbearer_rfc7628_format() -> None:
    # RFC 7628 §4.1 example layout.
    mech = OAuthBearer("user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
                       host="server.example.com", port=143)
    assert mech.initial_response() == (
        b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
        b"auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
    )
    assert mech.respond(b"{}") == b"\x01"


def test_choose() -> None:
    assert choose(["LOGIN", "PLAIN"], allow_secret=True) == "PLAIN"
    assert choose(["LOGIN", "CRAM-MD5"], allow_secret=False) == "CRAM-MD5"
    assert choose(["LOGIN", "PLAIN"], allow_secret=False) is None
