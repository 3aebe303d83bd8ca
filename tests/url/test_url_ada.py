"""tether's URL parser against ada-url (a WHATWG-conformant C++ parser, a dev
dependency) on hand-picked hostile inputs: host confusables, numeric hosts, ports,
encoded dots, backslashes, userinfo tricks, IDNA edge cases, file URLs and control
characters. Both the fast path (``URL``) and the state machine must agree with ada.

The few inputs where ada differs from the standard are listed apart, with the reason,
and there tether's answer is checked against the standard's rule instead.
"""

from __future__ import annotations

import pytest

from tether.url import URL, InvalidURL
from tether.url._whatwg import parse, serialize

HOSTILE = [
    'http://example.com\u3002evil/', 'http://ex\xadample.com/',
    'http://\uff10\uff58\uff17\uff46.1/', 'http://0x100000000/', 'http://0xffffffff/',
    'http://1.2.3.0x100/', 'http://08/', 'http://0x/', 'http://1.2.3.4.5.6/',
    'http://%31%32%37.0.0.1/', 'http://%zz/', 'http://%/', 'http://a%2Fb/',
    'http://[::1]:65535/', 'http://[::1]:65536/', 'http://[::127.0.0.1]/',
    'http://[::ffff:127.0.0.1]/', 'http://[1::2::3]/', 'http://[:1]/',
    'http://[1:2:3:4:5:6:7:8:9]/', 'http://[::1%25eth0]/', 'http://[v1.x]/',
    'http://user:pa ss@host/', 'http://us\xe9r@host/', 'http://a@b@c@host/', 'http://:@host/',
    'http://@@host/', 'https://host:0443/', 'https://host:00000443/', 'http://host:+80/',
    'http://host:-1/', 'http://host:80a/', 'http://host:\u0661/', 'http://host/%2e%2e/%2E/x',
    'http://host/a/%2e%2e%2f/b', 'http://host/./../../..', 'http://host/a/..%2F..',
    'http:\\\\host\\a\\..\\b', 'http:/\\host/', 'http:host/p', 'https:/host/p',
    'ws://host/\x00x', 'http://host/#\x00', 'http://host/?\'"<>`',
    'http://host/path#frag#frag2', 'http://XN--BCHER-KVA.example/',
    'http://\u0627\u0644\u0639\u0631\u0628\u064a\u0629/', 'http://a\u0627.com/',
    'http://\u200c.com/', 'http://a\u200cb.com/', 'http://\u0301a.com/', 'http://fa\xdf.de/',
    'http://\u03c2.gr/', 'http://\u2488.com/', 'http://\u2100.com/', 'http://\ufdfa.com/',
    'http://a..b/', 'http://.a/', 'http://a./', 'http://../', 'http://%2E/',
    'http://1.2.3.4./', 'http://1.2.3.4../', 'http://a b/', 'http://a<b/', 'http://a^b/',
    'http://a|b/', 'http://a\x7fb/', 'file://localhost/x', 'file:///C|/x/../../..',
    'file://host/\\x', 'file:..', 'file:/c:/x/../..', 'foo://host:99999/', 'foo://[::1]:1/',
    'foo://ho st/', 'foo://h%20st/', 'foo://user@/', 'javascript:alert(1)',
    'data:,hello#frag', 'blob:null/uuid', 'mailto:a@b?subject=x y', 'non-spec:/a/../../b',
    'non-spec:/..//x', 'sc://\xdf/', 'sc://%/', 'sc://@/', 'sc:// /',
    'http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com/',
    'http://a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.com/',
    ' \t http://host/ \n ', '\x00\x1fhttp://host/\x1f', 'http://ho\tst/', 'ht\ntp://host/',
]  # fmt: skip

# (input, the standard's answer (None: failure), why ada differs)
ADA_DIFFERS = [
    ("http://xn--/", None, "UTS 46 4.1: an xn-- label that decodes to nothing is an error"),
    ("http://a.xn--x/", None, "UTS 46 4.1: 'x' is not valid punycode"),
    # "a-ecp" decodes to "a\u2488"; U+2488 is mapped, not valid, in a decoded A-label.
    ("http://xn--a-ecp.com/", None, "UTS 46 4.1: decoded label fails the validity criteria"),
    # ada's binding cannot take a str with a lone surrogate; the standard's USVString
    # conversion turns it into U+FFFD, which the path then percent-encodes.
    ("http://host/\ud800", "http://host/%EF%BF%BD", "lone surrogate becomes U+FFFD"),
    ("http://host/?\ud83d", "http://host/?%EF%BF%BD", "lone surrogate becomes U+FFFD"),
]


def _ours(text: str) -> tuple[str | None, str | None]:
    try:
        fast: str | None = URL(text).href
    except InvalidURL:
        fast = None
    try:
        machine: str | None = serialize(parse(text))
    except InvalidURL:
        machine = None
    return fast, machine


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_agrees_with_ada(text: str) -> None:
    ada_url = pytest.importorskip("ada_url")
    try:
        theirs: str | None = ada_url.URL(text).href
    except ValueError:
        theirs = None
    assert _ours(text) == (theirs, theirs)


@pytest.mark.parametrize(("text", "expected", "reason"), ADA_DIFFERS)
def test_where_ada_differs_the_standard_decides(
    text: str, expected: str | None, reason: str
) -> None:
    assert _ours(text) == (expected, expected), reason
