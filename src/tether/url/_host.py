"""The WHATWG host parser: domains (UTS 46), IPv4 in all its numeric forms, IPv6, opaque hosts.

Theory of operation. ``parse_host(text, special)`` returns the serialised host (what the
URL's ``host`` getter shows, IPv6 in brackets) or raises :class:`InvalidHost`:

- ``[...]``: the WHATWG IPv6 parser (which also takes a trailing dotted IPv4), serialised
  with the longest run of zero pieces compressed (RFC 5952).
- non-special schemes: an *opaque host*: forbidden host code points refused, the rest
  percent-encoded with the C0 control set; no IDNA, case kept.
- special schemes: percent-decode, UTF-8 decode, then *domain to ASCII*: ASCII input with
  no ``xn--`` label is only lowercased (the standard's own shortcut, so an ASCII host is
  never re-encoded); anything else goes through UTS 46 with the standard's flags
  (non-transitional, CheckHyphens off, VerifyDnsLength off, no STD3 rules, CheckBidi and
  CheckJoiners on). The ``idna`` package supplies the mapping table, Bidi and ContextJ
  rules; the validity rules here are UTS 46's, not IDNA 2008's stricter ones (the
  mapping and punycode themselves are in :mod:`._idna`). Then the
  forbidden domain code points are refused and a host that ends in a number must be an
  IPv4 address (``0x7f.1`` is ``127.0.0.1``).

UTS 46 results are cached (``functools.lru_cache``), ASCII hosts need no cache.
"""

from __future__ import annotations

import bisect
import functools
import re
import socket
import struct
import unicodedata
from typing import Final

import idna.core
import idna.uts46data

from ._errors import InvalidHost
from ._idna import punycode_encode, uts46_remap

__all__ = [
    "domain_to_ascii",
    "domain_to_unicode",
    "parse_host",
    "parse_ipv4",
    "parse_ipv6",
    "percent_decode",
]

# Forbidden host code points (for opaque hosts); domains also forbid C0 controls, % and DEL.
_FORBIDDEN_HOST_RE: Final = re.compile(r"[\x00\t\n\r #/:<>?@\[\\\]^|]")
_FORBIDDEN_DOMAIN_RE: Final = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")
_ENDS_IN_NUMBER_RE: Final = re.compile(r"(?:^|\.)(?:[0-9]+|0[xX][0-9A-Fa-f]*)\.?\Z")
_PCT_RE: Final = re.compile(rb"%([0-9A-Fa-f]{2})")
_C0_OR_NON_ASCII_RE: Final = re.compile(r"[^\x20-\x7e]")
_HOST_LRU_SIZE: Final = 4096

_VALID: Final = frozenset({idna.core._STATUS_VALID, idna.core._STATUS_DEVIATION})


def percent_decode(text: str) -> bytes:
    """WHATWG percent-decode of a string's UTF-8 bytes (invalid escapes are kept)."""
    data = text.encode("utf-8")
    if b"%" not in data:
        return data
    return _PCT_RE.sub(lambda m: bytes.fromhex(m.group(1).decode()), data)


def _c0_encode(text: str) -> str:
    if _C0_OR_NON_ASCII_RE.search(text) is None:
        return text
    return "".join(
        c if " " <= c <= "~" else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in text
    )


# --- IPv4 ---------------------------------------------------------------------------


def _ipv4_number(part: str) -> int | None:
    """One dotted part: decimal, 0x hex or 0 octal; ``None`` if it is not a number."""
    radix = 10
    if len(part) >= 2 and part[0] == "0" and part[1] in "xX":
        part = part[2:]
        radix = 16
    elif len(part) >= 2 and part[0] == "0":
        part = part[1:]
        radix = 8
    if not part:
        return 0
    digits = {10: "0123456789", 16: "0123456789abcdefABCDEF", 8: "01234567"}[radix]
    if part.strip(digits):
        return None
    return int(part, radix)


_DOTTED_DECIMAL_RE: Final = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
)


def parse_ipv4(text: str) -> str:
    """The WHATWG IPv4 parser, serialised dotted-decimal; raises :class:`InvalidHost`."""
    if _DOTTED_DECIMAL_RE.fullmatch(text):
        return text  # already canonical: four decimal parts, no leading zeros
    parts = text.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        raise InvalidHost(f"invalid IPv4 address {text!r}: more than four parts")
    numbers = []
    for part in parts:
        if not part:
            raise InvalidHost(f"invalid IPv4 address {text!r}: empty part")
        number = _ipv4_number(part)
        if number is None:
            raise InvalidHost(f"invalid IPv4 address {text!r}: {part!r} is not a number")
        numbers.append(number)
    for number in numbers[:-1]:
        if number > 255:
            raise InvalidHost(f"invalid IPv4 address {text!r}: a part is over 255")
    if numbers[-1] >= 256 ** (5 - len(numbers)):
        raise InvalidHost(f"invalid IPv4 address {text!r}: out of range")
    address = numbers[-1]
    for i, number in enumerate(numbers[:-1]):
        address += number * 256 ** (3 - i)
    return f"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}"


# --- IPv6 ---------------------------------------------------------------------------


def parse_ipv6(text: str) -> list[int]:
    """The WHATWG IPv6 parser: eight 16-bit pieces; raises :class:`InvalidHost`."""
    bad = InvalidHost(f"invalid IPv6 address {text!r}")
    address = [0] * 8
    piece = 0
    compress: int | None = None
    i = 0
    n = len(text)
    if text[:1] == ":":
        if text[1:2] != ":":
            raise bad
        i = 2
        piece = 1
        compress = 1
    while i < n:
        if piece == 8:
            raise bad
        if text[i] == ":":
            if compress is not None:
                raise bad
            i += 1
            piece += 1
            compress = piece
            continue
        value = length = 0
        while length < 4 and i < n and text[i] in "0123456789abcdefABCDEF":
            value = value * 16 + int(text[i], 16)
            i += 1
            length += 1
        if i < n and text[i] == ".":
            if length == 0:
                raise bad
            i -= length
            if piece > 6:
                raise bad
            seen = 0
            while i < n:
                ipv4_piece: int | None = None
                if seen > 0:
                    if text[i] == "." and seen < 4:
                        i += 1
                    else:
                        raise bad
                if i >= n or not ("0" <= text[i] <= "9"):
                    raise bad
                while i < n and "0" <= text[i] <= "9":
                    digit = int(text[i])
                    if ipv4_piece is None:
                        ipv4_piece = digit
                    elif ipv4_piece == 0:
                        raise bad
                    else:
                        ipv4_piece = ipv4_piece * 10 + digit
                    if ipv4_piece > 255:
                        raise bad
                    i += 1
                assert ipv4_piece is not None
                address[piece] = address[piece] * 0x100 + ipv4_piece
                seen += 1
                if seen in (2, 4):
                    piece += 1
            if seen != 4:
                raise bad
            break
        if i < n and text[i] == ":":
            i += 1
            if i >= n:
                raise bad
        elif i < n:
            raise bad
        address[piece] = value
        piece += 1
    if compress is not None:
        swaps = piece - compress
        piece = 7
        while piece != 0 and swaps > 0:
            address[piece], address[compress + swaps - 1] = (
                address[compress + swaps - 1],
                address[piece],
            )
            piece -= 1
            swaps -= 1
    elif piece != 8:
        raise bad
    return address


def serialize_ipv6(address: list[int]) -> str:
    """Lowercase hex, the first longest run (of two or more) of zero pieces as ``::``."""
    best_start, best_len = -1, 1
    i = 0
    while i < 8:
        if address[i] == 0:
            j = i
            while j < 8 and address[j] == 0:
                j += 1
            if j - i > best_len:
                best_start, best_len = i, j - i
            i = j
        else:
            i += 1
    if best_start < 0:
        return ":".join(f"{p:x}" for p in address)
    head = ":".join(f"{p:x}" for p in address[:best_start])
    tail = ":".join(f"{p:x}" for p in address[best_start + best_len :])
    return f"{head}::{tail}"


def _ntop_agrees() -> bool:
    """Whether this C library's inet_ntop serialises as the standard does (ties, single
    zero pieces, leading zeros); if not, ours is used."""
    for address in ("1:0:0:2:0:0:0:1", "1:0:1:0:1:0:1:0", "0:0:1:0:0:1:0:0", "ABCD:0:0::",
                    "0:0:0:0:0:0:0:0", "1:2:3:4:5:6:7:8", "0:1:0:0:0:2:0:0"):  # fmt: skip
        packed = socket.inet_pton(socket.AF_INET6, address)
        expected = serialize_ipv6(list(struct.unpack("!8H", packed)))
        if socket.inet_ntop(socket.AF_INET6, packed) != expected:
            return False
    return True


_NTOP_AGREES: Final = _ntop_agrees()


# --- domains ------------------------------------------------------------------------


def _uts46_status(char: str) -> int:
    code_point = ord(char)
    if code_point < 256:
        return idna.uts46data.uts46_statuses[code_point]
    i = bisect.bisect_right(idna.uts46data.uts46_starts, code_point) - 1
    return idna.uts46data.uts46_statuses[i]


def _check_label(label: str, original: str) -> None:
    """UTS 46 validity criteria (non-transitional, CheckHyphens off, CheckJoiners on)."""
    if unicodedata.normalize("NFC", label) != label:
        raise InvalidHost(f"invalid host {original!r}: label {label!r} is not NFC")
    if label[:4].lower() == "xn--":
        raise InvalidHost(f"invalid host {original!r}: label {label!r} starts with xn--")
    if unicodedata.category(label[0])[0] == "M":
        raise InvalidHost(f"invalid host {original!r}: label starts with a combining mark")
    if not label.isascii():
        for char in label:
            if char > "\x7f" and _uts46_status(char) not in _VALID:
                raise InvalidHost(f"invalid host {original!r}: code point U+{ord(char):04X}")
        if "\u200c" in label or "\u200d" in label:
            for pos, char in enumerate(label):
                if char in "\u200c\u200d":
                    try:
                        ok = idna.core.valid_contextj(label, pos)
                    except ValueError:
                        ok = False
                    if not ok:
                        raise InvalidHost(
                            f"invalid host {original!r}: joiner not allowed in {label!r}"
                        )


_RTL: Final = frozenset({"R", "AL", "AN"})


@functools.lru_cache(maxsize=_HOST_LRU_SIZE)
def _uts46_to_ascii(domain: str) -> str:
    mapped = uts46_remap(domain)
    labels = mapped.split(".")
    unicode_labels: list[str] = []
    for label in labels:
        if label[:4] == "xn--":
            try:
                decoded = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                raise InvalidHost(f"invalid host {domain!r}: bad punycode {label!r}") from None
            if not decoded or decoded.isascii():
                raise InvalidHost(f"invalid host {domain!r}: bad punycode {label!r}")
            _check_label(decoded, domain)
            unicode_labels.append(decoded)
        else:
            if label:
                _check_label(label, domain)
            unicode_labels.append(label)
    if any(
        unicodedata.bidirectional(c) in _RTL
        for label in unicode_labels
        for c in label
        if c > "\x7f"
    ):
        for label in unicode_labels:
            try:
                ok = not label or idna.core.check_bidi(label, check_ltr=True)
            except (idna.core.IDNAError, ValueError):
                ok = False
            if not ok:
                raise InvalidHost(f"invalid host {domain!r}: label {label!r} breaks the Bidi rule")
    out = []
    for original, label in zip(labels, unicode_labels, strict=False):
        if label.isascii():
            out.append(label)
        elif original[:4] == "xn--":
            out.append(original)
        else:
            out.append("xn--" + punycode_encode(label))
    return ".".join(out)


def domain_to_ascii(domain: str) -> str:
    """WHATWG *domain to ASCII* (beStrict false); raises :class:`InvalidHost`."""
    if domain.isascii():
        lowered = domain.lower()
        if "xn--" not in lowered:
            return lowered
        if not any(label[:4] == "xn--" for label in lowered.split(".")):
            return lowered
    result = _uts46_to_ascii(domain)
    if not result:
        raise InvalidHost(f"invalid host {domain!r}: empty after IDNA processing")
    return result


def domain_to_unicode(domain: str) -> str:
    """An ASCII domain for display: each ``xn--`` label decoded (kept if it is not
    valid punycode)."""
    labels = []
    for label in domain.split("."):
        if label[:4] == "xn--":
            try:
                label = label[4:].encode("ascii").decode("punycode")
            except UnicodeError:
                pass
        labels.append(label)
    return ".".join(labels)


def parse_host(text: str, special: bool) -> str:
    """Parse and serialise a host; raises :class:`InvalidHost` saying what is wrong."""
    if text[:1] == "[":
        if text[-1:] != "]":
            raise InvalidHost(f"invalid IPv6 address {text!r}: missing ']'")
        inner = text[1:-1]
        if "." not in inner and "%" not in inner:
            # inet_pton (C) agrees with the WHATWG parser on addresses without a dotted
            # IPv4 tail (tests/url checks it); anything it refuses gets the full parser
            # and its error message.
            try:
                packed = socket.inet_pton(socket.AF_INET6, inner)
            except (OSError, ValueError):
                pass
            else:
                # glibc's inet_ntop compresses the first longest run of two or more
                # zero pieces, in lowercase hex, as the standard does; it only differs
                # by writing an IPv4 tail in dotted form, which is left to ours.
                if _NTOP_AGREES:
                    text = socket.inet_ntop(socket.AF_INET6, packed)
                    if "." not in text:
                        return "[" + text + "]"
                return "[" + serialize_ipv6(list(struct.unpack("!8H", packed))) + "]"
        return "[" + serialize_ipv6(parse_ipv6(inner)) + "]"
    if not special:
        found = _FORBIDDEN_HOST_RE.search(text)
        if found:
            raise InvalidHost(f"forbidden code point {found.group()!r} in host {text!r}")
        return _c0_encode(text)
    domain = percent_decode(text).decode("utf-8", "replace") if "%" in text else text
    ascii_domain = domain_to_ascii(domain)
    found = _FORBIDDEN_DOMAIN_RE.search(ascii_domain)
    if found:
        raise InvalidHost(f"forbidden code point {found.group()!r} in host {text!r}")
    if _ENDS_IN_NUMBER_RE.search(ascii_domain):
        return parse_ipv4(ascii_domain)
    return ascii_domain
