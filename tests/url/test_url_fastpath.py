"""The accelerated pieces against the reference they replace: tether's punycode and
UTS 46 mapping against the ``punycode`` codec and ``idna``, the host fast path against
the WHATWG host parser, and ``URL.join``'s field-level resolution against the state
machine on references chosen to reach each of its branches."""

from __future__ import annotations

import idna.core
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tether.url import URL, InvalidHost, InvalidURL
from tether.url._fastpath import fast_host
from tether.url._host import parse_host
from tether.url._idna import punycode_encode, uts46_remap
from tether.url._whatwg import parse, serialize

LABEL_CHARS = st.one_of(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E),
    st.characters(min_codepoint=0x80, max_codepoint=0x3000, exclude_categories=["Cs"]),
    st.characters(exclude_categories=["Cs"]),
)


@settings(max_examples=400, deadline=None)
@given(st.text(LABEL_CHARS, min_size=1, max_size=20))
@example("bücher")
@example("\u00fc\u00fc\u00fc")
@example("a\u4e2d\u6587b\U0001f600")
def test_punycode_matches_the_codec(label: str) -> None:
    assert punycode_encode(label) == label.encode("punycode").decode("ascii")


@settings(max_examples=400, deadline=None)
@given(st.text(LABEL_CHARS, min_size=1, max_size=20))
@example("FASS.\u00c9xample")
@example("\u00ad\u200bx")  # ignored code points vanish
@example("a\u0000b")  # disallowed
def test_uts46_mapping_matches_idna(domain: str) -> None:
    try:
        expected: str | None = idna.core.uts46_remap(domain, std3_rules=False)
    except (idna.core.IDNAError, ValueError):
        expected = None
    try:
        mine: str | None = uts46_remap(domain)
    except InvalidHost:
        mine = None
    assert mine == expected


HOST_PIECES = st.sampled_from(
    ["0", "1", "9", "25", "255", "256", "00", "0x", "0x7f", ".", "a", "E", "xn--", "-", "_"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(HOST_PIECES, min_size=1, max_size=9).map("".join))
@example("127.0.0.1")
@example("1.2.3.04")
@example("255.255.255.256")
def test_fast_host_matches_the_host_parser(host: str) -> None:
    try:
        expected: str | None = parse_host(host, True)
    except InvalidHost:
        expected = None
    try:
        mine: str | None = fast_host(host)
    except InvalidHost:
        mine = None
    assert mine == expected


JOIN_BASES = [
    "http://a/b/c/d;p?q",
    "https://u:p@h.example:8443/x/y/?",
    "HTTP://[::1]/a//b#f",
    "ws://h/",
    "ftp://h/a/b",
    "wss://h/%2e/x?y",
]
JOIN_REFS = [
    "", "#", "#f g", "?", "?q r#s", "?a'b", "/x\\y/../z", "\\x", "\\\\evil/p", "/\\evil",
    "\\/evil", "//evil:81/p?q", "g/./h", "%2e%2E/x", ".%2e", "..", ".", "x\ty\n", "a b^`{}",
    "é/😀?é#é", "g:h", "http:g", "1:2", " g", "g ", "?x#y#z", "//", "///x",
]  # fmt: skip


@pytest.mark.parametrize("base", JOIN_BASES)
@pytest.mark.parametrize("ref", JOIN_REFS)
def test_join_branches_match_the_state_machine(base: str, ref: str) -> None:
    base_url = URL(base)
    try:
        expected: str | None = serialize(parse(ref, base_url._record()))
    except InvalidURL:
        expected = None
    try:
        joined = base_url.join(ref)
    except InvalidURL:
        assert expected is None
        return
    assert joined.href == expected
    assert URL(joined.href) == joined  # the fields are canonical, not just the text
    assert (joined.raw_host, joined.port) == (URL(expected).raw_host, URL(expected).port)
