"""The URL type: WHATWG behaviour (vectors typed from the URL Standard's own examples),
differential tests against ada-url (a WHATWG-conformant parser), the fast path against
the state machine, and the Pythonic API."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tether.errors import TetherError
from tether.url import MAX_URL_LENGTH, URL, InvalidHost, InvalidPort, InvalidURL, URLTooLong
from tether.url._host import parse_host
from tether.url._whatwg import parse, serialize

# (input, expected href or None for failure), from the URL Standard's examples.
SPEC_EXAMPLES = [
    ("https://example.com/././foo", "https://example.com/foo"),
    ("https://EXAMPLE.com/../x", "https://example.com/x"),
    ("https://ex ample.org/", None),
    ("https://example.com:demo", None),
    ("http://[www.example.com]/", None),
    ("https://example.org//", "https://example.org//"),
    ("https://example.com/[]?[]#[]", "https://example.com/[]?[]#[]"),
    ("https://example/%?%#%", "https://example/%?%#%"),
    ("https://example/%25?%25#%25", "https://example/%25?%25#%25"),
    ("file:///C|/demo", "file:///C:/demo"),
    (
        "file://loC\U0001d400\U0001d40b\U0001d407\U0001d428\U0001d42c\U0001d42d/usr/bin",
        "file:///usr/bin",
    ),
    ("https://user:password@example.org/", "https://user:password@example.org/"),
    ("https://example.org/foo bar", "https://example.org/foo%20bar"),
    ("https://example.com/foo/../../../bar", "https://example.com/bar"),
    ("http:////admin/", "http://admin/"),
    ("http:\\\\admin\\x", "http://admin/x"),
    ("http://example.com:80/", "http://example.com/"),
    ("ws://example.com:80/", "ws://example.com/"),
    ("https://example.com:443/", "https://example.com/"),
    ("ftp://example.com:21/", "ftp://example.com/"),
    ("http://example.com:/", "http://example.com/"),
    ("http://example.com:65536/", None),
    ("http://user@/", None),
    ("http://@example.com/", "http://example.com/"),
    ("http://a:@example.com/", "http://a@example.com/"),
    ("http://a@b@example.com/", "http://a%40b@example.com/"),
    ("non-special://Host:80/a/../b", "non-special://Host:80/b"),
    ("non-special:/.//p", "non-special:/.//p"),
    ("mailto:someone@example.com", "mailto:someone@example.com"),
    ("data:text/plain,a b  ", "data:text/plain,a b"),
    ("javascript:alert(1) ?x", "javascript:alert(1)%20?x"),
    ("https://example.com/%2e%2E/a/./%2e/b", "https://example.com/a/b"),
    ("https://example.com/a\tb\nc", "https://example.com/abc"),
    ("  \x00https://example.com/  ", "https://example.com/"),
    (
        "https://example.com/😀?q=😀#😀",
        "https://example.com/%F0%9F%98%80?q=%F0%9F%98%80#%F0%9F%98%80",
    ),
    ("https://example.com/a^b`{}?'\"<>#`", "https://example.com/a%5Eb%60%7B%7D?%27%22%3C%3E#%60"),
    ("foo://example.com/?'", "foo://example.com/?'"),
]

# (host input, special, expected serialisation or None), the spec's host-parsing table.
HOST_EXAMPLES = [
    ("EXAMPLE.COM", True, "example.com"),
    ("EXAMPLE.COM", False, "EXAMPLE.COM"),
    ("example%2Ecom", True, "example.com"),
    ("example%2Ecom", False, "example%2Ecom"),
    ("faß.example", True, "xn--fa-hia.example"),
    ("faß.example", False, "fa%C3%9F.example"),
    ("0", True, "0.0.0.0"),
    ("%30", True, "0.0.0.0"),
    ("0x", True, "0.0.0.0"),
    ("0xffffffff1", True, None),
    ("[0:0::1]", True, "[::1]"),
    ("[0:0::1%5D]", True, None),
    ("[0:0::%31]", True, None),
    ("09", True, None),
    ("example.255", True, None),
    ("example^example", True, None),
    ("0x7F.1", True, "127.0.0.1"),
    ("127.1", True, "127.0.0.1"),
    ("0177.0.0.1", True, "127.0.0.1"),
    ("4294967295", True, "255.255.255.255"),
    ("4294967296", True, None),
    ("1.2.3.4.", True, "1.2.3.4"),
    ("[::ffff:1.2.3.4]", True, "[::ffff:102:304]"),
    ("[1:0:0:0:0:0:0:1]", True, "[1::1]"),
    ("[1:0:0:2:0:0:0:1]", True, "[1:0:0:2::1]"),
    ("[::1:2:3:4:5:6:7:8]", True, None),
    ("[1::2::3]", True, None),
    ("xn--nxasmq6b.com", True, "xn--nxasmq6b.com"),
    ("xn--a.com", True, None),
    ("\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25\u3002\uff43\uff4f\uff4d", True, "example.com"),
    ("a\u200db.com", True, None),
    ("\u05d0a.com", True, None),
    ("\u05d0\u05d1.com", True, "xn--4dbc.com"),
    ("ex_ample*.com", True, "ex_ample*.com"),
    ("-ex-.com", True, "-ex-.com"),
    ("a..b", True, "a..b"),
]


@pytest.mark.parametrize(("text", "href"), SPEC_EXAMPLES)
def test_spec_examples(text: str, href: str | None) -> None:
    if href is None:
        with pytest.raises(InvalidURL) as info:
            URL(text)
        assert isinstance(info.value, ValueError) and isinstance(info.value, TetherError)
        with pytest.raises(InvalidURL):
            parse(text)
    else:
        assert URL(text).href == href
        assert serialize(parse(text)) == href
        assert URL(href).href == href  # canonical is a fixed point


@pytest.mark.parametrize(("host", "special", "expected"), HOST_EXAMPLES)
def test_host_parsing(host: str, special: bool, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(InvalidHost):
            parse_host(host, special)
    else:
        assert parse_host(host, special) == expected


ADA_CASES = [text for text, _ in SPEC_EXAMPLES] + [
    "http://ÉXAMPLE.com/",
    "http://faß.de/",
    "http://a/b c\\d",
    "file://host/C|/x",
    "file:c:\\foo",
    "http:foo.com",
    "HTTP://user:pa:ss@h:0080/p?q#f",
    "foo://",
    "foo:/",
    "http://999999999/",
    "http://1.2.3.4.5/",
    "http://ex%41mple.com/",
    "https://[::1]:8443/x?y#z",
    "wss://x:443",
    "blob:https://example.com/uuid",
    "http://example.com/a%2fb/%2E./c",
]


@pytest.mark.parametrize("text", ADA_CASES)
def test_agrees_with_ada(text: str) -> None:
    ada_url = pytest.importorskip("ada_url")
    try:
        theirs = ada_url.URL(text).href
    except ValueError:
        theirs = None
    try:
        mine = URL(text).href
    except InvalidURL:
        mine = None
    assert mine == theirs


PIECES = st.sampled_from(
    [
        "http://", "https://", "HTTP://", "ws:", "ftp://", "file:", "foo://", "foo:",
        "//", "/", "\\", "..", ".", "%2e", "%2E", "@", ":", "?", "#", "[", "]", "::1",
        "a", "B", "xn--", "0x7f", "1", "255", "00", "é", "ß", "😀", " ", "\t", "%", "%41",
        "^", "`", "{", "'", '"', "<", "|", "C|", "c:", "8080", "65536", "localhost",
    ]
)  # fmt: skip
url_texts = st.lists(PIECES, max_size=12).map("".join)


@settings(max_examples=500, deadline=None)
@given(url_texts)
@example("http://a/b")
@example("http://user:pass@host:8080/p/a/t/h?query=1#frag")
def test_fast_path_agrees_with_state_machine(text: str) -> None:
    try:
        expected: str | None = serialize(parse(text))
    except InvalidURL:
        expected = None
    try:
        url = URL(text)
    except InvalidURL:
        assert expected is None, text
        return
    if url.is_absolute:
        assert url.href == expected, text
        assert URL(url.href) == url


@settings(max_examples=300, deadline=None)
@given(url_texts)
def test_agrees_with_ada_on_random_input(text: str) -> None:
    ada_url = pytest.importorskip("ada_url")
    if "xn--" in text:  # ada is laxer than UTS 46 on some A-labels
        return
    try:
        theirs = ada_url.URL(text).href
    except ValueError:
        theirs = None
    try:
        mine = serialize(parse(text))
    except InvalidURL:
        mine = None
    assert mine == theirs, text


def test_components() -> None:
    u = URL("HTTPS://Us%65r:p%40ss@Bücher.Example:8443/a/b/../c?x=1&y=a+b&x=2#Frag")
    assert u.scheme == "https"
    assert (u.raw_username, u.username) == ("Us%65r", "User")
    assert (u.raw_password, u.password) == ("p%40ss", "p@ss")
    assert u.raw_host == "xn--bcher-kva.example"
    assert u.host == "bücher.example"
    assert u.hostname == "xn--bcher-kva.example"
    assert u.port == 8443 and u.port_str == "8443" and u.effective_port == 8443
    assert u.host_port == "xn--bcher-kva.example:8443"
    assert (u.path, u.pathname) == ("/a/c", "/a/c")
    assert (u.query, u.search) == ("x=1&y=a+b&x=2", "?x=1&y=a+b&x=2")
    assert (u.fragment, u.hash) == ("Frag", "#Frag")
    assert u.protocol == "https:"
    assert u.origin == "https://xn--bcher-kva.example:8443"
    assert u.is_absolute
    assert (
        str(u)
        == u.href
        == "https://Us%65r:p%40ss@xn--bcher-kva.example:8443/a/c?x=1&y=a+b&x=2#Frag"
    )


def test_ipv6_and_defaults() -> None:
    u = URL("http://[0:0::1]:80/")
    assert (u.raw_host, u.host, u.hostname) == ("::1", "::1", "[::1]")
    assert u.port is None and u.port_str == "" and u.effective_port == 80
    assert URL("mailto:a@b").origin == "null"
    assert URL("file:///x").origin == "null"
    assert URL("blob:https://e.com:1/uuid").origin == "https://e.com:1"
    assert URL("mailto:a@b").host is None


def test_extra_slashes_reach_the_host_as_in_browsers() -> None:
    assert URL("http:////admin/").host == "admin"
    assert URL("https:\\\\evil.com/").host == "evil.com"


def test_join() -> None:
    base = URL("http://a/b/c/d;p?q")
    for ref, href in [
        ("g", "http://a/b/c/g"),
        ("../g", "http://a/b/g"),
        ("../../../../g", "http://a/g"),
        ("?y", "http://a/b/c/d;p?y"),
        ("#s", "http://a/b/c/d;p?q#s"),
        ("//g", "http://g/"),
        ("g:h", "g:h"),
        ("/./g", "http://a/g"),
        (".//evil", "http://a/b/c//evil"),
        ("/..//evil", "http://a//evil"),
    ]:
        assert base.join(ref).href == href
    assert base.join(URL("../x")).href == "http://a/b/x"
    assert URL("../x", base) == base.join("../x")
    assert URL("foo:/a").join(".//b").href == "foo:/.//b"
    assert URL("foo:/a").join(".//b").host is None
    with pytest.raises(InvalidURL):
        URL("/relative").join("x")


def test_relative_references() -> None:
    rel = URL("/p a/th?q=1#f")
    assert not rel.is_absolute
    assert rel.href == "/p%20a/th?q=1#f"
    assert rel.scheme == "" and rel.host is None
    assert URL("http://h/x/y").join(rel).href == "http://h/p%20a/th?q=1#f"
    assert URL("//h:81/x").host == "h" and URL("//h:81/x").port == 81


def test_copy_with_never_moves_the_host() -> None:
    u = URL("http://user@example.com:8080/p?q#f")
    assert u.copy_with(path="//evil.com/x").host == "example.com"
    assert u.copy_with(path="//evil.com/x").path == "//evil.com/x"
    assert u.copy_with(query="a=#b").query == "a=%23b"
    assert u.copy_with(host="other.org").href == "http://user@other.org:8080/p?q#f"
    assert u.copy_with(host="::1", port=None).href == "http://user@[::1]/p?q#f"
    assert u.copy_with(username="a@b", password="p:w").raw_username == "a%40b"
    assert u.copy_with(username="a@b", password="p:w").password == "p:w"
    assert u.copy_with(fragment=None, query=None).href == "http://user@example.com:8080/p"
    assert u.copy_with(scheme="https", port=443).href == "https://user@example.com/p?q#f"
    nohost = URL("foo:/a")
    assert nohost.copy_with(path="//evil/x").host is None
    with pytest.raises(InvalidPort):
        u.copy_with(port=70000)
    with pytest.raises(TypeError):
        u.copy_with(netloc="x")


def test_params_multidict() -> None:
    u = URL("http://h/?a=1&b=x+y&a=2&c=%C3%A9&d")
    p = u.params
    assert p["a"] == "1" and p.getall("a") == ["1", "2"]
    assert p["b"] == "x y" and p["c"] == "é" and p["d"] == ""
    assert list(p) == ["a", "b", "c", "d"] and len(p) == 4
    assert "z" not in p and p.get("z") is None
    added = p.add("e", "f g~")
    assert isinstance(added, URL) and added.query == "a=1&b=x+y&a=2&c=%C3%A9&d=&e=f+g%7E"
    assert p.set("a", "9").params.getall("a") == ["9"]
    assert p.set("a", "9").query.startswith("a=9&b=")
    assert p.remove("a").params.multi_items() == [("b", "x y"), ("c", "é"), ("d", "")]
    assert u.params.remove("a").params.remove("b").params.remove("c").params.remove("d").href == (
        "http://h/"
    )
    assert u.href == "http://h/?a=1&b=x+y&a=2&c=%C3%A9&d"  # unchanged


def test_value_semantics() -> None:
    a, b = URL("http://EXAMPLE.com"), URL("http://example.com/")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != "http://example.com/"
    assert sorted([URL("http://b/"), URL("http://a/")]) == [URL("http://a/"), URL("http://b/")]
    assert URL(a) == a
    assert pickle.loads(pickle.dumps(a)) == a
    assert repr(a) == "URL('http://example.com/')"
    with pytest.raises(AttributeError):
        a.host = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        URL(b"http://x/")  # type: ignore[arg-type]


def test_errors_name_the_part() -> None:
    with pytest.raises(InvalidPort, match="port"):
        URL("http://h:99999/")
    with pytest.raises(InvalidHost, match="host"):
        URL("http://exa mple.com/")
    with pytest.raises(InvalidHost, match="IPv4"):
        URL("http://1.2.3.4.5/")
    with pytest.raises(InvalidHost, match="IPv6"):
        URL("http://[::1::]/")
    with pytest.raises(URLTooLong):
        URL("http://h/" + "a" * MAX_URL_LENGTH)
    with pytest.raises(InvalidPort):
        URL("http://h:" + "9" * 5000 + "/")


IPV6_TEXT = st.lists(st.sampled_from(["0", "1", "f", "ffff", "12345", ":", "::", "a"]), max_size=14)


@settings(max_examples=500, deadline=None)
@given(IPV6_TEXT.map("".join))
@example("1:2:3:4:5:6:7::")
@example("::1:2:3:4:5:6:7")
def test_ipv6_accelerator_agrees_with_the_spec_parser(text: str) -> None:
    from tether.url._host import parse_ipv6, serialize_ipv6

    try:
        expected: str | None = "[" + serialize_ipv6(parse_ipv6(text)) + "]"
    except InvalidHost:
        expected = None
    try:
        mine: str | None = parse_host(f"[{text}]", True)
    except InvalidHost:
        mine = None
    assert mine == expected, text


BASES = st.sampled_from(
    [
        "http://a/b/c/d;p?q",
        "https://u:p@h.example:8443/x/y/?",
        "http://[::1]/a//b#f",
        "ws://h/",
        "ftp://h/a/b",
        "foo://h/a/b",
        "file:///C:/x/y",
    ]
)


@settings(max_examples=500, deadline=None)
@given(BASES, url_texts)
@example("http://a/b/c/d;p?q", "")
@example("http://a/b/c/d;p?q", "../../../../g")
@example("http://a/b/c/d;p?q", "http:g")
def test_join_fast_path_agrees_with_state_machine(base: str, ref: str) -> None:
    base_url = URL(base)
    try:
        expected: str | None = serialize(parse(ref, base_url._record()))
    except InvalidURL:
        expected = None
    try:
        mine: str | None = base_url.join(ref).href
    except InvalidURL:
        mine = None
    assert mine == expected, (base, ref)
