"""URLs: a drop-in ``urllib.parse`` that is safe by default, plus an immutable URL type.

``import tether.url as urllib_parse`` gives every public name of :mod:`urllib.parse`
(``urlsplit``, ``urlparse``, ``urlunsplit``, ``urlunparse``, ``urljoin``, ``urldefrag``,
``quote``, ``quote_plus``, ``quote_from_bytes``, ``unquote``, ``unquote_plus``,
``unquote_to_bytes``, ``urlencode``, ``parse_qs``, ``parse_qsl``, the result classes and
their ``*Bytes`` twins, the ``uses_*`` lists, ``unwrap`` and the deprecated ``split*``
helpers) with the same signatures, defaults and results on ordinary input, and the
stdlib's exception types and message texts where it raises.

:class:`URL` is an immutable, hashable URL value parsed by the WHATWG URL Standard for
the special schemes (``http``, ``https``, ``ws``, ``wss``, ``ftp``, ``file``) and by
RFC 3986 for the others; see its docstring.

Differences from urllib.parse (CPython 3.11), each a safe default
--------------------------------------------------------------------
Where CPython has since fixed an unsafe behaviour, tether follows the newest fix or is
stricter. Every refusal raises a ``ValueError`` that is also a
:class:`~tether.errors.TetherError` (the classes below).

1. **Brackets only around an IP literal.** ``[`` and ``]`` may appear in a netloc only
   as the whole host, around a valid IPv6 address or IPvFuture, optionally followed by
   ``:port``; anywhere else (``http://a[::1]/``, ``http://[::1]x/``, in the userinfo)
   they raise :class:`InvalidHost` ("Invalid IPv6 URL..."), as CPython 3.13.2+ does
   (CVE-2025-0938). An IPv6 zone ID may hold only RFC 6874 characters (unreserved and
   %-escapes), so ``[fe80::1%eth0]`` parses and ``[fe80::1%eth<0>]`` does not.
2. **urlunsplit never turns a path into a host.** A path that starts with ``//`` under
   an empty netloc keeps an empty authority (``urlunsplit(('http', '', '//evil', '',
   ''))`` is ``'http:////evil'``, not ``'http://evil'``), and ``urlunsplit(('http', '',
   'p', '', ''))`` is ``'http:p'`` (CPython 3.12.4+/3.13 rules). So
   ``urlunsplit(urlsplit(x))`` and ``urljoin`` keep the host they were given.
3. **A length limit.** ``urlsplit``/``urlparse``/``urljoin``/``urldefrag`` and ``URL``
   refuse input longer than :data:`MAX_URL_LENGTH` (65,536 characters) with
   :class:`URLTooLong` (also a :class:`~tether.errors.LimitExceeded`).
4. **Errors are tether's.** ``ValueError``/``TypeError`` raised on purpose are tether
   subclasses (``InvalidPort``, ``InvalidHost``, ``UnsafeURL``, ``MixedTypesError``)
   with urllib.parse's texts; catching the builtin class still works.
5. **Objects live in tether.url.** ``SplitResult.__module__`` and friends name
   tether's modules, not ``urllib.parse``; ``__all__`` also lists tether's additions
   (``URL``, ``QueryParams``, ``MAX_URL_LENGTH`` and the exception classes).

Behaviours that CPython 3.11 already has and tether keeps (and tests): leading C0
controls and spaces stripped and tab/CR/LF removed anywhere before splitting; a
non-ASCII netloc whose NFKC normalisation introduces ``/ ? # @ :`` raises
(:class:`UnsafeURL`); ``.port`` raises :class:`InvalidPort` outside 0-65535 or for
non-digits; ``parse_qs(l)`` separate pairs only on ``&`` by default.

CPython's own ``test_urlparse`` runs against this module (tests/url/test_url_cpython.py);
the tests it fails, all on purpose:

- ``UrlParseTestCase.test_all``: names' ``__module__`` is tether's and ``__all__`` has
  tether's additions (point 5).

All other 71 of its 72 tests pass.
"""

from typing import TYPE_CHECKING

from ._errors import InvalidHost as InvalidHost
from ._errors import InvalidPort as InvalidPort
from ._errors import InvalidURL as InvalidURL
from ._errors import MixedTypesError as MixedTypesError
from ._errors import UnsafeURL as UnsafeURL
from ._errors import URLTooLong as URLTooLong
from ._legacy import _splitattr as _splitattr
from ._legacy import _splithost as _splithost
from ._legacy import _splitnport as _splitnport
from ._legacy import _splitpasswd as _splitpasswd
from ._legacy import _splitport as _splitport
from ._legacy import _splitquery as _splitquery
from ._legacy import _splittag as _splittag
from ._legacy import _splittype as _splittype
from ._legacy import _splituser as _splituser
from ._legacy import _splitvalue as _splitvalue
from ._legacy import _to_bytes as _to_bytes
from ._legacy import clear_cache as clear_cache
from ._legacy import splitattr as splitattr
from ._legacy import splithost as splithost
from ._legacy import splitnport as splitnport
from ._legacy import splitpasswd as splitpasswd
from ._legacy import splitport as splitport
from ._legacy import splitquery as splitquery
from ._legacy import splittag as splittag
from ._legacy import splittype as splittype
from ._legacy import splituser as splituser
from ._legacy import splitvalue as splitvalue
from ._legacy import to_bytes as to_bytes
from ._legacy import unwrap as unwrap
from ._params import QueryParams as QueryParams
from ._quote import _ALWAYS_SAFE as _ALWAYS_SAFE
from ._quote import _ALWAYS_SAFE_BYTES as _ALWAYS_SAFE_BYTES
from ._quote import _Quoter as _Quoter
from ._quote import parse_qs as parse_qs
from ._quote import parse_qsl as parse_qsl
from ._quote import quote as quote
from ._quote import quote_from_bytes as quote_from_bytes
from ._quote import quote_plus as quote_plus
from ._quote import unquote as unquote
from ._quote import unquote_plus as unquote_plus
from ._quote import unquote_to_bytes as unquote_to_bytes
from ._quote import urlencode as urlencode
from ._results import DefragResult as DefragResult
from ._results import DefragResultBytes as DefragResultBytes
from ._results import ParseResult as ParseResult
from ._results import ParseResultBytes as ParseResultBytes
from ._results import ResultBase as ResultBase
from ._results import SplitResult as SplitResult
from ._results import SplitResultBytes as SplitResultBytes
from ._split import _WHATWG_C0_CONTROL_OR_SPACE as _WHATWG_C0_CONTROL_OR_SPACE
from ._split import MAX_URL_LENGTH as MAX_URL_LENGTH
from ._split import non_hierarchical as non_hierarchical
from ._split import scheme_chars as scheme_chars
from ._split import urldefrag as urldefrag
from ._split import urljoin as urljoin
from ._split import urlparse as urlparse
from ._split import urlsplit as urlsplit
from ._split import urlunparse as urlunparse
from ._split import urlunsplit as urlunsplit
from ._split import uses_fragment as uses_fragment
from ._split import uses_netloc as uses_netloc
from ._split import uses_params as uses_params
from ._split import uses_query as uses_query
from ._split import uses_relative as uses_relative
from ._url import URL as URL

if not TYPE_CHECKING:
    # Runtime only: a typed module __getattr__ would let mypy accept any attribute.
    from ._quote import _module_getattr as __getattr__  # noqa: F401

# urllib.parse's __all__, in its order, then tether's additions.
__all__ = [
    "DefragResult",
    "DefragResultBytes",
    "ParseResult",
    "ParseResultBytes",
    "SplitResult",
    "SplitResultBytes",
    "parse_qs",
    "parse_qsl",
    "quote",
    "quote_from_bytes",
    "quote_plus",
    "unquote",
    "unquote_plus",
    "unquote_to_bytes",
    "urldefrag",
    "urlencode",
    "urljoin",
    "urlparse",
    "urlsplit",
    "urlunparse",
    "urlunsplit",
]  # fmt: skip
