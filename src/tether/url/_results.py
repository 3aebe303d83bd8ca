"""urllib.parse's result classes and the str/bytes coercion shared by its functions.

``SplitResult``, ``ParseResult``, ``DefragResult`` and their ``*Bytes`` twins are
named tuples with urllib.parse's fields, ``geturl()``, ``encode()``/``decode()`` and the
netloc accessors (``username``, ``password``, ``hostname``, ``port``); ``.port`` raises
:class:`InvalidPort` with urllib.parse's messages. ``_coerce_args`` decodes bytes
arguments and hands back the function that encodes the results again, as urllib.parse
does, so every function is written once, on ``str``.
"""

from __future__ import annotations

import types
from typing import Any, NamedTuple

from ._errors import InvalidPort, MixedTypesError

__all__ = [
    "DefragResult",
    "DefragResultBytes",
    "ParseResult",
    "ParseResultBytes",
    "ResultBase",
    "SplitResult",
    "SplitResultBytes",
]

# --- str/bytes coercion, as urllib.parse does it ------------------------------------


def _noop(obj: Any) -> Any:
    return obj


def _encode_result(obj: Any, encoding: str = "ascii", errors: str = "strict") -> Any:
    return obj.encode(encoding, errors)


def _decode_args(args: tuple[Any, ...], encoding: str = "ascii",
                 errors: str = "strict") -> tuple[Any, ...]:  # fmt: skip
    return tuple(x.decode(encoding, errors) if x else "" for x in args)


def _coerce_args(*args: Any) -> tuple[Any, ...]:
    """Decode bytes arguments; return them plus the function that re-encodes results."""
    str_input = isinstance(args[0], str)
    for arg in args[1:]:
        # The empty string is allowed to stand for the scheme='' default.
        if arg and isinstance(arg, str) != str_input:
            raise MixedTypesError("Cannot mix str and non-str arguments")
    if str_input:
        return (*args, _noop)
    return (*_decode_args(args), _encode_result)


# --- result types -------------------------------------------------------------------


class _ResultMixinStr:
    """Encoding of str results to their bytes twin."""

    __slots__ = ()
    _encoded_counterpart: Any

    def encode(self, encoding: str = "ascii", errors: str = "strict") -> Any:
        return self._encoded_counterpart(*(x.encode(encoding, errors) for x in self))  # type: ignore[attr-defined]


class _ResultMixinBytes:
    """Decoding of bytes results to their str twin."""

    __slots__ = ()
    _decoded_counterpart: Any

    def decode(self, encoding: str = "ascii", errors: str = "strict") -> Any:
        return self._decoded_counterpart(*(x.decode(encoding, errors) for x in self))  # type: ignore[attr-defined]


def _port_of(port: Any) -> int | None:
    if port is None:
        return None
    if port.isdigit() and port.isascii():
        value = int(port)
    else:
        raise InvalidPort(f"Port could not be cast to integer value as {port!r}")
    if not 0 <= value <= 65535:
        raise InvalidPort("Port out of range 0-65535")
    return value


class _NetlocResultMixinBase:
    """``username``, ``password``, ``hostname`` and ``port`` of a netloc."""

    __slots__ = ()
    __class_getitem__: Any = classmethod(types.GenericAlias)
    netloc: Any

    def _userinfo(self) -> tuple[Any, Any]:
        netloc = self.netloc
        at = "@" if isinstance(netloc, str) else b"@"
        userinfo, have_info, _ = netloc.rpartition(at)
        if not have_info:
            return None, None
        username, have_password, password = userinfo.partition(":" if at == "@" else b":")
        return username, (password if have_password else None)

    def _hostinfo(self) -> tuple[Any, Any]:
        netloc = self.netloc
        at: Any
        lb: Any
        rb: Any
        colon: Any
        if isinstance(netloc, str):
            at, lb, rb, colon = "@", "[", "]", ":"
        else:
            at, lb, rb, colon = b"@", b"[", b"]", b":"
        hostinfo = netloc.rpartition(at)[2]
        _, have_open_br, bracketed = hostinfo.partition(lb)
        if have_open_br:
            hostname, _, port = bracketed.partition(rb)
            port = port.partition(colon)[2]
        else:
            hostname, _, port = hostinfo.partition(colon)
        return hostname, (port or None)

    @property
    def username(self) -> Any:
        """The user name of the netloc, or ``None`` (not percent-decoded)."""
        return self._userinfo()[0]

    @property
    def password(self) -> Any:
        """The password of the netloc, or ``None`` (not percent-decoded)."""
        return self._userinfo()[1]

    @property
    def hostname(self) -> Any:
        """The host, lowercased (an IPv6 zone ID keeps its case), or ``None``."""
        hostname = self._hostinfo()[0]
        if not hostname:
            return None
        hostname, percent, zone = hostname.partition("%" if isinstance(hostname, str) else b"%")
        return hostname.lower() + percent + zone

    @property
    def port(self) -> int | None:
        """The port as an int, or ``None``.

        Raises :class:`InvalidPort` (a ``ValueError``) with urllib.parse's message when
        it is not decimal digits or is outside 0-65535.
        """
        return _port_of(self._hostinfo()[1])


class _NetlocResultMixinStr(_NetlocResultMixinBase, _ResultMixinStr):
    __slots__ = ()


class _NetlocResultMixinBytes(_NetlocResultMixinBase, _ResultMixinBytes):
    __slots__ = ()


# Kept for code that still names it (urllib.parse keeps it for the same reason).
ResultBase = _NetlocResultMixinStr


class _DefragResultBase(NamedTuple):
    url: Any
    fragment: Any


class _SplitResultBase(NamedTuple):
    scheme: Any
    netloc: Any
    path: Any
    query: Any
    fragment: Any


class _ParseResultBase(NamedTuple):
    scheme: Any
    netloc: Any
    path: Any
    params: Any
    query: Any
    fragment: Any


class DefragResult(_DefragResultBase, _ResultMixinStr):
    """``urldefrag`` result: ``(url, fragment)``."""

    __slots__ = ()

    def geturl(self) -> str:
        return f"{self.url}#{self.fragment}" if self.fragment else self.url


class SplitResult(_SplitResultBase, _NetlocResultMixinStr):
    """``urlsplit`` result: ``(scheme, netloc, path, query, fragment)``."""

    __slots__ = ()

    def geturl(self) -> str:
        from ._split import urlunsplit  # a cycle: _split builds these results

        return urlunsplit(self)  # type: ignore[no-any-return]


class ParseResult(_ParseResultBase, _NetlocResultMixinStr):
    """``urlparse`` result: ``(scheme, netloc, path, params, query, fragment)``."""

    __slots__ = ()

    def geturl(self) -> str:
        from ._split import urlunparse

        return urlunparse(self)  # type: ignore[no-any-return]


class DefragResultBytes(_DefragResultBase, _ResultMixinBytes):
    """``urldefrag`` result for bytes input."""

    __slots__ = ()

    def geturl(self) -> bytes:
        return self.url + b"#" + self.fragment if self.fragment else self.url  # type: ignore[no-any-return]


class SplitResultBytes(_SplitResultBase, _NetlocResultMixinBytes):
    """``urlsplit`` result for bytes input."""

    __slots__ = ()

    def geturl(self) -> bytes:
        from ._split import urlunsplit

        return urlunsplit(self)  # type: ignore[no-any-return]


class ParseResultBytes(_ParseResultBase, _NetlocResultMixinBytes):
    """``urlparse`` result for bytes input."""

    __slots__ = ()

    def geturl(self) -> bytes:
        from ._split import urlunparse

        return urlunparse(self)  # type: ignore[no-any-return]


for _decoded, _encoded in (
    (DefragResult, DefragResultBytes),
    (SplitResult, SplitResultBytes),
    (ParseResult, ParseResultBytes),
):
    _decoded._encoded_counterpart = _encoded
    _encoded._decoded_counterpart = _decoded
del _decoded, _encoded
