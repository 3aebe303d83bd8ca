"""Percent-encoding and query strings: quote/unquote, urlencode, parse_qs(l).

Same results as urllib.parse; the speed comes from doing the per-character work in C:

- ``quote``: a regex per ``safe`` set answers "is anything unsafe?" in one scan (most
  strings are returned as they are); otherwise the bytes go through ``str.translate``
  with a 256-entry table (ASCII input) or ``map`` over the same table.
- ``unquote``: ASCII input is split on ``%`` and each escape looked up in a table of
  the 22x22 escapes as a Latin-1 ``str``, so one ``encode``/``decode`` finishes the
  job (urllib goes through bytes per ASCII run). Non-ASCII input is decoded run by
  run, exactly as urllib does, so the result never depends on the path taken.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from ._results import _coerce_args

__all__ = [
    "parse_qs",
    "parse_qsl",
    "quote",
    "quote_from_bytes",
    "quote_plus",
    "unquote",
    "unquote_plus",
    "unquote_to_bytes",
    "urlencode",
]

_ALWAYS_SAFE: Final = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
)
_ALWAYS_SAFE_BYTES: Final = bytes(_ALWAYS_SAFE)
_ALWAYS_SAFE_STR: Final = _ALWAYS_SAFE_BYTES.decode()

# How many distinct ``safe`` arguments keep a cached table; programs use a handful.
_QUOTER_CACHE_SIZE: Final = 128

_HEXDIG: Final = "0123456789ABCDEFabcdef"
_HEX_TO_BYTE: Final = {(a + b).encode(): bytes.fromhex(a + b) for a in _HEXDIG for b in _HEXDIG}
_HEX_TO_CHR: Final = {a + b: chr(int(a + b, 16)) for a in _HEXDIG for b in _HEXDIG}
_ASCII_RE: Final = re.compile("([\x00-\x7f]+)")
_UTF8_NAMES: Final = frozenset({"utf-8", "utf8", "UTF-8", "UTF8", "utf_8"})
# Encodings that decode ASCII bytes to the same characters.
_ASCII_COMPATIBLE: Final = _UTF8_NAMES | {"ascii", "latin-1", "latin1", "iso-8859-1"}


class _Quoter(dict[int, str]):
    """Byte value -> its quoted form (kept for code that used ``urllib.parse.Quoter``)."""

    def __init__(self, safe: Iterable[int]) -> None:
        """safe: bytes object."""
        self.safe = _ALWAYS_SAFE.union(safe)

    def __repr__(self) -> str:
        return f"<Quoter {dict(self)!r}>"

    def __missing__(self, b: int) -> str:
        res = chr(b) if b in self.safe else f"%{b:02X}"
        self[b] = res
        return res


def _module_getattr(name: str) -> Any:
    """``tether.url.Quoter``: deprecated alias, as in urllib.parse (module __getattr__)."""
    if name == "Quoter":
        warnings.warn(
            "Deprecated in 3.11. urllib.parse.Quoter will be removed in Python 3.14. "
            "It was not intended to be a public API.",
            DeprecationWarning,
            stacklevel=2,
        )
        return _Quoter
    raise AttributeError(f"module 'tether.url' has no attribute {name!r}")


class _Table:
    """The quoting table and unsafe-character regex for one ``safe`` set."""

    __slots__ = ("chars", "unsafe")

    def __init__(self, safe: bytes) -> None:
        allowed = _ALWAYS_SAFE.union(safe)
        self.chars: list[str] = [chr(b) if b in allowed else f"%{b:02X}" for b in range(256)]
        ascii_safe = "".join(sorted(chr(b) for b in allowed))
        self.unsafe = re.compile(f"[^{re.escape(ascii_safe)}]")


# Two caches, so that a str and a bytes ``safe`` are never compared (BytesWarning).
_str_tables: dict[str, _Table] = {}
_bytes_tables: dict[object, _Table] = {}


def _table(safe: str | bytes) -> _Table:
    if isinstance(safe, str):
        table = _str_tables.get(safe)
        if table is None:
            if len(_str_tables) >= _QUOTER_CACHE_SIZE:
                _str_tables.clear()
            table = _str_tables[safe] = _Table(safe.encode("ascii", "ignore"))
        return table
    key = bytes(safe)
    table = _bytes_tables.get(key)
    if table is None:
        norm = bytes([c for c in safe if c < 128])
        if len(_bytes_tables) >= _QUOTER_CACHE_SIZE:
            _bytes_tables.clear()
        table = _bytes_tables[key] = _Table(norm)
    return table


def _clear_cache() -> None:
    _str_tables.clear()
    _bytes_tables.clear()


def quote_from_bytes(bs: bytes | bytearray, safe: str | bytes = "/") -> str:
    """Like :func:`quote`, but takes bytes and does no encoding: ``b'a b'`` -> ``'a%20b'``."""
    if not isinstance(bs, (bytes, bytearray)):
        raise TypeError("quote_from_bytes() expected bytes")
    if not bs:
        return ""
    table = _table(safe)
    if bs.isascii():
        text = bs.decode("ascii")
        if table.unsafe.search(text) is None:
            return text
        return text.translate(table.chars)
    return "".join(map(table.chars.__getitem__, bs))


def quote(
    string: str | bytes | bytearray,
    safe: str | bytes = "/",
    encoding: str | None = None,
    errors: str | None = None,
) -> str:
    """``quote('abc def')`` -> ``'abc%20def'``: percent-encode all but RFC 3986's
    unreserved characters and ``safe`` (default ``'/'``), as :func:`urllib.parse.quote`.

    ``encoding`` (default UTF-8) and ``errors`` (default ``'strict'``) apply to ``str``
    input and must not be given with bytes (``TypeError``).
    """
    if isinstance(string, str):
        if not string:
            return string
        if encoding is None or encoding in _UTF8_NAMES:
            table = _table(safe)
            if string.isascii():
                if table.unsafe.search(string) is None:
                    return string
                return string.translate(table.chars)
            data = string.encode("utf-8", "strict" if errors is None else errors)
        else:
            data = string.encode(encoding, "strict" if errors is None else errors)
            table = _table(safe)
        if data.isascii():
            text = data.decode("ascii")
            if table.unsafe.search(text) is None:
                return text
            return text.translate(table.chars)
        return "".join(map(table.chars.__getitem__, data))
    if encoding is not None:
        raise TypeError("quote() doesn't support 'encoding' for bytes")
    if errors is not None:
        raise TypeError("quote() doesn't support 'errors' for bytes")
    return quote_from_bytes(string, safe)


def quote_plus(
    string: str | bytes | bytearray,
    safe: str | bytes = "",
    encoding: str | None = None,
    errors: str | None = None,
) -> str:
    """Like :func:`quote`, but spaces become ``+`` (HTML forms) and ``safe`` defaults to ``''``."""
    if isinstance(string, str):
        if " " not in string:
            return quote(string, safe, encoding, errors)
    elif isinstance(string, bytes) and b" " not in string:
        return quote(string, safe, encoding, errors)
    space: Any = " " if isinstance(safe, str) else b" "
    return quote(string, safe + space, encoding, errors).replace(" ", "+")


def unquote_to_bytes(string: str | bytes | bytearray) -> bytes:
    """``unquote_to_bytes('abc%20def')`` -> ``b'abc def'``."""
    if not string:
        string.split  # noqa: B018  (raises AttributeError for non-strings, as urllib)
        return b""
    if isinstance(string, str):
        string = string.encode("utf-8")
    elif not isinstance(string, bytes):
        string = bytes(string)  # urllib.parse fails on a bytearray holding "%"
    bits = string.split(b"%")
    if len(bits) == 1:
        return string
    res = [bits[0]]
    append = res.append
    lookup = _HEX_TO_BYTE.get
    for item in bits[1:]:
        byte = lookup(item[:2])
        if byte is None:
            append(b"%")
            append(item)
        else:
            append(byte)
            append(item[2:])
    return b"".join(res)


def _unquote_ascii(string: str, encoding: str, errors: str) -> str:
    """Decode an ASCII string with escapes; equals ``unquote_to_bytes(s).decode(...)``."""
    bits = string.split("%")
    res = [bits[0]]
    append = res.append
    lookup = _HEX_TO_CHR.get
    for item in bits[1:]:
        char = lookup(item[:2])
        if char is None:
            append("%")
            append(item)
        else:
            append(char)
            append(item[2:])
    text = "".join(res)
    if text.isascii() and encoding in _ASCII_COMPATIBLE:
        return text
    return text.encode("latin-1").decode(encoding, errors)


def unquote(string: str | bytes, encoding: str = "utf-8", errors: str = "replace") -> str:
    """Replace ``%xx`` escapes: ``unquote('abc%20def')`` -> ``'abc def'``.

    Escaped bytes are decoded with ``encoding`` (UTF-8) and ``errors`` (``'replace'``),
    as :func:`urllib.parse.unquote`.
    """
    if isinstance(string, bytes):
        return unquote_to_bytes(string).decode(encoding, errors)
    if "%" not in string:
        string.split  # noqa: B018
        return string
    if encoding is None:
        encoding = "utf-8"
    if errors is None:
        errors = "replace"
    if string.isascii():
        return _unquote_ascii(string, encoding, errors)
    bits = _ASCII_RE.split(string)
    res = [bits[0]]
    append = res.append
    for i in range(1, len(bits), 2):
        append(unquote_to_bytes(bits[i]).decode(encoding, errors))
        append(bits[i + 1])
    return "".join(res)


def unquote_plus(string: str, encoding: str = "utf-8", errors: str = "replace") -> str:
    """Like :func:`unquote`, but ``+`` becomes a space (HTML forms)."""
    string = string.replace("+", " ")
    return unquote(string, encoding, errors)


def parse_qs(
    qs: Any,
    keep_blank_values: bool = False,
    strict_parsing: bool = False,
    encoding: str = "utf-8",
    errors: str = "replace",
    max_num_fields: int | None = None,
    separator: str = "&",
) -> dict[Any, list[Any]]:
    """Parse a query string into ``{name: [values]}``, as :func:`urllib.parse.parse_qs`.

    Only ``separator`` (default ``&``) separates pairs; ``max_num_fields`` bounds the
    number of pairs (``ValueError`` past it).
    """
    result: dict[Any, list[Any]] = {}
    pairs = parse_qsl(
        qs,
        keep_blank_values,
        strict_parsing,
        encoding=encoding,
        errors=errors,
        max_num_fields=max_num_fields,
        separator=separator,
    )
    for name, value in pairs:
        if name in result:
            result[name].append(value)
        else:
            result[name] = [value]
    return result


def parse_qsl(
    qs: Any,
    keep_blank_values: bool = False,
    strict_parsing: bool = False,
    encoding: str = "utf-8",
    errors: str = "replace",
    max_num_fields: int | None = None,
    separator: str = "&",
) -> list[tuple[Any, Any]]:
    """Parse a query string into ``[(name, value), ...]``, as :func:`urllib.parse.parse_qsl`."""
    if qs.__class__ is str and separator.__class__ is str:
        coerce: Callable[[Any], Any] | None = None
    else:
        qs, coerce = _coerce_args(qs)
        separator, _ = _coerce_args(separator)
    if not separator or not isinstance(separator, (str, bytes)):
        raise ValueError("Separator must be of type string or bytes.")
    if max_num_fields is not None:
        num_fields = 1 + qs.count(separator) if qs else 0
        if max_num_fields < num_fields:
            raise ValueError("Max number of fields exceeded")
    if not qs:
        return []
    result: list[tuple[Any, Any]] = []
    append = result.append
    for name_value in qs.split(separator):
        if not name_value and not strict_parsing:
            continue
        name, has_eq, value = name_value.partition("=")
        if not has_eq:
            if strict_parsing:
                raise ValueError(f"bad query field: {name_value!r}")
            if not keep_blank_values:
                continue
        elif not value and not keep_blank_values:
            continue
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = unquote(name, encoding, errors)
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value, encoding, errors)
        if coerce is not None:
            name = coerce(name)
            value = coerce(value)
        append((name, value))
    return result


def urlencode(
    query: Mapping[Any, Any] | Iterable[tuple[Any, Any]],
    doseq: bool = False,
    safe: str | bytes = "",
    encoding: str | None = None,
    errors: str | None = None,
    quote_via: Callable[..., str] = quote_plus,
) -> str:
    """Encode a mapping or a sequence of pairs as ``a=1&b=2``, as :func:`urllib.parse.urlencode`."""
    items: Any
    if hasattr(query, "items"):
        items = query.items()
    else:
        try:
            # Non-sequences fail len(); strings fail the tuple test.
            if len(query) and not isinstance(query[0], tuple):  # type: ignore[arg-type,index]
                raise TypeError
        except TypeError as err:
            raise TypeError("not a valid non-string sequence or mapping object") from err
        items = query

    parts: list[str] = []
    append = parts.append
    for k, v in items:
        if isinstance(k, bytes):
            k = quote_via(k, safe)
        else:
            k = quote_via(k if k.__class__ is str else str(k), safe, encoding, errors)
        if isinstance(v, bytes):
            append(k + "=" + quote_via(v, safe))
        elif v.__class__ is str or (doseq and isinstance(v, str)):
            append(k + "=" + quote_via(v, safe, encoding, errors))
        elif not doseq:
            append(k + "=" + quote_via(str(v), safe, encoding, errors))
        else:
            try:
                len(v)
            except TypeError:
                append(k + "=" + quote_via(str(v), safe, encoding, errors))
            else:
                for elt in v:
                    if isinstance(elt, bytes):
                        append(k + "=" + quote_via(elt, safe))
                    else:
                        append(k + "=" + quote_via(str(elt), safe, encoding, errors))
    return "&".join(parts)
