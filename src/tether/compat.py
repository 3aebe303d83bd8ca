"""The names programs import from ``requests.compat`` (Python 3 only)."""

from __future__ import annotations

import http.cookiejar as cookielib
import json
from collections import OrderedDict
from collections.abc import Callable, Mapping, MutableMapping
from http.cookies import Morsel
from io import StringIO
from json import JSONDecodeError
from urllib.parse import (
    quote,
    quote_plus,
    unquote,
    unquote_plus,
    urldefrag,
    urlencode,
    urljoin,
    urlparse,
    urlsplit,
    urlunparse,
)
from urllib.request import (  # type: ignore[attr-defined]
    getproxies,
    getproxies_environment,
    parse_http_list,
    proxy_bypass,
    proxy_bypass_environment,
)

import charset_normalizer as chardet

__all__ = [
    "Callable",
    "JSONDecodeError",
    "Mapping",
    "Morsel",
    "MutableMapping",
    "OrderedDict",
    "StringIO",
    "basestring",
    "builtin_str",
    "bytes",
    "chardet",
    "cookielib",
    "getproxies",
    "getproxies_environment",
    "has_simplejson",
    "integer_types",
    "is_py2",
    "is_py3",
    "is_urllib3_1",
    "json",
    "numeric_types",
    "parse_http_list",
    "proxy_bypass",
    "proxy_bypass_environment",
    "quote",
    "quote_plus",
    "str",
    "unquote",
    "unquote_plus",
    "urldefrag",
    "urlencode",
    "urljoin",
    "urlparse",
    "urlsplit",
    "urlunparse",
]

#: tether does not use urllib3; requests' tests branch on this.
is_urllib3_1 = False
is_py2 = False
is_py3 = True
has_simplejson = False
builtin_str = str
str = str
bytes = bytes
basestring = (str, bytes)
numeric_types = (int, float)
integer_types = (int,)
