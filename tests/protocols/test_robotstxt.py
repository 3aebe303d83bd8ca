"""The RFC 9309 engine: the RFC's own examples, normalisation, odd input, properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether.protocols.robotstxt import (
    Matcher,
    RequestRate,
    normalise_path,
    normalise_pattern,
    parse,
    path_of,
    product_token,
)

# RFC 9309 §5.1 (the file ends with the group "quxbot", which has no rules)
SIMPLE = """\
User-Agent: *
Disallow: *.gif$
Disallow: /example/
Allow: /publications/

User-Agent: foobot
Disallow:/
Allow:/example/page.html
Allow:/example/allowed.gif

User-Agent: barbot
User-Agent: bazbot
Disallow: /example/page.html

User-Agent: quxbot
"""


def allowed(text: str, agent: str, url: str) -> bool:
    return parse(text).matcher(agent).allowed(url)


@pytest.mark.parametrize("agent,url,expected", [
    # foobot: everything disallowed except the two allowed files (longest match wins).
    ("foobot", "/", False),
    ("foobot", "/example/page.html", True),
    ("foobot", "/example/allowed.gif", True),
    ("foobot", "/example/other.gif", False),
    ("FooBot/1.2 (+https://foo.example)", "/example/page.html", True),
    # barbot and bazbot share one group.
    ("barbot", "/example/page.html", False),
    ("bazbot", "/example/page.html", False),
    ("barbot", "/example/other.html", True),
    ("barbot", "/x.gif", True),  # its own group, so the * group's rules do not apply
    # quxbot: a group without rules allows everything.
    ("quxbot", "/example/page.html", True),
    ("quxbot", "/x.gif", True),
    # anyone else falls back to the * group.
    ("otherbot", "/x.gif", False),
    ("otherbot", "/x.gif?q", True),  # "$" anchors the end of the path
    ("otherbot", "/example/", False),
    ("otherbot", "/publications/a", True),
    ("otherbot", "/publications/a.gif", True),  # /publications/ (14 octets) beats *.gif$ (6)
    ("otherbot", "/", True),
])
def test_rfc_simple_example(agent: str, url: str, expected: bool) -> None:
    assert allowed(SIMPLE, agent, url) is expected


def test_rfc_longest_match_example() -> None:
    text = "User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n"
    assert allowed(text, "foobot", "/example/page/") is True
    assert allowed(text, "foobot", "/example/page/allowed.gif") is True
    assert allowed(text, "foobot", "/example/page/disallowed.gif") is False


def test_groups_for_the_same_agent_are_merged() -> None:
    # RFC 9309 §2.2.1: "the matching groups' rules MUST be combined into one group".
    text = ("user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\n"
            "user-agent: examplebot\ndisallow: /baz\n\nuser-agent: *\ndisallow: /\n")
    for path in ("/foo", "/bar", "/baz/x"):
        assert allowed(text, "ExampleBot", path) is False
    assert allowed(text, "ExampleBot", "/qux") is True
    assert allowed(text, "Other", "/qux") is False


def test_allow_wins_a_tie() -> None:
    assert allowed("User-agent: *\nDisallow: /page\nAllow: /page\n", "a", "/page") is True
    assert allowed("User-agent: *\nAllow: /page\nDisallow: /page\n", "a", "/page") is True


def test_wildcards() -> None:
    # RFC 9309 §2.2.3 examples
    text = "User-agent: *\nDisallow: /\nAllow: /this/path/exactly$\nAllow: /this/*/exactly\n"
    assert allowed(text, "a", "/this/path/exactly") is True
    assert allowed(text, "a", "/this/path/exactly/more") is True  # /this/*/exactly matches
    assert allowed(text, "a", "/this/a/b/exactly") is True
    assert allowed(text, "a", "/this/a/b/nope") is False
    assert allowed(text, "a", "/that/path") is False
    text = "User-agent: *\nDisallow: /\nAllow: /this/path/exactly$\n"
    assert allowed(text, "a", "/this/path/exactly") is True
    assert allowed(text, "a", "/this/path/exactly/more") is False


def test_dollar_inside_a_pattern_is_literal() -> None:
    text = "User-agent: *\nDisallow: /a$b\n"
    assert allowed(text, "x", "/a$b") is False
    assert allowed(text, "x", "/a%24b") is False
    assert allowed(text, "x", "/a") is True


def test_robots_txt_is_always_allowed() -> None:
    assert allowed("User-agent: *\nDisallow: /\n", "a", "/robots.txt") is True
    assert allowed("User-agent: *\nDisallow: /\n", "a", "/robots.txt.bak") is False


def test_rules_before_any_group_are_ignored() -> None:
    assert allowed("Disallow: /\nUser-agent: *\nDisallow: /x\n", "a", "/y") is True


def test_blank_lines_do_not_end_a_group() -> None:
    assert allowed("User-agent: a\n\nDisallow: /private\n", "a", "/private/1") is False


@pytest.mark.parametrize("path,compared_as", [
    # RFC 9309 §2.2.2's table: path in the URI -> how it compares.
    ("/foo/bar?baz=quz", "/foo/bar?baz=quz"),
    ("/foo/bar?baz=https://foo.bar", "/foo/bar?baz=https://foo.bar"),
    ("/foo/bar/\u30c4", "/foo/bar/%E3%83%84"),
    ("/foo/bar/%E3%83%84", "/foo/bar/%E3%83%84"),
    ("/foo/bar/%62%61%7A", "/foo/bar/baz"),
])
def test_rfc_percent_encoding_table(path: str, compared_as: str) -> None:
    assert normalise_path(path) == compared_as


def test_percent_encoding_on_both_sides() -> None:
    text = "User-agent: *\nDisallow: /foo/bar/\u30c4\nDisallow: /%7ejoe\nDisallow: /a%2fb\n"
    assert allowed(text, "a", "/foo/bar/%E3%83%84") is False
    assert allowed(text, "a", "/foo/bar/%e3%83%84") is False
    assert allowed(text, "a", "/~joe/x") is False
    assert allowed(text, "a", "/a%2Fb") is False
    assert allowed(text, "a", "/a/b") is True  # %2F is reserved: not the same as "/"


def test_literal_star_in_a_url_does_not_act_as_wildcard() -> None:
    text = "User-agent: *\nDisallow: /a%2Ab\n"
    assert allowed(text, "x", "/a*b") is False
    assert allowed(text, "x", "/axb") is True


@pytest.mark.parametrize("text", [
    "\ufeffUser-agent: *\nDisallow: /x\n",              # BOM
    "User-agent: *\rDisallow: /x\r",                     # CR-only line ends
    "User-agent: *\r\nDisallow: /x\r\n",                 # CRLF
    "User-agent *\nDisallow /x\n",                       # missing colons
    "USER-AGENT:*\nDISALLOW:/x",                         # case, no spaces, no final EOL
    "user-agent: * # everyone\ndisallow: /x # private\n",  # comments
    "User-agent: *\nDissallow: /x\n",                    # a common misspelling
    "garbage line\nUser-agent: *\n: nothing\nDisallow: /x\n::::\n",
])
def test_odd_syntax(text: str) -> None:
    assert allowed(text, "bot", "/x/1") is False
    assert allowed(text, "bot", "/y") is True


def test_long_lines() -> None:
    long_path = "/" + "a" * 200_000
    text = f"User-agent: *\nDisallow: {long_path}\n"
    assert allowed(text, "bot", long_path + "/more") is False
    assert allowed(text, "bot", long_path[:-1]) is True


def test_other_records() -> None:
    text = ("Sitemap: https://example.com/s1.xml\nUser-agent: a\nCrawl-delay: 2.5\n"
            "Request-rate: 3/10\nSitemap: https://example.com/s2.xml\nDisallow: /p\n"
            "User-agent: b\nCrawl-delay: pears\nRequest-rate: 1/x\n")
    robots = parse(text)
    assert robots.sitemaps == ["https://example.com/s1.xml", "https://example.com/s2.xml"]
    assert robots.crawl_delay("a") == 2.5
    assert robots.request_rate("a") == RequestRate(3, 10)
    assert robots.crawl_delay("b") is None and robots.request_rate("b") is None
    # a Sitemap line does not end a group (§2.2.4)
    assert robots.matcher("a").allowed("/p") is False


def test_product_token() -> None:
    assert product_token("Googlebot/2.1 (+http://www.google.com/bot.html)") == "googlebot"
    assert product_token("FigTree Robot libwww-perl/5.04") == "figtree"
    assert product_token("*") == "*"


def test_file_user_agent_values() -> None:
    text = "User-agent: Googlebot/2.1\nDisallow: /g\nUser-agent: Googlebot-News\nDisallow: /n\n"
    assert allowed(text, "googlebot", "/g") is False
    assert allowed(text, "googlebot", "/n") is True
    assert allowed(text, "Googlebot-News", "/n") is False
    assert allowed(text, "Googlebot-News", "/g") is True


@pytest.mark.parametrize("url,path", [
    ("http://example.com", "/"),
    ("http://example.com/a?b=c#frag", "/a?b=c"),
    ("https://user@example.com:8080/p;x", "/p;x"),
    ("/only/path?q", "/only/path?q"),
    ("", "/"),
    ("?q", "/?q"),
    ("//host/p", "/p"),  # a network-path reference, as urlparse reads it
])
def test_path_of(url: str, path: str) -> None:
    assert path_of(url) == path


# -- properties -----------------------------------------------------------------------

def _reference_allowed(rules: list[tuple[bool, str]], path: str) -> bool:
    """A slow, obviously correct matcher: one regex per rule, every rule tried."""
    if path == "/robots.txt":
        return True
    best: tuple[int, bool] | None = None
    for allow, raw in rules:
        pattern = normalise_pattern(raw)
        if not pattern:
            continue
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        regex = ".*".join(re.escape(part) for part in body.split("*"))
        if re.match(regex + ("$" if anchored else ""), path, re.DOTALL):
            candidate = (len(pattern), allow)
            if best is None or candidate > best:
                best = candidate
    return True if best is None else best[1]


_patterns = st.text(st.sampled_from(list("/ab*$%2Fé?=~")), max_size=8).map(lambda s: "/" + s)
_paths = st.text(st.sampled_from(list("/ab%2F7eé?=~*$")), max_size=12).map(lambda s: "/" + s)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _patterns), max_size=8), _paths)
def test_matcher_agrees_with_reference(rules: list[tuple[bool, str]], path: str) -> None:
    text = "User-agent: *\n" + "".join(
        f"{'Allow' if a else 'Disallow'}: {p}\n" for a, p in rules)
    robots = parse(text)
    matcher = Matcher(robots.groups[0].rules)
    normalised = normalise_path(path)
    assert matcher.allowed_normalised(normalised) == _reference_allowed(rules, normalised)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.text(max_size=40))
def test_parse_never_crashes(text: str, url: str) -> None:
    robots = parse(text)
    assert isinstance(robots.matcher("bot").allowed(url), bool)
