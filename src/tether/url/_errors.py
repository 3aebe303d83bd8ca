"""Exceptions raised by :mod:`tether.url`.

Each one is a :class:`tether.errors.TetherError` *and* the class ``urllib.parse`` raises
in the same situation (``ValueError`` or ``TypeError``), so both ``except ValueError``
and ``except TetherError`` keep working. Where ``urllib.parse`` raises, the message text
is the stdlib's, word for word (programs match on it); tether's own refusals say what is
wrong and where.

The tree::

    TetherError
    ├── InvalidURL (ValueError)            the text is not a URL tether accepts
    │   ├── InvalidHost                    bad host: IPv6/IPv4 literal, forbidden code point,
    │   │                                  IDNA failure, brackets out of place
    │   ├── InvalidPort                    not digits, or outside 0-65535
    │   ├── UnsafeURL                      a refusal of a trick (NFKC netloc...)
    │   └── URLTooLong (LimitExceeded)     longer than MAX_URL_LENGTH
    └── MixedTypesError (TypeError)        str and bytes arguments mixed
"""

from __future__ import annotations

from tether.errors import LimitExceeded, TetherError

__all__ = [
    "InvalidHost",
    "InvalidPort",
    "InvalidURL",
    "MixedTypesError",
    "URLTooLong",
    "UnsafeURL",
]


class InvalidURL(TetherError, ValueError):
    """The text is not a URL tether accepts; the message says which part is wrong."""


class InvalidHost(InvalidURL):
    """The host is malformed (bad IP literal, forbidden code point, IDNA failure)."""


class InvalidPort(InvalidURL):
    """The port is not a decimal number in 0-65535."""


class UnsafeURL(InvalidURL):
    """tether refuses a URL that is a known trick (e.g. a netloc that NFKC-normalises
    into a different host)."""


class URLTooLong(LimitExceeded, InvalidURL):
    """The URL is longer than :data:`tether.url.MAX_URL_LENGTH`."""


class MixedTypesError(TetherError, TypeError):
    """``str`` and ``bytes`` arguments were mixed in one call."""
