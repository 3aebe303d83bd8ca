"""quote/unquote/urlencode/parse_qs(l) against urllib.parse, on hand-picked and random input."""

from __future__ import annotations

import urllib.parse
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tether.url as tu

TEXT = st.lists(
    st.sampled_from([*list("ab Z09%+&=;/?#~-_.!*'é€😀\x00\x7f"), "%2", "%41", "%e9"]),
    max_size=20,
).map("".join)
SAFE = st.sampled_from(["", "/", "/:", "~", "&=", "é", b"/", b"", b"%"])
ENCODING = st.sampled_from([None, "utf-8", "latin-1", "ascii", "utf-16"])
ERRORS = st.sampled_from([None, "strict", "replace", "ignore"])


def outcome(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        return ("ok", func(*args, **kwargs))
    except Exception as exc:
        return (
            "raises",
            type(exc).__mro__[1] if type(exc).__module__.startswith("tether") else type(exc),
        )


@settings(max_examples=400, deadline=None)
@given(TEXT, SAFE, ENCODING, ERRORS)
def test_quote_family(
    text: str, safe: str | bytes, encoding: str | None, errors: str | None
) -> None:
    for name in ("quote", "quote_plus"):
        mine = outcome(getattr(tu, name), text, safe, encoding, errors)
        theirs = outcome(getattr(urllib.parse, name), text, safe, encoding, errors)
        assert mine == theirs, (name, text, safe, encoding, errors)
    data = text.encode("utf-8", "surrogatepass")
    assert outcome(tu.quote, data, safe) == outcome(urllib.parse.quote, data, safe)
    assert outcome(tu.quote_from_bytes, data, safe) == outcome(
        urllib.parse.quote_from_bytes, data, safe
    )


@settings(max_examples=400, deadline=None)
@given(TEXT, st.sampled_from(["utf-8", "latin-1", "ascii", "utf-16-le", "shift_jis"]), ERRORS)
def test_unquote_family(text: str, encoding: str, errors: str | None) -> None:
    errors = errors or "replace"
    for name in ("unquote", "unquote_plus"):
        mine = outcome(getattr(tu, name), text, encoding, errors)
        theirs = outcome(getattr(urllib.parse, name), text, encoding, errors)
        assert mine == theirs, (name, text, encoding, errors)
    assert tu.unquote_to_bytes(text) == urllib.parse.unquote_to_bytes(text)
    data = text.encode("utf-8")
    assert tu.unquote_to_bytes(data) == urllib.parse.unquote_to_bytes(data)
    assert tu.unquote(data) == urllib.parse.unquote(data)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.booleans(), st.booleans(), st.sampled_from(["&", ";", b"&"]))
def test_parse_qs_family(text: str, blanks: bool, strict: bool, separator: str | bytes) -> None:
    for qs in (text, text.encode("utf-8")):
        for name in ("parse_qsl", "parse_qs"):
            args = (qs, blanks, strict)
            kwargs = {"separator": separator}
            mine = outcome(getattr(tu, name), *args, **kwargs)
            theirs = outcome(getattr(urllib.parse, name), *args, **kwargs)
            assert mine == theirs, (name, qs, blanks, strict, separator)


@pytest.mark.parametrize(
    "query",
    [
        {"a": "some value/another", "b": b"by tes", 3: 4.5},
        [("a", "1"), ("a", "2"), ("é", "€")],
        {"seq": [1, "two", b"three"], "s": "str", "t": ("x", "y")},
        {"empty": []},
        [],
    ],
)
@pytest.mark.parametrize("doseq", [False, True])
@pytest.mark.parametrize("quote_via", ["quote_plus", "quote"])
def test_urlencode(query: object, doseq: bool, quote_via: str) -> None:
    mine = tu.urlencode(query, doseq, safe="/", quote_via=getattr(tu, quote_via))  # type: ignore[arg-type]
    theirs = urllib.parse.urlencode(
        query, doseq, safe="/", quote_via=getattr(urllib.parse, quote_via)
    )  # type: ignore[arg-type]
    assert mine == theirs


def test_urlencode_refuses_strings() -> None:
    with pytest.raises(TypeError, match="not a valid non-string sequence or mapping object"):
        tu.urlencode("foo")


def test_only_ampersand_separates_by_default() -> None:
    assert tu.parse_qsl("a=1;b=2") == [("a", "1;b=2")]
    assert tu.parse_qs("a=1&a=2;b") == {"a": ["1", "2;b"]}


def test_max_num_fields() -> None:
    with pytest.raises(ValueError, match="Max number of fields exceeded"):
        tu.parse_qsl("a=1&" * 10, max_num_fields=5)


def test_quoter_alias_and_cache() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert tu.Quoter is tu._Quoter  # type: ignore[attr-defined]
    assert caught and issubclass(caught[0].category, DeprecationWarning)
    for i in range(300):  # more safe sets than the cache keeps
        assert tu.quote("a b/" + chr(33 + i % 90), safe=chr(33 + i % 90)) == urllib.parse.quote(
            "a b/" + chr(33 + i % 90), safe=chr(33 + i % 90)
        )
    tu.clear_cache()
    with pytest.raises(AttributeError):
        tu.no_such_name  # type: ignore[attr-defined]  # noqa: B018
