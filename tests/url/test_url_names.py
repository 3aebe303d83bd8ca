"""tether.url exports every public name of urllib.parse, with the same signatures."""

from __future__ import annotations

import inspect
import urllib.parse

import pytest

import tether.url as tu

DOCUMENTED_EXTRAS = [
    "unwrap", "uses_relative", "uses_netloc", "uses_params", "uses_query", "uses_fragment",
    "non_hierarchical", "scheme_chars", "ResultBase", "clear_cache", "to_bytes",
    "splittype", "splithost", "splituser", "splitpasswd", "splitport", "splitnport",
    "splitquery", "splittag", "splitattr", "splitvalue",
]  # fmt: skip


def shape(func: object) -> list[tuple[str, object, object]]:
    """Parameter names, kinds and defaults (annotations aside)."""
    params = inspect.signature(func).parameters.values()  # type: ignore[arg-type]
    return [
        (p.name, p.kind, getattr(p.default, "__name__", p.default)) for p in params
    ]  # a default function (urlencode's quote_via) compares by name


def public_names() -> list[str]:
    return sorted(
        {n for n in dir(urllib.parse) if not n.startswith("_")}
        - {"functools", "ipaddress", "namedtuple", "re", "sys", "types", "warnings"}
    )


@pytest.mark.parametrize("name", public_names())
def test_every_public_name_exists(name: str) -> None:
    assert hasattr(tu, name), name
    theirs = getattr(urllib.parse, name)
    mine = getattr(tu, name)
    if isinstance(theirs, (list, str)):
        assert mine == theirs
    elif inspect.isfunction(theirs) or inspect.isfunction(getattr(theirs, "__wrapped__", None)):
        assert shape(mine) == shape(theirs), name


def test_all_and_extras() -> None:
    assert set(urllib.parse.__all__) <= set(tu.__all__)
    for name in DOCUMENTED_EXTRAS:
        assert hasattr(tu, name)
    for cls in ("SplitResult", "ParseResult", "DefragResult"):
        mine, theirs = getattr(tu, cls), getattr(urllib.parse, cls)
        assert mine._fields == theirs._fields
        for twin in (mine, getattr(tu, cls + "Bytes")):
            assert hasattr(twin, "geturl") and hasattr(twin, "_replace")
        assert hasattr(mine, "encode") and hasattr(getattr(tu, cls + "Bytes"), "decode")
