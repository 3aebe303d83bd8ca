"""Data structures of the requests API: :class:`CaseInsensitiveDict`, :class:`LookupDict`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, Generic, TypeVar

__all__ = ["CaseInsensitiveDict", "LookupDict"]

V = TypeVar("V")


class CaseInsensitiveDict(MutableMapping[str, V], Generic[V]):
    """A mapping whose keys compare without regard to case, remembering the last
    spelling set.

    ``cid["Accept"] = "x"; cid["aCCEPT"] == "x"``; iteration, ``keys()`` and ``items()``
    give the original spellings; ``lower_items()`` gives lower-cased keys. Equality with
    any mapping ignores key case.
    """

    __slots__ = ("_store",)

    def __init__(self, data: Mapping[str, V] | Iterable[tuple[str, V]] | None = None,
                 **kwargs: V) -> None:
        # A plain dict (ordered, and several times cheaper to copy than OrderedDict).
        self._store: dict[str, tuple[str, V]] = {}
        if data is None:
            data = {}
        self.update(data, **kwargs)

    def __setitem__(self, key: str, value: V) -> None:
        self._store[key.lower()] = (key, value)

    def __getitem__(self, key: str) -> V:
        return self._store[key.lower()][1]

    def __delitem__(self, key: str) -> None:
        del self._store[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._store

    def lower_items(self) -> Iterator[tuple[str, V]]:
        """(lower-cased key, value) pairs."""
        return ((lower, pair[1]) for lower, pair in self._store.items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            other_cid: CaseInsensitiveDict[Any] = CaseInsensitiveDict(other)
        else:
            return NotImplemented
        return dict(self.lower_items()) == dict(other_cid.lower_items())

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> CaseInsensitiveDict[V]:
        new: CaseInsensitiveDict[V] = CaseInsensitiveDict.__new__(CaseInsensitiveDict)
        new._store = self._store.copy()
        return new

    def __repr__(self) -> str:
        return str(dict(self.items()))


class LookupDict(dict[str, Any]):
    """A dictionary whose attributes are its entries; a missing one is ``None``."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name
        super().__init__()

    def __repr__(self) -> str:
        return f"<lookup '{self.name}'>"

    def __getitem__(self, key: str) -> Any:
        # Entries live in the instance __dict__ (attribute access), as requests does.
        return self.__dict__.get(key, None)

    def get(self, key: str, default: Any = None) -> Any:
        return self.__dict__.get(key, default)

    def __getattr__(self, name: str) -> Any:
        # Only called for names that are not set: requests raises AttributeError too.
        raise AttributeError(name)
