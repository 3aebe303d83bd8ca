"""UTS 46 mapping and punycode (RFC 3492) for the host parser, faster than the codecs.

``uts46_remap`` maps a domain with ``str.translate`` over a table filled in from the
``idna`` package's UTS 46 data as code points are met (the same result as
``idna.core.uts46_remap(domain, std3_rules=False)``); ``punycode_encode`` gives the
same text as the ``punycode`` codec. tests/url compares both with the originals.
"""

from __future__ import annotations

import bisect
import unicodedata
from typing import Final

import idna.core
import idna.uts46data

from ._errors import InvalidHost

__all__ = ["punycode_encode", "uts46_remap"]

# Code points whose UTS 46 mapping is remembered (a few hundred cover real-world hosts).
_UTS46_MAP_SIZE: Final = 4096
# idna's own defence against long domains (its uts46_remap refuses longer input).
_MAX_IDNA_INPUT: Final[int] = getattr(idna.core, "_max_input_length", 1024)
_VALID: Final = frozenset({idna.core._STATUS_VALID, idna.core._STATUS_DEVIATION})


class _Disallowed(ValueError):
    """A code point that UTS 46 disallows (not a LookupError: str.translate passes it on)."""


class _Uts46Map(dict[int, str]):
    """The UTS 46 mapping table (no STD3 rules) for ``str.translate``, filled in on use.

    Each code point's status is looked up in the ``idna`` package's data once, then
    remembered, up to ``_UTS46_MAP_SIZE`` code points (a hostile stream of distinct
    code points cannot grow it further; the look-up still works, only uncached).
    """

    def __missing__(self, code_point: int) -> str:
        index = (
            code_point
            if code_point < 256
            else bisect.bisect_right(idna.uts46data.uts46_starts, code_point) - 1
        )
        status = idna.uts46data.uts46_statuses[index]
        if status in _VALID:
            value = chr(code_point)
        elif status == idna.core._STATUS_MAPPED:
            value = idna.uts46data.uts46_replacements[index] or ""
        elif status == idna.core._STATUS_IGNORED:
            value = ""
        else:
            raise _Disallowed(f"code point U+{code_point:04X} not allowed")
        if len(self) < _UTS46_MAP_SIZE:
            self[code_point] = value
        return value


_UTS46_MAP: Final = _Uts46Map()


def uts46_remap(domain: str) -> str:
    """UTS 46 section 4 steps 1-2: map each code point, then normalise to NFC."""
    if len(domain) > _MAX_IDNA_INPUT:
        raise InvalidHost(f"invalid host {domain[:80]!r}...: too long for IDNA")
    try:
        mapped = domain.translate(_UTS46_MAP)
    except _Disallowed as exc:
        raise InvalidHost(f"invalid host {domain!r}: {exc}") from None
    return unicodedata.normalize("NFC", mapped)


_PUNY_DIGITS: Final = "abcdefghijklmnopqrstuvwxyz0123456789"


def _punycode_adapt(delta: int, count: int, first: bool) -> int:
    delta = delta // 700 if first else delta // 2  # RFC 3492 section 6.1
    delta += delta // count
    k = 0
    while delta > 455:  # ((base - tmin) * tmax) // 2
        delta //= 35
        k += 36
    return k + (36 * delta) // (delta + 38)


def punycode_encode(label: str) -> str:
    """RFC 3492 section 6.3 (base 36, tmin 1, tmax 26, skew 38, damp 700, initial bias
    72, initial n 128), lowercase digits: the same text as the ``punycode`` codec."""
    code_points = [ord(c) for c in label]
    out = [c for c in label if c < "\x80"]
    basic = handled = len(out)
    if basic:
        out.append("-")
    n, delta, bias = 128, 0, 72
    total = len(code_points)
    while handled < total:
        m = min(c for c in code_points if c >= n)
        delta += (m - n) * (handled + 1)
        n = m
        for c in code_points:
            if c < n:
                delta += 1
            elif c == n:
                q = delta
                k = 36
                while True:
                    t = 1 if k <= bias else 26 if k >= bias + 26 else k - bias
                    if q < t:
                        break
                    out.append(_PUNY_DIGITS[t + (q - t) % (36 - t)])
                    q = (q - t) // (36 - t)
                    k += 36
                out.append(_PUNY_DIGITS[q])
                bias = _punycode_adapt(delta, handled + 1, handled == basic)
                delta = 0
                handled += 1
        delta += 1
        n += 1
    return "".join(out)
