"""tether.url's urlsplit/urlparse/urljoin/urldefrag/urlunsplit against urllib.parse,
and the safety differences, each as a test."""

from __future__ import annotations

import pickle
import urllib.parse

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import tether.url as tu
from tether.errors import LimitExceeded, TetherError

HAND_PICKED = [
    "",
    "http://www.python.org",
    "HTTP://User:Pass@WWW.Python.org:080/a/b;p?q=1&r=2#frag",
    "https://[::1]:8443/x",
    "http://[fe80::1%25eth0]/",
    "http://[v1.fe80::a+en1]/",
    "file:///tmp/junk.txt",
    "mailto:1337@example.org",
    "sip:alice@atlanta.com;maddr=239.255.255.1;ttl=15",
    "tel:+1-201-555-0123;phone-context=x",
    "//www.python.org:80",
    "path/to;params?q#f",
    "./Python",
    "x-newscheme://foo.com/stuff?query#fragment",
    "  \x00http://example.com/ leading noise",
    "http\t://www.python\n.org\t/java\nscript:",
    "http://example.com?blahblah=/foo",
    "http:80",
    "http://a/b/c/d;p?q",
    "a:b:c",
    "1http://x",
    "http://Server=sde; Service=sde:oracle",
    "svn+ssh://svn.zope.org/repos/main/ZConfig/trunk/",
    "http://\u30d5\u309a:80",
    "www.pypi.org ",
    "http://h/a#b#c?d",
    "http://h?a?b#c",
    b"http://h/p?q#f",
    b"//net/loc",
]

URL_CHARS = st.sampled_from(list("abcAB019:/?#@[]%.;=&+-_~ \t\n\x00é\u2100"))
url_texts = st.lists(URL_CHARS, max_size=40).map("".join)
url_like = st.builds(
    lambda scheme, rest: scheme + rest,
    st.sampled_from(["", "http:", "https://", "HTTP://", "ftp://", "foo:", "//", "s3://"]),
    url_texts,
)


def outcome(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    """(result) or ('raises', exception class family) for differential comparison."""
    try:
        return ("ok", func(*args, **kwargs))
    except ValueError:
        return ("raises", ValueError)
    except TypeError:
        return ("raises", TypeError)
    except UnicodeError:
        return ("raises", UnicodeError)


def expected_difference(text: object) -> bool:
    """Inputs where tether is stricter on purpose: brackets out of place."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    assert isinstance(text, str)
    return "[" in text or "]" in text


def unsplit_differs_on_purpose(parts: tuple[object, ...]) -> bool:
    """CPython 3.13's urlunsplit rules (difference 2): an empty netloc before a path."""
    scheme, netloc, path = (x.decode() if isinstance(x, bytes) else x for x in parts[:3])
    assert isinstance(scheme, str) and isinstance(path, str)
    return not netloc and (
        path[:2] == "//" or (scheme in urllib.parse.uses_netloc and path[:1] not in ("", "/"))
    )


@pytest.mark.parametrize("text", HAND_PICKED)
def test_split_and_parse_match_urllib(text: str | bytes) -> None:
    for name in ("urlsplit", "urlparse"):
        mine, theirs = getattr(tu, name)(text), getattr(urllib.parse, name)(text)
        assert mine == theirs
        assert type(mine).__name__ == type(theirs).__name__
        for attr in ("username", "password", "hostname"):
            assert getattr(mine, attr) == getattr(theirs, attr)
        assert outcome(lambda r: r.port, mine) == outcome(lambda r: r.port, theirs)
        if not unsplit_differs_on_purpose(mine):
            assert mine.geturl() == theirs.geturl()


@settings(max_examples=300, deadline=None)
@given(url_like)
@example("http://a]b[c/")
def test_urlsplit_differential(text: str) -> None:
    for name in ("urlsplit", "urlparse", "urldefrag"):
        mine = outcome(getattr(tu, name), text)
        theirs = outcome(getattr(urllib.parse, name), text)
        if mine != theirs:
            if mine[0] == "raises":  # tether only ever refuses more, on purpose
                assert expected_difference(text), (name, text, mine, theirs)
            else:
                assert name == "urldefrag", (name, text, mine, theirs)
                assert unsplit_differs_on_purpose(tu.urlsplit(text))
    for flag in (False, True):
        mine = outcome(tu.urlsplit, text, "ftp", flag)
        theirs = outcome(urllib.parse.urlsplit, text, "ftp", flag)
        assert mine == theirs or expected_difference(text)


@settings(max_examples=300, deadline=None)
@given(url_like, url_like)
def test_urljoin_differential(base: str, ref: str) -> None:
    mine = outcome(tu.urljoin, base, ref)
    theirs = outcome(urllib.parse.urljoin, base, ref)
    if mine != theirs:
        assert mine[0] == "ok" or expected_difference(base + ref), (base, ref, mine, theirs)
        if mine[0] == "ok":
            assert unsplit_differs_on_purpose(tu.urlsplit(mine[1])), (base, ref, mine, theirs)


@settings(max_examples=200, deadline=None)
@given(url_like)
def test_unsplit_round_trip_keeps_the_host(text: str) -> None:
    try:
        parts = tu.urlsplit(text)
    except ValueError:
        return
    again = tu.urlsplit(tu.urlunsplit(parts))
    assert again.netloc == parts.netloc
    assert tu.urlunsplit(again) == tu.urlunsplit(parts)
    try:
        parsed = tu.urlparse(text)
    except ValueError:
        return
    assert tu.urlparse(tu.urlunparse(parsed)).netloc == parsed.netloc


@pytest.mark.parametrize(
    ("components", "url"),
    [
        (("http", "", "//evil.com/x", "", ""), "http:////evil.com/x"),
        (("", "", "//evil.com", "", ""), "////evil.com"),
        (("http", "", "p", "", ""), "http:p"),
        (("http", "", "/p", "", ""), "http:///p"),
        (("http", "h", "p", "q", "f"), "http://h/p?q#f"),
        (("file", "", "/tmp/x", "", ""), "file:///tmp/x"),
    ],
)
def test_urlunsplit_never_makes_a_path_a_host(components: tuple[str, ...], url: str) -> None:
    assert tu.urlunsplit(components) == url
    assert tu.urlsplit(url).netloc == components[1]


def test_urljoin_keeps_the_host_of_an_empty_authority() -> None:
    assert tu.urljoin("file:///x/y", "/.//evil/z") == "file:////evil/z"
    assert tu.urlsplit(tu.urljoin("file:///x/y", "/.//evil/z")).netloc == ""


@pytest.mark.parametrize(
    "text",
    [
        "http://a[::1]/",
        "http://[::1]x/",
        "http://[::1]]/",
        "http://u[s]er@host/",
        "http://[::1]:80[/",
        "http://[192.0.2.1]/",
        "http://[v1x.a]/",
        "http://[fe80::1%a/b]/",
        "http://[fe80::1%]/",
        "http://[fe80::1%e th0]/",
        "Scheme://user@]v6a.ip[/Path",
    ],
)
def test_brackets_only_around_an_ip_literal(text: str) -> None:
    with pytest.raises(tu.InvalidHost) as info:
        tu.urlsplit(text)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, TetherError)


def test_bracket_errors_keep_urllib_texts() -> None:
    with pytest.raises(ValueError, match="Invalid IPv6 URL"):
        tu.urlsplit("http://[::1/")
    with pytest.raises(ValueError, match="An IPv4 address cannot be in brackets"):
        tu.urlsplit("http://[192.0.2.1]/")
    with pytest.raises(ValueError, match="IPvFuture address is invalid"):
        tu.urlsplit("http://[v1.]/")
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 address"):
        tu.urlsplit("http://[::1::2]/")


def test_zone_ids() -> None:
    assert tu.urlsplit("http://[fe80::1%25eth0]/").hostname == "fe80::1%25eth0"
    assert tu.urlsplit("http://[FE80::1%tESt]:1/").hostname == "fe80::1%tESt"


def test_nfkc_netloc_is_refused() -> None:
    with pytest.raises(tu.UnsafeURL, match="invalid characters under NFKC normalization"):
        tu.urlsplit("http://evil\u2100.com/")
    with pytest.raises(ValueError):
        tu.urlsplit("http://\u30d5\u309a\ufe1380")


def test_controls_stripped_and_removed() -> None:
    assert tu.urlsplit("\x00\x1f http://a/b") == ("http", "a", "/b", "", "")
    assert tu.urlsplit("ht\ttp://a\r\n/b") == ("http", "a", "/b", "", "")


@pytest.mark.parametrize("port", ["65536", "99999", "-1", "1.5", "0x10", " 1", "\u0666"])
def test_bad_ports_raise_with_urllib_texts(port: str) -> None:
    parts = tu.urlsplit(f"http://host:{port}/")
    with pytest.raises(tu.InvalidPort) as info:
        _ = parts.port
    theirs = urllib.parse.urlsplit(f"http://host:{port}/")
    with pytest.raises(ValueError) as their_info:
        _ = theirs.port
    assert str(info.value) == str(their_info.value)


def test_port_range_text() -> None:
    with pytest.raises(ValueError, match=r"^Port out of range 0-65535$"):
        _ = tu.urlsplit("http://h:65536").port
    assert tu.urlsplit("http://h:65535").port == 65535
    assert tu.urlsplit("http://h:0").port == 0


def test_length_limit() -> None:
    long_url = "http://h/" + "a" * tu.MAX_URL_LENGTH
    for func in (tu.urlsplit, tu.urlparse, tu.urldefrag):
        with pytest.raises(tu.URLTooLong) as info:
            func(long_url)
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, LimitExceeded)
        assert "MAX_URL_LENGTH" in str(info.value)
    with pytest.raises(tu.URLTooLong):
        tu.urljoin(long_url, "x")
    tu.urlsplit("http://h/" + "a" * (tu.MAX_URL_LENGTH - 9))


def test_mixed_types() -> None:
    with pytest.raises(TypeError, match=r"^Cannot mix str and non-str arguments$") as info:
        tu.urljoin("http://a", b"b")
    assert isinstance(info.value, TetherError)
    with pytest.raises(TypeError, match="Cannot mix str"):
        tu.urlunsplit(("http", b"h", "", "", ""))


def test_result_types_pickle_and_transcode() -> None:
    result = tu.urlsplit("http://u:p@h:1/p?q#f")
    assert pickle.loads(pickle.dumps(result)) == result
    assert result.encode().decode() == result
    assert type(result.encode()) is tu.SplitResultBytes
    assert result._replace(netloc="x").geturl() == "http://x/p?q#f"
    assert tu.SplitResult[str] is not None
    assert tu.urldefrag("http://a/b#c").geturl() == "http://a/b#c"


def test_exception_pickles() -> None:
    with pytest.raises(tu.InvalidHost) as info:
        tu.urlsplit("http://[x]/")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is tu.InvalidHost and str(again) == str(info.value)
