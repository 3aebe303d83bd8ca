"""Parsing of HTTP header values the requests API needs (requests.utils' results).

Lists and ``key=value`` dictionaries (RFC 9110 §5.6.1 lists, quoted strings), ``Link``
headers (RFC 8288), the charset of ``Content-Type``, and the encoding guess of a JSON
body (RFC 8259 §8.1 / RFC 4627 §3).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from typing import Any
from urllib.request import parse_http_list

from tether.structures import CaseInsensitiveDict

__all__ = [
    "carries_credentials",
    "case_insensitive_from_pairs",
    "case_insensitive_from_store",
    "case_insensitive_without_none",
    "get_encoding_from_headers",
    "get_encodings_from_content",
    "guess_json_utf",
    "header_pairs",
    "parse_content_type",
    "parse_dict_header",
    "parse_header_links",
    "parse_list_header",
    "unquote_header_value",
]


# -- CaseInsensitiveDict on the hot path ---------------------------------------------------
# Every request builds and walks a few header dicts. These two helpers use the store
# of tether.structures.CaseInsensitiveDict (lower-cased key -> (spelling, value)) directly
# instead of going through MutableMapping's generic, per-item methods.

def header_pairs(headers: Any) -> Iterable[tuple[Any, Any]]:
    """``headers.items()``; for a plain :class:`CaseInsensitiveDict`, its stored pairs."""
    if type(headers) is CaseInsensitiveDict:
        return headers._store.values()
    return headers.items()  # type: ignore[no-any-return]


def carries_credentials(store: dict[str, Any]) -> bool:
    """Whether a :class:`CaseInsensitiveDict` store holds ``Authorization``,
    ``Proxy-Authorization`` or ``Cookie``: header sets that process-wide caches of
    recent header sets must not keep (credentials live no longer than their request)."""
    return "authorization" in store or "cookie" in store or "proxy-authorization" in store


def case_insensitive_from_pairs(pairs: Iterable[tuple[str, Any]]) -> CaseInsensitiveDict[Any]:
    """``CaseInsensitiveDict(pairs)`` (str keys; the last spelling of a key wins)."""
    new: CaseInsensitiveDict[Any] = CaseInsensitiveDict.__new__(CaseInsensitiveDict)
    new._store = {name.lower(): (name, value) for name, value in pairs}
    return new


def case_insensitive_from_store(store: dict[str, tuple[str, Any]]
                                ) -> CaseInsensitiveDict[Any]:
    """A :class:`CaseInsensitiveDict` that takes ``store`` (lower-cased name ->
    (spelling, value)) as its own."""
    new: CaseInsensitiveDict[Any] = CaseInsensitiveDict.__new__(CaseInsensitiveDict)
    new._store = store
    return new


def case_insensitive_without_none(headers: Any) -> CaseInsensitiveDict[Any]:
    """A new :class:`CaseInsensitiveDict` of ``headers``' items whose value is not None."""
    if type(headers) is CaseInsensitiveDict:
        new: CaseInsensitiveDict[Any] = CaseInsensitiveDict.__new__(CaseInsensitiveDict)
        new._store = {key: pair for key, pair in headers._store.items()
                      if pair[1] is not None}
        return new
    return case_insensitive_from_pairs([(k, v) for k, v in headers.items() if v is not None])


def unquote_header_value(value: str, is_filename: bool = False) -> str:
    """Remove the quotes of a quoted-string and its backslash escapes (browsers'
    behaviour; UNC file names keep their double backslash)."""
    if value and value[0] == value[-1] == '"':
        value = value[1:-1]
        if not is_filename or value[:2] != "\\\\":
            return value.replace("\\\\", "\\").replace('\\"', '"')
    return value


def parse_list_header(value: str) -> list[str]:
    """``a, "b, c", d`` → ``['a', 'b, c', 'd']``."""
    result = []
    for item in parse_http_list(value):
        if item[:1] == item[-1:] == '"':
            item = unquote_header_value(item[1:-1])
        result.append(item)
    return result


def parse_dict_header(value: str) -> dict[str, str | None]:
    """``a=1, b="x, y", c`` → ``{'a': '1', 'b': 'x, y', 'c': None}``."""
    result: dict[str, str | None] = {}
    for item in parse_http_list(value):
        if "=" not in item:
            result[item] = None
            continue
        name, val = item.split("=", 1)
        if val[:1] == val[-1:] == '"':
            val = unquote_header_value(val[1:-1])
        result[name] = val
    return result


def parse_header_links(value: str) -> list[dict[str, str]]:
    """``<http://a>; rel="next", <http://b>; rel=last`` → list of dicts with ``url``."""
    links: list[dict[str, str]] = []
    strip = " '\""
    value = value.strip(strip)
    if not value:
        return links
    for item in re.split(", *<", value):
        try:
            url, params = item.split(";", 1)
        except ValueError:
            url, params = item, ""
        link = {"url": url.strip("<> '\"")}
        for param in params.split(";"):
            try:
                key, val = param.split("=")
            except ValueError:
                break
            link[key.strip(strip)] = val.strip(strip)
        links.append(link)
    return links


def parse_content_type(header: str) -> tuple[str, dict[str, Any]]:
    """``text/html; charset="utf-8"`` → ``('text/html', {'charset': 'utf-8'})``."""
    tokens = header.split(";")
    content_type, params = tokens[0].strip(), tokens[1:]
    params_dict: dict[str, Any] = {}
    strip_chars = "\"' "
    for param in params:
        param = param.strip()
        index = param.find("=")
        if param and index != -1:
            key = param[:index].strip(strip_chars)
            params_dict[key.lower()] = param[index + 1 :].strip(strip_chars)
    return content_type, params_dict


def get_encoding_from_headers(headers: Any) -> str | None:
    """The charset of ``Content-Type``; ``ISO-8859-1`` for ``text/*`` without one (RFC
    2616, as requests keeps), ``utf-8`` for JSON; else ``None``."""
    store = getattr(headers, "_store", None)  # a CaseInsensitiveDict: skip its .get()
    if type(store) is dict:
        field = store.get("content-type")
        content_type = field[1] if field is not None else None
    else:
        content_type = headers.get("content-type")
    if not content_type:
        return None
    if type(content_type) is str:
        if content_type in _ENCODINGS:
            return _ENCODINGS[content_type]
        encoding = _encoding_of(content_type)
        if len(_ENCODINGS) >= 64:
            _ENCODINGS.clear()
        _ENCODINGS[content_type] = encoding
        return encoding
    return _encoding_of(content_type)


#: Results of recent Content-Type values (servers send the same few again and again).
_ENCODINGS: dict[str, str | None] = {}


def _encoding_of(content_type: str) -> str | None:
    content_type, params = parse_content_type(content_type)
    if "charset" in params:
        return str(params["charset"]).strip("'\"")
    if "text" in content_type:
        return "ISO-8859-1"
    if "application/json" in content_type:
        return "utf-8"
    return None


_CHARSET_META = re.compile(r'<meta.*?charset=["\']*(.+?)["\'>]', flags=re.I)
_PRAGMA_META = re.compile(r'<meta.*?content=["\']*;?charset=(.+?)["\'>]', flags=re.I)
_XML_DECL = re.compile(r'^<\?xml.*?encoding=["\']*(.+?)["\'>]')


def get_encodings_from_content(content: str) -> list[str]:
    """Encodings declared inside an HTML/XML document."""
    return (_CHARSET_META.findall(content) + _PRAGMA_META.findall(content)
            + _XML_DECL.findall(content))


_NULL = b"\x00"
_NULL2 = _NULL * 2
_NULL3 = _NULL * 3


def guess_json_utf(data: bytes) -> str | None:
    """The UTF flavour of a JSON text from its first four bytes (BOM or NUL pattern)."""
    sample = data[:4]
    if sample in (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE):
        return "utf-32"
    if sample[:3] == codecs.BOM_UTF8:
        return "utf-8-sig"
    if sample[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    nullcount = sample.count(_NULL)
    if nullcount == 0:
        return "utf-8"
    if nullcount == 2:
        if sample[::2] == _NULL2:
            return "utf-16-be"
        if sample[1::2] == _NULL2:
            return "utf-16-le"
    if nullcount == 3:
        if sample[:3] == _NULL3:
            return "utf-32-be"
        if sample[1:] == _NULL3:
            return "utf-32-le"
    return None
