"""Reading the EHLO reply: which service extensions the server offers.

The EHLO reply (RFC 5321 §4.1.1.1) is a greeting line followed by one extension per
line: a keyword, optionally a space and parameters (RFC 1869 §4.5). The result is the
dict smtplib exposes as ``esmtp_features``: lower-case keyword → parameter string. Two
quirks are kept because real servers depend on them: ``AUTH=LOGIN PLAIN`` (the
pre-standard form some servers still send) is merged into ``auth``, and repeated
``AUTH`` lines accumulate rather than replace each other.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "auth_mechanisms",
    "max_message_size",
    "parse_ehlo",
]

_OLDSTYLE_AUTH: Final = re.compile(r"auth=(.*)", re.I)
_FEATURE: Final = re.compile(r"([A-Za-z0-9][A-Za-z0-9\-]*) ?")


def parse_ehlo(message: bytes) -> dict[str, str]:
    """Extensions from an EHLO reply's text (``Reply.message``; first line skipped)."""
    features: dict[str, str] = {}
    lines = message.decode("latin-1").split("\n")[1:]
    for line in lines:
        old = _OLDSTYLE_AUTH.match(line)
        if old:
            features["auth"] = features.get("auth", "") + " " + old.group(1)
            continue
        match = _FEATURE.match(line)
        if not match:
            continue
        keyword = match.group(1).lower()
        params = line[match.end(1) :].strip()
        if keyword == "auth":
            features["auth"] = features.get("auth", "") + " " + params
        else:
            features[keyword] = params
    return features


def auth_mechanisms(features: dict[str, str]) -> list[str]:
    """The SASL mechanisms advertised (upper case, in the server's order, no repeats)."""
    seen: list[str] = []
    for name in features.get("auth", "").upper().split():
        if name not in seen:
            seen.append(name)
    return seen


def max_message_size(features: dict[str, str]) -> int | None:
    """The ``SIZE`` limit (RFC 1870 §4) in octets, or ``None`` if not advertised or 0.

    ``SIZE`` without a number, or ``SIZE 0``, means the server announces no fixed limit.
    """
    if "size" not in features:
        return None
    value = features["size"].strip()
    if not value.isdigit():
        return None
    size = int(value)
    return size or None
