"""The query of a URL as an immutable multi-dict (:class:`QueryParams`).

Parsed and serialised as ``application/x-www-form-urlencoded`` (the URL Standard's
``URLSearchParams``): pairs split on ``&``, ``+`` is a space, percent-escapes decoded as
UTF-8. Changing methods return a new :class:`~tether.url.URL`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from ._quote import quote as _quote
from ._quote import unquote as _unquote

if TYPE_CHECKING:
    from ._url import URL

__all__ = ["QueryParams"]


def _form_decode(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    return _unquote(text) if "%" in text else text


def _form_encode(text: str) -> str:
    if not text:
        return ""
    return _quote(text, safe="*").replace("%20", "+").replace("~", "%7E")


class QueryParams(Mapping[str, str]):
    """The query of a URL as an immutable multi-dict, parsed as HTML forms do.

    ``params[name]`` is the first value, ``getall(name)`` all of them. ``add``, ``set``
    and ``remove`` return a new :class:`URL` (the query re-serialised as
    application/x-www-form-urlencoded, spaces as ``+``), as ``URLSearchParams`` does.
    """

    __slots__ = ("_items", "_url")

    def __init__(self, url: URL) -> None:
        self._url = url
        query = url._query or ""
        items: list[tuple[str, str]] = []
        for part in query.split("&"):
            if part:
                name, _, value = part.partition("=")
                items.append((_form_decode(name), _form_decode(value)))
        self._items = tuple(items)

    def __getitem__(self, name: str) -> str:
        for key, value in self._items:
            if key == name:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, None] = {}
        for key, _ in self._items:
            seen.setdefault(key)
        return iter(seen)

    def __len__(self) -> int:
        return len({key for key, _ in self._items})

    def __repr__(self) -> str:
        return f"QueryParams({list(self._items)!r})"

    def getall(self, name: str) -> list[str]:
        """Every value of ``name``, in order (``[]`` if absent)."""
        return [value for key, value in self._items if key == name]

    def multi_items(self) -> list[tuple[str, str]]:
        """All ``(name, value)`` pairs, in order."""
        return list(self._items)

    def _with(self, items: Iterable[tuple[str, str]]) -> URL:
        query = "&".join(_form_encode(k) + "=" + _form_encode(v) for k, v in items)
        return self._url._with_query(query if query else None)

    def add(self, name: str, value: str) -> URL:
        """A new URL with ``name=value`` appended."""
        return self._with((*self._items, (name, str(value))))

    def set(self, name: str, value: str) -> URL:
        """A new URL where ``name`` has the single value ``value`` (at its first place)."""
        items: list[tuple[str, str]] = []
        done = False
        for key, old in self._items:
            if key == name:
                if not done:
                    items.append((name, str(value)))
                    done = True
            else:
                items.append((key, old))
        if not done:
            items.append((name, str(value)))
        return self._with(items)

    def remove(self, name: str) -> URL:
        """A new URL without any ``name`` parameter."""
        return self._with([(k, v) for k, v in self._items if k != name])
